//! The "Train a network" lesson's Web Worker: loads the dataset in chunks, picks an engine, trains, and
//! reports. The page stays responsive because none of this runs on its thread, and training goes on in
//! background tabs.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

#[cfg(feature = "burn")]
use kernels::GpuEngine;
use kernels::dataset::{Dataset, Manifest, Split, decode_chunk};
use kernels::engine::{StepShape, fresh_optimizer_state};
use kernels::training::EpochBatches;
use kernels::{
    AdapterOptions, Engine, EngineError, Evaluation, GpuContext, Mlp, OptimizerConfig,
    TensorOptimizerState,
};
use serde_bytes::ByteBuf;

use super::checkpoint::{self, Checkpoint, Origin, Position};
use super::{Active, browser_adapter_label, fetch_bytes, now, sleep};
use crate::config::LessonConfig;
use crate::history::{LossHistory, push_bounded};
use crate::lessons::train::protocol::{
    CellImages, EngineMeasurement, GemmChoice, MessageCode, TrEvent, TrQuery, TrReply, TrToWorker,
    WorkerMessage,
};
use crate::protocol::EnginePreference;
use crate::store;
use crate::with_engine;

const DATASET: &str = "static/data/mnist";
/// Rows the engine accepts per dispatch: the largest batch, and the evaluation chunk.
const MAX_ROWS: usize = 1024;
/// Target time of one burst of steps between two reports.
const BURST_SECONDS: f64 = 0.1;
/// How often the weight grid is refreshed while training.
const WEIGHTS_EVERY_SECONDS: f64 = 1.5;

fn post(msg: &TrEvent) {
    super::post(msg)
}

/// The data loaded so far (shared between the loader task and the training loop).
#[derive(Default)]
struct Loaded {
    manifest: Option<Manifest>,
    train: Option<Dataset>,
    test: Option<Dataset>,
    train_total: usize,
    test_total: usize,
    /// Samples of each training chunk in use, in the order they arrive (the last one cut to the limit):
    /// the streamed first epoch's order is built from them.
    train_chunks: Vec<usize>,
    /// Bumped whenever a chunk arrives.
    version: u64,
    /// Loading gave up (after the retries); the message is on the page.
    failed: bool,
}

/// Streams chunks: the first training chunk first (training can start), then the first test chunk
/// (evaluation can start), then the rest of each split, up to the configured limits.
async fn load_data(
    loaded: Rc<RefCell<Loaded>>,
    train_limit: usize,
    test_limit: usize,
) -> Result<(), String> {
    let text = fetch_bytes(&format!("{DATASET}/manifest.json")).await?;
    let manifest =
        Manifest::from_json(&String::from_utf8_lossy(&text)).map_err(|e| e.to_string())?;
    let take = |info: &kernels::dataset::SplitInfo, limit: usize| {
        let mut n = 0;
        info.chunks
            .iter()
            .take_while(|c| {
                let keep = n < limit;
                n += c.count;
                keep
            })
            .cloned()
            .collect::<Vec<_>>()
    };
    let train_chunks = take(&manifest.train, train_limit);
    let test_chunks = take(&manifest.test, test_limit);
    {
        let mut l = loaded.borrow_mut();
        l.train_total = manifest.train.count.min(train_limit);
        let mut left = l.train_total;
        l.train_chunks = train_chunks
            .iter()
            .map(|c| {
                let n = c.count.min(left);
                left -= n;
                n
            })
            .collect();
        l.test_total = manifest.test.count.min(test_limit);
        l.train = Some(manifest.empty_dataset());
        l.test = Some(manifest.empty_dataset());
        l.manifest = Some(manifest.clone());
    }
    let mut order: Vec<(Split, kernels::dataset::ChunkInfo)> = Vec::new();
    let (mut tr, mut te) = (train_chunks.into_iter(), test_chunks.into_iter());
    order.extend(tr.next().map(|c| (Split::Train, c)));
    order.extend(te.next().map(|c| (Split::Test, c)));
    order.extend(tr.map(|c| (Split::Train, c)));
    order.extend(te.map(|c| (Split::Test, c)));
    for (split, info) in order {
        let bytes = fetch_bytes(&format!("{DATASET}/{}", info.file)).await?;
        let chunk =
            decode_chunk(&info, &bytes, manifest.classes.len()).map_err(|e| e.to_string())?;
        let mut l = loaded.borrow_mut();
        let (limit, data) = match split {
            Split::Train => (l.train_total, l.train.as_mut()),
            Split::Test => (l.test_total, l.test.as_mut()),
        };
        let data = data.expect("created above");
        data.append(&chunk).map_err(|e| e.to_string())?;
        if data.len() > limit {
            *data = data.take(limit);
        }
        l.version += 1;
        let msg = TrEvent::Data {
            train_loaded: l.train.as_ref().map_or(0, Dataset::len),
            train_total: l.train_total,
            test_loaded: l.test.as_ref().map_or(0, Dataset::len),
            test_total: l.test_total,
        };
        drop(l);
        post(&msg);
    }
    Ok(())
}

