//! Every sentence of the fine-tuning lesson, English and Chinese side by side.

use super::protocol::{PhaseKind, Scenario};
use super::verdict::{Arm, MIN_HELD_OUT, Verdict};
use crate::lessons::lesson::Step;
use crate::ui::i18n::{Lang, Text, tx};

/// The six steps of the recipe.
pub const STEPS: [Step; 6] = [
    Step {
        title: tx("Load", "加载"),
        body: tx(
            "Start from a model someone already trained — the scenario below names the shipped one — or a .safetensors file of your own. Before changing anything, we measure it on the new task's held-out examples: images kept out of training and used only to measure.",
            "从一个已经训练好的模型开始——下面的场景会说明自带的是哪个——或你自己的 .safetensors 文件。在改动任何东西之前，先在新任务的留出样本上测量它：留出样本不参与训练，只用来测量。",
        ),
        notes: tx(
            "Ask: will a model trained on clean MNIST read a thicker, shifted pen? Read the untouched accuracy aloud: it is the baseline the tuned model must beat.",
            "提问：在干净的 MNIST 上训练的模型，能读懂更粗、偏移的笔迹吗？大声读出未经改动的准确率：这是微调后的模型必须超过的基线。",
        ),
    },
    Step {
        title: tx("Freeze", "冻结"),
        body: tx(
            "Freezing a layer means its weights get no gradient and no update. The locks show what freezing means and count the parameters. As in the article's code, the head phase (step 4) freezes every layer below the head, and step 5 unfreezes them all.",
            "冻结一层，意味着它的权重不再计算梯度、也不更新。这些锁展示冻结的含义，并统计参数个数。和原文的代码一样，分类头阶段（第 4 步）会冻结分类头以下的所有层，第 5 步再把它们全部解冻。",
        ),
        notes: tx(
            "Click the padlocks: the counts of trainable and frozen parameters change. Ask which tensors will get a gradient in the head phase before anyone trains (only fc2's). The zeroing toggle shows a common PyTorch trap.",
            "点击挂锁：可训练参数和冻结参数的数量会变。在任何人训练之前先问：分类头阶段哪些张量会得到梯度？（只有 fc2 的。）清零梯度的开关展示了一个常见的 PyTorch 陷阱。",
        ),
    },
    Step {
        title: tx("Replace the head", "替换输出层"),
        body: tx(
            "The output layer (the head) maps the hidden features to the old classes. A new task gets a new head with one output per new class, freshly initialised from the seed.",
            "输出层（分类头）把隐藏特征映射到旧的类别。新任务需要一个新的分类头：每个新类别一个输出，按随机种子重新初始化。",
        ),
        notes: tx(
            "With the same ten digits a new head throws away what the old one knew; with new classes it is needed. Discuss before pressing.",
            "类别仍是同样的十个数字时，新的分类头会丢掉旧分类头已知的东西；类别变了时才需要它。按下按钮之前先讨论。",
        ),
    },
    Step {
        title: tx("Train the head", "训练分类头"),
        body: tx(
            "Train only the head, at the article's rate of 0.001 (momentum 0.9): smaller than training from scratch (0.01 in \"Train a network\"). The small rate matters once the pretrained weights are unfrozen; a brand-new head often tolerates more. Each arm runs at a default, untuned rate: try the head at 0.01 before concluding. This phase freezes every layer below the head, whatever the locks show. Watch the freezing panel: the frozen layer gets no gradient at all and its weights do not move (unless you ticked step 2's zeroing trap).",
            "只训练分类头，使用原文的学习率 0.001（动量 0.9）：比从头训练时小（“训练一个神经网络”中是 0.01）。小学习率在解冻预训练权重之后才真正重要；全新的分类头通常能承受更大的学习率。每一组都用默认的、未经调优的学习率：下结论之前，先试试把分类头的学习率设为 0.01。无论锁显示什么，这个阶段都会冻结分类头以下的所有层。看冻结面板：被冻结的层根本不计算梯度，权重也不动（除非你勾选了第 2 步的清零梯度陷阱）。",
        ),
        notes: tx(
            "Train the head: fc1's fingerprint must not change (it is frozen); ‖ΔW‖ of fc2 grows. Watch the chart's red line.",
            "训练分类头：fc1 的指纹不应改变（它被冻结了）；fc2 的 ‖ΔW‖ 增大。观察图中的红线。",
        ),
    },
    Step {
        title: tx("Unfreeze and fine-tune", "解冻并微调"),
        body: tx(
            "Now unfreeze everything and train all layers at a tenth of the learning rate (0.0001), so the early layers adapt with less forgetting of what they learned.",
            "现在解冻所有层，用十分之一的学习率（0.0001）训练全部参数，让前面的层缓慢适应，减少遗忘（灾难性遗忘）。",
        ),
        notes: tx(
            "Unfreeze and fine-tune at a ten times smaller rate: fc1 starts to move. Ask why the rate is small.",
            "解冻并以小十倍的学习率微调：fc1 开始移动。问为什么学习率要小。",
        ),
    },
    Step {
        title: tx("Repeat and compare", "重复并对比"),
        body: tx(
            "The article's step 6 repeats steps 4–5 until the model converges: the early-stopping setting on each phase's form can do that on a validation split carved from the training examples: set a patience above 0 (it is off by default). Here \"repeat\" also means rerunning with other seeds. Did transfer help? Three arms on the same held-out examples: the pretrained model untouched, the fine-tuned one, and the same network trained from scratch on the same examples and seed, at its own rate. The verdict below is computed from the measured numbers, with a band for how many examples are held out.",
            "原文第 6 步是重复第 4–5 步直到模型收敛：每个阶段表单上的早停设置可以在从训练样本中划出的验证集上做这件事：把耐心轮数设为大于 0（默认关闭）。这里的“重复”也指换随机种子重跑。迁移有帮助吗？在同样的留出样本上比较三组：未改动的预训练模型、微调后的模型，以及用同样的样本和随机种子、以自己的学习率从头训练的同一个网络。下面的结论由实测数字得出，并按留出样本数给出误差带。",
        ),
        notes: tx(
            "Ask the class to predict the winner before training from scratch; the verdict names the held-out count and its band. With time left, rerun with 3 seeds: does the verdict hold?",
            "在从头训练之前先让全班预测谁会赢；结论会给出留出样本数和误差带。如果还有时间，用 3 个随机种子重跑：结论还成立吗？",
        ),
    },
];

