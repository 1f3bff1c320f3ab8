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
            "Train a network on the members (1,000 training images, unless the page's address asks for more with members=…; the line in the panel gives the counts and where the outsiders come from) for many epochs, then show it 1,000 other images of the same kind it never saw (the outsiders). Its loss is lower on what it trained on. That is enough for membership inference: an attacker who sees only the loss on an image (with its label) guesses \"member\" below a threshold. The advantage is the rate of members caught minus the rate of outsiders wrongly accused (0 is a coin toss, 1 is certainty). As a real attacker must, the page chooses the threshold on half of the members and outsiders and measures the advantage on the other half; beside it stands the no-leak floor, what the same test scores when membership is shuffled at random and so means nothing.",
            "在成员图像上训练网络很多轮（默认 1,000 张训练图像，除非页面地址用 members=… 要求更多；面板中的说明行给出具体数目以及非成员来自哪里），然后给它看另外 1,000 张同类但从未见过的图像（非成员）。它在训练过的图像上损失更低。这就足以做成员推断：只看得到一张图像（连同其标签）上的损失的攻击者，在损失低于某个阈值时猜“成员”。优势等于抓到成员的比例减去误判非成员的比例（0 等于抛硬币，1 等于确定无疑）。正如真正的攻击者必须做的那样，页面在一半成员和非成员上选定阈值，在另一半上测量优势；旁边给出无泄露基线：把成员身份随机打乱、使之毫无意义时，同一测试得到的分数。",
        ),
        notes: tx(
            "Run it and ask: why would a hospital care? Point at the two loss histograms: the members' sit near zero. Why two halves: a threshold chosen and judged on the same images finds some advantage even where nothing leaks (about 0.03 on 1,000 against 1,000).",
            "运行后提问：为什么医院会在乎这个？指出两个损失直方图：成员的损失集中在零附近。为什么要分两半：在同一批图像上既选阈值又评判，即使毫无泄露也会找到一些优势（1,000 对 1,000 时约 0.03）。",
        ),
    },
    Step {
        title: tx("DP-SGD, step by step", "DP-SGD 逐步拆解"),
        body: tx(
            "DP-SGD (Abadi et al. 2016) changes one step of training. The lot is drawn at random: every image joins with probability L/N. Each image's own gradient is measured, then comes clipping: any gradient longer than C is scaled down to length C, so no single image can move the model much. The clipped gradients are summed, Gaussian noise of spread σ·C is added to every coordinate (σ is the noise multiplier), and the sum is divided by L. For a dense layer an image's gradient norm needs no per-image gradient: it is ‖δ‖·√(‖a‖² + 1).",
            "DP-SGD（Abadi 等，2016）改变训练中的一步。批次（lot）是随机抽取的：每张图像以 L/N 的概率加入。测量每张图像自己的梯度，然后裁剪：长于 C 的梯度按比例缩短到 C，于是任何单张图像都无法大幅改变模型。裁剪后的梯度求和，每个坐标加入标准差为 σ·C 的高斯噪声（σ 即噪声乘数），再除以 L。对全连接层，一张图像的梯度范数无需求出单独的梯度：它等于 ‖δ‖·√(‖a‖² + 1)。",
        ),
        notes: tx(
            "Take a lot, then raise C until nothing is clipped, and raise σ: the noise's length grows as σ·C·√(parameters) — far longer than the signal. Averaging over many steps is what makes it work.",
            "抽取一个批次，然后增大 C 直到没有梯度被裁剪，再增大 σ：噪声长度按 σ·C·√(参数个数) 增长——远长于信号。是许多步的平均让它仍然有效。",
        ),
    },
    Step {
        title: tx("The privacy meter", "隐私计量"),
        body: tx(
            "Differential privacy is a promise made with two numbers, ε and δ. Take any two training sets D and D′ that differ in one image (one image added or removed, whichever image it is). For every set S of outcomes (anything one can learn from the trained model), P[M(D) ∈ S] ≤ eᵋ·P[M(D′) ∈ S] + δ. In words: an observer's odds that this image was used grow by at most a factor eᵋ, plus a small slack δ. ε = 1 means eᵋ ≈ 2.7; ε = 4.2 means eᵋ ≈ 69. δ must be far below 1/N, or a run that published one random training image outright would pass: the page's δ = 10⁻⁵ is a hundredth of 1/1,000 for the lesson's members (against all 60,000 MNIST images it is only just below 1/60,000, a common but loose choice). The same promise caps any membership test's advantage at (eᵋ − 1 + 2δ)/(eᵋ + 1): the attack measures a lower bound on what leaks, ε gives an upper bound. Every step spends some ε; more noise or a smaller sampling rate spends less. The accountant gives ε for the steps taken, and a forecast for the planned epochs before training starts.",
            "差分隐私是用两个数 ε 和 δ 做出的承诺。取任意两个只差一张图像的训练集 D 和 D′（增加或去掉一张图像，无论是哪一张）。对任何一组结果 S（从训练好的模型中能得知的任何东西），都有 P[M(D) ∈ S] ≤ eᵋ·P[M(D′) ∈ S] + δ。也就是说：任何一组结果出现的概率，都不会因为某张图像在训练集中而增大到 eᵋ 倍以上（另加很小的 δ）；观察者认为这张图像被用过的几率，最多增大到 eᵋ 倍，再加一点余量 δ。ε = 1 意味着 eᵋ ≈ 2.7；ε = 4.2 意味着 eᵋ ≈ 69。δ 必须远小于 1/N，否则一次把某张随机训练图像原样公布的训练也能过关：本页的 δ = 10⁻⁵ 是本课 1,000 张成员图像对应的 1/1,000 的百分之一（面对全部 60,000 张 MNIST 图像，它只是略低于 1/60,000，这是常见但宽松的选择）。同一承诺把任何成员推断的优势限制在 (eᵋ − 1 + 2δ)/(eᵋ + 1) 以内：攻击测得的是泄露的下界，ε 给出的是上界。每一步都会消耗一些 ε；噪声越大、采样率越小，消耗越少。记账器给出已走步数对应的 ε，并在训练开始前预测计划轮数的 ε。",
        ),
        notes: tx(
            "Move the sliders and watch the forecast before training. Then train and see ε climb epoch by epoch to that forecast. The accountant: Rényi DP of the sampled Gaussian mechanism at integer orders 2–256, composed over the steps, classic conversion to (ε, δ) at δ = 10⁻⁵ (Mironov 2017; Mironov, Talwar and Zhang 2019).",
            "训练前拖动滑块，观察预测值。然后开始训练，看 ε 逐轮上升到预测值。记账器：采样高斯机制在整数阶 2–256 上的 Rényi 差分隐私，按步数累加，在 δ = 10⁻⁵ 下用经典转换得到 (ε, δ)（Mironov 2017；Mironov、Talwar 和 Zhang 2019）。",
        ),
    },
    Step {
        title: tx("What privacy costs", "隐私的代价"),
        body: tx(
            "Both models trained on the same member images with the same optimiser, side by side: test accuracy, accuracy on the members, the membership test's held-out advantage beside the most advantage ε allows, and accuracy per digit. Part of any fall in the advantage is simply less fitting: DP-SGD also fits its members less, and the page says by how much. On 1,000 images privacy is expensive; on all 60,000 MNIST images the same method loses far less (the figures and commands at the foot of this step).",
            "两个模型在同样的成员图像上、用同样的优化器训练，并排比较：测试准确率、成员上的准确率、成员推断在留出一半上的优势及 ε 允许的最大优势，以及每个数字的准确率。优势的下降有一部分只是拟合得更少：DP-SGD 对成员本身也拟合得更少，页面会给出具体幅度。在 1,000 张图像上隐私代价很高；在全部 60,000 张 MNIST 图像上，同样的方法损失小得多（数字和命令见本步最下方）。",
        ),
        notes: tx(
            "Ask which digits suffer most and why: clipping and noise drown the harder, atypical examples first. The page names a digit only when its drop exceeds 2.8 times its standard error (about 200 test images a digit with the lesson's 1,000 members, about 1,000 in the full-MNIST mode; one run per model): ten digits are tested at once, and 2.8 SE keeps the chance of naming any digit by luck below 5 % (about 2.5 %: only drops are tested, and Bonferroni over ten one-sided tests would need only 2.6 SE).",
            "问学生哪些数字受影响最大、为什么：裁剪和噪声最先淹没那些较难、不典型的样本。只有降幅超过 2.8 倍标准误的数字，页面才会点名（本课 1,000 张成员图像时每个数字约 200 张测试图像，全 MNIST 模式下约 1,000 张；每个模型只运行一次）：十个数字同时检验，取 2.8 倍标准误让纯属运气点名任何数字的概率低于 5%（约 2.5%：只检验下降，对十个单侧检验做 Bonferroni 校正只需 2.6 倍标准误）。",
        ),
    },
    Step {
        title: tx(
            "What encryption can and cannot do",
            "加密能做什么、不能做什么",
        ),
        body: tx(
            "Differential privacy limits what a trained model reveals. Encryption protects data while it is used: with homomorphic encryption a server adds and multiplies numbers it cannot read, and only the key holder decrypts the result. It can even train a model on encrypted data; here we look at the simpler use, answering one question. This page does not run it; here is what it would take for this network.",
            "差分隐私限制的是训练好的模型会泄露什么。加密保护的是使用中的数据：借助同态加密，服务器可以对它读不到的数字做加法和乘法，只有持有密钥的人能解密结果。它甚至能在加密数据上训练模型；这里只看较简单的用途：回答一个问题。本页并不运行同态加密；下面说明对这个网络需要付出什么。",
        ),
        notes: tx(
            "The two protect different things: DP the people in the training data; encryption, here, the person asking the model a question (used in training, it hides the data from whoever trains, but not from the trained weights). They combine.",
            "两者保护的对象不同：差分隐私保护训练数据中的人；加密在这里保护向模型提问的人（用在训练中时，它向训练者隐藏数据，但瞒不过训练好的权重）。两者可以结合使用。",
        ),
    },
    Step {
        title: tx("Check yourself", "随堂自测"),
        body: tx(
            "Answer first: predict, then run. Your answers are kept in this browser while you train in steps 1 and 3. Question 1 is graded at once by the accountant; question 2 — asked on steps 1 and 3 too, before the runs — once both runs exist, if it was answered before them.",
            "先作答：先预测，再运行。你在第 1 步和第 3 步训练时，答案会保存在本浏览器中。第 1 题由记账器立即评分；第 2 题（第 1 步和第 3 步运行之前也会出现）若在两次运行之前作答，则在两次运行都完成后评分。",
        ),
        notes: tx(
            "Most students expect doubling σ to halve ε. At small σ (large ε), doubling σ cuts ε by more than half; at large σ, ε falls roughly as 1/σ and halves (with L 50 and 30 epochs, ε(2σ)/ε(σ) is 0.35 at σ 1, 0.448 at σ 2, 0.47 at σ 3, 0.48 at σ 4). At σ 2 the ratio is just below the 0.45 edge of \"about half\", so the page grades \"below half\" right there; \"about half\" is right from σ 2.1. The page grades the answer at the σ, L and epochs the sliders had when the student answered (printed with the grade): \"about half\" is 0.45–0.55, \"below half\" under 0.45. \"Stays above half\" is a distractor: on the lesson's 1,000 members it is never right anywhere in the sliders' ranges (the ratio stays below 0.49); only in the full-MNIST mode, at large σ on small lots where ε is already tiny, does it come true.",
            "多数学生以为 σ 加倍 ε 就减半。σ 小（ε 大）时，σ 加倍会让 ε 降到一半以下；σ 大时，ε 大致按 1/σ 下降，于是减半（L 为 50、训练 30 轮时，ε(2σ)/ε(σ) 在 σ 为 1 时是 0.35，为 2 时是 0.448，为 3 时是 0.47，为 4 时是 0.48）。σ 为 2 时比值略低于“大约减半”的下限 0.45，所以页面在这里判“降到一半以下”为对；从 σ 为 2.1 起才判“大约减半”为对。页面按学生作答时滑块上的 σ、L 和轮数评分（评分时一并列出）：“大约减半”指 0.45–0.55，“降到一半以下”指低于 0.45。“仍高于一半”是干扰项：在本课的 1,000 张成员图像上，滑块范围内它永远不对（比值始终低于 0.49）；只有在全 MNIST 模式下、σ 大而批次小、ε 已经很小时，它才会成立。",
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
    pub const BOUND: Text = tx("most advantage ε allows", "ε 允许的最大优势");
    /// [`BOUND`] at the start of a sentence.
    pub const BOUND_LEAD: Text = tx("The most advantage ε allows is", "ε 允许的最大优势为");
    /// What the page says wherever ε would be printed for σ = 0.
    pub const NO_GUARANTEE: Text = tx(
        "σ = 0: clipping alone gives no privacy guarantee (ε = ∞).",
        "σ = 0：只有裁剪，没有任何隐私保证（ε = ∞）。",
    );
    pub const FLOOR: Text = tx("No-leak floor", "无泄露基线");
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
        "On all 60,000 training images (784-512-10, lot 256, C = 1, SGD lr 0.15, no momentum, CPU engine, seed 1; the command: backprop-lab train --engine cpu --batch-size 256 --lr 0.15 --momentum 0 --epochs E --dp-clip 1 --dp-noise σ, and without the two --dp options for no privacy): 91.7 % test accuracy at ε = 0.91 (eᵋ ≈ 2.5; σ 1.4, 10 epochs) against 97.7 % without privacy in as many epochs; 94.6 % at ε = 2.92 (eᵋ ≈ 19; σ 1.12, 60 epochs) against 98.3 %. This page does it too: add members=60000&lot=256 to its address and set σ and the epochs (784-128-10, C 1, SGD lr 0.1, momentum 0.5; measured in this page with the CPU engine: 91.8 % at ε = 0.91 with σ 1.4 over 10 epochs, 93.4 % at ε = 2.72, eᵋ ≈ 15, with σ 0.9 over 20 epochs; at the page's default lot of 50, σ 1.4 over 10 epochs gives ε ≈ 0.52 instead).",
        "在全部 60,000 张训练图像上（784-512-10，批大小 256，C = 1，SGD 学习率 0.15，无动量，CPU 引擎，随机种子 1；命令：backprop-lab train --engine cpu --batch-size 256 --lr 0.15 --momentum 0 --epochs E --dp-clip 1 --dp-noise σ，去掉两个 --dp 选项即为不加隐私保护）：ε = 0.91（eᵋ ≈ 2.5；σ 1.4，10 轮）时测试准确率 91.7%，同样轮数不加隐私保护为 97.7%；ε = 2.92（eᵋ ≈ 19；σ 1.12，60 轮）时 94.6%，不加隐私保护为 98.3%。本页也能做到：在地址后加上 members=60000&lot=256，再设定 σ 和轮数（784-128-10，C 1，SGD 学习率 0.1，动量 0.5；在本页用 CPU 引擎测得：σ 1.4 训练 10 轮、ε = 0.91 时 91.8%；σ 0.9 训练 20 轮、ε = 2.72（eᵋ ≈ 15）时 93.4%；若用本页默认的批大小 50，σ 1.4 训练 10 轮得到的 ε 约为 0.52）。",
    );
    pub const ENCRYPTION_CARD: Text = tx(
        "What it would take here. The first layer is 100,352 multiply-adds of the drawing's 784 pixels by known weights: with an additively homomorphic scheme (Paillier) the browser would encrypt each pixel: with a 2,048-bit key each ciphertext is a 4,096-bit number instead of 4 bytes, about 400 KB for one drawing (784 × 512 B). Real-valued pixels and weights must first be scaled to whole numbers (fixed-point encoding), since the scheme computes on integers modulo the key. The server would raise ciphertexts to the weights' powers — about 100,000 modular exponentiations, seconds to minutes on a CPU, against 0.1 ms in the clear. ReLU is not a sum or a product: the server must send the 128 hidden values back to be decrypted, rectified and encrypted again (one more round trip), or use a lattice scheme (CKKS) with a polynomial in place of ReLU, approximate and slower still. The answer comes back encrypted; only the student can read it. No encryption protects against what the trained weights themselves remember — that is what DP is for.",
        "在这里需要付出什么。第一层是把画出的 784 个像素与已知权重做 100,352 次乘加：若用加法同态方案（Paillier），浏览器要加密每个像素：用 2,048 位的密钥，每个密文是 4,096 位的数而非 4 字节，一幅画约 400 KB（784 × 512 字节）。实数的像素和权重要先放大取整为整数（定点编码），因为该方案只对模密钥的整数做运算。服务器要做大约 100,000 次模幂运算——在 CPU 上需要几秒到几分钟，而明文只要 0.1 毫秒。ReLU 既不是加法也不是乘法：服务器必须把 128 个隐藏值送回去解密、取正、再加密（多一次往返），或者改用格密码方案（CKKS），用多项式近似 ReLU，既不精确又更慢。答案以密文返回，只有学生能读。任何加密都防不住训练好的权重本身记住的东西——那正是差分隐私的用途。",
    );
    pub const Q1: Text = tx(
        "1. At these settings, if σ is doubled, does ε halve?",
        "1. 在这些设置下，如果 σ 加倍，ε 会减半吗？",
    );
    pub const Q1_YES: Text = tx(
        "Yes, about half (0.45–0.55 of it)",
        "会，大约减半（为原来的 0.45–0.55）",
    );
    pub const Q1_LESS: Text = tx(
        "No: it drops, but stays above half (over 0.55 of it)",
        "不会：会下降，但仍高于一半（高于原来的 0.55）",
    );
    pub const Q1_MORE: Text = tx(
        "No: it drops below half (under 0.45 of it)",
        "不会：降到一半以下（低于原来的 0.45）",
    );
    pub const Q1_NO_NOISE: Text = tx(
        "At σ = 0 there is no ε to halve: set σ above 0 (steps 2 and 3) to answer.",
        "σ = 0 时没有可以减半的 ε：请先把 σ 调到 0 以上（第 2 步和第 3 步）再作答。",
    );
    /// Above question 2 on steps 1 and 3, before the runs that grade it.
    pub const Q2_FIRST: Text = tx(
        "Predict first — question 2 of \"Check yourself\", graded once this step's run and the other exist:",
        "先预测——这是“随堂自测”的第 2 题，等这一步的运行和另一次运行都完成后评分：",
    );
    pub const ALREADY_MEASURED: Text = tx(
        "Already measured: this one is no longer a prediction.",
        "已经测过了：这题不再是预测。",
    );
    pub const Q2: Text = tx(
        "2. Will DP-SGD shrink the membership test's advantage on these images, by more than the test's own sampling error?",
        "2. 在这些图像上，DP-SGD 会让成员推断的优势减小，且减小幅度超出测试本身的抽样误差吗？",
    );
    pub const Q2_YES: Text = tx("Yes", "会");
    pub const Q2_NO: Text = tx("No", "不会");
    pub const RIGHT: Text = tx("Right:", "对了：");
    pub const WRONG: Text = tx("Not this time:", "这次不对：");
    pub const Q2_WAIT: Text = tx(
        "Your answer is kept: train both models (steps 1 and 3) and it is graded here.",
        "你的答案已保存：训练两个模型（第 1 步和第 3 步）后，在这里评分。",
    );
}
