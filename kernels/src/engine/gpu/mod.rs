//! The GPU engine: the WGSL kernels through wgpu, natively (Vulkan, Metal, DX12) or in a browser
//! (WebGPU). Device, pipelines, layouts and buffers are created once; a training step writes one small
//! uniform block, encodes its dispatches in one compute pass and submits. Results come back through
//! asynchronous buffer mapping.

mod arena;
mod build;
mod context;
mod engine;
mod pipelines;
mod resources;
mod runner;
mod step;
mod tune;

use wgpu::util::DeviceExt;

use crate::dataset::{Dataset, Split};
use crate::engine::{EngineError, EngineInfo, OptimizerKind, StepPlan, StepShape};
use crate::model::Mlp;
use crate::ops::{accuracy, dp, gather_normalize, head, linear, softmax_cross_entropy, update};

use arena::{UniformArena, UniformSlot};
pub use context::{AdapterOptions, GpuContext};
use pipelines::Kernels;
use resources::{DataBuffers, LayerBuffers, Packed, Resources, TensorBuffers};
pub use runner::{KernelEntry, KernelRunner};
pub use tune::{GemmProduct, GemmTiming, TUNE_SECONDS};

/// Steps whose losses are kept on the GPU between two reads.
pub const LOSS_RING: usize = 4096;

/// The GPU engine.
pub struct GpuEngine {
    ctx: GpuContext,
    info: EngineInfo,
    model: Mlp,
    max_rows: usize,
    eval_capacity: usize,
    train: Option<DataBuffers>,
    test: Option<DataBuffers>,
    /// Placeholders bound where a kernel's binding is unused: one read-only, one written (a buffer
    /// cannot be both in one dispatch).
    empty: wgpu::Buffer,
    empty_out: wgpu::Buffer,
    res: Resources,
    steps: u64,
    losses_read: u64,
    last_rows: usize,
    last_optimizer: Option<OptimizerKind>,
    /// The plan of the steps now taken (built once per shape and options; dropped by a rebuild
    /// and by tuning).
    plan: Option<std::sync::Arc<StepPlan>>,
    /// The plan of the last completed training step: its launch list and dispatch count.
    last_plan: Option<std::sync::Arc<StepPlan>>,
    /// Dispatches the encoder issued in the last completed training step.
    last_encoded: usize,
    /// Flip/crop of training batches in the gather kernel.
    augmentation: Option<gather_normalize::Augmentation>,
    /// What a step does with frozen tensors.
    freezing: crate::engine::Freezing,
    /// DP-SGD's settings (`None`: plain steps).
    dp: Option<dp::DpConfig>,
    /// A step walked one part at a time: its settings, the part it runs next, the dispatches issued.
    walk: Option<(step::PreparedStep, crate::engine::StepPart, usize)>,
}

fn storage(device: &wgpu::Device, label: &str, bytes: usize) -> wgpu::Buffer {
    device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        size: (bytes.max(4) as u64).next_multiple_of(4),
        usage: wgpu::BufferUsages::STORAGE
            | wgpu::BufferUsages::COPY_SRC
            | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    })
}

fn storage_init(device: &wgpu::Device, label: &str, data: &[u8]) -> wgpu::Buffer {
    let mut padded = data.to_vec();
    padded.resize(data.len().max(4).next_multiple_of(4), 0);
    device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some(label),
        contents: &padded,
        usage: wgpu::BufferUsages::STORAGE
            | wgpu::BufferUsages::COPY_SRC
            | wgpu::BufferUsages::COPY_DST,
    })
}

fn entries<'a>(resources: Vec<wgpu::BindingResource<'a>>) -> Vec<wgpu::BindGroupEntry<'a>> {
    resources
        .into_iter()
        .enumerate()
        .map(|(i, resource)| wgpu::BindGroupEntry {
            binding: i as u32,
            resource,
        })
        .collect()
}

fn f32s(bytes: &[u8]) -> Vec<f32> {
    bytemuck::pod_collect_to_vec(bytes)
}

