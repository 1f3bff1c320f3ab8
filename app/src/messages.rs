//! Messages from the lessons' workers: a code the page translates, and the engine's own detail.

use serde::{Deserialize, Serialize};

use crate::ui::i18n::{Lang, Text, tx};

/// A message from the worker, translated on the page: a code, and the engine's own detail (English).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkerMessage {
    /// What happened.
    pub code: MessageCode,
    /// Specifics (file names, shapes), shown after the translated sentence.
    pub detail: String,
}

impl WorkerMessage {
    /// A message with its detail.
    pub fn new(code: MessageCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
        }
    }

    /// The sentence in `lang` followed by the detail: after a sentence that asks for it (ending in `:`
    /// or mid-phrase) as its continuation, otherwise in parentheses. On a page the native engine
    /// serves, the sentences that name WebGPU say what runs instead.
    pub fn show(&self, lang: Lang) -> String {
        #[cfg(target_arch = "wasm32")]
        let native = crate::client::native_engine().is_some();
        #[cfg(not(target_arch = "wasm32"))]
        let native = false;
        self.show_on(lang, native)
    }

    /// [`WorkerMessage::show`] on a page served by the native engine (`native`) or not. The detail of
    /// an engine choice (an adapter's name, measured speeds) is written by the runtime in English and
    /// shown in `lang` ([`crate::runtime::engine::localize`]); other details are the engine's own words.
    pub fn show_on(&self, lang: Lang, native: bool) -> String {
        let sentence = self
            .code
            .native_text()
            .filter(|_| native)
            .unwrap_or(message(self.code))
            .get(lang);
        let detail = if self.code.detail_is_engine_figures() {
            crate::runtime::engine::localize(&self.detail, lang)
        } else {
            self.detail.clone()
        };
        if detail.is_empty() {
            sentence.to_string()
        } else if sentence.ends_with(['.', '。', ')', '）']) {
            match lang {
                Lang::Zh => format!("{sentence}（{detail}）"),
                Lang::En => format!("{sentence} ({detail})"),
            }
        } else if sentence.ends_with('：') {
            format!("{sentence}{detail}")
        } else {
            format!("{sentence} {detail}")
        }
    }
}

