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

/// Sends a summary of one of the student's runs to the teacher (kept until the server stored it); a
/// `Started` opens the lesson's next run, whose later reports follow it. Nothing outside a class.
pub fn report(lesson: &str, body: ReportBody) {
    student::report(lesson, body);
}

/// Settings the teacher assigned that no form has taken yet (a lesson's page applies them to its
/// form, then calls [`taken`]); `None` outside a class.
pub fn assigned() -> Option<leptos::prelude::RwSignal<Option<Assignment>>> {
    student::class().map(|c| c.assigned)
}

/// A lesson's form took the assigned settings: a reconnect does not apply them again. `begun`: a run
/// had begun (the student's bar says Reset starts a new run with them).
pub fn taken(a: &Assignment, begun: bool) {
    if let Some(c) = student::class() {
        c.taken(a, begun);
    }
}
