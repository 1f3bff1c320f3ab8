//! Messages between the fine-tuning lesson's page and its worker, in three kinds: commands (each names
//! the model slot it acts on), queries that get exactly one reply matched by id, and events.

use kernels::Freezing;
use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;

pub use crate::messages::MessageCode;
use kernels::engine::Preference;

/// Where the lesson's examples come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scenario {
    /// The student's own drawings of the ten digits.
    Handwriting,
    /// The shipped "MNIST with another pen" set (thicker strokes, moved off-centre).
    Pen,
    /// k new symbols the student draws; the head gets k outputs.
    Symbols,
    /// Fashion-MNIST with the MNIST model: the honest case where transfer barely helps.
    Clothes,
    /// The classic CIFAR-10 program: an MLP trained on the six animal classes, fine-tuned to the four
    /// vehicles through a new 512→4 head, with flips and crops.
    Cifar,
}

impl Scenario {
    /// Every scenario, in the order the picker shows them.
    pub const ALL: [Scenario; 5] = [
        Scenario::Handwriting,
        Scenario::Pen,
        Scenario::Symbols,
        Scenario::Clothes,
        Scenario::Cifar,
    ];

    /// The URL value (`scenario=pen`).
    pub fn id(self) -> &'static str {
        match self {
            Self::Handwriting => "handwriting",
            Self::Pen => "pen",
            Self::Symbols => "symbols",
            Self::Clothes => "clothes",
            Self::Cifar => "cifar",
        }
    }

    /// Parses a URL value.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.id() == s)
    }

    /// Whether the task's classes are the pretrained head's (the digits), so the untouched model's
    /// accuracy on it means something.
    pub fn keeps_classes(self) -> bool {
        matches!(self, Self::Handwriting | Self::Pen)
    }

    /// The shipped dataset under `static/data/`, or `None` when the student draws the examples.
    pub fn dataset(self) -> Option<&'static str> {
        match self {
            Self::Pen => Some("mnist-pen"),
            Self::Clothes => Some("fashion-mnist"),
            Self::Cifar => Some("cifar10"),
            Self::Handwriting | Self::Symbols => None,
        }
    }
}

/// The two models the lesson trains side by side on one device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Slot {
    /// The pretrained model being fine-tuned.
    Tuned,
    /// The same architecture from a fresh initialisation, for the comparison.
    Scratch,
}

/// Which phase of the recipe a training run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PhaseKind {
    /// Body frozen, head trains.
    Head,
    /// Everything unfrozen.
    Full,
    /// The from-scratch baseline.
    Scratch,
}

/// Labelled images (`count × 784` bytes, ink high) for a split.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Examples {
    /// Pixels, row-major, one image after another.
    pub pixels: ByteBuf,
    /// One label per image.
    pub labels: Vec<u8>,
}

/// Page → worker.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Command {
    /// Load a pretrained model into the tuned slot (the shipped one when `model` is `None`) and
    /// measure it on the held-out examples; for a shipped scenario also load its data.
    Load {
        /// The scenario.
        scenario: Scenario,
        /// Engine preference from the URL.
        engine: Preference,
        /// Training examples per class (shipped scenarios).
        per_class: usize,
        /// Held-out examples measured (shipped scenarios).
        test: usize,
        /// The lesson's seed (a kept run is taken up only when it matches).
        seed: u64,
        /// A `.safetensors` the student picked, else the shipped model.
        model: Option<ByteBuf>,
        /// Take up the run kept in this browser for the scenario, if it trained on these examples
        /// (the page's first load; an upload starts a new run).
        resume: bool,
    },
    /// The student's drawings become the data (handwriting and symbols).
    UseDrawn {
        /// Class names.
        classes: Vec<String>,
        /// Training examples.
        train: Examples,
        /// Held-out examples.
        test: Examples,
    },
    /// Freeze or unfreeze one layer of a slot.
    SetFrozen {
        /// Which model.
        slot: Slot,
        /// Layer index (0 = fc1).
        layer: usize,
        /// Frozen or not.
        frozen: bool,
    },
    /// Replace the slot's head by a fresh `classes`-output layer initialised from `seed`.
    ReplaceHead {
        /// Which model.
        slot: Slot,
        /// Outputs of the new head.
        classes: usize,
        /// Seed of its initialisation.
        seed: u64,
    },
    /// The instant steps before the URL's `step` (fc1 frozen from step 3; for drawn symbols a new head
    /// from step 4), unless a kept run was taken up.
    RestoreStep {
        /// The step in the URL.
        step: usize,
        /// Outputs of the new head (symbols).
        classes: usize,
        /// Seed of its initialisation.
        seed: u64,
    },
    /// Forget the run kept in this browser for the scenario (the page reloads afresh).
    Forget,
    /// Train a phase. `Full` unfreezes every layer first; `Scratch` (re)initialises the scratch slot.
    Train(PhaseSettings),
    /// Rerun the fine-tuned and from-scratch arms with 3 seeds from the model as loaded, each phase
    /// with the settings it last ran with.
    Seeds,
    /// Stop after the current step (a phase, or the seeds job).
    Pause,
}

