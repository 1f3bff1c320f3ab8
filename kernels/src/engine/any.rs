//! [`AnyEngine`]: the one engine chosen at run time. The [`Engine`] trait has async methods, so it cannot
//! be a trait object; this enum implements it by delegation instead, and the app's lesson workers and the
//! `backprop-lab` binary both hold one (before it each kept its own wrapper and forwarding macro).

use super::{
    Engine, EngineInfo, EngineKind, Evaluation, KernelLaunch, OptimizerConfig, StepTrace,
    TensorOptimizerState,
};
use crate::dataset::{Dataset, Split};
use crate::engine::cpu::CpuEngine;
use crate::engine::gpu::{GpuContext, GpuEngine};
use crate::error::EngineError;
use crate::model::Mlp;
use crate::ops::gather_normalize::Augmentation;

/// The engine that runs a model: the WGSL kernels, the CPU engine, or burn (feature `burn`).
pub enum AnyEngine {
    /// Hand-written WGSL kernels through wgpu.
    Gpu(Box<GpuEngine>),
    /// The CPU engine.
    Cpu(Box<CpuEngine>),
    /// burn's tensors and autodiff on a wgpu device.
    #[cfg(feature = "burn")]
    Burn(Box<crate::engine::burn::BurnEngine>),
}

/// Runs `$body` with `$e` bound to whichever engine `$any` holds (the one place that lists them).
macro_rules! delegate {
    ($any:expr, $e:ident => $body:expr) => {
        match $any {
            AnyEngine::Gpu($e) => $body,
            AnyEngine::Cpu($e) => $body,
            #[cfg(feature = "burn")]
            AnyEngine::Burn($e) => $body,
        }
    };
}

impl AnyEngine {
    /// The engine of `kind` for `model` and batches of up to `max_rows`. The GPU and burn engines run on
    /// `gpu`'s device; without one they fail with [`EngineError::NoAdapter`].
    pub fn new(
        kind: EngineKind,
        gpu: Option<&GpuContext>,
        model: &Mlp,
        max_rows: usize,
    ) -> Result<Self, EngineError> {
        let device = || {
            gpu.ok_or_else(|| {
                EngineError::NoAdapter(format!("the {kind} engine needs a GPU adapter"))
            })
        };
        Ok(match kind {
            EngineKind::Cpu => Self::Cpu(Box::new(CpuEngine::new(model, max_rows)?)),
            EngineKind::Gpu => Self::Gpu(Box::new(GpuEngine::new(device()?, model, max_rows)?)),
            #[cfg(feature = "burn")]
            EngineKind::Burn => Self::Burn(Box::new(crate::engine::burn::BurnEngine::new(
                device()?,
                model,
                max_rows,
            )?)),
            #[cfg(not(feature = "burn"))]
            EngineKind::Burn => {
                return Err(EngineError::InvalidInput(
                    "this build has no burn engine (feature `burn`)".into(),
                ));
            }
        })
    }

    /// The WGSL kernels on `gpu` when given, else the CPU engine.
    pub fn gpu_or_cpu(
        gpu: Option<&GpuContext>,
        model: &Mlp,
        max_rows: usize,
    ) -> Result<Self, EngineError> {
        let kind = if gpu.is_some() {
            EngineKind::Gpu
        } else {
            EngineKind::Cpu
        };
        Self::new(kind, gpu, model, max_rows)
    }

    /// Which engine this is.
    pub fn kind(&self) -> EngineKind {
        self.info().kind
    }

    /// The WGSL engine, when that is what runs (its tuning and device are not part of [`Engine`]).
    pub fn as_gpu(&mut self) -> Option<&mut GpuEngine> {
        match self {
            Self::Gpu(e) => Some(e),
            _ => None,
        }
    }

    /// [`Engine::set_data`] for both splits.
    pub fn set_splits(&mut self, train: &Dataset, test: &Dataset) -> Result<(), EngineError> {
        self.set_data(Split::Train, train)?;
        self.set_data(Split::Test, test)
    }