/// The messages a lesson's worker can send, each with its sentence in both languages: the one list of
/// them (the enum, its test list `MessageCode::ALL` and [`message`] are generated from it).
macro_rules! message_codes {
    ($($(#[doc = $doc:literal])* $code:ident => ($en:literal, $zh:literal $(,)?),)*) => {
        /// The messages a lesson's worker can send.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
        pub enum MessageCode {
            $($(#[doc = $doc])* $code,)*
        }

        impl MessageCode {
            /// Every code (the translation test walks them).
            #[cfg(test)]
            pub const ALL: &[MessageCode] = &[$(MessageCode::$code,)*];

            /// The sentence in both languages.
            pub const fn text(self) -> Text {
                match self {
                    $(MessageCode::$code => tx($en, $zh),)*
                }
            }
        }
    };
}

message_codes! {
    /// The data could not be loaded.
    DataFailed => (
        "The examples could not be loaded.",
        "样本无法加载。",
    ),
    /// The model file could not be read or has the wrong shape.
    BadModel => (
        "This model file cannot be used.",
        "这个模型文件无法使用。",
    ),
    /// An engine operation failed.
    EngineFailed => (
        "The engine reported an error.",
        "计算引擎报告了一个错误。",
    ),
    /// A step needs a loaded model and data first.
    NotReady => (
        "Load a model and examples first (step 1).",
        "请先加载模型和样本（第 1 步）。",
    ),
    /// Training produced a non-finite loss; the phase stopped.
    Diverged => (
        "Training diverged (the loss became NaN or exploded past 20·ln K) and stopped; try a smaller learning rate.",
        "训练发散了（损失变成 NaN 或急剧增大）并已停止；请尝试更小的学习率。",
    ),
    /// The GPU adapter is a software one; the CPU engine runs the lesson (detail: the adapter).
    CpuFallback => (
        "Training runs on the CPU engine: the only GPU adapter here is a software one, usually much slower than the CPU engine:",
        "训练在 CPU 引擎上运行：这里唯一的 GPU 适配器是软件实现的，通常比 CPU 引擎慢得多：",
    ),
    /// Training runs on WebGPU.
    OnGpu => (
        "Training on your GPU through WebGPU.",
        "正在通过 WebGPU 在你的 GPU 上训练。",
    ),
    /// The CPU engine was chosen by the URL.
    CpuByUrl => (
        "CPU engine chosen by the URL (engine=cpu).",
        "URL 参数指定了 CPU 引擎（engine=cpu）。",
    ),
    /// The GPU engine was chosen by the URL.
    GpuByUrl => (
        "GPU engine chosen by the URL (engine=gpu).",
        "URL 参数指定了 GPU 引擎（engine=gpu）。",
    ),
    /// The GPU engine was chosen by the URL, and the adapter is a software one.
    GpuByUrlSoftware => (
        "GPU engine chosen by the URL (engine=gpu), on a software adapter (usually much slower than the CPU engine).",
        "URL 参数指定了 GPU 引擎（engine=gpu），它运行在软件适配器上（通常比 CPU 引擎慢得多）。",
    ),
    /// There is no WebGPU here (detail: why); the CPU engine trains.
    NoWebGpu => (
        "WebGPU is not available here; training runs on the CPU engine instead:",
        "这里没有可用的 WebGPU，训练改在 CPU 引擎上运行：",
    ),
    /// A software adapter was measured against the CPU engine, which was faster (detail: the figures).
    SoftwareChoseCpu => (
        "The GPU adapter is a software one; both engines were measured and the faster CPU engine trains:",
        "GPU 适配器是软件实现的；两种引擎都测了速度，由更快的 CPU 引擎训练：",
    ),
    /// A software adapter was measured against the CPU engine and was faster (detail: the figures).
    SoftwareChoseGpu => (
        "The GPU adapter is a software one; both engines were measured and the faster GPU engine trains:",
        "GPU 适配器是软件实现的；两种引擎都测了速度，由更快的 GPU 引擎训练：",
    ),
    /// The GPU engine failed when tried (detail: the error); the CPU engine trains.
    GpuFailed => (
        "The GPU engine failed here; training runs on the CPU engine instead:",
        "GPU 引擎在这里出错，训练改在 CPU 引擎上运行：",
    ),
    /// The CPU engine failed when tried (detail: the error); the GPU engine trains.
    CpuFailed => (
        "The CPU engine failed; training runs on the GPU engine:",
        "CPU 引擎出错，训练在 GPU 引擎上运行：",
    ),
    /// `engine=gpu` was asked for but WebGPU is missing (detail: why).
    GpuMissing => (
        "engine=gpu was requested but WebGPU is not available:",
        "网址要求使用 GPU（engine=gpu），但 WebGPU 不可用：",
    ),
    /// The device was lost; a new WebGPU device continues from the snapshot (detail: its step, why).
    DeviceLostNewGpu => (
        "The GPU device was lost; training continues on a new GPU device from the snapshot at step",
        "GPU 设备丢失了；训练在新的 GPU 设备上从快照继续，快照所在步数：",
    ),
    /// The device was lost; the CPU engine continues from the snapshot (detail: its step, why).
    DeviceLostCpu => (
        "The GPU device was lost; training continues on the CPU engine from the snapshot at step",
        "GPU 设备丢失了；训练在 CPU 引擎上从快照继续，快照所在步数：",
    ),
    /// The device was lost and no engine could take over (detail: why).
    DeviceLostNoEngine => (
        "The GPU device was lost and no engine could take over:",
        "GPU 设备丢失了，而且没有其他引擎可以接手：",
    ),
    /// Progress cannot be saved in this browser (detail: why).
    SaveFailed => (
        "Progress cannot be saved in this browser, so a reload will start over:",
        "此浏览器无法保存进度，重新加载将从头开始：",
    ),
    /// The saved run could not be restored (detail: why).
    RestoreFailed => (
        "The saved run could not be restored:",
        "保存的训练无法恢复：",
    ),
    /// The model could not be written (detail: why).
    ExportFailed => (
        "The model could not be saved:",
        "模型无法保存：",
    ),
    /// A message to the worker could not be read (detail: why).
    BadMessage => (
        "A message to the engine could not be read:",
        "发给计算引擎的消息无法读取：",
    ),
    /// A setting was refused (detail: which and why).
    BadSetting => (
        "That setting cannot be used:",
        "这个设置无法使用：",
    ),
    /// The autodiff check needs WebGPU.
    AutodiffNeedsGpu => (
        "The autodiff check needs the GPU engine (burn runs on the same GPU device).",
        "自动微分对照需要 GPU 引擎（burn 在同一块 GPU 上运行）。",
    ),
    /// This build has no autodiff check.
    NoAutodiff => (
        "This build has no autodiff check (build the app with --features burn).",
        "这个版本没有自动微分对照（请用 --features burn 构建）。",
    ),
    /// The data, the model or the first evaluation is not there yet.
    NotYet => (
        "Not yet: the data, the model or the first evaluation is still on its way.",
        "还没准备好：数据、模型或第一次评估尚未完成。",
    ),
    /// The engine's worker could not start or failed (detail: why).
    WorkerFailed => (
        "The engine's worker failed:",
        "计算引擎的工作线程出错：",
    ),
    /// Settings in the URL were ignored (detail: the `key=value` pairs as written).
    UrlProblem => (
        "Settings in the URL were ignored (a value this setting does not accept, or a setting this lesson does not have):",
        "网址中的以下设置被忽略了（该设置不接受这个值，或本课没有这个设置）：",
    ),
    /// A picked file could not be read (detail: why).
    FileUnreadable => (
        "The file could not be read:",
        "文件无法读取：",
    ),
    /// A software adapter: the CPU engine trains while both engines are measured (detail: the adapter).
    MeasuringEngines => (
        "The GPU adapter is a software one: training starts on the CPU engine while both engines are measured in the background:",
        "GPU 适配器是软件实现的：训练先在 CPU 引擎上开始，同时在后台测量两种引擎的速度：",
    ),
    /// The measurement found WebGPU faster; training moved to it between two steps (detail: figures).
    SwitchedToGpu => (
        "The GPU adapter is a software one; both engines were measured and the GPU engine is faster, so training moved to it between two steps:",
        "GPU 适配器是软件实现的；两种引擎都测了速度，GPU 引擎更快，所以训练在两步之间切换到了它：",
    ),
}

/// A worker message in the page's language.
pub fn message(code: MessageCode) -> Text {
    code.text()
}

impl MessageCode {
    /// The sentence on a page the native engine serves, where it differs: there the GPU engine is wgpu's
    /// native backend (Vulkan, Metal, DX12) in the backprop-lab program, not the browser's WebGPU.
    pub const fn native_text(self) -> Option<Text> {
        match self {
            MessageCode::OnGpu => Some(tx(
                "Training on this machine's GPU, natively (wgpu in the backprop-lab program, not the browser's WebGPU).",
                "正在本机的 GPU 上原生训练（backprop-lab 程序里的 wgpu，而不是浏览器的 WebGPU）。",
            )),
            MessageCode::NoWebGpu => Some(tx(
                "The backprop-lab program found no GPU adapter on this machine; training runs on the CPU engine instead:",
                "backprop-lab 程序在本机上没有找到 GPU 适配器，训练改在 CPU 引擎上运行：",
            )),
            MessageCode::GpuMissing => Some(tx(
                "engine=gpu was requested but the backprop-lab program found no GPU adapter on this machine:",
                "网址要求使用 GPU（engine=gpu），但 backprop-lab 程序在本机上没有找到 GPU 适配器：",
            )),
            _ => None,
        }
    }

    /// Whether the detail is written by the engine runtime from its fixed phrases (an adapter's name,
    /// measured speeds), so the page can show it in its language.
    pub const fn detail_is_engine_figures(self) -> bool {
        matches!(
            self,
            MessageCode::CpuFallback
                | MessageCode::MeasuringEngines
                | MessageCode::SoftwareChoseCpu
                | MessageCode::SoftwareChoseGpu
                | MessageCode::SwitchedToGpu
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_is_translated() {
        let texts: Vec<Text> = MessageCode::ALL
            .iter()
            .map(|c| c.text())
            .chain(MessageCode::ALL.iter().filter_map(|c| c.native_text()))
            .collect();
        assert!(texts.len() > 30);
        assert_eq!(crate::ui::i18n::untranslated(&texts), Vec::<&str>::new());
        assert!(texts.iter().all(|t| !t.zh.contains(" %")));
    }

    #[test]
    fn a_message_is_its_sentence_then_its_detail() {
        let m = WorkerMessage::new(MessageCode::DeviceLostCpu, "120 (destroyed)");
        assert_eq!(
            m.show(Lang::En),
            "The GPU device was lost; training continues on the CPU engine from the snapshot at step 120 (destroyed)"
        );
        assert!(m.show(Lang::Zh).ends_with("：120 (destroyed)"));
        let m = WorkerMessage::new(MessageCode::BadModel, "no tensor fc1.weight");
        assert_eq!(
            m.show(Lang::En),
            "This model file cannot be used. (no tensor fc1.weight)"
        );
        assert_eq!(
            WorkerMessage::new(MessageCode::OnGpu, "").show(Lang::Zh),
            "正在通过 WebGPU 在你的 GPU 上训练。"
        );
    }

    #[test]
    fn the_engine_lines_say_what_runs_once_and_in_the_pages_language() {
        use crate::runtime::engine::{SOFTWARE_SUFFIX, localize};
        // A software adapter in auto mode: one sentence that says so once, then the adapter's name
        // (`Gpu::name`, without the suffix), never "(…here). (software WebGPU adapter)".
        let m = WorkerMessage::new(MessageCode::CpuFallback, "SwiftShader Device");
        let en = m.show_on(Lang::En, false);
        assert!(
            en.ends_with("than the CPU engine: SwiftShader Device"),
            "{en}"
        );
        assert_eq!(en.matches("software").count(), 1, "{en}");
        assert!(!en.contains('('), "{en}");
        let zh = m.show_on(Lang::Zh, false);
        assert!(zh.ends_with("：SwiftShader Device"), "{zh}");
        // The adapter's suffix, where it stands (the adapter's line), in the page's language.
        let adapter = format!("SwiftShader Device{}", SOFTWARE_SUFFIX.en);
        assert_eq!(
            localize(&adapter, Lang::Zh),
            "SwiftShader Device（软件备用适配器）"
        );
        // Natively nothing says WebGPU was used: the URL's choice, the GPU engine, the missing adapter.
        for code in MessageCode::ALL {
            let native = WorkerMessage::new(*code, "").show_on(Lang::En, true);
            let says_used =
                native.contains("WebGPU") && !native.contains("not the browser's WebGPU");
            assert!(!says_used, "{code:?} natively: {native}");
        }
        // Measured speeds and the CPU engine's name, in Chinese on a Chinese page.
        let figures = format!(
            "SwiftShader: WebGPU 300 {}, {} 1358 {}",
            crate::runtime::engine::SAMPLES_PER_SECOND.en,
            crate::runtime::engine::CPU_ENGINE.en,
            crate::runtime::engine::SAMPLES_PER_SECOND.en,
        );
        let zh =
            WorkerMessage::new(MessageCode::SoftwareChoseCpu, figures).show_on(Lang::Zh, false);
        assert!(
            zh.contains("1358 样本/秒") && zh.contains("CPU 引擎 1358"),
            "{zh}"
        );
        assert!(
            !zh.contains("samples/s") && !zh.contains("CPU engine"),
            "{zh}"
        );
        assert_eq!(localize("CPU engine (wasm)", Lang::Zh), "CPU 引擎（wasm）");
        assert_eq!(localize("CPU engine (wasm)", Lang::En), "CPU engine (wasm)");
        // Other details are the engine's own words, untouched.
        let m = WorkerMessage::new(MessageCode::EngineFailed, "CPU engine: out of memory");
        assert!(
            m.show_on(Lang::Zh, false)
                .ends_with("（CPU engine: out of memory）")
        );
    }
}
