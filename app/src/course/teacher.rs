//! The teacher's page (`?page=teacher`): a plan in 45-minute periods whose timings come from the lesson
//! registry's minutes, demo links that open a lesson at a step with a setup (each checked against the
//! lesson's own URL table), and where the speaker notes and the glossary are.

use leptos::prelude::*;

use crate::lessons::{self, LESSONS};
use crate::ui::i18n::{Lang, Text, tx};

/// A link that opens a lesson ready for one demonstration.
#[derive(Clone, Copy, Debug)]
pub struct Demo {
    /// What it shows.
    pub title: Text,
    /// The lesson's id.
    pub lesson: &'static str,
    /// Its setup (`step=2&weight=1.3.5`).
    pub setup: &'static str,
    /// What to do and what the class should see.
    pub what: Text,
}

/// The demos, in course order.
pub const DEMOS: &[Demo] = &[
    Demo {
        title: tx("Divergence at a large learning rate", "学习率过大时发散"),
        lesson: "train",
        setup: "step=4&lr=5&momentum=0.5",
        what: tx(
            "Press Start: within a few steps the loss explodes, training pauses, says where it diverged and rolls back. Ask first: what will a rate 500 times the usual one do?",
            "按“开始”：几步之内损失爆炸，训练暂停，指出在哪里发散并回滚。先问：比平常大 500 倍的学习率会怎样？",
        ),
    },
    Demo {
        title: tx("Batch 1 against batch 64", "批大小 1 与 64"),
        lesson: "train",
        setup: "step=4&batch=1&lr=0.01",
        what: tx(
            "The loss curve of single examples is far noisier; compare the samples per second with batch 64 (open the lesson again without the setup).",
            "单个样本的损失曲线噪声大得多；再与批大小 64 比较每秒处理的样本数（去掉设置重新打开本课）。",
        ),
    },
    Demo {
        title: tx("Momentum in a narrow valley", "狭长山谷中的动量"),
        lesson: "optimizers",
        setup: "step=2&kappa=100",
        what: tx(
            "Gradient descent and momentum at their best settings on a valley 100 times steeper across than along: ask how many times fewer iterations momentum will need before the table shows it (about √κ = 10).",
            "在横向比纵向陡 100 倍的山谷上，梯度下降与动量都用最佳设置：在表格显示结果之前，先问动量需要的迭代次数会少多少倍（约 √κ = 10 倍）。",
        ),
    },
    Demo {
        title: tx("Adam against SGD", "Adam 与 SGD"),
        lesson: "optimizers",
        setup: "step=5",
        what: tx(
            "The race: SGD, momentum and Adam from the same initial weights on the same batches, each at its tuned rate. Ask which will lead after 500 steps, press Start, then switch to one learning rate for all and run again.",
            "比赛：SGD、动量和 Adam 从相同的初始权重出发、用相同的批次，各自用调好的学习率。先问 500 步后谁会领先，按“开始比赛”，然后改为所有优化器用同一个学习率再跑一次。",
        ),
    },
    Demo {
        title: tx("Overfitting and early stopping", "过拟合与早停"),
        lesson: "train",
        setup: "step=5&hidden=128",
        what: tx(
            "Run the experiment on 500 images: the training loss keeps falling while the validation loss flattens; it stops and restores the best epoch, then the test accuracy appears once. Run it again with 5,000 images: the gap shrinks.",
            "用 500 张图像运行实验：训练损失一直下降，而验证损失趋于平缓；它停下并恢复最佳一轮，然后测试准确率只出现一次。再用 5,000 张图像运行：差距变小。",
        ),
    },
    Demo {
        title: tx("The loss of one image", "一张图像的损失"),
        lesson: "cross-entropy",
        setup: "step=4&image=5",
        what: tx(
            "The page's H and the GPU kernel's loss for the same image; before training both are about ln 10 ≈ 2.30. Ask why.",
            "页面算出的 H 与 GPU 内核对同一张图像的损失；训练前两者都约为 ln 10 ≈ 2.30。问学生为什么。",
        ),
    },
    Demo {
        title: tx(
            "A picked weight in the chain rule",
            "链式法则中选定的一个权重",
        ),
        lesson: "chain-rule",
        setup: "step=2&weight=1.3.5&image=0",
        what: tx(
            "fc2.weight[3, 5]: its three factors, their product, the kernel's gradient and a finite difference on one image; then switch to a batch of 16.",
            "fc2.weight[3, 5]：它的三个因子、它们的乘积、内核算出的梯度和单张图像上的有限差分；再切换到 16 张图像的批次。",
        ),
    },
    Demo {
        title: tx(
            "Another pen: transfer with the head kept",
            "另一支笔：保留分类头的迁移",
        ),
        lesson: "finetune",
        setup: "scenario=pen&step=1",
        what: tx(
            "Five examples per digit in a thicker, shifted pen; keep the pretrained head in step 3 (do not replace it). The pretrained model starts far above chance; step 6 measures whether fine-tuning lifts it by more than the band.",
            "用更粗、偏移的笔，每个数字只有五个样本；在第 3 步保留预训练的分类头（不要替换）。预训练模型一开始就远高于随机猜测；第 6 步测量微调能否让它的提高超过误差带。",
        ),
    },
    Demo {
        title: tx(
            "Clothes: transfer that barely helps",
            "服装：几乎无益的迁移",
        ),
        lesson: "finetune",
        setup: "scenario=clothes&step=1",
        what: tx(
            "Digit features on Fashion-MNIST: run all three arms and read the verdict, with its band; ask the class to predict it first.",
            "把数字特征用在 Fashion-MNIST 上：运行三组并读结论及其误差带；先让全班预测结果。",
        ),
    },
    Demo {
        title: tx("A digit that fools the model", "骗过模型的数字"),
        lesson: "interpret",
        setup: "step=4&image=0",
        what: tx(
            "Raise ε until the answer changes, then ask the class to read the attacked digit. Step 5 measures it on every test image.",
            "增大 ε 直到答案改变，然后请全班读出被攻击的数字。第 5 步在全部测试图像上测量它。",
        ),
    },
];

