//! "Inside the black box": the first layer's weights, saliency maps from the model's own input
//! gradients (gradient, SmoothGrad, integrated gradients with its completeness check), the sanity
//! check of randomised weights, FGSM on one image and over the test set, adversarial training against
//! a control arm, and overconfidence (`?lesson=interpret&step=5&model=mlp-32&test=2000`).

pub mod attack;
pub mod calib;
pub mod check;
pub mod panels;
pub mod protocol;
pub mod state;
mod teaching;
pub mod text;
mod worker;

use leptos::prelude::*;

use self::protocol::{Command, MessageCode, ModelChoice, Source};
use self::text::STEPS;
use super::bar::LessonBar;
use super::lesson::{Lesson, LessonInfo};
use super::player::{StepPlayer, current_step};
use crate::route::Router;
use crate::runtime::WorkerEntry;
use crate::settings::{self, Field, Param, accept};
use crate::ui::i18n::{Lang, tx};
use kernels::engine::Preference;

/// URL id.
pub const ID: &str = "interpret";

/// Registry entry.
pub const INFO: LessonInfo = LessonInfo {
    id: ID,
    title: text::TITLE,
    summary: text::SUMMARY,
    steps: &STEPS,
    minutes: 25,
    article: tx("Q&A: interpretability", "问答：可解释性"),
};

/// The lesson's engine worker.
pub const WORKER: WorkerEntry =
    crate::runtime::split_worker!("interpret", interpret, worker::Worker);

/// Registry row.
pub const LESSON: Lesson = Lesson {
    info: INFO,
    page: super::lesson::split_page!(
        interpret,
        interpret_page,
        view! { <InterpretLesson /> }.into_any()
    ),
    worker: Some(WORKER),
    check: |query| settings::url_problems(SETTINGS, query),
    demos: teaching::DEMOS,
    answers: teaching::ANSWERS,
    module: module_path!(),
};

/// The ε's of the curves (pixel units), as `backprop-lab attack` measures them.
pub const EPSILONS: [f32; 7] = kernels::attack::CURVE_EPSILONS;
/// Training images for adversarial fine-tuning (one epoch).
pub const HARDEN_IMAGES: (usize, usize) = (1000, 15_000);
/// ε of the fine-tuning's FGSM images.
pub const HARDEN_EPSILON: f32 = kernels::attack::FINE_TUNE_EPSILON;
const TEST: (usize, usize) = (100, 10_000);

/// The lesson's setup from the URL.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Setup {
    pub model: ModelChoice,
    pub test: usize,
    pub harden: usize,
    pub image: usize,
    pub engine: Preference,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            model: ModelChoice::Shipped,
            test: 10_000,
            harden: 6000,
            image: 0,
            engine: Preference::Auto,
        }
    }
}

settings::engine_field!(Setup);

const SETTINGS: &[Param<Setup>] = &[
    Param {
        key: "model",
        label: text::ui::MODEL,
        field: Field::UrlOnly,
        live: false,
        applies: |_| true,
        get: |s| s.model.key().to_string(),
        set: |s, v| {
            let model = match v {
                "mlp-512" => ModelChoice::Shipped,
                "mlp-32" => ModelChoice::Small,
                _ => return false,
            };
            s.model = model;
            true
        },
    },
    Param {
        key: "test",
        label: text::ui::TEST_IMAGES,
        field: Field::UrlOnly,
        live: false,
        applies: |_| true,
        get: |s| s.test.to_string(),
        set: |s, v| accept(v, |x| (TEST.0..=TEST.1).contains(x), |x| s.test = x),
    },
    Param {
        key: "harden",
        label: text::ui::HARDEN,
        field: Field::UrlOnly,
        live: false,
        applies: |_| true,
        get: |s| s.harden.to_string(),
        set: |s, v| {
            accept(
                v,
                |x| (HARDEN_IMAGES.0..=HARDEN_IMAGES.1).contains(x),
                |x| s.harden = x,
            )
        },
    },
    Param {
        key: "image",
        label: text::ui::IMAGE,
        field: Field::UrlOnly,
        live: false,
        applies: |_| true,
        get: |s| s.image.to_string(),
        set: |s, v| accept(v, |x| *x < TEST.1, |x| s.image = x),
    },
    settings::engine_param(),
];

