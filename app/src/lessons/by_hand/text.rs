//! "Backprop by hand": the lesson's text, English and Chinese side by side.

use crate::lessons::lesson::Step;
use crate::ui::i18n::{Text, tx};

/// Title.
pub const TITLE: Text = tx("Backprop by hand", "手写反向传播");
/// Home-page summary.
pub const SUMMARY: Text = tx(
    "Write the whole backward pass of the article's network yourself, one line of PyTorch-like code per gradient, on four real images and the live model's real weights; each line is checked against the exact answer, and your gradients then take a training step that is compared with the engine's own.",
    "自己写出文章中网络的整个反向传播：每个梯度一行类似 PyTorch 的代码，用四张真实图像和实时模型的真实权重；每一行都与精确答案核对，然后用你的梯度走一步训练，与引擎自己的那一步比较。",
);

/// The steps.
pub const STEPS: [Step; 3] = [
    Step {
        title: tx("The forward pass", "前向传播"),
        body: tx(
            "Four test images (B = 4) go through the live model, written out as PyTorch would: z1 = x @ W1.T + b1, h = relu(z1), z2 = h @ W2.T + b2, L = cross_entropy(z2, y), the mean over the batch. Every tensor has a shape: x is [4, 784], W1 [32, 784], z1 and h [4, 32], W2 [10, 32], z2 [4, 10], and L is one number. This is the article's network; a variation picked below changes h or L as its code shows. Click a node of the graph to see its values. The next step asks for the gradient of L with respect to z2, W2, b2, h, z1, W1 and b1: backpropagation, by hand.",
            "四张测试图像（B = 4）通过实时模型，按 PyTorch 的写法展开：z1 = x @ W1.T + b1，h = relu(z1)，z2 = h @ W2.T + b2，L = cross_entropy(z2, y)，即批次上的平均值。每个张量都有形状：x 是 [4, 784]，W1 是 [32, 784]，z1 和 h 是 [4, 32]，W2 是 [10, 32]，z2 是 [4, 10]，L 是一个数。这是文章中的网络；在下方选择变体时，h 或 L 按它的代码改变。点击图中的节点可以查看它的值。下一步要你求 L 对 z2、W2、b2、h、z1、W1 和 b1 的梯度：亲手做反向传播。",
        ),
        notes: tx(
            "Have the class read the shapes aloud before anything else: every backward line must produce a tensor of its variable's shape, and most mistakes show up as a wrong shape. Point out that the mean over the batch is where the 1/B of the first gradient comes from.",
            "先让全班把各个形状读出来：每一行反向代码都必须得到与其变量形状相同的张量，大多数错误都会表现为形状不对。指出批次上的平均正是第一个梯度中 1/B 的来源。",
        ),
    },
    Step {
        title: tx("The backward pass", "反向传播"),
        body: tx(
            "Write one line per gradient, from the loss down, and press Enter: dz2 = ∂L/∂z2, then dW2, db2, dh, dz1, dW1 and db1. The chain rule says each is the gradient above it times a local derivative; the shapes say how to multiply: a gradient has the shape of its variable. You may use x, y, W1, b1, W2, b2, z1, h, z2, B, the operators @ .T + - * / ** and comparisons (x > 0 gives 0 or 1), softmax(t, dim), onehot(y, 10), sum(t, dim) (with keepdim=True if you need it), mean, exp, log, tanh and relu, eps in the label-smoothing variation — and the gradients you already have right (a wrong line defines nothing). Write functions, not methods: sum(dz2, 0), not dz2.sum(0). Each line is graded against the exact gradient (right within a relative error of 10⁻⁵).",
            "每个梯度写一行，从损失往下，按回车：dz2 = ∂L/∂z2，然后是 dW2、db2、dh、dz1、dW1 和 db1。链式法则说明每一个都是上游梯度（更靠近损失的那一个）乘以一个局部导数；形状告诉你怎样相乘：梯度与它的变量形状相同。可以使用 x、y、W1、b1、W2、b2、z1、h、z2、B，运算符 @ .T + - * / ** 和比较（x > 0 得到 0 或 1），softmax(t, dim)、onehot(y, 10)、sum(t, dim)（需要时加 keepdim=True）、mean、exp、log、tanh 和 relu，标签平滑变体中还有 eps——以及你已经写对的梯度（写错的行不定义任何名字）。用函数而不是方法：写 sum(dz2, 0)，不写 dz2.sum(0)。每一行都与精确的梯度比较（相对误差不超过 10⁻⁵ 即为正确）。",
        ),
        notes: tx(
            "Let pairs work on dz2 first and share what went wrong: the usual mistakes are a missing / B (graded 'wrong values') and a transposed product (graded 'wrong shape', naming both shapes). Hints come in three levels; ask the class to use the first before the third. The lines stay in this browser after a reload.",
            "让学生两人一组先做 dz2，再交流错在哪里：常见的错误是漏了 / B（评为“数值不对”）和乘积转置了（评为“形状不对”，并给出两个形状）。提示分三级；请学生先用第一级，再用第三级。重新加载后，这些行仍保存在本浏览器中。",
        ),
    },
    Step {
        title: tx("Close the loop", "闭环验证"),
        body: tx(
            "With all seven gradients right, your dW1, db1, dW2 and db2 take one step of SGD (stochastic gradient descent): W ← W − lr·dW. The engine takes its own step from the same weights on the same batch; the page compares the two parameter by parameter, and the batch's loss before and after (for the article's network: the engine trains no variation, so a variation's step is checked by its loss and the finite differences). Beside it, a finite difference checks one entry each of W1, b1 and W2, picked at random: move it by ±ε, recompute the loss, and (L(w+ε) − L(w−ε))/2ε should match your gradient.",
            "七个梯度全部写对后，你的 dW1、db1、dW2 和 db2 走一步 SGD（随机梯度下降）：W ← W − lr·dW。引擎从相同的权重、在相同的批次上走它自己的一步；页面逐个参数比较两者，并给出这一批在这一步前后的损失（仅对文章中的网络：引擎不训练变体，变体的一步只通过损失和有限差分核对）。旁边用有限差分核对 W1、b1、W2 中各随机选出的一个参数：给它加上或减去 ε，重新计算损失，(L(w+ε) − L(w−ε))/2ε 应当与你的梯度一致。",
        ),
        notes: tx(
            "The point to make: the class's seven lines are all a training framework does in its backward pass for this network. The step usually equals the engine's to the bit or differs by a few f32 rounding units, and the page shows the largest difference; ask why the two can differ at all (the engine computes in f32, the page in f64).",
            "要讲清的一点：全班写的这七行，就是训练框架对这个网络做反向传播时所做的全部事情。这一步通常与引擎的一步逐位相同，或只差几个 f32 舍入单位，页面会给出最大差值；问学生为什么两者还会有差别（引擎用 f32 计算，页面用 f64）。",
        ),
    },
];

