//! The live model's answers for the chain rule lesson: a weight's factors along the chain, the
//! backward pass stage by stage, and the update the next step will make.

use super::*;
use crate::runtime::QueryError;

impl Live {
    pub(super) async fn chain(
        &mut self,
        weight: Weight,
        image: usize,
        rows: usize,
    ) -> Result<Reply, QueryError> {
        let data = self.test_rows(image, rows)?;
        let model = self.engine.model().await?;
        let (_, g) =
            chain::weight_gradient(&mut self.probe, &model, &data, weight_ref(weight), EPS).await?;
        Ok(Reply::Chain(ChainView {
            weight,
            value: g.value,
            rows: g
                .factors
                .iter()
                .enumerate()
                .map(|(r, f)| ChainRow {
                    image: image + r,
                    label: data.labels[r],
                    dl_dy: f.dl_dy,
                    dy_dz: f.dy_dz,
                    dz_dw: f.dz_dw,
                })
                .collect(),
            product: g.product,
            kernel: g.kernel,
            finite_difference: g.finite_difference,
            eps: g.eps,
            loss: g.loss,
            agreement: g.agreement(),
            kernel_agreement: g.kernel_agreement(),
            difference_resolution: g.difference_resolution(),
            step: self.steps,
        }))
    }

    pub(super) async fn backward(
        &mut self,
        image: usize,
        rows: usize,
    ) -> Result<Reply, QueryError> {
        let data = self.test_rows(image, rows)?;
        let model = self.engine.model().await?;
        let t = chain::probe(&mut self.probe, &model, &data).await?;
        let missing = || EngineError::InvalidInput("the probe kept no δ".into());
        let logits = t.activations.last().cloned().unwrap_or_default();
        Ok(Reply::Backward(BackwardView {
            rows: t.rows,
            hidden: HIDDEN,
            labels: data.labels.clone(),
            q: softmax_rows(&logits, 10),
            delta_out: t.deltas[1].clone().ok_or_else(missing)?,
            hidden_out: t.activations[0].clone(),
            delta_hidden: t.deltas[0].clone().ok_or_else(missing)?,
            grad_fc2: t.gradients[1].weight.clone().ok_or_else(missing)?,
            grad_fc1: t.gradients[0].weight.clone().ok_or_else(missing)?,
        }))
    }

    pub(super) async fn next_update(&mut self, weight: Weight) -> Result<Reply, QueryError> {
        let rows = self.batches.batch(self.index).to_vec();
        let data = self.train.select(&rows);
        let model = self.engine.model().await?;
        let w = weight_ref(weight);
        let i = w.index(&model)?;
        let trace = chain::probe(&mut self.probe, &model, &data).await?;
        let gradient = trace.gradients[w.layer]
            .weight
            .as_ref()
            .map_or(0.0, |g| g[i]);
        let state = self.engine.optimizer_state().await?;
        let velocity = state
            .get(2 * w.layer)
            .and_then(|s| s.momentum.get(i).copied())
            .unwrap_or(0.0);
        Ok(Reply::Preview(UpdatePreview {
            weight,
            value: model.layers[w.layer].weight[i],
            gradient,
            velocity,
            lr: self.opt.lr,
            momentum: self.opt.momentum,
            step: self.steps,
        }))
    }
}
