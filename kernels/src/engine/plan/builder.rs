//! The plan's rows, one method per part of the step: what each part dispatches, on which kernel,
//! with which bind group and workgroups, computing which tasks.

use super::*;

const GEMM: &str = "linear.wgsl::gemm";

/// The plan under construction: one method per part of the step.
pub(super) struct Builder<'a> {
    pub(super) shape: &'a StepShape,
    pub(super) options: StepOptions,
    pub(super) variant: &'a dyn Fn(&GemmParams) -> GemmVariant,
    pub(super) rows: u32,
    pub(super) launches: Vec<Launch>,
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

    pub(super) fn gather(&mut self) {
        let elements = self.rows * self.shape.widths[0] as u32;
        let kernel = ("gather_normalize.wgsl", gather_normalize::MAIN);
        let work = vec![(Task::Gather, u64::from(elements))];
        let groups = gather_normalize::workgroups(elements);
        self.push(StepPart::Gather, kernel, Group::Gather, groups, work);
    }

    /// Every layer's forward product but the output layer's when `head.wgsl` computes it.
    pub(super) fn forward(&mut self) {
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
    pub(super) fn loss(&mut self) {
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
    pub(super) fn backward(&mut self) {
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
    pub(super) fn backward_dp(&mut self) {
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
    pub(super) fn update(&mut self) {
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
