//! Every sentence of the fine-tuning lesson, English and Chinese side by side.

use super::protocol::{PhaseKind, Scenario};
use crate::lessons::lesson::Step;
use crate::ui::i18n::{Lang, Text, tx};

/// The six steps of the recipe.
pub const STEPS: [Step; 6] = [
    Step {
        title: tx("Load", "加载"),
        body: tx(
            "Start from a model someone already trained: the shipped MNIST model (97.66 % on MNIST), or a .safetensors file of your own. Before changing anything, we measure it on the new task's held-out examples.",
            "从一个已经训练好的模型开始：随附的 MNIST 模型（在 MNIST 上 97.66 %），或你自己的 .safetensors 文件。在改动任何东西之前，先在新任务的留出样本上测量它。",
        ),
    },
    Step {
        title: tx("Freeze", "冻结"),
        body: tx(
            "Freezing a layer means its weights get no gradient and no update. The early layers keep what they learned; only what we choose will train. Click a lock to freeze or unfreeze a layer.",
            "冻结一层，意味着它的权重不再计算梯度、也不更新。前面的层保留学到的东西，只有我们选中的部分会训练。点击锁来冻结或解冻某一层。",
        ),
    },
    Step {
        title: tx("Replace the head", "替换输出层"),
        body: tx(
            "The output layer (the head) maps the hidden features to the old classes. A new task gets a new head with one output per new class, freshly initialised from the seed.",
            "输出层（头部）把隐藏特征映射到旧的类别。新任务需要一个新的头部：每个新类别一个输出，按随机种子重新初始化。",
        ),
    },
    Step {
        title: tx("Train the head", "训练头部"),
        body: tx(
            "Train only the head, with a small learning rate (the recipe: 0.001, momentum 0.9). Watch the freezing panel: the frozen layer's gradient and weight change stay exactly 0.",
            "只训练头部，使用较小的学习率（配方：0.001，动量 0.9）。看冻结面板：被冻结层的梯度和权重变化始终正好是 0。",
        ),
    },
    Step {
        title: tx("Unfreeze and fine-tune", "解冻并微调"),
        body: tx(
            "Now unfreeze everything and train all layers at a tenth of the learning rate (0.0001), so the early layers adapt gently without forgetting.",
            "现在解冻所有层，用十分之一的学习率（0.0001）训练全部参数，让前面的层温和地适应，而不至于遗忘。",
        ),
    },
    Step {
        title: tx("Repeat and compare", "对比"),
        body: tx(
            "Did transfer help? Train the same network from scratch on the same examples with the same seed and compare the two curves. The verdict below is computed from the measured numbers.",
            "迁移有帮助吗？用同样的样本、同样的随机种子从头训练同一个网络，对比两条曲线。下面的结论由实测数字得出。",
        ),
    },
];

/// Lesson title.
pub const TITLE: Text = tx("Fine-tune a pretrained model", "微调一个预训练模型");
/// Home-page summary.
pub const SUMMARY: Text = tx(
    "Load a trained model, freeze it, replace its output layer, train the head, unfreeze and fine-tune — on your handwriting, another pen, new symbols, clothes or CIFAR-10 vehicles — and compare with training from scratch.",
    "加载训练好的模型，冻结、替换输出层、训练头部、解冻并微调——用你的笔迹、另一支笔、新符号、服装或 CIFAR-10 交通工具——并与从头训练对比。",
);

/// A scenario's name in the picker.
pub fn scenario_name(s: Scenario) -> Text {
    match s {
        Scenario::Handwriting => tx("Your handwriting", "你的笔迹"),
        Scenario::Pen => tx("MNIST with another pen", "换一支笔写的 MNIST"),
        Scenario::Symbols => tx("New symbols", "新符号"),
        Scenario::Clothes => tx("Digits → clothes", "数字 → 服装"),
        Scenario::Cifar => tx("CIFAR-10: animals → vehicles", "CIFAR-10：动物 → 交通工具"),
    }
}

