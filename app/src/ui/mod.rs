//! The "Train a network" lesson's page (`lessons/train` registers it) and the widgets it uses.

#[cfg(feature = "burn")]
mod autodiff;
pub mod bars;
pub mod drawing;
pub mod files;
pub mod formula;
pub mod heatmap;
pub mod i18n;
pub mod line_chart;
mod plots;
mod resume;

use i18n::{Lang, t};

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

use crate::config::{LessonConfig, LessonOptimizer};
use crate::history::LossHistory;
use crate::protocol::{EngineMeasurement, FromWorker, SavedRun, ToWorker};

/// The engine as shown in the header.
#[derive(Clone, Debug, PartialEq)]
pub struct EngineView {
    pub kind: String,
    pub adapter: String,
    pub note: String,
    pub measurements: Vec<EngineMeasurement>,
}

/// First-layer weights as an RGBA image.
#[derive(Clone, Debug, PartialEq)]
pub struct WeightsImage {
    pub width: u32,
    pub height: u32,
    pub units: usize,
    pub rgba: Vec<u8>,
}

/// The test images of one confusion-matrix cell.
#[derive(Clone, Debug, PartialEq)]
pub struct CellView {
    pub truth: u8,
    pub predicted: u8,
    pub pixels: Vec<u8>,
    pub count: usize,
    pub total: usize,
}

/// The result of a "check against autodiff".
#[derive(Clone, Debug, PartialEq)]
pub struct AutodiffView {
    pub rows: usize,
    /// Our loss and burn's for the same step.
    pub losses: (f32, f32),
    pub parameters: Vec<crate::protocol::GradientDifference>,
}

/// What the page knows of the run; every number comes from the worker's engine.
#[derive(Clone, Copy)]
pub struct State {
    pub engine: RwSignal<Option<EngineView>>,
    pub data: RwSignal<(usize, usize, usize, usize)>,
    pub step: RwSignal<u64>,
    pub epoch: RwSignal<(usize, f32)>,
    pub speed: RwSignal<f64>,
    pub running: RwSignal<bool>,
    pub finished: RwSignal<bool>,
    /// Every step's loss, in bounded memory.
    pub losses: RwSignal<LossHistory>,
    pub evals: RwSignal<Vec<(u64, f32, f32)>>,
    pub confusion: RwSignal<(Vec<u32>, usize)>,
    pub weights: RwSignal<Option<WeightsImage>>,
    pub prediction: RwSignal<Vec<f32>>,
    pub cell: RwSignal<Option<CellView>>,
    pub errors: RwSignal<Vec<String>>,
    pub phase: RwSignal<Option<usize>>,
    /// Pause requested, not yet acknowledged by the worker.
    pub pausing: RwSignal<bool>,
    /// The last autodiff comparison.
    pub autodiff: RwSignal<Option<AutodiffView>>,
    /// The page's language.
    pub lang: RwSignal<Lang>,
    /// Hidden widths of a model the student loaded (the form follows them).
    pub imported: RwSignal<Option<Vec<usize>>>,
    /// A run saved in this browser that can be resumed.
    pub saved: RwSignal<Option<SavedRun>>,
    /// The configuration of a run just resumed (the form and the URL follow it).
    pub resumed: RwSignal<Option<LessonConfig>>,
    /// The worker's wasm memory in bytes, from its last progress report.
    pub worker_memory: RwSignal<f64>,
    /// The last divergence: (step, its loss, learning rate, step rolled back to).
    pub diverged: RwSignal<Option<(u64, f32, f32, u64)>>,
}

