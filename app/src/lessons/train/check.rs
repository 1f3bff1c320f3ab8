//! "Check yourself" (the last step): two predictions graded by what this page's own run did. The
//! answers live with the page (and in this browser's localStorage), not with the step's panel, so a
//! student can answer, go and do the run the question asks for, and come back to a grade: predict,
//! then run.

use leptos::prelude::*;

use super::config::LessonConfig;
use super::state::{Divergence, State, is_rate_one};
use crate::ui::i18n::{Lang, Text, tx};

/// Steps at a learning rate of 1 before a run that did not blow up is graded.
pub const MIN_STEPS: u64 = 20;
/// Mean loss of the last 10 steps at or above which the run "stalled" (ln 10 ≈ 2.30 is guessing).
pub const STALLED_LOSS: f32 = 2.0;
/// Validation accuracy below which the run "stalled".
pub const STALLED_ACCURACY: f32 = 0.5;
/// Mean loss of the last 10 steps below which the run "trained".
pub const TRAINED_LOSS: f32 = 0.5;

/// What a run at a learning rate of 1 did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Outcome {
    /// The loss became non-finite or passed 20·ln 10 at this step (the run was rolled back).
    BlewUp { step: u64, loss: f32 },
    /// It ran without blowing up, but its loss stayed high or its accuracy low.
    Stalled { loss: f32, accuracy: Option<f32> },
    /// Its loss fell below [`TRAINED_LOSS`] (and its accuracy, once measured, is not low).
    Trained { loss: f32, accuracy: Option<f32> },
}

impl Outcome {
    /// The answer it makes right.
    fn answer(self) -> Q2 {
        match self {
            Outcome::BlewUp { .. } => Q2::Blows,
            Outcome::Stalled { .. } => Q2::Stalls,
            Outcome::Trained { .. } => Q2::Well,
        }
    }
}

/// Grades a run at a learning rate of 1: `blown` is its recorded divergence (it wins: the run was
/// rolled back, but it happened), `steps` the steps taken at that rate since, `loss` the mean of the
/// last 10 of them, `accuracy` the last validation accuracy measured at that rate. `None`: not decided
/// yet (fewer than [`MIN_STEPS`] steps, or a loss between [`TRAINED_LOSS`] and [`STALLED_LOSS`]).
pub fn outcome(
    blown: Option<Divergence>,
    steps: u64,
    loss: Option<f32>,
    accuracy: Option<f32>,
) -> Option<Outcome> {
    if let Some(d) = blown {
        return Some(Outcome::BlewUp {
            step: d.step,
            loss: d.loss,
        });
    }
    let loss = loss.filter(|_| steps >= MIN_STEPS)?;
    if loss >= STALLED_LOSS || accuracy.is_some_and(|a| a < STALLED_ACCURACY) {
        Some(Outcome::Stalled { loss, accuracy })
    } else if loss < TRAINED_LOSS {
        Some(Outcome::Trained { loss, accuracy })
    } else {
        None
    }
}

/// The second question's three answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Q2 {
    Well,
    Stalls,
    Blows,
}

impl Q2 {
    const ALL: [Q2; 3] = [Q2::Well, Q2::Stalls, Q2::Blows];

    fn key(self) -> &'static str {
        match self {
            Q2::Well => "well",
            Q2::Stalls => "stalls",
            Q2::Blows => "blows",
        }
    }

    fn label(self) -> Text {
        match self {
            Q2::Well => tx("It trains well", "训练得好"),
            Q2::Stalls => tx(
                "It stalls (the loss stays high)",
                "停滞不前（损失一直很高）",
            ),
            Q2::Blows => tx("It blows up", "会崩溃"),
        }
    }
}

/// The student's answers, kept for the page's life and in this browser.
#[derive(Clone, Copy)]
pub struct Answers {
    q1: RwSignal<Option<usize>>,
    q2: RwSignal<Option<Q2>>,
    /// The learning rate in effect and the step from which it was (Reset: step 0).
    pub rate: RwSignal<(f32, u64)>,
}

const STORE_KEY: &str = "backprop-lab.train.check";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

impl Answers {
    /// The answers saved in this browser, if any; `lr` is the run's starting rate.
    pub fn load(lr: f32) -> Self {
        let saved = storage()
            .and_then(|s| s.get_item(STORE_KEY).ok().flatten())
            .unwrap_or_default();
        let mut parts = saved.split(',');
        let q1 = parts
            .next()
            .and_then(|v| v.parse::<usize>().ok())
            .filter(|&i| i < OPTIONS.len());
        let q2 = parts
            .next()
            .and_then(|v| Q2::ALL.into_iter().find(|q| q.key() == v));
        let answers = Self {
            q1: RwSignal::new(q1),
            q2: RwSignal::new(q2),
            rate: RwSignal::new((lr, 0)),
        };
        Effect::new(move |_| {
            let line = format!(
                "{},{}",
                answers.q1.get().map_or(String::new(), |i| i.to_string()),
                answers.q2.get().map_or("", Q2::key)
            );
            if let Some(s) = storage() {
                // Private browsing may refuse: the answers still last as long as the page.
                let _ = s.set_item(STORE_KEY, &line);
            }
        });
        answers
    }
}

