//! "Train a network" as a stepped lesson: the data, the model, the loop in the article's code, the
//! dashboard (step [`DASHBOARD`], `page.rs`), overfitting and early stopping (step [`OVERFIT`],
//! `overfit.rs`), and questions graded by the run. The steps' text is in
//! [`STEPS`]; every number on these panels comes from the worker's data, the run's settings or the run.

use kernels::EngineKind;
use kernels::engine::{KernelLaunch, StepShape, Task};
use leptos::prelude::*;

use super::protocol::Client;
pub use super::protocol::Phase;
use super::protocol::{Command, Query, Reply, TrainImage};
use super::setup::Setup;
use super::state::{State, Walked};
use crate::lessons::lesson::Step;
use crate::ui::heatmap::DigitImage;
use crate::ui::i18n::{Lang, Text, tx};

/// The step that shows the dashboard (controls, charts, weights, confusion matrix, drawing pad).
pub const DASHBOARD: usize = 4;
/// The step on overfitting and early stopping.
pub const OVERFIT: usize = 5;
/// The step that measures why a GPU helps.
pub const HARDWARE: usize = 6;

/// The steps.
pub const STEPS: [Step; 7] = [
    Step {
        title: tx("The data", "数据"),
        body: tx(
            "MNIST: 60,000 handwritten training digits (and 10,000 test digits) of 28×28 grey pixels (0 = black, 255 = white ink), each with its label. The first twelfth of the training images a run uses (5,000 of all 60,000) is set aside as its validation set and never trained on. Before the network sees an image, every pixel is scaled to 0–1 and normalised as transforms.Normalize((0.1307,), (0.3081,)) does: x = (pixel/255 − 0.1307)/0.3081, so the background becomes about −0.42 and the brightest ink (pixel 255) about 2.82.",
            "MNIST：60000 张手写数字训练图像（另有 10000 张测试图像），每张由 28×28 个灰度像素组成（0 为黑，255 为白色笔迹），并带有标签。一次运行所用训练图像的前十二分之一（全部 60000 张中的 5000 张）被留作验证集，从不参与训练。网络看到图像之前，每个像素先缩放到 0–1，再像 transforms.Normalize((0.1307,), (0.3081,)) 那样归一化：x = (像素/255 − 0.1307)/0.3081，于是背景约为 −0.42，最亮的笔迹（像素值 255）约为 2.82。",
        ),
        notes: tx(
            "Ask why the pixels are normalised: inputs centred near 0 with unit spread keep the first layer's sums in a range where the initial weights work. Flip through a few digits; some are hard even for people.",
            "问学生为什么要归一化：均值接近 0、方差为 1 的输入能让第一层的加权和落在初始权重适用的范围内。多翻几个数字；有些连人都难认。",
        ),
    },
    Step {
        title: tx("The model", "模型"),
        body: tx(
            "A multilayer perceptron: each image becomes a row vector of 784 numbers; fc1 maps it to 512 hidden units, ReLU keeps the positive ones, fc2 maps them to 10 logits, one per digit. Its parameters, counted as PyTorch counts them (every weight and bias):",
            "一个多层感知机：每张图像变成 784 个数的行向量；fc1 把它映射到 512 个隐藏单元，ReLU 保留其中为正的值，fc2 再把它们映射到 10 个 logit，每个数字一个。它的参数，按 PyTorch 的方式计数（每个权重和偏置）：",
        ),
        notes: tx(
            "Most parameters sit in fc1 (784 × 512). Ask how many a 784 → 10 network without a hidden layer would have (7,850), and what it could not learn.",
            "大部分参数在 fc1（784 × 512）。问学生：没有隐藏层的 784 → 10 网络有多少参数（7,850），它学不会什么。",
        ),
    },
    Step {
        title: tx("The loop in code", "代码中的循环"),
        body: tx(
            "The article's §5.1 program (with the import torchvision it omits). Beside each line of the training loop: the kernels the WebGPU engine launches for it in one step of this run's settings (a form change shows here after Reset), from its launch plan (the CPU engine computes the same products in plain loops; the engine running this page is named above the code).",
            "原文 §5.1 的程序（补上了它漏掉的 import torchvision）。训练循环的每一行旁边：按本次运行的设置（表单中的改动在重置后才显示在这里），WebGPU 引擎在一步中为它启动的内核，来自它的启动计划（CPU 引擎用普通循环计算同样的乘积；运行本页的引擎写在代码上方）。",
        ),
        notes: tx(
            "Press Next line six times: the batch, then the loop's five calls (zero the gradients, forward, loss, backward, step). Read the cost line under the code: for the seed 784 → 512 → 10 at batch 64, forward is 2 launches and backward 6 (both layers' weight and bias gradients, fc2's input gradient and the ReLU's mask) in 2 dispatches of its own plus a share of the fused head's. Backward's arithmetic is only about 1.0× forward's here, not the usual rule of thumb's 2×, because the gradient with respect to the pixels is never computed (nothing below fc1 trains).",
            "按六次“下一行”：先取批次，再是循环的五个调用（梯度清零、前向、损失、反向、更新）。读代码下方的开销一行：对种子网络 784 → 512 → 10、批大小 64，前向启动 2 个内核，反向启动 6 个（两层的权重梯度和偏置梯度、fc2 的输入梯度和 ReLU 的掩码），占用 2 次自己的调度，另与融合的输出层共用一次。这里反向的计算量只是前向的约 1.0 倍，而不是常用经验法则的 2 倍，因为从不计算对像素的梯度（fc1 之下没有要训练的东西）。",
        ),
    },
    Step {
        title: tx("Train", "训练"),
        body: tx(
            "Start the loop (the Start button, or the space key) and watch: the loss per step (thin: each batch; thick: smoothed), the validation accuracy after each evaluation — measured on training images set aside, which a run started on this page never trains on, so it may guide your changes — the first layer's weights taking shape, the confusion matrix, and a digit you draw. Change the learning rate or momentum while it runs. The test set is measured once, when the run ends.",
            "开始循环（按“开始”按钮或空格键）并观察：每一步的损失（细线：每个批次；粗线：平滑后）、每次评估后的验证准确率——在留出的训练图像上测得，本页开始的运行从不用它们训练，所以可以用它来指导你的调整——逐渐成形的第一层权重、混淆矩阵，以及你画的数字。训练时可以修改学习率或动量。测试集只在运行结束时测一次。",
        ),
        notes: tx(
            "Press Start (or the space key) and let it run for a minute. Ask a student to draw a digit badly on purpose. Then try a learning rate of 5 (the divergence demo) and watch the page roll back. Point at the validation accuracy: it is what a choice may be based on; the test accuracy appears once, at the end.",
            "按“开始”（或空格键），让它跑一分钟。请一位学生故意把数字画得很糟。然后试试学习率 5（发散演示），看页面如何回滚。指出验证准确率：调整只能依据它；测试准确率只在最后出现一次。",
        ),
    },
    Step {
        title: tx("Overfitting and when to stop", "过拟合与何时停止"),
        body: tx(
            "The article trains for a preset number of epochs or “until the loss converges”. But which loss? Here the network learns from a few hundred to a few thousand images (you choose). Other training images, set aside and never trained on, form a validation set: after each epoch both are measured. Watch whether the validation loss stops falling while the training loss keeps falling — from then on training improves the fit to its own images but no longer to new ones. Early stopping waits a few evaluations (the patience) for a new lowest validation loss, then stops and restores the weights of the best epoch. Only then is the test set used, once: a test set consulted while choosing when to stop would no longer be unseen.",
            "原文说训练到“预设的训练轮数或损失函数收敛”为止。但看哪个损失？这里网络从几百到几千张图像中学习（由你选择）。另一些训练图像被留出、从不参与训练，组成验证集：每轮之后两者都会被测量。观察验证损失是否在训练损失继续下降时不再下降——从那以后模型对自己的图像拟合得越来越好，对新图像却没有变好。早停会等待几次评估（耐心），看验证损失能否创新低，然后停止并恢复最佳一轮的权重。只有到这时才使用测试集，而且只用一次：如果在决定何时停止时参考了测试集，它就不再是“没见过”的数据了。",
        ),
        notes: tx(
            "Run it with 500 images and ask the class to predict where the two loss curves part. Then run it with 5,000 and compare: the page compares the two runs' gaps and stopping points by their numbers (an epoch of 5,000 images is ten times as many steps, so compare in steps, not only epochs). Stress that the test accuracy appears only once.",
            "用 500 张图像运行，请学生预测两条损失曲线在哪里分开。再用 5000 张运行并比较：页面按数字比较两次运行的差距和停止位置（5000 张图像的一轮是十倍的步数，所以要按步数比较，而不只按轮次）。强调测试准确率只出现一次。",
        ),
    },
    Step {
        title: tx("Why a GPU?", "为什么要用 GPU？"),
        body: tx(
            "The article asks why training needs GPUs (or TPUs) and lots of data. Count and measure it here, for this lesson's model on this machine: how much of one training step's arithmetic (its FLOPs, floating-point operations) is matrix products, how many FLOP per second each engine achieves, and what that means for the time of an epoch. Why lots of data: more training images usually narrow the gap between training and validation accuracy — step 5 lets you measure it with two runs — and processing them is what makes the GPU pay.",
            "原文问：为什么训练需要 GPU（或 TPU）和大量数据？在这里针对本课的模型、在这台机器上数一数、测一测：一个训练步的计算量（FLOP，浮点运算次数）中有多少是矩阵乘法，每个引擎每秒实际完成多少 FLOP，以及这对一轮的时间意味着什么。为什么需要大量数据：训练图像越多，训练与验证准确率的差距通常越小——第 5 步可以用两次运行来测量这一点——而处理这些数据正是 GPU 值得使用的地方。",
        ),
        notes: tx(
            "Press Measure on the machine you present from: every figure is that machine's (the CPU engine on its processor, WebGPU on its GPU, each timed for about a second). Ask: with ten times the data, what happens to an epoch's time? (Ten times the steps, so about ten times the time on either engine.)",
            "在你用来演示的机器上按“测量”：每个数字都来自这台机器（CPU 引擎在处理器上、WebGPU 在 GPU 上，各计时约一秒）。问学生：数据多十倍，一轮的时间会怎样？（步数多十倍，所以在哪个引擎上都大约多十倍时间。）",
        ),
    },
    Step {
        title: tx("Check yourself", "随堂自测"),
        body: tx(
            "Answer first. Question 1 is graded against ln 10 (beside it, the first loss of this page's run, once there is one); question 2 by what this page's run at a learning rate of 1 does.",
            "先作答。第 1 题按 ln 10 评分（旁边显示本页运行的第一个损失，如果已有）；第 2 题按本页以学习率 1 运行的实际结果评分。",
        ),
        notes: tx(
            "Students answer first; the answers are kept while they go and do the run. The first question is graded against ln 10, with a fresh run's first loss beside it as support; the second by the latest run that started at a learning rate of 1 from a fresh initialisation (Reset, set the rate to 1, then Start on the Train step): blew up (the loss passed 20·ln 10 or became non-finite), stalled (mean loss of the last 10 steps ≥ 2.0 or validation accuracy < 50 %) or trained (that mean loss < 0.5 and validation accuracy, once measured, ≥ 90 %) — a run that has not blown up is judged only once it has been evaluated at step 300 or later, or has ended; when the run ends it is trained at ≥ 90 % validation accuracy, otherwise stalled, as the panel says.",
            "学生先作答；他们去完成运行时答案会保留。第一题按 ln 10 评分，旁边显示一次新运行的第一个损失作为佐证；第二题按最近一次从新初始化开始、学习率为 1 的运行评分（在“训练”步骤中重置，把学习率设为 1，再按“开始”）：发散（损失爆炸：损失超过 20·ln 10 或变成非有限值）、停滞（最近 10 步平均损失 ≥ 2.0 或验证准确率 < 50%）或训练得好（该平均损失 < 0.5，且验证准确率测得之后 ≥ 90%）——没有发散的运行，要到它在第 300 步或之后完成一次评估、或运行结束时才评判；运行结束时，验证准确率 ≥ 90% 即为训练得好，否则为停滞，与面板上所写一致。",
        ),
    },
];

