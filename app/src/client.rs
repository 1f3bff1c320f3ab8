//! A lesson's engine worker seen from the page: commands, queries that get exactly one reply matched
//! by id, and events, in the envelope of [`crate::protocol`]; the worker's status (its engine, its
//! errors, and what could not start or be read) the client keeps itself, in a [`WorkerStatus`] that
//! the lesson bar (`lessons::bar`) shows. The worker is ended when the lesson's view
//! is dropped. It runs in a Web Worker, or — when `backprop-lab serve --native-engine` served the page
//! ([`native_engine`]) — in that native process, reached over a loopback WebSocket that carries the same
//! envelope as JSON text.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use futures_channel::oneshot;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use web_sys::{CloseEvent, ErrorEvent, MessageEvent, WebSocket, Worker, WorkerOptions, WorkerType};

use crate::messages::{MessageCode, WorkerMessage};
use crate::protocol::{
    EngineAnnounce, FromWorker, Inbound, NON_FINITE, NON_FINITE_MARK, Outbound, Protocol, Status,
    ToWorker,
};

// Arc/Mutex only because leptos callbacks must be Send; a page has one thread.
type Pending<R> = Arc<Mutex<HashMap<u32, oneshot::Sender<Result<R, WorkerMessage>>>>>;

/// The page's end of a lesson's worker.
pub struct LessonClient<P: Protocol> {
    worker: Option<Worker>,
    socket: Option<Socket>,
    pending: Pending<P::Reply>,
    next_id: Arc<AtomicU32>,
    status: WorkerStatus,
}

/// What the page knows of a lesson's worker besides the lesson's own events, the same in every
/// lesson: the engine it announced and the errors to show (the worker's, a failed query's, what could
/// not start or be read, and the URL's problems). Filled by [`LessonClient`]; shown by the lesson bar.
#[derive(Clone, Copy)]
pub struct WorkerStatus {
    /// The errors, in the order they came.
    pub errors: RwSignal<Vec<WorkerMessage>>,
    /// The engine in use, once the worker has said.
    pub engine: RwSignal<Option<EngineAnnounce>>,
    /// The results shown were kept in this browser and replayed after a reload
    /// (`runtime::kept::Journal`); false again once forgotten.
    pub kept: RwSignal<bool>,
    /// What the lesson does when its kept results are replayed (`true`) or forgotten (`false`), in
    /// order with its events.
    on_kept: StoredValue<Option<Callback<bool>>>,
}

impl Default for WorkerStatus {
    fn default() -> Self {
        Self::new()
    }
}

impl WorkerStatus {
    /// No engine yet, no errors.
    pub fn new() -> Self {
        Self {
            errors: RwSignal::new(Vec::new()),
            engine: RwSignal::new(None),
            kept: RwSignal::new(false),
            on_kept: StoredValue::new(None),
        }
    }

    /// Calls `f` when the worker replays the results it kept (`true`: nothing runs after a reload)
    /// and when it has forgotten them (`false`: the page clears what it drew), in order with the
    /// lesson's events.
    pub fn on_kept(&self, f: impl Fn(bool) + Send + Sync + 'static) {
        self.on_kept.set_value(Some(Callback::new(f)));
    }

    /// Shows `message` in the error list (and its English detail in the console). Safe after the
    /// page is gone (a late reply).
    pub fn show(&self, message: WorkerMessage) {
        web_sys::console::warn_1(&format!("Backprop Lab: {}", message.detail).into());
        let _ = self.errors.try_update(|e| e.push(message));
    }

    /// Shows a problem: `code` in the page's language, `detail` in English.
    pub fn say(&self, code: MessageCode, detail: impl Into<String>) {
        self.show(WorkerMessage::new(code, detail));
    }

    /// Shows the settings the URL gave that the lesson ignored (none: nothing shown).
    pub fn url_problems(&self, problems: &[String]) {
        if !problems.is_empty() {
            self.say(MessageCode::UrlProblem, problems.join("; "));
        }
    }

    fn apply(&self, status: Status) {
        match status {
            Status::Ready => {}
            Status::Engine(engine) => {
                let _ = self.engine.try_set(Some(engine));
            }
            Status::Error(message) => self.show(message),
            Status::Resumed => self.kept_now(true),
            Status::Forgotten => self.kept_now(false),
        }
    }

    fn kept_now(&self, kept: bool) {
        let _ = self.kept.try_set(kept);
        if let Some(f) = self.on_kept.try_get_value().flatten() {
            f.run(kept);
        }
    }
}

/// The native engine's WebSocket and what was sent before it opened.
#[derive(Clone)]
struct Socket {
    ws: WebSocket,
    /// Messages waiting for the connection (`None` once it is open).
    waiting: Arc<Mutex<Option<Vec<String>>>>,
}

