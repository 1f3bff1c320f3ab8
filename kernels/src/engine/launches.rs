//! The launches of a training step as data: which kernels run, what each computes, and which GPU
//! dispatch does it. Lessons list them to show that freezing skips work; `bench` counts dispatches.

use super::OptimizerKind;
use super::plan::{StepOptions, StepPlan};
use crate::model::Mlp;

/// One kernel launch of the last training step: what a lesson lists to show that freezing skips work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelLaunch {
    /// The kernel (`linear.wgsl::gemm`, `update.wgsl`, …); the CPU engine lists the same launches.
    pub kernel: &'static str,
    /// What the launch computes, as data (a page translates it).
    pub task: Task,
    /// What the launch computes in English, e.g. `fc2.weight gradient (dW = dYᵀ·X)`.
    pub purpose: String,
    /// Multiply-adds count twice; element-wise kernels count one operation per element.
    pub flops: u64,
    /// Which of the step's GPU dispatches does it (0-based): launches fused into one kernel share it.
    pub dispatch: usize,
}

/// What one launch of a training step computes (layer 0 is fc1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Task {
    /// Gather and normalise the batch.
    Gather,
    /// A layer's forward product (with bias and ReLU).
    Forward {
        /// Layer.
        layer: usize,
    },
    /// Softmax, cross-entropy and the logits' gradient.
    Loss,
    /// A layer's weight gradient dW = dYᵀ·X.
    WeightGradient {
        /// Layer.
        layer: usize,
    },
    /// A layer's bias gradient db = Σ dY.
    BiasGradient {
        /// Layer.
        layer: usize,
    },
    /// A layer's input gradient dX = dY·W.
    InputGradient {
        /// Layer.
        layer: usize,
    },
    /// The ReLU below a layer, backward.
    ReluBackward {
        /// Layer.
        layer: usize,
    },
    /// DP-SGD: each example's squared gradient norm over a layer.
    ExampleNorms {
        /// Layer.
        layer: usize,
    },
    /// DP-SGD: a layer's per-example δ rows clipped and divided by the lot.
    Clip {
        /// Layer.
        layer: usize,
    },
    /// DP-SGD: Gaussian noise added to a layer's gradients.
    Noise {
        /// Layer.
        layer: usize,
    },
    /// An optimiser update of a layer's weight or bias.
    Update {
        /// Layer.
        layer: usize,
        /// The bias (else the weight).
        bias: bool,
    },
}

impl Task {
    /// The task in English and in Chinese (the lessons show either; one table, so they cannot drift).
    pub fn names(self) -> (String, String) {
        match self {
            Task::Gather => (
                "gather and normalise the batch".into(),
                "收集并归一化这一批样本".into(),
            ),
            Task::Forward { layer } => (
                format!("fc{} forward (Y = X·Wᵀ + b)", layer + 1),
                format!("fc{} 前向传播（Y = X·Wᵀ + b）", layer + 1),
            ),
            Task::Loss => (
                "softmax, cross-entropy and dlogits".into(),
                "softmax、交叉熵与 dlogits".into(),
            ),
            Task::WeightGradient { layer } => (
                format!("fc{}.weight gradient (dW = dYᵀ·X)", layer + 1),
                format!("fc{}.weight 的梯度（dW = dYᵀ·X）", layer + 1),
            ),
            Task::BiasGradient { layer } => (
                format!("fc{}.bias gradient (db = Σ dY)", layer + 1),
                format!("fc{}.bias 的梯度（db = Σ dY）", layer + 1),
            ),
            Task::InputGradient { layer } => (
                format!("fc{} input gradient (dX = dY·W)", layer + 1),
                format!("fc{} 的输入梯度（dX = dY·W）", layer + 1),
            ),
            Task::ReluBackward { layer } => (
                format!("ReLU backward below fc{}", layer + 1),
                format!("fc{} 下方的 ReLU 反向传播", layer + 1),
            ),
            Task::ExampleNorms { layer } => (
                format!("fc{} per-example gradient norms", layer + 1),
                format!("fc{} 每个样本的梯度范数", layer + 1),
            ),
            Task::Clip { layer } => (
                format!("clip fc{}'s per-example gradients", layer + 1),
                format!("裁剪 fc{} 每个样本的梯度", layer + 1),
            ),
            Task::Noise { layer } => (
                format!("add noise to fc{}'s gradients", layer + 1),
                format!("给 fc{} 的梯度加噪声", layer + 1),
            ),
            Task::Update { layer, bias } => {
                let tensor = if bias { "bias" } else { "weight" };
                (
                    format!("update fc{}.{tensor}", layer + 1),
                    format!("更新 fc{}.{tensor}", layer + 1),
                )
            }
        }
    }

    /// The task in English.
    pub fn describe(self) -> String {
        self.names().0
    }
}

impl KernelLaunch {
    /// A launch of `kernel` doing `task` with `flops` operations, in dispatch `dispatch` of the step.
    pub fn new(kernel: &'static str, task: Task, flops: u64, dispatch: usize) -> Self {
        Self {
            kernel,
            task,
            purpose: task.describe(),
            flops,
            dispatch,
        }
    }

    /// GPU dispatches of a step with these launches: the distinct dispatch numbers, and the update
    /// dispatch that writes the mean loss even when no tensor trains (and so no update is listed).
    pub fn dispatches(launches: &[KernelLaunch]) -> usize {
        let updates = launches
            .iter()
            .any(|k| matches!(k.task, Task::Update { .. }));
        let used = launches.iter().map(|k| k.dispatch + 1).max().unwrap_or(0);
        if launches.is_empty() {
            0
        } else {
            used + usize::from(!updates)
        }
    }

