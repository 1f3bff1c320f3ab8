//! Messages between the interpretability lesson's page and its worker: commands, queries answered once
//! by id (the envelope is [`crate::protocol`]), and events.

use kernels::engine::Preference;
use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;

pub use crate::messages::MessageCode;
use crate::protocol::Messages;

/// Which trained model the lesson explains and attacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ModelChoice {
    /// The shipped 784-512-10 MLP (the one the book's `attack` figures are for).
    Shipped,
    /// The concept lessons' trained 784-32-10 model (sixteen times cheaper to attack).
    Small,
}

impl ModelChoice {
    /// Its file under `static/models`.
    pub fn path(self) -> &'static str {
        match self {
            Self::Shipped => "static/models/mnist-mlp-784-512-10.safetensors",
            Self::Small => crate::lessons::live_model::TRAINED,
        }
    }

    /// The URL form.
    pub fn key(self) -> &'static str {
        match self {
            Self::Shipped => "mlp-512",
            Self::Small => "mlp-32",
        }
    }
}

/// What integrated gradients starts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Baseline {
    /// An all-black image (no ink).
    Black,
    /// The image blurred: its mass without its strokes' edges.
    Blurred,
    /// The mean of the test images.
    Mean,
}

/// How a saliency map is made.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Method {
    /// ∂z/∂x at the image.
    Gradient,
    /// The gradient averaged over noisy copies.
    SmoothGrad {
        /// Copies.
        samples: usize,
        /// Spread of the noise, in pixel units (0–1).
        noise: f32,
    },
    /// Integrated gradients from a baseline.
    Integrated {
        /// Points on the path.
        steps: usize,
        /// Where the path starts.
        baseline: Baseline,
    },
}

impl Method {
    /// The name the page and the tests use (`data-method`).
    pub fn key(self) -> &'static str {
        match self {
            Self::Gradient => "gradient",
            Self::SmoothGrad { .. } => "smoothgrad",
            Self::Integrated { .. } => "integrated",
        }
    }
}

/// Where the model explained came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Source {
    /// A shipped model.
    Shipped(ModelChoice),
    /// A file the student picked.
    File,
    /// The concept lessons' live model, at this many steps.
    Live(u64),
}

/// The curves the lesson measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Arm {
    /// The model as loaded ("do nothing").
    Model,
    /// Fine-tuned on clean images only (the control: the same steps).
    Clean,
    /// Fine-tuned with FGSM images mixed into each batch.
    Adversarial,
}

/// Page → worker.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Command {
    /// Load the model and the data, open the engine (the page's first message).
    Start {
        /// Engine preference from the URL.
        engine: Preference,
        /// The model.
        model: ModelChoice,
        /// Test images the curves are measured on (the first ones of the test split).
        test: usize,
    },
    /// Measure the model's accuracy under FGSM at each ε, and under PGD at the ε's of `pgd`.
    Curve {
        /// The ε's, in pixel units.
        epsilons: Vec<f32>,
        /// The ε's (among `epsilons`) where PGD is measured too.
        pgd: Vec<f32>,
    },
    /// Fine-tune two copies of the model (clean images; FGSM images mixed in) and measure both curves.
    Harden {
        /// Training images (one epoch, batches of [`HARDEN_BATCH`]).
        images: usize,
        /// ε of the training FGSM images.
        epsilon: f32,
        /// The ε's of the curves.
        epsilons: Vec<f32>,
        /// The ε's (among `epsilons`) where every arm is measured under PGD too.
        pgd: Vec<f32>,
    },
    /// Stop what runs (curves and fine-tuning).
    Stop,
    /// Forget the curves kept in this browser ([`crate::protocol::Status::Forgotten`] answers).
    Forget,
    /// Explain a model file the student picked (`.safetensors`, 784 inputs, 10 classes).
    Load {
        /// The file.
        bytes: ByteBuf,
    },
    /// Explain the live model the concept lessons keep in this browser.
    UseLive,
}

/// Clean images per fine-tuning step (as many adversarial or repeated ones join them).
pub const HARDEN_BATCH: usize = kernels::attack::FINE_TUNE_BATCH;

/// Questions to the worker.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Query {
    /// The first layer's weights as tiles and each class's mean test image.
    Overview,
    /// A saliency map of test image `image` for the class the model predicts, with the top
    /// `randomized` layers replaced by fresh random ones (0: the trained model).
    Explain {
        /// Test image.
        image: usize,
        /// A drawn digit (28×28 bytes, ink high) explained instead of the test image.
        drawn: Option<ByteBuf>,
        /// How.
        method: Method,
        /// Layers randomised, from the output down.
        randomized: usize,
    },
    /// FGSM on test image `image` at ε.
    Fgsm {
        /// Test image.
        image: usize,
        /// A drawn digit attacked instead (away from the class the model gives it).
        drawn: Option<ByteBuf>,
        /// ε in pixel units.
        epsilon: f32,
    },
    /// The model's calibration: reliability diagrams and ECE before and after temperature scaling,
    /// with T fitted on a validation split of the training images.
    Calibration,
    /// Softmax probabilities of a drawn image (28×28 bytes, ink high) or of random noise (`None`,
    /// seeded by `seed`).
    Classify {
        /// The drawing.
        pixels: Option<ByteBuf>,
        /// Seed of the noise image.
        seed: u64,
    },
}

