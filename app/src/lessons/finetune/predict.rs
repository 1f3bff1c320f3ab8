//! Predict, then run: two questions the student answers before the engine shows the answer, each graded
//! by what the engine then did — which tensors get a gradient in the head phase (step 4, graded by the
//! freezing panel's trace), and whether fine-tuning will beat training from scratch (step 6, graded by
//! the comparison's own verdict on those two arms, once step 5 has fine-tuned every layer).

use leptos::prelude::*;

use super::protocol::PhaseKind;
use super::state::State;
use super::verdict::{self, Arm, Verdict};
use crate::ui::i18n::{Lang, tx};

/// The students' locked-in predictions (kept while the page is open).
#[derive(Clone, Copy)]
pub struct Predictions {
    /// Tensors predicted to get a gradient in the head phase, once locked in.
    gradients: RwSignal<Option<Vec<String>>>,
    /// Tensors ticked so far.
    ticked: RwSignal<Vec<String>>,
    /// The predicted outcome of fine-tuning against scratch.
    transfer: RwSignal<Option<Outcome>>,
}

/// What the comparison of fine-tuning and from-scratch can come to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Fine-tuning ahead by more than the band.
    TunedWins,
    /// Within the band.
    Same,
    /// From scratch ahead by more than the band.
    ScratchWins,
}

impl Outcome {
    fn key(self) -> &'static str {
        match self {
            Outcome::TunedWins => "tuned",
            Outcome::Same => "same",
            Outcome::ScratchWins => "scratch",
        }
    }

    /// The outcome the verdict over the two trained arms states.
    pub fn of(v: &Verdict) -> Option<Self> {
        match v {
            Verdict::Best { best, .. } if best.0 == Arm::Tuned => Some(Outcome::TunedWins),
            Verdict::Best { .. } => Some(Outcome::ScratchWins),
            Verdict::Tie { .. } => Some(Outcome::Same),
            _ => None,
        }
    }
}

impl Predictions {
    /// Nothing predicted yet.
    pub fn new() -> Self {
        Self {
            gradients: RwSignal::new(None),
            ticked: RwSignal::new(Vec::new()),
            transfer: RwSignal::new(None),
        }
    }
}

/// Step 4: which tensors will get a gradient when the head trains?
pub fn gradient_question(state: State, lang: RwSignal<Lang>, p: Predictions) -> impl IntoView {
    let question = tx(
        "Predict first: which tensors will get a gradient while the head trains? Tick them, lock in, then train.",
        "先预测：训练分类头时，哪些张量会得到梯度？勾选它们，锁定答案，然后训练。",
    );
    let lock = tx("Lock in my prediction", "锁定我的预测");
    let right = tx(
        "Right: exactly these got a gradient in the last step.",
        "对了：上一步中恰好是这些张量得到了梯度。",
    );
    let wrong = tx(
        "Not quite: in the last step the gradient was computed for {actual}. A frozen tensor's p.grad stays None.",
        "不完全对：上一步中计算了梯度的是 {actual}。被冻结张量的 p.grad 保持为 None。",
    );
    // With step 2's zeroing toggle, PyTorch computes every tensor's gradient and zeroes the frozen ones.
    let wrong_zeroed = tx(
        "Not quite: in the last step the gradient was computed for {actual}. In zeroing mode PyTorch computes the frozen tensors' gradients too, then p.grad.zero_() sets them to 0.",
        "不完全对：上一步中计算了梯度的是 {actual}。在清零梯度模式下，PyTorch 也会计算被冻结张量的梯度，然后由 p.grad.zero_() 把它们置为 0。",
    );
    let names = move || {
        state
            .tensors
            .get()
            .into_iter()
            .map(|r| r.name)
            .collect::<Vec<_>>()
    };
    // Graded only on a head-phase step's trace (before it, no gradient was computed at all). A tensor
    // frozen by zeroing counts as getting a gradient: PyTorch computes it, then p.grad.zero_() zeroes it.
    // The last trace that had gradients is kept: after early stopping restores the best epoch's
    // weights the panel no longer shows the last step's gradients, but that step still happened.
    let ran = move || {
        state
            .progress
            .get()
            .is_some_and(|pr| pr.phase == PhaseKind::Head && pr.steps > 0)
    };
    let traced = RwSignal::new(None::<Vec<String>>);
    Effect::new(move |_| {
        let got: Vec<String> = state
            .tensors
            .get()
            .into_iter()
            .filter(|r| r.grad_norm.is_some() || r.zeroed)
            .map(|r| r.name)
            .collect();
        if ran() && !got.is_empty() {
            traced.set(Some(got));
        }
    });
    let actual = move || traced.get().filter(|_| ran());
    // A prediction is made before the head trains: once a head-phase step has run (its trace is on the
    // freezing panel), an unanswered question can no longer be locked in.
    let too_late = move || {
        p.gradients.get().is_none()
            && (ran()
                || traced.get().is_some()
                || state
                    .curve
                    .get()
                    .iter()
                    .any(|&(ph, _)| ph == PhaseKind::Head))
    };
    let late = tx(
        "Predict before training: the head has already trained here. Start afresh to try again.",
        "请在训练之前预测：这里的分类头已经训练过了。重新开始即可再试。",
    );
    let zeroing = move || state.tensors.get().iter().any(|r| r.zeroed);
    view! {
        <div class="predict" data-testid="ft-predict-gradients">
            <p>{move || question.get(lang.get())}</p>
            <div class="ticks">
                {move || names().into_iter().map(|name| {
                    let n = name.clone();
                    let n2 = name.clone();
                    view! {
                        <label class="check">
                            <input type="checkbox" data-testid=format!("ft-predict-{name}")
                                disabled=move || p.gradients.get().is_some() || too_late()
                                prop:checked=move || p.ticked.get().contains(&n)
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    p.ticked.update(|t| { t.retain(|x| x != &n2); if on { t.push(n2.clone()); } });
                                } />
                            <code>{name}</code>
                        </label>
                    }
                }).collect_view()}
            </div>
            <button class="secondary" data-testid="ft-predict-lock" disabled=move || p.gradients.get().is_some() || too_late()
                on:click=move |_| p.gradients.set(Some(p.ticked.get_untracked()))>{move || lock.get(lang.get())}</button>
            {move || too_late().then(|| view! { <p class="hint" data-testid="ft-predict-too-late" role="status">{move || late.get(lang.get())}</p> })}
            {move || p.gradients.get().zip(actual()).map(|(mut predicted, mut actual)| {
                predicted.sort();
                actual.sort();
                let ok = predicted == actual;
                let list = actual.join(", ");
                let wrong = if zeroing() { wrong_zeroed } else { wrong };
                view! {
                    <p data-testid="ft-predict-gradients-result" data-correct=ok.to_string() class=if ok { "good" } else { "bad" } role="status">
                        {move || if ok { right.get(lang.get()).to_string() } else { wrong.get(lang.get()).replace("{actual}", &list) }}
                    </p>
                }
            })}
        </div>
    }
}

