//! The last dispatch of a training step: the optimiser update of every trainable tensor, packed in
//! shared buffers, and the batch's mean loss (`shaders/update.wgsl`). The per-element rules are
//! [`super::sgd`]'s and [`super::adam`]'s, which the references here apply tensor by tensor.

use bytemuck::{Pod, Zeroable};

use super::kernel::{KernelEntry, Shader, read, read_write, uniform};
use super::{adam, sgd, softmax_cross_entropy};

/// WGSL source (`shaders/update.wgsl`).
pub const SOURCE: &str = include_str!("../../shaders/update.wgsl");

/// The optimiser (the fused update kernel's entry point and the reference's rule).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptimizerKind {
    /// SGD, with momentum when `momentum > 0` (PyTorch's rule).
    Sgd,
    /// Adam (PyTorch's rule).
    Adam,
}

impl OptimizerKind {
    /// Every rule, as the command line and the lessons name them.
    pub const ALL: [OptimizerKind; 2] = [Self::Sgd, Self::Adam];

    /// Its name (`sgd`, `adam`): the command line's value and the kernel's entry point.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sgd => "sgd",
            Self::Adam => "adam",
        }
    }

    /// The update kernel's entry point for this rule.
    pub fn kernel(self) -> KernelEntry {
        match self {
            Self::Sgd => SGD,
            Self::Adam => ADAM,
        }
    }
}

impl std::fmt::Display for OptimizerKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for OptimizerKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| format!("unknown optimiser {s:?} (sgd or adam)"))
    }
}

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
    entries: &["sgd", "adam"],
    constants: &[],
};
/// SGD (with momentum) on every trainable tensor.
pub const SGD: KernelEntry = KernelEntry::of(&SHADER, "sgd");
/// Adam on every trainable tensor.
pub const ADAM: KernelEntry = KernelEntry::of(&SHADER, "adam");
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
    /// SGD: the learning rate; Adam: `lr / (1 − β1ᵗ)` for this tensor's step t.
    pub step_size: f32,
    /// Adam: `√(1 − β2ᵗ)`; SGD: unused (1).
    pub bc2_sqrt: f32,
    /// Padding to 32 bytes.
    pub pad1: [u32; 2],
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
    /// Adam's β1, or SGD's momentum.
    pub beta1: f32,
    /// Adam's β2.
    pub beta2: f32,
    /// Adam's ε.
    pub eps: f32,
    /// L2 weight decay.
    pub weight_decay: f32,
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
    /// See [`Segment::step_size`].
    pub step_size: f32,
    /// See [`Segment::bc2_sqrt`].
    pub bc2_sqrt: f32,
}

impl UpdateParams {
    /// The parameters for `tensors` (at most [`MAX_SEGMENTS`]) and a batch of `rows` whose mean loss
    /// goes to ring `slot`; `beta1` is SGD's momentum under SGD.
    pub fn new(
        tensors: &[Tensor],
        rows: u32,
        slot: u32,
        [beta1, beta2, eps, weight_decay]: [f32; 4],
    ) -> Self {
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
                step_size: t.step_size,
                bc2_sqrt: t.bc2_sqrt,
                ..Segment::default()
            };
            chunks += (t.len as u32).div_ceil(CHUNK);
        }
        Self {
            count: tensors.len() as u32,
            chunks,
            rows,
            slot,
            beta1,
            beta2,
            eps,
            weight_decay,
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

/// What the kernel does, with the per-tensor references: each listed tensor updated by [`sgd::reference`]
/// or [`adam::reference`], everything else untouched, and the mean loss written to `loss_log[slot]`.
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
    for (start, len, s) in p.tensors() {
        let r = start..start + len;
        match rule {
            OptimizerKind::Sgd => {
                let sp = sgd::SgdParams {
                    n: len as u32,
                    lr: s.step_size,
                    momentum: p.beta1,
                    weight_decay: p.weight_decay,
                };
                sgd::reference(&sp, &grad[r.clone()], &mut param[r.clone()], &mut m[r]);
            }
            OptimizerKind::Adam => {
                let ap = adam::AdamParams {
                    n: len as u32,
                    beta1: p.beta1,
                    beta2: p.beta2,
                    eps: p.eps,
                    weight_decay: p.weight_decay,
                    step_size: s.step_size,
                    bc2_sqrt: s.bc2_sqrt,
                    pad: 0,
                };
                adam::reference(
                    &ap,
                    &grad[r.clone()],
                    &mut param[r.clone()],
                    &mut m[r.clone()],
                    &mut v[r],
                );
            }
        }
    }
}
