//! The engine side of the app: each lesson's Web Worker runs the same wasm module (`worker.js` picks the
//! entry point by the worker's name), so training never blocks the page. Helpers shared by the
//! lessons' workers live here.

mod checkpoint;
pub mod concepts;
pub mod finetune;
pub mod train;

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::DedicatedWorkerGlobalScope;

use kernels::dataset::{Dataset, Manifest, Split, decode_chunk};
use kernels::{
    AdapterOptions, CpuEngine, Engine, EngineError, Evaluation, GpuContext, GpuEngine,
    KernelLaunch, Mlp, OptimizerConfig, StepTrace, TensorOptimizerState,
};

use crate::messages::{MessageCode, WorkerMessage};
use crate::protocol::EnginePreference;

/// An engine behind a lesson: the WGSL kernels on WebGPU, or the CPU engine.
pub enum Active {
    /// WebGPU.
    Gpu(Box<GpuEngine>),
    /// The CPU engine (wasm SIMD).
    Cpu(Box<CpuEngine>),
}

/// Runs `$body` with `$e` bound to whichever engine `$active` holds.
#[macro_export]
macro_rules! with_engine {
    ($active:expr, $e:ident => $body:expr) => {
        match $active {
            $crate::worker::Active::Gpu($e) => $body,
            $crate::worker::Active::Cpu($e) => $body,
        }
    };
}

/// The engine calls a lesson's worker makes, each dispatched to whichever engine is active in one place.
impl Active {
    /// The WGSL kernels on `gpu` when given (pipelines shared through its context), else the CPU engine,
    /// for batches of up to `rows`.
    pub fn new(gpu: Option<&GpuContext>, model: &Mlp, rows: usize) -> Result<Self, EngineError> {
        Ok(match gpu {
            Some(ctx) => Active::Gpu(Box::new(GpuEngine::new(ctx, model, rows)?)),
            None => Active::Cpu(Box::new(CpuEngine::new(model, rows)?)),
        })
    }

    /// [`Engine::widths`].
    pub fn widths(&self) -> Vec<usize> {
        with_engine!(self, e => e.widths())
    }

    /// [`Engine::model`].
    pub async fn model(&mut self) -> Result<Mlp, EngineError> {
        with_engine!(self, e => e.model().await)
    }

    /// [`Engine::evaluate`] of the whole test split.
    pub async fn evaluate(&mut self) -> Result<Evaluation, EngineError> {
        with_engine!(self, e => e.evaluate(None).await)
    }

    /// [`Engine::take_losses`].
    pub async fn take_losses(&mut self) -> Result<Vec<f32>, EngineError> {
        with_engine!(self, e => e.take_losses().await)
    }

    /// [`Engine::optimizer_state`].
    pub async fn optimizer_state(&mut self) -> Result<Vec<TensorOptimizerState>, EngineError> {
        with_engine!(self, e => e.optimizer_state().await)
    }

    /// [`Engine::trace`].
    pub async fn trace(&mut self) -> Result<StepTrace, EngineError> {
        with_engine!(self, e => e.trace().await)
    }

    /// [`Engine::set_data`] for both splits.
    pub fn set_splits(&mut self, train: &Dataset, test: &Dataset) -> Result<(), EngineError> {
        with_engine!(self, e => {
            e.set_data(Split::Train, train)?;
            e.set_data(Split::Test, test)
        })
    }

    /// [`Engine::train_step`].
    pub fn train_step(&mut self, rows: &[u32], opt: &OptimizerConfig) -> Result<(), EngineError> {
        with_engine!(self, e => e.train_step(rows, opt))
    }

    /// [`Engine::set_frozen`].
    pub fn set_frozen(&mut self, layer: usize, frozen: bool) -> Result<(), EngineError> {
        with_engine!(self, e => e.set_frozen(layer, frozen))
    }

    /// [`Engine::set_model`].
    pub fn set_model(&mut self, model: &Mlp) -> Result<(), EngineError> {
        with_engine!(self, e => e.set_model(model))
    }

    /// [`Engine::reset_optimizer_state`].
    pub fn reset_optimizer_state(&mut self) -> Result<(), EngineError> {
        with_engine!(self, e => e.reset_optimizer_state())
    }

