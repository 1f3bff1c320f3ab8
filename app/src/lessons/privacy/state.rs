//! What the privacy page knows: the engine, the data, each arm's progress and result, errors.

use leptos::prelude::*;

use super::protocol::Client;
use super::protocol::{Answers, Arm, ArmResult, Event, Protocol};
use crate::client::{PageState, WorkerStatus};

/// The sweep's targets: ε ≈ 1, 3 and 8 (one run each; the page and the class report count them).
pub const SWEEP: [f64; 3] = [1.0, 3.0, 8.0];

/// One epoch as the page plots it: (epoch, steps, ε, test accuracy).
pub type EpochPoint = (usize, u64, Option<f64>, f32);

/// The page's state.
#[derive(Clone, Copy)]
pub struct State {
    /// The worker's engine and errors (the lesson bar's).
    pub status: WorkerStatus,
    /// (members, outsiders, test) once loaded.
    pub data: RwSignal<Option<(usize, usize, usize)>>,
    /// The arm running now.
    pub running: RwSignal<Option<Arm>>,
    /// Each epoch of the plain run and of the private run.
    pub plain_curve: RwSignal<Vec<EpochPoint>>,
    pub private_curve: RwSignal<Vec<EpochPoint>>,
    pub plain: RwSignal<Option<ArmResult>>,
    pub private: RwSignal<Option<ArmResult>>,
    /// The accuracy-against-ε sweep: its finished runs, and (tag, epoch, epochs) of the one running.
    pub sweep: RwSignal<Vec<ArmResult>>,
    pub sweep_at: RwSignal<Option<(u32, usize, usize)>>,
    /// The student's answers to "Check yourself" (kept across steps, and in this browser by the worker).
    pub answers: RwSignal<Answers>,
    /// In class mode: a run the student started here is under way (its result is reported), and the
    /// seed the worker was started with.
    pub class_live: RwSignal<bool>,
    pub class_seed: RwSignal<u64>,
}

impl State {
    fn new() -> Self {
        Self {
            status: WorkerStatus::new(),
            data: RwSignal::new(None),
            running: RwSignal::new(None),
            plain_curve: RwSignal::new(Vec::new()),
            private_curve: RwSignal::new(Vec::new()),
            plain: RwSignal::new(None),
            private: RwSignal::new(None),
            sweep: RwSignal::new(Vec::new()),
            sweep_at: RwSignal::new(None),
            answers: RwSignal::new(Answers::default()),
            class_live: RwSignal::new(false),
            class_seed: RwSignal::new(1),
        }
    }

    /// The curve and result of `arm`.
    pub fn arm(&self, arm: Arm) -> (RwSignal<Vec<EpochPoint>>, RwSignal<Option<ArmResult>>) {
        match arm {
            Arm::Plain => (self.plain_curve, self.plain),
            Arm::Private => (self.private_curve, self.private),
        }
    }

    /// A run of `arm` begins: its old figures go.
    pub fn begin(&self, arm: Arm) {
        let (curve, result) = self.arm(arm);
        curve.set(Vec::new());
        result.set(None);
        self.running.set(Some(arm));
        self.class_live.set(true);
    }
}

impl PageState for State {
    type Protocol = Protocol;

    fn status(&self) -> WorkerStatus {
        self.status
    }

    fn apply(&self, event: Event) {
        // A run the student started is reported to the class before the page shows it.
        super::class_report::on_event(*self, &event);
        match event {
            Event::Data {
                members,
                outsiders,
                test,
            } => self.data.set(Some((members, outsiders, test))),
            Event::Progress {
                arm,
                tag,
                epoch,
                epochs,
                steps,
                epsilon,
                test_accuracy,
                ..
            } => {
                self.running.set(Some(arm));
                if tag == 0 {
                    self.arm(arm)
                        .0
                        .update(|c| c.push((epoch, steps, epsilon, test_accuracy)));
                } else {
                    self.sweep_at.set(Some((tag, epoch, epochs)));
                }
            }
            Event::Result(r) => {
                if r.tag == 0 {
                    self.running.set(None);
                    self.arm(r.arm).1.set(Some(r));
                } else {
                    self.sweep.update(|s| s.push(r));
                    // The sweep's last run ends it.
                    if self.sweep.with(|s| s.len()) == SWEEP.len() {
                        self.running.set(None);
                        self.sweep_at.set(None);
                    }
                }
            }
            Event::Stopped => {
                self.running.set(None);
                self.sweep_at.set(None);
            }
            Event::Answers(a) => self.answers.set(a),
        }
    }

    /// The kept runs were replayed (`true`: they may end mid-run, and nothing runs after a reload)
    /// or forgotten (`false`: nothing is drawn, no answer stands).
    fn kept(&self, kept: bool) {
        self.running.set(None);
        self.sweep_at.set(None);
        // A run the class saw start is over either way.
        self.class_live.set(false);
        if !kept {
            for arm in [Arm::Plain, Arm::Private] {
                let (curve, result) = self.arm(arm);
                curve.set(Vec::new());
                result.set(None);
            }
            self.sweep.set(Vec::new());
            self.answers.set(Answers::default());
        }
    }
}

/// Starts the worker and the state it updates.
pub fn start() -> (Client, State) {
    let state = State::new();
    (Client::open(super::WORKER.name, state), state)
}
