//! What a lesson is to the rest of the app: its registry row ([`Lesson`]: id, text, steps, page, and the
//! worker it starts) and one step of a stepped lesson. Lesson folders import these from here, not from
//! the registry that lists them.

use leptos::prelude::AnyView;

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
}
