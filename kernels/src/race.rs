//! The optimisers' race: several models of one shape, each with its own optimiser, trained from the
//! same initial weights on the *same* stream of minibatches, so that any difference between their
//! curves comes from the update rule alone. Every step draws one batch of rows from one shuffled
//! stream ([`EpochBatches`], epoch after epoch) and hands the same rows to every arm; the arms' work is
//! queued back to back on one device (or one CPU) and read back together, never waiting on each other.
//!
//! An arm whose loss leaves the sane range ([`crate::training::diverged`]) stops there and keeps its
//! divergence on record: the others go on, and the comparison shows it.

use crate::dataset::{Dataset, Split};
use crate::engine::{Engine, Evaluation, OptimizerConfig};
use crate::error::EngineError;
use crate::training::{EpochBatches, diverged};

/// At most this many arms race (the seven named optimisers, [`crate::NAMED`]).
pub const MAX_ARMS: usize = crate::NAMED.len();

/// One model in the race: its optimiser, its engine, where it stands.
pub struct Arm<E: Engine> {
    /// The update rule and its settings.
    pub config: OptimizerConfig,
    /// The engine holding the model and its optimiser state.
    pub engine: E,
    /// The step (from 1) whose loss left the sane range, and that loss; the arm no longer trains.
    pub diverged: Option<(u64, f32)>,
    /// Steps taken whose losses are not read back yet.
    pending: u64,
}

/// Several arms on one batch stream.
pub struct Race<E: Engine> {
    arms: Vec<Arm<E>>,
    samples: usize,
    batch: usize,
    seed: u64,
    epoch: usize,
    batches: EpochBatches,
    next: usize,
    steps: u64,
}

impl<E: Engine> Race<E> {
    /// A race of `arms` (engines already holding the same initial model; the caller makes them),
    /// each trained with its optimiser on `train` in batches of `batch` shuffled by `seed`; `test`
    /// (optional) is what [`Race::evaluate`] measures.
    pub fn new(
        arms: Vec<(OptimizerConfig, E)>,
        train: &Dataset,
        test: Option<&Dataset>,
        batch: usize,
        seed: u64,
    ) -> Result<Self, EngineError> {
        if arms.is_empty() || arms.len() > MAX_ARMS {
            return Err(EngineError::InvalidInput(format!(
                "a race has 1 to {MAX_ARMS} arms (got {})",
                arms.len()
            )));
        }
        if batch == 0 || batch > train.len() {
            return Err(EngineError::InvalidInput(format!(
                "a batch of {batch} rows from {} training images",
                train.len()
            )));
        }
        let mut out = Vec::with_capacity(arms.len());
        for (config, mut engine) in arms {
            config.validate()?;
            if batch > engine.max_rows() {
                return Err(EngineError::InvalidInput(format!(
                    "a batch of {batch} rows on an engine made for {}",
                    engine.max_rows()
                )));
            }
            engine.set_data(Split::Train, train)?;
            if let Some(test) = test {
                engine.set_data(Split::Test, test)?;
            }
            out.push(Arm {
                config,
                engine,
                diverged: None,
                pending: 0,
            });
        }
        Ok(Self {
            arms: out,
            samples: train.len(),
            batch,
            seed,
            epoch: 0,
            batches: EpochBatches::new(train.len(), batch, seed, 0),
            next: 0,
            steps: 0,
        })
    }

    /// The arms, in the order given.
    pub fn arms(&self) -> &[Arm<E>] {
        &self.arms
    }

    /// The arms, to query their engines (a model, a trace) between steps.
    pub fn arms_mut(&mut self) -> &mut [Arm<E>] {
        &mut self.arms
    }

    /// Steps taken by the race (each arm still running took every one of them).
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Rows per step.
    pub fn batch(&self) -> usize {
        self.batch
    }

    /// Epochs begun (the stream reshuffles at each, as a `DataLoader` does).
    pub fn epoch(&self) -> usize {
        self.epoch
    }

    /// The rows of the next step: the stream's next full batch (an epoch's short last batch is
    /// skipped, so every step has the same size).
    fn next_rows(&mut self) -> Vec<u32> {
        if (self.next + 1) * self.batch > self.samples {
            self.epoch += 1;
            self.next = 0;
            self.batches = EpochBatches::new(self.samples, self.batch, self.seed, self.epoch);
        }
        let rows = self.batches.batch(self.next).to_vec();
        self.next += 1;
        rows
    }

    /// One step: the same rows to every arm still running, queued without waiting.
    pub fn step(&mut self) -> Result<(), EngineError> {
        let rows = self.next_rows();
        self.steps += 1;
        for arm in self.arms.iter_mut().filter(|a| a.diverged.is_none()) {
            arm.engine.train_step(&rows, &arm.config)?;
            arm.pending += 1;
        }
        Ok(())
    }

