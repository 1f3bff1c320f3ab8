//! Calibration of a classifier (Guo et al. 2017): does a softmax confidence of 90 % come true nine
//! times in ten? The reliability diagram bins the predictions by their confidence (the top class's
//! probability) and compares each bin's accuracy with its mean confidence; the expected calibration
//! error (ECE) is the gap averaged over the bins, weighted by how many predictions fall in each.
//! Temperature scaling divides every logit by one number T > 0, fitted by minimising the negative
//! log-likelihood on held-out images: it changes no prediction, only how sure each one is.

/// Bins of the reliability diagram and the ECE (15, as Guo et al.).
pub const BINS: usize = 15;

/// The temperatures the fit searches (T in 0.05–20).
pub const T_RANGE: (f32, f32) = (0.05, 20.0);

/// One bin of a reliability diagram: predictions whose confidence lies in (lo, hi].
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Bin {
    /// Predictions in the bin.
    pub count: usize,
    /// Their mean confidence (0 when empty).
    pub confidence: f32,
    /// The share of them that is right (0 when empty).
    pub accuracy: f32,
}

/// The reliability diagram of `probs` (`[n, classes]` probabilities) against `labels`, in `bins`
/// equal-width bins of confidence over 0–1.
pub fn reliability(probs: &[f32], labels: &[u8], classes: usize, bins: usize) -> Vec<Bin> {
    let bins = bins.max(1);
    let mut sum_conf = vec![0.0f64; bins];
    let mut right = vec![0usize; bins];
    let mut count = vec![0usize; bins];
    for (p, &l) in probs.chunks_exact(classes).zip(labels) {
        let (best, conf) = p
            .iter()
            .copied()
            .enumerate()
            .fold((0, f32::MIN), |b, (i, v)| if v > b.1 { (i, v) } else { b });
        // (k/bins, (k+1)/bins]: a confidence of exactly 1 falls in the last bin.
        let k = ((conf * bins as f32).ceil() as usize).clamp(1, bins) - 1;
        count[k] += 1;
        sum_conf[k] += f64::from(conf);
        right[k] += usize::from(best == usize::from(l));
    }
    (0..bins)
        .map(|k| {
            let n = count[k].max(1) as f64;
            Bin {
                count: count[k],
                confidence: (sum_conf[k] / n) as f32,
                accuracy: (right[k] as f64 / n) as f32,
            }
        })
        .collect()
}

/// Expected calibration error of a reliability diagram: Σ (count/n)·|accuracy − confidence|.
pub fn ece(bins: &[Bin]) -> f32 {
    let n: usize = bins.iter().map(|b| b.count).sum();
    if n == 0 {
        return 0.0;
    }
    bins.iter()
        .map(|b| b.count as f64 / n as f64 * f64::from((b.accuracy - b.confidence).abs()))
        .sum::<f64>() as f32
}

/// Softmax of `logits / t`, row by row.
pub fn softmax_at(logits: &[f32], classes: usize, t: f32) -> Vec<f32> {
    let scaled: Vec<f32> = logits.iter().map(|z| z / t).collect();
    crate::ops::softmax_cross_entropy::softmax_rows(&scaled, classes)
}

/// Mean negative log-likelihood of `labels` under softmax(`logits / t`).
pub fn nll(logits: &[f32], labels: &[u8], classes: usize, t: f32) -> f64 {
    let mut total = 0.0f64;
    let mut n = 0usize;
    for (z, &l) in logits.chunks_exact(classes).zip(labels) {
        let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let lse = z
            .iter()
            .map(|&v| f64::from((v - max) / t).exp())
            .sum::<f64>()
            .ln();
        total += lse - f64::from((z[usize::from(l)] - max) / t);
        n += 1;
    }
    total / n.max(1) as f64
}

