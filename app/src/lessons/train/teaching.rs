//! What the teacher's page says of this lesson: its demo links with the result a run shows (checked
//! against the lesson's own URL table), and an answer key for every question it grades, each written
//! from the grading code its row names (`graded_by`, a file of this folder and a function; a unit test
//! checks both exist).

use crate::lessons::lesson::{AnswerKey, Demo};
use crate::ui::i18n::tx;

/// The demos, in the order the teacher's page lists them.
pub const DEMOS: &[Demo] = &[
    Demo {
        title: tx("Divergence at a large learning rate", "学习率过大时发散"),
        setup: "step=4&lr=5&momentum=0.5",
        what: tx(
            "Press Start: within the first few dozen steps the loss explodes, training pauses, says where it diverged and rolls back. Ask first: what will a rate 500 times the usual one do?",
            "按“开始”：在最初几十步之内损失爆炸，训练暂停，指出在哪里发散并回滚。先问：比平常大 500 倍的学习率会怎样？",
        ),
        expect: tx(
            "Within the first few dozen steps the loss leaves the chart (or becomes NaN); the banner names the step, the loss and the rate, and the model is rolled back to its last good snapshot (one is kept at each evaluation, so here usually step 0). Nothing to grade: if it trains, the rate field did not take 5.",
            "在最初几十步之内损失冲出图表（或变成 NaN）；横幅写明是哪一步、损失多少、学习率多少，模型回滚到最后一个正常的快照（每次评估时保存一个，所以这里通常是第 0 步）。没有什么要评分的：如果它正常训练了，说明学习率栏没有取到 5。",
        ),
    },
    Demo {
        title: tx("Batch 1 against batch 64", "批大小 1 与 64"),
        setup: "step=4&batch=1&lr=0.01",
        what: tx(
            "The loss curve of single examples is far noisier; compare the samples per second with batch 64 (open the lesson again without the setup).",
            "单个样本的损失曲线噪声大得多；再与批大小 64 比较每秒处理的样本数（去掉设置重新打开本课）。",
        ),
        expect: tx(
            "A loss curve that jumps from step to step (one image per step), and far fewer samples per second than at batch 64: each step pays the same fixed cost for one image instead of 64.",
            "损失曲线一步一跳（每步只有一张图像），每秒处理的样本数远少于批大小 64：每一步为一张图像付出与 64 张相同的固定开销。",
        ),
    },
    Demo {
        title: tx("Overfitting and early stopping", "过拟合与早停"),
        setup: "step=5&hidden=128",
        what: tx(
            "Run the experiment on 500 images: the training loss keeps falling while the validation loss stops falling (it flattens or turns up); it stops and restores the best epoch, then the test accuracy appears once. Run it again with 5,000 images: the page compares the two runs by their numbers (the accuracy gap at the best epoch, and where that epoch fell, in epochs and in steps).",
            "用 500 张图像运行实验：训练损失一直下降，而验证损失不再下降（趋于平缓或开始回升）；它停下并恢复最佳一轮，然后测试准确率只出现一次。再用 5000 张图像运行：页面按数字比较两次运行（最佳一轮的准确率差距，以及这一轮按轮次和按步数分别落在哪里）。",
        ),
        expect: tx(
            "On 500 images the training loss keeps falling while the validation loss stops falling (it flattens or turns up); the run stops, restores its best epoch and shows the test accuracy once. On 5,000 images the gap between training and validation is usually smaller; the page says whether the difference is beyond its band (one walkthrough run of this app, CPU engine, one seed per size: about 15 points at 500 images, about 6 at 5,000 — not a measured average).",
            "在 500 张图像上训练损失一直下降，而验证损失不再下降（趋于平缓或开始回升）；运行停止，恢复最佳的一轮，并只显示一次测试准确率。在 5000 张图像上，训练与验证之间的差距通常更小；页面会说明这个差别是否超出误差带（本应用在走查中的一次运行，CPU 引擎，每种数量一个随机种子：500 张时约 15 个百分点，5000 张时约 6 个——不是测得的平均值）。",
        ),
    },
];

/// Every question the lesson grades. `{sgd_lr}` and `{adam_lr}` are filled from `kernels::NAMED`'s tuned rates.
pub const ANSWERS: &[AnswerKey] = &[
    AnswerKey {
        step: 7,
        question: tx(
            "1. Before any training, what loss will this network's first step show? (A model giving every class the same probability has H = ?)",
            "1. 训练开始之前，这个网络第一步会显示多大的损失？（一个给每个类别相同概率的模型，H = ?）",
        ),
        answer: tx(
            "2.3 (H ≈ ln 10 ≈ 2.303: small random weights give nearly equal probabilities, so the first loss is near ln 10, not exactly it). Graded against ln 10; the first loss of a run from a fresh initialisation is shown beside it as support (if the run started from a loaded model, the page says so: its first loss is not an untrained one).",
            "2.3（H ≈ ln 10 ≈ 2.303：很小的随机权重给出几乎相等的概率，所以第一个损失接近 ln 10，但不恰好等于它）。按 ln 10 评分；旁边显示一次从新初始化开始的运行的第一个损失作为佐证（如果运行从载入的模型开始，页面会注明：它的第一个损失不是未训练模型的损失）。",
        ),
        graded_by: "check.rs check_panel",
    },
    AnswerKey {
        step: 7,
        question: tx(
            "2. With a learning rate of 1, will this network train well, stall, or blow up?",
            "2. 学习率为 1 时，这个网络会训练得好、停滞不前，还是会发散（损失爆炸）？",
        ),
        answer: tx(
            "Expect \"it blows up\" for the default model — but the run decides, and only the latest run that started at rate 1 from a fresh initialisation (Reset, set the rate to 1, then Start); a Reset or leaving rate 1 forgets an earlier blow-up. Three outcomes: blew up (the loss became NaN or passed 20·ln 10; recorded before the rollback), stalled (the mean of the last 10 losses is ≥ 2.0, or validation accuracy < 50 %), trained (that mean loss < 0.5 and validation accuracy, once measured, ≥ 90 %). A run that has not blown up is judged only once it has been evaluated at step 300 or later, or has ended (a high loss early on may still blow up). Between the bands it keeps running; when the run ends it is trained if validation accuracy ≥ 90 %, otherwise stalled.",
            "默认模型预计会发散（损失爆炸）——但以运行结果为准，而且只看最近一次从新初始化开始、以学习率 1 运行的那次（重置，把学习率设为 1，再按“开始”）；重置或离开学习率 1 会忘掉之前的发散。三种结果：发散（损失变成 NaN 或超过 20·ln 10，在回滚之前记录）、停滞（最后 10 步的平均损失 ≥ 2.0，或验证准确率 < 50%）、训练得好（该平均损失 < 0.5，且验证准确率测得之后 ≥ 90%）。没有发散的运行，要到它在第 300 步或之后完成一次评估、或运行结束时才评判（开始时损失很高的运行之后仍可能发散）。介于两者之间时继续运行；运行结束时，验证准确率 ≥ 90% 即为训练得好，否则为停滞。",
        ),
        graded_by: "check.rs check_panel",
    },
];
