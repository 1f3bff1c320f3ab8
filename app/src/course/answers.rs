//! What the teacher's page tells a teacher to expect: for every demo link the result a run shows
//! ([`EXPECTED`], keyed by the demo's lesson and setup), and an answer key for every question a
//! lesson grades ([`ANSWER_KEYS`]), each written from the lesson's grading code (named in the row's
//! `graded_by`) so a teacher can spot a wrong run. Where a figure is quoted it is one run of this app
//! in the second walkthrough (CPU engine) and is said to be that; everything else is qualitative,
//! because the pages measure their own numbers and a class's runs differ.

use crate::ui::i18n::{Text, tx};

/// The result to expect from one demo link.
#[derive(Clone, Copy, Debug)]
pub struct Expected {
    /// The demo's lesson id.
    pub lesson: &'static str,
    /// The demo's setup, as in [`super::teacher::DEMOS`].
    pub setup: &'static str,
    /// What the class should see.
    pub expect: Text,
}

/// One row per demo (a unit test holds the two tables together).
pub const EXPECTED: &[Expected] = &[
    Expected {
        lesson: "train",
        setup: "step=4&lr=5&momentum=0.5",
        expect: tx(
            "Within the first few dozen steps the loss leaves the chart (or becomes NaN); the banner names the step, the loss and the rate, and the model is rolled back to its last good snapshot (one is kept at each evaluation, so here usually step 0). Nothing to grade: if it trains, the rate field did not take 5.",
            "在最初几十步之内损失冲出图表（或变成 NaN）；横幅写明是哪一步、损失多少、学习率多少，模型回滚到最后一个正常的快照（每次评估时保存一个，所以这里通常是第 0 步）。没有什么要评分的：如果它正常训练了，说明学习率栏没有取到 5。",
        ),
    },
    Expected {
        lesson: "train",
        setup: "step=4&batch=1&lr=0.01",
        expect: tx(
            "A loss curve that jumps from step to step (one image per step), and far fewer samples per second than at batch 64: each step pays the same fixed cost for one image instead of 64.",
            "损失曲线一步一跳（每步只有一张图像），每秒处理的样本数远少于批大小 64：每一步为一张图像付出与 64 张相同的固定开销。",
        ),
    },
    Expected {
        lesson: "optimizers",
        setup: "step=2&kappa=100",
        expect: tx(
            "Both paths reach the target; momentum in several times fewer iterations than gradient descent. √κ = 10 is the theory's order of magnitude for this speed-up, not the figure the table will show: read the table's two counts.",
            "两条路径都到达目标；动量所需的迭代次数比梯度下降少好几倍。√κ = 10 是理论给出的量级，而不是表格会显示的数：请读表格中的两个次数。",
        ),
    },
    Expected {
        lesson: "optimizers",
        setup: "step=5",
        expect: tx(
            "Each arm's accuracy with its 95 % band; the sentence under the table names a leader only when the bands separate. With one learning rate for all, the order changes — an optimiser is only as good as its rate, and an adaptive one at a rate tuned for SGD does badly or diverges.",
            "每组的准确率及其 95% 误差带；只有误差带分开时，表格下方的句子才会说谁领先。所有优化器用同一个学习率时名次会变——优化器的好坏取决于它的学习率，自适应方法用为 SGD 调好的学习率会表现很差甚至发散。",
        ),
    },
    Expected {
        lesson: "train",
        setup: "step=5&hidden=128",
        expect: tx(
            "On 500 images the training loss keeps falling while the validation loss stops falling (it flattens or turns up); the run stops, restores its best epoch and shows the test accuracy once. On 5,000 images the gap between training and validation is usually smaller; the page says whether the difference is beyond its band (one walkthrough run of this app, CPU engine, one seed per size: about 15 points at 500 images, about 6 at 5,000 — not a measured average).",
            "在 500 张图像上训练损失一直下降，而验证损失不再下降（趋于平缓或开始回升）；运行停止，恢复最佳的一轮，并只显示一次测试准确率。在 5000 张图像上，训练与验证之间的差距通常更小；页面会说明这个差别是否超出误差带（本应用在走查中的一次运行，CPU 引擎，每种数量一个随机种子：500 张时约 15 个百分点，5000 张时约 6 个——不是测得的平均值）。",
        ),
    },
    Expected {
        lesson: "cross-entropy",
        setup: "step=4&image=5",
        expect: tx(
            "Before training both numbers are close to ln 10 ≈ 2.30 and the line says they agree; after some training most images' loss is far lower, and the two still agree (or both underflow for an image the model is very sure of).",
            "训练前两个数都接近 ln 10 ≈ 2.30，并且那一行说两者一致；训练一段时间后大多数图像的损失低得多，两者仍然一致（对模型非常确定的图像，两者都会下溢）。",
        ),
    },
    Expected {
        lesson: "chain-rule",
        setup: "step=2&weight=1.3.5&image=0",
        expect: tx(
            "The product of the factors and the engine's gradient agree within f32 rounding, and the finite difference agrees within its resolution: the line says \"All three agree\". The demo's weight is in fc2, where the exception the page explains is a hidden unit that is off for this image (h = 0): the gradient and the finite difference are then both 0, reported as underflow (pick another image). (A unit within ε of its ReLU kink matters only for fc1 weights.) With 16 images the table's rows add up to the product.",
            "因子之积与引擎算出的梯度在 f32 舍入之内一致，有限差分在其分辨精度之内一致：那一行写着“三者一致”。演示的权重在 fc2 中，页面会解释的例外是隐藏单元对这张图像未激活（h = 0）：这时梯度和有限差分都是 0，报告为下溢（换一张图像）。（单元离 ReLU 拐点不到 ε 的情况只影响 fc1 的权重。）换成 16 张图像时，表格各行之和就是乘积。",
        ),
    },
    Expected {
        lesson: "by-hand",
        setup: "step=2&image=0",
        expect: tx(
            "Without / B, dz2 is graded 'wrong values': every entry is B = 4 times too large, so the relative error is 3 where it is largest. With it, 'right' (a relative error far below 1e-5). h.T @ dz2 is graded 'wrong shape: expected [10, 32], got [32, 10]'; dz2.T @ h is right, and the graph's edge into W2 lights up.",
            "不带 / B 时，dz2 被评为“数值不对”：每个元素都大了 B = 4 倍，所以最大相对误差是 3。加上后评为“正确”（相对误差远小于 1e-5）。h.T @ dz2 被评为“形状不对：应为 [10, 32]，得到的是 [32, 10]”；dz2.T @ h 是对的，图中通往 W2 的边会亮起来。",
        ),
    },
    Expected {
        lesson: "finetune",
        setup: "scenario=pen&step=1",
        expect: tx(
            "The pretrained model measures far above chance (10 %) on the new pen before any training; after the head and then fine-tuning, with the head kept, fine-tuning usually ends a few points above from scratch — about one band (one walkthrough run: +7.0 against ±6.3), so 'About the same' also happens.",
            "在任何训练之前，预训练模型在新笔迹上的准确率就远高于随机猜测（10%）；训练分类头再微调之后，在保留分类头时，微调通常比从头训练高几个百分点——大约一个误差带（走查中的一次运行：+7.0，误差带 ±6.3），所以“差不多”也会出现。",
        ),
    },
    Expected {
        lesson: "finetune",
        setup: "scenario=clothes&step=1",
        expect: tx(
            "The verdict shows a much smaller advantage for the pretrained digit features than with the pen, often within the band (no advantage that this many test images can show).",
            "结论显示预训练的数字特征的优势比笔迹场景小得多，常常在误差带之内（这么多测试图像显示不出优势）。",
        ),
    },
    Expected {
        lesson: "interpret",
        setup: "step=4&image=0",
        expect: tx(
            "At some small ε the model's answer changes while the class still reads the same digit (the speckle is visible on MNIST). Step 5's curve then falls steeply with ε: at ε = 0.1 the plain model is typically right on well under half of the test images (one walkthrough run of this app: 24.4 %).",
            "在某个不大的 ε 下模型的答案变了，而全班仍然认得出是同一个数字（在 MNIST 上能看到斑点）。第 5 步的曲线随 ε 急剧下降：在 ε = 0.1 时，普通模型通常只能答对远不到一半的测试图像（本应用在走查中的一次运行：24.4%）。",
        ),
    },
];

