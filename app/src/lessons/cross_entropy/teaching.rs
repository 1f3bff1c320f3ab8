//! What the teacher's page says of this lesson: its demo links with the result a run shows (checked
//! against the lesson's own URL table), and an answer key for every question it grades, each written
//! from the grading code its row names (`graded_by`, a file of this folder and a function; a unit test
//! checks both exist).

use crate::lessons::lesson::{AnswerKey, Demo};
use crate::ui::i18n::tx;

/// The demos, in the order the teacher's page lists them.
pub const DEMOS: &[Demo] = &[Demo {
    title: tx("The loss of one image", "一张图像的损失"),
    setup: "step=4&image=5",
    what: tx(
        "The page's H and the loss from the engine's kernel (the engine the lesson's bar names) for the same image; before training both are about ln 10 ≈ 2.30. Ask why.",
        "页面算出的 H 与引擎的内核（本课状态栏所示的引擎）对同一张图像算出的损失；训练前两者都约为 ln 10 ≈ 2.30。问学生为什么。",
    ),
    expect: tx(
        "Before training both numbers are close to ln 10 ≈ 2.30 and the line says they agree; after some training most images' loss is far lower, and the two still agree (or both underflow for an image the model is very sure of).",
        "训练前两个数都接近 ln 10 ≈ 2.30，并且那一行说两者一致；训练一段时间后大多数图像的损失低得多，两者仍然一致（对模型非常确定的图像，两者都会下溢）。",
    ),
}];

/// Every question the lesson grades. `{sgd_lr}` and `{adam_lr}` are filled from `kernels::NAMED`'s tuned rates.
pub const ANSWERS: &[AnswerKey] = &[AnswerKey {
    step: 6,
    question: tx(
        "Which of two predictions has the lower cross-entropy?",
        "两个预测中哪一个的交叉熵更低？",
    ),
    answer: tx(
        "The one whose true-class bar is taller: the loss is −ln q(true). The page only asks about pairs whose q(true) differ by at least 0.25, so the bars decide by eye.",
        "真实类别柱子更高的那个：损失是 −ln q(真实类别)。页面只问 q(真实类别) 相差至少 0.25 的一对，所以用眼睛看柱子就能判断。",
    ),
    // The grade (a.h <= b.h on the two readings pinned at one step) is in the panel; the pair
    // rule (q(true) at least 0.25 apart) is lessons/live_model/quiz.rs `pair`.
    graded_by: "panels.rs Quiz",
}];
