//! Adam, exactly PyTorch's `torch.optim.Adam` (single-tensor path, L2 weight decay, no amsgrad).

use bytemuck::{Pod, Zeroable};

/// The rule's parameters for one tensor (the GPU runs it as `update.wgsl::adam`, [`super::update`]);
/// build them with [`AdamParams::for_step`].
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct AdamParams {
    /// Elements of the tensor.
    pub n: u32,
    /// β1.
    pub beta1: f32,
    /// β2.
    pub beta2: f32,
    /// ε.
    pub eps: f32,
    /// L2 weight decay.
    pub weight_decay: f32,
    /// `lr / (1 − β1ᵗ)`.
    pub step_size: f32,
    /// `√(1 − β2ᵗ)`.
    pub bc2_sqrt: f32,
    /// Padding.
    pub pad: u32,
}

impl AdamParams {
    /// Parameters for the tensor's `step`-th update (1-based), bias corrections computed in f64.
    pub fn for_step(
        n: u32,
        lr: f32,
        beta1: f32,
        beta2: f32,
        eps: f32,
        weight_decay: f32,
        step: u64,
    ) -> Self {
        let t = step.min(i32::MAX as u64) as i32;
        let bc1 = 1.0 - f64::from(beta1).powi(t);
        let bc2 = 1.0 - f64::from(beta2).powi(t);
        Self {
            n,
            beta1,
            beta2,
            eps,
            weight_decay,
            step_size: (f64::from(lr) / bc1) as f32,
            bc2_sqrt: bc2.sqrt() as f32,
            pad: 0,
        }
    }
}

/// One Adam update, as PyTorch writes it: `m.lerp_(g, 1−β1)`, `v = β2·v + (1−β2)·g²`,
/// `p −= step_size · m / (√v / bc2_sqrt + ε)`.
pub fn reference(p: &AdamParams, grad: &[f32], param: &mut [f32], m: &mut [f32], v: &mut [f32]) {
    for i in 0..param.len() {
        let g = grad[i] + p.weight_decay * param[i];
        m[i] += (1.0 - p.beta1) * (g - m[i]);
        v[i] = p.beta2 * v[i] + (1.0 - p.beta2) * g * g;
        let denom = v[i].sqrt() / p.bc2_sqrt + p.eps;
        param[i] -= p.step_size * (m[i] / denom);
    }
}
