//! Step 6, check yourself: predict, then run. The first two questions are graded by the surfaces' paths
//! (the same update code the network trains with), the third by a race on the live model (Adam at
//! SGD's tuned rate, 200 steps from one initialisation on one batch stream).

use kernels::Optimizer;
use kernels::surface::Surface;
use leptos::prelude::*;

use super::panels::{count, overshoots};
use super::playground::{self, MAX_STEPS, TOLERANCE};
use super::protocol::Client;
use super::protocol::{Command, RaceTag};
use super::race::{RaceCharts, band, name};
use super::state::State;
use super::text::ui;
use super::{Choice, Setup, Shown};
use crate::ui::i18n::{Lang, Text, percent, tx};

fn lang() -> RwSignal<Lang> {
    expect_context::<RwSignal<Lang>>()
}

/// What the first two questions' runs measured: question 1, gradient descent's and momentum's
/// iterations at their best settings at κ = 100; question 2, momentum's at μ 0.9 and 0.99 at κ = 10,
/// the crossings of μ 0.99's path and how far it moved at all.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Measured {
    /// Gradient descent's (q1) or μ 0.9's (q2) arrival (the iteration from which it stays within 1/1000
    /// of the start's distance), if within the cap.
    pub a: Option<usize>,
    /// Momentum's (q1) or μ 0.99's (q2).
    pub b: Option<usize>,
    /// Times μ 0.99's path crosses the minimum along the flat direction (q2).
    pub swings: usize,
    /// The farthest μ 0.99's path got from its start (q2).
    pub moved: f64,
    /// The iterations at which μ 0.9's and μ 0.99's paths first came within 1/1000, before they
    /// left again (q2).
    pub first: [Option<usize>; 2],
}

fn question_runs(q: usize) -> Measured {
    if q == 1 {
        let setup = Setup {
            kappa: 100.0,
            ..Setup::default()
        };
        let runs = playground::runs(&setup, &setup.choices(), [1.0, 1.0]);
        Measured {
            a: count(&runs, Optimizer::Sgd),
            b: count(&runs, Optimizer::Momentum),
            swings: 0,
            moved: 0.0,
            first: [None; 2],
        }
    } else {
        let s = Surface::Quadratic { kappa: 10.0 };
        let start = [-1.5, 1.0];
        let run = |mu| {
            let c = Choice {
                id: Optimizer::Momentum,
                enabled: true,
                lr: 0.05,
                mu,
            };
            kernels::surface::path(&s, &c.config(), start, MAX_STEPS, TOLERANCE)
        };
        let (calm, wild) = (run(0.9), run(0.99));
        let moved = wild
            .points
            .iter()
            .map(|p| (p[0] - start[0]).hypot(p[1] - start[1]))
            .fold(0.0, f64::max);
        Measured {
            a: calm.iterations,
            b: wild.iterations,
            swings: overshoots(&wild.points),
            moved,
            first: [calm.first_entry, wild.first_entry],
        }
    }
}

/// How many times fewer iterations counts as "at least twice as fast" (the option says so).
pub const SEVERAL: f64 = 2.0;

/// Question 1's right option from the page's own counts: 1 (momentum, at least twice as fast) when
/// gradient descent needed at least [`SEVERAL`] times momentum's iterations (a count past the cap
/// counts as the cap, a lower bound); 0 (gradient descent) when it arrived first or alone; 2
/// (momentum, but less than twice as fast, or a tie) otherwise.
pub fn q1_right(gd: Option<usize>, hb: Option<usize>) -> usize {
    let cap = MAX_STEPS as f64;
    match (gd, hb) {
        (Some(gd), Some(hb)) if gd < hb => 0,
        (Some(_), None) => 0,
        (gd, Some(hb)) if gd.map_or(cap, |n| n as f64) >= SEVERAL * hb as f64 => 1,
        _ => 2,
    }
}

/// Question 2's right option: 2 (never moves) when μ 0.99's path stayed put; 0 (arrives sooner) when
/// it arrived no later than μ 0.9's; 1 (swings past and arrives later) otherwise.
pub fn q2_right(m: &Measured) -> usize {
    match (m.a, m.b) {
        _ if m.moved < 1e-6 => 2,
        (calm, Some(wild)) if calm.is_none_or(|calm| wild <= calm) => 0,
        _ => 1,
    }
}

