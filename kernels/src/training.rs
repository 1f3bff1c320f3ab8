//! The training loop shared by the native trainer, the tests and the app: the seed recipe, seeded
//! shuffling per epoch, and an epoch runner that reads losses back only every few hundred steps.

use crate::engine::{Engine, OptimizerConfig};
use crate::error::EngineError;
use crate::rng::SeededRng;

/// A training recipe.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainConfig {
    /// Hidden layer widths.
    pub hidden: Vec<usize>,
    /// Rows per step.
    pub batch_size: usize,
    /// Passes over the training set.
    pub epochs: usize,
    /// Seed of the initial weights and of the shuffling.
    pub seed: u64,
    /// Optimiser and its hyperparameters.
    pub optimizer: OptimizerConfig,
}

impl Default for TrainConfig {
    /// The seed article's recipe: 784→512→10, batch 64, 10 epochs, SGD lr 0.01 momentum 0.5.
    fn default() -> Self {
        Self {
            hidden: vec![512],
            batch_size: 64,
            epochs: 10,
            seed: 1,
            optimizer: OptimizerConfig::default(),
        }
    }
}

impl TrainConfig {
    /// Rejects recipes that cannot run.
    pub fn validate(&self) -> Result<(), EngineError> {
        self.optimizer.validate()?;
        if self.batch_size == 0 || self.batch_size > 65_536 {
            return Err(EngineError::Hyperparameter(format!(
                "batch size {} must be between 1 and 65,536",
                self.batch_size
            )));
        }
        if self.epochs == 0 || self.epochs > 10_000 {
            return Err(EngineError::Hyperparameter(format!(
                "{} epochs; choose 1 to 10,000",
                self.epochs
            )));
        }
        Ok(())
    }
}

/// The shuffled batches of one epoch (PyTorch's `DataLoader(shuffle=True)`, last batch kept short).
#[derive(Clone, Debug)]
pub struct EpochBatches {
    order: Vec<u32>,
    batch: usize,
    /// Where each lot starts in `order` when lots vary in size (Poisson sampling); `None`: every
    /// batch has `batch` rows but the last.
    starts: Option<Vec<usize>>,
}

impl EpochBatches {
    /// Shuffles `0..samples` with the epoch's generator: epoch `e` of seed `s` is always the same order.
    pub fn new(samples: usize, batch: usize, seed: u64, epoch: usize) -> Self {
        let mut order: Vec<u32> = (0..samples as u32).collect();
        let mut rng = SeededRng::new(
            seed ^ (0x5eed_0000_0000 + epoch as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15),
        );
        rng.shuffle(&mut order);
        Self {
            order,
            batch: batch.max(1),
            starts: None,
        }
    }

    /// DP-SGD's lots as its accountant assumes them (Abadi et al. 2016; Opacus' Poisson sampling):
    /// each of the `round(1/rate)` lots of the epoch takes every sample independently with
    /// probability `rate`, so lots vary in size around `rate · samples` (drawn by geometric skips,
    /// O(lot) per lot). A lot may be empty (probability (1 − rate)^samples).
    pub fn poisson(samples: usize, rate: f64, seed: u64, epoch: usize) -> Self {
        let lots = (1.0 / rate.clamp(1e-9, 1.0)).round().max(1.0) as usize;
        let mut rng = SeededRng::new(
            seed ^ (0x9015_0000_0000 + epoch as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15),
        );
        let log_keep = (1.0 - rate.clamp(0.0, 1.0)).ln();
        let mut order = Vec::new();
        let mut starts = Vec::with_capacity(lots);
        for _ in 0..lots {
            starts.push(order.len());
            if rate >= 1.0 {
                order.extend(0..samples as u32);
                continue;
            }
            // The gap to the next sample taken is geometric: ⌊ln U / ln(1 − rate)⌋.
            let mut next = -1f64;
            loop {
                let u = f64::from(rng.next_f32()).max(f64::MIN_POSITIVE);
                next += (u.ln() / log_keep).floor() + 1.0;
                if next >= samples as f64 {
                    break;
                }
                order.push(next as u32);
            }
        }
        Self {
            order,
            batch: 1,
            starts: Some(starts),
        }
    }

    /// The order a streamed dataset is trained in, whatever the download timing. The first epoch
    /// (`epoch` 0) visits the chunks in the manifest's order, each shuffled on its own (seeded by the
    /// seed, the epoch and the chunk's index), so training can begin as soon as the first chunk is in;
    /// later epochs shuffle the whole training set like [`EpochBatches::new`]. A step whose rows have
    /// not arrived yet waits for them ([`EpochBatches::rows_needed`]), so the same seed always gives the
    /// same batches. `chunks` are the sample counts of the chunks in use, in order.
    pub fn streamed(chunks: &[usize], batch: usize, seed: u64, epoch: usize) -> Self {
        let total: usize = chunks.iter().sum();
        if epoch > 0 || chunks.len() <= 1 {
            return Self::new(total, batch, seed, epoch);
        }
        let mut order = Vec::with_capacity(total);
        let mut start = 0u32;
        for (index, &count) in chunks.iter().enumerate() {
            let mut part: Vec<u32> = (start..start + count as u32).collect();
            let mut rng = SeededRng::new(
                seed ^ (0xc4a2_0000_0000 + index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15),
            );
            rng.shuffle(&mut part);
            order.extend(part);
            start += count as u32;
        }
        Self {
            order,
            batch: batch.max(1),
            starts: None,
        }
    }

