//! Text the concept lessons share (the live model's bar, messages about it).

use crate::ui::i18n::{Text, tx};

/// The live model's bar, for screen readers.
pub const LIVE: Text = tx("Live model", "实时模型");
/// Start training.
pub const START: Text = tx("▶ Start", "▶ 开始");
/// Pause.
pub const PAUSE: Text = tx("❚❚ Pause", "❚❚ 暂停");
/// One step.
pub const STEP: Text = tx("Step +1", "单步 +1");
/// Steps label.
pub const STEPS: Text = tx("steps", "步数");
/// Loss label.
pub const LOSS: Text = tx("loss", "损失");
/// Accuracy label (`{n}`: the test pool): a test figure watched while training, which the first
/// lesson's rule allows only because nothing is chosen by it.
pub const ACCURACY: Text = tx(
    "accuracy on {n} test images (for watching only: the page chooses nothing by it)",
    "{n} 张测试图像上的准确率（仅供观察：页面不据此做任何选择）",
);
/// While loading.
pub const LOADING: Text = tx(
    "Loading MNIST and starting the live model…",
    "正在加载 MNIST 并启动实时模型……",
);
/// What the live model is.
pub const LIVE_MODEL: Text = tx(
    "Live model: 784 → 32 → 10, SGD (lr 0.05, momentum 0.5, batch 32) on 5,000 MNIST digits",
    "实时模型：784 → 32 → 10，SGD（学习率 0.05，动量 0.5，批大小 32），在 5000 张 MNIST 数字上训练",
);
/// Image picker label.
pub const IMAGE: Text = tx("Test image", "测试图像");
/// Previous image.
pub const PREV_IMAGE: Text = tx("Previous image", "上一张图像");
/// Next image.
pub const NEXT_IMAGE: Text = tx("Next image", "下一张图像");
/// True class.
pub const TRUE_CLASS: Text = tx("true class", "真实类别");
/// Predicted class.
pub const PREDICTED: Text = tx("predicted", "预测");
/// The class axis.
pub const CLASS: Text = tx("class", "类别");
pub const MODEL_DOWNLOAD: Text = tx("Download model (.safetensors)", "下载模型（.safetensors）");
pub const MODEL_UPLOAD: Text = tx("Load a model (.safetensors)", "加载模型（.safetensors）");
/// Why Start stopped.
pub const LIMIT: Text = tx(
    "Trained for {n} epochs, the limit — enough for these demonstrations: the comparisons stay readable; much longer training would push more images' losses below what f32 resolves (see the underflow note). Step still takes single steps; loading a model starts again.",
    "已训练 {n} 轮，达到上限，对这些演示已经足够：比较结果仍清晰可读；训练得更久会让更多图像的损失低于 f32 能分辨的精度（见下溢说明）。单步按钮仍可一步一步训练；加载一个模型会重新开始。",
);
/// After a reload.
pub const RESUMED: Text = tx(
    "Taken up where it stood in this browser: step {n}.",
    "已从这个浏览器里保存的位置继续：第 {n} 步。",
);
/// Start again from the seed.
pub const AFRESH: Text = tx("Start afresh", "重新开始");
/// Start from the shipped trained model.
pub const TRAINED: Text = tx("Start from a trained model", "从训练好的模型开始");
/// What that model is.
pub const TRAINED_NOTE: Text = tx(
    "Replaces the live model by one trained with this recipe for 2 epochs on the same 5,000 digits (shipped with the app), so a class does not wait; Start then trains on from it.",
    "把实时模型换成一个用同样方法在同样的 5000 张数字上训练了 2 轮的模型（随应用提供），全班不必等待；之后按“开始”会在它的基础上继续训练。",
);
