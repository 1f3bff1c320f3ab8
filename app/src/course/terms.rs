//! The glossary's table ([`TERMS`]): every term the lessons use, with its Chinese name and a
//! one-sentence meaning in both languages (the glossary page and the lessons' term links read it).

use super::glossary::{Term, term};
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
        tx("normalisation", "归一化"),
        tx(
            "Rescaling inputs before the network: x = (pixel/255 − 0.1307)/0.3081 for MNIST, as transforms.Normalize does.",
            "在输入网络之前重新缩放输入：MNIST 用 x = (pixel/255 − 0.1307)/0.3081，与 transforms.Normalize 一样。",
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
            "从训练中留出、用来比较设置和决定何时停止的样本，使测试集保持不被触碰。",
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
            "Fitting the training examples so closely that accuracy on new examples gets worse.",
            "把训练样本拟合得过于紧密，以致在新样本上的准确率变差。",
        ),
    ),
    term(
        "convergence",
        tx("convergence", "收敛"),
        tx(
            "The loss no longer falling meaningfully; \"train until it converges\" needs a validation set to be judged.",
            "损失不再有意义地下降；“训练到收敛”需要验证集才能判断。",
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
        tx("standard error", "标准误差"),
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
            "A small program the GPU runs on many elements at once; this app's are written in WGSL.",
            "GPU 同时在许多元素上运行的小程序；本应用的内核用 WGSL 编写。",
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
            "An input changed slightly, in the direction that raises the loss, so that the model gets it wrong while a person sees no difference.",
            "沿着使损失增大的方向稍加改动的输入：人看不出区别，模型却判断错误。",
        ),
    ),
];
