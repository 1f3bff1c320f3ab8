//! What the teacher's page says of this lesson: its demo links with the result a run shows (checked
//! against the lesson's own URL table), and an answer key for every question it grades, each written
//! from the grading code its row names (`graded_by`, a file of this folder and a function; a unit test
//! checks both exist).

use crate::lessons::lesson::{AnswerKey, Demo};
use crate::ui::i18n::tx;

/// The demos, in the order the teacher's page lists them.
pub const DEMOS: &[Demo] = &[
    Demo {
        title: tx(
            "Another pen: transfer with the head kept",
            "另一支笔：保留分类头的迁移",
        ),
        setup: "scenario=pen&step=1",
        what: tx(
            "Five examples per digit in a thicker, shifted pen; keep the pretrained head in step 3 (do not replace it). The pretrained model starts far above chance; step 6 measures whether fine-tuning lifts it by more than the band.",
            "用更粗、偏移的笔，每个数字只有五个样本；在第 3 步保留预训练的分类头（不要替换）。预训练模型一开始就远高于随机猜测；第 6 步测量微调能否让它的提高超过误差带。",
        ),
        expect: tx(
            "The pretrained model measures far above chance (10 %) on the new pen before any training; after the head and then fine-tuning, with the head kept, fine-tuning usually ends a few points above from scratch — about one band (one walkthrough run: +7.0 against ±6.3), so 'About the same' also happens.",
            "在任何训练之前，预训练模型在新笔迹上的准确率就远高于随机猜测（10%）；训练分类头再微调之后，在保留分类头时，微调通常比从头训练高几个百分点——大约一个误差带（走查中的一次运行：+7.0，误差带 ±6.3），所以“差不多”也会出现。",
        ),
    },
    Demo {
        title: tx(
            "Clothes: transfer that barely helps",
            "服装：几乎无益的迁移",
        ),
        setup: "scenario=clothes&step=1",
        what: tx(
            "Digit features on Fashion-MNIST: run all three arms and read the verdict, with its band; ask the class to predict it first.",
            "把数字特征用在 Fashion-MNIST 上：运行三组并读结论及其误差带；先让全班预测结果。",
        ),
        expect: tx(
            "The verdict shows a much smaller advantage for the pretrained digit features than with the pen, often within the band (no advantage that this many test images can show).",
            "结论显示预训练的数字特征的优势比笔迹场景小得多，常常在误差带之内（这么多测试图像显示不出优势）。",
        ),
    },
];

/// Every question the lesson grades. `{sgd_lr}` and `{adam_lr}` are filled from `kernels::NAMED`'s tuned rates.
pub const ANSWERS: &[AnswerKey] = &[
    AnswerKey {
        step: 4,
        question: tx(
            "Which tensors get a gradient in the head-only phase?",
            "只训练分类头的阶段，哪些张量会得到梯度？",
        ),
        answer: tx(
            "Only the head's, fc2.weight and fc2.bias; the frozen fc1 gets none (in PyTorch its .grad stays None). Graded by the freezing panel's trace of the step.",
            "只有分类头的 fc2.weight 和 fc2.bias；被冻结的 fc1 没有梯度（在 PyTorch 中它的 .grad 保持为 None）。按冻结面板对这一步的记录评分。",
        ),
        graded_by: "predict.rs gradient_question",
    },
    AnswerKey {
        step: 6,
        question: tx(
            "Will fine-tuning beat training from scratch?",
            "微调会胜过从头训练吗？",
        ),
        answer: tx(
            "With the pen and the pretrained head kept, usually yes, but close to the band (one walkthrough run: +7.0 points against ±6.3). With the head replaced, the untouched model can win. Graded once step 5 (every layer) has run, by this seed's verdict, or by the verdict over seeds once two or more have finished.",
            "换笔迹并保留预训练的分类头时，通常会，但离误差带很近（走查中的一次运行：+7.0 个百分点，误差带 ±6.3）。换掉分类头时，未改动的模型可能胜出。第 5 步（所有层）运行之后评分：按这个随机种子的结论评分；有两个或更多种子完成后，按多个种子的总体结论评分。",
        ),
        graded_by: "predict.rs transfer_question",
    },
];