/// Minutes of a class period.
pub const PERIOD: u32 = 45;

/// The plan: each lesson in course order with its period (1-based) and its minutes within it; a lesson
/// that would run past the period's end opens the next period.
pub fn plan(minutes: &[u32]) -> Vec<(usize, u32, u32)> {
    let (mut period, mut start) = (1, 0);
    minutes
        .iter()
        .map(|&m| {
            if start > 0 && start + m > PERIOD {
                period += 1;
                start = 0;
            }
            let row = (period, start, start + m);
            start += m;
            row
        })
        .collect()
}

/// The page.
#[component]
pub fn Teacher() -> impl IntoView {
    let lang = expect_context::<RwSignal<Lang>>();
    let title = tx("For teachers", "教师页");
    let plan_title = tx(
        "The course in 45-minute periods",
        "以 45 分钟为一节课的课程安排",
    );
    let period = tx("Period", "第");
    let period_end = tx("", "节课");
    let plan_note = tx(
        "One lesson after another in course order, with the time each needs; a lesson that does not fit what is left of a period opens the next. The step list of each lesson is its agenda. In presenter mode (the header's button) every step shows its speaker notes.",
        "按课程顺序一课接一课，并给出每课所需时间；放不进本节课剩余时间的课程移到下一节。每课的步骤列表就是它的议程。在演示模式（页头的按钮）下，每一步都会显示讲者备注。",
    );
    let demos = tx("Demo links", "演示链接");
    let glossary = tx("English–Chinese glossary", "中英术语表");
    let minutes = tx("min", "分钟");
    let steps = tx("steps", "个步骤");
    let minutes_each: Vec<u32> = LESSONS.iter().map(|l| l.info.minutes).collect();
    let rows: Vec<_> = LESSONS.iter().zip(plan(&minutes_each)).collect();
    let href = |lesson: &str, setup: &str, lang: Lang| {
        let zh = if lang == Lang::Zh { "&lang=zh" } else { "" };
        if setup.is_empty() {
            format!("?lesson={lesson}{zh}")
        } else {
            format!("?lesson={lesson}&{setup}{zh}")
        }
    };
    view! {
        <main class="page teacher">
            <h2>{move || title.get(lang.get())}</h2>
            <section class="panel" data-testid="teacher-plan" data-minutes=PERIOD.to_string()>
                <h3>{move || plan_title.get(lang.get())}</h3>
                <p class="hint">{move || plan_note.get(lang.get())}</p>
                <table class="plan">
                    <tbody>
                        {rows.into_iter().map(|(l, (p, from, to))| view! {
                            <tr data-testid="plan-row" data-period=p.to_string() data-from=from.to_string() data-to=to.to_string()>
                                <td class="time">{move || format!("{} {p} {}", period.get(lang.get()), period_end.get(lang.get())).trim().to_string()}</td>
                                <td class="time">{format!("{from}–{to}")} " " {move || minutes.get(lang.get())}</td>
                                <td><a href=move || href(l.info.id, "", lang.get())>{move || l.info.title.get(lang.get())}</a></td>
                                <td class="hint">{move || l.info.article.get(lang.get())}</td>
                                <td class="hint">{(!l.info.steps.is_empty()).then(|| view! { {l.info.steps.len()} " " {move || steps.get(lang.get())} })}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
            <section class="panel" data-testid="teacher-demos">
                <h3>{move || demos.get(lang.get())}</h3>
                <ul class="demos">
                    {DEMOS.iter().map(|d| {
                        // The lesson's own URL table judges the link (a typo would otherwise open a
                        // lesson that silently ignores its setup).
                        let problems = lessons::find(d.lesson)
                            .map_or_else(|| vec![d.lesson.to_string()], |l| (l.check)(&format!("?lesson={}&{}", d.lesson, d.setup)));
                        view! {
                            <li data-testid="demo-link">
                                <a href=move || href(d.lesson, d.setup, lang.get())>{move || d.title.get(lang.get())}</a>
                                " — " {move || lessons::find(d.lesson).map(|l| l.info.title.get(lang.get()))}
                                {(!problems.is_empty()).then(|| view! { <p class="error" data-testid="demo-problem">{problems.join("; ")}</p> })}
                                <p class="hint">{move || d.what.get(lang.get())}</p>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
            <p><a href=move || if lang.get() == Lang::Zh { "?page=glossary&lang=zh" } else { "?page=glossary" } data-testid="glossary-link">
                {move || glossary.get(lang.get())}</a></p>
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_fills_45_minute_periods_and_every_demo_opens_its_lesson_as_the_link_says() {
        let minutes: Vec<u32> = LESSONS.iter().map(|l| l.info.minutes).collect();
        let rows = plan(&minutes);
        assert!(rows.iter().all(|&(_, _, to)| to <= PERIOD));
        // The core course fills the first period exactly.
        let first_end = rows.iter().filter(|r| r.0 == 1).map(|r| r.2).max();
        assert_eq!(first_end, Some(PERIOD));
        assert_eq!(
            plan(&[10, 30, 10, 45, 5]),
            vec![(1, 0, 10), (1, 10, 40), (2, 0, 10), (3, 0, 45), (4, 0, 5)]
        );
        for d in DEMOS {
            let lesson =
                lessons::find(d.lesson).unwrap_or_else(|| panic!("{}: no lesson", d.lesson));
            let query = format!("?lesson={}&{}", d.lesson, d.setup);
            let problems = (lesson.check)(&query);
            assert!(problems.is_empty(), "{query}: {problems:?}");
            let step = crate::route::Route::parse(&query).step;
            assert!(
                step <= lesson.info.steps.len().max(1),
                "{query}: no step {step}"
            );
        }
        // The check is not a stub: a bad value is reported.
        let train = lessons::find("train").unwrap();
        assert!(!(train.check)("?lesson=train&lr=-1").is_empty());
        let chain = lessons::find("chain-rule").unwrap();
        assert!(!(chain.check)("?lesson=chain-rule&weight=0.99.5").is_empty());
    }
}