/// Step 1: a training digit before and after normalisation, from the worker's data.
pub fn data_panel(client: Client, state: State, lang: RwSignal<Lang>) -> impl IntoView {
    let loaded = move || state.origin.get() == super::state::RunOrigin::Loaded;
    let index = RwSignal::new(0usize);
    let image = RwSignal::new(None::<TrainImage>);
    Effect::new(move |_| {
        let i = index.get();
        let client = client.clone();
        wasm_bindgen_futures::spawn_local(async move {
            // The data may still be loading: ask again until the worker has images.
            for _ in 0..60 {
                match client.query(Query::TrainImage { index: i }).await {
                    Some(Reply::Image(img)) => {
                        let _ = image.try_set(Some(img));
                        return;
                    }
                    _ => crate::runtime::sleep(0.5).await,
                }
            }
        });
    });
    let label = tx("label", "标签");
    let next = tx("Another digit", "换一个数字");
    let raw = tx("as stored (0–255)", "原始（0–255）");
    let normalised = tx("normalised x", "归一化后的 x");
    view! {
        <div class="panel wide" data-testid="train-data">
            {move || image.get().map(|img| {
                let n = img.side * img.side;
                let xs: Vec<f32> = img.pixels.iter().map(|&p| (f32::from(p) / 255.0 - img.mean) / img.std).collect();
                let (lo, hi) = xs.iter().fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
                // The brightest pixel, to work one value through the formula.
                let (k, &p) = img.pixels.iter().enumerate().max_by_key(|&(_, &p)| p).unwrap_or((0, &0));
                let pixels = img.pixels.to_vec();
                let side = img.side;
                view! {
                    <div class="two">
                        <figure>
                            <DigitImage pixels=pixels side=side aria=format!("{} {}", label.get(lang.get_untracked()), img.label) />
                            <figcaption>{move || raw.get(lang.get())} " · " {move || label.get(lang.get())} " " <strong data-testid="train-data-label">{img.label}</strong>
                                " · #" {img.index} " "
                                <span data-testid="train-data-which" data-validation=img.in_validation.to_string()>
                                    {let img = img.clone(); move || which_image(&img, loaded(), lang.get())}</span></figcaption>
                        </figure>
                        <div>
                            <p>{move || normalised.get(lang.get())} ": " <span data-testid="train-data-range" data-lo=lo.to_string() data-hi=hi.to_string()>
                                {format!("{lo:.4} … {hi:.4}")}</span></p>
                            <p class="formula-line" data-testid="train-data-example" data-pixel=p.to_string() data-x=xs[k].to_string()>
                                {format!("({p}/255 − {}) / {} = {:.4}", img.mean, img.std, xs[k])}</p>
                            <p class="hint">{format!("{n} ")}{move || tx("inputs per image", "个输入/每张图像").get(lang.get())}</p>
                        </div>
                    </div>
                }
            })}
            <button class="secondary" data-testid="train-data-next" on:click=move |_| index.update(|i| *i += 1)>{move || next.get(lang.get())}</button>
        </div>
    }
}

