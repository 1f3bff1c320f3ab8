//! The playground's table of optimisers: a row per optimiser with its tick, rate and μ boxes and its
//! iteration count, and the boxes' refusals of text out of range.

use kernels::Optimizer;
use leptos::prelude::*;

use super::{LR_MAX, count, lang};
use crate::lessons::optimizers::playground::{Run, count_text};
use crate::lessons::optimizers::text::ui;
use crate::lessons::optimizers::{Choice, Setup, Shown};
use crate::ui::i18n::{Lang, tx};

/// A box's text the table refused.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Refusal {
    /// The row's optimiser.
    pub(super) id: Optimizer,
    /// The μ box (else the learning rate's).
    pub(super) mu: bool,
    /// The text refused.
    pub(super) text: String,
}

const REFUSED_LR: crate::ui::i18n::Text = tx(
    "{name}: the learning rate \"{text}\" is refused — it must be a number above 0 and at most {max}; the row does not run until it is.",
    "{name}：学习率“{text}”不被接受——它必须是大于 0、不超过 {max} 的数；在改正之前这一行不运行。",
);

const REFUSED_MU: crate::ui::i18n::Text = tx(
    "{name}: μ \"{text}\" is refused — it must be a number from 0 up to (not including) 1; the row does not run until it is.",
    "{name}：μ“{text}”不被接受——它必须是从 0 到 1（不含 1）之间的数；在改正之前这一行不运行。",
);

/// Every row's rate and μ for the surface (on the quadratic, the best settings), keeping the ticks;
/// refusals go with the boxes' old text.
pub(super) fn reset_rates(
    setup: RwSignal<Setup>,
    choices: RwSignal<Vec<Choice>>,
    refused: RwSignal<Vec<Refusal>>,
) {
    let fresh = setup.get_untracked().choices();
    choices.update(|cs| {
        for (c, f) in cs.iter_mut().zip(fresh) {
            *c = Choice {
                enabled: c.enabled,
                ..f
            };
        }
    });
    refused.set(Vec::new());
}

/// Changes the row of optimiser `id` with `f`.
fn set_row(choices: RwSignal<Vec<Choice>>, id: Optimizer, f: impl FnOnce(&mut Choice)) {
    choices.update(|cs| {
        if let Some(c) = cs.iter_mut().find(|c| c.id == id) {
            f(c);
        }
    })
}

/// A box's new text: taken when in range, else refused (and said so) — never replaced silently.
fn typed(
    choices: RwSignal<Vec<Choice>>,
    refused: RwSignal<Vec<Refusal>>,
    id: Optimizer,
    mu: bool,
    text: String,
) {
    let ok = text.trim().parse::<f32>().ok().filter(|v| {
        if mu {
            (0.0..1.0).contains(v)
        } else {
            *v > 0.0 && *v <= LR_MAX
        }
    });
    refused.update(|r| r.retain(|x| !(x.id == id && x.mu == mu)));
    match ok {
        Some(v) if mu => set_row(choices, id, |c| c.mu = v),
        Some(v) => set_row(choices, id, |c| c.lr = v),
        None => refused.update(|r| r.push(Refusal { id, mu, text })),
    }
}

/// The table's rows, one per optimiser.
pub(super) fn optimiser_rows(
    choices: RwSignal<Vec<Choice>>,
    refused: RwSignal<Vec<Refusal>>,
    runs: Memo<Vec<Run>>,
) -> impl IntoView {
    let lang = lang();
    move || {
        Optimizer::ALL
            .iter()
            .map(|&id| {
                let c = move || choices.with(|cs| *cs.iter().find(|c| c.id == id).unwrap());
                let is_refused = move || refused.with(|r| r.iter().any(|x| x.id == id));
                let cell = move || {
                    if is_refused() {
                        ui::REFUSED.get(lang.get()).to_string()
                    } else {
                        runs.with(|rs| count_text(rs.iter().find(|r| r.id == id), lang.get()))
                    }
                };
                let value = move || runs.with(|rs| count(rs, id).map(|n| n.to_string()).unwrap_or_default());
                view! {
                    <tr data-testid=format!("opt-row-{}", id.testid())>
                        <td><label>
                            <input type="checkbox" data-testid=format!("opt-enable-{}", id.testid())
                                prop:checked=move || c().enabled
                                on:change=move |ev| { let on = event_target_checked(&ev); set_row(choices, id, |c| c.enabled = on) } />
                            " " <span class="swatch" style:background=id.colour()></span> " "
                            {move || id.name().get(lang.get())}
                        </label></td>
                        <td><input type="number" step="any" min="0" max=LR_MAX.to_string() class="narrow" data-testid=format!("opt-lr-{}", id.testid())
                            prop:value=move || c().lr.to_string()
                            on:change=move |ev| typed(choices, refused, id, false, event_target_value(&ev)) /></td>
                        // A row without μ shows an empty box with a dash placeholder ("–" is not a number).
                        <td><input type="number" step="any" min="0" max="0.999" class="narrow" data-testid=format!("opt-mu-{}", id.testid())
                            disabled=!id.has_mu() placeholder="–" prop:value=move || if id.has_mu() { c().mu.to_string() } else { String::new() }
                            on:change=move |ev| typed(choices, refused, id, true, event_target_value(&ev)) /></td>
                        <td class="num" data-testid=format!("opt-iterations-{}", id.testid()) data-value=value>{cell}</td>
                    </tr>
                }
            })
            .collect_view()
    }
}

/// The sentence that says which boxes were refused and what each takes.
pub(super) fn refusal_text(r: &[Refusal], l: Lang) -> Option<String> {
    (!r.is_empty()).then(|| {
        r.iter()
            .map(|x| {
                if x.mu { REFUSED_MU } else { REFUSED_LR }
                    .get(l)
                    .replace("{name}", x.id.name().get(l))
                    .replace("{text}", &x.text)
                    .replace("{max}", &LR_MAX.to_string())
            })
            .collect::<Vec<_>>()
            .join(" ")
    })
}
