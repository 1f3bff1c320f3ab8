//! The one tolerance check used by every numeric test in the workspace.

/// A dataset of `samples` random 1×`width` greyscale images in `classes` classes (labels cycle 0, 1,
/// …), from `seed`: the small stand-in the engine-level tests train and attack.
pub fn random_dataset(
    samples: usize,
    width: usize,
    classes: usize,
    seed: u64,
) -> crate::dataset::Dataset {
    let mut rng = crate::rng::SeededRng::new(seed);
    crate::dataset::Dataset {
        name: "random".into(),
        height: 1,
        width,
        channels: 1,
        class_names: (0..classes).map(|c| c.to_string()).collect(),
        mean: 0.5,
        std: 0.3,
        images: (0..samples * width)
            .map(|_| (rng.next_f32() * 255.0) as u8)
            .collect(),
        labels: (0..samples).map(|i| (i % classes) as u8).collect(),
    }
}

/// Checks `|actual − expected| ≤ atol + rtol · |expected|` element-wise and panics, naming `what` and
/// printing the first mismatches with their index, the largest error and the lengths, when it fails.
/// NaN never compares close (a NaN anywhere is a failure).
#[track_caller]
pub fn assert_close(what: &str, actual: &[f32], expected: &[f32], rtol: f32, atol: f32) {
    assert_eq!(
        actual.len(),
        expected.len(),
        "{what}: length {} != expected length {}",
        actual.len(),
        expected.len()
    );
    let mut bad = Vec::new();
    let mut count = 0usize;
    let mut worst = (0usize, 0.0f32);
    for (i, (&a, &e)) in actual.iter().zip(expected).enumerate() {
        let err = (a - e).abs();
        let ok = err <= atol + rtol * e.abs();
        if !ok || err.is_nan() {
            count += 1;
            if bad.len() < 8 {
                bad.push(format!(
                    "  [{i}] actual {a:e} expected {e:e} (|diff| {err:e})"
                ));
            }
            if err > worst.1 || (err.is_nan() && !worst.1.is_nan()) {
                worst = (i, err);
            }
        }
    }
    if count > 0 {
        panic!(
            "{what}: {} of {} elements differ beyond rtol {rtol:e} + atol {atol:e}; largest at [{}] = {:e}; first:\n{}",
            count,
            actual.len(),
            worst.0,
            worst.1,
            bad.join("\n")
        );
    }
}

