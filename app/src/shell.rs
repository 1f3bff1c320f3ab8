//! The app's shell: header (home link, language toggle), the home page with a card per lesson, and the
//! current lesson, chosen by the URL. Language and route are shared through context.

use leptos::prelude::*;

use crate::lessons::{self, LESSONS};
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
    let home = tx("All lessons", "全部课程");
    view! {
        <header class="top">
            <h1><a href="?" data-testid="home" on:click=move |ev| { ev.prevent_default(); router.open_lesson(None); }>"Backprop Lab"</a></h1>
            <button class="lang" data-testid="lang" title="Language / 语言" on:click=toggle>
                {move || if lang.get() == Lang::En { "中文" } else { "English" }}
            </button>
            <button class="present" data-testid="present-toggle" aria-pressed=move || present.get().to_string()
                on:click=toggle_present>{move || present_label.get(lang.get())}</button>
            {move || lesson.get().and_then(|id| lessons::find(&id)).map(|l| view! {
                <a class="back" href="?" data-testid="back-home" on:click=move |ev| { ev.prevent_default(); router.open_lesson(None); }>
                    {move || home.get(lang.get())}
                </a>
                <span class="lesson-title" data-testid="lesson-title">{move || l.info.title.get(lang.get())}</span>
            })}
        </header>
        {move || match lesson.get() {
            Some(id) => match lessons::find(&id) {
                Some(l) => (l.page)(),
                None => view! { <Home unknown=true /> }.into_any(),
            },
            None => view! { <Home unknown=false /> }.into_any(),
        }}
    }
}

/// The home page: one card per lesson from the registry.
#[component]
fn Home(unknown: bool) -> impl IntoView {
    let router = expect_context::<Router>();
    let lang = expect_context::<RwSignal<Lang>>();
    let intro = tx(
        "Watch a real neural network learn on your own GPU: every number on these pages comes live from the model. Pick a lesson.",
        "在你自己的 GPU 上看一个真实的神经网络学习：页面上的每个数字都实时来自模型。请选择一节课。",
    );
    let steps = tx("steps", "个步骤");
    let open = tx("Open", "打开");
    view! {
        <main class="home">
            {unknown.then(|| view! { <p class="error" role="alert">{move || lessons::NOT_FOUND.get(lang.get())}</p> })}
            <p class="intro">{move || intro.get(lang.get())}</p>
            <ul class="cards">
                {LESSONS.iter().map(|l| {
                    let l = &l.info;
                    let href = format!("?lesson={}", l.id);
                    view! {
                        <li class="card" data-testid=format!("lesson-card-{}", l.id)>
                            <h2>{move || l.title.get(lang.get())}</h2>
                            <p>{move || l.summary.get(lang.get())}</p>
                            {(!l.steps.is_empty()).then(|| view! { <p class="meta">{l.steps.len()} " " {move || steps.get(lang.get())}</p> })}
                            <a class="open" href=href data-testid=format!("open-{}", l.id)
                                on:click=move |ev| { ev.prevent_default(); router.open_lesson(Some(l.id)); }>
                                {move || open.get(lang.get())}
                            </a>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <footer>{move || tx("MNIST: LeCun, Cortes, Burges (CC BY-SA 3.0). Fashion-MNIST: Zalando Research (MIT). CIFAR-10: A. Krizhevsky (2009).", "MNIST：LeCun、Cortes、Burges（CC BY-SA 3.0）。Fashion-MNIST：Zalando Research（MIT）。CIFAR-10：A. Krizhevsky（2009）。").get(lang.get())}</footer>
        </main>
    }
}
