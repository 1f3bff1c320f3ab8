//! "Train a network": the seed recipe on MNIST with every control and live view (the first lesson).
//! `page` is the page, `state` what it knows of the run, `setup` its settings table (URL and form), `protocol`
//! its messages with `worker` (the engine side), `text` every sentence in both languages.

#[cfg(feature = "burn")]
mod autodiff;
#[cfg(not(target_arch = "wasm32"))]
pub mod bench;
mod check;
mod class_report;
mod hardware;
mod overfit;
mod overfit_text;
mod page;
mod panels;
pub mod protocol;
mod resume;
pub mod setup;
mod state;
mod steps;
mod teaching;
mod text;
mod worker;

use leptos::prelude::*;

use super::lesson::{Lesson, LessonInfo};
use crate::runtime::WorkerEntry;
use crate::ui::i18n::tx;

/// URL id.
pub const ID: &str = "train";

/// Registry entry.
pub const INFO: LessonInfo = LessonInfo {
    id: ID,
    title: tx("Train a network", "训练一个神经网络"),
    summary: tx(
        "A small neural network learns to read handwritten digits in your browser (on your GPU when the browser offers a real one through WebGPU, otherwise on the CPU): watch its error fall and its accuracy climb, see what its first layer looks for, and test it on a digit you draw.",
        "一个小型神经网络在你的浏览器里学习识别手写数字（浏览器通过 WebGPU 提供真实的 GPU 时在你的 GPU 上，否则在 CPU 上）：看它的误差下降、准确率上升，看它的第一层在找什么，再用你画的数字测试它。",
    ),
    steps: &steps::STEPS,
    minutes: 20,
    article: tx(
        "§3.1 and §5.1 Training a network",
        "§3.1、§5.1 神经网络训练",
    ),
};

/// The lesson's engine worker.
pub const WORKER: WorkerEntry = crate::runtime::split_worker!("train", train, worker::Worker);

/// Registry row.
pub const LESSON: Lesson = Lesson {
    info: INFO,
    page: super::lesson::split_page!(train, train_page, view! { <TrainLesson /> }.into_any()),
    worker: Some(WORKER),
    check: |query| crate::settings::url_problems(setup::SETTINGS, query),
    demos: teaching::DEMOS,
    answers: teaching::ANSWERS,
    module: module_path!(),
};

/// The lesson.
#[component]
pub fn TrainLesson() -> impl IntoView {
    view! { <page::TrainPage /> }
}
