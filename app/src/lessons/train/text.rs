//! Every sentence of "Train a network" in English and Chinese. A missing translation does not compile
//! (a `Text` needs both); `ui::i18n`'s test fails on an empty or untranslated one.

use kernels::ops::linear::GemmVariant;

use crate::ui::i18n::{Lang, Text, tx};
use kernels::Optimizer;

pub const STARTING: Text = tx("Starting the engine…", "正在启动计算引擎…");
pub const LOOP: Text = tx("The training loop", "训练循环");
/// The GPU engine's details: `{n}` is the dispatch count.
pub const DISPATCHES: Text = tx(
    "{n} GPU dispatches a training step; matrix-product kernels timed on this device",
    "每个训练步 {n} 次 GPU 调度；矩阵乘内核在本设备上计时选出",
);
pub const TIMING: Text = tx(
    "Timing the matrix-product kernels on this device…",
    "正在本设备上为矩阵乘内核计时…",
);
pub const FORWARD: Text = tx("forward", "前向");
pub const GRAD_WEIGHT: Text = tx("weight gradient", "权重梯度");
pub const GRAD_INPUT: Text = tx("input gradient", "输入梯度");
pub const TILED: Text = tx("tiled (workgroup memory)", "分块（工作组共享内存）");
pub const REGISTERS: Text = tx("register-blocked", "寄存器分块");
pub const WIDE: Text = tx(
    "wide register-blocked (rows shared by the workgroup)",
    "宽寄存器分块（工作组共享行）",
);
pub const SPLIT: Text = tx(
    "split-K (K in 4 slices, then a sum: two dispatches)",
    "K 拆分（K 分成 4 段再求和：两次调度）",
);
pub const NOT_TIMED: Text = tx("not timed", "未计时");

/// A matrix-product variant's name.
pub fn variant(v: GemmVariant) -> Text {
    match v {
        GemmVariant::Tiled => TILED,
        GemmVariant::Registers => REGISTERS,
        GemmVariant::Wide => WIDE,
        GemmVariant::Split => SPLIT,
    }
}

/// One matrix product and its chosen kernel, e.g. `fc1 forward 64×512×784: register-blocked 7.7 ms
/// (tiled (workgroup memory) 25.5 ms; wide register-blocked … 7.9 ms)`.
pub fn gemm_choice(g: &super::protocol::GemmChoice, lang: Lang) -> String {
    use kernels::GemmProduct;
    let product = match g.product {
        GemmProduct::Forward => FORWARD,
        GemmProduct::GradWeight => GRAD_WEIGHT,
        GemmProduct::GradInput => GRAD_INPUT,
    };
    let [m, n, k] = g.shape;
    let ms = |v: GemmVariant| {
        let at = GemmVariant::ALL.iter().position(|&x| x == v);
        at.and_then(|i| g.ms.get(i).copied().flatten()).map_or_else(
            || NOT_TIMED.get(lang).to_string(),
            |ms| format!("{ms:.1} ms"),
        )
    };
    let others: Vec<String> = GemmVariant::ALL
        .iter()
        .filter(|&&v| v != g.chosen)
        .map(|&v| format!("{} {}", variant(v).get(lang), ms(v)))
        .collect();
    format!(
        "fc{} {} {m}×{n}×{k}: {} {} ({})",
        g.layer + 1,
        product.get(lang),
        variant(g.chosen).get(lang),
        ms(g.chosen),
        others.join("; ")
    )
}

/// The loop's six stages: (name, what it does).
/// The outline's row whose text is the running optimiser's rule.
pub const UPDATE_ROW: usize = 4;

