//! The optimisers lesson's text, English and Chinese side by side.

use crate::lessons::lesson::Step;
use crate::ui::i18n::{Text, tx};

/// Title.
pub const TITLE: Text = tx("Optimisers on a surface", "在曲面上看优化器");
/// Home-page summary.
pub const SUMMARY: Text = tx(
    "Gradient descent, momentum, AdaGrad, RMSprop and Adam walk down the same hills, step by step, with the very update code that trains the network: see why a narrow valley slows plain gradient descent and how momentum gets through it.",
    "梯度下降、动量、AdaGrad、RMSprop 和 Adam 在同一片山坡上一步步往下走，用的正是训练网络的那段更新代码：看看为什么狭长的山谷会拖慢普通梯度下降，而动量又是怎样穿过它的。",
);

/// The steps.
pub const STEPS: [Step; 6] = [
    Step {
        title: tx(
            "Gradient descent or stochastic gradient descent",
            "梯度下降还是随机梯度下降",
        ),
        body: tx(
            "Gradient descent steps along the gradient of the mean loss over every training image; stochastic gradient descent (SGD) takes the gradient of a small random batch instead. Here the live model computes both: the full-batch gradient over the lesson's 10,000 training images, and gradients of random minibatches of 1, 8, 64 and 512 images, each compared with it by cosine similarity (1: the same direction) and relative error. A minibatch's gradient is a noisy estimate of the full one: the noise shrinks as the batch grows, but the cost grows with it. SGD takes many cheap, noisy steps instead of one exact, expensive one: each is often tens of degrees off the full gradient, but right on average (a random minibatch's gradient is an unbiased estimate). The noise is also thought to help it escape saddle points and sharp minima.",
            "梯度下降沿所有训练图像上平均损失的梯度迈步；随机梯度下降（SGD）则改用一小批随机图像的梯度。这里实时模型把两者都算出来：在本课 10,000 张训练图像上的全量梯度，以及 1、8、64、512 张图像的随机小批次梯度，并用余弦相似度（1 表示方向相同）和相对误差与全量梯度比较。小批次的梯度是全量梯度的带噪估计：批次越大噪声越小，但代价也随之增大。SGD 用许多便宜但带噪声的步子，代替一步精确而昂贵的步子：每一步的方向常常与全量梯度相差几十度，但平均而言是对的（随机小批次的梯度是无偏估计）。一般认为，噪声还有助于它逃离鞍点和尖锐的极小值。",
        ),
        notes: tx(
            "Ask first: will a batch of 64 point within 45° of the full gradient? Measure on the fresh model, then on the model after 300 SGD steps: as training goes on the full gradient shrinks and the minibatches' disagreement grows, which is why learning rates are often lowered late in training.",
            "先问：64 张图像的批次与全量梯度的夹角会在 45° 以内吗？先在刚初始化的模型上测，再在 SGD 训练 300 步后的模型上测：训练越往后，全量梯度越小，小批次之间的分歧越大——这就是训练后期常常降低学习率的原因。",
        ),
    },
    Step {
        title: tx("A surface you can see", "看得见的曲面"),
        body: tx(
            "A network's loss depends on hundreds of thousands of weights; here it depends on two, x and y, so the whole surface fits on the screen (darker is lower). Each optimiser starts where you click and takes the steps its update rule gives — the same function the engine runs on every weight of the network. The table counts the iterations until the path arrives: from that iteration on, its distance to the nearest minimum stays within 1/1000 of the start's (a path that swings into that ball and out again has not arrived). On the quadratic valley ½(x² + κ·y²), κ says how much more sharply curved it is across than along (the ratio of the two curvatures): gradient descent must use a learning rate small enough for the sharply curved direction and then crawls along the flat one. Its best rate needs about ln(1000)/ln((κ+1)/(κ−1)) iterations; heavy-ball momentum's best needs fewer, and the more so the larger κ: from the default start, about 2× fewer at κ = 10, 6× at κ = 100 and 18× at κ = 1000 (√κ times fewer only for very tight tolerances, because of a t·(√μ)ᵗ transient). The table measures it for the κ you choose.",
            "网络的损失取决于几十万个权重；这里只取决于两个，x 和 y，所以整个曲面能放进屏幕（颜色越深越低）。每个优化器从你点击的位置出发，按它的更新规则迈步——与引擎在网络每个权重上运行的是同一个函数。表格统计路径“到达”所需的迭代次数：从这一次迭代起，它到最近极小值的距离一直不超过起点距离的 1/1000（进入这个范围又离开的路径不算到达）。在二次山谷 ½(x² + κ·y²) 上，κ 表示横向比纵向弯曲得急多少倍（两个方向曲率之比）：梯度下降的学习率必须小到适合弯曲得急的方向，于是在平的方向上只能慢慢爬。它的最佳学习率约需 ln(1000)/ln((κ+1)/(κ−1)) 次迭代；重球动量的最佳设置所需迭代次数只有梯度下降的几分之一，κ 越大差距越大：从默认起点出发，κ = 10 时约 1/2，κ = 100 时约 1/6，κ = 1000 时约 1/18（只有容差非常小时才接近 1/√κ，原因是 t·(√μ)ᵗ 这一暂态项）。表格会针对你选的 κ 实测。",
        ),
        notes: tx(
            "Set κ = 100 and press \"Best settings for the quadratic\". Before the class reads the table, ask: how many times fewer iterations will momentum need? (About 6× fewer at κ = 100, but only about 2× at the default κ = 10. √κ = 10 holds only for much tighter tolerances; the closed-form table under it says why.) Then try Rosenbrock: the adaptive rules walk the curved valley differently.",
            "把 κ 设为 100，按“二次曲面的最佳设置”。在全班看表格之前先问：梯度下降所需的迭代次数会是动量的几倍？（κ = 100 时约 6 倍，默认的 κ = 10 时只有约 2 倍。√κ = 10 倍只在容差小得多时成立；表格下方的闭式解说明了原因。）再试 Rosenbrock：自适应方法沿弯曲山谷走的路线各不相同。",
        ),
    },
    Step {
        title: tx("Momentum", "动量"),
        body: tx(
            "Momentum keeps a velocity v, the sum of past gradients decayed by μ: v ← μ·v + g, then w ← w − lr·v (PyTorch's SGD with momentum, whose momentum_buffer is this v). Along a direction where the gradient keeps its sign the steps add up to lr/(1 − μ) per unit of gradient — ten times the learning rate at μ = 0.9 — while across the valley, where the sign alternates, they cancel. Too much momentum overshoots: the ball rolls past the minimum and swings back and forth before it settles.",
            "动量维护一个速度 v，即过去梯度按 μ 衰减的累加：v ← μ·v + g，然后 w ← w − lr·v（PyTorch 带动量的 SGD，它的 momentum_buffer 就是这个 v）。在梯度符号一直不变的方向上，步长累积到每单位梯度 lr/(1 − μ)——μ = 0.9 时是学习率的十倍；而在横穿山谷、符号来回变化的方向上，它们互相抵消。动量太大就会冲过头：小球滚过极小值，来回摆动后才停下。",
        ),
        notes: tx(
            "Move μ from 0 to 0.99 and watch the path: first it straightens and speeds up, then it swings past the minimum. The sentence under the plot is computed from the path, not written in advance.",
            "把 μ 从 0 移到 0.99，观察路径：先是变直、变快，然后冲过极小值来回摆动。图下面那句话是根据路径计算出来的，不是事先写好的。",
        ),
    },
    Step {
        title: tx("Adaptive rates", "自适应学习率"),
        body: tx(
            "AdaGrad divides each weight's step by the square root of the sum of its squared gradients so far, so a weight's rate shrinks the larger its past gradients; RMSprop uses a moving average of the squared gradients instead, so the rate does not die out; Adam keeps a moving average of the gradients too (momentum) and steps by lr · m̂/(√v̂ + ε), where the hats undo the averages' start at zero. On the live model: fc1's step this update, weight by weight — one 28×28 tile per hidden unit — under Adam and under the plain gradient step at the same rate. At one rate their sizes say little (SGD's tuned rate is far above Adam's), so each map has its own scale: compare how evenly each rule spreads its steps.",
            "AdaGrad 用每个权重迄今梯度平方和的平方根去除它的步长，所以一个权重过去的梯度越大，它的学习率就越小；RMSprop 改用梯度平方的滑动平均，学习率因此不会衰减到零；Adam 还保留梯度本身的滑动平均（动量），步长为 lr · m̂/(√v̂ + ε)，帽子符号表示修正了从零开始的平均值偏差。在实时模型上：本次更新中 fc1 每个权重的步长——每个隐藏单元一块 28×28 图块——分别在 Adam 和同一学习率的普通梯度步下。同一学习率下两者步长的大小说明不了什么（SGD 调好的学习率远高于 Adam 的），所以每张图用各自的刻度：比较的是每条规则的步长分布得有多均匀。",
        ),
        notes: tx(
            "Take one step on the fresh model first: Adam's first step moves every weight that has a gradient by almost exactly lr, whatever the gradient's size (m̂/√v̂ = g/|g|). Then take it after 300 steps of Adam: the steps spread out as the averages remember.",
            "先在刚初始化的模型上走一步：Adam 的第一步让每个有梯度的权重都几乎正好移动 lr，与梯度大小无关（m̂/√v̂ = g/|g|）。再在 Adam 训练 300 步后走一步：随着平均值积累了历史，步长开始分散。",
        ),
    },
    Step {
        title: tx("The race", "比赛"),
        body: tx(
            "The optimisers you tick train the same network side by side: the same initial weights and the same minibatches, step for step, so the curves differ only by the update rule and, under the tuned preset, its rate. Compare them two ways: each at its own tuned rate, and all at one learning rate — which shows why that comparison is unfair. Each run's settings are printed; the test accuracy is measured on 1,000 images, with its 95 % band.",
            "你勾选的优化器并排训练同一个网络：相同的初始权重，每一步都用相同的小批次，所以曲线的差别只来自更新规则，以及（在“调好的学习率”下）各自的学习率。用两种方式比较：各自用调好的学习率，以及全部用同一个学习率——后者说明为什么那样比较不公平。每次运行的设置都会列出；测试准确率在 1,000 张图像上测量，并给出 95% 区间。",
        ),
        notes: tx(
            "Run the tuned preset first and ask which will lead after 500 steps; then the one-rate preset at 0.05, and see which rules fit that rate and which do not (Adam runs at 50 times its tuned rate, RMSprop at more than 100 times). The verdict under the table only names a leader when the bands do not overlap — a conservative rule, since every arm is scored on the same 1,000 images.",
            "先运行“调好的学习率”，问大家 500 步后谁会领先；再用同一学习率 0.05 运行，看哪些规则适合这个学习率、哪些不适合（Adam 用的是它调好的学习率的 50 倍，RMSprop 超过 100 倍）。表格下方的结论只有在区间不重叠时才会指出领先者——这是偏保守的判据，因为各组都在同样的 1,000 张图像上评分。",
        ),
    },
    Step {
        title: tx("Check yourself", "随堂自测"),
        body: tx(
            "Predict, then run. Each answer is graded by what the optimisers actually do — on the surface, with the same update code the network trains with, and for the last question in a race on the live model.",
            "先预测，再运行。每个答案都由优化器的实际表现来评判——在曲面上用的是训练网络的同一段更新代码，最后一题则是在实时模型上的一场比赛。",
        ),
        notes: tx(
            "Let the class vote before each run. The second question surprises many: more momentum is not always faster. The third shows that a learning rate belongs to its optimiser.",
            "每次运行前让全班投票。第二个问题常出人意料：动量越大并不总是越快。第三题说明学习率是属于各自优化器的。",
        ),
    },
];

