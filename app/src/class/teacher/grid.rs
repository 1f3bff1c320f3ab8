//! The students' grid: one compact row per student (name, online, where, a sparkline of validation
//! accuracy, the last figure), laid out so sixty fit a 1366×768 screen.

use leptos::prelude::*;

use backprop_classroom::Assignment;

use super::charts::{sparkline, tick_label};
use super::model::{Run, display_name};
use super::{Dashboard, text};
use crate::lessons;
use crate::ui::i18n::{Lang, grouped, percent};

/// Where a student's page is, in words.
fn place(lesson: Option<&str>, step: u32, lang: Lang) -> String {
    match lesson {
        None => text::HOME.get(lang).to_string(),
        Some(id) => {
            let title = lessons::find(id).map_or(id, |l| l.info.title.get(lang));
            format!(
                "{title} · {}",
                text::STEP.get(lang).replace("{n}", &step.to_string())
            )
        }
    }
}

/// A run's last figure: "test 97.1 %", "val. 95.0 %", "diverged at step 40 (val. before: 93.0 %)".
fn figure(run: &Run, lang: Lang) -> String {
    let step = |n: u32| grouped(n as usize);
    if let Some(t) = run.test_accuracy {
        format!("{} {}", text::TEST.get(lang), percent(lang, t, 1))
    } else if let Some(at) = run.diverged {
        match run.evals.last() {
            None => text::DIVERGED_AT_STEP.get(lang).replace("{n}", &step(at)),
            Some(&(_, a)) => text::DIVERGED_AT
                .get(lang)
                .replace("{n}", &step(at))
                .replace("{pct}", &percent(lang, a, 1)),
        }
    } else if let Some(&(_, a)) = run.evals.last() {
        format!("{} {}", text::VAL.get(lang), percent(lang, a, 1))
    } else {
        "–".to_string()
    }
}

/// The short tag of the lesson a run is in ("Train", "Privacy"), with "continued run" when it went on
/// from trained weights at other settings.
fn tag(run: &Run, lang: Lang) -> String {
    let name = match run.lesson.as_str() {
        "train" => text::TAG_TRAIN.get(lang).to_string(),
        "privacy" => text::TAG_PRIVACY.get(lang).to_string(),
        id => lessons::find(id)
            .map_or(id, |l| l.info.title.get(lang))
            .to_string(),
    };
    if run.continued() {
        let what = if run.changed {
            text::LR_CHANGED
        } else {
            text::CONTINUED
        };
        format!("{name} · {}", what.get(lang))
    } else {
        name
    }
}

/// The settings the teacher assigned a student, in short ("assigned lr 0.1 · seed 3").
fn assigned(a: &Assignment, lang: Lang) -> String {
    let mut parts = Vec::new();
    if let Some(lr) = a.lr {
        parts.push(text::ASSIGNED_LR.get(lang).replace("{v}", &tick_label(lr)));
    }
    if let Some(seed) = a.seed {
        parts.push(
            text::ASSIGNED_SEED
                .get(lang)
                .replace("{v}", &seed.to_string()),
        );
    }
    if let Some(sigma) = a.dp_sigma {
        parts.push(
            text::ASSIGNED_SIGMA
                .get(lang)
                .replace("{v}", &sigma.to_string()),
        );
    }
    parts.join(" · ")
}