pub const OUTLINE: [(Text, Text); 6] = [
    (
        tx("Initialise", "初始化"),
        tx(
            "weights uniform in ±1/√fan_in, from the seed",
            "按随机种子，权重在 ±1/√fan_in 内均匀初始化",
        ),
    ),
    (
        tx("Forward", "前向传播"),
        tx(
            "x = (pixel/255 − 0.1307)/0.3081 (the article's Normalize); h = ReLU(x·W₁ᵀ + b₁), logits = h·W₂ᵀ + b₂",
            "x = (像素/255 − 0.1307)/0.3081（原文的 Normalize）；h = ReLU(x·W₁ᵀ + b₁)，logits = h·W₂ᵀ + b₂",
        ),
    ),
    (
        tx("Loss", "损失"),
        tx(
            "cross-entropy, the mean over the batch of B images: L = (1/B)·Σ −log softmax(logits)[label]",
            "交叉熵，对一个批次的 B 张图像取平均：L = (1/B)·Σ −log softmax(logits)[标签]",
        ),
    ),
    (
        tx("Gradients", "梯度"),
        tx(
            "backpropagation, one row per image: δ² = (softmax − onehot)/B, dW₂ = δ²ᵀ·h, db₂ = Σ_rows δ², δ¹ = (δ²·W₂) ⊙ ReLU′(z¹), dW₁ = δ¹ᵀ·x",
            "反向传播，每张图像一行：δ² = (softmax − onehot)/B，dW₂ = δ²ᵀ·h，db₂ = Σ_行 δ²，δ¹ = (δ²·W₂) ⊙ ReLU′(z¹)，dW₁ = δ¹ᵀ·x",
        ),
    ),
    (
        tx("Update", "更新"),
        // Replaced on the page by the running optimiser's rule (`update_rule`).
        tx("the optimiser's rule", "优化器的更新规则"),
    ),
    (
        tx("Repeat", "重复"),
        tx(
            "next batch; a new shuffle every epoch",
            "下一批次；每个轮次重新打乱",
        ),
    ),
];
pub const CONTROLS: Text = tx("Controls", "控制");
pub const START: Text = tx("Start", "开始");
pub const PAUSE: Text = tx("Pause", "暂停");
pub const PAUSING: Text = tx("Pausing…", "正在暂停…");
pub const RESUME: Text = tx("Resume", "继续");
pub const FINISHED: Text = tx("Finished", "已完成");
pub const STEP: Text = tx("Step", "单步");
pub const RESET: Text = tx("Reset", "重置");
pub const KEYS: Text = tx(
    "Keys: space start/pause · s step · r reset. Learning rate and momentum apply at once; the rest on Reset.",
    "快捷键：空格 开始/暂停 · s 单步 · r 重置。学习率和动量立即生效，其余设置在重置后生效。",
);
pub const SGD: Text = tx("SGD", "SGD（随机梯度下降）");
pub const SGD_MOMENTUM: Text = tx("SGD + momentum", "SGD + 动量");
pub const ADAM: Text = tx("Adam", "Adam（自适应矩估计）");

/// The row of the outline that the running optimiser's update follows (PyTorch's forms; g is the
/// gradient of the mean loss, lr the learning rate). The lesson offers SGD, momentum and Adam
/// (`setup::OPTIMIZERS`; the URL reader refuses the rest): any other reads as its nearest of the three.
pub fn update_rule(o: Optimizer) -> Text {
    match o {
        Optimizer::Sgd | Optimizer::Adagrad => tx("SGD: w ← w − lr·g", "SGD：w ← w − lr·g"),
        Optimizer::Momentum | Optimizer::Nesterov => tx(
            "SGD with momentum (PyTorch's form): v ← μ·v + g, w ← w − lr·v",
            "带动量的 SGD（PyTorch 的写法）：v ← μ·v + g，w ← w − lr·v",
        ),
        Optimizer::Adam | Optimizer::AdamW | Optimizer::Rmsprop => tx(
            "Adam: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², w ← w − lr·m̂/(√v̂ + ε) with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ)",
            "Adam：m ← β₁m + (1−β₁)g，v ← β₂v + (1−β₂)g²，w ← w − lr·m̂/(√v̂ + ε)，其中 m̂ = m/(1−β₁ᵗ)，v̂ = v/(1−β₂ᵗ)",
        ),
    }
}

/// Beside a setting the chosen optimiser does not use.
pub const NOT_APPLICABLE: Text = tx(
    "not used by this optimiser (plain SGD has no momentum; Adam's β₁ = 0.9 is fixed)",
    "这个优化器不使用它（普通 SGD 没有动量；Adam 的 β₁ = 0.9 是固定的）",
);
/// Beside the optimiser.
pub const USUAL_LR: Text = tx(
    "A new optimiser starts at its usual rate (unless you changed the rate by hand): 0.01 for SGD (the seed recipe), 0.001 for Adam (PyTorch's default). Both apply on Reset. One rate for both is not a fair comparison.",
    "换优化器时学习率会换成它常用的值（除非你手动改过学习率）：SGD 为 0.01（种子流程），Adam 为 0.001（PyTorch 默认值）。两者都在重置后生效。用同一个学习率比较两者并不公平。",
);
/// Beside a form value the running model does not use yet: `{run}` is the run's own value.
pub const PENDING: Text = tx(
    "applies on Reset — this run uses {run}",
    "重置后生效——本次运行使用 {run}",
);

