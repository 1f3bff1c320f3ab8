//! The CPU engine's training step as five parts — gather, forward, loss, backward, update — run in one
//! go by `train_step` or one call each by `train_step_part`; what a part leaves for the next lives in
//! [`PendingStep`].

use super::*;

/// A step in progress: what each part leaves for the next.
pub(super) struct PendingStep {
    pub(super) rows: usize,
    opt: OptimizerConfig,
    /// The normalised batch (moved into `acts[0]` by the forward part).
    x: Vec<f32>,
    y: Vec<u32>,
    /// Every layer's output, `acts[0]` the input.
    pub(super) acts: Vec<Vec<f32>>,
    /// The gradient flowing down: the logits' δ after the loss part.
    pub(super) grad: Vec<f32>,
    pub(super) deltas: Vec<Option<Vec<f32>>>,
    /// The batch's mean loss (logged when the step completes).
    loss: f32,
    /// The part that runs next.
    pub(super) next: StepPart,
    /// Steps taken before this one (DP-SGD's noise counter).
    pub(super) index: u64,
    /// Run whole by `train_step` (not walked part by part): the GPU engine fuses its head, and the
    /// launch list says so.
    pub(super) whole: bool,
}

impl CpuEngine {
    /// Checks the step and gathers its batch (the Gather part).
    pub(super) fn begin_step(
        &mut self,
        rows: &[u32],
        opt: &OptimizerConfig,
    ) -> Result<PendingStep, EngineError> {
        opt.validate()?;
        check_rows(
            rows,
            self.train.as_ref().map_or(0, Dataset::len),
            self.max_rows,
        )?;
        crate::engine::check_dp_trainable(self.dp.is_some(), &self.model)?;
        if self.last_optimizer != Some(opt.kind) {
            // Momentum buffers of one optimiser mean nothing to another.
            if self.last_optimizer.is_some() {
                self.reset_optimizer_state();
            }
            self.last_optimizer = Some(opt.kind);
        }
        let b = rows.len();
        let train = self
            .train
            .as_ref()
            .expect("check_rows ensured training data is set");
        let (x, y) = match self.augmentation {
            None => gather_normalize::reference(
                &train.images,
                &train.labels,
                train.features(),
                rows,
                train.mean,
                train.std,
            ),
            Some(aug) => gather_normalize::reference_augmented(
                &gather_normalize::GatherParams {
                    rows: b as u32,
                    features: train.features() as u32,
                    use_indices: 1,
                    mean: train.mean,
                    std: train.std,
                    augment: aug.bits(),
                    seed: gather_normalize::step_seed(aug.seed, self.steps),
                    width: train.width as u32,
                    height: train.height as u32,
                    crop_pad: aug.crop_pad,
                    ..Default::default()
                },
                &train.images,
                &train.labels,
                rows,
            ),
        };
        let index = self.steps;
        self.steps += 1;
        Ok(PendingStep {
            index,
            whole: true,
            rows: b,
            opt: *opt,
            x,
            y,
            acts: Vec::new(),
            grad: Vec::new(),
            deltas: Vec::new(),
            loss: f32::NAN,
            next: StepPart::Forward,
        })
    }

    /// Runs `step`'s next part (Forward, Loss, Backward or Update) and moves it on.
    pub(super) fn run_part(&mut self, step: &mut PendingStep, part: StepPart) {
        debug_assert_eq!(part, step.next);
        let b = step.rows;
        match part {
            StepPart::Gather => {}
            StepPart::Forward => step.acts = self.forward(std::mem::take(&mut step.x), b),
            StepPart::Loss => {
                let (acts, y) = (&step.acts, &step.y);
                let classes = self.model.classes();
                let (row_losses, grad) = softmax_cross_entropy::reference(
                    &acts[acts.len() - 1],
                    y,
                    b,
                    classes,
                    // DP-SGD clips each example's own gradient: the 1/b comes with the clip factors.
                    if self.dp.is_some() {
                        1.0
                    } else {
                        1.0 / b as f32
                    },
                );
                step.loss = softmax_cross_entropy::reference_mean(&row_losses);
                step.grad = grad;
            }
            StepPart::Backward if self.dp.is_some() => self.dp_backward(step),
            StepPart::Backward => {
                self.example_norms.clear();
                let acts = &step.acts;
                let mut grad = std::mem::take(&mut step.grad);
                let layers = self.model.layers.len();
                self.computed = vec![(false, false); layers];
                let mut deltas = vec![None; layers];
                for l in (0..layers).rev() {
                    deltas[l] = Some(grad.clone());
                    let needs_input = self.model.needs_input_grad(l);
                    let layer = &self.model.layers[l];
                    let (i, o) = (layer.in_features, layer.out_features);
                    let (ws, bs) = &mut self.state[l];
                    if !layer.weight_frozen {
                        // dW[o, i] = dYᵀ · X
                        par_sgemm(
                            o,
                            b,
                            i,
                            1.0,
                            Strided::transposed(&grad, o),
                            Strided::row_major(&acts[l], i),
                            0.0,
                            &mut ws.grad,
                        );
                        self.computed[l].0 = true;
                    }
                    if !layer.bias_frozen {
                        parallel::column_sums(&grad, &mut bs.grad);
                        self.computed[l].1 = true;
                    }
                    if needs_input {
                        // dX[b, i] = dY · W, then through the ReLU that produced acts[l].
                        let mut dx = vec![0.0; b * i];
                        par_sgemm(
                            b,
                            o,
                            i,
                            1.0,
                            Strided::row_major(&grad, o),
                            Strided::row_major(&layer.weight, i),
                            0.0,
                            &mut dx,
                        );
                        parallel::zip_chunks(&mut dx, &acts[l], |dx, a| {
                            relu_backward::reference(a, dx)
                        });
                        grad = dx;
                    } else {
                        break;
                    }
                }
                step.deltas = deltas;
            }
            StepPart::Update => {
                let opt = &step.opt;
                let zero_gradient = self.freezing == Freezing::ZeroGradient;
                for (layer, (ws, bs)) in self.model.layers.iter_mut().zip(&mut self.state) {
                    for (frozen, st, param) in [
                        (layer.weight_frozen, ws, &mut layer.weight),
                        (layer.bias_frozen, bs, &mut layer.bias),
                    ] {
                        if frozen && zero_gradient {
                            // `p.grad.zero_()`, then the step: momentum and weight decay still act.
                            st.grad.iter_mut().for_each(|g| *g = 0.0);
                        }
                        if !frozen || zero_gradient {
                            Self::update(opt, st, param);
                        }
                    }
                }
                // The step is complete: its loss joins the log (as the GPU's update kernel writes it).
                if self.losses.len() == LOSS_RING {
                    self.losses.remove(0);
                }
                self.losses.push(step.loss);
                self.acts = std::mem::take(&mut step.acts);
                self.deltas = std::mem::take(&mut step.deltas);
                self.labels = std::mem::take(&mut step.y);
                self.rows = b;
                // The same frozen flags and `needs_input_grad` decided the work done above; the
                // launch list is the GPU engine's plan of this step (untuned: no split-K).
                let options = StepOptions {
                    fuse_head: step.whole,
                    freezing: self.freezing,
                    privacy: Privacy::of(self.dp.as_ref()),
                    split_k: false,
                };
                let shape = StepShape::of(&self.model, b, opt.kind);
                let same = |p: &StepPlan| p.shape == shape && p.options == options;
                if !self.last_plan.as_ref().is_some_and(same) {
                    self.last_plan = Some(StepPlan::untuned(&shape, options));
                }
            }
        }
        step.next = part.next().unwrap_or(StepPart::Update);
    }
}
