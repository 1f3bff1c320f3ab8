//! The cross-entropy lesson's text, English and Chinese side by side.

use crate::lessons::lesson::Step;
use crate::ui::i18n::{Text, tx};

/// Title.
pub const TITLE: Text = tx("Cross-entropy", "交叉熵");
/// Home-page summary.
pub const SUMMARY: Text = tx(
    "How a network is told how wrong it is: one number, the loss, from the true answer and the network's guessed probabilities. Move the guesses, compare it with squared error, and check the number against the model's own, image by image.",
    "网络怎样得知自己错了多少：由真实答案和网络猜测的概率算出一个数，即损失。动手改变猜测，与平方误差比较，并逐张图像地与模型自己算出的数核对。",
);

/// The steps.
pub const STEPS: [Step; 6] = [
    Step {
        title: tx("p and q", "p 与 q"),
        body: tx(
            "Cross-entropy compares two distributions over the ten classes. p is the truth: for one MNIST image it is one-hot, all its mass on the true class. q is the model's belief: the softmax of its ten logits. Here both are shown for a test image and the live model.",
            "交叉熵比较十个类别上的两个分布。p 是真实分布（标签）：对一张 MNIST 图像，它是独热（one-hot）向量，全部概率都在真实类别上。q 是模型的预测分布：它十个 logit 的 softmax。这里显示一张测试图像与实时模型的 p 和 q。",
        ),
        notes: tx(
            "Point at the grey bar (p, the truth) and the blue bars (q, the model's belief). Ask: which number should training push up? (q of the true class.) Untrained, every q is about 0.1.",
            "指着灰色柱（p，真实分布）和蓝色柱（q，模型的预测）。提问：训练应该把哪个数推高？（真实类别的 q。）未训练时每个 q 都约为 0.1。",
        ),
    },
    Step {
        title: tx("Playground", "动手试一试"),
        body: tx(
            "Move the logits, or drag a bar of q, and watch softmax renormalise. Each term −p_k·log q_k is listed (natural log); only classes where p is not zero contribute. Push q of the true class towards 0 and the loss runs towards infinity. For one example the gradient with respect to the logits is simply q − p; training minimises the batch mean, so each example contributes (q − p)/B — the δ the chain rule starts from. With label smoothing the smallest possible H is H(p) > 0, reached at q = p (H(p, q) = H(p) + KL(p‖q)). An untrained 10-class model starts near ln 10 ≈ 2.30.",
            "移动 logit，或拖动 q 的柱子，观察 softmax 如何重新归一化。每一项 −p_k·log q_k 都列在表中（自然对数）；只有 p 不为零的类别有贡献。把真实类别的 q 推向 0，损失就趋向无穷大。对单个样本，对 logit 的梯度就是 q − p；训练最小化的是一个批次的平均损失，所以每个样本贡献 (q − p)/B——这正是链式法则出发时的 δ。使用标签平滑时，H 的最小值是 H(p) > 0，在 q = p 处取到（H(p, q) = H(p) + KL(p‖q)）。一个未训练的 10 类模型起步时约为 ln 10 ≈ 2.30。",
        ),
        notes: tx(
            "Let a student drag the true class's bar towards 0 and read H aloud as it grows without limit; then set all logits equal: H = ln 10 ≈ 2.30. Mention q − p: it is where backpropagation starts.",
            "让一位学生把真实类别的柱子拖向 0，并大声读出不断增大、没有上限的 H；再把所有 logit 设成相等：H = ln 10 ≈ 2.30。提一下 q − p：反向传播就从这里开始。",
        ),
    },
    Step {
        title: tx("Versus squared error", "与平方误差对比"),
        body: tx(
            "Both losses as q of the true class goes from 0 to 1 (the rest spread evenly; the log is natural). Cross-entropy punishes a mistake without limit and its gradient on the true logit is exactly q − 1, close to −1 while q is small, so learning is fast exactly when the model is most wrong. Squared error on the probabilities, SE = Σ_k (q_k − p_k)² (a sum; the article's mean squared error is MSE = SE/K, as PyTorch's mse_loss divides by K), stays bounded, and through softmax its gradient carries a factor q_true that vanishes there: a confidently wrong model barely learns. The chart spreads the rest evenly, a diffuse mistake (its squared error tops out near 1.1); a confident mistake puts nearly all the rest on one wrong class: its squared error approaches 2, and its gradient vanishes the same way, through the same factor q_true. (Squared error on raw scores, as in regression, has no such factor.)",
            "当真实类别的 q 从 0 变到 1（其余概率平均分配；log 为自然对数）时的两种损失。交叉熵对错误给予无上限的惩罚，它对真实类别 logit 的梯度恰好是 q − 1，在 q 很小时接近 −1，所以模型错得最厉害时学得最快。概率上的平方误差 SE = Σ_k (q_k − p_k)²（是求和；原文的均方误差 MSE = SE/K，PyTorch 的 mse_loss 也除以 K）是有界的，经过 softmax 后它的梯度带有因子 q_真实，在那里趋于零：一个自信地犯错的模型几乎学不动。图中其余概率平均分配，是一种分散的错误（其平方误差最高约 1.1）；自信的错误则几乎把其余概率全放在某一个错误类别上：它的平方误差接近 2，梯度同样因为因子 q_真实 而趋于零。（在原始分数上做平方误差，如回归问题，就没有这个因子。）",
        ),
        notes: tx(
            "Ask before showing: which loss punishes a confident mistake more? Then point at the gradient curves near q = 0: cross-entropy's stays near −1, squared error's vanishes. The curves spread the wrong mass evenly; with all of it on one wrong class squared error rises to 2, but its gradient vanishes just the same.",
            "展示之前先问：哪种损失对自信的错误惩罚更重？再指出 q = 0 附近的梯度曲线：交叉熵的保持在 −1 附近，平方误差的趋于零。图中的曲线把错误的概率平均分配；如果全部放在一个错误类别上，平方误差会升到 2，但它的梯度同样趋于零。",
        ),
    },
    Step {
        title: tx("On the live model", "在实时模型上"),
        body: tx(
            "Pick a test image. The page computes H(p, q) from the model's logits; next to it is the loss the engine's softmax-cross-entropy kernel computed for the same image, and a line that says whether the two agree within what f32 arithmetic can resolve. Train a few steps and look again.",
            "选一张测试图像。页面用模型的 logit 计算 H(p, q)；旁边是引擎的 softmax 交叉熵内核为同一张图像算出的损失，下面一行说明两者在 f32 运算能分辨的精度内是否一致。训练几步后再看一次。",
        ),
        notes: tx(
            "The same H, computed by this page and by the engine's kernel (the GPU engine, or the CPU engine where there is no fast GPU: the bar above names it), for one image. Press Step a few times: both change together. If the panel says underflow, say why: the model is very sure and f32 runs out of digits.",
            "同一张图像的 H，分别由本页面和引擎的内核算出（GPU 引擎，或在没有快速 GPU 时用 CPU 引擎：上方状态栏会写明）。按几次“单步”：两者一起变化。如果面板显示下溢，解释原因：模型非常确定，f32 的精度用尽了。",
        ),
    },
    Step {
        title: tx("Surprise gallery", "最“意外”的样本"),
        body: tx(
            "The test images the live model finds most surprising: the highest loss, the lowest q on the true class. Early on almost any image can be among them. A strong model's hardest images are often odd, ambiguous or mislabelled digits; this small model (Start trains it for a few epochs at most) also gets easy ones wrong. Which are which?",
            "实时模型觉得最意外的测试图像：损失最高、真实类别上的 q 最低。刚开始几乎任何一张图都可能上榜。一个强大的模型最难的图像往往是奇怪的、模棱两可的或标错的数字；这个小模型（“开始”最多只训练几轮）也会把容易的数字认错。哪些是哪一种？",
        ),
        notes: tx(
            "The images the model finds hardest: ask the class whether a person would find them hard too. Some are ambiguous or mislabelled; with this small model many are legible digits it simply gets wrong — ask what they have in common (a thin stroke, an unusual slant, a digit off centre).",
            "模型觉得最难的图像：问全班人是否也会觉得难。有些确实模棱两可或标错了；对这个小模型来说，很多是清晰可读、它却认错了的数字——问它们有什么共同点（笔画很细、倾斜少见、数字不在中央）。",
        ),
    },
    Step {
        title: tx("Check yourself", "随堂自测"),
        body: tx(
            "Two predictions of the live model. Which one has the lower cross-entropy? Answer, then see the numbers.",
            "实时模型的两个预测。哪一个的交叉熵更低？先作答，再看数字。",
        ),
        notes: tx(
            "Let the class vote A or B before anyone clicks; the bars decide. Ask why the lower loss belongs to the taller true-class bar.",
            "在任何人点击之前先让全班投票选 A 或 B；由柱子来判定。问为什么更低的损失属于更高的真实类别柱子。",
        ),
    },
];