/// An optimiser's name in the form (of the three the lesson offers; any other reads as its nearest).
pub fn optimizer(o: Optimizer) -> Text {
    match o {
        Optimizer::Sgd | Optimizer::Adagrad => SGD,
        Optimizer::Momentum | Optimizer::Nesterov => SGD_MOMENTUM,
        Optimizer::Adam | Optimizer::AdamW | Optimizer::Rmsprop => ADAM,
    }
}
pub const PROGRESS: Text = tx("Progress", "进度");
pub const STEPS: Text = tx("Steps", "步数");
pub const EPOCH: Text = tx("Epoch", "轮次");
pub const LOSS: Text = tx("Loss", "损失");
/// The dashboard's accuracy: on the validation set, for watching and steering.
pub const VAL_ACCURACY: Text = tx("Validation accuracy", "验证准确率");
/// Under the accuracy chart.
pub const VAL_NOTE: Text = tx(
    "Measured on the validation set — training images set aside, never trained on — so it may guide your changes. The test set is measured once, when the run ends.",
    "在验证集上测得——留出、从不参与训练的训练图像——所以可以用它来指导你的调整。测试集只在运行结束时测一次。",
);
/// Under the accuracy chart when the run started from a loaded model: its validation images may have
/// been its training images elsewhere (the concept lessons' live model trained on the first 5,000).
pub const VAL_NOTE_LOADED: Text = tx(
    "Measured on the validation set — training images this run has not trained on. This run started from a loaded model, which may have been trained on these images elsewhere: the validation accuracy is an honest held-out figure only for runs trained from scratch here. The test set is measured once, when the run ends.",
    "在验证集上测得——本次运行没有用来训练的训练图像。本次运行从载入的模型开始，该模型可能在别处用这些图像训练过：只有在本页从头训练的运行，其验证准确率才是真正的留出数据结果。测试集只在运行结束时测一次。",
);

/// The note under the accuracy chart: `loaded` when the run started from a loaded model.
pub fn val_note(loaded: bool) -> Text {
    if loaded { VAL_NOTE_LOADED } else { VAL_NOTE }
}

pub const VALIDATION: Text = tx("Validation", "验证集");

/// The validation split in the progress panel (`loaded`: the run started from a loaded model, which
/// may have trained on them elsewhere).
pub fn validation_split(n: usize, loaded: bool, lang: Lang) -> String {
    match (lang, loaded) {
        (Lang::En, false) => format!("the first {n} training images (never trained on)"),
        (Lang::Zh, false) => format!("前 {n} 张训练图像（从不参与训练）"),
        (Lang::En, true) => format!(
            "the first {n} training images (not trained on in this run; the loaded model may have been)"
        ),
        (Lang::Zh, true) => {
            format!("前 {n} 张训练图像（本次运行没有用它们训练；载入的模型可能用它们训练过）")
        }
    }
}

/// The finished run on the test set, measured once.
pub fn test_final(accuracy: f32, loss: f32, images: usize, step: u64, lang: Lang) -> String {
    let pct = crate::ui::i18n::percent(lang, f64::from(accuracy), 2);
    match lang {
        Lang::En => format!(
            "Test accuracy {pct} (loss {loss:.4}) on {images} test images — measured once, when the run ended at step {step}; no choice was made on it."
        ),
        Lang::Zh => format!(
            "测试准确率 {pct}（损失 {loss:.4}），在 {images} 张测试图像上——只在运行于第 {step} 步结束时测了一次；没有任何选择依据它。"
        ),
    }
}