struct Session {
    config: LessonConfig,
    opt: OptimizerConfig,
    engine: Active,
    /// `loaded.version` last given to the engine.
    data_version: u64,
    /// Training samples loaded (and given to the engine) so far.
    train_len: usize,
    /// Samples per training chunk in use (see [`EpochBatches::streamed`]).
    train_chunks: Vec<usize>,
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
    last_snapshot: Option<Mlp>,
    /// The last state known to be good (finite losses up to it), for a rollback.
    good: Option<GoodState>,
    /// The loss curve (for checkpoints; the page keeps its own copy).
    history: LossHistory,
    /// The evaluations: (step, accuracy, loss).
    evals: Vec<(u64, f32, f32)>,
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

struct Worker {
    inbox: Rc<RefCell<VecDeque<TrToWorker>>>,
    loaded: Rc<RefCell<Loaded>>,
    gpu: Option<GpuContext>,
    gpu_problem: Option<String>,
    session: Option<Session>,
    /// Engine chosen at start-up (kept across resets).
    use_gpu: bool,
    /// The adapter's name as the browser gives it.
    adapter_label: String,
    note: WorkerMessage,
    measurements: Vec<EngineMeasurement>,
    /// A run saved in this browser, offered to the page until it is resumed, cleared or overtaken.
    offer: Option<Checkpoint>,
    /// Saving failed once (said once; training goes on).
    save_failed: bool,
    /// Both engines are still to be measured (a software WebGPU adapter in auto mode).
    measure_pending: bool,
}

fn model_for(config: &LessonConfig, input: usize, classes: usize) -> Result<Mlp, String> {
    Mlp::new(input, &config.hidden, classes, config.seed).map_err(|e| e.to_string())
}

impl Worker {
    fn new_engine(&self, model: &Mlp, gpu: bool) -> Result<Active, EngineError> {
        Active::new(self.gpu.as_ref().filter(|_| gpu), model, MAX_ROWS)
    }

    fn announce(&self) {
        let (kind, adapter) = match (&self.session, self.use_gpu) {
            (Some(s), _) => {
                with_engine!(&s.engine, e => (if matches!(s.engine, Active::Gpu(_)) { "WebGPU" } else { "CPU" }, e.info().adapter.clone()))
            }
            (None, true) => ("WebGPU", String::new()),
            (None, false) => ("CPU", "CPU engine (wasm)".into()),
        };
        let adapter = if kind == "WebGPU" && adapter.trim().is_empty() {
            self.adapter_label.clone()
        } else {
            adapter
        };
        post(&TrEvent::Engine {
            kind: kind.into(),
            adapter,
            note: self.note.clone(),
            measurements: self.measurements.clone(),
        });
    }

    /// Steps/second of an engine on the first loaded chunk, over about a second.
    async fn measure(
        &self,
        gpu: bool,
        config: &LessonConfig,
        train: &Dataset,
    ) -> Result<f64, EngineError> {
        let model = Mlp::new(
            train.features(),
            &config.hidden,
            train.classes(),
            config.seed,
        )?;
        let mut engine = self.new_engine(&model, gpu)?;
        let batches = EpochBatches::new(train.len(), config.batch, config.seed, 0);
        let opt = config.optimizer_config();
        with_engine!(&mut engine, e => {
            e.set_data(Split::Train, train)?;
            e.train_step(batches.batch(0), &opt)?;
            e.take_losses().await?;
            let t0 = now();
            let mut steps = 0usize;
            while now() - t0 < 1.0 && steps < batches.len() {
                e.train_step(batches.batch(steps % batches.len()), &opt)?;
                steps += 1;
                if steps.is_multiple_of(5) {
                    e.take_losses().await?;
                }
            }
            e.take_losses().await?;
            Ok((steps * config.batch) as f64 / (now() - t0).max(1e-6))
        })
    }

    /// Chooses the engine once the first chunk is in.
    async fn choose_engine(&mut self, config: &LessonConfig) {
        let software = self.gpu.as_ref().is_some_and(|g| g.engine_info().software);
        match (config.engine, &self.gpu) {
            (EnginePreference::Cpu, _) => {
                self.use_gpu = false;
                self.note = WorkerMessage::new(MessageCode::CpuByUrl, "");
            }
            (EnginePreference::Gpu, Some(_)) => {
                self.use_gpu = true;
                self.note = WorkerMessage::new(
                    if software {
                        MessageCode::GpuByUrlSoftware
                    } else {
                        MessageCode::GpuByUrl
                    },
                    "",
                );
            }
            (_, None) => {
                self.use_gpu = false;
                self.note = WorkerMessage::new(
                    MessageCode::NoWebGpu,
                    self.gpu_problem.clone().unwrap_or_default(),
                );
            }
            (EnginePreference::Auto, Some(_)) if !software => {
                self.use_gpu = true;
                self.note = WorkerMessage::new(MessageCode::OnGpu, "");
            }
            (EnginePreference::Auto, Some(_)) => {
                // A software WebGPU adapter (e.g. SwiftShader) can be far slower than the CPU engine. The
                // lesson starts at once on the CPU engine; both are measured in the background
                // (`measure_in_background`) and training moves to WebGPU between two steps if it is faster.
                self.use_gpu = false;
                self.measure_pending = true;
                self.note =
                    WorkerMessage::new(MessageCode::MeasuringEngines, self.adapter_label.clone());
            }
        }
    }

