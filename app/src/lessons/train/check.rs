//! "Check yourself" (the last step): two predictions graded by what this page's own run did. The
//! answers live with the page (and in this browser's localStorage), not with the step's panel, so a
//! student can answer, go and do the run the question asks for, and come back to a grade: predict,
//! then run.

use leptos::prelude::*;

use super::setup::Setup;
use super::state::{Divergence, RunOrigin, State, is_rate_one};
use crate::ui::i18n::{Lang, Text, tx};

/// While a run at a learning rate of 1 goes on, it is called stalled or trained only once it has been
/// evaluated at this step or later (one evaluation at the default interval): a loss that is high but
/// finite early on may still blow up, and a blow-up is reported only in the burst where it happens.
pub const MIN_STEPS: u64 = 300;
/// Mean loss of the last 10 steps at or above which the run "stalled" (ln 10 ≈ 2.30 is guessing).
pub const STALLED_LOSS: f32 = 2.0;
/// Validation accuracy below which the run "stalled".
pub const STALLED_ACCURACY: f32 = 0.5;
/// Mean loss of the last 10 steps below which the run may be "trained".
pub const TRAINED_LOSS: f32 = 0.5;
/// Validation accuracy a "trained" run needs once one is measured (50 % would be a weak network).
pub const TRAINED_ACCURACY: f32 = 0.9;

/// What a run at a learning rate of 1 did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Outcome {
    /// The loss became non-finite or passed 20·ln 10 at this step (the run was rolled back).
    BlewUp { step: u64, loss: f32 },
    /// It ran without blowing up, but its loss stayed high or its accuracy low.
    Stalled { loss: f32, accuracy: Option<f32> },
    /// Its loss fell below [`TRAINED_LOSS`] with a validation accuracy of at least
    /// [`TRAINED_ACCURACY`] (or, before any is measured, its loss alone).
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

