//! `bench`'s race line: the optimisers' race (`kernels::race`) of seven models on one device (or the CPU
//! engine) against one model alone, in the same run: the summed samples/s of the seven over the one's.
//! The lesson's race is worth running side by side only if that ratio stays near 1 (the goal:
//! at least 0.8).

use std::time::Instant;

use anyhow::Result;
use kernels::dataset::Dataset;
use kernels::race::Race;
use kernels::{Engine, Optimizer, OptimizerConfig};

/// One engine's race measurement.
#[derive(serde::Serialize)]
pub struct RaceRow {
    /// Engine kind.
    pub engine: String,
    /// Rows per step.
    pub batch: usize,
    /// Samples/s of one model trained alone (SGD at its tuned rate).
    pub one_model: f64,
    /// Samples/s summed over the seven optimisers' models racing on one stream.
    pub seven_models: f64,
    /// Samples/s of the same seven models trained one after another (each alone, the same number of
    /// steps): what racing them side by side costs or saves, the heavier rules' updates included.
    pub seven_in_turn: f64,
}

impl RaceRow {
    /// Summed throughput of the race over one model's.
    pub fn ratio(&self) -> f64 {
        self.seven_models / self.one_model
    }
}

/// Samples/s summed over the race's arms: steps of the race for about `seconds` (after a warm-up),
/// each arm's losses read back every 10 steps so the time covers finished work.
async fn samples_per_second<E: Engine>(
    arms: Vec<(OptimizerConfig, E)>,
    train: &Dataset,
    batch: usize,
    seconds: f64,
) -> Result<f64> {
    let n = arms.len();
    let mut race = Race::new(arms, train, None, batch, 7)?;
    for _ in 0..3 {
        race.step()?;
    }
    race.take_losses().await?;
    let t0 = Instant::now();
    let mut steps = 0;
    while t0.elapsed().as_secs_f64() < seconds || steps < 5 {
        for _ in 0..10 {
            race.step()?;
            steps += 1;
        }
        race.take_losses().await?;
    }
    Ok((steps * batch * n) as f64 / t0.elapsed().as_secs_f64())
}

/// One model alone, then the seven tuned optimisers racing, on engines `make` builds (each from the
/// same model): the summed throughput against the single one.
pub async fn measure<E: Engine>(
    mut make: impl FnMut() -> Result<E>,
    train: &Dataset,
    batch: usize,
    seconds: f64,
) -> Result<RaceRow> {
    let one = vec![(Optimizer::Sgd.tuned(), make()?)];
    let kind = one[0].1.info().kind.to_string();
    let one_model = samples_per_second(one, train, batch, seconds).await?;
    let seven = Optimizer::ALL
        .iter()
        .map(|o| Ok((o.tuned(), make()?)))
        .collect::<Result<Vec<_>>>()?;
    let seven_models = samples_per_second(seven, train, batch, seconds).await?;
    // Each alone: the time of a sample of every rule, added up.
    let mut seconds_per_sample = 0.0;
    for o in Optimizer::ALL {
        let alone = vec![(o.tuned(), make()?)];
        seconds_per_sample += 1.0 / samples_per_second(alone, train, batch, seconds / 2.0).await?;
    }
    Ok(RaceRow {
        engine: kind,
        batch,
        one_model,
        seven_models,
        seven_in_turn: Optimizer::ALL.len() as f64 / seconds_per_sample,
    })
}

/// The race lines `bench` prints.
pub fn print(rows: &[RaceRow]) {
    for r in rows {
        println!(
            "race on {:<4} batch {:>4}: 7 models {:>9.0} samples/s summed, one model (SGD) {:>9.0}: {:.2}× \
             (goal ≥ 0.8×); the 7 one after another {:>9.0}: racing {:.2}×",
            r.engine,
            r.batch,
            r.seven_models,
            r.one_model,
            r.ratio(),
            r.seven_in_turn,
            r.seven_models / r.seven_in_turn
        );
    }
}
