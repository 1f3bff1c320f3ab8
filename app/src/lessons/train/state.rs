//! What the page knows of the run — every number comes from the worker's engine — and the worker's end
//! on the page: events update the signals, queries are answered by id.

use leptos::prelude::*;

use super::protocol::Client;
use super::protocol::{
    EngineMeasurement, Event, GemmChoice, MessageCode, OverfitEvent, OverfitMetrics,
    OverfitOutcome, OverfitPlan, Phase, Protocol, Query, Reply, SavedRun,
};
use super::setup::Setup;
use crate::client::{PageState, WorkerStatus};
use crate::history::{LossHistory, push_bounded};
use crate::ui::files;
use crate::ui::plots::{CellView, WeightsImage};

/// The last divergence: where, the loss, the learning rate, and the step rolled back to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Divergence {
    pub step: u64,
    pub loss: f32,
    pub lr: f32,
    pub rolled_back_to: u64,
}

/// The line of the loop the worker ran last, walking a step.
#[derive(Clone, Debug, PartialEq)]
pub struct Walked {
    /// The line.
    pub phase: Phase,
    /// The step it belongs to (1-based).
    pub step: u64,
    /// The step's batch labels (kept for the rest of its step).
    pub labels: Vec<u8>,
    /// Milliseconds the worker spent on it.
    pub ms: f64,
}

/// The overfitting experiment as the page shows it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OverfitView {
    /// Its settings, once it began.
    pub plan: Option<OverfitPlan>,
    /// Each evaluation and the patience left after it (`None`: a new best).
    pub epochs: Vec<(OverfitMetrics, Option<usize>)>,
    /// How it ended.
    pub outcome: Option<OverfitOutcome>,
    /// Running now.
    pub running: bool,
    /// The experiments finished so far on this page, to compare (kept when a new one begins).
    pub finished: Vec<super::overfit_text::RunSummary>,
}

/// The run as the page shows it; widgets get the signals they show.
#[derive(Clone, Copy)]
pub struct State {
    /// The worker's engine and errors (the lesson bar's).
    pub status: WorkerStatus,
    /// The engines measured at start-up, shown beside the engine.
    pub measurements: RwSignal<Vec<EngineMeasurement>>,
    /// The GPU engine's dispatches per step and matrix-product kernels (None on the CPU engine).
    pub kernels: RwSignal<Option<(usize, Vec<GemmChoice>)>>,
    /// (train loaded, train total, test loaded, test total).
    pub data: RwSignal<(usize, usize, usize, usize)>,
    pub step: RwSignal<u64>,
    /// (epoch, fraction of it done).
    pub epoch: RwSignal<(usize, f32)>,
    pub speed: RwSignal<f64>,
    pub running: RwSignal<bool>,
    pub finished: RwSignal<bool>,
    /// Every step's loss, in bounded memory.
    pub losses: RwSignal<LossHistory>,
    /// (step, accuracy, loss) per evaluation.
    pub evals: RwSignal<Vec<(u64, f32, f32)>>,
    pub confusion: RwSignal<(Vec<u32>, usize)>,
    pub weights: RwSignal<Option<WeightsImage>>,
    pub prediction: RwSignal<Vec<f32>>,
    pub cell: RwSignal<Option<CellView>>,
    /// The stage of the loop lit in the outline.
    pub phase: RwSignal<Option<usize>>,
    /// Pause requested, not yet acknowledged by the worker.
    pub pausing: RwSignal<bool>,
    /// Hidden widths of a model the student loaded (the form follows them).
    pub imported: RwSignal<Option<Vec<usize>>>,
    pub diverged: RwSignal<Option<Divergence>>,
    /// The worker's wasm memory in bytes, from its last progress report.
    pub worker_memory: RwSignal<f64>,
    /// A run saved in this browser that can be resumed.
    pub saved: RwSignal<Option<SavedRun>>,
    /// The configuration of a run just resumed (the form and the URL follow it).
    pub resumed: RwSignal<Option<Setup>>,
    /// The overfitting experiment.
    pub overfit: RwSignal<OverfitView>,
    /// The loop's line the worker ran last when walking a step.
    pub walked: RwSignal<Option<Walked>>,
    /// The finished run measured on the test set, once: (step, accuracy, loss, images).
    pub test_final: RwSignal<Option<(u64, f32, f32, usize)>>,
    /// The last divergence at a learning rate of 1, kept after its rollback (cleared by a reset and
    /// whenever the rate leaves 1): the outcome "blew up" that "Check yourself" grades.
    pub blown_at_one: RwSignal<Option<Divergence>>,
    /// The first loss of the last run that started from step 0, kept after a rollback undoes it.
    pub first_loss: RwSignal<Option<f32>>,
    /// Where the current run started: only a fresh initialisation's first loss is an untrained
    /// model's here, and only such a run is graded by "Check yourself".
    pub origin: RwSignal<RunOrigin>,
    /// "Why a GPU?": the last measurement, and whether one is under way.
    pub hardware: RwSignal<Option<super::protocol::HardwareReport>>,
    pub measuring: RwSignal<bool>,
    /// In class mode, the settings of the run the class saw start (`class_report`).
    pub class_run: RwSignal<Option<backprop_classroom::RunSettings>>,
}

