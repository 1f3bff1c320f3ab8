//! The article's "until it converges" (§3.2 step 6) for one phase: early stopping with
//! `kernels::early_stop`'s rule on a validation split carved from the training examples, never from
//! the held-out examples the verdict uses. The phase trains on the rest, measures the validation loss
//! after every epoch, stops once it has not fallen for `patience` epochs, and keeps the weights of its
//! best epoch.

use kernels::dataset::{Dataset, Split};
use kernels::early_stop::{EarlyStopping, Verdict};
use kernels::rng::SeededRng;
use kernels::{AnyEngine, Engine, EngineError, Mlp};

use crate::lessons::finetune::protocol::{PhaseKind, StopInfo};

/// One validation example in this many of each class (at least one per class).
pub const VALIDATION_EVERY: usize = 5;

/// Training and validation rows of `train`, carved per class with a seeded shuffle: one in
/// [`VALIDATION_EVERY`] of each class (at least one) goes to validation, so every class keeps examples
/// to train on. `None` when a class has fewer than 2 examples.
pub fn carve(train: &Dataset, seed: u64) -> Option<(Vec<u32>, Vec<u32>)> {
    let mut rng = SeededRng::new(seed ^ 0x5eed_da7a);
    let (mut keep, mut validation) = (Vec::new(), Vec::new());
    for c in 0..train.classes() {
        let mut rows: Vec<u32> = (0..train.len() as u32)
            .filter(|&i| usize::from(train.labels[i as usize]) == c)
            .collect();
        match rows.len() {
            0 => continue,
            1 => return None,
            n => {
                rng.shuffle(&mut rows);
                let v = (n / VALIDATION_EVERY).max(1);
                validation.extend_from_slice(&rows[..v]);
                keep.extend_from_slice(&rows[v..]);
            }
        }
    }
    keep.sort_unstable();
    validation.sort_unstable();
    (!validation.is_empty()).then_some((keep, validation))
}

/// A phase's early stopping in progress.
pub(super) struct EarlyRun {
    stopper: EarlyStopping,
    best: Option<Mlp>,
    validation: Dataset,
    train: usize,
}

impl EarlyRun {
    /// Carves the split from `train` and gives `engine` the rows it trains on; `None` when a class has
    /// too few examples.
    pub fn begin(
        engine: &mut AnyEngine,
        train: &Dataset,
        seed: u64,
        patience: usize,
    ) -> Result<Option<Self>, EngineError> {
        let Some((rows, validation)) = carve(train, seed) else {
            return Ok(None);
        };
        engine.set_data(Split::Train, &train.select(&rows))?;
        Ok(Some(Self {
            stopper: EarlyStopping::new(patience),
            best: None,
            validation: train.select(&validation),
            train: rows.len(),
        }))
    }

    /// Patience, in epochs.
    pub fn patience(&self) -> usize {
        self.stopper.patience()
    }

    /// Examples the phase trains on.
    pub fn train_len(&self) -> usize {
        self.train
    }

    /// After epoch `epoch`: the validation loss (the engine's test split is swapped for the
    /// validation examples and back), the rule's verdict, and the best weights kept.
    pub async fn observe(
        &mut self,
        engine: &mut AnyEngine,
        held_out: &Dataset,
        epoch: usize,
    ) -> Result<(f32, Verdict), EngineError> {
        engine.set_data(Split::Test, &self.validation)?;
        let loss = engine.evaluate(None).await?.loss;
        engine.set_data(Split::Test, held_out)?;
        let verdict = self.stopper.observe(epoch, loss);
        if verdict == Verdict::Improved {
            self.best = Some(engine.model().await?);
        }
        Ok((loss, verdict))
    }

    /// Ends the phase: the best epoch's weights back into `engine`, which trains on every training
    /// example again; what the page is told.
    pub fn finish(
        self,
        engine: &mut AnyEngine,
        train: &Dataset,
        phase: PhaseKind,
        epochs: usize,
        stopped_at: usize,
    ) -> Result<StopInfo, EngineError> {
        if let Some(best) = &self.best {
            engine.set_model(best)?;
        }
        engine.set_data(Split::Train, train)?;
        let (best_epoch, best_loss) = self.stopper.best().unwrap_or((0, f32::NAN));
        Ok(StopInfo {
            phase,
            patience: self.stopper.patience(),
            epochs,
            stopped_at,
            best_epoch,
            best_loss,
            early: stopped_at < epochs,
            train: self.train,
            validation: self.validation.len(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dataset(labels: Vec<u8>) -> Dataset {
        Dataset {
            name: "t".into(),
            height: 1,
            width: 1,
            channels: 1,
            class_names: (0..3).map(|c| c.to_string()).collect(),
            mean: 0.0,
            std: 1.0,
            images: vec![0; labels.len()],
            labels,
        }
    }

    #[test]
    fn the_validation_split_takes_one_in_five_of_every_class_and_leaves_each_class_examples_to_train_on()
     {
        // 5 of class 0, 10 of class 1, 2 of class 2.
        let labels: Vec<u8> = [vec![0; 5], vec![1; 10], vec![2; 2]].concat();
        let d = dataset(labels.clone());
        let (train, validation) = carve(&d, 1).unwrap();
        let count = |rows: &[u32], c: u8| rows.iter().filter(|&&r| labels[r as usize] == c).count();
        assert_eq!(
            [0, 1, 2].map(|c| (count(&train, c), count(&validation, c))),
            [(4, 1), (8, 2), (1, 1)]
        );
        let mut all: Vec<u32> = train.iter().chain(&validation).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..17).collect::<Vec<u32>>(), "disjoint, and every row is used");
        assert_eq!(carve(&d, 1), Some((train, validation)), "seeded");
        assert_ne!(carve(&d, 1).unwrap().1, carve(&d, 2).unwrap().1);
        // A class with one example has nothing to spare for validation.
        assert_eq!(carve(&dataset(vec![0, 0, 1]), 1), None);
    }
}