/// Lesson title.
pub const TITLE: Text = tx("Fine-tune a pretrained model", "微调一个预训练模型");
/// Home-page summary.
pub const SUMMARY: Text = tx(
    "Reuse a trained network for a new task: keep what it learned, give it a new last layer, train that first and then everything gently — on another pen, your handwriting, new symbols, clothes or photos of vehicles — and find out honestly whether it beat starting from nothing.",
    "把训练好的网络用到新任务上：保留它学到的东西，给它换一个新的最后一层，先训练这一层，再轻轻地训练全部——用另一支笔、你的笔迹、新符号、服装或交通工具的照片——并诚实地看看它是否胜过从零开始。",
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
            "Draw a few examples of each digit below. The 2nd, 5th, 10th, 15th… drawing of each class is held out (kept out of training, used only to measure accuracy). Drawings stay in this browser.",
            "在下面为每个数字画几个例子。每个类别的第 2、5、10、15……个画作会被留出（不参与训练，只用来测量准确率）。画的内容只保存在这个浏览器里。",
        ),
        Scenario::Pen => tx(
            "MNIST redrawn with a thicker pen and moved 1–3 pixels off-centre (a fixed, documented transform). The pretrained model stumbles on it.",
            "用更粗的笔重画并偏离中心 1–3 像素的 MNIST（一个固定且有文档说明的变换）。预训练模型在这里会出错。",
        ),
        Scenario::Symbols => tx(
            "Invent k new classes (✓ ✗ ○, letters…) and draw examples: the head gets k outputs. This is what a new output layer is for.",
            "自定义 k 个新类别（✓ ✗ ○、字母……）并画出例子：分类头就有 k 个输出。这正是新输出层的用途。",
        ),
        Scenario::Cifar => tx(
            "A stand-in for the article's §5.2 program, not a scaled copy of it: the article does not say what its model is (the code loads pretrained_model.pth and replaces a .fc with 512 inputs, which suggests a torchvision ResNet-18, perhaps trained on ImageNet); here an MLP 3072→512→6 trained on CIFAR-10's six animal classes stands in, fine-tuned to the four vehicles through a new 512→4 head, with random flips and crops (padding 4) done in the gather kernel and mean 0.5 / std 0.5. Step 6 measures what its animal features are worth: the head alone on them against chance (1/4), and against a fresh network trained on the same vehicle images. Whatever it shows is about this small MLP, not evidence about transfer on CIFAR.",
            "原文 §5.2 流程的一个替代品，而不是它的缩小版：原文没有说明它的模型是什么（代码加载 pretrained_model.pth，并替换一个输入为 512 的 .fc 层，这暗示它是 torchvision 的 ResNet-18，可能在 ImageNet 上训练过）；这里用一个在 CIFAR-10 六类动物上训练的 3072→512→6 多层感知机代替，通过新的 512→4 分类头微调到四类交通工具；随机翻转和裁剪（填充 4）在 gather 内核（按索引取一批样本）里完成，均值 0.5、标准差 0.5。第 6 步会测量这些动物特征的价值：只训练分类头时与随机猜测（1/4）相比如何，以及与在同样的交通工具图像上从头训练的新网络相比如何。无论结果如何，它只说明这个小小的多层感知机，并不是关于 CIFAR 上迁移学习的证据。",
        ),
        Scenario::Clothes => tx(
            "Fashion-MNIST with the digit model: the honest case. With enough examples, features learned on digits may barely help clothes, and the numbers will say so.",
            "用数字模型做 Fashion-MNIST，这是一个如实呈现结果的例子：样本足够多时，从数字学到的特征对服装可能几乎没有帮助，测得的数值会如实说明这一点。",
        ),
    }
}

/// The cited CIFAR-10 animals accuracy ([`crate::cited::CIFAR_ANIMALS_MLP`]) to one decimal, the test
/// images it was measured on and its 95 % band in points, as literals for `concat!` (a test checks
/// them against the cited row).
macro_rules! cifar_animals {
    (accuracy) => {
        "41.7"
    };
    (images) => {
        "593"
    };
    (band) => {
        "4.0"
    };
}

