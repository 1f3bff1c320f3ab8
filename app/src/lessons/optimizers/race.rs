//! Step 5, the race: the optimisers the student ticks, trained side by side from one initialisation on
//! one batch stream (`kernels::race`), under one of two presets — one learning rate for all (unfair:
//! each rule has its own scale) or each at its tuned rate (the book's sweep, `kernels::NAMED`).
//! Loss and test-accuracy curves overlaid, each arm's settings printed, samples/s summed, and a verdict
//! with its uncertainty band.

use kernels::{NAMED, Optimizer, OptimizerConfig};
use leptos::prelude::*;

use super::Shown;
use super::protocol::Client;
use super::protocol::{Command, RaceArm, RaceTag};
use super::state::{RaceView, State};
use crate::ui::i18n::{Lang, Text, grouped, percent, tx};
use crate::ui::line_chart::{self, LineChart, Series, thin};

/// The race's optimisers: the ids of [`NAMED`], in its order, which is the surface table's (its
/// gradient descent is SGD here, on minibatches).
pub const IDS: [&str; 7] = {
    let mut ids = [""; 7];
    let mut i = 0;
    while i < ids.len() {
        ids[i] = NAMED[i].id;
        i += 1;
    }
    ids
};
/// Step counts offered.
pub const STEP_CHOICES: [u32; 3] = [200, 500, 1000];
/// The shared rate of the "same learning rate" preset (SGD's seed-recipe scale).
pub const SAME_LR: f32 = 0.05;
/// The largest shared rate the race takes (SGD's tuned 0.3 with room; beyond it every rule diverges).
pub const SAME_LR_MAX: f32 = 10.0;

/// The shared rate typed in the box, if the race takes it: a number above 0 and at most
/// [`SAME_LR_MAX`] (no NaN, no infinity).
pub fn parse_same_lr(text: &str) -> Option<f32> {
    text.trim()
        .parse::<f32>()
        .ok()
        .filter(|v| *v > 0.0 && *v <= SAME_LR_MAX)
}

fn lang() -> RwSignal<Lang> {
    expect_context::<RwSignal<Lang>>()
}

/// An id's display name (the surface's table has the same optimisers; SGD is its gradient descent
/// on minibatches).
pub fn name(id: &str) -> Text {
    match Optimizer::parse(id) {
        Some(Optimizer::Sgd) => tx("SGD", "SGD（随机梯度下降）"),
        Some(other) => other.name(),
        None => tx("?", "?"),
    }
}

/// The colour of an id's curve.
pub fn colour(id: &str) -> &'static str {
    Optimizer::parse(id).map_or("#888", Shown::colour)
}

/// The arm of `id` under a preset: its tuned row at its tuned rate, or at `same` when given.
pub fn arm(id: &str, same: Option<f32>) -> Option<RaceArm> {
    let o = Optimizer::parse(id)?;
    Some(RaceArm {
        id: id.to_string(),
        settings: o.config(same.unwrap_or(o.named().tuned_lr)),
    })
}

/// The settings as the table prints them.
pub fn settings_text(s: &OptimizerConfig) -> String {
    use kernels::OptimizerKind as K;
    let extra = match s.kind {
        K::Sgd | K::Nesterov if s.momentum > 0.0 => format!("μ {}", s.momentum),
        K::Sgd | K::Adagrad => String::new(),
        K::Nesterov => format!("μ {}", s.momentum),
        K::Rmsprop => format!("α {}", s.beta2),
        K::Adam => format!("β {}, {}", s.beta1, s.beta2),
        K::AdamW => format!("β {}, {}, λ {}", s.beta1, s.beta2, s.weight_decay),
    };
    format!("lr {} {extra}", s.lr)
}

/// A 95 % band for an accuracy measured on `n` images (normal approximation).
pub fn band(p: f32, n: usize) -> f32 {
    1.96 * (p * (1.0 - p) / n.max(1) as f32).sqrt()
}

