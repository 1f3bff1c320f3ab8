//! The "Train a network" page: its own engine worker, the training loop's outline, controls, progress
//! and the live views (loss and accuracy curves, first-layer weights, confusion matrix, drawing pad).

use leptos::prelude::*;

use super::class_report;
use super::panels::{self, Actions, Ctx};
use super::protocol::Client;
use super::protocol::{Command, MessageCode, Query, Reply};
use super::resume;
use super::setup::{SETTINGS, Setup};
use super::state::{self, Divergence, State};
use super::steps;
use super::text;
use crate::lessons::bar::{EngineBadge, ErrorList};
use crate::lessons::player::{StepPlayer, current_step};
use crate::ui::files;
use crate::ui::i18n::Lang;
use crate::ui::plots::CellView;

/// What the page says when training diverged, in the page's language.
pub fn diverged_message(lang: Lang, step: u64, loss: f32, lr: f32, back: u64) -> String {
    let shown = crate::ui::formula::num(f64::from(loss));
    // A NaN (or ∞) did not "explode": some weight or gradient overflowed or became undefined.
    let what = match (lang, loss.is_finite()) {
        (Lang::En, true) => format!("the loss exploded to {shown}"),
        (Lang::En, false) => format!(
            "the loss became {shown}, not a number: a weight or gradient overflowed or became undefined"
        ),
        (Lang::Zh, true) => format!("损失暴涨到 {shown}"),
        (Lang::Zh, false) => {
            format!("损失变成了 {shown}，不再是一个数：某个权重或梯度溢出或变得无定义")
        }
    };
    match lang {
        Lang::En => format!(
            "Training diverged at step {step} with learning rate {lr}: {what}. \
             Training paused and rolled back to step {back}, the last good snapshot (weights and optimiser \
             state). Try a smaller learning rate, then press Start."
        ),
        Lang::Zh => format!(
            "训练在第 {step} 步发散（学习率 {lr}）：{what}。训练已暂停，并回滚到第 {back} 步——\
             最后一个正常的快照（权重和优化器状态）。请把学习率调小，然后按“开始”。"
        ),
    }
}

fn update_url(config: &Setup, lang: Lang) {
    let router = expect_context::<crate::route::Router>();
    let mut route = crate::route::Route::parse(&config.to_query());
    route.lesson = Some(crate::lessons::train::ID.into());
    // The settings change; the step and presenter mode stay.
    let (step, present) = router
        .0
        .with_untracked(|r| (r.step, r.get("present").map(str::to_string)));
    route.step = step;
    route.set("present", present);
    route.set("lang", (lang == Lang::Zh).then(|| "zh".to_string()));
    router.replace(route);
}

/// Animates the outline through forward → loss → gradients → update for a single step.
fn animate_step(phase: RwSignal<Option<usize>>) {
    for (i, p) in [1usize, 2, 3, 4].into_iter().enumerate() {
        set_timeout(
            move || phase.set(Some(p)),
            std::time::Duration::from_millis(180 * i as u64),
        );
    }
    set_timeout(
        move || phase.set(None),
        std::time::Duration::from_millis(900),
    );
}

#[cfg(feature = "burn")]
fn autodiff_panel(client: Client) -> impl IntoView {
    view! { <super::autodiff::AutodiffPanel client=client /> }
}

#[cfg(not(feature = "burn"))]
fn autodiff_panel(_client: Client) -> impl IntoView {}

/// Start or pause: the worker finishes its current burst first; its acknowledgement flips `running`.
fn start_pause_action(
    send: impl Fn(Command) + Send + Sync + 'static,
    state: State,
    running: RwSignal<Setup>,
) -> Callback<()> {
    Callback::new(move |()| {
        if state.running.get_untracked() {
            // The worker finishes its current burst first; its acknowledgement flips `running`.
            send(Command::Pause);
            state.pausing.set(true);
        } else if !state.finished.get_untracked() {
            state.diverged.set(None);
            class_report::begin(state, &running.get_untracked());
            send(Command::Start);
            state.running.set(true);
        }
    })
}

