//! The live model the concept lessons (cross-entropy, the chain rule) share — not a lesson itself: its
//! worker side (`worker`) and client, the page's signals about it, and the bar that starts, pauses and
//! steps it.

pub mod by_hand_batch;
pub mod protocol;
pub mod quiz;
pub mod saved;
pub mod text;
mod worker;

use kernels::engine::Preference;
use leptos::prelude::*;

use self::protocol::{Client, Protocol};
use self::protocol::{Command, Event, Query, Reply};
use super::bar::{EngineBadge, ErrorList};
use crate::client::{LessonClient, WorkerStatus};
use crate::route::Route;
use crate::runtime::WorkerEntry;
use crate::ui::formula::num;
use crate::ui::i18n::Lang;

/// Hidden units of the live model: small enough to show every weight.
pub const HIDDEN: usize = 32;
/// The shipped trained live model: this recipe (784 → 32 → 10, SGD lr 0.05, momentum 0.5, batch 32,
/// seed 1) for 2 epochs on the same 5,000 digits, made by `backprop-lab train` (see the book).
pub const TRAINED: &str = "static/models/live-mnist-mlp-784-32-10.safetensors";
/// Test images the concept lessons pick from (`image=0…999`).
pub const TEST_POOL: usize = 1000;

/// Epochs Start trains the live model for: enough for the demonstrations, whose comparisons stay
/// readable; much longer training would push more images' losses below what f32 resolves (Step
/// still takes single steps).
pub const EPOCH_LIMIT: usize = 5;

/// The live model's engine worker (both concept lessons' registry rows name it).
pub const WORKER: WorkerEntry = crate::runtime::split_worker!("concepts", concepts, worker::Worker);

/// Training progress of the live model.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Progress {
    /// Steps taken.
    pub step: u64,
    /// Epochs completed.
    pub epoch: usize,
    /// Loss of the last burst.
    pub loss: f32,
    /// Test-pool accuracy.
    pub accuracy: Option<f32>,
    /// Training continuously.
    pub running: bool,
}

/// The page's signals about the live model, shared through context.
#[derive(Clone, Copy)]
pub struct Live {
    /// The worker's engine and errors.
    pub status: WorkerStatus,
    /// Hidden units and test-pool size once ready.
    pub ready: RwSignal<Option<(usize, usize)>>,
    /// Progress.
    pub progress: RwSignal<Option<Progress>>,
    /// The step the live model was taken up at from this browser (a reload), until it starts afresh.
    pub resumed: RwSignal<Option<u64>>,
    /// The worker.
    pub client: StoredValue<LessonClient<Protocol>>,
}

impl Live {
    /// Starts the live model's worker for a lesson page (ended when the page goes).
    pub fn start(route: &Route) -> Self {
        let status = WorkerStatus::new();
        let ready = RwSignal::new(None);
        let progress = RwSignal::new(None);
        let resumed = RwSignal::new(None);
        let client = Client::start(WORKER.name, status, move |ev| match ev {
            Event::Ready { hidden, test, .. } => ready.set(Some((hidden, test))),
            Event::Progress {
                step,
                epoch,
                loss,
                accuracy,
                running,
            } => progress.set(Some(Progress {
                step,
                epoch,
                loss,
                accuracy,
                running,
            })),
            Event::Resumed { step } => resumed.set(Some(step)),
        });
        client.send(&Command::Start {
            engine: route
                .get("engine")
                .and_then(Preference::parse)
                .unwrap_or(Preference::Auto),
            seed: route.get("seed").and_then(|s| s.parse().ok()).unwrap_or(1),
        });
        let live = Self {
            status,
            ready,
            progress,
            resumed,
            client: StoredValue::new(client),
        };
        provide_context(live);
        live
    }

    /// Sends a command.
    pub fn send(&self, cmd: &Command) {
        self.client.with_value(|c| c.send(cmd));
    }

    /// Asks the worker; a failure is added to the page's messages and gives `None`.
    pub async fn ask(&self, query: Query) -> Option<Reply> {
        let client = self.client.get_value();
        client.query(query).await
    }

    /// Steps taken so far (0 before the first), tracked.
    pub fn steps(&self) -> u64 {
        self.progress.get().map_or(0, |p| p.step)
    }
}

