//! "Train a network": the seed recipe on MNIST with every control and live view (the first lesson).
//! `page` is the page, `state` what it knows of the run, `protocol` its messages with the worker
//! (`worker/train.rs`), `text` every sentence in both languages.

#[cfg(feature = "burn")]
mod autodiff;
mod page;
pub mod protocol;
mod resume;
mod state;
mod text;

use leptos::prelude::*;

use super::LessonInfo;
use crate::ui::i18n::tx;

/// URL id.
pub const ID: &str = "train";

/// Registry entry.
pub const INFO: LessonInfo = LessonInfo {
    id: ID,
    title: tx("Train a network", "训练一个神经网络"),
    summary: tx(
        "An MLP learns MNIST on your GPU: the training loop step by step, loss and accuracy live, the first layer's weights, a confusion matrix and a drawing pad.",
        "一个多层感知机在你的 GPU 上学习 MNIST：逐步展示训练循环，实时的损失和准确率、第一层权重、混淆矩阵和手写板。",
    ),
    steps: &[],
};

/// The lesson.
#[component]
pub fn TrainLesson() -> impl IntoView {
    view! { <page::TrainPage /> }
}
