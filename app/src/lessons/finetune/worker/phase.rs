//! A phase of the recipe (head only, everything, or from scratch): started with its settings, run in
//! bursts between the page's messages, measured at the end of every epoch.

use kernels::dataset::Dataset;
use kernels::training::EpochBatches;
use kernels::{Engine, EngineError, Mlp, OptimizerConfig};

use super::early::EarlyRun;
use super::{MAX_ROWS, Run, Worker, engine_for, stopped};
use crate::lessons::finetune::protocol::{Event, MessageCode, PhaseKind, PhaseSettings, Slot};
use crate::runtime::{BURST_SECONDS, now};

impl Worker {
    pub(super) async fn begin(&mut self, settings: PhaseSettings) -> Result<(), EngineError> {
        let PhaseSettings {
            phase,
            epochs,
            lr,
            momentum,
            weight_decay,
            freezing,
            batch,
            seed,
            patience,
        } = settings;
        let opt = OptimizerConfig {
            lr,
            momentum,
            weight_decay,
            ..OptimizerConfig::default()
        };
        if let Err(e) = opt.validate() {
            self.out.say(MessageCode::EngineFailed, e.to_string());
            return Ok(());
        }
        if self.seeds.is_some() {
            self.out
                .say(MessageCode::NotReady, "the 3-seed comparison is running");
            return Ok(());
        }
        let Some(mut train_len) = self.train.as_ref().map(Dataset::len) else {
            self.out.say(MessageCode::NotReady, "no examples yet");
            return Ok(());
        };
        if patience > 0
            && self
                .train
                .as_ref()
                .is_none_or(|t| super::early::carve(t, self.seed).is_none())
        {
            self.out.say(
                MessageCode::NotReady,
                "early stopping needs at least 2 training examples of every class (one goes to validation)",
            );
            return Ok(());
        }
        let slot = if phase == PhaseKind::Scratch {
            Slot::Scratch
        } else {
            Slot::Tuned
        };
        let Some(tuned) = self.tuned.as_mut() else {
            self.out.say(MessageCode::NotReady, "no model is loaded");
            return Ok(());
        };
        let mut model = tuned.model().await?;
        match phase {
            PhaseKind::Scratch => {
                let w = model.widths();
                let fresh = Mlp::new(w[0], &w[1..w.len() - 1], w[w.len() - 1], seed)?;
                self.scratch = Some(engine_for(
                    self.gpu.for_kind(self.kind),
                    &fresh,
                    self.augmentation,
                )?);
                self.set_data()?;
                self.post_model(Slot::Scratch, &fresh);
            }
            PhaseKind::Full => {
                if self.history.head_frozen.is_none() {
                    self.history.head_frozen =
                        Some(model.layers.iter().map(|l| l.weight_frozen).collect());
                }
                for l in 0..model.layers.len() {
                    tuned.set_frozen(l, false)?;
                    model.unfreeze(l)?;
                }
                tuned.reset_optimizer_state()?;
                self.post_model(Slot::Tuned, &model);
                self.phase_start = Some(model);
            }
            PhaseKind::Head => {
                // "Train only the head" freezes every layer below it here, whatever the locks said
                // and however the steps were reached (walking 1→2→3→4 or opening step 4).
                let head = model.layers.len().saturating_sub(1);
                for l in 0..model.layers.len() {
                    tuned.set_frozen(l, l < head)?;
                    model.set_layer_frozen(l, l < head)?;
                }
                tuned.reset_optimizer_state()?;
                self.post_model(Slot::Tuned, &model);
                self.phase_start = Some(model);
            }
        }
        self.history.begin(settings);
        self.dirty = true;
        if train_len == 0 || epochs == 0 {
            return Ok(());
        }
        let batch = batch.clamp(1, MAX_ROWS);
        let epoch_offset = if phase == PhaseKind::Full {
            self.head_epochs
        } else {
            0
        };
        // The phase's seed also seeds the flips and crops (the CIFAR-10 program).
        if let Some(aug) = self.augmentation.as_mut() {
            aug.seed = seed;
        }
        let augmentation = self.augmentation;
        let page_seed = self.seed;
        let mut early = None;
        let engine = match slot {
            Slot::Tuned => self.tuned.as_mut(),
            Slot::Scratch => self.scratch.as_mut(),
        };
        if let (Some(engine), Some(train)) = (engine, self.train.as_ref()) {
            engine.set_augmentation(augmentation)?;
            engine.set_freezing(freezing)?;
            // With early stopping the phase trains on the examples left after the validation split
            // (carved with the page's seed, so every phase and arm validates on the same examples).
            if patience > 0 {
                early = EarlyRun::begin(engine, train, page_seed, patience)?;
            } else {
                engine.set_data(kernels::dataset::Split::Train, train)?;
            }
        }
        if let Some(e) = &early {
            train_len = e.train_len();
        }
        // Kept at once: a reload during the phase then knows it was cut off.
        self.saved_at = f64::NEG_INFINITY;
        if slot == Slot::Tuned {
            self.freezing = freezing;
        }
        self.run = Some(Run {
            phase,
            slot,
            epochs,
            epoch: 0,
            steps: 0,
            batch,
            seed,
            opt,
            batches: EpochBatches::new(train_len, batch, seed, epoch_offset),
            index: 0,
            train_len,
            epoch_offset,
            early,
        });
        Ok(())
    }