/// The verdict on a race, chosen by its numbers: the leader by the last test accuracy, and whether its
/// lead is larger than both bands; the arms that diverged.
pub fn verdict(r: &RaceView, l: Lang) -> String {
    let mut ranked: Vec<(usize, u64, f32)> = (0..r.arms.len())
        .filter(|&i| r.diverged[i].is_none())
        .filter_map(|i| r.last_accuracy(i).map(|(s, a)| (i, s, a)))
        .collect();
    ranked.sort_by(|a, b| b.2.total_cmp(&a.2));
    let mut out = String::new();
    match ranked.as_slice() {
        [] => out.push_str(NO_ACCURACY.get(l)),
        [(i, step, a)] => out.push_str(
            &ALONE
                .get(l)
                .replace("{name}", name(&r.arms[*i].id).get(l))
                .replace("{acc}", &percent(l, f64::from(*a), 1))
                .replace("{step}", &step.to_string()),
        ),
        [(i, step, a), (j, _, b), ..] => {
            let (ba, bb) = (band(*a, r.test), band(*b, r.test));
            let template = if a - ba > b + bb { LEADS } else { TOO_CLOSE };
            out.push_str(
                &template
                    .get(l)
                    .replace("{name}", name(&r.arms[*i].id).get(l))
                    .replace("{other}", name(&r.arms[*j].id).get(l))
                    .replace("{acc}", &percent(l, f64::from(*a), 1))
                    .replace("{band}", &percent(l, f64::from(ba), 1))
                    .replace("{acc2}", &percent(l, f64::from(*b), 1))
                    .replace("{band2}", &percent(l, f64::from(bb), 1))
                    .replace("{n}", &grouped(r.test))
                    .replace("{step}", &step.to_string()),
            );
        }
    }
    for (i, d) in r.diverged.iter().enumerate() {
        if let Some((step, _)) = d {
            out.push(' ');
            out.push_str(
                &DIVERGED
                    .get(l)
                    .replace("{name}", name(&r.arms[i].id).get(l))
                    .replace("{step}", &step.to_string()),
            );
        }
    }
    out
}

/// Whether every arm's first loss is the same to the bit (same initial weights, same first batch).
pub fn same_start(r: &RaceView) -> Option<bool> {
    let firsts: Vec<u32> = r
        .losses
        .iter()
        .map(|l| l.first().map(|x| x.to_bits()))
        .collect::<Option<_>>()?;
    Some(firsts.windows(2).all(|w| w[0] == w[1]))
}

/// The curves of a race: each arm's loss (smoothed) and its test accuracy.
#[component]
pub fn RaceCharts(race: RwSignal<Option<RaceView>>, prefix: &'static str) -> impl IntoView {
    let lang = lang();
    let loss_series = Signal::derive(move || {
        race.with(|r| {
            r.as_ref().map_or(Vec::new(), |r| {
                let top = loss_top(r);
                r.arms
                    .iter()
                    .zip(&r.losses)
                    .map(|(a, l)| Series {
                        points: thin(
                            kernels::training::smooth(l, 0.1)
                                .into_iter()
                                .enumerate()
                                .map(|(i, v)| ((i + 1) as f64, f64::from(v).min(top)))
                                .collect(),
                            300,
                        ),
                        class: series_class(&a.id),
                        dots: false,
                    })
                    .collect()
            })
        })
    });
    let clipped = move || {
        race.with(|r| {
            let r = r.as_ref()?;
            let names: Vec<&str> = clipped_arms(r)
                .into_iter()
                .map(|i| name(&r.arms[i].id).get(lang.get()))
                .collect();
            (!names.is_empty()).then(|| {
                view! {
                    <p class="hint" data-testid=format!("{prefix}-loss-clipped")>
                        {CLIPPED.get(lang.get()).replace("{names}", &names.join(", "))}</p>
                }
            })
        })
    };
    let accuracy_series = Signal::derive(move || {
        race.with(|r| {
            r.as_ref().map_or(Vec::new(), |r| {
                r.arms
                    .iter()
                    .zip(&r.accuracy)
                    .map(|(a, acc)| Series {
                        points: acc.iter().map(|&(s, v)| (s as f64, f64::from(v))).collect(),
                        class: series_class(&a.id),
                        dots: true,
                    })
                    .collect()
            })
        })
    });
    let loss_id = if prefix == "race" {
        "race-loss-chart"
    } else {
        "quiz-loss-chart"
    };
    let acc_id = if prefix == "race" {
        "race-accuracy-chart"
    } else {
        "quiz-accuracy-chart"
    };
    view! {
        <div class="chart-pair">
            // The axis fits the arms that did not diverge (at least a fresh model's ln 10 ≈ 2.3); a
            // diverged arm's spike is cut at that top and the note under the charts says so.
            <LineChart series=loss_series width=420.0 x_label=line_chart::STEP y_label=line_chart::LOSS testid=loss_id
                aria=tx("Each optimiser's training loss, step by step", "每个优化器逐步的训练损失") />
            <LineChart series=accuracy_series width=420.0 x_label=line_chart::STEP y_label=line_chart::ACCURACY testid=acc_id
                y_top=1.0 y_percent=true aria=tx("Each optimiser's test accuracy", "每个优化器的测试准确率") />
        </div>
        {clipped}
    }
}

