//! A run's life in the worker: a new session from a configuration, newly arrived data given to the
//! engine, a burst of steps in the epochs' order, the losses read back and reported, evaluations, the
//! weight grid, and a model the student loads.

use kernels::Mlp;
use kernels::dataset::{Dataset, Split};
use kernels::training::EpochBatches;
use kernels::{Engine, EngineError};

use super::render::weights_grid;
use super::{GoodState, Session, Worker};
use crate::history::{LossHistory, push_bounded};
use crate::lessons::train::protocol::{Event, MessageCode};
use crate::lessons::train::setup::{Setup, validation_images};
use crate::runtime::{now, wasm_memory_bytes};

/// The validation set: the first `n` training images.
fn validation_of(train: &Dataset, n: usize) -> Dataset {
    train.select(&(0..n as u32).collect::<Vec<_>>())
}

fn model_for(config: &Setup, input: usize, classes: usize) -> Result<Mlp, String> {
    Mlp::new(input, &config.hidden, classes, config.seed).map_err(|e| e.to_string())
}

impl Session {
    /// The rows of the run's next step, in the epochs' order (a new epoch begins when one ends).
    /// `None` when the configured epochs are done, or while its rows are still downloading (the order
    /// never changes with the timing: same seed, same run).
    pub(super) fn next_rows(&mut self) -> Option<Vec<u32>> {
        if self.finished {
            return None;
        }
        if self
            .batches
            .as_ref()
            .is_none_or(|b| self.batch_index >= b.len())
        {
            if self.batches.is_some() {
                self.epoch += 1;
            }
            if self.epoch > self.config.epochs {
                self.epoch = self.config.epochs;
                self.finished = true;
                self.running = false;
                return None;
            }
            self.batches = Some(EpochBatches::streamed(
                &self.train_chunks,
                self.config.batch,
                self.config.seed,
                self.epoch - 1,
            ));
            self.batch_index = 0;
        }
        let batches = self.batches.as_ref().expect("set above");
        // The epochs' order counts from the first image after the validation set.
        let offset = self.validation;
        self.waiting = batches.rows_needed(self.batch_index) + offset > self.train_len;
        (!self.waiting).then(|| {
            batches
                .batch(self.batch_index)
                .iter()
                .map(|&r| r + offset as u32)
                .collect()
        })
    }

    /// Counts a step taken. The run is finished as soon as its last step is, not when the next one is
    /// looked for: a run paused after its last step shows "Finished", not a Step that does nothing.
    pub(super) fn count_step(&mut self) {
        self.batch_index += 1;
        self.step += 1;
        let epoch_done = self
            .batches
            .as_ref()
            .is_some_and(|b| self.batch_index >= b.len());
        if epoch_done && self.epoch >= self.config.epochs {
            self.finished = true;
            self.running = false;
        }
    }
}

impl Worker {
    pub(super) fn reset(&mut self, config: Setup) -> Result<(), String> {
        let (input, classes) = {
            let l = self.loaded.borrow();
            let m = l
                .manifest
                .as_ref()
                .ok_or("the dataset manifest has not arrived yet")?;
            (m.height * m.width * m.channels, m.classes.len())
        };
        let model = model_for(&config, input, classes)?;
        let (chunks, total) = {
            let l = self.loaded.borrow();
            (l.train_chunks.clone(), l.train_total)
        };
        let validation = validation_images(total);
        let train_chunks = kernels::training::chunks_without_first(&chunks, validation);
        if train_chunks.is_empty() {
            return Err(format!(
                "{total} training images leave none to train on after the {validation} set aside for validation"
            ));
        }
        let engine = self
            .new_engine(&model, self.kind)
            .map_err(|e| e.to_string())?;
        self.session = Some(Session {
            opt: config.optimizer_config(),
            config,
            engine,
            data_version: 0,
            train_len: 0,
            train_chunks,
            validation,
            validation_set: false,
            tested: false,
            step: 0,
            epoch: 1,
            batches: None,
            batch_index: 0,
            running: false,
            finished: false,
            waiting: false,
            last_eval: None,
            last_weights: 0.0,
            good: Some(GoodState::fresh(&model)),
            history: LossHistory::new(),
            evals: Vec::new(),
            walk: None,
        });
        self.sync_data().map_err(|e| e.to_string())?;
        Ok(())
    }

    /// Gives newly arrived chunks to the engine (between steps).
    pub(super) fn sync_data(&mut self) -> Result<(), EngineError> {
        let Some(s) = self.session.as_mut() else {
            return Ok(());
        };
        let l = self.loaded.borrow();
        if l.version == s.data_version {
            return Ok(());
        }
        if let Some(train) = l.train.as_ref().filter(|d| !d.is_empty()) {
            s.engine.set_data(Split::Train, train)?;
            s.train_len = train.len();
            // The engine evaluates its "test" split: during the run that is the validation set (the
            // first images, in the first chunk); the test set goes in once, at the end.
            if s.data_version == 0 {
                s.validation_set = false;
            }
            if !s.validation_set && s.validation > 0 && train.len() >= s.validation {
                s.engine
                    .set_data(Split::Test, &validation_of(train, s.validation))?;
                s.validation_set = true;
            }
        }
        s.data_version = l.version;
        Ok(())
    }

    /// Runs up to `max_steps` steps (fewer at the end of the configured epochs).
    pub(super) fn steps(&mut self, max_steps: usize) -> Result<usize, EngineError> {
        let s = self
            .session
            .as_mut()
            .expect("a session exists while training");
        let mut done = 0;
        while done < max_steps {
            let Some(rows) = s.next_rows() else {
                break;
            };
            s.engine.train_step(&rows, &s.opt)?;
            s.count_step();
            done += 1;
            if s.finished || s.step.is_multiple_of(s.config.eval_every as u64) {
                break;
            }
        }
        Ok(done)
    }

