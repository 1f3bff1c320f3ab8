//! What the fine-tuning page knows (every number from the worker's engines), and the client that talks
//! to the lesson's worker: commands, queries answered by id, events applied to the signals.

use leptos::prelude::*;

use super::protocol::{Client, Protocol};
use super::protocol::{
    Event, KernelRow, PhaseKind, PhaseSettings, Sample, SeedRun, Slot, StopInfo, TensorRow,
};
use crate::client::{PageState, WorkerStatus};
use crate::messages::MessageCode;

/// Training progress.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Progress {
    /// The phase.
    pub phase: PhaseKind,
    /// Epochs done.
    pub epoch: usize,
    /// Epochs in the phase.
    pub epochs: usize,
    /// Steps done.
    pub steps: usize,
    /// Loss of the last burst.
    pub loss: f32,
    /// Still running.
    pub running: bool,
}

/// Where the seeds job is: (seed index, seeds, phase, epoch, epochs).
pub type SeedsAt = (usize, usize, PhaseKind, usize, usize);

/// The page's signals, shared through context.
#[derive(Clone, Copy)]
pub struct State {
    /// The worker's engine and errors (the lesson bar's).
    pub status: WorkerStatus,
    /// Class names of the data.
    pub classes: RwSignal<Vec<String>>,
    /// Training and held-out examples.
    pub counts: RwSignal<(usize, usize)>,
    /// Widths of the tuned model.
    pub widths: RwSignal<Vec<usize>>,
    /// Widths of the model as loaded (before any new head).
    pub loaded_widths: RwSignal<Vec<usize>>,
    /// The frozen flags of the head phase, kept once the full phase unfreezes everything.
    pub head_frozen: RwSignal<Option<Vec<bool>>>,
    /// Frozen flags of the tuned model's layers.
    pub frozen: RwSignal<Vec<bool>>,
    /// True once the head was replaced after the last load.
    pub head_replaced: RwSignal<bool>,
    /// Waiting for the pretrained model's first evaluation.
    pub awaiting_pretrained: RwSignal<bool>,
    /// The pretrained model's accuracy on the held-out examples.
    pub pretrained: RwSignal<Option<f32>>,
    /// The tuned model's latest accuracy and predictions' fingerprint.
    pub accuracy: RwSignal<Option<(f32, String)>>,
    /// Tuned accuracy per epoch, head then full phase.
    pub curve: RwSignal<Vec<(PhaseKind, f32)>>,
    /// Scratch accuracy per epoch.
    pub scratch_curve: RwSignal<Vec<f32>>,
    /// Progress of the running (or last) phase.
    pub progress: RwSignal<Option<Progress>>,
    /// Freezing panel rows.
    pub tensors: RwSignal<Vec<TensorRow>>,
    /// Launches of the last step.
    pub kernels: RwSignal<Vec<KernelRow>>,
    /// GPU dispatches of the last step.
    pub dispatches: RwSignal<usize>,
    /// fc1's fingerprint, read back from the engine.
    pub fc1_digest: RwSignal<String>,
    /// Examples loaded (shipped scenario) or drawn ones in use.
    pub loaded: RwSignal<bool>,
    /// Models loaded so far (the shipped one, then each upload): tells a new measurement from an old one.
    pub loads: RwSignal<u32>,
    /// The run was taken up from this browser's storage after a reload.
    pub resumed: RwSignal<bool>,
    /// The phase settings of a run taken up (the forms show them).
    pub resumed_settings: RwSignal<Vec<PhaseSettings>>,
    /// Times the run was kept in this browser.
    pub kept: RwSignal<u32>,
    /// One training example per class.
    pub samples: RwSignal<Vec<Sample>>,
    /// The "3 seeds" results, and whether more runs follow.
    pub seeds: RwSignal<Option<(Vec<SeedRun>, bool)>>,
    /// Where the seeds job is.
    pub seeds_progress: RwSignal<Option<SeedsAt>>,
    /// Where each phase with early stopping last stopped (the latest per phase).
    pub stops: RwSignal<Vec<StopInfo>>,
    /// The running phase's last validation loss: (phase, epoch, loss, epochs left without a lower one).
    pub validation: RwSignal<Option<(PhaseKind, usize, f32, usize)>>,
    /// A phase the last reload cut off: (phase, epochs done when kept, its epochs).
    pub interrupted: RwSignal<Option<(PhaseKind, usize, usize)>>,
}

impl State {
    fn new() -> Self {
        Self {
            status: WorkerStatus::new(),
            classes: RwSignal::new(Vec::new()),
            counts: RwSignal::new((0, 0)),
            widths: RwSignal::new(Vec::new()),
            loaded_widths: RwSignal::new(Vec::new()),
            head_frozen: RwSignal::new(None),
            frozen: RwSignal::new(Vec::new()),
            head_replaced: RwSignal::new(false),
            awaiting_pretrained: RwSignal::new(false),
            pretrained: RwSignal::new(None),
            accuracy: RwSignal::new(None),
            curve: RwSignal::new(Vec::new()),
            scratch_curve: RwSignal::new(Vec::new()),
            progress: RwSignal::new(None),
            tensors: RwSignal::new(Vec::new()),
            kernels: RwSignal::new(Vec::new()),
            dispatches: RwSignal::new(0),
            fc1_digest: RwSignal::new(String::new()),
            loaded: RwSignal::new(false),
            loads: RwSignal::new(0),
            resumed: RwSignal::new(false),
            resumed_settings: RwSignal::new(Vec::new()),
            kept: RwSignal::new(0),
            samples: RwSignal::new(Vec::new()),
            seeds: RwSignal::new(None),
            seeds_progress: RwSignal::new(None),
            stops: RwSignal::new(Vec::new()),
            validation: RwSignal::new(None),
            interrupted: RwSignal::new(None),
        }
    }

