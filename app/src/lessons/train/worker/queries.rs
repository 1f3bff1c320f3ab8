//! The questions "Train a network" asks its worker, each answered exactly once: a drawn digit's
//! prediction, a confusion-matrix cell's images, the model file, the autodiff check, clearing the saved
//! run.

#[cfg(feature = "burn")]
use kernels::GpuEngine;
#[cfg(feature = "burn")]
use kernels::dataset::Split;
use kernels::{Engine, EngineKind};
use serde_bytes::ByteBuf;

use super::Worker;
use super::checkpoint;
use crate::lessons::train::protocol::{
    CellImages, EngineSpeed, HardwareReport, MessageCode, Query, Reply, TrainImage,
};
use crate::runtime::QueryError;
use crate::runtime::refuse;
use crate::store;

impl Worker {
    pub(super) async fn predict(&mut self, pixels: &[u8]) -> Result<Reply, QueryError> {
        let Some(s) = self.session.as_mut() else {
            return Err(not_ready());
        };
        let (mean, std) = self
            .loaded
            .borrow()
            .manifest
            .as_ref()
            .map_or((0.1307, 0.3081), |m| (m.mean, m.std));
        let x: Vec<f32> = pixels
            .iter()
            .map(|&p| kernels::ops::gather_normalize::normalize_pixel(p, mean, std))
            .collect();
        let logits = s.engine.predict(&x, 1).await?;
        let probabilities =
            kernels::ops::softmax_cross_entropy::softmax_rows(&logits, logits.len());
        Ok(Reply::Prediction(probabilities))
    }

    pub(super) fn show_cell(&self, truth: u8, predicted: u8) -> Result<Reply, QueryError> {
        let Some(s) = &self.session else {
            return Err(not_ready());
        };
        let Some(eval) = &s.last_eval else {
            return Err(not_ready());
        };
        // The evaluation is the validation set's: the first training images.
        let l = self.loaded.borrow();
        let Some(images) = &l.train else {
            return Err(not_ready());
        };
        let hits: Vec<usize> = (0..eval.total.min(images.len()))
            .filter(|&i| images.labels[i] == truth && eval.predictions[i] == u32::from(predicted))
            .collect();
        let mut pixels = Vec::new();
        for &i in hits.iter().take(48) {
            pixels.extend_from_slice(images.image(i));
        }
        Ok(Reply::Cell(CellImages {
            truth,
            predicted,
            pixels: ByteBuf::from(pixels),
            count: hits.len().min(48),
            total: hits.len(),
        }))
    }

    /// Training image `index` (modulo the images loaded so far).
    pub(super) fn train_image(&self, index: usize) -> Result<Reply, QueryError> {
        let l = self.loaded.borrow();
        let Some(train) = l.train.as_ref().filter(|t| !t.is_empty()) else {
            return Err(not_ready());
        };
        let i = index % train.len();
        let validation = self.session.as_ref().map_or(0, |s| s.validation);
        Ok(Reply::Image(TrainImage {
            index: i,
            count: train.len(),
            total: l.train_total,
            validation,
            in_validation: i < validation,
            pixels: ByteBuf::from(train.image(i).to_vec()),
            side: train.width,
            label: train.labels[i],
            mean: train.mean,
            std: train.std,
        }))
    }

    /// About a second of training steps of the CPU engine and, where there is one, of WebGPU, on the
    /// run's model shape and batch (the first 2,000 training images): the speeds "Why a GPU?" turns into
    /// FLOP/s and time per epoch. Training waits meanwhile (the page does not).
    pub(super) async fn hardware(&mut self) -> Result<Reply, QueryError> {
        let Some(s) = &self.session else {
            return Err(not_ready());
        };
        let config = s.config.clone();
        let epoch_images: usize = s.train_chunks.iter().sum();
        let widths = s.engine.widths();
        let sample = self
            .loaded
            .borrow()
            .train
            .as_ref()
            .filter(|t| !t.is_empty())
            .map(|t| t.take(2_000));
        let Some(sample) = sample else {
            return Err(not_ready());
        };
        let mut engines = vec![EngineSpeed {
            kind: EngineKind::Cpu,
            name: "CPU engine".into(),
            samples_per_second: self.measure(EngineKind::Cpu, &config, &sample).await?,
        }];
        let mut gpu_problem = None;
        if self.gpu.ctx.is_some() {
            match self.measure(EngineKind::Gpu, &config, &sample).await {
                Ok(g) => engines.push(EngineSpeed {
                    kind: EngineKind::Gpu,
                    name: format!("WebGPU ({})", self.gpu.label),
                    samples_per_second: g,
                }),
                Err(e) => gpu_problem = Some(e.to_string()),
            }
        } else {
            gpu_problem = Some(
                self.gpu
                    .problem
                    .clone()
                    .unwrap_or_else(|| "no WebGPU adapter".into()),
            );
        }
        Ok(Reply::Hardware(HardwareReport {
            widths,
            batch: config.batch,
            optimizer: config.optimizer,
            epoch_images,
            engines,
            gpu_problem,
        }))
    }

