//! The panels of the "Train a network" page: the engine line, the controls, the progress, the live
//! views and the outline of the loop (`page` wires them to the run).

use kernels::EngineKind;
use leptos::prelude::*;

use super::protocol::{Command, EngineMeasurement};
use super::resume;
use super::setup::{OPTIMIZERS, SETTINGS, Setup, usual_lr};
use super::state::{self, State};
use super::steps;
use super::text;
use crate::settings::{Field, Param};
use crate::ui::drawing;
use crate::ui::i18n::Lang;
use crate::ui::plots;

/// The signals the panels read: the run's state, the form, the run's configuration, the language.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub state: State,
    /// The form (some changes apply only on Reset).
    pub config: RwSignal<Setup>,
    /// The configuration the worker's run uses.
    pub running: RwSignal<Setup>,
    pub lang: RwSignal<Lang>,
}

/// What the controls do.
#[derive(Clone, Copy)]
pub struct Actions {
    pub start_pause: Callback<()>,
    pub step: Callback<()>,
    pub reset: Callback<()>,
    pub send: Callback<Command>,
    pub export_model: Callback<()>,
    pub import_model: Callback<leptos::ev::Event>,
    /// Sends the live setting with this key to the run.
    pub set_rates: Callback<&'static str>,
    pub clear_saved: Callback<()>,
    /// "Cleared" is shown once the worker has deleted the saved run.
    pub cleared: RwSignal<bool>,
}

/// The run's validation images: the first twelfth of the training images it uses.
fn validation_of(state: State, config: RwSignal<Setup>) -> usize {
    let total = state.data.get().1;
    super::setup::validation_images(if total > 0 { total } else { config.get().train })
}

/// A run from a loaded model: its validation images may have been trained on elsewhere.
fn loaded_of(state: State) -> bool {
    state.origin.get() == state::RunOrigin::Loaded
}

