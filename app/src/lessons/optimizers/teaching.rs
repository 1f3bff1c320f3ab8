//! What the teacher's page says of this lesson: its demo links with the result a run shows (checked
//! against the lesson's own URL table), and an answer key for every question it grades, each written
//! from the grading code its row names (`graded_by`, a file of this folder and a function; a unit test
//! checks both exist).

use crate::lessons::lesson::{AnswerKey, Demo};
use crate::ui::i18n::tx;

/// The demos, in the order the teacher's page lists them.
pub const DEMOS: &[Demo] = &[
    Demo {
        title: tx("Momentum in a narrow valley", "狭长山谷中的动量"),
        setup: "step=2&kappa=100",
        what: tx(
            "Gradient descent and momentum at their best settings on a valley 100 times more sharply curved across than along: ask how many times fewer iterations momentum will need before the table shows it (about 6× fewer here, only about 2× at κ = 10; √κ = 10 only for much tighter tolerances).",
            "在横向曲率是纵向 100 倍的山谷上，梯度下降与动量都用最佳设置：在表格显示结果之前，先问梯度下降所需的迭代次数会是动量的几倍（这里约 6 倍，κ = 10 时只有约 2 倍；只有容差小得多时才接近 √κ = 10 倍）。",
        ),
        expect: tx(
            "Both paths reach the target; momentum in several times fewer iterations than gradient descent. √κ = 10 is the theory's order of magnitude for this speed-up, not the figure the table will show: read the table's two counts.",
            "两条路径都到达目标；动量所需的迭代次数比梯度下降少好几倍。√κ = 10 是理论给出的量级，而不是表格会显示的数：请读表格中的两个次数。",
        ),
    },
    Demo {
        title: tx("Adam against SGD", "Adam 与 SGD"),
        setup: "step=5",
        what: tx(
            "The race: SGD, momentum and Adam from the same initial weights on the same batches, each at its tuned rate. Ask which will lead after 500 steps, press Start, then switch to one learning rate for all and run again.",
            "比赛：SGD、动量和 Adam 从相同的初始权重出发、用相同的批次，各自用调好的学习率。先问 500 步后谁会领先，按“开始比赛”，然后改为所有优化器用同一个学习率再跑一次。",
        ),
        expect: tx(
            "Each arm's accuracy with its 95 % band; the sentence under the table names a leader only when the bands separate. With one learning rate for all, the order changes — an optimiser is only as good as its rate, and an adaptive one at a rate tuned for SGD does badly or diverges.",
            "每组的准确率及其 95% 误差带；只有误差带分开时，表格下方的句子才会说谁领先。所有优化器用同一个学习率时名次会变——优化器的好坏取决于它的学习率，自适应方法用为 SGD 调好的学习率会表现很差甚至发散。",
        ),
    },
];

/// Every question the lesson grades. `{sgd_lr}` and `{adam_lr}` are filled from `kernels::NAMED`'s tuned rates.
pub const ANSWERS: &[AnswerKey] = &[
    AnswerKey {
        step: 6,
        question: tx(
            "1. At κ = 100, both at their best settings, which reaches 1/1000 of the distance first?",
            "1. κ = 100、两者都用最佳设置时，谁先把距离缩小到 1/1000？",
        ),
        answer: tx(
            "Momentum, at least twice as fast (about 6× here). Graded by the two paths' iteration counts on the page's surface (the result line shows both).",
            "动量，至少快一倍（这里约 6 倍）。按页面曲面上两条路径的迭代次数评分（结果行会显示两个次数）。",
        ),
        graded_by: "quiz.rs question_runs",
    },
    AnswerKey {
        step: 6,
        question: tx(
            "2. On a κ = 10 valley at lr 0.05, what does μ = 0.99 do where 0.9 arrives?",
            "2. 在 κ = 10 的山谷中、学习率 0.05 时，0.9 能到达，μ = 0.99 会怎样？",
        ),
        answer: tx(
            "It swings past the minimum and arrives later (or not within the step limit). Graded by the two paths' iteration counts and μ = 0.99's overshoots.",
            "冲过极小值来回摆动，更晚到达（或在步数上限内到不了）。按两条路径的迭代次数和 μ = 0.99 冲过头的次数评分。",
        ),
        graded_by: "quiz.rs question_runs",
    },
    AnswerKey {
        step: 6,
        question: tx(
            "3. Adam at SGD's tuned rate against SGD: which is more accurate?",
            "3. Adam 用 SGD 调好的学习率与 SGD 比：谁更准确？",
        ),
        answer: tx(
            "Expect SGD: Adam runs at {sgd_lr}, far above its own tuned {adam_lr}, and does badly or diverges (a diverged arm counts as 10 %). Graded by a 200-step race; \"about the same\" when the two 95 % bands overlap.",
            "预计是 SGD：Adam 用 {sgd_lr} 运行，远高于它自己调好的 {adam_lr}，表现很差甚至发散（发散的一组按 10% 计）。按一场 200 步的比赛评分；两个 95% 误差带重叠时算“差不多”。",
        ),
        graded_by: "quiz.rs adam_grade",
    },
];
