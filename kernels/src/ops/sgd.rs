//! SGD with momentum and L2 weight decay, exactly PyTorch's `torch.optim.SGD` (dampening 0).

use bytemuck::{Pod, Zeroable};

/// WGSL source (`shaders/sgd.wgsl`).
pub const SOURCE: &str = include_str!("../../shaders/sgd.wgsl");
/// Invocations per workgroup.
pub const WORKGROUP: u32 = 256;

/// Uniform parameters of `sgd.wgsl`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct SgdParams {
    /// Elements of the tensor.
    pub n: u32,
    /// Learning rate.
    pub lr: f32,
    /// Momentum μ (0 for plain SGD).
    pub momentum: f32,
    /// L2 weight decay.
    pub weight_decay: f32,
}

/// `g ← grad + wd·p;  v ← μ·v + g;  p ← p − lr·v`, element by element.
pub fn reference(p: &SgdParams, grad: &[f32], param: &mut [f32], velocity: &mut [f32]) {
    for ((w, v), &g) in param.iter_mut().zip(velocity.iter_mut()).zip(grad) {
        let g = g + p.weight_decay * *w;
        *v = p.momentum * *v + g;
        *w -= p.lr * *v;
    }
}
