//! A GPU training step in three stages — settings prepared on the queue, parts encoded, the step
//! counted — so that `train_step` encodes all five parts in one submission and `train_step_part`
//! submits them one at a time (a lesson lights each line of the loop as its part runs).

use super::*;
use crate::engine::{Freezing, OptimizerConfig, StepPart, check_dp_trainable, check_rows};
use crate::ops::dp;
use crate::ops::optim::TensorStep;

/// A step's settings, written to the queue before its kernels are encoded.
pub(super) struct PreparedStep {
    rows: usize,
    top: usize,
    head_params: head::HeadParams,
    update_params: update::UpdateParams,
    /// The optimiser changed: its state is cleared before the update.
    reset_state: bool,
    /// Byte ranges of frozen tensors' gradients cleared before the update (`Freezing::ZeroGradient`).
    zeroed: Vec<(u64, u64)>,
    kind: OptimizerKind,
}

impl GpuEngine {
    /// Checks the step, writes its uniforms (gather, loss, head, update) and its rows to the queue.
    pub(super) fn prepare_step(
        &mut self,
        rows: &[u32],
        opt: &OptimizerConfig,
    ) -> Result<PreparedStep, EngineError> {
        opt.validate()?;
        self.ctx.check()?;
        let samples = self.train.as_ref().map_or(0, |d| d.len);
        check_rows(rows, samples, self.max_rows)?;
        check_dp_trainable(self.dp.is_some(), &self.model)?;
        let b = rows.len();
        let reset_state = self.last_optimizer.is_some_and(|k| k != opt.kind);
        self.last_optimizer = Some(opt.kind);

        let train = self.train.take();
        self.set_rows(b, train.as_ref(), self.res.gather_train_slot, 0, true);
        if let (Some(aug), Some(d)) = (self.augmentation, train.as_ref()) {
            let params = gather_normalize::GatherParams {
                rows: b as u32,
                features: d.features as u32,
                use_indices: 1,
                mean: d.mean,
                std: d.std,
                augment: aug.bits(),
                seed: gather_normalize::step_seed(aug.seed, self.steps),
                width: d.width as u32,
                height: d.height as u32,
                crop_pad: aug.crop_pad,
                ..Default::default()
            };
            self.res.arena.set(self.res.gather_train_slot, &params);
        }
        self.train = train;
        let slot = (self.steps % LOSS_RING as u64) as u32;
        let mut sm = self.softmax_params(b);
        if let Some(cfg) = self.dp {
            // DP-SGD clips each example's own gradient: the 1/b comes with the clip factors.
            sm.grad_scale = 1.0;
            for (l, layer) in self.res.layers.iter().enumerate() {
                let p = dp::DpParams {
                    rows: b as u32,
                    width: layer.out_f as u32,
                    in_width: layer.in_f as u32,
                    accumulate: u32::from(l + 1 != self.res.layers.len()),
                    clip: cfg.clip,
                    inv_lot: 1.0 / cfg.expected_lot,
                    noise_std: cfg.noise * cfg.clip / cfg.expected_lot,
                    seed: cfg.seed,
                    step: self.steps as u32,
                    layer: l as u32,
                    w_off: layer.weight.offset as u32,
                    w_len: layer.weight.len as u32,
                    b_off: layer.bias.offset as u32,
                    b_len: layer.bias.len as u32,
                    pad: [0; 2],
                };
                self.res.arena.set(layer.dp_slot, &p);
            }
        }
        self.res.arena.set(self.res.softmax_slot, &sm);
        let top = self.res.layers.len() - 1;
        let head_params = head::HeadParams::new(
            b as u32,
            self.res.layers[top].in_f as u32,
            self.res.layers[top].out_f as u32,
            self.model.needs_input_grad(top),
        );
        if let Some((slot, _)) = &self.res.head {
            self.res.arena.set(*slot, &head_params);
        }
        // One update for every trainable tensor, each with its own step count (Adam's corrections).
        let hyper = opt.hyper();
        let mut trainable = Vec::new();
        // Frozen tensors updated with a zero gradient (`Freezing::ZeroGradient`): their slices of the
        // packed gradient are cleared before the step.
        let mut zeroed = Vec::new();
        let zero_gradient = self.freezing == Freezing::ZeroGradient;
        for layer in &mut self.res.layers {
            for t in [&mut layer.weight, &mut layer.bias] {
                t.computed = !t.frozen;
                if t.frozen && !zero_gradient {
                    continue;
                }
                if t.frozen {
                    zeroed.push((t.offset as u64 * 4, t.len as u64 * 4));
                }
                if reset_state {
                    t.steps = 0;
                }
                t.steps += 1;
                trainable.push(update::Tensor {
                    start: t.offset,
                    len: t.len,
                    step: TensorStep::new(opt.kind, opt.lr, &hyper, t.steps),
                });
            }
        }
        let update_params = update::UpdateParams::new(&trainable, b as u32, slot, &hyper);
        self.res.arena.set(self.res.update_slot, &update_params);
        self.res.arena.flush(&self.ctx.queue);
        self.ctx
            .queue
            .write_buffer(&self.res.indices, 0, bytemuck::cast_slice(rows));

        Ok(PreparedStep {
            rows: b,
            top,
            head_params,
            update_params,
            reset_state,
            zeroed,
            kind: opt.kind,
        })
    }

