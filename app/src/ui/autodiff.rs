//! "Check against autodiff": one step of the current model on our WGSL kernels and on burn's automatic
//! differentiation, on the same GPU and batch, and the largest difference in every gradient.

use leptos::prelude::*;

use super::{AutodiffView, State};
use crate::protocol::ToWorker;

#[component]
pub fn AutodiffPanel(
    state: State,
    send: impl Fn(ToWorker) + Clone + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <section class="panel" aria-label="Check against autodiff">
            <h2>{move || super::i18n::t(state.lang.get(), "Check against autodiff")}</h2>
            <p class="hint">{move || super::i18n::t(state.lang.get(), "Runs one step of the current weights on our hand-written backward pass and on burn's automatic differentiation (same GPU, same batch) and compares every gradient.")}</p>
            <button data-testid="check-autodiff" on:click=move |_| send(ToWorker::CheckAutodiff)>{move || super::i18n::t(state.lang.get(), "Check gradients")}</button>
            {move || state.autodiff.get().map(|AutodiffView { rows, losses: (ours, burn), parameters: params }| view! {
                <p class="caption">{format!("Batch of {rows}: loss {ours:.6} (ours) vs {burn:.6} (burn)")}</p>
                <table class="autodiff" data-testid="autodiff-table">
                    <thead><tr><th>"parameter"</th><th>"‖gradient‖"</th><th>"largest |difference|"</th><th>"largest relative"</th><th></th></tr></thead>
                    <tbody>
                        {params.into_iter().map(|p| {
                            let ok = p.max_rel <= 1e-4;
                            view! {
                                <tr>
                                    <td>{p.name}</td>
                                    <td>{format!("{:.4e}", p.norm)}</td>
                                    <td>{format!("{:.2e}", p.max_abs)}</td>
                                    <td>{format!("{:.2e}", p.max_rel)}</td>
                                    <td class=if ok { "good" } else { "bad" }>{if ok { "agrees" } else { "differs" }}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
    }
}
