//! The shape-dependent resources of a GPU engine: every buffer allocated once ([`allocate`]), then one
//! function per bind-group family — each layer's products and DP-SGD group, the fused head, the
//! update, the loss and accuracy, the gathers, the input gradient. A launch of the step plan names
//! its group by [`crate::engine::Group`]; [`Resources::group`] finds it here.

mod groups;

use super::*;
use groups::{gather_group, head_group, input_grad_group, layer_groups, loss_groups, update_group};

/// Every buffer of a model's shape, before any bind group.
struct Buffers {
    arena: UniformArena,
    packed: Packed,
    /// Per layer: where its weight and bias lie in the packed buffers.
    tensors: Vec<[TensorBuffers; 2]>,
    acts: Vec<wgpu::Buffer>,
    /// `grads[i]`: the gradient at activation `i` (none for the inputs).
    grads: Vec<Option<wgpu::Buffer>>,
    /// Split-K's partial sums (`None`: no product is split).
    scratch: Option<wgpu::Buffer>,
    labels: wgpu::Buffer,
    indices: wgpu::Buffer,
    loss_rows: wgpu::Buffer,
    loss_log: wgpu::Buffer,
    predictions: wgpu::Buffer,
    eval_losses: wgpu::Buffer,
    correct: wgpu::Buffer,
    norms: wgpu::Buffer,
    input_grad: wgpu::Buffer,
}

impl Buffers {
    /// The gradient at the output of layer `l` (every layer output has one).
    fn grad_out(&self, l: usize) -> &wgpu::Buffer {
        self.grads[l + 1]
            .as_ref()
            .expect("every layer output has a gradient buffer")
    }
}

/// What every bind-group family needs: the device, the compiled kernels, and the placeholders bound
/// where a kernel's binding is unused.
struct Binder<'a> {
    device: &'a wgpu::Device,
    k: &'a Kernels,
    empty: &'a wgpu::Buffer,
    empty_out: &'a wgpu::Buffer,
}

impl Binder<'_> {
    fn group(
        &self,
        shader: &crate::ops::kernel::Shader,
        label: &str,
        resources: Vec<(&str, wgpu::BindingResource<'_>)>,
    ) -> wgpu::BindGroup {
        self.k.bind_group(self.device, shader, label, resources)
    }
}