/// One seed's arms in the "3 seeds" comparison.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeedRun {
    /// The seed (new head, shuffling, scratch initialisation).
    pub seed: u64,
    /// Held-out accuracy of the fine-tuned arm, once run.
    pub tuned: Option<f32>,
    /// Held-out accuracy of the from-scratch arm, once run.
    pub scratch: Option<f32>,
}

/// How a phase trains.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhaseSettings {
    /// Which phase.
    pub phase: PhaseKind,
    /// Epochs over the training examples.
    pub epochs: usize,
    /// Learning rate.
    pub lr: f32,
    /// SGD momentum.
    pub momentum: f32,
    /// SGD's L2 weight decay (PyTorch's `weight_decay`).
    pub weight_decay: f32,
    /// What a step does with the frozen layers.
    pub freezing: Freezing,
    /// Rows per step.
    pub batch: usize,
    /// Shuffling (and scratch initialisation) seed.
    pub seed: u64,
    /// Early stopping: epochs without a lower validation loss before the phase stops and keeps its
    /// best epoch's weights (0: off, every epoch runs). Older kept runs have none.
    #[serde(default)]
    pub patience: usize,
}

/// Where a phase with early stopping stopped, and what it kept.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct StopInfo {
    /// The phase.
    pub phase: PhaseKind,
    /// Its patience (epochs without a lower validation loss).
    pub patience: usize,
    /// Its epochs at most.
    pub epochs: usize,
    /// The last epoch trained.
    pub stopped_at: usize,
    /// The epoch with the lowest validation loss, whose weights were kept (0: none was finite).
    pub best_epoch: usize,
    /// That validation loss.
    pub best_loss: f32,
    /// Patience ran out (false: every epoch ran).
    pub early: bool,
    /// Training examples the phase trained on (the rest of the training examples).
    pub train: usize,
    /// Validation examples carved from the training examples.
    pub validation: usize,
}

/// Questions to the worker.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Query {
    /// The slot's model as `.safetensors` (PyTorch names).
    Export {
        /// Which model.
        slot: Slot,
    },
}

/// Answers.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Reply {
    /// `.safetensors` bytes.
    Model(ByteBuf),
}

/// A training example as step 1 shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Pixels as stored (`channels` planes of `side × side`).
    pub pixels: ByteBuf,
    /// Image side.
    pub side: usize,
    /// 1 (grey) or 3 (colour planes).
    pub channels: usize,
    /// Its class's name.
    pub class: String,
}

/// One parameter tensor as the freezing panel shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TensorRow {
    /// PyTorch name, e.g. `fc1.weight`.
    pub name: String,
    /// Number of values.
    pub count: usize,
    /// Frozen now.
    pub frozen: bool,
    /// ‖∇‖ of the last step; `None` where no gradient was computed (a frozen tensor, as PyTorch's
    /// `p.grad` is None, or no step since the last change).
    pub grad_norm: Option<f64>,
    /// ‖W − W at the phase's start‖ from the live weights.
    pub weight_change: f64,
    /// ‖momentum buffer‖.
    pub momentum_norm: f64,
    /// Frozen by zeroing its gradient: the gradient was taken as 0 and the optimiser still updated it.
    pub zeroed: bool,
}