/// What a scenario is about.
pub fn scenario_note(s: Scenario) -> Text {
    match s {
        Scenario::Handwriting => tx(
            "Draw a few examples of each digit below. One in five of your drawings is held out to measure accuracy. Drawings stay in this browser.",
            "在下面为每个数字画几个例子。每五个里留出一个用来测量准确率。画的内容只保存在这个浏览器里。",
        ),
        Scenario::Pen => tx(
            "MNIST redrawn with a thicker pen and moved 1–3 pixels off-centre (a fixed, documented transform). The pretrained model stumbles on it.",
            "用更粗的笔重画并偏离中心 1–3 像素的 MNIST（一个固定且有文档说明的变换）。预训练模型在这里会出错。",
        ),
        Scenario::Symbols => tx(
            "Invent k new classes (✓ ✗ ○, letters…) and draw examples: the head gets k outputs. This is what a new output layer is for.",
            "发明 k 个新类别（✓ ✗ ○、字母……）并画出例子：头部就有 k 个输出。这正是新输出层的用途。",
        ),
        Scenario::Cifar => tx(
            "The classic program: an MLP 3072→512→6 trained on CIFAR-10's six animal classes, fine-tuned to the four vehicles through a new 512→4 head, with random flips and crops (padding 4) done in the gather kernel and mean 0.5 / std 0.5. An MLP on CIFAR is weak, and the numbers show it.",
            "经典流程：一个在 CIFAR-10 六类动物上训练的 3072→512→6 多层感知机，通过新的 512→4 头部微调到四类交通工具；随机翻转和裁剪（填充 4）在数据收集内核里完成，均值 0.5、标准差 0.5。多层感知机在 CIFAR 上本来就弱，数字会如实显示。",
        ),
        Scenario::Clothes => tx(
            "Fashion-MNIST with the digit model: the honest case. With enough examples, features learned on digits barely help clothes, and the numbers will say so.",
            "用数字模型做 Fashion-MNIST：一个诚实的例子。样本足够时，从数字学到的特征对服装几乎没有帮助，数字会说明这一点。",
        ),
    }
}

pub use crate::messages::message;

/// What a kernel launch computed, in the page's language.
pub fn task(task: kernels::engine::Task, lang: crate::ui::i18n::Lang) -> String {
    use crate::ui::i18n::Lang;
    use kernels::engine::Task;
    if lang == Lang::En {
        return task.describe();
    }
    match task {
        Task::Gather => "收集并归一化这一批样本".into(),
        Task::Forward { layer } => format!("fc{} 前向传播（Y = X·Wᵀ + b）", layer + 1),
        Task::Loss => "softmax、交叉熵与 dlogits".into(),
        Task::WeightGradient { layer } => format!("fc{}.weight 的梯度（dW = dYᵀ·X）", layer + 1),
        Task::BiasGradient { layer } => format!("fc{}.bias 的梯度（db = Σ dY）", layer + 1),
        Task::InputGradient { layer } => format!("fc{} 的输入梯度（dX = dY·W）", layer + 1),
        Task::ReluBackward { layer } => format!("fc{} 下方的 ReLU 反向传播", layer + 1),
        Task::Update { layer, bias } => format!(
            "更新 fc{}.{}",
            layer + 1,
            if bias { "bias" } else { "weight" }
        ),
    }
}

/// A phase's name.
pub fn phase_name(p: Option<PhaseKind>) -> Text {
    match p {
        None => tx("not training", "未在训练"),
        Some(PhaseKind::Head) => tx("training the head", "正在训练头部"),
        Some(PhaseKind::Full) => tx("fine-tuning everything", "正在微调全部参数"),
        Some(PhaseKind::Scratch) => tx("training from scratch", "正在从头训练"),
    }
}

/// The comparison's verdict, from the measured accuracies (fractions) and the examples' count.
pub fn verdict(lang: Lang, tuned: f32, scratch: f32, examples: usize) -> String {
    let (a, b) = (100.0 * tuned, 100.0 * scratch);
    let d = a - b;
    match (lang, d) {
        (Lang::En, d) if d >= 1.0 => format!(
            "Transfer helped: fine-tuning reached {a:.1} %, training from scratch {b:.1} % on the same {examples} examples and seed — {d:.1} points better."
        ),
        (Lang::En, d) if d <= -1.0 => format!(
            "Transfer did not help here: fine-tuning reached {a:.1} %, training from scratch {b:.1} % on the same {examples} examples and seed — {:.1} points worse.",
            -d
        ),
        (Lang::En, _) => format!(
            "About the same: fine-tuning {a:.1} %, from scratch {b:.1} % on the same {examples} examples and seed (within one point)."
        ),
        (Lang::Zh, d) if d >= 1.0 => format!(
            "迁移有帮助：在同样的 {examples} 个样本和随机种子下，微调达到 {a:.1} %，从头训练 {b:.1} %，高出 {d:.1} 个百分点。"
        ),
        (Lang::Zh, d) if d <= -1.0 => format!(
            "这里迁移没有帮助：在同样的 {examples} 个样本和随机种子下，微调达到 {a:.1} %，从头训练 {b:.1} %，低了 {:.1} 个百分点。",
            -d
        ),
        (Lang::Zh, _) => format!(
            "差不多：在同样的 {examples} 个样本和随机种子下，微调 {a:.1} %，从头训练 {b:.1} %（相差不到一个百分点）。"
        ),
    }
}

