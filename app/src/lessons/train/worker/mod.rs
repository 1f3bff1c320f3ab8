//! "Train a network"'s worker side: loads MNIST in chunks, picks an engine, trains in bursts between
//! the page's messages, and reports. None of this runs on the page's thread, so the page stays
//! responsive and training goes on in background tabs. The jobs are one file each: `session` (a run:
//! steps, reports, evaluations), `engine` (choice, measurement, tuning), `saved` (the run kept in this
//! browser), `queries`, `recovery` (rollback and device loss), `render` (the weight grid).

mod checkpoint;
mod engine;
mod overfit;
mod queries;
mod recovery;
mod render;
mod saved;
mod session;
mod walk;

use std::cell::RefCell;
use std::rc::Rc;

use kernels::dataset::Dataset;
use kernels::engine::fresh_optimizer_state;
use kernels::training::EpochBatches;
use kernels::{
    AnyEngine, Engine, EngineError, EngineKind, Evaluation, Mlp, OptimizerConfig,
    TensorOptimizerState,
};

use self::checkpoint::Checkpoint;
use super::protocol::{
    Command, EngineMeasurement, Event, MessageCode, Protocol, Query, Reply, WorkerMessage,
};
use super::setup::Setup;
use crate::history::LossHistory;
use crate::runtime::QueryError;
use crate::runtime::data::{Loaded, load_streamed};
use crate::runtime::engine::Gpu;
use crate::runtime::{BURST_SECONDS, LessonWorker, Outbox, now, sleep};
use crate::store;
use kernels::engine::Preference;

const DATASET: &str = "static/data/mnist";
/// Rows the engine accepts per dispatch: the largest batch, and the evaluation chunk.
pub const MAX_ROWS: usize = super::setup::MAX_BATCH;
/// How often the weight grid is refreshed while training.
const WEIGHTS_EVERY_SECONDS: f64 = 1.5;

struct Session {
    config: Setup,
    opt: OptimizerConfig,
    engine: AnyEngine,
    /// `loaded.version` last given to the engine.
    data_version: u64,
    /// Training samples loaded (and given to the engine) so far.
    train_len: usize,
    /// Samples per training chunk in use (see [`EpochBatches::streamed`]), the validation images
    /// taken out of the front: the epochs' rows are offset by `validation`.
    train_chunks: Vec<usize>,
    /// The first `validation` training images: never trained on, the dashboard's evaluations.
    validation: usize,
    /// The engine's evaluation split holds the validation images.
    validation_set: bool,
    /// The test set was measured, once, at the end of the run.
    tested: bool,
    step: u64,
    epoch: usize,
    batches: Option<EpochBatches>,
    batch_index: usize,
    running: bool,
    finished: bool,
    /// The next step's rows have not arrived yet.
    waiting: bool,
    last_eval: Option<Evaluation>,
    last_weights: f64,
    /// The last state known to be good (finite losses up to it), for a rollback.
    good: Option<GoodState>,
    /// The loss curve (for checkpoints; the page keeps its own copy).
    history: LossHistory,
    /// The evaluations: (step, accuracy, loss).
    evals: Vec<(u64, f32, f32)>,
    /// A step walked line by line: its rows and the line that runs next.
    walk: Option<(Vec<u32>, crate::lessons::train::protocol::Phase)>,
}

/// Everything a rollback restores: the model, its optimiser state and the position in the epochs.
struct GoodState {
    step: u64,
    epoch: usize,
    batches: Option<EpochBatches>,
    batch_index: usize,
    model: Mlp,
    optimizer: Vec<TensorOptimizerState>,
}

impl Session {
    /// Puts the run back at its last good state — step, epoch, batch order and position — and forgets
    /// the curve after it (a rollback, a resume, a recovery from a lost device); the caller restores
    /// the engine's weights and optimiser state. Returns false when there is no good state.
    fn rewind(&mut self) -> bool {
        let Some(good) = &self.good else {
            return false;
        };
        self.step = good.step;
        self.epoch = good.epoch;
        self.batches = good.batches.clone();
        self.batch_index = good.batch_index;
        self.history.truncate(good.step);
        self.evals.retain(|&(at, _, _)| at <= good.step);
        // A walked step is undone with the rest.
        self.walk = None;
        self.tested = false;
        true
    }
}

impl GoodState {
    /// A model that has not trained yet, at step 0.
    fn fresh(model: &Mlp) -> Self {
        Self {
            step: 0,
            epoch: 1,
            batches: None,
            batch_index: 0,
            optimizer: fresh_optimizer_state(model),
            model: model.clone(),
        }
    }
}

