//! "Fine-tune a pretrained model": the six steps of the recipe on the live pretrained model, in four
//! scenarios, with freezing made visible and a from-scratch comparison. The URL carries the step and
//! the setup (`?lesson=finetune&step=3&scenario=pen`).

pub mod draw;
mod form;
mod page;
pub mod panels;
mod predict;
pub mod protocol;
pub mod pytorch;
mod seeds;
pub mod state;
mod steps;
mod teaching;
pub mod text;
pub mod verdict;
mod worker;

use leptos::prelude::*;

use self::panels::{ComparisonChart, FreezingPanel, ModelFiles, StatusBar};
use self::protocol::{Command, Scenario};
use self::text::{STEPS, ui};
use super::bar::{EngineBadge, ErrorList};
use super::lesson::{Lesson, LessonInfo};
use super::player::{StepPlayer, current_step};
use crate::route::Router;
use crate::runtime::WorkerEntry;
use crate::settings::{self, Field, Param, accept};
use crate::ui::i18n::{Lang, tx};
use kernels::engine::Preference;

/// URL id.
pub const ID: &str = "finetune";

/// Registry entry.
pub const INFO: LessonInfo = LessonInfo {
    id: ID,
    title: text::TITLE,
    summary: text::SUMMARY,
    steps: &STEPS,
    minutes: 25,
    article: tx("§3.2 and §5.2 Fine-tuning", "§3.2、§5.2 模型微调"),
};

/// The lesson's engine worker.
pub const WORKER: WorkerEntry = crate::runtime::split_worker!("finetune", finetune, worker::Worker);

/// Registry row.
pub const LESSON: Lesson = Lesson {
    info: INFO,
    page: super::lesson::split_page!(
        finetune,
        finetune_page,
        view! { <FinetuneLesson /> }.into_any()
    ),
    worker: Some(WORKER),
    check: |query| settings::url_problems(SETTINGS, query),
    demos: teaching::DEMOS,
    answers: teaching::ANSWERS,
    module: module_path!(),
};

/// The lesson's setup from the URL, with the recipe's defaults.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Setup {
    scenario: Scenario,
    engine: Preference,
    /// Training examples per class (`None`: the scenario's default).
    per_class: Option<usize>,
    test: usize,
    batch: usize,
    seed: u64,
    head_epochs: usize,
    full_epochs: usize,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            // A ready-made task: "another pen" works at once (drawing 20 digits first does not fit a class).
            scenario: Scenario::Pen,
            engine: Preference::Auto,
            per_class: None,
            test: 500,
            batch: 10,
            seed: 1,
            head_epochs: 20,
            full_epochs: 20,
        }
    }
}

impl Setup {
    /// Training examples per class: few-shot by default; "digits → clothes" is about plenty of data.
    fn per_class(&self) -> usize {
        self.per_class.unwrap_or(match self.scenario {
            Scenario::Clothes => 100,
            // Every vehicle of the 4,000-image subset (about 400 a class).
            Scenario::Cifar => 400,
            _ => 5,
        })
    }
}

