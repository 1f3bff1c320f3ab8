//! "The chain rule": ∂L/∂w_ij = ∂L/∂y_j · ∂y_j/∂z_j · ∂z_j/∂w_ij on the live model, in four steps
//! (`?lesson=chain-rule&step=2&weight=0.5.406&image=3&rows=1`). The chosen weight, image and batch size
//! live in the URL, so a teacher can link to one weight.

pub mod backward;
pub mod panels;
mod teaching;
pub mod text;

use leptos::prelude::*;

use self::backward::BackwardPanel;
use self::panels::{ChainPanel, Diagram, PredictPanel};
use self::text::STEPS;
use super::lesson::{Lesson, LessonInfo};
use super::live_model::protocol::Weight;
use super::live_model::{Live, LiveBar, url_image};
use super::player::{StepPlayer, current_step};
use crate::route::Router;
use crate::ui::formula::{Formula, tex};
use crate::ui::i18n::tx;

/// URL id.
pub const ID: &str = "chain-rule";
/// Hidden units of the live model.
pub const HIDDEN: usize = super::live_model::HIDDEN;

/// Registry entry.
pub const INFO: LessonInfo = LessonInfo {
    id: ID,
    title: text::TITLE,
    summary: text::SUMMARY,
    steps: &STEPS,
    minutes: 10,
    article: tx("§4.2 Backpropagation", "§4.2 反向传播算法"),
};

/// Registry row.
pub const LESSON: Lesson = Lesson {
    info: INFO,
    page: super::lesson::split_page!(
        concepts,
        chain_rule_page,
        view! { <ChainRuleLesson /> }.into_any()
    ),
    worker: Some(super::live_model::WORKER),
    check: super::live_model::url_problems,
    demos: teaching::DEMOS,
    answers: teaching::ANSWERS,
    module: module_path!(),
};

/// What the student chose, kept in the URL.
#[derive(Clone, Copy)]
pub struct Choice {
    /// The weight.
    pub weight: RwSignal<Weight>,
    /// First test image.
    pub image: RwSignal<usize>,
    /// Images in the batch (1 or 16).
    pub rows: RwSignal<usize>,
}

impl Choice {
    fn remember(key: &str, value: String) {
        let router = expect_context::<Router>();
        let mut r = router.0.get_untracked();
        r.set(key, Some(value));
        router.replace(r);
    }

    /// Picks a weight.
    pub fn set_weight(&self, w: Weight) {
        self.weight.set(w);
        Self::remember("weight", w.to_param());
    }

    /// Sets the batch size.
    pub fn set_rows(&self, n: usize) {
        let n = if n > 1 { 16 } else { 1 };
        self.rows.set(n);
        Self::remember("rows", n.to_string());
    }
}

/// The lesson page.
#[component]
pub fn ChainRuleLesson() -> impl IntoView {
    let router = expect_context::<Router>();
    let route = router.0.get_untracked();
    Live::start(&route);
    let valid = |w: &Weight| w.fits(HIDDEN);
    let choice = Choice {
        weight: RwSignal::new(
            route
                .get("weight")
                .and_then(Weight::parse)
                .filter(valid)
                .unwrap_or(Weight {
                    layer: 1,
                    out: 3,
                    input: 5,
                }),
        ),
        image: RwSignal::new(url_image(&route)),
        rows: RwSignal::new(if route.get("rows") == Some("16") {
            16
        } else {
            1
        }),
    };
    let step = current_step(router, STEPS.len());
    view! {
        <main class="lesson concept">
            <StepPlayer steps=&STEPS />
            <LiveBar />
            {move || match step.get() {
                1 => view! {
                    <div class="panel wide">
                        <Formula mathml=tex::CHAIN_RULE />
                        <Diagram weight=choice.weight />
                    </div>
                }.into_any(),
                2 => view! { <ChainPanel choice=choice /> }.into_any(),
                3 => view! { <BackwardPanel choice=choice /> }.into_any(),
                _ => view! { <PredictPanel choice=choice /> }.into_any(),
            }}
        </main>
    }
}
