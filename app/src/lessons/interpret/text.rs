//! Every sentence of the interpretability lesson, in English and Chinese.

use crate::lessons::lesson::Step;
use crate::ui::i18n::{Text, tx};

/// Title.
pub const TITLE: Text = tx("Inside the black box", "打开黑箱");
/// The home page's summary.
pub const SUMMARY: Text = tx(
    "Which pixels does a trained network look at? Heat-maps from its own gradients (and a test of whether they mean anything), then images whose pixels move by at most a tenth of the grey range (≈ 25 of 255 levels) that it gets wrong, a stronger attack, training on such images, and whether its confidence can be trusted.",
    "训练好的网络在看哪些像素？用它自己的梯度画出热力图（并检验这些图是否有意义），再看看每个像素最多只改动灰度范围的十分之一（约 255 级中的 25 级）就让它认错的图像、更强的攻击、用这类图像训练，以及它的置信度是否可信。",
);

/// The steps.
pub const STEPS: [Step; 8] = [
    Step {
        title: tx("What the first layer looks at", "第一层在看什么"),
        body: tx(
            "Each hidden unit of the first layer multiplies the 784 pixels by its own 784 weights: drawn as a 28×28 tile, red weights reward ink there, blue ones punish it. Beside them, the mean test image of each class: the patterns the weights have to tell apart.",
            "第一层的每个隐藏单元都把 784 个像素乘以它自己的 784 个权重：画成 28×28 的小图，红色权重：那里有笔画会提高该单元的输入，蓝色则降低。旁边是每个类别测试图像的平均图：权重必须区分的就是这些模式。",
        ),
        notes: tx(
            "Ask which tiles look like strokes and which look like noise. A wide layer spreads the work over many units: few tiles look like a digit.",
            "问学生哪些小图看起来像笔画、哪些像噪声。较宽的层把任务分散到许多单元上：很少有小图看起来像一个数字。",
        ),
    },
    Step {
        title: tx("Saliency", "显著性图"),
        body: tx(
            "How much does the score of the predicted class, z_c, change when one pixel changes? The gradient ∂z_c/∂x answers for every pixel at once — the backward pass carried one layer further, to the input; drawn as an image it is a saliency map. It is noisy, so SmoothGrad averages it over noisy copies of the image. Integrated gradients multiplies (x − x₀) by the gradient averaged along the path from a baseline x₀ to x; its attributions add up to z_c(x) − z_c(x₀), which the page checks. Each method's map has its own key under it: the gradient's red says where more ink would raise the score; integrated gradients' red says where the image's difference from the baseline raised it.",
            "当一个像素变化时，预测类别的得分 z_c 变化多少？梯度 ∂z_c/∂x 一次回答所有像素——把反向传播再往前推一层，推到输入；画成图像就是显著性图。它很嘈杂，所以 SmoothGrad 在图像的多个加噪副本上取平均。积分梯度把 (x − x₀) 乘以从基线 x₀ 到 x 的路径上梯度的平均值；它的归因之和等于 z_c(x) − z_c(x₀)，页面会检验这一点。每种方法的图下面都有它自己的图例：梯度图的红色表示那里多一点笔画会提高得分；积分梯度的红色表示该像素与基线的差异提高了得分。",
        ),
        notes: tx(
            "Compare the three maps on the same digit. Lower the integrated-gradient steps to 4: the completeness error grows. Try the black and the blurred baseline: the map depends on the question asked.",
            "在同一个数字上比较三种图。把积分梯度的步数降到 4：完整性误差变大。试试黑色和模糊基线：热力图取决于提出的问题。",
        ),
    },
    Step {
        title: tx("Sanity check", "合理性检验"),
        body: tx(
            "A map that explains the model must change when the model does. This sanity check (Adebayo et al. 2018) replaces the trained weights by random ones, from the output layer down, and draws the map again, with the plain gradient or with integrated gradients. The rank correlation ρ of the two maps' magnitudes (sign ignored) compares which pixels matter before and after: near 1, the map does not depend on the randomised weights: it shows the image, or the layers left trained, rather than what those weights learned.",
            "能解释模型的热力图必须随模型而变。这个合理性检验（Adebayo 等，2018）把训练好的权重从输出层往下换成随机权重，用普通梯度或积分梯度再画一次。两张图绝对值（忽略正负）的秩相关系数 ρ 比较前后哪些像素重要：接近 1 说明热力图不依赖被随机化的权重：它反映的是图像本身或仍保持训练状态的层，而不是这些权重学到的东西。",
        ),
        notes: tx(
            "Ask before pressing: will a random network's map look like a digit? For the plain gradient of this ReLU network, hardly: ∂z_c/∂x = Σⱼ W₂[c,j]·1[unit j on]·W₁[j,:] depends on the image only through which units are on, so with both layers random the map is noise, and with only the output layer random any stroke-like look comes from the first layer's learned weights, not from the image. Then switch to integrated gradients: it multiplies by (x − x₀), so with the black baseline the digit's strokes show through even with random weights — Adebayo et al.'s finding for methods that multiply by the input. That is why the test exists. For integrated gradients from black, ρ is dominated by the ~600 background pixels that are exactly 0 in both maps (x − x₀ = 0 there), so a high ρ says little beyond that.",
            "按之前先问：随机网络的热力图会像一个数字吗？对这个 ReLU 网络的普通梯度来说，几乎不会：∂z_c/∂x = Σⱼ W₂[c,j]·1[单元 j 激活]·W₁[j,:] 只通过哪些单元被激活来依赖图像，所以两层都随机时热力图是噪声；只随机化输出层时，任何像笔画的样子都来自第一层学到的权重，而不是来自图像。再换成积分梯度：它乘以 (x − x₀)，所以用黑色基线时，即使权重是随机的，数字的笔画也会透出来——这正是 Adebayo 等人对“乘以输入”的方法的发现。这就是需要这个检验的原因。对从黑色基线出发的积分梯度，ρ 主要由大约 600 个在两张图里都恰好为 0 的背景像素决定（那里 x − x₀ = 0），所以 ρ 高说明不了更多。",
        ),
    },
    Step {
        title: tx("Adversarial examples", "对抗样本"),
        body: tx(
            "FGSM (Goodfellow et al. 2015) moves every pixel by up to ε in the direction that raises the loss (pixels already at 0 or 1 cannot move further): x′ = clip(x + ε·sign(∇ₓL), 0, 1). ε is in units of the 0–1 pixel range, so ε = 0.1 changes each pixel by at most a tenth of the way from black to white. To a person it is the same digit.",
            "FGSM（Goodfellow 等，2015）把每个像素沿着使损失增大的方向移动至多 ε（已经是 0 或 1 的像素不能再往外移）：x′ = clip(x + ε·sign(∇ₓL), 0, 1)。ε 以 0–1 像素范围为单位，所以 ε = 0.1 最多把每个像素改变从黑到白距离的十分之一。对人来说它仍是同一个数字。",
        ),
        notes: tx(
            "The slider opens at ε = 0 (no change). Raise ε slowly and stop at the first ε that changes the answer. Ask the class to read the attacked digit.",
            "滑块从 ε = 0（不改动）开始。慢慢增大 ε，在第一次改变答案的 ε 处停下。请全班读出被攻击后的数字。",
        ),
    },
    Step {
        title: tx("How fragile", "有多脆弱"),
        body: tx(
            "One image can be luck. Attack every test image at each ε and measure the accuracy. FGSM takes one step; PGD (projected gradient descent, Madry et al. 2018) starts from the FGSM image and takes ten smaller steps, each pulled back within ε of the original — a stronger attack. An image counts as withstanding PGD only if it withstands FGSM too, so PGD's accuracy is never above FGSM's. Beside them, the curve the PyTorch FGSM tutorial publishes for a small convolutional network (LeNet) — a different model, shown for scale.",
            "一张图可能只是运气。在每个 ε 下攻击全部测试图像并测量准确率。FGSM 只走一步；PGD（投影梯度下降，Madry 等，2018）从 FGSM 图像出发再走十小步，每步都拉回到离原图 ε 以内——这是更强的攻击。一张图只有同时扛住 FGSM 和 PGD 才算扛住了 PGD，所以 PGD 下的准确率不会高于 FGSM 下的。旁边是 PyTorch FGSM 教程发布的小型卷积网络（LeNet）的曲线——那是另一个模型，仅作参照。",
        ),
        notes: tx(
            "Ask for a guess of the accuracy at ε = 0.1 before measuring, then how far PGD pushes it below FGSM. The points are kept in this browser one by one: a reload mid-run shows those measured so far.",
            "测量之前，让学生猜一猜 ε = 0.1 时的准确率，再猜 PGD 会把它压到比 FGSM 低多少。测得的点逐个保存在本浏览器中：测量中途重新加载，页面会显示已测得的点。",
        ),
    },
    Step {
        title: tx("Making it sturdier", "让它更稳健"),
        body: tx(
            "Adversarial training: fine-tune on each batch together with its FGSM images, made fresh at every step against the current weights. To tell adversarial training from \"more training\", a second copy is fine-tuned for the same steps on the clean images taken twice. All three curves are measured on the same test images, and at the training's own ε also under PGD: a copy trained against FGSM can learn to blunt that one attack only (single-step training is known to mask gradients), so it is judged against the stronger attack too.",
            "对抗训练：用每个批次及其 FGSM 图像一起微调，这些图像在每一步都针对当前权重重新生成。为了把它和“多训练一会儿”区分开，另一份副本用同样的步数在干净图像（取两次）上微调。三条曲线都在同一批测试图像上测量；在训练所用的 ε 处还用 PGD 测量：针对 FGSM 训练的副本可能只学会钝化这一种攻击（单步对抗训练会掩盖梯度），所以也要用更强的攻击来检验它。",
        ),
        notes: tx(
            "The control arm matters: without it, any gain could come from extra training. Note the price at ε = 0, if any, and whether the gain against FGSM survives PGD.",
            "对照组很重要：没有它，任何提升都可能来自额外的训练。留意 ε = 0 时是否付出了代价，以及对 FGSM 的提升在 PGD 下是否还在。",
        ),
    },
    Step {
        title: tx("Overconfidence", "过度自信"),
        body: tx(
            "Draw a scribble that is no digit, or ask for an image of pure noise. The softmax spreads exactly 100 % over the ten classes: there is no \"none of these\". A high probability says the class wins against the other nine, not that the image is a digit. Even on real digits, is 90 % confidence right nine times in ten? That is calibration: the reliability diagram below bins the test images by confidence and compares each bin's accuracy with the diagonal, and the expected calibration error (ECE) averages the gap, weighting each bin by its number of images. Dividing every logit by one number T is temperature scaling: it changes no answer, only how sure the model is. T is fitted on images the model did not train on: here half of the test images, checked on the other half, then the halves swap.",
            "画一个不是数字的涂鸦，或者生成一张纯噪声图像。softmax 把恰好 100% 分配给十个类别：没有“都不是”这个选项。高概率说明这个类别胜过了另外九个，而不是说这张图像是一个数字。即使在真正的数字上，90% 的置信度是否十次有九次对？这就是校准：下面的可靠性图按置信度把测试图像分组，把每组的准确率与对角线比较，期望校准误差（ECE）是这些差距按各组图像数加权的平均。把每个 logit 除以同一个数 T 就是温度缩放：它不改变任何答案，只改变模型有多确定。T 要在模型训练时没见过的图像上拟合：这里在一半测试图像上拟合，在另一半上检验，然后两半互换。",
        ),
        notes: tx(
            "Ask: what would a model need to be able to say \"I don't know\"? (A reject option, an out-of-distribution detector, calibrated uncertainty.) Note that temperature scaling calibrates on digits; it does not make noise look uncertain.",
            "提问：模型需要什么才能说“我不知道”？（拒识选项、分布外检测、校准过的不确定度。）注意：温度缩放是在数字上校准的，它并不会让噪声看起来不确定。",
        ),
    },
    Step {
        title: tx("Check yourself", "随堂自测"),
        body: tx(
            "Predict, then let the model answer. Question 1 is also asked on step 5, before its curve is measured: it is graded only if it was answered before the accuracy at ε = 0.1 was on the page.",
            "先预测，再让模型回答。第 1 题在第 5 步测量曲线之前也会出现：只有在 ε = 0.1 的准确率出现在页面上之前作答，它才会评分。",
        ),
        notes: tx(
            "Question 1 is graded by the FGSM accuracy at ε = 0.1 measured on this page, if it was answered before that accuracy was measured (ask it on step 5, before Measure, when you teach in order); question 2 by the rank correlation measured when it is answered.",
            "第 1 题按本页测得的 ε = 0.1 时 FGSM 下的准确率评分，前提是在该准确率测出之前作答（按顺序上课时，在第 5 步按“测量”之前提问）；第 2 题按作答时测得的秩相关系数评分。",
        ),
    },
];