/// One graded question and its key.
#[derive(Clone, Copy, Debug)]
pub struct AnswerKey {
    /// The lesson's id.
    pub lesson: &'static str,
    /// The step that asks it (1-based).
    pub step: usize,
    /// The question, shortly.
    pub question: Text,
    /// The answer to expect and how the page decides it.
    pub answer: Text,
    /// The code that grades it, `<file under app/src> <function>` (a unit test checks both exist, so
    /// whoever changes a question finds its key).
    pub graded_by: &'static str,
}

/// Every question a lesson grades, in course order. `{sgd_lr}` and `{adam_lr}` are filled from
/// `kernels::race::TUNED`.
pub const ANSWER_KEYS: &[AnswerKey] = &[
    AnswerKey {
        lesson: "train",
        step: 7,
        question: tx(
            "1. Before any training, what loss will this network's first step show? (A model giving every class the same probability has H = ?)",
            "1. 训练开始之前，这个网络第一步会显示多大的损失？（一个给每个类别相同概率的模型，H = ?）",
        ),
        answer: tx(
            "2.3 (H ≈ ln 10 ≈ 2.303: small random weights give nearly equal probabilities, so the first loss is near ln 10, not exactly it). Graded against ln 10; the first loss of a run from a fresh initialisation is shown beside it as support (if the run started from a loaded model, the page says so: its first loss is not an untrained one).",
            "2.3（H ≈ ln 10 ≈ 2.303：很小的随机权重给出几乎相等的概率，所以第一个损失接近 ln 10，但不恰好等于它）。按 ln 10 评分；旁边显示一次从新初始化开始的运行的第一个损失作为佐证（如果运行从载入的模型开始，页面会注明：它的第一个损失不是未训练模型的损失）。",
        ),
        graded_by: "lessons/train/check.rs check_panel",
    },
    AnswerKey {
        lesson: "train",
        step: 7,
        question: tx(
            "2. With a learning rate of 1, will this network train well, stall, or blow up?",
            "2. 学习率为 1 时，这个网络会训练得好、停滞不前，还是会发散（损失爆炸）？",
        ),
        answer: tx(
            "Expect \"it blows up\" for the default model — but the run decides, and only the latest run that started at rate 1 from a fresh initialisation (Reset, set the rate to 1, then Start); a Reset or leaving rate 1 forgets an earlier blow-up. Three outcomes: blew up (the loss became NaN or passed 20·ln 10; recorded before the rollback), stalled (the mean of the last 10 losses is ≥ 2.0, or validation accuracy < 50 %), trained (that mean loss < 0.5 and validation accuracy, once measured, ≥ 90 %). A run that has not blown up is judged only once it has been evaluated at step 300 or later, or has ended (a high loss early on may still blow up). Between the bands it keeps running; when the run ends it is trained if validation accuracy ≥ 90 %, otherwise stalled.",
            "默认模型预计会发散（损失爆炸）——但以运行结果为准，而且只看最近一次从新初始化开始、以学习率 1 运行的那次（重置，把学习率设为 1，再按“开始”）；重置或离开学习率 1 会忘掉之前的发散。三种结果：发散（损失变成 NaN 或超过 20·ln 10，在回滚之前记录）、停滞（最后 10 步的平均损失 ≥ 2.0，或验证准确率 < 50%）、训练得好（该平均损失 < 0.5，且验证准确率测得之后 ≥ 90%）。没有发散的运行，要到它在第 300 步或之后完成一次评估、或运行结束时才评判（开始时损失很高的运行之后仍可能发散）。介于两者之间时继续运行；运行结束时，验证准确率 ≥ 90% 即为训练得好，否则为停滞。",
        ),
        graded_by: "lessons/train/check.rs check_panel",
    },
    AnswerKey {
        lesson: "cross-entropy",
        step: 6,
        question: tx(
            "Which of two predictions has the lower cross-entropy?",
            "两个预测中哪一个的交叉熵更低？",
        ),
        answer: tx(
            "The one whose true-class bar is taller: the loss is −ln q(true). The page only asks about pairs whose q(true) differ by at least 0.25, so the bars decide by eye.",
            "真实类别柱子更高的那个：损失是 −ln q(真实类别)。页面只问 q(真实类别) 相差至少 0.25 的一对，所以用眼睛看柱子就能判断。",
        ),
        // The grade (a.h <= b.h on the two readings pinned at one step) is in the panel; the pair
        // rule (q(true) at least 0.25 apart) is lessons/live_model/quiz.rs `pair`.
        graded_by: "lessons/cross_entropy/panels.rs Quiz",
    },
    AnswerKey {
        lesson: "chain-rule",
        step: 4,
        question: tx(
            "Will the next step push the chosen weight up or down?",
            "下一步会把所选权重推高还是压低？",
        ),
        answer: tx(
            "Against μ·v + g: down when it is positive, up when it is negative (no move when μ·v + g = 0). Graded by the weight's real change in the step shown, which then runs; if the model moved on meanwhile, nothing is graded and the page asks again.",
            "朝 μ·v + g 的反方向：为正时变小，为负时变大（μ·v + g = 0 时不动）。按显示的那一步（随后运行）中权重的真实变化评分；如果模型在此期间发生了变化，就不评分，页面会重新提问。",
        ),
        graded_by: "lessons/chain_rule/panels.rs outcome",
    },
    AnswerKey {
        lesson: "by-hand",
        step: 2,
        question: tx(
            "Write the seven lines of the backward pass, dz2 to db1.",
            "写出反向传播的七行，从 dz2 到 db1。",
        ),
        answer: tx(
            "dz2 = (softmax(z2, 1) - onehot(y, 10)) / B; dW2 = dz2.T @ h; db2 = sum(dz2, 0); dh = dz2 @ W2; dz1 = dh * (z1 > 0); dW1 = dz1.T @ x; db1 = sum(dz1, 0). Any line computing the same tensor is right (largest relative error at most 1e-5 against the exact gradient). Variations change one line: with tanh, dz1 = dh * (1 - h ** 2) (or 1 - tanh(z1) ** 2); with label smoothing, dz2 = (softmax(z2, 1) - ((1 - eps) * onehot(y, 10) + eps / 10)) / B; with squared error on the softmax, dz2 = 2 / B * softmax(z2, 1) * (softmax(z2, 1) - onehot(y, 10) - sum((softmax(z2, 1) - onehot(y, 10)) * softmax(z2, 1), 1, keepdim=True)). The third hint of each line shows it.",
            "dz2 = (softmax(z2, 1) - onehot(y, 10)) / B；dW2 = dz2.T @ h；db2 = sum(dz2, 0)；dh = dz2 @ W2；dz1 = dh * (z1 > 0)；dW1 = dz1.T @ x；db1 = sum(dz1, 0)。任何算出同一张量的写法都算对（与精确梯度相比最大相对误差不超过 1e-5）。变体只改变一行：用 tanh 时 dz1 = dh * (1 - h ** 2)（或 1 - tanh(z1) ** 2）；用标签平滑时 dz2 = (softmax(z2, 1) - ((1 - eps) * onehot(y, 10) + eps / 10)) / B；对 softmax 输出用平方误差时 dz2 = 2 / B * softmax(z2, 1) * (softmax(z2, 1) - onehot(y, 10) - sum((softmax(z2, 1) - onehot(y, 10)) * softmax(z2, 1), 1, keepdim=True))。每一行的第三级提示会给出它。",
        ),
        graded_by: "lessons/by_hand/grading.rs grade_line",
    },
    AnswerKey {
        lesson: "finetune",
        step: 4,
        question: tx(
            "Which tensors get a gradient in the head-only phase?",
            "只训练分类头的阶段，哪些张量会得到梯度？",
        ),
        answer: tx(
            "Only the head's, fc2.weight and fc2.bias; the frozen fc1 gets none (in PyTorch its .grad stays None). Graded by the freezing panel's trace of the step.",
            "只有分类头的 fc2.weight 和 fc2.bias；被冻结的 fc1 没有梯度（在 PyTorch 中它的 .grad 保持为 None）。按冻结面板对这一步的记录评分。",
        ),
        graded_by: "lessons/finetune/predict.rs gradient_question",
    },
    AnswerKey {
        lesson: "finetune",
        step: 6,
        question: tx(
            "Will fine-tuning beat training from scratch?",
            "微调会胜过从头训练吗？",
        ),
        answer: tx(
            "With the pen and the pretrained head kept, usually yes, but close to the band (one walkthrough run: +7.0 points against ±6.3). With the head replaced, the untouched model can win. Graded once step 5 (every layer) has run, by this seed's verdict, or by the verdict over seeds once two or more have finished.",
            "换笔迹并保留预训练的分类头时，通常会，但离误差带很近（走查中的一次运行：+7.0 个百分点，误差带 ±6.3）。换掉分类头时，未改动的模型可能胜出。第 5 步（所有层）运行之后评分：按这个随机种子的结论评分；有两个或更多种子完成后，按多个种子的总体结论评分。",
        ),
        graded_by: "lessons/finetune/predict.rs transfer_question",
    },
    AnswerKey {
        lesson: "optimizers",
        step: 6,
        question: tx(
            "1. At κ = 100, both at their best settings, which reaches 1/1000 of the distance first?",
            "1. κ = 100、两者都用最佳设置时，谁先把距离缩小到 1/1000？",
        ),
        answer: tx(
            "Momentum, at least twice as fast (about 6× here). Graded by the two paths' iteration counts on the page's surface (the result line shows both).",
            "动量，至少快一倍（这里约 6 倍）。按页面曲面上两条路径的迭代次数评分（结果行会显示两个次数）。",
        ),
        graded_by: "lessons/optimizers/quiz.rs question_runs",
    },
    AnswerKey {
        lesson: "optimizers",
        step: 6,
        question: tx(
            "2. On a κ = 10 valley at lr 0.05, what does μ = 0.99 do where 0.9 arrives?",
            "2. 在 κ = 10 的山谷中、学习率 0.05 时，0.9 能到达，μ = 0.99 会怎样？",
        ),
        answer: tx(
            "It swings past the minimum and arrives later (or not within the step limit). Graded by the two paths' iteration counts and μ = 0.99's overshoots.",
            "冲过极小值来回摆动，更晚到达（或在步数上限内到不了）。按两条路径的迭代次数和 μ = 0.99 冲过头的次数评分。",
        ),
        graded_by: "lessons/optimizers/quiz.rs question_runs",
    },
    AnswerKey {
        lesson: "optimizers",
        step: 6,
        question: tx(
            "3. Adam at SGD's tuned rate against SGD: which is more accurate?",
            "3. Adam 用 SGD 调好的学习率与 SGD 比：谁更准确？",
        ),
        answer: tx(
            "Expect SGD: Adam runs at {sgd_lr}, far above its own tuned {adam_lr}, and does badly or diverges (a diverged arm counts as 10 %). Graded by a 200-step race; \"about the same\" when the two 95 % bands overlap.",
            "预计是 SGD：Adam 用 {sgd_lr} 运行，远高于它自己调好的 {adam_lr}，表现很差甚至发散（发散的一组按 10% 计）。按一场 200 步的比赛评分；两个 95% 误差带重叠时算“差不多”。",
        ),
        graded_by: "lessons/optimizers/quiz.rs adam_grade",
    },
    AnswerKey {
        lesson: "interpret",
        step: 8,
        question: tx(
            "1. At ε = 0.1, under FGSM, is the model still right on more than half of the test images?",
            "1. 在 ε = 0.1、FGSM 攻击下，模型还能答对一半以上的测试图像吗？",
        ),
        answer: tx(
            "Usually no (one walkthrough run of this app: 24.4 %). Graded by the FGSM accuracy at ε = 0.1 measured on the test images (yes above 50 %; within two standard errors of 50 % it is not decided), only if answered before that accuracy was on the page: it is asked on step 5 above Measure too.",
            "通常不能（本应用在走查中的一次运行：24.4%）。按在测试图像上测得的 ε = 0.1 时 FGSM 下的准确率评分（高于 50% 算“会”；与 50% 相差不到两倍标准误时不判定），且只在该准确率出现在页面上之前作答才评分：第 5 步“测量”按钮上方也会问这道题。",
        ),
        graded_by: "lessons/interpret/check.rs question_one",
    },
    AnswerKey {
        lesson: "interpret",
        step: 8,
        question: tx(
            "2. With the output layer randomised, does the gradient map stay much the same (ρ above 0.5)?",
            "2. 随机化输出层后，梯度热力图会基本不变（ρ 大于 0.5）吗？",
        ),
        answer: tx(
            "No: the plain gradient runs through the output layer's weights, so the map changes and the rank correlation ρ is small. Graded by ρ between the two maps of the digit shown: yes above 0.5.",
            "不会：普通梯度要经过输出层的权重，所以图会变，秩相关 ρ 很小。按所示数字的两张图之间的 ρ 评分：大于 0.5 算“会”。",
        ),
        graded_by: "lessons/interpret/check.rs check",
    },
    AnswerKey {
        lesson: "privacy",
        step: 6,
        question: tx(
            "1. If σ is doubled, does ε halve?",
            "1. 如果 σ 加倍，ε 会减半吗？",
        ),
        answer: tx(
            "It depends on the settings, which is the point: the accountant computes ε at σ and at 2σ for the planned epochs; \"about half\" when the ratio is within 0.45–0.55, otherwise less or more than half. The result line shows both ε.",
            "取决于设置，这正是要点：记账器按计划的轮数算出 σ 与 2σ 时的 ε；比值在 0.45–0.55 之间算“大约减半”，否则是降幅不到一半或降到一半以下。结果行会显示两个 ε。",
        ),
        graded_by: "lessons/privacy/check.rs check_panel",
    },
    AnswerKey {
        lesson: "privacy",
        step: 6,
        question: tx(
            "2. Will DP-SGD shrink the membership test's advantage?",
            "2. DP-SGD 会减小成员推断的优势吗？",
        ),
        answer: tx(
            "Usually yes. Graded by the two runs' measured advantages: yes when the DP-SGD model's is lower than the plain model's by more than two standard errors of the difference; only if answered before both runs exist (it is asked on steps 1 and 3 too).",
            "通常会。按两次运行测得的优势评分：DP-SGD 模型的优势比普通模型低、且差值超过两倍标准误时算“会”；只有在两次运行都完成之前作答才评分（第 1 步和第 3 步也会问这道题）。",
        ),
        graded_by: "lessons/privacy/check.rs question_two",
    },
];