    /// One burst of steps of the running phase; evaluates at the end of every epoch. A failure stops
    /// the phase and says so (the page's phase line must not stay "running").
    pub(super) async fn burst(&mut self) -> Result<(), EngineError> {
        let Some(mut run) = self.run.take() else {
            return Ok(());
        };
        match self.burst_steps(&mut run).await {
            Ok(true) => {
                self.run = Some(run);
                Ok(())
            }
            Ok(false) => Ok(()),
            Err(e) => {
                self.tell(&stopped(&run, f32::NAN));
                Err(e)
            }
        }
    }

    /// Runs steps for about [`BURST_SECONDS`]; returns whether the phase continues.
    pub(super) async fn burst_steps(&mut self, run: &mut Run) -> Result<bool, EngineError> {
        let t0 = now();
        let mut epoch_done = false;
        let Some(engine) = self.slot(run.slot) else {
            return Ok(false);
        };
        while now() - t0 < BURST_SECONDS && !epoch_done {
            engine.train_step(run.batches.batch(run.index), &run.opt)?;
            run.index += 1;
            run.steps += 1;
            if run.index >= run.batches.len() {
                run.epoch += 1;
                run.index = 0;
                epoch_done = true;
                run.batches = EpochBatches::new(
                    run.train_len,
                    run.batch,
                    run.seed,
                    run.epoch_offset + run.epoch,
                );
            }
        }
        let losses = engine.take_losses().await?;
        let loss = kernels::training::mean(&losses);
        let classes = engine.widths().last().copied().unwrap_or(2);
        if losses
            .iter()
            .any(|&l| kernels::training::diverged(l, classes))
        {
            self.out.say(
                MessageCode::Diverged,
                format!("learning rate {}", run.opt.lr),
            );
            self.tell(&stopped(run, loss));
            return Ok(false);
        }
        let mut finished = run.epoch >= run.epochs;
        if epoch_done {
            if run.phase == PhaseKind::Head {
                self.head_epochs += 1;
            }
            // The trace is read before the evaluation, which reuses the step's buffers.
            if run.slot == Slot::Tuned {
                self.tensors().await?;
            }
            self.evaluate(run.slot, Some(run.phase), run.epoch).await?;
            if let Some(early) = run.early.as_mut() {
                let (engine, held_out) = match run.slot {
                    Slot::Tuned => (self.tuned.as_mut(), self.test.as_ref()),
                    Slot::Scratch => (self.scratch.as_mut(), self.test.as_ref()),
                };
                if let (Some(engine), Some(held_out)) = (engine, held_out) {
                    let (loss, verdict) = early.observe(engine, held_out, run.epoch).await?;
                    finished |= verdict == kernels::early_stop::Verdict::Stop;
                    self.out.post(&Event::Validation {
                        phase: run.phase,
                        epoch: run.epoch,
                        loss,
                        left: match verdict {
                            kernels::early_stop::Verdict::Wait { left } => left,
                            kernels::early_stop::Verdict::Stop => 0,
                            kernels::early_stop::Verdict::Improved => early.patience(),
                        },
                    });
                }
            }
            if finished && let Some(early) = run.early.take() {
                self.stop_early(run, early).await?;
            }
        }
        self.tell(&Event::Progress {
            phase: run.phase,
            epoch: run.epoch,
            epochs: run.epochs,
            steps: run.steps,
            loss,
            running: !finished,
        });
        Ok(!finished)
    }
}

impl Worker {
    /// A phase with early stopping ends: its best epoch's weights come back, it is told where it
    /// stopped, and the tuned model's freezing panel and accuracy are measured again from those
    /// weights.
    async fn stop_early(&mut self, run: &Run, early: EarlyRun) -> Result<(), EngineError> {
        let engine = match run.slot {
            Slot::Tuned => self.tuned.as_mut(),
            Slot::Scratch => self.scratch.as_mut(),
        };
        let (Some(engine), Some(train)) = (engine, self.train.as_ref()) else {
            return Ok(());
        };
        let info = early.finish(engine, train, run.phase, run.epochs, run.epoch)?;
        self.tell(&Event::Stopped(info));
        if run.slot == Slot::Tuned {
            // The freezing panel's fingerprint and ‖ΔW‖ follow the restored weights.
            self.tensors_with(false).await?;
            self.evaluate(Slot::Tuned, None, info.best_epoch).await?;
        }
        Ok(())
    }
}
