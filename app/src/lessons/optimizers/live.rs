//! The two steps on the live model: minibatch gradients against the full-batch gradient (step 1), and
//! fc1's step under Adam against the plain gradient step (step 4). Every number comes from the worker;
//! every sentence that states a result is chosen by those numbers.

use leptos::html::Canvas;
use leptos::prelude::*;

use super::protocol::Client;
use super::protocol::{GradNoise, Query, Reply, StepMap};
use super::state::State;
use crate::ui::heatmap::{Layout, diverging, paint};
use crate::ui::i18n::{Lang, Text, grouped, percent, tx};

/// Minibatch sizes compared with the full batch.
pub const BATCHES: [usize; 4] = [1, 8, 64, 512];
/// Minibatches drawn of each size.
pub const DRAWS: usize = 16;
/// The trained model's SGD steps before measuring (the fresh model's: 0).
pub const WARM_STEPS: u32 = 300;

fn lang() -> RwSignal<Lang> {
    expect_context::<RwSignal<Lang>>()
}

/// Asks `query` and puts the answer where `put` says; a failure goes to the page's errors.
fn ask(client: &Client, busy: RwSignal<bool>, query: Query, put: impl Fn(Reply) + 'static) {
    let client = client.clone();
    busy.set(true);
    wasm_bindgen_futures::spawn_local(async move {
        if let Some(reply) = client.query(query).await {
            put(reply);
        }
        let _ = busy.try_set(false);
    });
}

/// The fresh-or-trained picker both live steps share.
fn model_picker(
    trained: RwSignal<bool>,
    testid: &'static str,
    trained_label: Text,
) -> impl IntoView {
    let lang = lang();
    view! {
        <label>{move || MODEL.get(lang.get())} " "
            <select data-testid=testid on:change=move |ev| trained.set(event_target_value(&ev) == "trained")>
                <option value="fresh" selected=move || !trained.get()>{move || FRESH.get(lang.get())}</option>
                <option value="trained" selected=move || trained.get()>{move || trained_label.get(lang.get())}</option>
            </select>
        </label>
    }
}

