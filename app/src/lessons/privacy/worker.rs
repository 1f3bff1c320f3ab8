//! The privacy lesson's worker: MNIST's first chunks (1,000 member images trained on, 1,000 outsider
//! images from the same split never trained on, 2,000 test images), a fresh 784-128-10 model per run,
//! one epoch per burst — plain SGD or DP-SGD (Poisson lots, per-example clipping and noise in the
//! engine) — then each image's loss for the membership test and the per-class test accuracy. A lot
//! query takes one DP-SGD step apart on two engines (without and with noise).

use kernels::dataset::{Dataset, Split};
use kernels::engine::Preference;
use kernels::ops::dp::DpConfig;
use kernels::training::{EpochBatches, run_epoch};
use kernels::{AnyEngine, Engine, EngineError, EngineKind, Mlp, OptimizerConfig};

use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;

use super::math;
use super::protocol::{
    Answers, Arm, ArmResult, Command, DpSettings, Event, LotAnatomy, MessageCode, Protocol, Query,
    Reply,
};
use crate::runtime::engine::{self, Gpu};
use crate::runtime::kept::Journal;
use crate::runtime::{LessonWorker, Outbox, QueryError, refuse};

/// Images of each role.
pub const MEMBERS: usize = 1000;
/// Outsiders: training images never trained on.
pub const OUTSIDERS: usize = 1000;
/// Test images.
pub const TEST: usize = 2000;
/// Hidden units.
pub const HIDDEN: usize = 128;
/// Both arms' optimiser: the same for a fair comparison.
pub const OPTIMIZER: OptimizerConfig = OptimizerConfig {
    kind: kernels::OptimizerKind::Sgd,
    lr: 0.1,
    momentum: 0.5,
    beta1: 0.9,
    beta2: 0.999,
    eps: 1e-8,
    weight_decay: 0.0,
};
/// Rows the engines take: a Poisson lot of at most 500 expected, with room above it.
const MAX_ROWS: usize = 1000;

struct Data {
    members: Dataset,
    outsiders: Dataset,
    test: Dataset,
}

struct Run {
    arm: Arm,
    tag: u32,
    dp: DpSettings,
    epochs: usize,
    epoch: usize,
    steps: u64,
    engine: AnyEngine,
}

/// Where the runs are kept in this browser (`crate::store`).
const KEY: &str = "privacy";

/// What the runs are kept with: the last model trained (the lot query's) and the student's answers to
/// "Check yourself".
#[derive(Default, Serialize, Deserialize)]
struct Extra {
    model: Option<ByteBuf>,
    answers: Answers,
}

/// The worker.
pub struct Worker {
    out: Outbox<Protocol>,
    gpu: Gpu,
    kind: EngineKind,
    seed: u64,
    data: Option<Data>,
    run: Option<Run>,
    /// The last model trained (the lot query takes its step apart).
    last: Option<Mlp>,
    /// Runs waiting their turn (a sweep), in order.
    queue: std::collections::VecDeque<(DpSettings, usize, u32)>,
    /// Every progress and result event of the runs shown, kept in this browser for this seed and
    /// these member images, and replayed after a reload.
    journal: Journal<(u64, usize), Event, Extra>,
    /// The student's answers, kept with the runs.
    answers: Answers,
}