    /// [`Engine::set_augmentation`].
    pub fn set_augmentation(
        &mut self,
        augmentation: Option<kernels::ops::gather_normalize::Augmentation>,
    ) -> Result<(), EngineError> {
        with_engine!(self, e => e.set_augmentation(augmentation))
    }

    /// [`Engine::predict`].
    pub async fn predict(&mut self, inputs: &[f32], rows: usize) -> Result<Vec<f32>, EngineError> {
        with_engine!(self, e => e.predict(inputs, rows).await)
    }

    /// [`Engine::last_step_kernels`].
    pub fn last_step_kernels(&self) -> Vec<KernelLaunch> {
        with_engine!(self, e => e.last_step_kernels())
    }
}

/// The worker's global scope.
pub fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Seconds since the worker started (`performance.now()`).
/// Bytes of the calling thread's wasm linear memory (it grows and never shrinks; the soak script
/// watches it in the page and in the worker).
pub fn wasm_memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map_or(0.0, |m| {
            m.buffer()
                .dyn_into::<js_sys::ArrayBuffer>()
                .map_or(0.0, |b| b.byte_length() as f64)
        })
}

pub fn now() -> f64 {
    scope().performance().map_or(0.0, |p| p.now()) / 1000.0
}

/// Posts a message to the page as a structured clone.
pub fn post<T: Serialize>(msg: &T) {
    match serde_wasm_bindgen::to_value(msg) {
        Ok(v) => {
            if let Err(e) = scope().post_message(&v) {
                web_sys::console::error_2(&"postMessage failed".into(), &e);
            }
        }
        Err(e) => {
            web_sys::console::error_1(&format!("cannot serialise a worker message: {e}").into())
        }
    }
}

/// Waits `seconds` without blocking the worker's event loop.
pub async fn sleep(seconds: f64) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = scope().set_timeout_with_callback_and_timeout_and_arguments_0(
            &resolve,
            (seconds * 1000.0) as i32,
        );
    });
    let _ = JsFuture::from(promise).await;
}

/// Waits before each retry of a failed request (so four attempts in all).
const RETRY_WAITS: [f64; 3] = [0.5, 1.5, 4.0];
/// A request still unanswered after this long is abandoned and retried.
const FETCH_TIMEOUT_SECONDS: f64 = 30.0;

/// Cache Storage of the datasets and models a worker has downloaded: the network's copy whenever it can
/// be had (so it is never stale), this one when it cannot (offline classrooms). The service worker caches
/// the app itself; the data are cached here, by the worker that fetches them, so the first visit's
/// downloads are kept even if the service worker took control only after they began.
const FILE_CACHE: &str = "backprop-lab-files";

fn cacheable(url: &str) -> bool {
    url.contains("static/data/") || url.contains("static/models/")
}

async fn file_cache() -> Option<web_sys::Cache> {
    let caches = scope().caches().ok()?;
    JsFuture::from(caches.open(FILE_CACHE))
        .await
        .ok()?
        .dyn_into()
        .ok()
}

/// The cached copy of `url`, if any.
async fn cached(url: &str) -> Option<Vec<u8>> {
    let hit = JsFuture::from(file_cache().await?.match_with_str(url))
        .await
        .ok()?;
    let resp: web_sys::Response = hit.dyn_into().ok()?;
    let buf = JsFuture::from(resp.array_buffer().ok()?).await.ok()?;
    Some(js_sys::Uint8Array::new(&buf).to_vec())
}

/// Keeps a downloaded copy of `url` in the background, so loading never waits for the cache (failures
/// only cost offline use).
fn keep(url: &str, bytes: &[u8]) {
    let body = js_sys::Uint8Array::from(bytes);
    let url = url.to_string();
    wasm_bindgen_futures::spawn_local(async move {
        let Some(cache) = file_cache().await else {
            return;
        };
        if let Ok(resp) = web_sys::Response::new_with_opt_buffer_source(Some(&body)) {
            let _ = JsFuture::from(cache.put_with_str(&url, &resp)).await;
        }
    });
}

