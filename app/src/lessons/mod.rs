//! The lesson registry: one row per lesson ([`LESSONS`]), the table the home page, the router and the
//! workers' entry point ([`worker_main`]) read; nothing else lists lessons. A lesson is a folder
//! (`lessons/<name>/`) with its steps, its text in both languages, its panels and its worker side;
//! `live_model/` is the live model the concept lessons share (a worker, not a lesson).

pub mod bar;
pub mod by_hand;
pub mod chain_rule;
pub mod cross_entropy;
pub mod finetune;
#[cfg(test)]
mod footprint;
pub mod interpret;
pub mod lesson;
pub mod live_model;
pub mod optimizers;
pub mod player;
pub mod privacy;
pub mod train;

use wasm_bindgen::prelude::*;

pub use self::lesson::Lesson;
use crate::ui::i18n::{Text, tx};

/// Every lesson, in course order (the home page numbers them; the teacher's plan follows it).
pub const LESSONS: &[Lesson] = &[
    train::LESSON,
    cross_entropy::LESSON,
    chain_rule::LESSON,
    by_hand::LESSON,
    finetune::LESSON,
    optimizers::LESSON,
    interpret::LESSON,
    privacy::LESSON,
];

/// The lesson `backprop-lab lesson-bench` plays over `serve --native-engine`'s socket.
#[cfg(not(target_arch = "wasm32"))]
pub const BENCHED: lesson::BenchPlay = train::bench::PLAY;

/// The registry row of `id`.
pub fn find(id: &str) -> Option<&'static Lesson> {
    LESSONS.iter().find(|l| l.info.id == id)
}

/// Texts of the registry itself (titles and summaries are in each lesson's table too).
pub const NOT_FOUND: Text = tx(
    "There is no lesson of that name; here are the lessons.",
    "没有这个名字的课程；以下是全部课程。",
);

/// Entry point of a lesson's worker (`worker.js` awaits it with the worker's name); `early` holds the
/// messages that arrived while the module was loading. It downloads the worker's chunk first; when
/// that or the name fails, the returned promise rejects, `worker.js` throws, and the page's
/// `LessonClient` reports it as the engine worker not starting.
#[wasm_bindgen]
pub async fn worker_main(name: String, early: js_sys::Array) -> Result<(), JsValue> {
    console_error_panic_hook::set_once();
    let Some(worker) = LESSONS
        .iter()
        .filter_map(|l| l.worker)
        .find(|w| w.name == name)
    else {
        return Err(format!("no lesson has a worker named {name:?}").into());
    };
    (worker.start)(early)
        .await
        .map_err(|e| format!("the {name} worker's code could not be downloaded: {e}").into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_ids_are_unique() {
        let mut ids: Vec<_> = LESSONS.iter().map(|l| l.info.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), LESSONS.len());
        assert!(find("finetune").is_some_and(|l| l.info.steps.len() == 6));
        assert!(find("no-such-lesson").is_none());
    }

    #[test]
    fn worker_names_are_unique_per_worker_and_the_concept_lessons_share_one() {
        let workers: Vec<_> = LESSONS.iter().filter_map(|l| l.worker).collect();
        for a in &workers {
            for b in &workers {
                // One name, one entry point.
                assert_eq!(a.name == b.name, a.start as usize == b.start as usize);
            }
        }
        let worker = |id| find(id).and_then(|l| l.worker).map(|w| w.name);
        assert_eq!(worker("cross-entropy"), worker("chain-rule"));
        assert_ne!(worker("train"), worker("finetune"));
    }
}
