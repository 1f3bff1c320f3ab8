//! The fine-tuning lesson's worker side: the pretrained model in one slot and the from-scratch baseline
//! in another, on one device (the compiled pipelines are shared through the `GpuContext`); each phase of
//! the recipe runs in short bursts so commands and queries are answered between steps. `load` brings the
//! model and examples, `tensors` shows what freezing does, `phase` trains.

mod early;
mod load;
mod phase;
mod saved;
mod seeds;
mod tensors;

use kernels::dataset::Dataset;
use kernels::ops::gather_normalize::Augmentation;
use kernels::training::EpochBatches;
use kernels::{
    AnyEngine, Engine, EngineError, EngineKind, Freezing, GpuContext, Mlp, OptimizerConfig,
};
use serde_bytes::ByteBuf;

use super::protocol::{
    Command, Event, MessageCode, PhaseKind, Query, Reply, Scenario, Slot, fnv1a,
};
use crate::lessons::finetune::protocol::Protocol;
use crate::protocol::Status;
use crate::runtime::QueryError;
use crate::runtime::engine::{self, Gpu};
use crate::runtime::refuse;
use crate::runtime::{LessonWorker, Outbox};
use kernels::engine::Preference;
/// The shipped pretrained model.
pub const PRETRAINED: &str = "static/models/mnist-mlp-784-512-10.safetensors";
/// The CIFAR-10 program's pretrained model (six animal classes; `backprop-lab train`, see the book).
pub const PRETRAINED_CIFAR: &str = "static/models/cifar10-animals-mlp-3072-512-6.safetensors";
/// CIFAR-10's vehicles, the program's new task.
const VEHICLES: [usize; 4] = [0, 1, 8, 9];
/// Rows per dispatch: the largest batch, and the evaluation chunk.
const MAX_ROWS: usize = 512;

/// A training phase in progress.
struct Run {
    phase: PhaseKind,
    slot: Slot,
    epochs: usize,
    epoch: usize,
    steps: usize,
    batch: usize,
    seed: u64,
    opt: OptimizerConfig,
    batches: EpochBatches,
    index: usize,
    train_len: usize,
    /// Shuffling epochs before this phase (the full phase continues after the head's).
    epoch_offset: usize,
    /// Early stopping on a validation split, when the phase has a patience.
    early: Option<early::EarlyRun>,
}

/// The lesson's worker.
pub struct Worker {
    out: Outbox<Protocol>,
    /// The engine started (the first command carries the preference).
    started: bool,
    gpu: Gpu,
    kind: EngineKind,
    train: Option<Dataset>,
    test: Option<Dataset>,
    tuned: Option<AnyEngine>,
    scratch: Option<AnyEngine>,
    /// The tuned model's weights when the current phase began (for ‖ΔW‖).
    phase_start: Option<Mlp>,
    run: Option<Run>,
    /// Flips and crops of training batches (the CIFAR-10 program).
    augmentation: Option<Augmentation>,
    /// The shipped scenario's examples as fetched (classes selected, normalisation set).
    shipped: Option<(Scenario, Dataset, Dataset)>,
    /// Head-phase epochs trained since the model was loaded: the full phase's shuffling continues
    /// after them, as `backprop-lab finetune` does.
    head_epochs: usize,
    /// The scenario and seed of the page (from its first `Load`).
    scenario: Option<Scenario>,
    seed: u64,
    /// What the page was told since the model was loaded (kept with the run).
    history: saved::History,
    /// The run changed since it was last kept, and when it was.
    dirty: bool,
    saved_at: f64,
    /// A kept run was taken up (the URL's instant steps are then not applied again).
    resumed: bool,
    /// The page's first load asked to take up a kept run once the examples are in.
    may_resume: bool,
    /// How the tuned model's current phase treats frozen layers.
    freezing: Freezing,
    /// The pretrained model as loaded (the seeds job starts every fine-tuned run from it), and
    /// whether the student picked it (then it is kept with the run).
    loaded: Option<Mlp>,
    uploaded: bool,
    /// The "3 seeds" job in progress.
    seeds: Option<seeds::SeedsJob>,
}

/// The WGSL kernels on `gpu` when given, else the CPU engine.
fn engine_for(
    gpu: Option<&GpuContext>,
    model: &Mlp,
    augmentation: Option<Augmentation>,
) -> Result<AnyEngine, EngineError> {
    let mut engine = AnyEngine::gpu_or_cpu(gpu, model, MAX_ROWS)?;
    engine.set_augmentation(augmentation)?;
    Ok(engine)
}

impl Worker {
    fn slot(&mut self, slot: Slot) -> Option<&mut AnyEngine> {
        match slot {
            Slot::Tuned => self.tuned.as_mut(),
            Slot::Scratch => self.scratch.as_mut(),
        }
    }

    async fn start_engine(&mut self, pref: Preference) {
        self.started = true;
        (self.gpu, self.kind) = engine::start(pref, &self.out).await;
    }

    /// Posts an event that is part of the run's story (kept with the run, replayed after a reload).
    fn tell(&mut self, event: &Event) {
        self.history.record(event);
        self.dirty = true;
        self.out.post(event);
    }

    fn post_model(&self, slot: Slot, model: &Mlp) {
        self.out.post(&Event::Model {
            slot,
            widths: model.widths(),
            frozen: model.layers.iter().map(|l| l.weight_frozen).collect(),
        });
    }

    /// Measures a slot on the held-out examples.
    async fn evaluate(
        &mut self,
        slot: Slot,
        phase: Option<PhaseKind>,
        epoch: usize,
    ) -> Result<(), EngineError> {
        if let Some(event) = self.measure(slot, phase, epoch).await? {
            self.tell(&event);
        }
        Ok(())
    }

