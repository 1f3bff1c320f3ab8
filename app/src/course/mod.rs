//! The course around the lessons: the home page (the lessons in course order, numbered, with minutes
//! and the article section each teaches), the teacher's page, and the glossary (`crate::glossary`). Pages other than lessons
//! are chosen by `?page=` ([`Page`]).

pub mod answers;
pub mod teacher;

use leptos::prelude::*;

use crate::lessons::{self, LESSONS};
use crate::route::Router;
use crate::ui::i18n::{Lang, tx};

/// A page that is not a lesson.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    /// The course: every lesson.
    Home,
    /// The teacher's plan and demos.
    Teacher,
    /// The glossary.
    Glossary,
    /// Class mode's dashboard for the teacher (`?page=class&token=…`).
    Class,
}

impl Page {
    /// The `page=` value of a URL (the home page for none or an unknown one).
    pub fn parse(value: Option<&str>) -> Self {
        match value {
            Some("teacher") => Self::Teacher,
            Some("glossary") => Self::Glossary,
            Some("class") => Self::Class,
            _ => Self::Home,
        }
    }

    /// The page's view.
    pub fn view(self, unknown_lesson: bool) -> AnyView {
        match self {
            Self::Home => view! { <Home unknown=unknown_lesson /> }.into_any(),
            // The other pages come in wasm chunks of their own: the home page (and a student's
            // lesson) never downloads the teacher's plan, the glossary's page or the class dashboard
            // (its charts, grid and QR code). The teacher's plan and the glossary share one chunk
            // (each split point more multiplies the small chunks of code shared between them).
            Self::Teacher => (crate::lazy::split_view!(
                course_pages,
                teacher_page_view,
                crate::lazy::Part::Page,
                view! { <teacher::Teacher /> }.into_any()
            ))(),
            Self::Glossary => (crate::lazy::split_view!(
                course_pages,
                glossary_page_view,
                crate::lazy::Part::Page,
                view! { <crate::glossary::Glossary /> }.into_any()
            ))(),
            Self::Class => (crate::lazy::split_view!(
                class_dashboard,
                class_dashboard_page,
                crate::lazy::Part::Page,
                view! { <crate::class::teacher::ClassPage /> }.into_any()
            ))(),
        }
    }
}

/// The home page: the lessons in course order, from the registry.
#[component]
fn Home(unknown: bool) -> impl IntoView {
    let router = expect_context::<Router>();
    let lang = expect_context::<RwSignal<Lang>>();
    let intro = tx(
        "Watch a real neural network learn, computed while you watch: in your browser (on your GPU when the browser offers a real one through WebGPU, otherwise on the CPU), or in the backprop-lab program when a teacher serves the pages with it; each lesson names the engine that ran. Every number from the model on these pages is computed live, except the cited reference figures. The lessons follow one article, in this order.",
        "看一个真实的神经网络学习，一边看一边计算：在你的浏览器里（浏览器通过 WebGPU 提供真实的 GPU 时在你的 GPU 上，否则在 CPU 上），或者在老师用 backprop-lab 程序提供页面时在该程序里；每节课都会写明实际运行的引擎。这些页面上来自模型的每个数字都是实时算出的，引用的参考数字除外。各课按同一篇文章展开，顺序如下。",
    );
    let steps = tx("steps", "个步骤");
    let minutes = tx("min", "分钟");
    let open = tx("Open", "打开");
    let start_here = tx("Start here", "从这里开始");
    let teacher = tx(
        "For teachers: a plan in 45-minute periods, demo links with what to expect, answer keys",
        "教师页：以 45 分钟为一节的教学计划、附预期结果的演示链接、答案",
    );
    let glossary = tx("Glossary (English–Chinese)", "术语表（中英对照）");
    let zh = move || {
        if lang.get() == Lang::Zh {
            "&lang=zh"
        } else {
            ""
        }
    };
    view! {
        <main class="home">
            {unknown.then(|| view! { <p class="error" role="alert">{move || lessons::NOT_FOUND.get(lang.get())}</p> })}
            <p class="intro">{move || intro.get(lang.get())}</p>
            // The course pages, also at the top (not only below seven cards).
            <p class="course-links top">
                <a href=move || format!("?page=teacher{}", zh()) data-testid="teacher-link">{move || teacher.get(lang.get())}</a>
                " · "
                <a href=move || format!("?page=glossary{}", zh()) data-testid="glossary-link">{move || glossary.get(lang.get())}</a>
            </p>
            <ol class="cards course">
                {LESSONS.iter().enumerate().map(|(i, l)| {
                    let worker = l.worker.map_or("none", |w| w.name);
                    let l = &l.info;
                    let order = i + 1;
                    let href = format!("?lesson={}", l.id);
                    view! {
                        <li class="card" class:first=order == 1 data-testid="course-card" data-order=order.to_string() data-lesson=l.id data-worker=worker data-steps=l.steps.len().to_string()>
                            <div data-testid=format!("lesson-card-{}", l.id)>
                                <p class="order"><span class="num">{order}</span>
                                    {(order == 1).then(|| view! { <span class="start-here" data-testid="start-here">{move || start_here.get(lang.get())}</span> })}</p>
                                <h2>{move || l.title.get(lang.get())}</h2>
                                <p>{move || l.summary.get(lang.get())}</p>
                                <p class="meta">
                                    {l.minutes} " " {move || minutes.get(lang.get())}
                                    {(!l.steps.is_empty()).then(|| view! { " · " {l.steps.len()} " " {move || steps.get(lang.get())} })}
                                    " · " <span class="article">{move || l.article.get(lang.get())}</span>
                                </p>
                                <a class="open" href=href data-testid=format!("open-{}", l.id)
                                    aria-label=move || format!("{} {}", open.get(lang.get()), l.title.get(lang.get()))
                                    on:click=move |ev| { ev.prevent_default(); router.open_lesson(Some(l.id)); }>
                                    {move || open.get(lang.get())}
                                </a>
                            </div>
                        </li>
                    }
                }).collect_view()}
            </ol>
            <p class="course-links">
                <a href=move || format!("?page=teacher{}", zh()) data-testid="teacher-link-bottom">{move || teacher.get(lang.get())}</a>
                " · "
                <a href=move || format!("?page=glossary{}", zh()) data-testid="glossary-link-bottom">{move || glossary.get(lang.get())}</a>
            </p>
            <footer>{move || tx("MNIST: LeCun, Cortes, Burges (CC BY-SA 3.0). Fashion-MNIST: Zalando Research (MIT). CIFAR-10: A. Krizhevsky (2009).", "MNIST：LeCun、Cortes、Burges（CC BY-SA 3.0）。Fashion-MNIST：Zalando Research（MIT）。CIFAR-10：A. Krizhevsky（2009）。").get(lang.get())}</footer>
        </main>
    }
}
