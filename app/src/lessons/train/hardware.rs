//! "Why a GPU?" (the article's hardware question): the share of a training step's arithmetic that is
//! matrix products, counted from the layer shapes (the engine's own launch plan), and each engine's
//! achieved FLOP/s and time per epoch, from about a second of steps timed on the student's machine.
//! Every figure is computed from what was counted and measured here.

use kernels::engine::{StepShape, Task};
use kernels::{EngineKind, Optimizer};
use leptos::prelude::*;

use super::protocol::Client;
use super::protocol::{HardwareReport, Query, Reply};
use super::state::{self, State};
use crate::ui::i18n::{Lang, tx};

/// FLOPs per parameter of one update by `optimizer` (its row of [`kernels::NAMED`], which counts them):
/// SGD 2, momentum 4, Adam 14.
pub fn update_flops_per_parameter(optimizer: Optimizer) -> u64 {
    optimizer.named().update_flops
}

/// A step's arithmetic from the launch plan, with the update costed for the run's `optimizer`:
/// (all FLOPs, those in matrix products).
pub fn step_flops(widths: &[usize], batch: usize, optimizer: Optimizer) -> (u64, u64) {
    let layers = widths.len().saturating_sub(1);
    let launches = StepShape {
        rows: batch,
        optimizer: kernels::OptimizerKind::Sgd,
        widths: widths.to_vec(),
        frozen: vec![(false, false); layers],
    }
    .launches();
    let per_parameter = update_flops_per_parameter(optimizer);
    let total = launches
        .iter()
        .map(|l| match l.task {
            Task::Update { layer, bias } => {
                let n = if bias {
                    widths[layer + 1]
                } else {
                    widths[layer] * widths[layer + 1]
                };
                per_parameter * n as u64
            }
            _ => l.flops,
        })
        .sum();
    let products = launches
        .iter()
        .filter(|l| {
            matches!(
                l.task,
                Task::Forward { .. } | Task::WeightGradient { .. } | Task::InputGradient { .. }
            )
        })
        .map(|l| l.flops)
        .sum();
    (total, products)
}

/// One engine's figures: (steps per second, achieved FLOP/s, seconds per epoch).
pub fn engine_figures(
    samples_per_second: f64,
    batch: usize,
    flops: u64,
    epoch_images: usize,
) -> (f64, f64, f64) {
    let steps = samples_per_second / batch.max(1) as f64;
    let epoch_steps = epoch_images.div_ceil(batch.max(1)) as f64;
    (steps, steps * flops as f64, epoch_steps / steps.max(1e-12))
}

fn seconds(s: f64, lang: Lang) -> String {
    match (lang, s >= 120.0) {
        (Lang::En, true) => format!("{:.1} min", s / 60.0),
        (Lang::En, false) => format!("{s:.1} s"),
        (Lang::Zh, true) => format!("{:.1} 分钟", s / 60.0),
        (Lang::Zh, false) => format!("{s:.1} 秒"),
    }
}

/// Ratios of WebGPU's to the CPU engine's FLOP/s inside which the two are called about as fast: each
/// engine is timed once for about a second, without a band from repeated timings, so a difference of
/// a few per cent is not taken as one engine being faster.
const SAME_LO: f64 = 0.8;
const SAME_HI: f64 = 1.25;

/// WebGPU against the CPU engine, by the ratio of their FLOP/s.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Speed {
    Faster,
    Same,
    Slower,
}

fn speed_class(ratio: f64) -> Speed {
    if ratio >= SAME_HI {
        Speed::Faster
    } else if ratio > SAME_LO {
        Speed::Same
    } else {
        Speed::Slower
    }
}

