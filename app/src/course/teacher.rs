//! The teacher's page (`?page=teacher`): a plan in 45-minute periods whose timings come from the lesson
//! registry's minutes, demo links that open a lesson at a step with a setup (each checked against the
//! lesson's own URL table), and where the speaker notes and the glossary are.

use leptos::prelude::*;

use super::answers::fill;
use crate::lessons::LESSONS;
use crate::ui::i18n::{Lang, tx};

/// Minutes of a class period.
pub const PERIOD: u32 = 45;
/// Minutes at the start of every period: settling in, a recap, the question of the day.
pub const INTRO: u32 = 5;
/// Minutes kept free at the end of every period: questions, a slow run, the check-yourself answers.
pub const SLACK: u32 = 5;

/// The plan: each lesson in course order with its period (1-based) and its minutes within it. Every
/// period opens with [`INTRO`] minutes and keeps [`SLACK`] free at its end; a lesson that would run
/// into that slack opens the next period.
pub fn plan(minutes: &[u32]) -> Vec<(usize, u32, u32)> {
    let (mut period, mut start) = (1, INTRO);
    minutes
        .iter()
        .map(|&m| {
            if start > INTRO && start + m > PERIOD - SLACK {
                period += 1;
                start = INTRO;
            }
            let row = (period, start, start + m);
            start += m;
            row
        })
        .collect()
}

/// One period's rows: the intro, its lessons (index into the plan) and what is left at the end.
fn periods(rows: &[(usize, u32, u32)]) -> Vec<(usize, Vec<usize>, u32)> {
    let mut out: Vec<(usize, Vec<usize>, u32)> = Vec::new();
    for (i, &(p, _, to)) in rows.iter().enumerate() {
        match out.last_mut() {
            Some((q, lessons, end)) if *q == p => {
                lessons.push(i);
                *end = to;
            }
            _ => out.push((p, vec![i], to)),
        }
    }
    out
}

/// The fewest and the most minutes a step that the registry gives a lesson (its minutes over its
/// steps; lessons without steps left out), for the plan's note.
pub fn minutes_per_step() -> (f64, f64) {
    LESSONS
        .iter()
        .filter(|l| !l.info.steps.is_empty())
        .map(|l| f64::from(l.info.minutes) / l.info.steps.len() as f64)
        .fold((f64::INFINITY, 0.0_f64), |(lo, hi), m| {
            (lo.min(m), hi.max(m))
        })
}

/// The page.
#[component]
pub fn Teacher() -> impl IntoView {
    let lang = expect_context::<RwSignal<Lang>>();
    let title = tx("For teachers", "教师页");
    let class_mode = tx(
        "Teach a class: with backprop-lab serve --class, students join with a code or a QR code and your screen shows the whole class's runs live.",
        "带全班上课：用 backprop-lab serve --class，学生用加入码或二维码加入，你的屏幕实时显示全班的运行。",
    );
    let class_open = tx("The class dashboard", "课堂看板");
    let glossary = tx("English–Chinese glossary", "中英术语表");
    view! {
        <main class="page teacher">
            <h2>{move || title.get(lang.get())}</h2>
            <p class="course-links" data-testid="class-mode-link">{move || class_mode.get(lang.get())} " "
                <a href=move || if lang.get() == Lang::Zh { "?page=class&lang=zh" } else { "?page=class" }>{move || class_open.get(lang.get())}</a></p>
            <PlanPanel />
            <DemoLinks />
            <AnswerKeys />
            <p><a href=move || if lang.get() == Lang::Zh { "?page=glossary&lang=zh" } else { "?page=glossary" } data-testid="glossary-link">
                {move || glossary.get(lang.get())}</a></p>
        </main>
    }
}

/// A link that opens `lesson` with `setup` (a query string without its `?`, or empty) in `lang`.
fn lesson_href(lesson: &str, setup: &str, lang: Lang) -> String {
    let zh = if lang == Lang::Zh { "&lang=zh" } else { "" };
    if setup.is_empty() {
        format!("?lesson={lesson}{zh}")
    } else {
        format!("?lesson={lesson}&{setup}{zh}")
    }
}

