//! "Check against autodiff": one step of the current model on our WGSL kernels and on burn's automatic
//! differentiation, on the same GPU and batch, and the largest difference in every gradient.

use leptos::prelude::*;

use super::protocol::Client;
use super::protocol::{AutodiffCheck, Query, Reply};
use super::state;
use crate::ui::i18n::{Lang, Text, tx};

const BATCH: Text = tx(
    "Batch of {rows}: loss {ours} (ours) vs {burn} (burn)",
    "一个批次的 {rows} 张图像：损失 {ours}（我们的）对 {burn}（burn 的）",
);
const HEADERS: [Text; 4] = [
    tx("parameter", "参数"),
    tx("‖gradient‖", "‖梯度‖"),
    tx("largest |difference|", "最大 |差值|"),
    tx("largest relative", "最大相对差"),
];
const AUTODIFF: Text = tx("Check against autodiff", "与自动微分对照");
const AUTODIFF_RUN: Text = tx("Check gradients", "检查梯度");
const AUTODIFF_HINT: Text = tx(
    "Runs one step of the current weights on our hand-written backward pass and on burn's automatic differentiation (same GPU, same batch) and compares every gradient.",
    "用当前权重各跑一步：一次用我们手写的反向传播，一次用 burn 的自动微分（同一块 GPU、同一批数据），并逐个比较梯度。",
);
const AGREES: Text = tx("agrees", "一致");
const DIFFERS: Text = tx("differs", "不一致");

#[component]
pub fn AutodiffPanel(client: Client) -> impl IntoView {
    let lang = expect_context::<RwSignal<Lang>>();
    let result = RwSignal::new(None::<AutodiffCheck>);
    let check = move |_| {
        state::ask(&client, Query::CheckAutodiff, move |reply| {
            if let Reply::Autodiff(r) = reply {
                let _ = result.try_set(Some(r));
            }
        });
    };
    view! {
        <section class="panel" aria-label=move || AUTODIFF.get(lang.get())>
            <h2>{move || AUTODIFF.get(lang.get())}</h2>
            <p class="hint">{move || AUTODIFF_HINT.get(lang.get())}</p>
            <button data-testid="check-autodiff" on:click=check>{move || AUTODIFF_RUN.get(lang.get())}</button>
            {move || result.get().map(|AutodiffCheck { rows, losses: (ours, burn), parameters: params }| view! {
                <p class="caption">{move || BATCH.get(lang.get()).replace("{rows}", &rows.to_string())
                    .replace("{ours}", &format!("{ours:.6}")).replace("{burn}", &format!("{burn:.6}"))}</p>
                <table class="autodiff" data-testid="autodiff-table">
                    <thead><tr>{HEADERS.map(|h| view! { <th>{move || h.get(lang.get())}</th> }).collect_view()}<th></th></tr></thead>
                    <tbody>
                        {params.into_iter().map(|p| {
                            let ok = p.max_rel <= 1e-4;
                            view! {
                                <tr>
                                    <td>{p.name}</td>
                                    <td>{format!("{:.4e}", p.norm)}</td>
                                    <td>{format!("{:.2e}", p.max_abs)}</td>
                                    <td>{format!("{:.2e}", p.max_rel)}</td>
                                    <td class=if ok { "good" } else { "bad" } data-testid="agreement"
                                        data-state=if ok { "agree" } else { "differ" }>{move || if ok { AGREES } else { DIFFERS }.get(lang.get())}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
    }
}