/// Step 6: predict, then run.
#[component]
pub fn Quiz(client: Client, state: State) -> impl IntoView {
    let lang = lang();
    let q1 = RwSignal::new(None::<usize>);
    let q2 = RwSignal::new(None::<usize>);
    let questions = [
        (
            q1,
            1,
            tx(
                "At κ = 100, both at their best settings: which arrives first (stays within 1/1000 of the start's distance from then on)?",
                "κ = 100、两者都用最佳设置时：谁先到达（此后距离一直不超过起点的 1/1000）？",
            ),
            [
                tx("gradient descent", "梯度下降"),
                tx("momentum, at least twice as fast", "动量，至少快一倍"),
                tx(
                    "momentum, but less than twice as fast (or a tie)",
                    "动量，但快不到一倍（或打平）",
                ),
            ],
        ),
        (
            q2,
            2,
            tx(
                "On a κ = 10 valley with lr 0.05, momentum 0.9 arrives. What does μ = 0.99 do?",
                "在 κ = 10 的山谷中、学习率 0.05 时，动量 0.9 能到达。μ = 0.99 会怎样？",
            ),
            [
                tx("arrives sooner", "更快到达"),
                tx(
                    "swings past the minimum and arrives later",
                    "冲过极小值来回摆动，更晚到达",
                ),
                tx("never moves", "完全不动"),
            ],
        ),
    ];
    let body = questions
        .into_iter()
        .map(|(picked, q, question, options)| {
            // The paths are the same whatever is picked: measured once, graded by those numbers.
            let m = question_runs(q);
            let right = if q == 1 { q1_right(m.a, m.b) } else { q2_right(&m) };
            let result = move || {
                picked.get().map(|choice| {
                    let l = lang.get();
                    let detail = if q == 1 { q1_detail(&m, l) } else { q2_detail(&m, l) };
                    let ratio = match (m.a, m.b) {
                        (Some(a), Some(b)) => (a as f64 / b.max(1) as f64).to_string(),
                        _ => String::new(),
                    };
                    let good = choice == right;
                    view! {
                        <p data-testid=format!("opt-q{q}-result") data-correct=good.to_string() data-right=right.to_string()
                            data-a=m.a.map(|n| n.to_string()).unwrap_or_default() data-b=m.b.map(|n| n.to_string()).unwrap_or_default()
                            data-ratio=ratio class=if good { "good" } else { "bad" }>
                            {if good { ui::RIGHT.get(l) } else { ui::WRONG.get(l) }} " " {detail}</p>
                    }
                })
            };
            view! {
                <p>{move || question.get(lang.get())}</p>
                <div class="buttons">
                    {options.into_iter().enumerate().map(|(i, o)| view! {
                        <button class="secondary" data-testid=format!("opt-q{q}-{i}") disabled=move || picked.get().is_some()
                            class:good=move || picked.get().is_some() && i == right
                            class:bad=move || picked.get() == Some(i) && i != right
                            data-right=move || picked.get().map(|_| (i == right).to_string())
                            on:click=move |_| picked.set(Some(i))>
                            {move || if picked.get().is_some() && i == right { "✓ " } else { "" }}
                            {move || o.get(lang.get())}</button>
                    }).collect_view()}
                </div>
                {result}
            }
        })
        .collect_view();
    view! {
        <section class="panel wide" data-testid="opt-quiz">
            {body}
            <AdamQuestion client=client state=state />
        </section>
    }
}

fn show(n: Option<usize>) -> String {
    n.map_or(format!("> {MAX_STEPS}"), |n| n.to_string())
}

/// Question 1's numbers: both counts and the ratio the grade used.
fn q1_detail(m: &Measured, l: Lang) -> String {
    let counts = format!(
        "{} {} · {} {}",
        Optimizer::Sgd.name().get(l),
        show(m.a),
        Optimizer::Momentum.name().get(l),
        show(m.b)
    );
    match (m.a, m.b) {
        (Some(gd), Some(hb)) => format!(
            "{counts}: {}",
            Q1_RATIO
                .get(l)
                .replace("{ratio}", &format!("{:.1}", gd as f64 / hb.max(1) as f64))
                .replace("{several}", &format!("{SEVERAL}"))
        ),
        _ => counts,
    }
}

/// Question 2's numbers: each μ's iterations, their ratio, and the crossings, each named.
fn q2_detail(m: &Measured, l: Lang) -> String {
    let mut out = Q2_COUNTS
        .get(l)
        .replace("{calm}", &show(m.a))
        .replace("{wild}", &show(m.b));

    if let (Some(calm), Some(wild)) = (m.a, m.b) {
        out.push_str(&Q2_RATIO.get(l).replace(
            "{ratio}",
            &format!("{:.1}", wild as f64 / calm.max(1) as f64),
        ));
    }
    // Said only when both paths did leave the ball after their first pass.
    if m.first[0] < m.a && m.first[1] < m.b && m.first.iter().all(Option::is_some) {
        out.push_str(
            &Q2_FIRST
                .get(l)
                .replace("{calm_first}", &show(m.first[0]))
                .replace("{wild_first}", &show(m.first[1])),
        );
    }
    out.push_str(&Q2_SWINGS.get(l).replace("{n}", &m.swings.to_string()));
    out
}

