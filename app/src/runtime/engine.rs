//! The one engine policy of every lesson's worker: open WebGPU unless the URL asks for the CPU engine,
//! choose an engine for a preference, name the adapter, and tell a lost GPU device from other engine
//! errors (device-loss recovery). Lessons hold the chosen engine as a [`kernels::AnyEngine`].

use kernels::{AdapterOptions, EngineError, EngineKind, GpuContext};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::sleep;
use crate::messages::{MessageCode, WorkerMessage};
use crate::protocol::EnginePreference;

/// Seconds of timed dispatches a lesson spends choosing its matrix-product kernel per shape on a GPU
/// (`GpuEngine::tune`); `lesson-bench` tunes its bare engine the same way.
pub const TUNE_SECONDS: f64 = 0.3;

/// The CPU engine's name where an adapter's would stand.
#[cfg(target_arch = "wasm32")]
pub const CPU_ADAPTER: &str = "CPU engine (wasm)";
/// The CPU engine's name where an adapter's would stand (the native engine's).
#[cfg(not(target_arch = "wasm32"))]
pub const CPU_ADAPTER: &str = "CPU engine (native, in backprop-lab)";

/// The WebGPU device a worker opened (kept even while the CPU engine runs, for a later switch).
#[derive(Default)]
pub struct Gpu {
    /// The device, if one could be had.
    pub ctx: Option<GpuContext>,
    /// Why there is none.
    pub problem: Option<String>,
    /// The adapter's name as the browser gives it ("(software fallback adapter)" added when it is one).
    pub label: String,
}

impl Gpu {
    /// Opens WebGPU unless `pref` is the CPU engine.
    pub async fn open(pref: EnginePreference) -> Self {
        if pref == EnginePreference::Cpu {
            return Self::default();
        }
        match GpuContext::new(AdapterOptions {
            allow_software: true,
        })
        .await
        {
            Ok(ctx) => {
                let name = ctx.adapter_info.name.trim().to_string();
                // Natively the page says where it computes: the adapter, its backend, the process.
                #[cfg(not(target_arch = "wasm32"))]
                let name = format!(
                    "{name}, {:?} — native, in backprop-lab",
                    ctx.adapter_info.backend
                );
                #[cfg(not(target_arch = "wasm32"))]
                let browser = None;
                #[cfg(target_arch = "wasm32")]
                let browser = browser_adapter_label().await;
                let mut label = match (name.is_empty(), browser) {
                    (false, _) => name,
                    (true, Some(label)) => label,
                    (true, None) => "an unnamed WebGPU adapter".into(),
                };
                if ctx.engine_info().software && !label.contains("fallback") {
                    label.push_str(" (software fallback adapter)");
                }
                Self {
                    ctx: Some(ctx),
                    problem: None,
                    label,
                }
            }
            Err(e) => Self {
                ctx: None,
                problem: Some(e.to_string()),
                label: String::new(),
            },
        }
    }

    /// Whether the adapter is a software one (SwiftShader).
    pub fn software(&self) -> bool {
        self.ctx.as_ref().is_some_and(|g| g.engine_info().software)
    }

    /// The device when `kind` runs on it.
    pub fn for_kind(&self, kind: EngineKind) -> Option<&GpuContext> {
        self.ctx.as_ref().filter(|_| kind != EngineKind::Cpu)
    }

    /// The adapter's name for an engine of `kind`.
    pub fn adapter(&self, kind: EngineKind) -> String {
        match kind {
            EngineKind::Cpu => CPU_ADAPTER.into(),
            _ => self.label.clone(),
        }
    }

    /// A new device after the old one was lost (`None` if none can be had).
    pub async fn reopen(&mut self) -> bool {
        let fresh = GpuContext::new(AdapterOptions {
            allow_software: true,
        })
        .await
        .ok();
        self.ctx = fresh;
        self.ctx.is_some()
    }

    /// Whether `error`, from an engine running on this device, means the device was lost (and why).
    /// The loss may be reported a moment after the failure it caused, so a GPU engine's other errors
    /// look again after 0.1 s.
    pub async fn lost(&self, kind: EngineKind, error: &EngineError) -> Option<String> {
        match error {
            EngineError::DeviceLost(why) => Some(why.clone()),
            _ if kind == EngineKind::Gpu && self.ctx.is_some() => {
                sleep(0.1).await;
                match self.ctx.as_ref().map(GpuContext::check) {
                    Some(Err(EngineError::DeviceLost(why))) => Some(why),
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

/// The engine a preference gets, and what the page is told about it.
pub struct Choice {
    /// The engine to start on.
    pub kind: EngineKind,
    /// Why.
    pub note: WorkerMessage,
    /// A software adapter in auto mode: the lesson starts on the CPU engine; one that measures both
    /// engines in the background moves to WebGPU if it is faster.
    pub measure: bool,
}

/// The policy: the CPU engine when the URL asks for it or WebGPU is missing; WebGPU when the URL asks
/// for it or the adapter is a real GPU; on a software adapter in auto mode, the CPU engine (it is far
/// faster there), measured against WebGPU when the lesson `measures`.
pub fn choose(pref: EnginePreference, gpu: &Gpu, measures: bool) -> Choice {
    let (kind, code, detail, measure) = match (pref, &gpu.ctx) {
        (EnginePreference::Cpu, _) => {
            (EngineKind::Cpu, MessageCode::CpuByUrl, String::new(), false)
        }
        (EnginePreference::Gpu, Some(_)) if gpu.software() => (
            EngineKind::Gpu,
            MessageCode::GpuByUrlSoftware,
            String::new(),
            false,
        ),
        (EnginePreference::Gpu, Some(_)) => {
            (EngineKind::Gpu, MessageCode::GpuByUrl, String::new(), false)
        }
        (_, None) => (
            EngineKind::Cpu,
            MessageCode::NoWebGpu,
            gpu.problem.clone().unwrap_or_default(),
            false,
        ),
        (EnginePreference::Auto, Some(_)) if !gpu.software() => {
            (EngineKind::Gpu, MessageCode::OnGpu, String::new(), false)
        }
        (EnginePreference::Auto, Some(_)) if measures => (
            EngineKind::Cpu,
            MessageCode::MeasuringEngines,
            gpu.label.clone(),
            true,
        ),
        (EnginePreference::Auto, Some(_)) => (
            EngineKind::Cpu,
            MessageCode::CpuFallback,
            "software WebGPU adapter".into(),
            false,
        ),
    };
    Choice {
        kind,
        note: WorkerMessage::new(code, detail),
        measure,
    }
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
