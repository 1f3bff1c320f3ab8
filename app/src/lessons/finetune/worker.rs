//! The fine-tuning lesson's worker side: the pretrained model in one slot and the from-scratch baseline
//! in another, on one device (the compiled pipelines are shared through the `GpuContext`); each phase of
//! the recipe runs in short bursts so commands and queries are answered between steps.

use kernels::dataset::Dataset;
use kernels::engine::{l2_distance, l2_norm};
use kernels::finetune::{per_class_subset, select_classes};
use kernels::ops::gather_normalize::Augmentation;
use kernels::training::EpochBatches;
use kernels::{
    AnyEngine, Engine, EngineError, EngineKind, GpuContext, KernelLaunch, Mlp, OptimizerConfig,
};
use serde_bytes::ByteBuf;

use super::protocol::{
    Examples, FtEvent, FtQuery, FtReply, FtToWorker, KernelRow, MessageCode, PhaseKind, Scenario,
    Slot, TensorRow, WorkerMessage, fnv1a,
};
use super::state::FtProtocol;
use crate::protocol::EnginePreference;
use crate::runtime::data::load_dataset;
use crate::runtime::engine::{self, Gpu};
use crate::runtime::fetch::fetch_bytes;
use crate::runtime::{BURST_SECONDS, LessonWorker, Outbox, now};
/// The shipped pretrained model.
pub const PRETRAINED: &str = "static/models/mnist-mlp-784-512-10.safetensors";
/// The CIFAR-10 program's pretrained model (six animal classes; `backprop-lab train`, see the README).
pub const PRETRAINED_CIFAR: &str = "static/models/cifar10-animals-mlp-3072-512-6.safetensors";
/// CIFAR-10's vehicles, the program's new task.
const VEHICLES: [usize; 4] = [0, 1, 8, 9];
/// Rows per dispatch: the largest batch, and the evaluation chunk.
const MAX_ROWS: usize = 512;

fn message(code: MessageCode, detail: impl Into<String>) -> WorkerMessage {
    WorkerMessage::new(code, detail)
}

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
}

/// The lesson's worker.
pub struct Worker {
    out: Outbox<FtProtocol>,
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

/// Drawn examples as a dataset with MNIST's normalisation (the pretrained model's).
fn drawn_dataset(classes: &[String], ex: &Examples) -> Result<Dataset, String> {
    if ex.pixels.len() != ex.labels.len() * 784 {
        return Err(format!(
            "{} bytes for {} drawings of 784 pixels",
            ex.pixels.len(),
            ex.labels.len()
        ));
    }
    if ex.labels.iter().any(|&l| usize::from(l) >= classes.len()) {
        return Err("a drawing's label is not one of the classes".into());
    }
    Ok(Dataset {
        name: "drawn".into(),
        height: 28,
        width: 28,
        channels: 1,
        class_names: classes.to_vec(),
        mean: 0.1307,
        std: 0.3081,
        images: ex.pixels.to_vec(),
        labels: ex.labels.clone(),
    })
}

impl Worker {
    fn slot(&mut self, slot: Slot) -> Option<&mut AnyEngine> {
        match slot {
            Slot::Tuned => self.tuned.as_mut(),
            Slot::Scratch => self.scratch.as_mut(),
        }
    }

    async fn start_engine(&mut self, pref: EnginePreference) {
        self.started = true;
        self.gpu = Gpu::open(pref).await;
        let choice = engine::choose(pref, &self.gpu, false);
        self.kind = choice.kind;
        self.out.post(&FtEvent::Engine {
            kind: self.kind,
            adapter: self.gpu.adapter(self.kind),
            note: choice.note,
        });
    }

    fn report(&self, code: MessageCode, detail: impl Into<String>) {
        self.out.post(&FtEvent::Error(message(code, detail)));
    }