/// `{sgd_lr}` and `{adam_lr}` of an answer, from the tuned-rate table the race uses.
pub fn fill(answer: &str) -> String {
    let rate = |id: &str| {
        kernels::race::TUNED
            .iter()
            .find(|r| r.0 == id)
            .map_or_else(String::new, |r| r.3.to_string())
    };
    answer
        .replace("{sgd_lr}", &rate("sgd"))
        .replace("{adam_lr}", &rate("adam"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::course::teacher::DEMOS;
    use crate::lessons;

    #[test]
    fn every_demo_has_one_expected_result_and_every_row_a_demo() {
        for d in DEMOS {
            let n = EXPECTED
                .iter()
                .filter(|e| e.lesson == d.lesson && e.setup == d.setup)
                .count();
            assert_eq!(n, 1, "{} {}", d.lesson, d.setup);
        }
        for e in EXPECTED {
            assert!(
                DEMOS
                    .iter()
                    .any(|d| d.lesson == e.lesson && d.setup == e.setup),
                "{} {}: no such demo",
                e.lesson,
                e.setup
            );
            assert!(!e.expect.zh.contains(" %"), "{}", e.setup);
        }
    }

    #[test]
    fn every_lesson_with_a_check_yourself_step_has_a_key_at_that_step() {
        for key in ANSWER_KEYS {
            let lesson = lessons::find(key.lesson).unwrap_or_else(|| panic!("{}", key.lesson));
            assert!(
                (1..=lesson.info.steps.len()).contains(&key.step),
                "{} step {}",
                key.lesson,
                key.step
            );
            assert!(!key.answer.zh.contains(" %"), "{}", key.lesson);
        }
        // Every "Check yourself" step of the registry is covered.
        for lesson in lessons::LESSONS {
            for (i, step) in lesson.info.steps.iter().enumerate() {
                if step.title.en == "Check yourself" {
                    assert!(
                        ANSWER_KEYS
                            .iter()
                            .any(|k| k.lesson == lesson.info.id && k.step == i + 1),
                        "{} step {}: no answer key",
                        lesson.info.id,
                        i + 1
                    );
                }
            }
        }
        // The grading code each key names is there.
        for key in ANSWER_KEYS {
            let (file, function) = key.graded_by.split_once(' ').unwrap();
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("src")
                .join(file);
            let code = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(
                code.contains(&format!("fn {function}")),
                "{}",
                key.graded_by
            );
        }
        let adam = ANSWER_KEYS
            .iter()
            .find(|k| k.answer.en.contains("{adam_lr}"))
            .unwrap();
        let filled = fill(adam.answer.en);
        let adam_lr = kernels::race::TUNED
            .iter()
            .find(|r| r.0 == "adam")
            .unwrap()
            .3;
        assert!(
            !filled.contains('{') && filled.contains(&adam_lr.to_string()),
            "{filled}"
        );
    }
}
