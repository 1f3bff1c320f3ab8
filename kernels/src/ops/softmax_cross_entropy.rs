//! Softmax cross-entropy on logits, fused and numerically stable (log-sum-exp).

use bytemuck::{Pod, Zeroable};

use super::Real;
use super::kernel::{KernelEntry, Shader, read, read_write, uniform};

/// WGSL source (`shaders/softmax_cross_entropy.wgsl`).
pub const SOURCE: &str = include_str!("../../shaders/softmax_cross_entropy.wgsl");

/// The shader's bindings and entry points (the engines build from this; `tests/shaders.rs` checks it
/// against the WGSL).
pub const SHADER: Shader = Shader {
    file: "softmax_cross_entropy.wgsl",
    source: SOURCE,
    bindings: &[
        uniform("p"),
        read("logits"),
        read("labels"),
        read_write("loss_rows"),
        read_write("dlogits"),
    ],
    entries: &["rows"],
    constants: &[],
};
/// Loss and δ of each row.
pub const ROWS: KernelEntry = KernelEntry::of(&SHADER, "rows");
/// Invocations per workgroup of the `rows` entry.
pub const ROWS_WORKGROUP: u32 = 64;

/// Uniform parameters of `softmax_cross_entropy.wgsl`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct SoftmaxCrossEntropyParams {
    /// Rows in the batch.
    pub rows: u32,
    /// Classes per row.
    pub classes: u32,
    /// Padding.
    pub pad: u32,
    /// Factor on dlogits: `1 / rows` for a mean loss.
    pub grad_scale: f32,
}

/// Per-row losses and `dlogits = (softmax − onehot) · grad_scale`, as the kernel computes them:
/// `loss = log Σ_c exp(z_c − max) + max − z_label`.
pub fn reference<T: Real>(
    logits: &[T],
    labels: &[u32],
    rows: usize,
    classes: usize,
    grad_scale: T,
) -> (Vec<T>, Vec<T>) {
    let mut losses = vec![T::ZERO; rows];
    let mut dlogits = vec![T::ZERO; rows * classes];
    for r in 0..rows {
        let z = &logits[r * classes..(r + 1) * classes];
        let label = labels[r] as usize;
        if label >= classes {
            losses[r] = T::nan();
            continue;
        }
        let max = z.iter().copied().fold(z[0], T::max);
        let sum: T = z.iter().map(|&v| (v - max).exp()).sum();
        losses[r] = max + sum.ln() - z[label];
        for c in 0..classes {
            let p = (z[c] - max).exp() / sum;
            let onehot = if c == label { T::ONE } else { T::ZERO };
            dlogits[r * classes + c] = (p - onehot) * grad_scale;
        }
    }
    (losses, dlogits)
}

/// The mean of per-row losses (written by `update.wgsl`), summed in f64 here.
pub fn reference_mean(losses: &[f32]) -> f32 {
    (losses.iter().map(|&l| f64::from(l)).sum::<f64>() / losses.len().max(1) as f64) as f32
}

/// Softmax probabilities of each row (for showing a prediction).
pub fn softmax_rows(logits: &[f32], classes: usize) -> Vec<f32> {
    let mut out = Vec::with_capacity(logits.len());
    for z in logits.chunks_exact(classes) {
        let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let sum: f32 = z.iter().map(|&v| (v - max).exp()).sum();
        out.extend(z.iter().map(|&v| (v - max).exp() / sum));
    }
    out
}