/// The lesson's URL settings (its forms hold the rates; these are the setup a link shares).
const SETTINGS: &[Param<Setup>] = &[
    Param {
        key: "scenario",
        label: tx("Scenario", "场景"),
        field: Field::Choice,
        live: false,
        applies: |_| true,
        get: |s| s.scenario.id().to_string(),
        set: |s, v| Scenario::parse(v).map(|x| s.scenario = x).is_some(),
    },
    settings::engine_param(),
    Param {
        key: "per_class",
        label: tx("Training examples per class", "每类训练样本数"),
        field: Field::UrlOnly,
        live: false,
        applies: |_| true,
        get: |s| s.per_class.map_or(String::new(), |n| n.to_string()),
        // Empty: the scenario's own default.
        set: |s, v| v.is_empty() || accept(v, |n| (1..=400).contains(n), |n| s.per_class = Some(n)),
    },
    Param {
        key: "test",
        label: tx("Held-out examples", "留出样本数"),
        field: Field::UrlOnly,
        live: false,
        applies: |_| true,
        get: |s| s.test.to_string(),
        set: |s, v| accept(v, |n| (1..=2000).contains(n), |n| s.test = n),
    },
    Param {
        key: "batch",
        label: tx("Batch size", "批大小"),
        field: Field::UrlOnly,
        live: false,
        applies: |_| true,
        get: |s| s.batch.to_string(),
        set: |s, v| accept(v, |n| (1..=512).contains(n), |n| s.batch = n),
    },
    settings::seed_param(),
    Param {
        key: "head_epochs",
        label: tx("Head-phase epochs", "分类头阶段的轮次"),
        field: Field::UrlOnly,
        live: false,
        applies: |_| true,
        get: |s| s.head_epochs.to_string(),
        set: |s, v| accept(v, |n| (1..=500).contains(n), |n| s.head_epochs = n),
    },
    Param {
        key: "full_epochs",
        label: tx("Full-phase epochs", "整体微调阶段的轮次"),
        field: Field::UrlOnly,
        live: false,
        applies: |_| true,
        get: |s| s.full_epochs.to_string(),
        set: |s, v| accept(v, |n| (1..=500).contains(n), |n| s.full_epochs = n),
    },
];

/// One phase's editable hyperparameters.
#[derive(Clone, Copy)]
struct PhaseForm {
    lr: RwSignal<f32>,
    momentum: RwSignal<f32>,
    weight_decay: RwSignal<f32>,
    epochs: RwSignal<usize>,
    /// Early stopping's patience in epochs (0: off).
    patience: RwSignal<usize>,
    /// Ids of the fields whose typed value was refused (the phase's button waits for them).
    refused: RwSignal<Vec<&'static str>>,
}

impl PhaseForm {
    fn new(lr: f32, momentum: f32, epochs: usize) -> Self {
        Self {
            lr: RwSignal::new(lr),
            momentum: RwSignal::new(momentum),
            weight_decay: RwSignal::new(0.0),
            epochs: RwSignal::new(epochs),
            patience: RwSignal::new(0),
            refused: RwSignal::new(Vec::new()),
        }
    }
}