/// The loss chart's top: the highest smoothed loss of the arms that did not diverge, at least 2.5
/// (above a fresh model's ln 10), so every such curve fits whole.
pub fn loss_top(r: &RaceView) -> f64 {
    (0..r.arms.len())
        .filter(|&i| r.diverged[i].is_none())
        .flat_map(|i| kernels::training::smooth(&r.losses[i], 0.1))
        .map(f64::from)
        .filter(|v| v.is_finite())
        .fold(2.5, f64::max)
}

/// The arms whose smoothed loss goes above [`loss_top`] (only diverged ones can): their curves are cut.
pub fn clipped_arms(r: &RaceView) -> Vec<usize> {
    let top = loss_top(r);
    (0..r.arms.len())
        .filter(|&i| {
            kernels::training::smooth(&r.losses[i], 0.1)
                .iter()
                .any(|&v| v.is_nan() || f64::from(v) > top)
        })
        .collect()
}

/// The CSS class of an id's curve (its colour is in the stylesheet).
fn series_class(id: &str) -> &'static str {
    match id {
        "sgd" => "series-opt-sgd",
        "momentum" => "series-opt-momentum",
        "nesterov" => "series-opt-nesterov",
        "adagrad" => "series-opt-adagrad",
        "rmsprop" => "series-opt-rmsprop",
        "adam" => "series-opt-adam",
        _ => "series-opt-adamw",
    }
}

