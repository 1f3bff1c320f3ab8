//! The app's shell: header (home link, language toggle, presenter mode), and the current lesson or
//! course page ([`crate::course`]), chosen by the URL. Language and route are shared through context.

use leptos::prelude::*;

use crate::course::Page;
use crate::lessons;
use crate::route::Router;
use crate::ui::i18n::{Lang, tx};

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let router = Router::install();
    provide_context(router);
    let query = router.0.with_untracked(|r| r.query());
    let lang = RwSignal::new(Lang::detect(&query));
    provide_context(lang);
    Effect::new(move |_| {
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = el.set_attribute("lang", lang.get().code());
        }
    });
    let toggle = move |_| {
        let next = if lang.get_untracked() == Lang::En {
            Lang::Zh
        } else {
            Lang::En
        };
        lang.set(next);
        let mut r = router.0.get_untracked();
        r.set("lang", (next == Lang::Zh).then(|| "zh".to_string()));
        router.replace(r);
    };
    // Presenter mode: big type, high contrast, only the step controls (`?present=1`).
    let present = Memo::new(move |_| router.0.with(|r| r.get("present") == Some("1")));
    Effect::new(move |_| {
        if let Some(body) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.body())
        {
            let _ = body
                .class_list()
                .toggle_with_force("present", present.get());
        }
    });
    let toggle_present = move |_| {
        let mut r = router.0.get_untracked();
        r.set(
            "present",
            (!present.get_untracked()).then(|| "1".to_string()),
        );
        router.replace(r);
    };
    let present_label = tx("Presenter mode", "演示模式");
    let lesson = Memo::new(move |_| router.0.with(|r| r.lesson.clone()));
    let page = Memo::new(move |_| router.0.with(|r| Page::parse(r.get("page"))));
    let home = tx("All lessons", "全部课程");
    view! {
        <header class="top">
            <h1><a href="?" data-testid="home" on:click=move |ev| { ev.prevent_default(); router.open_lesson(None); }>"Backprop Lab"</a></h1>
            <button class="lang" data-testid="lang" title="Language / 语言" on:click=toggle>
                {move || if lang.get() == Lang::En { "中文" } else { "English" }}
            </button>
            <button class="present" data-testid="present-toggle" aria-pressed=move || present.get().to_string()
                on:click=toggle_present>{move || present_label.get(lang.get())}</button>
            {move || (lesson.get().is_none() && page.get() != Page::Home).then(|| view! {
                <a class="back" href="?" data-testid="back-home" on:click=move |ev| { ev.prevent_default(); router.open_lesson(None); }>
                    {move || home.get(lang.get())}
                </a>
            })}
            {move || lesson.get().and_then(|id| lessons::find(&id)).map(|l| view! {
                <a class="back" href="?" data-testid="back-home" on:click=move |ev| { ev.prevent_default(); router.open_lesson(None); }>
                    {move || home.get(lang.get())}
                </a>
                <span class="lesson-title" data-testid="lesson-title">{move || l.info.title.get(lang.get())}</span>
            })}
        </header>
        <crate::class::student::bar::InsecureNotice />
        {crate::class::student_bar()}
        {move || lesson.get().and_then(|_| crate::client::native_engine()).map(|_| {
            let browser = tx("Compute in the browser instead", "改为在浏览器中计算");
            let here = tx(
                "This page's lessons compute in the backprop-lab program on this machine (the native engine, on its GPU when it has one; each lesson names the adapter).",
                "本页的课程在这台机器上的 backprop-lab 程序中计算（原生引擎，有 GPU 时使用 GPU；每节课会显示适配器名称）。",
            );
            let href = web_sys::window()
                .and_then(|w| w.location().search().ok())
                .map(|q| if q.is_empty() { "?native=0".to_string() } else { format!("{q}&native=0") })
                .unwrap_or_else(|| "?native=0".into());
            view! {
                <p class="hint native-engine" data-testid="native-engine">{move || here.get(lang.get())} " "
                    <a href=href data-testid="native-off">{move || browser.get(lang.get())}</a></p>
            }
        })}
        {move || match lesson.get() {
            Some(id) => match lessons::find(&id) {
                Some(l) => (l.page)(),
                None => Page::Home.view(true),
            },
            None => page.get().view(false),
        }}
    }
}