/// The first question's options: the cross-entropy of an untrained model.
const OPTIONS: [f32; 4] = [0.1, 1.0, 2.3, 10.0];

/// Step 6: questions graded by the run.
pub fn check_panel(
    state: State,
    config: RwSignal<LessonConfig>,
    answers: Answers,
    lang: RwSignal<Lang>,
) -> impl IntoView {
    let Answers { q1, q2, rate } = answers;
    // Q1: the loss of an untrained 10-class model; graded by the run's first step.
    let first_loss = move || {
        state
            .first_loss
            .get()
            .or_else(|| state.losses.with(|l| l.first()))
    };
    let nearest = move || {
        first_loss().map(|f| {
            OPTIONS
                .iter()
                .enumerate()
                .min_by(|a, b| (a.1 - f).abs().total_cmp(&(b.1 - f).abs()))
                .map_or(0, |(i, _)| i)
        })
    };
    // Q2: what a learning rate of 1 does; graded by a run at that rate (its divergence is kept).
    let graded = move || {
        let (lr, since) = rate.get();
        let at_one = is_rate_one(lr) && is_rate_one(config.get().lr);
        let steps = if at_one {
            state.step.get().saturating_sub(since)
        } else {
            0
        };
        let loss = state
            .losses
            .with(|l| (!l.is_empty()).then(|| l.window_mean(false)));
        let accuracy = state.evals.with(|e| {
            e.iter()
                .rev()
                .find(|(s, _, _)| *s > since)
                .map(|&(_, a, _)| a)
        });
        outcome(state.blown_at_one.get(), steps, loss, accuracy)
    };
    let ask1 = tx(
        "1. Before any training, what is the cross-entropy of a 10-class model that gives every class the same probability?",
        "1. 训练开始之前，一个给每个类别相同概率的 10 类模型，交叉熵是多少？",
    );
    let ask2 = tx(
        "2. With a learning rate of 1, will this network train well, stall, or blow up?",
        "2. 学习率为 1 时，这个网络会训练得好、停滞不前，还是会崩溃？",
    );
    let wait1 = tx(
        "Your answer is kept. Start a fresh run (Reset, then Step) on the Train step and come back to see it graded.",
        "你的答案会保留。在“训练”步骤中开始一次新运行（重置后单步），回来即可看到评分。",
    );
    let wait2 = tx(
        "Your answer is kept. Set the learning rate to 1 on the Train step and run it (Start, or the space key); it is graded when it blows up, or after 20 steps at that rate by the rules below.",
        "你的答案会保留。在“训练”步骤中把学习率设为 1 并运行（按“开始”或空格键）；若它崩溃即评分，否则在该学习率下跑满 20 步后按下面的规则评分。",
    );
    let rules = tx(
        "How the run decides: it blew up if the loss became non-finite or passed 20·ln 10 ≈ 46 (the page then rolls back — the blow-up still counts); it stalled if the mean loss of the last 10 steps is 2.0 or more, or the validation accuracy is below 50 %; it trained well if that mean loss is below 0.5. In between, it keeps running until one of these holds.",
        "运行结果的判定：损失变成非有限值或超过 20·ln 10 ≈ 46 即为崩溃（页面随后会回滚——崩溃仍然算数）；最近 10 步的平均损失不低于 2.0，或验证准确率低于 50%，即为停滞；平均损失低于 0.5 即为训练得好。介于两者之间时，继续运行，直到满足其中一条。",
    );
    let right = tx("Right, by this run:", "对了，按本次运行：");
    let wrong = tx("Not this time, by this run:", "这次不对，按本次运行：");
    let again = tx("Answer again", "重新作答");
    let said = move |o: Outcome, lang: Lang| -> String {
        let pct = |a: Option<f32>| {
            a.map_or(String::new(), |a| {
                crate::ui::i18n::percent(lang, f64::from(a), 1)
            })
        };
        match (o, lang) {
            (Outcome::BlewUp { step, loss }, Lang::En) => format!(
                "it blew up at step {step} (loss {}) and was rolled back.",
                crate::ui::formula::num(f64::from(loss))
            ),
            (Outcome::BlewUp { step, loss }, Lang::Zh) => format!(
                "它在第 {step} 步崩溃（损失 {}），并已回滚。",
                crate::ui::formula::num(f64::from(loss))
            ),
            (Outcome::Stalled { loss, accuracy }, Lang::En) => format!(
                "it stalled: mean loss of the last 10 steps {loss:.3}{}.",
                accuracy.map_or(String::new(), |_| format!(
                    ", validation accuracy {}",
                    pct(accuracy)
                ))
            ),
            (Outcome::Stalled { loss, accuracy }, Lang::Zh) => format!(
                "它停滞了：最近 10 步的平均损失 {loss:.3}{}。",
                accuracy.map_or(String::new(), |_| format!("，验证准确率 {}", pct(accuracy)))
            ),
            (Outcome::Trained { loss, accuracy }, Lang::En) => format!(
                "it trained: mean loss of the last 10 steps {loss:.3}{}.",
                accuracy.map_or(String::new(), |_| format!(
                    ", validation accuracy {}",
                    pct(accuracy)
                ))
            ),
            (Outcome::Trained { loss, accuracy }, Lang::Zh) => format!(
                "它训练得好：最近 10 步的平均损失 {loss:.3}{}。",
                accuracy.map_or(String::new(), |_| format!("，验证准确率 {}", pct(accuracy)))
            ),
        }
    };
    view! {
        <div class="panel wide" data-testid="train-check">
            <p>{move || ask1.get(lang.get())}</p>
            <div class="buttons">
                {OPTIONS.iter().enumerate().map(|(i, v)| view! {
                    <button class="secondary" class:chosen=move || q1.get() == Some(i) data-testid=format!("train-q1-{i}")
                        disabled=move || q1.get().is_some() on:click=move |_| q1.set(Some(i))>{v.to_string()}</button>
                }).collect_view()}
                {move || q1.get().map(|_| view! {
                    <button class="link" data-testid="train-q1-again" on:click=move |_| q1.set(None)>{move || again.get(lang.get())}</button>
                })}
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
                {Q2::ALL.into_iter().map(|q| view! {
                    <button class="secondary" class:chosen=move || q2.get() == Some(q) data-testid=format!("train-q2-{}", q.key())
                        disabled=move || q2.get().is_some() on:click=move |_| q2.set(Some(q))>{move || q.label().get(lang.get())}</button>
                }).collect_view()}
                {move || q2.get().map(|_| view! {
                    <button class="link" data-testid="train-q2-again" on:click=move |_| q2.set(None)>{move || again.get(lang.get())}</button>
                })}
            </div>
            <p class="hint" data-testid="train-q2-rules">{move || rules.get(lang.get())}</p>
            {move || q2.get().map(|picked| match graded() {
                Some(o) => {
                    let ok = picked == o.answer();
                    view! {
                        <p data-testid="train-q2-result" data-correct=ok.to_string() data-outcome=o.answer().key()
                            class=if ok { "good" } else { "bad" }>
                            {if ok { right.get(lang.get()) } else { wrong.get(lang.get()) }} " "
                            {move || said(o, lang.get())}</p>
                    }.into_any()
                }
                None => view! { <p class="hint" data-testid="train-q2-wait">{move || wait2.get(lang.get())}</p> }.into_any(),
            })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_at_rate_one_is_graded_blew_up_stalled_or_trained_by_its_numbers() {
        let d = Divergence {
            step: 6,
            loss: 51.99,
            lr: 1.0,
            rolled_back_to: 0,
        };
        // The blow-up counts although the run was rolled back to step 0.
        assert_eq!(
            outcome(Some(d), 0, None, None),
            Some(Outcome::BlewUp {
                step: 6,
                loss: 51.99
            })
        );
        // Not diverging is not training well: loss ≈ ln 10 and 10 % accuracy stalled.
        assert_eq!(
            outcome(None, 40, Some(2.30), Some(0.1)),
            Some(Outcome::Stalled {
                loss: 2.30,
                accuracy: Some(0.1)
            })
        );
        // A low loss but a low accuracy is not "trained".
        assert!(matches!(
            outcome(None, 40, Some(0.3), Some(0.4)),
            Some(Outcome::Stalled { .. })
        ));
        assert!(matches!(
            outcome(None, 40, Some(0.3), Some(0.9)),
            Some(Outcome::Trained { .. })
        ));
        assert!(matches!(
            outcome(None, 40, Some(0.3), None),
            Some(Outcome::Trained { .. })
        ));
        // Too few steps, or between the bands: not decided yet.
        assert_eq!(outcome(None, MIN_STEPS - 1, Some(2.3), None), None);
        assert_eq!(outcome(None, 40, Some(1.0), Some(0.7)), None);
        assert_eq!(Outcome::BlewUp { step: 1, loss: 1.0 }.answer(), Q2::Blows);
    }
}
