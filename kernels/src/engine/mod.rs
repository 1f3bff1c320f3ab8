//! The engine interface shared by the WebGPU/wgpu engine and the CPU engine, and the types that cross it.

mod any;
#[cfg(feature = "burn")]
pub mod burn;
pub mod cpu;
pub mod gpu;
mod launches;
mod plan;
mod preference;

pub use any::AnyEngine;
pub use launches::{KernelLaunch, StepShape, Task};
pub use plan::{Group, Launch, Pass, Privacy, StepOptions, StepPlan};
pub use preference::Preference;

use crate::dataset::{Dataset, Split};
use crate::error::EngineError;
use crate::model::Mlp;

/// Which implementation runs the kernels (it crosses the lessons' worker protocol as it is).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum EngineKind {
    /// Hand-written WGSL compute shaders through wgpu (WebGPU, Vulkan, Metal, DX12).
    Gpu,
    /// The CPU engine (matrixmultiply sgemm on rayon threads + the reference element-wise kernels).
    Cpu,
    /// burn's tensors and autodiff on the same wgpu device (feature `burn`).
    Burn,
}

impl std::fmt::Display for EngineKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Gpu => "gpu",
            Self::Cpu => "cpu",
            Self::Burn => "burn",
        })
    }
}

/// What an engine runs on, always reported to the caller (and shown on screen).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineInfo {
    /// The engine.
    pub kind: EngineKind,
    /// Adapter name (`llvmpipe (LLVM …)`, `NVIDIA H200`, or the CPU engine's description).
    pub adapter: String,
    /// Backend (`Vulkan`, `BrowserWebGpu`, `cpu`).
    pub backend: String,
    /// True for a software rasteriser posing as a GPU (lavapipe, SwiftShader).
    pub software: bool,
}

impl std::fmt::Display for EngineInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} engine on {} ({})",
            self.kind, self.adapter, self.backend
        )?;
        if self.software {
            f.write_str(", a software adapter")?;
        }
        Ok(())
    }
}

pub use crate::ops::optim::OptimizerKind;

/// What a training step does with a frozen tensor.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Freezing {
    /// Its gradient is not computed and the optimiser skips it, as PyTorch does for a parameter with
    /// `requires_grad = False` (`p.grad` is None): the tensor stays bit-identical and the work is saved.
    #[default]
    Skip,
    /// Its gradient is not computed but taken as zero, and the optimiser still updates it, as
    /// `p.grad.zero_()` before `optimizer.step()` does: momentum and weight decay still move it.
    ZeroGradient,
}

/// Optimiser hyperparameters; they may change between steps (learning rate and momentum mid-run). Its
/// serde form (field by field) is what the lessons' worker protocols carry.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OptimizerConfig {
    /// Which optimiser.
    pub kind: OptimizerKind,
    /// Learning rate.
    pub lr: f32,
    /// Momentum μ: SGD's, Nesterov's and RMSprop's.
    pub momentum: f32,
    /// Adam's and AdamW's β1.
    pub beta1: f32,
    /// Adam's and AdamW's β2; RMSprop's smoothing constant α.
    pub beta2: f32,
    /// ε: AdaGrad's, RMSprop's, Adam's and AdamW's.
    pub eps: f32,
    /// Weight decay: L2 (added to the gradient) for every rule but AdamW, whose decay is decoupled.
    pub weight_decay: f32,
}

impl Default for OptimizerConfig {
    /// The seed recipe: SGD, lr 0.01, momentum 0.5.
    fn default() -> Self {
        Self {
            kind: OptimizerKind::Sgd,
            lr: 0.01,
            momentum: 0.5,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
        }
    }
}