/// The race step.
#[component]
pub fn RacePanel(client: Client, state: State) -> impl IntoView {
    let lang = lang();
    let ticked = RwSignal::new(vec!["sgd", "momentum", "adam"]);
    let tuned = RwSignal::new(true);
    // The box's text as typed; the race takes it only when it parses into range.
    let same_text = RwSignal::new(SAME_LR.to_string());
    let same_lr = move || parse_same_lr(&same_text.get());
    let steps = RwSignal::new(STEP_CHOICES[1]);
    let stop_client = client.clone();
    let start = move |_| {
        let same = if tuned.get_untracked() {
            None
        } else {
            match parse_same_lr(&same_text.get_untracked()) {
                Some(v) => Some(v),
                // Refused: the message is on the page and Start is disabled; never another rate.
                None => return,
            }
        };
        let arms: Vec<RaceArm> = IDS
            .iter()
            .filter(|id| ticked.with_untracked(|t| t.contains(id)))
            .filter_map(|id| arm(id, same))
            .collect();
        if !arms.is_empty() {
            client.send(&Command::Race {
                tag: RaceTag::Race,
                arms,
                steps: steps.get_untracked(),
            });
        }
    };
    let running = move || state.running.get().is_some();
    let boxes = IDS
        .iter()
        .map(|&id| {
            view! {
                <label class="tick">
                    <input type="checkbox" data-testid=format!("race-enable-{id}")
                        prop:checked=move || ticked.with(|t| t.contains(&id))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            ticked.update(|t| { t.retain(|x| *x != id); if on { t.push(id) } });
                        } />
                    " " <span class="swatch" style:background=colour(id)></span> " " {move || name(id).get(lang.get())}
                </label>
            }
        })
        .collect_view();
    let table = move || {
        state.race.get().map(|r| {
            let l = lang.get();
            let rows = r
                .arms
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    let loss = r.recent_loss(i, 20);
                    let acc = r.last_accuracy(i);
                    let first = r.losses[i].first().copied();
                    view! {
                        <tr>
                            <td><span class="swatch" style:background=colour(&a.id)></span> " " {name(&a.id).get(l)}</td>
                            <td data-testid=format!("race-settings-{}", a.id) data-lr=a.settings.lr.to_string()>{settings_text(&a.settings)}</td>
                            <td class="num" data-testid=format!("race-first-loss-{}", a.id)
                                data-bits=first.map(|x| x.to_bits().to_string()).unwrap_or_default()>
                                {first.map(|x| format!("{x:.4}")).unwrap_or_default()}</td>
                            <td class="num" data-testid=format!("race-loss-{}", a.id) data-value=loss.map(|x| x.to_string()).unwrap_or_default()>
                                {match (r.diverged[i], loss) {
                                    (Some((s, _)), _) => super::text::ui::DIVERGED_AT_STEP.get(l).replace("{step}", &s.to_string()),
                                    (None, Some(x)) => format!("{x:.3}"),
                                    _ => String::new(),
                                }}</td>
                            <td class="num" data-testid=format!("race-accuracy-{}", a.id)
                                data-value=acc.map(|x| x.1.to_string()).unwrap_or_default()
                                data-step=acc.map(|x| x.0.to_string()).unwrap_or_default()>
                                {match (r.diverged[i], acc) {
                                    (Some(_), _) => "–".to_string(),
                                    (None, Some((_, x))) => format!("{} ± {}", percent(l, f64::from(x), 1), percent(l, f64::from(band(x, r.test)), 1)),
                                    (None, None) => String::new(),
                                }}</td>
                        </tr>
                    }
                })
                .collect_view();
            let start_line = match same_start(&r) {
                Some(true) => SAME_START.get(l).to_string(),
                Some(false) => NOT_SAME_START.get(l).to_string(),
                None => String::new(),
            };
            view! {
                <p data-testid="race-progress" data-step=r.step.to_string() data-done=r.done.to_string()>
                    {PROGRESS.get(l).replace("{step}", &r.step.to_string()).replace("{steps}", &r.steps.to_string())
                        .replace("{batch}", &r.batch.to_string())}
                    " · " <span data-testid="race-samples-per-s" data-value=r.samples_per_s.to_string()>
                        {SAMPLES.get(l).replace("{n}", &format!("{:.0}", r.samples_per_s))}</span></p>
                <div class="scroll-x"><table class="numbers">
                    <tr><th>{OPTIMISER.get(l)}</th><th>{SETTINGS.get(l)}</th><th>{FIRST.get(l)}</th>
                        <th>{LAST_LOSS.get(l)}</th><th>{ACCURACY.get(l).replace("{n}", &grouped(r.test))}</th></tr>
                    {rows}
                </table></div>
                <p data-testid="race-same-start" data-value=same_start(&r).map(|b| b.to_string()).unwrap_or_default()>{start_line}</p>
                <p data-testid="race-verdict">{verdict(&r, l)}</p>
            }
        })
    };
    view! {
        <section class="panel wide" data-testid="opt-race">
            <div class="controls">{boxes}</div>
            <div class="controls">
                <label><input type="radio" name="race-preset" data-testid="race-preset-tuned" prop:checked=move || tuned.get()
                    on:change=move |_| tuned.set(true) /> " " {move || TUNED_PRESET.get(lang.get())}</label>
                <label><input type="radio" name="race-preset" data-testid="race-preset-same" prop:checked=move || !tuned.get()
                    on:change=move |_| tuned.set(false) /> " " {move || SAME_PRESET.get(lang.get())} " "
                    <input type="number" class="narrow" step="any" min="0" max=SAME_LR_MAX.to_string() data-testid="race-same-lr" disabled=move || tuned.get()
                        // The initial text only: writing the box back while the student types would
                        // erase a half-typed number (a number box reads "" for "-" or "1e").
                        value=SAME_LR.to_string()
                        on:input=move |ev| same_text.set(event_target_value(&ev))
                        on:change=move |ev| same_text.set(event_target_value(&ev)) /></label>
                <label>{move || STEPS.get(lang.get())} " "
                    <select data-testid="race-steps" on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse() { steps.set(v) } }>
                        {STEP_CHOICES.iter().map(|&n| view! { <option value=n.to_string() selected=move || steps.get() == n>{n}</option> }).collect_view()}
                    </select></label>
                <button data-testid="race-start" disabled=move || running() || state.data.get().is_none() || ticked.with(Vec::is_empty)
                        || (!tuned.get() && same_lr().is_none())
                    on:click=start>{move || START.get(lang.get())}</button>
                <button class="secondary" data-testid="race-stop" disabled=move || !running()
                    on:click=move |_| stop_client.send(&Command::Stop)>{move || STOP.get(lang.get())}</button>
            </div>
            {move || (!tuned.get() && same_lr().is_none()).then(|| view! {
                <p class="error" role="alert" data-testid="race-same-lr-refused">
                    {SAME_REFUSED.get(lang.get()).replace("{text}", &same_text.get()).replace("{max}", &SAME_LR_MAX.to_string())}</p>
            })}
            <p class="hint">{move || if tuned.get() { TUNED_NOTE } else { SAME_NOTE }.get(lang.get())}</p>
            <RaceCharts race=state.race prefix="race" />
            {table}
        </section>
    }
}