const Q1_RATIO: Text = tx(
    "momentum needed {ratio}× fewer iterations ({several}× or more counts as at least twice as fast).",
    "梯度下降所需迭代次数是动量的 {ratio} 倍（达到 {several} 倍及以上才算“至少快一倍”）。",
);
const Q2_COUNTS: Text = tx(
    "μ 0.9 arrived (stayed within 1/1000 from then on) at iteration {calm}, μ 0.99 at {wild}",
    "μ 0.9 在第 {calm} 次迭代到达（此后一直在 1/1000 范围内），μ 0.99 在第 {wild} 次",
);
const Q2_FIRST: Text = tx(
    "; they first came within 1/1000 at {calm_first} and {wild_first}, and swung out again before staying",
    "；两者首次进入 1/1000 范围分别在第 {calm_first} 和第 {wild_first} 次，之后又摆了出去，后来才稳定下来",
);
const Q2_RATIO: Text = tx(" ({ratio}× as many)", "（是前者的 {ratio} 倍）");
const Q2_SWINGS: Text = tx(
    "; before arriving, μ 0.99's path crossed the minimum {n} times along the flat direction.",
    "；到达之前，μ 0.99 的路径在平坦方向上穿过极小值 {n} 次。",
);

/// Steps of the third question's race.
pub const Q3_STEPS: u32 = 200;

/// The third question's grade from its race: 0 Adam higher, 1 about the same (the 95 % bands
/// overlap), 2 SGD higher; `None` until both have an accuracy at the last step (an arm that diverged
/// counts as 10 %, chance).
pub fn adam_grade(r: &super::state::RaceView) -> Option<(usize, f32, f32)> {
    if !r.done {
        return None;
    }
    let acc = |id: &str| {
        let i = r.index(id)?;
        match r.diverged[i] {
            Some(_) => Some(0.1),
            None => r.last_accuracy(i).map(|a| a.1),
        }
    };
    let (sgd, adam) = (acc("sgd")?, acc("adam")?);
    let (bs, ba) = (band(sgd, r.test), band(adam, r.test));
    let grade = if adam - ba > sgd + bs {
        0
    } else if sgd - bs > adam + ba {
        2
    } else {
        1
    };
    Some((grade, sgd, adam))
}

/// Question 3: Adam at SGD's tuned rate, graded by a race the answer starts.
#[component]
fn AdamQuestion(client: Client, state: State) -> impl IntoView {
    let lang = lang();
    let picked = RwSignal::new(None::<usize>);
    let rate = Optimizer::Sgd.named().tuned_lr;
    let ask = move |i: usize| {
        picked.set(Some(i));
        let arms = [Optimizer::Sgd, Optimizer::Adam]
            .map(|o| super::protocol::RaceArm {
                id: o.id().to_string(),
                settings: o.config(rate),
            })
            .into();
        client.send(&Command::Race {
            tag: RaceTag::Quiz,
            arms,
            steps: Q3_STEPS,
        });
    };
    // The right option once the race that grades it has finished (after an answer only).
    let right = move || {
        picked.get()?;
        state
            .quiz
            .with(|r| r.as_ref().and_then(adam_grade))
            .map(|g| g.0)
    };
    let result = move || {
        let choice = picked.get()?;
        let l = lang.get();
        Some(match state.quiz.get().as_ref().and_then(adam_grade) {
            None => view! { <p class="hint" data-testid="opt-q3-running">{Q3_RUNNING.get(l)}</p> }
                .into_any(),
            Some((right, sgd, adam)) => {
                let good = choice == right;
                let adam_diverged = state.quiz.with(|r| {
                    r.as_ref()
                        .and_then(|r| r.index("adam").map(|i| r.diverged[i]))
                        .flatten()
                });
                let adam_text = match adam_diverged {
                    Some((step, _)) => ui::DIVERGED_AT_STEP
                        .get(l)
                        .replace("{step}", &step.to_string()),
                    None => percent(l, f64::from(adam), 1),
                };
                let detail = format!(
                    "{} {} · {} {} ({Q3_STEPS} {}). {}",
                    name("sgd").get(l),
                    percent(l, f64::from(sgd), 1),
                    name("adam").get(l),
                    adam_text,
                    ui::STEP_WORD.get(l),
                    Q3_RULE.get(l).replace(
                        "{n}",
                        &crate::ui::i18n::grouped(
                            state.quiz.with(|r| r.as_ref().map_or(0, |r| r.test))
                        )
                    )
                );
                view! {
                    <p data-testid="opt-q3-result" data-correct=good.to_string() class=if good { "good" } else { "bad" }>
                        {if good { ui::RIGHT.get(l) } else { ui::WRONG.get(l) }} " " {detail}</p>
                }
                .into_any()
            }
        })
    };
    let options: [Text; 3] = [
        tx("Adam is more accurate", "Adam 更准确"),
        tx("about the same", "差不多"),
        tx("SGD is more accurate", "SGD 更准确"),
    ];
    view! {
        <p>{move || Q3.get(lang.get()).replace("{lr}", &rate.to_string()).replace("{steps}", &Q3_STEPS.to_string())}</p>
        <div class="buttons">
            {options.into_iter().enumerate().map(|(i, o)| { let ask = ask.clone(); view! {
                <button class="secondary" data-testid=format!("opt-q3-{i}")
                    disabled=move || picked.get().is_some() || state.data.get().is_none() || state.running.get().is_some()
                    class:good=move || right() == Some(i)
                    class:bad=move || picked.get() == Some(i) && right().is_some_and(|r| r != i)
                    data-right=move || right().map(|r| (r == i).to_string())
                    on:click=move |_| ask(i)>
                    {move || if right() == Some(i) { "✓ " } else { "" }}
                    {move || o.get(lang.get())}</button>
            } }).collect_view()}
        </div>
        {result}
        <div class:hidden=move || picked.get().is_none()>
            <RaceCharts race=state.quiz prefix="quiz" />
        </div>
    }
}

