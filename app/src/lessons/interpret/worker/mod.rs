//! The interpretability lesson's worker: a trained model on one engine (saliency maps, FGSM on one
//! image, a drawing classified), and between messages the long jobs in chunks — accuracy under FGSM
//! at each ε over the test images, and fine-tuning two copies of the model (clean images only; FGSM
//! images mixed in) on a second engine, each measured the same way.

use std::collections::VecDeque;

use kernels::attack::{Attack, FINE_TUNE, PGD_STEPS, fgsm_and_pgd_correct, mixed_step, perturb};
use kernels::dataset::Dataset;
use kernels::ops::softmax_cross_entropy::softmax_rows;
use kernels::rng::SeededRng;
use kernels::saliency::{self, blurred};
use kernels::{AnyEngine, Engine, EngineError, EngineKind, Mlp};
use serde_bytes::ByteBuf;

use super::protocol::{
    Arm, Baseline, CalibrationView, Command, Event, FgsmView, HARDEN_BATCH, MapView, MessageCode,
    Method, ModelChoice, Overview, Protocol, Query, Reply, Source,
};
use crate::runtime::engine::{self, Gpu};
use crate::runtime::kept::Journal;
use crate::runtime::{LessonWorker, Outbox, now};
use kernels::engine::Preference;

mod calib;
mod jobs;
mod maps;

use self::jobs::epsilons_ok;
use crate::runtime::QueryError;

/// Rows an engine takes at once (integrated gradients' 256 points fit in one go).
const MAX_ROWS: usize = 512;
/// Test images measured per burst.
const CHUNK: usize = 250;
/// Test images measured per burst where PGD runs too.
const PGD_CHUNK: usize = 50;
/// Fine-tuning steps per burst.
const STEPS_PER_BURST: usize = 4;
/// Seed of the randomised layers of the sanity check.
const RANDOM_SEED: u64 = 7;

struct Data {
    test: Dataset,
    train: Dataset,
    /// The mean test image (integrated gradients' "mean digit" baseline), 0–1.
    mean_image: Vec<f32>,
}

enum Task {
    Measure {
        arm: Arm,
        epsilons: Vec<f32>,
        /// The ε's where PGD is measured too.
        pgd: Vec<f32>,
    },
    Train {
        arm: Arm,
        images: usize,
        epsilon: f32,
    },
}

/// The job under way: which task, and how far.
struct Job {
    task: Task,
    /// Measure: ε index, next image, correct so far under FGSM and under PGD; Train: images done.
    index: usize,
    next: usize,
    correct: usize,
    pgd_correct: usize,
    started: f64,
}

/// Where the curves are kept in this browser (`crate::store`).
const KEY: &str = "interpret";

/// The worker.
pub struct Worker {
    out: Outbox<Protocol>,
    gpu: Gpu,
    kind: EngineKind,
    data: Option<Data>,
    model: Option<Mlp>,
    main: Option<AnyEngine>,
    /// The fine-tuned copies' engine.
    arm: Option<AnyEngine>,
    tasks: VecDeque<Task>,
    job: Option<Job>,
    /// Every point measured, kept in this browser (after each point) for the shipped model and the
    /// test images loaded; a model from a file or the live model has no scope, so its curves are
    /// not kept.
    journal: Journal<(ModelChoice, usize), Event>,
}

fn pixels_of(data: &Dataset, i: usize) -> Vec<f32> {
    let f = data.features();
    data.images[i * f..(i + 1) * f]
        .iter()
        .map(|&b| f32::from(b) / 255.0)
        .collect()
}

fn bytes(pixels: &[f32]) -> ByteBuf {
    ByteBuf::from(
        pixels
            .iter()
            .map(|&p| (p * 255.0).round().clamp(0.0, 255.0) as u8)
            .collect::<Vec<u8>>(),
    )
}

fn argmax(v: &[f32]) -> usize {
    v.iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or(0, |(i, _)| i)
}

impl Worker {
    async fn start(&mut self, pref: Preference, choice: ModelChoice, test: usize) {
        (self.gpu, self.kind) = engine::start(pref, &self.out).await;
        let model = match crate::runtime::fetch::fetch_bytes(choice.path()).await {
            // `install` checks its shape.
            Ok(b) => match Mlp::from_safetensors(&b) {
                Ok(m) => m,
                Err(e) => return self.out.say(MessageCode::BadModel, e.to_string()),
            },
            Err(e) => return self.out.say(MessageCode::DataFailed, e),
        };
        // MNIST's chunks hold 5,000 images: three give every test image and the most training
        // images fine-tuning takes (`HARDEN_IMAGES`).
        let chunks = super::HARDEN_IMAGES.1.div_ceil(5000);
        let (train, all_test) = match crate::runtime::data::load_dataset("mnist", chunks).await {
            Ok(d) => d,
            Err(e) => return self.out.say(MessageCode::DataFailed, e),
        };
        let test = all_test.take(test);
        let f = test.features();
        let mut mean_image = vec![0.0f32; f];
        for row in test.images.chunks_exact(f) {
            for (m, &b) in mean_image.iter_mut().zip(row) {
                *m += f32::from(b) / 255.0;
            }
        }
        mean_image
            .iter_mut()
            .for_each(|m| *m /= test.len().max(1) as f32);
        self.data = Some(Data {
            test,
            train,
            mean_image,
        });
        match self.install(model, Source::Shipped(choice)) {
            Ok(()) => self.journal.resume(&self.out).await,
            Err(e) => self.out.say(MessageCode::EngineFailed, e.to_string()),
        }
    }