impl<P: Protocol> Clone for LessonClient<P> {
    fn clone(&self) -> Self {
        Self {
            worker: self.worker.clone(),
            socket: self.socket.clone(),
            pending: self.pending.clone(),
            next_id: self.next_id.clone(),
            status: self.status,
        }
    }
}

/// The token of the native engine when `backprop-lab serve --native-engine` served this page (its
/// `<meta name="backprop-native-engine">`), unless the URL says `native=0` (compute in the browser).
pub fn native_engine() -> Option<String> {
    let window = web_sys::window()?;
    let search = window.location().search().ok()?;
    if search
        .trim_start_matches('?')
        .split('&')
        .any(|kv| kv == "native=0")
    {
        return None;
    }
    window
        .document()?
        .query_selector("meta[name=backprop-native-engine]")
        .ok()??
        .get_attribute("content")
        .filter(|t| !t.is_empty())
}

/// Where the page keeps its browser's id (`localStorage`).
const BROWSER_KEY: &str = "backprop-lab-browser";

/// This browser's id for the native engine: a random 128-bit hex string made once and kept in
/// `localStorage`, sent with every native session so that the runs the native process keeps belong to
/// the browser that made them (a second browser, or another student's on `--native-engine-lan`, sees
/// none of them). Where `localStorage` cannot be used (some private modes) the id lasts as long as the
/// page, as IndexedDB's runs would.
pub fn browser_id() -> String {
    thread_local! {
        static ID: std::cell::OnceCell<String> = const { std::cell::OnceCell::new() };
    }
    ID.with(|id| {
        id.get_or_init(|| {
            let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
            if let Some(kept) = storage
                .as_ref()
                .and_then(|s| s.get_item(BROWSER_KEY).ok().flatten())
                .filter(|k| crate::protocol::valid_browser_id(k))
            {
                return kept;
            }
            let fresh = random_hex();
            if let Some(s) = &storage {
                let _ = s.set_item(BROWSER_KEY, &fresh);
            }
            fresh
        })
        .clone()
    })
}

/// 32 hex digits from `crypto.getRandomValues` (there on plain-http LAN pages too, where
/// `crypto.randomUUID` is not), or from `Math.random` if even that is missing.
fn random_hex() -> String {
    let bytes = js_sys::Uint8Array::new_with_length(16);
    let filled = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &"crypto".into()).ok())
        .filter(|c| !c.is_undefined())
        .and_then(|crypto| {
            let fill: js_sys::Function = js_sys::Reflect::get(&crypto, &"getRandomValues".into())
                .ok()?
                .dyn_into()
                .ok()?;
            fill.call1(&crypto, &bytes).ok()
        })
        .is_some();
    let mut raw = bytes.to_vec();
    if !filled {
        raw = (0..16)
            .map(|_| (js_sys::Math::random() * 256.0) as u8)
            .collect();
    }
    raw.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hands a message from the worker, in either transport, to its query, to `on_event`, or to the
/// worker's status.
fn deliver<P: Protocol>(
    msg: Result<Outbound<P>, String>,
    pending: &Pending<P::Reply>,
    on_event: &dyn Fn(P::Event),
    status: WorkerStatus,
) {
    match msg {
        Ok(FromWorker::Reply { id, reply }) => {
            if let Some(tx) = pending.lock().ok().and_then(|mut p| p.remove(&id)) {
                let _ = tx.send(reply);
            }
        }
        Ok(FromWorker::Event(event)) => on_event(event),
        Ok(FromWorker::Status(said)) => status.apply(said),
        Err(e) => status.say(
            MessageCode::WorkerFailed,
            format!("unreadable message from the engine: {e}"),
        ),
    }
}

/// A lesson page's state as its worker's messages reach it: [`LessonClient::open`] hands it every
/// event, fills its [`WorkerStatus`], and tells it when the worker replayed or forgot the results it
/// kept (`runtime::kept::Journal`).
pub trait PageState: Copy + Send + Sync + 'static {
    /// The lesson's messages.
    type Protocol: Protocol;

    /// Where the client keeps what the worker says of itself (the lesson bar shows it).
    fn status(&self) -> WorkerStatus;

    /// One event from the worker.
    fn apply(&self, event: <Self::Protocol as Protocol>::Event);

    /// The kept results were replayed (`true`: nothing runs after a reload) or forgotten (`false`:
    /// clear what they drew). Nothing by default (a lesson that keeps nothing).
    fn kept(&self, _kept: bool) {}
}

impl<P: Protocol> LessonClient<P> {
    /// Starts the worker `name` for a page whose `state` takes its events, its status and the
    /// kept-results note ([`PageState`]).
    pub fn open<S: PageState<Protocol = P>>(name: &str, state: S) -> Self {
        state.status().on_kept(move |kept| state.kept(kept));
        Self::start(name, state.status(), move |event| state.apply(event))
    }

