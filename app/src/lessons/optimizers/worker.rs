//! The optimisers lesson's worker: MNIST's first training chunks and a slice of the test split, a
//! 784-128-10 MLP from the seed, and three jobs on it — minibatch gradients against the full-batch
//! gradient, fc1's step under Adam against the plain gradient step, and the race (`kernels::race`:
//! up to seven models from one initialisation on one batch stream, a burst of steps between two
//! reports, the test accuracy every [`EVAL_EVERY`] steps).

use kernels::Optimizer;
use kernels::dataset::{Dataset, Split};
use kernels::race::Race;
use kernels::training::EpochBatches;
use kernels::{AnyEngine, Engine, EngineError, EngineKind, Mlp, OptimizerConfig};

use super::protocol::{
    BatchNoise, Command, Event, GradNoise, MessageCode, Protocol, Query, RaceArm, RaceTag, Reply,
    StepMap,
};
use crate::runtime::QueryError;
use crate::runtime::engine::{self, Gpu};
use crate::runtime::kept::Journal;
use crate::runtime::{BURST_SECONDS, LessonWorker, Outbox, now};
use kernels::engine::Preference;

/// Hidden units of the lesson's model.
pub const HIDDEN: usize = 128;
/// Rows per race step (the seed recipe's batch).
pub const BATCH: usize = 64;
/// Test images each race evaluation measures.
pub const TEST: usize = 1000;
/// Steps between two evaluations of the race.
pub const EVAL_EVERY: u64 = 50;
/// Longest race.
pub const MAX_STEPS: u32 = 3000;
/// MNIST chunks loaded (5,000 images each): the training images of every job.
const TRAIN_CHUNKS: usize = 2;
/// Rows per engine call when the full-batch gradient is added up chunk by chunk.
const FULL_CHUNK: usize = 1000;
/// Largest minibatch the gradient query takes.
pub const MAX_GRAD_BATCH: usize = 1000;

/// Where the races are kept in this browser (`crate::store`).
const KEY: &str = "optimizers";

struct Running {
    tag: RaceTag,
    race: Race<AnyEngine>,
    steps: u32,
}

/// The worker.
pub struct Worker {
    out: Outbox<Protocol>,
    gpu: Gpu,
    kind: EngineKind,
    seed: u64,
    data: Option<(Dataset, Dataset)>,
    running: Option<Running>,
    /// Every race event shown, kept in this browser for this seed and replayed after a reload.
    journal: Journal<u64, Event>,
}

fn tag_of(e: &Event) -> Option<RaceTag> {
    match e {
        Event::RaceBegun { tag, .. }
        | Event::RaceProgress { tag, .. }
        | Event::RaceDone { tag } => Some(*tag),
        _ => None,
    }
}

/// Every weight and bias of a step's gradients, layer after layer.
fn flat_gradient(trace: &kernels::StepTrace) -> Vec<f32> {
    trace
        .gradients
        .iter()
        .flat_map(|g| {
            g.weight
                .iter()
                .flatten()
                .chain(g.bias.iter().flatten())
                .copied()
        })
        .collect()
}

impl Worker {
    async fn start(&mut self, pref: Preference, seed: u64) {
        self.seed = seed;
        (self.gpu, self.kind) = engine::start(pref, &self.out).await;
        match crate::runtime::data::load_dataset("mnist", TRAIN_CHUNKS).await {
            Ok((train, test)) if train.len() >= MAX_GRAD_BATCH && test.len() >= TEST => {
                let test = test.take(TEST);
                self.out.post(&Event::Data {
                    train: train.len(),
                    test: test.len(),
                    widths: vec![train.features(), HIDDEN, train.classes()],
                });
                self.data = Some((train, test));
                self.journal.set_scope(Some(seed));
                self.journal.resume(&self.out).await;
            }
            Ok(_) => self
                .out
                .say(MessageCode::DataFailed, "too few images in MNIST's chunks"),
            Err(e) => self.out.say(MessageCode::DataFailed, e),
        }
    }

    fn record(&mut self, event: Event) {
        self.journal.record(&self.out, event);
    }

    fn data(&self) -> Result<&(Dataset, Dataset), EngineError> {
        self.data
            .as_ref()
            .ok_or_else(|| EngineError::InvalidInput("the images are still loading".into()))
    }

    /// The lesson's model before any step (every job starts from it).
    fn fresh(&self) -> Result<Mlp, EngineError> {
        let (train, _) = self.data()?;
        Mlp::new(train.features(), &[HIDDEN], train.classes(), self.seed)
            .map_err(|e| EngineError::InvalidInput(e.to_string()))
    }

    fn engine(&self, model: &Mlp, rows: usize) -> Result<AnyEngine, EngineError> {
        AnyEngine::new(self.kind, self.gpu.for_kind(self.kind), model, rows)
    }

    /// A race of `arms`, all from the fresh model, on the lesson's stream.
    fn race(&self, arms: Vec<OptimizerConfig>) -> Result<Race<AnyEngine>, EngineError> {
        let (train, test) = self.data()?;
        let model = self.fresh()?;
        let arms = arms
            .into_iter()
            .map(|c| Ok((c, self.engine(&model, BATCH)?)))
            .collect::<Result<Vec<_>, EngineError>>()?;
        Race::new(arms, train, Some(test), BATCH, self.seed)
    }