/// The page.
#[component]
pub fn InterpretLesson() -> impl IntoView {
    let router = expect_context::<Router>();
    let lang = expect_context::<RwSignal<Lang>>();
    let (setup, problems) = settings::from_query(SETTINGS, &router.0.get_untracked().query());
    let (client, state) = state::start();
    state.status.url_problems(&problems);
    client.send(&Command::Start {
        engine: setup.engine,
        model: setup.model,
        test: setup.test,
    });
    let pick = panels::Pick {
        image: RwSignal::new(setup.image.min(setup.test - 1)),
        drawn: RwSignal::new(None),
        drawing: RwSignal::new(false),
    };
    let image = pick.image;
    // The image shown goes into the URL, so a link shows the same digit.
    Effect::new(move |_| {
        let i = image.get();
        let mut r = router.0.get_untracked();
        r.set("image", (i != 0).then(|| i.to_string()));
        if r != router.0.get_untracked() {
            router.replace(r);
        }
    });
    let step = current_step(router, STEPS.len());
    let forget = client.clone();
    let live = client.clone();
    let load = client.clone();
    let pick_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        let client = load.clone();
        wasm_bindgen_futures::spawn_local(async move {
            match crate::ui::files::file_bytes(file).await {
                Ok(bytes) => client.send(&Command::Load {
                    bytes: serde_bytes::ByteBuf::from(bytes),
                }),
                Err(e) => state.status.say(MessageCode::FileUnreadable, e),
            }
        });
    };
    let panel = move || {
        let client = client.clone();
        if state.loaded.get().is_none() {
            return view! { <div class="panel wide"><p class="hint" data-testid="interpret-loading">{move || text::ui::LOADING.get(lang.get())}</p></div> }.into_any();
        }
        match step.get() {
            1 => panels::first_layer(client, lang).into_any(),
            2 => panels::saliency(client, state, pick, lang).into_any(),
            3 => panels::sanity(client, state, pick, lang).into_any(),
            4 => attack::fgsm(client, state, pick, lang).into_any(),
            5 => attack::fragile(client, state, lang).into_any(),
            6 => attack::sturdier(client, state, setup.harden, lang).into_any(),
            7 => attack::overconfidence(client, state, lang).into_any(),
            _ => check::check(client, state, pick, lang).into_any(),
        }
    };
    view! {
        <main class="lesson interpret">
            <StepPlayer steps=&STEPS />
            <LessonBar status=state.status prefix="interpret"
                kept_text=tx("The curves below were kept in this browser and shown again after the reload.", "下面的曲线保存在本浏览器中，重新加载后再次显示。")
                on_afresh=Callback::new(move |()| forget.send(&Command::Forget))>
                <span class="model" data-testid="interpret-model" data-source=move || match state.source.get() {
                    Some(Source::Shipped(_)) => "shipped", Some(Source::File) => "file", Some(Source::Live(_)) => "live", None => "" }>
                    {move || state.loaded.get().map(|(w, test, _)| format!("{} {} ({}) · {} {}",
                        text::ui::MODEL.get(lang.get()),
                        w.iter().map(ToString::to_string).collect::<Vec<_>>().join("-"),
                        match state.source.get() {
                            Some(Source::File) => text::ui::FROM_FILE.get(lang.get()).to_string(),
                            Some(Source::Live(steps)) => format!("{} · {steps} {}", text::ui::FROM_LIVE.get(lang.get()), text::ui::STEPS_TAKEN.get(lang.get())),
                            _ => text::ui::SHIPPED.get(lang.get()).to_string(),
                        },
                        test, text::ui::TEST_IMAGES.get(lang.get()).to_lowercase()))}
                </span>
                <span class="model-choice">
                    <button class="secondary" data-testid="interpret-live-model" disabled=move || state.loaded.get().is_none()
                        on:click=move |_| live.send(&Command::UseLive)>{move || text::ui::USE_LIVE.get(lang.get())}</button>
                    <label class="import">
                        <span>{move || text::ui::LOAD_FILE.get(lang.get())}</span>
                        <input type="file" accept=".safetensors" data-testid="interpret-load-model" disabled=move || state.loaded.get().is_none() on:change=pick_file />
                        <span class="file-button" aria-hidden="true">{move || crate::ui::files::CHOOSE_FILE.get(lang.get())}</span>
                    </label>
                </span>
            </LessonBar>
            {panel}
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_settings_table_reads_back_its_defaults_and_refuses_what_is_out_of_range() {
        settings::check_table(SETTINGS);
        let (s, problems) =
            settings::from_query(SETTINGS, "?model=mlp-32&test=2000&harden=2000&image=7");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            (s.model, s.test, s.harden, s.image),
            (ModelChoice::Small, 2000, 2000, 7)
        );
        let (_, problems) = settings::from_query(SETTINGS, "?model=vgg&test=5&harden=100");
        assert_eq!(problems.len(), 3);
    }
}
