//! Messages between the privacy lesson's page and its worker: commands, queries answered once by id
//! (the envelope is [`crate::protocol`]), and events.

use kernels::engine::Preference;
use serde::{Deserialize, Serialize};

pub use crate::messages::MessageCode;
use crate::protocol::Messages;

/// DP-SGD's settings as the page's sliders hold them.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DpSettings {
    /// Clipping norm C.
    pub clip: f32,
    /// Noise multiplier σ.
    pub noise: f32,
    /// Expected lot size L (Poisson sampling with rate L / N).
    pub lot: usize,
}

/// Which model a run trains: without privacy, or with DP-SGD.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Arm {
    /// Plain minibatch SGD on shuffled batches of L.
    Plain,
    /// DP-SGD: Poisson lots, per-example clipping, noise.
    Private,
}

/// Page → worker.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Command {
    /// Load the data and open the engine (the page's first message).
    Start {
        /// Engine preference from the URL.
        engine: Preference,
        /// Seed of the models, the lots and the noise.
        seed: u64,
        /// Member images: the lesson's 1,000, or more for the full-MNIST mode (members from the
        /// training split, outsiders and test images from the test split).
        members: usize,
    },
    /// Train a fresh model on the member images (one epoch per burst).
    Train {
        /// Which arm.
        arm: Arm,
        /// Clip, noise and lot (the plain arm uses the lot as its batch size).
        dp: DpSettings,
        /// Epochs.
        epochs: usize,
    },
    /// DP-SGD runs one after another (accuracy against ε), each reported with its `tag` (from 1).
    Sweep {
        /// Each run's settings and tag.
        runs: Vec<(DpSettings, u32)>,
        /// Epochs of each.
        epochs: usize,
    },
    /// Stop the run in progress and any queued (nothing is measured).
    Stop,
    /// Forget the runs kept in this browser ([`crate::protocol::Status::Forgotten`] answers).
    Forget,
    /// The student's answers to "Check yourself", kept with the runs (graded once the runs exist).
    Answers(Answers),
}

/// The student's answers to "Check yourself": the choice of question 1 and of question 2.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Answers {
    /// Question 1: 0 about half, 1 drops but stays above half, 2 drops below half.
    pub q1: Option<usize>,
    /// The settings question 1 was answered at, frozen then: it is graded against them, so moving
    /// the sliders afterwards cannot flip the grade. (Absent in answers kept before it existed.)
    #[serde(default)]
    pub q1_at: Option<Q1At>,
    /// Question 2: whether DP-SGD shrinks the advantage.
    pub q2: Option<bool>,
}

/// The sliders when question 1 was answered.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Q1At {
    /// σ.
    pub noise: f32,
    /// Expected lot L.
    pub lot: usize,
    /// Planned epochs.
    pub epochs: usize,
}

/// Questions to the worker.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Query {
    /// One DP-SGD step on one Poisson lot of the members, taken apart (the model is the last one
    /// trained, or a fresh one).
    Lot {
        /// The settings.
        dp: DpSettings,
        /// Which lot (a new draw each time the page asks).
        draw: u64,
    },
}

/// Answers.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Reply {
    /// The step taken apart.
    Lot(LotAnatomy),
}

/// One DP-SGD step on one lot, measured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LotAnatomy {
    /// Examples in the lot (Poisson: around L).
    pub rows: usize,
    /// Each example's gradient norm over all layers, before clipping (from the engine).
    pub norms: Vec<f32>,
    /// ‖Σ clipped gradients‖.
    pub sum_norm: f32,
    /// ‖the noise added to that sum‖ (about σ·C·√parameters).
    pub noise_norm: f32,
    /// Parameters (the noise's dimension).
    pub parameters: usize,
    /// ‖the update‖ the optimiser applies (learning rate × the noisy average).
    pub update_norm: f32,
    /// Whether the model is a trained one (else freshly initialised).
    pub trained: bool,
}

/// The membership test by loss threshold: "a training image" when the loss is at most the threshold.
/// In a run's result the threshold was chosen on half the members and outsiders and the rates are
/// measured on the other half ([`super::math::held_out`]).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Membership {
    /// The threshold (the best one on the images that chose it).
    pub threshold: f32,
    /// True-positive rate: members called members (on the judged half).
    pub tpr: f32,
    /// False-positive rate: outsiders called members (on the judged half).
    pub fpr: f32,
    /// tpr − fpr.
    pub advantage: f32,
}

/// A finished run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArmResult {
    /// Which arm.
    pub arm: Arm,
    /// 0 for the page's two runs; a sweep's runs count from 1.
    pub tag: u32,
    /// Its settings.
    pub dp: DpSettings,
    /// Epochs and steps.
    pub epochs: usize,
    /// Steps taken.
    pub steps: u64,
    /// ε at δ = 10⁻⁵ (the private arm).
    pub epsilon: Option<f64>,
    /// Accuracy on the member images and on the test images.
    pub member_accuracy: f32,
    /// Test accuracy.
    pub test_accuracy: f32,
    /// Test accuracy per class.
    pub class_accuracy: Vec<f32>,
    /// Each member image's loss, then each outsider's.
    pub member_losses: Vec<f32>,
    /// Outsiders' losses.
    pub outsider_losses: Vec<f32>,
    /// The membership test on them: threshold from one half, advantage on the other.
    pub membership: Membership,
    /// The no-leak floor: the held-out advantage that 95 % of membership shuffles stay below.
    #[serde(default)]
    pub floor: f32,
    /// Test images of each digit (the per-digit accuracies' sample sizes).
    #[serde(default)]
    pub class_counts: Vec<usize>,
}

/// Worker → page.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Event {
    /// The images are in: members (trained on), outsiders (never trained on), test.
    Data {
        /// Member images.
        members: usize,
        /// Outsider images.
        outsiders: usize,
        /// Test images.
        test: usize,
    },
    /// An epoch of a run.
    Progress {
        /// Which arm.
        arm: Arm,
        /// 0 for the page's two runs; a sweep's runs count from 1.
        tag: u32,
        /// Epochs done.
        epoch: usize,
        /// Epochs planned.
        epochs: usize,
        /// Steps taken.
        steps: u64,
        /// ε at δ = 10⁻⁵ after them (the private arm).
        epsilon: Option<f64>,
        /// Test accuracy now.
        test_accuracy: f32,
        /// Mean training loss of the epoch.
        loss: f32,
    },
    /// A run finished and was measured.
    Result(ArmResult),
    /// A run was stopped.
    Stopped,
    /// The student's answers kept in this browser (sent before the replayed runs).
    Answers(Answers),
}

/// The lesson's messages, as the runtime's envelope carries them.
pub type Protocol = Messages<Command, Query, Reply, Event>;

/// The page's end of the lesson's worker.
pub type Client = crate::client::LessonClient<Protocol>;