    /// A slot's accuracy, loss and predictions' fingerprint on the held-out examples, as an event
    /// (`None` when the slot is empty).
    async fn measure(
        &mut self,
        slot: Slot,
        phase: Option<PhaseKind>,
        epoch: usize,
    ) -> Result<Option<Event>, EngineError> {
        let Some(engine) = self.slot(slot) else {
            return Ok(None);
        };
        let eval = engine.evaluate(None).await?;
        let predictions: Vec<u8> = eval.predictions.iter().map(|&p| p as u8).collect();
        Ok(Some(Event::Evaluation {
            slot,
            phase,
            epoch,
            accuracy: eval.accuracy(),
            loss: eval.loss,
            predictions_digest: fnv1a(&predictions),
        }))
    }

    /// Gives both slots the current data.
    fn set_data(&mut self) -> Result<(), EngineError> {
        let (Some(train), Some(test)) = (self.train.clone(), self.test.clone()) else {
            return Ok(());
        };
        for engine in [self.tuned.as_mut(), self.scratch.as_mut()]
            .into_iter()
            .flatten()
        {
            engine.set_splits(&train, &test)?;
        }
        Ok(())
    }

    async fn command(&mut self, msg: Command) -> Result<(), EngineError> {
        match msg {
            Command::Load {
                scenario,
                engine: _,
                per_class,
                test,
                seed,
                model,
                resume,
            } => {
                self.scenario = Some(scenario);
                self.seed = seed;
                self.resumed = false;
                self.may_resume = resume;
                if !resume {
                    // A model the student picked starts a new run: the kept one is not its past.
                    self.forget().await;
                }
                self.load(scenario, per_class, test, model).await
            }
            Command::UseDrawn {
                classes,
                train,
                test,
            } => self.use_drawn(classes, train, test).await,
            Command::SetFrozen {
                slot,
                layer,
                frozen,
            } => {
                self.dirty = true;
                self.set_frozen(slot, layer, frozen).await
            }
            Command::ReplaceHead {
                slot,
                classes,
                seed,
            } => {
                self.history.head_replaced |= slot == Slot::Tuned;
                self.replace_head(slot, classes, seed).await
            }
            Command::RestoreStep {
                step,
                classes,
                seed,
            } => {
                if self.resumed {
                    return Ok(());
                }
                if step >= 3 {
                    self.set_frozen(Slot::Tuned, 0, true).await?;
                }
                if step >= 4 && self.scenario == Some(Scenario::Symbols) {
                    self.history.head_replaced = true;
                    self.replace_head(Slot::Tuned, classes, seed).await?;
                }
                Ok(())
            }
            Command::Forget => {
                self.forget().await;
                self.out.status(Status::Forgotten);
                Ok(())
            }
            Command::Train(settings) => self.begin(settings).await,
            Command::Seeds => self.begin_seeds().await,
            Command::Pause => {
                if let Some(run) = self.run.take() {
                    self.tell(&stopped(&run, f32::NAN));
                }
                if self.seeds.is_some() {
                    self.post_seeds(false);
                    self.seeds = None;
                }
                Ok(())
            }
        }
    }
}

/// The progress event of a phase that stopped early.
fn stopped(run: &Run, loss: f32) -> Event {
    Event::Progress {
        phase: run.phase,
        epoch: run.epoch,
        epochs: run.epochs,
        steps: run.steps,
        loss,
        running: false,
    }
}

impl LessonWorker for Worker {
    type Protocol = Protocol;

    fn new(out: Outbox<Protocol>) -> Self {
        Self {
            out,
            started: false,
            gpu: Gpu::default(),
            kind: EngineKind::Cpu,
            train: None,
            test: None,
            tuned: None,
            scratch: None,
            phase_start: None,
            run: None,
            augmentation: None,
            shipped: None,
            head_epochs: 0,
            scenario: None,
            seed: 1,
            history: saved::History::default(),
            dirty: false,
            saved_at: 0.0,
            resumed: false,
            may_resume: false,
            freezing: Freezing::Skip,
            loaded: None,
            uploaded: false,
            seeds: None,
        }
    }

    fn out(&self) -> &Outbox<Protocol> {
        &self.out
    }

    async fn handle(&mut self, command: Command) -> Result<(), EngineError> {
        if !self.started {
            // The first command (the page's Load) carries the engine preference.
            let pref = match &command {
                Command::Load { engine, .. } => *engine,
                _ => Preference::Auto,
            };
            self.start_engine(pref).await;
        }
        self.command(command).await
    }

    async fn answer(&mut self, query: Query) -> Result<Reply, QueryError> {
        match query {
            Query::Export { slot } => {
                let Some(engine) = self.slot(slot) else {
                    return Err(refuse(MessageCode::NotReady, "no model is loaded"));
                };
                let mut model = engine.model().await?;
                for l in 0..model.layers.len() {
                    let _ = model.unfreeze(l);
                }
                match model.to_safetensors() {
                    Ok(bytes) => Ok(Reply::Model(ByteBuf::from(bytes))),
                    Err(e) => Err(refuse(MessageCode::EngineFailed, e.to_string())),
                }
            }
        }
    }

    async fn idle(&mut self) -> Result<bool, EngineError> {
        let due =
            self.run.is_none() || crate::runtime::now() - self.saved_at > saved::SAVE_EVERY_SECONDS;
        if self.dirty && due {
            self.save().await;
        }
        if self.seeds.is_some() {
            return self.seeds_burst().await;
        }
        if self.run.is_none() {
            return Ok(false);
        }
        self.burst().await?;
        Ok(true)
    }

    fn stop(&mut self) {
        self.run = None;
        self.seeds = None;
    }
}