    /// Encodes `parts` of a prepared step in one compute pass and submits it; returns the split-K
    /// products' second dispatches. `fused`: the output layer's product, the loss and its δ in one
    /// `head.wgsl` dispatch (when the head is narrow enough) — only when Forward and Loss are encoded
    /// together.
    pub(super) fn encode_parts(
        &self,
        step: &PreparedStep,
        parts: &[StepPart],
        fused: bool,
    ) -> usize {
        let b = step.rows;
        let top = step.top;
        // DP-SGD needs the logits' δ unscaled, which head.wgsl does not give: the two-dispatch path.
        let fused = fused && self.res.head.is_some() && self.dp.is_none();
        let mut enc = self
            .ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("train step"),
            });
        if parts.contains(&StepPart::Gather) {
            if step.reset_state {
                // Momentum buffers of one optimiser mean nothing to another.
                enc.clear_buffer(&self.res.packed.m, 0, None);
                enc.clear_buffer(&self.res.packed.v, 0, None);
            }
            for &(offset, bytes) in &step.zeroed {
                enc.clear_buffer(&self.res.packed.grad, offset, Some(bytes));
            }
        }
        // Split-K products take a second dispatch each (counted for `last_step_dispatches`).
        let mut split_dispatches = 0;
        {
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("train step"),
                timestamp_writes: None,
            });
            let k = self.ctx.kernels();
            for &part in parts {
                match part {
                    StepPart::Gather => {
                        self.encode_gather(&mut pass, &self.res.gather_train_group, b)
                    }
                    StepPart::Forward => {
                        // Every layer but the last when head.wgsl computes the last with the loss.
                        let layers = if fused { top } else { top + 1 };
                        split_dispatches += self.encode_forward(&mut pass, b, layers) - layers;
                    }
                    StepPart::Loss => {
                        if let (true, Some((_, group))) = (fused, &self.res.head) {
                            pass.set_bind_group(0, group, &[]);
                            pass.set_pipeline(k.pipeline(head::MAIN));
                            let (x, y, z) = step.head_params.workgroups();
                            pass.dispatch_workgroups(x, y, z);
                        } else {
                            pass.set_bind_group(0, &self.res.softmax_group, &[]);
                            pass.set_pipeline(k.pipeline(softmax_cross_entropy::ROWS));
                            pass.dispatch_workgroups(
                                (b as u32).div_ceil(softmax_cross_entropy::ROWS_WORKGROUP),
                                1,
                                1,
                            );
                        }
                    }
                    StepPart::Backward if self.dp.is_some() => {
                        split_dispatches += self.encode_backward_dp(&mut pass, b, top);
                    }
                    StepPart::Backward => {
                        split_dispatches += self.encode_backward(&mut pass, b, top, fused);
                    }
                    StepPart::Update => {
                        // Every trainable tensor's update and the batch's mean loss, in one dispatch.
                        pass.set_pipeline(k.pipeline(step.kind.kernel()));
                        pass.set_bind_group(0, &self.res.update_group, &[]);
                        let (x, y, z) = step.update_params.workgroups();
                        pass.dispatch_workgroups(x, y, z);
                    }
                }
            }
        }
        self.ctx.queue.submit([enc.finish()]);
        split_dispatches
    }

    /// The backward products from the top layer down; returns the split-K second dispatches.
    fn encode_backward(
        &self,
        pass: &mut wgpu::ComputePass<'_>,
        b: usize,
        top: usize,
        fused: bool,
    ) -> usize {
        let k = self.ctx.kernels();
        let mut split_dispatches = 0;
        for (l, layer) in self.res.layers.iter().enumerate().rev() {
            let o = layer.out_f as u32;
            if !layer.weight.frozen {
                // With a trainable bias this dispatch also writes its gradient (FLAG_ROW_SUMS).
                let p = layer.grad_weight_params(b as u32);
                self.encode_product(pass, &p, &layer.dw_group, None);
            } else if !layer.bias.frozen {
                pass.set_pipeline(k.pipeline(linear::BIAS_GRAD));
                pass.set_bind_group(0, &layer.db_group, &[]);
                pass.dispatch_workgroups(o.div_ceil(linear::BIAS_GRAD_WORKGROUP), 1, 1);
            }
            if !self.model.needs_input_grad(l) {
                break;
            }
            if l == top && fused {
                continue; // head.wgsl wrote this layer's input gradient
            }
            let dx = layer
                .dx_group
                .as_ref()
                .expect("layers above the first have an input-gradient bind group");
            let p = layer.grad_input_params(b as u32);
            split_dispatches += self.encode_product(pass, &p, dx, layer.dx_split.as_ref()) - 1;
        }
        split_dispatches
    }

    /// DP-SGD's backward: every layer's δ (the input-gradient chain), each example's squared norm over
    /// all layers, the δ rows clipped and divided by the lot, then the weight and bias gradients and
    /// the noise. Returns the split-K second dispatches.
    fn encode_backward_dp(&self, pass: &mut wgpu::ComputePass<'_>, b: usize, top: usize) -> usize {
        let k = self.ctx.kernels();
        let mut split_dispatches = 0;
        for l in (1..=top).rev() {
            let layer = &self.res.layers[l];
            let dx = layer
                .dx_group
                .as_ref()
                .expect("layers above the first have an input-gradient bind group");
            let p = layer.grad_input_params(b as u32);
            split_dispatches += self.encode_product(pass, &p, dx, layer.dx_split.as_ref()) - 1;
        }
        pass.set_pipeline(k.pipeline(dp::NORMS));
        for layer in self.res.layers.iter().rev() {
            pass.set_bind_group(0, &layer.dp_group, &[]);
            pass.dispatch_workgroups((b as u32).div_ceil(dp::NORMS_WORKGROUP), 1, 1);
        }
        let groups = |n: usize| (n as u32).div_ceil(dp::STRIDE_WORKGROUP).clamp(1, 4096);
        pass.set_pipeline(k.pipeline(dp::SCALE));
        for layer in &self.res.layers {
            pass.set_bind_group(0, &layer.dp_group, &[]);
            pass.dispatch_workgroups(groups(b * layer.out_f), 1, 1);
        }
        for layer in &self.res.layers {
            let p = layer.grad_weight_params(b as u32);
            self.encode_product(pass, &p, &layer.dw_group, None);
        }
        if self.dp.is_some_and(|d| d.noise > 0.0) {
            pass.set_pipeline(k.pipeline(dp::NOISE));
            for layer in &self.res.layers {
                pass.set_bind_group(0, &layer.dp_group, &[]);
                pass.dispatch_workgroups(groups(layer.weight.len + layer.bias.len), 1, 1);
            }
        }
        split_dispatches
    }

    /// Counts a step whose every part has been submitted.
    pub(super) fn complete_step(
        &mut self,
        step: &PreparedStep,
        split_dispatches: usize,
    ) -> Result<(), EngineError> {
        self.steps += 1;
        self.last_rows = step.rows;
        // The same frozen flags and `needs_input_grad` decided the dispatches encoded.
        self.last_step = Some(StepShape::of(&self.model, step.rows, step.kind));
        self.last_split_dispatches = split_dispatches;
        self.ctx.check()
    }
}
