//! The students' grid: one compact row per student (name, online, where, a sparkline of validation
//! accuracy, the last figure), laid out so sixty fit a 1366×768 screen.

use leptos::prelude::*;

use super::charts::sparkline;
use super::model::{Run, display_name};
use super::{Dashboard, text};
use crate::lessons;
use crate::ui::i18n::{Lang, percent};

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

/// A run's last figure: "test 97.1 %", "val. 95.0 %", or "diverged".
fn figure(run: &Run, lang: Lang) -> String {
    if let Some(t) = run.test_accuracy {
        format!("{} {}", text::TEST.get(lang), percent(lang, t, 1))
    } else if run.diverged.is_some() && run.evals.is_empty() {
        text::DIVERGED.get(lang).to_string()
    } else if let Some(&(_, a)) = run.evals.last() {
        format!("{} {}", text::VAL.get(lang), percent(lang, a, 1))
    } else {
        "–".to_string()
    }
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
                        let status = if s.online { text::ONLINE_ONE } else { text::OFFLINE };
                        view! {
                            <div class="class-student" class:offline=!s.online data-testid="class-student"
                                data-student=s.student.to_string() data-online=s.online.to_string()>
                                <span class="class-dot" title=status.get(lang) aria-label=status.get(lang)></span>
                                <span class="class-name-cell" data-testid="class-student-name">{display_name(s, anonymise, lang)}</span>
                                <span class="class-place">{place(s.lesson.as_deref(), s.step, lang)}</span>
                                {spark}
                                <span class="class-figure" data-testid="class-student-figure">{last}</span>
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
        run.test_accuracy = Some(0.971);
        assert_eq!(figure(&run, Lang::Zh), "测试 97.1%");
    }
}