/// Where a run on the Train step started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunOrigin {
    /// A fresh initialisation from the seed (page load or Reset).
    Fresh,
    /// A model the student loaded from a `.safetensors` file.
    Loaded,
    /// A run saved in this browser and taken up again (its settings' history is not known).
    Resumed,
}

/// Whether a learning rate is the one "Check yourself" asks about (1).
pub fn is_rate_one(lr: f32) -> bool {
    (lr - 1.0).abs() < 1e-6
}

impl State {
    fn new() -> Self {
        Self {
            status: WorkerStatus::new(),
            measurements: RwSignal::new(Vec::new()),
            kernels: RwSignal::new(None),
            data: RwSignal::new((0, 0, 0, 0)),
            step: RwSignal::new(0),
            epoch: RwSignal::new((1, 0.0)),
            speed: RwSignal::new(0.0),
            running: RwSignal::new(false),
            finished: RwSignal::new(false),
            losses: RwSignal::new(LossHistory::new()),
            evals: RwSignal::new(Vec::new()),
            confusion: RwSignal::new((Vec::new(), 10)),
            weights: RwSignal::new(None),
            prediction: RwSignal::new(Vec::new()),
            cell: RwSignal::new(None),
            phase: RwSignal::new(None),
            pausing: RwSignal::new(false),
            imported: RwSignal::new(None),
            diverged: RwSignal::new(None),
            worker_memory: RwSignal::new(0.0),
            saved: RwSignal::new(None),
            resumed: RwSignal::new(None),
            overfit: RwSignal::new(OverfitView::default()),
            walked: RwSignal::new(None),
            test_final: RwSignal::new(None),
            blown_at_one: RwSignal::new(None),
            first_loss: RwSignal::new(None),
            origin: RwSignal::new(RunOrigin::Fresh),
            hardware: RwSignal::new(None),
            measuring: RwSignal::new(false),
            class_run: RwSignal::new(None),
        }
    }

    /// Forgets the run's figures (a reset, a loaded model, a resumed run).
    pub fn clear_run(&self) {
        self.step.set(0);
        self.epoch.set((1, 0.0));
        self.losses.set(LossHistory::new());
        self.evals.set(Vec::new());
        self.confusion.set((Vec::new(), 10));
        self.cell.set(None);
        self.finished.set(false);
        self.running.set(false);
        self.diverged.set(None);
        self.walked.set(None);
        self.test_final.set(None);
        // A speed belongs to the steps it measured.
        self.speed.set(0.0);
    }

    /// The curves go back to a snapshot's step: what came after it was undone.
    fn back_to(&self, step: u64) {
        self.losses.update(|l| l.truncate(step));
        self.evals.update(|e| e.retain(|&(s, _, _)| s <= step));
        self.step.set(step);
        self.test_final.set(None);
        // The speed measured the steps that were undone.
        self.speed.set(0.0);
    }