/// The shipped model a scenario starts from.
pub fn scenario_model(s: Scenario) -> Text {
    match s {
        Scenario::Cifar => tx(
            concat!(
                "Pretrained model: the shipped CIFAR-10 animals MLP, 3072→512→6 (",
                cifar_animals!(accuracy),
                " % on ",
                cifar_animals!(images),
                " test images of its six animal classes — the subset the app ships — ±",
                cifar_animals!(band),
                " points, 95 %)."
            ),
            concat!(
                "预训练模型：自带的 CIFAR-10 动物多层感知机，3072→512→6（在随应用提供的子集中六类动物的 ",
                cifar_animals!(images),
                " 张测试图像上为 ",
                cifar_animals!(accuracy),
                "%，±",
                cifar_animals!(band),
                " 个百分点，95%）。"
            ),
        ),
        _ => tx(
            concat!(
                "Pretrained model: the shipped MNIST MLP, 784→512→10 (",
                crate::cited::mnist_mlp_accuracy!(),
                " % on MNIST's test set)."
            ),
            concat!(
                "预训练模型：自带的 MNIST 多层感知机，784→512→10（在 MNIST 测试集上 ",
                crate::cited::mnist_mlp_accuracy!(),
                "%）。"
            ),
        ),
    }
}

/// What a kernel launch computed, in the page's language.
pub fn task(task: kernels::engine::Task, lang: Lang) -> String {
    let (en, zh) = task.names();
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

/// A phase's name.
pub fn phase_name(p: Option<PhaseKind>) -> Text {
    match p {
        None => tx("not training", "未在训练"),
        Some(PhaseKind::Head) => tx("training the head", "正在训练分类头"),
        Some(PhaseKind::Full) => tx("fine-tuning everything", "正在微调全部参数"),
        Some(PhaseKind::Scratch) => tx("training from scratch", "正在从头训练"),
    }
}

/// A phase named in a sentence ("… while the head phase was running").
pub fn phase_label(p: PhaseKind) -> Text {
    match p {
        PhaseKind::Head => tx("the head phase", "分类头阶段"),
        PhaseKind::Full => tx("the fine-tuning of every layer", "全部层的微调"),
        PhaseKind::Scratch => tx("the from-scratch run", "从头训练"),
    }
}

/// An arm's name in a sentence. The tuned arm is named by the phase it reached (`full`: the all-layers
/// phase ran): the head alone on frozen features is not yet fine-tuning, and it is a linear probe only
/// when the head was replaced (`replaced`); with the pretrained head kept it starts from that head.
pub fn arm_name(arm: Arm, full: bool, replaced: bool) -> Text {
    match (arm, full, replaced) {
        (Arm::Untouched, _, _) => tx("the untouched pretrained model", "未改动的预训练模型"),
        (Arm::Tuned, false, true) => tx(
            "head only (a linear probe on the frozen features)",
            "只训练分类头（在冻结特征上的线性探测）",
        ),
        (Arm::Tuned, false, false) => tx(
            "head only (pretrained head kept)",
            "只训练分类头（保留预训练的分类头）",
        ),
        (Arm::Tuned, true, _) => tx(
            "fine-tuned (head, then every layer)",
            "微调后的模型（先分类头，再全部层）",
        ),
        (Arm::Scratch, _, _) => tx("training from scratch", "从头训练"),
    }
}

/// A held-out accuracy as each language writes it.
pub fn percent(lang: Lang, fraction: f32) -> String {
    crate::ui::i18n::percent(lang, f64::from(fraction), 1)
}

/// The verdict as a sentence: which arm is best and by how much against the band, on how many
/// held-out examples — or why nothing is decided yet.
pub fn verdict(lang: Lang, v: &Verdict, n: usize, full: bool, replaced: bool) -> String {
    let arm = |a: Arm| arm_name(a, full, replaced).get(lang);
    let pc = |a: f32| percent(lang, a);
    match (lang, v) {
        (_, Verdict::Pending) => pending(lang, false, false),
        (Lang::En, Verdict::TooFew { n }) => format!(
            "Only {n} held-out examples: too few to tell the arms apart (one example moves an accuracy by {:.1} points; at least {MIN_HELD_OUT} are needed).",
            100.0 / (*n).max(1) as f32
        ),
        (Lang::Zh, Verdict::TooFew { n }) => format!(
            "只有 {n} 个留出样本：太少，无法区分各组（一个样本就会让准确率变化 {:.1} 个百分点；至少需要 {MIN_HELD_OUT} 个）。",
            100.0 / (*n).max(1) as f32
        ),
        (Lang::En, Verdict::Best { best, next, band }) => format!(
            "Best: {} at {}, {:.1} points above {} at {} — more than the ±{band:.1}-point band for {n} held-out examples (one seed).",
            arm(best.0),
            pc(best.1),
            100.0 * (best.1 - next.1),
            arm(next.0),
            pc(next.1)
        ),
        (Lang::Zh, Verdict::Best { best, next, band }) => format!(
            "最好的是{}：{}，比{}的 {} 高 {:.1} 个百分点，超过了 {n} 个留出样本下 ±{band:.1} 个百分点的误差带（单个随机种子）。",
            arm(best.0),
            pc(best.1),
            arm(next.0),
            pc(next.1),
            100.0 * (best.1 - next.1)
        ),
        (Lang::En, Verdict::Tie { best, next, band }) => format!(
            "About the same: {} at {} and {} at {} lie within ±{band:.1} points of each other, the band for {n} held-out examples (one seed).",
            arm(best.0),
            pc(best.1),
            arm(next.0),
            pc(next.1)
        ),
        (Lang::Zh, Verdict::Tie { best, next, band }) => format!(
            "差不多：{}的 {} 与{}的 {} 相差在 ±{band:.1} 个百分点之内，这是 {n} 个留出样本下的误差带（单个随机种子）。",
            arm(best.0),
            pc(best.1),
            arm(next.0),
            pc(next.1)
        ),
    }
}

/// The verdict over several seeds' means.
pub fn seeds_verdict(
    lang: Lang,
    v: &Verdict,
    n: usize,
    seeds: usize,
    full: bool,
    replaced: bool,
) -> String {
    let arm = |a: Arm| arm_name(a, full, replaced).get(lang);
    let pc = |a: f32| percent(lang, a);
    match (lang, v) {
        (Lang::En, Verdict::Best { best, next, band }) => format!(
            "Over {seeds} seeds: best is {}, mean {}, {:.1} points above {} at {} — more than the ±{band:.1}-point band (Student's t for {seeds} seeds on the seeds' spread, plus 1.96 standard errors for sampling {n} held-out examples). It holds for this set of training examples: the seeds do not redraw which examples are trained on.",
            arm(best.0),
            pc(best.1),
            100.0 * (best.1 - next.1),
            arm(next.0),
            pc(next.1)
        ),
        (Lang::Zh, Verdict::Best { best, next, band }) => format!(
            "{seeds} 个随机种子下：最好的是{}，平均 {}，比{}的 {} 高 {:.1} 个百分点，超过了 ±{band:.1} 个百分点的误差带（种子间差异按 {seeds} 个种子的 t 分布临界值计，{n} 个留出样本的抽样误差按 1.96 个标准误计）。这个结论只对这一组训练样本成立：随机种子不会重新抽取用来训练的样本。",
            arm(best.0),
            pc(best.1),
            arm(next.0),
            pc(next.1),
            100.0 * (best.1 - next.1)
        ),
        (Lang::En, Verdict::Tie { best, next, band }) => format!(
            "Over {seeds} seeds: about the same — {} (mean {}) and {} (mean {}) lie within ±{band:.1} points, the band from the seeds' spread (Student's t for {seeds} seeds) and the sampling of {n} held-out examples (1.96 standard errors). It holds for this set of training examples: the seeds do not redraw which examples are trained on.",
            arm(best.0),
            pc(best.1),
            arm(next.0),
            pc(next.1)
        ),
        (Lang::Zh, Verdict::Tie { best, next, band }) => format!(
            "{seeds} 个随机种子下：差不多——{}（平均 {}）与{}（平均 {}）相差在 ±{band:.1} 个百分点之内，这个误差带由种子间差异（按 {seeds} 个种子的 t 分布临界值）和 {n} 个留出样本的抽样误差（1.96 个标准误）得出。这个结论只对这一组训练样本成立：随机种子不会重新抽取用来训练的样本。",
            arm(best.0),
            pc(best.1),
            arm(next.0),
            pc(next.1)
        ),
        _ => verdict(lang, v, n, full, replaced),
    }
}

/// Why the verdict is not given yet, true for what has run: which of the two trained arms is missing.
pub fn pending(lang: Lang, tuned_ran: bool, scratch_ran: bool) -> String {
    let t = match (tuned_ran, scratch_ran) {
        (false, false) => tx(
            "The verdict appears once a fine-tuning phase (step 4 or 5) and the from-scratch arm (the button above) have both run.",
            "微调阶段（第 4 或第 5 步）和从头训练组（上面的按钮）都运行之后，才会给出结论。",
        ),
        (true, false) => tx(
            "A fine-tuning phase has run; the verdict appears once the from-scratch arm (the button above) has run too.",
            "已经运行了一个微调阶段；从头训练组（上面的按钮）也运行之后，才会给出结论。",
        ),
        (false, true) => tx(
            "From scratch has run; the verdict appears once a fine-tuning phase (step 4 or 5) has run too.",
            "从头训练已经运行；微调阶段（第 4 或第 5 步）也运行之后，才会给出结论。",
        ),
        (true, true) => tx(
            "A phase is running: the verdict waits until it ends.",
            "有一个阶段正在运行：结论要等它结束。",
        ),
    };
    t.get(lang).to_string()
}

/// What the head alone on the frozen features says about them: against chance (1/k), and against
/// the from-scratch arm once it has run, each judged with the band for `n` held-out examples.
pub fn features(lang: Lang, head: f32, k: usize, scratch: Option<f32>, n: usize) -> String {
    use super::verdict::band;
    let chance = 1.0 / k.max(1) as f32;
    let pc = |a: f32| percent(lang, a);
    let over_chance = 100.0 * (head - chance) > band(head, chance, n);
    let first = match (lang, over_chance) {
        (Lang::En, true) => format!(
            "The head alone on the frozen features reaches {} against chance at {}: the features carry some information about this task.",
            pc(head),
            pc(chance)
        ),
        (Lang::En, false) => format!(
            "The head alone on the frozen features reaches {}, within the band of chance at {}: the features show no information about this task here.",
            pc(head),
            pc(chance)
        ),
        (Lang::Zh, true) => format!(
            "只在冻结特征上训练分类头，达到 {}，而随机猜测为 {}：这些特征对这个任务带有一些信息。",
            pc(head),
            pc(chance)
        ),
        (Lang::Zh, false) => format!(
            "只在冻结特征上训练分类头，达到 {}，与随机猜测的 {} 相差在误差带之内：在这里看不出这些特征对这个任务有信息。",
            pc(head),
            pc(chance)
        ),
    };
    let Some(s) = scratch else { return first };
    let b = band(head, s, n);
    let d = 100.0 * (head - s);
    let second = match (lang, d > b, -d > b) {
        // The head alone showed nothing over chance: no "but", there is no claim to qualify.
        (Lang::En, false, false) if !over_chance => format!(
            " A fresh network trained from scratch on the same examples reaches {}, within the ±{b:.1}-point band of the head alone.",
            pc(s)
        ),
        (Lang::Zh, false, false) if !over_chance => format!(
            "在同样样本上从头训练的新网络达到 {}，与只训练分类头的结果相差在 ±{b:.1} 个百分点的误差带之内。",
            pc(s)
        ),
        // The head alone is within chance, and scratch is even lower: no gain to credit to the features.
        (Lang::En, true, _) if !over_chance => format!(
            " A fresh network trained from scratch on the same examples does even worse ({}, below the head alone by more than the ±{b:.1}-point band): these few examples did not lift it above chance.",
            pc(s)
        ),
        (Lang::Zh, true, _) if !over_chance => format!(
            "在同样样本上从头训练的新网络更差（{}，比只训练分类头低，超出 ±{b:.1} 个百分点的误差带）：这么少的样本没能让它超过随机猜测。",
            pc(s)
        ),
        (Lang::En, true, _) => format!(
            " They beat a fresh network trained from scratch on the same examples ({}) by more than the ±{b:.1}-point band.",
            pc(s)
        ),
        (Lang::En, _, true) => format!(
            " A fresh network trained from scratch on the same examples does better ({}, beyond the ±{b:.1}-point band): these examples teach it more than the frozen features give.",
            pc(s)
        ),
        (Lang::En, _, _) => format!(
            " But no more than the same examples teach a fresh network from scratch ({}, within the ±{b:.1}-point band).",
            pc(s)
        ),
        (Lang::Zh, true, _) => format!(
            "它们胜过在同样样本上从头训练的新网络（{}），差距超过 ±{b:.1} 个百分点的误差带。",
            pc(s)
        ),
        (Lang::Zh, _, true) => format!(
            "在同样样本上从头训练的新网络做得更好（{}，超出 ±{b:.1} 个百分点的误差带）：这些样本教给它的，比冻结特征提供的更多。",
            pc(s)
        ),
        (Lang::Zh, _, _) => format!(
            "但并不比这些样本从头教给一个新网络的更多（{}，在 ±{b:.1} 个百分点的误差带之内）。",
            pc(s)
        ),
    };
    first + &second
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
        "Save the fine-tuned model (.safetensors)",
        "保存微调后的模型（.safetensors）",
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
    pub const FREEZE_BODY: Text = tx("Freeze everything but the head", "冻结分类头以外的所有层");
    /// Lock label.
    pub const LOCKED: Text = tx("frozen", "已冻结");
    /// Unlock label.
    pub const UNLOCKED: Text = tx("trainable", "可训练");
    /// The head's shape.
    pub const HEAD_SHAPE: Text = tx("Output layer", "输出层");
    /// "classes" after a count.
    pub const CLASSES: Text = tx("classes", "个类别");
    /// Replace button.
    pub const REPLACE: Text = tx("Replace the head", "替换分类头");
    /// Same classes note.
    pub const SAME_CLASSES: Text = tx(
        "Same classes as the pretrained head: you may keep it (it already knows the digits) or replace it, as the recipe does for a new task. Try both and compare in step 6.",
        "类别与预训练分类头相同：可以保留（它已经认识这些数字），也可以像原文流程对新任务那样替换它。两种都试试，并在第 6 步对比。",
    );
    /// Learning rate.
    pub const LR: Text = tx("Learning rate", "学习率");
    /// Momentum.
    pub const MOMENTUM: Text = tx("Momentum", "动量");
    /// Epochs.
    pub const EPOCHS: Text = tx("Epochs", "轮次");
    /// Train head button.
    pub const TRAIN_HEAD: Text = tx("Train the head", "训练分类头");
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
        "每轮留出准确率：预训练 → 分类头 → 全部（红），从头训练（蓝）",
    );
    /// Freezing panel title.
    pub const FREEZING: Text = tx("Freezing, made visible", "让冻结看得见");
    /// Freezing panel columns.
    pub const COLUMNS: [Text; 5] = [
        tx("tensor", "张量"),
        tx("values", "参数个数"),
        tx("‖gradient‖ (last step)", "‖梯度‖（上一步）"),
        tx("‖ΔW‖ since the phase began", "本阶段开始以来的 ‖ΔW‖"),
        tx("‖momentum buffer‖", "‖动量缓冲区‖"),
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
    /// The same when the CPU engine runs.
    pub const DISPATCHES_ON_CPU: Text = tx(
        "This run is on the CPU engine, which does these launches one after another; on the GPU engine a step would take {n} dispatches (rows with the same # fused in one).",
        "这次是在 CPU 引擎上运行的，它依次执行这些计算；在 GPU 引擎上，每步需要 {n} 次调度（编号 # 相同的行融合在一次调度中）。",
    );
    /// A frozen tensor's gradient.
    pub const NOT_COMPUTED: Text = tx(
        "not computed (in PyTorch, p.grad is None)",
        "未计算（在 PyTorch 中 p.grad 为 None）",
    );
    /// PyTorch column.
    pub const PYTORCH: Text = tx(
        "What you would write in PyTorch for this setup (it follows the page)",
        "在 PyTorch 里你会为这套设置这样写（随页面变化）",
    );
    /// What the article's own code assumes.
    pub const ARTICLE_CODE: Text = tx(
        "What the article's §5.2 code assumes: a pretrained model whose .fc has 512 inputs (the article does not say which model; a torchvision ResNet-18, perhaps trained on ImageNet, would fit); torch.load of a whole module needs weights_only=False since PyTorch 2.6 (or save and load a state_dict, as above); it uses torchvision without importing it; and it freezes every parameter, while its text says \"the first layers\". BatchNorm layers also keep updating their running statistics in train() mode even when frozen.",
        "原文 §5.2 的代码默认了这些：一个 .fc 层输入为 512 的预训练模型（原文没有说明是哪个模型；torchvision 的 ResNet-18，可能在 ImageNet 上训练过，就符合这一点）；从 PyTorch 2.6 起，用 torch.load 加载整个模块需要 weights_only=False（或者像上面那样保存并加载 state_dict）；它用了 torchvision 却没有导入；它冻结了全部参数，而正文说的是“前面几层”。另外，即使被冻结，BatchNorm 层在 train() 模式下仍会更新它的运行统计量。",
    );
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
    /// The chart's mark where the head phase starts.
    pub const MARK_HEAD: Text = tx("head only", "只训练分类头");
    /// The chart's mark where the full phase starts.
    pub const MARK_FULL: Text = tx("all layers", "全部层");
    /// Why a step's button is disabled.
    pub const NEEDS_EXAMPLES: Text = tx(
        "This step needs examples: pick a shipped scenario in step 1, or draw at least two of each class there.",
        "这一步需要样本：请在第 1 步选择一个自带的场景，或者在那里为每个类别至少画两个样本。",
    );
    /// The arms' table.
    pub const ARM: Text = tx("Arm", "组别");
    /// Its accuracy column.
    pub const HELD_OUT_ACCURACY: Text = tx("Held-out accuracy", "留出样本准确率");
    /// Its settings column.
    pub const SETTINGS: Text = tx("Settings", "设置");
    /// The untouched model's settings.
    pub const AS_LOADED: Text = tx(
        "as loaded, never trained here",
        "按加载时的样子，在这里从未训练",
    );
    /// When the untouched model's head predicts other classes.
    pub const OLD_HEAD: Text = tx(
        "—, its head still predicts the old classes (chance 1/{k})",
        "—，它的分类头仍在预测旧的类别（随机猜测为 1/{k}）",
    );
    /// Not run yet.
    pub const NOT_RUN: Text = tx("not run yet", "尚未运行");
    /// Held-out examples.
    pub const HELD_OUT_COUNT: Text = tx("held-out examples", "个留出样本");
    /// The scratch arm's form.
    pub const SCRATCH_FORM: Text = tx(
        "From scratch has its own rate: a fresh network needs the seed recipe's lr 0.01 and momentum 0.5 (the article's §5.1), not the small rate that protects pretrained weights.",
        "从头训练有自己的学习率：全新的网络需要种子流程的学习率 0.01 和动量 0.5（原文 §5.1），而不是保护预训练权重用的小学习率。",
    );
    /// A run taken up after a reload.
    pub const RESUMED: Text = tx(
        "Taken up where this browser left it: the models, curves and arms of your last run on this scenario.",
        "已从本浏览器保存的位置继续：你在这个场景上次运行的模型、曲线和各组别。",
    );
    /// The freezing-mode toggle.
    pub const ZERO_GRAD: Text = tx(
        "Freeze by zeroing gradients instead (p.grad.zero_() before opt.step())",
        "改为用清零梯度来冻结（在 opt.step() 之前调用 p.grad.zero_()）",
    );
    /// What the toggle shows.
    pub const ZERO_GRAD_NOTE: Text = tx(
        "A trap: a frozen tensor left in the optimiser with a zero gradient instead of none (p.grad.zero_(), or zero_grad(set_to_none=False), PyTorch's default before 2.0, for a tensor that still holds a gradient from earlier training) is still updated: momentum and weight decay move it. Tick it, train the head, and watch ‖ΔW‖ of the frozen rows below. Ticking it sets the head phase's weight decay to 0.01 if it was 0.",
        "一个陷阱：被冻结的张量若留在优化器里，且梯度是零张量而不是 None（p.grad.zero_()；或者对一个仍保留着之前训练留下的梯度的张量调用 zero_grad(set_to_none=False)，这是 PyTorch 2.0 之前的默认做法），它仍会被更新：动量和权重衰减会让它移动。勾选它，训练分类头，再看下面被冻结各行的 ‖ΔW‖。勾选时，若分类头阶段的权重衰减为 0，会把它设为 0.01。",
    );
    /// Weight decay field.
    pub const WEIGHT_DECAY: Text = tx("Weight decay", "权重衰减");
    /// A gradient taken as zero.
    pub const ZEROED: Text = tx(
        "0 (computed, then zeroed by p.grad.zero_())",
        "0（先计算，再由 p.grad.zero_() 清零）",
    );
    /// A layer frozen by zeroing moved.
    pub const DRIFTED: Text = tx(
        "Frozen by zeroing its gradient, {name} still moved: ‖ΔW‖ = {dw}. Its gradient was 0, but the optimiser still applied weight decay and momentum to it. With requires_grad = False (untick the box in step 2) it stays bit-identical.",
        "虽然梯度被清零，{name} 仍然移动了：‖ΔW‖ = {dw}。它的梯度是 0，但优化器仍对它施加了权重衰减和动量。用 requires_grad = False（在第 2 步取消勾选）它会保持逐位不变。",
    );
    /// A layer frozen by zeroing did not move.
    pub const STILL: Text = tx(
        "Frozen by zeroing their gradients, the frozen layers did not move: this phase's optimiser started with empty momentum and its weight decay is 0. With weight decay above 0, or momentum left over from earlier training, they would drift.",
        "梯度被清零的冻结层没有移动：这一阶段的优化器从空的动量开始，且权重衰减为 0。如果权重衰减大于 0，或带着之前训练留下的动量，它们就会漂移。",
    );
    /// A sample image's label.
    pub const SAMPLE: Text = tx("a training example", "一个训练样本");
    /// The seeds option.
    pub const SEEDS: Text = tx(
        "Rerun both trained arms with 3 seeds",
        "用 3 个随机种子重跑两个训练组",
    );
    /// Why it is disabled.
    pub const SEEDS_NEED: Text = tx(
        "Run a fine-tuning phase and the from-scratch arm first: the seeds repeat their settings, early stopping included, from the model as loaded (a new head, the shuffling and the scratch initialisation change with the seed; the training examples and the validation split do not).",
        "请先运行一个微调阶段和从头训练组：各随机种子会从加载时的模型出发，重复它们的设置，包括早停。新分类头、打乱顺序和从头训练的初始化随种子而变；训练样本和验证集不变。",
    );
    /// A seed column.
    pub const SEED: Text = tx("seed", "种子");
    /// Mean ± sd column.
    pub const MEAN_SD: Text = tx("mean ± sd (points)", "平均值 ± 标准差（百分点）");
    /// Seed 1 reproduced the run above.
    pub const REPEAT_SAME: Text = tx(
        "The first seed is the page's own seed: it reproduced the arms above exactly.",
        "第一个种子就是本页的种子：它完全复现了上面各组的结果。",
    );
    /// Seed 1 did not reproduce it.
    pub const REPEAT_DIFFERS: Text = tx(
        "The first seed is the page's own seed, but its figures differ from the arms above: those were trained differently (a phase run twice, paused, or with settings changed since).",
        "第一个种子就是本页的种子，但结果与上面各组不同：上面的训练方式不一样（某个阶段跑了两次、中途暂停，或之后改过设置）。",
    );
    /// Running.
    pub const SEEDS_RUNNING: Text = tx(
        "Running the seeds: {done} of {total} done…",
        "正在运行各随机种子：已完成 {done}/{total}……",
    );
    /// Stopped before two seeds finished.
    pub const SEEDS_STOPPED: Text = tx(
        "Stopped before two seeds finished: no verdict over seeds.",
        "在两个种子完成之前就停止了：没有跨种子的结论。",
    );
    /// A phase the reload cut off.
    pub const INTERRUPTED: Text = tx(
        "The page was left while {phase} was running (epoch {epoch} of {epochs} when it was last kept). A reload does not continue a phase: the run above stops where it was kept. Train that phase again to finish it.",
        "离开页面时，{phase}仍在运行（上次保存时是第 {epoch} 轮，共 {epochs} 轮）。重新加载不会继续一个阶段：上面的结果停在保存时的位置。再训练一次这个阶段即可完成。",
    );
    /// The seeds job's progress; `{seed}`, `{seeds}`, `{phase}`, `{epoch}`, `{epochs}`.
    pub const SEEDS_PROGRESS: Text = tx(
        "Running the seeds: seed {seed} of {seeds}, {phase}, epoch {epoch} of {epochs}.",
        "正在运行各随机种子：第 {seed}/{seeds} 个种子，{phase}，第 {epoch}/{epochs} 轮。",
    );
    /// With the head kept, the seed only reorders the batches of the fine-tuned arm.
    pub const SEEDS_HEAD_KEPT: Text = tx(
        "The pretrained head was kept, so in the fine-tuned arm a seed changes only the order of the batches (its sd is {sd} points); in the from-scratch arm it also changes the initial weights.",
        "预训练的分类头被保留了，所以在微调组里，随机种子只改变各批次的顺序（标准差为 {sd} 个百分点）；在从头训练组里，它还改变初始权重。",
    );
    /// Before the first step.
    pub const NOTHING_RUN: Text = tx("— (nothing has run yet)", "—（还没有运行任何一步）");
    /// A trainable tensor with no step since it changed.
    pub const NO_STEP_YET: Text = tx(
        "— (no step since this changed)",
        "—（改动后还没有运行过一步）",
    );
    /// The dispatch line before any step.
    pub const NO_DISPATCHES_YET: Text = tx(
        "No training step has run yet: the kernels of a step and its dispatch count appear here after the first one (train the head in step 4).",
        "还没有运行任何训练步骤：第一步之后，这里会列出一步的内核和调度次数（在第 4 步训练分类头）。",
    );
    /// The accuracy tile while the old head predicts other classes.
    pub const OLD_HEAD_ACCURACY: Text = tx(
        "— (the old head's outputs are not this task's classes; replace the head in step 3)",
        "—（旧分类头的输出不是这个任务的类别；请在第 3 步替换分类头）",
    );
    /// The run is kept in this browser.
    pub const KEPT: Text = tx("✓ kept in this browser", "✓ 已保存在本浏览器中");
    /// Forget the kept run.
    pub const AFRESH: Text = tx("Start afresh", "重新开始");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cifar_animals_figure_is_the_cited_rows_with_its_count_and_band() {
        let row = crate::cited::CIFAR_ANIMALS_MLP;
        let n: f64 = cifar_animals!(images).parse().unwrap();
        // 41.65 % is 247 of 593 (41.653 %): one decimal from the count, not from the rounded figure.
        let right = (row.number() / 100.0 * n).round();
        let p = right / n;
        assert!((100.0 * p - row.number()).abs() < 0.005, "{right} / {n}");
        assert_eq!(cifar_animals!(accuracy), format!("{:.1}", 100.0 * p));
        assert!(
            row.what
                .en
                .contains(concat!("the ", cifar_animals!(images), " test images"))
        );
        let band = 196.0 * (p * (1.0 - p) / n).sqrt();
        assert_eq!(cifar_animals!(band), format!("{band:.1}"));
        let t = scenario_model(Scenario::Cifar);
        assert!(
            t.en.contains("41.7 % on 593 test images") && t.zh.contains("41.7%，±4.0"),
            "{}",
            t.zh
        );
    }

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
    fn the_verdict_names_the_best_arm_the_band_and_the_count() {
        use super::super::verdict::decide;
        let arms = [
            (Arm::Untouched, Some(0.482)),
            (Arm::Tuned, Some(0.354)),
            (Arm::Scratch, Some(0.314)),
        ];
        let v = decide(&arms, true, 200);
        let en = verdict(Lang::En, &v, 200, true, true);
        assert!(
            en.starts_with(
                "Best: the untouched pretrained model at 48.2 %, 12.8 points above fine-tuned (head, then every layer) at 35.4 %"
            ),
            "{en}"
        );
        assert!(
            verdict(Lang::En, &v, 200, false, true).contains("above head only (a linear probe")
        );
        assert!(
            verdict(Lang::En, &v, 200, false, false)
                .contains("above head only (pretrained head kept)")
        );
        assert!(en.contains("200 held-out"), "{en}");
        let zh = verdict(Lang::Zh, &v, 200, true, true);
        assert!(zh.contains("48.2%") && !zh.contains(" %"), "{zh}");
        let tie = decide(
            &[(Arm::Tuned, Some(0.52)), (Arm::Scratch, Some(0.50))],
            true,
            500,
        );
        assert!(verdict(Lang::En, &tie, 500, true, true).starts_with("About the same"));
        let few = decide(&arms, true, 12);
        assert!(verdict(Lang::En, &few, 12, true, true).starts_with("Only 12 held-out examples"));
        // The CIFAR walkthrough's figures: the head alone at 52.3 % on four classes, scratch 57.7 %,
        // on 500 held-out examples (band ≈ 6.2 points).
        let f = features(Lang::En, 0.523, 4, Some(0.577), 500);
        assert!(f.contains("52.3 % against chance at 25.0 %"), "{f}");
        assert!(
            f.contains("But no more than") && f.contains("57.7 %"),
            "{f}"
        );
        let f = features(Lang::En, 0.27, 4, None, 200);
        assert!(f.contains("within the band of chance"), "{f}");
        // Within chance and within the band of scratch: no "But" against a claim never made.
        for lang in [Lang::En, Lang::Zh] {
            let f = features(lang, 0.27, 4, Some(0.26), 200);
            assert!(!f.contains("But") && !f.contains("但"), "{f}");
            assert!(f.contains("26.0"), "{f}");
        }
        assert!(!features(Lang::Zh, 0.523, 4, Some(0.577), 500).contains(" %"));
    }
}