impl State {
    fn new() -> Self {
        Self {
            engine: RwSignal::new(None),
            data: RwSignal::new((0, 0, 0, 0)),
            step: RwSignal::new(0),
            epoch: RwSignal::new((1, 0.0)),
            speed: RwSignal::new(0.0),
            running: RwSignal::new(false),
            finished: RwSignal::new(false),
            losses: RwSignal::new(LossHistory::new()),
            evals: RwSignal::new(Vec::new()),
            confusion: RwSignal::new((Vec::new(), 10)),
            weights: RwSignal::new(None),
            prediction: RwSignal::new(Vec::new()),
            cell: RwSignal::new(None),
            errors: RwSignal::new(Vec::new()),
            phase: RwSignal::new(None),
            pausing: RwSignal::new(false),
            autodiff: RwSignal::new(None),
            lang: RwSignal::new(Lang::En),
            diverged: RwSignal::new(None),
            worker_memory: RwSignal::new(0.0),
            saved: RwSignal::new(None),
            resumed: RwSignal::new(None),
            imported: RwSignal::new(None),
        }
    }

    fn clear_run(&self) {
        self.step.set(0);
        self.epoch.set((1, 0.0));
        self.losses.set(LossHistory::new());
        self.evals.set(Vec::new());
        self.confusion.set((Vec::new(), 10));
        self.cell.set(None);
        self.finished.set(false);
        self.running.set(false);
        self.diverged.set(None);
    }

    /// The curves go back to a snapshot's step: what came after it was undone.
    fn back_to(&self, step: u64) {
        self.losses.update(|l| l.truncate(step));
        self.evals.update(|e| e.retain(|&(s, _, _)| s <= step));
        self.step.set(step);
    }

    fn apply(&self, msg: FromWorker) {
        match msg {
            FromWorker::Ready => {}
            FromWorker::Saved { run } => self.saved.set(run),
            FromWorker::Resumed {
                config,
                history,
                evals,
            } => {
                self.clear_run();
                self.losses.set(history);
                self.evals.set(evals);
                self.resumed.set(Some(config));
            }
            FromWorker::Engine {
                kind,
                adapter,
                note,
                measurements,
            } => self.engine.set(Some(EngineView {
                kind,
                adapter,
                note,
                measurements,
            })),
            FromWorker::Data {
                train_loaded,
                train_total,
                test_loaded,
                test_total,
            } => self
                .data
                .set((train_loaded, train_total, test_loaded, test_total)),
            FromWorker::Progress {
                step,
                epoch,
                epoch_fraction,
                losses,
                samples_per_second,
                running,
                finished,
                worker_memory,
            } => {
                self.worker_memory.set(worker_memory);
                self.step.set(step);
                self.epoch.set((epoch, epoch_fraction));
                if samples_per_second > 0.0 {
                    self.speed.set(samples_per_second);
                }
                if !losses.is_empty() {
                    self.losses.update(|l| l.extend(&losses));
                }
                self.running.set(running);
                if !running {
                    self.pausing.set(false);
                }
                self.finished.set(finished);
            }
            FromWorker::Restored { step } => self.back_to(step),
            FromWorker::Diverged {
                step,
                loss,
                lr,
                rolled_back_to,
            } => {
                self.back_to(rolled_back_to);
                self.running.set(false);
                self.pausing.set(false);
                self.diverged.set(Some((step, loss, lr, rolled_back_to)));
            }
            FromWorker::Evaluation {
                step,
                accuracy,
                loss,
                confusion,
                classes,
            } => {
                self.evals
                    .update(|e| crate::history::push_bounded(e, (step, accuracy, loss)));
                self.confusion.set((confusion, classes));
            }
            FromWorker::Weights {
                width,
                height,
                units,
                rgba,
            } => self.weights.set(Some(WeightsImage {
                width,
                height,
                units,
                rgba: rgba.into_vec(),
            })),
            FromWorker::Prediction { probabilities } => self.prediction.set(probabilities),
            FromWorker::CellImages {
                truth,
                predicted,
                pixels,
                count,
                total,
            } => self.cell.set(Some(CellView {
                truth,
                predicted,
                pixels: pixels.into_vec(),
                count,
                total,
            })),
            FromWorker::ModelFile { bytes, widths } => {
                let name = format!(
                    "mlp-{}.safetensors",
                    widths
                        .iter()
                        .map(usize::to_string)
                        .collect::<Vec<_>>()
                        .join("-")
                );
                if let Err(e) = files::download(&bytes, &name) {
                    self.errors
                        .update(|v| v.push(format!("The download failed: {e}")));
                }
            }
            FromWorker::Imported { hidden } => {
                self.clear_run();
                self.imported.set(Some(hidden));
            }
            FromWorker::AutodiffCheck {
                rows,
                losses,
                parameters,
            } => self.autodiff.set(Some(AutodiffView {
                rows,
                losses,
                parameters,
            })),
            FromWorker::Error { message } => {
                web_sys::console::warn_1(&format!("Backprop Lab: {message}").into());
                self.errors.update(|e| e.push(message));
            }
        }
    }
}

