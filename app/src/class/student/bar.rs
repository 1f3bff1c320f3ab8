//! The class bar every page shows a student in a class (`?class=CODE`, or a join kept in this
//! browser): before joining, an optional name and the join button; once joined, the pseudonym, the
//! connection, reports waiting to be stored, what the teacher pushed, and "leave class".

use leptos::prelude::*;

use super::{Class, Notice, install, join};
use crate::class::outbox::Record;
use crate::class::socket::Status;
use crate::class::text;
use crate::route::Router;
use crate::ui::i18n::Lang;

/// The notice of an assignment, in the page's language. `begun`: a run had begun when the form took
/// it (Reset starts a new run with it), `Some(false)`: the form was reset with it (the next Start uses
/// it), `None`: no lesson's form has taken it yet.
pub fn assigned_notice(
    a: &backprop_classroom::Assignment,
    begun: Option<bool>,
    lang: Lang,
) -> String {
    let mut parts = Vec::new();
    if let Some(lr) = a.lr {
        parts.push(text::LR_SET.get(lang).replace("{lr}", &lr.to_string()));
    }
    if let Some(seed) = a.seed {
        parts.push(
            text::SEED_SET
                .get(lang)
                .replace("{seed}", &seed.to_string()),
        );
    }
    if !parts.is_empty() {
        match begun {
            Some(true) => parts.push(text::PRESS_RESET.get(lang).to_string()),
            Some(false) => parts.push(text::NEXT_START.get(lang).to_string()),
            None => {}
        }
    }
    if let Some(sigma) = a.dp_sigma {
        parts.push(
            text::SIGMA_SET
                .get(lang)
                .replace("{sigma}", &sigma.to_string()),
        );
    }
    if parts.is_empty() {
        text::CLEARED.get(lang).to_string()
    } else {
        parts.join(if lang == Lang::Zh { "" } else { " " })
    }
}

/// The bar (nothing when the page is not in a class).
#[component]
pub fn ClassBar() -> impl IntoView {
    let router = expect_context::<Router>();
    let lang = expect_context::<RwSignal<Lang>>();
    let class = install(router);
    let url_code = Memo::new(move |_| router.0.with(|r| r.get("class").map(str::to_string)));
    Effect::new(move |_| {
        if let Some(code) = url_code.get() {
            class.invited.set(Some(code));
        }
    });
    // The page was opened to join a class this browser has not joined (or another than the kept one).
    let to_join = move || {
        let typed = class.invited.get()?;
        let kept = class
            .record
            .with(|r| r.as_ref().map(|r| r.joined.code.clone()));
        let code = backprop_classroom::code::normalise(&typed);
        match code {
            Some(c) if Some(&c) == kept.as_ref() => None,
            Some(c) => Some(Ok(c)),
            None => Some(Err(typed)),
        }
    };
    view! {
        {move || match to_join() {
            Some(Ok(code)) => join_form(class, code, lang).into_any(),
            Some(Err(typed)) => view! {
                <div class="class-bar" data-testid="class-bar">
                    <p class="error" role="alert" data-testid="class-join-error">
                        {move || text::NOT_A_CODE.get(lang.get()).replace("{code}", &typed)}</p>
                </div>
            }.into_any(),
            None => class.record.with(Option::is_some).then(|| joined_bar(class, lang)).into_any(),
        }}
    }
}

fn join_form(class: Class, code: String, lang: RwSignal<Lang>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let prompt_code = code.clone();
    let go = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let code = code.clone();
        wasm_bindgen_futures::spawn_local(async move {
            match join::join(&code, lang.get_untracked()).await {
                Ok(joined) => {
                    // A join replaces an older one: its outbox belonged to another class.
                    if let Some(s) = super::SOCKET.with(|s| s.borrow_mut().take()) {
                        s.close("joined another class");
                    }
                    class.joined(Record::new(joined, name.get_untracked().trim().to_string()));
                }
                Err(why) => error.set(Some(why)),
            }
            busy.set(false);
        });
    };
    view! {
        <div class="class-bar joining" data-testid="class-bar">
            <p>{move || text::JOIN_PROMPT.get(lang.get()).replace("{code}", &prompt_code)}</p>
            <label class="class-name">
                <span>{move || text::NAME_LABEL.get(lang.get())}</span>
                <input type="text" maxlength="40" autocomplete="off" data-testid="class-name"
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            </label>
            <span class="hint">{move || text::NAME_HINT.get(lang.get())}</span>
            <button data-testid="class-join" disabled=move || busy.get() on:click=go>
                {move || if busy.get() { text::JOINING.get(lang.get()) } else { text::JOIN.get(lang.get()) }}</button>
            {move || error.get().map(|e| view! { <p class="error" role="alert" data-testid="class-join-error">{e}</p> })}
        </div>
    }
}

