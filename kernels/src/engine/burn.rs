//! A third engine: the same MLP on burn's tensors with burn's automatic differentiation, on the wgpu
//! device our engine uses (shared through `WgpuSetup`). It is the oracle for the hand-written backward
//! pass (tests compare every gradient) and a peer in the benchmarks. Its optimisers apply PyTorch's
//! rules with burn tensor operations, so all three engines follow the same arithmetic.

use burn::tensor::wgpu::WgpuSetup;
use burn::tensor::{Device, Int, Tensor, TensorData, activation, loss};

use crate::dataset::{Dataset, Split};
use crate::engine::gpu::GpuContext;
use crate::engine::{
    Engine, EngineError, EngineInfo, EngineKind, Evaluation, LayerGradients, OptimizerConfig,
    OptimizerKind, StepTrace, check_data_fits, check_rows,
};
use crate::model::Mlp;
use crate::ops::optim::TensorStep;

/// Rows per chunk when evaluating.
const EVAL_CHUNK: usize = 1000;

fn burn_err(what: &str, e: impl std::fmt::Debug) -> EngineError {
    EngineError::Gpu(format!("burn: {what}: {e:?}"))
}

/// One tensor with its optimiser state.
struct Param<const D: usize> {
    value: Tensor<D>,
    /// SGD velocity / Adam first moment.
    m: Tensor<D>,
    /// Adam second moment.
    v: Tensor<D>,
    steps: u64,
    frozen: bool,
}

impl<const D: usize> Param<D> {
    fn new(values: &[f32], shape: [usize; D], frozen: bool, device: &Device) -> Self {
        let value = Tensor::<D>::from_data(TensorData::new(values.to_vec(), shape), device);
        Self {
            m: value.zeros_like(),
            v: value.zeros_like(),
            value,
            steps: 0,
            frozen,
        }
    }

    /// PyTorch's update of `opt.kind` with the gradient `g`, as burn's tensor operations (written
    /// from PyTorch's formulas, not from [`crate::ops::optim`], so that this engine stays an
    /// independent check of the others).
    fn update(&mut self, g: Tensor<D>, opt: &OptimizerConfig) {
        self.steps += 1;
        let g = if opt.weight_decay != 0.0 && opt.kind != OptimizerKind::AdamW {
            g + self.value.clone().mul_scalar(opt.weight_decay)
        } else {
            g
        };
        let step = TensorStep::new(opt.kind, opt.lr, &opt.hyper(), self.steps);
        match opt.kind {
            OptimizerKind::Sgd | OptimizerKind::Nesterov => {
                self.m = self.m.clone().mul_scalar(opt.momentum) + g.clone();
                let direction = if opt.kind == OptimizerKind::Nesterov {
                    g + self.m.clone().mul_scalar(opt.momentum)
                } else {
                    self.m.clone()
                };
                self.value = self.value.clone() - direction.mul_scalar(opt.lr);
            }
            OptimizerKind::Adagrad => {
                self.v = self.v.clone() + g.clone() * g.clone();
                let std = self.v.clone().sqrt().add_scalar(opt.eps);
                self.value = self.value.clone() - (g / std).mul_scalar(opt.lr);
            }
            OptimizerKind::Rmsprop => {
                self.v = self.v.clone().mul_scalar(opt.beta2)
                    + (g.clone() * g.clone()).mul_scalar(1.0 - opt.beta2);
                let avg = self.v.clone().sqrt().add_scalar(opt.eps);
                self.m = self.m.clone().mul_scalar(opt.momentum) + g / avg;
                self.value = self.value.clone() - self.m.clone().mul_scalar(opt.lr);
            }
            OptimizerKind::Adam | OptimizerKind::AdamW => {
                if opt.kind == OptimizerKind::AdamW {
                    self.value = self.value.clone().mul_scalar(step.decay);
                }
                self.m = self.m.clone() + (g.clone() - self.m.clone()).mul_scalar(1.0 - opt.beta1);
                self.v = self.v.clone().mul_scalar(opt.beta2)
                    + (g.clone() * g).mul_scalar(1.0 - opt.beta2);
                let denom = self
                    .v
                    .clone()
                    .sqrt()
                    .div_scalar(step.bc2_sqrt)
                    .add_scalar(opt.eps);
                self.value =
                    self.value.clone() - (self.m.clone() / denom).mul_scalar(step.step_size);
            }
        }
    }