/// Three hints per gradient, in [`kernels::by_hand::GRADIENT_NAMES`] order: the chain rule's factor
/// and the shape (the third level, the formula, is the correct line itself).
pub const HINTS: [[Text; 2]; 7] = [
    [
        tx(
            "L is the batch's mean of −log softmax(z2)[y]: its derivative in z2 is the softmax minus the one-hot label, and the mean divides by B.",
            "L 是批次上 −log softmax(z2)[y] 的平均：它对 z2 的导数是 softmax 减去独热标签，取平均要除以 B。",
        ),
        tx(
            "dz2 has z2's shape, [4, 10].",
            "dz2 与 z2 形状相同：[4, 10]。",
        ),
    ],
    [
        tx(
            "z2 = h @ W2.T + b2: W2[k, j] multiplies h[b, j] into z2[b, k], so dW2 gathers dz2 times h, summed over the batch.",
            "z2 = h @ W2.T + b2：W2[k, j] 乘以 h[b, j] 得到 z2[b, k] 的一部分，所以 dW2[k, j] 是 dz2[b, k]·h[b, j] 对批次求和。",
        ),
        tx(
            "dW2 has W2's shape, [10, 32]: a [10, 4] times a [4, 32].",
            "dW2 与 W2 形状相同：[10, 32]，即 [10, 4] 乘以 [4, 32]。",
        ),
    ],
    [
        tx(
            "b2 is added to every row of z2 with a factor 1: its gradient adds dz2 up over the batch.",
            "b2 以系数 1 加到 z2 的每一行上：它的梯度是 dz2 在批次上求和。",
        ),
        tx(
            "db2 has b2's shape, [10]: sum over dim 0.",
            "db2 与 b2 形状相同：[10]，对第 0 维求和。",
        ),
    ],
    [
        tx(
            "h[b, j] reaches every z2[b, k] through W2[k, j]: dh gathers dz2 back through W2.",
            "h[b, j] 通过 W2[k, j] 影响每一个 z2[b, k]：dh 由 dz2 经 W2 反向传回，对 k 求和。",
        ),
        tx(
            "dh has h's shape, [4, 32]: a [4, 10] times a [10, 32].",
            "dh 与 h 形状相同：[4, 32]，即 [4, 10] 乘以 [10, 32]。",
        ),
    ],
    [
        tx(
            "h = relu(z1): the local derivative is 1 where z1 > 0 and 0 elsewhere, element by element.",
            "h = relu(z1)：局部导数在 z1 > 0 处为 1，其余为 0，逐元素相乘。",
        ),
        tx(
            "dz1 has z1's shape, [4, 32]: an element-wise product, no @.",
            "dz1 与 z1 形状相同：[4, 32]，是逐元素乘积，不用 @。",
        ),
    ],
    [
        tx(
            "As for dW2, one layer down: z1 = x @ W1.T + b1, so dW1 gathers dz1 times the layer's input x.",
            "与 dW2 一样，只是低一层：z1 = x @ W1.T + b1，所以 dW1 由 dz1 与这一层的输入 x 相乘、对批次求和得到。",
        ),
        tx(
            "dW1 has W1's shape, [32, 784]: a [32, 4] times a [4, 784].",
            "dW1 与 W1 形状相同：[32, 784]，即 [32, 4] 乘以 [4, 784]。",
        ),
    ],
    [
        tx(
            "As for db2, one layer down: b1 is added to every row of z1.",
            "与 db2 一样，只是低一层：b1 加到 z1 的每一行上。",
        ),
        tx(
            "db1 has b1's shape, [32]: sum over dim 0.",
            "db1 与 b1 形状相同：[32]，对第 0 维求和。",
        ),
    ],
];

