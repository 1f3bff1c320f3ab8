//! The live model's answer for "Backprop by hand": a batch of test images with the live weights, and
//! the engine's own plain SGD step on it (on the probe, so the live model and its optimiser are not
//! touched).

use super::*;
use crate::lessons::live_model::by_hand_batch::engine_step;
use crate::runtime::QueryError;

impl Live {
    pub(super) async fn by_hand(
        &mut self,
        image: usize,
        rows: usize,
        lr: f32,
    ) -> Result<Reply, QueryError> {
        let image = image.min(self.test.len().saturating_sub(rows));
        let data = self.test_rows(image, rows)?;
        let model = self.engine.model().await?;
        let batch = engine_step(&mut self.probe, &model, &data, image, lr, self.steps).await?;
        Ok(Reply::ByHand(Box::new(batch)))
    }
}