    /// Each launch's share of the step's floating-point work (sums to 1).
    pub fn shares(launches: &[KernelLaunch]) -> Vec<f64> {
        let total = launches.iter().map(|k| k.flops).sum::<u64>().max(1) as f64;
        launches.iter().map(|k| k.flops as f64 / total).collect()
    }
}

/// What decides a training step's launches: recorded by the engines at every step (a few small
/// vectors, no strings), turned into a [`KernelLaunch`] list only when a lesson asks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepShape {
    /// Rows in the batch.
    pub rows: usize,
    /// The optimiser of the step.
    pub optimizer: OptimizerKind,
    /// `[input, hidden…, classes]`.
    pub widths: Vec<usize>,
    /// Per layer: (weight frozen, bias frozen).
    pub frozen: Vec<(bool, bool)>,
}

impl StepShape {
    /// The shape of a step of `model` on `rows` rows.
    pub fn of(model: &Mlp, rows: usize, optimizer: OptimizerKind) -> Self {
        Self {
            rows,
            optimizer,
            widths: model.widths(),
            frozen: model
                .layers
                .iter()
                .map(|l| (l.weight_frozen, l.bias_frozen))
                .collect(),
        }
    }

    /// Whether the step computed δ of `layer`: always for the output layer, and below it while a
    /// trainable tensor lies lower still (the backward pass stops where nothing below needs it).
    pub fn computes_delta(&self, layer: usize) -> bool {
        layer + 1 >= self.frozen.len() || self.frozen[..=layer].iter().any(|&(w, b)| !(w && b))
    }

    /// Whether the GPU engine runs the output layer fused (`head.wgsl`): heads of at most
    /// [`crate::ops::head::MAX_CLASSES`] classes.
    pub fn fused_head(&self) -> bool {
        self.widths
            .last()
            .is_some_and(|&c| c <= crate::ops::head::MAX_CLASSES)
    }

    /// The kernel launches of a plain step run whole (the head fused, frozen tensors skipped, no
    /// DP-SGD, no split-K), in dispatch order: [`StepPlan::kernels`] of [`StepPlan::untuned`].
    pub fn launches(&self) -> Vec<KernelLaunch> {
        StepPlan::untuned(self, StepOptions::default()).kernels()
    }

    /// GPU dispatches of a plain step run whole, untuned: [`StepPlan::dispatches`].
    pub fn dispatches(&self) -> usize {
        StepPlan::untuned(self, StepOptions::default()).dispatches()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(widths: &[usize], frozen: &[(bool, bool)]) -> StepShape {
        StepShape {
            rows: 64,
            optimizer: OptimizerKind::Sgd,
            widths: widths.to_vec(),
            frozen: frozen.to_vec(),
        }
    }

    fn kernels_of(s: &StepShape) -> Vec<(usize, &'static str)> {
        s.launches()
            .iter()
            .map(|k| (k.dispatch, k.kernel))
            .collect()
    }

    #[test]
    fn the_seed_mlp_takes_six_dispatches() {
        let s = shape(&[784, 128, 10], &[(false, false); 2]);
        assert_eq!(s.dispatches(), 6);
        assert_eq!(
            kernels_of(&s),
            [
                (0, "gather_normalize.wgsl"),
                (1, "linear.wgsl::gemm"),
                (2, "head.wgsl"),
                (2, "head.wgsl"),
                (2, "head.wgsl"),
                (2, "head.wgsl"),
                (3, "linear.wgsl::gemm"),
                (3, "linear.wgsl::gemm"),
                (4, "linear.wgsl::gemm"),
                (4, "linear.wgsl::gemm"),
                (5, "update.wgsl"),
                (5, "update.wgsl"),
                (5, "update.wgsl"),
                (5, "update.wgsl"),
            ]
        );
    }

    #[test]
    fn freezing_removes_dispatches() {
        // Head only (fine-tuning's first phase): no fc1 gradients, no input gradient at all.
        let s = shape(&[784, 128, 10], &[(true, true), (false, false)]);
        assert_eq!(s.dispatches(), 5);
        assert!(!s.launches().iter().any(|k| matches!(
            k.task,
            Task::InputGradient { .. } | Task::WeightGradient { layer: 0 }
        )));
        // Everything frozen: the update dispatch still writes the mean loss.
        let s = shape(&[784, 128, 10], &[(true, true); 2]);
        assert_eq!(s.dispatches(), 4);
        // A bias trained alone gets its own bias_grad dispatch.
        let s = shape(&[784, 128, 10], &[(true, false), (true, true)]);
        assert!(kernels_of(&s).contains(&(3, "linear.wgsl::bias_grad")));
        assert_eq!(s.dispatches(), 5);
    }

    #[test]
    fn deeper_and_wider_models_count_their_dispatches() {
        // Three layers: gather, 2 forward, head, 3 × (dW+db), 1 grad input below fc2, update.
        let s = shape(&[784, 64, 32, 10], &[(false, false); 3]);
        assert_eq!(s.dispatches(), 9);
        // A head too wide to fuse: forward, softmax and the grad input are dispatches of their own.
        let s = shape(&[784, 128, 40], &[(false, false); 2]);
        assert_eq!(s.dispatches(), 8);
        assert!(kernels_of(&s).contains(&(3, "softmax_cross_entropy.wgsl")));
        // Dispatch numbers are dense: every number below the count is used.
        for s in [
            shape(&[784, 128, 10], &[(false, false); 2]),
            shape(
                &[784, 64, 32, 10],
                &[(false, true), (true, false), (false, false)],
            ),
        ] {
            let mut used: Vec<usize> = s.launches().iter().map(|k| k.dispatch).collect();
            used.sort_unstable();
            used.dedup();
            assert_eq!(used, (0..s.dispatches()).collect::<Vec<_>>());
        }
    }
}