/// The page's labels.
pub mod ui {
    use crate::ui::i18n::{Text, tx};

    /// The batch's caption.
    pub const BATCH: Text = tx(
        "The batch: four test images and their labels y",
        "批次：四张测试图像及其标签 y",
    );
    /// An image's label.
    pub const IMAGE: Text = tx("Image {i}, label {y}", "图像 {i}，标签 {y}");
    /// The shapes table's header.
    pub const TENSOR: Text = tx("Tensor", "张量");
    /// The shapes table's header.
    pub const SHAPE: Text = tx("Shape", "形状");
    /// The shapes table's header.
    pub const MEANING: Text = tx("What it is", "含义");
    /// The loss line.
    pub const LOSS: Text = tx("The batch's loss L", "这一批的损失 L");
    /// Waiting for the live model.
    pub const WAITING: Text = tx(
        "Waiting for the live model and its batch…",
        "正在等待实时模型及其批次…",
    );
    /// The snapshot's note.
    pub const SNAPSHOT: Text = tx(
        "Graded at the live model's weights after {n} training steps. Training on changes the weights; take them again to grade against the new ones.",
        "按实时模型训练 {n} 步后的权重评分。继续训练会改变权重；重新取权重即可按新的权重评分。",
    );
    /// Takes the weights again.
    pub const RETAKE: Text = tx("Take the current weights", "取当前权重");
    /// The Enter hint.
    pub const ENTER: Text = tx("Press Enter to grade", "按回车评分");
    /// The hint button.
    pub const HINT: Text = tx("Hint", "提示");
    /// The hint button once all are shown.
    pub const NO_MORE: Text = tx("No more hints", "没有更多提示了");
    /// Hint 3's lead.
    pub const FORMULA: Text = tx("The line:", "这一行：");
    /// A line naming another gradient.
    pub const WRONG_NAME: Text = tx(
        "This line is for {want}; it defines {got}.",
        "这一行应当定义 {want}，却定义了 {got}。",
    );
    /// The wrong values' heat map.
    pub const DIFFERENCE: Text = tx(
        "Yours minus the exact {n}: where the values differ",
        "你的结果减去精确的 {n}：数值不同的位置",
    );
    /// A gradient used before its line is right.
    pub const NOT_DEFINED_YET: Text = tx(
        "({n} is defined once its own line is graded right.)",
        "（{n} 要等它自己那一行被评为正确之后才有定义。）",
    );
    /// The graph's label.
    pub const GRAPH: Text = tx(
        "The step's graph: x → z1 → h → z2 → L with the parameters; a solved line lights its edge",
        "这一步的计算图：x → z1 → h → z2 → L 以及各参数；写对的行会点亮对应的边",
    );
    /// The node panel's value.
    pub const VALUE: Text = tx("Value of {n}", "{n} 的值");
    /// The node panel's gradient.
    pub const GRADIENT: Text = tx("Your gradient d{n}", "你的梯度 d{n}");
    /// Not yet.
    pub const NO_GRADIENT: Text = tx(
        "Its gradient appears here once your line for it is right.",
        "你的这一行写对之后，它的梯度会显示在这里。",
    );
    /// No gradient for x.
    pub const NO_INPUT_GRADIENT: Text = tx(
        "The network does not learn x: no line asks for its gradient.",
        "网络不学习 x：没有哪一行要求它的梯度。",
    );
    /// The heat map's scale.
    pub const SCALE: Text = tx(
        "blue below zero, red above; the deepest colour is ±{max}",
        "蓝色为负，红色为正；最深的颜色代表 ±{max}",
    );
    /// Not all lines right yet.
    pub const NOT_YET: Text = tx(
        "Get all seven lines right in step 2 first ({n} of 7 so far).",
        "请先在第 2 步把七行全部写对（目前对了 {n} 行）。",
    );
    /// Step check: the sentence.
    pub const STEP_CHECK: Text = tx(
        "Your step against the engine's (lr = {lr}): largest difference of any parameter {d}; {same} of {all} parameters equal to the bit.",
        "你的一步与引擎的一步（lr = {lr}）：各参数的最大差值 {d}；{all} 个参数中有 {same} 个逐位相同。",
    );
    /// Step check: all equal.
    pub const STEP_EXACT: Text = tx(
        "Your step (lr = {lr}) equals the engine's to the bit, all {all} parameters.",
        "你的一步（lr = {lr}）：全部 {all} 个参数都与引擎的一步逐位相同。",
    );
    /// Loss before.
    pub const LOSS_BEFORE: Text = tx("Loss before the step", "这一步之前的损失");
    /// Loss after the student's step.
    pub const LOSS_AFTER: Text = tx("After your step", "走完你的一步之后");
    /// Loss after the engine's step.
    pub const LOSS_ENGINE: Text = tx("After the engine's step", "走完引擎的一步之后");
    /// Finite differences' heading.
    pub const FD: Text = tx(
        "Finite differences, one entry each of W1, b1 and W2 picked at random (ε = {eps})",
        "有限差分，W1、b1、W2 中各随机选出的一个参数（ε = {eps}）",
    );
    /// Finite differences' columns.
    pub const FD_WEIGHT: Text = tx("Weight", "权重");
    /// Finite differences' columns.
    pub const FD_YOURS: Text = tx("Your gradient", "你的梯度");
    /// Finite differences' columns.
    pub const FD_VALUE: Text = tx(
        "Finite difference (L(w+ε) − L(w−ε))/2ε",
        "有限差分 (L(w+ε) − L(w−ε))/2ε",
    );
    /// Finite differences' columns.
    pub const FD_REL: Text = tx("Relative difference", "相对差异");
}