/// Labels and sentences of the panels.
pub mod ui {
    use crate::ui::i18n::{Text, tx};

    pub const MODEL: Text = tx("Model", "模型");
    pub const SHIPPED: Text = tx("shipped, trained", "随应用提供，已训练");
    pub const FROM_FILE: Text = tx("from your file", "来自你的文件");
    pub const FROM_LIVE: Text = tx("the concept lessons' live model", "概念课程中的实时模型");
    pub const STEPS_TAKEN: Text = tx("steps", "步");
    pub const USE_LIVE: Text = tx("Explain the live model", "解释实时模型");
    pub const LOAD_FILE: Text = tx("Explain a model file", "解释一个模型文件");
    pub const TEST_IMAGES: Text = tx("Test images", "测试图像");
    pub const HARDEN: Text = tx("Fine-tuning images", "微调图像数");
    pub const ONE_EPOCH: Text = tx("1 epoch", "1 轮");
    pub const IMAGE: Text = tx("Test image", "测试图像");
    pub const LOADING: Text = tx("Loading the model and the images…", "正在加载模型和图像……");
    pub const TILES: Text = tx(
        "First-layer weights (a unit per tile)",
        "第一层权重（每个小图一个单元）",
    );
    pub const MEANS: Text = tx("Mean test image of each class", "每个类别的平均测试图像");
    pub const ANOTHER: Text = tx("Another image", "换一张图");
    pub const DRAW_OWN: Text = tx("Draw a digit", "自己画一个数字");
    pub const GRADIENT: Text = tx("Gradient", "梯度");
    pub const SMOOTHGRAD: Text = tx("SmoothGrad", "SmoothGrad（平滑梯度）");
    pub const INTEGRATED: Text = tx("Integrated gradients", "积分梯度");
    pub const SAMPLES: Text = tx("Noisy copies n", "加噪副本数 n");
    pub const NOISE: Text = tx("Noise σ (pixels)", "噪声 σ（像素）");
    pub const STEPS: Text = tx("Steps m", "步数 m");
    pub const BASELINE: Text = tx("Baseline x₀", "基线 x₀");
    pub const BLACK: Text = tx("black", "黑色");
    pub const BLURRED: Text = tx("blurred", "模糊");
    pub const MEAN: Text = tx("mean digit", "平均数字");
    pub const EXPLAINS: Text = tx("explains class", "解释的类别");
    pub const MAGNITUDE: Text = tx("magnitude |·| only", "只看大小 |·|");
    /// The plain gradient's key.
    pub const KEY_GRADIENT: Text = tx(
        "Red: more ink there would raise the class's score; blue: would lower it (the slope at this image).",
        "红色：那里多一点笔画会提高该类别的得分；蓝色：会降低（在这张图像处的斜率）。",
    );
    /// SmoothGrad's key.
    pub const KEY_SMOOTHGRAD: Text = tx(
        "Red: more ink there raises the class's score, on average over the noisy copies; blue: lowers it.",
        "红色：平均在各个加噪副本上，那里多一点笔画会提高该类别的得分；蓝色：会降低。",
    );
    /// Integrated gradients' key.
    pub const KEY_INTEGRATED: Text = tx(
        "Red: this pixel's difference from the baseline raised the class's score; blue: lowered it. Where the image has less ink than the baseline, red means having less ink raised it.",
        "红色：该像素与基线的差异提高了该类别的得分；蓝色：降低了。图像在某处笔画比基线少时，红色表示“少了笔画”提高了得分。",
    );
    /// The key when only magnitudes are drawn.
    pub const KEY_MAGNITUDE: Text = tx(
        "Magnitude only: the stronger the colour, the more the pixel matters, whichever way.",
        "只看大小：颜色越深，该像素越重要，不论方向。",
    );
    pub const COMPLETE: Text = tx("complete within 5 %", "完整性误差在 5% 以内");
    pub const INCOMPLETE: Text = tx(
        "not complete within 5 %: the path integral's Riemann sum is coarse; try more steps",
        "完整性误差超过 5%：路径积分的黎曼和太粗糙；试试更多步数",
    );
    pub const RANDOMIZE: Text = tx("Randomised layers", "随机化的层");
    pub const NONE: Text = tx("none (trained)", "无（训练好的）");
    pub const OUTPUT: Text = tx("output layer", "输出层");
    pub const BOTH: Text = tx("output and hidden layers", "输出层和隐藏层");
    pub const TRAINED_MAP: Text = tx("trained model", "训练好的模型");
    pub const RANDOM_MAP: Text = tx("randomised", "随机化后");
    pub const PASSED: Text = tx(
        "ρ is below our rule of thumb of 0.5 on this image: the map changed with the weights, so it depends on them (a necessary condition, not proof that it explains what they learned). (Adebayo et al. set no threshold; try other images.)",
        "在这张图像上 ρ 低于我们的经验值 0.5：热力图随权重改变了，所以它依赖这些权重（这是必要条件，并不证明它解释了这些权重学到的东西）。（Adebayo 等人并未规定阈值；换几张图像试试。）",
    );
    pub const FAILED: Text = tx(
        "ρ is at or above our rule of thumb of 0.5 on this image: the map kept much of its pixel ranking when these weights were randomised, so it reflects them at most partly. A warning sign for this method.",
        "在这张图像上 ρ 不低于我们的经验值 0.5：这些权重随机化后，热力图仍保留了相当一部分像素排序，所以它至多只部分反映这些权重。这是该方法的警示信号。",
    );
    pub const SANITY_METHOD: Text = tx("Method", "方法");
    pub const SANITY_IG: Text = tx(
        "integrated gradients (black baseline, 64 steps)",
        "积分梯度（黑色基线，64 步）",
    );
    pub const PICK_LAYERS: Text = tx(
        "Pick layers to randomise to run the check.",
        "选择要随机化的层来运行检验。",
    );
    pub const EPS: Text = tx("ε (in 0–1 pixel units)", "ε（以 0–1 像素值为单位）");
    pub const ORIGINAL: Text = tx("original", "原图");
    pub const PERTURBATION: Text = tx("the change (ε·sign of the gradient)", "改动（ε·梯度符号）");
    pub const ATTACKED: Text = tx("attacked", "攻击后");
    pub const FOOLED: Text = tx("The model changed its answer.", "模型改变了答案。");
    pub const HELD: Text = tx(
        "The model kept its answer at this ε.",
        "在这个 ε 下模型保持了答案。",
    );
    pub const MEASURE: Text = tx("Measure the curve", "测量曲线");
    pub const STOP: Text = tx("Stop", "停止");
    pub const THIS_MODEL: Text = tx("this model (FGSM)", "本模型（FGSM）");
    pub const REFERENCE: Text = tx(
        "PyTorch tutorial's LeNet (a different model, published)",
        "PyTorch 教程中的 LeNet（另一个模型，已发布数据）",
    );
    pub const ACCURACY_UNDER: Text = tx("accuracy under attack", "受攻击时的准确率");
    pub const HARDEN_RUN: Text = tx("Fine-tune both copies and measure", "微调两份副本并测量");
    pub const ARM_MODEL: Text = tx("as loaded (do nothing)", "原样（什么都不做）");
    pub const ARM_CLEAN: Text = tx("fine-tuned on clean images", "用干净图像微调");
    pub const ARM_ADV: Text = tx("adversarially trained", "对抗训练后");
    pub const TRAINING: Text = tx("Fine-tuning", "微调中");
    pub const MEASURING: Text = tx("Measuring", "测量中");
    pub const HELPED: Text = tx(
        "Against FGSM, adversarial training helped at this ε: its accuracy is above both other arms by more than their uncertainty.",
        "在这个 ε 下，对抗训练对 FGSM 有帮助：它的准确率比另两组都高，且超出了不确定度。",
    );
    pub const NOT_HELPED: Text = tx(
        "Against FGSM, adversarial training is not above both other arms at this ε by more than the uncertainty.",
        "在这个 ε 下，面对 FGSM，对抗训练并没有比另两组都高出不确定度以上。",
    );
    /// PGD, when it helped against FGSM too.
    pub const HELPED_PGD: Text = tx(
        "Against PGD it helped too: above both other arms by more than the uncertainty.",
        "面对 PGD 它也有帮助：比另两组都高，且超出了不确定度。",
    );
    /// PGD, when it did not help against FGSM.
    pub const HELPED_PGD_ONLY: Text = tx(
        "Against PGD it did help: above both other arms by more than the uncertainty.",
        "面对 PGD 它却有帮助：比另两组都高，且超出了不确定度。",
    );
    /// PGD not helped, FGSM helped.
    pub const NOT_HELPED_PGD: Text = tx(
        "Against PGD it is not above both other arms by more than the uncertainty: what it learned may only blunt FGSM.",
        "面对 PGD，它并没有比另两组都高出不确定度以上：它学到的可能只是钝化了 FGSM。",
    );
    /// Neither attack helped.
    pub const NOT_HELPED_PGD_EITHER: Text = tx(
        "Against PGD it is not above both other arms by more than the uncertainty either: with this many fine-tuning images and one epoch, adversarial training showed no measurable gain against either attack.",
        "面对 PGD，它也没有比另两组都高出不确定度以上：以当前的微调图像数、只微调一轮，对抗训练对两种攻击都没有显示出可测的提升。",
    );
    pub const THIS_MODEL_PGD: Text = tx("this model (PGD-10)", "本模型（PGD-10）");
    pub const LR: Text = tx("SGD, learning rate", "SGD，学习率");
    pub const MOMENTUM: Text = tx("momentum", "动量");
    pub const PARTIAL: Text = tx(
        "The measurement stopped before the end (a reload or Stop): the points measured before are shown. Measure again for the whole curve.",
        "测量在结束前停止了（重新加载或按了停止）：显示的是之前测得的点。再测一次可得到完整曲线。",
    );
    pub const NOISE_IMAGE: Text = tx("Classify pure noise", "识别纯噪声");
    pub const DRAW_HINT: Text = tx(
        "Draw anything that is not a digit in the box.",
        "请在方框里画任何不是数字的东西。",
    );
    pub const CALIBRATION: Text = tx("Calibration on the test images", "测试图像上的校准");
    pub const CAL_MEASURING: Text = tx(
        "Measuring the calibration (every test image, T fitted on each half)…",
        "正在测量校准（全部测试图像，在每一半上拟合 T）……",
    );
    pub const CAL_SPLIT: Text = tx("scaling", "缩放方式");
    pub const CAL_ROW_BEFORE: Text = tx(
        "before: T = 1, every test image",
        "缩放前：T = 1，全部测试图像",
    );
    pub const CAL_ROW_FIT: Text = tx(
        "after, on the images T was fitted on (each half with its own T)",
        "缩放后，在拟合 T 的图像上（每一半用它自己的 T）",
    );
    pub const CAL_ROW_HELD: Text = tx(
        "after, held out (each half with the T fitted on the other half)",
        "缩放后，留出检验（每一半用在另一半上拟合的 T）",
    );
    pub const CAL_T: Text = tx(
        "Temperature fitted (minimum NLL) on the even test images: T =",
        "在偶数号测试图像上拟合的温度（使 NLL 最小）：T =",
    );
    pub const CAL_T_ODD: Text = tx("on the odd ones: T =", "在奇数号测试图像上：T =");
    pub const CAL_OVER: Text = tx(
        "T > 1: on the images T was fitted on, the model was overconfident; dividing the logits by T softens its probabilities.",
        "T > 1：在拟合 T 的图像上，模型过度自信；把 logit 除以 T 让概率更平缓。",
    );
    pub const CAL_UNDER: Text = tx(
        "T < 1: on the images T was fitted on, the model was underconfident; dividing the logits by T sharpens its probabilities.",
        "T < 1：在拟合 T 的图像上，模型不够自信；把 logit 除以 T 让概率更尖锐。",
    );
    pub const CAL_CALIBRATED: Text = tx(
        "T ≈ 1 (within 0.05): on the images T was fitted on, the model was already calibrated; dividing by T changes little.",
        "T ≈ 1（相差不到 0.05）：在拟合 T 的图像上，模型本来就是校准的；除以 T 几乎没有改变。",
    );
    pub const CAL_MIXED: Text = tx(
        "The two halves' T do not fall on the same side of 1 (within 0.05 of 1 counts as 1): half the test images cannot pin down the direction of the miscalibration.",
        "两半拟合出的 T 不在 1 的同一侧（与 1 相差不到 0.05 算作 1）：一半测试图像不足以确定校准偏差的方向。",
    );
    pub const CAL_CHANGE: Text = tx(
        "On the held-out halves the ECE changed by {d} points (95 % bootstrap interval {lo} to {hi} points, over {n} resamplings of the images):",
        "在留出的那一半上，ECE 变化了 {d} 个百分点（对图像重抽样 {n} 次得到的 95% 自助区间：{lo} 至 {hi} 个百分点）：",
    );
    pub const CAL_TEST_BETTER: Text = tx(
        "lower beyond its sampling noise; the confidences match the accuracy more closely on images T was not fitted on. Accuracy is unchanged:",
        "下降幅度超出了抽样噪声；在未用于拟合 T 的图像上，置信度与准确率更吻合。准确率不变：",
    );
    pub const CAL_TEST_WORSE: Text = tx(
        "higher beyond its sampling noise; the T fitted on one half did not carry over to the other. Accuracy is unchanged:",
        "上升幅度超出了抽样噪声；在一半上拟合的 T 没有迁移到另一半。准确率不变：",
    );
    pub const CAL_TEST_NOISE: Text = tx(
        "within its sampling noise; this many images cannot tell whether temperature scaling helped. Accuracy is unchanged:",
        "变化在抽样噪声之内；这么多图像还不能判断温度缩放是否有帮助。准确率不变：",
    );
    /// Why T is fitted on test images: the shipped 784-512-10 model.
    pub const CAL_SEEN: Text = tx(
        "T must be fitted on images the model did not train on. The shipped model saw all 60,000 training images, so T is fitted on half of the test images and checked on the other half, then the halves swap (cross-fitting); the held-out row is the check.",
        "T 必须在模型训练时没见过的图像上拟合。随应用提供的模型见过全部 60,000 张训练图像，所以 T 在一半测试图像上拟合、在另一半上检验，然后两半互换（交叉拟合）；“留出检验”那一行才是检验。",
    );
    /// The same for the concept lessons' trained 784-32-10 model (the book: 2 epochs on 5,000 training
    /// digits).
    pub const CAL_SEEN_SMALL: Text = tx(
        "T must be fitted on images the model did not train on. This model was trained on 5,000 of the training images and none of the test images. As for the other models, T is fitted on half of the test images and checked on the other half, then the halves swap (cross-fitting); the held-out row is the check.",
        "T 必须在模型训练时没见过的图像上拟合。这个模型只用 5000 张训练图像训练过，没见过测试图像。与其他模型一样，T 在一半测试图像上拟合、在另一半上检验，然后两半互换（交叉拟合）；“留出检验”那一行才是检验。",
    );
    /// The same for a live model or a file, whose training images the page does not know.
    pub const CAL_SEEN_UNKNOWN: Text = tx(
        "T must be fitted on images the model did not train on. Which images this model trained on is not known here; T is fitted on half of the test images, which a model trained on MNIST's training images has not seen, and checked on the other half, then the halves swap (cross-fitting); the held-out row is the check.",
        "T 必须在模型训练时没见过的图像上拟合。这里不知道该模型用了哪些图像训练；T 在一半测试图像上拟合（用 MNIST 训练图像训练的模型没见过它们），在另一半上检验，然后两半互换（交叉拟合）；“留出检验”那一行才是检验。",
    );
    pub const RELIABILITY: Text = tx(
        "Reliability diagram (test images): accuracy per confidence bin, before (red) and after (blue) temperature scaling, each half with the T fitted on the other half; the diagonal is perfect calibration",
        "可靠性图（测试图像）：每个置信度区间的准确率，缩放前（红）与缩放后（蓝，每一半用在另一半上拟合的 T）；对角线表示完美校准",
    );
    pub const CONFIDENCE: Text = tx("confidence", "置信度");
    pub const TOP: Text = tx("top class", "最高类别");
    pub const SUM: Text = tx("sum over the ten classes", "十个类别之和");
    pub const Q1: Text = tx(
        "At ε = 0.1, under FGSM — each pixel changed by at most a tenth of its range — will this model still classify more than half of the test images correctly?",
        "在 ε = 0.1、FGSM 攻击下——每个像素最多改变其范围的十分之一——这个模型还能把一半以上的测试图像分类正确吗？",
    );
    /// Q1 once the accuracy it is graded by is on the page.
    pub const ALREADY_MEASURED: Text = tx(
        "Already measured: the accuracy at ε = 0.1 is on this page, so this is no longer a prediction and is not graded (\"Start afresh\" clears the curves to predict again).",
        "已经测过了：ε = 0.1 时的准确率已在本页上，这题不再是预测，所以不评分（“重新开始”会清除曲线，可以再预测一次）。",
    );
    /// Above question 1 on step 5, before the curve is measured.
    pub const Q1_FIRST: Text = tx(
        "Predict first — question 1 of \"Check yourself\", graded by the curve you are about to measure:",
        "先预测——这是“随堂自测”的第 1 题，按你马上要测的曲线评分：",
    );
    /// Question 1 answered on step 5, the curve not measured yet.
    pub const Q1_NOW_MEASURE: Text = tx(
        "Answer kept: press Measure below; the grade appears here and in \"Check yourself\".",
        "答案已记下：请按下方的“测量”，评分会显示在这里和“随堂自测”中。",
    );
    pub const Q2: Text = tx(
        "Randomise the output layer: will the gradient map of the same digit stay much the same (ρ above 0.5)?",
        "随机化输出层：同一个数字的梯度热力图会基本不变（ρ 大于 0.5）吗？",
    );
    pub const TOO_CLOSE: Text = tx(
        "Too close to call on {n} images: the accuracy is within two standard errors of 50 %, so neither answer is marked.",
        "在 {n} 张图像上难以判定：准确率与 50% 的差距在两个标准误之内，所以两个答案都不判对错。",
    );
    pub const YES: Text = tx("Yes", "会");
    pub const NO: Text = tx("No", "不会");
    pub const RIGHT: Text = tx("Right.", "答对了。");
    pub const WRONG: Text = tx("Not this time.", "这次没答对。");
    pub const WAIT_CURVE: Text = tx(
        "Measured when the curve is (step 5, or now):",
        "要等曲线测出（第 5 步，或现在）：",
    );
    pub const WAIT_SANITY: Text = tx("Measuring…", "正在测量……");
    pub const MS: Text = tx("ms in the worker", "毫秒（工作线程内）");
}