/// Step 1: the full-batch gradient against minibatch gradients of 1, 8, 64 and 512 images.
#[component]
pub fn GradNoisePanel(client: Client, state: State) -> impl IntoView {
    let lang = lang();
    let trained = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let result = RwSignal::new(None::<GradNoise>);
    let measure = move |_| {
        let warm_steps = if trained.get_untracked() {
            WARM_STEPS
        } else {
            0
        };
        let query = Query::GradNoise {
            warm_steps,
            batches: BATCHES.to_vec(),
            draws: DRAWS,
        };
        ask(&client, busy, query, move |r| {
            if let Reply::GradNoise(g) = r {
                let _ = result.try_set(Some(g));
            }
        });
    };
    let table = move || {
        result.get().map(|g| {
            let l = lang.get();
            let rows = g
                .batches
                .iter()
                .map(|b| {
                    let (mean, lo, hi) = b.cosine;
                    view! {
                        <tr>
                            <td class="num">{b.batch}</td>
                            <td class="num" data-testid=format!("grad-cosine-{}", b.batch) data-value=mean.to_string()
                                data-low=lo.to_string() data-high=hi.to_string()>
                                {format!("{mean:.3} ({lo:.3}–{hi:.3})")}</td>
                            <td class="num" data-testid=format!("grad-error-{}", b.batch) data-value=b.relative_error.to_string()>
                                {format!("{:.2}", b.relative_error)}</td>
                            <td class="num">{format!("{:.1}", b.ms)}</td>
                            <td class="num">{percent(l, b.ms / g.full_ms.max(1e-9), 1)}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <div class="scroll-x"><table class="numbers" data-testid="grad-table" data-warm=g.warm_steps.to_string()>
                    <tr><th>{BATCH.get(l)}</th><th>{COSINE.get(l)}</th><th>{ERROR.get(l)}</th><th>{MS.get(l)}</th><th>{SHARE.get(l)}</th></tr>
                    {rows}
                    <tr><td class="num">{format!("{} ({})", grouped(g.full_rows), FULL.get(l))}</td><td class="num">1</td><td class="num">0</td>
                        <td class="num" data-testid="grad-full-ms">{format!("{:.1}", g.full_ms)}</td><td class="num">{percent(l, 1.0, 0)}</td></tr>
                </table></div>
                <p class="hint">{DRAWN.get(l).replace("{n}", &g.draws.to_string())}</p>
                <p data-testid="grad-verdict">{noise_sentence(&g, l)}</p>
            }
        })
    };
    view! {
        <section class="panel wide" data-testid="opt-grad-noise">
            <div class="controls">
                {model_picker(trained, "grad-model", TRAINED_SGD)}
                <button data-testid="grad-measure" disabled=move || busy.get() || state.data.get().is_none() on:click=measure>
                    {move || if busy.get() { MEASURING.get(lang.get()) } else { MEASURE.get(lang.get()) }}</button>
            </div>
            {table}
        </section>
    }
}

/// What the gradient table says, chosen by its numbers: whether the cosine grows with every size,
/// and what a batch of 64 buys against the full batch.
pub fn noise_sentence(g: &GradNoise, l: Lang) -> String {
    let grows = g.batches.windows(2).all(|w| w[1].cosine.0 > w[0].cosine.0);
    let mut s = if grows { GROWS } else { NOT_GROWS }.get(l).to_string();
    if let Some(b) = g
        .batches
        .iter()
        .find(|b| b.batch == 64)
        .or(g.batches.last())
    {
        let angle = f64::from(b.cosine.0.clamp(-1.0, 1.0)).acos().to_degrees();
        let steps = (g.full_ms / b.ms.max(1e-9)).floor();
        s.push(' ');
        s.push_str(
            &CHEAP
                .get(l)
                .replace("{b}", &b.batch.to_string())
                .replace("{angle}", &format!("{angle:.0}"))
                .replace("{share}", &percent(l, b.ms / g.full_ms.max(1e-9), 1))
                .replace("{steps}", &format!("{steps:.0}")),
        );
    }
    s
}

/// Spread of one map's steps over the weights that got a gradient: (p10, median, p90) in units of
/// the learning rate.
pub fn spread(steps: &[f32], moved: &[bool], lr: f32) -> Option<(f32, f32, f32)> {
    let mut v: Vec<f32> = steps
        .iter()
        .zip(moved)
        .filter(|(_, m)| **m)
        .map(|(s, _)| s / lr)
        .collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f32::total_cmp);
    let at = |q: f32| v[((v.len() - 1) as f32 * q).round() as usize];
    Some((at(0.1), at(0.5), at(0.9)))
}

/// Decades of the step maps' logarithmic scale (below 10⁻⁴ of the map's unit is white).
const DECADES: f32 = 4.0;

/// One map: each weight's |step| on a log scale in units of `unit`, the map's own 90th-percentile step
/// (white: 10⁻⁴·unit or less; red: unit or more). Each map has its own unit: at one learning rate the
/// two rules' sizes are not comparable (SGD's tuned rate is far above Adam's), their spreads are.
fn paint_map(canvas: &web_sys::HtmlCanvasElement, steps: &[f32], map: &StepMap, unit: f32) {
    let layout = Layout::Tiles {
        tiles: map.hidden,
        side: (map.inputs as f64).sqrt() as usize,
        per_row: 16,
    };
    let (cw, ch) = layout.cells();
    let px = 2;
    let (w, h) = (cw * px, ch * px);
    let mut rgba = vec![255u8; w * h * 4];
    for r in 0..map.hidden {
        for c in 0..map.inputs {
            let s = steps[r * map.inputs + c] / unit;
            let t = if s > 0.0 {
                ((s.log10() + DECADES) / DECADES).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let [cr, cg, cb] = diverging(t, 1.0);
            let (x, y) = layout.position(r, c);
            for dy in 0..px {
                let row = ((y * px + dy) * w + x * px) * 4;
                for dx in 0..px {
                    rgba[row + dx * 4..row + dx * 4 + 3].copy_from_slice(&[cr, cg, cb]);
                }
            }
        }
    }
    paint(canvas, w, h, &rgba);
}

/// Step 4: fc1's step under Adam against the plain gradient step, weight by weight.
#[component]
pub fn StepMapPanel(client: Client, state: State) -> impl IntoView {
    let lang = lang();
    let trained = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let result = RwSignal::new(None::<StepMap>);
    let adam_canvas = NodeRef::<Canvas>::new();
    let sgd_canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        result.with(|m| {
            if let (Some(m), Some(a), Some(s)) = (m, adam_canvas.get(), sgd_canvas.get()) {
                let moved: Vec<bool> = m.sgd.iter().map(|&g| g > 0.0).collect();
                let unit = |steps: &[f32]| {
                    spread(steps, &moved, 1.0)
                        .map_or(m.lr, |(_, _, p90)| p90.max(f32::MIN_POSITIVE))
                };
                paint_map(&a, &m.adam, m, unit(&m.adam));
                paint_map(&s, &m.sgd, m, unit(&m.sgd));
            }
        })
    });
    let measure = move |_| {
        let warm_steps = if trained.get_untracked() {
            WARM_STEPS
        } else {
            0
        };
        ask(&client, busy, Query::StepMap { warm_steps }, move |r| {
            if let Reply::StepMap(m) = r {
                let _ = result.try_set(Some(m));
            }
        });
    };
    let sentence = move || {
        result.with(|m| {
            let m = m.as_ref()?;
            let l = lang.get();
            let moved: Vec<bool> = m.sgd.iter().map(|&g| g > 0.0).collect();
            let still = moved.iter().filter(|m| !**m).count() as f64 / moved.len().max(1) as f64;
            // Hidden units whose every incoming weight got no gradient: their ReLU was off for every
            // image of the batch (the inputs are normalised, so a blank pixel is not zero).
            let dead = moved.chunks(m.inputs.max(1)).filter(|t| t.iter().all(|m| !m)).count();
            // After Adam steps its m̂ is not zero, so a weight with no gradient this step still moves
            // under Adam: counted, not assumed.
            let adam_moves_still = moved
                .iter()
                .zip(&m.adam)
                .filter(|&(&g, &a)| !g && a > 0.0)
                .count();
            let still_count = moved.iter().filter(|m| !**m).count();
            let prefix = if adam_moves_still == 0 { STILL_NEITHER } else { STILL_ADAM }
                .get(l)
                .replace("{still}", &percent(l, still, 1))
                .replace("{dead}", &dead.to_string())
                .replace("{hidden}", &m.hidden.to_string())
                .replace(
                    "{x}",
                    &percent(l, adam_moves_still as f64 / still_count.max(1) as f64, 1),
                );
            let (a10, a50, a90) = spread(&m.adam, &moved, m.lr)?;
            let (s10, s50, s90) = spread(&m.sgd, &moved, m.lr)?;
            let (ar, sr) = (a90 / a10.max(f32::MIN_POSITIVE), s90 / s10.max(f32::MIN_POSITIVE));
            // "About the same distance" only when the middle 80 % of Adam's steps lie within 2×.
            let text = prefix
                + &if ar < 2.0 && ar < sr {
                EVENER
            } else if ar < sr {
                MORE_EVEN
            } else {
                NOT_EVENER
            }
                .get(l)
                .replace("{still}", &percent(l, still, 1))
                .replace("{dead}", &dead.to_string())
                .replace("{hidden}", &m.hidden.to_string())
                .replace("{a50}", &format!("{a50:.2}"))
                .replace("{ar}", &format!("{ar:.1}"))
                .replace("{s50}", &format!("{s50:.4}"))
                .replace("{sr}", &format!("{sr:.0}"));
            Some(view! {
                <p data-testid="adam-step-verdict" data-adam-spread=ar.to_string() data-sgd-spread=sr.to_string()
                    data-adam-median=a50.to_string() data-sgd-median=s50.to_string()
                    data-still=still_count.to_string() data-adam-moves-still=adam_moves_still.to_string()>{text}</p>
            })
        })
    };
    view! {
        <section class="panel wide" data-testid="opt-step-map">
            <div class="controls">
                {model_picker(trained, "adam-step-model", TRAINED_ADAM)}
                <button data-testid="adam-step-measure" disabled=move || busy.get() || state.data.get().is_none() on:click=measure>
                    {move || if busy.get() { MEASURING.get(lang.get()) } else { TAKE_STEP.get(lang.get()) }}</button>
            </div>
            <div class="map-pair" class:hidden=move || result.with(Option::is_none)>
                <figure>
                    <canvas node_ref=adam_canvas class="weights-map" data-testid="adam-step-map"
                        data-drawn=move || result.with(Option::is_some).to_string()
                        role="img" aria-label=move || ADAM_MAP.get(lang.get())></canvas>
                    <figcaption>{move || ADAM_MAP.get(lang.get())}</figcaption>
                </figure>
                <figure>
                    <canvas node_ref=sgd_canvas class="weights-map" data-testid="sgd-step-map"
                        role="img" aria-label=move || SGD_MAP.get(lang.get())></canvas>
                    <figcaption>{move || SGD_MAP.get(lang.get())}</figcaption>
                </figure>
            </div>
            <p class="hint" class:hidden=move || result.with(Option::is_none)>{move || SCALE.get(lang.get())}</p>
            {sentence}
        </section>
    }
}

