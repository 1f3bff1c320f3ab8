//! What the teacher's page says of this lesson: its demo links with the result a run shows (checked
//! against the lesson's own URL table), and an answer key for every question it grades, each written
//! from the grading code its row names (`graded_by`, a file of this folder and a function; a unit test
//! checks both exist).

use crate::lessons::lesson::{AnswerKey, Demo};
use crate::ui::i18n::tx;

/// The demos, in the order the teacher's page lists them.
pub const DEMOS: &[Demo] = &[];

/// Every question the lesson grades. `{sgd_lr}` and `{adam_lr}` are filled from `kernels::NAMED`'s tuned rates.
pub const ANSWERS: &[AnswerKey] = &[
    AnswerKey {
        step: 6,
        question: tx(
            "1. If σ is doubled, does ε halve?",
            "1. 如果 σ 加倍，ε 会减半吗？",
        ),
        answer: tx(
            "It depends on the settings, which is the point: the accountant computes ε at σ and at 2σ for the planned epochs; \"about half\" when the ratio is within 0.45–0.55, otherwise less or more than half. The result line shows both ε.",
            "取决于设置，这正是要点：记账器按计划的轮数算出 σ 与 2σ 时的 ε；比值在 0.45–0.55 之间算“大约减半”，否则是降幅不到一半或降到一半以下。结果行会显示两个 ε。",
        ),
        graded_by: "check.rs check_panel",
    },
    AnswerKey {
        step: 6,
        question: tx(
            "2. Will DP-SGD shrink the membership test's advantage?",
            "2. DP-SGD 会减小成员推断的优势吗？",
        ),
        answer: tx(
            "Usually yes. Graded by the two runs' measured advantages: yes when the DP-SGD model's is lower than the plain model's by more than two standard errors of the difference; only if answered before both runs exist (it is asked on steps 1 and 3 too).",
            "通常会。按两次运行测得的优势评分：DP-SGD 模型的优势比普通模型低、且差值超过两倍标准误时算“会”；只有在两次运行都完成之前作答才评分（第 1 步和第 3 步也会问这道题）。",
        ),
        graded_by: "check.rs question_two",
    },
];
