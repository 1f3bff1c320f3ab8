//! "Train a network" as a stepped lesson: the data, the model, the loop in the article's code, the
//! dashboard (step [`DASHBOARD`], `page.rs`), overfitting and early stopping (step [`OVERFIT`],
//! `overfit.rs`), and questions graded by the run. The steps' text is in
//! [`STEPS`]; every number on these panels comes from the worker's data, the run's settings or the run.

use kernels::engine::{StepShape, Task};
use leptos::prelude::*;

use super::config::LessonConfig;
pub use super::protocol::Phase;
use super::protocol::{TrQuery, TrReply, TrToWorker, TrainImage};
use super::state::{State, TrClient, Walked};
use crate::lessons::lesson::Step;
use crate::ui::heatmap::DigitImage;
use crate::ui::i18n::{Lang, Text, tx};

/// The step that shows the dashboard (controls, charts, weights, confusion matrix, drawing pad).
pub const DASHBOARD: usize = 4;
/// The step on overfitting and early stopping.
pub const OVERFIT: usize = 5;

/// The steps.
pub const STEPS: [Step; 6] = [
    Step {
        title: tx("The data", "数据"),
        body: tx(
            "MNIST: 60,000 handwritten digits of 28×28 grey pixels (0 = black, 255 = white ink), each with its label. Before the network sees an image, every pixel is scaled to 0–1 and normalised as transforms.Normalize((0.1307,), (0.3081,)) does: x = (pixel/255 − 0.1307)/0.3081, so the background becomes about −0.42 and full ink about 2.82.",
            "MNIST：60,000 个手写数字，每个是 28×28 的灰度像素（0 为黑，255 为白色笔迹），并带有标签。网络看到图像之前，每个像素先缩放到 0–1，再像 transforms.Normalize((0.1307,), (0.3081,)) 那样归一化：x = (pixel/255 − 0.1307)/0.3081，于是背景约为 −0.42，满笔迹约为 2.82。",
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
            "The article's §5.1 program (with the import torchvision it omits). Beside each line of the training loop: what this app's engine launches for it in one step of the current settings, from the engine's own launch plan.",
            "原文 §5.1 的程序（补上了它漏掉的 import torchvision）。训练循环的每一行旁边：按当前设置，本应用的引擎在一步中为它启动了什么，来自引擎自己的启动计划。",
        ),
        notes: tx(
            "Walk the five lines of the loop: zero the gradients, forward, loss, backward, step. Point out that backward launches as many kernels as forward and more work.",
            "逐行讲解循环的五行：梯度清零、前向、损失、反向、更新。指出反向传播启动的内核和前向一样多，计算量更大。",
        ),
    },
    Step {
        title: tx("Train", "训练"),
        body: tx(
            "Start the loop and watch: the loss per step (thin: each batch; thick: smoothed), the test accuracy after each evaluation, the first layer's weights taking shape, the confusion matrix, and a digit you draw. Change the learning rate or momentum while it runs.",
            "开始循环并观察：每一步的损失（细线：每个批次；粗线：平滑后）、每次评估后的测试准确率、逐渐成形的第一层权重、混淆矩阵，以及你画的数字。训练时可以修改学习率或动量。",
        ),
        notes: tx(
            "Let it run for a minute. Ask a student to draw a digit badly on purpose. Then try a learning rate of 5 (the divergence demo) and watch the page roll back.",
            "让它跑一分钟。请一位学生故意把数字画得很糟。然后试试学习率 5（发散演示），看页面如何回滚。",
        ),
    },
    Step {
        title: tx("Overfitting and when to stop", "过拟合与何时停止"),
        body: tx(
            "The article trains “until the loss converges”. But which loss? Here the network learns from only a few hundred images. Other training images, set aside and never trained on, form a validation set: after each epoch both are measured. The training loss keeps falling; the validation loss stops falling — from then on the model memorises its images instead of learning digits. Early stopping waits a few evaluations (the patience) for a new lowest validation loss, then stops and restores the weights of the best epoch. Only then is the test set used, once: a test set consulted while choosing when to stop would no longer be unseen.",
            "原文说训练“直到损失收敛”。但看哪个损失？这里网络只从几百张图像中学习。另一些训练图像被留出、从不参与训练，组成验证集：每轮之后两者都会被测量。训练损失一直下降；验证损失却不再下降——从那以后模型是在死记它的图像，而不是在学习数字。早停会等待几次评估（耐心），看验证损失能否创新低，然后停止并恢复最佳一轮的权重。只有到这时才使用测试集，而且只用一次：如果在决定何时停止时参考了测试集，它就不再是“没见过”的数据了。",
        ),
        notes: tx(
            "Run it with 500 images and ask the class to predict where the two loss curves part. Then try 5,000 training images: the gap shrinks and stopping comes later. Stress that the test accuracy appears only once.",
            "用 500 张图像运行，请学生预测两条损失曲线在哪里分开。再试 5,000 张训练图像：差距变小，停止得更晚。强调测试准确率只出现一次。",
        ),
    },
    Step {
        title: tx("Check yourself", "随堂自测"),
        body: tx(
            "Answer first; the run grades you. The questions are graded by what this page's model did, not by a fixed answer key.",
            "先作答；由运行结果来评分。题目按本页模型实际的表现评分，而不是按固定的答案。",
        ),
        notes: tx(
            "The first question needs at least one step of a fresh run; the second needs a run at a learning rate of 1 (set it on the Train step).",
            "第一题至少需要一次新运行的一步；第二题需要一次学习率为 1 的运行（在“训练”步骤中设置）。",
        ),
    },
];

