//! The live model's worker side (shared by the concept lessons): a small live MLP (784 → 32 → 10) training on MNIST, and a probe
//! engine on the same device that answers the panels' questions — one image's loss, a weight's
//! chain-rule factors, a finite difference, the backward pass's tensors — without touching the live
//! model's parameters or optimiser state.

use kernels::chain::{self, WeightRef};
use kernels::dataset::Dataset;
use kernels::ops::gather_normalize;
use kernels::ops::softmax_cross_entropy::softmax_rows;
use kernels::training::EpochBatches;
use kernels::{AnyEngine, Engine, EngineError, Mlp, OptimizerConfig};
use serde_bytes::ByteBuf;

/// Test images the lessons use (the surprise gallery ranks all of them).
use super::TEST_POOL;
use super::protocol::{
    BackwardView, ChainRow, ChainView, Command, Event, ImageView, MessageCode, Query, Reply,
    Surprise, UpdatePreview, Weight, WeightsView,
};
use super::saved::{self, SavedLive};
use super::{EPOCH_LIMIT, HIDDEN};
use crate::lessons::live_model::protocol::Protocol;
use crate::runtime::QueryError;
use crate::runtime::data::load_dataset;
use crate::runtime::engine;
use crate::runtime::refuse;
use crate::runtime::{BURST_SECONDS, LessonWorker, Outbox, now};
use crate::store;
use kernels::engine::Preference;

mod by_hand_queries;
mod chain_queries;

/// Rows per training step.
const BATCH: usize = 32;
/// Rows the live engine evaluates at once (its steps take `BATCH`).
const EVAL_ROWS: usize = 512;
/// The largest batch a probe takes.
const PROBE_ROWS: usize = 64;
/// Seconds of training between two evaluations of the test pool.
const EVAL_EVERY: f64 = 3.0;
/// Finite-difference step.
const EPS: f32 = 1e-3;

fn weight_ref(w: Weight) -> WeightRef {
    WeightRef {
        layer: w.layer,
        out: w.out,
        input: w.input,
    }
}

struct Live {
    engine: AnyEngine,
    probe: AnyEngine,
    train: Dataset,
    test: Dataset,
    opt: OptimizerConfig,
    seed: u64,
    epoch: usize,
    index: usize,
    batches: EpochBatches,
    steps: u64,
    accuracy: Option<f32>,
    loss: f32,
}

/// The live model's worker.
pub struct Worker {
    out: Outbox<Protocol>,
    live: Option<Live>,
    running: bool,
    last_eval: f64,
}

impl Live {
    /// Keeps the live model in this browser (a failure only costs the resume after a reload).
    async fn save(&mut self) {
        let kept = async {
            let model = self.engine.model().await.map_err(|e| e.to_string())?;
            let optimizer = self
                .engine
                .optimizer_state()
                .await
                .map_err(|e| e.to_string())?;
            let saved = SavedLive::new(
                self.seed,
                (self.steps, self.epoch, self.index),
                &model,
                &optimizer,
            )?;
            store::put(saved::KEY, &saved)
                .await
                .map_err(|e| e.to_string())
        };
        if let Err(e) = kept.await {
            crate::runtime::warn(&format!("the live model was not kept: {e}"));
        }
    }

    /// Takes up the live model kept in this browser, if it fits; the step it was at.
    async fn resume(&mut self) -> Result<Option<u64>, EngineError> {
        let Ok(Some(saved)) = store::get::<SavedLive>(saved::KEY).await else {
            return Ok(None);
        };
        let Some((model, optimizer)) = saved.restore(&self.engine.widths(), self.seed) else {
            return Ok(None);
        };
        self.engine.restore(&model, &optimizer)?;
        self.steps = saved.steps;
        self.epoch = saved.epoch;
        self.index = saved.index;
        self.batches = EpochBatches::new(self.train.len(), BATCH, self.seed, self.epoch);
        Ok(Some(saved.steps))
    }

    /// A fresh model from the seed at step 0, and nothing kept.
    async fn afresh(&mut self) -> Result<(), EngineError> {
        let widths = self.engine.widths();
        let model = Mlp::new(
            widths[0],
            &widths[1..widths.len() - 1],
            widths[widths.len() - 1],
            self.seed,
        )?;
        self.engine
            .restore(&model, &kernels::engine::fresh_optimizer_state(&model))?;
        self.steps = 0;
        self.epoch = 0;
        self.index = 0;
        self.batches = EpochBatches::new(self.train.len(), BATCH, self.seed, 0);
        if let Err(e) = store::delete(saved::KEY).await {
            crate::runtime::warn(&e.to_string());
        }
        self.accuracy = Some(self.engine.evaluate(None).await?.accuracy());
        Ok(())
    }

