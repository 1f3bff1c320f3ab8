//! A GPU training step in three stages — settings prepared on the queue, parts encoded, the step
//! counted — so that `train_step` encodes all five parts in one submission and `train_step_part`
//! submits them one at a time (a lesson lights each line of the loop as its part runs).

use std::sync::Arc;

use super::*;
use crate::engine::{
    Freezing, OptimizerConfig, Privacy, StepOptions, StepPart, StepPlan, check_dp_trainable,
    check_rows,
};
use crate::ops::dp;
use crate::ops::optim::TensorStep;

/// A step's settings, written to the queue before its kernels are encoded, and its plan.
pub(super) struct PreparedStep {
    rows: usize,
    /// The dispatches the encoder issues, part by part.
    plan: Arc<StepPlan>,
    /// The optimiser changed: its state is cleared before the update.
    reset_state: bool,
    /// Byte ranges of frozen tensors' gradients cleared before the update (`Freezing::ZeroGradient`).
    zeroed: Vec<(u64, u64)>,
}

impl GpuEngine {
    /// Checks the step, writes its uniforms (gather, loss, head, update) and its rows to the queue,
    /// and takes its plan (`fuse_head`: the step runs whole, see [`StepOptions::fuse_head`]).
    pub(super) fn prepare_step(
        &mut self,
        rows: &[u32],
        opt: &OptimizerConfig,
        fuse_head: bool,
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
            plan: self.plan_for(b, opt.kind, fuse_head),
            reset_state,
            zeroed,
        })
    }

    /// The plan of a step of `rows` rows: the cached one while the shape and options hold, else a
    /// new one with each product on the kernel the context chose for it. A tuning that changes a
    /// choice drops the cache (`tune`).
    fn plan_for(&mut self, rows: usize, kind: OptimizerKind, fuse_head: bool) -> Arc<StepPlan> {
        let shape = StepShape::of(&self.model, rows, kind);
        let options = self.step_options(fuse_head);
        if let Some(plan) = &self.plan
            && plan.shape == shape
            && plan.options == options
        {
            return plan.clone();
        }
        let plan = Arc::new(self.plan_with(&shape, options));
        self.plan = Some(plan.clone());
        plan
    }

    /// What besides the shape decides this engine's launches now.
    fn step_options(&self, fuse_head: bool) -> StepOptions {
        StepOptions {
            fuse_head,
            freezing: self.freezing,
            privacy: Privacy::of(self.dp.as_ref()),
            split_k: self.res.layers[0].fwd_split.is_some(),
        }
    }

    fn plan_with(&self, shape: &StepShape, options: StepOptions) -> StepPlan {
        StepPlan::new(shape, options, &|p| self.ctx.gemm_variant(p))
    }

    /// The plan of a whole training step of `shape` on this engine: its freezing, DP-SGD and room for
    /// split-K, and each product on the kernel its context chose (after [`GpuEngine::tune`], the
    /// dispatches a step will take).
    pub fn step_plan(&self, shape: &StepShape) -> StepPlan {
        self.plan_with(shape, self.step_options(true))
    }

    /// Encodes the launches of `parts` from the step's plan in one compute pass and submits it;
    /// returns the dispatches it issued.
    pub(super) fn encode_parts(&self, step: &PreparedStep, parts: &[StepPart]) -> usize {
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
        let mut dispatches = 0;
        {
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("train step"),
                timestamp_writes: None,
            });
            let k = self.ctx.kernels();
            for launch in step.plan.of_parts(parts) {
                pass.set_pipeline(k.pipeline(launch.entry));
                pass.set_bind_group(0, self.res.group(launch.group), &[]);
                let (x, y, z) = launch.workgroups;
                pass.dispatch_workgroups(x, y, z);
                dispatches += 1;
            }
        }
        self.ctx.queue.submit([enc.finish()]);
        dispatches
    }

    /// Counts a step whose every part has been submitted.
    /// `encoded`: the dispatches its parts issued.
    pub(super) fn complete_step(
        &mut self,
        step: &PreparedStep,
        encoded: usize,
    ) -> Result<(), EngineError> {
        self.steps += 1;
        self.last_rows = step.rows;
        self.last_plan = Some(step.plan.clone());
        self.last_encoded = encoded;
        self.ctx.check()
    }
}