/// Largest relative error `|a − e| / max(|e|, floor)` over two slices (for reports, not assertions).
pub fn max_relative_error(actual: &[f32], expected: &[f32], floor: f32) -> f32 {
    actual
        .iter()
        .zip(expected)
        .map(|(&a, &e)| (a - e).abs() / e.abs().max(floor))
        .fold(0.0, f32::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_within_tolerance() {
        assert_close("ok", &[1.0, 2.0 + 1e-6], &[1.0, 2.0], 1e-5, 0.0);
    }

    #[test]
    #[should_panic(expected = "[1] actual")]
    fn names_the_first_mismatch() {
        assert_close("bad", &[1.0, 3.0], &[1.0, 2.0], 1e-5, 1e-6);
    }

    #[test]
    #[should_panic(expected = "differ")]
    fn nan_fails() {
        assert_close("nan", &[f32::NAN], &[1.0], 1.0, 1.0);
    }
}

/// The harnesses the fuzz targets (`fuzz/`, `fuzz/run.sh`) run, shared with the test that replays
/// the saved corpus on stable Rust (`kernels/tests/fuzz_corpus.rs`): each feeds arbitrary bytes to one
/// reader. Any error is a correct answer; a panic, a hang or an unbounded allocation is the bug.
pub mod fuzz {
    use crate::dataset::{
        ChunkInfo, DatasetKind, Manifest, dataset_from_cifar, dataset_from_idx, decode_chunk,
        maybe_gunzip, parse_idx_images, parse_idx_labels,
    };
    use crate::model::Mlp;

    /// The dataset chunk reader. The first byte's low bit makes the manifest's CRC match the data, so
    /// the fuzzer reaches the header checks behind the checksum; the next two bytes are the count.
    pub fn chunk(data: &[u8]) {
        let [flags, c0, c1, rest @ ..] = data else {
            return;
        };
        let count = usize::from(u16::from_le_bytes([*c0, *c1]));
        let crc32 = if flags & 1 == 1 {
            maybe_gunzip("fuzz", rest).map_or(0, |raw| crc32fast::hash(&raw))
        } else {
            0
        };
        let info = ChunkInfo {
            file: "fuzz.bpl.gz".into(),
            count,
            bytes: rest.len(),
            crc32,
        };
        let _ = decode_chunk(&info, rest, usize::from(flags >> 1).max(1));
    }

    /// The IDX readers; the first byte says where the label file starts.
    pub fn idx(data: &[u8]) {
        let Some((&split, rest)) = data.split_first() else {
            return;
        };
        let at = usize::from(split).min(rest.len());
        let (images, labels) = rest.split_at(at);
        let _ = parse_idx_images("images", images);
        let _ = parse_idx_labels("labels", labels);
        let _ = dataset_from_idx(DatasetKind::Mnist, images, labels);
    }

    /// The CIFAR-10 record reader.
    pub fn cifar(data: &[u8]) {
        let _ = dataset_from_cifar(data);
    }

    /// The safetensors model import (what a student drops on the page).
    pub fn safetensors(data: &[u8]) {
        if let Ok(model) = Mlp::from_safetensors(data) {
            // Whatever loads must also save.
            let _ = model.to_safetensors();
        }
    }

    /// The dataset manifest.
    pub fn manifest(data: &[u8]) {
        if let Ok(text) = std::str::from_utf8(data)
            && let Ok(m) = Manifest::from_json(text)
        {
            let _ = m.empty_dataset();
        }
    }

    /// "Backprop by hand"'s language: a line of arbitrary UTF-8, as a line and as a bare expression,
    /// against the lesson's environment on a 4 × 6 → 5 → 3 network. The size limits are lowered (the
    /// checks are the same code) so that each input runs in microseconds; an error must render in both
    /// languages with its caret.
    pub fn by_hand(data: &[u8]) {
        use crate::by_hand::{Lang, Limits, eval_expr, eval_line_with};
        let Ok(src) = std::str::from_utf8(data) else {
            return;
        };
        static ENV: std::sync::OnceLock<crate::by_hand::Env> = std::sync::OnceLock::new();
        let env = ENV.get_or_init(by_hand_env);
        let limits = Limits {
            max_elements: 1 << 14,
            max_total_elements: 1 << 16,
            max_madds: 1 << 18,
            ..Limits::default()
        };
        let results = [
            eval_line_with(src, env, limits).map(|(_, t)| t),
            eval_expr(src, env, limits),
        ];
        for result in results {
            match result {
                Ok(t) => assert_eq!(t.len(), t.shape().iter().product::<usize>()),
                Err(e) => {
                    let _ = (e.message(Lang::En), e.message(Lang::Zh), e.caret(src));
                }
            }
        }
    }

    /// The lesson's environment on a small deterministic network, with the seven gradients defined too
    /// (so inputs can use every name a lesson defines).
    fn by_hand_env() -> crate::by_hand::Env {
        use crate::by_hand::{Network, Tensor, Variant, reference};
        let t = |shape: &[usize], seed: usize| {
            let n: usize = shape.iter().product();
            let data = (0..n)
                .map(|i| (((i * 7919 + seed * 104_729) % 200) as f64 - 100.0) / 50.0)
                .collect();
            Tensor::from_f64(shape, data).expect("a consistent shape")
        };
        let net = Network {
            x: t(&[4, 6], 1),
            y: Tensor::from_f64(&[4], vec![0.0, 2.0, 1.0, 2.0]).expect("a consistent shape"),
            w1: t(&[5, 6], 2),
            b1: t(&[5], 3),
            w2: t(&[3, 5], 4),
            b2: t(&[3], 5),
        };
        let variant = Variant::BASE;
        let r = reference(&net, variant).expect("the fuzzing network is consistent");
        let mut env = net.env(&r, variant);
        for (name, g) in r.gradients {
            env.insert(name, g);
        }
        env
    }
}
