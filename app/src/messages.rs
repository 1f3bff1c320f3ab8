//! Messages from the lessons' workers: a code the page translates, and the engine's own detail.

use serde::{Deserialize, Serialize};

use crate::ui::i18n::{Text, tx};

/// A message from the worker, translated on the page: a code, and the engine's own detail (English).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkerMessage {
    /// What happened.
    pub code: MessageCode,
    /// Specifics (file names, shapes), shown after the translated sentence.
    pub detail: String,
}

/// The messages a lesson's worker can send.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MessageCode {
    /// The data could not be loaded.
    DataFailed,
    /// The model file could not be read or has the wrong shape.
    BadModel,
    /// An engine operation failed.
    EngineFailed,
    /// A step needs a loaded model and data first.
    NotReady,
    /// Training produced a non-finite loss; the phase stopped.
    Diverged,
    /// WebGPU is missing or slow here; the CPU engine runs the lesson.
    CpuFallback,
    /// Training runs on WebGPU.
    OnGpu,
    /// The CPU engine was chosen by the URL.
    CpuByUrl,
}

#[cfg(test)]
impl MessageCode {
    /// Every code (the translation test walks them).
    pub const ALL: [MessageCode; 8] = [
        MessageCode::DataFailed,
        MessageCode::BadModel,
        MessageCode::EngineFailed,
        MessageCode::NotReady,
        MessageCode::Diverged,
        MessageCode::CpuFallback,
        MessageCode::OnGpu,
        MessageCode::CpuByUrl,
    ];
}

/// A worker message in the page's language.
pub fn message(code: MessageCode) -> Text {
    match code {
        MessageCode::DataFailed => tx("The examples could not be loaded.", "样本无法加载。"),
        MessageCode::BadModel => tx("This model file cannot be used.", "这个模型文件无法使用。"),
        MessageCode::EngineFailed => {
            tx("The engine reported an error.", "计算引擎报告了一个错误。")
        }
        MessageCode::NotReady => tx(
            "Load a model and examples first (step 1).",
            "请先加载模型和样本（第 1 步）。",
        ),
        MessageCode::Diverged => tx(
            "Training diverged (the loss is not a number) and stopped; try a smaller learning rate.",
            "训练发散了（损失不是数字）并已停止；请尝试更小的学习率。",
        ),
        MessageCode::CpuFallback => tx(
            "Training runs on the CPU engine (WebGPU is missing or is a slow software adapter here).",
            "训练在 CPU 引擎上运行（这里没有 WebGPU，或者只是很慢的软件适配器）。",
        ),
        MessageCode::OnGpu => tx(
            "Training on your GPU through WebGPU.",
            "正在通过 WebGPU 在你的 GPU 上训练。",
        ),
        MessageCode::CpuByUrl => tx(
            "CPU engine chosen by the URL (engine=cpu).",
            "网址选择了 CPU 引擎（engine=cpu）。",
        ),
    }
}