    /// Makes `model` the one explained and attacked: both engines anew (its shape may differ), nothing
    /// queued, no curve; the page hears where it came from.
    fn install(&mut self, model: Mlp, source: Source) -> Result<(), EngineError> {
        let (test, train) = match &self.data {
            Some(d) => (d.test.len(), d.train.len()),
            None => {
                return Err(EngineError::InvalidInput(
                    "the images are still loading".into(),
                ));
            }
        };
        if model.input_size() != 784 || model.classes() != 10 {
            return Err(EngineError::InvalidInput(format!(
                "a model of {:?}: this lesson explains MNIST models (784 inputs, 10 classes)",
                model.widths()
            )));
        }
        let gpu = self.gpu.for_kind(self.kind);
        let main = AnyEngine::new(self.kind, gpu, &model, MAX_ROWS)?;
        let arm = AnyEngine::new(self.kind, gpu, &model, MAX_ROWS)?;
        self.stop();
        self.journal.clear();
        self.journal.set_scope(match source {
            Source::Shipped(choice) => Some((choice, test)),
            Source::File | Source::Live(_) => None,
        });
        self.out.post(&Event::Loaded {
            widths: model.widths(),
            test,
            train,
            source,
        });
        self.main = Some(main);
        self.arm = Some(arm);
        self.model = Some(model);
        Ok(())
    }

    /// Explains the live model the concept lessons keep in this browser.
    async fn use_live(&mut self) {
        let saved = crate::store::get::<crate::lessons::live_model::saved::SavedLive>(
            crate::lessons::live_model::saved::KEY,
        )
        .await;
        match saved {
            Ok(Some(s)) => match s.model() {
                Some(m) => {
                    if let Err(e) = self.install(m, Source::Live(s.steps)) {
                        self.out.say(MessageCode::BadModel, e.to_string());
                    }
                }
                None => self.out.say(MessageCode::BadModel, "the kept live model is of another version"),
            },
            Ok(None) => self.out.say(
                MessageCode::NotReady,
                "no live model is kept in this browser: train it in the Cross-entropy or the Chain-rule lesson first",
            ),
            Err(e) => self.out.say(MessageCode::RestoreFailed, e.to_string()),
        }
    }

    fn ready(&self) -> Result<(&Data, &Mlp), EngineError> {
        match (&self.data, &self.model) {
            (Some(d), Some(m)) => Ok((d, m)),
            _ => Err(EngineError::InvalidInput(
                "the model and the images are still loading".into(),
            )),
        }
    }

    /// The pixels of a drawn digit, or of test image `image` with its label.
    fn subject(
        &self,
        image: usize,
        drawn: Option<&ByteBuf>,
    ) -> Result<(Vec<f32>, Option<u8>), EngineError> {
        match drawn {
            Some(p) if p.len() == 784 => {
                Ok((p.iter().map(|&b| f32::from(b) / 255.0).collect(), None))
            }
            Some(p) => Err(EngineError::InvalidInput(format!(
                "a drawing of {} pixels, not 784",
                p.len()
            ))),
            None => self.test_image(image).map(|(x, l)| (x, Some(l))),
        }
    }

    fn test_image(&self, image: usize) -> Result<(Vec<f32>, u8), EngineError> {
        let (data, _) = self.ready()?;
        if image >= data.test.len() {
            return Err(EngineError::InvalidInput(format!(
                "test image {image} of {}",
                data.test.len()
            )));
        }
        Ok((pixels_of(&data.test, image), data.test.labels[image]))
    }

    async fn probabilities(&mut self, pixels: &[f32]) -> Result<Vec<f32>, EngineError> {
        let (data, _) = self.ready()?;
        let x = kernels::attack::normalise(pixels, data.test.mean, data.test.std);
        let main = self.main.as_mut().expect("loaded");
        let z = main.predict(&x, pixels.len() / 784).await?;
        Ok(softmax_rows(&z, 10))
    }