    /// Each arm's losses since the last call (in order; an arm that diverged gets the losses up to and
    /// including the one that did, then none). Reading back waits for the queued work.
    pub async fn take_losses(&mut self) -> Result<Vec<Vec<f32>>, EngineError> {
        let mut all = Vec::with_capacity(self.arms.len());
        for arm in &mut self.arms {
            if arm.pending == 0 {
                all.push(Vec::new());
                continue;
            }
            let first = self.steps + 1 - arm.pending;
            arm.pending = 0;
            let mut losses = arm.engine.take_losses().await?;
            let classes = arm.engine.widths().last().copied().unwrap_or(2);
            if let Some(i) = losses.iter().position(|&l| diverged(l, classes)) {
                arm.diverged = Some((first + i as u64, losses[i]));
                losses.truncate(i + 1);
            }
            all.push(losses);
        }
        Ok(all)
    }

    /// Each arm's evaluation on the test set (the first `limit` images, or all); `None` for an arm
    /// that diverged.
    pub async fn evaluate(
        &mut self,
        limit: Option<usize>,
    ) -> Result<Vec<Option<Evaluation>>, EngineError> {
        let mut out = Vec::with_capacity(self.arms.len());
        for arm in &mut self.arms {
            out.push(match arm.diverged {
                Some(_) => None,
                None => Some(arm.engine.evaluate(limit).await?),
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CpuEngine, Mlp, OptimizerKind};

    fn data(samples: usize) -> Dataset {
        crate::testing::random_dataset(samples, 12, 4, 3)
    }

    fn arms(model: &Mlp, kinds: &[(OptimizerKind, f32)]) -> Vec<(OptimizerConfig, CpuEngine)> {
        kinds
            .iter()
            .map(|&(k, lr)| {
                (
                    OptimizerConfig::pytorch(k, lr),
                    CpuEngine::new(model, 8).unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn every_arm_sees_the_same_rows_and_an_arm_races_as_it_trains_alone() {
        let train = data(50);
        let model = Mlp::new(12, &[6], 4, 9).unwrap();
        let kinds = [
            (OptimizerKind::Sgd, 0.1),
            (OptimizerKind::Adam, 0.01),
            (OptimizerKind::Rmsprop, 0.01),
        ];
        let mut race = Race::new(arms(&model, &kinds), &train, None, 8, 5).unwrap();
        // 50 images in batches of 8: six full batches an epoch, so 20 steps cross three epochs.
        for _ in 0..20 {
            race.step().unwrap();
        }
        let losses = pollster::block_on(race.take_losses()).unwrap();
        assert!(losses.iter().all(|l| l.len() == 20));
        // Same initial weights, same first batch: the first losses agree to the bit.
        assert!(
            losses
                .iter()
                .all(|l| l[0].to_bits() == losses[0][0].to_bits())
        );
        assert!(
            losses[1][1..] != losses[0][1..],
            "the rules differ after step 1"
        );
        assert_eq!(race.epoch(), 3);
        // The Adam arm, trained alone on the same stream, gives the same losses bit for bit.
        let mut alone = Race::new(arms(&model, &kinds[1..2]), &train, None, 8, 5).unwrap();
        for _ in 0..20 {
            alone.step().unwrap();
        }
        let solo = pollster::block_on(alone.take_losses()).unwrap();
        assert_eq!(
            solo[0].iter().map(|l| l.to_bits()).collect::<Vec<_>>(),
            losses[1].iter().map(|l| l.to_bits()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_diverging_arm_stops_and_the_others_go_on() {
        let train = data(40);
        let model = Mlp::new(12, &[6], 4, 2).unwrap();
        let kinds = [(OptimizerKind::Sgd, 0.05), (OptimizerKind::Sgd, 10.0)];
        let mut race = Race::new(arms(&model, &kinds), &train, Some(&train), 8, 1).unwrap();
        for _ in 0..30 {
            race.step().unwrap();
        }
        let losses = pollster::block_on(race.take_losses()).unwrap();
        assert_eq!(losses[0].len(), 30);
        let (step, loss) = race.arms()[1].diverged.expect("lr 10 diverges");
        assert_eq!(losses[1].len() as u64, step);
        assert!(diverged(loss, 4));
        race.step().unwrap();
        let next = pollster::block_on(race.take_losses()).unwrap();
        assert_eq!((next[0].len(), next[1].len()), (1, 0));
        let evals = pollster::block_on(race.evaluate(None)).unwrap();
        assert!(evals[0].is_some() && evals[1].is_none());
    }

    #[test]
    fn bad_races_are_refused() {
        let train = data(20);
        let model = Mlp::new(12, &[6], 4, 2).unwrap();
        let none: Vec<(OptimizerConfig, CpuEngine)> = Vec::new();
        assert!(Race::new(none, &train, None, 8, 1).is_err());
        let eight = [(OptimizerKind::Sgd, 0.1); 8];
        assert!(Race::new(arms(&model, &eight), &train, None, 8, 1).is_err());
        let one = [(OptimizerKind::Sgd, 0.1)];
        assert!(Race::new(arms(&model, &one), &train, None, 9, 1).is_err());
        let bad = [(OptimizerKind::Adam, -1.0)];
        assert!(Race::new(arms(&model, &bad), &train, None, 8, 1).is_err());
    }
}
