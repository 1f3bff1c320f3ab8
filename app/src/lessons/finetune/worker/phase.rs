//! A phase of the recipe (head only, everything, or from scratch): started with its settings, run in
//! bursts between the page's messages, measured at the end of every epoch.

use kernels::dataset::Dataset;
use kernels::training::EpochBatches;
use kernels::{Engine, EngineError, Mlp, OptimizerConfig};

use super::{MAX_ROWS, Run, Worker, engine_for, stopped};
use crate::lessons::finetune::protocol::{FtEvent, MessageCode, PhaseKind, PhaseSettings, Slot};
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
        } = settings;
        let opt = OptimizerConfig {
            lr,
            momentum,
            weight_decay,
            ..OptimizerConfig::default()
        };
        if let Err(e) = opt.validate() {
            self.report(MessageCode::EngineFailed, e.to_string());
            return Ok(());
        }
        if self.seeds.is_some() {
            self.report(MessageCode::NotReady, "the 3-seed comparison is running");
            return Ok(());
        }
        let Some(train_len) = self.train.as_ref().map(Dataset::len) else {
            self.report(MessageCode::NotReady, "no examples yet");
            return Ok(());
        };
        let slot = if phase == PhaseKind::Scratch {
            Slot::Scratch
        } else {
            Slot::Tuned
        };
        let Some(tuned) = self.tuned.as_mut() else {
            self.report(MessageCode::NotReady, "no model is loaded");
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
                tuned.reset_optimizer_state()?;
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
        if let Some(engine) = self.slot(slot) {
            engine.set_augmentation(augmentation)?;
            engine.set_freezing(freezing)?;
        }
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
            self.report(
                MessageCode::Diverged,
                format!("learning rate {}", run.opt.lr),
            );
            self.tell(&stopped(run, loss));
            return Ok(false);
        }
        let finished = run.epoch >= run.epochs;
        if epoch_done {
            if run.phase == PhaseKind::Head {
                self.head_epochs += 1;
            }
            // The trace is read before the evaluation, which reuses the step's buffers.
            if run.slot == Slot::Tuned {
                self.tensors().await?;
            }
            self.evaluate(run.slot, Some(run.phase), run.epoch).await?;
        }
        self.tell(&FtEvent::Progress {
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
