//! What the optimisers page knows from its worker: the engine, the data, the two races (the race step's
//! and the quiz's), errors.

use leptos::prelude::*;

use super::protocol::Client;
use super::protocol::{Event, Protocol, RaceArm, RaceTag};
use crate::client::{PageState, WorkerStatus};

/// One race as the page draws it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RaceView {
    /// The arms, in order.
    pub arms: Vec<RaceArm>,
    /// Steps planned.
    pub steps: u32,
    /// Rows per step.
    pub batch: usize,
    /// Test images per evaluation.
    pub test: usize,
    /// Steps done.
    pub step: u64,
    /// Every loss of each arm, step by step.
    pub losses: Vec<Vec<f32>>,
    /// Each arm's test accuracy: (step, accuracy).
    pub accuracy: Vec<Vec<(u64, f32)>>,
    /// Each arm's divergence.
    pub diverged: Vec<Option<(u64, f32)>>,
    /// Samples per second summed over the arms, the last burst's.
    pub samples_per_s: f64,
    /// It ran all its steps.
    pub done: bool,
}

impl RaceView {
    /// The arm with id `id`, if it races.
    pub fn index(&self, id: &str) -> Option<usize> {
        self.arms.iter().position(|a| a.id == id)
    }

    /// The last test accuracy of arm `i`, with the step it was measured at.
    pub fn last_accuracy(&self, i: usize) -> Option<(u64, f32)> {
        self.accuracy.get(i).and_then(|a| a.last().copied())
    }

    /// The mean of arm `i`'s last `n` losses (the curve's end, less noisy than one batch).
    pub fn recent_loss(&self, i: usize, n: usize) -> Option<f32> {
        let l = self.losses.get(i)?;
        let tail = &l[l.len().saturating_sub(n)..];
        (!tail.is_empty()).then(|| kernels::training::mean(tail))
    }
}

/// The page's state.
#[derive(Clone, Copy)]
pub struct State {
    /// The worker's engine and errors (the lesson bar's).
    pub status: WorkerStatus,
    /// (training images, test images, widths) once loaded.
    pub data: RwSignal<Option<(usize, usize, Vec<usize>)>>,
    pub race: RwSignal<Option<RaceView>>,
    pub quiz: RwSignal<Option<RaceView>>,
    /// The race running now.
    pub running: RwSignal<Option<RaceTag>>,
}

impl State {
    fn new() -> Self {
        Self {
            status: WorkerStatus::new(),
            data: RwSignal::new(None),
            race: RwSignal::new(None),
            quiz: RwSignal::new(None),
            running: RwSignal::new(None),
        }
    }

    /// The race of `tag`.
    pub fn race(&self, tag: RaceTag) -> RwSignal<Option<RaceView>> {
        match tag {
            RaceTag::Race => self.race,
            RaceTag::Quiz => self.quiz,
        }
    }
}

impl PageState for State {
    type Protocol = Protocol;

    fn status(&self) -> WorkerStatus {
        self.status
    }

    fn apply(&self, event: Event) {
        match event {
            Event::Data {
                train,
                test,
                widths,
            } => self.data.set(Some((train, test, widths))),
            Event::RaceBegun {
                tag,
                arms,
                steps,
                batch,
                test,
            } => {
                let n = arms.len();
                self.race(tag).set(Some(RaceView {
                    arms,
                    steps,
                    batch,
                    test,
                    losses: vec![Vec::new(); n],
                    accuracy: vec![Vec::new(); n],
                    diverged: vec![None; n],
                    ..RaceView::default()
                }));
                self.running.set(Some(tag));
            }
            Event::RaceProgress {
                tag,
                step,
                losses,
                accuracy,
                diverged,
                samples_per_s,
            } => self.race(tag).update(|r| {
                let Some(r) = r else { return };
                r.step = step;
                for (all, new) in r.losses.iter_mut().zip(losses) {
                    all.extend(new);
                }
                if let Some(acc) = accuracy {
                    for (all, a) in r.accuracy.iter_mut().zip(acc) {
                        if let Some(a) = a {
                            all.push((step, a));
                        }
                    }
                }
                r.diverged = diverged;
                r.samples_per_s = samples_per_s;
            }),
            Event::RaceDone { tag } => {
                self.race(tag).update(|r| {
                    if let Some(r) = r {
                        r.done = true;
                    }
                });
                self.running.set(None);
            }
            Event::Stopped => self.running.set(None),
        }
    }

    /// The kept races were replayed (`true`: they may end mid-race, and nothing runs after a
    /// reload) or forgotten (`false`: nothing is drawn).
    fn kept(&self, kept: bool) {
        self.running.set(None);
        if !kept {
            self.race.set(None);
            self.quiz.set(None);
        }
    }
}

/// Starts the worker and the state it updates.
pub fn start() -> (Client, State) {
    let state = State::new();
    (Client::open(super::WORKER.name, state), state)
}
