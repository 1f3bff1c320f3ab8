//! The fine-tuning run kept in this browser (IndexedDB, key `finetune-<scenario>`): both models, the
//! weights each phase started from, and the lesson's history (every held-out measurement, the last
//! progress, each phase's settings), written when a phase ends or stops, after each change the student
//! makes, and every [`SAVE_EVERY_SECONDS`] while a phase runs. When the lesson opens on the same
//! scenario and examples it is taken up again: the page gets the history replayed through its one event
//! handler, so a reload shows the same curves, arms and verdict. Nothing leaves the browser.

use kernels::{Engine, EngineError, Mlp};
use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;

use super::Worker;
use crate::lessons::finetune::protocol::{Event, PhaseKind, PhaseSettings, Scenario, Slot, fnv1a};
use crate::store;

/// Bumped when the layout changes (an older entry is then ignored).
const VERSION: u32 = 1;
/// While a phase runs, the run is kept at most this often (a save reads back every model).
pub const SAVE_EVERY_SECONDS: f64 = 15.0;

/// The store's key for a scenario.
pub fn key(scenario: Scenario) -> String {
    format!("finetune-{}", scenario.id())
}

/// What the page was told since the model was loaded, in the order it was told: replayed after a
/// reload so the page rebuilds its state with the handler that built it the first time.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct History {
    /// Held-out measurements (the model as loaded first), and the last progress of a phase.
    pub events: Vec<Event>,
    /// The head was replaced since the load.
    pub head_replaced: bool,
    /// The frozen flags the head phase ran with, kept once the full phase unfroze everything.
    pub head_frozen: Option<Vec<bool>>,
    /// The settings each phase last ran with.
    pub settings: Vec<PhaseSettings>,
    /// A phase running when the run was kept (phase, epochs done, its epochs): a reload does not
    /// continue it, and the page says so.
    #[serde(default)]
    pub interrupted: Option<(PhaseKind, usize, usize)>,
}

impl History {
    /// Records an event the page was sent, if it is part of the run's story: every measurement, and
    /// only the latest progress (a reload shows it stopped).
    pub fn record(&mut self, event: &Event) {
        match event {
            // Every stop, in order: a replay drops the same epochs from the curve as the page did.
            Event::Evaluation { .. } | Event::Stopped(_) => self.events.push(event.clone()),
            Event::Progress {
                phase,
                epoch,
                epochs,
                steps,
                loss,
                running,
            } => {
                self.interrupted = running.then_some((*phase, *epoch, *epochs));
                self.events.retain(|e| !matches!(e, Event::Progress { .. }));
                self.events.push(Event::Progress {
                    phase: *phase,
                    epoch: *epoch,
                    epochs: *epochs,
                    steps: *steps,
                    loss: *loss,
                    running: false,
                });
            }
            Event::Seeds { runs, .. } => {
                self.events.retain(|e| !matches!(e, Event::Seeds { .. }));
                self.events.push(Event::Seeds {
                    runs: runs.clone(),
                    running: false,
                });
            }
            _ => {}
        }
    }

    /// A phase starts with `settings` (a new scratch run replaces the last one's measurements).
    pub fn begin(&mut self, settings: PhaseSettings) {
        if settings.phase == PhaseKind::Scratch {
            self.events.retain(|e| {
                !matches!(
                    e,
                    Event::Evaluation {
                        slot: Slot::Scratch,
                        ..
                    }
                )
            });
        }
        self.settings.retain(|s| s.phase != settings.phase);
        self.settings.push(settings);
        self.interrupted = (settings.epochs > 0).then_some((settings.phase, 0, settings.epochs));
    }
}

/// A fine-tuning run at a moment.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SavedRun {
    version: u32,
    /// The seed in the lesson's URL (new heads, shuffling, scratch initialisation).
    seed: u64,
    /// Fingerprint of the training and held-out examples.
    data: String,
    /// The fine-tuned model as `.safetensors`, and its frozen flags per layer.
    tuned: ByteBuf,
    frozen: Vec<bool>,
    /// The tuned model when its current phase began (‖ΔW‖ is measured from it).
    phase_start: Option<ByteBuf>,
    /// The from-scratch model, once trained.
    scratch: Option<ByteBuf>,
    /// The model as loaded, when the student picked it (the shipped one is fetched again).
    loaded: Option<ByteBuf>,
    /// Head-phase epochs trained (the full phase's shuffling continues after them).
    pub head_epochs: usize,
    /// What the page was told.
    pub history: History,
}

