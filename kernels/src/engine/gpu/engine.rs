//! `Engine` for the GPU engine: a step's encoding (gather → forward → loss → backward → update, frozen
//! work skipped) and the asynchronous readers.

use super::*;
use crate::dataset::{Dataset, Split};
use crate::engine::{
    Engine, EngineError, EngineInfo, Evaluation, Freezing, InputGradient, KernelLaunch,
    LayerGradients, OptimizerConfig, StepPart, StepTrace, TensorOptimizerState, check_data_fits,
    check_input_gradient_request, check_optimizer_state, check_part_order,
};
use crate::model::{Mlp, TensorKind};
use crate::ops::{accuracy, gather_normalize, linear, softmax_cross_entropy};

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
        // Its buffers are shared with a step walked part by part: the walk ends here.
        self.walk = None;
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
        self.walk = None;
        let step = self.prepare_step(rows, opt, true)?;
        let encoded = self.encode_parts(&step, &StepPart::ALL);
        self.complete_step(&step, encoded)
    }

    fn train_step_part(
        &mut self,
        rows: &[u32],
        opt: &OptimizerConfig,
        part: StepPart,
    ) -> Result<(), EngineError> {
        if part == StepPart::Gather {
            self.walk = None;
            // Walked part by part, the loss is a part of its own: the head runs unfused.
            let step = self.prepare_step(rows, opt, false)?;
            let encoded = self.encode_parts(&step, &[part]);
            self.walk = Some((step, StepPart::Forward, encoded));
            return self.ctx.check();
        }
        check_part_order(self.walk.as_ref().map(|w| w.1), part)?;
        let (step, _, encoded) = self.walk.take().expect("checked above");
        let encoded = encoded + self.encode_parts(&step, &[part]);
        match part.next() {
            Some(next) => {
                self.walk = Some((step, next, encoded));
                self.ctx.check()
            }
            None => self.complete_step(&step, encoded),
        }
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
        // Its buffers are shared with a step walked part by part: the walk ends here.
        self.walk = None;
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
        // Its buffers are shared with a step walked part by part: the walk ends here.
        self.walk = None;
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

    fn set_privacy(&mut self, dp: Option<crate::ops::dp::DpConfig>) -> Result<(), EngineError> {
        if let Some(dp) = &dp {
            dp.validate()?;
        }
        self.dp = dp;
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
        let plan = self.last_plan.clone();
        let computed = |l: usize| plan.as_ref().is_some_and(|p| p.shape.computes_delta(l));
        for (l, (buf, &w)) in self.res.deltas.iter().zip(&widths[1..]).enumerate() {
            let len = if computed(l) { (b * w * 4) as u64 } else { 0 };
            parts.push((buf, 0, len));
        }
        let dp_rows = if self.dp.is_some() { b as u64 * 4 } else { 0 };
        parts.push((&self.res.norms, 0, dp_rows));
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
            .zip(bytes[2 * nw + 2..].chunks_exact(4))
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
            example_norms: f32s(&bytes[2 * nw + 1]).iter().map(|n| n.sqrt()).collect(),
        })
    }

    fn last_step_kernels(&self) -> Vec<KernelLaunch> {
        self.last_plan
            .as_ref()
            .map_or_else(Vec::new, |p| p.kernels())
    }

    fn last_step_dispatches(&self) -> usize {
        self.last_plan.as_ref().map_or(0, |p| p.dispatches())
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

    async fn input_gradients(
        &mut self,
        inputs: &[f32],
        labels: &[u32],
        target: InputGradient,
    ) -> Result<Vec<f32>, EngineError> {
        self.walk = None;
        let rows = labels.len();
        let input = self.model.input_size();
        let classes = self.model.classes();
        check_input_gradient_request(inputs.len(), rows, input, classes, labels, target)?;
        if rows > self.max_rows {
            return Err(EngineError::InvalidInput(format!(
                "{rows} rows; at most {}",
                self.max_rows
            )));
        }
        self.set_rows(rows, None, self.res.gather_train_slot, 0, true);
        let top = self.res.layers.len() - 1;
        // Layer 0's input gradient goes to the inputs, where there is no ReLU to pass back through.
        let first = &self.res.layers[0];
        self.res.arena.set(
            first.dx_slot,
            &linear::GemmParams::grad_input(rows as u32, first.in_f as u32, first.out_f as u32),
        );
        let mut sm = self.softmax_params(rows);
        sm.grad_scale = 1.0;
        self.res.arena.set(self.res.softmax_slot, &sm);
        self.res.arena.flush(&self.ctx.queue);
        let q = &self.ctx.queue;
        q.write_buffer(&self.res.acts[0], 0, bytemuck::cast_slice(inputs));
        q.write_buffer(&self.res.labels, 0, bytemuck::cast_slice(labels));
        if let InputGradient::Logit(c) = target {
            let mut onehot = vec![0f32; rows * classes];
            onehot
                .iter_mut()
                .skip(c)
                .step_by(classes)
                .for_each(|v| *v = 1.0);
            q.write_buffer(&self.res.deltas[top], 0, bytemuck::cast_slice(&onehot));
        }
        let mut enc = self
            .ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("input gradients"),
            });
        {
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("input gradients"),
                timestamp_writes: None,
            });
            let k = self.ctx.kernels();
            self.encode_forward(&mut pass, rows, top + 1);
            if target == InputGradient::Loss {
                pass.set_bind_group(0, &self.res.softmax_group, &[]);
                pass.set_pipeline(k.pipeline(softmax_cross_entropy::ROWS));
                pass.dispatch_workgroups(
                    (rows as u32).div_ceil(softmax_cross_entropy::ROWS_WORKGROUP),
                    1,
                    1,
                );
            }
            for l in (1..=top).rev() {
                let layer = &self.res.layers[l];
                let dx = layer
                    .dx_group
                    .as_ref()
                    .expect("layers above the first have an input-gradient bind group");
                let p = layer.grad_input_params(rows as u32);
                self.encode_product(&mut pass, &p, dx, None);
            }
            let first = &self.res.layers[0];
            let p =
                linear::GemmParams::grad_input(rows as u32, first.in_f as u32, first.out_f as u32);
            self.encode_product(&mut pass, &p, &self.res.input_grad_group, None);
        }
        self.ctx.queue.submit([enc.finish()]);
        // The activations and δs of the last step are overwritten.
        self.last_rows = 0;
        let bytes = self
            .ctx
            .read(&[(&self.res.input_grad, 0, (rows * input * 4) as u64)])
            .await?;
        Ok(f32s(&bytes[0]))
    }

    async fn predict(&mut self, inputs: &[f32], rows: usize) -> Result<Vec<f32>, EngineError> {
        // Its buffers are shared with a step walked part by part: the walk ends here.
        self.walk = None;
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