/// The course plan: every period's table of lessons and the total.
#[component]
fn PlanPanel() -> impl IntoView {
    let lang = expect_context::<RwSignal<Lang>>();
    let plan_title = tx(
        "The course in 45-minute periods",
        "以 45 分钟为一节课的课程安排",
    );
    let plan_note = tx(
        "One lesson after another in course order, with the time each needs: about {lo} to {hi} minutes a step, its runs included. Every period opens with five minutes to settle and recap and keeps five at its end for questions, a slow run or the answer keys below; a lesson that does not fit before that opens the next period. The step list of each lesson is its agenda. In presenter mode (the header's button) every step shows its speaker notes.",
        "按课程顺序一课接一课，并给出每课所需时间：每个步骤约 {lo} 到 {hi} 分钟，包括运行的时间。每节课开头留五分钟入座和复习，结尾留五分钟用于提问、等待较慢的运行或讲解下面的答案；放不进这段时间之前的课程移到下一节。每课的步骤列表就是它的议程。在演示模式（页头的按钮）下，每一步都会显示演讲者备注。",
    );
    let total = tx(
        "In all: {periods} periods of 45 minutes ({class} min), {lessons} min of lessons.",
        "合计：{periods} 节 45 分钟的课（{class} 分钟），其中课程内容 {lessons} 分钟。",
    );
    let minutes_each: Vec<u32> = LESSONS.iter().map(|l| l.info.minutes).collect();
    let rows = plan(&minutes_each);
    let grouped = periods(&rows);
    let total_lessons: u32 = minutes_each.iter().sum();
    let period_count = grouped.len();
    view! {
        <section class="panel" data-testid="teacher-plan" data-minutes=PERIOD.to_string()
            data-intro=INTRO.to_string() data-slack=SLACK.to_string() data-periods=period_count.to_string()
            data-lesson-minutes=total_lessons.to_string()>
            <h3>{move || plan_title.get(lang.get())}</h3>
            <p class="hint" data-testid="teacher-plan-note">{move || {
                let (lo, hi) = minutes_per_step();
                plan_note.get(lang.get()).replace("{lo}", &format!("{lo:.1}")).replace("{hi}", &format!("{hi:.1}"))
            }}</p>
            <div class="scroll-x">
            <table class="plan">
                {grouped.into_iter().map(|(p, members, end)| {
                    let lessons = members.into_iter().map(|i| (i, rows[i].1, rows[i].2)).collect();
                    view! { <PlanPeriod p lessons end /> }
                }).collect_view()}
                <tfoot>
                    <tr><td colspan="5" data-testid="plan-total">{move || total.get(lang.get())
                        .replace("{periods}", &period_count.to_string())
                        .replace("{class}", &(period_count as u32 * PERIOD).to_string())
                        .replace("{lessons}", &total_lessons.to_string())}</td></tr>
                </tfoot>
            </table>
            </div>
        </section>
    }
}