/// The page's own words.
pub mod ui {
    use super::*;

    /// Surface picker.
    pub const SURFACE: Text = tx("Surface", "曲面");
    /// The quadratic.
    pub const QUADRATIC: Text = tx("Quadratic valley ½(x² + κy²)", "二次山谷 ½(x² + κy²)");
    /// Rosenbrock.
    pub const ROSENBROCK: Text = tx("Rosenbrock's banana", "Rosenbrock 香蕉函数");
    /// Saddle.
    pub const SADDLE: Text = tx("A saddle", "鞍点");
    /// Beale.
    pub const BEALE: Text = tx("Beale's function", "Beale 函数");
    /// κ.
    pub const KAPPA: Text = tx("Condition number κ", "条件数 κ");
    /// Optimal preset.
    pub const OPTIMAL: Text = tx("Best settings for the quadratic", "二次曲面的最佳设置");
    /// Click hint.
    pub const CLICK: Text = tx(
        "Click the surface to choose the start.",
        "点击曲面选择起点。",
    );
    /// Table headers.
    pub const OPTIMISER: Text = tx("Optimiser", "优化器");
    /// Learning rate.
    pub const LR: Text = tx("Learning rate", "学习率");
    /// Momentum / β1.
    pub const MOMENTUM_COL: Text = tx("μ or β1", "μ 或 β1");
    /// Iterations.
    pub const ITERATIONS: Text = tx(
        "Iterations until it stays within 1/1000",
        "稳定进入 1/1000 范围所需的迭代次数",
    );
    /// Not reached.
    pub const NOT_REACHED: Text = tx("not within {n}", "{n} 次迭代内未达到");
    /// Diverged.
    pub const DIVERGED: Text = tx("diverged", "发散");
    /// A row whose box holds a refused value.
    pub const REFUSED: Text = tx("not run (value refused)", "未运行（数值不被接受）");
    /// Theory heading.
    pub const THEORY: Text = tx(
        "Closed form (the quadratic, best settings)",
        "闭式解（二次曲面，最佳设置）",
    );
    /// Rate column.
    pub const BY_RATE: Text = tx("by the rate alone", "仅按收敛率");
    /// Exact column.
    pub const EXACT: Text = tx("exact solution", "精确解");
    /// Measured column.
    pub const MEASURED: Text = tx("measured here", "本页实测");
    /// μ slider.
    pub const MU: Text = tx("Momentum μ", "动量 μ");
    /// Effective rate.
    pub const EFFECTIVE: Text = tx("effective rate lr/(1 − μ)", "有效学习率 lr/(1 − μ)");
    /// Correct.
    pub const RIGHT: Text = tx("Right.", "正确。");
    /// Wrong.
    pub const WRONG: Text = tx("Not quite.", "不太对。");
    /// A diverged run.
    pub const DIVERGED_AT_STEP: Text = tx("diverged at step {step}", "在第 {step} 步发散");
    /// "steps" after a count.
    pub const STEP_WORD: Text = tx("steps", "步");
}
