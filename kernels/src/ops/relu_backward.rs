//! ReLU backward: the gradient passes where the activation was positive and stops elsewhere. On the
//! GPU it is an epilogue of the product that computes the gradient (`linear.wgsl`'s FLAG_RELU_MASK,
//! and `head.wgsl`), never a dispatch of its own.

use super::Real;

/// `grad[i] = act[i] > 0 ? grad[i] : 0`, in place, where `act` is the ReLU's output.
pub fn reference<T: Real>(act: &[T], grad: &mut [T]) {
    for (g, &a) in grad.iter_mut().zip(act) {
        if a <= T::ZERO {
            *g = T::ZERO;
        }
    }
}