/// What the numbers say, in words chosen by them.
fn verdict(r: &HardwareReport, flops: u64, lang: Lang) -> String {
    let figures = |k: EngineKind| {
        r.engines
            .iter()
            .find(|e| e.kind == k)
            .map(|e| engine_figures(e.samples_per_second, r.batch, flops, r.epoch_images))
    };
    match (figures(EngineKind::Cpu), figures(EngineKind::Gpu)) {
        (Some((_, cf, ce)), Some((_, gf, ge))) => {
            let ratio = gf / cf.max(1e-12);
            match (lang, speed_class(ratio)) {
                (Lang::En, Speed::Same) => format!(
                    "On this machine WebGPU and the CPU engine ran at about the same speed on this model (ratio {ratio:.2}, within {SAME_LO}–{SAME_HI}: one timing of about a second each cannot tell them apart): an epoch of {} images takes {} on WebGPU and {} on the CPU engine.",
                    r.epoch_images,
                    seconds(ge, lang),
                    seconds(ce, lang)
                ),
                (Lang::Zh, Speed::Same) => format!(
                    "在这台机器上，对这个模型，WebGPU 与 CPU 引擎速度差不多（比值 {ratio:.2}，在 {SAME_LO}–{SAME_HI} 之内：每个引擎只计时一次、各约 1 秒，这样的测量分不出快慢）：{} 张图像的一轮在 WebGPU 上需要 {}，在 CPU 引擎上需要 {}。",
                    r.epoch_images,
                    seconds(ge, lang),
                    seconds(ce, lang)
                ),
                (Lang::En, Speed::Faster) => format!(
                    "On this machine WebGPU reached {ratio:.1}× the CPU engine's FLOP/s on this model: an epoch of {} images takes {} instead of {}, ten epochs (the article's loop) {} instead of {}.",
                    r.epoch_images,
                    seconds(ge, lang),
                    seconds(ce, lang),
                    seconds(10.0 * ge, lang),
                    seconds(10.0 * ce, lang)
                ),
                (Lang::Zh, Speed::Faster) => format!(
                    "在这台机器上，对这个模型，WebGPU 达到了 CPU 引擎 {ratio:.1} 倍的 FLOP/s：{} 张图像的一轮需要 {}，而不是 {}；十轮（原文的循环）需要 {}，而不是 {}。",
                    r.epoch_images,
                    seconds(ge, lang),
                    seconds(ce, lang),
                    seconds(10.0 * ge, lang),
                    seconds(10.0 * ce, lang)
                ),
                (Lang::En, Speed::Slower) => format!(
                    "On this machine WebGPU was slower than the CPU engine on this model (the CPU engine reached {:.1}× WebGPU's FLOP/s: a software adapter, a model too small to keep a GPU busy, or per-step dispatch and synchronisation overhead in the browser): an epoch of {} images takes {} on WebGPU and {} on the CPU engine.",
                    1.0 / ratio.max(1e-12),
                    r.epoch_images,
                    seconds(ge, lang),
                    seconds(ce, lang)
                ),
                (Lang::Zh, Speed::Slower) => format!(
                    "在这台机器上，对这个模型，WebGPU 比 CPU 引擎慢（CPU 引擎的 FLOP/s 是 WebGPU 的 {:.1} 倍：可能是软件适配器、模型太小不足以让 GPU 忙起来，或者浏览器中每一步的调度与同步开销）：{} 张图像的一轮在 WebGPU 上需要 {}，在 CPU 引擎上需要 {}。",
                    1.0 / ratio.max(1e-12),
                    r.epoch_images,
                    seconds(ge, lang),
                    seconds(ce, lang)
                ),
            }
        }
        (Some((_, _, ce)), None) => match lang {
            Lang::En => format!(
                "Only the CPU engine could be measured here ({}): an epoch of {} images takes it {}, ten epochs {}.",
                r.gpu_problem.clone().unwrap_or_default(),
                r.epoch_images,
                seconds(ce, lang),
                seconds(10.0 * ce, lang)
            ),
            // The worker's reason is the browser's English text: said in English only.
            Lang::Zh => format!(
                "这里只能测量 CPU 引擎（WebGPU 不可用）：{} 张图像的一轮需要 {}，十轮需要 {}。",
                r.epoch_images,
                seconds(ce, lang),
                seconds(10.0 * ce, lang)
            ),
        },
        _ => String::new(),
    }
}