const MODEL: Text = tx("Model", "模型");
const FRESH: Text = tx("freshly initialised", "刚初始化的");
const TRAINED_SGD: Text = tx("after 300 steps of SGD", "SGD 训练 300 步之后");
const TRAINED_ADAM: Text = tx("after 300 steps of Adam", "Adam 训练 300 步之后");
const MEASURE: Text = tx("Measure the gradients", "测量梯度");
const MEASURING: Text = tx("Measuring…", "正在测量…");
const TAKE_STEP: Text = tx("Take one Adam step", "走一步 Adam");
const BATCH: Text = tx("batch size", "批大小");
const COSINE: Text = tx(
    "cosine with the full gradient (lowest–highest)",
    "与全量梯度的余弦相似度（最低–最高）",
);
const ERROR: Text = tx("relative error", "相对误差");
const MS: Text = tx("ms per gradient", "每次梯度的毫秒数");
const SHARE: Text = tx("of the full batch's time", "占全量批次时间");
const FULL: Text = tx("full batch", "全量批次");
const DRAWN: Text = tx(
    "Each row: {n} minibatches drawn at random; the full batch is the mean gradient over every training image, the direction gradient descent would take.",
    "每一行：随机抽取 {n} 个小批次；全量批次是所有训练图像上的平均梯度，即梯度下降会走的方向。",
);
const GROWS: Text = tx(
    "The larger the minibatch, the closer its gradient points to the full gradient, at every size measured.",
    "小批次越大，它的梯度越接近全量梯度的方向——测得的每个大小都是如此。",
);
const NOT_GROWS: Text = tx(
    "Here the cosine did not grow with every batch size (the draws are random; measure again).",
    "这里余弦相似度并没有随每个批大小增大（抽样是随机的；再测一次）。",
);
const CHEAP: Text = tx(
    "A batch of {b} points about {angle}° away from the full gradient and costs {share} of its time: {steps} such steps for the price of one full-batch step.",
    "{b} 张图像的批次与全量梯度相差约 {angle}°，所花时间只有全量的 {share}：一次全量批次的代价可以走 {steps} 步这样的小批次。",
);
const ADAM_MAP: Text = tx(
    "Adam: |Δw| of each fc1 weight this step (one tile per hidden unit)",
    "Adam：本步 fc1 每个权重的 |Δw|（每个隐藏单元一块）",
);
const SGD_MAP: Text = tx(
    "Plain gradient step at the same rate: |lr·g|",
    "同一学习率下的普通梯度步：|lr·g|",
);
const SCALE: Text = tx(
    "Each map on its own logarithmic scale: full red is its own 90th-percentile step or more, white 10⁻⁴ of that or less. At one rate the two rules' step sizes are not comparable; how evenly each spreads its steps is.",
    "每张图使用各自的对数刻度：深红表示该图自身第 90 百分位的步长及以上，白色表示其 10⁻⁴ 及以下。同一学习率下两条规则的步长大小不可比较，可比较的是各自步长分布得有多均匀。",
);
const STILL_NEITHER: Text = tx(
    "{still} of fc1's weights got no gradient this step and moved under neither rule ({dead} of the {hidden} hidden units were inactive — ReLU output 0 — for every image of the batch). ",
    "fc1 中有 {still} 的权重本步没有梯度，两种规则都没有移动它们（{hidden} 个隐藏单元中有 {dead} 个对该批每张图像都未激活（ReLU 输出为 0））。",
);
const STILL_ADAM: Text = tx(
    "{still} of fc1's weights got no gradient this step ({dead} of the {hidden} hidden units were inactive — ReLU output 0 — for every image of the batch): the plain step leaves them, Adam still moves {x} of them through its momentum. ",
    "fc1 中有 {still} 的权重本步没有梯度（{hidden} 个隐藏单元中有 {dead} 个对该批每张图像都未激活（ReLU 输出为 0））：普通梯度步不移动它们，Adam 却凭借动量仍移动了其中的 {x}。",
);
const EVENER: Text = tx(
    "Of the others, Adam's median step is {a50} × lr and its 90th percentile is {ar} times its 10th; the plain gradient step's median is {s50} × lr, and its 90th percentile is {sr} times its 10th. Adam divides each gradient by its own running size, so every weight moves about the same distance, whatever its gradient's size; the plain step follows the gradient's size. (The two sizes are not compared: at one rate they say little, since SGD's tuned rate is far above Adam's.)",
    "其余权重中，Adam 的中位步长为 {a50} × lr，第 90 百分位与第 10 百分位之比为 {ar}；普通梯度步的中位数是 {s50} × lr，比值为 {sr}。Adam 用每个梯度自身的滑动大小去除它，所以无论梯度大小，每个权重移动的距离差不多；普通梯度步则随梯度大小而变。（两者步长的大小不作比较：同一学习率下它说明不了什么，因为 SGD 调好的学习率远高于 Adam 的。）",
);
const MORE_EVEN: Text = tx(
    "Of the others, Adam's median step is {a50} × lr and its 90th percentile is {ar} times its 10th; the plain gradient step's median is {s50} × lr, and its 90th percentile is {sr} times its 10th. Adam's steps are more even than the plain step's; they are no longer all about lr, because its averages now remember earlier gradients.",
    "其余权重中，Adam 的中位步长为 {a50} × lr，第 90 百分位是第 10 百分位的 {ar} 倍；普通梯度步的中位数是 {s50} × lr，第 90 百分位是第 10 百分位的 {sr} 倍。Adam 的步长比普通步更均匀；它们不再都约等于 lr，因为它的平均值已经记住了之前的梯度。",
);
const NOT_EVENER: Text = tx(
    "Here Adam's steps (median {a50} × lr, 90th percentile {ar} times the 10th) were not more even than the plain gradient's (median {s50} × lr, {sr} times).",
    "这里 Adam 的步长（中位 {a50} × lr，第 90 与第 10 百分位之比 {ar}）并不比普通梯度步（中位 {s50} × lr，比值 {sr}）更均匀。",
);
