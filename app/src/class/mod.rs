//! Class mode (`backprop-lab serve --class`) in the page: the student's class bar on every page and the
//! teacher's dashboard (`?page=class&token=…`), both speaking the classroom crate's messages over one
//! reconnecting WebSocket client ([`socket`]). What a student's page sends is a summary only — a run's
//! settings, each evaluation's loss and validation accuracy, the final test figures — never images or
//! drawings; lessons hand it over through [`report`], which does nothing outside a class.

pub mod outbox;
pub mod socket;
pub mod student;
pub mod teacher;
pub mod text;

pub use backprop_classroom::{Assignment, ReportBody, RunEngine};
use kernels::EngineKind;
use kernels::engine::Preference;

/// The class's name of the engine a run is on: the one that runs, else (none started yet) the one
/// asked for.
pub fn run_engine(engine: Result<EngineKind, Preference>) -> RunEngine {
    match engine {
        Ok(EngineKind::Gpu) | Err(Preference::Gpu) => RunEngine::Gpu,
        Ok(EngineKind::Cpu) | Err(Preference::Cpu) => RunEngine::Cpu,
        Ok(EngineKind::Burn) | Err(Preference::Burn) => RunEngine::Burn,
        Err(Preference::Auto) => RunEngine::Auto,
    }
}

/// What the student's side of a class (its own wasm chunk, [`student`]) does for the lessons, set when
/// the shell loaded it: the lessons call through these, so a page outside a class never downloads the
/// socket, the outbox or the classroom messages' code.
#[derive(Clone, Copy)]
pub(crate) struct StudentHooks {
    /// [`report`]'s work.
    pub report: fn(&str, ReportBody),
    /// [`taken`]'s work.
    pub taken: fn(&Assignment, bool),
    /// [`assignment`]'s signal.
    pub assigned: leptos::prelude::RwSignal<Option<Assignment>>,
}

thread_local! {
    // A signal (not a cell): a lesson that opened before the class's chunk arrived sees it arrive.
    static STUDENT: leptos::prelude::ArcRwSignal<Option<StudentHooks>> =
        leptos::prelude::ArcRwSignal::new(None);
}

thread_local! {
    /// Reports made while the class's chunk downloads (`None`: the page is not in a class).
    static EARLY: std::cell::RefCell<Option<Vec<(String, ReportBody)>>> =
        const { std::cell::RefCell::new(None) };
}

/// Hands the lessons the student's class (by [`student::install`], once), and sends what they
/// reported while it downloaded.
pub(crate) fn set_student(hooks: StudentHooks) {
    use leptos::prelude::Set;
    STUDENT.with(|s| s.set(Some(hooks)));
    for (lesson, body) in EARLY.with(|e| e.borrow_mut().take()).unwrap_or_default() {
        (hooks.report)(&lesson, body);
    }
}

fn student_hooks() -> Option<StudentHooks> {
    use leptos::prelude::GetUntracked;
    STUDENT.with(|s| s.get_untracked())
}

/// Sends a summary of one of the student's runs to the teacher (kept until the server stored it); a
/// `Started` opens the lesson's next run, whose later reports follow it. Nothing outside a class.
pub fn report(lesson: &str, body: ReportBody) {
    match student_hooks() {
        Some(h) => (h.report)(lesson, body),
        None => EARLY.with(|e| {
            if let Some(early) = e.borrow_mut().as_mut() {
                early.push((lesson.to_string(), body));
            }
        }),
    }
}

/// Settings the teacher assigned that no form has taken yet (a lesson's page applies them to its
/// form, then calls [`taken`]); `None` outside a class. Reactive: an effect that reads it runs again
/// when the class arrives and when the teacher assigns.
pub fn assignment() -> Option<Assignment> {
    use leptos::prelude::Get;
    STUDENT.with(|s| s.get()).and_then(|h| h.assigned.get())
}

/// A lesson's form took the assigned settings: a reconnect does not apply them again. `begun`: a run
/// had begun (the student's bar says Reset starts a new run with them).
pub fn taken(a: &Assignment, begun: bool) {
    if let Some(h) = student_hooks() {
        (h.taken)(a, begun);
    }
}

/// The student's class bar, whose code (and the class's) is downloaded only for a page in a class:
/// opened with `?class=CODE`, or in a browser that kept a join. Nothing otherwise.
pub fn student_bar() -> impl leptos::prelude::IntoView {
    use leptos::prelude::*;
    let router = expect_context::<crate::route::Router>();
    // Once in play the bar stays mounted (its signals live as long as the page), even after a leave.
    let wanted = Memo::new(move |was: Option<&bool>| {
        was.copied().unwrap_or(false)
            || router.0.with(|r| r.get("class").is_some())
            || student::kept_join()
    });
    move || {
        let wanted = wanted.get();
        if wanted && student_hooks().is_none() {
            EARLY.with(|e| {
                e.borrow_mut().get_or_insert_with(Vec::new);
            });
        }
        wanted.then(crate::lazy::split_view!(
            class_student,
            class_student_bar,
            crate::lazy::Part::ClassBar,
            view! { <student::bar::ClassBar /> }.into_any()
        ))
    }
}