/// A single step, when the run is not going.
fn step_action(
    send: impl Fn(Command) + Send + Sync + 'static,
    state: State,
    running: RwSignal<Setup>,
) -> Callback<()> {
    Callback::new(move |()| {
        if !state.running.get_untracked() {
            class_report::begin(state, &running.get_untracked());
            send(Command::Step);
            animate_step(state.phase);
        }
    })
}

/// A resumed run and a loaded model bring their configuration; the form and the URL show it.
fn follow_worker(ctx: Ctx, answers: super::check::Answers) {
    let Ctx {
        state,
        config,
        running,
        lang,
    } = ctx;
    // A resumed run brings its configuration; the form and the URL show it.
    Effect::new(move |_| {
        if let Some(c) = state.resumed.get() {
            update_url(&c, lang.get_untracked());
            answers.rate.set((c.lr, 0));
            running.set(c.clone());
            config.set(c);
        }
    });
    // A loaded model brings its own hidden widths; the form shows them.
    Effect::new(move |_| {
        if let Some(hidden) = state.imported.get() {
            running.update(|c| c.hidden.clone_from(&hidden));
            config.update(|c| c.hidden = hidden);
        }
    });
}

/// Reads the chosen model file and sends it to the worker.
fn import_model_action(
    send: impl Fn(Command) + Clone + Send + Sync + 'static,
    state: State,
) -> Callback<leptos::ev::Event> {
    Callback::new(move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        if let Some(file) = input.files().and_then(|f| f.get(0)) {
            let send = send.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match files::file_bytes(file).await {
                    Ok(bytes) => send(Command::Import {
                        bytes: serde_bytes::ByteBuf::from(bytes),
                    }),
                    Err(e) => state.status.say(MessageCode::FileUnreadable, e.to_string()),
                }
            });
        }
    })
}

/// Reset: a fresh initialisation with the form's settings.
fn reset_action(
    send: impl Fn(Command) + Send + Sync + 'static,
    ctx: Ctx,
    answers: super::check::Answers,
) -> Callback<()> {
    let Ctx {
        state,
        config,
        running,
        lang,
    } = ctx;
    Callback::new(move |()| {
        let c = config.get_untracked();
        update_url(&c, lang.get_untracked());
        state.clear_run();
        class_report::end(state);
        // A fresh initialisation: its first loss is an untrained model's, and an older blow-up
        // no longer describes the run "Check yourself" grades.
        state.origin.set(state::RunOrigin::Fresh);
        state.first_loss.set(None);
        state.blown_at_one.set(None);
        answers.rate.set((c.lr, 0));
        running.set(c.clone());
        send(Command::Reset(c));
        state.phase.set(Some(0));
        set_timeout(
            move || state.phase.set(None),
            std::time::Duration::from_millis(600),
        );
    })
}

/// Class mode: settings the teacher assigned go into the form for the next run (at once when no
/// run has begun: a fresh initialisation with them, as Reset would do).
fn follow_class(reset: Callback<()>, ctx: Ctx) {
    let Ctx {
        state,
        config,
        lang,
        ..
    } = ctx;
    Effect::new(move |_| {
        let Some(a) = crate::class::assignment() else {
            return;
        };
        // A noise multiplier alone is the privacy lesson's to take.
        if a.lr.is_none() && a.seed.is_none() && a.dp_sigma.is_some() {
            return;
        }
        let begun = state.running.get_untracked() || state.step.get_untracked() != 0;
        crate::class::taken(&a, begun);
        let values = [
            ("lr", a.lr.map(|v| v.to_string())),
            ("seed", a.seed.map(|v| v.to_string())),
        ];
        let mut changed = false;
        config.update(|c| {
            for (key, value) in &values {
                if let (Some(p), Some(v)) = (SETTINGS.iter().find(|p| p.key == *key), value) {
                    changed |= (p.set)(c, v);
                }
            }
        });
        if !changed {
            return;
        }
        if !begun {
            reset.run(());
        } else {
            update_url(&config.get_untracked(), lang.get_untracked());
        }
    });
}

