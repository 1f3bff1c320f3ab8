//! Step 6, check yourself: predict, then run. The first two questions are graded by the surfaces' paths
//! (the same update code the network trains with), the third by a race on the live model (Adam at
//! SGD's tuned rate, 200 steps from one initialisation on one batch stream).

use kernels::race::{TUNED, tuned_config};
use kernels::surface::Surface;
use leptos::prelude::*;

use super::panels::{count, overshoots};
use super::playground::{self, MAX_STEPS, TOLERANCE};
use super::protocol::{OpToWorker, RaceTag};
use super::race::{RaceCharts, band, name};
use super::state::{OpClient, OpState};
use super::text::ui;
use super::{Choice, Optimiser, Setup};
use crate::ui::i18n::{Lang, Text, percent, tx};

fn lang() -> RwSignal<Lang> {
    expect_context::<RwSignal<Lang>>()
}

/// The two questions' settings: best settings at κ = 100, and μ 0.9 against 0.99 at κ = 10.
fn question_runs(q: usize) -> (Option<usize>, Option<usize>, usize) {
    if q == 1 {
        let setup = Setup {
            kappa: 100.0,
            ..Setup::default()
        };
        let runs = playground::runs(&setup, &setup.choices(), [1.0, 1.0]);
        (
            count(&runs, Optimiser::Gd),
            count(&runs, Optimiser::Momentum),
            0,
        )
    } else {
        let s = Surface::Quadratic { kappa: 10.0 };
        let run = |mu| {
            let c = Choice {
                id: Optimiser::Momentum,
                enabled: true,
                lr: 0.05,
                mu,
            };
            kernels::surface::path(&s, &c.config(), [-1.5, 1.0], MAX_STEPS, TOLERANCE)
        };
        let (calm, wild) = (run(0.9), run(0.99));
        (calm.iterations, wild.iterations, overshoots(&wild.points))
    }
}

/// Step 6: predict, then run.
#[component]
pub fn Quiz(client: OpClient, state: OpState) -> impl IntoView {
    let lang = lang();
    let q1 = RwSignal::new(None::<usize>);
    let q2 = RwSignal::new(None::<usize>);
    let questions = [
        (
            q1,
            1,
            tx(
                "At κ = 100, both at their best settings: which reaches 1/1000 of the distance first?",
                "κ = 100、两者都用最佳设置时：谁先把距离缩小到 1/1000？",
            ),
            [
                tx("gradient descent", "梯度下降"),
                tx("momentum, about ten times sooner", "动量，约快十倍"),
                tx("about the same", "差不多"),
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
            let result = move || {
                picked.get().map(|choice| {
                    let (a, b, swings) = question_runs(q);
                    let right = if q == 1 {
                        match (a, b) {
                            // "About ten times sooner" needs at least 5×; gradient descent
                            // first is option 0; anything between is "about the same".
                            (Some(gd), Some(hb)) if hb * 5 <= gd => 1,
                            (Some(gd), Some(hb)) if gd < hb => 0,
                            (Some(_), None) => 0,
                            _ => 2,
                        }
                    } else {
                        match (a, b) {
                            (Some(calm), Some(wild)) if wild < calm => 0,
                            (_, None) if swings == 0 => 2,
                            _ => 1,
                        }
                    };
                    let show = |n: Option<usize>| n.map_or(format!("> {MAX_STEPS}"), |n| n.to_string());
                    let detail = if q == 1 {
                        format!("{} {} · {} {}", Optimiser::Gd.name().get(lang.get()), show(a), Optimiser::Momentum.name().get(lang.get()), show(b))
                    } else {
                        format!("μ 0.9: {} · μ 0.99: {} ({swings}×)", show(a), show(b))
                    };
                    let good = choice == right;
                    view! {
                        <p data-testid=format!("opt-q{q}-result") data-correct=good.to_string() class=if good { "good" } else { "bad" }>
                            {move || if good { ui::RIGHT.get(lang.get()) } else { ui::WRONG.get(lang.get()) }} " " {detail}</p>
                    }
                })
            };
            view! {
                <p>{move || question.get(lang.get())}</p>
                <div class="buttons">
                    {options.into_iter().enumerate().map(|(i, o)| view! {
                        <button class="secondary" data-testid=format!("opt-q{q}-{i}") disabled=move || picked.get().is_some()
                            on:click=move |_| picked.set(Some(i))>{move || o.get(lang.get())}</button>
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
fn AdamQuestion(client: OpClient, state: OpState) -> impl IntoView {
    let lang = lang();
    let picked = RwSignal::new(None::<usize>);
    let rate = TUNED[0].3;
    let ask = move |i: usize| {
        picked.set(Some(i));
        let arms = ["sgd", "adam"]
            .iter()
            .filter_map(|&id| TUNED.iter().find(|r| r.0 == id))
            .map(|&row| super::protocol::RaceArm {
                id: row.0.to_string(),
                settings: tuned_config(row, rate).into(),
            })
            .collect();
        client.send(&OpToWorker::Race {
            tag: RaceTag::Quiz,
            arms,
            steps: Q3_STEPS,
        });
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
                    "{} {} · {} {} ({Q3_STEPS} {})",
                    name("sgd").get(l),
                    percent(l, f64::from(sgd), 1),
                    name("adam").get(l),
                    adam_text,
                    ui::STEP_WORD.get(l)
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
                    on:click=move |_| ask(i)>{move || o.get(lang.get())}</button>
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
const Q3_RUNNING: Text = tx(
    "Racing SGD and Adam at that rate…",
    "正在以这个学习率让 SGD 和 Adam 比赛…",
);
