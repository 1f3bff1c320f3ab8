//! The training step as one table: every dispatch a step encodes, in order, with the kernel entry it
//! runs, the bind group it binds, its workgroups and what it computes. A [`StepPlan`] is built once
//! per shape (widths, frozen flags, rows, optimiser, [`Freezing`], DP-SGD, the fused head, each
//! product's kernel); the GPU encoder walks it and both engines list their launches from it, so the
//! list a lesson shows and the dispatches that run cannot disagree.
//!
//! A new kernel in the step is a row in [`StepPlan::new`]'s builder (its entry, its [`Group`], its
//! workgroups and its [`Task`]s), a bind group in `gpu/build.rs` that [`Group`] names, and the CPU
//! engine's maths when the maths is new.

mod builder;

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
        let mut b = builder::Builder {
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