impl GpuEngine {
    /// A GPU engine training `model` on `ctx`'s device, with batches of up to `max_rows` rows.
    pub fn new(ctx: &GpuContext, model: &Mlp, max_rows: usize) -> Result<Self, EngineError> {
        if max_rows == 0 || max_rows > 65_536 {
            return Err(EngineError::InvalidInput(format!(
                "a batch of {max_rows} rows; the GPU engine takes 1 to 65,536"
            )));
        }
        let device = &ctx.device;
        let empty = storage(device, "empty placeholder", 4);
        let empty_out = storage(device, "unused output placeholder", 4);
        let res = Self::build(
            ctx,
            ctx.kernels(),
            model,
            max_rows,
            1,
            None,
            None,
            [&empty, &empty_out],
        )?;
        let engine = Self {
            info: ctx.engine_info(),
            ctx: ctx.clone(),
            model: model.clone(),
            max_rows,
            eval_capacity: 1,
            train: None,
            test: None,
            empty,
            empty_out,
            res,
            steps: 0,
            losses_read: 0,
            last_rows: 0,
            last_optimizer: None,
            plan: None,
            last_plan: None,
            last_encoded: 0,
            augmentation: None,
            freezing: crate::engine::Freezing::Skip,
            dp: None,
            walk: None,
        };
        engine.ctx.check()?;
        Ok(engine)
    }

    /// The device context.
    pub fn context(&self) -> &GpuContext {
        &self.ctx
    }

    /// Dispatches the encoder issued in the last completed training step, counted as it issued
    /// them (tests compare the count with the step's plan, [`crate::engine::Engine::last_step_dispatches`]).
    pub fn last_step_encoded(&self) -> usize {
        self.last_encoded
    }

    fn check_size(ctx: &GpuContext, what: &str, bytes: usize) -> Result<(), EngineError> {
        let limits = ctx.device.limits();
        let allowed = limits
            .max_storage_buffer_binding_size
            .min(limits.max_buffer_size);
        if bytes as u64 > allowed {
            return Err(EngineError::Limit {
                what: what.into(),
                needed: bytes as u64,
                allowed,
            });
        }
        Ok(())
    }