/// The page's labels.
pub mod ui {
    use super::*;

    /// p.
    pub const P: Text = tx("p (truth)", "p（真实分布）");
    /// q.
    pub const Q: Text = tx("q (model)", "q（模型）");
    /// Gradient.
    pub const GRADIENT: Text = tx("gradient ∂H/∂z = q − p", "梯度 ∂H/∂z = q − p");
    /// Term column.
    pub const TERM: Text = tx("term −p·log q", "项 −p·log q");
    /// Logit column.
    pub const LOGIT: Text = tx("logit z", "logit 值 z");
    /// True class picker.
    pub const TRUE_CLASS: Text = tx("true class", "真实类别");
    /// Smoothing slider.
    pub const SMOOTHING: Text = tx("soften p (label smoothing)", "软化 p（标签平滑）");
    /// Reset.
    pub const RESET: Text = tx("Reset logits", "重置 logit");
    /// Chart of p/q bars.
    pub const BARS_ARIA: Text = tx(
        "p and q per class as bars; drag a q bar to change it",
        "按类别显示 p 和 q 的柱状图；拖动 q 的柱子可以改变它",
    );
    /// Gradient bars.
    pub const GRAD_ARIA: Text = tx("q − p per class as bars", "按类别显示 q − p 的柱状图");
    /// Page-computed H.
    pub const PAGE_H: Text = tx("H computed on this page", "本页计算的 H");
    /// Engine loss.
    pub const ENGINE_LOSS: Text = tx("loss from the engine's kernel", "引擎内核算出的损失");
    /// Relative difference.
    pub const DIFFERENCE: Text = tx("relative difference", "相对差异");