    /// The model after `steps` steps of `config` on the lesson's stream, with its optimiser state.
    async fn warmed(
        &self,
        config: OptimizerConfig,
        steps: u32,
    ) -> Result<Race<AnyEngine>, EngineError> {
        let mut race = self.race(vec![config])?;
        for i in 0..steps {
            race.step()?;
            if (i + 1).is_multiple_of(100) || i + 1 == steps {
                race.take_losses().await?;
            }
        }
        if let Some((step, loss)) = race.arms()[0].diverged {
            return Err(EngineError::Diverged {
                step: step as usize,
                loss,
            });
        }
        Ok(race)
    }

    fn begin(&mut self, tag: RaceTag, arms: Vec<RaceArm>, steps: u32) -> Result<(), EngineError> {
        if !(1..=MAX_STEPS).contains(&steps) {
            return Err(EngineError::InvalidInput(format!(
                "a race of 1 to {MAX_STEPS} steps (got {steps})"
            )));
        }
        let race = self.race(arms.iter().map(|a| a.settings).collect())?;
        self.journal.retain(|e| tag_of(e) != Some(tag));
        self.record(Event::RaceBegun {
            tag,
            arms,
            steps,
            batch: BATCH,
            test: TEST,
        });
        self.running = Some(Running { tag, race, steps });
        Ok(())
    }

    /// A burst of race steps, its losses, and (every [`EVAL_EVERY`] steps) the test accuracy.
    async fn burst(&mut self) -> Result<(), EngineError> {
        let Some(mut run) = self.running.take() else {
            return Ok(());
        };
        let started = now();
        let first = run.race.steps();
        // Step 0's accuracy: every arm starts from the same model, so the same accuracy.
        let initial = if first == 0 {
            Some(run.race.evaluate(Some(TEST)).await?)
        } else {
            None
        };
        loop {
            run.race.step()?;
            let s = run.race.steps();
            if s == u64::from(run.steps)
                || s.is_multiple_of(EVAL_EVERY)
                || now() - started > BURST_SECONDS
            {
                break;
            }
        }
        let losses = run.race.take_losses().await?;
        let taken: usize = losses.iter().map(Vec::len).sum();
        let samples_per_s = (taken * run.race.batch()) as f64 / (now() - started).max(1e-6);
        let step = run.race.steps();
        let measured = step.is_multiple_of(EVAL_EVERY) || step == u64::from(run.steps);
        let accuracy = if measured {
            Some(run.race.evaluate(Some(TEST)).await?)
        } else {
            initial
        };
        let tag = run.tag;
        self.record(Event::RaceProgress {
            tag,
            step,
            losses,
            accuracy: accuracy
                .map(|a| a.iter().map(|e| e.as_ref().map(|e| e.accuracy())).collect()),
            diverged: run.race.arms().iter().map(|a| a.diverged).collect(),
            samples_per_s,
        });
        let all_diverged = run.race.arms().iter().all(|a| a.diverged.is_some());
        if step >= u64::from(run.steps) || all_diverged {
            self.record(Event::RaceDone { tag });
            self.journal.save().await;
        } else {
            self.running = Some(run);
        }
        Ok(())
    }

