//! Head-replacement fine-tuning, shared by `backprop-lab finetune` and the app's fine-tuning lesson:
//! the recipe (load → freeze the body → new head → train the head → unfreeze → fine-tune everything at
//! a tenth of the rate), its two phases on any [`Engine`], few-shot subsets, and the deterministic
//! "MNIST with another pen" transform the lesson ships as a dataset.

use crate::dataset::{Dataset, Split};
use crate::engine::{Engine, OptimizerConfig, OptimizerKind};
use crate::error::EngineError;
use crate::rng::SeededRng;
use crate::training::{EpochBatches, mean, run_epoch};

/// The two training phases of the recipe, and the from-scratch baseline it is compared with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Everything but the head frozen; only the (new) head trains.
    Head,
    /// Everything unfrozen, at a lower learning rate.
    Full,
    /// The same architecture from a fresh initialisation, every layer trained: the comparison.
    Scratch,
}

impl Phase {
    /// Short name for logs and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Self::Head => "head",
            Self::Full => "full",
            Self::Scratch => "scratch",
        }
    }
}

/// The recipe's hyperparameters.
#[derive(Clone, Debug, PartialEq)]
pub struct FinetuneRecipe {
    /// Freeze every layer below the head during the head phase.
    pub freeze_body: bool,
    /// Replace the head by a fresh one with this many outputs (`None`: keep the pretrained head).
    pub new_head: Option<usize>,
    /// Epochs of the head phase.
    pub head_epochs: usize,
    /// Learning rate of the head phase.
    pub head_lr: f32,
    /// Epochs of the full phase (0 stops after the head).
    pub full_epochs: usize,
    /// Learning rate of the full phase.
    pub full_lr: f32,
    /// SGD momentum of both phases.
    pub momentum: f32,
    /// Learning rate of the from-scratch baseline: a fresh network needs the seed recipe's rate, not
    /// the small one that protects pretrained weights.
    pub scratch_lr: f32,
    /// SGD momentum of the from-scratch baseline.
    pub scratch_momentum: f32,
    /// Rows per step.
    pub batch_size: usize,
    /// Seed of the new head, of the scratch model and of the shuffling.
    pub seed: u64,
}

impl Default for FinetuneRecipe {
    /// The recipe as taught: head at lr 0.001, then everything at 0.0001, momentum 0.9.
    fn default() -> Self {
        Self {
            freeze_body: true,
            new_head: None,
            head_epochs: 5,
            head_lr: 0.001,
            full_epochs: 5,
            full_lr: 0.0001,
            momentum: 0.9,
            scratch_lr: 0.01,
            scratch_momentum: 0.5,
            batch_size: 64,
            seed: 1,
        }
    }
}

impl FinetuneRecipe {
    /// The optimiser of a phase (the scratch baseline at its own rate and momentum).
    pub fn optimizer(&self, phase: Phase) -> OptimizerConfig {
        let (lr, momentum) = match phase {
            Phase::Head => (self.head_lr, self.momentum),
            Phase::Full => (self.full_lr, self.momentum),
            Phase::Scratch => (self.scratch_lr, self.scratch_momentum),
        };
        OptimizerConfig {
            kind: OptimizerKind::Sgd,
            lr,
            momentum,
            ..OptimizerConfig::default()
        }
    }

    /// Rejects recipes that cannot run.
    pub fn validate(&self) -> Result<(), EngineError> {
        self.optimizer(Phase::Head).validate()?;
        self.optimizer(Phase::Full).validate()?;
        self.optimizer(Phase::Scratch).validate()?;
        if self.batch_size == 0 || self.batch_size > 65_536 {
            return Err(EngineError::Hyperparameter(format!(
                "batch size {} must be between 1 and 65,536",
                self.batch_size
            )));
        }
        if self.head_epochs > 10_000 || self.full_epochs > 10_000 {
            return Err(EngineError::Hyperparameter(
                "choose at most 10,000 epochs per phase".into(),
            ));
        }
        if self.new_head == Some(0) {
            return Err(EngineError::Hyperparameter(
                "a new head needs at least one class".into(),
            ));
        }
        Ok(())
    }
}

/// Prepares the head phase on an engine holding the pretrained model: the new head (if any), then
/// every layer below it frozen, and a fresh optimiser (PyTorch: a new `optim.SGD(model.fc2.parameters())`).
pub async fn begin_head_phase<E: Engine>(
    engine: &mut E,
    recipe: &FinetuneRecipe,
) -> Result<(), EngineError> {
    if let Some(classes) = recipe.new_head {
        engine.replace_head(classes, recipe.seed).await?;
    }
    let layers = engine.widths().len() - 1;
    for l in 0..layers - 1 {
        engine.set_frozen(l, recipe.freeze_body)?;
    }
    engine.set_frozen(layers - 1, false)?;
    engine.reset_optimizer_state()
}

/// Prepares the full phase: every layer trainable, a fresh optimiser over all parameters.
pub fn begin_full_phase<E: Engine>(engine: &mut E) -> Result<(), EngineError> {
    for l in 0..engine.widths().len() - 1 {
        engine.set_frozen(l, false)?;
    }
    engine.reset_optimizer_state()
}

