//! The training step as one table: every dispatch a step encodes, in order, with the kernel entry it
//! runs, the bind group it binds, its workgroups and what it computes. A [`StepPlan`] is built once
//! per shape (widths, frozen flags, rows, optimiser, [`Freezing`], DP-SGD, the fused head, each
//! product's kernel); the GPU encoder walks it and both engines list their launches from it, so the
//! list a lesson shows and the dispatches that run cannot disagree.
//!
//! A new kernel in the step is a row in [`StepPlan::new`]'s builder (its entry, its [`Group`], its
//! workgroups and its [`Task`]s), a bind group in `gpu/build.rs` that [`Group`] names, and the CPU
//! engine's maths when the maths is new.

use super::launches::{KernelLaunch, StepShape, Task};
use super::{Freezing, StepPart};
use crate::ops::kernel::KernelEntry;
use crate::ops::linear::{self, GemmParams, GemmVariant};
use crate::ops::{dp, gather_normalize, head, softmax_cross_entropy, update};

/// Which pass of a matrix product a launch is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pass {
    /// The product in one dispatch.
    Whole,
    /// Split-K's first dispatch: partial sums over slices of K into the scratch buffer.
    Partial,
    /// Split-K's second dispatch: the slices added, with the epilogue, into the output.
    Reduce,
}

/// The bind group a launch binds: the GPU engine builds one per family and layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// The training split's gather.
    Gather,
    /// A layer's forward product (`linear.wgsl`).
    Forward {
        /// Layer.
        layer: usize,
        /// Which pass of the product.
        pass: Pass,
    },
    /// A layer's weight gradient, with the bias gradient as its row sums (`linear.wgsl`).
    WeightGradient {
        /// Layer.
        layer: usize,
    },
    /// A layer's bias gradient alone (`linear.wgsl::bias_grad`).
    BiasGradient {
        /// Layer.
        layer: usize,
    },
    /// A layer's input gradient through the ReLU below (`linear.wgsl`).
    InputGradient {
        /// Layer.
        layer: usize,
        /// Which pass of the product.
        pass: Pass,
    },
    /// The fused output layer (`head.wgsl`).
    Head,
    /// Softmax and cross-entropy (`softmax_cross_entropy.wgsl`).
    Softmax,
    /// A layer's DP-SGD group (`dp.wgsl`: norms, clipping and noise).
    Dp {
        /// Layer.
        layer: usize,
    },
    /// Every trainable tensor's update and the mean loss (`update.wgsl`).
    Update,
}

/// DP-SGD's part in a step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Privacy {
    /// Plain steps.
    #[default]
    Off,
    /// Per-example gradients clipped, no noise.
    Clip,
    /// Per-example gradients clipped and the sum noised.
    ClipAndNoise,
}

impl Privacy {
    /// DP-SGD's part under `dp` (`None`: plain steps).
    pub fn of(dp: Option<&dp::DpConfig>) -> Self {
        match dp {
            None => Self::Off,
            Some(d) if d.noise > 0.0 => Self::ClipAndNoise,
            Some(_) => Self::Clip,
        }
    }
}

/// What decides a step's launches besides its [`StepShape`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepOptions {
    /// The output layer's forward, loss and input gradient in one `head.wgsl` dispatch where the
    /// head is narrow enough. A step walked part by part runs them apart (the loss is a part of its
    /// own), and DP-SGD always does (it needs the logits' δ unscaled, which `head.wgsl` does not give).
    pub fuse_head: bool,
    /// What the step does with frozen tensors (zeroed ones are still updated).
    pub freezing: Freezing,
    /// DP-SGD's launches.
    pub privacy: Privacy,
    /// Room for split-K's partial sums: without it a product chosen split runs unsplit.
    pub split_k: bool,
}

impl Default for StepOptions {
    /// A plain step run whole: the head fused, frozen tensors skipped, no DP-SGD, no split-K.
    fn default() -> Self {
        Self {
            fuse_head: true,
            freezing: Freezing::Skip,
            privacy: Privacy::Off,
            split_k: false,
        }
    }
}