    /// Recreates the shape-dependent resources. With `keep_parameters`, parameters, optimiser state and
    /// step counts are copied on the GPU from the old resources (the host copy of the model is stale).
    fn rebuild(&mut self, keep_parameters: bool) -> Result<(), EngineError> {
        let mut res = Self::build(
            &self.ctx,
            self.ctx.kernels(),
            &self.model,
            self.max_rows,
            self.eval_capacity,
            self.train.as_ref(),
            self.test.as_ref(),
            [&self.empty, &self.empty_out],
        )?;
        let mut enc = self
            .ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("carry state into rebuilt resources"),
            });
        // Losses not yet read back belong to steps already taken: they survive any rebuild.
        enc.copy_buffer_to_buffer(
            &self.res.loss_log,
            0,
            &res.loss_log,
            0,
            LOSS_RING as u64 * 4,
        );
        if keep_parameters {
            // Same model, so the same packing: the packed buffers copy whole.
            let (old, new) = (&self.res.packed, &res.packed);
            for (src, dst) in [(&old.param, &new.param), (&old.m, &new.m), (&old.v, &new.v)] {
                enc.copy_buffer_to_buffer(src, 0, dst, 0, old.len as u64 * 4);
            }
            for (old, new) in self.res.layers.iter().zip(&mut res.layers) {
                new.weight.steps = old.weight.steps;
                new.bias.steps = old.bias.steps;
            }
        }
        self.ctx.queue.submit([enc.finish()]);
        self.res = res;
        // Room for split-K may have changed with the batch size.
        self.plan = None;
        self.last_rows = 0;
        self.ctx.check()
    }

    /// Writes the row-count-dependent parameters of every dispatch for a batch of `rows`.
    fn set_rows(
        &mut self,
        rows: usize,
        data: Option<&DataBuffers>,
        gather_slot: UniformSlot,
        base: u32,
        use_indices: bool,
    ) {
        let r = rows as u32;
        let res = &mut self.res;
        for (l, layer) in res.layers.iter().enumerate() {
            let (i, o) = (layer.in_f as u32, layer.out_f as u32);
            let relu = l + 1 < self.model.layers.len();
            res.arena
                .set(layer.fwd_slot, &linear::GemmParams::forward(r, i, o, relu));
            res.arena.set(layer.dw_slot, &layer.grad_weight_params(r));
            res.arena
                .set(layer.db_slot, &linear::GemmParams::grad_bias(r, o));
            res.arena.set(layer.dx_slot, &layer.grad_input_params(r));
        }
        let (mean, std) = data.map_or((0.0, 1.0), |d| (d.mean, d.std));
        res.arena.set(
            gather_slot,
            &gather_normalize::GatherParams {
                rows: r,
                features: self.model.input_size() as u32,
                base,
                use_indices: u32::from(use_indices),
                mean,
                std,
                ..Default::default()
            },
        );
    }

    fn encode_gather(
        &self,
        pass: &mut wgpu::ComputePass<'_>,
        group: &wgpu::BindGroup,
        rows: usize,
    ) {
        pass.set_pipeline(self.ctx.kernels().pipeline(gather_normalize::MAIN));
        pass.set_bind_group(0, group, &[]);
        let (x, y, z) = gather_normalize::workgroups((rows * self.model.input_size()) as u32);
        pass.dispatch_workgroups(x, y, z);
    }

    /// The forward products of the first `layers` layers.
    /// Returns the dispatches encoded.
    fn encode_forward(
        &self,
        pass: &mut wgpu::ComputePass<'_>,
        rows: usize,
        layers: usize,
    ) -> usize {
        let mut dispatches = 0;
        for (l, layer) in self.res.layers.iter().enumerate().take(layers) {
            let p = self.forward_params(l, rows);
            dispatches += self.encode_product(pass, &p, &layer.fwd_group, layer.fwd_split.as_ref());
        }
        dispatches
    }

    /// One matrix product with the kernel chosen for its shape: one dispatch, or split-K's two (its
    /// partial sums, then the reduction). Returns the dispatches encoded.
    fn encode_product(
        &self,
        pass: &mut wgpu::ComputePass<'_>,
        p: &linear::GemmParams,
        group: &wgpu::BindGroup,
        split: Option<&(wgpu::BindGroup, wgpu::BindGroup)>,
    ) -> usize {
        self.encode_variant(pass, p, self.ctx.gemm_variant(p), group, split)
    }

    /// One matrix product with `variant` (split-K only with its bind groups). Returns the dispatches.
    fn encode_variant(
        &self,
        pass: &mut wgpu::ComputePass<'_>,
        p: &linear::GemmParams,
        variant: linear::GemmVariant,
        group: &wgpu::BindGroup,
        split: Option<&(wgpu::BindGroup, wgpu::BindGroup)>,
    ) -> usize {
        let k = self.ctx.kernels();
        match (variant, split) {
            (linear::GemmVariant::Split, Some((partial, reduce))) => {
                pass.set_pipeline(k.pipeline(linear::GEMM_REGISTERS));
                pass.set_bind_group(0, partial, &[]);
                let (x, y, z) = p.workgroups(variant);
                pass.dispatch_workgroups(x, y, z);
                pass.set_pipeline(k.pipeline(linear::SPLIT_REDUCE));
                pass.set_bind_group(0, reduce, &[]);
                let (x, y, z) = p.reduce_workgroups();
                pass.dispatch_workgroups(x, y, z);
                variant.dispatches()
            }
            _ => {
                // Split-K without bind groups for its scratch (chosen for this shape by an engine that
                // had room for the partial sums; this one has none): the register kernel, unsplit.
                let variant = match variant {
                    linear::GemmVariant::Split => linear::GemmVariant::Registers,
                    v => v,
                };
                pass.set_pipeline(k.gemm(variant));
                pass.set_bind_group(0, group, &[]);
                let (x, y, z) = p.workgroups(variant);
                pass.dispatch_workgroups(x, y, z);
                1
            }
        }
    }

    /// Layer `l`'s forward product at `rows` rows (ReLU on every layer but the last, as in the uniforms).
    fn forward_params(&self, l: usize, rows: usize) -> linear::GemmParams {
        let layer = &self.res.layers[l];
        linear::GemmParams::forward(
            rows as u32,
            layer.in_f as u32,
            layer.out_f as u32,
            l + 1 < self.res.layers.len(),
        )
    }

    fn softmax_params(&self, rows: usize) -> softmax_cross_entropy::SoftmaxCrossEntropyParams {
        softmax_cross_entropy::SoftmaxCrossEntropyParams {
            rows: rows as u32,
            classes: self.model.classes() as u32,
            pad: 0,
            grad_scale: 1.0 / rows as f32,
        }
    }

    fn upload(&self, split: Split, data: &Dataset) -> DataBuffers {
        let name = match split {
            Split::Train => "train",
            Split::Test => "test",
        };
        DataBuffers {
            pixels: storage_init(
                &self.ctx.device,
                &format!("{name} pixels (u8)"),
                &data.images,
            ),
            labels: storage_init(
                &self.ctx.device,
                &format!("{name} labels (u8)"),
                &data.labels,
            ),
            len: data.len(),
            features: data.features(),
            classes: data.classes(),
            mean: data.mean,
            std: data.std,
            width: data.width,
            height: data.height,
        }
    }
}