/// What one epoch of a phase reached.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct PhaseEpoch {
    /// Which phase.
    pub phase: &'static str,
    /// Epoch within the phase (1-based).
    pub epoch: usize,
    /// Mean training loss of the epoch.
    pub train_loss: f32,
    /// Test loss after the epoch.
    pub test_loss: f32,
    /// Test accuracy after the epoch.
    pub test_accuracy: f32,
}

/// Trains `epochs` epochs of `phase` on the engine's training split (`train_len` samples), evaluating
/// after each; `epoch_offset` continues the shuffling sequence across phases. `progress(epoch, step,
/// steps)` is called after every step.
#[allow(
    clippy::too_many_arguments,
    reason = "a phase's inputs, each used once"
)]
pub async fn run_phase<E: Engine>(
    engine: &mut E,
    recipe: &FinetuneRecipe,
    phase: Phase,
    train_len: usize,
    epochs: usize,
    epoch_offset: usize,
    mut progress: impl FnMut(usize, usize, usize),
) -> Result<Vec<PhaseEpoch>, EngineError> {
    let opt = recipe.optimizer(phase);
    let mut out = Vec::with_capacity(epochs);
    for epoch in 1..=epochs {
        let batches = EpochBatches::new(
            train_len,
            recipe.batch_size,
            recipe.seed,
            epoch_offset + epoch - 1,
        );
        let losses = run_epoch(engine, &batches, &opt, |done, total| {
            progress(epoch, done, total)
        })
        .await?;
        let eval = engine.evaluate(None).await?;
        out.push(PhaseEpoch {
            phase: phase.name(),
            epoch,
            train_loss: mean(&losses),
            test_loss: eval.loss,
            test_accuracy: eval.accuracy(),
        });
    }
    Ok(out)
}

/// Gives an engine its training and test splits (a convenience for the phases above).
pub fn set_splits<E: Engine>(
    engine: &mut E,
    train: &Dataset,
    test: &Dataset,
) -> Result<(), EngineError> {
    engine.set_data(Split::Train, train)?;
    engine.set_data(Split::Test, test)
}

/// The first `per_class` samples of every class, in dataset order (classes with fewer keep all they
/// have): the few labelled examples a fine-tuning run gets.
pub fn per_class_subset(data: &Dataset, per_class: usize) -> Dataset {
    let mut taken = vec![0usize; data.classes()];
    let mut out = data.take(0);
    for i in 0..data.len() {
        let label = usize::from(data.labels[i]);
        if taken[label] < per_class {
            taken[label] += 1;
            out.images.extend_from_slice(data.image(i));
            out.labels.push(data.labels[i]);
        }
    }
    out
}

/// Samples whose label is below `classes`, relabelled nowhere (a k-class head on the first k classes).
pub fn first_classes(data: &Dataset, classes: usize) -> Dataset {
    let mut out = data.take(0);
    out.class_names.truncate(classes);
    for i in 0..data.len() {
        if usize::from(data.labels[i]) < classes {
            out.images.extend_from_slice(data.image(i));
            out.labels.push(data.labels[i]);
        }
    }
    out
}

/// The samples of `classes` (indices into the dataset's classes), relabelled `0..classes.len()` in the
/// order given: e.g. CIFAR-10's six animals as a 6-class task, or its four vehicles as a 4-class one.
pub fn select_classes(data: &Dataset, classes: &[usize]) -> Dataset {
    let mut out = data.take(0);
    out.class_names = classes
        .iter()
        .map(|&c| data.class_names.get(c).cloned().unwrap_or_default())
        .collect();
    for i in 0..data.len() {
        if let Some(new) = classes
            .iter()
            .position(|&c| c == usize::from(data.labels[i]))
        {
            out.images.extend_from_slice(data.image(i));
            out.labels.push(new as u8);
        }
    }
    out
}

/// How far "another pen" moves a digit: at least this many pixels along each axis…
pub const PEN_SHIFT_MIN: i32 = 1;
/// …and at most this many.
pub const PEN_SHIFT_MAX: i32 = 3;

/// "MNIST with another pen": the digit drawn with a thicker pen (a 3×3 maximum filter: every stroke
/// grows by one pixel on each side) and moved off-centre by `dx, dy` with |dx|, |dy| in
/// [`PEN_SHIFT_MIN`]..=[`PEN_SHIFT_MAX`] and signs drawn from `SeededRng::new(0x9e7 ^ index)`; pixels
/// moved past the border are lost, uncovered ones are 0. Deterministic: the same index always gives the
/// same image, so the shipped dataset can be rebuilt bit for bit (`backprop-lab convert-data`).
pub fn another_pen(image: &[u8], width: usize, height: usize, index: u64) -> Vec<u8> {
    let mut thick = vec![0u8; width * height];
    for y in 0..height {
        for x in 0..width {
            let mut m = 0u8;
            for yy in y.saturating_sub(1)..(y + 2).min(height) {
                for xx in x.saturating_sub(1)..(x + 2).min(width) {
                    m = m.max(image[yy * width + xx]);
                }
            }
            thick[y * width + x] = m;
        }
    }
    let (dx, dy) = pen_shift(index);
    let mut out = vec![0u8; width * height];
    for y in 0..height as i32 {
        for x in 0..width as i32 {
            let (sx, sy) = (x - dx, y - dy);
            if (0..width as i32).contains(&sx) && (0..height as i32).contains(&sy) {
                out[(y as usize) * width + x as usize] = thick[sy as usize * width + sx as usize];
            }
        }
    }
    out
}