/// One kernel launch of the last step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KernelRow {
    /// Kernel.
    pub kernel: String,
    /// What it computed (translated on the page).
    pub task: kernels::engine::Task,
    /// Share of the step's floating-point work.
    pub share: f64,
    /// Which GPU dispatch of the step ran it (rows with the same number ran fused in one dispatch).
    pub dispatch: usize,
}

/// Worker → page.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Event {
    /// The data in use.
    Data {
        /// Class names.
        classes: Vec<String>,
        /// Training examples.
        train: usize,
        /// Held-out examples.
        test: usize,
        /// The first training example of each class (at most 10), to show what the task looks like.
        samples: Vec<Sample>,
    },
    /// A slot's model changed shape or frozen flags.
    Model {
        /// Which model.
        slot: Slot,
        /// `[input, hidden…, classes]`.
        widths: Vec<usize>,
        /// Per layer.
        frozen: Vec<bool>,
    },
    /// An evaluation on the held-out examples.
    Evaluation {
        /// Which model.
        slot: Slot,
        /// The phase it ended (None: right after loading).
        phase: Option<PhaseKind>,
        /// Epoch within the phase (0 before training).
        epoch: usize,
        /// Fraction correct.
        accuracy: f32,
        /// Mean loss.
        loss: f32,
        /// FNV-1a of the predicted classes, to compare predictions across export and import.
        predictions_digest: String,
    },
    /// Training progress.
    Progress {
        /// Which phase runs (or ran last).
        phase: PhaseKind,
        /// Epochs done in the phase.
        epoch: usize,
        /// Epochs of the phase.
        epochs: usize,
        /// Steps done in the phase.
        steps: usize,
        /// Mean loss of the last burst.
        loss: f32,
        /// Still training.
        running: bool,
    },
    /// The freezing panel's figures for the tuned slot after the last step.
    Tensors {
        /// Per tensor.
        rows: Vec<TensorRow>,
        /// Launches of the last step.
        kernels: Vec<KernelRow>,
        /// GPU dispatches of the last step's launches (0 before the first).
        dispatches: usize,
        /// FNV-1a of fc1's weights read back from the engine.
        fc1_digest: String,
    },
    /// A run kept in this browser was taken up; the models and the history's events follow.
    Resumed {
        /// The head was replaced in that run.
        head_replaced: bool,
        /// The frozen flags its head phase ran with.
        head_frozen: Option<Vec<bool>>,
        /// The settings each phase last ran with.
        settings: Vec<PhaseSettings>,
    },
    /// A phase with early stopping ended: where, and which epoch's weights it kept (the curve's
    /// later epochs are dropped on the page, as those weights are gone).
    Stopped(StopInfo),
    /// A validation loss of the running phase (early stopping), after each epoch.
    Validation {
        /// The phase.
        phase: PhaseKind,
        /// Epoch within the phase.
        epoch: usize,
        /// Mean loss on the validation examples.
        loss: f32,
        /// Epochs left without a lower loss before the phase stops.
        left: usize,
    },
    /// A phase was running when the page was left; the run taken up stops where it was kept.
    Interrupted {
        /// The phase.
        phase: PhaseKind,
        /// Epochs done when it was last kept.
        epoch: usize,
        /// Its epochs.
        epochs: usize,
    },
    /// Where the "3 seeds" job is (not kept: the results are).
    SeedsProgress {
        /// Seed being run (0-based) and how many.
        seed: usize,
        /// Seeds in all.
        seeds: usize,
        /// The phase running.
        phase: PhaseKind,
        /// Epochs done in it, and its epochs.
        epoch: usize,
        /// Its epochs.
        epochs: usize,
    },
    /// The "3 seeds" results so far.
    Seeds {
        /// One entry per seed.
        runs: Vec<SeedRun>,
        /// More runs follow.
        running: bool,
    },
    /// The run was kept in this browser (it will be taken up after a reload).
    Kept,
}

/// FNV-1a (64-bit) as hex: a short fingerprint of bytes shown in `data-value` attributes.
pub fn fnv1a(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// The lesson's messages, as the runtime's envelope carries them.
pub type Protocol = crate::protocol::Messages<Command, Query, Reply, Event>;

/// The page's end of the lesson's worker.
pub type Client = crate::client::LessonClient<Protocol>;