    /// How many leading samples must be loaded before step `i` can run: one more than its largest row.
    pub fn rows_needed(&self, i: usize) -> usize {
        self.batch(i).iter().max().map_or(0, |&r| r as usize + 1)
    }

    /// Number of steps.
    pub fn len(&self) -> usize {
        match &self.starts {
            Some(starts) => starts.len(),
            None => self.order.len().div_ceil(self.batch),
        }
    }

    /// True when the epoch has no step.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Rows of step `i`.
    pub fn batch(&self, i: usize) -> &[u32] {
        match &self.starts {
            Some(starts) => {
                let end = starts.get(i + 1).copied().unwrap_or(self.order.len());
                &self.order[starts[i]..end]
            }
            None => {
                let start = i * self.batch;
                &self.order[start..(start + self.batch).min(self.order.len())]
            }
        }
    }
}

/// Whether a step's mean loss says training diverged: not finite, or above 20 · ln K — the loss of a
/// model that gives the true class a probability of K⁻²⁰. At a learning rate of 10 the seed MLP's loss
/// jumps from 0.4 to hundreds or millions within a few steps and stays finite (the softmax is stable),
/// while a working run never comes near the bound (it starts at ln K).
pub fn diverged(loss: f32, classes: usize) -> bool {
    !loss.is_finite() || loss > 20.0 * (classes.max(2) as f32).ln()
}

/// How many steps run between two loss readbacks.
pub const LOSS_READ_INTERVAL: usize = 500;

/// Runs one epoch; `progress(steps_done, steps_total)` is called after every step. Returns the losses
/// of every step, and fails with [`EngineError::Diverged`] as soon as a read-back loss says so
/// ([`diverged`]).
pub async fn run_epoch<E: Engine>(
    engine: &mut E,
    batches: &EpochBatches,
    opt: &OptimizerConfig,
    mut progress: impl FnMut(usize, usize),
) -> Result<Vec<f32>, EngineError> {
    let mut losses = Vec::with_capacity(batches.len());
    let classes = engine.widths().last().copied().unwrap_or(2);
    for i in 0..batches.len() {
        engine.train_step(batches.batch(i), opt)?;
        progress(i + 1, batches.len());
        if (i + 1) % LOSS_READ_INTERVAL == 0 || i + 1 == batches.len() {
            let start = losses.len();
            losses.extend(engine.take_losses().await?);
            if let Some((j, &loss)) = losses[start..]
                .iter()
                .enumerate()
                .find(|(_, l)| diverged(**l, classes))
            {
                return Err(EngineError::Diverged {
                    step: start + j + 1,
                    loss,
                });
            }
        }
    }
    Ok(losses)
}

/// Exponential moving average of a loss curve (`alpha` weight on the newest value): the smoothed
/// curve of the native plots and of the app.
pub fn smooth(values: &[f32], alpha: f32) -> Vec<f32> {
    let mut s = values.first().copied().unwrap_or(0.0);
    values
        .iter()
        .map(|&v| {
            s = alpha * v + (1.0 - alpha) * s;
            s
        })
        .collect()
}

/// Mean of a slice of losses (f64 accumulation).
pub fn mean(values: &[f32]) -> f32 {
    (values.iter().map(|&v| f64::from(v)).sum::<f64>() / values.len().max(1) as f64) as f32
}