/// Sends messages to the worker.
#[derive(Clone)]
pub struct Channel(Worker);

impl Channel {
    pub fn send(&self, msg: &ToWorker) {
        match serde_wasm_bindgen::to_value(msg) {
            Ok(v) => {
                if let Err(e) = self.0.post_message(&v) {
                    web_sys::console::error_2(&"postMessage to the worker failed".into(), &e);
                }
            }
            Err(e) => web_sys::console::error_1(&format!("cannot serialise {msg:?}: {e}").into()),
        }
    }
}

fn start_worker(state: State) -> Result<Channel, String> {
    let opts = WorkerOptions::new();
    opts.set_type(WorkerType::Module);
    opts.set_name("train");
    let worker = Worker::new_with_options("./worker.js", &opts).map_err(|e| format!("{e:?}"))?;
    // Leaving the lesson ends its engine.
    let ending = worker.clone();
    on_cleanup(move || ending.terminate());
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        match serde_wasm_bindgen::from_value::<FromWorker>(ev.data()) {
            Ok(msg) => state.apply(msg),
            Err(e) => state
                .errors
                .update(|v| v.push(format!("unreadable message from the engine: {e}"))),
        }
    });
    worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    let onerror = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |ev: web_sys::ErrorEvent| {
        state
            .errors
            .update(|v| v.push(format!("the engine worker failed: {}", ev.message())));
    });
    worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
    onerror.forget();
    Ok(Channel(worker))
}

const OUTLINE: [(&str, &str); 6] = [
    ("Initialise", "weights uniform in ±1/√fan_in, from the seed"),
    ("Forward", "h = ReLU(x·W₁ᵀ + b₁), logits = h·W₂ᵀ + b₂"),
    ("Loss", "cross-entropy: −log softmax(logits)[label]"),
    ("Gradients", "backpropagation: dW = dYᵀ·X, dX = dY·W"),
    ("Update", "SGD: v ← μv + g, w ← w − lr·v"),
    ("Repeat", "next batch; a new shuffle every epoch"),
];

