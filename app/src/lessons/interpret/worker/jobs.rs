//! The interpretability worker's long jobs, run a chunk per burst between messages: accuracy under
//! FGSM at each ε over the test images, and fine-tuning two copies of the model (clean images only;
//! FGSM images mixed in), each measured the same way.

use super::*;

impl Worker {
    /// One chunk of the job under way (a new one begins when none is); false when there is none.
    pub(super) async fn work(&mut self) -> Result<bool, EngineError> {
        if self.job.is_none() {
            let Some(task) = self.tasks.pop_front() else {
                return Ok(false);
            };
            if let Task::Train { .. } = task {
                let model = self.model.clone().expect("tasks wait for the model");
                let arm = self.arm.as_mut().expect("loaded");
                arm.set_model(&model)?;
                arm.reset_optimizer_state()?;
            }
            self.job = Some(Job {
                task,
                index: 0,
                next: 0,
                correct: 0,
                pgd_correct: 0,
                started: now(),
            });
        }
        // A point measured in this burst: kept in this browser before the page hears of it, so a
        // reload right after it appears still finds it.
        let mut measured = None;
        let data = self.data.as_ref().expect("tasks wait for the data");
        let job = self.job.as_mut().expect("set above");
        let finished = match &job.task {
            Task::Measure { arm, epsilons, pgd } => {
                let engine = if *arm == Arm::Model {
                    self.main.as_mut()
                } else {
                    self.arm.as_mut()
                }
                .expect("loaded");
                let n = data.test.len();
                let epsilon = epsilons[job.index];
                let with_pgd = pgd.iter().any(|&e| (e - epsilon).abs() < 1e-6);
                // PGD costs ten more gradients per image: smaller bursts keep the worker answering.
                let chunk = if with_pgd { PGD_CHUNK } else { CHUNK };
                let end = (job.next + chunk).min(n);
                let rows: Vec<u32> = (job.next as u32..end as u32).collect();
                let (fgsm, pgd_count) = fgsm_and_pgd_correct(
                    engine,
                    &data.test.select(&rows),
                    epsilon,
                    with_pgd.then_some(PGD_STEPS),
                )
                .await?;
                job.correct += fgsm;
                job.pgd_correct += pgd_count.unwrap_or(0);
                job.next = end;
                if end >= n {
                    let of = n.max(1) as f32;
                    let point = Event::Point {
                        arm: *arm,
                        epsilon,
                        accuracy: job.correct as f32 / of,
                        images: n,
                        ms: (now() - job.started) * 1000.0,
                        pgd: with_pgd.then(|| job.pgd_correct as f32 / of),
                    };
                    // A new measurement of an arm at an ε replaces the old one.
                    self.journal.retain(|p| !matches!(p, Event::Point { arm: a, epsilon: e, .. } if a == arm && *e == epsilon));
                    self.journal.push(point.clone());
                    job.index += 1;
                    job.next = 0;
                    job.correct = 0;
                    job.pgd_correct = 0;
                    job.started = now();
                    // Kept point by point: a reload mid-curve shows what was measured.
                    measured = Some(point);
                }
                job.index >= epsilons.len()
            }
            Task::Train {
                arm,
                images,
                epsilon,
            } => {
                let engine = self.arm.as_mut().expect("loaded");
                let of = (*images).min(data.train.len());
                for _ in 0..STEPS_PER_BURST {
                    if job.next >= of {
                        break;
                    }
                    let end = (job.next + HARDEN_BATCH).min(of);
                    let rows: Vec<u32> = (job.next as u32..end as u32).collect();
                    mixed_step(
                        engine,
                        &data.train.select(&rows),
                        *epsilon,
                        &FINE_TUNE,
                        *arm == Arm::Adversarial,
                    )
                    .await?;
                    job.next = end;
                }
                self.out.post(&Event::Training {
                    arm: *arm,
                    done: job.next,
                    of,
                });
                job.next >= of
            }
        };
        // The point before "done": a point says "measuring", "done" says idle.
        if let Some(point) = measured {
            self.journal.save().await;
            self.out.post(&point);
        }
        if finished {
            self.job = None;
            if self.tasks.is_empty() {
                self.out.post(&Event::Done);
            }
        }
        Ok(true)
    }

    pub(super) fn queue(&mut self, tasks: Vec<Task>) {
        if self.ready().is_err() {
            self.out.say(
                MessageCode::NotReady,
                "the model and the images are still loading",
            );
            self.out.post(&Event::Stopped);
            return;
        }
        self.job = None;
        self.tasks = tasks.into();
    }
}

/// Whether a list of ε's is one the lesson accepts.
pub(super) fn epsilons_ok(epsilons: &[f32]) -> bool {
    !epsilons.is_empty() && epsilons.len() <= 16 && epsilons.iter().all(|e| (0.0..=1.0).contains(e))
}