const TUNED_PRESET: Text = tx("each at its tuned rate", "各用调好的学习率");
const SAME_PRESET: Text = tx("one learning rate for all:", "所有优化器用同一个学习率：");
const TUNED_NOTE: Text = tx(
    "Tuned rates: for each optimiser, the rate with the best mean validation accuracy of three or four tried (about 3× apart; three seeds each) after 3 epochs of MNIST with a 784-512-10 network, batch 64 — validation being 5,000 training images held out, so the test set played no part in the choice (scripts/bench/optimizer-sweep.sh in the project's repository; the table below prints each arm's rate). No chosen rate is at the edge of its grid. This race trains a 784-128-10 network on 10,000 images: the rates were chosen for a different network, so they are good, not necessarily best, here.",
    "调好的学习率：每个优化器在试过的三到四个学习率（相邻约差 3 倍，每个用三个随机种子）中，取验证准确率平均最高的一个——在 MNIST 上用 784-512-10 网络、批大小 64 训练 3 轮；验证集是留出的 5000 张训练图像，所以选择时完全没有用到测试集（项目仓库中的 scripts/bench/optimizer-sweep.sh；下方表格列出每组所用的学习率）。选中的学习率都不在所试范围的边缘。这场比赛在 10000 张图像上训练 784-128-10 网络：这些学习率是为另一个网络选的，所以在这里是好的，但未必是最好的。",
);
const SAME_REFUSED: Text = tx(
    "The learning rate \"{text}\" is refused: it must be a number above 0 and at most {max}. The race does not start until it is.",
    "学习率“{text}”不被接受：它必须是大于 0、不超过 {max} 的数。改正之前比赛不会开始。",
);
const CLIPPED: Text = tx(
    "The loss axis fits the optimisers that did not diverge; the curves of {names} are cut at its top.",
    "损失轴按未发散的优化器确定范围；{names} 的曲线在顶端被截断。",
);
const SAME_NOTE: Text = tx(
    "One rate for all is not a fair race: each rule's step has its own scale (SGD's step grows with the gradient, Adam's is about lr whatever the gradient), so one rate favours some rules and wrecks others.",
    "所有优化器用同一个学习率并不公平：每条规则的步长尺度不同（SGD 的步长随梯度变大，Adam 的步长无论梯度如何都约为 lr），所以同一个学习率会偏袒一些规则、毁掉另一些。",
);
const STEPS: Text = tx("Steps", "步数");
const START: Text = tx("Start the race", "开始比赛");
const STOP: Text = tx("Stop", "停止");
const OPTIMISER: Text = tx("optimiser", "优化器");
const SETTINGS: Text = tx("settings", "设置");
const FIRST: Text = tx("first loss", "第一步损失");
const LAST_LOSS: Text = tx("loss (last 20 steps)", "损失（最近 20 步）");
const ACCURACY: Text = tx(
    "test accuracy on {n} images (95 % band)",
    "{n} 张测试图像上的准确率（95% 区间）",
);
const PROGRESS: Text = tx(
    "Step {step} of {steps}, {batch} images a step, the same images for every optimiser",
    "第 {step} / {steps} 步，每步 {batch} 张图像，每个优化器用的是同样的图像",
);
const SAMPLES: Text = tx(
    "{n} samples/s summed over the optimisers",
    "所有优化器合计每秒 {n} 个样本",
);
const SAME_START: Text = tx(
    "Every optimiser's first loss is the same to the last bit: same initial weights, same first batch. From there on only the update rule differs.",
    "每个优化器的第一步损失完全相同，连最后一位都一样：初始权重相同，第一个批次也相同。此后不同的只有更新规则。",
);
const NOT_SAME_START: Text = tx(
    "The first losses differ: the arms did not start from the same model and batch.",
    "第一步的损失不同：各组并非从同一个模型和批次出发。",
);
const NO_ACCURACY: Text = tx("No test accuracy measured yet.", "还没有测得测试准确率。");
const ALONE: Text = tx(
    "{name} reached {acc} test accuracy at step {step}.",
    "{name} 在第 {step} 步达到 {acc} 的测试准确率。",
);
const LEADS: Text = tx(
    "At step {step}, {name} leads with {acc} ± {band} against {other}'s {acc2} ± {band2} on {n} test images: the bands do not overlap (a conservative rule: both arms are scored on the same images, so a paired comparison would call some closer races too).",
    "第 {step} 步时，{name} 以 {acc} ± {band} 领先于 {other} 的 {acc2} ± {band2}（{n} 张测试图像）：两个区间不重叠（这是偏保守的判据：两组在同样的图像上评分，配对比较能分出一些更接近的比赛）。",
);
const TOO_CLOSE: Text = tx(
    "At step {step}, {name} ({acc} ± {band}) and {other} ({acc2} ± {band2}) are too close to call on {n} test images: the bands overlap (a conservative rule: both are scored on the same images, and a paired comparison might still separate them).",
    "第 {step} 步时，{name}（{acc} ± {band}）与 {other}（{acc2} ± {band2}）在 {n} 张测试图像上难分高下：两个区间重叠（这是偏保守的判据：两组在同样的图像上评分，配对比较仍可能分出高下）。",
);
const DIVERGED: Text = tx(
    "{name} diverged at step {step} and stopped.",
    "{name} 在第 {step} 步发散，已停止。",
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_races_rows_are_the_surface_tables_optimisers_in_the_same_order() {
        for (i, o) in Optimizer::ALL.into_iter().enumerate() {
            assert_eq!(IDS[i], o.id());
            // The table's ids are the race's, but for gradient descent (SGD on a surface).
            if i > 0 {
                assert_eq!(o.testid(), o.id());
            }
            let arm = arm(o.id(), None).unwrap();
            assert_eq!(arm.settings, o.tuned());
            assert_eq!(arm.settings.momentum > 0.0, o.named().momentum > 0.0);
        }
        assert_eq!((IDS[0], Optimizer::Sgd.testid()), ("sgd", "gd"));
        assert_eq!(colour("adam"), Optimizer::Adam.colour());
        assert_eq!(name("sgd").get(Lang::En), "SGD");
        assert_eq!(name("adam").get(Lang::En), "Adam");
        assert!(arm("gd", None).is_none());
    }

    #[test]
    fn the_stylesheets_curve_colours_are_the_swatches() {
        let css = include_str!("style.css");
        for id in IDS {
            let rule = format!(".{} {{ stroke: {};", series_class(id), colour(id));
            assert!(css.contains(&rule), "the lesson's style.css lacks {rule}");
        }
    }
}

