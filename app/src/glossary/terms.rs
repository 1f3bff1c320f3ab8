//! The glossary's table ([`TERMS`]): every term the lessons use, with its Chinese name and a
//! one-sentence meaning in both languages (the glossary page and the lessons' term links read it).

use super::{Term, term};
use crate::ui::i18n::tx;

/// Every term, in the order a course meets them.
pub const TERMS: &[Term] = &[
    term(
        "neural-network",
        tx("neural network", "神经网络"),
        tx(
            "A function built from layers of simple units whose weights are learned from examples.",
            "由一层层简单单元组成的函数，其权重从样本中学习得到。",
        ),
    ),
    term(
        "model",
        tx("model", "模型"),
        tx(
            "A network together with its current parameters: the function that maps an input image to ten scores.",
            "一个网络连同它当前的参数：把输入图像映射为十个分数的函数。",
        ),
    ),
    term(
        "neuron",
        tx("neuron (unit)", "神经元（单元）"),
        tx(
            "One output of a layer: a weighted sum of the layer's inputs plus a bias, usually passed through an activation function.",
            "一层的一个输出：输入的加权和加上偏置，通常再经过激活函数。",
        ),
    ),
    term(
        "layer",
        tx("layer", "层"),
        tx(
            "A step of the network: here a fully connected (linear) layer, y = x·Wᵀ + b for a row vector x.",
            "网络中的一步：这里是全连接（线性）层，对行向量 x 有 y = x·Wᵀ + b。",
        ),
    ),
    term(
        "weight",
        tx("weight", "权重"),
        tx(
            "A learned number that scales one input of one neuron; fc.weight[j, i] connects input i to neuron j.",
            "一个学习得到的数，缩放某个神经元的某个输入；fc.weight[j, i] 连接输入 i 与神经元 j。",
        ),
    ),
    term(
        "bias",
        tx("bias", "偏置"),
        tx(
            "A learned number added to a neuron's weighted sum.",
            "加到神经元加权和上的一个学习得到的数。",
        ),
    ),
    term(
        "parameter",
        tx("parameter", "参数"),
        tx(
            "Any learned number of the model: all weights and biases (784·512 + 512 + 512·10 + 10 = 407,050 in the first lesson's network).",
            "模型中任何学习得到的数：全部权重和偏置（第一课的网络有 784·512 + 512 + 512·10 + 10 = 407,050 个）。",
        ),
    ),
    term(
        "activation",
        tx("activation function", "激活函数"),
        tx(
            "A non-linear function applied to each neuron's sum; without it, stacked layers would be one linear map.",
            "作用在每个神经元加权和上的非线性函数；没有它，叠起来的层仍只是一个线性映射。",
        ),
    ),
    term(
        "relu",
        tx("ReLU", "ReLU（线性整流函数）"),
        tx(
            "max(0, z): passes positive values, zeroes negative ones; its derivative is 1 above 0 and 0 below (and 0 at 0 here).",
            "max(0, z)：正值原样通过，负值变为 0；导数在 0 以上为 1、以下为 0（这里在 0 处取 0）。",
        ),
    ),
    term(
        "mlp",
        tx("multilayer perceptron (MLP)", "多层感知机（MLP）"),
        tx(
            "A network of fully connected layers with activations between them, such as 784 → 512 → 10.",
            "由全连接层和其间的激活函数组成的网络，例如 784 → 512 → 10。",
        ),
    ),
    term(
        "hidden-layer",
        tx("hidden layer", "隐藏层"),
        tx(
            "A layer between the input and the output; its values are not given by the data.",
            "输入与输出之间的层；它的值不由数据直接给出。",
        ),
    ),
    term(
        "forward-pass",
        tx("forward pass", "前向传播"),
        tx(
            "Computing the output from the input, layer after layer.",
            "从输入开始逐层计算出输出。",
        ),
    ),
    term(
        "logit",
        tx("logit", "logit（未归一化的分数）"),
        tx(
            "A raw output score of the last layer, one per class, before softmax.",
            "最后一层输出的原始分数，每个类别一个，在 softmax 之前。",
        ),
    ),
    term(
        "softmax",
        tx("softmax", "softmax（归一化指数函数）"),
        tx(
            "Turns logits z into probabilities q_k = e^(z_k) / Σ_j e^(z_j), which are positive and sum to 1.",
            "把 logit z 变成概率 q_k = e^(z_k) / Σ_j e^(z_j)，它们都为正且和为 1。",
        ),
    ),
    term(
        "distribution",
        tx("probability distribution", "概率分布"),
        tx(
            "Non-negative numbers, one per class, that sum to 1: the true distribution p and the predicted one q.",
            "每个类别一个、非负且和为 1 的数：真实分布 p 与预测分布 q。",
        ),
    ),
    term(
        "one-hot",
        tx("one-hot vector", "独热（one-hot）向量"),
        tx(
            "The true distribution of a labelled example: 1 for its class, 0 for the others.",
            "带标签样本的真实分布：它的类别为 1，其余为 0。",
        ),
    ),
    term(
        "label",
        tx("label", "标签"),
        tx(
            "The correct class of a training or test example.",
            "训练或测试样本的正确类别。",
        ),
    ),
    term(
        "loss",
        tx("loss function", "损失函数"),
        tx(
            "One number saying how wrong the model's output is for the examples; training makes it smaller.",
            "用一个数表示模型对这些样本的输出错了多少；训练就是让它变小。",
        ),
    ),
    term(
        "cross-entropy",
        tx("cross-entropy", "交叉熵"),
        tx(
            "H(p, q) = −Σ_k p_k log q_k; with a one-hot p it is −log q(true class). PyTorch's F.cross_entropy takes the batch mean.",
            "H(p, q) = −Σ_k p_k log q_k；p 为独热向量时就是 −log q(真实类别)。PyTorch 的 F.cross_entropy 取批次平均。",
        ),
    ),
    term(
        "squared-error",
        tx("squared error", "平方误差"),
        tx(
            "Σ_k (q_k − p_k)²: another loss, whose gradient vanishes on confident mistakes after softmax.",
            "Σ_k (q_k − p_k)²：另一种损失；经过 softmax 后，它的梯度在自信的错误上几乎为零。",
        ),
    ),
    term(
        "gradient",
        tx("gradient", "梯度"),
        tx(
            "The vector of partial derivatives of the loss with respect to every parameter: the direction in which the loss grows fastest.",
            "损失对每个参数的偏导数组成的向量：损失增长最快的方向。",
        ),
    ),
    term(
        "partial-derivative",
        tx("partial derivative", "偏导数"),
        tx(
            "How fast the loss changes when one parameter moves and all others stay put.",
            "只移动一个参数、其余不动时，损失变化的快慢。",
        ),
    ),
    term(
        "chain-rule",
        tx("chain rule", "链式法则"),
        tx(
            "The derivative of a composition is the product of the local derivatives along the path: ∂L/∂w = ∂L/∂y · ∂y/∂z · ∂z/∂w.",
            "复合函数的导数等于沿路径各局部导数之积：∂L/∂w = ∂L/∂y · ∂y/∂z · ∂z/∂w。",
        ),
    ),
    term(
        "backpropagation",
        tx("backpropagation", "反向传播"),
        tx(
            "Computing every gradient with the chain rule, from the loss backwards layer by layer, reusing each layer's δ. It computes gradients; the optimiser then uses them.",
            "用链式法则从损失开始逐层向后计算所有梯度，并复用每层的 δ。它只计算梯度；之后由优化器使用这些梯度。",
        ),
    ),
    term(
        "delta",
        tx("δ (error signal)", "δ（误差信号）"),
        tx(
            "∂L/∂z for a layer's pre-activations z: δ of the output is (q − p)/B; δ¹ = (δ²·W₂) ⊙ ReLU′(z¹).",
            "损失对某层净输入 z 的导数 ∂L/∂z：输出层的 δ 为 (q − p)/B；δ¹ = (δ²·W₂) ⊙ ReLU′(z¹)。",
        ),
    ),
    term(
        "finite-difference",
        tx("finite difference", "有限差分"),
        tx(
            "An estimate of a derivative by nudging a weight: (L(w + ε) − L(w − ε)) / 2ε; approximate, because of ε and rounding.",
            "通过轻推一个权重来估计导数：(L(w + ε) − L(w − ε)) / 2ε；由于 ε 和舍入误差，它只是近似值。",
        ),
    ),
    term(
        "optimizer",
        tx("optimiser", "优化器"),
        tx(
            "The rule that turns gradients into parameter updates: SGD, momentum, Adam…",
            "把梯度变成参数更新的规则：SGD、动量、Adam……",
        ),
    ),
    term(
        "gradient-descent",
        tx("gradient descent", "梯度下降"),
        tx(
            "Move every parameter a small step against its gradient: w ← w − lr·∂L/∂w.",
            "让每个参数沿梯度的反方向走一小步：w ← w − lr·∂L/∂w。",
        ),
    ),
    term(
        "sgd",
        tx("stochastic gradient descent (SGD)", "随机梯度下降（SGD）"),
        tx(
            "Gradient descent on the gradient of a random minibatch instead of the whole training set: noisier, far cheaper per step.",
            "用随机小批次而不是整个训练集的梯度做梯度下降：噪声更大，但每步便宜得多。",
        ),
    ),
    term(
        "learning-rate",
        tx("learning rate (lr)", "学习率（lr）"),
        tx(
            "The step size of each update; too large and the loss explodes, too small and training crawls.",
            "每次更新的步长；太大损失会爆炸，太小训练会很慢。",
        ),
    ),
    term(
        "momentum",
        tx("momentum", "动量"),
        tx(
            "Keeps a running velocity of past gradients, v ← μ·v + g, and steps along it (PyTorch's form), smoothing and speeding SGD.",
            "保留过去梯度的速度 v ← μ·v + g，并沿它迈步（PyTorch 的形式），使 SGD 更平稳、更快。",
        ),
    ),
    term(
        "adam",
        tx("Adam", "Adam（自适应矩估计）"),
        tx(
            "An optimiser with a per-weight step size from running averages of the gradient and of its square (an adaptive learning rate).",
            "一种优化器：根据梯度及其平方的滑动平均，为每个权重给出各自的步长（自适应学习率）。",
        ),
    ),
    term(
        "weight-decay",
        tx("weight decay", "权重衰减"),
        tx(
            "Adds wd·w to each gradient, pulling weights towards 0 at every step.",
            "在每个梯度上加上 wd·w，每一步都把权重拉向 0。",
        ),
    ),
    term(
        "batch",
        tx("batch (minibatch)", "批次（小批次）"),
        tx(
            "The examples one training step uses; the loss is their mean.",
            "一次训练步所用的样本；损失取它们的平均。",
        ),
    ),
    term(
        "batch-size",
        tx("batch size", "批大小"),
        tx(
            "How many examples a batch holds (64 in the first lesson).",
            "一个批次包含的样本数（第一课为 64）。",
        ),
    ),
    term(
        "epoch",
        tx("epoch", "轮次"),
        tx(
            "One pass over every training example, in a new shuffled order each time.",
            "把全部训练样本过一遍，每次按新的随机顺序。",
        ),
    ),
    term(
        "training-loop",
        tx("training loop", "训练循环"),
        tx(
            "The code repeated for every batch: forward pass, loss, backward pass (backpropagation) and one optimiser step.",
            "对每个批次重复执行的代码：前向传播、计算损失、反向传播，再让优化器走一步。",
        ),
    ),
    term(
        "initialization",
        tx("initialisation", "初始化"),
        tx(
            "The parameters' values before training: random, from a seed (PyTorch's uniform ±1/√fan_in).",
            "训练前参数的取值：由随机种子生成的随机数（PyTorch 的 ±1/√fan_in 均匀分布）。",
        ),
    ),
    term(
        "seed",
        tx("seed", "随机种子"),
        tx(
            "The number that fixes every random choice (initial weights, shuffling), so a run can be repeated exactly.",
            "固定所有随机选择（初始权重、打乱顺序）的数，使一次运行可以完全复现。",
        ),
    ),
    term(
        "normalization",
        tx("normalisation", "归一化（即标准化，z-score）"),
        tx(
            "Rescaling inputs before the network: x = (pixel/255 − 0.1307)/0.3081 for MNIST, as transforms.Normalize does.",
            "在输入网络之前重新缩放输入：MNIST 用 x = (像素/255 − 0.1307)/0.3081，与 transforms.Normalize 一样。",
        ),
    ),
    term(
        "training-set",
        tx("training set", "训练集"),
        tx(
            "The examples the parameters are fitted to.",
            "用来拟合参数的样本。",
        ),
    ),
    term(
        "test-set",
        tx("test set", "测试集"),
        tx(
            "Examples never trained on, measured to estimate accuracy on new data; used once at the end, not for choices.",
            "从不参与训练、用来估计在新数据上准确率的样本；只在最后使用一次，不用来做选择。",
        ),
    ),
    term(
        "validation-set",
        tx("validation set (held-out set)", "验证集（留出集）"),
        tx(
            "Examples held out of training to compare settings and decide when to stop, so the test set stays untouched.",
            "从训练中留出、用来比较设置和决定何时停止的样本，这样测试集始终不被用来做选择。",
        ),
    ),
    term(
        "accuracy",
        tx("accuracy", "准确率"),
        tx(
            "The fraction of examples whose most probable class is the true one.",
            "最可能的类别恰好是真实类别的样本所占的比例。",
        ),
    ),
    term(
        "confusion-matrix",
        tx("confusion matrix", "混淆矩阵"),
        tx(
            "A table counting, for each true class (row), how often each class was predicted (column).",
            "一张表：对每个真实类别（行），统计它被预测为各个类别（列）的次数。",
        ),
    ),
    term(
        "overfitting",
        tx("overfitting", "过拟合"),
        tx(
            "Fitting the training examples so closely that the model stops improving, or gets worse, on new examples (usually first visible as the validation loss turning up while the training loss keeps falling).",
            "把训练样本拟合得过于紧密，以致在新样本上不再变好甚至变差（通常先表现为训练损失继续下降时验证损失开始回升）。",
        ),
    ),
    term(
        "convergence",
        tx("convergence", "收敛"),
        tx(
            "The loss no longer falling meaningfully; whether to stop is better judged on a validation set: the training loss can keep falling while the model overfits.",
            "损失不再有意义地下降；是否该停止，最好在验证集上判断：模型过拟合时，训练损失仍可能继续下降。",
        ),
    ),
    term(
        "early-stopping",
        tx("early stopping", "早停"),
        tx(
            "Stop when the validation loss has not improved for a set number of evaluations, and keep the best weights.",
            "当验证损失在设定次数的评估内都没有改进时停止，并保留最好的权重。",
        ),
    ),
    term(
        "hyperparameter",
        tx("hyperparameter", "超参数"),
        tx(
            "A setting chosen by people, not learned: learning rate, batch size, epochs, layer widths.",
            "由人选择而非学习得到的设置：学习率、批大小、轮次、层宽。",
        ),
    ),
    term(
        "pretrained",
        tx("pretrained model", "预训练模型"),
        tx(
            "A model already trained on one task, whose weights a new task starts from.",
            "已在某个任务上训练好的模型，新任务从它的权重出发。",
        ),
    ),
    term(
        "fine-tuning",
        tx("fine-tuning", "微调"),
        tx(
            "Training a pretrained model further on a new task, usually at a smaller learning rate.",
            "在新任务上继续训练预训练模型，通常使用更小的学习率。",
        ),
    ),
    term(
        "transfer-learning",
        tx("transfer learning", "迁移学习"),
        tx(
            "Reusing what a model learned on one task for another; it helps only when the features carry over.",
            "把模型在一个任务上学到的东西用到另一个任务；只有特征能迁移时才有帮助。",
        ),
    ),
    term(
        "head",
        tx("head (output layer)", "分类头（输出层）"),
        tx(
            "The last layer, which maps features to the task's classes; fine-tuning often replaces it.",
            "最后一层，把特征映射到任务的类别；微调时常把它替换掉。",
        ),
    ),
    term(
        "freezing",
        tx("freezing", "冻结"),
        tx(
            "Keeping some parameters fixed while others train: requires_grad = False, so no gradient is computed and the optimiser skips them.",
            "在训练其他参数时保持某些参数不变：requires_grad = False，不计算它们的梯度，优化器也跳过它们。",
        ),
    ),
    term(
        "from-scratch",
        tx("training from scratch", "从头训练"),
        tx(
            "Training the same network from a fresh random initialisation: the baseline fine-tuning must beat.",
            "从新的随机初始化开始训练同一个网络：微调必须胜过的基线。",
        ),
    ),
    term(
        "standard-error",
        tx("standard error", "标准误"),
        tx(
            "How much a measured accuracy would vary with another sample of examples: √(a(1 − a)/n) for n examples.",
            "换一组样本时测得的准确率会变化多少：n 个样本时为 √(a(1 − a)/n)。",
        ),
    ),
    term(
        "gpu",
        tx("GPU", "GPU（图形处理器）"),
        tx(
            "A processor with thousands of small cores, fast at the matrix products training is made of.",
            "拥有成千上万个小核心的处理器，擅长训练所需的矩阵乘法。",
        ),
    ),
    term(
        "kernel",
        tx("kernel (compute shader)", "内核（计算着色器）"),
        tx(
            "A small program the GPU runs on many elements at once; this app's are written in WGSL, and its CPU engine runs Rust versions of the same kernels.",
            "GPU 同时在许多元素上运行的小程序；本应用的内核用 WGSL 编写，它的 CPU 引擎运行同一批内核的 Rust 版本。",
        ),
    ),
    term(
        "webgpu",
        tx("WebGPU", "WebGPU（网页 GPU 接口）"),
        tx(
            "The browser's interface to the GPU, which runs this app's kernels; without it the app uses its CPU engine.",
            "浏览器访问 GPU 的接口，用来运行本应用的内核；没有它时，本应用使用 CPU 引擎。",
        ),
    ),
    term(
        "saliency-map",
        tx("saliency map", "显著性图"),
        tx(
            "A heat-map of how much each input pixel matters to a class's score, made from the model's gradient with respect to its input.",
            "一张热力图，显示每个输入像素对某个类别得分有多重要，由模型对输入的梯度得到。",
        ),
    ),
    term(
        "adversarial-example",
        tx("adversarial example", "对抗样本"),
        tx(
            "An input changed slightly, in the direction that raises the loss, so that the model gets it wrong while a person still reads the same digit.",
            "沿着使损失增大的方向稍加改动的输入：人仍然认得出是同一个数字，模型却判断错误。",
        ),
    ),
    term(
        "condition-number",
        tx("condition number", "条件数"),
        tx(
            "The ratio κ of a quadratic's steepest to its flattest curvature (largest to smallest Hessian eigenvalue); the larger κ, the narrower the valley and the slower plain gradient descent.",
            "二次函数最陡方向与最平方向曲率之比 κ（Hessian 最大与最小特征值之比）；κ 越大，山谷越狭长，普通梯度下降越慢。",
        ),
    ),
    term(
        "heavy-ball",
        tx("heavy-ball momentum", "重球动量"),
        tx(
            "Polyak's momentum: the step adds μ times the previous step to the gradient step, like a ball rolling downhill; PyTorch's momentum is this method with the buffer v.",
            "Polyak 提出的动量：每一步在梯度步之外再加上 μ 倍的上一步，像一个滚下山坡的球；PyTorch 的动量就是这种方法，缓冲区记作 v。",
        ),
    ),
    term(
        "nesterov",
        tx("Nesterov momentum", "Nesterov 动量"),
        tx(
            "Momentum that takes the gradient at the point the momentum is about to carry the weights to, rather than where they are; it overshoots less.",
            "在动量即将把权重带到的位置、而不是当前位置计算梯度的动量方法；它冲过头的幅度更小。",
        ),
    ),
    term(
        "adagrad",
        tx("AdaGrad", "AdaGrad（自适应梯度）"),
        tx(
            "An optimiser that divides each weight's step by the square root of the sum of all its past squared gradients, so each weight's effective learning rate only shrinks over time.",
            "一种优化器：把每个权重的步长除以它过去所有梯度平方之和的平方根，所以每个权重的有效学习率只会随时间变小。",
        ),
    ),
    term(
        "rmsprop",
        tx("RMSprop", "RMSprop（均方根传播）"),
        tx(
            "Like AdaGrad but with a decaying average of squared gradients instead of their sum, so the effective learning rates do not shrink for ever.",
            "与 AdaGrad 类似，但用梯度平方的指数衰减平均代替它们的总和，所以有效学习率不会一直变小。",
        ),
    ),
    term(
        "flop",
        tx("FLOP (floating-point operation)", "FLOP（浮点运算）"),
        tx(
            "One addition or multiplication of floating-point numbers; a matrix product of m×k by k×n takes about 2·m·k·n of them, and FLOP/s measures a processor's speed.",
            "一次浮点数的加法或乘法；m×k 乘 k×n 的矩阵乘法约需 2·m·k·n 次，FLOP/s（每秒浮点运算次数）衡量处理器的速度。",
        ),
    ),
    term(
        "patience",
        tx("patience", "耐心（patience）"),
        tx(
            "In early stopping, how many evaluations (here one per epoch) without a better validation loss to wait before stopping.",
            "早停中，验证损失不再改善时还要再等待的评估次数（这里每轮评估一次），超过它就停止训练。",
        ),
    ),
    term(
        "label-smoothing",
        tx("label smoothing", "标签平滑"),
        tx(
            "Training against a softened target p that puts a little probability on every class instead of a one-hot vector, so the model is not pushed to be certain.",
            "用一个软化的目标 p 训练：给每个类别都分一点概率，而不是独热向量，这样模型不会被推向绝对确定。",
        ),
    ),
    term(
        "kl-divergence",
        tx("KL divergence", "KL 散度"),
        tx(
            "KL(p‖q) = Σ p·log(p/q): how far q is from p, zero only when q = p; cross-entropy is H(p) + KL(p‖q).",
            "KL(p‖q) = Σ p·log(p/q)：q 离 p 有多远，只有 q = p 时为零；交叉熵等于 H(p) + KL(p‖q)。",
        ),
    ),
    term(
        "calibration",
        tx("calibration", "校准"),
        tx(
            "How well a model's confidence matches how often it is right: of the answers given with 90 % confidence, about 90 % should be right.",
            "模型的置信度与它实际答对的频率有多吻合：以 90% 置信度给出的答案里，应当约有 90% 是对的。",
        ),
    ),
    term(
        "temperature-scaling",
        tx("temperature scaling", "温度缩放"),
        tx(
            "Dividing every logit by one number T > 0, fitted on a validation set, to make a model's confidence better calibrated without changing its answers.",
            "把所有 logit 都除以同一个数 T > 0（在验证集上拟合），使模型的置信度校准得更好，而不改变它的答案。",
        ),
    ),
    term(
        "cosine-similarity",
        tx("cosine similarity", "余弦相似度"),
        tx(
            "The cosine of the angle between two vectors, a·b/(|a|·|b|): 1 for the same direction, 0 for perpendicular, −1 for opposite.",
            "两个向量夹角的余弦 a·b/(|a|·|b|)：方向相同为 1，垂直为 0，相反为 −1。",
        ),
    ),
    term(
        "smoothgrad",
        tx("SmoothGrad", "SmoothGrad（平滑梯度）"),
        tx(
            "A saliency map averaged over many copies of the input with small random noise added, which makes the map less speckled.",
            "在加入少量随机噪声的许多份输入上求平均的显著性图，使图不那么斑驳。",
        ),
    ),
    term(
        "integrated-gradients",
        tx("integrated gradients", "积分梯度"),
        tx(
            "An attribution that averages the gradient along the straight path from a baseline image to the input and multiplies by their difference; the attributions add up to the change in the score.",
            "一种归因方法：沿从基线图像到输入的直线路径对梯度求平均，再乘以两者之差；各像素的归因加起来等于得分的变化。",
        ),
    ),
    term(
        "sanity-check",
        tx("sanity check", "合理性检验"),
        tx(
            "A test that an explanation depends on what the model learned: redo it on a model with random weights, and a map that barely changes explains nothing about the training.",
            "检验解释是否取决于模型学到的东西：在随机权重的模型上重做一次，如果图几乎不变，它就没有说明任何与训练有关的事。",
        ),
    ),
    term(
        "fgsm",
        tx("FGSM (fast gradient sign method)", "FGSM（快速梯度符号法）"),
        tx(
            "An attack that moves every pixel by ε in the direction of the sign of the loss's gradient, in one step.",
            "一种攻击方法：一步之内把每个像素沿损失梯度的符号方向移动 ε。",
        ),
    ),
    term(
        "pgd",
        tx("PGD (projected gradient descent)", "PGD（投影梯度下降）"),
        tx(
            "A stronger attack: many small FGSM-like steps, each followed by a projection back to changes of at most ε per pixel.",
            "一种更强的攻击：许多小的类似 FGSM 的步骤，每步之后都投影回每个像素最多改变 ε 的范围内。",
        ),
    ),
    term(
        "adversarial-training",
        tx("adversarial training", "对抗训练"),
        tx(
            "Training on adversarial examples made from the training images as it goes, so the model becomes harder to fool by that attack.",
            "训练过程中不断用训练图像生成对抗样本并在其上训练，使模型更难被这种攻击骗过。",
        ),
    ),
    term(
        "differential-privacy",
        tx("differential privacy", "差分隐私"),
        tx(
            "A guarantee about a training method: adding or removing any one person's example changes the probability of any set of outcomes by at most a factor e^ε (plus δ).",
            "对训练方法的一种保证：加入或去掉任何一个人的样本，任何一组结果出现的概率最多变为原来的 e^ε 倍（再加 δ）。",
        ),
    ),
    term(
        "epsilon-delta",
        tx("ε and δ (privacy budget)", "ε 与 δ（隐私预算）"),
        tx(
            "The two numbers of (ε, δ)-differential privacy: for every set of outcomes S, P[M(D) ∈ S] ≤ e^ε·P[M(D′) ∈ S] + δ for datasets D, D′ one example apart; smaller is more private.",
            "(ε, δ)-差分隐私的两个数：对任何一组结果 S 和只差一个样本的数据集 D、D′，都有 P[M(D) ∈ S] ≤ e^ε·P[M(D′) ∈ S] + δ；越小越私密。",
        ),
    ),
    term(
        "dp-sgd",
        tx("DP-SGD", "DP-SGD（差分隐私随机梯度下降）"),
        tx(
            "SGD made differentially private: each example's gradient is clipped to a maximum norm, Gaussian noise is added to their sum, and a privacy accountant tracks ε.",
            "具有差分隐私的 SGD：每个样本的梯度被裁剪到最大范数，在它们的和上加高斯噪声，再由隐私记账器跟踪 ε。",
        ),
    ),
    term(
        "clipping",
        tx(
            "clipping (per-example gradient clipping)",
            "裁剪（逐样本梯度裁剪）",
        ),
        tx(
            "Scaling a gradient down so its norm is at most a bound C; in DP-SGD it is done for each example, so no one example can move the model much.",
            "把梯度按比例缩小，使其范数不超过上限 C；DP-SGD 对每个样本分别这样做，所以任何一个样本都不能让模型改变太多。",
        ),
    ),
    term(
        "noise-multiplier",
        tx("noise multiplier", "噪声乘数"),
        tx(
            "In DP-SGD, the noise's standard deviation divided by the clipping bound C; larger means more noise and a smaller ε.",
            "DP-SGD 中噪声的标准差除以裁剪上限 C；越大噪声越多，ε 越小。",
        ),
    ),
    term(
        "membership-inference",
        tx("membership inference", "成员推断"),
        tx(
            "An attack that guesses whether a given example was in the training set, for example from how low the model's loss on it is.",
            "一种攻击：猜测某个样本是否在训练集里，例如根据模型在它上面的损失有多低来判断。",
        ),
    ),
    term(
        "homomorphic-encryption",
        tx("homomorphic encryption", "同态加密"),
        tx(
            "Encryption that lets a computer compute on the encrypted numbers, so a model can be run on data its owner never reveals.",
            "一种加密方式：计算机可以直接在加密后的数上计算，所以可以在数据所有者从不公开的数据上运行模型。",
        ),
    ),
    term(
        "safetensors",
        tx("safetensors (model file)", "safetensors（模型文件格式）"),
        tx(
            "A simple file format for a model's named tensors (weights and biases), read and written by PyTorch and by this app.",
            "一种存放模型各个具名张量（权重和偏置）的简单文件格式，PyTorch 和本应用都能读写。",
        ),
    ),
    term(
        "membership-advantage",
        tx("advantage (membership advantage)", "优势（成员推断优势）"),
        tx(
            "How much better than a coin toss a membership test does: the rate of members it catches minus the rate of outsiders it wrongly accuses (0 is guessing, 1 is certainty).",
            "成员推断比抛硬币好多少：抓到成员的比例减去误判非成员的比例（0 等于瞎猜，1 等于确定无疑）。",
        ),
    ),
    term(
        "privacy-accountant",
        tx("accountant (privacy accountant)", "记账器（隐私记账器）"),
        tx(
            "The calculation that adds up how much privacy each DP-SGD step spends and gives the ε reached so far, at a chosen δ.",
            "累计 DP-SGD 每一步消耗多少隐私、并在选定的 δ 下给出目前 ε 的计算。",
        ),
    ),
];
