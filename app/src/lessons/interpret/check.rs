//! Step 8: the questions, each graded by what this page measured (the curve at ε = 0.1, the gradient
//! map's rank correlation with the output layer randomised).

use leptos::prelude::*;

use super::panels::{Pick, ask};
use super::protocol::Client;
use super::protocol::{Arm, Command, Method, Query, Reply};
use super::state::State;
use super::text::ui;
use crate::ui::i18n::{Lang, percent};

/// Whether an accuracy `acc` on `n` images is within two standard errors of 0.5.
fn too_close(acc: f32, n: usize) -> bool {
    let se = (acc * (1.0 - acc) / n.max(1) as f32).sqrt();
    (acc - 0.5).abs() < 2.0 * se
}

/// A question's grade: right or wrong, then what it was graded by (`detail`, in the page's language).
fn result(
    picked: bool,
    truth: bool,
    testid: &'static str,
    detail: impl Fn(Lang) -> String + Send + Sync + 'static,
    lang: RwSignal<Lang>,
) -> impl IntoView {
    let right = picked == truth;
    view! {
        <p data-testid=testid data-correct=right.to_string() class=if right { "good" } else { "bad" }>
            {move || if right { ui::RIGHT.get(lang.get()) } else { ui::WRONG.get(lang.get()) }}{move || format!(" {}", detail(lang.get()))}</p>
    }
}

/// Question 1 with its buttons and, once answered and measured, its grade: on step 5 above "Measure"
/// (`measure_now` false: the student measures next) and on step 8 (`measure_now`: the curve at 0.1 is
/// measured on answering when it is not on the page). It is a prediction only while the accuracy it
/// is graded by is not on the page.
pub fn question_one(
    client: Client,
    state: State,
    lang: RwSignal<Lang>,
    measure_now: bool,
) -> impl IntoView {
    let q1 = state.q1;
    let answer1 = move |yes| {
        q1.set(Some(yes));
        if measure_now
            && state.accuracy_at(Arm::Model, 0.1).is_none()
            && state.busy.get_untracked().is_none()
        {
            state.begin(&[Arm::Model]);
            client.send(&Command::Curve {
                epsilons: vec![0.0, 0.1],
                pgd: Vec::new(),
            });
        }
    };
    // Q1's measurement, as the page writes it: "FGSM, ε = 0.1: 24.4 % (n = 1000)".
    let measured = |acc: f32, n: usize| {
        move |l: Lang| format!("FGSM, ε = 0.1: {} (n = {n})", percent(l, f64::from(acc), 1))
    };
    // Step 5 or 6 measured it, or the curve was kept from before a reload.
    let q1_locked = move || q1.get().is_none() && state.accuracy_at(Arm::Model, 0.1).is_some();
    view! {
        <div class="question" data-testid="interpret-q1">
            <p>{move || ui::Q1.get(lang.get())}</p>
            <div class="buttons">
                <button class="secondary" data-testid="interpret-q1-yes" disabled=move || q1.get().is_some() || q1_locked() on:click={let a = answer1.clone(); move |_| a(true)}>{move || ui::YES.get(lang.get())}</button>
                <button class="secondary" data-testid="interpret-q1-no" disabled=move || q1.get().is_some() || q1_locked() on:click=move |_| answer1(false)>{move || ui::NO.get(lang.get())}</button>
            </div>
            {move || q1_locked().then(|| state.accuracy_at(Arm::Model, 0.1).map(|(acc, n)| {
                let line = measured(acc, n);
                view! { <p class="hint" data-testid="interpret-q1-measured">{move || ui::ALREADY_MEASURED.get(lang.get())}{move || format!(" {}", line(lang.get()))}</p> }
            }))}
            {move || q1.get().map(|picked| match state.accuracy_at(Arm::Model, 0.1) {
                // Within two standard errors of one half, n images cannot say which side it is on.
                Some((acc, n)) if too_close(acc, n) => view! {
                    <p data-testid="interpret-q1-result" data-correct="undecided">
                        {move || ui::TOO_CLOSE.get(lang.get()).replace("{n}", &n.to_string())}{move || format!(" FGSM, ε = 0.1: {}", percent(lang.get(), f64::from(acc), 1))}</p>
                }.into_any(),
                Some((acc, n)) => result(picked, acc > 0.5, "interpret-q1-result", measured(acc, n), lang).into_any(),
                None if measure_now => view! { <p class="hint">{move || ui::WAIT_CURVE.get(lang.get())}</p> }.into_any(),
                None => view! { <p class="hint" data-testid="interpret-q1-now-measure">{move || ui::Q1_NOW_MEASURE.get(lang.get())}</p> }.into_any(),
            })}
        </div>
    }
}

/// Step 8.
pub fn check(client: Client, state: State, pick: Pick, lang: RwSignal<Lang>) -> impl IntoView {
    let q2 = RwSignal::new(None::<bool>);
    let rho = RwSignal::new(None::<f32>);
    let one = question_one(client.clone(), state, lang, true);
    // Q2: the gradient map with and without the output layer randomised, on the image shown (the
    // drawing while the pad is open).
    let answer2 = move |yes| {
        q2.set(Some(yes));
        let maps = RwSignal::new(Vec::<Vec<f32>>::new());
        let drawn = if pick.drawing.get_untracked() {
            pick.drawn.get_untracked().map(serde_bytes::ByteBuf::from)
        } else {
            None
        };
        for r in [0, 1] {
            ask(
                &client,
                Query::Explain {
                    image: pick.image.get_untracked(),
                    drawn: drawn.clone(),
                    method: Method::Gradient,
                    randomized: r,
                },
                move |reply| {
                    if let Reply::Map(m) = reply {
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
    view! {
        <div class="panel wide" data-testid="interpret-check">
            {one}
            <p>{move || ui::Q2.get(lang.get())}</p>
            <div class="buttons">
                <button class="secondary" data-testid="interpret-q2-yes" disabled=move || q2.get().is_some() on:click={let a = answer2.clone(); move |_| a(true)}>{move || ui::YES.get(lang.get())}</button>
                <button class="secondary" data-testid="interpret-q2-no" disabled=move || q2.get().is_some() on:click=move |_| answer2(false)>{move || ui::NO.get(lang.get())}</button>
            </div>
            {move || q2.get().map(|picked| match rho.get() {
                Some(r) => result(picked, r > 0.5, "interpret-q2-result", move |_| format!("ρ = {r:.2}"), lang).into_any(),
                None => view! { <p class="hint">{move || ui::WAIT_SANITY.get(lang.get())}</p> }.into_any(),
            })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::too_close;

    #[test]
    fn an_accuracy_within_two_standard_errors_of_a_half_is_too_close_to_call() {
        // SE at 0.52 on 1,000 images ≈ 0.0158: 0.02 < 0.032.
        assert!(too_close(0.52, 1000));
        assert!(!too_close(0.6, 1000));
        assert!(!too_close(0.3, 1000));
        assert!(too_close(0.6, 20), "0.1 < 2·0.11 on 20 images");
    }
}
