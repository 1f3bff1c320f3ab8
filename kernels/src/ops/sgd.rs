//! SGD with momentum and L2 weight decay, exactly PyTorch's `torch.optim.SGD` (dampening 0). The GPU
//! runs it as `update.wgsl::sgd` ([`super::update`]).

use bytemuck::{Pod, Zeroable};

/// The rule's parameters for one tensor.
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
