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
pub const STEPS: [Step; 3] = [
    Step {
        title: tx("A surface you can see", "看得见的曲面"),
        body: tx(
            "A network's loss depends on hundreds of thousands of weights; here it depends on two, x and y, so the whole surface fits on the screen (darker is lower). Each optimiser starts where you click and takes the steps its update rule gives — the same function the engine runs on every weight of the network. The table counts the iterations until the distance to the minimum is 1/1000 of the start's. On the quadratic valley ½(x² + κ·y²), κ says how much steeper it is across than along: gradient descent must use a learning rate small enough for the steep direction and then crawls along the flat one. Its best rate needs about ln(1000)/ln((κ+1)/(κ−1)) iterations; heavy-ball momentum's best needs about √κ times fewer.",
            "网络的损失取决于几十万个权重；这里只取决于两个，x 和 y，所以整个曲面能放进屏幕（颜色越深越低）。每个优化器从你点击的位置出发，按它的更新规则迈步——与引擎在网络每个权重上运行的是同一个函数。表格统计到达极小值的距离缩小到起点的 1/1000 所需的迭代次数。在二次山谷 ½(x² + κ·y²) 上，κ 表示横向比纵向陡多少：梯度下降的学习率必须小到适合陡的方向，于是在平的方向上只能慢慢爬。它的最佳学习率约需 ln(1000)/ln((κ+1)/(κ−1)) 次迭代；重球动量的最佳设置大约少 √κ 倍。",
        ),
        notes: tx(
            "Set κ = 100 and press \"Best settings for the quadratic\". Before running, ask: how many times fewer iterations will momentum need? (About √κ = 10; the exact count is a little more, and the page says why.) Then try Rosenbrock: the adaptive rules walk the curved valley differently.",
            "把 κ 设为 100，按“二次曲面的最佳设置”。运行之前先问：动量需要的迭代次数会少多少倍？（约 √κ = 10 倍；精确的次数稍多一些，页面会说明原因。）再试 Rosenbrock：自适应方法沿弯曲山谷走的路线各不相同。",
        ),
    },
    Step {
        title: tx("Momentum", "动量"),
        body: tx(
            "Momentum keeps a velocity m, a running sum of past gradients: m ← μ·m + g, then w ← w − lr·m (PyTorch's SGD with momentum). Along a direction where the gradient keeps its sign the steps add up to lr/(1 − μ) per unit of gradient — ten times the learning rate at μ = 0.9 — while across the valley, where the sign alternates, they cancel. Too much momentum overshoots: the ball rolls past the minimum and swings back and forth before it settles.",
            "动量维护一个速度 m，即过去梯度的累加：m ← μ·m + g，然后 w ← w − lr·m（PyTorch 带动量的 SGD）。在梯度符号一直不变的方向上，步长累积到每单位梯度 lr/(1 − μ)——μ = 0.9 时是学习率的十倍；而在横穿山谷、符号来回变化的方向上，它们互相抵消。动量太大就会冲过头：小球滚过极小值，来回摆动后才停下。",
        ),
        notes: tx(
            "Move μ from 0 to 0.99 and watch the path: first it straightens and speeds up, then it swings past the minimum. The sentence under the plot is computed from the path, not written in advance.",
            "把 μ 从 0 移到 0.99，观察路径：先是变直、变快，然后冲过极小值来回摆动。图下面那句话是根据路径计算出来的，不是事先写好的。",
        ),
    },
    Step {
        title: tx("Check yourself", "自我检测"),
        body: tx(
            "Predict, then run. Each answer is graded by what the optimisers actually do on the surface, with the same update code the network trains with.",
            "先预测，再运行。每个答案都由优化器在曲面上的实际表现来评判，用的是训练网络的同一段更新代码。",
        ),
        notes: tx(
            "Let the class vote before each run. The second question surprises many: more momentum is not always faster.",
            "每次运行前让全班投票。第二个问题常出人意料：动量越大并不总是越快。",
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
    pub const ITERATIONS: Text = tx("Iterations to 1/1000", "到 1/1000 的迭代次数");
    /// Not reached.
    pub const NOT_REACHED: Text = tx("not within", "未在以下步数内达到：");
    /// Diverged.
    pub const DIVERGED: Text = tx("diverged", "发散");
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
}