/// GETs a file of the app's own origin, retrying network failures, time-outs and server errors with
/// growing waits; a missing file (4xx) fails at once. The error says what failed and how often. A
/// dataset or model file is kept in Cache Storage, and its kept copy answers when the network fails.
pub async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    let mut last = String::new();
    let mut attempts = 0;
    for wait in std::iter::once(0.0).chain(RETRY_WAITS) {
        if wait > 0.0 {
            sleep(wait).await;
        }
        attempts += 1;
        match fetch_once(url).await {
            Ok(bytes) => {
                if cacheable(url) {
                    keep(url, &bytes);
                }
                return Ok(bytes);
            }
            Err((e, retry)) => {
                last = e;
                if retry
                    && cacheable(url)
                    && let Some(bytes) = cached(url).await
                {
                    return Ok(bytes);
                }
                if !retry {
                    break;
                }
            }
        }
    }
    Err(if attempts > 1 {
        format!("{last} ({attempts} attempts)")
    } else {
        last
    })
}

/// One GET with a time-out; the flag says whether trying again could help.
async fn fetch_once(url: &str) -> Result<Vec<u8>, (String, bool)> {
    let controller = web_sys::AbortController::new().map_err(|e| (format!("{e:?}"), false))?;
    let init = web_sys::RequestInit::new();
    init.set_signal(Some(&controller.signal()));
    let abort = Closure::once(move || controller.abort());
    let timer = scope()
        .set_timeout_with_callback_and_timeout_and_arguments_0(
            abort.as_ref().unchecked_ref(),
            (FETCH_TIMEOUT_SECONDS * 1000.0) as i32,
        )
        .ok();
    let result = async {
        let resp = JsFuture::from(scope().fetch_with_str_and_init(url, &init))
            .await
            .map_err(|_| (format!("fetching {url}: network error or time-out"), true))?;
        let resp: web_sys::Response = resp
            .dyn_into()
            .map_err(|_| (format!("fetching {url}: not a response"), false))?;
        if !resp.ok() {
            let status = resp.status();
            return Err((format!("fetching {url}: HTTP {status}"), status >= 500));
        }
        let body = resp
            .array_buffer()
            .map_err(|e| (format!("{url}: {e:?}"), true))?;
        let buf = JsFuture::from(body)
            .await
            .map_err(|_| (format!("{url}: the download broke off"), true))?;
        Ok(js_sys::Uint8Array::new(&buf).to_vec())
    }
    .await;
    if let Some(t) = timer {
        scope().clear_timeout_with_handle(t);
    }
    drop(abort);
    result
}

/// `vendor architecture` of the browser's WebGPU adapter (Chrome leaves wgpu's `description` empty).
pub async fn browser_adapter_label() -> Option<String> {
    use js_sys::Reflect;
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into()).ok()?;
    let gpu = Reflect::get(&navigator, &"gpu".into())
        .ok()
        .filter(|g| !g.is_undefined())?;
    let request: js_sys::Function = Reflect::get(&gpu, &"requestAdapter".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let promise: js_sys::Promise = request.call0(&gpu).ok()?.dyn_into().ok()?;
    let adapter = JsFuture::from(promise)
        .await
        .ok()
        .filter(|a| !a.is_null())?;
    let info = Reflect::get(&adapter, &"info".into()).ok()?;
    let field = |k: &str| {
        Reflect::get(&info, &k.into())
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    };
    let label = [
        field("vendor"),
        field("architecture"),
        field("device"),
        field("description"),
    ]
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(" ");
    (!label.is_empty()).then_some(label)
}

/// The first `chunks` chunks of each split of a shipped dataset (one is enough for a few examples per
/// class and a held-out set).
pub async fn load_dataset(name: &str, chunks: usize) -> Result<(Dataset, Dataset), String> {
    let base = format!("static/data/{name}");
    let text = fetch_bytes(&format!("{base}/manifest.json")).await?;
    let manifest =
        Manifest::from_json(&String::from_utf8_lossy(&text)).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for info in [&manifest.train, &manifest.test] {
        if info.chunks.is_empty() {
            return Err(format!("{name}: a split has no chunk"));
        }
        let mut data = manifest.empty_dataset();
        for chunk in info.chunks.iter().take(chunks.max(1)) {
            let bytes = fetch_bytes(&format!("{base}/{}", chunk.file)).await?;
            let decoded =
                decode_chunk(chunk, &bytes, manifest.classes.len()).map_err(|e| e.to_string())?;
            data.append(&decoded).map_err(|e| e.to_string())?;
        }
        out.push(data);
    }
    let test = out.pop().expect("two splits");
    Ok((out.pop().expect("two splits"), test))
}