impl OptimizerConfig {
    /// `kind` with PyTorch's defaults (SGD: no momentum; Nesterov: μ 0.9, which it needs; AdaGrad:
    /// ε 1e-10; RMSprop: α 0.99, ε 1e-8; Adam: β 0.9, 0.999, ε 1e-8; AdamW: the same and weight
    /// decay 0.01) and learning rate `lr`.
    pub fn pytorch(kind: OptimizerKind, lr: f32) -> Self {
        let base = Self {
            kind,
            lr,
            momentum: 0.0,
            ..Self::default()
        };
        match kind {
            OptimizerKind::Sgd | OptimizerKind::Adam => base,
            OptimizerKind::Nesterov => Self {
                momentum: 0.9,
                ..base
            },
            OptimizerKind::Adagrad => Self { eps: 1e-10, ..base },
            OptimizerKind::Rmsprop => Self {
                beta2: 0.99,
                ..base
            },
            OptimizerKind::AdamW => Self {
                weight_decay: 0.01,
                ..base
            },
        }
    }

    /// The rule's hyperparameters as the update kernel and [`crate::ops::optim`] take them.
    pub fn hyper(&self) -> crate::ops::optim::Hyper {
        let beta1 = match self.kind {
            OptimizerKind::Sgd | OptimizerKind::Nesterov | OptimizerKind::Rmsprop => self.momentum,
            OptimizerKind::Adagrad => 0.0,
            OptimizerKind::Adam | OptimizerKind::AdamW => self.beta1,
        };
        let beta2 = match self.kind {
            OptimizerKind::Rmsprop | OptimizerKind::Adam | OptimizerKind::AdamW => self.beta2,
            _ => 0.0,
        };
        crate::ops::optim::Hyper::new(beta1, beta2, self.eps, self.weight_decay)
    }

    /// Adam with PyTorch's defaults and learning rate `lr`.
    pub fn adam(lr: f32) -> Self {
        Self {
            kind: OptimizerKind::Adam,
            lr,
            ..Self::default()
        }
    }

    /// Rejects values that cannot train: non-finite, negative, a learning rate above 10, momentum or
    /// betas outside [0, 1).
    pub fn validate(&self) -> Result<(), EngineError> {
        let bad = |what: &str, v: f32, range: &str| {
            Err(EngineError::Hyperparameter(format!(
                "{what} is {v}; it must be {range}"
            )))
        };
        if !(self.lr > 0.0 && self.lr <= 10.0) {
            return bad("the learning rate", self.lr, "in (0, 10]");
        }
        if !(0.0..1.0).contains(&self.momentum) {
            return bad("momentum", self.momentum, "in [0, 1)");
        }
        if self.kind == OptimizerKind::Nesterov && self.momentum <= 0.0 {
            return bad("Nesterov's momentum", self.momentum, "in (0, 1)");
        }
        if !(0.0..1.0).contains(&self.beta1) || !(0.0..1.0).contains(&self.beta2) {
            return bad(
                "a beta (or RMSprop's alpha)",
                if (0.0..1.0).contains(&self.beta1) {
                    self.beta2
                } else {
                    self.beta1
                },
                "in [0, 1)",
            );
        }
        if !(self.eps > 0.0 && self.eps < 1.0) {
            return bad("epsilon", self.eps, "in (0, 1)");
        }
        if !(0.0..=1.0).contains(&self.weight_decay) {
            return bad("weight decay", self.weight_decay, "in [0, 1]");
        }
        Ok(())
    }
}

/// The result of evaluating a whole split.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// Mean cross-entropy.
    pub loss: f32,
    /// Correct predictions.
    pub correct: usize,
    /// Samples evaluated.
    pub total: usize,
    /// Predicted class of every sample, in order.
    pub predictions: Vec<u32>,
    /// Cross-entropy of every sample, in order (the surprise gallery ranks by it).
    pub losses: Vec<f32>,
}

impl Evaluation {
    /// Fraction correct.
    pub fn accuracy(&self) -> f32 {
        self.correct as f32 / self.total.max(1) as f32
    }

    /// `matrix[true][predicted]` counts, given the labels of the evaluated samples.
    pub fn confusion_matrix(&self, labels: &[u8], classes: usize) -> Vec<Vec<usize>> {
        let mut m = vec![vec![0; classes]; classes];
        for (&p, &l) in self.predictions.iter().zip(labels) {
            if (p as usize) < classes && usize::from(l) < classes {
                m[usize::from(l)][p as usize] += 1;
            }
        }
        m
    }
}