/// A panel's answer from the worker, asked again whenever `key` changes or the live model takes a
/// step; while a question is out, newer ones wait and only the latest is asked (a running model steps
/// ten times a second, a probe takes longer on a slow adapter). While the model trains, a panel asks at
/// most every [`REFRESH_WHILE_TRAINING`] seconds, so its questions do not slow training down.
pub fn live_answer<K, T>(
    key: impl Fn() -> Option<K> + 'static,
    ask: impl Fn(&K) -> Query + 'static,
    take: impl Fn(Reply) -> Option<T> + 'static,
) -> RwSignal<Option<T>>
where
    K: Clone + PartialEq + 'static,
    T: Send + Sync + 'static,
{
    let live = expect_context::<Live>();
    let answer = RwSignal::new(None);
    let busy = StoredValue::new(false);
    let again = StoredValue::new(false);
    let key = std::rc::Rc::new(key);
    let ask = std::rc::Rc::new(ask);
    let take = std::rc::Rc::new(take);
    let ready = move || live.ready.get().is_some();
    let k2 = key.clone();
    Effect::new(move |_| {
        let _ = live.steps();
        if !ready() || k2().is_none() {
            return;
        }
        if busy.get_value() {
            again.set_value(true);
            return;
        }
        busy.set_value(true);
        let (key, ask, take) = (key.clone(), ask.clone(), take.clone());
        // The panel may be gone when an answer arrives (the student moved on): every write after an
        // await is a `try_`, which does nothing on a disposed signal.
        leptos::task::spawn_local(async move {
            loop {
                again.try_set_value(false);
                if answer.try_with_untracked(|_| ()).is_none() {
                    return;
                }
                let Some(k) = untrack(|| key()) else { break };
                if let Some(t) = live.ask(ask(&k)).await.and_then(|r| take(r))
                    && answer.try_set(Some(t)).is_some()
                {
                    return;
                }
                if !again.try_get_value().unwrap_or(false) {
                    break;
                }
                if live
                    .progress
                    .try_get_untracked()
                    .flatten()
                    .is_some_and(|p| p.running)
                {
                    pause(REFRESH_WHILE_TRAINING).await;
                }
            }
            busy.try_set_value(false);
        });
    });
    answer
}

/// Seconds between two questions of one panel while the live model trains.
pub const REFRESH_WHILE_TRAINING: f64 = 0.5;

/// Waits `seconds` on the page without blocking it.
async fn pause(seconds: f64) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                &resolve,
                (seconds * 1000.0) as i32,
            );
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// The live model's bar: engine, Start/Pause, Step, and its numbers; `hidden` while a step does not
/// use the live model (the bar stays mounted, so nothing is lost).
#[component]
pub fn LiveBar(#[prop(optional, into)] hidden: Option<Signal<bool>>) -> impl IntoView {
    let live = expect_context::<Live>();
    let lang = expect_context::<RwSignal<Lang>>();
    let running = move || live.progress.get().is_some_and(|p| p.running);
    let ready = move || live.ready.get().is_some();
    let limited = move || {
        live.progress
            .get()
            .is_some_and(|p| p.epoch >= EPOCH_LIMIT && !p.running)
    };
    let toggle = move |_| live.send(&Command::Run { on: !running() });
    let step = move |_| live.send(&Command::Step);
    let steps = move || live.progress.get().map_or(0, |p| p.step);
    let loss = move || {
        live.progress
            .get()
            .map(|p| p.loss)
            .filter(|l| l.is_finite())
    };
    let accuracy = move || live.progress.get().and_then(|p| p.accuracy);
    let not_ready = move || !ready();
    // The live model leaves and enters as `.safetensors` with PyTorch names.
    let export = move |_| {
        wasm_bindgen_futures::spawn_local(async move {
            if let Some(Reply::ModelFile { bytes, widths }) = live.ask(Query::Export).await {
                if let Err(e) = crate::ui::files::download_model(&bytes, &widths) {
                    live.status
                        .say(crate::messages::MessageCode::ExportFailed, e);
                }
            }
        });
    };
    let start_trained = move |_| {
        wasm_bindgen_futures::spawn_local(async move {
            live.resumed.set(None);
            live.ask(Query::StartTrained).await;
        });
    };
    let import = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        wasm_bindgen_futures::spawn_local(async move {
            match crate::ui::files::file_bytes(file).await {
                Ok(bytes) => {
                    let bytes = serde_bytes::ByteBuf::from(bytes);
                    live.ask(Query::Import { bytes }).await;
                }
                Err(e) => {
                    live.status
                        .say(crate::messages::MessageCode::FileUnreadable, e);
                }
            }
        });
    };
    view! {
        <section class="live-bar" class:hidden=move || hidden.is_some_and(|h| h.get()) aria-label=move || text::LIVE.get(lang.get())>
            <EngineBadge status=live.status advanced=true />
            <div class="buttons">
                <button data-testid="live-run" disabled=move || not_ready() || limited() on:click=toggle>
                    {move || if running() { text::PAUSE.get(lang.get()) } else { text::START.get(lang.get()) }}
                </button>
                <button data-testid="live-step" disabled=not_ready on:click=step>{move || text::STEP.get(lang.get())}</button>
                <button class="secondary" data-testid="live-trained" disabled=not_ready on:click=start_trained
                    title=move || text::TRAINED_NOTE.get(lang.get())>{move || text::TRAINED.get(lang.get())}</button>
                <button class="advanced secondary" data-testid="export-model" disabled=not_ready on:click=export>{move || text::MODEL_DOWNLOAD.get(lang.get())}</button>
                <label class="import advanced">
                    <span>{move || text::MODEL_UPLOAD.get(lang.get())}</span>
                    <input type="file" accept=".safetensors" data-testid="import-model" disabled=not_ready on:change=import />
                        <span class="file-button" aria-hidden="true">{move || crate::ui::files::CHOOSE_FILE.get(lang.get())}</span>
                </label>
            </div>
            <dl class="live-numbers">
                <dt>{move || text::STEPS.get(lang.get())}</dt>
                <dd data-testid="live-steps" data-value=move || steps().to_string()>{steps}</dd>
                <dt>{move || text::LOSS.get(lang.get())}</dt>
                <dd data-testid="live-loss">{move || loss().map_or("–".into(), |l| num(f64::from(l)))}</dd>
                <dt>{move || {
                    let l = lang.get();
                    let n = if l == Lang::Zh { TEST_POOL.to_string() } else { crate::ui::i18n::grouped(TEST_POOL) };
                    text::ACCURACY.get(l).replace("{n}", &n)
                }}</dt>
                <dd data-testid="live-accuracy" data-value=move || accuracy().map(|a| a.to_string())>
                    {move || accuracy().map_or("–".into(), |a| crate::ui::i18n::percent(lang.get(), f64::from(a), 1))}
                </dd>
            </dl>
            <p class="hint advanced">{move || if ready() { text::LIVE_MODEL.get(lang.get()) } else { text::LOADING.get(lang.get()) }}</p>
            {move || live.resumed.get().map(|step| view! {
                <p class="hint" data-testid="live-resumed" data-value=step.to_string()>
                    {move || text::RESUMED.get(lang.get()).replace("{n}", &step.to_string())} " "
                    <button class="danger" data-testid="live-afresh" on:click=move |_| {
                        live.resumed.set(None);
                        live.send(&Command::Afresh);
                    }>{move || text::AFRESH.get(lang.get())}</button>
                </p>
            })}
            {move || limited().then(|| view! {
                <p class="hint" data-testid="live-limit">{move || text::LIMIT.get(lang.get()).replace("{n}", &EPOCH_LIMIT.to_string())}</p>
            })}
            <ErrorList status=live.status />
        </section>
    }
}