/// Labels of the panels and controls.
pub mod ui {
    use crate::ui::i18n::{Text, tx};

    /// "Scenario".
    pub const SCENARIO: Text = tx("Scenario", "场景");
    /// Import.
    pub const IMPORT: Text = tx(
        "…or pick or drop a .safetensors file (PyTorch names, F32/F16/BF16/F64)",
        "……或选择/拖入一个 .safetensors 文件（PyTorch 命名，F32/F16/BF16/F64）",
    );
    /// Export.
    pub const EXPORT: Text = tx(
        "Download the model (.safetensors)",
        "下载模型（.safetensors）",
    );
    /// Pretrained accuracy.
    pub const PRETRAINED: Text = tx(
        "Pretrained model on the new task's held-out examples",
        "预训练模型在新任务留出样本上的准确率",
    );
    /// Data line.
    pub const DATA: Text = tx("Examples", "样本");
    /// Training examples.
    pub const TRAIN: Text = tx("for training", "用于训练");
    /// Held-out examples.
    pub const HELD_OUT: Text = tx("held out", "留出");
    /// Trainable count.
    pub const TRAINABLE: Text = tx("Trainable parameters", "可训练参数");
    /// Frozen count.
    pub const FROZEN: Text = tx("Frozen parameters", "冻结参数");
    /// Freeze body.
    pub const FREEZE_BODY: Text = tx("Freeze everything but the head", "冻结头部以外的所有层");
    /// Lock label.
    pub const LOCKED: Text = tx("frozen", "已冻结");
    /// Unlock label.
    pub const UNLOCKED: Text = tx("trainable", "可训练");
    /// The head's shape.
    pub const HEAD_SHAPE: Text = tx("Output layer", "输出层");
    /// "classes" after a count.
    pub const CLASSES: Text = tx("classes", "个类别");
    /// Replace button.
    pub const REPLACE: Text = tx("Replace the head", "替换头部");
    /// Same classes note.
    pub const SAME_CLASSES: Text = tx(
        "Same classes as the pretrained head: you may keep it (it already knows the digits) or replace it, as the recipe does for a new task. Try both and compare in step 6.",
        "类别与预训练头部相同：可以保留（它已经认识这些数字），也可以像新任务的配方那样替换它。两种都试试，并在第 6 步对比。",
    );
    /// Learning rate.
    pub const LR: Text = tx("Learning rate", "学习率");
    /// Momentum.
    pub const MOMENTUM: Text = tx("Momentum", "动量");
    /// Epochs.
    pub const EPOCHS: Text = tx("Epochs", "轮次");
    /// Train head button.
    pub const TRAIN_HEAD: Text = tx("Train the head", "训练头部");
    /// Train full.
    pub const TRAIN_FULL: Text = tx("Unfreeze and fine-tune everything", "解冻并微调全部");
    /// Train scratch.
    pub const TRAIN_SCRATCH: Text = tx("Train the same network from scratch", "从头训练同一个网络");
    /// Pause.
    pub const PAUSE: Text = tx("Pause", "暂停");
    /// Phase.
    pub const PHASE: Text = tx("Phase", "阶段");
    /// Accuracy.
    pub const ACCURACY: Text = tx("Accuracy on held-out examples", "留出样本上的准确率");
    /// Scratch accuracy.
    pub const SCRATCH_ACCURACY: Text = tx("From scratch", "从头训练");
    /// Chart title.
    pub const CHART: Text = tx(
        "Held-out accuracy per epoch: pretrained → head → everything (red), from scratch (blue)",
        "每轮留出准确率：预训练 → 头部 → 全部（红），从头训练（蓝）",
    );
    /// Freezing panel title.
    pub const FREEZING: Text = tx("Freezing, made visible", "看得见的冻结");
    /// Freezing panel columns.
    pub const COLUMNS: [Text; 5] = [
        tx("tensor", "张量"),
        tx("values", "数量"),
        tx("‖gradient‖ (last step)", "‖梯度‖（上一步）"),
        tx("‖ΔW‖ since the phase began", "本阶段开始以来的 ‖ΔW‖"),
        tx("‖momentum buffer‖", "‖动量缓冲‖"),
    ];
    /// fc1's fingerprint.
    pub const FINGERPRINT: Text = tx(
        "fc1.weight fingerprint (FNV-1a of the weights read back from the engine)",
        "fc1.weight 指纹（从引擎读回的权重的 FNV-1a 值）",
    );
    /// Kernel list title.
    pub const KERNELS: Text = tx(
        "Kernels of the last step, with their share of its arithmetic (a frozen layer's weight gradient and the input gradients below the lowest trainable layer are never launched)",
        "上一步运行的内核及其计算量占比（冻结层的权重梯度、以及最低可训练层以下的输入梯度根本不会被启动）",
    );
    /// The dispatch count above the kernel list; `{n}` is the count.
    pub const DISPATCHES: Text = tx(
        "{n} dispatches a step on the GPU engine: rows with the same # run fused in one dispatch",
        "GPU 引擎每步 {n} 次调度：编号 # 相同的行在同一次融合调度中运行",
    );
    /// PyTorch column.
    pub const PYTORCH: Text = tx("What you would write in PyTorch", "在 PyTorch 里你会这样写");
    /// Engine column.
    pub const OURS: Text = tx(
        "What this engine does: a frozen tensor is skipped when the step is encoded — no gradient kernel, no update kernel, its optimiser state untouched.",
        "本引擎的做法：编码每一步时直接跳过冻结的张量——没有梯度内核、没有更新内核，优化器状态不变。",
    );
    /// Drawing: add.
    pub const ADD: Text = tx("Add this drawing", "添加这幅画");
    /// Drawing: undo.
    pub const UNDO: Text = tx("Undo the last", "撤销上一个");
    /// Drawing: clear canvas.
    pub const CLEAR: Text = tx("Clear", "清除");
    /// Drawing: use.
    pub const USE: Text = tx("Use these drawings", "使用这些画");
    /// Drawing: forget.
    pub const FORGET: Text = tx("Delete all drawings", "删除所有画");
    /// Drawing: need more.
    pub const NEED_MORE: Text = tx(
        "Every class needs at least 2 drawings (one is held out).",
        "每个类别至少需要 2 幅画（其中一幅留出）。",
    );
    /// Class names.
    pub const CLASS_NAMES: Text = tx("Class names (comma-separated)", "类别名称（用逗号分隔）");
    /// Not loaded yet.
    pub const WAITING: Text = tx("Loading…", "加载中…");
    /// Drawn scenario before any drawing is used.
    pub const NO_EXAMPLES: Text = tx("– (draw examples first)", "–（请先画几个样本）");
    /// Before the comparison.
    pub const COMPARE_FIRST: Text = tx(
        "Train the head (step 4), fine-tune (step 5) and train from scratch to see the verdict.",
        "先训练头部（第 4 步）、微调（第 5 步），再从头训练，就能看到结论。",
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kernel_task_reads_in_chinese() {
        use kernels::engine::{OptimizerKind, StepShape};
        let shape = StepShape {
            rows: 8,
            optimizer: OptimizerKind::Sgd,
            widths: vec![784, 512, 10],
            frozen: vec![(false, false), (false, false)],
        };
        let launches = shape.launches();
        assert_eq!(launches.len(), 14);
        for l in launches {
            let zh = task(l.task, Lang::Zh);
            assert_eq!(task(l.task, Lang::En), l.purpose);
            assert!(
                zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{zh}"
            );
        }
    }

    #[test]
    fn the_verdict_follows_the_numbers() {
        assert!(verdict(Lang::En, 0.8, 0.6, 40).starts_with("Transfer helped"));
        assert!(verdict(Lang::En, 0.8, 0.6, 40).contains("20.0 points better"));
        assert!(verdict(Lang::En, 0.5, 0.7, 40).starts_with("Transfer did not help"));
        assert!(verdict(Lang::En, 0.5, 0.505, 40).starts_with("About the same"));
        assert!(verdict(Lang::Zh, 0.8, 0.6, 40).starts_with("迁移有帮助"));
    }
}