/// The models of a run taken up again.
pub struct Restored {
    /// The fine-tuned model with its frozen flags.
    pub tuned: Mlp,
    /// Where its phase began.
    pub phase_start: Option<Mlp>,
    /// The from-scratch model.
    pub scratch: Option<Mlp>,
    /// The student's model as loaded.
    pub loaded: Option<Mlp>,
}

fn bytes(model: &Mlp) -> Result<ByteBuf, String> {
    model
        .to_safetensors()
        .map(ByteBuf::from)
        .map_err(|e| e.to_string())
}

impl SavedRun {
    /// The run of `tuned` (with its frozen flags) and the rest.
    pub fn new(
        seed: u64,
        data: String,
        [tuned, phase_start, scratch, loaded]: [Option<&Mlp>; 4],
        head_epochs: usize,
        history: History,
    ) -> Result<Self, String> {
        let tuned = tuned.ok_or("no fine-tuned model")?;
        Ok(Self {
            version: VERSION,
            seed,
            data,
            tuned: bytes(tuned)?,
            frozen: tuned.layers.iter().map(|l| l.weight_frozen).collect(),
            phase_start: phase_start.map(bytes).transpose()?,
            scratch: scratch.map(bytes).transpose()?,
            loaded: loaded.map(bytes).transpose()?,
            head_epochs,
            history,
        })
    }

    /// The models, if this entry is a run on the same examples (`data`) from the same `seed` with
    /// `inputs` per example.
    pub fn restore(&self, seed: u64, data: &str, inputs: usize) -> Option<Restored> {
        if self.version != VERSION || self.seed != seed || self.data != data {
            return None;
        }
        let read = |b: &ByteBuf| {
            Mlp::from_safetensors(b)
                .ok()
                .filter(|m| m.input_size() == inputs)
        };
        let mut tuned = read(&self.tuned)?;
        if self.frozen.len() != tuned.layers.len() {
            return None;
        }
        for (l, &frozen) in self.frozen.iter().enumerate() {
            tuned.set_layer_frozen(l, frozen).ok()?;
        }
        let phase_start = match &self.phase_start {
            Some(b) => Some(read(b)?),
            None => None,
        };
        let scratch = match &self.scratch {
            Some(b) => Some(read(b)?),
            None => None,
        };
        let loaded = match &self.loaded {
            Some(b) => Some(read(b)?),
            None => None,
        };
        Some(Restored {
            tuned,
            phase_start,
            scratch,
            loaded,
        })
    }
}

/// A fingerprint of the examples a run trained and measured on.
pub fn data_digest(train: &kernels::dataset::Dataset, test: &kernels::dataset::Dataset) -> String {
    let mut all = Vec::with_capacity(train.images.len() + test.images.len() + 64);
    for d in [train, test] {
        all.extend_from_slice(&(d.len() as u64).to_le_bytes());
        all.extend_from_slice(&d.images);
        all.extend_from_slice(&d.labels);
        for name in &d.class_names {
            all.extend_from_slice(name.as_bytes());
        }
    }
    fnv1a(&all)
}