/// What is wrong with a concept lesson's URL setup: the keys the live model and its lessons read.
pub fn url_problems(query: &str) -> Vec<String> {
    let route = Route::parse(query);
    let mut problems = Vec::new();
    let mut bad = |key: &str, ok: bool| {
        if let Some(v) = route.get(key).filter(|_| !ok) {
            problems.push(format!("{key}={v}"));
        }
    };
    bad(
        "image",
        route
            .get("image")
            .is_none_or(|v| v.parse::<usize>().is_ok_and(|i| i < TEST_POOL)),
    );
    bad(
        "weight",
        route
            .get("weight")
            .is_none_or(|v| protocol::Weight::parse(v).is_some_and(|w| w.fits(HIDDEN))),
    );
    bad(
        "rows",
        route.get("rows").is_none_or(|v| v == "1" || v == "16"),
    );
    bad(
        "seed",
        route.get("seed").is_none_or(|v| v.parse::<u64>().is_ok()),
    );
    bad(
        "engine",
        route
            .get("engine")
            .is_none_or(|v| Preference::parse(v).is_some()),
    );
    problems
}

/// The test image a lesson's URL names (`image=17`), else the first.
pub fn url_image(route: &Route) -> usize {
    route.get("image").and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// A test-image picker (`image` in the URL): previous, number, next.
#[component]
pub fn ImagePicker(image: RwSignal<usize>) -> impl IntoView {
    let live = expect_context::<Live>();
    let lang = expect_context::<RwSignal<Lang>>();
    let router = expect_context::<crate::route::Router>();
    let max = move || live.ready.get().map_or(1, |(_, n)| n).max(1) - 1;
    let set = move |i: usize| {
        let i = i.min(max());
        image.set(i);
        let mut r = router.0.get_untracked();
        r.set("image", Some(i.to_string()));
        router.replace(r);
    };
    view! {
        <div class="image-picker">
            <button aria-label=move || text::PREV_IMAGE.get(lang.get()) data-testid="image-prev"
                on:click=move |_| set(image.get_untracked().saturating_sub(1))>"‹"</button>
            <label>{move || text::IMAGE.get(lang.get())} " "
                <input type="number" min="0" max=max data-testid="image-index" prop:value=move || image.get().to_string()
                    on:change=move |ev| { if let Ok(i) = event_target_value(&ev).parse::<usize>() { set(i) } } />
            </label>
            <button aria-label=move || text::NEXT_IMAGE.get(lang.get()) data-testid="image-next"
                on:click=move |_| set(image.get_untracked() + 1)>"›"</button>
        </div>
    }
}