/// One dispatch of a training step.
#[derive(Clone, Debug)]
pub struct Launch {
    /// The part of the step that encodes it.
    pub part: StepPart,
    /// The kernel as the launch list names it (`linear.wgsl::gemm` for every product variant).
    pub kernel: &'static str,
    /// The entry point it runs.
    pub entry: KernelEntry,
    /// The bind group it binds.
    pub group: Group,
    /// Workgroups along x, y and z.
    pub workgroups: (u32, u32, u32),
    /// What it computes, with each task's floating-point operations (empty for split-K's reduction,
    /// whose work is listed with its first pass).
    pub work: Vec<(Task, u64)>,
}

/// Every dispatch of a training step, in the order the GPU encoder issues them.
#[derive(Clone, Debug)]
pub struct StepPlan {
    /// The shape it was built for.
    pub shape: StepShape,
    /// The options it was built with.
    pub options: StepOptions,
    /// The dispatches, in order.
    pub launches: Vec<Launch>,
}

impl StepPlan {
    /// The plan of a step of `shape` under `options`, each matrix product on the kernel `variant`
    /// chooses for it (split-K only where the product has a second pass and `options.split_k`).
    pub fn new(
        shape: &StepShape,
        options: StepOptions,
        variant: &dyn Fn(&GemmParams) -> GemmVariant,
    ) -> Self {
        let mut b = Builder {
            shape,
            options,
            variant,
            rows: shape.rows as u32,
            launches: Vec::new(),
        };
        b.gather();
        b.forward();
        b.loss();
        if options.privacy == Privacy::Off {
            b.backward();
        } else {
            b.backward_dp();
        }
        b.update();
        Self {
            shape: shape.clone(),
            options,
            launches: b.launches,
        }
    }

    /// The plan as an engine without tuned kernels lists it (every product on the register kernel,
    /// never split): the CPU engine's, and the GPU engine's before it has timed its products.
    pub fn untuned(shape: &StepShape, options: StepOptions) -> Self {
        Self::new(shape, options, &|_| GemmVariant::Registers)
    }

    /// Whether the output layer runs fused in `head.wgsl`.
    pub fn fused_head(&self) -> bool {
        fused_head(&self.shape, &self.options)
    }

    /// GPU dispatches of the step.
    pub fn dispatches(&self) -> usize {
        self.launches.len()
    }

    /// The launches of `parts`, in order.
    pub fn of_parts<'a>(&'a self, parts: &'a [StepPart]) -> impl Iterator<Item = &'a Launch> + 'a {
        self.launches.iter().filter(|l| parts.contains(&l.part))
    }

    /// Every task of the step with the dispatch that does it, in dispatch order: the launch list.
    pub fn kernels(&self) -> Vec<KernelLaunch> {
        self.launches
            .iter()
            .enumerate()
            .flat_map(|(d, l)| {
                l.work
                    .iter()
                    .map(move |&(task, flops)| KernelLaunch::new(l.kernel, task, flops, d))
            })
            .collect()
    }
}

fn fused_head(shape: &StepShape, options: &StepOptions) -> bool {
    options.fuse_head && options.privacy == Privacy::Off && shape.fused_head()
}

const GEMM: &str = "linear.wgsl::gemm";

/// The plan under construction: one method per part of the step.
struct Builder<'a> {
    shape: &'a StepShape,
    options: StepOptions,
    variant: &'a dyn Fn(&GemmParams) -> GemmVariant,
    rows: u32,
    launches: Vec<Launch>,
}

