//! The fine-tuning lesson's panels: the status bar, the freezing panel, the comparison chart, and the
//! model's download and upload. Each takes the signals it shows from the lesson's `State`.

use leptos::prelude::*;

use crate::ui::files::{download, file_bytes};

use super::protocol::Client;
use super::protocol::{PhaseKind, Query, Reply};
use super::state::State;
use super::text::{self, ui};
use crate::ui::i18n::Lang;
use crate::ui::line_chart::{ACCURACY, EPOCH, LineChart, Series};

fn pct(lang: Lang, v: Option<f32>) -> String {
    v.map_or("–".into(), |a| {
        crate::ui::i18n::percent(lang, f64::from(a), 2)
    })
}

/// A phase's `data-` value.
pub(super) fn phase_id(p: PhaseKind) -> &'static str {
    match p {
        PhaseKind::Head => "head",
        PhaseKind::Full => "full",
        PhaseKind::Scratch => "scratch",
    }
}

fn full(v: Option<f32>) -> String {
    v.map_or(String::new(), |a| format!("{a:?}"))
}

/// Pretrained accuracy, current accuracy, phase and scratch accuracy: always on screen.
#[component]
pub fn StatusBar(
    state: State,
    lang: RwSignal<Lang>,
    /// The task's classes are the pretrained head's (else its accuracy on the task means nothing).
    keeps_classes: bool,
) -> impl IntoView {
    let pretrained_text = move || {
        if keeps_classes {
            pct(lang.get(), state.pretrained.get())
        } else {
            ui::OLD_HEAD
                .get(lang.get())
                .replace("{k}", &state.classes.get().len().max(1).to_string())
        }
    };
    let accuracy = move || state.accuracy.get().map(|(a, _)| a);
    // The old head's outputs are not the task's classes until a new head is in: its accuracy here
    // means nothing, as the pretrained tile says.
    let old_head = move || {
        !keeps_classes
            && !state.head_replaced.get()
            && state.widths.get().last().copied() != Some(state.classes.get().len())
    };
    let digest = move || state.accuracy.get().map(|(_, d)| d).unwrap_or_default();
    let scratch = move || state.scratch_curve.get().last().copied();
    let phase = move || {
        if let (Some((_, true)), Some((seed, seeds, phase, epoch, epochs))) =
            (state.seeds.get(), state.seeds_progress.get())
        {
            return ui::SEEDS_PROGRESS
                .get(lang.get())
                .replace("{seed}", &(seed + 1).to_string())
                .replace("{seeds}", &seeds.to_string())
                .replace("{phase}", text::phase_label(phase).get(lang.get()))
                .replace("{epoch}", &epoch.to_string())
                .replace("{epochs}", &epochs.to_string());
        }
        let p = state.progress.get();
        let running = p.is_some_and(|p| p.running);
        let label = text::phase_name(p.filter(|p| p.running).map(|p| p.phase)).get(lang.get());
        match p {
            Some(p) if running => format!("{label} · {} / {}", p.epoch, p.epochs),
            _ => label.to_string(),
        }
    };
    let phase_value = move || match state.progress.get() {
        Some(p) if p.running => phase_id(p.phase),
        _ => "idle",
    };
    // `head:10/10:done`: which phase ran last, how far, and whether it still runs (for tests and tools).
    let progress_value = move || {
        state.progress.get().map_or(String::new(), |p| {
            format!(
                "{}:{}/{}:{}",
                phase_id(p.phase),
                p.epoch,
                p.epochs,
                if p.running { "running" } else { "done" }
            )
        })
    };
    view! {
        <dl class="ft-status" aria-live="polite">
            <dt>{move || ui::PRETRAINED.get(lang.get())}</dt>
            <dd data-testid="ft-pretrained-accuracy" data-value=move || full(state.pretrained.get()) data-loads=move || state.loads.get().to_string()>
                {move || if state.awaiting_pretrained.get() { ui::WAITING.get(lang.get()).to_string() } else if state.loaded.get() { pretrained_text() } else { ui::NO_EXAMPLES.get(lang.get()).to_string() }}
            </dd>
            <dt>{move || ui::ACCURACY.get(lang.get())}</dt>
            <dd data-testid="ft-accuracy" data-value=move || full(accuracy()) data-digest=digest data-old-head=move || old_head().to_string()>
                {move || if old_head() { ui::OLD_HEAD_ACCURACY.get(lang.get()).to_string() } else { pct(lang.get(), accuracy()) }}</dd>
            <dt>{move || ui::PHASE.get(lang.get())}</dt>
            <dd data-testid="ft-phase" data-value=phase_value data-progress=progress_value>{phase}</dd>
            <dt>{move || ui::SCRATCH_ACCURACY.get(lang.get())}</dt>
            <dd data-testid="ft-scratch-accuracy" data-value=move || full(scratch())>{move || pct(lang.get(), scratch())}</dd>
        </dl>
    }
}