    /// Measures both engines on the first 2,000 training images (about a second each) and moves the
    /// session to WebGPU if it is faster, keeping weights, optimiser state and position: a switch between
    /// two steps. Says what was measured and chosen.
    async fn measure_in_background(&mut self) -> Result<(), EngineError> {
        self.measure_pending = false;
        let Some(config) = self.session.as_ref().map(|s| s.config.clone()) else {
            return Ok(());
        };
        let name = self.adapter_label.clone();
        let Some(train) = self.loaded.borrow().train.clone() else {
            return Ok(());
        };
        let sample = train.take(2_000);
        let gpu = self.measure(true, &config, &sample).await;
        let cpu = self.measure(false, &config, &sample).await;
        let (g, c) = match (gpu, cpu) {
            (Ok(g), Ok(c)) => (g, c),
            (Err(e), _) => {
                self.note = WorkerMessage::new(MessageCode::GpuFailed, format!("{name}: {e}"));
                return Ok(());
            }
            (Ok(_), Err(e)) => {
                self.note = WorkerMessage::new(MessageCode::CpuFailed, e.to_string());
                return Ok(());
            }
        };
        self.measurements = vec![
            EngineMeasurement {
                engine: format!("WebGPU ({name})"),
                samples_per_second: g,
            },
            EngineMeasurement {
                engine: "CPU engine".into(),
                samples_per_second: c,
            },
        ];
        let figures = format!("{name}: WebGPU {g:.0} samples/s, CPU engine {c:.0} samples/s");
        if g < c {
            self.note = WorkerMessage::new(MessageCode::SoftwareChoseCpu, figures);
            return Ok(());
        }
        let Some(s) = self.session.as_mut() else {
            return Ok(());
        };
        let model = with_engine!(&mut s.engine, e => e.model().await)?;
        let optimizer = with_engine!(&mut s.engine, e => e.optimizer_state().await)?;
        let mut engine = Active::new(self.gpu.as_ref(), &model, MAX_ROWS)?;
        with_engine!(&mut engine, e => e.set_optimizer_state(&optimizer))?;
        s.engine = engine;
        s.data_version = 0;
        self.use_gpu = true;
        self.note = WorkerMessage::new(
            MessageCode::SwitchedToGpu,
            format!("{figures}; at step {}", s.step),
        );
        self.sync_data()?;
        self.tune_gemm().await
    }

    fn reset(&mut self, config: LessonConfig) -> Result<(), String> {
        let (input, classes) = {
            let l = self.loaded.borrow();
            let m = l
                .manifest
                .as_ref()
                .ok_or("the dataset manifest has not arrived yet")?;
            (m.height * m.width * m.channels, m.classes.len())
        };
        let model = model_for(&config, input, classes)?;
        let train_chunks = self.loaded.borrow().train_chunks.clone();
        let engine = self
            .new_engine(&model, self.use_gpu)
            .map_err(|e| e.to_string())?;
        self.session = Some(Session {
            opt: config.optimizer_config(),
            config,
            engine,
            data_version: 0,
            train_len: 0,
            train_chunks,
            step: 0,
            epoch: 1,
            batches: None,
            batch_index: 0,
            running: false,
            finished: false,
            waiting: false,
            last_eval: None,
            last_weights: 0.0,
            good: Some(GoodState::fresh(&model)),
            last_snapshot: Some(model),
            history: LossHistory::new(),
            evals: Vec::new(),
        });
        self.sync_data().map_err(|e| e.to_string())?;
        Ok(())
    }

    /// On WebGPU, times both matrix-product kernels on this model's shapes at the run's batch size (at most
    /// 0.3 s of timed dispatches; a shape is timed once per device, its choice kept on the GPU context for
    /// every later engine).
    async fn tune_gemm(&mut self) -> Result<(), EngineError> {
        let Some(s) = self.session.as_mut() else {
            return Ok(());
        };
        if let Active::Gpu(e) = &mut s.engine {
            let timings = e.tune(s.config.batch, &now, 0.3).await?;
            // This lesson never freezes a layer.
            let widths = e.widths();
            let shape = StepShape {
                rows: s.config.batch,
                optimizer: s.opt.kind,
                frozen: vec![(false, false); widths.len() - 1],
                widths,
            };
            // A product split over K takes a second dispatch.
            let splits = timings
                .iter()
                .filter(|t| t.chosen == kernels::ops::linear::GemmVariant::Split)
                .count();
            post(&TrEvent::Kernels {
                dispatches: shape.dispatches() + splits,
                products: timings
                    .iter()
                    .map(|t| GemmChoice {
                        layer: t.layer,
                        product: t.product,
                        shape: [t.params.m, t.params.n, t.params.k],
                        chosen: t.chosen,
                        ms: t.seconds.iter().map(|s| s.map(|s| s * 1e3)).collect(),
                    })
                    .collect(),
            });
            for t in timings {
                web_sys::console::info_1(
                    &format!(
                        "Backprop Lab: {} {}×{}×{}: {:?} (seconds per variant {:?})",
                        t.role, t.params.m, t.params.n, t.params.k, t.chosen, t.seconds
                    )
                    .into(),
                );
            }
        }
        Ok(())
    }

    /// Gives newly arrived chunks to the engine (between steps).
    fn sync_data(&mut self) -> Result<(), EngineError> {
        let Some(s) = self.session.as_mut() else {
            return Ok(());
        };
        let l = self.loaded.borrow();
        if l.version == s.data_version {
            return Ok(());
        }
        if let Some(train) = l.train.as_ref().filter(|d| !d.is_empty()) {
            with_engine!(&mut s.engine, e => e.set_data(Split::Train, train))?;
            s.train_len = train.len();
        }
        if let Some(test) = l.test.as_ref().filter(|d| !d.is_empty()) {
            with_engine!(&mut s.engine, e => e.set_data(Split::Test, test))?;
        }
        s.data_version = l.version;
        Ok(())
    }

    /// Runs up to `max_steps` steps (fewer at the end of the configured epochs).
    fn steps(&mut self, max_steps: usize) -> Result<usize, EngineError> {
        let s = self
            .session
            .as_mut()
            .expect("a session exists while training");
        let mut done = 0;
        while done < max_steps && !s.finished {
            if s.batches.as_ref().is_none_or(|b| s.batch_index >= b.len()) {
                if s.batches.is_some() {
                    s.epoch += 1;
                }
                if s.epoch > s.config.epochs {
                    s.epoch = s.config.epochs;
                    s.finished = true;
                    s.running = false;
                    break;
                }
                s.batches = Some(EpochBatches::streamed(
                    &s.train_chunks,
                    s.config.batch,
                    s.config.seed,
                    s.epoch - 1,
                ));
                s.batch_index = 0;
            }
            let batches = s.batches.as_ref().expect("set above");
            if batches.rows_needed(s.batch_index) > s.train_len {
                // Its rows are still downloading: wait rather than change the order (same seed, same run).
                s.waiting = true;
                break;
            }
            s.waiting = false;
            with_engine!(&mut s.engine, e => e.train_step(batches.batch(s.batch_index), &s.opt))?;
            s.batch_index += 1;
            s.step += 1;
            done += 1;
            if s.step.is_multiple_of(s.config.eval_every as u64) {
                break;
            }
        }
        Ok(done)
    }

