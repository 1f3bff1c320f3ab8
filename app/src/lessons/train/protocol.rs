//! Messages between "Train a network" and its worker, in three kinds: commands, queries that get
//! exactly one [`Reply`] with the same id (the envelope is [`crate::protocol`]), and events. They cross `postMessage` as structured
//! clones built by serde-wasm-bindgen; bulk bytes (`ByteBuf`) travel as `Uint8Array`s. What the worker
//! says travels as a [`WorkerMessage`] (a code the page translates, and the engine's own detail).

use kernels::EngineKind;
use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;

use super::setup::Setup;
use crate::history::LossHistory;
pub use crate::messages::{MessageCode, WorkerMessage};
use crate::protocol::Messages;

/// Page → worker.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Command {
    /// (Re)build the model and optimiser from this configuration and seed; keeps loaded data. The first
    /// one starts the worker; a later one begins a new run (and forgets the saved one).
    Reset(Setup),
    /// Train continuously.
    Start,
    /// Stop after the current burst.
    Pause,
    /// One training step (while paused).
    Step,
    /// Change learning rate and momentum mid-run.
    SetRates {
        /// Learning rate.
        lr: f32,
        /// Momentum.
        momentum: f32,
    },
    /// Replace the model by a `.safetensors` the student picked; training starts afresh from it.
    Import {
        /// The file.
        bytes: ByteBuf,
    },
    /// Destroy the GPU device, as a driver reset would (`?debug=1` shows the control).
    DebugLoseDevice,
    /// Put a NaN into the model (the output layer's first bias), as an overflowing weight would: the
    /// next step's loss is NaN and the divergence path runs (`?debug=1` shows the control).
    DebugPoison,
    /// Continue the run saved in this browser ([`Event::Saved`] offered it).
    Resume,
    /// The overfitting experiment (step 5) on an engine of its own: pauses the run above, trains the
    /// lesson's model on `train` images with a validation split until `patience` evaluations bring no
    /// lower validation loss, restores the best weights and measures the test set once.
    Overfit {
        /// Training images.
        train: usize,
        /// Patience in evaluations.
        patience: usize,
    },
    /// Stop the overfitting experiment where it is (nothing is measured on the test set).
    OverfitCancel,
    /// Run the next line of the loop: the next step's batch, `zero_grad`, forward, loss, backward or
    /// the optimiser's step, one engine part each ([`Event::Phase`] says when it ran). Pauses a
    /// running run; any other command or query completes the walked step first.
    WalkPhase,
}

/// Questions to the worker.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Query {
    /// Classify a drawn digit: `input_size` pixels in 0..=255, row-major.
    Predict {
        /// Pixels.
        pixels: ByteBuf,
    },
    /// The test images whose true class is `truth` and predicted class is `predicted`.
    Cell {
        /// True class.
        truth: u8,
        /// Predicted class.
        predicted: u8,
    },
    /// Training image `index` as stored, with its label and the normalisation the gather kernel applies
    /// (the lesson's first step shows a digit before and after it).
    TrainImage {
        /// Index in the training split (wraps around).
        index: usize,
    },
    /// The model as `.safetensors` (PyTorch names).
    Export,
    /// One step of the current weights on our engine and on burn's autodiff, compared (feature `burn`).
    CheckAutodiff,
    /// Forget the run saved in this browser; answered once it is gone, so a reload right after offers
    /// nothing.
    ClearSaved,
    /// Time about a second of training steps of each engine on the run's shape ("Why a GPU?").
    Hardware,
}

/// Answers.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Reply {
    /// Softmax probabilities of the drawn digit.
    Prediction(Vec<f32>),
    /// Test images of one confusion-matrix cell.
    Cell(CellImages),
    /// A training image.
    Image(TrainImage),
    /// The model file.
    ModelFile {
        /// `.safetensors` bytes.
        bytes: ByteBuf,
        /// `[input, hidden…, classes]` (for the file name).
        widths: Vec<usize>,
    },
    /// Our gradients against burn's autodiff.
    Autodiff(AutodiffCheck),
    /// The saved run is forgotten.
    Cleared,
    /// Each engine's measured speed on the run's shape.
    Hardware(HardwareReport),
}

/// One engine's measured training speed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EngineSpeed {
    /// Which engine.
    pub kind: EngineKind,
    /// Its name as shown (the WebGPU adapter's name in it).
    pub name: String,
    /// Training samples per second over about a second of steps (every overhead included).
    pub samples_per_second: f64,
}

/// What "Why a GPU?" measured: the shape timed and each engine's speed on it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HardwareReport {
    /// `[input, hidden…, classes]`.
    pub widths: Vec<usize>,
    /// Rows per step.
    pub batch: usize,
    /// The run's optimiser (the steps timed used it, so the count of a step's FLOPs does too).
    pub optimizer: kernels::Optimizer,
    /// Training images one epoch of the run goes through.
    pub epoch_images: usize,
    /// The engines measured (the CPU engine first).
    pub engines: Vec<EngineSpeed>,
    /// Why WebGPU was not measured, if it was not.
    pub gpu_problem: Option<String>,
}