impl Worker {
    /// Keeps the run in this browser (a failure only costs the resume after a reload).
    pub(super) async fn save(&mut self) {
        self.dirty = false;
        self.saved_at = crate::runtime::now();
        // A run is worth keeping once something was trained or a head replaced: a fresh load (and a
        // frozen layer, which the URL's step restores) is the page's start anyway.
        if self.history.settings.is_empty() && !self.history.head_replaced {
            return;
        }
        let (Some(scenario), Some(train), Some(test)) = (self.scenario, &self.train, &self.test)
        else {
            return;
        };
        let data = data_digest(train, test);
        let kept = async {
            let tuned = match self.tuned.as_mut() {
                Some(e) => e.model().await.map_err(|e| e.to_string())?,
                None => return Err("no model".to_string()),
            };
            let scratch = match self.scratch.as_mut() {
                Some(e) => Some(e.model().await.map_err(|e| e.to_string())?),
                None => None,
            };
            let saved = SavedRun::new(
                self.seed,
                data,
                [
                    Some(&tuned),
                    self.phase_start.as_ref(),
                    scratch.as_ref(),
                    self.loaded.as_ref().filter(|_| self.uploaded),
                ],
                self.head_epochs,
                self.history.clone(),
            )?;
            store::put(&key(scenario), &saved)
                .await
                .map_err(|e| e.to_string())
        };
        match kept.await {
            Ok(()) => self.out.post(&Event::Kept),
            Err(e) => crate::runtime::warn(&format!("the fine-tuning run was not kept: {e}")),
        }
    }

    /// Takes up the run kept for this scenario if it trained on the examples now loaded; then the
    /// page is told everything again. Returns whether it did.
    pub(super) async fn resume(&mut self) -> Result<bool, EngineError> {
        let (Some(scenario), Some(train), Some(test)) = (self.scenario, &self.train, &self.test)
        else {
            return Ok(false);
        };
        let data = data_digest(train, test);
        let inputs = train.features();
        let Ok(Some(saved)) = store::get::<SavedRun>(&key(scenario)).await else {
            return Ok(false);
        };
        let Some(restored) = saved.restore(self.seed, &data, inputs) else {
            return Ok(false);
        };
        let gpu = self.gpu.for_kind(self.kind).cloned();
        self.tuned = Some(super::engine_for(
            gpu.as_ref(),
            &restored.tuned,
            self.augmentation,
        )?);
        self.scratch = match &restored.scratch {
            Some(m) => Some(super::engine_for(gpu.as_ref(), m, self.augmentation)?),
            None => None,
        };
        self.set_data()?;
        self.phase_start = restored.phase_start;
        if let Some(m) = restored.loaded {
            self.loaded = Some(m);
            self.uploaded = true;
        }
        self.head_epochs = saved.head_epochs;
        self.run = None;
        self.history = saved.history.clone();
        self.resumed = true;
        // The freezing panel describes the last phase as it ran.
        self.freezing = saved
            .history
            .settings
            .last()
            .map_or(kernels::Freezing::Skip, |s| s.freezing);
        self.out.post(&Event::Resumed {
            head_replaced: saved.history.head_replaced,
            head_frozen: saved.history.head_frozen.clone(),
            settings: saved.history.settings.clone(),
        });
        self.post_model(Slot::Tuned, &restored.tuned);
        if let Some(m) = &restored.scratch {
            self.post_model(Slot::Scratch, m);
        }
        for event in &saved.history.events {
            self.out.post(event);
        }
        // A phase cut off by the reload is not continued: the page says which, and how far it got.
        if let Some((phase, epoch, epochs)) = saved.history.interrupted {
            self.out.post(&Event::Interrupted {
                phase,
                epoch,
                epochs,
            });
            self.history.interrupted = None;
            self.dirty = true;
        }
        // Measured again from the weights taken up (not replayed): the page's accuracy and its
        // predictions' fingerprint now come from the restored model.
        // Not told (kept in the history): a reload would otherwise add a measurement each time.
        if let Some(event) = self.measure(Slot::Tuned, None, 0).await? {
            self.out.post(&event);
        }
        self.tensors().await?;
        Ok(true)
    }