    /// Reads the losses back and reports; `started` is when the burst of `steps` began. The time is taken
    /// after the readback, which waits for the GPU to finish, so it measures work done, not work queued.
    pub(super) async fn report(
        &mut self,
        steps: usize,
        started: Option<f64>,
    ) -> Result<(), EngineError> {
        let s = self.session.as_mut().expect("a session exists");
        let mut losses = s.engine.take_losses().await?;
        let classes = s.engine.widths().last().copied().unwrap_or(2);
        if let Some(bad) = losses
            .iter()
            .position(|&l| kernels::training::diverged(l, classes))
        {
            // The steps from the first bad one on trained on garbage: report the good ones, roll back.
            let diverged = s.step - (losses.len() - bad) as u64 + 1;
            let loss = losses[bad];
            losses.truncate(bad);
            return self.roll_back(diverged, loss, losses).await;
        }
        s.history.extend(&losses);
        let seconds = started.map_or(0.0, |t0| now() - t0);
        let fraction = s
            .batches
            .as_ref()
            .map_or(0.0, |b| s.batch_index as f32 / b.len().max(1) as f32);
        self.out.post(&Event::Progress {
            step: s.step,
            epoch: s.epoch,
            epoch_fraction: if s.finished { 1.0 } else { fraction },
            losses,
            samples_per_second: if seconds > 0.0 {
                (steps * s.config.batch) as f64 / seconds
            } else {
                0.0
            },
            running: s.running,
            finished: s.finished,
            worker_memory: wasm_memory_bytes(),
        });
        Ok(())
    }

    /// Loads a picked model into the session: same data, fresh optimiser, step 0, measured at once.
    pub(super) async fn import(&mut self, bytes: &[u8]) -> Result<(), EngineError> {
        let Some(s) = self.session.as_mut() else {
            return Ok(());
        };
        let widths = s.engine.widths();
        let model = match Mlp::from_safetensors(bytes) {
            Ok(m) if m.input_size() == widths[0] && m.classes() == widths[widths.len() - 1] => m,
            Ok(m) => {
                self.out.say(
                    MessageCode::BadModel,
                    format!(
                        "it has {} inputs and {} classes; the lesson's data needs {} and {}",
                        m.input_size(),
                        m.classes(),
                        widths[0],
                        widths[widths.len() - 1]
                    ),
                );
                return Ok(());
            }
            Err(e) => {
                self.out.say(MessageCode::BadModel, e.to_string());
                return Ok(());
            }
        };
        s.engine.set_model(&model)?;
        let hidden = model.widths()[1..model.widths().len() - 1].to_vec();
        s.config.hidden.clone_from(&hidden);
        s.step = 0;
        s.epoch = 1;
        s.batches = None;
        s.batch_index = 0;
        s.running = false;
        s.finished = false;
        s.good = Some(GoodState::fresh(&model));
        self.out.post(&Event::Imported { hidden });
        self.report(0, None).await?;
        self.evaluate().await?;
        self.send_weights().await
    }

    /// Measures the validation set (the dashboard's figure) and, once the run has ended, the test set
    /// — once.
    pub(super) async fn evaluate(&mut self) -> Result<(), EngineError> {
        let s = self.session.as_mut().expect("a session exists");
        if !s.validation_set {
            // Fewer than 12 training images leave no validation set; the test set still comes at the end.
            if s.finished && !s.tested && s.validation == 0 {
                self.measure_test_once().await?;
            }
            return Ok(());
        }
        let eval = s.engine.evaluate(Some(s.validation)).await?;
        let (confusion, classes) = {
            let l = self.loaded.borrow();
            let Some(train) = l.train.as_ref() else {
                return Ok(());
            };
            let classes = train.classes();
            // The validation set is the first training images, in order.
            let confusion: Vec<u32> = eval
                .confusion_matrix(&train.labels[..eval.total], classes)
                .into_iter()
                .flatten()
                .map(|c| c as u32)
                .collect();
            (confusion, classes)
        };
        push_bounded(&mut s.evals, (s.step, eval.accuracy(), eval.loss));
        self.out.post(&Event::Evaluation {
            step: s.step,
            accuracy: eval.accuracy(),
            loss: eval.loss,
            confusion,
            classes,
        });
        s.last_eval = Some(eval);
        if s.finished && !s.tested {
            self.measure_test_once().await?;
        }
        Ok(())
    }

    /// The finished run's model on the test set, once: the engine's evaluation split holds the test
    /// images for this one measurement and the validation images again after it.
    async fn measure_test_once(&mut self) -> Result<(), EngineError> {
        let s = self.session.as_mut().expect("a session exists");
        let (test, validation) = {
            let l = self.loaded.borrow();
            (
                l.test.clone(),
                l.train.as_ref().map(|t| validation_of(t, s.validation)),
            )
        };
        let (Some(test), Some(validation)) = (test.filter(|t| !t.is_empty()), validation) else {
            return Ok(());
        };
        s.engine.set_data(Split::Test, &test)?;
        let eval = s.engine.evaluate(Some(s.config.test)).await;
        if !validation.is_empty() {
            s.engine.set_data(Split::Test, &validation)?;
        }
        let eval = eval?;
        s.tested = true;
        self.out.post(&Event::TestFinal {
            step: s.step,
            accuracy: eval.accuracy(),
            loss: eval.loss,
            images: eval.total,
        });
        Ok(())
    }

    pub(super) async fn send_weights(&mut self) -> Result<(), EngineError> {
        let s = self.session.as_mut().expect("a session exists");
        let model = s.engine.model().await?;
        self.out.post(&weights_grid(&model));
        s.last_weights = now();
        Ok(())
    }
}
