//! The chain-rule lesson's text, English and Chinese side by side.

use crate::lessons::lesson::Step;
use crate::ui::i18n::{Text, tx};

/// Title.
pub const TITLE: Text = tx("The chain rule", "链式法则");
/// Home-page summary.
pub const SUMMARY: Text = tx(
    "How each weight learns which way to move: the chain rule, worked out on any weight you pick in a live model, checked three ways (the factors multiplied, the engine's kernel, a finite difference: nudging the weight and watching the loss); then predict the next update before it happens.",
    "每个权重怎样知道该往哪个方向移动：链式法则，在实时模型中你任选的一个权重上算出来，并用三种方式核对（因子相乘、引擎的内核、有限差分：轻推这个权重看损失怎么变）；然后在下一次更新发生之前预测它。",
);

/// The steps.
pub const STEPS: [Step; 4] = [
    Step {
        title: tx("The formula", "公式"),
        body: tx(
            "A weight w_ij connects input i to neuron j (PyTorch stores it as fc.weight[j, i]: one row per neuron). z_j is the neuron's net input (its weighted sum, before the activation), y_j its output. The loss depends on w_ij only through z_j and y_j, so its derivative is a product of three factors: how the loss changes with y_j, how y_j changes with z_j, and how z_j changes with w_ij. The last two are local; the first is not for a hidden neuron — it is Σ_k W₂[k, j]·δ²_k, where δ²_k = ∂L/∂z²_k = (q_k − p_k)/B is the output layer's error signal for class k (the superscript 2 numbers the layer), gathered from the layer above, and computing it is exactly what backpropagation does. Backpropagation computes gradients; the optimiser (SGD) is what uses them.",
            "权重 w_ij 把输入 i 连到神经元 j（PyTorch 把它存为 fc.weight[j, i]：每个神经元一行）。z_j 是该神经元的净输入（加权和，激活前的值），y_j 是它的输出。损失只通过 z_j 和 y_j 依赖于 w_ij，所以它的导数是三个因子的乘积：损失随 y_j 的变化、y_j 随 z_j 的变化，以及 z_j 随 w_ij 的变化。后两个是局部的；对隐藏神经元来说第一个不是——它等于 Σ_k W₂[k, j]·δ²_k，其中 δ²_k = ∂L/∂z²_k = (q_k − p_k)/B 是输出层类别 k 的误差信号（上标 2 表示第 2 层），要从上一层汇集而来，而计算它正是反向传播所做的事。反向传播负责计算梯度；使用梯度的是优化器（SGD）。",
        ),
        notes: tx(
            "Draw the path on the board: weight → z → y → loss. Each arrow is one local derivative; the chain rule multiplies them. Say that backpropagation computes gradients and the optimiser uses them.",
            "在黑板上画出路径：权重 → z → y → 损失。每个箭头是一个局部导数；链式法则把它们相乘。说明反向传播计算梯度，优化器使用梯度。",
        ),
    },
    Step {
        title: tx("Pick any weight", "任选一个权重"),
        body: tx(
            "Click a weight of fc1 (one 28×28 tile per hidden neuron) or of fc2 (10 × 32), or use the arrow keys. For a hidden neuron ∂y/∂z is ReLU′: 1 where z > 0, else 0 (also at z = 0, as PyTorch takes it); at the output softmax and cross-entropy combine into (q − p)/B, where B is the number of images chosen here (1 or 16) and L their mean cross-entropy. Below: the product summed over the images, the gradient the engine's backward kernel computed (the engine named in the bar above: the GPU engine, or the CPU engine where there is no fast GPU), and (L(w+ε) − L(w−ε))/2ε from two engine evaluations, and whether they agree within what f32 and ε allow. None of this touches the training run.",
            "点击 fc1 的一个权重（每个隐藏神经元一个 28×28 小图）或 fc2 的一个权重（10 × 32），也可以用方向键。对隐藏神经元，∂y/∂z 是 ReLU′：z > 0 时为 1，否则为 0（z = 0 时也取 0，与 PyTorch 一致）；在输出层，softmax 与交叉熵合并成 (q − p)/B，其中 B 是这里所选图像的张数（1 或 16），L 是它们的平均交叉熵。下面是：各图像上因子乘积之和、引擎的反向内核算出的梯度（引擎即上方状态栏所示：GPU 引擎，或在没有快速 GPU 时用 CPU 引擎），以及由两次引擎求值得到的 (L(w+ε) − L(w−ε))/2ε，并说明三者在 f32 与 ε 允许的精度内是否一致。这些都不会影响训练。",
        ),
        notes: tx(
            "Three numbers that should agree: the product of the factors, the kernel's gradient, the finite difference. Pick a weight of fc1 and one of fc2; switch to 16 images and watch the sum over rows.",
            "三个应当一致的数：因子之积、内核算出的梯度、有限差分。选一个 fc1 的权重和一个 fc2 的权重；切换到 16 张图像，看各行之和。",
        ),
    },
    Step {
        title: tx("Backward, layer by layer", "逐层反向"),
        body: tx(
            "Step through the backward pass for the chosen images, one row per image (row vectors, as the kernels compute): δ² at the output, then δ¹ = (δ²·W₂) ⊙ ReLU′(z¹) at the hidden layer, then each weight gradient dW = δᵀ·a (a is the layer's input). Superscripts number layers: δ² is layer 2's δ, not a square. Every tensor is read back from the engine, shown next to the WGSL the GPU engine runs for it.",
            "对所选图像逐层演示反向传播，每张图像一行（行向量，与内核的计算方式一致）：先是输出层的 δ²，然后是隐藏层的 δ¹ = (δ²·W₂) ⊙ ReLU′(z¹)，最后是每个权重梯度 dW = δᵀ·a（a 是该层的输入）。上标表示层号：δ² 是第 2 层的 δ，不是平方。每个张量都从引擎读回，旁边是 GPU 引擎为它运行的 WGSL 代码。",
        ),
        notes: tx(
            "Walk the backward pass stage by stage: δ at the output is (q − p)/B, then it flows back through W₂ and the ReLU. Point at dark rows of the heat-maps and ask which images or units they belong to.",
            "逐层走过反向传播：输出层的 δ 是 (q − p)/B，然后经过 W₂ 和 ReLU 向后传。指着热图中颜色深的行，问它们属于哪些图像或单元。",
        ),
    },
    Step {
        title: tx("Predict, then run", "先预测，再运行"),
        body: tx(
            "Here is the chosen weight, its gradient g on the next training batch and its momentum buffer v (PyTorch's momentum_buffer). Will the next step push it up or down? Predict, then run the step: w ← w − lr·(μ·v + g); the step's result stays hidden until you have predicted. This is PyTorch's form of momentum; the textbook form u ← μu − lr·g, w ← w + u keeps a differently scaled buffer (u = −lr·v) and is the same only while lr stays fixed.",
            "这是所选的权重、它在下一个训练批次上的梯度 g 和它的动量缓冲区 v（PyTorch 的 momentum_buffer）。下一步会把它推高还是压低？先预测，再运行这一步：w ← w − lr·(μ·v + g)；在你作出预测之前，这一步的结果不会显示。这是 PyTorch 的动量写法；教科书上的写法 u ← μu − lr·g，w ← w + u 保存的是缩放不同的缓冲区（u = −lr·v），只有在学习率不变时才与它相同。",
        ),
        notes: tx(
            "Everyone writes down a prediction first: the direction, and if you like the size, lr·(μ·v + g); only then run the step. The page grades the direction against the real change and shows the size beside it (before, after, and w − lr·(μ·v + g)). The page pauses the live model when this step opens, and the buttons wait while it trains: only the step shown is graded.",
            "每个人先写下预测：方向；愿意的话再写大小，即 lr·(μ·v + g)；然后再运行这一步。页面按真实的变化为方向评分，并在旁边给出变化的大小（这一步之前、之后，以及 w − lr·(μ·v + g)）。打开这一步时页面会暂停实时模型，模型训练期间按钮不可用：只有显示的那一步会被评分。",
        ),
    },
];

