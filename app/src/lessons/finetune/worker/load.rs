//! Loading what the lesson fine-tunes: the shipped pretrained model (or the student's file), the
//! scenario's examples (a shipped dataset, or the student's drawings), and the held-out measurement
//! of the model as loaded.

use kernels::dataset::Dataset;
use kernels::finetune::{per_class_subset, select_classes};
use kernels::ops::gather_normalize::Augmentation;
use kernels::{Engine, EngineError, Mlp};
use serde_bytes::ByteBuf;

use super::{PRETRAINED, PRETRAINED_CIFAR, VEHICLES, Worker, engine_for};
use crate::lessons::finetune::protocol::{Event, Examples, MessageCode, Sample, Scenario, Slot};
use crate::runtime::data::load_dataset;
use crate::runtime::fetch::fetch_bytes;

/// The first training example of each class (at most 10 classes).
fn samples(train: &Dataset) -> Vec<Sample> {
    (0..train.classes().min(10))
        .filter_map(|c| {
            let i = train.labels.iter().position(|&l| usize::from(l) == c)?;
            Some(Sample {
                pixels: ByteBuf::from(train.image(i).to_vec()),
                side: train.width,
                channels: train.channels,
                class: train.class_names.get(c).cloned().unwrap_or_default(),
            })
        })
        .collect()
}

/// Drawn examples as a dataset with MNIST's normalisation (the pretrained model's).
fn drawn_dataset(classes: &[String], ex: &Examples) -> Result<Dataset, String> {
    if ex.pixels.len() != ex.labels.len() * 784 {
        return Err(format!(
            "{} bytes for {} drawings of 784 pixels",
            ex.pixels.len(),
            ex.labels.len()
        ));
    }
    if ex.labels.iter().any(|&l| usize::from(l) >= classes.len()) {
        return Err("a drawing's label is not one of the classes".into());
    }
    Ok(Dataset {
        name: "drawn".into(),
        height: 28,
        width: 28,
        channels: 1,
        class_names: classes.to_vec(),
        mean: 0.1307,
        std: 0.3081,
        images: ex.pixels.to_vec(),
        labels: ex.labels.clone(),
    })
}

impl Worker {
    pub(super) async fn load(
        &mut self,
        scenario: Scenario,
        per_class: usize,
        test: usize,
        model: Option<ByteBuf>,
    ) -> Result<(), EngineError> {
        let cifar = scenario == Scenario::Cifar;
        self.uploaded = model.is_some();
        let shipped = if cifar { PRETRAINED_CIFAR } else { PRETRAINED };
        let bytes = match model {
            Some(b) => b.into_vec(),
            None => match fetch_bytes(shipped).await {
                Ok(b) => b,
                Err(e) => {
                    self.out.say(MessageCode::BadModel, e);
                    return Ok(());
                }
            },
        };
        let inputs = if cifar { 3072 } else { 784 };
        let mlp = match Mlp::from_safetensors(&bytes) {
            Ok(m) if m.input_size() == inputs => m,
            Ok(m) => {
                self.out.say(
                    MessageCode::BadModel,
                    format!(
                        "the model takes {} inputs; this scenario's images have {inputs}",
                        m.input_size()
                    ),
                );
                return Ok(());
            }
            Err(e) => {
                self.out.say(MessageCode::BadModel, e.to_string());
                return Ok(());
            }
        };
        self.augmentation = cifar.then_some(Augmentation {
            flip: true,
            crop_pad: 4,
            seed: 1,
        });
        if let Some(name) = scenario.dataset() {
            // An upload keeps the scenario's examples: they are fetched once.
            if self.shipped.as_ref().is_none_or(|(s, _, _)| *s != scenario) {
                // The CIFAR subset's chunks are small: its program takes every image.
                match load_dataset(name, if cifar { usize::MAX } else { 1 }).await {
                    Ok((mut train, mut held_out)) => {
                        if cifar {
                            train = select_classes(&train, &VEHICLES);
                            held_out = select_classes(&held_out, &VEHICLES);
                            for d in [&mut train, &mut held_out] {
                                (d.mean, d.std) = (0.5, 0.5);
                            }
                        }
                        self.shipped = Some((scenario, train, held_out));
                    }
                    Err(e) => {
                        self.out.say(MessageCode::DataFailed, e);
                        return Ok(());
                    }
                }
            }
            let (_, train, held_out) = self.shipped.as_ref().expect("loaded above");
            self.train = Some(per_class_subset(train, per_class.max(1)));
            self.test = Some(held_out.take(test.max(1)));
        }
        self.head_epochs = 0;
        self.run = None;
        self.scratch = None;
        self.history = Default::default();
        self.tuned = Some(engine_for(
            self.gpu.for_kind(self.kind),
            &mlp,
            self.augmentation,
        )?);
        self.phase_start = Some(mlp.clone());
        self.loaded = Some(mlp.clone());
        self.seeds = None;
        self.post_model(Slot::Tuned, &mlp);
        self.post_data();
        if self.try_resume().await? {
            return Ok(());
        }
        self.load_data_into_tuned(&mlp).await
    }

    /// Takes up the kept run once, when the page's first load asked for it and the examples are in.
    async fn try_resume(&mut self) -> Result<bool, EngineError> {
        if !self.may_resume || self.train.is_none() {
            return Ok(false);
        }
        self.may_resume = false;
        self.resume().await
    }

    pub(super) fn post_data(&self) {
        if let (Some(train), Some(test)) = (&self.train, &self.test) {
            self.out.post(&Event::Data {
                classes: train.class_names.clone(),
                train: train.len(),
                test: test.len(),
                samples: samples(train),
            });
        }
    }

    /// Data whose classes exceed the model's head can only be measured after a new head.
    pub(super) async fn load_data_into_tuned(&mut self, mlp: &Mlp) -> Result<(), EngineError> {
        let fits = self
            .train
            .as_ref()
            .is_some_and(|t| t.classes() <= mlp.classes());
        if fits {
            self.set_data()?;
            self.evaluate(Slot::Tuned, None, 0).await?;
            self.tensors().await?;
        }
        Ok(())
    }

    pub(super) async fn use_drawn(
        &mut self,
        classes: Vec<String>,
        train: Examples,
        test: Examples,
    ) -> Result<(), EngineError> {
        let (train, test) = match (
            drawn_dataset(&classes, &train),
            drawn_dataset(&classes, &test),
        ) {
            (Ok(a), Ok(b)) if !a.is_empty() && !b.is_empty() => (a, b),
            (Err(e), _) | (_, Err(e)) => {
                self.out.say(MessageCode::DataFailed, e);
                return Ok(());
            }
            _ => {
                self.out.say(MessageCode::DataFailed, "no drawings");
                return Ok(());
            }
        };
        self.train = Some(train);
        self.test = Some(test);
        self.history = Default::default();
        self.post_data();
        if self.try_resume().await? {
            return Ok(());
        }
        if let Some(engine) = self.tuned.as_mut() {
            let mlp = engine.model().await?;
            self.load_data_into_tuned(&mlp).await?;
        }
        Ok(())
    }
}
