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
    /// or mid-phrase) as its continuation, otherwise in parentheses.
    pub fn show(&self, lang: Lang) -> String {
        let sentence = message(self.code).get(lang);
        if self.detail.is_empty() {
            sentence.to_string()
        } else if sentence.ends_with(['.', '。', ')', '）']) {
            format!("{sentence} ({})", self.detail)
        } else if sentence.ends_with('：') {
            format!("{sentence}{}", self.detail)
        } else {
            format!("{sentence} {}", self.detail)
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
    /// WebGPU is missing or slow here; the CPU engine runs the lesson.
    CpuFallback => (
        "Training runs on the CPU engine (WebGPU is missing or is a slow software adapter here).",
        "训练在 CPU 引擎上运行（这里没有 WebGPU，或者只是很慢的软件适配器）。",
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
    /// WebGPU was forced by the URL.
    GpuByUrl => (
        "WebGPU forced by the URL (engine=gpu).",
        "URL 参数强制使用 WebGPU（engine=gpu）。",
    ),
    /// WebGPU was forced by the URL on a software adapter.
    GpuByUrlSoftware => (
        "WebGPU forced by the URL (engine=gpu) on a software adapter.",
        "URL 参数强制在软件适配器上使用 WebGPU（engine=gpu）。",
    ),
    /// There is no WebGPU here (detail: why); the CPU engine trains.
    NoWebGpu => (
        "WebGPU is not available here; training runs on the CPU engine instead:",
        "这里没有可用的 WebGPU，训练改在 CPU 引擎上运行：",
    ),
    /// A software adapter was measured against the CPU engine, which was faster (detail: the figures).
    SoftwareChoseCpu => (
        "The WebGPU adapter is a software one; both engines were measured and the faster CPU engine trains:",
        "WebGPU 适配器是软件实现的；两种引擎都测了速度，由更快的 CPU 引擎训练：",
    ),
    /// A software adapter was measured against the CPU engine and was faster (detail: the figures).
    SoftwareChoseGpu => (
        "The WebGPU adapter is a software one; both engines were measured and the faster WebGPU engine trains:",
        "WebGPU 适配器是软件实现的；两种引擎都测了速度，由更快的 WebGPU 引擎训练：",
    ),
    /// WebGPU failed when tried (detail: the error); the CPU engine trains.
    GpuFailed => (
        "WebGPU failed here; training runs on the CPU engine instead:",
        "WebGPU 在这里出错，训练改在 CPU 引擎上运行：",
    ),
    /// The CPU engine failed when tried (detail: the error); WebGPU trains.
    CpuFailed => (
        "The CPU engine failed; training runs on WebGPU:",
        "CPU 引擎出错，训练在 WebGPU 上运行：",
    ),
    /// `engine=gpu` was asked for but WebGPU is missing (detail: why).
    GpuMissing => (
        "engine=gpu was requested but WebGPU is not available:",
        "网址要求使用 GPU（engine=gpu），但 WebGPU 不可用：",
    ),
    /// The device was lost; a new WebGPU device continues from the snapshot (detail: its step, why).
    DeviceLostNewGpu => (
        "The GPU device was lost; training continues on a new WebGPU device from the snapshot at step",
        "GPU 设备丢失了；训练在新的 WebGPU 设备上从快照继续，快照所在步数：",
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
        "The autodiff check needs WebGPU (burn runs on the same GPU device).",
        "自动微分对照需要 WebGPU（burn 在同一块 GPU 上运行）。",
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
    /// A setting in the URL was ignored (detail: which and why).
    UrlProblem => (
        "A setting in the URL was ignored:",
        "网址中的一个设置被忽略了：",
    ),
    /// A picked file could not be read (detail: why).
    FileUnreadable => (
        "The file could not be read:",
        "文件无法读取：",
    ),
    /// A software adapter: the CPU engine trains while both engines are measured (detail: the adapter).
    MeasuringEngines => (
        "The WebGPU adapter is a software one: training starts on the CPU engine while both engines are measured in the background:",
        "WebGPU 适配器是软件实现的：训练先在 CPU 引擎上开始，同时在后台测量两种引擎的速度：",
    ),
    /// The measurement found WebGPU faster; training moved to it between two steps (detail: figures).
    SwitchedToGpu => (
        "The WebGPU adapter is a software one; both engines were measured and WebGPU is faster, so training moved to it between two steps:",
        "WebGPU 适配器是软件实现的；两种引擎都测了速度，WebGPU 更快，所以训练在两步之间切换到了它：",
    ),
}

/// A worker message in the page's language.
pub fn message(code: MessageCode) -> Text {
    code.text()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_is_translated() {
        let texts: Vec<Text> = MessageCode::ALL.iter().map(|c| c.text()).collect();
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
}