    fn step(&mut self) -> Result<(), EngineError> {
        self.engine
            .train_step(self.batches.batch(self.index), &self.opt)?;
        self.steps += 1;
        self.index += 1;
        if self.index >= self.batches.len() {
            self.index = 0;
            self.epoch += 1;
            self.batches = EpochBatches::new(self.train.len(), BATCH, self.seed, self.epoch);
        }
        Ok(())
    }

    fn test_rows(&self, image: usize, rows: usize) -> Result<Dataset, EngineError> {
        let n = self.test.len();
        if image >= n || rows == 0 || rows > PROBE_ROWS {
            return Err(EngineError::InvalidInput(format!(
                "images {image}..{} are not in the test pool of {n} (at most {PROBE_ROWS} at once)",
                image + rows
            )));
        }
        let rows: Vec<u32> = (image..(image + rows).min(n)).map(|r| r as u32).collect();
        Ok(self.test.select(&rows))
    }

    async fn image(&mut self, index: usize) -> Result<Reply, QueryError> {
        let data = self.test_rows(index, 1)?;
        let model = self.engine.model().await?;
        let trace = chain::probe(&mut self.probe, &model, &data).await?;
        Ok(Reply::Image(ImageView {
            index,
            pixels: ByteBuf::from(data.images.clone()),
            label: data.labels[0],
            logits: trace.activations.last().cloned().unwrap_or_default(),
            engine_loss: trace.loss,
            step: self.steps,
        }))
    }

    async fn surprises(&mut self, count: usize) -> Result<Reply, QueryError> {
        let eval = self.engine.evaluate(None).await?;
        self.accuracy = Some(eval.accuracy());
        let mut order: Vec<usize> = (0..eval.losses.len()).collect();
        order.sort_by(|&a, &b| eval.losses[b].total_cmp(&eval.losses[a]));
        order.truncate(count.min(24));
        let rows: Vec<u32> = order.iter().map(|&i| i as u32).collect();
        let (x, _) = gather_normalize::reference(
            &self.test.images,
            &self.test.labels,
            self.test.features(),
            &rows,
            self.test.mean,
            self.test.std,
        );
        let logits = self.engine.predict(&x, rows.len()).await?;
        let classes = 10;
        Ok(Reply::Surprises(
            order
                .iter()
                .enumerate()
                .map(|(k, &i)| Surprise {
                    index: i,
                    pixels: ByteBuf::from(self.test.image(i).to_vec()),
                    label: self.test.labels[i],
                    predicted: eval.predictions[i] as u8,
                    loss: eval.losses[i],
                    q: softmax_rows(&logits[k * classes..(k + 1) * classes], classes),
                })
                .collect(),
        ))
    }

    async fn quiz_pair(&mut self, round: usize) -> Result<Reply, QueryError> {
        let eval = self.engine.evaluate(None).await?;
        // q(true) = e^(−H) for each image of the pool.
        let q_true: Vec<f32> = eval.losses.iter().map(|&h| (-h).exp()).collect();
        Ok(Reply::QuizPair(super::quiz::pair(&q_true, round)))
    }

    async fn weights(&mut self) -> Result<Reply, QueryError> {
        let model = self.engine.model().await?;
        Ok(Reply::Weights(WeightsView {
            hidden: HIDDEN,
            fc1: model.layers[0].weight.clone(),
            fc2: model.layers[1].weight.clone(),
            step: self.steps,
        }))
    }

    /// The live model as `.safetensors`.
    async fn export(&mut self) -> Result<Reply, QueryError> {
        let model = self.engine.model().await?;
        match model.to_safetensors() {
            Ok(bytes) => Ok(Reply::ModelFile {
                bytes: ByteBuf::from(bytes),
                widths: model.widths(),
            }),
            Err(e) => Err(refuse(MessageCode::ExportFailed, e.to_string())),
        }
    }

