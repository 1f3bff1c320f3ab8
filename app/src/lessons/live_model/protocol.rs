//! Messages between a concept lesson's page and its worker (the cross-entropy and chain-rule lessons
//! share one): commands for the live model, queries answered once by id, and events.

use kernels::chain::Agreement;
use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;

pub use super::by_hand_batch::{ByHandBatch, Params};
pub use crate::messages::MessageCode;
use kernels::engine::Preference;

/// One weight of the live model (`fc{layer+1}.weight[out, input]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Weight {
    /// Layer (0 = fc1).
    pub layer: usize,
    /// Output unit j.
    pub out: usize,
    /// Input i.
    pub input: usize,
}

impl Weight {
    /// PyTorch's name of the weight, e.g. `fc2.weight[3, 17]`.
    pub fn name(self) -> String {
        format!("fc{}.weight[{}, {}]", self.layer + 1, self.out, self.input)
    }

    /// The URL form `layer.out.input`.
    pub fn to_param(self) -> String {
        format!("{}.{}.{}", self.layer, self.out, self.input)
    }

    /// Whether the weight exists in the live model (784 → `hidden` → 10).
    pub fn fits(self, hidden: usize) -> bool {
        let (rows, cols) = if self.layer == 0 {
            (hidden, 784)
        } else {
            (10, hidden)
        };
        self.layer < 2 && self.out < rows && self.input < cols
    }

    /// Parses the URL form.
    pub fn parse(s: &str) -> Option<Self> {
        let mut it = s.split('.').map(|p| p.parse::<usize>().ok());
        let w = Weight {
            layer: it.next()??,
            out: it.next()??,
            input: it.next()??,
        };
        it.next().is_none().then_some(w)
    }
}

/// Page → worker.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Command {
    /// Load MNIST and initialise the live model from `seed` (the first message).
    Start {
        /// Engine preference from the URL.
        engine: Preference,
        /// Initialisation and shuffling seed.
        seed: u64,
    },
    /// Train continuously, or pause.
    Run {
        /// Train or pause.
        on: bool,
    },
    /// One training step (pauses a continuous run).
    Step,
    /// Forget the live model kept in this browser and start again from the seed.
    Afresh,
}

/// Questions to the worker.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Query {
    /// One test image through the live model: q and the engine's own loss for it.
    Image {
        /// Index in the test pool.
        index: usize,
    },
    /// The test images the live model finds most surprising (highest loss).
    Surprises {
        /// How many.
        count: usize,
    },
    /// Two test images for the quiz whose q(true) differ visibly (a new pair each `round`).
    QuizPair {
        /// Which pair.
        round: usize,
    },
    /// The live weights (for the weight picker).
    Weights,
    /// The chain rule for one weight on test images `image..image + rows`.
    Chain {
        /// The weight.
        weight: Weight,
        /// First test image.
        image: usize,
        /// Images in the batch.
        rows: usize,
    },
    /// The backward pass's tensors on test images `image..image + rows`.
    Backward {
        /// First test image.
        image: usize,
        /// Images in the batch.
        rows: usize,
    },
    /// What the next training step will do to a weight (its batch's gradient, the velocity).
    NextUpdate {
        /// The weight.
        weight: Weight,
    },
    /// Runs one training step and reports the weight before and after — only if the live model is
    /// still at `at` steps (the preview the student predicted from); else answers
    /// [`Reply::MovedOn`] and takes no step.
    StepWatching {
        /// The weight.
        weight: Weight,
        /// Steps taken when the preview was computed ([`UpdatePreview::step`]).
        at: u64,
    },
    /// The live model as `.safetensors` (PyTorch names).
    Export,
    /// Replace the live model by a picked `.safetensors` of the same shape; training starts afresh.
    Import {
        /// The file.
        bytes: ByteBuf,
    },
    /// Replace the live model by the shipped trained one ([`super::TRAINED`]), so a class does not wait.
    StartTrained,
    /// "Backprop by hand": test images `image..image + rows` with the live weights, and the engine's
    /// own plain SGD step (learning rate `lr`, no momentum) on them from those weights, taken on the
    /// probe (the live model is not touched).
    ByHand {
        /// First test image.
        image: usize,
        /// Images in the batch.
        rows: usize,
        /// The step's learning rate.
        lr: f32,
    },
}

/// A test image through the live model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImageView {
    /// Index in the test pool.
    pub index: usize,
    /// 28×28 pixels, ink high.
    pub pixels: ByteBuf,
    /// True class.
    pub label: u8,
    /// The model's logits.
    pub logits: Vec<f32>,
    /// The loss the engine's softmax-cross-entropy kernel computed for this image.
    pub engine_loss: f32,
    /// Training steps the live model has taken.
    pub step: u64,
}

/// One image of the surprise gallery.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Surprise {
    /// Index in the test pool.
    pub index: usize,
    /// Pixels.
    pub pixels: ByteBuf,
    /// True class.
    pub label: u8,
    /// The model's class.
    pub predicted: u8,
    /// The engine's loss for it.
    pub loss: f32,
    /// The model's q.
    pub q: Vec<f32>,
}

/// One row of the chain-rule table.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChainRow {
    /// Test image.
    pub image: usize,
    /// Its class.
    pub label: u8,
    /// ∂L/∂y_j.
    pub dl_dy: f32,
    /// ∂y_j/∂z_j.
    pub dy_dz: f32,
    /// ∂z_j/∂w_ij.
    pub dz_dw: f32,
}