/// Gradients of one layer from the last step; `None` where the tensor was frozen (not computed).
#[derive(Clone, Debug, PartialEq)]
pub struct LayerGradients {
    /// `[out, in]`.
    pub weight: Option<Vec<f32>>,
    /// `[out]`.
    pub bias: Option<Vec<f32>>,
}

/// Everything about the last training step, for the lessons' panels.
#[derive(Clone, Debug, PartialEq)]
pub struct StepTrace {
    /// Rows in the batch.
    pub rows: usize,
    /// Normalised inputs `[rows, input]`.
    pub inputs: Vec<f32>,
    /// Labels of the batch.
    pub labels: Vec<u32>,
    /// Output of every layer, `[rows, width]`, post-ReLU for hidden layers; the last is the logits.
    pub activations: Vec<Vec<f32>>,
    /// Gradients of every layer.
    pub gradients: Vec<LayerGradients>,
    /// δ of every layer: the gradient of the mean loss with respect to the layer's pre-activation z,
    /// `[rows, width]`, as the backward kernels left it (the logits' is `(q − p) / rows`); `None` where
    /// the step did not compute it (below the lowest trainable layer, or an engine that does not keep it).
    pub deltas: Vec<Option<Vec<f32>>>,
    /// The parameters after the step (with frozen flags).
    pub model: Mlp,
    /// The step's mean loss.
    pub loss: f32,
    /// With DP-SGD: each example's gradient norm over all layers before clipping (empty otherwise).
    pub example_norms: Vec<f32>,
}

impl StepTrace {
    /// L2 norm of each computed gradient, named as PyTorch names the parameter.
    pub fn gradient_norms(&self) -> Vec<(String, f32)> {
        use crate::model::TensorKind;
        let norm = |v: &[f32]| {
            v.iter()
                .map(|&x| f64::from(x) * f64::from(x))
                .sum::<f64>()
                .sqrt() as f32
        };
        let mut out = Vec::new();
        for (i, g) in self.gradients.iter().enumerate() {
            if let Some(w) = &g.weight {
                out.push((Mlp::parameter_name(i, TensorKind::Weight), norm(w)));
            }
            if let Some(b) = &g.bias {
                out.push((Mlp::parameter_name(i, TensorKind::Bias), norm(b)));
            }
        }
        out
    }
}

/// Optimiser state of one parameter tensor: what PyTorch keeps in `optimizer.state[param]`.
#[derive(Clone, Debug, PartialEq)]
pub struct TensorOptimizerState {
    /// PyTorch name, e.g. `fc1.weight`.
    pub name: String,
    /// SGD's momentum buffer, or Adam's first moment (`exp_avg`); zeros before the first update.
    pub momentum: Vec<f32>,
    /// Adam's second moment (`exp_avg_sq`); zeros under SGD.
    pub second_moment: Vec<f32>,
    /// Updates applied to this tensor since its state was last reset.
    pub steps: u64,
}

/// L2 norm with f64 accumulation (gradient, weight-change and optimiser-state norms on screen).
pub fn l2_norm(v: &[f32]) -> f64 {
    v.iter()
        .map(|&x| f64::from(x) * f64::from(x))
        .sum::<f64>()
        .sqrt()
}

/// L2 norm of `a − b` (the weight change since a phase began); `None` when the shapes differ.
pub fn l2_distance(a: &[f32], b: &[f32]) -> Option<f64> {
    (a.len() == b.len()).then(|| {
        a.iter()
            .zip(b)
            .map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2))
            .sum::<f64>()
            .sqrt()
    })
}

/// A part of a training step, in the order a step runs them: the lines of PyTorch's loop
/// (`optimizer.zero_grad()` has no part: each step's gradient kernels overwrite the gradients).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum StepPart {
    /// Gather and normalise the batch (`for data, target in train_loader`).
    Gather,
    /// Every layer's forward product (`output = net(data)`).
    Forward,
    /// Softmax, cross-entropy and the logits' gradient (`loss = cross_entropy(output, target)`).
    Loss,
    /// The weight, bias and input gradients from the top down (`loss.backward()`).
    Backward,
    /// The optimiser's update of every trainable tensor (`optimizer.step()`).
    Update,
}

