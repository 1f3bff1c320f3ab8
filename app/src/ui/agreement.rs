//! A comparison of two (or three) computations of one quantity as the page states it: a sentence
//! chosen from the numbers ([`kernels::chain::Agreement`]: agree, differ, or underflow when both are
//! rounding), never a fixed "they agree". `data-testid="agreement"` with `data-state`.

use kernels::chain::Agreement;
use leptos::prelude::*;

use crate::ui::formula::num;
use crate::ui::i18n::{Lang, Text};

/// The `data-state` value of a verdict.
pub fn key(a: Agreement) -> &'static str {
    match a {
        Agreement::Agree => "agree",
        Agreement::Differ => "differ",
        Agreement::Underflow => "underflow",
    }
}

/// The verdict as a sentence: `text(state)` with `{res}` replaced by the resolution it was judged at.
#[component]
pub fn AgreementNote(
    /// The verdict and the resolution (absolute) it used, once there are numbers.
    verdict: Signal<Option<(Agreement, f64)>>,
    /// The sentence for each verdict.
    text: fn(Agreement) -> Text,
) -> impl IntoView {
    let lang = expect_context::<RwSignal<Lang>>();
    view! {
        <p class="agreement" data-testid="agreement" role="status"
            data-state=move || verdict.get().map(|(a, _)| key(a))
            data-resolution=move || verdict.get().map(|(_, res)| res.to_string())
            class:differ=move || verdict.get().is_some_and(|(a, _)| a == Agreement::Differ)>
            {move || verdict.get().map(|(a, res)| text(a).get(lang.get()).replace("{res}", &num(res)))}
        </p>
    }
}