impl Worker {
    async fn start(&mut self, pref: Preference, seed: u64, members: usize) {
        self.seed = seed;
        (self.gpu, self.kind) = engine::start(pref, &self.out).await;
        // The lesson's small set (the first chunk), or the full-MNIST mode (`members=` above the
        // small set): members from the training split, outsiders from the test split, every test image.
        let full = members > MEMBERS;
        // MNIST's chunks hold 5,000 images (the test split has two).
        let chunks = if full { members.div_ceil(5000) } else { 1 };
        match crate::runtime::data::load_dataset("mnist", chunks).await {
            Ok((train, test))
                if !full && train.len() >= MEMBERS + OUTSIDERS && test.len() >= TEST =>
            {
                let rows =
                    |from: usize, n: usize| (from as u32..(from + n) as u32).collect::<Vec<_>>();
                self.install(Data {
                    members: train.select(&rows(0, MEMBERS)),
                    outsiders: train.select(&rows(MEMBERS, OUTSIDERS)),
                    test: test.take(TEST),
                })
                .await;
            }
            Ok((train, test)) if full && train.len() >= members && test.len() >= OUTSIDERS => {
                self.install(Data {
                    members: train.take(members),
                    outsiders: test.take(OUTSIDERS),
                    test,
                })
                .await;
            }
            Ok(_) => self.out.say(
                MessageCode::DataFailed,
                "too few images in the dataset's chunks",
            ),
            Err(e) => self.out.say(MessageCode::DataFailed, e),
        }
    }

    async fn install(&mut self, data: Data) {
        self.out.post(&Event::Data {
            members: data.members.len(),
            outsiders: data.outsiders.len(),
            test: data.test.len(),
        });
        self.data = Some(data);
        self.resume().await;
    }

    /// Replays the answers and the runs kept in this browser for this seed and these members, if any.
    async fn resume(&mut self) {
        self.journal.set_scope(Some((self.seed, self.members())));
        if let Some(kept) = self.journal.load().await {
            if kept.answers != Answers::default() {
                self.answers = kept.answers;
                self.out.post(&Event::Answers(kept.answers));
            }
            self.last = kept
                .model
                .as_ref()
                .and_then(|b| Mlp::from_safetensors(b).ok());
        }
        self.journal.replay(&self.out);
    }

    /// Keeps the runs shown (after each result) with the last model and the answers.
    async fn keep(&self) {
        let extra = Extra {
            model: self
                .last
                .as_ref()
                .and_then(|m| m.to_safetensors().ok())
                .map(ByteBuf::from),
            answers: self.answers,
        };
        self.journal.save_with(&extra).await;
    }

    /// Records an event of the runs shown and sends it.
    fn record(&mut self, event: Event) {
        self.journal.record(&self.out, event);
    }

    /// Member images: the small set's, or the full-MNIST mode's.
    fn members(&self) -> usize {
        self.data.as_ref().map_or(MEMBERS, |d| d.members.len())
    }

    fn engine(&self, model: &Mlp) -> Result<AnyEngine, EngineError> {
        AnyEngine::new(self.kind, self.gpu.for_kind(self.kind), model, MAX_ROWS)
    }

    fn fresh(&self) -> Result<Mlp, EngineError> {
        Mlp::new(784, &[HIDDEN], 10, self.seed)
            .map_err(|e| EngineError::InvalidInput(e.to_string()))
    }

    fn dp_config(&self, dp: DpSettings) -> DpConfig {
        DpConfig {
            clip: dp.clip,
            noise: dp.noise,
            expected_lot: dp.lot as f32,
            seed: self.seed as u32,
        }
    }

    fn begin(
        &mut self,
        arm: Arm,
        dp: DpSettings,
        epochs: usize,
        tag: u32,
    ) -> Result<(), EngineError> {
        let Some(data) = &self.data else {
            self.out
                .say(MessageCode::NotReady, "the images are still loading");
            self.out.post(&Event::Stopped);
            return Ok(());
        };
        super::check_settings(dp, epochs).map_err(EngineError::Hyperparameter)?;
        let mut engine = self.engine(&self.fresh()?)?;
        engine.set_data(Split::Train, &data.members)?;
        engine.set_data(Split::Test, &data.test)?;
        if arm == Arm::Private {
            engine.set_privacy(Some(self.dp_config(dp)))?;
        }
        // A new run replaces the figures of the one it repeats (an arm, or the whole sweep).
        self.journal.retain(|e| {
            let (a, t) = match e {
                Event::Progress { arm, tag, .. } => (*arm, *tag),
                Event::Result(r) => (r.arm, r.tag),
                _ => return true,
            };
            if tag == 0 {
                !(t == 0 && a == arm)
            } else {
                t == 0 || tag != 1
            }
        });
        self.run = Some(Run {
            arm,
            tag,
            dp,
            epochs,
            epoch: 0,
            steps: 0,
            engine,
        });
        Ok(())
    }