/// The page's labels.
pub mod ui {
    use kernels::chain::Agreement;

    /// The three computations' sentence, chosen from the numbers: the overall verdict, the factors'
    /// product against the kernel alone (`kernel`), and the weight's layer (0 = fc1, with a ReLU between
    /// it and the loss; 1 = fc2, with none). `{res}` is the finite difference's resolution; underflow
    /// is [`kernels::chain::WeightGradient::difference_agreement`]'s rule, both below 4 × `{res}`.
    pub fn verdict(agreement: Agreement, kernel: Agreement, layer: usize) -> Text {
        match (agreement, kernel) {
            (Agreement::Agree, _) => tx(
                "All three agree: the product and the kernel within f32 rounding, the finite difference within its resolution (about {res}) and its O(ε²) error.",
                "三者一致：乘积与内核结果相差在 f32 舍入之内，有限差分在其分辨精度（约 {res}）和 O(ε²) 误差之内。",
            ),
            (Agreement::Differ, Agreement::Differ) => tx(
                "The factors' product and the kernel's gradient differ by more than f32 rounding explains. No ε is involved there: one of the two computations is wrong — a bug.",
                "因子乘积与内核算出的梯度之差超出了 f32 舍入能解释的范围。这里不涉及 ε：两种计算中有一个是错的——这是程序错误。",
            ),
            (Agreement::Differ, _) if layer == 0 => tx(
                "The finite difference and the kernel's gradient differ by more than f32 rounding and ε explain (resolution about {res}). For an fc1 weight a ReLU kink can cause this: if an image's pre-activation z_j lies within ε·|x_i| of 0, the finite difference straddles the corner. If none does, it is a bug.",
                "有限差分与内核算出的梯度之差超出了 f32 舍入与 ε 能解释的范围（分辨精度约 {res}）。对 fc1 的权重，ReLU 的拐点可能造成这种情况：如果某张图像的激活前值 z_j 与 0 的距离小于 ε·|x_i|，有限差分就会跨过拐点。如果没有这样的图像，就说明有错。",
            ),
            (Agreement::Differ, _) => tx(
                "The finite difference and the kernel's gradient differ by more than f32 rounding and ε explain (resolution about {res}). No ReLU lies between an fc2 weight and the loss, so no kink can cause it: a bug.",
                "有限差分与内核算出的梯度之差超出了 f32 舍入与 ε 能解释的范围（分辨精度约 {res}）。fc2 的权重与损失之间没有 ReLU，不可能是拐点造成的：这说明有错。",
            ),
            (Agreement::Underflow, _) => tx(
                "This gradient is below four times what a finite difference of f32 losses resolves here (4 × {res}), so the finite difference cannot check it. Pick another weight or image.",
                "这个梯度小于这里 f32 损失的有限差分分辨精度的四倍（4 × {res}），有限差分无法核对它。换一个权重或图像。",
            ),
        }
    }