impl StepPart {
    /// Every part, in order.
    pub const ALL: [StepPart; 5] = [
        StepPart::Gather,
        StepPart::Forward,
        StepPart::Loss,
        StepPart::Backward,
        StepPart::Update,
    ];

    /// The part after this one (`None` after the update).
    pub fn next(self) -> Option<StepPart> {
        Self::ALL.get(self as usize + 1).copied()
    }
}

/// What [`Engine::input_gradients`] differentiates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum InputGradient {
    /// Each row's cross-entropy against its label.
    Loss,
    /// One logit (a class's score before the softmax).
    Logit(usize),
}

/// A training engine: owns the model's parameters and optimiser state, the datasets, and the buffers
/// of one step. `train_step` only encodes and submits work; results come back through the async
/// readers, which never block a browser's main thread.
#[allow(
    async_fn_in_trait,
    reason = "engines are used generically; wasm futures are not Send anyway"
)]
pub trait Engine {
    /// What the engine runs on.
    fn info(&self) -> &EngineInfo;

    /// Layer widths `[input, hidden…, classes]`.
    fn widths(&self) -> Vec<usize>;

    /// Largest batch (rows per step) the engine accepts.
    fn max_rows(&self) -> usize;

    /// Makes `data` the training or test split (uploaded once; steps gather from it by index).
    fn set_data(&mut self, split: Split, data: &Dataset) -> Result<(), EngineError>;

    /// One step of SGD/Adam on the training samples `rows` (indices into the training split):
    /// gather, forward, loss, backward (skipping frozen work), update.
    fn train_step(&mut self, rows: &[u32], opt: &OptimizerConfig) -> Result<(), EngineError>;

    /// One part of a training step, so a lesson can light each line of the loop as it runs.
    /// [`StepPart::Gather`] begins a step on `rows` with `opt`; each later part must come in order
    /// and runs that part's work; [`StepPart::Update`] completes the step, which then counts exactly as
    /// one `train_step` (its loss is logged, the step count advances). A part out of order is refused;
    /// `train_step` or a new `Gather` drops a walk in progress. The GPU engine runs the output layer's
    /// product and the loss as two dispatches here (a `train_step` fuses them in `head.wgsl`), so its
    /// results may differ from a `train_step`'s in the last bits. Engines that cannot split a step
    /// refuse.
    fn train_step_part(
        &mut self,
        rows: &[u32],
        opt: &OptimizerConfig,
        part: StepPart,
    ) -> Result<(), EngineError> {
        let _ = (rows, opt, part);
        Err(EngineError::InvalidInput(format!(
            "the {} engine runs a training step as a whole",
            self.info().kind
        )))
    }

    /// The mean losses of the steps taken since the last call (at most the last 4,096).
    async fn take_losses(&mut self) -> Result<Vec<f32>, EngineError>;

    /// Evaluates the first `limit` test samples (all when `None`).
    async fn evaluate(&mut self, limit: Option<usize>) -> Result<Evaluation, EngineError>;

    /// The current parameters and frozen flags.
    async fn model(&mut self) -> Result<Mlp, EngineError>;

    /// Replaces parameters and frozen flags (shapes may change) and resets optimiser state.
    fn set_model(&mut self, model: &Mlp) -> Result<(), EngineError>;

    /// Freezes or unfreezes a layer; a frozen tensor is neither updated nor has its optimiser state changed.
    fn set_frozen(&mut self, layer: usize, frozen: bool) -> Result<(), EngineError>;

    /// How frozen tensors are treated from the next step on. By default only [`Freezing::Skip`] is
    /// offered; the GPU and CPU engines also update frozen tensors with a zero gradient.
    fn set_freezing(&mut self, freezing: Freezing) -> Result<(), EngineError> {
        match freezing {
            Freezing::Skip => Ok(()),
            Freezing::ZeroGradient => Err(EngineError::InvalidInput(format!(
                "the {} engine only skips frozen tensors",
                self.info().kind
            ))),
        }
    }