/// One period of the plan: its intro, its lessons (index into [`LESSONS`], from and to minutes), the
/// spare minutes if any and the slack; `end` is the minute its last lesson ends.
#[component]
fn PlanPeriod(p: usize, lessons: Vec<(usize, u32, u32)>, end: u32) -> impl IntoView {
    let lang = expect_context::<RwSignal<Lang>>();
    let period = tx("Period", "第");
    let period_end = tx("", "节课");
    let intro_row = tx(
        "Settle in, recap, the question of the day",
        "入座、复习、今天的问题",
    );
    let slack_row = tx(
        "Questions, a slow run, the check-yourself answers",
        "提问、等待较慢的运行、讲解随堂自测的答案",
    );
    let spare_row = tx(
        "Spare: rerun a demo with the class's own settings, or start the next lesson",
        "机动时间：用全班自己的设置重跑一个演示，或开始下一课",
    );
    let minutes = tx("min", "分钟");
    let steps = tx("steps", "个步骤");
    let period_name = move |p: usize| {
        format!(
            "{} {p} {}",
            period.get(lang.get()),
            period_end.get(lang.get())
        )
        .trim()
        .to_string()
    };
    let spare = PERIOD - SLACK - end.min(PERIOD - SLACK);
    view! {
        <tbody data-testid="plan-period" data-period=p.to_string() data-spare=spare.to_string()>
            <tr class="hint" data-testid="plan-intro">
                <td class="time">{move || period_name(p)}</td>
                <td class="time">{format!("0–{INTRO}")} " " {move || minutes.get(lang.get())}</td>
                <td colspan="3">{move || intro_row.get(lang.get())}</td>
            </tr>
            {lessons.into_iter().map(|(i, from, to)| {
                let l = &LESSONS[i];
                view! {
                    <tr data-testid="plan-row" data-period=p.to_string() data-from=from.to_string() data-to=to.to_string() data-lesson=l.info.id>
                        <td class="time">{move || period_name(p)}</td>
                        <td class="time">{format!("{from}–{to}")} " " {move || minutes.get(lang.get())}</td>
                        <td><a href=move || lesson_href(l.info.id, "", lang.get())>{move || l.info.title.get(lang.get())}</a></td>
                        <td class="hint">{move || l.info.article.get(lang.get())}</td>
                        <td class="hint nowrap">{(!l.info.steps.is_empty()).then(|| view! { {l.info.steps.len()} " " {move || steps.get(lang.get())} })}</td>
                    </tr>
                }
            }).collect_view()}
            {(spare > 0).then(|| view! {
                <tr class="hint" data-testid="plan-spare">
                    <td class="time">{move || period_name(p)}</td>
                    <td class="time">{format!("{}–{}", end, PERIOD - SLACK)} " " {move || minutes.get(lang.get())}</td>
                    <td colspan="3">{move || spare_row.get(lang.get())}</td>
                </tr>
            })}
            <tr class="hint" data-testid="plan-slack">
                <td class="time">{move || period_name(p)}</td>
                <td class="time">{format!("{}–{PERIOD}", PERIOD - SLACK)} " " {move || minutes.get(lang.get())}</td>
                <td colspan="3">{move || slack_row.get(lang.get())}</td>
            </tr>
        </tbody>
    }
}

