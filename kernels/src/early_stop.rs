//! "Train until the loss converges", done properly: a validation split carved from the training images
//! (the test set is never looked at while deciding), and early stopping with patience counted in
//! evaluations, keeping the weights of the best one. The rule is Keras' `EarlyStopping(monitor=
//! "val_loss", patience=p, restore_best_weights=True)` with `min_delta` 0.

use crate::dataset::{Dataset, Split};
use crate::engine::{Engine, OptimizerConfig};
use crate::error::EngineError;
use crate::model::Mlp;
use crate::rng::SeededRng;
use crate::training::EpochBatches;

/// Training and validation rows drawn from one training split, disjoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationSplit {
    /// Rows to train on.
    pub train: Vec<u32>,
    /// Rows to validate on (never trained on).
    pub validation: Vec<u32>,
}

/// Draws `train` + `validation` distinct rows from `0..available` with a seeded shuffle; `None` when
/// fewer rows are available than asked for.
pub fn validation_split(
    available: usize,
    train: usize,
    validation: usize,
    seed: u64,
) -> Option<ValidationSplit> {
    if train + validation > available || train == 0 || validation == 0 {
        return None;
    }
    let mut order: Vec<u32> = (0..available as u32).collect();
    SeededRng::new(seed ^ 0x7a11_da7e).shuffle(&mut order);
    Some(ValidationSplit {
        train: order[..train].to_vec(),
        validation: order[train..train + validation].to_vec(),
    })
}

/// What an evaluation means for the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The best validation loss so far: keep these weights.
    Improved,
    /// Not better; `left` more evaluations without improvement are allowed.
    Wait {
        /// Evaluations left before stopping.
        left: usize,
    },
    /// `patience` evaluations in a row without improvement: stop and restore the best weights.
    Stop,
}

/// Early stopping on the validation loss.
#[derive(Clone, Debug, PartialEq)]
pub struct EarlyStopping {
    patience: usize,
    best: Option<(usize, f32)>,
    since_best: usize,
}

impl EarlyStopping {
    /// Stops after `patience` evaluations (at least 1) without a lower validation loss.
    pub fn new(patience: usize) -> Self {
        Self {
            patience: patience.max(1),
            best: None,
            since_best: 0,
        }
    }

    /// Records evaluation `index`'s validation loss. A loss that is not a number never improves.
    pub fn observe(&mut self, index: usize, validation_loss: f32) -> Verdict {
        let better =
            validation_loss.is_finite() && self.best.is_none_or(|(_, best)| validation_loss < best);
        if better {
            self.best = Some((index, validation_loss));
            self.since_best = 0;
            return Verdict::Improved;
        }
        self.since_best += 1;
        if self.since_best >= self.patience {
            Verdict::Stop
        } else {
            Verdict::Wait {
                left: self.patience - self.since_best,
            }
        }
    }

    /// The best evaluation so far: (index, validation loss).
    pub fn best(&self) -> Option<(usize, f32)> {
        self.best
    }

    /// Patience in evaluations.
    pub fn patience(&self) -> usize {
        self.patience
    }
}

/// The overfitting experiment's settings: a small training set so that the model overfits, a validation
/// set carved from the other training images, and the stopping rule.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OverfitSettings {
    /// Training images (from the training split).
    pub train: usize,
    /// Validation images (from the training split too, disjoint from `train`).
    pub validation: usize,
    /// Evaluations without a lower validation loss before stopping.
    pub patience: usize,
    /// Epochs at most (stops there if patience never runs out).
    pub max_epochs: usize,
    /// Minibatch size.
    pub batch: usize,
    /// The optimiser.
    pub optimizer: OptimizerConfig,
    /// Seed of the split and the shuffling.
    pub seed: u64,
}

impl Default for OverfitSettings {
    fn default() -> Self {
        Self {
            train: 500,
            validation: 1_000,
            patience: 5,
            max_epochs: 100,
            batch: 50,
            optimizer: OptimizerConfig {
                lr: 0.05,
                momentum: 0.5,
                ..OptimizerConfig::default()
            },
            seed: 1,
        }
    }
}