/// A gradient cell without a figure: nothing has run yet, the tensor is frozen (PyTorch's p.grad is
/// None), or no step has run since it was unfrozen.
fn none_yet(lang: Lang, frozen: bool, dispatches: usize) -> String {
    let t = match (dispatches, frozen) {
        (0, _) => ui::NOTHING_RUN,
        (_, true) => ui::NOT_COMPUTED,
        (_, false) => ui::NO_STEP_YET,
    };
    t.get(lang).to_string()
}

fn sci(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else {
        format!("{v:.3e}")
    }
}

/// When the last step froze by zeroing gradients: whether a frozen tensor moved, and the one that
/// moved most with its ‖ΔW‖.
fn drift(rows: &[super::protocol::TensorRow]) -> Option<(bool, String, f64)> {
    rows.iter()
        .filter(|r| r.zeroed)
        .max_by(|a, b| a.weight_change.total_cmp(&b.weight_change))
        .map(|r| (r.weight_change > 0.0, r.name.clone(), r.weight_change))
}

/// Per tensor: gradient norm, weight change since the phase began, momentum norm; the kernels of the
/// last step; PyTorch beside what the engine does.
#[component]
pub fn FreezingPanel(
    state: State,
    lang: RwSignal<Lang>,
    /// The PyTorch program for the page's current setup.
    pytorch: Signal<String>,
) -> impl IntoView {
    view! {
        <section class="panel wide freezing" aria-label="Freezing">
            <h2>{move || ui::FREEZING.get(lang.get())}</h2>
            <table class="tensors">
                <thead><tr>{ui::COLUMNS.iter().map(|c| view! { <th>{move || c.get(lang.get())}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {move || state.tensors.get().into_iter().map(|r| {
                        let frozen = r.frozen;
                        view! {
                            <tr class:frozen=frozen data-testid=format!("tensor-{}", r.name)>
                                <td>{r.name.clone()}{frozen.then(|| view! { " "<span class="tag">{move || ui::LOCKED.get(lang.get())}</span> })}</td>
                                <td>{r.count}</td>
                                <td data-testid=format!("grad-norm-{}", r.name) data-value=r.grad_norm.map_or(String::new(), |g| format!("{g:?}")) data-zeroed=r.zeroed.to_string()>{if r.zeroed { ui::ZEROED.get(lang.get()).to_string() } else { r.grad_norm.map_or_else(|| none_yet(lang.get(), frozen, state.dispatches.get()), sci) }}</td>
                                <td data-testid=format!("weight-change-{}", r.name) data-value=format!("{:?}", r.weight_change)>{sci(r.weight_change)}</td>
                                <td data-testid=format!("momentum-norm-{}", r.name) data-value=format!("{:?}", r.momentum_norm)>{sci(r.momentum_norm)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {move || drift(&state.tensors.get()).map(|(moved, name, change)| view! {
                <p class="drift" data-testid="ft-drift" data-state=if moved { "drift" } else { "still" }>
                    {move || if moved {
                        ui::DRIFTED.get(lang.get()).replace("{name}", &name).replace("{dw}", &sci(change))
                    } else {
                        ui::STILL.get(lang.get()).to_string()
                    }}
                </p>
            })}
            <p class="hint" data-testid="ft-fc1-digest" data-value=move || state.fc1_digest.get()>
                {move || ui::FINGERPRINT.get(lang.get())} ": " {move || state.fc1_digest.get()}
            </p>
            <h3>{move || ui::KERNELS.get(lang.get())}</h3>
            <p class="hint" data-testid="ft-dispatches" data-value=move || state.dispatches.get().to_string()
                data-engine=move || state.status.engine.get().map(|e| crate::client::engine_label(e.kind))>
                {move || {
                    let on_gpu = state.status.engine.get().is_none_or(|e| e.kind == kernels::EngineKind::Gpu);
                    let sentence = match (state.dispatches.get(), on_gpu) {
                        (0, _) => ui::NO_DISPATCHES_YET,
                        (_, true) => ui::DISPATCHES,
                        (_, false) => ui::DISPATCHES_ON_CPU,
                    };
                    sentence.get(lang.get()).replace("{n}", &state.dispatches.get().to_string())
                }}
            </p>
            <ol class="kernels" data-testid="ft-kernels">
                {move || state.kernels.get().into_iter().map(|k| view! {
                    <li data-dispatch=k.dispatch.to_string()><span class="dispatch">{format!("#{} ", k.dispatch + 1)}</span><code>{k.kernel}</code>" — "{text::task(k.task, lang.get())}<span class="share">" "{crate::ui::i18n::percent(lang.get(), k.share, 1)}</span></li>
                }).collect_view()}
            </ol>
            // Stacked, not side by side: the program's lines need the panel's width.
            <div class="side-by-side stacked">
                <div>
                    <h3>{move || ui::PYTORCH.get(lang.get())}</h3>
                    <pre data-testid="ft-pytorch"><code>{move || pytorch.get()}</code></pre>
                    <p class="hint">{move || ui::ARTICLE_CODE.get(lang.get())}</p>
                </div>
                <div>
                    <h3>"Backprop Lab"</h3>
                    <p>{move || ui::OURS.get(lang.get())}</p>
                </div>
            </div>
        </section>
    }
}

/// Accuracy per epoch: the tuned model from its pretrained accuracy (epoch 0) through the head and
/// full phases (red), the scratch model (blue).
#[component]
pub fn ComparisonChart(state: State, lang: RwSignal<Lang>) -> impl IntoView {
    let series = Signal::derive(move || {
        let tuned: Vec<(f64, f64)> = state
            .pretrained
            .get()
            .into_iter()
            .chain(state.curve.get().into_iter().map(|(_, a)| a))
            .enumerate()
            .map(|(i, a)| (i as f64, f64::from(a)))
            .collect();
        let scratch = state
            .scratch_curve
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, a)| ((i + 1) as f64, f64::from(a)))
            .collect();
        vec![
            Series {
                points: tuned,
                class: "tuned",
                dots: true,
            },
            Series {
                points: scratch,
                class: "scratch",
                dots: true,
            },
        ]
    });
    // Where each phase of the tuned curve starts (x 0 is the pretrained model as loaded).
    let marks = Signal::derive(move || {
        let curve = state.curve.get();
        [
            (PhaseKind::Head, ui::MARK_HEAD),
            (PhaseKind::Full, ui::MARK_FULL),
        ]
        .into_iter()
        .filter_map(|(phase, name)| {
            curve
                .iter()
                .position(|&(p, _)| p == phase)
                .map(|i| (i as f64, name))
        })
        .collect::<Vec<_>>()
    });
    view! {
        <section class="panel wide" aria-label="Accuracy per epoch">
            <h2>{move || ui::CHART.get(lang.get())}</h2>
            <LineChart series=series y_top=1.0 y_percent=true x_label=EPOCH y_label=ACCURACY marks=marks
                testid="ft-chart" aria=crate::ui::i18n::tx("held-out accuracy per epoch: fine-tuned and from scratch", "每轮的留出准确率：微调与从头训练") />
        </section>
    }
}

/// Download the tuned model; pick or drop a `.safetensors` to load one (`on_model` gets its bytes).
#[component]
pub fn ModelFiles(
    client: Client,
    state: State,
    lang: RwSignal<Lang>,
    on_model: Callback<Vec<u8>>,
) -> impl IntoView {
    let export = {
        let client = client.clone();
        move |_| {
            let client = client.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let query = Query::Export {
                    slot: super::protocol::Slot::Tuned,
                };
                if let Some(Reply::Model(bytes)) = client.query(query).await {
                    let k = state.widths.get_untracked().last().copied().unwrap_or(10);
                    if let Err(e) =
                        download(&bytes, &format!("finetuned-mlp-784-512-{k}.safetensors"))
                    {
                        web_sys::console::error_1(&e.into());
                    }
                }
            });
        }
    };
    let picked = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        if let Some(file) = input.files().and_then(|f| f.get(0)) {
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(bytes) = file_bytes(file).await {
                    on_model.run(bytes);
                }
            });
        }
    };
    let dropped = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        let file = ev
            .data_transfer()
            .and_then(|d| d.files())
            .and_then(|f| f.get(0));
        if let Some(file) = file {
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(bytes) = file_bytes(file).await {
                    on_model.run(bytes);
                }
            });
        }
    };
    view! {
        <div class="model-files" on:dragover=|ev: leptos::ev::DragEvent| ev.prevent_default() on:drop=dropped>
            <button class="secondary" data-testid="export-model" on:click=export>{move || ui::EXPORT.get(lang.get())}</button>
            <label class="import">
                <span>{move || ui::IMPORT.get(lang.get())}</span>
                <input type="file" accept=".safetensors" data-testid="import-model" on:change=picked />
                        <span class="file-button" aria-hidden="true">{move || crate::ui::files::CHOOSE_FILE.get(lang.get())}</span>
            </label>
        </div>
    }
}