/// The demo links, each checked against its lesson's URL table.
#[component]
fn DemoLinks() -> impl IntoView {
    let lang = expect_context::<RwSignal<Lang>>();
    let demos = tx("Demo links", "演示链接");
    let expect_label = tx("Expect:", "预期：");
    view! {
        <section class="panel" data-testid="teacher-demos">
            <h3>{move || demos.get(lang.get())}</h3>
            <ul class="demos">
                {LESSONS.iter().flat_map(|l| l.demos.iter().map(move |d| (l, d))).map(|(l, d)| {
                    // The lesson's own URL table judges the link (a typo would otherwise open a
                    // lesson that silently ignores its setup).
                    let problems = (l.check)(&format!("?lesson={}&{}", l.info.id, d.setup));
                    view! {
                        <li data-testid="demo-link">
                            <a href=move || lesson_href(l.info.id, d.setup, lang.get())>{move || d.title.get(lang.get())}</a>
                            " — " {move || l.info.title.get(lang.get())}
                            {(!problems.is_empty()).then(|| view! { <p class="error" data-testid="demo-problem">{problems.join("; ")}</p> })}
                            <p class="hint">{move || d.what.get(lang.get())}</p>
                            <p data-testid="demo-expect"><strong>{move || expect_label.get(lang.get())}</strong> " " {move || d.expect.get(lang.get())}</p>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// The answer keys of every lesson's check-yourself questions.
#[component]
fn AnswerKeys() -> impl IntoView {
    let lang = expect_context::<RwSignal<Lang>>();
    let keys_title = tx(
        "Answer keys for the check-yourself questions",
        "随堂自测的答案",
    );
    let keys_note = tx(
        "Each page grades by what its own run measured, so a class's answers can differ from one run to the next; these are the answers to expect and the rule each page grades by.",
        "每个页面都按它自己的运行测得的结果评分，所以每次运行的答案可能不同；下面是预期的答案以及每个页面的评分规则。",
    );
    let step_word = tx("step", "第");
    let step_end = tx("", "步");
    view! {
        <section class="panel" data-testid="answer-keys">
            <h3>{move || keys_title.get(lang.get())}</h3>
            <p class="hint">{move || keys_note.get(lang.get())}</p>
            <dl class="answer-keys">
                {LESSONS.iter().flat_map(|l| l.answers.iter().map(move |k| (l, k))).map(|(l, k)| {
                    view! {
                        <div data-testid="answer-key" data-lesson=l.info.id data-step=k.step.to_string() data-graded-by=format!("{}/{}", l.folder(), k.graded_by)>
                            <dt>
                                <a href=move || lesson_href(l.info.id, &format!("step={}", k.step), lang.get())>
                                    {move || l.info.title.get(lang.get())} ", "
                                    {move || format!("{} {} {}", step_word.get(lang.get()), k.step, step_end.get(lang.get())).trim().to_string()}
                                </a>
                                ": " {move || k.question.get(lang.get())}
                            </dt>
                            <dd>{move || fill(k.answer.get(lang.get()))}</dd>
                        </div>
                    }
                }).collect_view()}
            </dl>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons;

    #[test]
    fn the_plan_note_gives_the_registrys_range_of_minutes_a_step() {
        let (lo, hi) = minutes_per_step();
        assert!(lo > 0.0 && lo <= hi, "{lo} {hi}");
        // Every lesson's minutes a step lie in the range the note prints.
        for l in LESSONS.iter().filter(|l| !l.info.steps.is_empty()) {
            let m = f64::from(l.info.minutes) / l.info.steps.len() as f64;
            assert!(m >= lo && m <= hi, "{}", l.info.id);
        }
    }

    #[test]
    fn the_plan_fills_45_minute_periods_and_every_demo_opens_its_lesson_as_the_link_says() {
        let minutes: Vec<u32> = LESSONS.iter().map(|l| l.info.minutes).collect();
        let rows = plan(&minutes);
        // Every period opens with the intro and keeps its slack free.
        assert!(
            rows.iter()
                .all(|&(_, from, to)| from >= INTRO && to <= PERIOD - SLACK)
        );
        for w in rows.windows(2) {
            let ((p, _, end), (q, from, _)) = (w[0], w[1]);
            assert!(
                (q == p && from == end) || (q == p + 1 && from == INTRO),
                "{w:?}"
            );
        }
        // Realistic minutes (the review: Train about 20, fine-tuning about 25; at least 2.5 min a step).
        let minutes_of = |id| lessons::find(id).unwrap().info.minutes;
        assert!(minutes_of("train") >= 20 && minutes_of("finetune") >= 25);
        for l in LESSONS {
            assert!(
                2 * l.info.minutes >= 5 * l.info.steps.len() as u32,
                "{}: {} min for {} steps",
                l.info.id,
                l.info.minutes,
                l.info.steps.len()
            );
        }
        // The first period holds the two opening lessons, with the slack left free.
        assert_eq!(rows[0], (1, INTRO, INTRO + minutes[0]));
        assert_eq!(rows[1].0, 1);
        assert_eq!(
            plan(&[10, 30, 10, 35, 5]),
            vec![(1, 5, 15), (2, 5, 35), (3, 5, 15), (4, 5, 40), (5, 5, 10)]
        );
        let grouped = periods(&plan(&[20, 15, 10, 25]));
        assert_eq!(grouped, vec![(1, vec![0, 1], 40), (2, vec![2, 3], 40)]);
        for (lesson, d) in LESSONS
            .iter()
            .flat_map(|l| l.demos.iter().map(move |d| (l, d)))
        {
            let query = format!("?lesson={}&{}", lesson.info.id, d.setup);
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
