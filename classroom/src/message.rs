//! The messages themselves. Field names are the JSON's; every enum is tagged by `type` (messages) or
//! `kind` (a report's body) in snake case, so the pages' JavaScript-side debugging reads plainly.

use serde::{Deserialize, Serialize};

use crate::pseudonym::Pseudonym;

/// A student's page asks to join (`POST /class/join`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinRequest {
    /// The class's join code as typed or read from the URL ([`crate::code::normalise`] is applied).
    pub code: String,
}

/// The server's answer to a join.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Joined {
    /// The student's number in the class (1-based, in join order).
    pub student: u32,
    /// The per-join secret the student's socket presents (`/class/student?token=`).
    pub token: String,
    /// The class's code (normalised).
    pub code: String,
    /// The student's pseudonym.
    pub pseudonym: Pseudonym,
}

/// Settings of one run, as the student's form had them when the run started.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSettings {
    /// Learning rate, in (0, 10].
    pub lr: f64,
    /// Momentum, in [0, 1) (0 for plain SGD and Adam).
    pub momentum: f64,
    /// Batch size, 1 to 60,000.
    pub batch: u32,
    /// The optimiser's id (`sgd`, `momentum`, `adam`, …).
    pub optimizer: String,
    /// The seed of the run's initialisation and shuffling, below 2^53 (JavaScript's exact integers).
    pub seed: u64,
    /// Hidden layer widths, each 1 to 4,096, at most 4 layers (empty: none given).
    #[serde(default)]
    pub hidden: Vec<u32>,
    /// The engine that computed the run.
    pub engine: RunEngine,
    /// DP-SGD's noise multiplier σ, in [0, 100] (privacy lesson only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dp_sigma: Option<f64>,
    /// DP-SGD's clipping norm C, in (0, 1000] (privacy lesson only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dp_clip: Option<f64>,
}

/// The engine that computed a run, as the class sees it; on the wire its lowercase name (`"gpu"`,
/// `"native"`, …), as a class database has always stored it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunEngine {
    /// The WebGPU (or wgpu) kernels.
    Gpu,
    /// The CPU engine.
    Cpu,
    /// burn's autodiff.
    Burn,
    /// The backprop-lab program computed for the page (`serve --native-engine`).
    Native,
    /// Not known yet: the page had asked for `auto` and no engine had started.
    Auto,
    /// A name this build does not know (a report from another version of the page); read, never sent.
    #[serde(other)]
    Other,
}

impl std::fmt::Display for RunEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Gpu => "gpu",
            Self::Cpu => "cpu",
            Self::Burn => "burn",
            Self::Native => "native",
            Self::Auto => "auto",
            Self::Other => "other",
        })
    }
}

/// What a report says about a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ReportBody {
    /// A run started with these settings.
    Started {
        /// The form's settings.
        settings: RunSettings,
        /// The training step the run starts from: 0 for a fresh initialisation, more for a run that
        /// goes on from trained weights (a saved run continued after a reload, a run resumed with a new
        /// learning rate, a rate changed while it ran). Absent in the JSON when 0.
        #[serde(default, skip_serializing_if = "is_zero")]
        from_step: u32,
    },
    /// One evaluation during the run.
    Evaluation {
        /// Training steps done.
        step: u32,
        /// Training loss (mean cross-entropy of the last steps), finite and ≥ 0.
        loss: f64,
        /// Accuracy on the validation set, in [0, 1].
        val_accuracy: f64,
    },
    /// The run ended with a test evaluation.
    Finished {
        /// Training steps done.
        step: u32,
        /// Accuracy on the test set, in [0, 1].
        test_accuracy: f64,
        /// The test set's confusion matrix, row = true class, column = predicted, 100 counts (or none).
        #[serde(default)]
        confusion: Vec<u32>,
        /// The run's privacy budget ε (DP runs only), finite and ≥ 0.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        epsilon: Option<f64>,
    },
    /// The run's loss stopped being a number (the lesson stopped it).
    Diverged {
        /// The step it happened at.
        step: u32,
    },
}

/// One report about one of the student's runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// The student's run number (a new run in any lesson takes the next one), from 1.
    pub run: u32,
    /// The lesson's id (`train`, `privacy`, …).
    pub lesson: String,
    /// What happened.
    pub body: ReportBody,
}

/// Student page → server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum StudentMessage {
    /// A report to store; `seq` counts from 1 for each student and is resent until acknowledged.
    Report {
        /// The report's sequence number.
        seq: u64,
        /// The report.
        report: Report,
    },
    /// Where the student's page is now (for the teacher's grid): a lesson id and step, or home.
    Where {
        /// The lesson's id, or none for the home page.
        #[serde(default)]
        lesson: Option<String>,
        /// The step, from 1.
        step: u32,
    },
}

