//! The output layer of a training step fused for a narrow output: forward, softmax cross-entropy, the
//! logits' δ and the input gradient through the ReLU below, one invocation per row (`shaders/head.wgsl`).

use bytemuck::{Pod, Zeroable};

use super::kernel::{KernelEntry, Shader, read, read_write, uniform};
use super::{linear, relu_backward, softmax_cross_entropy};

/// WGSL source (`shaders/head.wgsl`).
pub const SOURCE: &str = include_str!("../../shaders/head.wgsl");

/// The shader's bindings and entry points (the engines build from this; `tests/shaders.rs` checks it
/// against the WGSL).
pub const SHADER: Shader = Shader {
    file: "head.wgsl",
    source: SOURCE,
    bindings: &[
        uniform("p"),
        read("x"),
        read("w"),
        read("bias"),
        read("labels"),
        read_write("logits"),
        read_write("loss_rows"),
        read_write("dlogits"),
        read_write("dx"),
    ],
    entries: &["main"],
    constants: &[],
};
/// The one entry point.
pub const MAIN: KernelEntry = KernelEntry::of(&SHADER, "main");
/// Invocations (rows) per workgroup.
pub const WORKGROUP: u32 = 32;
/// The widest output the kernel takes (its logits live in registers); wider heads run unfused.
pub const MAX_CLASSES: usize = 16;
/// Also compute the input gradient through the ReLU below.
pub const FLAG_INPUT_GRAD: u32 = 1;

/// Uniform parameters of `head.wgsl`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct HeadParams {
    /// Rows in the batch.
    pub rows: u32,
    /// Input features of the layer.
    pub in_f: u32,
    /// Classes (outputs), at most [`MAX_CLASSES`].
    pub classes: u32,
    /// [`FLAG_INPUT_GRAD`] or 0.
    pub flags: u32,
    /// Factor on dlogits: `1 / rows` for a mean loss.
    pub grad_scale: f32,
    /// Padding to 32 bytes.
    pub pad: [u32; 3],
}

impl HeadParams {
    /// A batch of `rows` through a head of `in_f → classes`, with the input gradient when `input_grad`.
    pub fn new(rows: u32, in_f: u32, classes: u32, input_grad: bool) -> Self {
        Self {
            rows,
            in_f,
            classes,
            flags: if input_grad { FLAG_INPUT_GRAD } else { 0 },
            grad_scale: 1.0 / rows.max(1) as f32,
            pad: [0; 3],
        }
    }

    /// Workgroups to dispatch.
    pub fn workgroups(&self) -> (u32, u32, u32) {
        (self.rows.div_ceil(WORKGROUP), 1, 1)
    }
}

/// What the kernel writes: logits, per-row losses, dlogits and (with [`FLAG_INPUT_GRAD`]) dx.
#[derive(Clone, Debug, PartialEq)]
pub struct HeadOutputs {
    /// `[rows, classes]`.
    pub logits: Vec<f32>,
    /// `[rows]`.
    pub loss_rows: Vec<f32>,
    /// `[rows, classes]`: δ of the logits.
    pub dlogits: Vec<f32>,
    /// `[rows, in_f]`: δ of the layer below (empty without [`FLAG_INPUT_GRAD`]).
    pub dx: Vec<f32>,
}

/// The unfused ops the kernel replaces, one after the other: forward, softmax cross-entropy, grad
/// input, ReLU backward.
pub fn reference(
    p: &HeadParams,
    x: &[f32],
    w: &[f32],
    bias: &[f32],
    labels: &[u32],
) -> HeadOutputs {
    let (rows, in_f, classes) = (p.rows as usize, p.in_f as usize, p.classes as usize);
    let logits = linear::reference_forward(x, w, bias, rows, in_f, classes, false);
    let (loss_rows, dlogits) =
        softmax_cross_entropy::reference(&logits, labels, rows, classes, p.grad_scale);
    let dx = if p.flags & FLAG_INPUT_GRAD != 0 {
        let mut dx = linear::reference_grad_input(&dlogits, w, rows, in_f, classes);
        relu_backward::reference(x, &mut dx);
        dx
    } else {
        Vec::new()
    };
    HeadOutputs {
        logits,
        loss_rows,
        dlogits,
        dx,
    }
}
