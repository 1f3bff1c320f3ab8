//! The "Train a network" page: its own engine worker, the training loop's outline, controls, progress
//! and the live views (loss and accuracy curves, first-layer weights, confusion matrix, drawing pad).

use kernels::EngineKind;
use leptos::prelude::*;

use super::class_report;
use super::config::{LessonConfig, LessonOptimizer, PARAMS};
use super::protocol::{MessageCode, TrQuery, TrReply, TrToWorker};
use super::resume;
use super::state::{self, Divergence, State, TrClient};
use super::steps;
use super::text;
use crate::lessons::bar::{EngineBadge, ErrorList};
use crate::lessons::player::{StepPlayer, current_step};
use crate::settings::{Field, Param};
use crate::ui::i18n::Lang;
use crate::ui::plots::{self, CellView};
use crate::ui::{drawing, files};

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

fn update_url(config: &LessonConfig, lang: Lang) {
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
fn autodiff_panel(client: TrClient, state: State) -> impl IntoView {
    view! { <super::autodiff::AutodiffPanel client=client state=state /> }
}

#[cfg(not(feature = "burn"))]
fn autodiff_panel(_client: TrClient, _state: State) -> impl IntoView {}

/// The lesson's page: its own engine worker, controls, progress and live views.
#[component]
pub fn TrainPage() -> impl IntoView {
    let router = expect_context::<crate::route::Router>();
    let query = router.0.with_untracked(|r| r.query());
    let (initial, problems) = LessonConfig::from_query(&query);
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
    client.send(&TrToWorker::Reset(initial));
    state.phase.set(Some(0));
    set_timeout(
        move || state.phase.set(None),
        std::time::Duration::from_millis(900),
    );
    let send = {
        let client = client.clone();
        move |m: TrToWorker| client.send(&m)
    };

    let start_pause = {
        let send = send.clone();
        move || {
            if state.running.get_untracked() {
                // The worker finishes its current burst first; its acknowledgement flips `running`.
                send(TrToWorker::Pause);
                state.pausing.set(true);
            } else if !state.finished.get_untracked() {
                state.diverged.set(None);
                class_report::begin(state, &running.get_untracked());
                send(TrToWorker::Start);
                state.running.set(true);
            }
        }
    };
    let step = {
        let send = send.clone();
        move || {
            if !state.running.get_untracked() {
                class_report::begin(state, &running.get_untracked());
                send(TrToWorker::Step);
                animate_step(state.phase);
            }
        }
    };
    // `?debug=1`: a control that destroys the GPU device, so tests can prove training survives it.
    let debug = expect_context::<crate::route::Router>()
        .0
        .with_untracked(|r| r.get("debug") == Some("1"));
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
    let import_model = {
        let send = send.clone();
        move |ev: leptos::ev::Event| {
            let input: web_sys::HtmlInputElement = event_target(&ev);
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                let send = send.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    match files::file_bytes(file).await {
                        Ok(bytes) => send(TrToWorker::Import {
                            bytes: serde_bytes::ByteBuf::from(bytes),
                        }),
                        Err(e) => state.status.say(MessageCode::FileUnreadable, e.to_string()),
                    }
                });
            }
        }
    };
    let reset = {
        let send = send.clone();
        move || {
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
            send(TrToWorker::Reset(c));
            state.phase.set(Some(0));
            set_timeout(
                move || state.phase.set(None),
                std::time::Duration::from_millis(600),
            );
        }
    };
    // Class mode: settings the teacher assigned go into the form for the next run (at once when no
    // run has begun: a fresh initialisation with them, as Reset would do).
    if let Some(assigned) = crate::class::assigned() {
        let reset = reset.clone();
        Effect::new(move |_| {
            let Some(a) = assigned.get() else { return };
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
                    if let (Some(p), Some(v)) = (PARAMS.iter().find(|p| p.key == *key), value) {
                        changed |= (p.set)(c, v);
                    }
                }
            });
            if !changed {
                return;
            }
            if !begun {
                reset();
            } else {
                update_url(&config.get_untracked(), lang.get_untracked());
            }
        });
    }
    // Sends the live setting `key` (learning rate or momentum) to the run; the other one keeps the
    // run's value (a rate the form rewrote for a pending optimiser stays pending).
    let set_rates = {
        let send = send.clone();
        move |key: &str| {
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
            send(TrToWorker::SetRates { lr, momentum });
        }
    };

    // Keyboard: space start/pause, "s" single step, "r" reset (not while typing in a field).
    {
        let (sp, st, rs) = (start_pause.clone(), step.clone(), reset.clone());
        let handle = window_event_listener(leptos::ev::keydown, move |ev| {
            if crate::lessons::player::typing(&ev, true) {
                return;
            }
            match ev.key().as_str() {
                " " => {
                    ev.prevent_default();
                    sp();
                }
                "s" => st(),
                "r" => rs(),
                _ => {}
            }
        });
        on_cleanup(move || handle.remove());
    }

    // One field per row of the settings table: its label, its rule, whether it applies at once.
    let field = move |p: &'static Param<LessonConfig>| {
        let set_rates = set_rates.clone();
        // A refused value stays in the field, marked, with the rule it broke (C1); the run keeps the
        // last accepted value.
        let invalid = RwSignal::new(None::<String>);
        let on_change = move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            let mut ok = false;
            config.update(|c| {
                let before = c.optimizer;
                ok = (p.set)(c, &v);
                // A new optimiser starts from its usual rate unless the rate was changed by hand.
                if c.optimizer != before && c.lr == before.usual_lr() {
                    c.lr = c.optimizer.usual_lr();
                }
            });
            invalid.set((!ok).then_some(v));
            if ok && p.live {
                set_rates(p.key);
            }
        };
        // A live setting means something if the running optimiser uses it; the rest, for the next run.
        let applies = move || {
            if p.live {
                (p.applies)(&running.get())
            } else {
                (p.applies)(&config.get())
            }
        };
        // A form value the run does not use yet: it applies on Reset (an optimiser, or a rate the form
        // rewrote for it); the run's own value beside it.
        let pending = move || {
            let (form, run) = ((p.get)(&config.get()), (p.get)(&running.get()));
            (form != run && matches!(p.field, Field::Number(_) | Field::List | Field::Choice)).then(
                || {
                    let shown = if p.key == "optimizer" {
                        text::optimizer(running.get().optimizer)
                            .get(lang.get())
                            .to_string()
                    } else {
                        run
                    };
                    text::PENDING.get(lang.get()).replace("{run}", &shown)
                },
            )
        };
        let pending =
            move || {
                pending().map(|t| view! {
            <span class="hint pending" data-testid=format!("{}-pending", p.key)>{t}</span>
        })
            };
        let label = move || p.label.get(lang.get());
        let refused = move || {
            invalid.get().map(|v| view! {
                <span class="hint bad field-invalid" role="alert" data-testid=format!("{}-invalid", p.key)>
                    {move || text::out_of_range(p.key, &v, lang.get())}</span>
            })
        };
        match p.field {
            Field::Number(step) => view! {
                <label for=p.key>{label}</label>
                <input id=p.key data-testid=p.key type="number" step=step class:invalid=move || invalid.with(Option::is_some)
                    aria-invalid=move || invalid.with(Option::is_some).to_string()
                    disabled=move || !applies() prop:value=move || invalid.get().unwrap_or_else(|| (p.get)(&config.get())) on:change=on_change />
                {refused}
                {move || (!applies()).then(|| view! {
                    <span class="hint not-applicable" data-testid=format!("{}-not-applicable", p.key)>{move || text::NOT_APPLICABLE.get(lang.get())}</span>
                })}
                {pending}
            }
            .into_any(),
            Field::List => view! {
                <label for=p.key>{label}</label>
                <input id=p.key data-testid=p.key type="text" inputmode="numeric" title="comma-separated, e.g. 512 or 256,128"
                    prop:value=move || invalid.get().unwrap_or_else(|| (p.get)(&config.get())) class:invalid=move || invalid.with(Option::is_some)
                    aria-invalid=move || invalid.with(Option::is_some).to_string() on:change=on_change />
                {refused}
                {pending}
            }
            .into_any(),
            Field::Choice => view! {
                <label for=p.key>{label}</label>
                <select id=p.key data-testid=p.key on:change=on_change>
                    {LessonOptimizer::ALL.into_iter().map(|o| view! {
                        <option value=o.as_str() selected=move || config.get().optimizer == o>{move || text::optimizer(o).get(lang.get())}</option>
                    }).collect_view()}
                </select>
                {pending}
                <span class="hint">{move || text::USUAL_LR.get(lang.get())}</span>
            }
            .into_any(),
            Field::UrlOnly => ().into_any(),
        }
    };
    let to_worker = {
        let send = send.clone();
        Callback::new(move |m: TrToWorker| send(m))
    };
    let export_model = {
        let client = client.clone();
        move |_| {
            state::ask(&client, TrQuery::Export, move |reply| {
                if let TrReply::ModelFile { bytes, widths } = reply {
                    state::download_model(state, &bytes, &widths);
                }
            });
        }
    };
    let on_cell = {
        let client = client.clone();
        Callback::new(move |(truth, predicted): (u8, u8)| {
            state::ask(&client, TrQuery::Cell { truth, predicted }, move |reply| {
                if let TrReply::Cell(c) = reply {
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
            state::ask(&client, TrQuery::Predict { pixels }, move |reply| {
                if let TrReply::Prediction(p) = reply {
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
            state::ask(&client, TrQuery::ClearSaved, move |reply| {
                if matches!(reply, TrReply::Cleared) {
                    let _ = cleared.try_set(true);
                }
            });
        })
    };
    // The run's validation images: the first twelfth of the training images it uses.
    let validation = move || {
        let total = state.data.get().1;
        super::config::validation_images(if total > 0 { total } else { config.get().train })
    };
    // A run from a loaded model: its validation images may have been trained on elsewhere.
    let loaded = move || state.origin.get() == state::RunOrigin::Loaded;
    let outline_class = move |i: usize| {
        let active = state.phase.get() == Some(i);
        let running = state.running.get();
        format!(
            "outline-step{}{}",
            if active { " active" } else { "" },
            if running && i > 0 { " cycling" } else { "" }
        )
    };

    view! {
        <div class="lesson-bar" class:hidden=move || at_step.get() != steps::DASHBOARD>
            <EngineBadge status=state.status pending=text::STARTING>
                {move || state.status.engine.get().is_some().then(|| view! {
                    <span class="measurements" data-testid="engine-measurements">
                        {state.measurements.get().into_iter().map(|m| { let t = format!("{}: {:.0} {}", m.engine, m.samples_per_second, crate::runtime::engine::SAMPLES_PER_SECOND.en); view! { <span class="measure">{move || crate::runtime::engine::localize(&t, lang.get())}</span> } }).collect_view()}
                    </span>
                })}
                {move || {
                    // The line is there from the moment WebGPU is shown (a placeholder until the kernels
                    // are timed), so the page below never moves under a student's pen.
                    let on_gpu = state.status.engine.get().is_some_and(|e| e.kind == EngineKind::Gpu);
                    on_gpu.then(|| match state.kernels.get() {
                        None => view! {
                            <p class="kernels" data-testid="engine-kernels-pending">{move || text::TIMING.get(lang.get())}</p>
                        }.into_any(),
                        Some((dispatches, products)) => view! {
                        <details class="kernels" data-testid="engine-kernels" data-dispatches=dispatches.to_string()>
                            <summary>{move || text::DISPATCHES.get(lang.get()).replace("{n}", &dispatches.to_string())}</summary>
                            <ul>
                                {products.into_iter().map(|g| {
                                    let kernel = g.chosen.entry();
                                    view! {
                                        <li data-testid="gemm-choice" data-kernel=kernel>{move || text::gemm_choice(&g, lang.get())}</li>
                                    }
                                }).collect_view()}
                            </ul>
                        </details>
                        }.into_any(),
                    })
                }}
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
            <section class="panel controls" aria-label=move || text::CONTROLS.get(lang.get())>
                <h2>{move || text::CONTROLS.get(lang.get())}</h2>
                <div class="buttons">
                    <button data-testid="start" on:click={let f = start_pause.clone(); move |_| f()} disabled=move || state.finished.get()>
                        {move || (if state.finished.get() { text::FINISHED } else if state.pausing.get() { text::PAUSING } else if state.running.get() { text::PAUSE } else if state.step.get() > 0 { text::RESUME } else { text::START }).get(lang.get())}
                    </button>
                    <button data-testid="step" on:click={let f = step.clone(); move |_| f()} disabled=move || state.running.get() || state.finished.get()>{move || text::STEP.get(lang.get())}</button>
                    <button data-testid="reset" on:click={let f = reset.clone(); move |_| f()}>{move || text::RESET.get(lang.get())}</button>
                </div>
                <div class="model-files">
                    {debug.then(|| {
                        let f = send.clone();
                        let mib = |b: f64| format!("{:.1} MiB", b / 1048576.0);
                        let poison = send.clone();
                        view! { <button data-testid="debug-lose-device" on:click=move |_| f(TrToWorker::DebugLoseDevice)>
                            {move || text::LOSE_DEVICE.get(lang.get())}</button>
                            <button data-testid="debug-poison" on:click=move |_| poison(TrToWorker::DebugPoison)>
                            {move || text::POISON.get(lang.get())}</button>
                            // Read each time the worker reports: the page's own wasm memory alongside.
                            <span class="debug-memory" data-testid="memory"
                                data-worker=move || state.worker_memory.get().to_string()
                                data-page=move || { state.step.track(); crate::runtime::wasm_memory_bytes().to_string() }>
                                {move || { state.step.track(); text::MEMORY.get(lang.get())
                                    .replace("{page}", &mib(crate::runtime::wasm_memory_bytes()))
                                    .replace("{worker}", &mib(state.worker_memory.get())) }}
                            </span> }
                    })}
                    <button class="secondary" data-testid="export-model" on:click=export_model>
                        {move || text::MODEL_DOWNLOAD.get(lang.get())}</button>
                    <resume::ClearSaved lang=lang clear=clear_saved cleared=cleared />
                    <label class="import">
                        <span>{move || text::MODEL_UPLOAD.get(lang.get())}</span>
                        <input type="file" accept=".safetensors" data-testid="import-model" on:change=import_model />
                        <span class="file-button" aria-hidden="true">{move || crate::ui::files::CHOOSE_FILE.get(lang.get())}</span>
                    </label>
                </div>
                <p class="hint">{move || text::KEYS.get(lang.get())}</p>
                <div class="fields">
                    {PARAMS.iter().map(field).collect_view()}
                </div>
            </section>
            <section class="panel stats" aria-label=move || text::PROGRESS.get(lang.get())>
                <h2>{move || text::PROGRESS.get(lang.get())}</h2>
                <dl>
                    <dt>{move || text::STEPS.get(lang.get())}</dt><dd data-testid="step-count">{move || state.step.get()}</dd>
                    <dt>{move || text::EPOCH.get(lang.get())}</dt><dd data-testid="epoch">{move || { let (e, f) = state.epoch.get(); format!("{e} / {} ({})", config.get().epochs, crate::ui::i18n::percent(lang.get(), f64::from(f), 0)) }}</dd>
                    <dt>{move || text::LOSS.get(lang.get())}</dt>
                    <dd data-testid="loss"
                        data-value=move || state.losses.with(|l| l.last().map_or(String::new(), |v| format!("{v:?}")))
                        data-first=move || state.losses.with(|l| l.window_mean(true).to_string())
                        data-recent=move || state.losses.with(|l| l.window_mean(false).to_string())>
                        {move || state.losses.with(|l| match l.last() {
                            None => "–".to_string(),
                            Some(v) if l.len() > 10 => format!("{v:.4} ({})", text::AVERAGES.get(lang.get())
                                .replace("{first}", &format!("{:.3}", l.window_mean(true))).replace("{last}", &format!("{:.3}", l.window_mean(false)))),
                            Some(v) => format!("{v:.4}"),
                        })}
                    </dd>
                    <dt>{move || text::VAL_ACCURACY.get(lang.get())}</dt><dd data-testid="val-accuracy"
                        data-value=move || state.evals.with(|e| e.last().map_or(String::new(), |(_, a, _)| format!("{a:?}")))
                        data-loss=move || state.evals.with(|e| e.last().map_or(String::new(), |(_, _, l)| format!("{l:?}")))>{move || state.evals.with(|e| e.last().map_or("–".into(), |(_, a, _)| crate::ui::i18n::percent(lang.get(), f64::from(*a), 2)))}</dd>
                    // Measured over the last burst; blank before one (a reset, a rollback).
                    <dt>{move || text::SPEED.get(lang.get())}</dt><dd data-testid="speed">{move || { let v = state.speed.get(); if v > 0.0 { format!("{v:.0} {}", text::SAMPLES_PER_SECOND.get(lang.get())) } else { "–".into() } }}</dd>
                    <dt>{move || text::DATA.get(lang.get())}</dt><dd data-testid="data">{move || { let (a, b, c, d) = state.data.get(); format!("{} {a} / {b} · {} {c} / {d}", text::TRAIN.get(lang.get()), text::TEST.get(lang.get())) }}</dd>
                    <dt>{move || text::VALIDATION.get(lang.get())}</dt><dd data-testid="validation-split"
                        data-value=move || validation().to_string() data-loaded=move || loaded().to_string()>{move || text::validation_split(validation(), loaded(), lang.get())}</dd>
                </dl>
                {move || (at_step.get() == steps::DASHBOARD).then(|| state.test_final.get().map(|(step, accuracy, loss, images)| view! {
                    <p class="test-final" data-testid="test-accuracy-final" data-value=accuracy.to_string() data-loss=loss.to_string()
                        data-images=images.to_string() data-step=step.to_string()>
                        {move || text::test_final(accuracy, loss, images, step, lang.get())}</p>
                }))}
                <label class="progress">{move || text::EPOCH_PROGRESS.get(lang.get())}
                    <progress data-testid="epoch-progress" max="1" value=move || state.epoch.get().1.to_string()></progress></label>
                <label class="progress">{move || text::DATA_PROGRESS.get(lang.get())}
                    <progress data-testid="data-progress" class="data" max="1"
                        value=move || { let (a, b, c, d) = state.data.get(); ((a + c) as f64 / (b + d).max(1) as f64).to_string() }></progress></label>
            </section>
            <section class="panel wide loss" aria-label=move || text::LOSS_PER_STEP.get(lang.get())>
                <h2>{move || text::LOSS_PER_STEP.get(lang.get())}</h2>
                <plots::LossPlot losses=state.losses />
            </section>
            <section class="panel" aria-label=move || text::VAL_ACCURACY.get(lang.get())>
                <h2>{move || text::VAL_ACCURACY.get(lang.get())}</h2>
                <plots::AccuracyPlot evals=state.evals />
                <p class="hint" data-testid="val-note">{move || text::val_note(loaded()).get(lang.get())}</p>
            </section>
            <section class="panel" aria-label=move || text::FIRST_LAYER.get(lang.get())>
                <h2>{move || text::FIRST_LAYER.get(lang.get())}</h2>
                <plots::WeightsGrid weights=state.weights />
                <p class="hint">{move || text::TILES.get(lang.get())}</p>
            </section>
            <section class="panel" aria-label=move || text::CONFUSION.get(lang.get())>
                <h2>{move || text::CONFUSION.get(lang.get())}</h2>
                <plots::Confusion confusion=state.confusion cell=state.cell on_cell=on_cell />
            </section>
            <section class="panel" aria-label=move || text::DRAW.get(lang.get())>
                <h2>{move || text::DRAW.get(lang.get())}</h2>
                <drawing::DrawingPad prediction=state.prediction on_digit=on_digit />
            </section>
            <section class="panel outline" aria-label=move || text::LOOP.get(lang.get())>
                <h2>{move || text::LOOP.get(lang.get())}</h2>
                <ol data-testid="outline">
                    {text::OUTLINE.iter().enumerate().map(|(i, &(name, what))| {
                        // The update row follows the optimiser that runs (not the form's, pending a Reset).
                        let update = i == text::UPDATE_ROW;
                        let what = move || if update { text::update_rule(running.get().optimizer) } else { what };
                        view! {
                            <li class=move || outline_class(i) style:animation-delay=format!("{:.1}s", i as f32 * 0.2) data-testid=format!("outline-{i}")>
                                <strong>{move || name.get(lang.get())}</strong>
                                <span data-testid=update.then_some("train-update-rule")
                                    data-optimizer=move || update.then(|| running.get().optimizer.as_str())>{move || what().get(lang.get())}</span>
                            </li>
                        }
                    }).collect_view()}
                </ol>
            </section>
            {autodiff_panel(client.clone(), state)}
            </div>
        </main>
        <footer>{move || text::CREDITS.get(lang.get())}</footer>
    }
}