/// Settings the teacher pushes to one student's form.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// Learning rate for the student's next run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lr: Option<f64>,
    /// Seed for the student's next run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// DP-SGD noise multiplier σ for the privacy lesson's next run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dp_sigma: Option<f64>,
}

/// Server → student page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToStudent {
    /// The socket is open: who the student is, the highest sequence number already stored (the page
    /// drops acknowledged reports up to it and resends the rest), and what the teacher has pushed.
    Welcome {
        /// The student's pseudonym.
        pseudonym: Pseudonym,
        /// The class's code.
        code: String,
        /// Highest stored sequence number (0: none).
        acked: u64,
        /// The settings assigned to this student, if any.
        #[serde(default)]
        assignment: Option<Assignment>,
        /// The step the teacher asks everyone to follow, if any.
        #[serde(default)]
        follow: Option<Follow>,
    },
    /// The report with this sequence number is stored.
    Ack {
        /// Its sequence number.
        seq: u64,
    },
    /// A message was refused (and not stored); the page shows the reason.
    Refused {
        /// The refused report's sequence number, when it was a report.
        #[serde(default)]
        seq: Option<u64>,
        /// Why, in English (the page says it in its language by [`Refusal`]'s code where it knows it).
        reason: String,
    },
    /// New settings from the teacher.
    Assign(Assignment),
    /// The teacher asks everyone to a lesson's step.
    Follow(Follow),
    /// The class has ended (the teacher ended it or it expired).
    Ended,
}

/// A lesson and step the teacher asks everyone to follow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Follow {
    /// The lesson's id.
    pub lesson: String,
    /// The step, from 1.
    pub step: u32,
}

/// How the teacher spreads a setting over the class ([`crate::spread`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "what", rename_all = "snake_case", deny_unknown_fields)]
pub enum Spread {
    /// Learning rates from `min` to `max`, evenly on a log scale, in join order.
    LearningRates {
        /// The smallest, > 0.
        min: f64,
        /// The largest, ≤ 10.
        max: f64,
    },
    /// Seeds 1, 2, 3, … in join order.
    Seeds,
    /// DP noise multipliers σ from `min` to `max`, evenly, in join order.
    Sigmas {
        /// The smallest, ≥ 0.
        min: f64,
        /// The largest, ≤ 100.
        max: f64,
    },
    /// Take every assignment back.
    Clear,
}

/// Teacher page → server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum TeacherMessage {
    /// Start a new class (or, with `resume`, reopen the class with that code).
    Start {
        /// A class's code to reopen instead of starting a new one.
        #[serde(default)]
        resume: Option<String>,
    },
    /// Spread a setting over the students who have joined.
    Assign {
        /// How.
        spread: Spread,
    },
    /// Ask every student's page to a lesson's step (none: stop following).
    Follow {
        /// The lesson and step, or none.
        #[serde(default)]
        follow: Option<Follow>,
    },
    /// Keep the class past its expiry (or let it expire again).
    Keep {
        /// Keep it.
        keep: bool,
    },
    /// End the class: students are told, the data stays until it expires.
    End,
}

/// A student as the teacher's grid shows them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudentView {
    /// The student's number.
    pub student: u32,
    /// The pseudonym.
    pub pseudonym: Pseudonym,
    /// Whether the student's page is connected now.
    pub online: bool,
    /// The lesson the page is on, if known.
    pub lesson: Option<String>,
    /// The step the page is on.
    pub step: u32,
    /// The settings assigned to this student.
    pub assignment: Option<Assignment>,
}

/// A stored report as the teacher sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredReport {
    /// Who sent it.
    pub student: u32,
    /// The student's sequence number.
    pub seq: u64,
    /// When it was stored, milliseconds since the Unix epoch.
    pub at_ms: u64,
    /// The report.
    pub report: Report,
}

/// Server → teacher page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToTeacher {
    /// The class: its code, the URL students open, when it expires.
    Class {
        /// The join code.
        code: String,
        /// The URL a student opens (this server's address and `/?class=CODE`).
        join_url: String,
        /// When the class expires, milliseconds since the Unix epoch (unless kept).
        expires_ms: u64,
        /// Whether the teacher chose to keep it past that.
        kept: bool,
        /// The class's capacity ([`crate::CLASS_CAPACITY`]).
        capacity: u32,
    },
    /// Everything so far (sent after `Class`, and again after a reconnect).
    Snapshot {
        /// Every student who joined.
        students: Vec<StudentView>,
        /// Every stored report, in the order stored.
        reports: Vec<StoredReport>,
    },
    /// A student joined, reconnected, left or moved.
    Student(StudentView),
    /// A report was stored.
    Report(StoredReport),
    /// A teacher's message was refused.
    Refused {
        /// Why.
        reason: String,
    },
    /// The class has ended.
    Ended,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_zero(n: &u32) -> bool {
    *n == 0
}