/// The lesson's worker.
pub struct Worker {
    out: Outbox<Protocol>,
    loaded: Rc<RefCell<Loaded>>,
    /// The page's first configuration has started the worker (data loading, engine choice).
    started: bool,
    /// The engine was announced to the page for the session.
    announced: bool,
    gpu: Gpu,
    session: Option<Session>,
    /// Engine chosen at start-up (kept across resets).
    kind: EngineKind,
    note: WorkerMessage,
    measurements: Vec<EngineMeasurement>,
    /// A run saved in this browser, offered to the page until it is resumed, cleared or overtaken.
    offer: Option<Checkpoint>,
    /// Saving failed once (said once; training goes on).
    save_failed: bool,
    /// Both engines are still to be measured (a software WebGPU adapter in auto mode).
    measure_pending: bool,
    /// Steps in the next burst (aimed at [`BURST_SECONDS`]).
    burst: usize,
    /// The overfitting experiment, while it runs (one epoch per burst).
    overfit: Option<overfit::OverfitJob>,
}
impl Worker {
    /// The page's first configuration: starts streaming the data, opens WebGPU, and once the first
    /// chunk is in chooses the engine and begins a session (without forgetting a saved run, which is
    /// offered).
    async fn start(&mut self, config: Setup) {
        self.started = true;
        let loader = self.loaded.clone();
        let out = self.out.clone();
        let (train_limit, test_limit) = (config.train, config.test);
        crate::runtime::spawn_local(async move {
            let progress = |l: &Loaded| {
                out.post(&Event::Data {
                    train_loaded: l.train.as_ref().map_or(0, Dataset::len),
                    train_total: l.train_total,
                    test_loaded: l.test.as_ref().map_or(0, Dataset::len),
                    test_total: l.test_total,
                })
            };
            let loaded = load_streamed(DATASET, loader.clone(), train_limit, test_limit, progress);
            if let Err(message) = loaded.await {
                loader.borrow_mut().failed = true;
                out.say(MessageCode::DataFailed, message);
            }
        });
        self.gpu = Gpu::open(config.engine).await;
        // Training can begin once the first chunk is in.
        while self
            .loaded
            .borrow()
            .train
            .as_ref()
            .is_none_or(Dataset::is_empty)
        {
            // Without a first chunk there is nothing to train; the page shows why.
            if self.loaded.borrow().failed {
                return;
            }
            sleep(0.02).await;
        }
        if config.engine == Preference::Gpu && self.gpu.ctx.is_none() {
            self.out.say(
                MessageCode::GpuMissing,
                self.gpu.problem.clone().unwrap_or_default(),
            );
        }
        self.choose_engine(&config);
        match self.reset(config) {
            Ok(()) => {
                self.announce();
                self.announced = true;
                if let Err(e) = async {
                    self.tune_gemm().await?;
                    self.report(0, None).await?;
                    self.send_weights().await
                }
                .await
                {
                    self.handle_error(e).await;
                }
                self.offer_saved().await;
            }
            Err(message) => self.out.say(MessageCode::EngineFailed, message),
        }
    }

    async fn command(&mut self, msg: Command) -> Result<(), EngineError> {
        // The engine is between two steps for everything but the walk itself.
        if !matches!(msg, Command::WalkPhase) {
            self.finish_walk().await?;
        }
        match msg {
            Command::Reset(config) => {
                // A new run: the saved one is forgotten (a new save replaces it at the first evaluation).
                self.withdraw_offer();
                if let Err(e) = store::delete(checkpoint::KEY).await {
                    crate::runtime::warn(&e.to_string());
                }
                if let Err(e) = self.reset(config) {
                    self.out.say(MessageCode::BadSetting, e);
                    return Ok(());
                }
                // A new batch size or model has new shapes to time (known ones are skipped).
                self.tune_gemm().await?;
                self.report(0, None).await?;
                self.send_weights().await?;
            }
            Command::Start => {
                self.withdraw_offer();
                // One run at a time: the experiment gives way to the dashboard's run.
                self.cancel_overfit();
                if let Some(s) = self.session.as_mut() {
                    s.running = !s.finished;
                }
            }
            Command::Pause => {
                if let Some(s) = self.session.as_mut() {
                    s.running = false;
                }
                if self.session.is_some() {
                    self.report(0, None).await?;
                    // Every loss up to here was read and finite: a good state, saved for a reload.
                    if self.session.as_ref().is_some_and(|s| s.step > 0) {
                        self.keep_good_state().await?;
                    }
                }
            }
            Command::Resume => self.resume().await?,
            Command::Step => {
                self.withdraw_offer();
                if self.session.as_ref().is_some_and(|s| !s.running) {
                    self.sync_data()?;
                    let t0 = now();
                    if self.steps(1)? > 0 {
                        self.after_step(t0).await?;
                    } else {
                        self.report(0, None).await?;
                    }
                }
            }
            Command::WalkPhase => {
                self.withdraw_offer();
                self.walk_phase().await?;
            }
            Command::SetRates { lr, momentum } => {
                if let Some(s) = self.session.as_mut() {
                    let mut next = s.opt;
                    next.lr = lr;
                    if next.momentum > 0.0 || s.config.optimizer == kernels::Optimizer::Momentum {
                        next.momentum = momentum;
                    }
                    match next.validate() {
                        Ok(()) => {
                            s.opt = next;
                            s.config.lr = lr;
                            s.config.momentum = momentum;
                        }
                        Err(e) => self.out.say(MessageCode::BadSetting, e.to_string()),
                    }
                }
            }
            Command::Import { bytes } => self.import(&bytes).await?,
            Command::Overfit { train, patience } => {
                self.withdraw_offer();
                self.begin_overfit(train, patience).await?;
            }
            Command::OverfitCancel => self.cancel_overfit(),
            Command::DebugLoseDevice => {
                if let Some(ctx) = self.gpu.for_kind(self.kind) {
                    ctx.destroy();
                }
            }
            Command::DebugPoison => {
                if let Some(s) = self.session.as_mut() {
                    let mut model = s.engine.model().await?;
                    if let Some(b) = model.layers.last_mut().and_then(|l| l.bias.first_mut()) {
                        *b = f32::NAN;
                    }
                    s.engine.set_model(&model)?;
                }
            }
        }
        Ok(())
    }