fn joined_bar(class: Class, lang: RwSignal<Lang>) -> impl IntoView {
    let record = move || class.record.get();
    let pseudonym = move || {
        record().map(|r| match lang.get() {
            Lang::En => r.joined.pseudonym.en,
            Lang::Zh => r.joined.pseudonym.zh,
        })
    };
    let name = move || record().map(|r| r.name).filter(|n| !n.is_empty());
    let code = move || record().map(|r| r.joined.code).unwrap_or_default();
    let ended = move || record().is_some_and(|r| r.ended);
    let waiting = move || record().map_or(0, |r| r.outbox.pending.len());
    let connected =
        move || class.welcomed.get() && class.status.with(|s| *s == Status::Open) && !ended();
    view! {
        <div class="class-bar" data-testid="class-bar" role="status" aria-live="polite">
            <span class="class-who">{move || text::YOU_ARE.get(lang.get())} " "
                <strong data-testid="class-pseudonym">{pseudonym}</strong>
                {move || name().map(|n| {
                    let (open, close) = if lang.get() == Lang::Zh { ("（", "）") } else { (" (", ")") };
                    view! { {open} <span data-testid="class-own-name">{n}</span> {close} }
                })}
            </span>
            {move || connected().then(|| view! {
                <span class="class-joined" data-testid="class-joined" data-code=code>
                    {move || text::IN_CLASS.get(lang.get()).replace("{code}", &code())}</span>
            })}
            {move || (!connected() && !ended()).then(|| view! {
                <span class="class-status" data-testid="class-status">{move || class.status.with(|s| text::status(s, lang.get()))}</span>
            })}
            <span class="class-waiting hint" data-testid="class-pending" data-value=move || waiting().to_string()
                class:hidden=move || waiting() == 0>
                {move || text::WAITING.get(lang.get()).replace("{n}", &waiting().to_string())}</span>
            <button class="secondary" data-testid="class-leave" on:click=move |_| class.leave()>
                {move || text::LEAVE.get(lang.get())}</button>
            {move || ended().then(|| view! { <p class="class-ended" data-testid="class-ended">{move || text::ENDED.get(lang.get())}</p> })}
            {move || class.notice.get().map(|n| {
                let line = move || match &n {
                    Notice::Assigned(a) => assigned_notice(a, class.begun.get(), lang.get()),
                    Notice::Followed => text::FOLLOWING.get(lang.get()).to_string(),
                };
                view! { <p class="class-notice" data-testid="class-notice">{line}</p> }
            })}
            {move || class.refused.get().map(|r| {
                let raw = r.clone();
                view! { <p class="error" data-testid="class-refused" title=raw>{move || text::REFUSED.get(lang.get())} {move || text::refusal(&r, lang.get())}</p> }
            })}
        </div>
    }
}

/// The notice a page over plain http on another machine shows: what it lacks and where the https
/// address is.
#[component]
pub fn InsecureNotice() -> impl IntoView {
    let lang = expect_context::<RwSignal<Lang>>();
    let insecure = web_sys::window().is_some_and(|w| !w.is_secure_context());
    insecure.then(|| {
        view! { <p class="hint insecure-context" data-testid="insecure-context" role="note">{move || text::INSECURE.get(lang.get())}</p> }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use backprop_classroom::Assignment;

    #[test]
    fn an_assignment_reads_as_the_teacher_set_it() {
        let a = Assignment {
            lr: Some(0.1),
            ..Default::default()
        };
        assert_eq!(
            assigned_notice(&a, Some(true), Lang::En),
            "Your teacher set your learning rate to 0.1. Press Reset to start a new run with it."
        );
        assert_eq!(
            assigned_notice(&a, Some(false), Lang::Zh),
            "老师把你的学习率设为 0.1。下一次按“开始”时就会使用它。"
        );
        assert_eq!(
            assigned_notice(&a, None, Lang::En),
            "Your teacher set your learning rate to 0.1."
        );
        assert!(assigned_notice(&Assignment::default(), None, Lang::En).contains("took"));
    }
}