/// Sends the live setting `key` (learning rate or momentum) to the run; the other one keeps the
/// run's value (a rate the form rewrote for a pending optimiser stays pending).
fn set_rates_action(
    send: impl Fn(Command) + Send + Sync + 'static,
    ctx: Ctx,
    answers: super::check::Answers,
) -> Callback<&'static str> {
    let Ctx {
        state,
        config,
        running,
        lang,
    } = ctx;
    Callback::new(move |key: &'static str| {
        let c = config.get_untracked();
        update_url(&c, lang.get_untracked());
        let now = running.get_untracked();
        let (lr, momentum) = match key {
            "lr" => (c.lr, now.momentum),
            _ => (now.lr, c.momentum),
        };
        if answers.rate.get_untracked().0 != lr {
            answers.rate.set((lr, state.step.get_untracked()));
            // The blow-up graded is one of a run at rate 1; leaving that rate ends it.
            if !state::is_rate_one(lr) {
                state.blown_at_one.set(None);
            }
        }
        running.update(|r| {
            r.lr = lr;
            r.momentum = momentum;
        });
        class_report::rates_changed(state, &running.get_untracked());
        send(Command::SetRates { lr, momentum });
    })
}

/// Keyboard: space start/pause, "s" single step, "r" reset (not while typing in a field).
fn keyboard(start_pause: Callback<()>, step: Callback<()>, reset: Callback<()>) {
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if crate::lessons::player::typing(&ev, true) {
            return;
        }
        match ev.key().as_str() {
            " " => {
                ev.prevent_default();
                start_pause.run(());
            }
            "s" => step.run(()),
            "r" => reset.run(()),
            _ => {}
        }
    });
    on_cleanup(move || handle.remove());
}

/// The page's questions to the worker, as callbacks.
struct Queries {
    export_model: Callback<()>,
    on_cell: Callback<(u8, u8)>,
    on_digit: Callback<Vec<u8>>,
    clear_saved: Callback<()>,
    cleared: RwSignal<bool>,
}

/// The questions the page asks the worker: the model file, a confusion cell, a drawn digit, and
/// clearing the saved run (with the signal that says it is done).
fn queries(client: &Client, state: State) -> Queries {
    let export_model = {
        let client = client.clone();
        Callback::new(move |()| {
            state::ask(&client, Query::Export, move |reply| {
                if let Reply::ModelFile { bytes, widths } = reply {
                    state::download_model(state, &bytes, &widths);
                }
            });
        })
    };
    let on_cell = {
        let client = client.clone();
        Callback::new(move |(truth, predicted): (u8, u8)| {
            state::ask(&client, Query::Cell { truth, predicted }, move |reply| {
                if let Reply::Cell(c) = reply {
                    let _ = state.cell.try_set(Some(CellView {
                        truth: c.truth,
                        predicted: c.predicted,
                        pixels: c.pixels.into_vec(),
                        count: c.count,
                        total: c.total,
                    }));
                }
            });
        })
    };
    let on_digit = {
        let client = client.clone();
        Callback::new(move |pixels: Vec<u8>| {
            let pixels = serde_bytes::ByteBuf::from(pixels);
            state::ask(&client, Query::Predict { pixels }, move |reply| {
                if let Reply::Prediction(p) = reply {
                    let _ = state.prediction.try_set(p);
                }
            });
        })
    };
    // "Cleared" is shown once the worker has deleted the saved run, not when the button is pressed.
    let cleared = RwSignal::new(false);
    let clear_saved = {
        let client = client.clone();
        Callback::new(move |()| {
            state::ask(&client, Query::ClearSaved, move |reply| {
                if matches!(reply, Reply::Cleared) {
                    let _ = cleared.try_set(true);
                }
            });
        })
    };
    Queries {
        export_model,
        on_cell,
        on_digit,
        clear_saved,
        cleared,
    }
}

