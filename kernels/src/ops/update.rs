//! The last dispatch of a training step: the optimiser update of every trainable tensor, packed in
//! shared buffers, and the batch's mean loss (`shaders/update.wgsl`). The per-element rules are
//! [`super::optim`]'s, which the reference here applies tensor by tensor.

use bytemuck::{Pod, Zeroable};

use super::kernel::{KernelEntry, Shader, read, read_write, uniform};
use super::optim::OptimizerKind;
use super::{optim, softmax_cross_entropy};

/// WGSL source (`shaders/update.wgsl`).
pub const SOURCE: &str = include_str!("../../shaders/update.wgsl");

/// The shader's bindings and entry points (the engines build from this; `tests/shaders.rs` checks it
/// against the WGSL).
pub const SHADER: Shader = Shader {
    file: "update.wgsl",
    source: SOURCE,
    bindings: &[
        uniform("p"),
        read("grad"),
        read("loss_rows"),
        read_write("param"),
        read_write("m"),
        read_write("v"),
        read_write("loss_log"),
    ],
    entries: &["sgd", "nesterov", "adagrad", "rmsprop", "adam", "adamw"],
    constants: &[],
};

impl OptimizerKind {
    /// The update kernel's entry point for this rule (one per rule in `shaders/update.wgsl`).
    pub fn kernel(self) -> KernelEntry {
        KernelEntry::of(&SHADER, self.name())
    }
}
/// Invocations per workgroup.
pub const WORKGROUP: u32 = 256;
/// Elements one workgroup updates (8 per invocation), all of one tensor.
pub const CHUNK: u32 = 2048;
/// Tensors one dispatch updates (two per layer of the largest model, `model::MAX_LAYERS`).
pub const MAX_SEGMENTS: usize = 32;

/// One trainable tensor: elements `[start, start + len)` of the packed buffers, updated by the
/// workgroups from `first_chunk` on (one [`CHUNK`] each).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct Segment {
    /// First element in the packed buffers.
    pub start: u32,
    /// Elements.
    pub len: u32,
    /// The first workgroup of this tensor.
    pub first_chunk: u32,
    /// Padding.
    pub pad0: u32,
    /// [`optim::TensorStep::step_size`].
    pub step_size: f32,
    /// [`optim::TensorStep::bc2_sqrt`].
    pub bc2_sqrt: f32,
    /// [`optim::TensorStep::decay`].
    pub decay: f32,
    /// Padding to 32 bytes.
    pub pad1: u32,
}

/// Uniform parameters of `update.wgsl`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Pod, Zeroable)]
pub struct UpdateParams {
    /// Listed segments.
    pub count: u32,
    /// Workgroups needed: one per [`CHUNK`] of each listed tensor.
    pub chunks: u32,
    /// Rows of the batch (for the mean loss).
    pub rows: u32,
    /// Where the mean loss goes in the loss ring.
    pub slot: u32,
    /// [`optim::Hyper::beta1`].
    pub beta1: f32,
    /// [`optim::Hyper::beta2`].
    pub beta2: f32,
    /// [`optim::Hyper::eps`].
    pub eps: f32,
    /// [`optim::Hyper::weight_decay`].
    pub weight_decay: f32,
    /// [`optim::Hyper::one_minus_beta1`].
    pub one_minus_beta1: f32,
    /// [`optim::Hyper::one_minus_beta2`].
    pub one_minus_beta2: f32,
    /// Padding (the segments start at a multiple of 16 bytes).
    pub pad: [u32; 2],
    /// The trainable tensors.
    pub segments: [Segment; MAX_SEGMENTS],
}

/// A trainable tensor as the host lists it: where it is packed, its length, and its update's factors.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tensor {
    /// First element in the packed buffers.
    pub start: usize,
    /// Elements.
    pub len: usize,
    /// This update's factors.
    pub step: optim::TensorStep,
}

impl UpdateParams {
    /// The parameters for `tensors` (at most [`MAX_SEGMENTS`]) and a batch of `rows` whose mean loss
    /// goes to ring `slot`, under the rule's hyperparameters `hyper`.
    pub fn new(tensors: &[Tensor], rows: u32, slot: u32, hyper: &optim::Hyper) -> Self {
        assert!(
            tensors.len() <= MAX_SEGMENTS,
            "{} tensors in one update (at most {MAX_SEGMENTS})",
            tensors.len()
        );
        let mut segments = [Segment::default(); MAX_SEGMENTS];
        let mut chunks = 0u32;
        for (seg, t) in segments.iter_mut().zip(tensors) {
            *seg = Segment {
                start: t.start as u32,
                len: t.len as u32,
                first_chunk: chunks,
                step_size: t.step.step_size,
                bc2_sqrt: t.step.bc2_sqrt,
                decay: t.step.decay,
                ..Segment::default()
            };
            chunks += (t.len as u32).div_ceil(CHUNK);
        }
        Self {
            count: tensors.len() as u32,
            chunks,
            rows,
            slot,
            beta1: hyper.beta1,
            beta2: hyper.beta2,
            eps: hyper.eps,
            weight_decay: hyper.weight_decay,
            one_minus_beta1: hyper.one_minus_beta1,
            one_minus_beta2: hyper.one_minus_beta2,
            pad: [0; 2],
            segments,
        }
    }

    /// Workgroups to dispatch: one per chunk, and at least one for the mean loss.
    pub fn workgroups(&self) -> (u32, u32, u32) {
        (self.chunks.max(1), 1, 1)
    }

    /// The listed tensors as `(start, len, segment)`.
    fn tensors(&self) -> impl Iterator<Item = (usize, usize, &Segment)> {
        self.segments[..self.count as usize]
            .iter()
            .map(|s| (s.start as usize, s.len as usize, s))
    }
}

/// What the kernel does: each listed tensor updated by [`optim::tensor`] under `rule`, everything else
/// untouched, and the mean loss written to `loss_log[slot]`.
#[allow(clippy::too_many_arguments, reason = "the kernel's bindings, one each")]
pub fn reference(
    rule: OptimizerKind,
    p: &UpdateParams,
    grad: &[f32],
    loss_rows: &[f32],
    param: &mut [f32],
    m: &mut [f32],
    v: &mut [f32],
    loss_log: &mut [f32],
) {
    loss_log[p.slot as usize] =
        softmax_cross_entropy::reference_mean(&loss_rows[..p.rows as usize]);
    let hyper = optim::Hyper {
        beta1: p.beta1,
        beta2: p.beta2,
        eps: p.eps,
        weight_decay: p.weight_decay,
        one_minus_beta1: p.one_minus_beta1,
        one_minus_beta2: p.one_minus_beta2,
    };
    for (start, len, s) in p.tensors() {
        let r = start..start + len;
        let step = optim::TensorStep {
            step_size: s.step_size,
            bc2_sqrt: s.bc2_sqrt,
            decay: s.decay,
        };
        optim::tensor(
            rule,
            &hyper,
            &step,
            &grad[r.clone()],
            &mut param[r.clone()],
            &mut m[r.clone()],
            &mut v[r],
        );
    }
}