/// What the engine badge shows under the engine: the measurements and, on a GPU, the kernels chosen.
pub fn engine_lines(state: State, lang: RwSignal<Lang>) -> impl IntoView {
    view! {

        {move || state.status.engine.get().is_some().then(|| view! {
            <span class="measurements" data-testid="engine-measurements">
                {state.measurements.get().into_iter().map(|m| { let t = format!("{}: {:.0} {}", measured_engine(&m), m.samples_per_second, crate::runtime::engine::SAMPLES_PER_SECOND.en); view! { <span class="measure">{move || crate::runtime::engine::localize(&t, lang.get())}</span> } }).collect_view()}
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
    }
}

/// One field per row of the settings table: its label, its rule, whether it applies at once.
fn settings_field(
    ctx: Ctx,
    set_rates: Callback<&'static str>,
    p: &'static Param<Setup>,
) -> impl IntoView {
    let Ctx {
        config,
        running,
        lang,
        ..
    } = ctx;
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
            if c.optimizer != before && c.lr == usual_lr(before) {
                c.lr = usual_lr(c.optimizer);
            }
        });
        invalid.set((!ok).then_some(v));
        if ok && p.live {
            set_rates.run(p.key);
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
    let pending = move || {
        pending().map(|t| {
            view! {
                <span class="hint pending" data-testid=format!("{}-pending", p.key)>{t}</span>
            }
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
                {OPTIMIZERS.into_iter().map(|o| view! {
                    <option value=o.id() selected=move || config.get().optimizer == o>{move || text::optimizer(o).get(lang.get())}</option>
                }).collect_view()}
            </select>
            {pending}
            <span class="hint">{move || text::USUAL_LR.get(lang.get())}</span>
        }
        .into_any(),
        Field::UrlOnly => ().into_any(),
    }
}

/// The controls: Start, Step, Reset, the model files and the settings.
pub fn controls_panel(ctx: Ctx, actions: Actions, debug: bool) -> impl IntoView {
    let Ctx { state, lang, .. } = ctx;
    let Actions {
        start_pause,
        step,
        reset,
        send,
        export_model,
        import_model,
        set_rates,
        clear_saved,
        cleared,
    } = actions;
    view! {
        <section class="panel controls" aria-label=move || text::CONTROLS.get(lang.get())>
            <h2>{move || text::CONTROLS.get(lang.get())}</h2>
            <div class="buttons">
                <button data-testid="start" on:click=move |_| start_pause.run(()) disabled=move || state.finished.get()>
                    {move || (if state.finished.get() { text::FINISHED } else if state.pausing.get() { text::PAUSING } else if state.running.get() { text::PAUSE } else if state.step.get() > 0 { text::RESUME } else { text::START }).get(lang.get())}
                </button>
                <button data-testid="step" on:click=move |_| step.run(()) disabled=move || state.running.get() || state.finished.get()>{move || text::STEP.get(lang.get())}</button>
                <button data-testid="reset" on:click=move |_| reset.run(())>{move || text::RESET.get(lang.get())}</button>
            </div>
            <div class="model-files">
                {debug.then(|| {
                    let f = send;
                    let mib = |b: f64| format!("{:.1} MiB", b / 1048576.0);
                    let poison = send;
                    view! { <button data-testid="debug-lose-device" on:click=move |_| f.run(Command::DebugLoseDevice)>
                        {move || text::LOSE_DEVICE.get(lang.get())}</button>
                        <button data-testid="debug-poison" on:click=move |_| poison.run(Command::DebugPoison)>
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
                <button class="secondary" data-testid="export-model" on:click=move |_| export_model.run(())>
                    {move || text::MODEL_DOWNLOAD.get(lang.get())}</button>
                <resume::ClearSaved lang=lang clear=clear_saved cleared=cleared />
                <label class="import">
                    <span>{move || text::MODEL_UPLOAD.get(lang.get())}</span>
                    <input type="file" accept=".safetensors" data-testid="import-model" on:change=move |ev| import_model.run(ev) />
                    <span class="file-button" aria-hidden="true">{move || crate::ui::files::CHOOSE_FILE.get(lang.get())}</span>
                </label>
            </div>
            <p class="hint">{move || text::KEYS.get(lang.get())}</p>
            <div class="fields">
                {SETTINGS.iter().map(move |p| settings_field(ctx, set_rates, p)).collect_view()}
            </div>
        </section>
    }
}

/// The run's progress: steps, epoch, loss, accuracy, speed, data and the validation split.
pub fn progress_panel(ctx: Ctx, at_step: Memo<usize>) -> impl IntoView {
    let Ctx {
        state,
        config,
        lang,
        ..
    } = ctx;
    let validation = move || validation_of(state, config);
    let loaded = move || loaded_of(state);
    view! {
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
    }
}

/// The live views: the loss and accuracy curves, the first layer's weights, the confusion matrix and
/// the drawing pad.
pub fn live_views(
    ctx: Ctx,
    on_cell: Callback<(u8, u8)>,
    on_digit: Callback<Vec<u8>>,
) -> impl IntoView {
    let Ctx { state, lang, .. } = ctx;
    let loaded = move || loaded_of(state);
    view! {
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
    }
}

/// The outline of the training loop, its rows lit as a step goes through them.
pub fn outline_panel(ctx: Ctx) -> impl IntoView {
    let Ctx {
        state,
        running,
        lang,
        ..
    } = ctx;
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
                                data-optimizer=move || update.then(|| running.get().optimizer.id())>{move || what().get(lang.get())}</span>
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}

/// A measured engine's name as the measurements line says it (in English; `localize` translates it).
fn measured_engine(m: &EngineMeasurement) -> String {
    match m.kind {
        kernels::EngineKind::Gpu => format!("WebGPU ({})", m.adapter),
        kernels::EngineKind::Cpu => "CPU engine".into(),
        kernels::EngineKind::Burn => "burn".into(),
    }
}