    /// Minibatch gradients of each size against the full-batch gradient of the training images.
    async fn grad_noise(
        &mut self,
        warm_steps: u32,
        batches: Vec<usize>,
        draws: usize,
    ) -> Result<Reply, QueryError> {
        if warm_steps > MAX_STEPS
            || !(1..=32).contains(&draws)
            || batches.is_empty()
            || batches.len() > 8
            || batches.iter().any(|&b| !(1..=MAX_GRAD_BATCH).contains(&b))
        {
            return Err(EngineError::InvalidInput(format!(
                "up to {MAX_STEPS} warm-up steps, 1 to 32 draws, 1 to 8 batch sizes of 1 to {MAX_GRAD_BATCH}"
            )).into());
        }
        let sgd = Optimizer::Sgd.tuned();
        let mut warmed = self.warmed(sgd, warm_steps).await?;
        let model = warmed.arms_mut()[0].engine.model().await?;
        let (train, _) = self.data()?;
        let mut engine = self.engine(&model, FULL_CHUNK.max(MAX_GRAD_BATCH))?;
        engine.set_data(Split::Train, train)?;
        // One gradient of the mean loss over `rows`, and the milliseconds its step took.
        async fn gradient(
            engine: &mut AnyEngine,
            model: &Mlp,
            rows: &[u32],
            opt: &OptimizerConfig,
        ) -> Result<(Vec<f32>, f64), EngineError> {
            engine.set_model(model)?;
            let t = now();
            engine.train_step(rows, opt)?;
            engine.take_losses().await?;
            let ms = (now() - t) * 1e3;
            Ok((flat_gradient(&engine.trace().await?), ms))
        }
        let n = train.len();
        let all: Vec<u32> = (0..n as u32).collect();
        let mut full = Vec::new();
        let mut full_ms = 0.0;
        for rows in all.chunks(FULL_CHUNK) {
            let (g, ms) = gradient(&mut engine, &model, rows, &sgd).await?;
            full_ms += ms;
            let w = rows.len() as f64 / n as f64;
            if full.is_empty() {
                full = vec![0.0f64; g.len()];
            }
            for (f, x) in full.iter_mut().zip(&g) {
                *f += w * f64::from(*x);
            }
        }
        let norm = full.iter().map(|x| x * x).sum::<f64>().sqrt();
        let mut out = Vec::new();
        for (i, &batch) in batches.iter().enumerate() {
            let mut cosines = Vec::with_capacity(draws);
            let mut errors = 0.0;
            let mut ms = 0.0;
            for d in 0..draws {
                let order = EpochBatches::new(n, batch, self.seed ^ 0xb0b, i * 64 + d);
                let (g, t) = gradient(&mut engine, &model, order.batch(0), &sgd).await?;
                ms += t;
                let (mut dot, mut gg, mut diff) = (0.0f64, 0.0f64, 0.0f64);
                for (a, &b) in full.iter().zip(&g) {
                    let b = f64::from(b);
                    dot += a * b;
                    gg += b * b;
                    diff += (b - a) * (b - a);
                }
                cosines.push((dot / (norm * gg.sqrt()).max(f64::MIN_POSITIVE)) as f32);
                errors += diff.sqrt() / norm.max(f64::MIN_POSITIVE);
            }
            let mean = cosines.iter().sum::<f32>() / draws as f32;
            let lo = cosines.iter().copied().fold(f32::INFINITY, f32::min);
            let hi = cosines.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            out.push(BatchNoise {
                batch,
                cosine: (mean, lo, hi),
                relative_error: (errors / draws as f64) as f32,
                ms: ms / draws as f64,
            });
        }
        Ok(Reply::GradNoise(GradNoise {
            warm_steps,
            full_rows: n,
            full_ms,
            draws,
            batches: out,
        }))
    }

    /// fc1's next step under Adam (after `warm_steps` of it) against plain SGD's step at Adam's rate.
    async fn step_map(&mut self, warm_steps: u32) -> Result<Reply, QueryError> {
        if warm_steps > MAX_STEPS {
            return Err(EngineError::InvalidInput(format!(
                "up to {MAX_STEPS} warm-up steps (got {warm_steps})"
            ))
            .into());
        }
        let adam = Optimizer::Adam.tuned();
        let mut race = self.warmed(adam, warm_steps).await?;
        let before = race.arms_mut()[0].engine.model().await?;
        race.step()?;
        race.take_losses().await?;
        let trace = race.arms_mut()[0].engine.trace().await?;
        let (Some(g), Some(after)) = (
            trace.gradients.first().and_then(|g| g.weight.as_ref()),
            trace.model.layers.first(),
        ) else {
            return Err(EngineError::InvalidInput("fc1 has no gradient".into()).into());
        };
        let w0 = &before.layers[0].weight;
        Ok(Reply::StepMap(StepMap {
            warm_steps,
            hidden: before.layers[0].out_features,
            inputs: before.layers[0].in_features,
            lr: adam.lr,
            adam: after
                .weight
                .iter()
                .zip(w0)
                .map(|(a, b)| (a - b).abs())
                .collect(),
            sgd: g.iter().map(|x| (adam.lr * x).abs()).collect(),
        }))
    }
}

impl LessonWorker for Worker {
    type Protocol = Protocol;

    fn new(out: Outbox<Protocol>) -> Self {
        Self {
            out,
            gpu: Gpu::default(),
            kind: EngineKind::Cpu,
            seed: 1,
            data: None,
            running: None,
            journal: Journal::new(KEY),
        }
    }

    fn out(&self) -> &Outbox<Protocol> {
        &self.out
    }

    async fn handle(&mut self, command: Command) -> Result<(), EngineError> {
        match command {
            Command::Start { engine, seed } => self.start(engine, seed).await,
            Command::Race { tag, arms, steps } => {
                self.stop();
                if let Err(e) = self.begin(tag, arms, steps) {
                    self.out.say(MessageCode::BadSetting, e.to_string());
                    self.out.post(&Event::Stopped);
                }
            }
            Command::Stop => self.stop(),
            Command::Forget => {
                self.stop();
                self.journal.forget(&self.out).await;
            }
        }
        Ok(())
    }

    async fn answer(&mut self, query: Query) -> Result<Reply, QueryError> {
        match query {
            Query::GradNoise {
                warm_steps,
                batches,
                draws,
            } => self.grad_noise(warm_steps, batches, draws).await,
            Query::StepMap { warm_steps } => self.step_map(warm_steps).await,
        }
    }

    async fn idle(&mut self) -> Result<bool, EngineError> {
        if self.running.is_none() {
            return Ok(false);
        }
        self.burst().await?;
        Ok(true)
    }

    fn stop(&mut self) {
        if self.running.take().is_some() {
            self.out.post(&Event::Stopped);
        }
    }
}