/// The ranges the page accepts: (least, most) training images and patience.
pub const TRAIN_IMAGES: (usize, usize) = (100, 5_000);
/// Patience, in evaluations.
pub const PATIENCE: (usize, usize) = (1, 30);

impl OverfitSettings {
    /// Checks every field against its range, and the optimiser.
    pub fn validate(&self) -> Result<(), EngineError> {
        let within = |v: usize, (lo, hi): (usize, usize), what: &str| {
            if (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(EngineError::InvalidInput(format!(
                    "{what} must be between {lo} and {hi} (got {v})"
                )))
            }
        };
        within(self.train, TRAIN_IMAGES, "training images")?;
        within(self.patience, PATIENCE, "patience")?;
        within(self.validation, (100, 10_000), "validation images")?;
        within(self.max_epochs, (1, 1_000), "epochs")?;
        within(self.batch, (1, 4_096), "batch size")?;
        self.optimizer.validate()
    }
}

/// One evaluation: the model on its training images and on the validation images, after `epoch`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EpochMetrics {
    /// Epochs trained (1-based).
    pub epoch: usize,
    /// Mean cross-entropy on the training images.
    pub train_loss: f32,
    /// Fraction correct on the training images.
    pub train_accuracy: f32,
    /// Mean cross-entropy on the validation images.
    pub validation_loss: f32,
    /// Fraction correct on the validation images.
    pub validation_accuracy: f32,
}

/// How the run ended.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    /// The evaluation with the lowest validation loss, whose weights were restored.
    pub best: EpochMetrics,
    /// The last epoch trained.
    pub stopped_at: usize,
    /// Whether patience ran out (false: `max_epochs` reached first).
    pub stopped_early: bool,
    /// The validation loss and accuracy measured again after restoring the best weights (equal to
    /// `best`'s when the restore worked).
    pub restored_validation: (f32, f32),
    /// Test accuracy and loss, measured once, after restoring.
    pub test: (f32, f32),
    /// Test images measured.
    pub test_images: usize,
}

/// An early-stopping run on an engine of its own, one epoch at a time (the app runs an epoch per burst).
pub struct OverfitRun {
    settings: OverfitSettings,
    stopper: EarlyStopping,
    best_model: Option<Mlp>,
    /// Labels of the evaluation set: the training images', then the validation images'.
    labels: Vec<u8>,
    /// Every evaluation so far.
    pub history: Vec<EpochMetrics>,
    finished: bool,
    /// Patience ran out (rather than the epochs).
    stopped_early: bool,
}

impl OverfitRun {
    /// Carves the split from `training`, gives the engine its training images, and as its evaluation
    /// set the training images followed by the validation images (one evaluation measures both).
    pub fn begin(
        engine: &mut impl Engine,
        training: &Dataset,
        settings: OverfitSettings,
    ) -> Result<Self, EngineError> {
        settings.validate()?;
        let split = validation_split(
            training.len(),
            settings.train,
            settings.validation,
            settings.seed,
        )
        .ok_or_else(|| {
            EngineError::InvalidInput(format!(
                "{} training + {} validation images need {} training images; {} are loaded",
                settings.train,
                settings.validation,
                settings.train + settings.validation,
                training.len()
            ))
        })?;
        let both: Vec<u32> = split
            .train
            .iter()
            .chain(&split.validation)
            .copied()
            .collect();
        engine.set_data(Split::Train, &training.select(&split.train))?;
        let evaluated = training.select(&both);
        engine.set_data(Split::Test, &evaluated)?;
        Ok(Self {
            settings,
            labels: evaluated.labels,
            stopper: EarlyStopping::new(settings.patience),
            best_model: None,
            history: Vec::new(),
            finished: false,
            stopped_early: false,
        })
    }

    /// Whether the run has stopped (patience ran out or the last epoch is done).
    pub fn finished(&self) -> bool {
        self.finished
    }

