//! `convert-data`: the originals in ../shared/data → `static/data/<name>/{manifest.json, *.bpl.gz}`.

use std::path::Path;

use anyhow::{Context, Result, bail};
use kernels::dataset::{
    ChunkInfo, Dataset, DatasetKind, Manifest, SplitInfo, dataset_from_cifar, dataset_from_idx,
    encode_chunk,
};

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

fn source_text(kind: DatasetKind) -> &'static str {
    match kind {
        DatasetKind::Mnist => "MNIST (Y. LeCun, C. Cortes, C. J. C. Burges), CC BY-SA 3.0",
        DatasetKind::FashionMnist => {
            "Fashion-MNIST (Zalando Research, H. Xiao, K. Rasul, R. Vollgraf), MIT licence"
        }
        DatasetKind::Cifar10 => {
            "CIFAR-10 (A. Krizhevsky, 2009), first 4,000 training and 1,000 test images"
        }
    }
}

fn write_split(dir: &Path, split: &str, data: &Dataset, chunk: usize) -> Result<SplitInfo> {
    let mut chunks = Vec::new();
    for (i, start) in (0..data.len()).step_by(chunk).enumerate() {
        let end = (start + chunk).min(data.len());
        let (gz, crc32) = encode_chunk(data, start..end);
        let file = format!("{split}-{i:02}.bpl.gz");
        std::fs::write(dir.join(&file), &gz).with_context(|| format!("writing {file}"))?;
        chunks.push(ChunkInfo {
            file,
            count: end - start,
            bytes: gz.len(),
            crc32,
        });
    }
    Ok(SplitInfo {
        count: data.len(),
        chunks,
    })
}

/// Samples of each split of "MNIST with another pen" (the fine-tuning lesson needs a few examples per
/// class and a held-out set, not all of MNIST).
pub const PEN_SAMPLES: usize = 2_000;
/// Index offset of the test split's transform, so no test image shares a shift sequence with training.
pub const PEN_TEST_OFFSET: u64 = 1_000_000;

/// `static/data/mnist-pen`: the first [`PEN_SAMPLES`] MNIST training and test images through
/// [`kernels::finetune::another_pen`] (thicker strokes, moved 3–5 pixels off-centre on each axis).
fn write_another_pen(train: &Dataset, test: &Dataset, to: &Path) -> Result<()> {
    use kernels::finetune::another_pen_dataset;
    let mut train = another_pen_dataset(&train.take(PEN_SAMPLES), 0);
    let mut test = another_pen_dataset(&test.take(PEN_SAMPLES), PEN_TEST_OFFSET);
    for d in [&mut train, &mut test] {
        d.name = "mnist-pen".into();
    }
    let out = to.join("mnist-pen");
    std::fs::create_dir_all(&out)?;
    let manifest = Manifest {
        name: "mnist-pen".into(),
        title: "MNIST with another pen".into(),
        height: train.height,
        width: train.width,
        channels: train.channels,
        classes: train.class_names.clone(),
        // The pretrained model's normalisation: the shift is the point, not new statistics.
        mean: train.mean,
        std: train.std,
        source: format!(
            "MNIST (Y. LeCun, C. Cortes, C. J. C. Burges), CC BY-SA 3.0: the first {PEN_SAMPLES} training and test images, strokes thickened by a 3×3 maximum filter and moved 3–5 pixels along each axis (kernels::finetune::another_pen)"
        ),
        train: write_split(&out, "train", &train, PEN_SAMPLES)?,
        test: write_split(&out, "test", &test, PEN_SAMPLES)?,
    };
    std::fs::write(
        out.join("manifest.json"),
        serde_json::to_string_pretty(&manifest)? + "\n",
    )?;
    println!(
        "mnist-pen: {} train + {} test samples → {}",
        train.len(),
        test.len(),
        out.display()
    );
    Ok(())
}

/// Converts every dataset found under `from`.
pub fn convert_all(from: &Path, to: &Path, chunk: usize) -> Result<()> {
    if chunk == 0 {
        bail!("--chunk must be at least 1");
    }
    for kind in DatasetKind::ALL {
        let (train, test) = match kind {
            DatasetKind::Mnist | DatasetKind::FashionMnist => {
                let d = from.join(kind.name());
                let load = |prefix: &str| -> Result<Dataset> {
                    dataset_from_idx(
                        kind,
                        &read(&d.join(format!("{prefix}-images-idx3-ubyte.gz")))?,
                        &read(&d.join(format!("{prefix}-labels-idx1-ubyte.gz")))?,
                    )
                    .with_context(|| format!("parsing {} {prefix}", kind.name()))
                };
                (load("train")?, load("t10k")?)
            }
            DatasetKind::Cifar10 => {
                let d = from.join("cifar10-subset");
                let entries: Vec<_> = std::fs::read_dir(&d)
                    .with_context(|| format!("listing {}", d.display()))?
                    .filter_map(|e| e.ok())
                    .map(|e| e.path())
                    .collect();
                let pick = |word: &str| {
                    entries
                        .iter()
                        .find(|p| {
                            p.file_name()
                                .is_some_and(|n| n.to_string_lossy().contains(word))
                        })
                        .cloned()
                };
                let (Some(tr), Some(te)) = (pick("train"), pick("test")) else {
                    bail!("{} has no train/test record files", d.display())
                };
                (
                    dataset_from_cifar(&read(&tr)?)?,
                    dataset_from_cifar(&read(&te)?)?,
                )
            }
        };
        if kind == DatasetKind::Mnist {
            write_another_pen(&train, &test, to)?;
        }
        let (mut train, test) = (train, test);
        if kind != DatasetKind::Mnist {
            // MNIST keeps the seed recipe's constants; the others use their own training statistics.
            let n = train.images.len().max(1) as f64;
            let mean = train
                .images
                .iter()
                .map(|&p| f64::from(p) / 255.0)
                .sum::<f64>()
                / n;
            let var = train
                .images
                .iter()
                .map(|&p| (f64::from(p) / 255.0 - mean).powi(2))
                .sum::<f64>()
                / n;
            train.mean = mean as f32;
            train.std = var.sqrt() as f32;
        }
        // Chunks of about the same byte size whatever the image size (≈ 4 MB before gzip by default).
        let chunk = (chunk * 784 / train.features()).max(1);
        let out = to.join(kind.name());
        std::fs::create_dir_all(&out)?;
        let manifest = Manifest {
            name: kind.name().into(),
            title: kind.title().into(),
            height: train.height,
            width: train.width,
            channels: train.channels,
            classes: train.class_names.clone(),
            mean: train.mean,
            std: train.std,
            source: source_text(kind).into(),
            train: write_split(&out, "train", &train, chunk)?,
            test: write_split(&out, "test", &test, chunk)?,
        };
        std::fs::write(
            out.join("manifest.json"),
            serde_json::to_string_pretty(&manifest)? + "\n",
        )?;
        let bytes: usize = manifest
            .train
            .chunks
            .iter()
            .chain(&manifest.test.chunks)
            .map(|c| c.bytes)
            .sum();
        println!(
            "{}: {} train + {} test samples → {} ({:.1} MB in {} chunks)",
            kind.name(),
            train.len(),
            test.len(),
            out.display(),
            bytes as f64 / 1e6,
            manifest.train.chunks.len() + manifest.test.chunks.len()
        );
    }
    Ok(())
}