/// The grid, with the count and the anonymise toggle above it.
#[component]
pub fn StudentGrid(d: Dashboard) -> impl IntoView {
    let lang = expect_context::<RwSignal<Lang>>();
    let count = move || d.model.with(|m| m.students.len());
    let online = move || d.model.with(|m| m.online());
    let capacity = move || d.info.with(|i| i.as_ref().map_or(0, |i| i.capacity));
    view! {
        <section class="panel class-students">
            <div class="class-students-head">
                <h3>{move || text::STUDENTS.get(lang.get())} " "
                    <span class="class-count" data-testid="class-student-count" data-value=move || count().to_string()>{count}</span></h3>
                <span class="hint">{move || text::ONLINE.get(lang.get()).replace("{n}", &online().to_string())}
                    " · " {move || text::CAPACITY.get(lang.get()).replace("{n}", &capacity().to_string())}</span>
                <label class="class-anonymise">
                    <input type="checkbox" data-testid="class-anonymise" prop:checked=move || d.anonymise.get()
                        on:change=move |ev| d.anonymise.set(event_target_checked(&ev)) />
                    {move || text::ANONYMISE.get(lang.get())}
                </label>
            </div>
            {move || (count() == 0).then(|| view! { <p class="hint">{move || text::NO_STUDENTS.get(lang.get())}</p> })}
            <div class="class-grid">
                {move || {
                    let (lang, anonymise) = (lang.get(), d.anonymise.get());
                    d.model.with(|m| m.students.values().map(|s| {
                        let run = m.latest_run(s.student);
                        let spark = run.map(|r| sparkline(&r.evals));
                        let last = run.map_or_else(|| "–".to_string(), |r| figure(r, lang));
                        let lesson_tag = run.map(|r| tag(r, lang));
                        let given = s.assignment.as_ref().map(|a| assigned(a, lang)).filter(|t| !t.is_empty());
                        let status = if s.online { text::ONLINE_ONE } else { text::OFFLINE };
                        view! {
                            <div class="class-student" class:offline=!s.online data-testid="class-student"
                                data-student=s.student.to_string() data-online=s.online.to_string()>
                                <span class="class-dot" title=status.get(lang) aria-label=status.get(lang)></span>
                                <span class="class-name-cell" data-testid="class-student-name">{display_name(s, anonymise, lang)}</span>
                                <span class="class-place">{place(s.lesson.as_deref(), s.step, lang)}
                                    {given.map(|g| view! { " · " <span class="class-assigned" data-testid="class-student-assigned">{g}</span> })}</span>
                                {spark}
                                <span class="class-figure" title=text::FIGURE_HELP.get(lang)>
                                    {lesson_tag.map(|t| view! { <span class="class-tag" data-testid="class-student-lesson">{t}</span><br /> })}
                                    <span data-testid="class-student-figure">{last}</span></span>
                            </div>
                        }
                    }).collect_view())
                }}
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_says_where_and_how_far_in_both_languages() {
        assert_eq!(place(None, 1, Lang::En), "home page");
        assert!(place(Some("train"), 4, Lang::En).ends_with("· step 4"));
        assert!(place(Some("train"), 4, Lang::Zh).ends_with("· 第 4 步"));
        let mut run = Run::default();
        assert_eq!(figure(&run, Lang::En), "–");
        run.evals.push((100, 0.95));
        assert_eq!(figure(&run, Lang::En), "val. 95.0 %");
        run.diverged = Some(1200);
        assert_eq!(
            figure(&run, Lang::En),
            "diverged at step 1,200 (val. before: 95.0 %)"
        );
        assert_eq!(figure(&run, Lang::Zh), "第 1,200 步发散（此前验证 95.0%）");
        run.evals.clear();
        assert_eq!(figure(&run, Lang::En), "diverged at step 1,200");
        run.test_accuracy = Some(0.971);
        assert_eq!(figure(&run, Lang::Zh), "测试 97.1%");
        run.lesson = "train".into();
        assert_eq!(tag(&run, Lang::Zh), "训练");
        run.from_step = 300;
        assert_eq!(tag(&run, Lang::En), "Train · continued run");
        run.changed = true;
        assert_eq!(tag(&run, Lang::Zh), "训练 · 运行中改过设置");
        let a = Assignment {
            lr: Some(0.0316),
            seed: Some(3),
            dp_sigma: None,
        };
        assert_eq!(assigned(&a, Lang::En), "assigned lr 0.0316 · seed 3");
        assert_eq!(assigned(&a, Lang::Zh), "指定学习率 0.0316 · 种子 3");
    }
}
