//! The run saved in this browser (IndexedDB): the last good state written at each evaluation and
//! pause, offered to the page after a reload, and resumed where it stood (weights, optimiser state,
//! position and curves).

use kernels::Engine;
use kernels::EngineError;
use kernels::training::EpochBatches;

use super::checkpoint::{self, Checkpoint, Origin, Position};
use super::{GoodState, Worker};
use crate::client::engine_label;
use crate::lessons::train::protocol::{Event, MessageCode};
use crate::store;

impl Worker {
    /// Remembers the current state as good (its losses were all finite when read).
    pub(super) async fn keep_good_state(&mut self) -> Result<(), EngineError> {
        let s = self.session.as_mut().expect("a session exists");
        let model = s.engine.model().await?;
        let optimizer = s.engine.optimizer_state().await?;
        s.good = Some(GoodState {
            step: s.step,
            epoch: s.epoch,
            batches: s.batches.clone(),
            batch_index: s.batch_index,
            model,
            optimizer,
        });
        self.save().await;
        Ok(())
    }

    /// Writes the good state to IndexedDB; a failure is said once and training goes on.
    pub(super) async fn save(&mut self) {
        let Some(s) = self.session.as_ref() else {
            return;
        };
        let Some(good) = s.good.as_ref().filter(|g| g.step > 0) else {
            return;
        };
        let engine = engine_label(s.engine.kind());
        let saved = Checkpoint::new(
            &s.config,
            Position {
                step: good.step,
                epoch: good.epoch,
                has_batches: good.batches.is_some(),
                batch_index: good.batch_index,
                finished: s.finished && good.step == s.step,
            },
            &good.model,
            &good.optimizer,
            (&s.history, &s.evals),
            Origin {
                engine,
                data: self.data_sizes(),
                saved_at: crate::runtime::date_now(),
            },
        );
        let result = match saved {
            Ok(c) => store::put(checkpoint::KEY, &c)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        if let Err(e) = result
            && !self.save_failed
        {
            self.save_failed = true;
            self.out.say(MessageCode::SaveFailed, e);
        }
    }

    /// Training and test samples this page uses.
    pub(super) fn data_sizes(&self) -> (usize, usize) {
        let l = self.loaded.borrow();
        (l.train_total, l.test_total)
    }

    /// Offers the run saved in this browser, if there is one this build can read.
    pub(super) async fn offer_saved(&mut self) {
        match store::get::<Checkpoint>(checkpoint::KEY).await {
            Ok(Some(c)) if c.readable() => {
                self.out.post(&Event::Saved {
                    run: Some(c.summary(self.data_sizes())),
                });
                self.offer = Some(c);
            }
            Ok(_) => {}
            // An unreadable entry (another version of the app) is not offered; the next save replaces it.
            Err(e) => crate::runtime::warn(&format!("no saved run offered: {e}")),
        }
    }

    /// Withdraws the offer (a new run began, or it was resumed or cleared).
    pub(super) fn withdraw_offer(&mut self) {
        if self.offer.take().is_some() {
            self.out.post(&Event::Saved { run: None });
        }
    }

    /// Continues the offered run: same configuration, weights, optimiser state, position and curves.
    pub(super) async fn resume(&mut self) -> Result<(), EngineError> {
        let Some(c) = self.offer.clone() else {
            return Ok(());
        };
        if c.data != self.data_sizes() {
            return Ok(());
        }
        let restored = (|| {
            let model = c.model()?;
            self.reset(c.config.clone())?;
            Ok::<_, String>(model)
        })();
        let model = match restored {
            Ok(m) => m,
            Err(e) => {
                self.out.say(MessageCode::RestoreFailed, e);
                return Ok(());
            }
        };
        let optimizer = c.optimizer();
        let s = self.session.as_mut().expect("reset made one");
        s.engine.restore(&model, &optimizer)?;
        s.history = c.history.clone();
        s.evals = c.evals.clone();
        s.good = Some(GoodState {
            step: c.step,
            epoch: c.epoch,
            batches: c.has_batches.then(|| {
                EpochBatches::streamed(&s.train_chunks, s.config.batch, s.config.seed, c.epoch - 1)
            }),
            batch_index: c.batch_index,
            model,
            optimizer,
        });
        s.rewind();
        s.finished = c.finished;
        self.out.post(&Event::Resumed {
            config: c.config.clone(),
            history: c.history.clone(),
            evals: c.evals.clone(),
        });
        self.withdraw_offer();
        self.report(0, None).await?;
        self.evaluate().await?;
        self.send_weights().await
    }
}