impl Builder<'_> {
    fn push(
        &mut self,
        part: StepPart,
        (kernel, entry): (&'static str, KernelEntry),
        group: Group,
        workgroups: (u32, u32, u32),
        work: Vec<(Task, u64)>,
    ) {
        self.launches.push(Launch {
            part,
            kernel,
            entry,
            group,
            workgroups,
            work,
        });
    }

    /// `(in, out)` widths of `layer`, and the rows, as the flop counts use them.
    fn dims(&self, layer: usize) -> (u64, u64, u64) {
        let w = &self.shape.widths;
        (w[layer] as u64, w[layer + 1] as u64, u64::from(self.rows))
    }

    fn top(&self) -> usize {
        self.shape.widths.len() - 2
    }

    /// Whether a trainable tensor lies below `layer` (so its input gradient is needed).
    fn trains_below(&self, layer: usize) -> bool {
        self.shape.frozen[..layer].iter().any(|&(w, b)| !w || !b)
    }

    /// A matrix product: one dispatch, or split-K's two where `group` has a split pass.
    fn product(
        &mut self,
        part: StepPart,
        p: GemmParams,
        group: impl Fn(Pass) -> Group,
        splits: bool,
        work: Vec<(Task, u64)>,
    ) {
        let variant = match (self.variant)(&p) {
            GemmVariant::Split if !(splits && self.options.split_k) => GemmVariant::Registers,
            v => v,
        };
        if variant == GemmVariant::Split {
            let partial = (GEMM, variant.kernel());
            self.push(
                part,
                partial,
                group(Pass::Partial),
                p.workgroups(variant),
                work,
            );
            let reduce = ("linear.wgsl::split_reduce", linear::SPLIT_REDUCE);
            let groups = p.reduce_workgroups();
            self.push(part, reduce, group(Pass::Reduce), groups, Vec::new());
        } else {
            let whole = (GEMM, variant.kernel());
            self.push(part, whole, group(Pass::Whole), p.workgroups(variant), work);
        }
    }

    fn gather(&mut self) {
        let elements = self.rows * self.shape.widths[0] as u32;
        let kernel = ("gather_normalize.wgsl", gather_normalize::MAIN);
        let work = vec![(Task::Gather, u64::from(elements))];
        let groups = gather_normalize::workgroups(elements);
        self.push(StepPart::Gather, kernel, Group::Gather, groups, work);
    }

    /// Every layer's forward product but the output layer's when `head.wgsl` computes it.
    fn forward(&mut self) {
        let top = self.top();
        let layers = if fused_head(self.shape, &self.options) {
            top
        } else {
            top + 1
        };
        for layer in 0..layers {
            let (i, o, b) = self.dims(layer);
            let p = GemmParams::forward(self.rows, i as u32, o as u32, layer < top);
            let work = vec![(Task::Forward { layer }, 2 * b * i * o)];
            let group = |pass| Group::Forward { layer, pass };
            self.product(StepPart::Forward, p, group, true, work);
        }
    }

    /// The fused head (forward, loss, and the input gradient when something below trains), else
    /// softmax and cross-entropy alone.
    fn loss(&mut self) {
        let top = self.top();
        let (i, o, b) = self.dims(top);
        if fused_head(self.shape, &self.options) {
            let below = self.trains_below(top);
            let p = head::HeadParams::new(self.rows, i as u32, o as u32, below);
            let mut work = vec![
                (Task::Forward { layer: top }, 2 * b * i * o),
                (Task::Loss, 4 * b * o),
            ];
            if below {
                work.push((Task::InputGradient { layer: top }, 2 * b * i * o));
                work.push((Task::ReluBackward { layer: top }, b * i));
            }
            let kernel = ("head.wgsl", head::MAIN);
            self.push(StepPart::Loss, kernel, Group::Head, p.workgroups(), work);
        } else {
            let kernel = ("softmax_cross_entropy.wgsl", softmax_cross_entropy::ROWS);
            let groups = (
                self.rows.div_ceil(softmax_cross_entropy::ROWS_WORKGROUP),
                1,
                1,
            );
            let work = vec![(Task::Loss, 4 * b * o)];
            self.push(StepPart::Loss, kernel, Group::Softmax, groups, work);
        }
    }

    /// A layer's weight gradient, with the bias gradient in the same dispatch when the bias trains.
    fn weight_gradient(&mut self, layer: usize) {
        let (i, o, b) = self.dims(layer);
        let bias_trains = !self.shape.frozen[layer].1;
        let mut p = GemmParams::grad_weight(self.rows, i as u32, o as u32);
        let mut work = vec![(Task::WeightGradient { layer }, 2 * b * i * o)];
        if bias_trains {
            p = p.with_row_sums();
            work.push((Task::BiasGradient { layer }, b * o));
        }
        let group = |_| Group::WeightGradient { layer };
        self.product(StepPart::Backward, p, group, false, work);
    }

    /// A layer's input gradient through the ReLU below, in one product.
    fn input_gradient(&mut self, layer: usize) {
        let (i, o, b) = self.dims(layer);
        let p = GemmParams::grad_input(self.rows, i as u32, o as u32).with_relu_mask();
        let work = vec![
            (Task::InputGradient { layer }, 2 * b * i * o),
            (Task::ReluBackward { layer }, b * i),
        ];
        let group = |pass| Group::InputGradient { layer, pass };
        self.product(StepPart::Backward, p, group, true, work);
    }

    /// From the top down: each layer's weight gradient (or its bias gradient alone), then its input
    /// gradient while something trainable lies below (the fused head wrote the top one already).
    fn backward(&mut self) {
        let top = self.top();
        let fused = fused_head(self.shape, &self.options);
        for layer in (0..=top).rev() {
            let (weight_frozen, bias_frozen) = self.shape.frozen[layer];
            if !weight_frozen {
                self.weight_gradient(layer);
            } else if !bias_frozen {
                let (_, o, b) = self.dims(layer);
                let kernel = ("linear.wgsl::bias_grad", linear::BIAS_GRAD);
                let groups = ((o as u32).div_ceil(linear::BIAS_GRAD_WORKGROUP), 1, 1);
                let work = vec![(Task::BiasGradient { layer }, b * o)];
                let group = Group::BiasGradient { layer };
                self.push(StepPart::Backward, kernel, group, groups, work);
            }
            if !self.trains_below(layer) {
                break;
            }
            if !(layer == top && fused) {
                self.input_gradient(layer);
            }
        }
    }

    /// DP-SGD's backward (every layer trains): every layer's δ down the input-gradient chain, each
    /// example's squared norm over all layers, the δ rows clipped and divided by the lot, then the
    /// weight and bias gradients and, with noise, the noise.
    fn backward_dp(&mut self) {
        let top = self.top();
        for layer in (1..=top).rev() {
            self.input_gradient(layer);
        }
        let strided = |n: u64| (n as u32).div_ceil(dp::STRIDE_WORKGROUP).clamp(1, 4096);
        let part = StepPart::Backward;
        for layer in (0..=top).rev() {
            let (i, o, b) = self.dims(layer);
            let groups = (self.rows.div_ceil(dp::NORMS_WORKGROUP), 1, 1);
            let work = vec![(Task::ExampleNorms { layer }, 2 * b * (i + o + 1))];
            let kernel = ("dp.wgsl::norms_rows", dp::NORMS);
            self.push(part, kernel, Group::Dp { layer }, groups, work);
        }
        for layer in 0..=top {
            let (_, o, b) = self.dims(layer);
            let work = vec![(Task::Clip { layer }, b * o)];
            let kernel = ("dp.wgsl::scale", dp::SCALE);
            self.push(
                part,
                kernel,
                Group::Dp { layer },
                (strided(b * o), 1, 1),
                work,
            );
        }
        for layer in 0..=top {
            self.weight_gradient(layer);
        }
        if self.options.privacy == Privacy::ClipAndNoise {
            for layer in 0..=top {
                let (i, o, _) = self.dims(layer);
                let n = i * o + o;
                let work = vec![(Task::Noise { layer }, n)];
                let kernel = ("dp.wgsl::noise", dp::NOISE);
                self.push(part, kernel, Group::Dp { layer }, (strided(n), 1, 1), work);
            }
        }
    }

    /// One `update.wgsl` dispatch for every updated tensor (trainable ones, and frozen ones under
    /// [`Freezing::ZeroGradient`]); it also writes the mean loss, so it runs even when none is.
    fn update(&mut self) {
        let zeroed = self.options.freezing == Freezing::ZeroGradient;
        let mut work = Vec::new();
        let mut chunks = 0;
        for (layer, &(weight_frozen, bias_frozen)) in self.shape.frozen.iter().enumerate() {
            let (i, o, _) = self.dims(layer);
            for (bias, frozen, n) in [(false, weight_frozen, i * o), (true, bias_frozen, o)] {
                if !frozen || zeroed {
                    work.push((Task::Update { layer, bias }, 4 * n));
                    chunks += (n as u32).div_ceil(update::CHUNK);
                }
            }
        }
        let kernel = ("update.wgsl", self.shape.optimizer.kernel());
        let groups = (chunks.max(1), 1, 1);
        self.push(StepPart::Update, kernel, Group::Update, groups, work);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::OptimizerKind;

    fn seed(frozen: &[(bool, bool)]) -> StepShape {
        StepShape {
            rows: 64,
            optimizer: OptimizerKind::Sgd,
            widths: vec![784, 128, 10],
            frozen: frozen.to_vec(),
        }
    }

    fn with(privacy: Privacy) -> StepOptions {
        StepOptions {
            privacy,
            ..StepOptions::default()
        }
    }

    fn groups(plan: &StepPlan) -> Vec<Group> {
        plan.launches.iter().map(|l| l.group).collect()
    }

    #[test]
    fn dp_sgd_lists_its_dispatches() {
        // gather, 2 forward, softmax (no fused head), fc2's input gradient, 2 norms, 2 clips,
        // 2 weight gradients (with the bias as row sums), 2 noise, update.
        let plan = StepPlan::untuned(&seed(&[(false, false); 2]), with(Privacy::ClipAndNoise));
        assert_eq!(plan.dispatches(), 14);
        assert!(!plan.fused_head());
        let whole = Pass::Whole;
        assert_eq!(
            groups(&plan),
            [
                Group::Gather,
                Group::Forward {
                    layer: 0,
                    pass: whole
                },
                Group::Forward {
                    layer: 1,
                    pass: whole
                },
                Group::Softmax,
                Group::InputGradient {
                    layer: 1,
                    pass: whole
                },
                Group::Dp { layer: 1 },
                Group::Dp { layer: 0 },
                Group::Dp { layer: 0 },
                Group::Dp { layer: 1 },
                Group::WeightGradient { layer: 0 },
                Group::WeightGradient { layer: 1 },
                Group::Dp { layer: 0 },
                Group::Dp { layer: 1 },
                Group::Update,
            ]
        );
        let tasks: Vec<Task> = plan.kernels().iter().map(|k| k.task).collect();
        for layer in 0..2 {
            for t in [
                Task::ExampleNorms { layer },
                Task::Clip { layer },
                Task::Noise { layer },
            ] {
                assert!(tasks.contains(&t), "{t:?}");
            }
        }
        // Clipping without noise: the two noise dispatches go.
        let plan = StepPlan::untuned(&seed(&[(false, false); 2]), with(Privacy::Clip));
        assert_eq!(plan.dispatches(), 12);
    }

    #[test]
    fn a_step_walked_part_by_part_runs_the_head_apart() {
        let walked = StepOptions {
            fuse_head: false,
            ..StepOptions::default()
        };
        let plan = StepPlan::untuned(&seed(&[(false, false); 2]), walked);
        // gather, 2 forward, softmax, 2 × (dW + db), fc2's input gradient, update.
        assert_eq!(plan.dispatches(), 8);
        assert_eq!(plan.of_parts(&[StepPart::Loss]).count(), 1);
        assert_eq!(plan.of_parts(&[StepPart::Backward]).count(), 3);
    }

    #[test]
    fn zeroed_tensors_are_updated_and_listed() {
        let frozen = [(true, true), (false, false)];
        let zeroed = StepOptions {
            freezing: Freezing::ZeroGradient,
            ..StepOptions::default()
        };
        let updates = |plan: &StepPlan| {
            plan.kernels()
                .iter()
                .filter(|k| matches!(k.task, Task::Update { .. }))
                .count()
        };
        let skipped = StepPlan::untuned(&seed(&frozen), StepOptions::default());
        let plan = StepPlan::untuned(&seed(&frozen), zeroed);
        assert_eq!((updates(&skipped), updates(&plan)), (2, 4));
        // Same dispatches: the update is one dispatch either way, with more chunks.
        assert_eq!(skipped.dispatches(), plan.dispatches());
        let chunks = |p: &StepPlan| p.launches.last().unwrap().workgroups.0;
        assert!(chunks(&plan) > chunks(&skipped));
    }

    #[test]
    fn split_products_take_two_dispatches_where_they_may() {
        let shape = seed(&[(false, false); 2]);
        let split = |_: &GemmParams| GemmVariant::Split;
        let options = StepOptions {
            split_k: true,
            ..StepOptions::default()
        };
        // fc1 forward splits; fc1's weight gradient never does (no row sums in split-K); the head is
        // fused; fc2's weight gradient neither.
        let plan = StepPlan::new(&shape, options, &split);
        assert_eq!(plan.dispatches(), 7);
        assert_eq!(
            groups(&plan)[1..3],
            [
                Group::Forward {
                    layer: 0,
                    pass: Pass::Partial
                },
                Group::Forward {
                    layer: 0,
                    pass: Pass::Reduce
                },
            ]
        );
        // Without room for the partial sums, nothing splits.
        let plan = StepPlan::new(&shape, StepOptions::default(), &split);
        assert_eq!(plan.dispatches(), 6);
        // The split's reduction lists no task: the launch list still counts every dispatch.
        let kernels = StepPlan::new(&shape, options, &split).kernels();
        assert_eq!(KernelLaunch::dispatches(&kernels), 7);
    }
}
