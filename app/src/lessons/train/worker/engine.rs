//! Which engine "Train a network" runs on: the runtime's policy applied at start-up, both engines
//! measured on a software adapter and the session moved to WebGPU between two steps when it is faster,
//! what the page is told about it, and the matrix-product kernels timed for the run's shapes.

use kernels::dataset::{Dataset, Split};
use kernels::engine::StepShape;
use kernels::training::EpochBatches;
use kernels::{AnyEngine, Engine, EngineError, EngineKind, Mlp};

use super::{MAX_ROWS, Worker};
use crate::lessons::train::protocol::{
    EngineMeasurement, Event, GemmChoice, MessageCode, WorkerMessage,
};
use crate::lessons::train::setup::Setup;
use crate::protocol::EngineAnnounce;
use crate::runtime::engine;
use crate::runtime::now;

impl Worker {
    /// A new engine of `kind` for `model` on this worker's device.
    pub(super) fn new_engine(
        &self,
        model: &Mlp,
        kind: EngineKind,
    ) -> Result<AnyEngine, EngineError> {
        AnyEngine::new(kind, self.gpu.for_kind(kind), model, MAX_ROWS)
    }

    /// Tells the page which engine runs, on what, why, and what was measured.
    pub(super) fn announce(&self) {
        let kind = self.session.as_ref().map_or(self.kind, |s| s.engine.kind());
        // The CPU engine goes by the runtime's name for it (a phrase the page translates), not by the
        // engine's own English detail.
        let adapter = match &self.session {
            Some(s) if kind != EngineKind::Cpu => s.engine.info().adapter.clone(),
            _ => self.gpu.adapter(kind),
        };
        let adapter = if kind == EngineKind::Gpu && adapter.trim().is_empty() {
            self.gpu.label.clone()
        } else {
            adapter
        };
        self.out
            .post(&Event::Measurements(self.measurements.clone()));
        self.out.engine(EngineAnnounce {
            kind,
            adapter,
            note: self.note.clone(),
        });
    }

    /// Chooses the engine once the first chunk is in (the runtime's policy; this lesson measures a
    /// software adapter against the CPU engine).
    pub(super) fn choose_engine(&mut self, config: &Setup) {
        let choice = engine::choose(config.engine, &self.gpu, true);
        self.kind = choice.kind;
        self.note = choice.note;
        self.measure_pending = choice.measure;
    }

    /// Samples/second of an engine on the first loaded chunk, over about a second.
    pub(super) async fn measure(
        &self,
        kind: EngineKind,
        config: &Setup,
        train: &Dataset,
    ) -> Result<f64, EngineError> {
        let model = Mlp::new(
            train.features(),
            &config.hidden,
            train.classes(),
            config.seed,
        )?;
        let mut e = self.new_engine(&model, kind)?;
        let batches = EpochBatches::new(train.len(), config.batch, config.seed, 0);
        let opt = config.optimizer_config();
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
    }

    /// Measures both engines on the first 2,000 training images (about a second each) and moves the
    /// session to WebGPU if it is faster, keeping weights, optimiser state and position: a switch between
    /// two steps. Says what was measured and chosen.
    pub(super) async fn measure_in_background(&mut self) -> Result<(), EngineError> {
        self.measure_pending = false;
        let Some(config) = self.session.as_ref().map(|s| s.config.clone()) else {
            return Ok(());
        };
        let name = self.gpu.label.clone();
        let Some(train) = self.loaded.borrow().train.clone() else {
            return Ok(());
        };
        let sample = train.take(2_000);
        let gpu = self.measure(EngineKind::Gpu, &config, &sample).await;
        let cpu = self.measure(EngineKind::Cpu, &config, &sample).await;
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
                kind: EngineKind::Gpu,
                adapter: name.clone(),
                samples_per_second: g,
            },
            EngineMeasurement {
                kind: EngineKind::Cpu,
                adapter: String::new(),
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
        let model = s.engine.model().await?;
        let optimizer = s.engine.optimizer_state().await?;
        let mut engine = AnyEngine::new(EngineKind::Gpu, self.gpu.ctx.as_ref(), &model, MAX_ROWS)?;
        engine.set_optimizer_state(&optimizer)?;
        s.engine = engine;
        s.data_version = 0;
        self.kind = EngineKind::Gpu;
        self.note = WorkerMessage::new(
            MessageCode::SwitchedToGpu,
            format!("{figures}; at step {}", s.step),
        );
        self.sync_data()?;
        self.tune_gemm().await
    }

    /// On WebGPU, times both matrix-product kernels on this model's shapes at the run's batch size (at most
    /// 0.3 s of timed dispatches; a shape is timed once per device, its choice kept on the GPU context for
    /// every later engine).
    pub(super) async fn tune_gemm(&mut self) -> Result<(), EngineError> {
        let Some(s) = self.session.as_mut() else {
            return Ok(());
        };
        let out = self.out.clone();
        if let Some(e) = s.engine.as_gpu() {
            let timings = e
                .tune(s.config.batch, &now, kernels::engine::gpu::TUNE_SECONDS)
                .await?;
            // This lesson never freezes a layer.
            let widths = e.widths();
            let shape = StepShape {
                rows: s.config.batch,
                optimizer: s.opt.kind,
                frozen: vec![(false, false); widths.len() - 1],
                widths,
            };
            out.post(&Event::Kernels {
                // The step plan with the kernels just chosen (a split product takes two dispatches).
                dispatches: e.step_plan(&shape).dispatches(),
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
                crate::runtime::info(&format!(
                    "Backprop Lab: {} {}×{}×{}: {:?} (seconds per variant {:?})",
                    t.role, t.params.m, t.params.n, t.params.k, t.chosen, t.seconds
                ));
            }
        }
        Ok(())
    }
}