    /// The comparison's sentence, chosen from the numbers.
    pub fn agreement(a: kernels::chain::Agreement) -> Text {
        use kernels::chain::Agreement;
        match a {
            Agreement::Agree => tx(
                "They agree: the difference is within f32 rounding at these logits (about {res}, plus 10⁻⁵ of the larger loss).",
                "两者一致：差异在这些 logit 下 f32 的舍入范围之内（约 {res}，另加两个损失中较大者的 10⁻⁵）。",
            ),
            Agreement::Differ => tx(
                "They differ by more than f32 rounding explains (about {res}, plus 10⁻⁵ of the larger loss). Both come from the same logits of the same model at the same step, so one of the two computations is wrong — report it.",
                "两者的差异超出了 f32 舍入能解释的范围（约 {res}，另加两个损失中较大者的 10⁻⁵）。两者来自同一模型在同一训练步的同一组 logit，所以其中一个计算有错——请报告。",
            ),
            Agreement::Underflow => tx(
                "Both are below what f32 resolves at these logits (about {res}): the model is so sure of this image that its loss is rounding, so the two cannot be compared. A very confident prediction does this.",
                "两者都低于这些 logit 下 f32 能分辨的精度（约 {res}）：模型对这张图像过于确定，损失只剩舍入误差，无法比较。非常有把握的预测就会这样。",
            ),
        }
    }
    /// CE vs MSE chart legend.
    pub const LEGEND: Text = tx(
        "solid: loss (cross-entropy blue, squared error orange); dashed: |∂L/∂z| on the true logit. Cross-entropy leaves the chart at the top as q → 0: it has no upper bound (−ln 0.005 ≈ 5.3).",
        "实线：损失（交叉熵为蓝色，平方误差为橙色）；虚线：真实类别 logit 上的 |∂L/∂z|。当 q → 0 时交叉熵从图的上沿跑出去：它没有上界（−ln 0.005 ≈ 5.3）。",
    );
    /// The comparison chart, for screen readers.
    pub const VERSUS_ARIA: Text = tx(
        "Cross-entropy and squared error, and their gradients, against q of the true class",
        "交叉熵与平方误差及其梯度随真实类别的 q 的变化",
    );
    /// Chart x axis.
    pub const Q_TRUE: Text = tx("q of the true class", "真实类别的 q");
    /// Chart y axis.
    pub const VALUE: Text = tx("value", "数值");
    /// Slider over q(true).
    pub const AT: Text = tx("at q(true) =", "当 q(真实) =");
    /// Table headers.
    pub const CE: Text = tx("cross-entropy", "交叉熵");
    /// MSE.
    pub const MSE: Text = tx("squared error", "平方误差");
    /// Loss row.
    pub const LOSS_ROW: Text = tx("loss", "损失");
    /// Gradient row.
    pub const GRAD_ROW: Text = tx("∂L/∂z on the true logit", "真实类别 logit 上的 ∂L/∂z");
    /// Gallery refresh.
    pub const REFRESH: Text = tx("Refresh", "刷新");
    /// Gallery caption.
    pub const GALLERY_NOTE: Text = tx(
        "The 12 highest losses among 1,000 test images, refreshed as the model trains.",
        "1000 张测试图像中损失最高的 12 张，随模型训练而刷新。",
    );
    /// Quiz question.
    pub const QUESTION: Text = tx(
        "Which prediction has the lower cross-entropy?",
        "哪个预测的交叉熵更低？",
    );
    /// No pair can be told apart by eye.
    pub const QUIZ_UNTRAINED: Text = tx(
        "The live model gives every test image's true class about the same probability (q(true) spans only {spread}), so no two predictions differ enough to judge by eye. Train it a little (Start, above) and the question appears.",
        "实时模型给每张测试图像的真实类别的概率都差不多（q(真实类别) 的范围只有 {spread}），没有哪两个预测的差别大到能用眼睛判断。先训练一会儿（上面的“开始”），问题就会出现。",
    );
    /// Option A.
    pub const OPTION_A: Text = tx("A has the lower loss", "A 的损失更低");
    /// Option B.
    pub const OPTION_B: Text = tx("B has the lower loss", "B 的损失更低");
    /// Right.
    pub const RIGHT: Text = tx("Right.", "答对了。");
    /// Wrong.
    pub const WRONG: Text = tx("Not this time.", "这次没答对。");
    /// Another question.
    pub const ANOTHER: Text = tx("Another pair", "换一对");
    /// Why.
    pub const WHY: Text = tx(
        "Only q of the true class counts: the larger it is, the lower −log q.",
        "只有真实类别的 q 起作用：它越大，−log q 越低。",
    );
    /// Prediction label.
    pub const PREDICTION: Text = tx("Prediction", "预测");
}