/// Step 6: will fine-tuning beat training from scratch here? Graded by the verdict on those two arms.
pub fn transfer_question(
    state: State,
    lang: RwSignal<Lang>,
    p: Predictions,
    running: impl Fn() -> bool + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let question = tx(
        "Predict before training from scratch: on this task, will fine-tuning beat a network trained from scratch?",
        "在从头训练之前先预测：在这个任务上，微调会胜过从头训练的网络吗？",
    );
    let options = [
        (Outcome::TunedWins, tx("Fine-tuning wins", "微调胜出")),
        (Outcome::Same, tx("About the same", "差不多")),
        (
            Outcome::ScratchWins,
            tx("From scratch wins", "从头训练胜出"),
        ),
    ];
    let right = tx(
        "Your prediction matches the verdict on these two arms",
        "你的预测与这两组的结论一致",
    );
    let wrong = tx(
        "The verdict on these two arms says otherwise: look at the band before reading too much into a few points",
        "这两组的结论不是这样：在看重几个百分点的差别之前，先看误差带",
    );
    let by_one = tx(
        " (by this seed; the 3-seed option below grades it again over seeds).",
        "（按这一个随机种子；下面的 3 个随机种子选项会按多个种子重新评分）。",
    );
    let by_seeds = tx(" (over {n} seeds).", "（按 {n} 个随机种子）。");
    let needs_full = tx(
        "Run step 5 (fine-tune every layer) to grade this: training the head alone is not yet fine-tuning.",
        "请先运行第 5 步（微调全部层）再评分：只训练分类头还不算微调。",
    );
    // Graded only once the tuned arm is fine-tuned: a head-only run is not what the question asks about.
    let reached_full = move || state.curve.get().iter().any(|&(p, _)| p == PhaseKind::Full);
    // Graded by the verdict over seeds once one exists, else by this seed's verdict.
    let outcome = move || {
        if !reached_full() {
            return None;
        }
        let n = state.counts.get().1;
        if let Some((runs, false)) = state.seeds.get() {
            let done: Vec<_> = runs
                .iter()
                .filter_map(|r| Some((r.tuned?, r.scratch?)))
                .collect();
            if done.len() >= 2 {
                let arms = [
                    (Arm::Tuned, done.iter().map(|d| d.0).collect()),
                    (Arm::Scratch, done.iter().map(|d| d.1).collect()),
                ];
                return Outcome::of(&verdict::decide_seeds(&arms, n)).map(|o| (o, done.len()));
            }
        }
        let tuned = state.curve.get().last().map(|&(_, a)| a);
        let scratch = state.scratch_curve.get().last().copied();
        if running() || tuned.is_none() || scratch.is_none() {
            return None;
        }
        let v = verdict::decide(&[(Arm::Tuned, tuned), (Arm::Scratch, scratch)], true, n);
        Outcome::of(&v).map(|o| (o, 1))
    };
    view! {
        <div class="predict" data-testid="ft-predict-transfer">
            <p>{move || question.get(lang.get())}</p>
            <div class="buttons">
                {options.into_iter().map(|(o, label)| view! {
                    <button class="secondary" class:chosen=move || p.transfer.get() == Some(o)
                        data-testid=format!("ft-predict-{}", o.key())
                        disabled=move || p.transfer.get().is_some() || !state.scratch_curve.get().is_empty()
                        on:click=move |_| p.transfer.set(Some(o))>{move || label.get(lang.get())}</button>
                }).collect_view()}
            </div>
            {move || (p.transfer.get().is_some() && !reached_full() && !state.scratch_curve.get().is_empty() && !running())
                .then(|| view! { <p class="hint" data-testid="ft-predict-transfer-needs-full" role="status">{move || needs_full.get(lang.get())}</p> })}
            {move || p.transfer.get().zip(outcome()).map(|(predicted, (actual, seeds))| {
                let ok = predicted == actual;
                view! {
                    <p data-testid="ft-predict-transfer-result" data-correct=ok.to_string() data-actual=actual.key()
                        data-seeds=seeds.to_string() class=if ok { "good" } else { "bad" } role="status">
                        {move || if ok { right.get(lang.get()) } else { wrong.get(lang.get()) }}
                        {move || if seeds > 1 { by_seeds.get(lang.get()).replace("{n}", &seeds.to_string()) } else { by_one.get(lang.get()).to_string() }}</p>
                }
            })}
        </div>
    }
}