    /// One burst of training steps (aimed at [`BURST_SECONDS`]), its report, and the evaluation,
    /// saved state and weight grid when they are due.
    async fn burst(&mut self) -> Result<(), EngineError> {
        let t0 = now();
        let n = self.steps(self.burst)?;
        if n == 0 && self.session.as_ref().is_some_and(|s| s.waiting) {
            sleep(0.05).await;
            return Ok(());
        }
        self.report(n, Some(t0)).await?;
        let elapsed = now() - t0;
        // Aim each burst at BURST_SECONDS so reports stay frequent whatever the engine's speed.
        let per_step = elapsed / n.max(1) as f64;
        self.burst = ((BURST_SECONDS / per_step.max(1e-5)) as usize).clamp(1, 256);
        let s = self.session.as_ref().expect("running implies a session");
        let eval_due = s.step.is_multiple_of(s.config.eval_every as u64) || s.finished;
        let weights_due = now() - s.last_weights > WEIGHTS_EVERY_SECONDS || s.finished;
        if eval_due {
            self.evaluate().await?;
            // `report` above read every loss up to here and found them finite.
            if self
                .session
                .as_ref()
                .is_some_and(|s| s.running || s.finished)
            {
                self.keep_good_state().await?;
            }
        }
        if weights_due {
            self.send_weights().await?;
        }
        Ok(())
    }
}

impl LessonWorker for Worker {
    type Protocol = Protocol;

    fn new(out: Outbox<Protocol>) -> Self {
        Self {
            out,
            loaded: Rc::default(),
            started: false,
            announced: false,
            gpu: Gpu::default(),
            session: None,
            kind: EngineKind::Cpu,
            note: WorkerMessage::new(MessageCode::OnGpu, ""),
            measurements: Vec::new(),
            offer: None,
            save_failed: false,
            measure_pending: false,
            burst: 1,
            overfit: None,
        }
    }

    fn out(&self) -> &Outbox<Protocol> {
        &self.out
    }

    async fn handle(&mut self, command: Command) -> Result<(), EngineError> {
        match command {
            // The page's first configuration starts the worker.
            Command::Reset(config) if !self.started => self.start(config).await,
            // Nothing else means anything before it.
            _ if !self.started => {}
            command => {
                self.command(command).await?;
                if !self.announced && self.session.is_some() {
                    self.announce();
                    self.announced = true;
                }
            }
        }
        Ok(())
    }

    async fn answer(&mut self, query: Query) -> Result<Reply, QueryError> {
        self.finish_walk().await?;
        self.answer_query(query).await
    }

    async fn idle(&mut self) -> Result<bool, EngineError> {
        self.sync_data()?;
        if self.measure_pending && self.session.is_some() {
            // Between two bursts (or while idle): the losses so far have been read.
            if let Err(e) = self.measure_in_background().await {
                self.handle_error(e).await;
            }
            self.announce();
            return Ok(true);
        }
        if self.overfit.is_some() {
            self.overfit_epoch().await;
            return Ok(true);
        }
        if !self.session.as_ref().is_some_and(|s| s.running) {
            return Ok(false);
        }
        self.burst().await?;
        Ok(true)
    }

    fn stop(&mut self) {
        if let Some(s) = self.session.as_mut() {
            s.running = false;
        }
    }

    async fn fail(&mut self, error: EngineError) {
        self.handle_error(error).await;
    }
}