/// One training image as the data step shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainImage {
    /// Its index in the training split.
    pub index: usize,
    /// Training images loaded so far.
    pub count: usize,
    /// Training images the run uses when all are loaded.
    pub total: usize,
    /// Of them, the first this many form the validation set.
    pub validation: usize,
    /// This image is in the validation set (never trained on).
    pub in_validation: bool,
    /// Pixels 0–255, row-major (`side × side`).
    pub pixels: ByteBuf,
    /// Image side.
    pub side: usize,
    /// Its label.
    pub label: u8,
    /// The normalisation's mean and standard deviation (on the 0–1 scale).
    pub mean: f32,
    /// Standard deviation.
    pub std: f32,
}

/// Test images for one confusion-matrix cell.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellImages {
    /// True class.
    pub truth: u8,
    /// Predicted class.
    pub predicted: u8,
    /// Images, `count × image_size` bytes.
    pub pixels: ByteBuf,
    /// Number of images (at most 48 sent).
    pub count: usize,
    /// Total in the cell.
    pub total: usize,
}

/// The result of a gradient check against burn's autodiff.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AutodiffCheck {
    /// Rows in the step.
    pub rows: usize,
    /// Our engine's and burn's loss for that step.
    pub losses: (f32, f32),
    /// One entry per parameter that has a gradient.
    pub parameters: Vec<GradientDifference>,
}

/// A measured engine candidate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EngineMeasurement {
    /// Which engine.
    pub kind: kernels::EngineKind,
    /// Its adapter (the software WebGPU adapter measured; empty for the CPU engine).
    pub adapter: String,
    /// Training samples per second measured at start-up.
    pub samples_per_second: f64,
}

/// One matrix product of a training step and the kernel chosen for it on this device.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GemmChoice {
    /// The layer (0 is fc1).
    pub layer: usize,
    /// Which of its products.
    pub product: kernels::GemmProduct,
    /// `[m, n, k]`.
    pub shape: [u32; 3],
    /// The variant chosen.
    pub chosen: kernels::ops::linear::GemmVariant,
    /// Milliseconds per dispatch of each variant, in `GemmVariant::ALL`'s order (`None`: not timed
    /// here).
    pub ms: Vec<Option<f64>>,
}

/// How one parameter's gradient from our kernels compares with burn's autodiff.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GradientDifference {
    /// PyTorch name, e.g. `fc1.weight`.
    pub name: String,
    /// Largest |ours − autodiff|.
    pub max_abs: f32,
    /// Largest |ours − autodiff| / max(|autodiff|, 1e-3 · largest |autodiff|).
    pub max_rel: f32,
    /// L2 norm of our gradient.
    pub norm: f32,
}

/// A run saved in this browser's IndexedDB that the page can offer to resume.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedRun {
    /// Steps it had taken.
    pub step: u64,
    /// Its epoch (1-based).
    pub epoch: usize,
    /// Its configuration.
    pub config: Setup,
    /// When it was saved (ms since 1970, the browser's clock).
    pub saved_at: f64,
    /// The engine it trained on (`WebGPU` or `CPU`).
    pub engine: String,
    /// Whether this page loads the same data (same training and test subsets) so it can continue here;
    /// otherwise the page links to the saved setup.
    pub compatible: bool,
}