    /// Reads the losses back and reports; `started` is when the burst of `steps` began. The time is taken
    /// after the readback, which waits for the GPU to finish, so it measures work done, not work queued.
    async fn report(&mut self, steps: usize, started: Option<f64>) -> Result<(), EngineError> {
        let s = self.session.as_mut().expect("a session exists");
        let mut losses = with_engine!(&mut s.engine, e => e.take_losses().await)?;
        let classes = with_engine!(&s.engine, e => e.widths())
            .last()
            .copied()
            .unwrap_or(2);
        if let Some(bad) = losses
            .iter()
            .position(|&l| kernels::training::diverged(l, classes))
        {
            // The steps from the first bad one on trained on garbage: report the good ones, roll back.
            let diverged = s.step - (losses.len() - bad) as u64 + 1;
            let loss = losses[bad];
            losses.truncate(bad);
            return self.roll_back(diverged, loss, losses).await;
        }
        s.history.extend(&losses);
        let seconds = started.map_or(0.0, |t0| now() - t0);
        let fraction = s
            .batches
            .as_ref()
            .map_or(0.0, |b| s.batch_index as f32 / b.len().max(1) as f32);
        post(&TrEvent::Progress {
            step: s.step,
            epoch: s.epoch,
            epoch_fraction: if s.finished { 1.0 } else { fraction },
            losses,
            samples_per_second: if seconds > 0.0 {
                (steps * s.config.batch) as f64 / seconds
            } else {
                0.0
            },
            running: s.running,
            finished: s.finished,
            worker_memory: super::wasm_memory_bytes(),
        });
        Ok(())
    }

    /// Pauses, restores the last good snapshot and says so; the accuracy and weights shown become the
    /// restored model's.
    async fn roll_back(
        &mut self,
        diverged: u64,
        loss: f32,
        losses: Vec<f32>,
    ) -> Result<(), EngineError> {
        let s = self.session.as_mut().expect("a session exists");
        s.running = false;
        let Some(good) = s.good.as_ref() else {
            return Ok(());
        };
        with_engine!(&mut s.engine, e => {
            e.set_model(&good.model)?;
            e.set_optimizer_state(&good.optimizer)
        })?;
        s.step = good.step;
        s.epoch = good.epoch;
        s.batches = good.batches.clone();
        s.batch_index = good.batch_index;
        s.finished = false;
        s.last_snapshot = Some(good.model.clone());
        s.history.extend(&losses);
        s.history.truncate(good.step);
        s.evals.retain(|&(at, _, _)| at <= good.step);
        post(&TrEvent::Progress {
            step: diverged.saturating_sub(1),
            epoch: s.epoch,
            epoch_fraction: 0.0,
            losses,
            samples_per_second: 0.0,
            running: false,
            finished: false,
            worker_memory: super::wasm_memory_bytes(),
        });
        post(&TrEvent::Diverged {
            step: diverged,
            loss,
            lr: s.opt.lr,
            rolled_back_to: good.step,
        });
        self.evaluate().await?;
        self.send_weights().await
    }

    /// Loads a picked model into the session: same data, fresh optimiser, step 0, measured at once.
    async fn import(&mut self, bytes: &[u8]) -> Result<(), EngineError> {
        let Some(s) = self.session.as_mut() else {
            return Ok(());
        };
        let widths = with_engine!(&s.engine, e => e.widths());
        let model = match Mlp::from_safetensors(bytes) {
            Ok(m) if m.input_size() == widths[0] && m.classes() == widths[widths.len() - 1] => m,
            Ok(m) => {
                post(&TrEvent::Error(WorkerMessage::new(
                    MessageCode::BadModel,
                    format!(
                        "it has {} inputs and {} classes; the lesson's data needs {} and {}",
                        m.input_size(),
                        m.classes(),
                        widths[0],
                        widths[widths.len() - 1]
                    ),
                )));
                return Ok(());
            }
            Err(e) => {
                post(&TrEvent::Error(WorkerMessage::new(
                    MessageCode::BadModel,
                    e.to_string(),
                )));
                return Ok(());
            }
        };
        with_engine!(&mut s.engine, e => e.set_model(&model))?;
        let hidden = model.widths()[1..model.widths().len() - 1].to_vec();
        s.config.hidden.clone_from(&hidden);
        s.step = 0;
        s.epoch = 1;
        s.batches = None;
        s.batch_index = 0;
        s.running = false;
        s.finished = false;
        s.good = Some(GoodState::fresh(&model));
        s.last_snapshot = Some(model);
        post(&TrEvent::Imported { hidden });
        self.report(0, None).await?;
        self.evaluate().await?;
        self.send_weights().await
    }

    /// Remembers the current state as good (its losses were all finite when read).
    async fn keep_good_state(&mut self) -> Result<(), EngineError> {
        let s = self.session.as_mut().expect("a session exists");
        let model = with_engine!(&mut s.engine, e => e.model().await)?;
        let optimizer = with_engine!(&mut s.engine, e => e.optimizer_state().await)?;
        s.good = Some(GoodState {
            step: s.step,
            epoch: s.epoch,
            batches: s.batches.clone(),
            batch_index: s.batch_index,
            model,
            optimizer,
        });
        self.save().await;
        Ok(())
    }

