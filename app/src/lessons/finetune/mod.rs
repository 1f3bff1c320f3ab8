//! "Fine-tune a pretrained model": the six steps of the recipe on the live pretrained model, in four
//! scenarios, with freezing made visible and a from-scratch comparison. The URL carries the step and
//! the setup (`?lesson=finetune&step=3&scenario=pen`).

pub mod draw;
mod form;
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
use self::protocol::{FtToWorker, PhaseKind, PhaseSettings, Scenario, Slot};
use self::steps::{compare_panel, freeze_panel, head_panel, load_panel, train_panel};
use self::text::{STEPS, ui};
use super::bar::{EngineBadge, ErrorList};
use super::lesson::{Lesson, LessonInfo};
use super::player::{StepPlayer, current_step};
use crate::protocol::EnginePreference;
use crate::route::Router;
use crate::runtime::WorkerEntry;
use crate::settings::{self, Field, Param, accept};
use crate::ui::i18n::{Lang, tx};
use kernels::Freezing;

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
    engine: EnginePreference,
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
            engine: EnginePreference::Auto,
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
    Param {
        key: "seed",
        label: tx("Seed", "随机种子"),
        field: Field::UrlOnly,
        live: false,
        applies: |_| true,
        get: |s| s.seed.to_string(),
        set: |s, v| accept(v, |_: &u64| true, |n| s.seed = n),
    },
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
            client.send(&FtToWorker::Load {
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
                client.send(&FtToWorker::UseDrawn {
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
    client.send(&FtToWorker::RestoreStep {
        step: route.step,
        classes: drawn_classes.get_untracked().len(),
        seed: setup.seed,
    });
    // A kept run's settings come back into the forms.
    Effect::new(move |_| {
        for s in state.resumed_settings.get() {
            let form = match s.phase {
                PhaseKind::Head => head,
                PhaseKind::Full => full,
                PhaseKind::Scratch => scratch,
            };
            form.lr.set(s.lr);
            form.momentum.set(s.momentum);
            form.weight_decay.set(s.weight_decay);
            form.epochs.set(s.epochs);
            form.patience.set(s.patience);
            if s.phase == PhaseKind::Head {
                zero_grad.set(s.freezing == Freezing::ZeroGradient);
            }
        }
    });
    let afresh = {
        let client = client.clone();
        move |_| {
            // The page reloads when the worker says the kept run is gone.
            client.send(&FtToWorker::Forget);
        }
    };
    let on_model = {
        let load = load.clone();
        Callback::new(move |bytes: Vec<u8>| load(Some(bytes)))
    };

    let set_scenario = move |ev: leptos::ev::Event| {
        if let Some(s) = Scenario::parse(&event_target_value(&ev)) {
            let mut r = router.0.get_untracked();
            r.set("scenario", Some(s.id().into()));
            r.step = 1;
            router.push(r);
            // A new scenario is a new lesson run: reload the page state from the URL.
            if let Some(w) = web_sys::window() {
                let _ = w.location().reload();
            }
        }
    };

    let freeze = {
        let client = client.clone();
        move |layer: usize, frozen: bool| {
            client.send(&FtToWorker::SetFrozen {
                slot: Slot::Tuned,
                layer,
                frozen,
            })
        }
    };
    let replace = {
        let client = client.clone();
        move |_| {
            state.head_replaced.set(true);
            client.send(&FtToWorker::ReplaceHead {
                slot: Slot::Tuned,
                classes: state.classes.get_untracked().len(),
                seed: setup.seed,
            });
        }
    };
    let train = {
        let client = client.clone();
        move |phase: PhaseKind| {
            let (form, seed) = match phase {
                PhaseKind::Head => (head, setup.seed),
                PhaseKind::Full => (full, setup.seed),
                PhaseKind::Scratch => (scratch, setup.seed),
            };
            let epochs = form.epochs.get_untracked();
            // A field still refused keeps the phase from starting (its button is disabled too).
            if !form.refused.get_untracked().is_empty() {
                return;
            }
            state.stops.update(|s| s.retain(|x| x.phase != phase));
            state.validation.set(None);
            state.interrupted.set(None);
            if phase == PhaseKind::Scratch {
                state.scratch_curve.set(Vec::new());
            }
            if phase == PhaseKind::Full && state.head_frozen.get_untracked().is_none() {
                state.head_frozen.set(Some(state.frozen.get_untracked()));
            }
            client.send(&FtToWorker::Train(PhaseSettings {
                phase,
                epochs,
                lr: form.lr.get_untracked(),
                momentum: form.momentum.get_untracked(),
                weight_decay: form.weight_decay.get_untracked(),
                freezing: if phase == PhaseKind::Head && zero_grad.get_untracked() {
                    Freezing::ZeroGradient
                } else {
                    Freezing::Skip
                },
                batch: setup.batch,
                seed,
                patience: form.patience.get_untracked(),
            }));
        }
    };
    let pause = {
        let client = client.clone();
        move |_| client.send(&FtToWorker::Pause)
    };
    let running = move || state.progress.get().is_some_and(|p| p.running);
    // A phase or the seeds job runs: the train buttons wait, Pause stops either.
    let busy = move || running() || state.seeds.get().is_some_and(|(_, r)| r);
    let untouched = Signal::derive(move || {
        state
            .pretrained
            .get()
            .filter(|_| setup.scenario.keeps_classes())
    });
    // The PyTorch program for what is on the page now.
    let pytorch = Signal::derive(move || {
        let widths = state.loaded_widths.get();
        if widths.len() < 2 {
            return String::new();
        }
        // The head phase freezes every layer below the head, whatever the locks show.
        let frozen: Vec<bool> = (0..widths.len() - 1)
            .map(|l| l + 2 < widths.len())
            .collect();
        let phase = |f: PhaseForm| pytorch::PhaseCode {
            lr: f.lr.get(),
            momentum: f.momentum.get(),
            weight_decay: f.weight_decay.get(),
            epochs: f.epochs.get(),
            patience: f.patience.get(),
        };
        pytorch::snippet(&pytorch::SnippetState {
            new_head: state
                .head_replaced
                .get()
                .then(|| state.widths.get().last().copied())
                .flatten(),
            widths,
            frozen,
            head: phase(head),
            full: phase(full),
            zero_grad: zero_grad.get(),
            batch: setup.batch,
            seed: setup.seed,
        })
    });

    let seeds_client = client.clone();
    let predictions = predict::Predictions::new();
    let panel = move || -> AnyView {
        match step.get() {
            1 => load_panel(state, setup, lang, drawn_classes, use_drawn, set_scenario).into_any(),
            2 => freeze_panel(state, lang, freeze.clone(), zero_grad, head.weight_decay).into_any(),
            3 => head_panel(state, lang, replace.clone()).into_any(),
            4 => view! {
                {predict::gradient_question(state, lang, predictions)}
                {train_panel(
                    state,
                    lang,
                    head,
                    PhaseKind::Head,
                    ui::TRAIN_HEAD,
                    "train-head",
                    busy,
                    {
                        let train = train.clone();
                        move || train(PhaseKind::Head)
                    },
                    pause.clone(),
                )}
            }
            .into_any(),
            5 => train_panel(
                state,
                lang,
                full,
                PhaseKind::Full,
                ui::TRAIN_FULL,
                "train-full",
                busy,
                {
                    let train = train.clone();
                    move || train(PhaseKind::Full)
                },
                pause.clone(),
            )
            .into_any(),
            _ => view! {
                {predict::transfer_question(state, lang, predictions, running)}
                {compare_panel(state, setup, lang, [head, full, scratch], running, {
                    let train = train.clone();
                    move || train(PhaseKind::Scratch)
                })}
                {seeds::seeds_section(seeds_client.clone(), state, lang, untouched, busy)}
            }
            .into_any(),
        }
    };

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
            {move || state.resumed.get().then(|| view! {
                <p class="hint" data-testid="ft-resumed">
                    {move || ui::RESUMED.get(lang.get())}" "
                    <button class="danger" data-testid="ft-afresh" on:click=afresh.clone()>{move || ui::AFRESH.get(lang.get())}</button>
                </p>
            })}
            {move || state.interrupted.get().map(|(phase, epoch, epochs)| view! {
                <p class="hint" data-testid="ft-interrupted" data-phase=panels::phase_id(phase)>
                    {move || ui::INTERRUPTED.get(lang.get())
                        .replace("{phase}", text::phase_label(phase).get(lang.get()))
                        .replace("{epoch}", &epoch.to_string())
                        .replace("{epochs}", &epochs.to_string())}
                </p>
            })}
            <StatusBar state=state lang=lang keeps_classes=setup.scenario.keeps_classes() />
            <section class="panel wide step-panel" data-testid="ft-step-panel">{panel}</section>
            {move || (step.get() >= 4).then(|| view! { <ComparisonChart state=state lang=lang /> })}
            {move || (step.get() >= 2).then(|| view! { <FreezingPanel state=state lang=lang pytorch=pytorch /> })}
        </main>
    }
}

settings::engine_field!(Setup);

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