    /// The model as `.safetensors`.
    pub(super) async fn export(&mut self) -> Result<Reply, QueryError> {
        let Some(s) = self.session.as_mut() else {
            return Err(not_ready());
        };
        let model = s.engine.model().await?;
        match model.to_safetensors() {
            Ok(bytes) => Ok(Reply::ModelFile {
                bytes: ByteBuf::from(bytes),
                widths: model.widths(),
            }),
            Err(e) => Err(refuse(MessageCode::ExportFailed, e.to_string())),
        }
    }

    /// Answers a query (exactly once, also when it fails).
    pub(super) async fn answer_query(&mut self, query: Query) -> Result<Reply, QueryError> {
        match query {
            Query::Predict { pixels } => self.predict(&pixels).await,
            Query::Cell { truth, predicted } => self.show_cell(truth, predicted),
            Query::TrainImage { index } => self.train_image(index),
            Query::Export => self.export().await,
            Query::CheckAutodiff => self.check_autodiff().await,
            Query::Hardware => self.hardware().await,
            Query::ClearSaved => {
                self.withdraw_offer();
                match store::delete(checkpoint::KEY).await {
                    Ok(()) => Ok(Reply::Cleared),
                    Err(e) => Err(refuse(MessageCode::SaveFailed, e.to_string())),
                }
            }
        }
    }

    /// One step of the current weights on a fresh copy of our GPU engine and on burn's autodiff, same
    /// batch and device; reports the largest difference per parameter.
    #[cfg(feature = "burn")]
    pub(super) async fn check_autodiff(&mut self) -> Result<Reply, QueryError> {
        use crate::lessons::train::protocol::{AutodiffCheck, GradientDifference};
        let Some(ctx) = self.gpu.ctx.clone() else {
            return Err(refuse(MessageCode::AutodiffNeedsGpu, ""));
        };
        let Some(s) = self.session.as_mut() else {
            return Err(not_ready());
        };
        let model = s.engine.model().await?;
        let train = self.loaded.borrow().train.clone().filter(|d| !d.is_empty());
        let Some(train) = train else {
            return Err(not_ready());
        };
        let rows: Vec<u32> = (0..s.config.batch.min(train.len()) as u32).collect();
        let opt = s.opt;
        let mut ours = GpuEngine::new(&ctx, &model, rows.len())?;
        let mut burn = kernels::BurnEngine::new(&ctx, &model, rows.len())?;
        ours.set_data(Split::Train, &train)?;
        burn.set_data(Split::Train, &train)?;
        ours.train_step(&rows, &opt)?;
        burn.train_step(&rows, &opt)?;
        let (a, b) = (ours.trace().await?, burn.trace().await?);
        let mut parameters = Vec::new();
        for (l, (ga, gb)) in a.gradients.iter().zip(&b.gradients).enumerate() {
            for (kind, x, y) in [
                ("weight", &ga.weight, &gb.weight),
                ("bias", &ga.bias, &gb.bias),
            ] {
                let (Some(x), Some(y)) = (x, y) else { continue };
                let scale = y.iter().fold(0f32, |m, v| m.max(v.abs()));
                // Entries far below the tensor's scale are compared against that scale, not themselves
                // (a difference of 1e-9 on an entry of 1e-8 is float noise, not disagreement).
                let floor = (1e-3 * scale).max(f32::MIN_POSITIVE);
                parameters.push(GradientDifference {
                    name: format!("fc{}.{kind}", l + 1),
                    max_abs: x
                        .iter()
                        .zip(y)
                        .map(|(p, q)| (p - q).abs())
                        .fold(0.0, f32::max),
                    max_rel: kernels::testing::max_relative_error(x, y, floor),
                    norm: x.iter().map(|v| v * v).sum::<f32>().sqrt(),
                });
            }
        }
        Ok(Reply::Autodiff(AutodiffCheck {
            rows: rows.len(),
            losses: (a.loss, b.loss),
            parameters,
        }))
    }

    #[cfg(not(feature = "burn"))]
    pub(super) async fn check_autodiff(&mut self) -> Result<Reply, QueryError> {
        Err(refuse(MessageCode::NoAutodiff, ""))
    }
}

/// The refusal of a query that needs a model, data or an evaluation not there yet.
fn not_ready() -> QueryError {
    refuse(MessageCode::NotYet, "")
}