    fn overview(&self) -> Result<Overview, EngineError> {
        let (data, model) = self.ready()?;
        let layer = &model.layers[0];
        let units = layer.out_features.min(64);
        let f = data.test.features();
        let mut means = vec![0.0f32; 10 * f];
        let mut counts = vec![0usize; 10];
        for (row, &l) in data.test.images.chunks_exact(f).zip(&data.test.labels) {
            let l = usize::from(l).min(9);
            counts[l] += 1;
            for (m, &b) in means[l * f..(l + 1) * f].iter_mut().zip(row) {
                *m += f32::from(b) / 255.0;
            }
        }
        for (c, n) in counts.iter().enumerate() {
            means[c * f..(c + 1) * f]
                .iter_mut()
                .for_each(|m| *m /= (*n).max(1) as f32);
        }
        Ok(Overview {
            units,
            hidden: layer.out_features,
            tiles: layer.weight[..units * layer.in_features].to_vec(),
            class_means: means,
            class_counts: counts,
        })
    }
}

impl LessonWorker for Worker {
    type Protocol = Protocol;

    fn new(out: Outbox<Protocol>) -> Self {
        Self {
            out,
            gpu: Gpu::default(),
            kind: EngineKind::Cpu,
            data: None,
            model: None,
            main: None,
            arm: None,
            tasks: VecDeque::new(),
            job: None,
            journal: Journal::new(KEY),
        }
    }

    fn out(&self) -> &Outbox<Protocol> {
        &self.out
    }

    async fn handle(&mut self, command: Command) -> Result<(), EngineError> {
        match command {
            Command::Start {
                engine,
                model,
                test,
            } => self.start(engine, model, test.clamp(100, 10_000)).await,
            Command::Curve { epsilons, pgd } if epsilons_ok(&epsilons) => {
                self.queue(vec![Task::Measure {
                    arm: Arm::Model,
                    epsilons,
                    pgd,
                }]);
            }
            Command::Harden {
                images,
                epsilon,
                epsilons,
                pgd,
            } if epsilons_ok(&epsilons)
                && (super::HARDEN_IMAGES.0..=super::HARDEN_IMAGES.1).contains(&images)
                && (0.0..=0.5).contains(&epsilon) =>
            {
                // The model as loaded is measured again with the arms: every curve on the same images.
                let mut tasks = vec![Task::Measure {
                    arm: Arm::Model,
                    epsilons: epsilons.clone(),
                    pgd: pgd.clone(),
                }];
                for arm in [Arm::Clean, Arm::Adversarial] {
                    tasks.push(Task::Train {
                        arm,
                        images,
                        epsilon,
                    });
                    tasks.push(Task::Measure {
                        arm,
                        epsilons: epsilons.clone(),
                        pgd: pgd.clone(),
                    });
                }
                self.queue(tasks);
            }
            Command::Curve { .. } | Command::Harden { .. } => {
                self.out.say(
                    MessageCode::BadSetting,
                    "ε in 0–1 (at most 16 of them), fine-tuning ε in 0–0.5, images in range",
                );
                self.out.post(&Event::Stopped);
            }
            Command::Stop => self.stop(),
            Command::Load { bytes } => match Mlp::from_safetensors(&bytes) {
                Ok(m) => {
                    if let Err(e) = self.install(m, Source::File) {
                        self.out.say(MessageCode::BadModel, e.to_string());
                    }
                }
                Err(e) => self.out.say(MessageCode::BadModel, e.to_string()),
            },
            Command::UseLive => self.use_live().await,
            Command::Forget => {
                self.stop();
                self.journal.forget(&self.out).await;
            }
        }
        Ok(())
    }

    async fn answer(&mut self, query: Query) -> Result<Reply, QueryError> {
        match query {
            Query::Overview => Ok(Reply::Overview(self.overview()?)),
            Query::Explain {
                image,
                drawn,
                method,
                randomized,
            } => Ok(Reply::Map(Box::new(
                self.explain(image, drawn.as_ref(), method, randomized)
                    .await?,
            ))),
            Query::Fgsm {
                image,
                drawn,
                epsilon,
            } => Ok(Reply::Fgsm(Box::new(
                self.fgsm(image, drawn.as_ref(), epsilon).await?,
            ))),
            Query::Calibration => Ok(Reply::Calibration(Box::new(self.calibration().await?))),
            Query::Classify { pixels, seed } => {
                let x: Vec<f32> = match pixels {
                    Some(p) if p.len() == 784 => p.iter().map(|&b| f32::from(b) / 255.0).collect(),
                    Some(p) => {
                        return Err(EngineError::InvalidInput(format!(
                            "a drawing of {} pixels, not 784",
                            p.len()
                        ))
                        .into());
                    }
                    None => {
                        let mut rng = SeededRng::new(seed);
                        (0..784).map(|_| rng.next_f32()).collect()
                    }
                };
                let probs = self.probabilities(&x).await?;
                Ok(Reply::Classified {
                    probs,
                    pixels: bytes(&x),
                })
            }
        }
    }

    async fn idle(&mut self) -> Result<bool, EngineError> {
        self.work().await
    }

    fn stop(&mut self) {
        self.tasks.clear();
        if self.job.take().is_some() {
            self.out.post(&Event::Stopped);
        }
    }
}
