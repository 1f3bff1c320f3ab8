//! What a lesson page with a worker shows about its worker, the same in every such lesson: the errors
//! said in the page's language (the worker's, a failed query's, the URL's), the note that its results
//! were kept in this browser (with "Start afresh"), and the engine it computes on. All of it reads the
//! [`WorkerStatus`] its [`crate::client::LessonClient`] fills; a lesson adds only what is its own.

use leptos::prelude::*;

use crate::client::WorkerStatus;
use crate::client::engine_label;
use crate::messages::MessageCode;
use crate::ui::i18n::{Lang, Text, tx};

/// The worker's errors, in the page's language (`errors`). `url_testid` names the line of the URL's
/// problems where a lesson's tests look for it; `children` adds lines of the lesson's own.
#[component]
pub fn ErrorList(
    status: WorkerStatus,
    #[prop(optional)] url_testid: Option<&'static str>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let lang = expect_context::<RwSignal<Lang>>();
    view! {
        <div class="errors" data-testid="errors" role="alert">
            {move || status.errors.get().into_iter().map(|m| {
                let testid = url_testid.filter(|_| m.code == MessageCode::UrlProblem);
                view! { <p class="error" data-testid=testid>{m.show(lang.get())}</p> }
            }).collect_view()}
            {children.map(|c| c())}
        </div>
    }
}

/// "These were kept in this browser", with Start afresh (`<prefix>-resumed`, `<prefix>-afresh`),
/// while `kept` holds.
#[component]
pub fn KeptNote(
    kept: Signal<bool>,
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

/// The engine in use (`engine`, with `engine-kind`, `engine-adapter` and `engine-note`). `pending`
/// stands until the worker has said; `advanced` keeps the adapter and the note for advanced mode;
/// `children` adds what the lesson says of its engine (measured speeds, timed kernels).
#[component]
pub fn EngineBadge(
    status: WorkerStatus,
    #[prop(optional)] pending: Option<Text>,
    #[prop(optional)] advanced: bool,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let lang = expect_context::<RwSignal<Lang>>();
    let class = move |base: &'static str| {
        if advanced {
            format!("{base} advanced")
        } else {
            base.to_string()
        }
    };
    view! {
        <div class="engine" data-testid="engine" role="status" aria-live="polite">
            {move || match status.engine.get() {
                None => pending.map(|p| view! { <span class="pending">{move || p.get(lang.get())}</span> }).into_any(),
                Some(e) => view! {
                    <span class="badge" data-testid="engine-kind">{engine_label(e.kind)}</span>
                    <span class=class("adapter") data-testid="engine-adapter">{move || crate::runtime::engine::localize(&e.adapter, lang.get())}</span>
                    <span class=class("note") data-testid="engine-note">{move || e.note.show(lang.get())}</span>
                }.into_any(),
            }}
            {children.map(|c| c())}
        </div>
    }
}

/// The bar of a lesson whose results its worker keeps (`runtime::kept::Journal`): [`ErrorList`],
/// [`KeptNote`] while the worker says its results were kept, and a `lesson-bar` with the
/// [`EngineBadge`] and the lesson's own `children`.
#[component]
pub fn LessonBar(
    status: WorkerStatus,
    prefix: &'static str,
    kept_text: Text,
    on_afresh: Callback<()>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <ErrorList status=status />
        <KeptNote kept=status.kept.into() prefix=prefix text=kept_text on_afresh=on_afresh />
        <div class="lesson-bar">
            <EngineBadge status=status />
            {children.map(|c| c())}
        </div>
    }
}