    /// The overfitting experiment's news.
    fn overfit_event(&self, event: OverfitEvent) {
        self.overfit.update(|o| match event {
            OverfitEvent::Began(plan) => {
                *o = OverfitView {
                    plan: Some(plan),
                    running: true,
                    finished: std::mem::take(&mut o.finished),
                    ..OverfitView::default()
                }
            }
            OverfitEvent::Epoch { metrics, left } => o.epochs.push((metrics, left)),
            OverfitEvent::Stopped(outcome) => {
                if let Some(plan) = &o.plan {
                    o.finished.extend(super::overfit_text::RunSummary::of(
                        plan, &o.epochs, &outcome,
                    ));
                }
                o.outcome = Some(outcome);
                o.running = false;
            }
            OverfitEvent::Cancelled => o.running = false,
        });
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
            Event::Phase {
                phase,
                step,
                labels,
                ms,
            } => self.walked.update(|w| {
                // The batch's labels stay on screen for the rest of its step.
                let labels = match (phase, w.take()) {
                    (Phase::Data, _) => labels,
                    (_, Some(before)) if before.step == step => before.labels,
                    _ => Vec::new(),
                };
                *w = Some(Walked {
                    phase,
                    step,
                    labels,
                    ms,
                });
            }),
            Event::Overfit(event) => self.overfit_event(event),
            Event::Saved { run } => self.saved.set(run),
            Event::Resumed {
                config,
                history,
                evals,
            } => {
                self.clear_run();
                self.origin.set(RunOrigin::Resumed);
                self.first_loss.set(None);
                self.blown_at_one.set(None);
                self.losses.set(history);
                self.evals.set(evals);
                self.resumed.set(Some(config));
            }
            Event::Measurements(measurements) => self.measurements.set(measurements),
            Event::Kernels {
                dispatches,
                products,
            } => self.kernels.set(Some((dispatches, products))),
            Event::Data {
                train_loaded,
                train_total,
                test_loaded,
                test_total,
            } => self
                .data
                .set((train_loaded, train_total, test_loaded, test_total)),
            Event::Progress {
                step,
                epoch,
                epoch_fraction,
                losses,
                samples_per_second,
                running,
                finished,
                worker_memory,
            } => {
                self.worker_memory.set(worker_memory);
                self.step.set(step);
                self.epoch.set((epoch, epoch_fraction));
                if samples_per_second > 0.0 {
                    self.speed.set(samples_per_second);
                }
                if !losses.is_empty() {
                    // Step 1's loss: the untrained model's ("Check yourself" grades by it).
                    if step as usize == losses.len() {
                        self.first_loss.set(Some(losses[0]));
                    }
                    self.losses.update(|l| l.extend(&losses));
                }
                self.running.set(running);
                if !running {
                    self.pausing.set(false);
                }
                self.finished.set(finished);
            }
            Event::Restored { step } => self.back_to(step),
            Event::Diverged {
                step,
                loss,
                lr,
                rolled_back_to,
            } => {
                self.back_to(rolled_back_to);
                self.running.set(false);
                self.pausing.set(false);
                let d = Divergence {
                    step,
                    loss,
                    lr,
                    rolled_back_to,
                };
                if is_rate_one(lr) {
                    self.blown_at_one.set(Some(d));
                }
                self.diverged.set(Some(d));
            }
            Event::TestFinal {
                step,
                accuracy,
                loss,
                images,
            } => self.test_final.set(Some((step, accuracy, loss, images))),
            Event::Evaluation {
                step,
                accuracy,
                loss,
                confusion,
                classes,
            } => {
                self.evals
                    .update(|e| push_bounded(e, (step, accuracy, loss)));
                self.confusion.set((confusion, classes));
            }
            Event::Weights {
                width,
                height,
                units,
                rgba,
            } => self.weights.set(Some(WeightsImage {
                width,
                height,
                units,
                rgba: rgba.into_vec(),
            })),
            Event::Imported { hidden } => {
                self.clear_run();
                self.origin.set(RunOrigin::Loaded);
                self.first_loss.set(None);
                self.blown_at_one.set(None);
                self.imported.set(Some(hidden));
            }
        }
    }
}

/// Starts the lesson's worker (ended when the lesson is left) and the state its events update.
pub fn start() -> (Client, State) {
    let state = State::new();
    (Client::open(super::WORKER.name, state), state)
}

/// Asks `query` and hands the answer to `then`; a failed query's message is shown.
pub fn ask(client: &Client, query: Query, then: impl FnOnce(Reply) + 'static) {
    let client = client.clone();
    wasm_bindgen_futures::spawn_local(async move {
        if let Some(reply) = client.query(query).await {
            then(reply);
        }
    });
}

/// Saves a model the worker sent as `mlp-784-512-10.safetensors`.
pub fn download_model(state: State, bytes: &[u8], widths: &[usize]) {
    if let Err(e) = files::download_model(bytes, widths) {
        state.status.say(MessageCode::ExportFailed, e);
    }
}
