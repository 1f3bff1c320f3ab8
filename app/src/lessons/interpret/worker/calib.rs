//! The interpretability worker's calibration answer, cross-fitted on the test images: the shipped
//! model saw all 60,000 training images, so no training image is held out from it. T is fitted
//! (minimum NLL) on the even test images and checked on the odd ones, and the other way round; ECE
//! and NLL before, on the images each T was fitted on, and on the held-out half, with a bootstrap
//! interval for the held-out change.

use super::*;
use kernels::calibration::{
    BINS, bootstrap_ece_change, ece, fit_temperature, nll, predictions, reliability, softmax_at,
};

/// Bootstrap resamplings of the test images for the interval of the ECE's change.
pub(super) const DRAWS: usize = 200;

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
        let test = data.test.clone();
        let main = self.main.as_mut().expect("loaded");
        let logits = Self::logits(main, &test).await?;
        let labels = &test.labels;
        // The half with parity `p` (0: even images, 1: odd ones).
        let half = |p: usize| {
            let mut z = Vec::new();
            let mut y = Vec::new();
            for (i, (row, &l)) in logits.chunks_exact(10).zip(labels).enumerate() {
                if i % 2 == p {
                    z.extend_from_slice(row);
                    y.push(l);
                }
            }
            (z, y)
        };
        let ((ze, ye), (zo, yo)) = (half(0), half(1));
        let t = (fit_temperature(&ze, &ye, 10), fit_temperature(&zo, &yo, 10));
        let own = move |i: usize| if i.is_multiple_of(2) { t.0 } else { t.1 };
        let other = move |i: usize| if i.is_multiple_of(2) { t.1 } else { t.0 };
        // Probabilities and mean NLL with image i divided by temperature(i).
        let scaled = |temperature: &dyn Fn(usize) -> f32| {
            let mut probs = Vec::with_capacity(logits.len());
            let mut total = 0.0f64;
            for (i, (row, &l)) in logits.chunks_exact(10).zip(labels).enumerate() {
                probs.extend(softmax_at(row, 10, temperature(i)));
                total += nll(row, &[l], 10, temperature(i));
            }
            (probs, (total / labels.len().max(1) as f64) as f32)
        };
        let (pb, nb) = scaled(&|_| 1.0);
        let (pf, nf) = scaled(&own);
        let (ph, nh) = scaled(&other);
        let (bb, bf, bh) = (
            reliability(&pb, labels, 10, BINS),
            reliability(&pf, labels, 10, BINS),
            reliability(&ph, labels, 10, BINS),
        );
        let band = bootstrap_ece_change(
            &predictions(&pb, labels, 10),
            &predictions(&ph, labels, 10),
            DRAWS,
            7,
        );
        let right: usize = bb
            .iter()
            .map(|b| (b.accuracy * b.count as f32).round() as usize)
            .sum();
        Ok(CalibrationView {
            temperature: t,
            test: test.len(),
            ece: (ece(&bb), ece(&bf), ece(&bh)),
            nll: (nb, nf, nh),
            change_band: band,
            draws: DRAWS,
            test_accuracy: right as f32 / test.len().max(1) as f32,
            bins: (bb, bh),
            ms: (now() - t0) * 1000.0,
        })
    }
}
