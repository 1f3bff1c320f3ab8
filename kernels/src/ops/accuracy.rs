//! Argmax of each row of logits, and how many match the labels.

use super::kernel::{KernelEntry, Shader, read, read_write, uniform};
use bytemuck::{Pod, Zeroable};

/// WGSL source (`shaders/accuracy.wgsl`).
pub const SOURCE: &str = include_str!("../../shaders/accuracy.wgsl");

/// The shader's bindings and entry points (the engines build from this; `tests/shaders.rs` checks it
/// against the WGSL).
pub const SHADER: Shader = Shader {
    file: "accuracy.wgsl",
    source: SOURCE,
    bindings: &[
        uniform("p"),
        read("logits"),
        read("labels"),
        read_write("predictions"),
        read_write("correct"),
    ],
    entries: &["main"],
    constants: &[],
};
/// The one entry point.
pub const MAIN: KernelEntry = KernelEntry::of(&SHADER, "main");
/// Invocations per workgroup.
pub const WORKGROUP: u32 = 64;

/// Uniform parameters of `accuracy.wgsl`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct AccuracyParams {
    /// Rows in this chunk.
    pub rows: u32,
    /// Classes per row.
    pub classes: u32,
    /// Index of the chunk's first row in the predictions buffer.
    pub base: u32,
    /// Padding.
    pub pad: u32,
}

/// Predicted class of each row (the first maximum, as `torch.argmax`) and the count equal to `labels`.
pub fn reference(logits: &[f32], labels: &[u32], classes: usize) -> (Vec<u32>, u32) {
    let mut correct = 0;
    let preds: Vec<u32> = logits
        .chunks_exact(classes)
        .zip(labels)
        .map(|(z, &label)| {
            let mut best = 0;
            for c in 1..classes {
                if z[c] > z[best] {
                    best = c;
                }
            }
            if best as u32 == label {
                correct += 1;
            }
            best as u32
        })
        .collect();
    (preds, correct)
}