#[cfg(test)]
mod more_tests {
    use super::*;

    #[test]
    fn step_fives_note_quotes_the_multiple_of_the_tuned_rates() {
        // "Adam runs at 50 times its tuned rate, RMSprop at more than 100 times" at the one-rate preset.
        let rate = |id| Optimizer::parse(id).unwrap().named().tuned_lr;
        assert_eq!((SAME_LR / rate("adam")).round(), 50.0);
        assert!(SAME_LR / rate("rmsprop") > 100.0);
        let notes = super::super::text::STEPS[4].notes;
        assert!(
            notes
                .get(Lang::En)
                .contains("50 times its tuned rate, RMSprop at more than 100 times")
        );
        assert!(notes.get(Lang::Zh).contains("50 倍，RMSprop 超过 100 倍"));
    }

    #[test]
    fn the_shared_rate_is_taken_only_in_range() {
        assert_eq!(parse_same_lr("0.05"), Some(0.05));
        assert_eq!(parse_same_lr(" 0.3 "), Some(0.3));
        assert_eq!(parse_same_lr("10"), Some(10.0));
        for bad in ["1000", "-1", "0", "NaN", "inf", "", "abc"] {
            assert_eq!(parse_same_lr(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_loss_axis_fits_the_live_arms_and_cuts_only_diverged_ones() {
        let mk = |id: &str| RaceArm {
            id: id.into(),
            settings: arm("sgd", None).unwrap().settings,
        };
        let mut r = RaceView {
            arms: vec![mk("sgd"), mk("adam")],
            losses: vec![vec![2.3, 1.0], vec![30.0, 12.0, 5.0]],
            diverged: vec![None, None],
            ..RaceView::default()
        };
        // Adam's early losses of 30 are shown, not cut flat at 3.
        assert!(loss_top(&r) >= 30.0 && clipped_arms(&r).is_empty());
        r.losses[1] = vec![2.3, 1e9];
        r.diverged[1] = Some((2, 1e9));
        assert_eq!(loss_top(&r), 2.5);
        assert_eq!(clipped_arms(&r), vec![1]);
    }
}