    /// Replaces the live model by `bytes` (same widths), with a fresh optimiser from step 0.
    async fn import(&mut self, bytes: &[u8]) -> Result<Reply, QueryError> {
        let widths = self.engine.widths();
        let model = match Mlp::from_safetensors(bytes) {
            Ok(m) if m.widths() == widths => m,
            Ok(m) => {
                return Err(refuse(
                    MessageCode::BadModel,
                    format!(
                        "it is {:?}; this lesson's live model is {widths:?}",
                        m.widths()
                    ),
                ));
            }
            Err(e) => {
                return Err(refuse(MessageCode::BadModel, e.to_string()));
            }
        };
        let fresh = kernels::engine::fresh_optimizer_state(&model);
        self.engine.restore(&model, &fresh)?;
        self.steps = 0;
        self.epoch = 0;
        self.index = 0;
        self.batches = EpochBatches::new(self.train.len(), BATCH, self.seed, 0);
        let accuracy = self.engine.evaluate(None).await?.accuracy();
        self.accuracy = Some(accuracy);
        self.save().await;
        Ok(Reply::Imported { accuracy })
    }

    async fn step_watching(&mut self, weight: Weight) -> Result<Reply, QueryError> {
        let w = weight_ref(weight);
        let before = self.engine.model().await?;
        let i = w.index(&before)?;
        self.step()?;
        let losses = self.engine.take_losses().await?;
        self.loss = kernels::training::mean(&losses);
        let after = self.engine.model().await?;
        self.save().await;
        Ok(Reply::Updated {
            before: before.layers[w.layer].weight[i],
            after: after.layers[w.layer].weight[i],
            step: self.steps,
        })
    }
}

impl Worker {
    async fn start(&mut self, pref: Preference, seed: u64) -> Result<(), EngineError> {
        let (gpu, kind) = engine::start(pref, &self.out).await;
        let (train, test) = match load_dataset("mnist", 1).await {
            Ok(d) => d,
            Err(e) => {
                self.out.say(MessageCode::DataFailed, e);
                return Ok(());
            }
        };
        let test = test.take(TEST_POOL);
        let model = Mlp::new(784, &[HIDDEN], 10, seed)?;
        let device = gpu.for_kind(kind);
        let mut engine = AnyEngine::new(kind, device, &model, EVAL_ROWS)?;
        engine.set_splits(&train, &test)?;
        let probe = AnyEngine::new(kind, device, &model, PROBE_ROWS)?;
        self.out.post(&Event::Ready {
            hidden: HIDDEN,
            train: train.len(),
            test: test.len(),
        });
        let batches = EpochBatches::new(train.len(), BATCH, seed, 0);
        let mut live = Live {
            engine,
            probe,
            train,
            test,
            opt: OptimizerConfig {
                lr: 0.05,
                momentum: 0.5,
                ..OptimizerConfig::default()
            },
            seed,
            epoch: 0,
            index: 0,
            batches,
            steps: 0,
            accuracy: None,
            loss: f32::NAN,
        };
        // A reload takes up the model this browser kept, where it stood.
        if let Some(step) = live.resume().await? {
            self.out.post(&Event::Resumed { step });
        }
        let eval = live.engine.evaluate(None).await?;
        live.accuracy = Some(eval.accuracy());
        live.loss = eval.loss;
        self.live = Some(live);
        self.progress();
        Ok(())
    }

    fn progress(&self) {
        if let Some(l) = &self.live {
            self.out.post(&Event::Progress {
                step: l.steps,
                epoch: l.epoch,
                loss: l.loss,
                accuracy: l.accuracy,
                running: self.running,
            });
        }
    }

    /// Trains for about [`BURST_SECONDS`], evaluating every [`EVAL_EVERY`] seconds.
    async fn burst(&mut self) -> Result<(), EngineError> {
        let Some(live) = self.live.as_mut() else {
            self.running = false;
            return Ok(());
        };
        let t0 = now();
        while now() - t0 < BURST_SECONDS && live.epoch < EPOCH_LIMIT {
            live.step()?;
        }
        let losses = live.engine.take_losses().await?;
        live.loss = kernels::training::mean(&losses);
        if losses.iter().any(|&l| kernels::training::diverged(l, 10)) {
            self.running = false;
            self.out.say(
                MessageCode::Diverged,
                format!("learning rate {}", live.opt.lr),
            );
        } else if live.epoch >= EPOCH_LIMIT {
            // The limit: stop, measure where it stopped, and keep it.
            self.running = false;
            live.accuracy = Some(live.engine.evaluate(None).await?.accuracy());
            live.save().await;
        } else if now() - self.last_eval > EVAL_EVERY {
            live.accuracy = Some(live.engine.evaluate(None).await?.accuracy());
            self.last_eval = now();
            live.save().await;
        }
        self.progress();
        Ok(())
    }

