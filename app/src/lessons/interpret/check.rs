//! Step 8: the questions, each graded by what this page measured (the curve at ε = 0.1, the gradient
//! map's rank correlation with the output layer randomised).

use leptos::prelude::*;

use super::panels::{Pick, ask};
use super::protocol::{Arm, InQuery, InReply, InToWorker, Method};
use super::state::{InClient, InState};
use super::text::ui;
use crate::ui::i18n::Lang;

/// Step 8.
pub fn check(client: InClient, state: InState, pick: Pick, lang: RwSignal<Lang>) -> impl IntoView {
    let q1 = RwSignal::new(None::<bool>);
    let q2 = RwSignal::new(None::<bool>);
    let rho = RwSignal::new(None::<f32>);
    let measure = client.clone();
    // Q1 needs the curve at 0.1; ask for it if it is not measured.
    let answer1 = move |yes| {
        q1.set(Some(yes));
        if state.accuracy_at(Arm::Model, 0.1).is_none() && state.busy.get_untracked().is_none() {
            state.begin(&[Arm::Model]);
            measure.send(&InToWorker::Curve {
                epsilons: vec![0.0, 0.1],
                pgd: Vec::new(),
            });
        }
    };
    // Q2: the gradient map with and without the output layer randomised, on the image shown.
    let answer2 = move |yes| {
        q2.set(Some(yes));
        let maps = RwSignal::new(Vec::<Vec<f32>>::new());
        for r in [0, 1] {
            ask(
                &client,
                state,
                InQuery::Explain {
                    image: pick.image.get_untracked(),
                    drawn: None,
                    method: Method::Gradient,
                    randomized: r,
                },
                move |reply| {
                    if let InReply::Map(m) = reply {
                        maps.update(|v| v.push(m.map));
                        maps.with_untracked(|v| {
                            if v.len() == 2 {
                                rho.set(Some(kernels::saliency::rank_correlation(&v[0], &v[1])))
                            }
                        });
                    }
                },
            );
        }
    };
    let result = move |picked: bool, truth: bool, testid: &'static str, detail: String| {
        view! {
            <p data-testid=testid data-correct=(picked == truth).to_string() class=if picked == truth { "good" } else { "bad" }>
                {move || if picked == truth { ui::RIGHT.get(lang.get()) } else { ui::WRONG.get(lang.get()) }}{format!(" {detail}")}</p>
        }
    };
    view! {
        <div class="panel wide" data-testid="interpret-check">
            <p>{move || ui::Q1.get(lang.get())}</p>
            <div class="buttons">
                <button class="secondary" data-testid="interpret-q1-yes" disabled=move || q1.get().is_some() on:click={let a = answer1.clone(); move |_| a(true)}>{move || ui::YES.get(lang.get())}</button>
                <button class="secondary" data-testid="interpret-q1-no" disabled=move || q1.get().is_some() on:click=move |_| answer1(false)>{move || ui::NO.get(lang.get())}</button>
            </div>
            {move || q1.get().map(|picked| match state.accuracy_at(Arm::Model, 0.1) {
                Some((acc, n)) => result(picked, acc > 0.5, "interpret-q1-result", format!("ε = 0.1: {:.1} % (n = {n})", acc * 100.0)).into_any(),
                None => view! { <p class="hint">{move || ui::WAIT_CURVE.get(lang.get())}</p> }.into_any(),
            })}
            <p>{move || ui::Q2.get(lang.get())}</p>
            <div class="buttons">
                <button class="secondary" data-testid="interpret-q2-yes" disabled=move || q2.get().is_some() on:click={let a = answer2.clone(); move |_| a(true)}>{move || ui::YES.get(lang.get())}</button>
                <button class="secondary" data-testid="interpret-q2-no" disabled=move || q2.get().is_some() on:click=move |_| answer2(false)>{move || ui::NO.get(lang.get())}</button>
            </div>
            {move || q2.get().map(|picked| match rho.get() {
                Some(r) => result(picked, r > 0.5, "interpret-q2-result", format!("ρ = {r:.2}")).into_any(),
                None => view! { <p class="hint">{move || ui::WAIT_SANITY.get(lang.get())}</p> }.into_any(),
            })}
        </div>
    }
}