    /// Writes the good state to IndexedDB; a failure is said once and training goes on.
    async fn save(&mut self) {
        let Some(s) = self.session.as_ref() else {
            return;
        };
        let Some(good) = s.good.as_ref().filter(|g| g.step > 0) else {
            return;
        };
        let engine = if matches!(s.engine, Active::Gpu(_)) {
            "WebGPU"
        } else {
            "CPU"
        };
        let saved = Checkpoint::new(
            &s.config,
            Position {
                step: good.step,
                epoch: good.epoch,
                has_batches: good.batches.is_some(),
                batch_index: good.batch_index,
                finished: s.finished && good.step == s.step,
            },
            &good.model,
            &good.optimizer,
            (&s.history, &s.evals),
            Origin {
                engine,
                data: self.data_sizes(),
                saved_at: js_sys::Date::now(),
            },
        );
        let result = match saved {
            Ok(c) => store::put(checkpoint::KEY, &c)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        if let Err(e) = result
            && !self.save_failed
        {
            self.save_failed = true;
            post(&TrEvent::Error(WorkerMessage::new(
                MessageCode::SaveFailed,
                e,
            )));
        }
    }

    /// Training and test samples this page uses.
    fn data_sizes(&self) -> (usize, usize) {
        let l = self.loaded.borrow();
        (l.train_total, l.test_total)
    }

    /// Offers the run saved in this browser, if there is one this build can read.
    async fn offer_saved(&mut self) {
        match store::get::<Checkpoint>(checkpoint::KEY).await {
            Ok(Some(c)) if c.readable() => {
                post(&TrEvent::Saved {
                    run: Some(c.summary(self.data_sizes())),
                });
                self.offer = Some(c);
            }
            Ok(_) => {}
            // An unreadable entry (another version of the app) is not offered; the next save replaces it.
            Err(e) => web_sys::console::warn_1(&format!("no saved run offered: {e}").into()),
        }
    }

    /// Withdraws the offer (a new run began, or it was resumed or cleared).
    fn withdraw_offer(&mut self) {
        if self.offer.take().is_some() {
            post(&TrEvent::Saved { run: None });
        }
    }

    /// Continues the offered run: same configuration, weights, optimiser state, position and curves.
    async fn resume(&mut self) -> Result<(), EngineError> {
        let Some(c) = self.offer.clone() else {
            return Ok(());
        };
        if c.data != self.data_sizes() {
            return Ok(());
        }
        let restored = (|| {
            let model = c.model()?;
            self.reset(c.config.clone())?;
            Ok::<_, String>(model)
        })();
        let model = match restored {
            Ok(m) => m,
            Err(e) => {
                post(&TrEvent::Error(WorkerMessage::new(
                    MessageCode::RestoreFailed,
                    e,
                )));
                return Ok(());
            }
        };
        let optimizer = c.optimizer();
        let s = self.session.as_mut().expect("reset made one");
        with_engine!(&mut s.engine, e => {
            e.set_model(&model)?;
            e.set_optimizer_state(&optimizer)
        })?;
        s.step = c.step;
        s.epoch = c.epoch;
        s.batch_index = c.batch_index;
        s.batches = c.has_batches.then(|| {
            EpochBatches::streamed(&s.train_chunks, s.config.batch, s.config.seed, c.epoch - 1)
        });
        s.finished = c.finished;
        s.history = c.history.clone();
        s.evals = c.evals.clone();
        s.good = Some(GoodState {
            step: c.step,
            epoch: c.epoch,
            batches: s.batches.clone(),
            batch_index: c.batch_index,
            model: model.clone(),
            optimizer,
        });
        s.last_snapshot = Some(model);
        post(&TrEvent::Resumed {
            config: c.config.clone(),
            history: c.history.clone(),
            evals: c.evals.clone(),
        });
        self.withdraw_offer();
        self.report(0, None).await?;
        self.evaluate().await?;
        self.send_weights().await
    }

    async fn evaluate(&mut self) -> Result<(), EngineError> {
        let s = self.session.as_mut().expect("a session exists");
        let l = self.loaded.borrow().test.clone();
        let Some(test) = l.filter(|t| !t.is_empty()) else {
            return Ok(());
        };
        let eval = with_engine!(&mut s.engine, e => e.evaluate(Some(s.config.test)).await)?;
        let classes = test.classes();
        let confusion = eval
            .confusion_matrix(&test.labels[..eval.total], classes)
            .into_iter()
            .flatten()
            .map(|c| c as u32)
            .collect();
        push_bounded(&mut s.evals, (s.step, eval.accuracy(), eval.loss));
        post(&TrEvent::Evaluation {
            step: s.step,
            accuracy: eval.accuracy(),
            loss: eval.loss,
            confusion,
            classes,
        });
        s.last_eval = Some(eval);
        Ok(())
    }

    async fn send_weights(&mut self) -> Result<(), EngineError> {
        let s = self.session.as_mut().expect("a session exists");
        let model = with_engine!(&mut s.engine, e => e.model().await)?;
        post(&weights_grid(&model));
        s.last_weights = now();
        s.last_snapshot = Some(model);
        Ok(())
    }

    async fn predict(&mut self, pixels: &[u8]) -> Result<TrReply, EngineError> {
        let Some(s) = self.session.as_mut() else {
            return Ok(not_ready());
        };
        let (mean, std) = self
            .loaded
            .borrow()
            .manifest
            .as_ref()
            .map_or((0.1307, 0.3081), |m| (m.mean, m.std));
        let x: Vec<f32> = pixels
            .iter()
            .map(|&p| kernels::ops::gather_normalize::normalize_pixel(p, mean, std))
            .collect();
        let logits = with_engine!(&mut s.engine, e => e.predict(&x, 1).await)?;
        let probabilities =
            kernels::ops::softmax_cross_entropy::softmax_rows(&logits, logits.len());
        Ok(TrReply::Prediction(probabilities))
    }

    fn show_cell(&self, truth: u8, predicted: u8) -> TrReply {
        let Some(s) = &self.session else {
            return not_ready();
        };
        let Some(eval) = &s.last_eval else {
            return not_ready();
        };
        let l = self.loaded.borrow();
        let Some(test) = &l.test else {
            return not_ready();
        };
        let hits: Vec<usize> = (0..eval.total.min(test.len()))
            .filter(|&i| test.labels[i] == truth && eval.predictions[i] == u32::from(predicted))
            .collect();
        let mut pixels = Vec::new();
        for &i in hits.iter().take(48) {
            pixels.extend_from_slice(test.image(i));
        }
        TrReply::Cell(CellImages {
            truth,
            predicted,
            pixels: ByteBuf::from(pixels),
            count: hits.len().min(48),
            total: hits.len(),
        })
    }

    /// The model as `.safetensors`.
    async fn export(&mut self) -> Result<TrReply, EngineError> {
        let Some(s) = self.session.as_mut() else {
            return Ok(not_ready());
        };
        let model = with_engine!(&mut s.engine, e => e.model().await)?;
        Ok(match model.to_safetensors() {
            Ok(bytes) => TrReply::ModelFile {
                bytes: ByteBuf::from(bytes),
                widths: model.widths(),
            },
            Err(e) => TrReply::Failed(WorkerMessage::new(MessageCode::ExportFailed, e.to_string())),
        })
    }

    /// Answers a query (exactly once, also when it fails).
    async fn answer(&mut self, query: TrQuery) -> Result<TrReply, EngineError> {
        match query {
            TrQuery::Predict { pixels } => self.predict(&pixels).await,
            TrQuery::Cell { truth, predicted } => Ok(self.show_cell(truth, predicted)),
            TrQuery::Export => self.export().await,
            TrQuery::CheckAutodiff => self.check_autodiff().await,
            TrQuery::ClearSaved => {
                self.withdraw_offer();
                Ok(match store::delete(checkpoint::KEY).await {
                    Ok(()) => TrReply::Cleared,
                    Err(e) => {
                        TrReply::Failed(WorkerMessage::new(MessageCode::SaveFailed, e.to_string()))
                    }
                })
            }
        }
    }

    /// One step of the current weights on a fresh copy of our GPU engine and on burn's autodiff, same
    /// batch and device; reports the largest difference per parameter.
    #[cfg(feature = "burn")]
    async fn check_autodiff(&mut self) -> Result<TrReply, EngineError> {
        use crate::lessons::train::protocol::{AutodiffCheck, GradientDifference};
        let Some(ctx) = self.gpu.clone() else {
            return Ok(TrReply::Failed(WorkerMessage::new(
                MessageCode::AutodiffNeedsGpu,
                "",
            )));
        };
        let Some(s) = self.session.as_mut() else {
            return Ok(not_ready());
        };
        let model = with_engine!(&mut s.engine, e => e.model().await)?;
        let train = self.loaded.borrow().train.clone().filter(|d| !d.is_empty());
        let Some(train) = train else {
            return Ok(not_ready());
        };
        let rows: Vec<u32> = (0..s.config.batch.min(train.len()) as u32).collect();
        let opt = s.opt;
        let mut ours = GpuEngine::new(&ctx, &model, rows.len())?;
        let mut burn = kernels::BurnEngine::new(&ctx, &model, rows.len())?;
        ours.set_data(Split::Train, &train)?;
        burn.set_data(Split::Train, &train)?;
        ours.train_step(&rows, &opt)?;
        burn.train_step(&rows, &opt)?;
        let (a, b) = (ours.trace().await?, burn.trace().await?);
        let mut parameters = Vec::new();
        for (l, (ga, gb)) in a.gradients.iter().zip(&b.gradients).enumerate() {
            for (kind, x, y) in [
                ("weight", &ga.weight, &gb.weight),
                ("bias", &ga.bias, &gb.bias),
            ] {
                let (Some(x), Some(y)) = (x, y) else { continue };
                let scale = y.iter().fold(0f32, |m, v| m.max(v.abs()));
                // Entries far below the tensor's scale are compared against that scale, not themselves
                // (a difference of 1e-9 on an entry of 1e-8 is float noise, not disagreement).
                let floor = (1e-3 * scale).max(f32::MIN_POSITIVE);
                parameters.push(GradientDifference {
                    name: format!("fc{}.{kind}", l + 1),
                    max_abs: x
                        .iter()
                        .zip(y)
                        .map(|(p, q)| (p - q).abs())
                        .fold(0.0, f32::max),
                    max_rel: kernels::testing::max_relative_error(x, y, floor),
                    norm: x.iter().map(|v| v * v).sum::<f32>().sqrt(),
                });
            }
        }
        Ok(TrReply::Autodiff(AutodiffCheck {
            rows: rows.len(),
            losses: (a.loss, b.loss),
            parameters,
        }))
    }

    #[cfg(not(feature = "burn"))]
    async fn check_autodiff(&mut self) -> Result<TrReply, EngineError> {
        Ok(TrReply::Failed(WorkerMessage::new(
            MessageCode::NoAutodiff,
            "",
        )))
    }

    /// A lost GPU device: continue on the CPU engine from the latest weights snapshot.
    /// A lost GPU device: training goes on — on a new WebGPU device if one can be had, else on the CPU
    /// engine — from the last good snapshot (at most one evaluation interval old: weights, optimiser
    /// state and position in the epochs), and says so.
    async fn recover(&mut self, why: &str) {
        let fresh = GpuContext::new(AdapterOptions {
            allow_software: true,
        })
        .await
        .ok();
        self.use_gpu = fresh.is_some();
        self.gpu = fresh;
        let Some(s) = self.session.as_mut() else {
            self.announce();
            return;
        };
        let Some(good) = s.good.as_ref() else {
            return;
        };
        let engine = Active::new(self.gpu.as_ref(), &good.model, MAX_ROWS);
        let restored = engine.and_then(|mut e| {
            with_engine!(&mut e, x => x.set_optimizer_state(&good.optimizer))?;
            Ok(e)
        });
        match restored {
            Ok(engine) => {
                s.engine = engine;
                s.data_version = 0;
                s.step = good.step;
                s.epoch = good.epoch;
                s.batches = good.batches.clone();
                s.batch_index = good.batch_index;
                s.last_snapshot = Some(good.model.clone());
                s.history.truncate(good.step);
                s.evals.retain(|&(at, _, _)| at <= good.step);
                post(&TrEvent::Restored { step: good.step });
                self.note = WorkerMessage::new(
                    if self.use_gpu {
                        MessageCode::DeviceLostNewGpu
                    } else {
                        MessageCode::DeviceLostCpu
                    },
                    format!("{} ({why})", good.step),
                );
            }
            Err(e) => {
                s.running = false;
                post(&TrEvent::Error(WorkerMessage::new(
                    MessageCode::DeviceLostNoEngine,
                    format!("{why}; {e}"),
                )));
            }
        }
        if let Err(e) = self.sync_data() {
            post(&TrEvent::Error(WorkerMessage::new(
                MessageCode::EngineFailed,
                e.to_string(),
            )));
        }
        self.announce();
        let _ = self.report(0, None).await;
    }

    /// An engine error: a lost device is recovered from; anything else stops training with a message.
    async fn handle_error(&mut self, e: EngineError) {
        let lost = match &e {
            EngineError::DeviceLost(why) => Some(why.clone()),
            // The loss may be reported a moment after the failure it caused.
            _ if self.use_gpu && self.gpu.is_some() => {
                sleep(0.1).await;
                match self.gpu.as_ref().map(GpuContext::check) {
                    Some(Err(EngineError::DeviceLost(why))) => Some(why),
                    _ => None,
                }
            }
            _ => None,
        };
        if let Some(why) = lost {
            self.recover(&why).await;
            return;
        }
        if let Some(s) = self.session.as_mut() {
            s.running = false;
        }
        post(&TrEvent::Error(WorkerMessage::new(
            MessageCode::EngineFailed,
            e.to_string(),
        )));
    }

    async fn handle(&mut self, msg: TrToWorker) -> Result<(), EngineError> {
        match msg {
            TrToWorker::Reset(config) => {
                // A new run: the saved one is forgotten (a new save replaces it at the first evaluation).
                self.withdraw_offer();
                if let Err(e) = store::delete(checkpoint::KEY).await {
                    web_sys::console::warn_1(&e.to_string().into());
                }
                if let Err(e) = self.reset(config) {
                    post(&TrEvent::Error(WorkerMessage::new(
                        MessageCode::BadSetting,
                        e,
                    )));
                    return Ok(());
                }
                // A new batch size or model has new shapes to time (known ones are skipped).
                self.tune_gemm().await?;
                self.report(0, None).await?;
                self.send_weights().await?;
            }
            TrToWorker::Start => {
                self.withdraw_offer();
                if let Some(s) = self.session.as_mut() {
                    s.running = !s.finished;
                }
            }
            TrToWorker::Pause => {
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
            TrToWorker::Resume => self.resume().await?,
            TrToWorker::Step => {
                self.withdraw_offer();
                if self.session.as_ref().is_some_and(|s| !s.running) {
                    self.sync_data()?;
                    let t0 = now();
                    let n = self.steps(1)?;
                    self.report(n, Some(t0)).await?;
                    self.send_weights().await?;
                    let s = self.session.as_ref().expect("checked above");
                    if s.step.is_multiple_of(s.config.eval_every as u64) {
                        self.evaluate().await?;
                    }
                }
            }
            TrToWorker::SetRates { lr, momentum } => {
                if let Some(s) = self.session.as_mut() {
                    let mut next = s.opt;
                    next.lr = lr;
                    if next.momentum > 0.0
                        || s.config.optimizer == crate::config::LessonOptimizer::Momentum
                    {
                        next.momentum = momentum;
                    }
                    match next.validate() {
                        Ok(()) => {
                            s.opt = next;
                            s.config.lr = lr;
                            s.config.momentum = momentum;
                        }
                        Err(e) => post(&TrEvent::Error(WorkerMessage::new(
                            MessageCode::BadSetting,
                            e.to_string(),
                        ))),
                    }
                }
            }
            TrToWorker::Query { id, query } => {
                // Exactly one reply per query, also when the engine fails (then the error is handled too).
                let (reply, failure) = match self.answer(query).await {
                    Ok(reply) => (reply, None),
                    Err(e) => (
                        TrReply::Failed(WorkerMessage::new(
                            MessageCode::EngineFailed,
                            e.to_string(),
                        )),
                        Some(e),
                    ),
                };
                post(&TrEvent::Reply { id, reply });
                if let Some(e) = failure {
                    return Err(e);
                }
            }
            TrToWorker::Import { bytes } => self.import(&bytes).await?,
            TrToWorker::DebugLoseDevice => {
                if let Some(ctx) = self.gpu.as_ref().filter(|_| self.use_gpu) {
                    ctx.destroy();
                }
            }
        }
        Ok(())
    }

    async fn run(mut self) {
        // Wait for the first message: the page's configuration.
        let config = loop {
            if let Some(TrToWorker::Reset(c)) = self.inbox.borrow_mut().pop_front() {
                break c;
            }
            sleep(0.02).await;
        };
        let loader = self.loaded.clone();
        let (train_limit, test_limit) = (config.train, config.test);
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(message) = load_data(loader.clone(), train_limit, test_limit).await {
                loader.borrow_mut().failed = true;
                post(&TrEvent::Error(WorkerMessage::new(
                    MessageCode::DataFailed,
                    message,
                )));
            }
        });
        if config.engine != EnginePreference::Cpu {
            match GpuContext::new(AdapterOptions {
                allow_software: true,
            })
            .await
            {
                Ok(ctx) => {
                    let name = ctx.adapter_info.name.trim().to_string();
                    let software = ctx.engine_info().software;
                    self.adapter_label = match (name.is_empty(), browser_adapter_label().await) {
                        (false, _) => name,
                        (true, Some(label)) => label,
                        (true, None) => "an unnamed WebGPU adapter".into(),
                    };
                    if software && !self.adapter_label.contains("fallback") {
                        self.adapter_label.push_str(" (software fallback adapter)");
                    }
                    self.gpu = Some(ctx);
                }
                Err(e) => self.gpu_problem = Some(e.to_string()),
            }
        }
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
        if config.engine == EnginePreference::Gpu && self.gpu.is_none() {
            post(&TrEvent::Error(WorkerMessage::new(
                MessageCode::GpuMissing,
                self.gpu_problem.clone().unwrap_or_default(),
            )));
        }
        self.choose_engine(&config).await;
        // The page's first configuration starts a session without forgetting a saved run.
        match self.reset(config) {
            Ok(()) => {
                self.announce();
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
            Err(message) => post(&TrEvent::Error(WorkerMessage::new(
                MessageCode::EngineFailed,
                message,
            ))),
        }
        let mut burst = 1usize;
        let mut announced = self.session.is_some();
        loop {
            let next = self.inbox.borrow_mut().pop_front();
            if let Some(msg) = next {
                if let Err(e) = self.handle(msg).await {
                    self.handle_error(e).await;
                }
                if !announced && self.session.is_some() {
                    self.announce();
                    announced = true;
                }
                continue;
            }
            if let Err(e) = self.sync_data() {
                self.handle_error(e).await;
            }
            if self.measure_pending && self.session.is_some() {
                // Between two bursts (or while idle): the losses so far have been read.
                if let Err(e) = self.measure_in_background().await {
                    self.handle_error(e).await;
                }
                self.announce();
                continue;
            }
            let running = self.session.as_ref().is_some_and(|s| s.running);
            if !running {
                sleep(0.03).await;
                continue;
            }
            let t0 = now();
            let result = async {
                let n = self.steps(burst)?;
                if n == 0 && self.session.as_ref().is_some_and(|s| s.waiting) {
                    sleep(0.05).await;
                    return Ok(());
                }
                self.report(n, Some(t0)).await?;
                let elapsed = now() - t0;
                // Aim each burst at BURST_SECONDS so reports stay frequent whatever the engine's speed.
                let per_step = elapsed / n.max(1) as f64;
                burst = ((BURST_SECONDS / per_step.max(1e-5)) as usize).clamp(1, 256);
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
                Ok::<(), EngineError>(())
            }
            .await;
            if let Err(e) = result {
                self.handle_error(e).await;
            }
            // Let messages in between bursts.
            sleep(0.0).await;
        }
    }
}

/// The answer to a query that needs a model, data or an evaluation not there yet.
fn not_ready() -> TrReply {
    TrReply::Failed(WorkerMessage::new(MessageCode::NotYet, ""))
}

/// Renders up to 64 first-layer units as 28×28 tiles: blue negative, white zero, red positive, each unit
/// scaled by its own largest magnitude.
fn weights_grid(model: &Mlp) -> TrEvent {
    let layer = &model.layers[0];
    let side = (layer.in_features as f64).sqrt() as usize;
    if side * side != layer.in_features {
        return TrEvent::Weights {
            width: 0,
            height: 0,
            units: 0,
            rgba: ByteBuf::new(),
        };
    }
    let units = layer.out_features.min(64);
    let cols = (units as f64).sqrt().ceil() as usize;
    let rows = units.div_ceil(cols);
    let tile = side + 2;
    let (w, h) = (cols * tile, rows * tile);
    let mut rgba = vec![255u8; w * h * 4];
    for u in 0..units {
        let ws = &layer.weight[u * layer.in_features..(u + 1) * layer.in_features];
        let scale = ws.iter().fold(1e-12f32, |m, v| m.max(v.abs()));
        let (ox, oy) = ((u % cols) * tile + 1, (u / cols) * tile + 1);
        for (i, &v) in ws.iter().enumerate() {
            let t = (v / scale).clamp(-1.0, 1.0);
            let fade = (255.0 * (1.0 - t.abs())) as u8;
            let (r, g, b) = if t >= 0.0 {
                (255, fade, fade)
            } else {
                (fade, fade, 255)
            };
            let at = ((oy + i / side) * w + ox + i % side) * 4;
            rgba[at..at + 4].copy_from_slice(&[r, g, b, 255]);
        }
    }
    TrEvent::Weights {
        width: w as u32,
        height: h as u32,
        units,
        rgba: ByteBuf::from(rgba),
    }
}

/// Runs the training lesson's worker; `early` holds the messages that arrived while the module was
/// loading.
pub fn main(early: js_sys::Array) {
    let inbox = super::inbox::<TrToWorker>(early, |e| {
        post(&TrEvent::Error(WorkerMessage::new(
            MessageCode::BadMessage,
            e,
        )));
    });
    let worker = Worker {
        inbox,
        loaded: Rc::default(),
        gpu: None,
        gpu_problem: None,
        session: None,
        use_gpu: false,
        adapter_label: String::new(),
        note: WorkerMessage::new(MessageCode::OnGpu, ""),
        measurements: Vec::new(),
        offer: None,
        save_failed: false,
        measure_pending: false,
    };
    post(&TrEvent::Ready);
    wasm_bindgen_futures::spawn_local(worker.run());
}