/// The lesson's page: its own engine worker, controls, progress and live views.
#[component]
pub fn TrainPage() -> impl IntoView {
    let router = expect_context::<crate::route::Router>();
    let query = router.0.with_untracked(|r| r.query());
    let (initial, problems) = Setup::from_query(&query);
    let lang = expect_context::<RwSignal<Lang>>();
    let at_step = current_step(router, steps::STEPS.len());
    let (client, state) = state::start();
    state.status.url_problems(&problems);
    let config = RwSignal::new(initial.clone());
    // The configuration the worker's run uses: set by Reset, a resumed run and a loaded model, and by
    // the live settings (learning rate, momentum) as they are sent. The form (`config`) may hold
    // changes that apply only on Reset; the outline, the "not used" hints and the code follow the run.
    let running = RwSignal::new(initial.clone());
    // "Check yourself" answers and the rate in effect live with the page: a student answers, does the
    // run, and comes back to a grade.
    let answers = super::check::Answers::load(initial.lr);
    client.send(&Command::Reset(initial));
    state.phase.set(Some(0));
    set_timeout(
        move || state.phase.set(None),
        std::time::Duration::from_millis(900),
    );
    let send = {
        let client = client.clone();
        move |m: Command| client.send(&m)
    };
    let ctx = Ctx {
        state,
        config,
        running,
        lang,
    };

    let start_pause = start_pause_action(send.clone(), state, running);
    let step = step_action(send.clone(), state, running);
    // `?debug=1`: a control that destroys the GPU device, so tests can prove training survives it.
    let debug = expect_context::<crate::route::Router>()
        .0
        .with_untracked(|r| r.get("debug") == Some("1"));
    follow_worker(ctx, answers);
    let import_model = import_model_action(send.clone(), state);
    let reset = reset_action(send.clone(), ctx, answers);
    follow_class(reset, ctx);
    let set_rates = set_rates_action(send.clone(), ctx, answers);
    keyboard(start_pause, step, reset);
    let to_worker = {
        let send = send.clone();
        Callback::new(move |m: Command| send(m))
    };
    let Queries {
        export_model,
        on_cell,
        on_digit,
        clear_saved,
        cleared,
    } = queries(&client, state);
    let actions = Actions {
        start_pause,
        step,
        reset,
        send: to_worker,
        export_model,
        import_model,
        set_rates,
        clear_saved,
        cleared,
    };

    view! {
        <div class="lesson-bar" class:hidden=move || at_step.get() != steps::DASHBOARD>
            <EngineBadge status=state.status pending=text::STARTING>
                {panels::engine_lines(state, lang)}
            </EngineBadge>
        </div>
        <ErrorList status=state.status>
            {move || state.diverged.get().map(|Divergence { step, loss, lr, rolled_back_to: back }| view! {
                <p class="error" data-testid="diverged" data-step=step.to_string() data-lr=lr.to_string()
                    data-loss=loss.to_string() data-rolled-back-to=back.to_string()>
                    {diverged_message(lang.get(), step, loss, lr, back)}</p>
            })}
        </ErrorList>
        <resume::ResumeOffer saved=state.saved lang=lang send=to_worker clear=clear_saved />
        <main class="lesson">
            <StepPlayer steps=&steps::STEPS />
            {
                let client = client.clone();
                move || match at_step.get() {
                    1 => steps::data_panel(client.clone(), state, lang).into_any(),
                    2 => steps::model_panel(config, lang).into_any(),
                    3 => steps::code_panel(client.clone(), state, running, lang).into_any(),
                    steps::DASHBOARD => ().into_any(),
                    steps::OVERFIT => super::overfit::overfit_panel(client.clone(), state, lang).into_any(),
                    steps::HARDWARE => super::hardware::hardware_panel(client.clone(), state, lang).into_any(),
                    _ => super::check::check_panel(state, config, answers, lang).into_any(),
                }
            }
            // The dashboard stays mounted on every step (its run goes on), shown on its own.
            <div class="dashboard" class:hidden=move || at_step.get() != steps::DASHBOARD>
            // The controls first: in presenter mode (one column) Start, Step and Reset are on the first screen.
            {panels::controls_panel(ctx, actions, debug)}
            {panels::progress_panel(ctx, at_step)}
            {panels::live_views(ctx, on_cell, on_digit)}
            {panels::outline_panel(ctx)}
            {autodiff_panel(client.clone())}
            </div>
        </main>
        <footer>{move || text::CREDITS.get(lang.get())}</footer>
    }
}