    /// Forgets the run kept for this scenario (the page then starts afresh).
    pub(super) async fn forget(&mut self) {
        self.dirty = false;
        if let Some(scenario) = self.scenario
            && let Err(e) = store::delete(&key(scenario)).await
        {
            crate::runtime::warn(&e.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(slot: Slot, phase: Option<PhaseKind>, accuracy: f32) -> Event {
        Event::Evaluation {
            slot,
            phase,
            epoch: 1,
            accuracy,
            loss: 1.0,
            predictions_digest: String::new(),
        }
    }

    fn settings(phase: PhaseKind, lr: f32) -> PhaseSettings {
        PhaseSettings {
            phase,
            epochs: 2,
            lr,
            momentum: 0.9,
            weight_decay: 0.0,
            freezing: kernels::Freezing::Skip,
            batch: 10,
            seed: 1,
            patience: 0,
        }
    }

    #[test]
    fn the_history_keeps_every_measurement_the_last_progress_and_the_last_scratch_run() {
        let mut h = History::default();
        h.record(&eval(Slot::Tuned, None, 0.5));
        h.begin(settings(PhaseKind::Head, 0.001));
        h.record(&eval(Slot::Tuned, Some(PhaseKind::Head), 0.6));
        for running in [true, true] {
            h.record(&Event::Progress {
                phase: PhaseKind::Head,
                epoch: 1,
                epochs: 2,
                steps: 5,
                loss: 0.3,
                running,
            });
        }
        assert_eq!(
            h.interrupted,
            Some((PhaseKind::Head, 1, 2)),
            "a reload now would cut the head phase off at epoch 1 of 2"
        );
        h.record(&Event::Progress {
            phase: PhaseKind::Head,
            epoch: 2,
            epochs: 2,
            steps: 10,
            loss: 0.3,
            running: false,
        });
        assert_eq!(h.interrupted, None, "the phase ended");
        h.begin(settings(PhaseKind::Scratch, 0.01));
        assert_eq!(h.interrupted, Some((PhaseKind::Scratch, 0, 2)));
        h.record(&eval(Slot::Scratch, Some(PhaseKind::Scratch), 0.2));
        h.begin(settings(PhaseKind::Scratch, 0.02));
        h.record(&eval(Slot::Scratch, Some(PhaseKind::Scratch), 0.3));
        h.begin(settings(PhaseKind::Head, 0.002));
        let progress: Vec<_> = h
            .events
            .iter()
            .filter_map(|e| match e {
                Event::Progress { running, .. } => Some(*running),
                _ => None,
            })
            .collect();
        assert_eq!(
            progress,
            [false],
            "one progress, shown stopped after a reload"
        );
        let accuracies: Vec<f32> = h
            .events
            .iter()
            .filter_map(|e| match e {
                Event::Evaluation { accuracy, .. } => Some(*accuracy),
                _ => None,
            })
            .collect();
        assert_eq!(accuracies, [0.5, 0.6, 0.3]);
        let lrs: Vec<(PhaseKind, f32)> = h.settings.iter().map(|s| (s.phase, s.lr)).collect();
        assert_eq!(lrs, [(PhaseKind::Scratch, 0.02), (PhaseKind::Head, 0.002)]);
    }

    #[test]
    fn a_saved_run_round_trips_with_its_frozen_flags_and_refuses_other_examples_or_seeds() {
        let mut tuned = Mlp::new(784, &[16], 10, 1).unwrap();
        tuned.freeze(0).unwrap();
        let scratch = Mlp::new(784, &[16], 10, 2).unwrap();
        let saved = SavedRun::new(
            7,
            "abc".into(),
            [Some(&tuned), Some(&scratch), Some(&scratch), Some(&scratch)],
            3,
            History::default(),
        )
        .unwrap();
        let r = saved.restore(7, "abc", 784).unwrap();
        assert!(r.tuned.layers[0].weight_frozen && !r.tuned.layers[1].weight_frozen);
        assert_eq!(r.tuned.layers[1].weight, tuned.layers[1].weight);
        assert_eq!(r.scratch.unwrap().layers[0].bias, scratch.layers[0].bias);
        assert_eq!(r.loaded.unwrap().layers[1].weight, scratch.layers[1].weight);
        assert_eq!(saved.head_epochs, 3);
        assert!(saved.restore(8, "abc", 784).is_none(), "another seed");
        assert!(saved.restore(7, "abd", 784).is_none(), "other examples");
        assert!(
            saved.restore(7, "abc", 3072).is_none(),
            "another input size"
        );
    }
}
