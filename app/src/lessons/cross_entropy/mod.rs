//! "Cross-entropy": H(p, q) = −Σ p(x) log q(x) on the live model, in six steps (`?lesson=cross-entropy
//! &step=4&image=17`). The playground and the comparison with squared error run on the page; the
//! live image, the gallery and the quiz ask the concept lessons' worker.

pub mod math;
pub mod panels;
mod teaching;
pub mod text;

use leptos::prelude::*;

use self::panels::{Gallery, LiveImagePanel, Playground, Quiz, Versus};
use self::text::STEPS;
use super::lesson::{Lesson, LessonInfo};
use super::live_model::{Live, LiveBar, url_image};
use super::player::{StepPlayer, current_step};
use crate::route::Router;
use crate::ui::i18n::tx;

/// URL id.
pub const ID: &str = "cross-entropy";

/// Registry entry.
pub const INFO: LessonInfo = LessonInfo {
    id: ID,
    title: text::TITLE,
    summary: text::SUMMARY,
    steps: &STEPS,
    minutes: 15,
    article: tx("§4.1 The loss function", "§4.1 损失函数"),
};

/// Registry row.
pub const LESSON: Lesson = Lesson {
    info: INFO,
    page: super::lesson::split_page!(
        concepts,
        cross_entropy_page,
        view! { <CrossEntropyLesson /> }.into_any()
    ),
    worker: Some(super::live_model::WORKER),
    check: super::live_model::url_problems,
    demos: teaching::DEMOS,
    answers: teaching::ANSWERS,
    module: module_path!(),
};

/// The lesson page.
#[component]
pub fn CrossEntropyLesson() -> impl IntoView {
    let router = expect_context::<Router>();
    let route = router.0.get_untracked();
    Live::start(&route);
    let image = RwSignal::new(url_image(&route));
    let step = current_step(router, STEPS.len());
    view! {
        <main class="lesson concept">
            <StepPlayer steps=&STEPS />
            // Steps 2 and 3 are about the formula, not the live model.
            <LiveBar hidden=Signal::derive(move || matches!(step.get(), 2 | 3)) />
            {move || match step.get() {
                1 => view! { <LiveImagePanel image=image compare=false /> }.into_any(),
                2 => view! { <Playground /> }.into_any(),
                3 => view! { <Versus /> }.into_any(),
                4 => view! { <LiveImagePanel image=image compare=true /> }.into_any(),
                5 => view! { <Gallery /> }.into_any(),
                _ => view! { <Quiz /> }.into_any(),
            }}
        </main>
    }
}
