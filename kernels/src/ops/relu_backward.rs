//! ReLU backward: the gradient passes where the activation was positive and stops elsewhere.

use bytemuck::{Pod, Zeroable};

use super::Real;

/// WGSL source (`shaders/relu_backward.wgsl`).
pub const SOURCE: &str = include_str!("../../shaders/relu_backward.wgsl");
/// Invocations per workgroup.
pub const WORKGROUP: u32 = 256;

/// Uniform parameters of `relu_backward.wgsl` (padded to 16 bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct ReluBackwardParams {
    /// Elements.
    pub n: u32,
    /// Padding to 16 bytes.
    pub pad: [u32; 3],
}

/// `grad[i] = act[i] > 0 ? grad[i] : 0`, in place, where `act` is the ReLU's output.
pub fn reference<T: Real>(act: &[T], grad: &mut [T]) {
    for (g, &a) in grad.iter_mut().zip(act) {
        if a <= T::ZERO {
            *g = T::ZERO;
        }
    }
}
