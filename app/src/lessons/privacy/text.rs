//! Every sentence of the privacy lesson, in English and Chinese.

use crate::lessons::lesson::Step;
use crate::ui::i18n::{Text, tx};

/// Title.
pub const TITLE: Text = tx("Privacy: what a model remembers", "隐私：模型记住了什么");
/// The home page's summary.
pub const SUMMARY: Text = tx(
    "A network trained on a few images remembers them: its loss gives away which images it saw. Train it again with DP-SGD — each example's influence clipped, noise added — and watch a privacy meter (ε) rise, what it costs in accuracy, and what encryption could add.",
    "在少量图像上训练的网络会记住它们：它的损失会暴露它见过哪些图像。用 DP-SGD 重新训练——裁剪每个样本的影响并加入噪声——观察隐私计量（ε）如何上升、它在准确率上付出什么代价，以及加密还能带来什么。",
);

/// The steps.
pub const STEPS: [Step; 6] = [
    Step {
        title: tx("A model remembers", "模型会记忆"),
        body: tx(
            "Train a network on 1,000 images (the members) for many epochs, then show it 1,000 other images of the same kind it never saw (the outsiders). Its loss is lower on what it trained on. An attacker who sees only the loss guesses \"member\" below a threshold: the advantage is the rate of members caught minus the rate of outsiders wrongly accused (0 is a coin toss, 1 is certainty).",
            "在 1,000 张图像（成员）上训练网络很多轮，然后给它看另外 1,000 张同类但从未见过的图像（非成员）。它在训练过的图像上损失更低。只看得到损失的攻击者在低于某个阈值时猜“成员”：优势等于抓到成员的比例减去误判非成员的比例（0 等于抛硬币，1 等于确定无疑）。",
        ),
        notes: tx(
            "Run it and ask: why would a hospital care? Point at the two loss histograms: the members' sit near zero.",
            "运行后提问：为什么医院会在乎这个？指出两个损失直方图：成员的损失集中在零附近。",
        ),
    },
    Step {
        title: tx("DP-SGD, step by step", "DP-SGD 逐步拆解"),
        body: tx(
            "DP-SGD (Abadi et al. 2016) changes one step of training. The lot is drawn at random: every image joins with probability L/N. Each image's own gradient is measured; any longer than C is scaled down to length C, so no single image can move the model much. The clipped gradients are summed, Gaussian noise of spread σ·C is added to every coordinate, and the sum is divided by L. For a dense layer an image's gradient norm needs no per-image gradient: it is ‖δ‖·√(‖a‖² + 1).",
            "DP-SGD（Abadi 等，2016）改变训练中的一步。批次（lot）是随机抽取的：每张图像以 L/N 的概率加入。测量每张图像自己的梯度；长于 C 的按比例缩短到 C，于是任何单张图像都无法大幅改变模型。裁剪后的梯度求和，每个坐标加入标准差为 σ·C 的高斯噪声，再除以 L。对全连接层，一张图像的梯度范数无需求出单独的梯度：它等于 ‖δ‖·√(‖a‖² + 1)。",
        ),
        notes: tx(
            "Take a lot, then raise C until nothing is clipped, and raise σ: the noise's length grows as σ·C·√(parameters) — far longer than the signal. Averaging over many steps is what makes it work.",
            "抽取一个批次，然后增大 C 直到没有梯度被裁剪，再增大 σ：噪声长度按 σ·C·√(参数个数) 增长——远长于信号。是许多步的平均让它仍然有效。",
        ),
    },
    Step {
        title: tx("The privacy meter", "隐私计量"),
        body: tx(
            "ε measures how much the trained model can reveal about any one image: with probability at least 1 − δ, no outcome becomes more than e^ε times likelier because an image was in the training set. Every step spends some of it; more noise or a smaller sampling rate spends less. The accountant (Rényi DP of the sampled Gaussian mechanism, orders 2–256, classic conversion at δ = 10⁻⁵) gives ε for the steps taken — and a forecast for the planned epochs before training starts.",
            "ε 衡量训练好的模型能泄露多少关于任意一张图像的信息：以至少 1 − δ 的概率，任何结果都不会因为某张图像在训练集中而变得可能超过 e^ε 倍。每一步都会消耗一些隐私预算；噪声越大、采样率越小，消耗越少。记账器（采样高斯机制的 Rényi 差分隐私，阶数 2–256，在 δ = 10⁻⁵ 下用经典转换）给出已走步数对应的 ε——并在训练开始前预测计划轮数的 ε。",
        ),
        notes: tx(
            "Move the sliders and watch the forecast before training. Then train and see ε climb epoch by epoch to that forecast.",
            "训练前拖动滑块，观察预测值。然后开始训练，看 ε 逐轮上升到预测值。",
        ),
    },
    Step {
        title: tx("What privacy costs", "隐私的代价"),
        body: tx(
            "Both models trained on the same 1,000 images with the same optimiser, side by side: test accuracy, the membership test's advantage, and accuracy per digit. On so few images privacy is expensive; on all 60,000 MNIST images the same method loses far less (the README's table, measured with backprop-lab).",
            "两个模型在同样的 1,000 张图像上、用同样的优化器训练，并排比较：测试准确率、成员推断的优势，以及每个数字的准确率。在这么少的图像上隐私代价很高；在全部 60,000 张 MNIST 图像上，同样的方法损失小得多（见 README 中用 backprop-lab 测得的表格）。",
        ),
        notes: tx(
            "Ask which digits suffer most and why: clipping and noise drown the rare, atypical examples first.",
            "问学生哪些数字受影响最大、为什么：裁剪和噪声最先淹没那些少见的、不典型的样本。",
        ),
    },
    Step {
        title: tx(
            "What encryption can and cannot do",
            "加密能做什么、不能做什么",
        ),
        body: tx(
            "Differential privacy limits what a trained model reveals. Encryption protects data while it is used: with homomorphic encryption a server adds and multiplies numbers it cannot read, and only the key holder decrypts the result. This page does not run it; here is what it would take for this network.",
            "差分隐私限制的是训练好的模型会泄露什么。加密保护的是使用中的数据：借助同态加密，服务器可以对它读不到的数字做加法和乘法，只有持有密钥的人能解密结果。本页并不运行同态加密；下面说明对这个网络需要付出什么。",
        ),
        notes: tx(
            "The two protect different things: DP the people in the training data, encryption the person asking the model a question. They combine.",
            "两者保护的对象不同：差分隐私保护训练数据中的人，加密保护向模型提问的人。两者可以结合使用。",
        ),
    },
    Step {
        title: tx("Check yourself", "随堂自测"),
        body: tx(
            "Answer first; the accountant and the two runs grade you.",
            "先作答；由记账器和两次运行的结果评分。",
        ),
        notes: tx(
            "Most students expect doubling σ to halve ε. The accountant says otherwise for these settings.",
            "多数学生以为 σ 加倍 ε 就减半。对这些设置，记账器给出的结果并非如此。",
        ),
    },
];

