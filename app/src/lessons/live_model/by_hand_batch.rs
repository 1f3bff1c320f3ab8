//! What the live model's worker sends "Backprop by hand": a batch, the weights it is graded at, and the
//! engine's own step on it.

use kernels::dataset::{Dataset, Split};
use kernels::{Engine, EngineError, Mlp, OptimizerConfig};
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

impl Params {
    /// The four parameter tensors of a two-layer `model`.
    pub fn of(model: &Mlp) -> Self {
        Self {
            w1: model.layers[0].weight.clone(),
            b1: model.layers[0].bias.clone(),
            w2: model.layers[1].weight.clone(),
            b2: model.layers[1].bias.clone(),
        }
    }
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

/// The engine's own plain SGD step (learning rate `lr`, no momentum, no weight decay) from `model` on
/// every row of `data`, taken on `probe` (whose state it replaces): the batch the lesson grades on,
/// test images `image..` with the weights before and after the step.
pub async fn engine_step<E: Engine>(
    probe: &mut E,
    model: &Mlp,
    data: &Dataset,
    image: usize,
    lr: f32,
    step: u64,
) -> Result<ByHandBatch, EngineError> {
    if !(lr.is_finite() && lr > 0.0) || model.layers.len() != 2 {
        return Err(EngineError::InvalidInput(format!(
            "by hand: a two-layer model and a positive learning rate, not {} layers at {lr}",
            model.layers.len()
        )));
    }
    probe.set_model(model)?;
    probe.set_data(Split::Train, data)?;
    let rows: Vec<u32> = (0..data.len() as u32).collect();
    let opt = OptimizerConfig {
        lr,
        momentum: 0.0,
        weight_decay: 0.0,
        ..OptimizerConfig::default()
    };
    probe.train_step(&rows, &opt)?;
    let trace = probe.trace().await?;
    let after = probe.model().await?;
    Ok(ByHandBatch {
        image,
        rows: data.len(),
        pixels: serde_bytes::ByteBuf::from(data.images.clone()),
        labels: data.labels.clone(),
        inputs: trace.inputs,
        before: Params::of(model),
        after: Params::of(&after),
        lr,
        engine_loss: trace.loss,
        step,
    })
}
