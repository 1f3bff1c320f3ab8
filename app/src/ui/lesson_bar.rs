//! What a lesson page with a worker shows above its step: the errors said in the page's language, the
//! note that its results were kept in this browser (with "Start afresh"), and the engine it computes
//! on. The privacy and interpretability lessons share it.

use kernels::EngineKind;
use leptos::prelude::*;

use crate::messages::WorkerMessage;
use crate::protocol::engine_label;
use crate::ui::i18n::{Lang, Text, tx};

/// The engine as the lesson bar shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct EngineView {
    /// Kind.
    pub kind: EngineKind,
    /// Adapter.
    pub adapter: String,
    /// Why this engine.
    pub note: WorkerMessage,
}

/// The errors (`errors`), in the page's language.
#[component]
pub fn ErrorList(errors: RwSignal<Vec<WorkerMessage>>) -> impl IntoView {
    let lang = expect_context::<RwSignal<Lang>>();
    view! {
        <div class="errors" data-testid="errors" role="alert">
            {move || errors.get().into_iter().map(|m| view! {
                <p class="error">{m.show(lang.get())}</p>
            }).collect_view()}
        </div>
    }
}

/// "These were kept in this browser", with Start afresh (`<prefix>-resumed`, `<prefix>-afresh`).
#[component]
pub fn KeptNote(
    kept: RwSignal<bool>,
    prefix: &'static str,
    text: Text,
    on_afresh: Callback<()>,
) -> impl IntoView {
    let lang = expect_context::<RwSignal<Lang>>();
    move || {
        kept.get().then(|| {
            view! {
                <p class="hint resumed" data-testid=format!("{prefix}-resumed")>
                    {move || text.get(lang.get())} " "
                    <button class="secondary" data-testid=format!("{prefix}-afresh") on:click=move |_| on_afresh.run(())>
                        {move || tx("Start afresh", "重新开始").get(lang.get())}</button>
                </p>
            }
        })
    }
}

/// The engine in use (`engine-kind`, `engine-adapter`, `engine-note`).
#[component]
pub fn EngineBadge(engine: RwSignal<Option<EngineView>>) -> impl IntoView {
    let lang = expect_context::<RwSignal<Lang>>();
    view! {
        <span class="engine" data-testid="engine">
            {move || engine.get().map(|e| view! {
                <span class="badge" data-testid="engine-kind">{engine_label(e.kind)}</span>
                <span class="adapter" data-testid="engine-adapter">{crate::runtime::engine::localize(&e.adapter, lang.get())}</span>
                <span class="note" data-testid="engine-note">{move || e.note.show(lang.get())}</span>
            })}
        </span>
    }
}
