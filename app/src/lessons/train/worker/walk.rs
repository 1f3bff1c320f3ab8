//! "The loop in code", walked: each press runs the next line of the article's loop on the run's own
//! engine — the next batch, `zero_grad` (nothing to launch: the gradient kernels overwrite), the
//! forward products, the loss, the backward products, the optimiser's update — as one
//! `Engine::train_step_part` each, and reports the line once its part has run. The walked step is a
//! step of the run: the same batch `steps` would have taken, counted and reported as any other.

use kernels::engine::StepPart;
use kernels::{Engine, EngineError};

use super::Worker;
use crate::lessons::train::protocol::{Event, Phase};
use crate::runtime::now;

impl Phase {
    /// The line after this one (the batch after the step).
    fn after(self) -> Phase {
        match self {
            Phase::Data => Phase::ZeroGrad,
            Phase::ZeroGrad => Phase::Forward,
            Phase::Forward => Phase::Loss,
            Phase::Loss => Phase::Backward,
            Phase::Backward => Phase::Step,
            Phase::Step => Phase::Data,
        }
    }

    /// The engine part it runs (`zero_grad` runs none).
    fn part(self) -> Option<StepPart> {
        match self {
            Phase::Data => Some(StepPart::Gather),
            Phase::ZeroGrad => None,
            Phase::Forward => Some(StepPart::Forward),
            Phase::Loss => Some(StepPart::Loss),
            Phase::Backward => Some(StepPart::Backward),
            Phase::Step => Some(StepPart::Update),
        }
    }
}

impl Worker {
    /// Runs the next line of the loop and reports it.
    pub(super) async fn walk_phase(&mut self) -> Result<(), EngineError> {
        self.sync_data()?;
        if self.session.as_ref().is_some_and(|s| s.running) {
            if let Some(s) = self.session.as_mut() {
                s.running = false;
            }
            self.report(0, None).await?;
        }
        let t0 = now();
        let Some(s) = self.session.as_mut() else {
            return Ok(());
        };
        let phase = s.walk.as_ref().map_or(Phase::Data, |w| w.1);
        let mut labels = Vec::new();
        if phase == Phase::Data {
            let Some(rows) = s.next_rows() else {
                // Finished, or its rows are still downloading: nothing to walk yet.
                return Ok(());
            };
            if let Some(train) = self.loaded.borrow().train.as_ref() {
                labels = rows
                    .iter()
                    .filter_map(|&r| train.labels.get(r as usize).copied())
                    .collect();
            }
            s.walk = Some((rows, phase));
        }
        let (rows, _) = s.walk.take().expect("a walk is under way");
        if let Some(part) = phase.part() {
            s.engine.train_step_part(&rows, &s.opt, part)?;
        }
        let step = s.step + 1;
        if phase == Phase::Step {
            s.count_step();
        } else {
            s.walk = Some((rows, phase.after()));
        }
        self.out.post(&Event::Phase {
            phase,
            step,
            labels,
            // `now` is in seconds.
            ms: (now() - t0) * 1000.0,
        });
        if phase == Phase::Step {
            self.after_step(t0).await?;
        }
        Ok(())
    }

    /// Completes a walked step (its remaining parts, reported as they run), so that another command
    /// or query finds the engine between two steps.
    pub(super) async fn finish_walk(&mut self) -> Result<(), EngineError> {
        while self.session.as_ref().is_some_and(|s| s.walk.is_some()) {
            self.walk_phase().await?;
        }
        Ok(())
    }

    /// What follows a step taken while paused: its report, the weight grid, the evaluation when due.
    pub(super) async fn after_step(&mut self, started: f64) -> Result<(), EngineError> {
        self.report(1, Some(started)).await?;
        self.send_weights().await?;
        let s = self.session.as_ref().expect("a step implies a session");
        // The last step of the run is measured too, as a burst's is.
        if s.step.is_multiple_of(s.config.eval_every as u64) || s.finished {
            self.evaluate().await?;
        }
        Ok(())
    }
}