/// Step 1: a training digit before and after normalisation, from the worker's data.
pub fn data_panel(client: TrClient, lang: RwSignal<Lang>) -> impl IntoView {
    let index = RwSignal::new(0usize);
    let image = RwSignal::new(None::<TrainImage>);
    Effect::new(move |_| {
        let i = index.get();
        let client = client.clone();
        wasm_bindgen_futures::spawn_local(async move {
            // The data may still be loading: ask again until the worker has images.
            for _ in 0..60 {
                match client.query(TrQuery::TrainImage { index: i }).await {
                    Some(TrReply::Image(img)) => {
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
                                " · #" {img.index} " / " {img.count}</figcaption>
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

/// Parameters of a layer `inputs → outputs` as PyTorch counts them: weights and biases.
pub fn layer_parameters(inputs: usize, outputs: usize) -> (usize, usize) {
    (inputs * outputs, outputs)
}

/// Step 2: the model's layers and parameter count, from the run's settings.
pub fn model_panel(config: RwSignal<LessonConfig>, lang: RwSignal<Lang>) -> impl IntoView {
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
            | Task::ReluBackward { .. } => Phase::Backward,
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
    "Next line runs one line of the loop on this run's engine and lights it when the worker reports it ran; six presses make one training step of the run (Train's step count goes up by one). On WebGPU a walked step runs the output layer's product and the loss as two dispatches, which a normal step fuses into head.wgsl.",
    "“下一行”在本次运行的引擎上执行循环中的一行，并在工作线程报告完成后点亮它；按六次完成本次运行的一个训练步（“训练”步骤的步数加一）。在 WebGPU 上，逐行执行时输出层的乘法和损失分两次调度完成，而正常的一步会把它们合并到 head.wgsl 中。",
);

/// The walked line, in words: which step, what ran, how long the worker spent.
fn walked_line(walked: &Walked, loss: Option<f32>, lang: Lang) -> String {
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
    match lang {
        Lang::En => format!("Step {step}: {code} ran ({ms:.2} ms){batch}{loss}"),
        Lang::Zh => format!("第 {step} 步：{code} 已执行（{ms:.2} 毫秒）{batch}{loss}"),
    }
}

/// Step 3: the article's code, each loop line beside the launches the engine plans for it, lit line
/// by line as the worker runs a step part by part.
pub fn code_panel(
    client: TrClient,
    state: State,
    config: RwSignal<LessonConfig>,
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
    let walk = move |_| client.send(&TrToWorker::WalkPhase);
    view! {
        <div class="panel wide scroll-x" data-testid="train-code">
            <div class="buttons">
                <button data-testid="train-code-walk" disabled=move || state.finished.get() on:click=walk>
                    {move || tx("Next line", "下一行").get(lang.get())}</button>
                <span data-testid="train-code-status" role="status" aria-live="polite">
                    {move || state.walked.with(|w| w.as_ref().map(|w| walked_line(w, walked_loss(), lang.get())))}</span>
            </div>
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
            <p class="hint">{move || WALK_HINT.get(lang.get())}</p>
        </div>
    }
}

/// Step 6: questions graded by the run.
pub fn check_panel(
    state: State,
    config: RwSignal<LessonConfig>,
    lang: RwSignal<Lang>,
) -> impl IntoView {
    // Q1: the loss of an untrained 10-class model; graded by the run's first step.
    let q1 = RwSignal::new(None::<usize>);
    let options = [0.1f32, 1.0, 2.3, 10.0];
    let first_loss = move || state.losses.with(|l| l.first());
    let nearest = move || {
        first_loss().map(|f| {
            options
                .iter()
                .enumerate()
                .min_by(|a, b| (a.1 - f).abs().total_cmp(&(b.1 - f).abs()))
                .map_or(0, |(i, _)| i)
        })
    };
    // Q2: what a learning rate of 1 does; graded by a run at that rate.
    let q2 = RwSignal::new(None::<bool>);
    let at_one = move || (config.get().lr - 1.0).abs() < 1e-6 && state.step.get() > 20;
    let diverged = move || {
        state.diverged.get().is_some()
            || state
                .losses
                .with(|l| l.last().is_some_and(|v| kernels::training::diverged(v, 10)))
    };
    let ask1 = tx(
        "1. Before any training, what is the cross-entropy of a 10-class model that guesses at random?",
        "1. 训练开始之前，一个随机猜测的 10 类模型的交叉熵是多少？",
    );
    let ask2 = tx(
        "2. With a learning rate of 1, will this network train well or blow up?",
        "2. 学习率为 1 时，这个网络会训练得好，还是会崩溃？",
    );
    let wait1 = tx(
        "Start a fresh run (Reset, then Step) on the Train step to grade it.",
        "在“训练”步骤中开始一次新运行（重置后单步）即可评分。",
    );
    let wait2 = tx(
        "Set the learning rate to 1 on the Train step and run at least 20 steps to grade it.",
        "在“训练”步骤中把学习率设为 1 并至少运行 20 步即可评分。",
    );
    let well = tx("It trains well", "训练得好");
    let blows = tx("It blows up", "会崩溃");
    let right = tx("Right, by this run:", "对了，按本次运行：");
    let wrong = tx("Not this time, by this run:", "这次不对，按本次运行：");
    view! {
        <div class="panel wide" data-testid="train-check">
            <p>{move || ask1.get(lang.get())}</p>
            <div class="buttons">
                {options.iter().enumerate().map(|(i, v)| view! {
                    <button class="secondary" class:chosen=move || q1.get() == Some(i) data-testid=format!("train-q1-{i}")
                        disabled=move || q1.get().is_some() on:click=move |_| q1.set(Some(i))>{v.to_string()}</button>
                }).collect_view()}
            </div>
            {move || q1.get().map(|picked| match (nearest(), first_loss()) {
                (Some(n), Some(f)) => view! {
                    <p data-testid="train-q1-result" data-correct=(picked == n).to_string() class=if picked == n { "good" } else { "bad" }>
                        {if picked == n { right.get(lang.get()) } else { wrong.get(lang.get()) }}
                        {format!(" {f:.3} (ln 10 = 2.303)")}</p>
                }.into_any(),
                _ => view! { <p class="hint" data-testid="train-q1-wait">{move || wait1.get(lang.get())}</p> }.into_any(),
            })}
            <p>{move || ask2.get(lang.get())}</p>
            <div class="buttons">
                <button class="secondary" class:chosen=move || q2.get() == Some(false) data-testid="train-q2-well"
                    disabled=move || q2.get().is_some() on:click=move |_| q2.set(Some(false))>{move || well.get(lang.get())}</button>
                <button class="secondary" class:chosen=move || q2.get() == Some(true) data-testid="train-q2-blows"
                    disabled=move || q2.get().is_some() on:click=move |_| q2.set(Some(true))>{move || blows.get(lang.get())}</button>
            </div>
            {move || q2.get().map(|picked| if at_one() {
                let d = diverged();
                view! {
                    <p data-testid="train-q2-result" data-correct=(picked == d).to_string() data-diverged=d.to_string() class=if picked == d { "good" } else { "bad" }>
                        {if picked == d { right.get(lang.get()) } else { wrong.get(lang.get()) }} " "
                        {if d { blows.get(lang.get()) } else { well.get(lang.get()) }}</p>
                }.into_any()
            } else {
                view! { <p class="hint" data-testid="train-q2-wait">{move || wait2.get(lang.get())}</p> }.into_any()
            })}
        </div>
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
    }
}
