//! The live model's answer for "Backprop by hand": a batch of test images with the live weights, and
//! the engine's own plain SGD step on it (on the probe, so the live model and its optimiser are not
//! touched).

use kernels::dataset::Split;

use super::*;
use crate::lessons::live_model::protocol::{ByHandBatch, Params};

fn params(model: &Mlp) -> Params {
    Params {
        w1: model.layers[0].weight.clone(),
        b1: model.layers[0].bias.clone(),
        w2: model.layers[1].weight.clone(),
        b2: model.layers[1].bias.clone(),
    }
}

impl Live {
    pub(super) async fn by_hand(
        &mut self,
        image: usize,
        rows: usize,
        lr: f32,
    ) -> Result<CtReply, EngineError> {
        let image = image.min(self.test.len().saturating_sub(rows));
        let data = self.test_rows(image, rows)?;
        if !(lr.is_finite() && lr > 0.0) {
            return Err(EngineError::InvalidInput(format!("learning rate {lr}")));
        }
        let model = self.engine.model().await?;
        self.probe.set_model(&model)?;
        self.probe.set_data(Split::Train, &data)?;
        let batch: Vec<u32> = (0..data.len() as u32).collect();
        let opt = OptimizerConfig {
            lr,
            momentum: 0.0,
            weight_decay: 0.0,
            ..OptimizerConfig::default()
        };
        self.probe.train_step(&batch, &opt)?;
        let trace = self.probe.trace().await?;
        let after = self.probe.model().await?;
        Ok(CtReply::ByHand(Box::new(ByHandBatch {
            image,
            rows: data.len(),
            pixels: ByteBuf::from(data.images.clone()),
            labels: data.labels.clone(),
            inputs: trace.inputs,
            before: params(&model),
            after: params(&after),
            lr,
            engine_loss: trace.loss,
            step: self.steps,
        })))
    }
}