    /// The factors' product against the kernel's gradient alone.
    pub fn kernel_agreement(a: Agreement) -> Text {
        match a {
            Agreement::Agree => tx(
                "The factors' product and the kernel's gradient agree within f32 rounding.",
                "因子乘积与内核算出的梯度在 f32 舍入误差之内一致。",
            ),
            Agreement::Differ => tx(
                "The factors' product and the kernel's gradient differ by more than f32 rounding.",
                "因子乘积与内核算出的梯度之差超出了 f32 舍入误差。",
            ),
            Agreement::Underflow => tx(
                "The factors' product and the kernel's gradient are both zero to f32 precision: no gradient flows to this weight for these images.",
                "因子乘积与内核算出的梯度在 f32 精度下都为零：对这些图像，没有梯度传到这个权重。",
            ),
        }
    }

    use super::*;

    /// A label passed to a widget.
    pub type TextRef = Text;

    /// fc1 picker.
    pub const PICK_FC1: Text = tx(
        "fc1: one tile per hidden neuron j, pixel = input i",
        "fc1：每个隐藏神经元 j 一个小图，像素 = 输入 i",
    );
    /// fc2 picker.
    pub const PICK_FC2: Text = tx(
        "fc2: row = output class k, column = hidden neuron j",
        "fc2：行 = 输出类别 k，列 = 隐藏神经元 j",
    );
    /// Layer.
    pub const LAYER: Text = tx("layer", "层");
    /// Out.
    pub const OUT: Text = tx(
        "neuron j (row; for fc2, class k)",
        "神经元 j（行；对 fc2 是类别 k）",
    );
    /// In.
    pub const INPUT: Text = tx("input i (column)", "输入 i（列）");
    /// Batch choice.
    pub const ROWS: Text = tx("Batch", "批次");
    /// One image.
    pub const ONE: Text = tx("one image", "一张图像");
    /// A batch.
    pub const BATCH: Text = tx("16 images (a batch)", "16 张图像（一个批次）");
    /// Factor 2.
    pub const FACTOR_2: Text = tx("∂y_j/∂z_j (ReLU′)", "∂y_j/∂z_j（ReLU′）");
    /// Factor 2 at the output.
    pub const FACTOR_2_OUT: Text = tx(
        "1 — at the output, (q − p)/B is already ∂L/∂z: softmax and cross-entropy are in it",
        "1——在输出层，(q − p)/B 已经是 ∂L/∂z：softmax 与交叉熵都已包含在内",
    );
    /// Product.
    pub const PRODUCT: Text = tx("Σ product over the images", "各图像乘积之和");
    /// Kernel gradient.
    pub const KERNEL: Text = tx(
        "gradient from the GPU engine's WGSL kernel",
        "GPU 引擎的 WGSL 内核算出的梯度",
    );
    /// Kernel gradient when the CPU engine ran (B7: the engine that ran is the one named).
    pub const KERNEL_CPU: Text = tx(
        "gradient from the CPU engine (the Rust reference of the same WGSL kernel)",
        "CPU 引擎算出的梯度（同一个 WGSL 内核的 Rust 参考实现）",
    );
    /// Factor 3 at the output layer.
    pub const FACTOR_3_OUT: Text = tx(
        "∂z_j/∂w_ij = h_i (hidden activation)",
        "∂z_j/∂w_ij = h_i（隐藏层激活值）",
    );
    /// Factor 3 at the hidden layer.
    pub const FACTOR_3_HIDDEN: Text = tx(
        "∂z_j/∂w_ij = x_i (normalised pixel)",
        "∂z_j/∂w_ij = x_i（归一化像素）",
    );
    /// The batch table's factor-2 column at the output layer.
    pub const COLUMN_2_OUT: Text = tx("∂y/∂z (in q − p)", "∂y/∂z（已含在 q − p 中）");
    /// Finite difference.
    pub const FD: Text = tx("finite difference", "有限差分");
    /// First image note.
    pub const FIRST_IMAGE: Text = tx(
        "Factors shown for the first image; the table lists every image.",
        "上方的因子来自第一张图像；表格列出每张图像。",
    );
    /// Weight heading.
    pub const WEIGHT: Text = tx("weight", "权重");
    /// Value.
    pub const VALUE: Text = tx("value", "数值");
    /// Network diagram.
    pub const DIAGRAM: Text = tx(
        "The network 784 → 32 → 10 with the chosen weight highlighted",
        "网络 784 → 32 → 10，所选权重被高亮",
    );
    /// Backward stages.
    pub const STAGE_OUT: Text = tx("1. δ at the output", "1. 输出层的 δ");
    /// Stage 2.
    pub const STAGE_HIDDEN: Text = tx("2. δ at the hidden layer", "2. 隐藏层的 δ");
    /// Stage 3.
    pub const STAGE_WEIGHTS: Text = tx("3. weight gradients", "3. 权重梯度");
    /// Step.
    pub const NEXT_STAGE: Text = tx("Step backward ▸", "再往回一层 ▸");
    /// Back.
    pub const PREV_STAGE: Text = tx("◂ Back", "◂ 返回");
    /// Heat-map axis notes.
    pub const DELTA_OUT_ARIA: Text = tx(
        "δ at the output: one row per image, one column per class",
        "输出层的 δ：每张图像一行，每个类别一列",
    );
    /// Hidden δ.
    pub const DELTA_HIDDEN_ARIA: Text = tx(
        "δ at the hidden layer: one row per image, one column per hidden neuron",
        "隐藏层的 δ：每张图像一行，每个隐藏神经元一列",
    );
    /// dW2.
    pub const GRAD_FC2_ARIA: Text = tx(
        "Gradient of fc2's weights, 10 × 32",
        "fc2 权重的梯度，10 × 32",
    );
    /// dW1.
    pub const GRAD_FC1_ARIA: Text = tx(
        "Gradient of fc1's weights, one 28×28 tile per hidden neuron",
        "fc1 权重的梯度，每个隐藏神经元一个 28×28 小图",
    );
    /// Kernel source heading.
    pub const SOURCE: Text = tx("The kernel that computed it", "计算它的内核");
    /// Kernel source heading when the CPU engine ran.
    pub const SOURCE_ON_CPU: Text = tx(
        "The kernel the GPU engine would run (this run is on the CPU engine, which computes the same with the Rust reference of this shader)",
        "GPU 引擎会运行的内核（这次是在 CPU 引擎上运行的，它用这个着色器的 Rust 参考实现计算同样的结果）",
    );
    /// Colour key.
    pub const COLOURS: Text = tx(
        "red: positive, blue: negative, white: zero",
        "红色：正，蓝色：负，白色：零",
    );
    /// A heat-map's colour scale.
    pub const SCALE: Text = tx(
        "deepest red = +{max}, white = 0, deepest blue = −{max}",
        "最深的红色 = +{max}，白色 = 0，最深的蓝色 = −{max}",
    );
    /// Up.
    pub const UP: Text = tx("It goes up ▲", "会变大 ▲");
    /// Down.
    pub const DOWN: Text = tx("It goes down ▼", "会变小 ▼");
    /// Gradient.
    pub const GRADIENT: Text = tx("gradient g on the next batch", "下一批次上的梯度 g");
    /// Velocity.
    pub const VELOCITY: Text = tx("momentum buffer v", "动量缓冲区 v");
    /// Learning rate.
    pub const LR: Text = tx("learning rate lr", "学习率 lr");
    /// Momentum.
    pub const MOMENTUM: Text = tx("momentum μ", "动量 μ");
    /// Before.
    pub const BEFORE: Text = tx("before the step", "这一步之前");
    /// After.
    pub const AFTER: Text = tx("after the step", "这一步之后");
    /// Expected.
    pub const EXPECTED: Text = tx("w − lr·(μ·v + g)", "w − lr·(μ·v + g)（预期）");
    /// Right.
    pub const RIGHT: Text = tx("Right: ", "答对了：");
    /// Wrong.
    pub const WRONG: Text = tx("Not this time: ", "这次没答对：");
    /// Went up.
    pub const WENT_UP: Text = tx("the weight went up.", "权重变大了。");
    /// Went down.
    pub const WENT_DOWN: Text = tx("the weight went down.", "权重变小了。");
    /// Unchanged.
    pub const UNCHANGED: Text = tx(
        "the weight did not move: μ·v + g was 0 (a unit off for this batch and every earlier one), or the change was below what f32 can show at this weight's size.",
        "权重没有变化：μ·v + g 为 0（该单元对这个批次以及之前的每个批次都未激活），或者变化量小于 f32 在这个权重大小下能表示的精度。",
    );
    /// The question: the next step, its result hidden until predicted.
    pub const QUESTION: Text = tx(
        "The next step (training step {n}): which way will it move the weight? Its result is shown once you have predicted.",
        "下一步（第 {n} 个训练步）会把权重往哪个方向推？你作出预测之后才显示它的结果。",
    );
    /// The graded step.
    pub const GRADED: Text = tx(
        "The step you predicted (training step {n}), fully computed:",
        "你预测的那一步（第 {n} 个训练步）的完整计算：",
    );
    /// Up/Down wait while the live model trains.
    pub const PAUSE_TO_PREDICT: Text = tx(
        "The live model is training: pause it (above) to predict. A running model would take other steps between the one shown and your answer.",
        "实时模型正在训练：先暂停（上方）再预测。正在训练的模型会在显示的这一步和你的回答之间走好几步。",
    );
    /// The model was not at the previewed step when the prediction arrived.
    pub const MOVED_ON: Text = tx(
        "The live model moved on meanwhile (it trained on or was replaced; it is now at step {n}), so nothing was graded: predict again for the step shown.",
        "实时模型在此期间发生了变化（继续训练了或被替换了；现在是第 {n} 步），所以这次没有评分：请对现在显示的这一步重新预测。",
    );
    /// Why.
    pub const WHY: Text = tx(
        "It moves against μ·v + g: down when that is positive, up when negative.",
        "它朝 μ·v + g 的反方向移动：为正时变小，为负时变大。",
    );
}

#[cfg(test)]
mod tests {
    use super::ui::verdict;
    use kernels::chain::Agreement::{Agree, Differ, Underflow};

    #[test]
    fn the_differ_sentence_names_the_pair_that_differs() {
        let en = |a, k, layer| verdict(a, k, layer).get(crate::ui::i18n::Lang::En);
        // The product against the kernel: no ε, no kink — a bug, on either layer.
        for layer in 0..2 {
            assert!(en(Differ, Differ, layer).starts_with("The factors' product"));
            assert!(!en(Differ, Differ, layer).contains("kink"));
        }
        // The finite difference against the kernel: a kink can explain it only for fc1.
        assert!(en(Differ, Agree, 0).contains("ReLU kink can cause"));
        assert!(en(Differ, Underflow, 0).contains("ReLU kink can cause"));
        assert!(en(Differ, Agree, 1).contains("No ReLU lies between an fc2 weight"));
        assert!(en(Underflow, Agree, 1).contains("4 × {res}"));
        assert!(en(Agree, Agree, 0).starts_with("All three agree"));
    }
}