/// The engine a lesson's worker runs on, and what the page is told about it.
pub struct EngineChoice {
    /// The WebGPU device (kept even when the CPU engine runs, for a later switch).
    pub gpu: Option<GpuContext>,
    /// Whether the WGSL kernels run (else the CPU engine).
    pub use_gpu: bool,
    /// Why this engine.
    pub note: WorkerMessage,
    /// The adapter's name, or the CPU engine's.
    pub adapter: String,
}

/// Picks the engine for a preference: WebGPU when asked or when the adapter is a real GPU; the CPU
/// engine when asked, when WebGPU is missing, or (automatically) on a slow software adapter.
pub async fn pick_engine(pref: EnginePreference) -> EngineChoice {
    let note = |code, detail: &str| WorkerMessage {
        code,
        detail: detail.into(),
    };
    let mut gpu = None;
    if pref != EnginePreference::Cpu {
        match GpuContext::new(AdapterOptions {
            allow_software: true,
        })
        .await
        {
            Ok(ctx) => gpu = Some(ctx),
            Err(e) => {
                return EngineChoice {
                    gpu: None,
                    use_gpu: false,
                    note: note(MessageCode::CpuFallback, &e.to_string()),
                    adapter: "CPU engine (wasm)".into(),
                };
            }
        }
    }
    let software = gpu.as_ref().is_some_and(|g| g.engine_info().software);
    let (use_gpu, why) = match (pref, software) {
        (EnginePreference::Cpu, _) => (false, note(MessageCode::CpuByUrl, "")),
        (EnginePreference::Gpu, _) | (EnginePreference::Auto, false) => {
            (true, note(MessageCode::OnGpu, ""))
        }
        // A software WebGPU adapter (SwiftShader) is far slower than the CPU engine.
        (EnginePreference::Auto, true) => (
            false,
            note(MessageCode::CpuFallback, "software WebGPU adapter"),
        ),
    };
    let adapter = match &gpu {
        Some(ctx) if use_gpu => {
            let name = ctx.adapter_info.name.trim().to_string();
            if name.is_empty() {
                browser_adapter_label().await.unwrap_or_default()
            } else {
                name
            }
        }
        _ => "CPU engine (wasm)".into(),
    };
    EngineChoice {
        gpu,
        use_gpu,
        note: why,
        adapter,
    }
}

/// The worker's inbox: the messages that arrived while the module loaded (`early`), then every new
/// one; an unreadable message goes to `bad`.
pub fn inbox<T: DeserializeOwned + 'static>(
    early: js_sys::Array,
    bad: fn(String),
) -> Rc<RefCell<VecDeque<T>>> {
    let inbox: Rc<RefCell<VecDeque<T>>> = Rc::default();
    for value in early.iter() {
        match serde_wasm_bindgen::from_value::<T>(value) {
            Ok(msg) => inbox.borrow_mut().push_back(msg),
            Err(e) => bad(e.to_string()),
        }
    }
    let sink = inbox.clone();
    let onmessage =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            match serde_wasm_bindgen::from_value::<T>(ev.data()) {
                Ok(msg) => sink.borrow_mut().push_back(msg),
                Err(e) => bad(e.to_string()),
            }
        });
    scope().set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    onmessage.forget();
    inbox
}

/// Entry point of a lesson's worker (`worker.js` calls it with the worker's name); `early` holds the
/// messages that arrived while the module was loading.
#[wasm_bindgen]
pub fn worker_main(name: String, early: js_sys::Array) {
    console_error_panic_hook::set_once();
    match name.as_str() {
        finetune::WORKER_NAME => finetune::main(early),
        concepts::WORKER_NAME => concepts::main(early),
        _ => train::main(early),
    }
}
