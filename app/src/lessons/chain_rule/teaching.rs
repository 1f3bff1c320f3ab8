//! What the teacher's page says of this lesson: its demo links with the result a run shows (checked
//! against the lesson's own URL table), and an answer key for every question it grades, each written
//! from the grading code its row names (`graded_by`, a file of this folder and a function; a unit test
//! checks both exist).

use crate::lessons::lesson::{AnswerKey, Demo};
use crate::ui::i18n::tx;

/// The demos, in the order the teacher's page lists them.
pub const DEMOS: &[Demo] = &[Demo {
    title: tx(
        "A picked weight in the chain rule",
        "链式法则中选定的一个权重",
    ),
    setup: "step=2&weight=1.3.5&image=0",
    what: tx(
        "fc2.weight[3, 5]: its three factors, their product, the kernel's gradient and a finite difference on one image; then switch to a batch of 16.",
        "fc2.weight[3, 5]：它的三个因子、它们的乘积、内核算出的梯度和单张图像上的有限差分；再切换到 16 张图像的批次。",
    ),
    expect: tx(
        "The product of the factors and the engine's gradient agree within f32 rounding, and the finite difference agrees within its resolution: the line says \"All three agree\". The demo's weight is in fc2, where the exception the page explains is a hidden unit that is off for this image (h = 0): the gradient and the finite difference are then both 0, reported as underflow (pick another image). (A unit within ε of its ReLU kink matters only for fc1 weights.) With 16 images the table's rows add up to the product.",
        "因子之积与引擎算出的梯度在 f32 舍入之内一致，有限差分在其分辨精度之内一致：那一行写着“三者一致”。演示的权重在 fc2 中，页面会解释的例外是隐藏单元对这张图像未激活（h = 0）：这时梯度和有限差分都是 0，报告为下溢（换一张图像）。（单元离 ReLU 拐点不到 ε 的情况只影响 fc1 的权重。）换成 16 张图像时，表格各行之和就是乘积。",
    ),
}];

/// Every question the lesson grades. `{sgd_lr}` and `{adam_lr}` are filled from `kernels::NAMED`'s tuned rates.
pub const ANSWERS: &[AnswerKey] = &[AnswerKey {
    step: 4,
    question: tx(
        "Will the next step push the chosen weight up or down?",
        "下一步会把所选权重推高还是压低？",
    ),
    answer: tx(
        "Against μ·v + g: down when it is positive, up when it is negative (no move when μ·v + g = 0). Graded by the weight's real change in the step shown, which then runs; if the model moved on meanwhile, nothing is graded and the page asks again.",
        "朝 μ·v + g 的反方向：为正时变小，为负时变大（μ·v + g = 0 时不动）。按显示的那一步（随后运行）中权重的真实变化评分；如果模型在此期间发生了变化，就不评分，页面会重新提问。",
    ),
    graded_by: "panels.rs outcome",
}];