/// Which image this is: of how many loaded so far, of how many the run uses, and whether it is one of
/// the validation images (never trained on by a run started here; `loaded`: the run started from a
/// loaded model, which may have trained on them elsewhere).
fn which_image(img: &TrainImage, loaded: bool, lang: Lang) -> String {
    let loaded_so_far = if img.count < img.total {
        match lang {
            Lang::En => format!(" ({} loaded so far)", img.count),
            Lang::Zh => format!("（已加载 {} 张）", img.count),
        }
    } else {
        String::new()
    };
    match (lang, img.in_validation) {
        (Lang::En, true) if loaded => format!(
            "of the run's {} training images{loaded_so_far} · one of the first {}, the validation set: not trained on in this run (the loaded model may have been)",
            img.total, img.validation
        ),
        (Lang::Zh, true) if loaded => format!(
            "/ 本次运行共 {} 张训练图像{loaded_so_far} · 属于前 {} 张，即验证集：本次运行没有用它训练（载入的模型可能用它训练过）",
            img.total, img.validation
        ),
        (Lang::En, true) => format!(
            "of the run's {} training images{loaded_so_far} · one of the first {}, the validation set: never trained on",
            img.total, img.validation
        ),
        (Lang::Zh, true) => format!(
            "/ 本次运行共 {} 张训练图像{loaded_so_far} · 属于前 {} 张，即验证集：从不参与训练",
            img.total, img.validation
        ),
        (Lang::En, false) => format!(
            "of the run's {} training images{loaded_so_far} · trained on (the first {} are the validation set)",
            img.total, img.validation
        ),
        (Lang::Zh, false) => format!(
            "/ 本次运行共 {} 张训练图像{loaded_so_far} · 参与训练（前 {} 张是验证集）",
            img.total, img.validation
        ),
    }
}

