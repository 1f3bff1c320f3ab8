//! What the live model's worker sends "Backprop by hand": a batch, the weights it is graded at, and the
//! engine's own step on it.

use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;

/// The four parameter tensors of the live model, row-major as PyTorch stores them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Params {
    /// fc1.weight `[hidden, 784]`.
    pub w1: Vec<f32>,
    /// fc1.bias `[hidden]`.
    pub b1: Vec<f32>,
    /// fc2.weight `[10, hidden]`.
    pub w2: Vec<f32>,
    /// fc2.bias `[10]`.
    pub b2: Vec<f32>,
}

/// A batch for "Backprop by hand": what the student's lines are graded on, and the engine's step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ByHandBatch {
    /// First test image.
    pub image: usize,
    /// Rows (B).
    pub rows: usize,
    /// The images' pixels, 784 a row (ink high).
    pub pixels: ByteBuf,
    /// Their classes.
    pub labels: Vec<u8>,
    /// The normalised inputs x `[rows, 784]`, as the engine gathered them.
    pub inputs: Vec<f32>,
    /// The live weights the batch is graded at (before the step).
    pub before: Params,
    /// The engine's parameters after its own SGD step on the batch.
    pub after: Params,
    /// The step's learning rate.
    pub lr: f32,
    /// The engine's mean loss of the batch before the step.
    pub engine_loss: f32,
    /// Training steps the live model had taken.
    pub step: u64,
}