/// The first layer and the classes' mean images.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    /// Units shown (at most 64), each 784 weights.
    pub units: usize,
    /// Hidden units in all.
    pub hidden: usize,
    /// `[units, 784]` weights.
    pub tiles: Vec<f32>,
    /// `[10, 784]` mean pixels (0–1) of each class's test images.
    pub class_means: Vec<f32>,
    /// Test images per class.
    pub class_counts: Vec<usize>,
}

/// A saliency map.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MapView {
    /// Test image.
    pub image: usize,
    /// Whether it is a drawn digit (its "class" is then the model's).
    pub drawn: bool,
    /// Its pixels.
    pub pixels: ByteBuf,
    /// Its class.
    pub label: u8,
    /// The class explained: the one the trained model predicts.
    pub class: usize,
    /// The (possibly randomised) model's probabilities.
    pub probs: Vec<f32>,
    /// Method.
    pub method: Method,
    /// Layers randomised.
    pub randomized: usize,
    /// One value per pixel (signed; red raises the class's score, blue lowers it).
    pub map: Vec<f32>,
    /// Integrated gradients: Σ attributions, z(x) − z(x₀), and |Σ − Δz| / max(|Δz|, |z(x)|, 1).
    pub completeness: Option<(f32, f32, f32)>,
    /// Milliseconds the worker took.
    pub ms: f64,
}

/// An adversarial image.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FgsmView {
    /// Test image.
    pub image: usize,
    /// Whether it is a drawn digit (attacked away from the model's class).
    pub drawn: bool,
    /// Its class.
    pub label: u8,
    /// ε.
    pub epsilon: f32,
    /// The image and the attacked image (bytes, ink high).
    pub pixels: ByteBuf,
    /// The attacked image.
    pub adversarial: ByteBuf,
    /// Probabilities before and after.
    pub before: Vec<f32>,
    /// After.
    pub after: Vec<f32>,
}

/// The model's calibration (Guo et al. 2017), before and after temperature scaling.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalibrationView {
    /// The temperatures fitted (minimum NLL) on the even and on the odd test images.
    pub temperature: (f32, f32),
    /// Test images.
    pub test: usize,
    /// ECE of the test images before (T = 1), after with each half divided by the T fitted on it,
    /// and after with each half divided by the T fitted on the other half (held out).
    pub ece: (f32, f32, f32),
    /// Mean NLL, the same three ways.
    pub nll: (f32, f32, f32),
    /// The 95 % bootstrap interval of the held-out ECE's change (after − before).
    pub change_band: (f32, f32),
    /// Bootstrap resamplings behind `change_band`.
    pub draws: usize,
    /// Test accuracy (temperature scaling changes no prediction).
    pub test_accuracy: f32,
    /// The test images' reliability diagram before and after, held out ([`kernels::calibration::BINS`]
    /// bins).
    pub bins: (
        Vec<kernels::calibration::Bin>,
        Vec<kernels::calibration::Bin>,
    ),
    /// Milliseconds the worker took.
    pub ms: f64,
}

/// Answers.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Reply {
    /// The first layer and the class means.
    Overview(Overview),
    /// A map.
    Map(Box<MapView>),
    /// An attack.
    Fgsm(Box<FgsmView>),
    /// The calibration.
    Calibration(Box<CalibrationView>),
    /// Probabilities of a drawing or of noise, and the noise's pixels.
    Classified {
        /// Probabilities.
        probs: Vec<f32>,
        /// The image classified.
        pixels: ByteBuf,
    },
}

/// Worker → page.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Event {
    /// The model and the test images are in.
    Loaded {
        /// Layer widths.
        widths: Vec<usize>,
        /// Test images for the curves.
        test: usize,
        /// Training images available for fine-tuning.
        train: usize,
        /// Where the model came from.
        source: Source,
    },
    /// One point of a curve.
    Point {
        /// Which model.
        arm: Arm,
        /// ε.
        epsilon: f32,
        /// Accuracy on the test images under FGSM at ε.
        accuracy: f32,
        /// Accuracy under PGD (from the FGSM image, never above `accuracy`), where measured.
        #[serde(default)]
        pgd: Option<f32>,
        /// Test images.
        images: usize,
        /// Milliseconds it took.
        ms: f64,
    },
    /// Fine-tuning progress of an arm.
    Training {
        /// Which.
        arm: Arm,
        /// Images done.
        done: usize,
        /// Of.
        of: usize,
    },
    /// What was asked is measured.
    Done,
    /// Stopped before the end.
    Stopped,
}

/// The lesson's messages, as the runtime's envelope carries them.
pub type Protocol = Messages<Command, Query, Reply, Event>;

/// The page's end of the lesson's worker.
pub type Client = crate::client::LessonClient<Protocol>;