/// A refused setting: what was typed, the rule, and that the run keeps its last accepted value.
pub fn out_of_range(key: &str, typed: &str, lang: Lang) -> String {
    let rule = match (key, lang) {
        ("lr", Lang::En) => "learning rate: 0 < lr ≤ 10",
        ("lr", Lang::Zh) => "学习率：0 < lr ≤ 10",
        ("momentum", Lang::En) => "momentum: 0 ≤ momentum < 1",
        ("momentum", Lang::Zh) => "动量：0 ≤ 动量 < 1",
        ("batch", Lang::En) => "batch size: a whole number from 1 to 1024",
        ("batch", Lang::Zh) => "批大小：1 到 1024 之间的整数",
        ("epochs", Lang::En) => "epochs: a whole number from 1 to 100",
        ("epochs", Lang::Zh) => "轮次：1 到 100 之间的整数",
        ("seed", Lang::En) => "seed: a whole number ≥ 0",
        ("seed", Lang::Zh) => "随机种子：不小于 0 的整数",
        ("hidden", Lang::En) => {
            "hidden widths: 1 to 4 whole numbers separated by commas, each from 1 to 2048"
        }
        ("hidden", Lang::Zh) => "隐藏层宽度：1 到 4 个用逗号分隔的整数，每个在 1 到 2048 之间",
        (_, Lang::En) => "a value this setting accepts",
        (_, Lang::Zh) => "此设置接受的值",
    };
    match lang {
        Lang::En => {
            format!("Out of range: “{typed}” — {rule}. The run keeps the last accepted value.")
        }
        Lang::Zh => format!("超出范围：“{typed}”——{rule}。运行仍使用上一次接受的值。"),
    }
}
pub const SPEED: Text = tx("Speed", "速度");
pub const DATA: Text = tx("Data", "数据");
/// The epoch's progress bar.
pub const EPOCH_PROGRESS: Text = tx("This epoch", "本轮进度");
/// The data-loading progress bar.
pub const DATA_PROGRESS: Text = tx("Data loaded", "数据加载进度");
pub const SAMPLES_PER_SECOND: Text = tx("samples/s", "样本/秒");
pub const TRAIN: Text = tx("train", "训练");
pub const TEST: Text = tx("test", "测试");
pub const LOSS_PER_STEP: Text = tx("Training loss per step", "每一步的训练损失");
pub const FIRST_LAYER: Text = tx("First-layer weights", "第一层权重");
pub const TILES: Text = tx(
    "Each tile is one hidden unit's 784 weights as a 28×28 image: red positive, blue negative.",
    "每个小图是一个隐藏单元的 784 个权重（28×28）：红色为正，蓝色为负。",
);
pub const CONFUSION: Text = tx("Confusion matrix (validation set)", "混淆矩阵（验证集）");
pub const DRAW: Text = tx("Draw a digit", "手写一个数字");
pub const CREDITS: Text = tx(
    "MNIST: LeCun, Cortes, Burges (CC BY-SA 3.0). Every number from the model on this page is computed live.",
    "MNIST：LeCun、Cortes、Burges（CC BY-SA 3.0）。本页上来自模型的每个数字都是实时算出的。",
);
pub const AVERAGES: Text = tx(
    "avg of the first 10 steps {first}, of the last 10 {last}",
    "前 10 步平均 {first}，最近 10 步平均 {last}",
);
pub const MEMORY: Text = tx(
    "wasm memory: page {page}, worker {worker}",
    "wasm 内存：页面 {page}，工作线程 {worker}",
);
pub const LOSE_DEVICE: Text = tx("Lose the GPU device (debug)", "丢失 GPU 设备（调试）");
pub const POISON: Text = tx(
    "Put a NaN into the model (debug)",
    "往模型里放一个 NaN（调试）",
);
pub const MODEL_DOWNLOAD: Text = tx("Download model (.safetensors)", "下载模型（.safetensors）");
pub const MODEL_UPLOAD: Text = tx("Load a model (.safetensors)", "加载模型（.safetensors）");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_survive_translation_and_a_gemm_choice_reads_in_both_languages() {
        // The placeholders survive translation.
        assert!(AVERAGES.zh.contains("{first}") && AVERAGES.zh.contains("{last}"));
        assert!(MEMORY.zh.contains("{page}") && MEMORY.zh.contains("{worker}"));
        assert!(DISPATCHES.zh.contains("{n}"));
        assert!(PENDING.en.contains("{run}") && PENDING.zh.contains("{run}"));
        // Every form field has its own rule in both languages.
        for key in ["lr", "momentum", "batch", "epochs", "seed", "hidden"] {
            let en = out_of_range(key, "1000", Lang::En);
            let zh = out_of_range(key, "1000", Lang::Zh);
            assert!(
                !en.contains("a value this setting") && en.contains("1000"),
                "{en}"
            );
            assert!(!zh.contains("此设置接受") && zh.contains("1000"), "{zh}");
        }
        assert!(out_of_range("lr", "1000", Lang::En).contains("0 < lr ≤ 10"));
        let g = super::super::protocol::GemmChoice {
            layer: 0,
            product: kernels::GemmProduct::Forward,
            shape: [64, 512, 784],
            chosen: GemmVariant::Registers,
            ms: vec![Some(162.0), Some(17.04), None, Some(20.0)],
        };
        assert_eq!(
            gemm_choice(&g, Lang::En),
            "fc1 forward 64×512×784: register-blocked 17.0 ms (tiled (workgroup memory) 162.0 ms; \
             wide register-blocked (rows shared by the workgroup) not timed; \
             split-K (K in 4 slices, then a sum: two dispatches) 20.0 ms)"
        );
        let zh = gemm_choice(&g, Lang::Zh);
        assert!(
            zh.contains("前向")
                && zh.contains("寄存器分块")
                && zh.contains("分块（工作组共享内存）"),
            "{zh}"
        );
    }
}