/// The step's panel: a button, the count, the measured table and what it means.
pub fn hardware_panel(client: Client, state: State, lang: RwSignal<Lang>) -> impl IntoView {
    let measure = move |_| {
        state.measuring.set(true);
        state::ask(&client, Query::Hardware, move |reply| {
            if let Reply::Hardware(r) = reply {
                let _ = state.hardware.try_set(Some(r));
            }
            let _ = state.measuring.try_set(false);
        });
    };
    let button = tx("Measure on this machine", "在这台机器上测量");
    let busy = tx(
        "Measuring: about a second of training steps on each engine (the run on the Train step waits meanwhile)…",
        "正在测量：每个引擎约一秒的训练步（期间“训练”步骤中的运行会等待）……",
    );
    let general = tx(
        "Why it matters: matrix products are what GPUs (and TPUs) are built for — thousands of multiply-adds at once. When they are nearly all of a step's arithmetic, a device that does them faster trains faster; and every extra training image is one more row through every product, so an epoch's time grows with the data. Why lots of data: more training images usually narrow the gap between training and validation accuracy — step 5 lets you measure it with two runs — and processing them is what makes the GPU pay.",
        "为什么重要：矩阵乘法正是 GPU（以及 TPU）为之设计的——同时进行成千上万次乘加。当它们几乎占了一步的全部计算量时，做得更快的设备就训练得更快；而每多一张训练图像，就要多一行经过每一次乘法，所以一轮的时间随数据量增长。为什么需要大量数据：训练图像越多，训练与验证准确率的差距通常越小——第 5 步可以用两次运行来测量这一点——而处理这些数据正是 GPU 值得使用的地方。",
    );
    view! {
        <div class="panel wide" data-testid="hw">
            <div class="buttons">
                <button data-testid="hw-measure" disabled=move || state.measuring.get() on:click=measure>
                    {move || button.get(lang.get())}</button>
                {move || state.measuring.get().then(|| view! {
                    <span class="hint" role="status" data-testid="hw-busy">{move || busy.get(lang.get())}</span>
                })}
            </div>
            {move || state.hardware.get().map(|r| {
                let (total, products) = step_flops(&r.widths, r.batch, r.optimizer);
                let share = products as f64 / total.max(1) as f64;
                let shape = r.widths.iter().map(usize::to_string).collect::<Vec<_>>().join(" → ");
                let counted = move |lang: Lang| {
                    let pct = crate::ui::i18n::percent(lang, share, 1);
                    let optimizer = match (r.optimizer, lang) {
                        (Optimizer::Momentum, Lang::Zh) => "带动量的 SGD",
                        (o, _) => o.named().label,
                    };
                    match lang {
                        Lang::En => format!(
                            "Counted from the layer shapes: one training step of {shape} at batch {} is {:.1} MFLOP, of which {:.1} MFLOP ({pct}) are matrix products (the forward products, the weight gradients and the input gradients); normalising the batch's pixels, softmax and loss, bias sums, the ReLU mask and the update ({optimizer}) are the rest.",
                            r.batch, total as f64 / 1e6, products as f64 / 1e6
                        ),
                        Lang::Zh => format!(
                            "按层的形状计数：{shape}、批大小 {} 的一个训练步共 {:.1} MFLOP，其中 {:.1} MFLOP（{pct}）是矩阵乘法（前向乘法、权重梯度和输入梯度）；对批次像素做输入归一化、softmax 与损失、偏置求和、ReLU 掩码和参数更新（{optimizer}）是其余部分。",
                            r.batch, total as f64 / 1e6, products as f64 / 1e6
                        ),
                    }
                };
                let rows = r.engines.iter().map(|e| {
                    let (steps, fps, epoch) = engine_figures(e.samples_per_second, r.batch, total, r.epoch_images);
                    let key = e.kind;
                    view! {
                        <tr data-testid=format!("hw-row-{key}")>
                            <th scope="row">{let name = e.name.clone(); let cpu = e.kind == EngineKind::Cpu;
                                move || if cpu { tx("CPU engine", "CPU 引擎").get(lang.get()).to_string() } else { name.clone() }}</th>
                            <td>{format!("{:.0}", e.samples_per_second)}</td>
                            <td>{format!("{steps:.1}")}</td>
                            <td data-testid=format!("hw-flops-{key}") data-value=fps.to_string()>{format!("{:.2}", fps / 1e9)}</td>
                            <td data-testid=format!("hw-epoch-{key}") data-value=epoch.to_string()>{move || seconds(epoch, lang.get())}</td>
                        </tr>
                    }
                }).collect_view();
                let report = r.clone();
                view! {
                    <p data-testid="hw-matmul-share" data-value=share.to_string() data-flops=total.to_string()>{move || counted(lang.get())}</p>
                    <table class="numbers" data-testid="hw-table">
                        <thead><tr>
                            <th scope="col">{move || tx("Engine", "引擎").get(lang.get())}</th>
                            <th scope="col">{move || tx("samples/s", "样本/秒").get(lang.get())}</th>
                            <th scope="col">{move || tx("steps/s", "步/秒").get(lang.get())}</th>
                            <th scope="col">{move || tx("achieved GFLOP/s", "实际 GFLOP/s").get(lang.get())}</th>
                            <th scope="col">{move || tx("one epoch", "一轮").get(lang.get())}</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                    <p data-testid="hw-verdict">{move || verdict(&report, total, lang.get())}</p>
                }
            })}
            <p class="hint">{move || general.get(lang.get())}</p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_products_are_almost_all_of_the_seed_steps_arithmetic() {
        let (total, products) = step_flops(&[784, 512, 10], 64, Optimizer::Momentum);
        // fc1 forward and weight gradient 2·64·784·512 each; fc2 forward, weight and input gradient
        // 2·64·512·10 each.
        assert_eq!(products, 2 * 2 * 64 * 784 * 512 + 3 * 2 * 64 * 512 * 10);
        let share = products as f64 / total as f64;
        assert!(share > 0.98 && share < 0.99, "{share}");
        // 6,400 samples/s at batch 64: 100 steps/s; 55,000 images: 860 steps, 8.6 s.
        let (steps, fps, epoch) = engine_figures(6_400.0, 64, total, 55_000);
        assert!((steps - 100.0).abs() < 1e-9);
        assert!((fps - 100.0 * total as f64).abs() < 1.0);
        assert!((epoch - 8.6).abs() < 1e-9);
        // The update is costed for the optimiser that ran: Adam's costs more than SGD's.
        let params = (784 * 512 + 512 + 512 * 10 + 10) as u64;
        let (sgd, p_sgd) = step_flops(&[784, 512, 10], 64, Optimizer::Sgd);
        let (adam, p_adam) = step_flops(&[784, 512, 10], 64, Optimizer::Adam);
        assert_eq!((p_sgd, p_adam), (products, products));
        assert_eq!(adam - sgd, 12 * params);
        assert_eq!(total - sgd, 2 * params);
    }

    #[test]
    fn a_ratio_near_one_is_called_about_the_same_speed() {
        assert_eq!(speed_class(1.02), Speed::Same);
        assert_eq!(speed_class(0.98), Speed::Same);
        assert_eq!(speed_class(1.25), Speed::Faster);
        assert_eq!(speed_class(6.0), Speed::Faster);
        assert_eq!(speed_class(0.8), Speed::Slower);
        assert_eq!(speed_class(0.2), Speed::Slower);
    }
}