    /// Replaces the model and restores its optimiser state (a rollback, a resume, an import).
    pub fn restore(
        &mut self,
        model: &Mlp,
        optimizer: &[TensorOptimizerState],
    ) -> Result<(), EngineError> {
        self.set_model(model)?;
        self.set_optimizer_state(optimizer)
    }
}

impl Engine for AnyEngine {
    fn info(&self) -> &EngineInfo {
        delegate!(self, e => e.info())
    }
    fn widths(&self) -> Vec<usize> {
        delegate!(self, e => e.widths())
    }
    fn max_rows(&self) -> usize {
        delegate!(self, e => e.max_rows())
    }
    fn set_data(&mut self, split: Split, data: &Dataset) -> Result<(), EngineError> {
        delegate!(self, e => e.set_data(split, data))
    }
    fn train_step(&mut self, rows: &[u32], opt: &OptimizerConfig) -> Result<(), EngineError> {
        delegate!(self, e => e.train_step(rows, opt))
    }
    fn set_privacy(&mut self, dp: Option<crate::ops::dp::DpConfig>) -> Result<(), EngineError> {
        delegate!(self, e => e.set_privacy(dp))
    }
    fn train_step_part(
        &mut self,
        rows: &[u32],
        opt: &OptimizerConfig,
        part: super::StepPart,
    ) -> Result<(), EngineError> {
        delegate!(self, e => e.train_step_part(rows, opt, part))
    }
    async fn take_losses(&mut self) -> Result<Vec<f32>, EngineError> {
        delegate!(self, e => e.take_losses().await)
    }
    async fn evaluate(&mut self, limit: Option<usize>) -> Result<Evaluation, EngineError> {
        delegate!(self, e => e.evaluate(limit).await)
    }
    async fn model(&mut self) -> Result<Mlp, EngineError> {
        delegate!(self, e => e.model().await)
    }
    fn set_model(&mut self, model: &Mlp) -> Result<(), EngineError> {
        delegate!(self, e => e.set_model(model))
    }
    fn set_freezing(&mut self, freezing: super::Freezing) -> Result<(), EngineError> {
        delegate!(self, e => e.set_freezing(freezing))
    }
    fn set_frozen(&mut self, layer: usize, frozen: bool) -> Result<(), EngineError> {
        delegate!(self, e => e.set_frozen(layer, frozen))
    }
    async fn trace(&mut self) -> Result<StepTrace, EngineError> {
        delegate!(self, e => e.trace().await)
    }
    fn set_augmentation(&mut self, augmentation: Option<Augmentation>) -> Result<(), EngineError> {
        delegate!(self, e => e.set_augmentation(augmentation))
    }
    fn last_step_kernels(&self) -> Vec<KernelLaunch> {
        delegate!(self, e => e.last_step_kernels())
    }
    fn last_step_dispatches(&self) -> usize {
        delegate!(self, e => e.last_step_dispatches())
    }
    fn reset_optimizer_state(&mut self) -> Result<(), EngineError> {
        delegate!(self, e => e.reset_optimizer_state())
    }
    async fn optimizer_state(&mut self) -> Result<Vec<TensorOptimizerState>, EngineError> {
        delegate!(self, e => e.optimizer_state().await)
    }
    fn set_optimizer_state(&mut self, state: &[TensorOptimizerState]) -> Result<(), EngineError> {
        delegate!(self, e => e.set_optimizer_state(state))
    }
    async fn predict(&mut self, inputs: &[f32], rows: usize) -> Result<Vec<f32>, EngineError> {
        delegate!(self, e => e.predict(inputs, rows).await)
    }
    async fn input_gradients(
        &mut self,
        inputs: &[f32],
        labels: &[u32],
        target: super::InputGradient,
    ) -> Result<Vec<f32>, EngineError> {
        delegate!(self, e => e.input_gradients(inputs, labels, target).await)
    }
    async fn replace_head(&mut self, classes: usize, seed: u64) -> Result<(), EngineError> {
        delegate!(self, e => e.replace_head(classes, seed).await)
    }
}
