//! The GPU engine: the WGSL kernels through wgpu, natively (Vulkan, Metal, DX12) or in a browser
//! (WebGPU). Device, pipelines, layouts and buffers are created once; a training step writes one small
//! uniform block, encodes its dispatches in one compute pass and submits. Results come back through
//! asynchronous buffer mapping.

mod arena;
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
pub use tune::{GemmProduct, GemmTiming};

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

    #[allow(
        clippy::too_many_arguments,
        reason = "one private constructor of all shape-dependent resources"
    )]
    fn build(
        ctx: &GpuContext,
        k: &Kernels,
        model: &Mlp,
        max_rows: usize,
        eval_capacity: usize,
        train: Option<&DataBuffers>,
        test: Option<&DataBuffers>,
        [empty, empty_out]: [&wgpu::Buffer; 2],
    ) -> Result<Resources, EngineError> {
        let device = &ctx.device;
        let widths = model.widths();
        for (i, &w) in widths.iter().enumerate() {
            Self::check_size(
                ctx,
                &format!("activations of width {w} (layer {i})"),
                max_rows * w * 4,
            )?;
        }
        // Every tensor at an offset a storage binding may start at, in one buffer per kind.
        let align = (ctx.device.limits().min_storage_buffer_offset_alignment as usize / 4).max(1);
        let mut packed_len = 0;
        let offsets: Vec<[usize; 2]> = model
            .layers
            .iter()
            .map(|l| {
                [l.weight.len(), l.bias.len()].map(|n| {
                    let at = packed_len;
                    packed_len = (at + n).next_multiple_of(align);
                    at
                })
            })
            .collect();
        Self::check_size(ctx, "the model's parameters", packed_len * 4)?;
        // The update dispatches one dimension of workgroups, one per chunk of a tensor.
        let groups = ctx.device.limits().max_compute_workgroups_per_dimension as usize;
        let chunks = packed_len / update::CHUNK as usize + 2 * model.layers.len();
        if chunks > groups {
            return Err(EngineError::Limit {
                what: format!(
                    "the update dispatch ({} values a workgroup, one dimension)",
                    update::CHUNK
                ),
                needed: packed_len as u64,
                allowed: (groups * update::CHUNK as usize) as u64,
            });
        }
        let nl = model.layers.len();
        let update_blocks = UniformArena::blocks(device, size_of::<update::UpdateParams>());
        let mut arena = UniformArena::new(device, nl * 5 + 8 + update_blocks);
        let acts: Vec<wgpu::Buffer> = widths
            .iter()
            .enumerate()
            .map(|(i, &w)| storage(device, &format!("activations {i}"), max_rows * w * 4))
            .collect();
        let grads: Vec<Option<wgpu::Buffer>> = widths
            .iter()
            .enumerate()
            .map(|(i, &w)| {
                (i > 0).then(|| {
                    storage(
                        device,
                        &format!("activation gradients {i}"),
                        max_rows * w * 4,
                    )
                })
            })
            .collect();
        // Split-K's partial sums: SPLITS slices of the widest forward or input-gradient output. Without
        // room for them (a huge batch), no product is split.
        let split_floats =
            linear::SPLITS as usize * max_rows * widths.iter().copied().max().unwrap_or(1);
        let scratch = (Self::check_size(ctx, "split-K scratch", split_floats * 4).is_ok()
            && max_rows <= ctx.device.limits().max_compute_workgroups_per_dimension as usize)
            .then(|| storage(device, "split-K partial sums", split_floats * 4));
        let labels = storage(device, "batch labels", max_rows * 4);
        let indices = storage(device, "batch indices", max_rows * 4);
        let loss_rows = storage(device, "per-row losses", max_rows * 4);
        let loss_log = storage(device, "loss ring", LOSS_RING * 4);
        let predictions = storage(device, "test predictions", eval_capacity * 4);
        let eval_losses = storage(device, "test losses", eval_capacity * 4);
        let correct = storage(device, "correct count", 4);
        let norms = storage(device, "per-example gradient norms", max_rows * 4);

        let mut initial = vec![0f32; packed_len];
        for (l, [w, b]) in model.layers.iter().zip(&offsets) {
            initial[*w..*w + l.weight.len()].copy_from_slice(&l.weight);
            initial[*b..*b + l.bias.len()].copy_from_slice(&l.bias);
        }
        let packed = Packed {
            param: storage_init(device, "parameters", bytemuck::cast_slice(&initial)),
            grad: storage(device, "parameter gradients", packed_len * 4),
            m: storage(device, "optimiser moment 1", packed_len * 4),
            v: storage(device, "optimiser moment 2", packed_len * 4),
            len: packed_len,
        };
        let tensor = |offset: usize, values: &[f32], frozen: bool| TensorBuffers {
            offset,
            len: values.len(),
            steps: 0,
            frozen,
            computed: false,
        };

        let mut layers = Vec::with_capacity(nl);
        for (l, layer) in model.layers.iter().enumerate() {
            let weight = tensor(offsets[l][0], &layer.weight, layer.weight_frozen);
            let bias = tensor(offsets[l][1], &layer.bias, layer.bias_frozen);
            let (fwd_slot, dw_slot, db_slot, dx_slot) =
                (arena.alloc(), arena.alloc(), arena.alloc(), arena.alloc());
            let gl = |label: &str, res: Vec<(&str, wgpu::BindingResource<'_>)>| {
                k.bind_group(
                    device,
                    &linear::SHADER,
                    &format!("fc{} {label}", l + 1),
                    res,
                )
            };
            let g_out = grads[l + 1]
                .as_ref()
                .expect("every layer output has a gradient buffer");
            let fwd_group = gl(
                "forward",
                vec![
                    ("p", arena.binding(fwd_slot)),
                    ("a", acts[l].as_entire_binding()),
                    ("b", weight.slice(&packed.param)),
                    ("bias", bias.slice(&packed.param)),
                    ("c", acts[l + 1].as_entire_binding()),
                    ("sums", empty_out.as_entire_binding()),
                ],
            );
            let dw_group = gl(
                "weight grad",
                vec![
                    ("p", arena.binding(dw_slot)),
                    ("a", g_out.as_entire_binding()),
                    ("b", acts[l].as_entire_binding()),
                    ("bias", empty.as_entire_binding()),
                    ("c", weight.slice(&packed.grad)),
                    // FLAG_ROW_SUMS: the bias gradient comes out of the same dispatch.
                    ("sums", bias.slice(&packed.grad)),
                ],
            );
            let db_group = gl(
                "bias grad",
                vec![
                    ("p", arena.binding(db_slot)),
                    ("a", g_out.as_entire_binding()),
                    ("b", empty.as_entire_binding()),
                    ("bias", empty.as_entire_binding()),
                    ("c", bias.slice(&packed.grad)),
                    ("sums", empty_out.as_entire_binding()),
                ],
            );
            let dx_group = grads[l].as_ref().map(|g_in| {
                gl(
                    "input grad",
                    vec![
                        ("p", arena.binding(dx_slot)),
                        ("a", g_out.as_entire_binding()),
                        ("b", weight.slice(&packed.param)),
                        // FLAG_RELU_MASK: the ReLU below, backward, in the same dispatch.
                        ("bias", acts[l].as_entire_binding()),
                        ("c", g_in.as_entire_binding()),
                        ("sums", empty_out.as_entire_binding()),
                    ],
                )
            });
            // Split-K: the same product into the scratch, then the reduction with the epilogue into the
            // output (the same uniform slot serves both passes).
            let split = |slot: UniformSlot,
                         x: wgpu::BindingResource<'_>,
                         third: wgpu::BindingResource<'_>,
                         out: wgpu::BindingResource<'_>| {
                scratch.as_ref().map(|scratch| {
                    (
                        gl(
                            "split-K partial sums",
                            vec![
                                ("p", arena.binding(slot)),
                                ("a", x),
                                ("b", weight.slice(&packed.param)),
                                ("bias", empty.as_entire_binding()),
                                ("c", scratch.as_entire_binding()),
                                ("sums", empty_out.as_entire_binding()),
                            ],
                        ),
                        gl(
                            "split-K reduction",
                            vec![
                                ("p", arena.binding(slot)),
                                ("a", scratch.as_entire_binding()),
                                ("b", empty.as_entire_binding()),
                                ("bias", third),
                                ("c", out),
                                ("sums", empty_out.as_entire_binding()),
                            ],
                        ),
                    )
                })
            };
            let fwd_split = split(
                fwd_slot,
                acts[l].as_entire_binding(),
                bias.slice(&packed.param),
                acts[l + 1].as_entire_binding(),
            );
            let dx_split = grads[l].as_ref().and_then(|g_in| {
                split(
                    dx_slot,
                    g_out.as_entire_binding(),
                    acts[l].as_entire_binding(),
                    g_in.as_entire_binding(),
                )
            });
            let dp_slot = arena.alloc_bytes(size_of::<dp::DpParams>());
            let dp_group = k.bind_group(
                device,
                &dp::SHADER,
                &format!("fc{} DP-SGD", l + 1),
                vec![
                    ("p", arena.binding(dp_slot)),
                    ("delta", g_out.as_entire_binding()),
                    ("act", acts[l].as_entire_binding()),
                    ("norms", norms.as_entire_binding()),
                    ("grad", packed.grad.as_entire_binding()),
                ],
            );
            layers.push(LayerBuffers {
                in_f: layer.in_features,
                out_f: layer.out_features,
                weight,
                bias,
                fwd_slot,
                dw_slot,
                db_slot,
                dx_slot,
                fwd_group,
                dw_group,
                db_group,
                dx_group,
                fwd_split,
                dx_split,
                dp_slot,
                dp_group,
            });
        }
        // The fused output layer (head.wgsl) for heads narrow enough to keep their logits in registers.
        let head = (model.classes() <= head::MAX_CLASSES).then(|| {
            let slot = arena.alloc();
            let top = &layers[nl - 1];
            let below = if nl >= 2 {
                grads[nl - 1].as_ref()
            } else {
                None
            };
            let group = k.bind_group(
                device,
                &head::SHADER,
                "fused head",
                vec![
                    ("p", arena.binding(slot)),
                    ("x", acts[nl - 1].as_entire_binding()),
                    ("w", top.weight.slice(&packed.param)),
                    ("bias", top.bias.slice(&packed.param)),
                    ("labels", labels.as_entire_binding()),
                    ("logits", acts[nl].as_entire_binding()),
                    ("loss_rows", loss_rows.as_entire_binding()),
                    (
                        "dlogits",
                        grads[nl]
                            .as_ref()
                            .expect("logits have a gradient buffer")
                            .as_entire_binding(),
                    ),
                    ("dx", below.unwrap_or(empty_out).as_entire_binding()),
                ],
            );
            (slot, group)
        });
        let update_slot = arena.alloc_bytes(size_of::<update::UpdateParams>());
        let update_group = k.bind_group(
            device,
            &update::SHADER,
            "update",
            vec![
                ("p", arena.binding(update_slot)),
                ("grad", packed.grad.as_entire_binding()),
                ("loss_rows", loss_rows.as_entire_binding()),
                ("param", packed.param.as_entire_binding()),
                ("m", packed.m.as_entire_binding()),
                ("v", packed.v.as_entire_binding()),
                ("loss_log", loss_log.as_entire_binding()),
            ],
        );
        // ∂/∂x of the inputs (attacks, saliency): layer 0's input-gradient product, with no ReLU below
        // (its uniform slot is layer 0's, which training never uses).
        let input_grad = storage(device, "input gradients", max_rows * widths[0] * 4);
        let input_grad_group = k.bind_group(
            device,
            &linear::SHADER,
            "fc1 input grad (to the inputs)",
            vec![
                ("p", arena.binding(layers[0].dx_slot)),
                (
                    "a",
                    grads[1]
                        .as_ref()
                        .expect("every layer output has a gradient buffer")
                        .as_entire_binding(),
                ),
                ("b", layers[0].weight.slice(&packed.param)),
                ("bias", empty.as_entire_binding()),
                ("c", input_grad.as_entire_binding()),
                ("sums", empty_out.as_entire_binding()),
            ],
        );
        let softmax_slot = arena.alloc();
        let softmax_group = k.bind_group(
            device,
            &softmax_cross_entropy::SHADER,
            "softmax cross-entropy",
            vec![
                ("p", arena.binding(softmax_slot)),
                ("logits", acts[nl].as_entire_binding()),
                ("labels", labels.as_entire_binding()),
                ("loss_rows", loss_rows.as_entire_binding()),
                (
                    "dlogits",
                    grads[nl]
                        .as_ref()
                        .expect("logits have a gradient buffer")
                        .as_entire_binding(),
                ),
            ],
        );
        let accuracy_slot = arena.alloc();
        let accuracy_group = k.bind_group(
            device,
            &accuracy::SHADER,
            "accuracy",
            vec![
                ("p", arena.binding(accuracy_slot)),
                ("logits", acts[nl].as_entire_binding()),
                ("labels", labels.as_entire_binding()),
                ("predictions", predictions.as_entire_binding()),
                ("correct", correct.as_entire_binding()),
            ],
        );
        let gather_group =
            |label: &str, slot: UniformSlot, data: Option<&DataBuffers>, arena: &UniformArena| {
                let (px, lb) = data.map_or((empty, empty), |d| (&d.pixels, &d.labels));
                k.bind_group(
                    device,
                    &gather_normalize::SHADER,
                    label,
                    vec![
                        ("p", arena.binding(slot)),
                        ("pixels", px.as_entire_binding()),
                        ("labels", lb.as_entire_binding()),
                        ("indices", indices.as_entire_binding()),
                        ("x", acts[0].as_entire_binding()),
                        ("y", labels.as_entire_binding()),
                    ],
                )
            };
        let gather_train_slot = arena.alloc();
        let gather_test_slot = arena.alloc();
        let gather_train_group = gather_group("gather train", gather_train_slot, train, &arena);
        let gather_test_group = gather_group("gather test", gather_test_slot, test, &arena);
        Ok(Resources {
            arena,
            packed,
            layers,
            acts,
            deltas: grads.into_iter().flatten().collect(),
            labels,
            indices,
            loss_rows,
            loss_log,
            predictions,
            eval_losses,
            correct,
            norms,
            input_grad,
            input_grad_group,
            head,
            update_slot,
            update_group,
            softmax_slot,
            softmax_group,
            accuracy_slot,
            accuracy_group,
            gather_train_slot,
            gather_test_slot,
            gather_train_group,
            gather_test_group,
        })
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
