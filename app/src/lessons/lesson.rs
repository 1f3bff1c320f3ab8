//! What a lesson is to the rest of the app: its registry row ([`Lesson`]: id, text, steps, page, and the
//! worker it starts) and one step of a stepped lesson. Lesson folders import these from here, not from
//! the registry that lists them.

use leptos::prelude::*;

use crate::runtime::WorkerEntry;
use crate::ui::i18n::Text;

/// One step of a lesson: its title and what the text says.
#[derive(Clone, Copy, Debug)]
pub struct Step {
    /// Short title (the progress dots' labels).
    pub title: Text,
    /// The explanation shown with the step's panel.
    pub body: Text,
    /// For the teacher: what to do, ask and expect (shown in presenter mode).
    pub notes: Text,
}

/// What the home page and the header say of a lesson.
#[derive(Clone, Copy, Debug)]
pub struct LessonInfo {
    /// URL id (`?lesson=…`).
    pub id: &'static str,
    /// Title.
    pub title: Text,
    /// One or two sentences for the home page, in plain language (no term the lesson has not taught).
    pub summary: Text,
    /// The steps (empty: a free-form lesson without a step player).
    pub steps: &'static [Step],
    /// Minutes a class needs for it (the teacher's plan adds them up).
    pub minutes: u32,
    /// The article's section it teaches.
    pub article: Text,
}

/// A link on the teacher's page that opens the lesson ready for one demonstration.
#[derive(Clone, Copy, Debug)]
pub struct Demo {
    /// What it shows.
    pub title: Text,
    /// Its setup (`step=2&weight=1.3.5`), checked against the lesson's URL table by a unit test.
    pub setup: &'static str,
    /// What to do and what the class should see.
    pub what: Text,
    /// The result a run shows, for the teacher to spot a wrong one.
    pub expect: Text,
}

/// One graded question of a lesson and its key.
#[derive(Clone, Copy, Debug)]
pub struct AnswerKey {
    /// The step that asks it (1-based).
    pub step: usize,
    /// The question, shortly.
    pub question: Text,
    /// The answer to expect and how the page decides it.
    pub answer: Text,
    /// The code that grades it, `<file in the lesson's folder> <function>` (a unit test checks both
    /// exist, so whoever changes a question finds its key).
    pub graded_by: &'static str,
}

/// A lesson's registry row: everything the home page, the router and the worker entry point need.
#[derive(Clone, Copy)]
pub struct Lesson {
    /// Id, title, summary and steps.
    pub info: LessonInfo,
    /// Its page.
    pub page: fn() -> AnyView,
    /// The engine worker its page starts, if any (two lessons may share one).
    pub worker: Option<WorkerEntry>,
    /// What the lesson would say is wrong with a URL's setup (`?lesson=…&lr=…`): empty when it opens
    /// as the link says (the teacher's demo links are checked with it).
    pub check: fn(query: &str) -> Vec<String>,
    /// The teacher's demo links into the lesson.
    pub demos: &'static [Demo],
    /// The answer keys of the questions it grades.
    pub answers: &'static [AnswerKey],
    /// `module_path!()` of the lesson's module (its folder under `lessons/` is the last part).
    pub module: &'static str,
}

impl Lesson {
    /// The lesson's folder under `app/src/lessons/`.
    pub fn folder(&self) -> &'static str {
        self.module.rsplit("::").next().unwrap_or(self.module)
    }
}

/// A lesson page's code, loaded when the lesson opens: the registry row's `page` for the view
/// `$view`, whose code (and everything only it uses) the build's splitter moves into the wasm chunk
/// `$chunk`, through the split function `$load` (unique per chunk; see [`crate::lazy`]). The home page
/// never downloads it. A lesson's page and worker share one chunk: the lesson needs both, and the
/// page's download serves the worker from the browser's cache.
macro_rules! split_page {
    ($chunk:ident, $load:ident, $view:expr) => {
        $crate::lazy::split_view!($chunk, $load, $crate::lazy::Part::Lesson, $view)
    };
}
pub(crate) use split_page;

/// What `backprop-lab lesson-bench` needs of the lesson it plays over `serve --native-engine`'s socket:
/// read a page URL's setup, the messages that start and pause a run, and the lesson's messages read
/// as what the bench measures. The registry names the lesson (`lessons::BENCHED`), so the CLI names
/// none.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Clone, Copy)]
pub struct BenchPlay {
    /// The worker's name (the socket's path, `/engine/<worker>`).
    pub worker: &'static str,
    /// The model and data a setup (`hidden=512&batch=64…`) trains, or what is wrong with it.
    pub read_setup: fn(setup: &str) -> Result<BenchShape, Vec<String>>,
    /// The messages (JSON text) that reset the lesson to `setup` on `engine` and start training.
    pub start: fn(setup: &str, engine: kernels::engine::Preference) -> Vec<String>,
    /// The message that pauses training.
    pub pause: fn() -> String,
    /// One of the lesson's messages, as the bench reads it.
    pub read: fn(text: &str) -> Result<BenchEvent, String>,
}

/// The shape a benched setup trains: what the bare-engine peer needs to train the same.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Clone, Debug, PartialEq)]
pub struct BenchShape {
    /// Training images.
    pub train: usize,
    /// Hidden widths.
    pub hidden: Vec<usize>,
    /// The initialisation's seed.
    pub seed: u64,
    /// Batch size.
    pub batch: usize,
}

/// A lesson's message as the bench reads it.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Clone, Debug, PartialEq)]
pub enum BenchEvent {
    /// The engine the lesson computes on.
    Engine {
        /// Which engine.
        kind: kernels::EngineKind,
        /// Its adapter.
        adapter: String,
    },
    /// A burst of training ended.
    Progress {
        /// Steps taken.
        step: u64,
        /// The lesson's own speed figure (0 when it has none yet).
        samples_per_second: f64,
        /// The run ended.
        finished: bool,
    },
    /// The run diverged.
    Diverged {
        /// The first step whose loss exploded.
        step: u64,
        /// Its loss.
        loss: f32,
    },
    /// The lesson reported a problem.
    Error(String),
    /// Anything the bench does not read.
    Other,
}