/// Worker → page.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Event {
    /// The engines measured at start-up (software adapters only): each one's speed, sent before the
    /// engine the run starts on is announced.
    Measurements(Vec<EngineMeasurement>),
    /// How a training step runs on the GPU engine: its dispatches and the matrix-product kernel chosen
    /// per shape on this device (sent after the kernels are timed).
    Kernels {
        /// Dispatches per training step.
        dispatches: usize,
        /// The step's matrix products, in the order they were timed.
        products: Vec<GemmChoice>,
    },
    /// Dataset arrival.
    Data {
        /// Training samples loaded.
        train_loaded: usize,
        /// Training samples in use when complete.
        train_total: usize,
        /// Test samples loaded.
        test_loaded: usize,
        /// Test samples in use when complete.
        test_total: usize,
    },
    /// Training progress since the last message.
    Progress {
        /// Steps taken since reset.
        step: u64,
        /// Current epoch (1-based).
        epoch: usize,
        /// Fraction of the current epoch done.
        epoch_fraction: f32,
        /// Loss of every step since the last message, in order.
        losses: Vec<f32>,
        /// Training throughput over the last interval.
        samples_per_second: f64,
        /// Whether training continues.
        running: bool,
        /// True when the configured epochs are done.
        finished: bool,
        /// The worker's wasm memory in bytes (shown with `?debug=1`; the soak script reads it).
        worker_memory: f64,
    },
    /// A step's loss exploded or was not a number: training paused and the model went back to the last
    /// good snapshot (weights and optimiser state, taken at each evaluation).
    Diverged {
        /// The first step whose loss exploded (`kernels::training::diverged`).
        step: u64,
        /// Its loss.
        loss: f32,
        /// The learning rate it ran with.
        lr: f32,
        /// The step of the snapshot training continues from.
        rolled_back_to: u64,
    },
    /// Training went back to the snapshot at `step` (after a lost device): the curves drop what came after.
    Restored {
        /// The snapshot's step.
        step: u64,
    },
    /// The run saved in this browser, offered for resuming (`None`: nothing to offer any more).
    Saved {
        /// The saved run.
        run: Option<SavedRun>,
    },
    /// The saved run was restored: the page takes its configuration and curves, then the usual progress,
    /// evaluation and weights follow.
    Resumed {
        /// The run's configuration (the form and the URL follow it).
        config: Setup,
        /// Its loss curve up to the saved step.
        history: LossHistory,
        /// Its evaluations: (step, accuracy, loss).
        evals: Vec<(u64, f32, f32)>,
    },
    /// A picked model replaced the session's; the page shows its hidden widths.
    Imported {
        /// Hidden widths of the loaded model.
        hidden: Vec<usize>,
    },
    /// The finished run's model measured on the test set: once, at the end.
    TestFinal {
        /// The run's last step.
        step: u64,
        /// Fraction correct.
        accuracy: f32,
        /// Mean loss.
        loss: f32,
        /// Test images measured.
        images: usize,
    },
    /// An evaluation on the validation set (the first training images, never trained on).
    Evaluation {
        /// Step at which it was taken.
        step: u64,
        /// Fraction correct.
        accuracy: f32,
        /// Mean loss.
        loss: f32,
        /// `classes × classes` counts, row = true class.
        confusion: Vec<u32>,
        /// Number of classes.
        classes: usize,
    },
    /// First-layer weights rendered as a grid of images (RGBA).
    Weights {
        /// Pixels across.
        width: u32,
        /// Pixels down.
        height: u32,
        /// Hidden units shown.
        units: usize,
        /// RGBA bytes.
        rgba: ByteBuf,
    },
    /// A line of the loop ran (walked by [`Command::WalkPhase`]).
    Phase {
        /// The line.
        phase: Phase,
        /// The step it belongs to (1-based: the step being walked).
        step: u64,
        /// The batch's labels (with [`Phase::Data`]; empty otherwise).
        labels: Vec<u8>,
        /// Milliseconds the worker spent on it (the engine call; the GPU may finish it later).
        ms: f64,
    },
    /// The overfitting experiment's progress.
    Overfit(OverfitEvent),
}

/// A phase of the training loop, as the code's lines name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    /// The next batch.
    Data,
    /// `optimizer.zero_grad()`.
    ZeroGrad,
    /// `net(data)`.
    Forward,
    /// `cross_entropy`.
    Loss,
    /// `loss.backward()`.
    Backward,
    /// `optimizer.step()`.
    Step,
}

/// The overfitting experiment, as it runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum OverfitEvent {
    /// It began with these settings.
    Began(OverfitPlan),
    /// One epoch trained and evaluated; `left`: evaluations of patience left (`None`: a new best).
    Epoch {
        /// The evaluation.
        metrics: OverfitMetrics,
        /// Patience left after it; `None` when this evaluation is the best so far.
        left: Option<usize>,
    },
    /// It stopped, restored the best weights and measured the test set.
    Stopped(OverfitOutcome),
    /// It was cancelled before stopping (no test measurement).
    Cancelled,
}

/// One evaluation of the experiment, after an epoch.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct OverfitMetrics {
    /// Epochs trained (1-based).
    pub epoch: usize,
    /// Mean cross-entropy on the training images.
    pub train_loss: f32,
    /// Fraction correct on the training images.
    pub train_accuracy: f32,
    /// Mean cross-entropy on the validation images.
    pub val_loss: f32,
    /// Fraction correct on the validation images.
    pub val_accuracy: f32,
}

/// The experiment's settings, printed beside its chart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OverfitPlan {
    /// Training images.
    pub train: usize,
    /// Validation images (from the training split, never trained on).
    pub validation: usize,
    /// Patience in evaluations.
    pub patience: usize,
    /// Epochs at most.
    pub max_epochs: usize,
    /// Minibatch size.
    pub batch: usize,
    /// Learning rate and momentum.
    pub lr: f32,
    /// Momentum.
    pub momentum: f32,
    /// Hidden widths.
    pub hidden: Vec<usize>,
    /// Seed.
    pub seed: u64,
}

/// How the experiment ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OverfitOutcome {
    /// The epoch with the lowest validation loss (whose weights were restored).
    pub best_epoch: usize,
    /// The last epoch trained.
    pub stopped_at: usize,
    /// Patience ran out (false: the epoch limit came first).
    pub stopped_early: bool,
    /// Validation loss and accuracy measured again with the restored weights.
    pub restored_validation: (f32, f32),
    /// Test accuracy and loss, measured once.
    pub test: (f32, f32),
    /// Test images measured.
    pub test_images: usize,
}

/// The lesson's messages, as the runtime's envelope carries them.
pub type Protocol = Messages<Command, Query, Reply, Event>;

/// The page's end of the lesson's worker.
pub type Client = crate::client::LessonClient<Protocol>;
