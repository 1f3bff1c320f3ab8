//! "Privacy: what a model remembers": a membership test on a model trained without privacy, DP-SGD
//! taken apart on one lot, a privacy meter (ε from the accountant) on a DP-SGD run, the two runs
//! compared, what encryption would take, and questions graded by the accountant and the runs
//! (`?lesson=privacy&step=3&clip=1&noise=1.5&lot=50&epochs=30`).

pub mod check;
mod class_report;
pub mod cost;
pub mod math;
pub mod panels;
pub mod protocol;
pub mod state;
mod teaching;
pub mod text;
mod worker;

use leptos::prelude::*;

use self::panels::DpForm;
use self::protocol::{Command, DpSettings};
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
pub const ID: &str = "privacy";

/// Registry entry.
pub const INFO: LessonInfo = LessonInfo {
    id: ID,
    title: text::TITLE,
    summary: text::SUMMARY,
    steps: &STEPS,
    minutes: 20,
    article: tx("Q&A: privacy", "问答：隐私保护"),
};

/// The lesson's engine worker.
pub const WORKER: WorkerEntry = crate::runtime::split_worker!("privacy", privacy, worker::Worker);

/// Registry row.
pub const LESSON: Lesson = Lesson {
    info: INFO,
    page: super::lesson::split_page!(
        privacy,
        privacy_page,
        view! { <PrivacyLesson /> }.into_any()
    ),
    worker: Some(WORKER),
    check: |query| settings::url_problems(SETTINGS, query),
    demos: teaching::DEMOS,
    answers: teaching::ANSWERS,
    module: module_path!(),
};

/// The lesson's setup from the URL.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Setup {
    clip: f32,
    noise: f32,
    lot: usize,
    epochs: usize,
    seed: u64,
    /// Member images (1,000; up to 60,000 for the full-MNIST mode).
    members: usize,
    engine: Preference,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            clip: 1.0,
            noise: 1.5,
            lot: 50,
            epochs: 30,
            seed: 1,
            members: worker::MEMBERS,
            engine: Preference::Auto,
        }
    }
}

settings::engine_field!(Setup);
settings::seed_field!(Setup);

/// Ranges of the settings (the sliders, the URL and the worker check against them).
const CLIP: (f32, f32) = (0.1, 5.0);
const NOISE: (f32, f32) = (0.0, 4.0);
/// The noise a run accepts: the sliders stop at 4, the accountant may pick more for ε ≈ 1.
const NOISE_RUN: (f32, f32) = (0.0, 20.0);
const LOT: (usize, usize) = (20, 500);
const EPOCHS: (usize, usize) = (1, 60);

/// What the worker refuses: settings outside the lesson's ranges.
pub fn check_settings(dp: DpSettings, epochs: usize) -> Result<(), String> {
    let ok = (CLIP.0..=CLIP.1).contains(&dp.clip)
        && (NOISE_RUN.0..=NOISE_RUN.1).contains(&dp.noise)
        && (LOT.0..=LOT.1).contains(&dp.lot)
        && (EPOCHS.0..=EPOCHS.1).contains(&epochs);
    if ok {
        Ok(())
    } else {
        Err(format!(
            "C in {:?}, σ in {:?}, L in {:?}, epochs in {:?} (got C {}, σ {}, L {}, {} epochs)",
            CLIP, NOISE_RUN, LOT, EPOCHS, dp.clip, dp.noise, dp.lot, epochs
        ))
    }
}

const SETTINGS: &[Param<Setup>] = &[
    Param {
        key: "clip",
        label: text::ui::CLIP,
        field: Field::Number("0.1"),
        live: false,
        applies: |_| true,
        get: |s| s.clip.to_string(),
        set: |s, v| accept(v, |x: &f32| (CLIP.0..=CLIP.1).contains(x), |x| s.clip = x),
    },
    Param {
        key: "noise",
        label: text::ui::NOISE,
        field: Field::Number("0.1"),
        live: false,
        applies: |_| true,
        get: |s| s.noise.to_string(),
        set: |s, v| {
            accept(
                v,
                |x: &f32| (NOISE.0..=NOISE.1).contains(x),
                |x| s.noise = x,
            )
        },
    },
    Param {
        key: "lot",
        label: text::ui::LOT,
        field: Field::Number("10"),
        live: false,
        applies: |_| true,
        get: |s| s.lot.to_string(),
        set: |s, v| accept(v, |x| (LOT.0..=LOT.1).contains(x), |x| s.lot = x),
    },
    Param {
        key: "epochs",
        label: text::ui::EPOCHS,
        field: Field::Number("1"),
        live: false,
        applies: |_| true,
        get: |s| s.epochs.to_string(),
        set: |s, v| accept(v, |x| (EPOCHS.0..=EPOCHS.1).contains(x), |x| s.epochs = x),
    },
    Param {
        key: "members",
        label: tx("Member images", "成员图像数"),
        field: Field::UrlOnly,
        live: false,
        applies: |_| true,
        get: |s| s.members.to_string(),
        set: |s, v| {
            accept(
                v,
                |x| (worker::MEMBERS..=60_000).contains(x),
                |x| s.members = x,
            )
        },
    },
    settings::seed_param(),
    settings::engine_param(),
];