/// Labels and sentences of the panels.
pub mod ui {
    use super::*;

    pub const CLIP: Text = tx("Clip norm C", "裁剪范数 C");
    pub const NOISE: Text = tx("Noise multiplier σ", "噪声乘数 σ");
    pub const LOT: Text = tx("Expected lot L", "期望批大小 L");
    pub const EPOCHS: Text = tx("Epochs", "轮次");
    pub const TRAIN_PLAIN: Text = tx("Train without privacy", "不加隐私保护地训练");
    pub const TRAIN_PRIVATE: Text = tx("Train with DP-SGD", "用 DP-SGD 训练");
    pub const STOP: Text = tx("Stop", "停止");
    pub const TAKE_LOT: Text = tx("Take one lot", "抽取一个批次");
    pub const MEMBERS: Text = tx("members (trained on)", "成员（参与训练）");
    pub const OUTSIDERS: Text = tx("outsiders (never seen)", "非成员（从未见过）");
    pub const ADVANTAGE: Text = tx("Membership advantage", "成员推断优势");
    pub const TEST_ACCURACY: Text = tx("Test accuracy", "测试准确率");
    pub const EPSILON: Text = tx("ε (δ = 10⁻⁵)", "ε（δ = 10⁻⁵）");
    pub const FORECAST: Text = tx("Forecast for the planned epochs", "按计划轮数预测");
    pub const LOSS_AXIS: Text = tx("loss", "损失");
    pub const NORM_AXIS: Text = tx("gradient norm", "梯度范数");
    pub const NO_PRIVACY: Text = tx("no privacy", "无隐私保护");
    pub const DP_SGD: Text = tx("DP-SGD", "差分隐私 SGD");
    pub const WAITING: Text = tx("Loading the images…", "正在加载图像…");
    pub const RUN_BOTH: Text = tx(
        "Train both models (step 1 and step 3) to compare them here.",
        "先训练两个模型（第 1 步和第 3 步）再在这里比较。",
    );
    pub const FULL_MNIST: Text = tx(
        "On all 60,000 training images (784-512-10, lot 256, C = 1, SGD lr 0.15, measured with backprop-lab train --dp-clip 1 --dp-noise σ; the README has the commands): 91.7 % test accuracy at ε = 0.91 (σ 1.4, 10 epochs) against 97.7 % without privacy in as many epochs; 94.6 % at ε = 2.92 (σ 1.12, 60 epochs) against 98.3 %. This page does it too: add members=60000 to its address (784-128-10; measured here: 91.8 % at ε = 0.91, 93.4 % at ε = 2.72 with σ 0.9 over 20 epochs).",
        "在全部 60,000 张训练图像上（784-512-10，批大小 256，C = 1，SGD 学习率 0.15，用 backprop-lab train --dp-clip 1 --dp-noise σ 测得；命令见 README）：ε = 0.91 时测试准确率 91.7%（σ 1.4，10 轮），同样轮数不加隐私保护为 97.7%；ε = 2.92 时 94.6%（σ 1.12，60 轮），不加隐私保护为 98.3%。本页也能做到：在地址后加上 members=60000（784-128-10；这里测得：ε = 0.91 时 91.8%，σ 0.9 训练 20 轮、ε = 2.72 时 93.4%）。",
    );
    pub const ENCRYPTION_CARD: Text = tx(
        "What it would take here. The first layer is 100,352 multiply-adds of the drawing's 784 pixels by known weights: with an additively homomorphic scheme (Paillier) the browser would encrypt each pixel (a 2,048-bit number instead of 4 bytes: 256 KB for one drawing), and the server would raise ciphertexts to the weights' powers — about 100,000 modular exponentiations, seconds to minutes on a CPU, against 0.1 ms in the clear. ReLU is not a sum or a product: the server must send the 128 hidden values back to be decrypted, rectified and encrypted again (one more round trip), or use a lattice scheme (CKKS) with a polynomial in place of ReLU, approximate and slower still. The answer comes back encrypted; only the student can read it. No encryption protects against what the trained weights themselves remember — that is what DP is for.",
        "在这里需要付出什么。第一层是把画出的 784 个像素与已知权重做 100,352 次乘加：若用加法同态方案（Paillier），浏览器要加密每个像素（每个变成 2,048 位的数而非 4 字节：一幅画 256 KB），服务器要做大约 100,000 次模幂运算——在 CPU 上需要几秒到几分钟，而明文只要 0.1 毫秒。ReLU 既不是加法也不是乘法：服务器必须把 128 个隐藏值送回去解密、取正、再加密（多一次往返），或者改用格密码方案（CKKS），用多项式近似 ReLU，既不精确又更慢。答案以密文返回，只有学生能读。任何加密都防不住训练好的权重本身记住的东西——那正是差分隐私的用途。",
    );
    pub const Q1: Text = tx(
        "1. At these settings, if σ is doubled, does ε halve?",
        "1. 在这些设置下，如果 σ 加倍，ε 会减半吗？",
    );
    pub const Q1_YES: Text = tx("Yes, about half", "会，大约减半");
    pub const Q1_LESS: Text = tx("No: it falls by less than half", "不会：降幅不到一半");
    pub const Q1_MORE: Text = tx("No: it falls to less than half", "不会：降到一半以下");
    pub const Q2: Text = tx(
        "2. Will DP-SGD shrink the membership test's advantage on these 1,000 images?",
        "2. 在这 1,000 张图像上，DP-SGD 会减小成员推断的优势吗？",
    );
    pub const Q2_YES: Text = tx("Yes", "会");
    pub const Q2_NO: Text = tx("No", "不会");
    pub const RIGHT: Text = tx("Right:", "对了：");
    pub const WRONG: Text = tx("Not this time:", "这次不对：");
    pub const Q2_WAIT: Text = tx(
        "Train both models (steps 1 and 3) to grade it.",
        "训练两个模型（第 1 步和第 3 步）后评分。",
    );
}