/// The chain rule for one weight.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChainView {
    /// The weight.
    pub weight: Weight,
    /// Its value.
    pub value: f32,
    /// Per image of the batch.
    pub rows: Vec<ChainRow>,
    /// Σ over the batch of the factors' product.
    pub product: f64,
    /// The gradient the backward kernels computed.
    pub kernel: f32,
    /// Finite difference from two engine evaluations.
    pub finite_difference: f64,
    /// Its ε.
    pub eps: f32,
    /// Mean loss of the batch.
    pub loss: f64,
    /// The three computations compared ([`kernels::chain::WeightGradient::agreement`]).
    pub agreement: Agreement,
    /// The factors' product against the kernel alone.
    pub kernel_agreement: Agreement,
    /// What a finite difference of f32 losses resolves here (its noise, absolute).
    pub difference_resolution: f64,
    /// Training steps the live model has taken.
    pub step: u64,
}

/// The backward pass's tensors for a batch (row-major).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BackwardView {
    /// Rows in the batch.
    pub rows: usize,
    /// Hidden units.
    pub hidden: usize,
    /// Their classes.
    pub labels: Vec<u8>,
    /// Softmax of the logits `[rows, 10]`.
    pub q: Vec<f32>,
    /// δ at the output `[rows, 10]` (the kernels' (q − p)/B).
    pub delta_out: Vec<f32>,
    /// Hidden activations `[rows, hidden]`.
    pub hidden_out: Vec<f32>,
    /// δ at the hidden layer `[rows, hidden]`.
    pub delta_hidden: Vec<f32>,
    /// ∂L/∂W of fc2 `[10, hidden]`.
    pub grad_fc2: Vec<f32>,
    /// ∂L/∂W of fc1 `[hidden, 784]`.
    pub grad_fc1: Vec<f32>,
}

/// The live weights.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeightsView {
    /// Hidden units.
    pub hidden: usize,
    /// fc1 `[hidden, 784]`.
    pub fc1: Vec<f32>,
    /// fc2 `[10, hidden]`.
    pub fc2: Vec<f32>,
    /// Training steps taken.
    pub step: u64,
}

/// What the next step will do to a weight: w ← w − lr · (μ v + g).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct UpdatePreview {
    /// The weight.
    pub weight: Weight,
    /// Its value now.
    pub value: f32,
    /// Its gradient on the next step's batch (the same kernels, on a probe).
    pub gradient: f32,
    /// The momentum buffer v now.
    pub velocity: f32,
    /// Learning rate.
    pub lr: f32,
    /// Momentum μ.
    pub momentum: f32,
    /// Training steps taken so far.
    pub step: u64,
}

/// Answers.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Reply {
    /// To [`Query::Image`].
    Image(ImageView),
    /// To [`Query::Surprises`].
    Surprises(Vec<Surprise>),
    /// To [`Query::QuizPair`]: the two test-pool indices, or the spread of q(true) over the pool
    /// when no two differ visibly (an untrained model).
    QuizPair(Result<(usize, usize), f32>),
    /// To [`Query::Weights`].
    Weights(WeightsView),
    /// To [`Query::Chain`].
    Chain(ChainView),
    /// To [`Query::Backward`].
    Backward(BackwardView),
    /// To [`Query::NextUpdate`].
    Preview(UpdatePreview),
    /// To [`Query::StepWatching`].
    Updated {
        /// The weight before the step.
        before: f32,
        /// After.
        after: f32,
        /// Steps taken now.
        step: u64,
    },
    /// To [`Query::StepWatching`] when the live model is no longer at the previewed step (it trained
    /// on, or was replaced, meanwhile): no step was taken.
    MovedOn {
        /// Steps taken now.
        step: u64,
    },
    /// To [`Query::Export`].
    ModelFile {
        /// `.safetensors` bytes.
        bytes: ByteBuf,
        /// `[input, hidden…, classes]` (for the file name).
        widths: Vec<usize>,
    },
    /// To [`Query::ByHand`].
    ByHand(Box<ByHandBatch>),
    /// To [`Query::Import`]: the model is in place, measured on the test pool.
    Imported {
        /// Its test accuracy.
        accuracy: f32,
    },
}

/// Worker → page.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Event {
    /// Data loaded and the live model initialised.
    Ready {
        /// Hidden units.
        hidden: usize,
        /// Training images.
        train: usize,
        /// Test images in the pool.
        test: usize,
    },
    /// The live model was taken up from this browser at this step (a reload).
    Resumed {
        /// Steps it had taken.
        step: u64,
    },
    /// Training progress.
    Progress {
        /// Steps taken.
        step: u64,
        /// Epochs completed.
        epoch: usize,
        /// Mean loss of the last burst.
        loss: f32,
        /// Accuracy on the test pool at the last evaluation.
        accuracy: Option<f32>,
        /// Training continuously.
        running: bool,
    },
}

/// The lesson's messages, as the runtime's envelope carries them.
pub type Protocol = crate::protocol::Messages<Command, Query, Reply, Event>;

/// The page's end of the lesson's worker.
pub type Client = crate::client::LessonClient<Protocol>;
