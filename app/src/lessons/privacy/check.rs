//! Step 6: "Check yourself". The answers live in the page's state (so they survive moving between
//! steps) and are kept in this browser by the worker with the runs (so they survive a reload); each
//! is graded once what grades it exists — predict, then run.

use leptos::prelude::*;

use super::cost::advantage_band;
use super::math;
use super::panels::DpForm;
use super::protocol::{Answers, PrToWorker};
use super::state::{PrClient, PrState};
use super::text::ui;
use crate::ui::i18n::Lang;

/// Step 6: questions graded by the accountant and the runs.
pub fn check_panel(
    client: PrClient,
    state: PrState,
    form: DpForm,
    lang: RwSignal<Lang>,
) -> impl IntoView {
    let answer = move |f: &dyn Fn(&mut Answers)| {
        let mut a = state.answers.get_untracked();
        f(&mut a);
        state.answers.set(a);
        client.send(&PrToWorker::Answers(a));
    };
    let answer1 = answer.clone();
    let q1 = move || state.answers.get().q1;
    let q2 = move || state.answers.get().q2;
    // ε at these settings and at twice the noise, for the planned epochs.
    let ratio = move || {
        let s = form.settings();
        let steps = math::lots_per_epoch(s.lot, form.members) * form.epochs.get() as u64;
        let a = math::epsilon(s.lot, form.members, s.noise, steps)?;
        let b = math::epsilon(s.lot, form.members, 2.0 * s.noise, steps)?;
        Some((a, b, b / a))
    };
    // 0: about half (within 10 %), 1: drops but stays above half, 2: drops below half.
    let truth = move |r: f64| {
        if (0.45..=0.55).contains(&r) {
            0
        } else if r > 0.55 {
            1
        } else {
            2
        }
    };
    view! {
        <div class="panel wide" data-testid="privacy-check">
            <p>{move || ui::Q1.get(lang.get())}</p>
            <div class="buttons">
                {[ui::Q1_YES, ui::Q1_LESS, ui::Q1_MORE].into_iter().enumerate().map(|(i, t)| {
                    let answer1 = answer1.clone();
                    view! {
                    <button class="secondary" class:chosen=move || q1() == Some(i) data-testid=format!("privacy-q1-{i}")
                        disabled=move || q1().is_some() || form.noise.get() <= 0.0 on:click=move |_| answer1(&|a| a.q1 = Some(i))>{move || t.get(lang.get())}</button>
                }}).collect_view()}
            </div>
            {move || q1().zip(ratio()).map(|(picked, (a, b, r))| {
                let ok = picked == truth(r);
                let s = form.noise.get();
                view! {
                    <p data-testid="privacy-q1-result" data-correct=ok.to_string() class=if ok { "good" } else { "bad" }>
                        {if ok { ui::RIGHT.get(lang.get()) } else { ui::WRONG.get(lang.get()) }}
                        {format!(" σ = {s} → ε = {a:.2} (eᵋ ≈ {}); σ = {} → ε = {b:.2} (eᵋ ≈ {})", math::exp_epsilon(a), 2.0 * s, math::exp_epsilon(b))}</p>
                }
            })}
            <p>{move || ui::Q2.get(lang.get())}</p>
            <div class="buttons">
                {[(true, ui::Q2_YES, "privacy-q2-yes"), (false, ui::Q2_NO, "privacy-q2-no")].into_iter().map(|(v, t, id)| {
                    let answer = answer.clone();
                    view! {
                    <button class="secondary" class:chosen=move || q2() == Some(v) data-testid=id
                        disabled=move || q2().is_some() on:click=move |_| answer(&|a| a.q2 = Some(v))>{move || t.get(lang.get())}</button>
                }}).collect_view()}
            </div>
            {move || q2().map(|picked| match (state.plain.get(), state.private.get()) {
                (Some(p), Some(d)) => {
                    let band = advantage_band(&p, &d);
                    let (pa, da) = (p.membership.advantage, d.membership.advantage);
                    // "Yes" is right when the fall is beyond twice its standard error.
                    let right = picked == (pa - da > band);
                    let eps = d.epsilon.unwrap_or(f64::NAN);
                    let g = math::dp_bound(eps, math::DELTA);
                    let detail = match lang.get() {
                        Lang::En => format!(" {pa:.2} → {da:.2}: a fall of {:.2} against ±{band:.2} of sampling error (two standard errors of the difference). At ε = {eps:.2} (eᵋ ≈ {}) no attack can have more than {g:.2}.", pa - da, math::exp_epsilon(eps)),
                        Lang::Zh => format!(" {pa:.2} → {da:.2}：下降 {:.2}，抽样误差为 ±{band:.2}（差值的两倍标准误）。在 ε = {eps:.2}（eᵋ ≈ {}）下，任何攻击的优势都不会超过 {g:.2}。", pa - da, math::exp_epsilon(eps)),
                    };
                    view! {
                        <p data-testid="privacy-q2-result" data-correct=right.to_string() data-band=band.to_string() class=if right { "good" } else { "bad" }>
                            {if right { ui::RIGHT.get(lang.get()) } else { ui::WRONG.get(lang.get()) }}
                            {detail}</p>
                    }.into_any()
                }
                _ => view! { <p class="hint" data-testid="privacy-q2-wait">{move || ui::Q2_WAIT.get(lang.get())}</p> }.into_any(),
            })}
        </div>
    }
}
