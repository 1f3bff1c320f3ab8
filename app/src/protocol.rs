//! Messages between the page (UI thread) and the engine's Web Worker. They cross `postMessage` as
//! structured clones built by serde-wasm-bindgen; bulk bytes (`ByteBuf`) travel as `Uint8Array`s.

use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;

use crate::config::LessonConfig;

/// Which engine to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EnginePreference {
    /// WebGPU when it exists; on a software WebGPU adapter, whichever engine measures faster.
    Auto,
    /// WebGPU (fails loudly if there is none).
    Gpu,
    /// The CPU engine.
    Cpu,
}

/// Page → worker.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum ToWorker {
    /// (Re)build the model and optimiser from this configuration and seed; keeps loaded data.
    Reset(LessonConfig),
    /// Train continuously.
    Start,
    /// Stop after the current step.
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
    /// Classify a drawn digit: `input_size` pixels in 0..=255, row-major.
    Predict {
        /// Pixels.
        pixels: ByteBuf,
    },
    /// Run one step of the current model on both our engine and burn's autodiff and compare
    /// (feature `burn`).
    CheckAutodiff,
    /// Send the current model as `.safetensors` (PyTorch names): answered by [`FromWorker::ModelFile`].
    Export,
    /// Replace the model by a `.safetensors` the student picked; training starts afresh from it.
    Import {
        /// The file.
        bytes: ByteBuf,
    },
    /// Destroy the GPU device, as a driver reset would (`?debug=1` shows the control).
    DebugLoseDevice,
    /// Continue the run saved in this browser ([`FromWorker::Saved`] offered it).
    Resume,
    /// Forget the run saved in this browser.
    ClearSaved,
    /// Send the test images whose true class is `truth` and predicted class is `predicted`.
    ShowCell {
        /// True class.
        truth: u8,
        /// Predicted class.
        predicted: u8,
    },
}

/// A measured engine candidate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EngineMeasurement {
    /// Engine label.
    pub engine: String,
    /// Training samples per second measured at start-up.
    pub samples_per_second: f64,
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
    /// Its epoch (1-based) and the configured epochs.
    pub epoch: usize,
    /// Its configuration.
    pub config: LessonConfig,
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
pub enum FromWorker {
    /// The worker is up and listening.
    Ready,
    /// The engine in use.
    Engine {
        /// `WebGPU` or `CPU`.
        kind: String,
        /// Adapter name.
        adapter: String,
        /// Why this engine (fallback reasons, measurements), shown on screen.
        note: String,
        /// Figures of each engine measured at start-up (software adapters only).
        measurements: Vec<EngineMeasurement>,
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
    /// A step's loss exploded or was not a number: training paused and the model went back to the last good
    /// snapshot (weights and optimiser state, taken at each evaluation).
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
        config: LessonConfig,
        /// Its loss curve up to the saved step.
        history: crate::history::LossHistory,
        /// Its evaluations: (step, accuracy, loss).
        evals: Vec<(u64, f32, f32)>,
    },
    /// The model as `.safetensors`, answering [`ToWorker::Export`].
    ModelFile {
        /// The file.
        bytes: ByteBuf,
        /// `[input, hidden…, classes]` (for the file name).
        widths: Vec<usize>,
    },
    /// A picked model replaced the session's; the page shows its hidden widths.
    Imported {
        /// Hidden widths of the loaded model.
        hidden: Vec<usize>,
    },
    /// An evaluation on the test subset.
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
    /// Class probabilities of the drawn digit.
    Prediction {
        /// Softmax probabilities.
        probabilities: Vec<f32>,
    },
    /// Test images for one confusion-matrix cell.
    CellImages {
        /// True class.
        truth: u8,
        /// Predicted class.
        predicted: u8,
        /// Images, `count × image_size` bytes.
        pixels: ByteBuf,
        /// Number of images (at most 48 sent).
        count: usize,
        /// Total in the cell.
        total: usize,
    },
    /// The result of `CheckAutodiff`.
    AutodiffCheck {
        /// Rows in the step.
        rows: usize,
        /// Our engine and burn's loss for that step.
        losses: (f32, f32),
        /// One entry per parameter that has a gradient.
        parameters: Vec<GradientDifference>,
    },
    /// Something went wrong; shown on screen.
    Error {
        /// The message.
        message: String,
    },
}