    /// One epoch of the run; at its end, the measurements.
    async fn epoch(&mut self) -> Result<(), EngineError> {
        let Some(mut run) = self.run.take() else {
            return Ok(());
        };
        let n = self.members();
        let batches = match run.arm {
            Arm::Private => {
                EpochBatches::poisson(n, run.dp.lot as f64 / n as f64, self.seed, run.epoch)
            }
            Arm::Plain => EpochBatches::new(n, run.dp.lot, self.seed, run.epoch),
        };
        if (0..batches.len()).any(|i| batches.batch(i).is_empty()) {
            return Err(EngineError::InvalidInput(
                "an empty Poisson lot (take a larger lot)".into(),
            ));
        }
        let losses = run_epoch(&mut run.engine, &batches, &OPTIMIZER, |_, _| {}).await?;
        run.epoch += 1;
        run.steps += batches.len() as u64;
        let epsilon = (run.arm == Arm::Private)
            .then(|| math::epsilon(run.dp.lot, n, run.dp.noise, run.steps))
            .flatten();
        let eval = run.engine.evaluate(None).await?;
        self.record(Event::Progress {
            arm: run.arm,
            tag: run.tag,
            epoch: run.epoch,
            epochs: run.epochs,
            steps: run.steps,
            epsilon,
            test_accuracy: eval.accuracy(),
            loss: kernels::training::mean(&losses),
        });
        if run.epoch < run.epochs {
            self.run = Some(run);
            return Ok(());
        }
        let result = self.measure(&mut run, epsilon).await?;
        if run.tag == 0 {
            self.last = Some(run.engine.model().await?);
        }
        self.record(Event::Result(result));
        self.keep().await;
        if let Some((dp, epochs, tag)) = self.queue.pop_front() {
            self.begin(Arm::Private, dp, epochs, tag)?;
        }
        Ok(())
    }

    /// Each member's and outsider's loss, the membership test, and the test accuracy per class.
    async fn measure(&self, run: &mut Run, epsilon: Option<f64>) -> Result<ArmResult, EngineError> {
        let data = self.data.as_ref().expect("a run implies data");
        let e = &mut run.engine;
        e.set_data(Split::Test, &data.members)?;
        let members = e.evaluate(None).await?;
        e.set_data(Split::Test, &data.outsiders)?;
        let outsiders = e.evaluate(None).await?;
        e.set_data(Split::Test, &data.test)?;
        let test = e.evaluate(None).await?;
        let cm = test.confusion_matrix(&data.test.labels, 10);
        let class_accuracy = cm
            .iter()
            .enumerate()
            .map(|(c, row)| row[c] as f32 / row.iter().sum::<usize>().max(1) as f32)
            .collect();
        Ok(ArmResult {
            arm: run.arm,
            tag: run.tag,
            dp: run.dp,
            epochs: run.epochs,
            steps: run.steps,
            epsilon,
            member_accuracy: members.accuracy(),
            test_accuracy: test.accuracy(),
            class_accuracy,
            membership: math::held_out(&members.losses, &outsiders.losses),
            floor: math::no_leak_floor(&members.losses, &outsiders.losses, self.seed),
            class_counts: (0..10)
                .map(|c| {
                    data.test
                        .labels
                        .iter()
                        .filter(|&&l| l as usize == c)
                        .count()
                })
                .collect(),
            member_losses: members.losses,
            outsider_losses: outsiders.losses,
        })
    }

