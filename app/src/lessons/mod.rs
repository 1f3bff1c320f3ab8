//! The lesson registry: one entry per lesson (id, title, summary, steps), the table the home page and the
//! router read. A lesson is a folder (`lessons/<name>/`) with its steps, its text in both languages and
//! its panels.

pub mod chain_rule;
pub mod concepts;
pub mod cross_entropy;
pub mod finetune;
pub mod player;
pub mod train;

use leptos::prelude::*;

use crate::ui::i18n::{Text, tx};

/// One step of a lesson: its title and what the text says.
#[derive(Clone, Copy, Debug)]
pub struct Step {
    /// Short title (the progress dots' labels).
    pub title: Text,
    /// The explanation shown with the step's panel.
    pub body: Text,
}

/// A lesson in the registry.
#[derive(Clone, Copy, Debug)]
pub struct LessonInfo {
    /// URL id (`?lesson=…`).
    pub id: &'static str,
    /// Title.
    pub title: Text,
    /// One or two sentences for the home page.
    pub summary: Text,
    /// The steps (empty: a free-form lesson without a step player).
    pub steps: &'static [Step],
}

/// Every lesson, in the order the home page lists them.
pub const LESSONS: &[LessonInfo] = &[
    train::INFO,
    finetune::INFO,
    cross_entropy::INFO,
    chain_rule::INFO,
];

/// The registry entry of `id`.
pub fn find(id: &str) -> Option<&'static LessonInfo> {
    LESSONS.iter().find(|l| l.id == id)
}

/// The lesson's page.
pub fn view(id: &str) -> AnyView {
    match id {
        finetune::ID => view! { <finetune::FinetuneLesson /> }.into_any(),
        cross_entropy::ID => view! { <cross_entropy::CrossEntropyLesson /> }.into_any(),
        chain_rule::ID => view! { <chain_rule::ChainRuleLesson /> }.into_any(),
        _ => view! { <train::TrainLesson /> }.into_any(),
    }
}

/// Texts of the registry itself (titles and summaries are in each lesson's table too).
pub const NOT_FOUND: Text = tx(
    "There is no lesson of that name; here are the lessons.",
    "没有这个名字的课程；以下是全部课程。",
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::i18n::untranslated;

    #[test]
    fn registry_ids_are_unique_and_every_text_is_translated() {
        let mut ids: Vec<_> = LESSONS.iter().map(|l| l.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), LESSONS.len());
        use crate::ui::line_chart::{ACCURACY, EPOCH, LOSS, STEP};
        let mut texts = vec![NOT_FOUND, STEP, EPOCH, LOSS, ACCURACY];
        for l in LESSONS {
            texts.extend([l.title, l.summary]);
            texts.extend(l.steps.iter().flat_map(|s| [s.title, s.body]));
        }
        texts.extend(concepts::text::all());
        texts.extend(cross_entropy::text::all());
        texts.extend(chain_rule::text::all());
        assert_eq!(untranslated(&texts), Vec::<&str>::new());
        assert!(find("finetune").is_some_and(|l| l.steps.len() == 6));
    }
}