    /// Starts the worker `name` (`worker.js` picks its entry point by name). Events go to `on_event`;
    /// the worker's engine and errors, and what could not start or be read, go to `status`.
    pub fn start(name: &str, status: WorkerStatus, on_event: impl Fn(P::Event) + 'static) -> Self {
        if let Some(token) = native_engine() {
            return Self::start_native(name, &token, status, on_event);
        }
        let on_error = move |detail: String| status.say(MessageCode::WorkerFailed, detail);
        let pending: Pending<P::Reply> = Arc::default();
        let opts = WorkerOptions::new();
        opts.set_type(WorkerType::Module);
        opts.set_name(name);
        let worker = match Worker::new_with_options("./worker.js", &opts) {
            Ok(w) => Some(w),
            Err(e) => {
                on_error(format!("the engine worker could not start: {e:?}"));
                None
            }
        };
        if let Some(w) = &worker {
            // What the worker could not start with (its lesson's wasm chunk not downloaded, say):
            // `worker.js` throws, and the error arrives here.
            let report = on_error;
            let onerror = Closure::<dyn FnMut(ErrorEvent)>::new(move |ev: ErrorEvent| {
                ev.prevent_default();
                report(format!(
                    "the engine worker could not start: {}",
                    ev.message()
                ));
            });
            w.set_onerror(Some(onerror.as_ref().unchecked_ref()));
            onerror.forget();
            let sink = pending.clone();
            let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
                let msg = serde_wasm_bindgen::from_value::<Outbound<P>>(ev.data())
                    .map_err(|e| e.to_string());
                deliver::<P>(msg, &sink, &on_event, status);
            });
            w.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
            onmessage.forget();
            let ending = w.clone();
            on_cleanup(move || ending.terminate());
        }
        Self {
            worker,
            socket: None,
            pending,
            next_id: Arc::new(AtomicU32::new(1)),
            status,
        }
    }

    /// The worker `name` in the native process that served the page: a WebSocket to
    /// `/engine/<name>?token=…&browser=…` on the page's own origin, JSON text each way.
    fn start_native(
        name: &str,
        token: &str,
        status: WorkerStatus,
        on_event: impl Fn(P::Event) + 'static,
    ) -> Self {
        let on_error = move |detail: String| status.say(MessageCode::WorkerFailed, detail);
        let pending: Pending<P::Reply> = Arc::default();
        let location = web_sys::window().map(|w| w.location());
        let host = location
            .as_ref()
            .and_then(|l| l.host().ok())
            .unwrap_or_default();
        let scheme = match location.and_then(|l| l.protocol().ok()).as_deref() {
            Some("https:") => "wss:",
            _ => "ws:",
        };
        let url = format!(
            "{scheme}//{host}/engine/{name}?token={token}&browser={}",
            browser_id()
        );
        let ws = match WebSocket::new(&url) {
            Ok(ws) => ws,
            Err(e) => {
                on_error(format!("the native engine could not be reached: {e:?}"));
                return Self {
                    worker: None,
                    socket: None,
                    pending,
                    next_id: Arc::new(AtomicU32::new(1)),
                    status,
                };
            }
        };
        let waiting: Arc<Mutex<Option<Vec<String>>>> = Arc::new(Mutex::new(Some(Vec::new())));
        let onopen = {
            let (ws, waiting) = (ws.clone(), waiting.clone());
            Closure::<dyn FnMut()>::new(move || {
                let queued = waiting.lock().ok().and_then(|mut w| w.take());
                for text in queued.into_iter().flatten() {
                    let _ = ws.send_with_str(&text);
                }
            })
        };
        ws.set_onopen(Some(onopen.as_ref().unchecked_ref()));
        onopen.forget();
        let sink = pending.clone();
        let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            // JSON.parse, then the same decoding as a Web Worker's structured clone (no JSON code of
            // our own in the page: serde_json's per-protocol code would add tens of KB to every
            // lesson's download).
            let msg = match ev.data().as_string().map(|t| parse_json(&t)) {
                Some(Ok(value)) => {
                    serde_wasm_bindgen::from_value::<Outbound<P>>(value).map_err(|e| e.to_string())
                }
                Some(Err(e)) => Err(format!("{e:?}")),
                None => Err("not text".into()),
            };
            deliver::<P>(msg, &sink, &on_event, status);
        });
        ws.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        onmessage.forget();
        let closing = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let onclose = {
            let closing = closing.clone();
            Closure::<dyn FnMut(CloseEvent)>::new(move |ev: CloseEvent| {
                if !closing.load(Ordering::Relaxed) {
                    on_error(format!(
                        "the native engine closed the connection ({}): {}",
                        ev.code(),
                        if ev.reason().is_empty() {
                            "is backprop-lab still running? Reload, or open the page with native=0 to compute in the browser".to_string()
                        } else {
                            ev.reason()
                        }
                    ));
                }
            })
        };
        ws.set_onclose(Some(onclose.as_ref().unchecked_ref()));
        onclose.forget();
        let ending = ws.clone();
        on_cleanup(move || {
            closing.store(true, Ordering::Relaxed);
            let _ = ending.close();
        });
        Self {
            worker: None,
            socket: Some(Socket { ws, waiting }),
            pending,
            next_id: Arc::new(AtomicU32::new(1)),
            status,
        }
    }

    /// Sends a command.
    pub fn send(&self, command: &P::Command) {
        // Serialised as `Inbound<P>` is: the envelope borrows the command.
        self.post(&ToWorker::<&P::Command, ()>::Command(command));
    }

    fn post(&self, msg: &impl serde::Serialize) {
        if let Some(socket) = &self.socket {
            match to_json(msg) {
                Ok(text) => {
                    let mut waiting = socket.waiting.lock().ok();
                    match waiting.as_mut().and_then(|w| w.as_mut()) {
                        Some(queue) => queue.push(text),
                        None => {
                            let _ = socket.ws.send_with_str(&text);
                        }
                    }
                }
                Err(e) => {
                    web_sys::console::error_1(&format!("cannot serialise a command: {e}").into())
                }
            }
            return;
        }
        let Some(w) = &self.worker else { return };
        match serde_wasm_bindgen::to_value(msg) {
            Ok(v) => {
                if let Err(e) = w.post_message(&v) {
                    web_sys::console::error_2(&"postMessage to the worker failed".into(), &e);
                }
            }
            Err(e) => web_sys::console::error_1(&format!("cannot serialise a command: {e}").into()),
        }
    }

    /// Asks a question; the answer is the reply with the same id. `None` if the worker is gone, or
    /// could not answer: then why is shown in the error list.
    pub async fn query(&self, query: P::Query) -> Option<P::Reply> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        self.pending.lock().ok()?.insert(id, tx);
        self.post(&Inbound::<P>::Query { id, query });
        match rx.await.ok()? {
            Ok(reply) => Some(reply),
            Err(message) => {
                self.status.show(message);
                None
            }
        }
    }
}

