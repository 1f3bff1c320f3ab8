//! Parts of the page whose code comes in its own wasm chunk, downloaded when the part first shows: a
//! lesson (`lessons::lesson::split_page!`), the course's other pages (teacher, glossary, class
//! dashboard) and a student's class bar. The home page downloads none of them. The build's splitter
//! moves a split function's code, and everything only it uses, into the chunk it names
//! (`scripts/build/build-wasm.sh`); `__wasm_split.js` loads it.

use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;

use crate::ui::i18n::{Lang, Text, tx};

/// A part whose chunk is being loaded (see [`split_view`]).
pub type PartLoad =
    Pin<Box<dyn Future<Output = Result<AnyView, leptos::wasm_split::SplitLoaderError>>>>;

/// Which kind of part loads: what it says meanwhile and if its chunk cannot be downloaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// A lesson's page (test ids `lesson-loading`, `lesson-load-error`).
    Lesson,
    /// A course page that is not a lesson (`page-loading`, `page-load-error`).
    Page,
    /// The student's class bar: nothing while it loads (it is a line above the lesson).
    ClassBar,
}

impl Part {
    fn loading(self) -> Option<(Text, &'static str)> {
        match self {
            Self::Lesson => Some((tx("Loading the lesson…", "正在加载课程…"), "lesson-loading")),
            Self::Page => Some((tx("Loading the page…", "正在加载页面…"), "page-loading")),
            Self::ClassBar => None,
        }
    }

    fn failed(self) -> (Text, &'static str) {
        match self {
            Self::Lesson => (
                tx(
                    "This lesson's code could not be downloaded (is the network down on a first visit?). Open the lesson again to retry.",
                    "无法下载这节课的代码（首次访问时网络断开了吗？）。请重新打开这节课再试。",
                ),
                "lesson-load-error",
            ),
            Self::Page => (
                tx(
                    "This page's code could not be downloaded (is the network down on a first visit?). Open the page again to retry.",
                    "无法下载这个页面的代码（首次访问时网络断开了吗？）。请重新打开这个页面再试。",
                ),
                "page-load-error",
            ),
            Self::ClassBar => (
                tx(
                    "The code for class mode could not be downloaded (is the network down?), so this page is not connected to the class and your runs will not reach the teacher. Reload the page to retry.",
                    "无法下载课堂模式的代码（网络断开了吗？），因此本页未连接到课堂，运行结果不会发送给老师。请刷新页面再试。",
                ),
                "class-load-error",
            ),
        }
    }
}

/// The part `$view` (an `AnyView`), loaded through the split function `$load` (unique per chunk)
/// from the wasm chunk `$chunk`, as a `fn() -> AnyView` that shows `$part`'s texts meanwhile.
macro_rules! split_view {
    ($chunk:ident, $load:ident, $part:expr, $view:expr) => {{
        #[::leptos::wasm_split::wasm_split($chunk, wasm_split_path = ::leptos::wasm_split, fallible)]
        fn $load() -> ::core::result::Result<
            ::leptos::prelude::AnyView,
            ::leptos::wasm_split::SplitLoaderError,
        > {
            Ok($view)
        }
        || $crate::lazy::lazy_view(::std::boxed::Box::pin($load()), $part)
    }};
}
pub(crate) use split_view;

/// The part once its chunk is there; until then `part`'s loading line (if it has one), and a message
/// in the page's language when the chunk cannot be downloaded (the next showing tries again).
pub fn lazy_view(load: PartLoad, part: Part) -> AnyView {
    let load = send_wrapper::SendWrapper::new(load);
    let lang = expect_context::<RwSignal<Lang>>();
    let (failed, failed_id) = part.failed();
    view! {
        <Suspense fallback=move || part.loading().map(|(text, id)| view! {
            <p class="part-loading" data-testid=id>{move || text.get(lang.get())}</p>
        })>
            {Suspend::new(async move {
                match load.await {
                    Ok(view) => view,
                    Err(_) => view! {
                        <p class="error" role="alert" data-testid=failed_id>
                            {move || failed.get(lang.get())}
                        </p>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}