impl GpuEngine {
    #[allow(
        clippy::too_many_arguments,
        reason = "one private constructor of all shape-dependent resources"
    )]
    pub(super) fn build(
        ctx: &GpuContext,
        k: &Kernels,
        model: &Mlp,
        max_rows: usize,
        eval_capacity: usize,
        train: Option<&DataBuffers>,
        test: Option<&DataBuffers>,
        [empty, empty_out]: [&wgpu::Buffer; 2],
    ) -> Result<Resources, EngineError> {
        let mut buf = allocate(ctx, model, max_rows, eval_capacity)?;
        let bind = Binder {
            device: &ctx.device,
            k,
            empty,
            empty_out,
        };
        let layers: Vec<LayerBuffers> = (0..model.layers.len())
            .map(|l| layer_groups(&bind, &mut buf, l, &model.layers[l]))
            .collect();
        let head = head_group(&bind, &mut buf, &layers, model);
        let (update_slot, update_group) = update_group(&bind, &mut buf);
        let input_grad_group = input_grad_group(&bind, &buf, &layers);
        let [
            (softmax_slot, softmax_group),
            (accuracy_slot, accuracy_group),
        ] = loss_groups(&bind, &mut buf);
        let [
            (gather_train_slot, gather_train_group),
            (gather_test_slot, gather_test_group),
        ] = [("gather train", train), ("gather test", test)]
            .map(|(label, data)| gather_group(&bind, &mut buf, label, data));
        Ok(Resources {
            arena: buf.arena,
            packed: buf.packed,
            layers,
            acts: buf.acts,
            deltas: buf.grads.into_iter().flatten().collect(),
            labels: buf.labels,
            indices: buf.indices,
            loss_rows: buf.loss_rows,
            loss_log: buf.loss_log,
            predictions: buf.predictions,
            eval_losses: buf.eval_losses,
            correct: buf.correct,
            norms: buf.norms,
            input_grad: buf.input_grad,
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
}

/// Each tensor's offset in the packed buffers (at offsets a storage binding may start at, so each
/// binds as a slice), and the packed length; refused past the device's limits.
fn pack(ctx: &GpuContext, model: &Mlp) -> Result<(Vec<[usize; 2]>, usize), EngineError> {
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
    GpuEngine::check_size(ctx, "the model's parameters", packed_len * 4)?;
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
    Ok((offsets, packed_len))
}

/// The packed parameters (initialised from `model`), gradients and optimiser moments, and where each
/// tensor lies in them.
fn packed_tensors(
    ctx: &GpuContext,
    model: &Mlp,
) -> Result<(Packed, Vec<[TensorBuffers; 2]>), EngineError> {
    let device = &ctx.device;
    let (offsets, packed_len) = pack(ctx, model)?;
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
    let tensor = |offset: usize, len: usize, frozen: bool| TensorBuffers {
        offset,
        len,
        steps: 0,
        frozen,
        computed: false,
    };
    let tensors = model
        .layers
        .iter()
        .zip(&offsets)
        .map(|(layer, &[w, b])| {
            [
                tensor(w, layer.weight.len(), layer.weight_frozen),
                tensor(b, layer.bias.len(), layer.bias_frozen),
            ]
        })
        .collect();
    Ok((packed, tensors))
}

/// Every buffer of `model` at batches of up to `max_rows` rows and `eval_capacity` test samples,
/// and a uniform arena with a slot for every dispatch.
fn allocate(
    ctx: &GpuContext,
    model: &Mlp,
    max_rows: usize,
    eval_capacity: usize,
) -> Result<Buffers, EngineError> {
    let device = &ctx.device;
    let widths = model.widths();
    for (i, &w) in widths.iter().enumerate() {
        let what = format!("activations of width {w} (layer {i})");
        GpuEngine::check_size(ctx, &what, max_rows * w * 4)?;
    }
    let (packed, tensors) = packed_tensors(ctx, model)?;
    // Per layer: four products and DP-SGD; then the head, softmax, accuracy, two gathers, the update.
    let update_blocks = UniformArena::blocks(device, size_of::<update::UpdateParams>());
    let arena = UniformArena::new(device, model.layers.len() * 5 + 8 + update_blocks);
    let per_row = |label: String, w: usize| storage(device, &label, max_rows * w * 4);
    let acts = (widths.iter().enumerate())
        .map(|(i, &w)| per_row(format!("activations {i}"), w))
        .collect();
    let grads = (widths.iter().enumerate())
        .map(|(i, &w)| (i > 0).then(|| per_row(format!("activation gradients {i}"), w)))
        .collect();
    // Split-K's partial sums: SPLITS slices of the widest forward or input-gradient output. Without
    // room for them (a huge batch), no product is split.
    let split_floats =
        linear::SPLITS as usize * max_rows * widths.iter().copied().max().unwrap_or(1);
    let scratch = (GpuEngine::check_size(ctx, "split-K scratch", split_floats * 4).is_ok()
        && max_rows <= ctx.device.limits().max_compute_workgroups_per_dimension as usize)
        .then(|| storage(device, "split-K partial sums", split_floats * 4));
    Ok(Buffers {
        arena,
        packed,
        tensors,
        acts,
        grads,
        scratch,
        labels: storage(device, "batch labels", max_rows * 4),
        indices: storage(device, "batch indices", max_rows * 4),
        loss_rows: storage(device, "per-row losses", max_rows * 4),
        loss_log: storage(device, "loss ring", LOSS_RING * 4),
        predictions: storage(device, "test predictions", eval_capacity * 4),
        eval_losses: storage(device, "test losses", eval_capacity * 4),
        correct: storage(device, "correct count", 4),
        norms: storage(device, "per-example gradient norms", max_rows * 4),
        input_grad: per_row("input gradients".into(), widths[0]),
    })
}
