//! The options every training command shares: the data (dataset, limits, class selection,
//! normalisation override, the augmentation of training batches) and what it writes.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use kernels::dataset::{Dataset, Split, load_split};
use kernels::finetune::select_classes;
use kernels::ops::gather_normalize::Augmentation;

/// Where the data comes from and how it is prepared.
#[derive(clap::Args, Clone, Debug)]
pub struct DataArgs {
    /// Dataset: mnist, mnist-pen, fashion-mnist or cifar10.
    #[arg(long, default_value = "mnist")]
    pub dataset: String,
    /// Folder of converted datasets (see `convert-data`).
    #[arg(long, default_value = "static/data")]
    pub data_dir: PathBuf,
    /// Use only the first N training samples.
    #[arg(long)]
    pub train_limit: Option<usize>,
    /// Use only the first N test samples.
    #[arg(long)]
    pub test_limit: Option<usize>,
    /// Keep only these classes (names or indices, e.g. bird,cat,deer,dog,frog,horse), relabelled in
    /// the order given.
    #[arg(long, value_delimiter = ',')]
    pub classes: Vec<String>,
    /// Normalise with this mean and standard deviation (0–1 scale) instead of the manifest's, e.g. 0.5,0.5.
    #[arg(long, value_delimiter = ',', num_args = 1)]
    pub normalize: Vec<f32>,
    /// Augment training batches on the GPU (or the CPU engine): flip (RandomHorizontalFlip) and/or
    /// cropN (RandomCrop with N pixels of zero padding), e.g. flip,crop4.
    #[arg(long, value_delimiter = ',')]
    pub augment: Vec<String>,
}

impl DataArgs {
    /// The augmentation asked for, seeded.
    pub fn augmentation(&self, seed: u64) -> Result<Option<Augmentation>> {
        if self.augment.is_empty() {
            return Ok(None);
        }
        let mut aug = Augmentation {
            seed,
            ..Augmentation::default()
        };
        for a in &self.augment {
            match a.as_str() {
                "flip" => aug.flip = true,
                crop if crop.starts_with("crop") => {
                    aug.crop_pad = crop[4..]
                        .parse()
                        .ok()
                        .filter(|p| (1..=16).contains(p))
                        .with_context(|| format!("--augment {crop}: use crop1 … crop16"))?;
                }
                other => bail!("--augment {other}: use flip and/or cropN"),
            }
        }
        Ok(Some(aug))
    }
}

fn class_index(data: &Dataset, name: &str) -> Result<usize> {
    if let Some(i) = data.class_names.iter().position(|c| c == name) {
        return Ok(i);
    }
    name.parse::<usize>()
        .ok()
        .filter(|&i| i < data.classes())
        .with_context(|| {
            format!(
                "--classes {name}: the classes are {}",
                data.class_names.join(", ")
            )
        })
}

/// Loads both splits with the limits, class selection and normalisation asked for.
pub fn load_data(args: &DataArgs) -> Result<(Dataset, Dataset)> {
    let dir = args.data_dir.join(&args.dataset);
    if !dir.join("manifest.json").exists() {
        bail!(
            "{} has no manifest.json: run `backprop-lab convert-data` first, or pass --data-dir",
            dir.display()
        );
    }
    let mut train = load_split(&dir, Split::Train, args.train_limit)
        .with_context(|| format!("reading the training split of {}", dir.display()))?;
    let mut test = load_split(&dir, Split::Test, args.test_limit)
        .with_context(|| format!("reading the test split of {}", dir.display()))?;
    if !args.classes.is_empty() {
        let picked = args
            .classes
            .iter()
            .map(|c| class_index(&train, c))
            .collect::<Result<Vec<_>>>()?;
        train = select_classes(&train, &picked);
        test = select_classes(&test, &picked);
    }
    match args.normalize.as_slice() {
        [] => {}
        &[mean, std] if mean.is_finite() && std.is_finite() && std > 0.0 => {
            for d in [&mut train, &mut test] {
                (d.mean, d.std) = (mean, std);
            }
        }
        _ => bail!("--normalize takes MEAN,STD with STD > 0, e.g. 0.5,0.5"),
    }
    Ok((train, test))
}

/// What a training command writes besides its console report.
#[derive(clap::Args, Clone, Debug)]
pub struct OutputArgs {
    /// Write the resulting weights here (safetensors, PyTorch names).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Write the run's plots (PNG) into this folder.
    #[arg(long)]
    pub plots: Option<PathBuf>,
    /// Also print every epoch as a JSON line (and `finetune`'s summary as JSON).
    #[arg(long)]
    pub json: bool,
}