    /// DP-SGD from the next step on (`None`: plain steps): each example's gradient clipped to norm
    /// `clip`, Gaussian noise of standard deviation `noise · clip` added to the sum, divided by the
    /// expected lot size (the caller samples the lots, e.g. [`crate::training::EpochBatches::poisson`]). Every
    /// layer must be trainable. By default refused; the GPU and CPU engines run it.
    fn set_privacy(&mut self, dp: Option<crate::ops::dp::DpConfig>) -> Result<(), EngineError> {
        match dp {
            None => Ok(()),
            Some(_) => Err(EngineError::InvalidInput(format!(
                "the {} engine does not run DP-SGD",
                self.info().kind
            ))),
        }
    }

    /// Activations, gradients and parameters of the last training step.
    async fn trace(&mut self) -> Result<StepTrace, EngineError>;

    /// Flips and crops training batches as they are gathered (`None`: plain batches). Evaluation and
    /// prediction never augment.
    fn set_augmentation(
        &mut self,
        augmentation: Option<crate::ops::gather_normalize::Augmentation>,
    ) -> Result<(), EngineError>;

    /// The kernel launches of the last training step, in order (empty before the first step).
    fn last_step_kernels(&self) -> Vec<KernelLaunch>;

    /// How many kernel dispatches the last training step took (`bench` prints it). By default one per
    /// launch; the GPU engine's is its step plan's ([`StepPlan::dispatches`]), which fuses several
    /// launches into one dispatch and gives a split-K product two.
    fn last_step_dispatches(&self) -> usize {
        self.last_step_kernels().len()
    }

    /// Zeroes every tensor's optimiser state, as a new `torch.optim` optimiser starts (the fine-tuning
    /// recipe builds one per phase).
    fn reset_optimizer_state(&mut self) -> Result<(), EngineError>;

    /// The optimiser state of every tensor, layer by layer (weight, then bias).
    async fn optimizer_state(&mut self) -> Result<Vec<TensorOptimizerState>, EngineError>;

    /// Restores every tensor's optimiser state as [`Engine::optimizer_state`] read it (a rollback to a
    /// snapshot): same tensors, same lengths, in the same order.
    fn set_optimizer_state(&mut self, state: &[TensorOptimizerState]) -> Result<(), EngineError>;

    /// Logits for `rows` already-normalised inputs (`[rows, input]`), e.g. a digit drawn on screen.
    async fn predict(&mut self, inputs: &[f32], rows: usize) -> Result<Vec<f32>, EngineError>;

    /// The gradient of each row's loss (cross-entropy against `labels`) or of one logit with respect
    /// to its normalised input, `[rows, input]`: the first layer's input-gradient product, which a
    /// training step skips. Rows are independent (each row's own loss, no 1/rows). By default refused;
    /// the GPU and CPU engines compute it.
    async fn input_gradients(
        &mut self,
        inputs: &[f32],
        labels: &[u32],
        target: InputGradient,
    ) -> Result<Vec<f32>, EngineError> {
        let _ = (inputs, labels, target);
        Err(EngineError::InvalidInput(format!(
            "the {} engine does not compute input gradients",
            self.info().kind
        )))
    }

    /// Replaces the output layer by a fresh one with `classes` outputs (PyTorch init from `seed`),
    /// keeping the other layers and their frozen flags; optimiser state starts afresh.
    async fn replace_head(&mut self, classes: usize, seed: u64) -> Result<(), EngineError> {
        let mut model = self.model().await?;
        model.replace_head(classes, seed)?;
        self.set_model(&model)
    }
}

/// The optimiser state of `model` before any update (zero moments, no steps), tensor by tensor as
/// [`Engine::optimizer_state`] lists them: what a snapshot of a fresh model holds.
pub fn fresh_optimizer_state(model: &Mlp) -> Vec<TensorOptimizerState> {
    use crate::model::TensorKind;
    model
        .layers
        .iter()
        .enumerate()
        .flat_map(|(l, layer)| {
            [
                (
                    Mlp::parameter_name(l, TensorKind::Weight),
                    layer.weight.len(),
                ),
                (Mlp::parameter_name(l, TensorKind::Bias), layer.bias.len()),
            ]
        })
        .map(|(name, n)| TensorOptimizerState {
            name,
            momentum: vec![0.0; n],
            second_moment: vec![0.0; n],
            steps: 0,
        })
        .collect()
}

