//! `Engine` for the GPU engine: a step's encoding (gather → forward → loss → backward → update, frozen
//! work skipped) and the asynchronous readers.

use super::*;
use crate::dataset::{Dataset, Split};
use crate::engine::{
    Engine, EngineError, EngineInfo, Evaluation, Freezing, KernelLaunch, LayerGradients,
    OptimizerConfig, OptimizerKind, StepShape, StepTrace, TensorOptimizerState, check_data_fits,
    check_optimizer_state, check_rows,
};
use crate::model::{Mlp, TensorKind};
use crate::ops::{accuracy, adam, gather_normalize, head, linear, softmax_cross_entropy, update};

impl Engine for GpuEngine {
    fn info(&self) -> &EngineInfo {
        &self.info
    }

    fn widths(&self) -> Vec<usize> {
        self.model.widths()
    }

    fn max_rows(&self) -> usize {
        self.max_rows
    }

    fn set_data(&mut self, split: Split, data: &Dataset) -> Result<(), EngineError> {
        check_data_fits(data.features(), data.classes(), &self.model.widths())?;
        Self::check_size(&self.ctx, "the dataset", data.images.len())?;
        let buffers = self.upload(split, data);
        match split {
            Split::Train => self.train = Some(buffers),
            Split::Test => {
                self.eval_capacity = data.len().max(1);
                self.test = Some(buffers);
            }
        }
        // Bind groups reference the data buffers; parameters and optimiser state survive the rebuild.
        self.rebuild(true)
    }