    /// Measures the training and validation images.
    async fn measure(&self, engine: &mut impl Engine) -> Result<(f32, f32, f32, f32), EngineError> {
        let eval = engine.evaluate(None).await?;
        let n = self.settings.train;
        let part = |range: std::ops::Range<usize>| {
            let count = range.len().max(1) as f64;
            let loss: f64 = eval.losses[range.clone()]
                .iter()
                .map(|&l| f64::from(l))
                .sum();
            let correct = eval.predictions[range.clone()]
                .iter()
                .zip(&self.labels[range])
                .filter(|&(&p, &t)| p == u32::from(t))
                .count();
            ((loss / count) as f32, (correct as f64 / count) as f32)
        };
        let (tl, ta) = part(0..n);
        let (vl, va) = part(n..eval.losses.len());
        Ok((tl, ta, vl, va))
    }

    /// Trains one epoch, evaluates, and applies the stopping rule (keeping the best weights).
    pub async fn epoch(
        &mut self,
        engine: &mut impl Engine,
    ) -> Result<(EpochMetrics, Verdict), EngineError> {
        let epoch = self.history.len() + 1;
        let s = self.settings;
        let batches = EpochBatches::new(s.train, s.batch, s.seed, epoch - 1);
        for i in 0..batches.len() {
            engine.train_step(batches.batch(i), &s.optimizer)?;
        }
        let (train_loss, train_accuracy, validation_loss, validation_accuracy) =
            self.measure(engine).await?;
        let metrics = EpochMetrics {
            epoch,
            train_loss,
            train_accuracy,
            validation_loss,
            validation_accuracy,
        };
        self.history.push(metrics);
        let verdict = self.stopper.observe(epoch, validation_loss);
        if verdict == Verdict::Improved {
            self.best_model = Some(engine.model().await?);
        }
        self.stopped_early = verdict == Verdict::Stop;
        self.finished = self.stopped_early || epoch >= s.max_epochs;
        Ok((metrics, verdict))
    }

    /// Restores the best weights, measures the validation images again, then the test set once.
    pub async fn finish(
        &mut self,
        engine: &mut impl Engine,
        test: &Dataset,
    ) -> Result<Outcome, EngineError> {
        let (Some(model), Some((best_epoch, _))) = (&self.best_model, self.stopper.best()) else {
            return Err(EngineError::InvalidInput(
                "no evaluation had a finite validation loss".into(),
            ));
        };
        let best = self.history[best_epoch - 1];
        let stopped_at = self.history.len();
        engine.set_model(model)?;
        let (_, _, vl, va) = self.measure(engine).await?;
        engine.set_data(Split::Test, test)?;
        let eval = engine.evaluate(None).await?;
        self.finished = true;
        Ok(Outcome {
            best,
            stopped_at,
            stopped_early: self.stopped_early,
            restored_validation: (vl, va),
            test: (eval.accuracy(), eval.loss),
            test_images: eval.total,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_split_is_disjoint_seeded_and_refuses_too_few_rows() {
        let s = validation_split(2_000, 500, 1_000, 7).unwrap();
        assert_eq!((s.train.len(), s.validation.len()), (500, 1_000));
        let mut all: Vec<u32> = s.train.iter().chain(&s.validation).copied().collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 1_500, "no row is in both");
        assert!(all.iter().all(|&r| r < 2_000));
        assert_eq!(s, validation_split(2_000, 500, 1_000, 7).unwrap());
        assert_ne!(s, validation_split(2_000, 500, 1_000, 8).unwrap());
        assert!(validation_split(1_499, 500, 1_000, 7).is_none());
        assert!(validation_split(100, 0, 10, 7).is_none());
    }

    #[test]
    fn patience_counts_evaluations_without_improvement_and_the_best_is_kept() {
        let mut stop = EarlyStopping::new(3);
        let losses = [1.0, 0.8, 0.7, 0.75, 0.7, 0.69, 0.9, f32::NAN, 0.7];
        let verdicts: Vec<Verdict> = losses
            .iter()
            .enumerate()
            .map(|(i, &l)| stop.observe(i, l))
            .collect();
        use Verdict::*;
        assert_eq!(
            verdicts,
            [
                Improved,
                Improved,
                Improved,
                Wait { left: 2 },
                // Equal is not better (min_delta 0, as Keras compares).
                Wait { left: 1 },
                Improved,
                Wait { left: 2 },
                Wait { left: 1 },
                Stop,
            ]
        );
        assert_eq!(stop.best(), Some((5, 0.69)));
        assert_eq!(EarlyStopping::new(0).patience(), 1);
    }
}