/// The chunks' sample counts with the first `n` samples taken out of the front (a held-out split
/// taken from the first chunks): chunks they empty are dropped, the one they cut is shortened. What
/// [`EpochBatches::streamed`] is then given, by the Train lesson and the command-line trainer alike.
pub fn chunks_without_first(chunks: &[usize], n: usize) -> Vec<usize> {
    let mut left = n;
    chunks
        .iter()
        .filter_map(|&c| {
            let taken = c.min(left);
            left -= taken;
            (c > taken).then_some(c - taken)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_lots_take_each_sample_with_the_rate_independently() {
        let (n, q) = (60_000usize, 256.0 / 60_000.0);
        let e = EpochBatches::poisson(n, q, 3, 0);
        assert_eq!(e.len(), 234, "round(1/q) lots per epoch");
        let sizes: Vec<f64> = (0..e.len()).map(|i| e.batch(i).len() as f64).collect();
        let mean = sizes.iter().sum::<f64>() / sizes.len() as f64;
        let var = sizes.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / sizes.len() as f64;
        // Binomial(n, q): mean 256, variance 256·(1 − q) ≈ 255.
        assert!((mean - 256.0).abs() < 3.0, "mean lot {mean}");
        assert!((var / 255.0 - 1.0).abs() < 0.25, "variance {var}");
        for i in 0..e.len() {
            let lot = e.batch(i);
            assert!(lot.windows(2).all(|w| w[0] < w[1]) && lot.iter().all(|&r| (r as usize) < n));
        }
        // Every sample's inclusion frequency over many lots is about q.
        let mut hits = vec![0u32; 1000];
        for epoch in 0..40 {
            let e = EpochBatches::poisson(1000, 0.05, 9, epoch);
            for i in 0..e.len() {
                e.batch(i).iter().for_each(|&r| hits[r as usize] += 1);
            }
        }
        let rate = hits.iter().sum::<u32>() as f64 / (1000.0 * 40.0 * 20.0);
        assert!((rate - 0.05).abs() < 0.002, "{rate}");
        assert_ne!(
            EpochBatches::poisson(1000, 0.05, 9, 0).order,
            EpochBatches::poisson(1000, 0.05, 9, 1).order
        );
    }

    #[test]
    fn batches_cover_every_sample_once_and_are_reproducible() {
        let a = EpochBatches::new(130, 64, 1, 0);
        assert_eq!(a.len(), 3);
        assert_eq!(a.batch(2).len(), 2);
        let mut all: Vec<u32> = (0..a.len()).flat_map(|i| a.batch(i).to_vec()).collect();
        all.sort_unstable();
        assert_eq!(all, (0..130).collect::<Vec<_>>());
        assert_eq!(a.batch(0), EpochBatches::new(130, 64, 1, 0).batch(0));
        assert_ne!(a.batch(0), EpochBatches::new(130, 64, 1, 1).batch(0));
    }

    #[test]
    fn a_streamed_first_epoch_needs_only_the_chunks_before_it() {
        let chunks = [100, 100, 37];
        let a = EpochBatches::streamed(&chunks, 16, 3, 0);
        let mut all: Vec<u32> = (0..a.len()).flat_map(|i| a.batch(i).to_vec()).collect();
        // Every sample once; the first 100 visited are the first chunk's, shuffled.
        assert!(all[..100].iter().all(|&r| r < 100));
        assert_ne!(&all[..100], &(0..100).collect::<Vec<_>>()[..]);
        assert!(all[100..200].iter().all(|&r| (100..200).contains(&r)));
        all.sort_unstable();
        assert_eq!(all, (0..237).collect::<Vec<_>>());
        // Step 0 runs on the first chunk alone; the step straddling 96..112 needs the second.
        assert!(a.rows_needed(0) <= 100);
        assert!(a.rows_needed(6) > 100);
        assert!(a.rows_needed(a.len() - 1) > 200);
        // Reproducible; later epochs are the whole-set shuffle.
        assert_eq!(
            a.batch(3),
            EpochBatches::streamed(&chunks, 16, 3, 0).batch(3)
        );
        assert_eq!(
            EpochBatches::streamed(&chunks, 16, 3, 1).batch(0),
            EpochBatches::new(237, 16, 3, 1).batch(0)
        );
    }

    #[test]
    fn smoothing_follows_a_step_gradually() {
        let s = smooth(&[1.0, 1.0, 0.0, 0.0], 0.5);
        assert_eq!(s, vec![1.0, 1.0, 0.5, 0.25]);
        assert!(smooth(&[], 0.1).is_empty());
    }

    #[test]
    fn absurd_recipes_are_rejected() {
        let mut c = TrainConfig::default();
        assert!(c.validate().is_ok());
        c.optimizer.lr = f32::NAN;
        assert!(c.validate().is_err());
        c = TrainConfig {
            batch_size: 0,
            ..TrainConfig::default()
        };
        assert!(c.validate().is_err());
        c = TrainConfig::default();
        c.optimizer.momentum = 1.5;
        assert!(c.validate().is_err());
    }
}

#[cfg(test)]
mod divergence_tests {
    use super::diverged;

    #[test]
    fn exploding_or_non_finite_losses_count_as_divergence() {
        // ln 10 ≈ 2.3 at the start of training, a few nats at worst in a healthy run.
        for healthy in [std::f32::consts::LN_10, 0.1, 8.5, 17.3] {
            assert!(!diverged(healthy, 10), "{healthy}");
        }
        for bad in [659.1, 1e6, f32::INFINITY, f32::NAN] {
            assert!(diverged(bad, 10), "{bad}");
        }
        // The bound scales with the classes: 20 · ln 2 ≈ 13.9 for two.
        assert!(diverged(15.0, 2) && !diverged(15.0, 10));
    }
}
