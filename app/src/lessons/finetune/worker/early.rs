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

    /// Runs a future of the CPU engine (ready at once) to completion.
    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        let mut f = std::pin::pin!(f);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        loop {
            if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
        }
    }

    fn noise(n: usize, seed: u64) -> Dataset {
        let mut rng = SeededRng::new(seed);
        let mut d = dataset((0..n).map(|_| rng.below(3) as u8).collect());
        (d.height, d.width) = (4, 4);
        d.images = (0..n * 16).map(|_| rng.below(256) as u8).collect();
        (d.mean, d.std) = (0.5, 0.3);
        d
    }

    #[test]
    fn a_phase_stops_once_patience_runs_out_and_keeps_its_best_epochs_weights() {
        use kernels::training::EpochBatches;
        // Random labels: the training examples are memorised and the validation loss soon turns up.
        let (train, held_out) = (noise(60, 1), noise(40, 2));
        let model = Mlp::new(16, &[32], 3, 1).unwrap();
        let mut engine = AnyEngine::gpu_or_cpu(None, &model, 64).unwrap();
        engine.set_splits(&train, &held_out).unwrap();
        let mut early = EarlyRun::begin(&mut engine, &train, 1, 3).unwrap().unwrap();
        let carved = (early.train_len(), early.validation.len());
        assert_eq!(carved.0 + carved.1, 60);
        assert!(carved.1 >= 11, "one in five of each class: {carved:?}");
        let opt = kernels::OptimizerConfig {
            lr: 0.5,
            momentum: 0.9,
            ..Default::default()
        };
        let mut accuracy = Vec::new();
        let mut epoch = 0;
        while epoch < 200 {
            let batches = EpochBatches::new(early.train_len(), 8, 1, epoch);
            for i in 0..batches.len() {
                engine.train_step(batches.batch(i), &opt).unwrap();
            }
            epoch += 1;
            accuracy.push(block_on(engine.evaluate(None)).unwrap().accuracy());
            let (_, verdict) = block_on(early.observe(&mut engine, &held_out, epoch)).unwrap();
            if verdict == Verdict::Stop {
                break;
            }
        }
        let info = early
            .finish(&mut engine, &train, PhaseKind::Head, 200, epoch)
            .unwrap();
        assert!(info.early && info.stopped_at < 200, "{info:?}");
        assert_eq!(info.stopped_at - info.best_epoch, 3, "{info:?}");
        assert_eq!((info.train, info.validation), carved);
        // The best epoch's weights are back: the held-out accuracy is that epoch's, bit for bit.
        let restored = block_on(engine.evaluate(None)).unwrap().accuracy();
        assert_eq!(restored, accuracy[info.best_epoch - 1]);
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
        assert_eq!(
            all,
            (0..17).collect::<Vec<u32>>(),
            "disjoint, and every row is used"
        );
        assert_eq!(carve(&d, 1), Some((train, validation)), "seeded");
        assert_ne!(carve(&d, 1).unwrap().1, carve(&d, 2).unwrap().1);
        // A class with one example has nothing to spare for validation.
        assert_eq!(carve(&dataset(vec![0, 0, 1]), 1), None);
    }
}
