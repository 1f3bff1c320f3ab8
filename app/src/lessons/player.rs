//! The step player every stepped lesson uses: Prev / Next, ← / → keys, progress dots, and the step in
//! the URL (each move is a history entry, so Back returns to the previous step).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::lesson::Step;
use crate::route::Router;
use crate::ui::i18n::{Lang, tx};

/// The current step (1-based), clamped to the lesson's steps.
pub fn current_step(router: Router, steps: usize) -> Memo<usize> {
    Memo::new(move |_| router.0.with(|r| r.step.clamp(1, steps.max(1))))
}

fn go(router: Router, step: usize) {
    let mut r = router.0.get_untracked();
    if r.step != step {
        r.step = step;
        router.push(r);
    }
}

/// True when a key press is meant for a form field (or, with `buttons`, a focused button, whose own
/// Space would act twice), not for the lesson's shortcuts.
pub fn typing(ev: &web_sys::KeyboardEvent, buttons: bool) -> bool {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
        .is_some_and(|el| match el.tag_name().as_str() {
            "INPUT" | "SELECT" | "TEXTAREA" => true,
            "BUTTON" => buttons,
            _ => false,
        })
        || ev.ctrl_key()
        || ev.meta_key()
        || ev.alt_key()
}

/// Prev / Next, the dots and the current step's title and text.
#[component]
pub fn StepPlayer(steps: &'static [Step]) -> impl IntoView {
    let router = expect_context::<Router>();
    let lang = expect_context::<RwSignal<Lang>>();
    let n = steps.len();
    let step = current_step(router, n);
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if typing(&ev, false) {
            return;
        }
        match ev.key().as_str() {
            "ArrowLeft" if step.get_untracked() > 1 => go(router, step.get_untracked() - 1),
            "ArrowRight" if step.get_untracked() < n => go(router, step.get_untracked() + 1),
            _ => {}
        }
    });
    on_cleanup(move || handle.remove());
    // Comparisons live outside `view!`, whose parser reads `>` as the end of a tag.
    let at_first = move || step.get() <= 1;
    let at_last = move || step.get() >= n;
    let prev = tx("← Previous", "← 上一步");
    let next = tx("Next →", "下一步 →");
    let of = tx("Step", "步骤");
    let agenda = tx("Agenda", "议程");
    let notes_label = tx("Speaker notes:", "演讲者备注：");
    let terms_label = tx("In the glossary:", "术语表：");
    view! {
        <nav class="player" aria-label="Lesson steps">
            <button data-testid="lesson-prev" disabled=at_first
                on:click=move |_| go(router, step.get_untracked().saturating_sub(1).max(1))>
                {move || prev.get(lang.get())}
            </button>
            <ol class="dots">
                {steps.iter().enumerate().map(|(i, s)| {
                    let k = i + 1;
                    let done = move || k < step.get();
                    view! {
                        <li>
                            <button class="dot" class:current=move || step.get() == k class:done=done
                                aria-current=move || (step.get() == k).then_some("step")
                                data-testid=format!("lesson-dot-{k}") title=move || s.title.get(lang.get())
                                on:click=move |_| go(router, k)>
                                <span class="num">{k}</span>
                                <span class="label">{move || s.title.get(lang.get())}</span>
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ol>
            <span class="position">
                {move || of.get(lang.get())} " "
                <strong data-testid="lesson-step" data-value=move || step.get().to_string()>{move || step.get()}</strong>
                {format!(" / {n}")}
            </span>
            <button data-testid="lesson-next" disabled=at_last
                on:click=move |_| go(router, (step.get_untracked() + 1).min(n))>
                {move || next.get(lang.get())}
            </button>
        </nav>
        // In presenter mode the room sees where the lesson is going: every step, the current one marked.
        <ol class="agenda" data-testid="agenda" aria-label=move || agenda.get(lang.get())>
            {steps.iter().enumerate().map(|(i, s)| {
                let k = i + 1;
                view! {
                    <li class:current=move || step.get() == k class:done=move || k < step.get()
                        on:click=move |_| go(router, k)>{move || s.title.get(lang.get())}</li>
                }
            }).collect_view()}
        </ol>
        <section class="step-text" aria-live="polite">
            <h2 data-testid="lesson-step-title">{move || steps[step.get() - 1].title.get(lang.get())}</h2>
            <p>{move || steps[step.get() - 1].body.get(lang.get())}</p>
            {move || {
                let l = lang.get();
                let found = crate::glossary::terms_in(steps[step.get() - 1].body.get(l), l);
                let zh = if l == Lang::Zh { "&lang=zh" } else { "" };
                (!found.is_empty()).then(|| view! {
                    <p class="terms" data-testid="step-terms">{terms_label.get(l)} " "
                        {found.into_iter().map(|t| view! {
                            <a href=format!("?page=glossary{zh}#term-{}", t.id) data-term=t.id>{t.name.get(l)}</a>
                        }).collect_view()}
                    </p>
                })
            }}
            <aside class="speaker-notes" data-testid="speaker-notes">
                <strong>{move || notes_label.get(lang.get())}</strong> " "
                {move || steps[step.get() - 1].notes.get(lang.get())}
            </aside>
        </section>
    }
}
