//! The buffers of a model on the GPU: per tensor, per layer, per split, and everything a step needs.

use super::*;
use crate::engine::{Group, Pass};

/// Per-tensor GPU state: where the tensor lies in the packed buffers ([`Packed`]).
#[derive(Clone)]
pub(super) struct TensorBuffers {
    /// First element in the packed buffers (aligned for binding a slice of them).
    pub(super) offset: usize,
    pub(super) len: usize,
    pub(super) steps: u64,
    pub(super) frozen: bool,
    /// Whether the packed gradient holds this step's gradient of the tensor.
    pub(super) computed: bool,
}

impl TensorBuffers {
    /// This tensor's slice of one of the packed buffers, for a bind group.
    pub(super) fn slice<'a>(&self, packed: &'a wgpu::Buffer) -> wgpu::BindingResource<'a> {
        wgpu::BindingResource::Buffer(wgpu::BufferBinding {
            buffer: packed,
            offset: self.offset as u64 * 4,
            size: wgpu::BufferSize::new(self.len as u64 * 4),
        })
    }

    /// `(buffer, byte offset, bytes)` of this tensor in `packed`, for a readback.
    pub(super) fn part<'a>(&self, packed: &'a wgpu::Buffer) -> (&'a wgpu::Buffer, u64, u64) {
        (packed, self.offset as u64 * 4, self.len as u64 * 4)
    }
}

/// Parameters, gradients and optimiser state of every tensor, each kind in one buffer, so that one
/// dispatch (`update.wgsl`) updates every trainable tensor. Tensors start at offsets aligned to the
/// device's storage-binding alignment; the gaps stay zero.
pub(super) struct Packed {
    pub(super) param: wgpu::Buffer,
    pub(super) grad: wgpu::Buffer,
    pub(super) m: wgpu::Buffer,
    pub(super) v: wgpu::Buffer,
    /// Elements in each buffer.
    pub(super) len: usize,
}

/// Per-layer GPU resources.
pub(super) struct LayerBuffers {
    pub(super) in_f: usize,
    pub(super) out_f: usize,
    pub(super) weight: TensorBuffers,
    pub(super) bias: TensorBuffers,
    pub(super) fwd_slot: UniformSlot,
    pub(super) dw_slot: UniformSlot,
    pub(super) db_slot: UniformSlot,
    pub(super) dx_slot: UniformSlot,
    pub(super) fwd_group: wgpu::BindGroup,
    pub(super) dw_group: wgpu::BindGroup,
    pub(super) db_group: wgpu::BindGroup,
    /// dX = dY·W through the ReLU below into the previous layer's gradient buffer (layers ≥ 1 only).
    pub(super) dx_group: Option<wgpu::BindGroup>,
    /// Split-K's two passes (partial sums, reduction) of the forward product and of the input
    /// gradient; `None` without a scratch buffer.
    pub(super) fwd_split: Option<(wgpu::BindGroup, wgpu::BindGroup)>,
    pub(super) dx_split: Option<(wgpu::BindGroup, wgpu::BindGroup)>,
    /// DP-SGD (`dp.wgsl`): this layer's δ and input, the per-example norms, the packed gradients.
    pub(super) dp_slot: UniformSlot,
    pub(super) dp_group: wgpu::BindGroup,
}

impl LayerBuffers {
    /// dW = dYᵀ·X at `rows` rows, with the bias gradient as the row sums of dYᵀ when the bias trains.
    pub(super) fn grad_weight_params(&self, rows: u32) -> linear::GemmParams {
        let p = linear::GemmParams::grad_weight(rows, self.in_f as u32, self.out_f as u32);
        if self.bias.frozen {
            p
        } else {
            p.with_row_sums()
        }
    }

    /// dX = dY·W at `rows` rows, through the ReLU below (its activation is the mask).
    pub(super) fn grad_input_params(&self, rows: u32) -> linear::GemmParams {
        linear::GemmParams::grad_input(rows, self.in_f as u32, self.out_f as u32).with_relu_mask()
    }
}

