//! The one engine policy of every lesson's worker: open WebGPU unless the URL asks for the CPU engine,
//! choose an engine for a preference, name the adapter, and tell a lost GPU device from other engine
//! errors (device-loss recovery). Lessons hold the chosen engine as a [`kernels::AnyEngine`].

use kernels::engine::Preference;
use kernels::{AdapterOptions, EngineError, EngineKind, GpuContext};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::{Outbox, sleep};
use crate::messages::{MessageCode, WorkerMessage};
use crate::protocol::{EngineAnnounce, Protocol};
use crate::ui::i18n::{Lang, Text, tx};

/// The CPU engine's name where an adapter's would stand (the browser's).
pub const CPU_ADAPTER_WASM: Text = tx("CPU engine (wasm)", "CPU 引擎（wasm）");
/// The CPU engine's name where an adapter's would stand (the native engine's).
pub const CPU_ADAPTER_NATIVE: Text = tx(
    "CPU engine (native, in backprop-lab)",
    "CPU 引擎（本机原生，在 backprop-lab 程序中）",
);
/// The CPU engine's name where an adapter's would stand, in this build.
#[cfg(target_arch = "wasm32")]
pub const CPU_ADAPTER: &str = CPU_ADAPTER_WASM.en;
/// The CPU engine's name where an adapter's would stand, in this build.
#[cfg(not(target_arch = "wasm32"))]
pub const CPU_ADAPTER: &str = CPU_ADAPTER_NATIVE.en;
/// Added to a software adapter's name.
pub const SOFTWARE_SUFFIX: Text = tx(" (software fallback adapter)", "（软件备用适配器）");
/// Added to a native adapter's name: where it computes.
pub const NATIVE_SUFFIX: Text = tx(
    " — native, in backprop-lab",
    "——本机原生，在 backprop-lab 程序中",
);
/// An adapter without a name.
pub const UNNAMED: Text = tx("an unnamed WebGPU adapter", "一个未命名的 WebGPU 适配器");
/// The CPU engine, in measured figures.
pub const CPU_ENGINE: Text = tx("CPU engine", "CPU 引擎");
/// The unit of a measured speed.
pub const SAMPLES_PER_SECOND: Text = tx("samples/s", "样本/秒");
/// Where a switch of engines happened, in measured figures ("; at step 120").
pub const AT_STEP: Text = tx("; at step ", "；切换时的步数：");

/// Every fixed phrase the runtime writes into an adapter's name or an engine choice's detail, longest
/// first (a phrase that holds another is replaced first). The worker does not know the page's language,
/// so it writes them in English and the page shows them with [`localize`].
const PHRASES: [Text; 8] = [
    CPU_ADAPTER_NATIVE,
    SOFTWARE_SUFFIX,
    NATIVE_SUFFIX,
    UNNAMED,
    CPU_ADAPTER_WASM,
    AT_STEP,
    SAMPLES_PER_SECOND,
    CPU_ENGINE,
];

/// An adapter's name or an engine choice's detail, as the runtime wrote it, in `lang`: its fixed
/// phrases translated, the adapter's own name (the vendor's) kept.
pub fn localize(text: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return text.to_string();
    }
    let mut out = text.to_string();
    for phrase in PHRASES {
        out = out.replace(phrase.en, phrase.get(lang));
    }
    out
}

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
    pub async fn open(pref: Preference) -> Self {
        if pref == Preference::Cpu {
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
                let name = format!("{name}, {:?}{}", ctx.adapter_info.backend, NATIVE_SUFFIX.en);
                #[cfg(not(target_arch = "wasm32"))]
                let browser = None;
                #[cfg(target_arch = "wasm32")]
                let browser = browser_adapter_label().await;
                let mut label = match (name.is_empty(), browser) {
                    (false, _) => name,
                    (true, Some(label)) => label,
                    (true, None) => UNNAMED.en.into(),
                };
                if ctx.engine_info().software && !label.contains("fallback") {
                    label.push_str(SOFTWARE_SUFFIX.en);
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

    /// The adapter's name without the note that it is a software one (for a sentence that says so).
    pub fn name(&self) -> String {
        self.label
            .strip_suffix(SOFTWARE_SUFFIX.en)
            .unwrap_or(&self.label)
            .to_string()
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
pub fn choose(pref: Preference, gpu: &Gpu, measures: bool) -> Choice {
    let (kind, code, detail, measure) = match (pref, &gpu.ctx) {
        (Preference::Cpu, _) => (EngineKind::Cpu, MessageCode::CpuByUrl, String::new(), false),
        (Preference::Gpu, Some(_)) if gpu.software() => (
            EngineKind::Gpu,
            MessageCode::GpuByUrlSoftware,
            String::new(),
            false,
        ),
        (Preference::Gpu, Some(_)) => {
            (EngineKind::Gpu, MessageCode::GpuByUrl, String::new(), false)
        }
        (_, None) => (
            EngineKind::Cpu,
            MessageCode::NoWebGpu,
            gpu.problem.clone().unwrap_or_default(),
            false,
        ),
        // `Burn` is the command line's: the page's URL refuses it, and a worker sent it takes it as `Auto`.
        (Preference::Auto | Preference::Burn, Some(_)) if !gpu.software() => {
            (EngineKind::Gpu, MessageCode::OnGpu, String::new(), false)
        }
        (Preference::Auto | Preference::Burn, Some(_)) if measures => (
            EngineKind::Cpu,
            MessageCode::MeasuringEngines,
            gpu.name(),
            true,
        ),
        (Preference::Auto | Preference::Burn, Some(_)) => {
            (EngineKind::Cpu, MessageCode::CpuFallback, gpu.name(), false)
        }
    };
    Choice {
        kind,
        note: WorkerMessage::new(code, detail),
        measure,
    }
}

/// A lesson's engine start-up: opens WebGPU unless `pref` is the CPU engine, chooses the engine by
/// [`choose`] (without measuring), and announces it to the page on `out`. Returns the device (kept for a
/// later switch, and for a new one after a lost device) and the engine to run on. The training lesson,
/// which measures a software adapter and announces once its data is in, uses [`Gpu::open`] and
/// [`choose`] itself.
pub async fn start<P: Protocol>(pref: Preference, out: &Outbox<P>) -> (Gpu, EngineKind) {
    let gpu = Gpu::open(pref).await;
    let choice = choose(pref, &gpu, false);
    out.engine(EngineAnnounce {
        kind: choice.kind,
        adapter: gpu.adapter(choice.kind),
        note: choice.note,
    });
    (gpu, choice.kind)
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