/// The lesson page.
#[component]
pub fn FinetuneLesson() -> impl IntoView {
    let router = expect_context::<Router>();
    let lang = expect_context::<RwSignal<Lang>>();
    let route = router.0.get_untracked();
    let (setup, problems) = settings::from_query(SETTINGS, &route.query());
    let (client, state) = state::start();
    // A new load clears the worker's messages but not this one: a bad key stays named.
    state.status.url_problems(&problems);
    let step = current_step(router, STEPS.len());
    let head = PhaseForm::new(0.001, 0.9, setup.head_epochs);
    let full = PhaseForm::new(0.0001, 0.9, setup.full_epochs);
    // From scratch trains a fresh network: the seed recipe's rate, for as many epochs as both phases.
    let scratch = PhaseForm::new(0.01, 0.5, setup.head_epochs + setup.full_epochs);
    // Step 2's "freeze by zeroing gradients instead" (the head phase then updates frozen layers with
    // a zero gradient).
    let zero_grad = RwSignal::new(false);
    let drawn_classes = RwSignal::new(match setup.scenario {
        Scenario::Symbols => vec!["✓".into(), "✗".into(), "○".into()],
        _ => (0..10).map(|d| d.to_string()).collect(),
    });

    let load = {
        let client = client.clone();
        move |model: Option<Vec<u8>>| {
            // The page's first load takes up the run kept in this browser; an upload starts anew.
            let resume = model.is_none();
            state.clear_run();
            // Drawn scenarios have nothing to measure on until the drawings are in.
            state
                .awaiting_pretrained
                .set(setup.scenario.dataset().is_some() || state.loaded.get_untracked());
            state.loads.update(|n| *n += 1);
            client.send(&Command::Load {
                scenario: setup.scenario,
                engine: setup.engine,
                per_class: setup.per_class(),
                test: setup.test,
                seed: setup.seed,
                model: model.map(serde_bytes::ByteBuf::from),
                resume,
            });
        }
    };
    let use_drawn = {
        let client = client.clone();
        Callback::new(
            move |(classes, train, test): (Vec<String>, protocol::Examples, protocol::Examples)| {
                state.clear_run();
                state.awaiting_pretrained.set(true);
                client.send(&Command::UseDrawn {
                    classes,
                    train,
                    test,
                });
            },
        )
    };
    // Start: the shipped model; stored drawings come back after a reload.
    load(None);
    if setup.scenario.dataset().is_none()
        && let Some((names, drawings)) = draw::load(setup.scenario.id())
        && let Some((train, test)) = draw::split(names.len(), &drawings)
    {
        use_drawn.run((names, train, test));
    }
    // A step restored from the URL gets the instant steps before it (freeze; a new head for symbols),
    // unless the worker took up a kept run.
    if route.step >= 4 && setup.scenario == Scenario::Symbols {
        state.head_replaced.set(true);
    }
    client.send(&Command::RestoreStep {
        step: route.step,
        classes: drawn_classes.get_untracked().len(),
        seed: setup.seed,
    });
    let page = page::Page {
        client: client.clone(),
        state,
        setup,
        lang,
        head,
        full,
        scratch,
        zero_grad,
    };
    // A kept run's settings come back into the forms.
    page.restore_forms();
    let afresh = {
        let client = client.clone();
        move |_| {
            // The page reloads when the worker says the kept run is gone.
            client.send(&Command::Forget);
        }
    };
    let on_model = {
        let load = load.clone();
        Callback::new(move |bytes: Vec<u8>| load(Some(bytes)))
    };
    // The PyTorch program for what is on the page now.
    let pytorch = page.pytorch();
    let panel = page.step_panel(router, step, drawn_classes, use_drawn);

    view! {
        <main class="lesson finetune">
            <StepPlayer steps=&STEPS />
            <ErrorList status=state.status url_testid="ft-url-problem" />
            <div class="lesson-bar">
                <EngineBadge status=state.status />
                <ModelFiles client=client.clone() state=state lang=lang on_model=on_model />
                <span class="note" data-testid="ft-kept" data-value=move || state.kept.get().to_string()>
                    {move || (state.kept.get() > 0).then(|| ui::KEPT.get(lang.get()))}
                </span>
            </div>
            {page::run_notes(state, lang, afresh)}
            <StatusBar state=state lang=lang keeps_classes=setup.scenario.keeps_classes() />
            <section class="panel wide step-panel" data-testid="ft-step-panel">{panel}</section>
            {move || (step.get() >= 4).then(|| view! { <ComparisonChart state=state lang=lang /> })}
            {move || (step.get() >= 2).then(|| view! { <FreezingPanel state=state lang=lang pytorch=pytorch /> })}
        </main>
    }
}

settings::engine_field!(Setup);
settings::seed_field!(Setup);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_setup_table_reads_its_links_and_reports_bad_values() {
        crate::settings::check_table(SETTINGS);
        let (s, problems) = settings::from_query(
            SETTINGS,
            "?lesson=finetune&step=3&scenario=clothes&per_class=50&head_epochs=5",
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            (s.scenario, s.per_class(), s.head_epochs),
            (Scenario::Clothes, 50, 5)
        );
        assert_eq!(
            settings::to_query(SETTINGS, &s),
            "?scenario=clothes&per_class=50&head_epochs=5"
        );
        let (d, problems) = settings::from_query(SETTINGS, "?per_class=0&batch=x&nope=1");
        assert_eq!(d, Setup::default());
        assert_eq!(problems.len(), 3, "{problems:?}");
        // The scenario's own default when the URL names none.
        assert_eq!(Setup::default().per_class(), 5);
    }
}