    /// One DP-SGD step on one Poisson lot, without and with noise, on the last trained model.
    async fn lot(&mut self, dp: DpSettings, draw: u64) -> Result<Reply, QueryError> {
        let Some(data) = &self.data else {
            return Err(refuse(MessageCode::NotReady, ""));
        };
        super::check_settings(dp, 1).map_err(EngineError::Hyperparameter)?;
        let trained = self.last.is_some();
        let model = match &self.last {
            Some(m) => m.clone(),
            None => self.fresh()?,
        };
        let n = self.members();
        let q = dp.lot as f64 / n as f64;
        let lots = EpochBatches::poisson(n, q, self.seed ^ (draw + 1).wrapping_mul(0x9e37), 0);
        let Some(rows) = (0..lots.len())
            .map(|i| lots.batch(i))
            .find(|b| !b.is_empty())
        else {
            return Err(EngineError::InvalidInput("every lot drawn was empty".into()).into());
        };
        let mut grads = Vec::new();
        let mut norms = Vec::new();
        for noise in [0.0, dp.noise] {
            let mut e = self.engine(&model)?;
            e.set_data(Split::Train, &data.members)?;
            e.set_privacy(Some(DpConfig {
                noise,
                ..self.dp_config(dp)
            }))?;
            e.train_step(rows, &OPTIMIZER)?;
            let trace = e.trace().await?;
            norms = trace.example_norms.clone();
            grads.push(
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
                    .collect::<Vec<f32>>(),
            );
        }
        let l2 = |v: &mut dyn Iterator<Item = f32>| {
            v.map(|x| f64::from(x) * f64::from(x)).sum::<f64>().sqrt() as f32
        };
        let lot = dp.lot as f32;
        Ok(Reply::Lot(LotAnatomy {
            rows: rows.len(),
            norms,
            sum_norm: l2(&mut grads[0].iter().map(|g| g * lot)),
            noise_norm: l2(&mut grads[1].iter().zip(&grads[0]).map(|(b, a)| (b - a) * lot)),
            parameters: grads[0].len(),
            update_norm: OPTIMIZER.lr * l2(&mut grads[1].iter().copied()),
            trained,
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
            run: None,
            last: None,
            queue: std::collections::VecDeque::new(),
            journal: Journal::new(KEY),
            answers: Answers::default(),
        }
    }

    fn out(&self) -> &Outbox<Protocol> {
        &self.out
    }

    async fn handle(&mut self, command: Command) -> Result<(), EngineError> {
        match command {
            Command::Start {
                engine,
                seed,
                members,
            } => self.start(engine, seed, members).await,
            Command::Train { arm, dp, epochs } => {
                self.queue.clear();
                if let Err(e) = self.begin(arm, dp, epochs, 0) {
                    self.out.say(MessageCode::BadSetting, e.to_string());
                    self.out.post(&Event::Stopped);
                }
            }
            Command::Sweep { runs, epochs } => {
                self.queue = runs
                    .into_iter()
                    .map(|(dp, tag)| (dp, epochs, tag))
                    .collect();
                if let Some((dp, epochs, tag)) = self.queue.pop_front()
                    && let Err(e) = self.begin(Arm::Private, dp, epochs, tag)
                {
                    self.queue.clear();
                    self.out.say(MessageCode::BadSetting, e.to_string());
                    self.out.post(&Event::Stopped);
                }
            }
            Command::Stop => self.stop(),
            Command::Answers(answers) => {
                self.answers = answers;
                self.keep().await;
            }
            Command::Forget => {
                self.stop();
                self.last = None;
                self.answers = Answers::default();
                self.journal.forget(&self.out).await;
            }
        }
        Ok(())
    }

    async fn answer(&mut self, query: Query) -> Result<Reply, QueryError> {
        match query {
            Query::Lot { dp, draw } => self.lot(dp, draw).await,
        }
    }

    async fn idle(&mut self) -> Result<bool, EngineError> {
        if self.run.is_none() {
            return Ok(false);
        }
        self.epoch().await?;
        Ok(true)
    }

    fn stop(&mut self) {
        self.queue.clear();
        if self.run.take().is_some() {
            self.out.post(&Event::Stopped);
        }
    }
}