    /// Forgets a previous run (a new model or new examples).
    pub fn clear_run(&self) {
        self.pretrained.set(None);
        self.accuracy.set(None);
        self.curve.set(Vec::new());
        self.scratch_curve.set(Vec::new());
        self.progress.set(None);
        self.head_replaced.set(false);
        self.head_frozen.set(None);
        self.seeds.set(None);
        self.seeds_progress.set(None);
        self.stops.set(Vec::new());
        self.validation.set(None);
        // The URL's problems stay named: the URL has not changed.
        self.status
            .errors
            .update(|e| e.retain(|m| m.code == MessageCode::UrlProblem));
    }

    /// The latest stop of `phase`, if it ran with early stopping.
    pub fn stop_of(&self, phase: PhaseKind) -> Option<StopInfo> {
        self.stops
            .get()
            .into_iter()
            .rev()
            .find(|s| s.phase == phase)
    }

    /// A phase with early stopping ended: its epochs after the best one are dropped from its curve
    /// (their weights are gone; the model now holds the best epoch's), and the stop is shown.
    fn stopped(&self, info: StopInfo) {
        let drop = info.stopped_at.saturating_sub(info.best_epoch.max(1));
        if info.best_epoch > 0 && drop > 0 {
            match info.phase {
                PhaseKind::Scratch => self.scratch_curve.update(|c| {
                    c.truncate(c.len().saturating_sub(drop));
                }),
                phase => self.curve.update(|c| {
                    let keep = c.len().saturating_sub(drop);
                    if c[keep..].iter().all(|&(p, _)| p == phase) {
                        c.truncate(keep);
                    }
                }),
            }
        }
        self.stops.update(|s| {
            s.retain(|x| x.phase != info.phase);
            s.push(info);
        });
    }
}

impl PageState for State {
    type Protocol = Protocol;

    fn status(&self) -> WorkerStatus {
        self.status
    }

    fn apply(&self, ev: Event) {
        match ev {
            Event::Data {
                classes,
                train,
                test,
                samples,
            } => {
                self.samples.set(samples);
                self.classes.set(classes);
                self.counts.set((train, test));
                self.loaded.set(true);
            }
            Event::Model {
                slot: Slot::Tuned,
                widths,
                frozen,
            } => {
                if !self.head_replaced.get_untracked() {
                    self.loaded_widths.set(widths.clone());
                }
                self.widths.set(widths);
                self.frozen.set(frozen);
            }
            Event::Model { .. } => {}
            Event::Evaluation {
                slot,
                phase,
                accuracy,
                predictions_digest,
                ..
            } => match (slot, phase) {
                (Slot::Tuned, None) if self.awaiting_pretrained.get_untracked() => {
                    self.awaiting_pretrained.set(false);
                    self.pretrained.set(Some(accuracy));
                    self.accuracy.set(Some((accuracy, predictions_digest)));
                }
                (Slot::Tuned, None) => self.accuracy.set(Some((accuracy, predictions_digest))),
                (Slot::Tuned, Some(p)) => {
                    self.accuracy.set(Some((accuracy, predictions_digest)));
                    self.curve.update(|c| c.push((p, accuracy)));
                }
                (Slot::Scratch, _) => self.scratch_curve.update(|c| c.push(accuracy)),
            },
            Event::Progress {
                phase,
                epoch,
                epochs,
                steps,
                loss,
                running,
            } => self.progress.set(Some(Progress {
                phase,
                epoch,
                epochs,
                steps,
                loss,
                running,
            })),
            Event::Tensors {
                rows,
                kernels,
                dispatches,
                fc1_digest,
            } => {
                self.tensors.set(rows);
                self.kernels.set(kernels);
                self.dispatches.set(dispatches);
                self.fc1_digest.set(fc1_digest);
            }
            Event::Resumed {
                head_replaced,
                head_frozen,
                settings,
            } => {
                // The history's events follow and rebuild the rest through this handler.
                self.clear_run();
                self.awaiting_pretrained.set(true);
                self.head_replaced.set(head_replaced);
                self.head_frozen.set(head_frozen);
                self.resumed_settings.set(settings);
                self.resumed.set(true);
            }
            Event::Seeds { runs, running } => {
                if !running {
                    self.seeds_progress.set(None);
                }
                self.seeds.set(Some((runs, running)));
            }
            Event::SeedsProgress {
                seed,
                seeds,
                phase,
                epoch,
                epochs,
            } => self
                .seeds_progress
                .set(Some((seed, seeds, phase, epoch, epochs))),
            Event::Stopped(info) => self.stopped(info),
            Event::Validation {
                phase,
                epoch,
                loss,
                left,
            } => self.validation.set(Some((phase, epoch, loss, left))),
            Event::Interrupted {
                phase,
                epoch,
                epochs,
            } => self.interrupted.set(Some((phase, epoch, epochs))),
            Event::Kept => self.kept.update(|n| *n += 1),
        }
    }

    /// The kept run was forgotten: the page starts again from its URL with nothing kept. (A kept run
    /// taken up is said by its own `Event::Resumed`, which carries the run's settings.)
    fn kept(&self, kept: bool) {
        if !kept && let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    }
}

/// Starts the lesson's worker (ended when the lesson is left) and the state it updates.
pub fn start() -> (Client, State) {
    let state = State::new();
    (Client::open(super::WORKER.name, state), state)
}