#[wasm_bindgen]
extern "C" {
    /// `JSON.parse(text, reviver)` (js-sys binds only the one-argument form).
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    fn json_parse_reviving(text: &str, reviver: &js_sys::Function) -> Result<JsValue, JsValue>;
}

/// A native engine message as the value a structured clone would have given: `JSON.parse`, with the
/// stand-ins the native side writes for NaN and ±∞ (`protocol::NON_FINITE`) turned back into numbers.
/// A message as JSON text, the way serde_json writes it (maps as objects, bytes as arrays of numbers),
/// through the browser's `JSON.stringify`: no JSON code of our own in the page. The native engine's
/// socket and class mode's socket both send with it.
pub fn to_json<T: serde::Serialize + ?Sized>(message: &T) -> Result<String, String> {
    message
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| e.to_string())
        .and_then(|v| {
            js_sys::JSON::stringify(&v)
                .map(String::from)
                .map_err(|e| format!("{e:?}"))
        })
}

/// The reviver, a call into wasm per value, runs only for a message that holds a stand-in.
fn parse_json(text: &str) -> Result<JsValue, JsValue> {
    if !text.contains(NON_FINITE_MARK) {
        return js_sys::JSON::parse(text);
    }
    let reviver =
        Closure::<dyn Fn(JsValue, JsValue) -> JsValue>::new(|_key: JsValue, value: JsValue| {
            let [nan, inf, neg_inf] = NON_FINITE;
            match value.as_string().as_deref() {
                Some(s) if s == nan => JsValue::from_f64(f64::NAN),
                Some(s) if s == inf => JsValue::from_f64(f64::INFINITY),
                Some(s) if s == neg_inf => JsValue::from_f64(f64::NEG_INFINITY),
                _ => value,
            }
        });
    json_parse_reviving(text, reviver.as_ref().unchecked_ref())
}

/// An engine's name on screen (the header badge; the same in both languages). The GPU engine is WebGPU
/// in the browser and wgpu's native backend when `serve --native-engine` computes for the page; the CPU
/// engine is the page's wasm or the native program's, and the badge says which as the GPU's does.
pub fn engine_label(kind: kernels::EngineKind) -> &'static str {
    use kernels::EngineKind;
    #[cfg(target_arch = "wasm32")]
    let native = native_engine().is_some();
    #[cfg(not(target_arch = "wasm32"))]
    let native = false;
    match kind {
        EngineKind::Gpu if native => "GPU (native)",
        EngineKind::Gpu => "WebGPU",
        EngineKind::Cpu if native => "CPU (native)",
        EngineKind::Cpu => "CPU",
        EngineKind::Burn => "burn",
    }
}