/// The temperature that minimises the NLL of `labels` under softmax(`logits / T`), T in
/// [`T_RANGE`]. The NLL is convex in 1/T (a log-sum-exp minus a linear term), so it has one minimum
/// along ln T and a golden-section search finds it.
pub fn fit_temperature(logits: &[f32], labels: &[u8], classes: usize) -> f32 {
    let f = |u: f64| nll(logits, labels, classes, u.exp() as f32);
    let (mut a, mut b) = (f64::from(T_RANGE.0).ln(), f64::from(T_RANGE.1).ln());
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let (mut c, mut d) = (b - g * (b - a), a + g * (b - a));
    let (mut fc, mut fd) = (f(c), f(d));
    for _ in 0..60 {
        if fc < fd {
            b = d;
            d = c;
            fd = fc;
            c = b - g * (b - a);
            fc = f(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + g * (b - a);
            fd = f(d);
        }
    }
    ((a + b) / 2.0).exp() as f32
}

/// Each prediction's confidence (its top class's probability) and whether that class is right.
pub fn predictions(probs: &[f32], labels: &[u8], classes: usize) -> Vec<(f32, bool)> {
    probs
        .chunks_exact(classes)
        .zip(labels)
        .map(|(p, &l)| {
            let (best, conf) = p
                .iter()
                .copied()
                .enumerate()
                .fold((0, f32::MIN), |b, (i, v)| if v > b.1 { (i, v) } else { b });
            (conf, best == usize::from(l))
        })
        .collect()
}

/// ECE of the predictions `rows` picks from `pred` (rows may repeat), binned as [`reliability`]:
/// Σ over bins of |right − Σ confidence| / n, which equals Σ (count/n)·|accuracy − confidence|.
fn ece_rows(pred: &[(f32, bool)], rows: &[usize], bins: usize) -> f32 {
    let mut gap = vec![0.0f64; bins];
    for &r in rows {
        let (conf, right) = pred[r];
        let k = ((conf * bins as f32).ceil() as usize).clamp(1, bins) - 1;
        gap[k] += f64::from(u8::from(right)) - f64::from(conf);
    }
    (gap.iter().map(|g| g.abs()).sum::<f64>() / rows.len().max(1) as f64) as f32
}

/// The 95 % bootstrap interval of ECE(after) − ECE(before), paired: each of `draws` draws resamples
/// the images with replacement and measures both on the same sample. A change counts as real only
/// when the interval leaves zero out: the ECE of a few thousand images moves by a fraction of a point
/// from the sample alone.
pub fn bootstrap_ece_change(
    before: &[(f32, bool)],
    after: &[(f32, bool)],
    draws: usize,
    seed: u64,
) -> (f32, f32) {
    let n = before.len().min(after.len());
    if n == 0 || draws == 0 {
        return (0.0, 0.0);
    }
    let mut rng = crate::rng::SeededRng::new(seed);
    let mut changes: Vec<f32> = (0..draws)
        .map(|_| {
            let rows: Vec<usize> = (0..n).map(|_| rng.below(n)).collect();
            ece_rows(after, &rows, BINS) - ece_rows(before, &rows, BINS)
        })
        .collect();
    changes.sort_by(f32::total_cmp);
    let at = |q: f64| changes[((q * (draws - 1) as f64).round() as usize).min(draws - 1)];
    (at(0.025), at(0.975))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SeededRng;

    /// `n` predictions over 10 classes whose top class has confidence c (uniform in 0.1–1) and is
    /// right with probability `truth(c)`.
    fn synthetic(n: usize, truth: impl Fn(f32) -> f32) -> (Vec<f32>, Vec<u8>) {
        let mut rng = SeededRng::new(11);
        let (mut probs, mut labels) = (Vec::new(), Vec::new());
        for _ in 0..n {
            let c = rng.uniform(0.1, 1.0);
            let top = rng.below(10);
            probs.extend((0..10).map(|k| if k == top { c } else { (1.0 - c) / 9.0 }));
            let label = if rng.next_f32() < truth(c) {
                top
            } else {
                (top + 1 + rng.below(9)) % 10
            };
            labels.push(label as u8);
        }
        (probs, labels)
    }

    #[test]
    fn a_perfectly_calibrated_set_has_an_ece_near_zero_and_an_overconfident_one_does_not() {
        let (probs, labels) = synthetic(100_000, |c| c);
        let bins = reliability(&probs, &labels, 10, BINS);
        assert_eq!(bins.iter().map(|b| b.count).sum::<usize>(), 100_000);
        let e = ece(&bins);
        assert!(e < 0.01, "calibrated: ECE {e}");
        let (probs, labels) = synthetic(100_000, |c| c * c);
        let e = ece(&reliability(&probs, &labels, 10, BINS));
        assert!(e > 0.1, "right only c² of the time: ECE {e}");
    }

    #[test]
    fn a_confidence_of_one_falls_in_the_last_bin_and_empty_bins_weigh_nothing() {
        let probs = [1.0, 0.0, 0.0, 1.0];
        let bins = reliability(&probs, &[0, 0], 2, 4);
        assert_eq!(bins[3].count, 2);
        assert_eq!(bins[3].accuracy, 0.5);
        assert!((ece(&bins) - 0.5).abs() < 1e-6);
        assert_eq!(ece(&[]), 0.0);
    }

    #[test]
    fn the_temperature_fit_recovers_a_known_temperature() {
        // Labels drawn from softmax(z); the model reports z·T, so dividing by T calibrates it.
        let mut rng = SeededRng::new(5);
        for t_true in [0.5f32, 2.0, 4.0] {
            let (mut logits, mut labels) = (Vec::new(), Vec::new());
            for _ in 0..20_000 {
                let z: Vec<f32> = (0..10).map(|_| rng.uniform(-3.0, 3.0)).collect();
                let p = crate::ops::softmax_cross_entropy::softmax_rows(&z, 10);
                let (mut u, mut label) = (rng.next_f32(), 9);
                for (k, &pk) in p.iter().enumerate() {
                    if u < pk {
                        label = k;
                        break;
                    }
                    u -= pk;
                }
                labels.push(label as u8);
                logits.extend(z.iter().map(|v| v * t_true));
            }
            let t = fit_temperature(&logits, &labels, 10);
            assert!((t / t_true - 1.0).abs() < 0.08, "fitted {t}, true {t_true}");
            assert!(
                nll(&logits, &labels, 10, t) <= nll(&logits, &labels, 10, 1.0),
                "the fit never does worse than T = 1"
            );
        }
    }
    #[test]
    fn the_bootstrap_interval_is_zero_for_no_change_and_leaves_zero_out_for_a_clear_gain() {
        let (probs, labels) = synthetic(5_000, |c| c * c);
        let before = predictions(&probs, &labels, 10);
        let all: Vec<usize> = (0..before.len()).collect();
        let e = ece(&reliability(&probs, &labels, 10, BINS));
        assert!(
            (ece_rows(&before, &all, BINS) - e).abs() < 1e-5,
            "same ECE as the diagram's"
        );
        assert_eq!(bootstrap_ece_change(&before, &before, 200, 1), (0.0, 0.0));
        // The same answers with confidences equal to their bin's accuracy: a clear gain.
        let after: Vec<(f32, bool)> = before.iter().map(|&(c, r)| (c * c, r)).collect();
        let (lo, hi) = bootstrap_ece_change(&before, &after, 200, 1);
        assert!(lo <= hi && hi < 0.0, "interval {lo}..{hi}");
    }
}