fn hidden_text(c: &LessonConfig) -> String {
    c.hidden
        .iter()
        .map(|h| h.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// The debug control that destroys the GPU device.
const LOSE_DEVICE: i18n::Text = i18n::tx("Lose the GPU device (debug)", "丢失 GPU 设备（调试）");
/// The model download button.
const MODEL_DOWNLOAD: i18n::Text =
    i18n::tx("Download model (.safetensors)", "下载模型（.safetensors）");
/// The model upload field.
const MODEL_UPLOAD: i18n::Text =
    i18n::tx("Load a model (.safetensors)", "加载模型（.safetensors）");

/// What the page says when training diverged, in the page's language.
pub fn diverged_message(lang: Lang, step: u64, loss: f32, lr: f32, back: u64) -> String {
    let loss = crate::ui::formula::num(f64::from(loss));
    match lang {
        Lang::En => format!(
            "Training diverged at step {step} with learning rate {lr}: the loss exploded to {loss}. \
             Training paused and rolled back to step {back}, the last good snapshot (weights and optimiser \
             state). Try a smaller learning rate, then press Start."
        ),
        Lang::Zh => format!(
            "训练在第 {step} 步发散（学习率 {lr}）：损失暴涨到 {loss}。训练已暂停，并回滚到第 {back} 步——\
             最后一个正常的快照（权重和优化器状态）。请把学习率调小，然后按“开始”。"
        ),
    }
}

fn update_url(config: &LessonConfig, lang: Lang) {
    let router = expect_context::<crate::route::Router>();
    let mut route = crate::route::Route::parse(&config.to_query());
    route.lesson = Some(crate::lessons::train::ID.into());
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
fn autodiff_panel(
    state: State,
    send: impl Fn(ToWorker) + Clone + Send + Sync + 'static,
) -> impl IntoView {
    view! { <autodiff::AutodiffPanel state=state send=send /> }
}

#[cfg(not(feature = "burn"))]
fn autodiff_panel(
    _state: State,
    _send: impl Fn(ToWorker) + Clone + Send + Sync + 'static,
) -> impl IntoView {
}

/// The lesson's page: its own engine worker, controls, progress and live views.
#[component]
pub fn TrainPage() -> impl IntoView {
    let router = expect_context::<crate::route::Router>();
    let query = router.0.with_untracked(|r| r.query());
    let (initial, problems) = LessonConfig::from_query(&query);
    let mut state = State::new();
    state.lang = expect_context::<RwSignal<Lang>>();
    let lang = state.lang;
    state
        .errors
        .set(problems.into_iter().map(|p| format!("URL: {p}")).collect());
    let config = RwSignal::new(initial.clone());
    let channel = match start_worker(state) {
        Ok(c) => Some(c),
        Err(e) => {
            state
                .errors
                .update(|v| v.push(format!("Could not start the engine worker: {e}")));
            None
        }
    };
    if let Some(c) = &channel {
        c.send(&ToWorker::Reset(initial));
    }
    state.phase.set(Some(0));
    set_timeout(
        move || state.phase.set(None),
        std::time::Duration::from_millis(900),
    );
    let send = {
        let channel = channel.clone();
        move |m: ToWorker| {
            if let Some(c) = &channel {
                c.send(&m);
            }
        }
    };

    let start_pause = {
        let send = send.clone();
        move || {
            if state.running.get_untracked() {
                // The worker finishes its current burst first; its acknowledgement flips `running`.
                send(ToWorker::Pause);
                state.pausing.set(true);
            } else if !state.finished.get_untracked() {
                state.diverged.set(None);
                send(ToWorker::Start);
                state.running.set(true);
            }
        }
    };
    let step = {
        let send = send.clone();
        move || {
            if !state.running.get_untracked() {
                send(ToWorker::Step);
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
            config.set(c);
        }
    });
    // A loaded model brings its own hidden widths; the form shows them.
    Effect::new(move |_| {
        if let Some(hidden) = state.imported.get() {
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
                        Ok(bytes) => send(ToWorker::Import {
                            bytes: serde_bytes::ByteBuf::from(bytes),
                        }),
                        Err(e) => state
                            .errors
                            .update(|v| v.push(format!("Reading the file failed: {e}"))),
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
            send(ToWorker::Reset(c));
            state.phase.set(Some(0));
            set_timeout(
                move || state.phase.set(None),
                std::time::Duration::from_millis(600),
            );
        }
    };
    let set_rates = {
        let send = send.clone();
        move || {
            let c = config.get_untracked();
            update_url(&c, lang.get_untracked());
            send(ToWorker::SetRates {
                lr: c.lr,
                momentum: c.momentum,
            });
        }
    };

    // Keyboard: space start/pause, "s" single step, "r" reset (not while typing in a field).
    {
        let (sp, st, rs) = (start_pause.clone(), step.clone(), reset.clone());
        let handle = window_event_listener(leptos::ev::keydown, move |ev| {
            let typing = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
                .is_some_and(|el| {
                    matches!(
                        el.tag_name().as_str(),
                        "INPUT" | "SELECT" | "TEXTAREA" | "BUTTON"
                    )
                });
            if typing || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
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

    let number_field = move |id: &'static str,
                             label: &'static str,
                             step_attr: &'static str,
                             get: fn(&LessonConfig) -> String,
                             set: fn(&mut LessonConfig, &str) -> bool,
                             live: bool| {
        let set_rates = set_rates.clone();
        let invalid = RwSignal::new(false);
        view! {
            <label for=id>{move || t(lang.get(), label)}</label>
            <input id=id data-testid=id type="number" step=step_attr class:invalid=move || invalid.get()
                prop:value=move || get(&config.get())
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    let mut ok = false;
                    config.update(|c| ok = set(c, &v));
                    invalid.set(!ok);
                    if ok && live { set_rates(); }
                } />
        }
    };

    let hidden_invalid = RwSignal::new(false);
    let on_hidden = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        let parsed = v
            .split(',')
            .map(|s| s.trim().parse::<usize>())
            .collect::<Result<Vec<_>, _>>();
        match parsed {
            Ok(h)
                if !h.is_empty()
                    && h.len() <= crate::config::MAX_HIDDEN_LAYERS
                    && h.iter().all(|w| (1..=2048).contains(w)) =>
            {
                hidden_invalid.set(false);
                config.update(|c| c.hidden = h);
            }
            _ => hidden_invalid.set(true),
        }
    };
    let to_worker = {
        let send = send.clone();
        Callback::new(move |m: ToWorker| send(m))
    };
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
        <div class="lesson-bar">
            <div class="engine" data-testid="engine" role="status" aria-live="polite">
                {move || match state.engine.get() {
                    None => view! { <span class="pending">{move || t(lang.get(), "Starting the engine…")}</span> }.into_any(),
                    Some(EngineView { kind, adapter, note, measurements }) => view! {
                        <span class="badge" data-testid="engine-kind">{kind.clone()}</span>
                        <span class="adapter" data-testid="engine-adapter">{adapter}</span>
                        <span class="note" data-testid="engine-note">{note}</span>
                        <span class="measurements" data-testid="engine-measurements">
                            {measurements.into_iter().map(|m| view! { <span class="measure">{format!("{}: {:.0} samples/s", m.engine, m.samples_per_second)}</span> }).collect_view()}
                        </span>
                    }.into_any(),
                }}
            </div>
        </div>
        <div class="errors" data-testid="errors" role="alert">
            {move || state.errors.get().into_iter().map(|e| view! { <p class="error">{e}</p> }).collect_view()}
            {move || state.diverged.get().map(|(step, loss, lr, back)| view! {
                <p class="error" data-testid="diverged" data-step=step.to_string() data-lr=lr.to_string()
                    data-loss=loss.to_string() data-rolled-back-to=back.to_string()>
                    {diverged_message(lang.get(), step, loss, lr, back)}</p>
            })}
        </div>
        <resume::ResumeOffer saved=state.saved lang=lang send=to_worker />
        <main class="lesson">
            <section class="panel outline" aria-label="The training loop">
                <h2>{move || t(lang.get(), "The training loop")}</h2>
                <ol data-testid="outline">
                    {OUTLINE.iter().enumerate().map(|(i, &(name, what))| view! {
                        <li class=move || outline_class(i) style:animation-delay=format!("{:.1}s", i as f32 * 0.2) data-testid=format!("outline-{i}")>
                            <strong>{move || t(lang.get(), name)}</strong><span>{move || t(lang.get(), what)}</span>
                        </li>
                    }).collect_view()}
                </ol>
            </section>
            <section class="panel controls" aria-label="Controls">
                <h2>{move || t(lang.get(), "Controls")}</h2>
                <div class="buttons">
                    <button data-testid="start" on:click={let f = start_pause.clone(); move |_| f()} disabled=move || state.finished.get()>
                        {move || t(lang.get(), if state.finished.get() { "Finished" } else if state.pausing.get() { "Pausing…" } else if state.running.get() { "Pause" } else if state.step.get() > 0 { "Resume" } else { "Start" })}
                    </button>
                    <button data-testid="step" on:click={let f = step.clone(); move |_| f()} disabled=move || state.running.get() || state.finished.get()>{move || t(lang.get(), "Step")}</button>
                    <button data-testid="reset" on:click={let f = reset.clone(); move |_| f()}>{move || t(lang.get(), "Reset")}</button>
                </div>
                <div class="model-files">
                    {debug.then(|| {
                        let f = send.clone();
                        let mib = |b: f64| format!("{:.1} MiB", b / 1048576.0);
                        view! { <button data-testid="debug-lose-device" on:click=move |_| f(ToWorker::DebugLoseDevice)>
                            {move || LOSE_DEVICE.get(lang.get())}</button>
                            // Read each time the worker reports: the page's own wasm memory alongside.
                            <span class="debug-memory" data-testid="memory"
                                data-worker=move || state.worker_memory.get().to_string()
                                data-page=move || { state.step.track(); crate::worker::wasm_memory_bytes().to_string() }>
                                {move || format!("wasm: page {}, worker {}", { state.step.track(); mib(crate::worker::wasm_memory_bytes()) }, mib(state.worker_memory.get()))}
                            </span> }
                    })}
                    <button data-testid="export-model" on:click={let f = send.clone(); move |_| f(ToWorker::Export)}>
                        {move || MODEL_DOWNLOAD.get(lang.get())}</button>
                    <resume::ClearSaved lang=lang send=to_worker />
                    <label class="import">
                        <span>{move || MODEL_UPLOAD.get(lang.get())}</span>
                        <input type="file" accept=".safetensors" data-testid="import-model" on:change=import_model />
                    </label>
                </div>
                <p class="hint">{move || t(lang.get(), "Keys: space start/pause · s step · r reset. Learning rate and momentum apply at once; the rest on Reset.")}</p>
                <div class="fields">
                    {number_field("lr", "Learning rate", "any", |c| c.lr.to_string(), |c, v| v.parse::<f32>().ok().filter(|x| *x > 0.0 && *x <= 10.0).map(|x| c.lr = x).is_some(), true)}
                    {number_field("momentum", "Momentum", "0.05", |c| c.momentum.to_string(), |c, v| v.parse::<f32>().ok().filter(|x| (0.0..1.0).contains(x)).map(|x| c.momentum = x).is_some(), true)}
                    {number_field("batch", "Batch size", "1", |c| c.batch.to_string(), |c, v| v.parse::<usize>().ok().filter(|x| (1..=1024).contains(x)).map(|x| c.batch = x).is_some(), false)}
                    {number_field("epochs", "Epochs", "1", |c| c.epochs.to_string(), |c, v| v.parse::<usize>().ok().filter(|x| (1..=100).contains(x)).map(|x| c.epochs = x).is_some(), false)}
                    {number_field("seed", "Seed", "1", |c| c.seed.to_string(), |c, v| v.parse::<u64>().ok().map(|x| c.seed = x).is_some(), false)}
                    <label for="hidden">{move || t(lang.get(), "Hidden widths")}</label>
                    <input id="hidden" data-testid="hidden" type="text" inputmode="numeric" title="comma-separated, e.g. 512 or 256,128"
                        prop:value=move || hidden_text(&config.get())
                        class:invalid=move || hidden_invalid.get()
                        on:change=on_hidden />
                    <label for="optimizer">{move || t(lang.get(), "Optimiser")}</label>
                    <select id="optimizer" data-testid="optimizer" on:change=move |ev| {
                        if let Some(o) = LessonOptimizer::parse(&event_target_value(&ev)) { config.update(|c| c.optimizer = o); }
                    }>
                        {[(LessonOptimizer::Sgd, "SGD"), (LessonOptimizer::Momentum, "SGD + momentum"), (LessonOptimizer::Adam, "Adam")].into_iter().map(|(o, label)| view! {
                            <option value=o.as_str() selected=move || config.get().optimizer == o>{move || t(lang.get(), label)}</option>
                        }).collect_view()}
                    </select>
                </div>
            </section>
            <section class="panel stats" aria-label="Progress">
                <h2>{move || t(lang.get(), "Progress")}</h2>
                <dl>
                    <dt>{move || t(lang.get(), "Steps")}</dt><dd data-testid="step-count">{move || state.step.get()}</dd>
                    <dt>{move || t(lang.get(), "Epoch")}</dt><dd data-testid="epoch">{move || { let (e, f) = state.epoch.get(); format!("{e} / {} ({:.0} %)", config.get().epochs, f * 100.0) }}</dd>
                    <dt>{move || t(lang.get(), "Loss")}</dt>
                    <dd data-testid="loss"
                        data-value=move || state.losses.with(|l| l.last().map_or(String::new(), |v| format!("{v:?}")))
                        data-first=move || state.losses.with(|l| l.window_mean(true).to_string())
                        data-recent=move || state.losses.with(|l| l.window_mean(false).to_string())>
                        {move || state.losses.with(|l| match l.last() {
                            None => "–".to_string(),
                            Some(v) if l.len() > 10 => format!("{v:.4} (avg of the first 10 steps {:.3}, of the last 10 {:.3})", l.window_mean(true), l.window_mean(false)),
                            Some(v) => format!("{v:.4}"),
                        })}
                    </dd>
                    <dt>{move || t(lang.get(), "Test accuracy")}</dt><dd data-testid="accuracy"
                        data-value=move || state.evals.with(|e| e.last().map_or(String::new(), |(_, a, _)| format!("{a:?}")))
                        data-loss=move || state.evals.with(|e| e.last().map_or(String::new(), |(_, _, l)| format!("{l:?}")))>{move || state.evals.with(|e| e.last().map_or("–".into(), |(_, a, _)| format!("{:.2} %", a * 100.0)))}</dd>
                    <dt>{move || t(lang.get(), "Speed")}</dt><dd data-testid="speed">{move || format!("{:.0} {}", state.speed.get(), t(lang.get(), "samples/s"))}</dd>
                    <dt>{move || t(lang.get(), "Data")}</dt><dd data-testid="data">{move || { let (a, b, c, d) = state.data.get(); format!("train {a} / {b} · test {c} / {d}") }}</dd>
                </dl>
                <progress data-testid="epoch-progress" max="1" value=move || state.epoch.get().1.to_string()></progress>
                <progress data-testid="data-progress" class="data" max="1"
                    value=move || { let (a, b, c, d) = state.data.get(); ((a + c) as f64 / (b + d).max(1) as f64).to_string() }></progress>
            </section>
            <section class="panel wide" aria-label="Loss">
                <h2>{move || t(lang.get(), "Training loss per step")}</h2>
                <plots::LossPlot state=state />
            </section>
            <section class="panel" aria-label="Accuracy">
                <h2>{move || t(lang.get(), "Test accuracy")}</h2>
                <plots::AccuracyPlot state=state />
            </section>
            <section class="panel" aria-label="First-layer weights">
                <h2>{move || t(lang.get(), "First-layer weights")}</h2>
                <plots::WeightsGrid state=state />
                <p class="hint">{move || t(lang.get(), "Each tile is one hidden unit's 784 weights as a 28×28 image: red positive, blue negative.")}</p>
            </section>
            <section class="panel" aria-label="Confusion matrix">
                <h2>{move || t(lang.get(), "Confusion matrix (test set)")}</h2>
                <plots::Confusion state=state send=send.clone() />
            </section>
            <section class="panel" aria-label="Draw a digit">
                <h2>{move || t(lang.get(), "Draw a digit")}</h2>
                <drawing::DrawingPad state=state send=send.clone() />
            </section>
            {autodiff_panel(state, send)}
        </main>
        <footer>{move || t(lang.get(), "MNIST: LeCun, Cortes, Burges (CC BY-SA 3.0). Every number on this page comes live from the model.")}</footer>
    }
}