    /// The value as an autodiff leaf: tracked when trainable, a constant when frozen.
    fn leaf(&self) -> Tensor<D> {
        let t = self.value.clone().autodiff();
        if self.frozen { t } else { t.require_grad() }
    }
}

struct Layer {
    weight: Param<2>,
    bias: Param<1>,
}

/// A split on the device: normalised inputs, one-hot targets and (on the host) labels.
/// The targets are built here once because burn's `one_hot` reads its indices back synchronously,
/// which a browser cannot do and which would stall every step natively.
struct DeviceData {
    x: Tensor<2>,
    targets: Tensor<2>,
    labels: Vec<u8>,
    features: usize,
    classes: usize,
}

/// What the last step leaves for `trace`.
struct LastStep {
    rows: usize,
    inputs: Tensor<2>,
    labels: Vec<u32>,
    activations: Vec<Tensor<2>>,
    gradients: Vec<(Option<Tensor<2>>, Option<Tensor<1>>)>,
    loss: Tensor<1>,
}

/// The burn engine.
pub struct BurnEngine {
    info: EngineInfo,
    device: Device,
    model: Mlp,
    layers: Vec<Layer>,
    max_rows: usize,
    train: Option<DeviceData>,
    test: Option<DeviceData>,
    pending_losses: Vec<Tensor<1>>,
    last: Option<LastStep>,
    last_optimizer: Option<OptimizerKind>,
}

impl BurnEngine {
    /// A burn engine on `ctx`'s own adapter, device and queue.
    pub fn new(ctx: &GpuContext, model: &Mlp, max_rows: usize) -> Result<Self, EngineError> {
        let setup = WgpuSetup {
            instance: ctx.instance.clone(),
            adapter: ctx.adapter.clone(),
            device: ctx.device.clone(),
            queue: ctx.queue.clone(),
            backend: ctx.adapter_info.backend,
        };
        let device = Device::wgpu_options()
            .setup(setup)
            .init()
            .map_err(|e| burn_err("sharing the wgpu device", e))?;
        let mut engine = Self {
            info: EngineInfo {
                kind: EngineKind::Burn,
                adapter: ctx.adapter_info.name.clone(),
                backend: format!("burn-wgpu on {:?}", ctx.adapter_info.backend),
                software: ctx.engine_info().software,
            },
            device,
            model: model.clone(),
            layers: Vec::new(),
            max_rows,
            train: None,
            test: None,
            pending_losses: Vec::new(),
            last: None,
            last_optimizer: None,
        };
        engine.set_model(model)?;
        Ok(engine)
    }

    fn upload(&self, data: &Dataset) -> DeviceData {
        let f = data.features();
        let x: Vec<f32> = data
            .images
            .iter()
            .map(|&p| crate::ops::gather_normalize::normalize_pixel(p, data.mean, data.std))
            .collect();
        DeviceData {
            x: Tensor::<2>::from_data(TensorData::new(x, [data.len(), f]), &self.device),
            targets: Self::targets(&data.labels, self.model.classes(), &self.device),
            labels: data.labels.clone(),
            features: f,
            classes: data.classes(),
        }
    }

    /// One-hot rows `[labels, classes]`.
    fn targets(labels: &[u8], classes: usize, device: &Device) -> Tensor<2> {
        let mut t = vec![0f32; labels.len() * classes];
        for (i, &l) in labels.iter().enumerate() {
            t[i * classes + usize::from(l)] = 1.0;
        }
        Tensor::<2>::from_data(TensorData::new(t, [labels.len(), classes]), device)
    }

    fn rows_tensor(&self, rows: &[u32]) -> Tensor<1, Int> {
        let idx: Vec<i32> = rows.iter().map(|&r| r as i32).collect();
        Tensor::<1, Int>::from_data(TensorData::new(idx, [rows.len()]), &self.device)
    }