const Q3: Text = tx(
    "SGD trains this network well at a learning rate of {lr}. Give Adam the same rate: after {steps} steps on the same batches, which has the higher test accuracy?",
    "SGD 在学习率 {lr} 下能很好地训练这个网络。让 Adam 用同样的学习率：在同样的批次上训练 {steps} 步之后，谁的测试准确率更高？",
);
const Q3_RULE: Text = tx(
    "Graded by the 95 % bands on the same {n} test images: \"more accurate\" only when they do not overlap — a conservative rule (a paired comparison on those images could separate closer results).",
    "按同样 {n} 张测试图像上的 95% 区间评判：只有区间不重叠才算“更准确”——这是偏保守的判据（在这些图像上做配对比较，能分出更接近的结果）。",
);
const Q3_RUNNING: Text = tx(
    "Racing SGD and Adam at that rate…",
    "正在以这个学习率让 SGD 和 Adam 比赛…",
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_option_of_the_first_two_questions_can_be_the_right_one() {
        // Question 1, by the ratio of the counts.
        assert_eq!(q1_right(Some(346), Some(56)), 1);
        assert_eq!(q1_right(Some(35), Some(15)), 1);
        assert_eq!(q1_right(Some(30), Some(20)), 2);
        assert_eq!(q1_right(Some(20), Some(20)), 2);
        assert_eq!(q1_right(Some(10), Some(20)), 0);
        assert_eq!(q1_right(Some(10), None), 0);
        assert_eq!(q1_right(None, Some(100)), 1);
        assert_eq!(q1_right(None, Some(MAX_STEPS - 1)), 2);
        assert_eq!(q1_right(None, None), 2);
        // Question 2.
        let m = |a, b, moved| Measured {
            a,
            b,
            swings: 3,
            moved,
            first: [None; 2],
        };
        assert_eq!(q2_right(&m(Some(129), Some(1371), 2.0)), 1);
        assert_eq!(q2_right(&m(Some(78), None, 2.0)), 1);
        assert_eq!(q2_right(&m(Some(78), Some(50), 2.0)), 0);
        assert_eq!(q2_right(&m(None, Some(50), 2.0)), 0);
        assert_eq!(q2_right(&m(Some(78), None, 0.0)), 2);
    }

    #[test]
    fn the_pages_own_runs_grade_the_first_two_questions() {
        let q1 = question_runs(1);
        let (gd, hb) = (q1.a.unwrap(), q1.b.unwrap());
        // About 6× at κ = 100 from (1, 1): "at least twice as fast", and not the "ten times" of √κ.
        assert!(gd >= 5 * hb && gd < 8 * hb, "gd {gd}, momentum {hb}");
        assert_eq!(q1_right(q1.a, q1.b), 1);
        let q2 = question_runs(2);
        assert!(q2.swings > 0 && q2.b.unwrap() > q2.a.unwrap(), "{q2:?}");
        // Arrival is staying, not the first pass: both paths enter the ball and leave it again first
        // (78 and 678 against 129 and 1,371 from (−1.5, 1)).
        assert!(
            q2.first[0].unwrap() < q2.a.unwrap() && q2.first[1].unwrap() < q2.b.unwrap(),
            "{q2:?}"
        );
        assert_eq!(q2_right(&q2), 1);
        let text = q2_detail(&q2, Lang::En);
        assert!(
            text.contains("× as many") && text.contains("crossed the minimum"),
            "{text}"
        );
    }
}