impl Resources {
    /// The bind group a launch of the step's plan binds.
    pub(super) fn group(&self, group: Group) -> &wgpu::BindGroup {
        fn split(s: &Option<(wgpu::BindGroup, wgpu::BindGroup)>, pass: Pass) -> &wgpu::BindGroup {
            let (partial, reduce) = s
                .as_ref()
                .expect("a split pass is planned only with room for it");
            if pass == Pass::Partial {
                partial
            } else {
                reduce
            }
        }
        match group {
            Group::Gather => &self.gather_train_group,
            Group::Forward { layer, pass } => match pass {
                Pass::Whole => &self.layers[layer].fwd_group,
                _ => split(&self.layers[layer].fwd_split, pass),
            },
            Group::WeightGradient { layer } => &self.layers[layer].dw_group,
            Group::BiasGradient { layer } => &self.layers[layer].db_group,
            Group::InputGradient { layer, pass } => match pass {
                Pass::Whole => self.layers[layer]
                    .dx_group
                    .as_ref()
                    .expect("layers above the first have an input-gradient bind group"),
                _ => split(&self.layers[layer].dx_split, pass),
            },
            Group::Head => {
                &self
                    .head
                    .as_ref()
                    .expect("a fused head is planned only when built")
                    .1
            }
            Group::Softmax => &self.softmax_group,
            Group::Dp { layer } => &self.layers[layer].dp_group,
            Group::Update => &self.update_group,
        }
    }
}

/// One split on the GPU.
pub(super) struct DataBuffers {
    pub(super) pixels: wgpu::Buffer,
    pub(super) labels: wgpu::Buffer,
    pub(super) len: usize,
    pub(super) features: usize,
    pub(super) classes: usize,
    pub(super) mean: f32,
    pub(super) std: f32,
    pub(super) width: usize,
    pub(super) height: usize,
}

/// Everything that depends on the model's shape; rebuilt by `set_model`.
pub(super) struct Resources {
    pub(super) arena: UniformArena,
    pub(super) packed: Packed,
    pub(super) layers: Vec<LayerBuffers>,
    /// `acts[0]` = gathered inputs, `acts[l + 1]` = output of layer l, each `[max_rows, width]`.
    pub(super) acts: Vec<wgpu::Buffer>,
    /// `deltas[l]` = δ of layer l (gradient at its pre-activation, `[max_rows, width]`): the softmax
    /// kernel's output for the logits, dX then ReLU backward in place below.
    pub(super) deltas: Vec<wgpu::Buffer>,
    pub(super) labels: wgpu::Buffer,
    pub(super) indices: wgpu::Buffer,
    pub(super) loss_rows: wgpu::Buffer,
    pub(super) loss_log: wgpu::Buffer,
    pub(super) predictions: wgpu::Buffer,
    pub(super) eval_losses: wgpu::Buffer,
    pub(super) correct: wgpu::Buffer,
    /// DP-SGD: each example's squared gradient norm over all layers, `[max_rows]`.
    pub(super) norms: wgpu::Buffer,
    /// ∂/∂x of the inputs, `[max_rows, input]`, and the product that writes it (layer 0's dX, no ReLU).
    pub(super) input_grad: wgpu::Buffer,
    pub(super) input_grad_group: wgpu::BindGroup,
    /// The fused output layer (`head.wgsl`), when the head has at most `head::MAX_CLASSES` outputs.
    pub(super) head: Option<(UniformSlot, wgpu::BindGroup)>,
    /// `update.wgsl`: every trainable tensor's update and the mean loss (one group for both rules).
    pub(super) update_slot: UniformSlot,
    pub(super) update_group: wgpu::BindGroup,
    pub(super) softmax_slot: UniformSlot,
    pub(super) softmax_group: wgpu::BindGroup,
    pub(super) accuracy_slot: UniformSlot,
    pub(super) accuracy_group: wgpu::BindGroup,
    pub(super) gather_train_slot: UniformSlot,
    pub(super) gather_test_slot: UniformSlot,
    pub(super) gather_train_group: wgpu::BindGroup,
    pub(super) gather_test_group: wgpu::BindGroup,
}
