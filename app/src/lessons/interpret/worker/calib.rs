//! The interpretability worker's calibration answer: the model's logits on a validation split carved
//! from the training images and on the test images, the temperature fitted on the validation split
//! (minimum NLL), and ECE with reliability diagrams before and after.

use super::*;
use kernels::calibration::{BINS, ece, fit_temperature, reliability, softmax_at};

/// Validation images: the last ones of the training images loaded (fine-tuning takes the first).
pub(super) const VALIDATION: usize = 5000;

impl Worker {
    /// The logits of every image of `data`, in engine-sized batches.
    async fn logits(engine: &mut AnyEngine, data: &Dataset) -> Result<Vec<f32>, EngineError> {
        let f = data.features();
        let mut out = Vec::with_capacity(data.len() * 10);
        for start in (0..data.len()).step_by(MAX_ROWS) {
            let end = (start + MAX_ROWS).min(data.len());
            let x: Vec<f32> = data.images[start * f..end * f]
                .iter()
                .map(|&b| (f32::from(b) / 255.0 - data.mean) / data.std)
                .collect();
            out.extend(engine.predict(&x, end - start).await?);
        }
        Ok(out)
    }

    pub(super) async fn calibration(&mut self) -> Result<CalibrationView, EngineError> {
        let t0 = now();
        let (data, _) = self.ready()?;
        let v = VALIDATION.min(data.train.len() / 3);
        let from = data.train.len() - v;
        let rows: Vec<u32> = (from as u32..data.train.len() as u32).collect();
        let val = data.train.select(&rows);
        let test = data.test.clone();
        let main = self.main.as_mut().expect("loaded");
        let val_logits = Self::logits(main, &val).await?;
        let test_logits = Self::logits(main, &test).await?;
        let t = fit_temperature(&val_logits, &val.labels, 10);
        let diagram = |logits: &[f32], labels: &[u8], t: f32| {
            reliability(&softmax_at(logits, 10, t), labels, 10, BINS)
        };
        let (vb, va) = (
            diagram(&val_logits, &val.labels, 1.0),
            diagram(&val_logits, &val.labels, t),
        );
        let (tb, ta) = (
            diagram(&test_logits, &test.labels, 1.0),
            diagram(&test_logits, &test.labels, t),
        );
        let right: usize = tb
            .iter()
            .map(|b| (b.accuracy * b.count as f32).round() as usize)
            .sum();
        Ok(CalibrationView {
            temperature: t,
            validation: (v, from),
            test: test.len(),
            val_ece: (ece(&vb), ece(&va)),
            test_ece: (ece(&tb), ece(&ta)),
            test_accuracy: right as f32 / test.len().max(1) as f32,
            bins: (tb, ta),
            ms: (now() - t0) * 1000.0,
        })
    }
}
