//! What the teacher's page says of this lesson: its demo links with the result a run shows (checked
//! against the lesson's own URL table), and an answer key for every question it grades, each written
//! from the grading code its row names (`graded_by`, a file of this folder and a function; a unit test
//! checks both exist).

use crate::lessons::lesson::{AnswerKey, Demo};
use crate::ui::i18n::tx;

/// The demos, in the order the teacher's page lists them.
pub const DEMOS: &[Demo] = &[Demo {
    title: tx("A digit that fools the model", "骗过模型的数字"),
    setup: "step=4&image=0",
    what: tx(
        "Raise ε until the answer changes, then ask the class to read the attacked digit. Step 5 measures it on every test image.",
        "增大 ε 直到答案改变，然后请全班读出被攻击的数字。第 5 步在全部测试图像上测量它。",
    ),
    expect: tx(
        "At some small ε the model's answer changes while the class still reads the same digit (the speckle is visible on MNIST). Step 5's curve then falls steeply with ε: at ε = 0.1 the plain model is typically right on well under half of the test images (one walkthrough run of this app: 24.4 %).",
        "在某个不大的 ε 下模型的答案变了，而全班仍然认得出是同一个数字（在 MNIST 上能看到斑点）。第 5 步的曲线随 ε 急剧下降：在 ε = 0.1 时，普通模型通常只能答对远不到一半的测试图像（本应用在走查中的一次运行：24.4%）。",
    ),
}];

/// Every question the lesson grades. `{sgd_lr}` and `{adam_lr}` are filled from `kernels::NAMED`'s tuned rates.
pub const ANSWERS: &[AnswerKey] = &[
    AnswerKey {
        step: 8,
        question: tx(
            "1. At ε = 0.1, under FGSM, is the model still right on more than half of the test images?",
            "1. 在 ε = 0.1、FGSM 攻击下，模型还能答对一半以上的测试图像吗？",
        ),
        answer: tx(
            "Usually no (one walkthrough run of this app: 24.4 %). Graded by the FGSM accuracy at ε = 0.1 measured on the test images (yes above 50 %; within two standard errors of 50 % it is not decided), only if answered before that accuracy was on the page: it is asked on step 5 above Measure too.",
            "通常不能（本应用在走查中的一次运行：24.4%）。按在测试图像上测得的 ε = 0.1 时 FGSM 下的准确率评分（高于 50% 算“会”；与 50% 相差不到两倍标准误时不判定），且只在该准确率出现在页面上之前作答才评分：第 5 步“测量”按钮上方也会问这道题。",
        ),
        graded_by: "check.rs question_one",
    },
    AnswerKey {
        step: 8,
        question: tx(
            "2. With the output layer randomised, does the gradient map stay much the same (ρ above 0.5)?",
            "2. 随机化输出层后，梯度热力图会基本不变（ρ 大于 0.5）吗？",
        ),
        answer: tx(
            "No: the plain gradient runs through the output layer's weights, so the map changes and the rank correlation ρ is small. Graded by ρ between the two maps of the digit shown: yes above 0.5.",
            "不会：普通梯度要经过输出层的权重，所以图会变，秩相关 ρ 很小。按所示数字的两张图之间的 ρ 评分：大于 0.5 算“会”。",
        ),
        graded_by: "check.rs check",
    },
];