    /// Forward pass; returns every layer's output (the last is the logits).
    fn forward(x: Tensor<2>, weights: &[(Tensor<2>, Tensor<1>)]) -> Vec<Tensor<2>> {
        let mut acts: Vec<Tensor<2>> = Vec::with_capacity(weights.len());
        let mut h = x;
        for (i, (w, b)) in weights.iter().enumerate() {
            let y = h.matmul(w.clone().transpose()) + b.clone().unsqueeze::<2>();
            h = if i + 1 < weights.len() {
                activation::relu(y)
            } else {
                y
            };
            acts.push(h.clone());
        }
        acts
    }

    async fn read_f32<const D: usize>(t: Tensor<D>) -> Result<Vec<f32>, EngineError> {
        t.into_data_async()
            .await
            .map_err(|e| burn_err("reading a tensor", e))?
            .convert::<f32>()
            .try_into_vec::<f32>()
            .map_err(|e| burn_err("reading a tensor", e))
    }
}

impl Engine for BurnEngine {
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
        let d = self.upload(data);
        match split {
            Split::Train => self.train = Some(d),
            Split::Test => self.test = Some(d),
        }
        Ok(())
    }

    fn train_step(&mut self, rows: &[u32], opt: &OptimizerConfig) -> Result<(), EngineError> {
        opt.validate()?;
        if self.last_optimizer.is_some_and(|k| k != opt.kind) {
            self.reset_optimizer_state()?;
        }
        let train = self
            .train
            .as_ref()
            .ok_or_else(|| EngineError::InvalidInput("no training data has been set".into()))?;
        check_rows(rows, train.labels.len(), self.max_rows)?;
        self.last_optimizer = Some(opt.kind);
        let idx = self.rows_tensor(rows);
        let x = train.x.clone().select(0, idx.clone());
        let targets = train.targets.clone().select(0, idx).autodiff();
        let labels: Vec<u32> = rows
            .iter()
            .map(|&r| u32::from(train.labels[r as usize]))
            .collect();
        let leaves: Vec<(Tensor<2>, Tensor<1>)> = self
            .layers
            .iter()
            .map(|l| (l.weight.leaf(), l.bias.leaf()))
            .collect();
        let acts = Self::forward(x.clone().autodiff(), &leaves);
        let logits = acts.last().expect("an MLP has at least one layer").clone();
        let loss = loss::cross_entropy_with_logits(logits, targets);
        let grads = loss.backward();
        let mut gradients = Vec::with_capacity(self.layers.len());
        for (layer, (w, b)) in self.layers.iter_mut().zip(&leaves) {
            let (gw, gb) = (w.grad(&grads), b.grad(&grads));
            if let Some(g) = &gw {
                layer.weight.update(g.clone(), opt);
            }
            if let Some(g) = &gb {
                layer.bias.update(g.clone(), opt);
            }
            gradients.push((gw, gb));
        }
        let loss = loss.inner();
        self.pending_losses.push(loss.clone());
        self.last = Some(LastStep {
            rows: rows.len(),
            inputs: x,
            labels,
            activations: acts.into_iter().map(Tensor::inner).collect(),
            gradients,
            loss,
        });
        Ok(())
    }

    async fn take_losses(&mut self) -> Result<Vec<f32>, EngineError> {
        if self.pending_losses.is_empty() {
            return Ok(Vec::new());
        }
        // One readback for all pending steps.
        let all = Tensor::cat(std::mem::take(&mut self.pending_losses), 0);
        Self::read_f32(all).await
    }

    async fn evaluate(&mut self, limit: Option<usize>) -> Result<Evaluation, EngineError> {
        let test = self
            .test
            .as_ref()
            .ok_or_else(|| EngineError::InvalidInput("no test data has been set".into()))?;
        let n = limit.unwrap_or(usize::MAX).min(test.labels.len());
        let weights: Vec<(Tensor<2>, Tensor<1>)> = self
            .layers
            .iter()
            .map(|l| (l.weight.value.clone(), l.bias.value.clone()))
            .collect();
        let (mut loss_sum, mut predictions) = (0.0f64, Vec::with_capacity(n));
        let mut losses = Vec::with_capacity(n);
        for start in (0..n).step_by(EVAL_CHUNK) {
            let end = (start + EVAL_CHUNK).min(n);
            let x = test.x.clone().narrow(0, start, end - start);
            let targets = test.targets.clone().narrow(0, start, end - start);
            let logits = Self::forward(x, &weights)
                .pop()
                .expect("an MLP has at least one layer");
            // Per sample: −Σ p · log softmax(z), the rows `loss::cross_entropy_with_logits` averages.
            let rows = (targets * activation::log_softmax(logits.clone(), 1))
                .sum_dim(1)
                .neg()
                .reshape([end - start]);
            let rows = Self::read_f32(rows).await?;
            loss_sum += rows.iter().map(|&l| f64::from(l)).sum::<f64>();
            losses.extend(rows);
            let pred = logits
                .argmax(1)
                .into_data_async()
                .await
                .map_err(|e| burn_err("argmax", e))?
                .convert::<i64>()
                .try_into_vec::<i64>()
                .map_err(|e| burn_err("argmax", e))?;
            predictions.extend(pred.into_iter().map(|p| p as u32));
        }
        let correct = predictions
            .iter()
            .zip(&test.labels)
            .filter(|(p, l)| **p == u32::from(**l))
            .count();
        Ok(Evaluation {
            loss: (loss_sum / n.max(1) as f64) as f32,
            correct,
            total: n,
            predictions,
            losses,
        })
    }

    async fn model(&mut self) -> Result<Mlp, EngineError> {
        let mut model = self.model.clone();
        for (l, layer) in model.layers.iter_mut().zip(&self.layers) {
            l.weight = Self::read_f32(layer.weight.value.clone()).await?;
            l.bias = Self::read_f32(layer.bias.value.clone()).await?;
        }
        Ok(model)
    }

    fn set_model(&mut self, model: &Mlp) -> Result<(), EngineError> {
        for d in [&self.train, &self.test].into_iter().flatten() {
            check_data_fits(d.features, d.classes, &model.widths())?;
        }
        self.layers = model
            .layers
            .iter()
            .map(|l| Layer {
                weight: Param::new(
                    &l.weight,
                    [l.out_features, l.in_features],
                    l.weight_frozen,
                    &self.device,
                ),
                bias: Param::new(&l.bias, [l.out_features], l.bias_frozen, &self.device),
            })
            .collect();
        if model.classes() != self.model.classes() {
            // A new head with another number of classes: the one-hot targets change width.
            for d in [&mut self.train, &mut self.test].into_iter().flatten() {
                d.targets = Self::targets(&d.labels, model.classes(), &self.device);
            }
        }
        self.model = model.clone();
        self.last = None;
        self.last_optimizer = None;
        Ok(())
    }

    fn set_frozen(&mut self, layer: usize, frozen: bool) -> Result<(), EngineError> {
        self.model.set_layer_frozen(layer, frozen)?;
        self.layers[layer].weight.frozen = frozen;
        self.layers[layer].bias.frozen = frozen;
        Ok(())
    }

    async fn trace(&mut self) -> Result<StepTrace, EngineError> {
        let Some(last) = self.last.as_ref() else {
            return Err(EngineError::InvalidInput(
                "no training step has run yet".into(),
            ));
        };
        let (rows, labels, loss, inputs) = (
            last.rows,
            last.labels.clone(),
            last.loss.clone(),
            last.inputs.clone(),
        );
        let acts = last.activations.clone();
        let grads: Vec<(Option<Tensor<2>>, Option<Tensor<1>>)> = last.gradients.clone();
        let mut activations = Vec::new();
        for a in acts {
            activations.push(Self::read_f32(a).await?);
        }
        let mut gradients = Vec::new();
        for (gw, gb) in grads {
            let weight = match gw {
                Some(t) => Some(Self::read_f32(t).await?),
                None => None,
            };
            let bias = match gb {
                Some(t) => Some(Self::read_f32(t).await?),
                None => None,
            };
            gradients.push(LayerGradients { weight, bias });
        }
        let loss = Self::read_f32(loss).await?[0];
        let model = self.model().await?;
        let inputs = Self::read_f32(inputs).await?;
        Ok(StepTrace {
            rows,
            inputs,
            labels,
            activations,
            gradients,
            // burn's autodiff keeps no δ the lessons could read.
            deltas: vec![None; self.layers.len()],
            model,
            loss,
            example_norms: Vec::new(),
        })
    }

    /// burn's engine gathers batches with tensor ops and has no augmentation.
    fn set_augmentation(
        &mut self,
        augmentation: Option<crate::ops::gather_normalize::Augmentation>,
    ) -> Result<(), EngineError> {
        match augmentation {
            None => Ok(()),
            Some(_) => Err(EngineError::InvalidInput(
                "the burn engine has no data augmentation; use --engine gpu or cpu".into(),
            )),
        }
    }

    /// burn runs its own fused kernels, not ours: there is no launch list to show.
    fn last_step_kernels(&self) -> Vec<crate::engine::KernelLaunch> {
        Vec::new()
    }

    fn reset_optimizer_state(&mut self) -> Result<(), EngineError> {
        for l in &mut self.layers {
            (l.weight.m, l.weight.v, l.weight.steps) =
                (l.weight.m.zeros_like(), l.weight.v.zeros_like(), 0);
            (l.bias.m, l.bias.v, l.bias.steps) = (l.bias.m.zeros_like(), l.bias.v.zeros_like(), 0);
        }
        Ok(())
    }

    async fn optimizer_state(
        &mut self,
    ) -> Result<Vec<crate::engine::TensorOptimizerState>, EngineError> {
        use crate::model::TensorKind;
        let mut out = Vec::new();
        for (i, l) in self.layers.iter().enumerate() {
            out.push(crate::engine::TensorOptimizerState {
                name: Mlp::parameter_name(i, TensorKind::Weight),
                momentum: Self::read_f32(l.weight.m.clone()).await?,
                second_moment: Self::read_f32(l.weight.v.clone()).await?,
                steps: l.weight.steps,
            });
            out.push(crate::engine::TensorOptimizerState {
                name: Mlp::parameter_name(i, TensorKind::Bias),
                momentum: Self::read_f32(l.bias.m.clone()).await?,
                second_moment: Self::read_f32(l.bias.v.clone()).await?,
                steps: l.bias.steps,
            });
        }
        Ok(out)
    }

    fn set_optimizer_state(
        &mut self,
        state: &[crate::engine::TensorOptimizerState],
    ) -> Result<(), EngineError> {
        crate::engine::check_optimizer_state(&self.model, state)?;
        let device = self.device.clone();
        let mut it = state.iter();
        for l in &mut self.layers {
            let (w, b) = (it.next().expect("checked"), it.next().expect("checked"));
            let shape = l.weight.m.dims();
            l.weight.m = Tensor::from_data(TensorData::new(w.momentum.clone(), shape), &device);
            l.weight.v =
                Tensor::from_data(TensorData::new(w.second_moment.clone(), shape), &device);
            l.weight.steps = w.steps;
            let shape = l.bias.m.dims();
            l.bias.m = Tensor::from_data(TensorData::new(b.momentum.clone(), shape), &device);
            l.bias.v = Tensor::from_data(TensorData::new(b.second_moment.clone(), shape), &device);
            l.bias.steps = b.steps;
        }
        Ok(())
    }

    async fn predict(&mut self, inputs: &[f32], rows: usize) -> Result<Vec<f32>, EngineError> {
        let input = self.model.input_size();
        if inputs.len() != rows * input || rows == 0 {
            return Err(EngineError::InvalidInput(format!(
                "{} inputs for {rows} rows of {input}",
                inputs.len()
            )));
        }
        let x = Tensor::<2>::from_data(
            TensorData::new(inputs.to_vec(), [rows, input]),
            &self.device,
        );
        let weights: Vec<(Tensor<2>, Tensor<1>)> = self
            .layers
            .iter()
            .map(|l| (l.weight.value.clone(), l.bias.value.clone()))
            .collect();
        Self::read_f32(
            Self::forward(x, &weights)
                .pop()
                .expect("an MLP has at least one layer"),
        )
        .await
    }
}
