//! "Train a network": the seed recipe on MNIST with every control and live view (the first lesson).
//! `page` is the page, `state` what it knows of the run, `config` its setup (URL and form), `protocol`
//! its messages with `worker` (the engine side), `text` every sentence in both languages.

#[cfg(feature = "burn")]
mod autodiff;
pub mod config;
mod page;
pub mod protocol;
mod resume;
mod state;
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
        "An MLP learns MNIST in your browser (on your GPU when WebGPU is there): the training loop step by step, loss and accuracy live, the first layer's weights, a confusion matrix and a drawing pad.",
        "一个多层感知机在你的浏览器里学习 MNIST（有 WebGPU 时在你的 GPU 上）：逐步展示训练循环，实时的损失和准确率、第一层权重、混淆矩阵和手写板。",
    ),
    steps: &[],
};

/// The lesson's engine worker.
pub const WORKER: WorkerEntry = WorkerEntry::of::<worker::Worker>("train");

/// Registry row.
pub const LESSON: Lesson = Lesson {
    info: INFO,
    page: || view! { <TrainLesson /> }.into_any(),
    worker: Some(WORKER),
};

/// The lesson.
#[component]
pub fn TrainLesson() -> impl IntoView {
    view! { <page::TrainPage /> }
}