/// Parameters of a layer `inputs → outputs` as PyTorch counts them: weights and biases.
pub fn layer_parameters(inputs: usize, outputs: usize) -> (usize, usize) {
    (inputs * outputs, outputs)
}

/// Step 2: the model's layers and parameter count, from the run's settings.
pub fn model_panel(config: RwSignal<Setup>, lang: RwSignal<Lang>) -> impl IntoView {
    let widths = move || {
        let c = config.get();
        let mut w = vec![784];
        w.extend(c.hidden.iter().copied());
        w.push(10);
        w
    };
    let total = move || {
        widths()
            .windows(2)
            .map(|p| {
                let (w, b) = layer_parameters(p[0], p[1]);
                w + b
            })
            .sum::<usize>()
    };
    let weights = tx("weights", "权重");
    let biases = tx("biases", "偏置");
    view! {
        <div class="panel wide" data-testid="train-model">
            <p class="big" data-testid="train-model-widths">{move || widths().iter().map(usize::to_string).collect::<Vec<_>>().join(" → ")}</p>
            <table class="numbers">
                <tbody>
                    {move || widths().windows(2).enumerate().map(|(l, p)| {
                        let (w, b) = layer_parameters(p[0], p[1]);
                        view! {
                            <tr><th scope="row">{format!("fc{}", l + 1)}</th>
                                <td>{format!("{} × {} = {w}", p[0], p[1])} " " {move || weights.get(lang.get())}</td>
                                <td>{b} " " {move || biases.get(lang.get())}</td></tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <pre><code>{"sum(p.numel() for p in net.parameters())  # "}<strong data-testid="train-model-parameters" data-value=move || total().to_string()>{total}</strong></code></pre>
        </div>
    }
}

/// The article's §5.1 program, line by line: (code, the loop phase it is, if any).
const CODE: &[(&str, Option<Phase>)] = &[
    ("import torch", None),
    ("import torch.nn as nn", None),
    ("import torch.optim as optim", None),
    ("import torchvision  # missing from the article", None),
    ("", None),
    ("class Net(nn.Module):", None),
    ("    def __init__(self):", None),
    ("        super(Net, self).__init__()", None),
    ("        self.fc1 = nn.Linear(784, 512)", None),
    ("        self.fc2 = nn.Linear(512, 10)", None),
    ("", None),
    ("    def forward(self, x):", None),
    ("        x = x.view(-1, 784)", None),
    ("        x = nn.functional.relu(self.fc1(x))", None),
    ("        x = self.fc2(x)", None),
    ("        return x", None),
    ("", None),
    ("train_loader = torch.utils.data.DataLoader(", None),
    (
        "    torchvision.datasets.MNIST('/tmp/data', train=True, download=True,",
        None,
    ),
    ("        transform=torchvision.transforms.Compose([", None),
    ("            torchvision.transforms.ToTensor(),", None),
    (
        "            torchvision.transforms.Normalize((0.1307,), (0.3081,))])),",
        None,
    ),
    ("    batch_size=64, shuffle=True)", None),
    ("", None),
    ("net = Net()", None),
    (
        "optimizer = optim.SGD(net.parameters(), lr=0.01, momentum=0.5)",
        None,
    ),
    ("", None),
    ("for epoch in range(10):", None),
    (
        "    for batch_idx, (data, target) in enumerate(train_loader):",
        Some(Phase::Data),
    ),
    ("        optimizer.zero_grad()", Some(Phase::ZeroGrad)),
    ("        output = net(data)", Some(Phase::Forward)),
    (
        "        loss = nn.functional.cross_entropy(output, target)",
        Some(Phase::Loss),
    ),
    ("        loss.backward()", Some(Phase::Backward)),
    ("        optimizer.step()", Some(Phase::Step)),
];

impl Phase {
    /// The line's name in the code (and in its `data-testid`).
    pub fn key(self) -> &'static str {
        match self {
            Phase::Data => "data",
            Phase::ZeroGrad => "zero_grad",
            Phase::Forward => "forward",
            Phase::Loss => "loss",
            Phase::Backward => "backward",
            Phase::Step => "step",
        }
    }

    /// The phase a kernel launch belongs to.
    pub fn of(task: Task) -> Phase {
        match task {
            Task::Gather => Phase::Data,
            Task::Forward { .. } => Phase::Forward,
            Task::Loss => Phase::Loss,
            Task::WeightGradient { .. }
            | Task::BiasGradient { .. }
            | Task::InputGradient { .. }
            | Task::ReluBackward { .. }
            // DP-SGD's clipping and noise run inside `loss.backward()`'s part of the step.
            | Task::ExampleNorms { .. }
            | Task::Clip { .. }
            | Task::Noise { .. } => Phase::Backward,
            Task::Update { .. } => Phase::Step,
        }
    }
}

/// What `zero_grad` costs here: nothing is launched, because each step's gradient kernels overwrite.
const ZERO_GRAD: Text = tx(
    "no kernel: each step's gradient kernels overwrite the gradients instead of adding to them",
    "没有内核：每一步的梯度内核直接覆盖梯度，而不是累加",
);

/// What walking the loop runs, said once under the code.
const WALK_HINT: Text = tx(
    "Next line runs one line of the loop on this run's engine and lights it when the worker reports it ran; six presses make one training step of the run (Train's step count goes up by one). On the CPU engine each line's time is measured; on WebGPU a line is only sent to the GPU (which runs it later), so no time is shown. On WebGPU a walked step runs the output layer's product and the loss as two dispatches, which a normal step fuses into head.wgsl.",
    "“下一行”在本次运行的引擎上执行循环中的一行，并在工作线程报告完成后点亮它；按六次完成本次运行的一个训练步（“训练”步骤的步数加一）。在 CPU 引擎上会测量每一行的用时；在 WebGPU 上，一行只是被提交给 GPU（GPU 稍后才执行），所以不显示用时。在 WebGPU 上，逐行执行时输出层的乘法和损失分两次调度完成，而正常的一步会把它们合并到 head.wgsl 中。",
);

/// Above the code: the engine that runs the walked lines.
fn engine_line(kind: Option<EngineKind>, lang: Lang) -> String {
    match (kind, lang) {
        (None, Lang::En) => "Starting the engine…".into(),
        (None, Lang::Zh) => "正在启动计算引擎…".into(),
        (Some(EngineKind::Gpu), Lang::En) => {
            "This run trains on the WebGPU engine: the kernels listed are the ones it launches.".into()
        }
        (Some(EngineKind::Gpu), Lang::Zh) => {
            "本次运行在 WebGPU 引擎上训练：列出的内核就是它启动的内核。".into()
        }
        (Some(EngineKind::Burn), Lang::En) => {
            "This run trains on burn's engine (its own kernels on the GPU); the kernel names are what this app's WebGPU engine would launch.".into()
        }
        (Some(EngineKind::Burn), Lang::Zh) => {
            "本次运行在 burn 引擎上训练（它在 GPU 上使用自己的内核）；内核名称是本应用的 WebGPU 引擎会启动的内核。".into()
        }
        (Some(EngineKind::Cpu), Lang::En) => {
            "This run trains on the CPU engine: it computes each listed product in plain loops on the processor; the kernel names are what the WebGPU engine would launch.".into()
        }
        (Some(EngineKind::Cpu), Lang::Zh) => {
            "本次运行在 CPU 引擎上训练：它在处理器上用普通循环计算列出的每个乘积；内核名称是 WebGPU 引擎会启动的内核。".into()
        }
    }
}

/// Under the code: forward against backward in launches, dispatches and arithmetic, for the current
/// settings, from the launch plan.
fn cost_line(launches: &[KernelLaunch], lang: Lang) -> String {
    let of = |p: Phase| launches.iter().filter(move |l| Phase::of(l.task) == p);
    let count = |p: Phase| of(p).count();
    let flops = |p: Phase| of(p).map(|l| l.flops).sum::<u64>();
    let dispatches = |p: Phase| {
        let mut d: Vec<usize> = of(p).map(|l| l.dispatch).collect();
        d.sort_unstable();
        d.dedup();
        d.len()
    };
    let (f, b) = (flops(Phase::Forward), flops(Phase::Backward));
    let ratio = b as f64 / f.max(1) as f64;
    let mflop = |x: u64| format!("{:.1}", x as f64 / 1e6);
    match lang {
        Lang::En => format!(
            "One step: forward {} launches in {} dispatches, {} MFLOP; backward {} launches in {} dispatches, {} MFLOP — {ratio:.2}× forward (the usual rule of thumb is 2×; here no gradient with respect to the pixels is computed).",
            count(Phase::Forward),
            dispatches(Phase::Forward),
            mflop(f),
            count(Phase::Backward),
            dispatches(Phase::Backward),
            mflop(b)
        ),
        Lang::Zh => format!(
            "一步：前向 {} 个内核、{} 次调度、{} MFLOP；反向 {} 个内核、{} 次调度、{} MFLOP——是前向的 {ratio:.2} 倍（常用经验法则是 2 倍；这里不计算对像素的梯度）。",
            count(Phase::Forward),
            dispatches(Phase::Forward),
            mflop(f),
            count(Phase::Backward),
            dispatches(Phase::Backward),
            mflop(b)
        ),
    }
}

/// The walked line, in words: which step, what ran, how long the worker spent (measured on the CPU
/// engine only: on WebGPU the call returns once the work is queued).
fn walked_line(walked: &Walked, loss: Option<f32>, gpu: bool, lang: Lang) -> String {
    let Walked {
        phase,
        step,
        labels,
        ms,
    } = walked;
    let shown: Vec<String> = labels.iter().take(16).map(u8::to_string).collect();
    let more = if labels.len() > 16 { " …" } else { "" };
    let batch = match lang {
        Lang::En => format!(
            " · a batch of {}: labels {}{more}",
            labels.len(),
            shown.join(" ")
        ),
        Lang::Zh => format!(
            " · 一个批次 {} 张：标签 {}{more}",
            labels.len(),
            shown.join(" ")
        ),
    };
    let batch = if labels.is_empty() {
        String::new()
    } else {
        batch
    };
    let loss = match (phase, loss, lang) {
        (Phase::Step, Some(l), Lang::En) => format!(" · this step's loss {l:.4}"),
        (Phase::Step, Some(l), Lang::Zh) => format!(" · 这一步的损失 {l:.4}"),
        _ => String::new(),
    };
    let code = CODE
        .iter()
        .find(|(_, p)| *p == Some(*phase))
        .map_or("", |(line, _)| line.trim());
    let no_work = *phase == Phase::ZeroGrad;
    match (lang, gpu || no_work) {
        (Lang::En, false) => format!("Step {step}: {code} ran in {ms:.2} ms{batch}{loss}"),
        (Lang::Zh, false) => format!("第 {step} 步：{code} 已执行，用时 {ms:.2} 毫秒{batch}{loss}"),
        (Lang::En, true) if no_work => {
            format!("Step {step}: {code} ran (nothing to launch){batch}{loss}")
        }
        (Lang::Zh, true) if no_work => {
            format!("第 {step} 步：{code} 已执行（无需启动内核）{batch}{loss}")
        }
        (Lang::En, true) => {
            format!("Step {step}: {code} sent to the GPU (not timed per line){batch}{loss}")
        }
        (Lang::Zh, true) => format!("第 {step} 步：{code} 已提交给 GPU（不逐行计时）{batch}{loss}"),
    }
}

/// Step 3: the article's code, each loop line beside the launches the engine plans for it (`config`:
/// the running configuration), lit line by line as the worker runs a step part by part.
pub fn code_panel(
    client: Client,
    state: State,
    config: RwSignal<Setup>,
    lang: RwSignal<Lang>,
) -> impl IntoView {
    let launches = move || {
        let c = config.get();
        let mut widths = vec![784];
        widths.extend(c.hidden.iter().copied());
        widths.push(10);
        let layers = widths.len() - 1;
        StepShape {
            rows: c.batch,
            optimizer: c.optimizer_config().kind,
            widths,
            frozen: vec![(false, false); layers],
        }
        .launches()
    };
    let active = move |p: Phase| {
        state
            .walked
            .with(|w| w.as_ref().is_some_and(|w| w.phase == p))
    };
    // The loss of the walked step, once the worker's report of it has arrived.
    let walked_loss = move || {
        let step = state.walked.with(|w| w.as_ref().map(|w| w.step))?;
        (state.step.get() == step)
            .then(|| state.losses.with(|l| l.last()))
            .flatten()
    };
    let walk = move |_| client.send(&Command::WalkPhase);
    let gpu = move || {
        state
            .status
            .engine
            .with(|e| e.as_ref().is_some_and(|e| e.kind != EngineKind::Cpu))
    };
    // The lit line comes into view with each press; the button sits right under the loop's lines.
    Effect::new(move |_| {
        let Some(phase) = state.walked.with(|w| w.as_ref().map(|w| w.phase)) else {
            return;
        };
        scroll_to_line(phase);
    });
    view! {
        <div class="panel wide scroll-x" data-testid="train-code">
            <p class="hint" data-testid="train-code-engine">{move || engine_line(state.status.engine.with(|e| e.as_ref().map(|e| e.kind)), lang.get())}</p>
            <table class="code">
                <tbody>
                    {move || {
                        let all = launches();
                        CODE.iter().map(|&(line, phase)| {
                            let what = phase.map(|ph| {
                                let names: Vec<String> = all.iter().filter(|l| Phase::of(l.task) == ph)
                                    .map(|l| {
                                        let (en, zh) = l.task.names();
                                        format!("{} ({})", l.kernel, if lang.get() == Lang::Zh { zh } else { en })
                                    })
                                    .collect();
                                if ph == Phase::ZeroGrad { ZERO_GRAD.get(lang.get()).to_string() } else { names.join(" · ") }
                            });
                            let lit = move || phase.is_some_and(active);
                            view! {
                                <tr data-testid=phase.map(|p| format!("train-code-line-{}", p.key()))
                                    data-active=move || phase.map(|_| lit().to_string()) class:active=lit>
                                    <td><code>{line}</code></td>
                                    <td class="hint">{what}</td>
                                </tr>
                            }
                        }).collect_view()
                    }}
                </tbody>
            </table>
            <div class="buttons">
                <button data-testid="train-code-walk" disabled=move || state.finished.get() on:click=walk>
                    {move || tx("Next line", "下一行").get(lang.get())}</button>
                <span data-testid="train-code-status" role="status" aria-live="polite">
                    {move || state.walked.with(|w| w.as_ref().map(|w| walked_line(w, walked_loss(), gpu(), lang.get())))}</span>
            </div>
            <p data-testid="train-code-cost">{move || cost_line(&launches(), lang.get())}</p>
            <p class="hint">{move || WALK_HINT.get(lang.get())}</p>
        </div>
    }
}

/// Scrolls the page so that the loop's line `phase` is in view, if it is not.
fn scroll_to_line(phase: Phase) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let selector = format!("[data-testid=train-code-line-{}]", phase.key());
    let Some(row) = window
        .document()
        .and_then(|d| d.query_selector(&selector).ok().flatten())
    else {
        return;
    };
    let r = row.get_bounding_client_rect();
    let height = window
        .inner_height()
        .ok()
        .and_then(|h| h.as_f64())
        .unwrap_or(800.0);
    if r.top() < 80.0 || r.bottom() > height - 20.0 {
        window.scroll_by_with_x_and_y(0.0, r.top() - height * 0.5);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_network_has_407050_parameters_and_every_loop_phase_has_a_line() {
        let total: usize = [(784, 512), (512, 10)]
            .iter()
            .map(|&(i, o)| {
                let (w, b) = layer_parameters(i, o);
                w + b
            })
            .sum();
        assert_eq!(total, 407_050);
        for phase in [
            Phase::Data,
            Phase::ZeroGrad,
            Phase::Forward,
            Phase::Loss,
            Phase::Backward,
            Phase::Step,
        ] {
            assert_eq!(
                CODE.iter().filter(|(_, p)| *p == Some(phase)).count(),
                1,
                "{phase:?}"
            );
        }
        // Every kernel of a seed step belongs to a line of the loop.
        let shape = StepShape {
            rows: 64,
            optimizer: kernels::OptimizerKind::Sgd,
            widths: vec![784, 512, 10],
            frozen: vec![(false, false); 2],
        };
        let phases: Vec<Phase> = shape.launches().iter().map(|l| Phase::of(l.task)).collect();
        for p in [
            Phase::Data,
            Phase::Forward,
            Phase::Loss,
            Phase::Backward,
            Phase::Step,
        ] {
            assert!(phases.contains(&p), "{p:?}");
        }
        // The numbers the speaker notes give (U7): forward 2 launches in 2 dispatches, backward 6 in
        // 3 (two of its own, one shared with the fused head), backward ≈ 1.0× forward's arithmetic.
        let launches = shape.launches();
        let line = cost_line(&launches, Lang::En);
        assert!(
            line.contains("forward 2 launches in 2 dispatches, 52.0 MFLOP"),
            "{line}"
        );
        assert!(
            line.contains("backward 6 launches in 3 dispatches, 52.8 MFLOP — 1.01× forward"),
            "{line}"
        );
        let own: Vec<usize> = launches
            .iter()
            .filter(|l| Phase::of(l.task) == Phase::Backward)
            .map(|l| l.dispatch)
            .filter(|d| {
                !launches
                    .iter()
                    .any(|k| k.dispatch == *d && Phase::of(k.task) != Phase::Backward)
            })
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        assert_eq!(own.len(), 2, "backward's own dispatches");
        assert!(cost_line(&launches, Lang::Zh).contains("反向 6 个内核"));
    }
}