/// The lesson page.
#[component]
pub fn PrivacyLesson() -> impl IntoView {
    let router = expect_context::<Router>();
    let lang = expect_context::<RwSignal<Lang>>();
    let (setup, problems) = settings::from_query(SETTINGS, &router.0.get_untracked().query());
    let (client, state) = state::start();
    state.class_seed.set(setup.seed);
    state.status.url_problems(&problems);
    client.send(&Command::Start {
        engine: setup.engine,
        seed: setup.seed,
        members: setup.members,
    });
    let form = DpForm::new(
        setup.clip,
        setup.noise,
        setup.lot,
        setup.epochs,
        setup.members,
    );
    // Class mode: a noise multiplier the teacher assigned goes into the form for the next private run,
    // through the URL table's own check.
    Effect::new(move |_| {
        let Some(a) = crate::class::assignment() else {
            return;
        };
        let Some(sigma) = a.dp_sigma else { return };
        crate::class::taken(&a, false);
        let mut s = setup;
        if let Some(p) = SETTINGS.iter().find(|p| p.key == "noise")
            && (p.set)(&mut s, &sigma.to_string())
        {
            form.noise.set(s.noise);
        }
    });
    // The sliders' values go into the URL, so a link reproduces them.
    Effect::new(move |_| {
        let s = Setup {
            clip: form.clip.get(),
            noise: form.noise.get(),
            lot: form.lot.get(),
            epochs: form.epochs.get(),
            ..setup
        };
        let mut r = router.0.get_untracked();
        for p in SETTINGS
            .iter()
            .filter(|p| !matches!(p.key, "engine" | "seed" | "members"))
        {
            let v = (p.get)(&s);
            r.set(p.key, (v != (p.get)(&Setup::default())).then_some(v));
        }
        if r != router.0.get_untracked() {
            router.replace(r);
        }
    });
    let step = current_step(router, STEPS.len());
    let forget_client = client.clone();
    let panel = move || {
        let client = client.clone();
        match step.get() {
            1 => panels::remember_panel(client, state, form, lang).into_any(),
            2 => panels::lot_panel(client, state, form, lang).into_any(),
            3 => panels::meter_panel(client, state, form, lang).into_any(),
            4 => cost::cost_panel(client, state, form, lang).into_any(),
            5 => panels::encryption_panel(lang).into_any(),
            _ => check::check_panel(client, state, form, lang).into_any(),
        }
    };
    view! {
        <main class="lesson privacy">
            <StepPlayer steps=&STEPS />
            <LessonBar status=state.status prefix="privacy"
                kept_text=tx("The runs below were kept in this browser and shown again after the reload.", "下面的运行结果保存在本浏览器中，重新加载后再次显示。")
                on_afresh=Callback::new(move |()| forget_client.send(&Command::Forget)) />
            {panel}
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_settings_table_reads_back_its_defaults_and_refuses_what_the_worker_refuses() {
        settings::check_table(SETTINGS);
        let (s, problems) = settings::from_query(SETTINGS, "?clip=2&noise=0.5&lot=100&epochs=5");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!((s.clip, s.noise, s.lot, s.epochs), (2.0, 0.5, 100, 5));
        let (_, problems) = settings::from_query(SETTINGS, "?lot=5&noise=-1");
        assert_eq!(problems.len(), 2);
        let d = Setup::default();
        assert!(
            check_settings(
                DpSettings {
                    clip: d.clip,
                    noise: d.noise,
                    lot: d.lot
                },
                d.epochs
            )
            .is_ok()
        );
        assert!(
            check_settings(
                DpSettings {
                    clip: 1.0,
                    noise: 1.0,
                    lot: 10
                },
                5
            )
            .is_err()
        );
    }
}