    fn train_step(&mut self, rows: &[u32], opt: &OptimizerConfig) -> Result<(), EngineError> {
        opt.validate()?;
        self.ctx.check()?;
        let samples = self.train.as_ref().map_or(0, |d| d.len);
        check_rows(rows, samples, self.max_rows)?;
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
        let sm = self.softmax_params(b);
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
                let (step_size, bc2_sqrt) = match opt.kind {
                    OptimizerKind::Sgd => (opt.lr, 1.0),
                    OptimizerKind::Adam => {
                        let a = adam::AdamParams::for_step(
                            t.len as u32,
                            opt.lr,
                            opt.beta1,
                            opt.beta2,
                            opt.eps,
                            opt.weight_decay,
                            t.steps,
                        );
                        (a.step_size, a.bc2_sqrt)
                    }
                };
                trainable.push(update::Tensor {
                    start: t.offset,
                    len: t.len,
                    step_size,
                    bc2_sqrt,
                });
            }
        }
        let hyper = match opt.kind {
            OptimizerKind::Sgd => [opt.momentum, 0.0, 0.0, opt.weight_decay],
            OptimizerKind::Adam => [opt.beta1, opt.beta2, opt.eps, opt.weight_decay],
        };
        let update_params = update::UpdateParams::new(&trainable, b as u32, slot, hyper);
        self.res.arena.set(self.res.update_slot, &update_params);
        self.res.arena.flush(&self.ctx.queue);
        self.ctx
            .queue
            .write_buffer(&self.res.indices, 0, bytemuck::cast_slice(rows));

        let mut enc = self
            .ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("train step"),
            });
        if reset_state {
            // Momentum buffers of one optimiser mean nothing to another.
            enc.clear_buffer(&self.res.packed.m, 0, None);
            enc.clear_buffer(&self.res.packed.v, 0, None);
        }
        for &(offset, bytes) in &zeroed {
            enc.clear_buffer(&self.res.packed.grad, offset, Some(bytes));
        }
        // Split-K products take a second dispatch each (counted for `last_step_dispatches`).
        let mut split_dispatches = 0;
        {
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("train step"),
                timestamp_writes: None,
            });
            let k = self.ctx.kernels();
            self.encode_gather(&mut pass, &self.res.gather_train_group, b);
            if let Some((_, group)) = &self.res.head {
                // Every layer but the last, then the last with its loss and δ (and the δ below).
                split_dispatches += self.encode_forward(&mut pass, b, top) - top;
                pass.set_bind_group(0, group, &[]);
                pass.set_pipeline(k.pipeline(head::MAIN));
                let (x, y, z) = head_params.workgroups();
                pass.dispatch_workgroups(x, y, z);
            } else {
                split_dispatches += self.encode_forward(&mut pass, b, top + 1) - (top + 1);
                pass.set_bind_group(0, &self.res.softmax_group, &[]);
                pass.set_pipeline(k.pipeline(softmax_cross_entropy::ROWS));
                pass.dispatch_workgroups(
                    (b as u32).div_ceil(softmax_cross_entropy::ROWS_WORKGROUP),
                    1,
                    1,
                );
            }
            for (l, layer) in self.res.layers.iter().enumerate().rev() {
                let o = layer.out_f as u32;
                if !layer.weight.frozen {
                    // With a trainable bias this dispatch also writes its gradient (FLAG_ROW_SUMS).
                    let p = layer.grad_weight_params(b as u32);
                    self.encode_product(&mut pass, &p, &layer.dw_group, None);
                } else if !layer.bias.frozen {
                    pass.set_pipeline(k.pipeline(linear::BIAS_GRAD));
                    pass.set_bind_group(0, &layer.db_group, &[]);
                    pass.dispatch_workgroups(o.div_ceil(linear::BIAS_GRAD_WORKGROUP), 1, 1);
                }
                if !self.model.needs_input_grad(l) {
                    break;
                }
                if l == top && self.res.head.is_some() {
                    continue; // head.wgsl wrote this layer's input gradient
                }
                let dx = layer
                    .dx_group
                    .as_ref()
                    .expect("layers above the first have an input-gradient bind group");
                let p = layer.grad_input_params(b as u32);
                split_dispatches +=
                    self.encode_product(&mut pass, &p, dx, layer.dx_split.as_ref()) - 1;
            }
            // Every trainable tensor's update and the batch's mean loss, in one dispatch.
            pass.set_pipeline(k.pipeline(opt.kind.kernel()));
            pass.set_bind_group(0, &self.res.update_group, &[]);
            let (x, y, z) = update_params.workgroups();
            pass.dispatch_workgroups(x, y, z);
        }
        self.ctx.queue.submit([enc.finish()]);
        self.steps += 1;
        self.last_rows = b;
        // The same frozen flags and `needs_input_grad` decided the dispatches encoded above.
        self.last_step = Some(StepShape::of(&self.model, b, opt.kind));
        self.last_split_dispatches = split_dispatches;
        self.ctx.check()
    }

    async fn take_losses(&mut self) -> Result<Vec<f32>, EngineError> {
        let pending = self.steps - self.losses_read;
        if pending == 0 {
            return Ok(Vec::new());
        }
        let n = pending.min(LOSS_RING as u64);
        let first = self.steps - n;
        let start = (first % LOSS_RING as u64) * 4;
        // The ring may wrap: read it in up to two pieces.
        let head = (n * 4).min(LOSS_RING as u64 * 4 - start);
        let parts = [
            (&self.res.loss_log, start, head),
            (&self.res.loss_log, 0, n * 4 - head),
        ];
        let bytes = self.ctx.read(&parts).await?;
        self.losses_read = self.steps;
        Ok(bytes.iter().flat_map(|b| f32s(b)).collect())
    }

    async fn evaluate(&mut self, limit: Option<usize>) -> Result<Evaluation, EngineError> {
        self.ctx.check()?;
        let test = self
            .test
            .take()
            .ok_or_else(|| EngineError::InvalidInput("no test data has been set".into()))?;
        let n = limit.unwrap_or(usize::MAX).min(test.len);
        let mut enc = self
            .ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("evaluate: zero count"),
            });
        enc.clear_buffer(&self.res.correct, 0, None);
        self.ctx.queue.submit([enc.finish()]);
        // Each chunk changes uniforms (base offsets), so each is its own submission.
        for start in (0..n).step_by(self.max_rows) {
            let rows = self.max_rows.min(n - start);
            self.set_rows(
                rows,
                Some(&test),
                self.res.gather_test_slot,
                start as u32,
                false,
            );
            let sm = self.softmax_params(rows);
            self.res.arena.set(self.res.softmax_slot, &sm);
            let acc = accuracy::AccuracyParams {
                rows: rows as u32,
                classes: self.model.classes() as u32,
                base: start as u32,
                pad: 0,
            };
            self.res.arena.set(self.res.accuracy_slot, &acc);
            self.res.arena.flush(&self.ctx.queue);
            let mut enc = self
                .ctx
                .device
                .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                    label: Some("evaluate chunk"),
                });
            {
                let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: Some("evaluate chunk"),
                    timestamp_writes: None,
                });
                self.encode_gather(&mut pass, &self.res.gather_test_group, rows);
                self.encode_forward(&mut pass, rows, self.res.layers.len());
                pass.set_pipeline(self.ctx.kernels().pipeline(softmax_cross_entropy::ROWS));
                pass.set_bind_group(0, &self.res.softmax_group, &[]);
                pass.dispatch_workgroups(
                    (rows as u32).div_ceil(softmax_cross_entropy::ROWS_WORKGROUP),
                    1,
                    1,
                );
                pass.set_pipeline(self.ctx.kernels().pipeline(accuracy::MAIN));
                pass.set_bind_group(0, &self.res.accuracy_group, &[]);
                pass.dispatch_workgroups((rows as u32).div_ceil(accuracy::WORKGROUP), 1, 1);
            }
            enc.copy_buffer_to_buffer(
                &self.res.loss_rows,
                0,
                &self.res.eval_losses,
                start as u64 * 4,
                rows as u64 * 4,
            );
            self.ctx.queue.submit([enc.finish()]);
        }
        self.test = Some(test);
        // The training step's uniforms were overwritten; make the next step rewrite them.
        self.last_rows = 0;
        let bytes = self
            .ctx
            .read(&[
                (&self.res.predictions, 0, n as u64 * 4),
                (&self.res.eval_losses, 0, n as u64 * 4),
                (&self.res.correct, 0, 4),
            ])
            .await?;
        let predictions: Vec<u32> = bytemuck::pod_collect_to_vec(&bytes[0]);
        let losses = f32s(&bytes[1]);
        let loss_sum: f64 = losses.iter().map(|&l| f64::from(l)).sum();
        let correct =
            u32::from_le_bytes([bytes[2][0], bytes[2][1], bytes[2][2], bytes[2][3]]) as usize;
        Ok(Evaluation {
            loss: (loss_sum / n.max(1) as f64) as f32,
            correct,
            total: n,
            predictions,
            losses,
        })
    }

    async fn model(&mut self) -> Result<Mlp, EngineError> {
        let param = &self.res.packed.param;
        let parts: Vec<(&wgpu::Buffer, u64, u64)> = self
            .res
            .layers
            .iter()
            .flat_map(|l| [l.weight.part(param), l.bias.part(param)])
            .collect();
        let bytes = self.ctx.read(&parts).await?;
        let mut model = self.model.clone();
        for (layer, pair) in model.layers.iter_mut().zip(bytes.chunks_exact(2)) {
            layer.weight = f32s(&pair[0]);
            layer.bias = f32s(&pair[1]);
        }
        Ok(model)
    }

    fn set_model(&mut self, model: &Mlp) -> Result<(), EngineError> {
        for d in [&self.train, &self.test].into_iter().flatten() {
            check_data_fits(d.features, d.classes, &model.widths())?;
        }
        let same_shape = model.widths() == self.model.widths();
        self.model = model.clone();
        self.last_optimizer = None;
        if !same_shape {
            return self.rebuild(false);
        }
        // Same shapes (a probe's perturbed weight, a rollback): write the parameters into the existing
        // buffers instead of building every buffer and bind group again.
        for (res, layer) in self.res.layers.iter_mut().zip(&model.layers) {
            for (t, values, frozen) in [
                (&mut res.weight, &layer.weight, layer.weight_frozen),
                (&mut res.bias, &layer.bias, layer.bias_frozen),
            ] {
                self.ctx.queue.write_buffer(
                    &self.res.packed.param,
                    t.offset as u64 * 4,
                    bytemuck::cast_slice(values),
                );
                t.frozen = frozen;
                t.computed = false;
            }
        }
        self.last_rows = 0;
        self.reset_optimizer_state()
    }

    fn set_freezing(&mut self, freezing: Freezing) -> Result<(), EngineError> {
        self.freezing = freezing;
        Ok(())
    }

    fn set_frozen(&mut self, layer: usize, frozen: bool) -> Result<(), EngineError> {
        self.model.set_layer_frozen(layer, frozen)?;
        let l = &mut self.res.layers[layer];
        l.weight.frozen = frozen;
        l.bias.frozen = frozen;
        Ok(())
    }

    async fn trace(&mut self) -> Result<StepTrace, EngineError> {
        let b = self.last_rows;
        if b == 0 {
            return Err(EngineError::InvalidInput(
                "no training step has run since the last change (trace is read right after a step)"
                    .into(),
            ));
        }
        let widths = self.model.widths();
        let mut parts: Vec<(&wgpu::Buffer, u64, u64)> = widths
            .iter()
            .zip(&self.res.acts)
            .map(|(&w, buf)| (buf, 0, (b * w * 4) as u64))
            .collect();
        parts.push((&self.res.labels, 0, b as u64 * 4));
        parts.push((&self.res.loss_rows, 0, b as u64 * 4));
        let shape = self.last_step.clone();
        let computed = |l: usize| shape.as_ref().is_some_and(|s| s.computes_delta(l));
        for (l, (buf, &w)) in self.res.deltas.iter().zip(&widths[1..]).enumerate() {
            let len = if computed(l) { (b * w * 4) as u64 } else { 0 };
            parts.push((buf, 0, len));
        }
        let packed = &self.res.packed;
        for l in &self.res.layers {
            for t in [&l.weight, &l.bias] {
                let (buf, at, len) = t.part(&packed.grad);
                parts.push((buf, at, if t.computed { len } else { 0 }));
            }
            parts.push(l.weight.part(&packed.param));
            parts.push(l.bias.part(&packed.param));
        }
        let bytes = self.ctx.read(&parts).await?;
        let nw = widths.len();
        let mut model = self.model.clone();
        let mut gradients = Vec::new();
        for (li, (layer, chunk)) in self
            .res
            .layers
            .iter()
            .zip(bytes[2 * nw + 1..].chunks_exact(4))
            .enumerate()
        {
            gradients.push(LayerGradients {
                weight: layer.weight.computed.then(|| f32s(&chunk[0])),
                bias: layer.bias.computed.then(|| f32s(&chunk[1])),
            });
            model.layers[li].weight = f32s(&chunk[2]);
            model.layers[li].bias = f32s(&chunk[3]);
        }
        let row_losses = f32s(&bytes[nw + 1]);
        Ok(StepTrace {
            rows: b,
            inputs: f32s(&bytes[0]),
            labels: bytemuck::pod_collect_to_vec(&bytes[nw]),
            activations: bytes[1..nw].iter().map(|v| f32s(v)).collect(),
            gradients,
            deltas: (0..nw - 1)
                .map(|l| computed(l).then(|| f32s(&bytes[nw + 2 + l])))
                .collect(),
            model,
            loss: softmax_cross_entropy::reference_mean(&row_losses),
        })
    }

    fn last_step_kernels(&self) -> Vec<KernelLaunch> {
        self.last_step
            .as_ref()
            .map_or_else(Vec::new, StepShape::launches)
    }

    fn last_step_dispatches(&self) -> usize {
        self.last_step
            .as_ref()
            .map_or(0, |s| s.dispatches() + self.last_split_dispatches)
    }

    fn set_augmentation(
        &mut self,
        augmentation: Option<gather_normalize::Augmentation>,
    ) -> Result<(), EngineError> {
        self.augmentation = augmentation;
        Ok(())
    }

    fn reset_optimizer_state(&mut self) -> Result<(), EngineError> {
        let mut enc = self
            .ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("reset optimiser state"),
            });
        enc.clear_buffer(&self.res.packed.m, 0, None);
        enc.clear_buffer(&self.res.packed.v, 0, None);
        for layer in &mut self.res.layers {
            layer.weight.steps = 0;
            layer.bias.steps = 0;
        }
        self.ctx.queue.submit([enc.finish()]);
        self.ctx.check()
    }

    async fn optimizer_state(&mut self) -> Result<Vec<TensorOptimizerState>, EngineError> {
        let parts: Vec<(&wgpu::Buffer, u64, u64)> = self
            .res
            .layers
            .iter()
            .flat_map(|l| [&l.weight, &l.bias])
            .flat_map(|t| [t.part(&self.res.packed.m), t.part(&self.res.packed.v)])
            .collect();
        let bytes = self.ctx.read(&parts).await?;
        let tensors = self.res.layers.iter().enumerate().flat_map(|(l, layer)| {
            [
                (l, TensorKind::Weight, layer.weight.steps),
                (l, TensorKind::Bias, layer.bias.steps),
            ]
        });
        Ok(tensors
            .zip(bytes.chunks_exact(2))
            .map(|((l, kind, steps), mv)| TensorOptimizerState {
                name: Mlp::parameter_name(l, kind),
                momentum: f32s(&mv[0]),
                second_moment: f32s(&mv[1]),
                steps,
            })
            .collect())
    }

    fn set_optimizer_state(&mut self, state: &[TensorOptimizerState]) -> Result<(), EngineError> {
        check_optimizer_state(&self.model, state)?;
        let tensors = self
            .res
            .layers
            .iter_mut()
            .flat_map(|l| [&mut l.weight, &mut l.bias]);
        for (t, s) in tensors.zip(state) {
            for (buf, values) in [
                (&self.res.packed.m, &s.momentum),
                (&self.res.packed.v, &s.second_moment),
            ] {
                self.ctx
                    .queue
                    .write_buffer(buf, t.offset as u64 * 4, bytemuck::cast_slice(values));
            }
            t.steps = s.steps;
        }
        Ok(())
    }

    async fn predict(&mut self, inputs: &[f32], rows: usize) -> Result<Vec<f32>, EngineError> {
        let input = self.model.input_size();
        if inputs.len() != rows * input || rows == 0 || rows > self.max_rows {
            return Err(EngineError::InvalidInput(format!(
                "{} inputs for {rows} rows of {input} (at most {} rows)",
                inputs.len(),
                self.max_rows
            )));
        }
        self.set_rows(rows, None, self.res.gather_train_slot, 0, true);
        self.res.arena.flush(&self.ctx.queue);
        self.ctx
            .queue
            .write_buffer(&self.res.acts[0], 0, bytemuck::cast_slice(inputs));
        let mut enc = self
            .ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("predict"),
            });
        {
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("predict"),
                timestamp_writes: None,
            });
            self.encode_forward(&mut pass, rows, self.res.layers.len());
        }
        self.ctx.queue.submit([enc.finish()]);
        // The activations of the last step are overwritten.
        self.last_rows = 0;
        let classes = self.model.classes();
        let nl = self.res.acts.len() - 1;
        let bytes = self
            .ctx
            .read(&[(&self.res.acts[nl], 0, (rows * classes * 4) as u64)])
            .await?;
        Ok(f32s(&bytes[0]))
    }
}