/// Checks that `state` matches the model's tensors (names and lengths, in order).
pub(crate) fn check_optimizer_state(
    model: &Mlp,
    state: &[TensorOptimizerState],
) -> Result<(), EngineError> {
    let expected = fresh_optimizer_state(model);
    let fits = expected.len() == state.len()
        && expected.iter().zip(state).all(|(e, s)| {
            e.name == s.name
                && s.momentum.len() == e.momentum.len()
                && s.second_moment.len() == e.momentum.len()
        });
    if fits {
        Ok(())
    } else {
        Err(EngineError::InvalidInput(
            "the optimiser state does not match the model's tensors".into(),
        ))
    }
}

/// Checks a batch of training indices against the split size and the engine's capacity.
/// Whether `part` may run now, given the part a walk in progress runs next (`None`: no walk).
pub(crate) fn check_part_order(next: Option<StepPart>, part: StepPart) -> Result<(), EngineError> {
    match next {
        None => Err(EngineError::InvalidInput(format!(
            "{part:?} needs a step begun by Gather"
        ))),
        Some(next) if next != part => Err(EngineError::InvalidInput(format!(
            "the step in progress runs {next:?} next, not {part:?}"
        ))),
        Some(_) => Ok(()),
    }
}

/// DP-SGD clips each example's gradient over every layer: a frozen tensor would leave its share out.
pub(crate) fn check_dp_trainable(dp: bool, model: &Mlp) -> Result<(), EngineError> {
    if dp
        && model
            .layers
            .iter()
            .any(|l| l.weight_frozen || l.bias_frozen)
    {
        return Err(EngineError::InvalidInput(
            "DP-SGD trains every layer: unfreeze them first".into(),
        ));
    }
    Ok(())
}

/// Checks an input-gradient request: `rows` labels, `rows × input` inputs, a logit that exists,
/// labels that are classes.
pub(crate) fn check_input_gradient_request(
    inputs: usize,
    rows: usize,
    input: usize,
    classes: usize,
    labels: &[u32],
    target: InputGradient,
) -> Result<(), EngineError> {
    if rows == 0 || inputs != rows * input {
        return Err(EngineError::InvalidInput(format!(
            "{inputs} inputs for {rows} labelled rows of {input}"
        )));
    }
    if let InputGradient::Logit(c) = target
        && c >= classes
    {
        return Err(EngineError::InvalidInput(format!(
            "logit {c} of a model with {classes} classes"
        )));
    }
    if let Some(bad) = labels.iter().find(|&&l| l as usize >= classes) {
        return Err(EngineError::InvalidInput(format!(
            "label {bad} of a model with {classes} classes"
        )));
    }
    Ok(())
}

pub(crate) fn check_rows(rows: &[u32], samples: usize, max_rows: usize) -> Result<(), EngineError> {
    if rows.is_empty() || rows.len() > max_rows {
        return Err(EngineError::InvalidInput(format!(
            "a batch of {} rows; the engine takes 1 to {max_rows}",
            rows.len()
        )));
    }
    if samples == 0 {
        return Err(EngineError::InvalidInput(
            "no training data has been set".into(),
        ));
    }
    if let Some(&bad) = rows.iter().find(|&&r| r as usize >= samples) {
        return Err(EngineError::InvalidInput(format!(
            "sample {bad} is past the training set's {samples} samples"
        )));
    }
    Ok(())
}

/// Checks that data with `features` per sample and `classes` classes fits a model of `widths`: the one
/// check every engine makes in `set_data` and again in `set_model` (a new head or a loaded model).
pub(crate) fn check_data_fits(
    features: usize,
    classes: usize,
    widths: &[usize],
) -> Result<(), EngineError> {
    let (input, outputs) = (widths[0], widths[widths.len() - 1]);
    if features != input {
        return Err(EngineError::InvalidInput(format!(
            "the dataset has {features} features per sample but the model takes {input}"
        )));
    }
    if classes > outputs {
        return Err(EngineError::InvalidInput(format!(
            "the dataset has {classes} classes but the model's head has {outputs} outputs"
        )));
    }
    Ok(())
}
