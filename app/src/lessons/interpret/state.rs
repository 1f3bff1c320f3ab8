//! What the interpretability page knows: the engine, the model, the curves measured, what runs now,
//! errors.

use leptos::prelude::*;

use super::protocol::Client;
use super::protocol::{Arm, Event, Protocol, Source};
use crate::client::{PageState, WorkerStatus};

/// One measured point: ε, accuracy under FGSM, images, milliseconds, accuracy under PGD (if
/// measured).
pub type Point = (f32, f32, usize, f64, Option<f32>);

/// What runs: the arm, and (images done, of) while it is fine-tuned (`None`: idle).
pub type Busy = Option<(Arm, Option<(usize, usize)>)>;

/// The page's state.
#[derive(Clone, Copy)]
pub struct State {
    /// The worker's engine and errors (the lesson bar's).
    pub status: WorkerStatus,
    /// (widths, test images, training images) once loaded.
    pub loaded: RwSignal<Option<(Vec<usize>, usize, usize)>>,
    /// Where the model explained came from.
    pub source: RwSignal<Option<Source>>,
    /// Each arm's curve, in the order measured.
    pub model_curve: RwSignal<Vec<Point>>,
    pub clean_curve: RwSignal<Vec<Point>>,
    pub adversarial_curve: RwSignal<Vec<Point>>,
    /// What runs: (arm, training images done, of) while fine-tuning, or the arm measured.
    pub busy: RwSignal<Busy>,
    /// Check yourself's question 1 (asked on step 5 before the curve, and on step 8): the answer.
    pub q1: RwSignal<Option<bool>>,
}

impl State {
    fn new() -> Self {
        Self {
            status: WorkerStatus::new(),
            loaded: RwSignal::new(None),
            source: RwSignal::new(None),
            model_curve: RwSignal::new(Vec::new()),
            clean_curve: RwSignal::new(Vec::new()),
            adversarial_curve: RwSignal::new(Vec::new()),
            busy: RwSignal::new(None),
            q1: RwSignal::new(None),
        }
    }

    /// The curve of `arm`.
    pub fn curve(&self, arm: Arm) -> RwSignal<Vec<Point>> {
        match arm {
            Arm::Model => self.model_curve,
            Arm::Clean => self.clean_curve,
            Arm::Adversarial => self.adversarial_curve,
        }
    }

    /// The accuracy of `arm` at ε, if measured.
    pub fn accuracy_at(&self, arm: Arm, epsilon: f32) -> Option<(f32, usize)> {
        self.curve(arm).with(|c| {
            c.iter()
                .find(|p| (p.0 - epsilon).abs() < 1e-6)
                .map(|p| (p.1, p.2))
        })
    }

    /// The accuracy of `arm` under PGD at ε, if measured.
    pub fn pgd_at(&self, arm: Arm, epsilon: f32) -> Option<(f32, usize)> {
        self.curve(arm).with(|c| {
            c.iter()
                .find(|p| (p.0 - epsilon).abs() < 1e-6)
                .and_then(|p| p.4.map(|q| (q, p.2)))
        })
    }

    /// A run begins: the curves it measures are cleared.
    pub fn begin(&self, arms: &[Arm]) {
        for &arm in arms {
            self.curve(arm).set(Vec::new());
        }
        self.busy.set(Some((arms[0], None)));
    }
}

impl PageState for State {
    type Protocol = Protocol;

    fn status(&self) -> WorkerStatus {
        self.status
    }

    fn apply(&self, event: Event) {
        match event {
            Event::Loaded {
                widths,
                test,
                train,
                source,
            } => {
                // Another model: its curves are measured anew.
                for arm in [Arm::Model, Arm::Clean, Arm::Adversarial] {
                    self.curve(arm).set(Vec::new());
                }
                self.busy.set(None);
                // The note of curves kept goes with them.
                self.status.kept.set(false);
                self.source.set(Some(source));
                self.loaded.set(Some((widths, test, train)));
            }
            Event::Point {
                arm,
                epsilon,
                accuracy,
                images,
                ms,
                pgd,
            } => {
                self.busy.set(Some((arm, None)));
                self.curve(arm)
                    .update(|c| c.push((epsilon, accuracy, images, ms, pgd)));
            }
            Event::Training { arm, done, of } => self.busy.set(Some((arm, Some((done, of))))),
            Event::Done | Event::Stopped => self.busy.set(None),
        }
    }

    /// The kept curves were replayed (`true`: the replayed points said "measuring", and nothing
    /// runs after a reload) or forgotten (`false`: no curve, and question 1 can be predicted again).
    fn kept(&self, kept: bool) {
        self.busy.set(None);
        if !kept {
            for arm in [Arm::Model, Arm::Clean, Arm::Adversarial] {
                self.curve(arm).set(Vec::new());
            }
            self.q1.set(None);
        }
    }
}

/// Starts the worker and the state it updates.
pub fn start() -> (Client, State) {
    let state = State::new();
    (Client::open(super::WORKER.name, state), state)
}
