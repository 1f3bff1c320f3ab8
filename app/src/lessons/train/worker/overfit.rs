//! The overfitting experiment (step 5): the lesson's model trained on a few hundred to a few thousand images with a
//! validation split carved from the other training images, one epoch per burst on an engine of its
//! own, until early stopping (`kernels::early_stop`) restores the best weights and the test set is
//! measured once. The dashboard's run is paused while it runs and is otherwise untouched.

use kernels::early_stop::{OverfitRun, OverfitSettings, Verdict};
use kernels::{AnyEngine, EngineError, Mlp};

use super::Worker;
use crate::lessons::train::protocol::{
    Event, MessageCode, OverfitEvent, OverfitMetrics, OverfitOutcome, OverfitPlan,
};

/// The experiment in progress.
pub(super) struct OverfitJob {
    run: OverfitRun,
    engine: AnyEngine,
}

impl Worker {
    /// Starts the experiment with `train` images and `patience`, the rest from
    /// [`OverfitSettings::default`] and the lesson's model and seed.
    pub(super) async fn begin_overfit(
        &mut self,
        train: usize,
        patience: usize,
    ) -> Result<(), EngineError> {
        let Some(session) = self.session.as_mut() else {
            self.out.say(MessageCode::NotReady, "");
            return Ok(());
        };
        if session.running {
            session.running = false;
            self.report(0, None).await?;
        }
        let s = self.session.as_ref().expect("checked above");
        let settings = OverfitSettings {
            train,
            patience,
            seed: s.config.seed,
            ..OverfitSettings::default()
        };
        let hidden = s.config.hidden.clone();
        let started = (|| {
            let loaded = self.loaded.borrow();
            let training = loaded
                .train
                .as_ref()
                .ok_or_else(|| EngineError::InvalidInput("no training images yet".into()))?;
            let model = Mlp::new(
                training.features(),
                &hidden,
                training.classes(),
                settings.seed,
            )
            .map_err(|e| EngineError::InvalidInput(e.to_string()))?;
            let mut engine = self.new_engine(&model, self.kind)?;
            let run = OverfitRun::begin(&mut engine, training, settings)?;
            Ok::<_, EngineError>(OverfitJob { run, engine })
        })();
        match started {
            Ok(job) => {
                self.overfit = Some(job);
                self.out
                    .post(&Event::Overfit(OverfitEvent::Began(OverfitPlan {
                        train: settings.train,
                        validation: settings.validation,
                        patience: settings.patience,
                        max_epochs: settings.max_epochs,
                        batch: settings.batch,
                        lr: settings.optimizer.lr,
                        momentum: settings.optimizer.momentum,
                        hidden,
                        seed: settings.seed,
                    })));
            }
            Err(e) => self.out.say(MessageCode::BadSetting, e.to_string()),
        }
        Ok(())
    }

    /// Stops the experiment without measuring the test set.
    pub(super) fn cancel_overfit(&mut self) {
        if self.overfit.take().is_some() {
            self.out.post(&Event::Overfit(OverfitEvent::Cancelled));
        }
    }

    /// One epoch of the experiment and its evaluation; at the end, the restore and the test
    /// measurement. An engine error ends the experiment with a message (the run above is not touched).
    pub(super) async fn overfit_epoch(&mut self) {
        let Some(mut job) = self.overfit.take() else {
            return;
        };
        let result = async {
            let (m, verdict) = job.run.epoch(&mut job.engine).await?;
            let left = match verdict {
                Verdict::Improved => None,
                Verdict::Wait { left } => Some(left),
                Verdict::Stop => Some(0),
            };
            self.out.post(&Event::Overfit(OverfitEvent::Epoch {
                metrics: OverfitMetrics {
                    epoch: m.epoch,
                    train_loss: m.train_loss,
                    train_accuracy: m.train_accuracy,
                    val_loss: m.validation_loss,
                    val_accuracy: m.validation_accuracy,
                },
                left,
            }));
            if !job.run.finished() {
                return Ok(Some(job));
            }
            let test = self.loaded.borrow().test.clone();
            let test =
                test.ok_or_else(|| EngineError::InvalidInput("no test images yet".into()))?;
            let o = job.run.finish(&mut job.engine, &test).await?;
            self.out
                .post(&Event::Overfit(OverfitEvent::Stopped(OverfitOutcome {
                    best_epoch: o.best.epoch,
                    stopped_at: o.stopped_at,
                    stopped_early: o.stopped_early,
                    restored_validation: o.restored_validation,
                    test: o.test,
                    test_images: o.test_images,
                })));
            Ok::<_, EngineError>(None)
        }
        .await;
        match result {
            Ok(next) => self.overfit = next,
            Err(e) => {
                self.out.say(MessageCode::EngineFailed, e.to_string());
                self.out.post(&Event::Overfit(OverfitEvent::Cancelled));
            }
        }
    }
}