    fn post_model(&self, slot: Slot, model: &Mlp) {
        self.out.post(&FtEvent::Model {
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
        let Some(engine) = self.slot(slot) else {
            return Ok(());
        };
        let eval = engine.evaluate(None).await?;
        let predictions: Vec<u8> = eval.predictions.iter().map(|&p| p as u8).collect();
        self.out.post(&FtEvent::Evaluation {
            slot,
            phase,
            epoch,
            accuracy: eval.accuracy(),
            loss: eval.loss,
            predictions_digest: fnv1a(&predictions),
        });
        Ok(())
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

    async fn load(
        &mut self,
        scenario: Scenario,
        per_class: usize,
        test: usize,
        model: Option<ByteBuf>,
    ) -> Result<(), EngineError> {
        let cifar = scenario == Scenario::Cifar;
        let shipped = if cifar { PRETRAINED_CIFAR } else { PRETRAINED };
        let bytes = match model {
            Some(b) => b.into_vec(),
            None => match fetch_bytes(shipped).await {
                Ok(b) => b,
                Err(e) => {
                    self.report(MessageCode::BadModel, e);
                    return Ok(());
                }
            },
        };
        let inputs = if cifar { 3072 } else { 784 };
        let mlp = match Mlp::from_safetensors(&bytes) {
            Ok(m) if m.input_size() == inputs => m,
            Ok(m) => {
                self.report(
                    MessageCode::BadModel,
                    format!(
                        "the model takes {} inputs; this scenario's images have {inputs}",
                        m.input_size()
                    ),
                );
                return Ok(());
            }
            Err(e) => {
                self.report(MessageCode::BadModel, e.to_string());
                return Ok(());
            }
        };
        self.augmentation = cifar.then_some(Augmentation {
            flip: true,
            crop_pad: 4,
            seed: 1,
        });
        if let Some(name) = scenario.dataset() {
            // An upload keeps the scenario's examples: they are fetched once.
            if self.shipped.as_ref().is_none_or(|(s, _, _)| *s != scenario) {
                // The CIFAR subset's chunks are small: its program takes every image.
                match load_dataset(name, if cifar { usize::MAX } else { 1 }).await {
                    Ok((mut train, mut held_out)) => {
                        if cifar {
                            train = select_classes(&train, &VEHICLES);
                            held_out = select_classes(&held_out, &VEHICLES);
                            for d in [&mut train, &mut held_out] {
                                (d.mean, d.std) = (0.5, 0.5);
                            }
                        }
                        self.shipped = Some((scenario, train, held_out));
                    }
                    Err(e) => {
                        self.report(MessageCode::DataFailed, e);
                        return Ok(());
                    }
                }
            }
            let (_, train, held_out) = self.shipped.as_ref().expect("loaded above");
            self.train = Some(per_class_subset(train, per_class.max(1)));
            self.test = Some(held_out.take(test.max(1)));
        }
        self.head_epochs = 0;
        self.run = None;
        self.scratch = None;
        self.tuned = Some(engine_for(
            self.gpu.for_kind(self.kind),
            &mlp,
            self.augmentation,
        )?);
        self.phase_start = Some(mlp.clone());
        self.post_model(Slot::Tuned, &mlp);
        self.post_data();
        self.load_data_into_tuned(&mlp).await
    }

    fn post_data(&self) {
        if let (Some(train), Some(test)) = (&self.train, &self.test) {
            self.out.post(&FtEvent::Data {
                classes: train.class_names.clone(),
                train: train.len(),
                test: test.len(),
            });
        }
    }

    /// Data whose classes exceed the model's head can only be measured after a new head.
    async fn load_data_into_tuned(&mut self, mlp: &Mlp) -> Result<(), EngineError> {
        let fits = self
            .train
            .as_ref()
            .is_some_and(|t| t.classes() <= mlp.classes());
        if fits {
            self.set_data()?;
            self.evaluate(Slot::Tuned, None, 0).await?;
            self.tensors().await?;
        }
        Ok(())
    }

    async fn use_drawn(
        &mut self,
        classes: Vec<String>,
        train: Examples,
        test: Examples,
    ) -> Result<(), EngineError> {
        let (train, test) = match (
            drawn_dataset(&classes, &train),
            drawn_dataset(&classes, &test),
        ) {
            (Ok(a), Ok(b)) if !a.is_empty() && !b.is_empty() => (a, b),
            (Err(e), _) | (_, Err(e)) => {
                self.report(MessageCode::DataFailed, e);
                return Ok(());
            }
            _ => {
                self.report(MessageCode::DataFailed, "no drawings");
                return Ok(());
            }
        };
        self.train = Some(train);
        self.test = Some(test);
        self.post_data();
        if let Some(engine) = self.tuned.as_mut() {
            let mlp = engine.model().await?;
            self.load_data_into_tuned(&mlp).await?;
        }
        Ok(())
    }

    /// The freezing panel's figures: gradient norms of the last step, ‖ΔW‖ since the phase began,
    /// momentum norms, and the kernels the last step launched.
    async fn tensors(&mut self) -> Result<(), EngineError> {
        let start = self.phase_start.clone();
        let Some(engine) = self.tuned.as_mut() else {
            return Ok(());
        };
        let model = engine.model().await?;
        let state = engine.optimizer_state().await?;
        let launches: Vec<KernelLaunch> = engine.last_step_kernels();
        // The trace is valid right after a step; after an evaluation or a change it is not, and the
        // trainable tensors' gradient norms are then unknown (frozen ones are 0 either way).
        let trace = if launches.is_empty() {
            None
        } else {
            match engine.trace().await {
                Ok(t) => Some(t),
                Err(EngineError::InvalidInput(_)) => None,
                Err(e) => return Err(e),
            }
        };
        let mut rows = Vec::new();
        for (l, layer) in model.layers.iter().enumerate() {
            let grads = trace.as_ref().map(|t| &t.gradients[l]);
            let before = start.as_ref().and_then(|m| m.layers.get(l));
            for (k, (values, frozen, grad, old)) in [
                (
                    &layer.weight,
                    layer.weight_frozen,
                    grads.and_then(|g| g.weight.as_ref()),
                    before.map(|b| &b.weight),
                ),
                (
                    &layer.bias,
                    layer.bias_frozen,
                    grads.and_then(|g| g.bias.as_ref()),
                    before.map(|b| &b.bias),
                ),
            ]
            .into_iter()
            .enumerate()
            {
                let opt = &state[2 * l + k];
                rows.push(TensorRow {
                    name: opt.name.clone(),
                    count: values.len(),
                    frozen,
                    grad_norm: match grad {
                        Some(g) => Some(l2_norm(g)),
                        None if frozen => Some(0.0),
                        None => None,
                    },
                    // A new head has no "before" of its shape: its change is measured from its init.
                    weight_change: old.and_then(|o| l2_distance(values, o)).unwrap_or(0.0),
                    momentum_norm: l2_norm(&opt.momentum),
                });
            }
        }
        let shares = KernelLaunch::shares(&launches);
        // The GPU engine's plan, which both engines list.
        let dispatches = KernelLaunch::dispatches(&launches);
        self.out.post(&FtEvent::Tensors {
            rows,
            kernels: launches
                .into_iter()
                .zip(shares)
                .map(|(k, share)| KernelRow {
                    kernel: k.kernel.into(),
                    task: k.task,
                    share,
                    dispatch: k.dispatch,
                })
                .collect(),
            dispatches,
            fc1_digest: fnv1a(&f32_bytes(&model.layers[0].weight)),
        });
        Ok(())
    }

    async fn set_frozen(
        &mut self,
        slot: Slot,
        layer: usize,
        frozen: bool,
    ) -> Result<(), EngineError> {
        let Some(engine) = self.slot(slot) else {
            self.report(MessageCode::NotReady, "no model is loaded");
            return Ok(());
        };
        engine.set_frozen(layer, frozen)?;
        let model = engine.model().await?;
        self.post_model(slot, &model);
        if slot == Slot::Tuned {
            self.tensors().await?;
        }
        Ok(())
    }

    async fn replace_head(
        &mut self,
        slot: Slot,
        classes: usize,
        seed: u64,
    ) -> Result<(), EngineError> {
        let gpu = self.gpu.for_kind(self.kind).cloned();
        let augmentation = self.augmentation;
        let Some(engine) = self.slot(slot) else {
            self.report(MessageCode::NotReady, "no model is loaded");
            return Ok(());
        };
        let mut model = engine.model().await?;
        model.replace_head(classes, seed)?;
        // set_model checks the data still fits; with drawn symbols the data may only now fit.
        match engine.set_model(&model) {
            Ok(()) => {}
            Err(EngineError::InvalidInput(_)) => {
                *engine = engine_for(gpu.as_ref(), &model, augmentation)?;
            }
            Err(e) => return Err(e),
        }
        self.post_model(slot, &model);
        if slot == Slot::Tuned {
            self.head_epochs = 0;
            self.phase_start = Some(model);
            self.set_data()?;
            self.evaluate(Slot::Tuned, None, 0).await?;
            self.tensors().await?;
        }
        Ok(())
    }

    async fn begin(
        &mut self,
        phase: PhaseKind,
        epochs: usize,
        lr: f32,
        momentum: f32,
        batch: usize,
        seed: u64,
    ) -> Result<(), EngineError> {
        let opt = OptimizerConfig {
            lr,
            momentum,
            ..OptimizerConfig::default()
        };
        if let Err(e) = opt.validate() {
            self.report(MessageCode::EngineFailed, e.to_string());
            return Ok(());
        }
        let Some(train_len) = self.train.as_ref().map(Dataset::len) else {
            self.report(MessageCode::NotReady, "no examples yet");
            return Ok(());
        };
        let slot = if phase == PhaseKind::Scratch {
            Slot::Scratch
        } else {
            Slot::Tuned
        };
        let Some(tuned) = self.tuned.as_mut() else {
            self.report(MessageCode::NotReady, "no model is loaded");
            return Ok(());
        };
        let mut model = tuned.model().await?;
        match phase {
            PhaseKind::Scratch => {
                let w = model.widths();
                let fresh = Mlp::new(w[0], &w[1..w.len() - 1], w[w.len() - 1], seed)?;
                self.scratch = Some(engine_for(
                    self.gpu.for_kind(self.kind),
                    &fresh,
                    self.augmentation,
                )?);
                self.set_data()?;
                self.post_model(Slot::Scratch, &fresh);
            }
            PhaseKind::Full => {
                for l in 0..model.layers.len() {
                    tuned.set_frozen(l, false)?;
                    model.unfreeze(l)?;
                }
                tuned.reset_optimizer_state()?;
                self.post_model(Slot::Tuned, &model);
                self.phase_start = Some(model);
            }
            PhaseKind::Head => {
                tuned.reset_optimizer_state()?;
                self.phase_start = Some(model);
            }
        }
        if train_len == 0 || epochs == 0 {
            return Ok(());
        }
        let batch = batch.clamp(1, MAX_ROWS);
        let epoch_offset = if phase == PhaseKind::Full {
            self.head_epochs
        } else {
            0
        };
        // The phase's seed also seeds the flips and crops (the CIFAR-10 program).
        if let Some(aug) = self.augmentation.as_mut() {
            aug.seed = seed;
        }
        let augmentation = self.augmentation;
        if let Some(engine) = self.slot(slot) {
            engine.set_augmentation(augmentation)?;
        }
        self.run = Some(Run {
            phase,
            slot,
            epochs,
            epoch: 0,
            steps: 0,
            batch,
            seed,
            opt,
            batches: EpochBatches::new(train_len, batch, seed, epoch_offset),
            index: 0,
            train_len,
            epoch_offset,
        });
        Ok(())
    }

    /// One burst of steps of the running phase; evaluates at the end of every epoch. A failure stops
    /// the phase and says so (the page's phase line must not stay "running").
    async fn burst(&mut self) -> Result<(), EngineError> {
        let Some(mut run) = self.run.take() else {
            return Ok(());
        };
        match self.burst_steps(&mut run).await {
            Ok(true) => {
                self.run = Some(run);
                Ok(())
            }
            Ok(false) => Ok(()),
            Err(e) => {
                self.out.post(&stopped(&run, f32::NAN));
                Err(e)
            }
        }
    }

    /// Runs steps for about [`BURST_SECONDS`]; returns whether the phase continues.
    async fn burst_steps(&mut self, run: &mut Run) -> Result<bool, EngineError> {
        let t0 = now();
        let mut epoch_done = false;
        let Some(engine) = self.slot(run.slot) else {
            return Ok(false);
        };
        while now() - t0 < BURST_SECONDS && !epoch_done {
            engine.train_step(run.batches.batch(run.index), &run.opt)?;
            run.index += 1;
            run.steps += 1;
            if run.index >= run.batches.len() {
                run.epoch += 1;
                run.index = 0;
                epoch_done = true;
                run.batches = EpochBatches::new(
                    run.train_len,
                    run.batch,
                    run.seed,
                    run.epoch_offset + run.epoch,
                );
            }
        }
        let losses = engine.take_losses().await?;
        let loss = kernels::training::mean(&losses);
        let classes = engine.widths().last().copied().unwrap_or(2);
        if losses
            .iter()
            .any(|&l| kernels::training::diverged(l, classes))
        {
            self.report(
                MessageCode::Diverged,
                format!("learning rate {}", run.opt.lr),
            );
            self.out.post(&stopped(run, loss));
            return Ok(false);
        }
        let finished = run.epoch >= run.epochs;
        if epoch_done {
            if run.phase == PhaseKind::Head {
                self.head_epochs += 1;
            }
            // The trace is read before the evaluation, which reuses the step's buffers.
            if run.slot == Slot::Tuned {
                self.tensors().await?;
            }
            self.evaluate(run.slot, Some(run.phase), run.epoch).await?;
        }
        self.out.post(&FtEvent::Progress {
            phase: run.phase,
            epoch: run.epoch,
            epochs: run.epochs,
            steps: run.steps,
            loss,
            running: !finished,
        });
        Ok(!finished)
    }

    async fn command(&mut self, msg: FtToWorker) -> Result<(), EngineError> {
        match msg {
            FtToWorker::Load {
                scenario,
                engine: _,
                per_class,
                test,
                model,
            } => self.load(scenario, per_class, test, model).await,
            FtToWorker::UseDrawn {
                classes,
                train,
                test,
            } => self.use_drawn(classes, train, test).await,
            FtToWorker::SetFrozen {
                slot,
                layer,
                frozen,
            } => self.set_frozen(slot, layer, frozen).await,
            FtToWorker::ReplaceHead {
                slot,
                classes,
                seed,
            } => self.replace_head(slot, classes, seed).await,
            FtToWorker::Train {
                phase,
                epochs,
                lr,
                momentum,
                batch,
                seed,
            } => self.begin(phase, epochs, lr, momentum, batch, seed).await,
            FtToWorker::Pause => {
                if let Some(run) = self.run.take() {
                    self.out.post(&stopped(&run, f32::NAN));
                }
                Ok(())
            }
        }
    }
}

/// The progress event of a phase that stopped early.
fn stopped(run: &Run, loss: f32) -> FtEvent {
    FtEvent::Progress {
        phase: run.phase,
        epoch: run.epoch,
        epochs: run.epochs,
        steps: run.steps,
        loss,
        running: false,
    }
}

fn f32_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

impl LessonWorker for Worker {
    type Protocol = FtProtocol;

    fn new(out: Outbox<FtProtocol>) -> Self {
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
        }
    }

    fn out(&self) -> &Outbox<FtProtocol> {
        &self.out
    }

    async fn handle(&mut self, command: FtToWorker) -> Result<(), EngineError> {
        if !self.started {
            // The first command (the page's Load) carries the engine preference.
            let pref = match &command {
                FtToWorker::Load { engine, .. } => *engine,
                _ => EnginePreference::Auto,
            };
            self.start_engine(pref).await;
        }
        self.command(command).await
    }

    async fn answer(&mut self, query: FtQuery) -> Result<FtReply, EngineError> {
        match query {
            FtQuery::Export { slot } => {
                let Some(engine) = self.slot(slot) else {
                    return Ok(FtReply::Failed(message(
                        MessageCode::NotReady,
                        "no model is loaded",
                    )));
                };
                let mut model = engine.model().await?;
                for l in 0..model.layers.len() {
                    let _ = model.unfreeze(l);
                }
                Ok(match model.to_safetensors() {
                    Ok(bytes) => FtReply::Model(ByteBuf::from(bytes)),
                    Err(e) => FtReply::Failed(message(MessageCode::EngineFailed, e.to_string())),
                })
            }
        }
    }

    fn failed(message: WorkerMessage) -> FtReply {
        FtReply::Failed(message)
    }

    fn error(message: WorkerMessage) -> FtEvent {
        FtEvent::Error(message)
    }

    async fn idle(&mut self) -> Result<bool, EngineError> {
        if self.run.is_none() {
            return Ok(false);
        }
        self.burst().await?;
        Ok(true)
    }

    fn stop(&mut self) {
        self.run = None;
    }
}
