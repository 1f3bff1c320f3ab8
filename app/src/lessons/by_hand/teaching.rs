//! What the teacher's page says of this lesson: its demo links with the result a run shows (checked
//! against the lesson's own URL table), and an answer key for every question it grades, each written
//! from the grading code its row names (`graded_by`, a file of this folder and a function; a unit test
//! checks both exist).

use crate::lessons::lesson::{AnswerKey, Demo};
use crate::ui::i18n::tx;

/// The demos, in the order the teacher's page lists them.
pub const DEMOS: &[Demo] = &[Demo {
    title: tx("The backward pass by hand", "手写反向传播"),
    setup: "step=2&image=0",
    what: tx(
        "Type dz2 = (softmax(z2, 1) - onehot(y, 10)) without the / B first and press Enter, then add it; then type dW2 = h.T @ dz2. Ask the class what each grade means before fixing the line.",
        "先输入不带 / B 的 dz2 = (softmax(z2, 1) - onehot(y, 10))，按回车，再把它加上；然后输入 dW2 = h.T @ dz2。在改正之前，先问全班每个评分是什么意思。",
    ),
    expect: tx(
        "Without / B, dz2 is graded 'wrong values': every entry is B = 4 times too large, so the relative error is 3 where it is largest. With it, 'right' (a relative error far below 1e-5). h.T @ dz2 is graded 'wrong shape: expected [10, 32], got [32, 10]'; dz2.T @ h is right, and the graph's edge into W2 lights up.",
        "不带 / B 时，dz2 被评为“数值不对”：每个元素都大了 B = 4 倍，所以最大相对误差是 3。加上后评为“正确”（相对误差远小于 1e-5）。h.T @ dz2 被评为“形状不对：应为 [10, 32]，得到的是 [32, 10]”；dz2.T @ h 是对的，图中通往 W2 的边会亮起来。",
    ),
}];

/// Every question the lesson grades. `{sgd_lr}` and `{adam_lr}` are filled from `kernels::NAMED`'s tuned rates.
pub const ANSWERS: &[AnswerKey] = &[AnswerKey {
    step: 2,
    question: tx(
        "Write the seven lines of the backward pass, dz2 to db1.",
        "写出反向传播的七行，从 dz2 到 db1。",
    ),
    answer: tx(
        "dz2 = (softmax(z2, 1) - onehot(y, 10)) / B; dW2 = dz2.T @ h; db2 = sum(dz2, 0); dh = dz2 @ W2; dz1 = dh * (z1 > 0); dW1 = dz1.T @ x; db1 = sum(dz1, 0). Any line computing the same tensor is right (largest relative error at most 1e-5 against the exact gradient). Variations change one line: with tanh, dz1 = dh * (1 - h ** 2) (or 1 - tanh(z1) ** 2); with label smoothing, dz2 = (softmax(z2, 1) - ((1 - eps) * onehot(y, 10) + eps / 10)) / B; with squared error on the softmax, dz2 = 2 / B * softmax(z2, 1) * (softmax(z2, 1) - onehot(y, 10) - sum((softmax(z2, 1) - onehot(y, 10)) * softmax(z2, 1), 1, keepdim=True)). The third hint of each line shows it.",
        "dz2 = (softmax(z2, 1) - onehot(y, 10)) / B；dW2 = dz2.T @ h；db2 = sum(dz2, 0)；dh = dz2 @ W2；dz1 = dh * (z1 > 0)；dW1 = dz1.T @ x；db1 = sum(dz1, 0)。任何算出同一张量的写法都算对（与精确梯度相比最大相对误差不超过 1e-5）。变体只改变一行：用 tanh 时 dz1 = dh * (1 - h ** 2)（或 1 - tanh(z1) ** 2）；用标签平滑时 dz2 = (softmax(z2, 1) - ((1 - eps) * onehot(y, 10) + eps / 10)) / B；对 softmax 输出用平方误差时 dz2 = 2 / B * softmax(z2, 1) * (softmax(z2, 1) - onehot(y, 10) - sum((softmax(z2, 1) - onehot(y, 10)) * softmax(z2, 1), 1, keepdim=True))。每一行的第三级提示会给出它。",
    ),
    graded_by: "grading.rs grade_line",
}];