/// Grades a run at a learning rate of 1: `blown` is its recorded divergence (the run was rolled
/// back, but it happened), `loss` the mean of its last 10 steps, `eval` its last validation evaluation
/// (step, accuracy), `ended` whether the run has finished. `None`: not decided yet — while the run goes
/// on, until it has been evaluated at step [`MIN_STEPS`] or later (before that it may still blow up),
/// or between the bands; an ended run is always decided, so the wait is never for ever.
pub fn outcome(
    blown: Option<Divergence>,
    loss: Option<f32>,
    eval: Option<(u64, f32)>,
    ended: bool,
) -> Option<Outcome> {
    if let Some(d) = blown {
        return Some(Outcome::BlewUp {
            step: d.step,
            loss: d.loss,
        });
    }
    let settled = ended || eval.is_some_and(|(at, _)| at >= MIN_STEPS);
    let loss = loss.filter(|_| settled)?;
    let accuracy = eval.map(|(_, a)| a);
    if loss >= STALLED_LOSS || accuracy.is_some_and(|a| a < STALLED_ACCURACY) {
        return Some(Outcome::Stalled { loss, accuracy });
    }
    let trained = loss < TRAINED_LOSS && accuracy.is_none_or(|a| a >= TRAINED_ACCURACY);
    if trained {
        Some(Outcome::Trained { loss, accuracy })
    } else if ended {
        // The run is over: a network that never reached the bar did not train well.
        match accuracy {
            Some(a) if a >= TRAINED_ACCURACY => Some(Outcome::Trained { loss, accuracy }),
            _ => Some(Outcome::Stalled { loss, accuracy }),
        }
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
            Q2::Blows => tx("It blows up", "发散（损失爆炸）"),
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

/// While the second answer waits for its run.
const WAIT2: Text = tx(
    "Your answer is kept. Reset, set the learning rate to 1, then Start (on the Train step). Only a run that starts at rate 1 from a fresh initialisation is graded: when it blows up, once it has been evaluated at step 300 or later (by the rules below), or when it ends.",
    "你的答案会保留。在“训练”步骤中重置，把学习率设为 1，然后按“开始”。只有从新的初始化开始、一直以学习率 1 运行的那次运行才会评分：发散时立即评分；否则在第 300 步或之后完成一次评估时按下面的规则评分，或在运行结束时评分。",
);

/// How the second question is decided (the numbers are [`outcome`]'s constants; a test checks them).
const RULES: Text = tx(
    "How the run decides: it blew up if the loss became non-finite or passed 20·ln 10 ≈ 46 (the page then rolls back — the blow-up still counts). A run that has not blown up is judged only once it has been evaluated at step 300 or later, or has ended: a loss that is high early on may still blow up. Then it stalled if the mean loss of the last 10 steps is 2.0 or more, or the validation accuracy is below 50 %; it trained well if that mean loss is below 0.5 and the validation accuracy, once measured, is at least 90 %. In between, it keeps running; when the run ends, it trained well if the validation accuracy is at least 90 %, otherwise it stalled.",
    "运行结果的判定：损失变成非有限值或超过 20·ln 10 ≈ 46 即为发散（损失爆炸；页面随后会回滚——发散仍然算数）。没有发散的运行，要到它在第 300 步或之后完成一次评估、或运行结束时才评判：开始时损失很高的运行之后仍可能发散。届时，最近 10 步的平均损失不低于 2.0，或验证准确率低于 50%，即为停滞；平均损失低于 0.5 且验证准确率（测得之后）不低于 90%，即为训练得好。介于两者之间时继续运行；运行结束时，验证准确率不低于 90% 即为训练得好，否则为停滞。",
);

/// Step 7: the first question graded against ln 10, the second by the run.
pub fn check_panel(
    state: State,
    config: RwSignal<Setup>,
    answers: Answers,
    lang: RwSignal<Lang>,
) -> impl IntoView {
    let Answers { q1, q2, rate } = answers;
    // Q1: the loss of an untrained 10-class model, graded against ln 10 (the analytic answer);
    // the run's first loss is shown as support, and only called untrained when it is one.
    let first_loss = move || {
        state
            .first_loss
            .get()
            .or_else(|| state.losses.with(|l| l.first()))
    };
    let key1 = OPTIONS
        .iter()
        .enumerate()
        .min_by(|a, b| {
            (a.1 - std::f32::consts::LN_10)
                .abs()
                .total_cmp(&(b.1 - std::f32::consts::LN_10).abs())
        })
        .map_or(0, |(i, _)| i);
    // Q2: what a learning rate of 1 does; graded only by a run that started from a fresh
    // initialisation at that rate (from step 0), the latest one (a reset forgets older blow-ups).
    let graded = move || {
        let (lr, since) = rate.get();
        let at_one = is_rate_one(lr) && is_rate_one(config.get().lr);
        if !(at_one && since == 0 && state.origin.get() == RunOrigin::Fresh) {
            return None;
        }
        let loss = state
            .losses
            .with(|l| (!l.is_empty()).then(|| l.window_mean(false)));
        let eval = state.evals.with(|e| e.last().map(|&(at, a, _)| (at, a)));
        outcome(state.blown_at_one.get(), loss, eval, state.finished.get())
    };
    let ask1 = tx(
        "1. Before any training, what loss will this network's first step show? (A model giving every class the same probability has H = ?)",
        "1. 训练开始之前，这个网络第一步会显示多大的损失？（一个给每个类别相同概率的模型，H = ?）",
    );
    let ask2 = tx(
        "2. With a learning rate of 1, will this network train well, stall, or blow up?",
        "2. 学习率为 1 时，这个网络会训练得好、停滞不前，还是会发散（损失爆炸）？",
    );
    let no_run1 = tx(
        "Step the Train step after a Reset to see a fresh run's first loss.",
        "在“训练”步骤中重置后单步，即可看到一次新运行的第一个损失。",
    );
    let run1 = tx("This run's first step showed", "本次运行第一步的损失是");
    let loaded1 = tx(
        "(this run started from a loaded model, so its first loss is not an untrained one)",
        "（本次运行从载入的模型开始，所以它的第一个损失不是未训练模型的损失）",
    );
    let resumed1 = tx(
        "This run was resumed from this browser: Reset and Step on the Train step to see a fresh run's first loss.",
        "本次运行是在这个浏览器中接着上次继续的：在“训练”步骤中重置后单步，即可看到一次新运行的第一个损失。",
    );
    let wait2 = WAIT2;
    let rules = RULES;
    let key_said = tx(
        " H ≈ ln 10 ≈ 2.303: small random weights give nearly equal probabilities, about 0.1 each.",
        "H ≈ ln 10 ≈ 2.303：很小的随机权重给出几乎相等的概率，每类约 0.1。",
    );
    let stop = |lang: Lang| if lang == Lang::En { "." } else { "。" };
    let right1 = tx("Right:", "对了：");
    let wrong1 = tx("Not quite:", "不太对：");
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
                "它在第 {step} 步发散（损失爆炸，损失 {}），并已回滚。",
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
            {move || q1.get().map(|picked| view! {
                <p data-testid="train-q1-result" data-correct=(picked == key1).to_string() class=if picked == key1 { "good" } else { "bad" }>
                    {move || if picked == key1 { right1.get(lang.get()) } else { wrong1.get(lang.get()) }}
                    {move || key_said.get(lang.get())}</p>
                <p class="hint" data-testid="train-q1-run" data-fresh=move || (state.origin.get() == RunOrigin::Fresh).to_string()>
                    {move || match first_loss() {
                        _ if state.origin.get() == RunOrigin::Resumed => resumed1.get(lang.get()).to_string(),
                        Some(f) if state.origin.get() == RunOrigin::Fresh => format!("{} {f:.3}{}", run1.get(lang.get()), stop(lang.get())),
                        Some(f) => format!("{} {f:.3} {}", run1.get(lang.get()), loaded1.get(lang.get())),
                        None => no_run1.get(lang.get()).to_string(),
                    }}</p>
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
            outcome(Some(d), None, None, false),
            Some(Outcome::BlewUp {
                step: 6,
                loss: 51.99
            })
        );
        let at = |a| Some((MIN_STEPS, a));
        // Not diverging is not training well: loss ≈ ln 10 and 10 % accuracy stalled.
        assert_eq!(
            outcome(None, Some(2.30), at(0.1), false),
            Some(Outcome::Stalled {
                loss: 2.30,
                accuracy: Some(0.1)
            })
        );
        // A low loss but a low accuracy is not "trained".
        assert!(matches!(
            outcome(None, Some(0.3), at(0.4), false),
            Some(Outcome::Stalled { .. })
        ));
        assert!(matches!(
            outcome(None, Some(0.3), at(0.9), false),
            Some(Outcome::Trained { .. })
        ));
        // 50–90 % accuracy with a low loss is not "trained" yet: it waits while the run goes on...
        assert_eq!(outcome(None, Some(0.3), at(0.7), false), None);
        // ...and an ended run is always decided: below 90 % it stalled, at 90 % or more it trained.
        assert!(matches!(
            outcome(None, Some(0.3), at(0.7), true),
            Some(Outcome::Stalled { .. })
        ));
        assert!(matches!(
            outcome(None, Some(1.0), Some((40, 0.92)), true),
            Some(Outcome::Trained { .. })
        ));
        assert!(matches!(
            outcome(None, Some(1.0), None, true),
            Some(Outcome::Stalled { .. })
        ));
        assert!(matches!(
            outcome(None, Some(0.3), None, true),
            Some(Outcome::Trained { .. })
        ));
        assert_eq!(outcome(None, Some(1.0), at(0.7), false), None);
        assert_eq!(Outcome::BlewUp { step: 1, loss: 1.0 }.answer(), Q2::Blows);
    }

    #[test]
    fn a_running_run_is_not_called_stalled_or_trained_before_an_evaluation_at_step_300() {
        // A high but finite loss after 20 (or 299) steps may still blow up: it waits.
        assert_eq!(outcome(None, Some(8.0), None, false), None);
        assert_eq!(outcome(None, Some(8.0), Some((60, 0.1)), false), None);
        assert_eq!(
            outcome(None, Some(0.3), Some((MIN_STEPS - 1, 0.95)), false),
            None
        );
        // Evaluated at step 300 or later without blowing up: decided.
        assert!(matches!(
            outcome(None, Some(8.0), Some((MIN_STEPS, 0.1)), false),
            Some(Outcome::Stalled { .. })
        ));
        assert!(matches!(
            outcome(None, Some(0.3), Some((420, 0.95)), false),
            Some(Outcome::Trained { .. })
        ));
        // An ended run is decided whatever its length.
        assert!(matches!(
            outcome(None, Some(8.0), Some((8, 0.1)), true),
            Some(Outcome::Stalled { .. })
        ));
        // The rules and the wait line name the step the code uses.
        let n = MIN_STEPS.to_string();
        for t in [RULES, WAIT2] {
            assert!(t.en.contains(&format!("step {n}")), "{}", t.en);
            assert!(t.zh.contains(&format!("第 {n} 步")), "{}", t.zh);
        }
    }
}