/// The shift `another_pen` applies to sample `index`.
pub fn pen_shift(index: u64) -> (i32, i32) {
    let mut rng = SeededRng::new(0x9e7 ^ index);
    let span = (PEN_SHIFT_MAX - PEN_SHIFT_MIN + 1) as usize;
    let mut axis = || {
        let magnitude = PEN_SHIFT_MIN + rng.below(span) as i32;
        if rng.below(2) == 0 {
            magnitude
        } else {
            -magnitude
        }
    };
    let dx = axis();
    (dx, axis())
}

/// Applies [`another_pen`] to every image of a greyscale dataset (sample `i` uses index `offset + i`).
pub fn another_pen_dataset(data: &Dataset, offset: u64) -> Dataset {
    let mut out = data.clone();
    let f = data.features();
    for i in 0..data.len() {
        let img = another_pen(data.image(i), data.width, data.height, offset + i as u64);
        out.images[i * f..(i + 1) * f].copy_from_slice(&img);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digits(n: usize) -> Dataset {
        let mut images = vec![0u8; n * 784];
        for (i, img) in images.chunks_exact_mut(784).enumerate() {
            img[14 * 28 + 14] = 200;
            img[(i % 28) * 28 + 3] = 9;
        }
        Dataset {
            name: "t".into(),
            height: 28,
            width: 28,
            channels: 1,
            class_names: (0..10).map(|c| c.to_string()).collect(),
            mean: 0.1,
            std: 0.3,
            images,
            labels: (0..n).map(|i| (i % 10) as u8).collect(),
        }
    }

    #[test]
    fn another_pen_thickens_moves_and_is_deterministic() {
        let mut img = vec![0u8; 784];
        img[14 * 28 + 14] = 255;
        for index in 0..50 {
            let out = another_pen(&img, 28, 28, index);
            assert_eq!(out, another_pen(&img, 28, 28, index));
            let (dx, dy) = pen_shift(index);
            assert!((PEN_SHIFT_MIN..=PEN_SHIFT_MAX).contains(&dx.abs()));
            assert!((PEN_SHIFT_MIN..=PEN_SHIFT_MAX).contains(&dy.abs()));
            // One lit pixel becomes a 3×3 block centred at the moved position.
            assert_eq!(out.iter().filter(|&&p| p == 255).count(), 9);
            let (cx, cy) = ((14 + dx) as usize, (14 + dy) as usize);
            assert_eq!(out[cy * 28 + cx], 255);
        }
        let shifts: std::collections::HashSet<_> = (0..200).map(pen_shift).collect();
        assert!(shifts.len() > 10, "the shifts vary: {shifts:?}");
    }

    #[test]
    fn few_shot_subsets_take_the_first_of_each_class() {
        let d = digits(95);
        let s = per_class_subset(&d, 3);
        assert_eq!(s.len(), 30);
        assert_eq!(s.class_counts(), vec![3; 10]);
        assert_eq!(s.image(0), d.image(0));
        assert_eq!(s.image(10), d.image(10));
        let sel = select_classes(&d, &[7, 2]);
        assert_eq!(sel.class_names, vec!["7", "2"]);
        assert_eq!(
            sel.class_counts(),
            vec![9, 10],
            "95 samples: 9 sevens, 10 twos"
        );
        assert_eq!(
            sel.image(0),
            d.image(2),
            "the first sample of class 2 (now label 1) comes first"
        );
        assert_eq!(sel.labels[0], 1);
        let k = first_classes(&d, 3);
        assert_eq!(k.classes(), 3);
        assert!(k.labels.iter().all(|&l| l < 3));
        assert_eq!(k.len(), 30);
    }

    #[test]
    fn recipe_defaults_are_the_taught_ones_and_bad_ones_fail() {
        let r = FinetuneRecipe::default();
        assert!(r.validate().is_ok());
        assert_eq!(r.optimizer(Phase::Head).lr, 0.001);
        assert_eq!(r.optimizer(Phase::Full).lr, 0.0001);
        assert_eq!(r.optimizer(Phase::Full).momentum, 0.9);
        let bad = FinetuneRecipe {
            new_head: Some(0),
            ..FinetuneRecipe::default()
        };
        assert!(bad.validate().is_err());
        let bad = FinetuneRecipe {
            full_lr: f32::NAN,
            ..FinetuneRecipe::default()
        };
        assert!(bad.validate().is_err());
    }
}
