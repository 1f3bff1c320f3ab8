//! Messages between the optimisers lesson's page and its worker (the live model's steps and the race):
//! commands, queries answered once by id (the envelope is [`crate::protocol`]), and events.

use kernels::engine::Preference;
use serde::{Deserialize, Serialize};

pub use crate::messages::MessageCode;
use crate::protocol::Messages;

/// One arm of a race: the lesson's id of the optimiser (`sgd`, `momentum`, …) and its settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RaceArm {
    /// The optimiser's id.
    pub id: String,
    /// Its settings.
    pub settings: kernels::OptimizerConfig,
}

/// Which race: the race step's, or the quiz's own (Adam at SGD's rate).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RaceTag {
    /// The race step.
    Race,
    /// The quiz's third question.
    Quiz,
}

/// Page → worker.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Command {
    /// Load the data and open the engine (the page's first message).
    Start {
        /// Engine preference from the URL.
        engine: Preference,
        /// Seed of the initial weights and of the batch stream.
        seed: u64,
    },
    /// Race these arms for `steps` steps from one initialisation on one batch stream.
    Race {
        /// Which race.
        tag: RaceTag,
        /// The arms (1 to 7).
        arms: Vec<RaceArm>,
        /// Steps.
        steps: u32,
    },
    /// Stop the race in progress.
    Stop,
    /// Forget the races kept in this browser.
    Forget,
}

/// Questions to the worker.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Query {
    /// The full-batch gradient against minibatch gradients of each size, on the model after
    /// `warm_steps` steps of SGD (0: the fresh model).
    GradNoise {
        /// Steps of SGD first.
        warm_steps: u32,
        /// Minibatch sizes.
        batches: Vec<usize>,
        /// Minibatches drawn of each size.
        draws: usize,
    },
    /// fc1's step under Adam against the plain gradient step, after `warm_steps` steps of Adam.
    StepMap {
        /// Steps of Adam first (its moments carry them).
        warm_steps: u32,
    },
}

/// How close minibatch gradients of one size come to the full-batch gradient.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchNoise {
    /// Rows per minibatch.
    pub batch: usize,
    /// Cosine similarity with the full gradient: mean, lowest and highest over the draws.
    pub cosine: (f32, f32, f32),
    /// ‖g_batch − g_full‖ / ‖g_full‖, mean over the draws.
    pub relative_error: f32,
    /// Milliseconds per minibatch gradient (measured, the forward pass included).
    pub ms: f64,
}

/// The gradient-noise measurement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GradNoise {
    /// Steps of SGD before it.
    pub warm_steps: u32,
    /// Rows of the full batch (the lesson's training images).
    pub full_rows: usize,
    /// Milliseconds for the full-batch gradient.
    pub full_ms: f64,
    /// Minibatches drawn of each size.
    pub draws: usize,
    /// Each size.
    pub batches: Vec<BatchNoise>,
}

/// fc1's step, weight by weight: Adam's against the plain gradient's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepMap {
    /// Steps of Adam before it.
    pub warm_steps: u32,
    /// Hidden units (tiles) and inputs per unit (28 × 28).
    pub hidden: usize,
    /// Inputs per unit.
    pub inputs: usize,
    /// Adam's learning rate.
    pub lr: f32,
    /// |Δw| of Adam's step, `[hidden, inputs]`.
    pub adam: Vec<f32>,
    /// |lr · g|: plain SGD's step at the same rate, `[hidden, inputs]`.
    pub sgd: Vec<f32>,
}

/// Answers.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Reply {
    /// The gradient noise.
    GradNoise(GradNoise),
    /// The step map.
    StepMap(StepMap),
}

/// Worker → page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Event {
    /// The images are in.
    Data {
        /// Training images.
        train: usize,
        /// Test images.
        test: usize,
        /// The model's widths.
        widths: Vec<usize>,
    },
    /// A race began.
    RaceBegun {
        /// Which race.
        tag: RaceTag,
        /// Its arms.
        arms: Vec<RaceArm>,
        /// Steps planned.
        steps: u32,
        /// Rows per step.
        batch: usize,
        /// Test images each evaluation uses.
        test: usize,
    },
    /// A burst of the race.
    RaceProgress {
        /// Which race.
        tag: RaceTag,
        /// Steps done.
        step: u64,
        /// Each arm's losses since the last event.
        losses: Vec<Vec<f32>>,
        /// Each arm's test accuracy at this step, when measured (`None` for an arm that diverged).
        accuracy: Option<Vec<Option<f32>>>,
        /// Each arm's divergence: the step and the loss.
        diverged: Vec<Option<(u64, f32)>>,
        /// Samples per second summed over the arms in this burst.
        samples_per_s: f64,
    },
    /// The race ran all its steps.
    RaceDone {
        /// Which race.
        tag: RaceTag,
    },
    /// A race was stopped.
    Stopped,
}

/// The lesson's messages, as the runtime's envelope carries them.
pub type Protocol = Messages<Command, Query, Reply, Event>;

/// The page's end of the lesson's worker.
pub type Client = crate::client::LessonClient<Protocol>;