    async fn answer_live(&mut self, query: Query) -> Result<Reply, QueryError> {
        let Some(live) = self.live.as_mut() else {
            return Err(refuse(MessageCode::NotReady, "the live model is loading"));
        };
        match query {
            Query::Image { index } => live.image(index).await,
            Query::Surprises { count } => live.surprises(count).await,
            Query::QuizPair { round } => live.quiz_pair(round).await,
            Query::Weights => live.weights().await,
            Query::Chain {
                weight,
                image,
                rows,
            } => live.chain(weight, image, rows).await,
            Query::Backward { image, rows } => live.backward(image, rows).await,
            Query::NextUpdate { weight } => live.next_update(weight).await,
            Query::StepWatching { weight, at } => {
                self.running = false;
                // Only the step the student predicted is taken: a model that trained on (or was
                // replaced) since the preview is left where it is, and the page asks again.
                if live.steps != at {
                    return Ok(Reply::MovedOn { step: live.steps });
                }
                live.step_watching(weight).await
            }
            Query::ByHand { image, rows, lr } => live.by_hand(image, rows, lr).await,
            Query::Export => live.export().await,
            Query::Import { bytes } => {
                self.running = false;
                live.import(&bytes).await
            }
            Query::StartTrained => {
                self.running = false;
                match crate::runtime::fetch::fetch_bytes(super::TRAINED).await {
                    Ok(bytes) => live.import(&bytes).await,
                    Err(e) => Err(refuse(MessageCode::BadModel, e)),
                }
            }
        }
    }

    async fn command(&mut self, msg: Command) -> Result<(), EngineError> {
        match msg {
            Command::Start { engine, seed } => self.start(engine, seed).await,
            Command::Run { on } => {
                self.running = on && self.live.as_ref().is_some_and(|l| l.epoch < EPOCH_LIMIT);
                self.last_eval = now();
                if !self.running
                    && let Some(live) = self.live.as_mut()
                {
                    live.accuracy = Some(live.engine.evaluate(None).await?.accuracy());
                    live.save().await;
                }
                self.progress();
                Ok(())
            }
            Command::Step => {
                self.running = false;
                if let Some(live) = self.live.as_mut() {
                    live.step()?;
                    live.loss = kernels::training::mean(&live.engine.take_losses().await?);
                    live.accuracy = Some(live.engine.evaluate(None).await?.accuracy());
                    live.save().await;
                }
                self.progress();
                Ok(())
            }
            Command::Afresh => {
                self.running = false;
                if let Some(live) = self.live.as_mut() {
                    live.afresh().await?;
                    live.loss = f32::NAN;
                }
                self.progress();
                Ok(())
            }
        }
    }
}

impl LessonWorker for Worker {
    type Protocol = Protocol;

    fn new(out: Outbox<Protocol>) -> Self {
        Self {
            out,
            live: None,
            running: false,
            last_eval: 0.0,
        }
    }

    fn out(&self) -> &Outbox<Protocol> {
        &self.out
    }

    async fn handle(&mut self, command: Command) -> Result<(), EngineError> {
        self.command(command).await
    }

    async fn answer(&mut self, query: Query) -> Result<Reply, QueryError> {
        self.answer_live(query).await
    }

    async fn idle(&mut self) -> Result<bool, EngineError> {
        if !self.running {
            return Ok(false);
        }
        self.burst().await?;
        Ok(true)
    }

    fn stop(&mut self) {
        self.running = false;
    }

    async fn fail(&mut self, error: EngineError) {
        self.stop();
        self.out.say(MessageCode::EngineFailed, error.to_string());
        self.progress();
    }

    fn replied(&mut self, reply: &Reply) {
        // A query that stepped or replaced the model moves the bar's figures (a refused step paused it).
        if matches!(
            reply,
            Reply::Updated { .. } | Reply::Imported { .. } | Reply::MovedOn { .. }
        ) {
            self.progress();
        }
    }
}
