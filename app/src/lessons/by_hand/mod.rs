//! "Backprop by hand": the student writes the backward pass of the article's network line by line in
//! a small PyTorch-like language ([`kernels::by_hand`]), graded against the exact gradients of a live
//! batch of four test images (`?lesson=by-hand&step=2&image=0`), then closes the loop: their gradients
//! take one SGD step that is compared with the engine's own. The lines and their grades are kept in
//! this browser (only right lines define names for the next ones; a wrong line defines nothing).

pub mod grading;
pub mod graph;
pub mod panels;
mod teaching;
pub mod text;
pub mod variants;

use std::sync::Arc;

use kernels::by_hand::{GRADIENT_NAMES, Variant};

use self::variants::CHOICES;
use leptos::prelude::*;

use self::grading::{Graded, ROWS, Snapshot, env_for, grade_line};
use self::panels::{ForwardPanel, LinesPanel, LoopPanel};
use self::text::STEPS;
use super::lesson::{Lesson, LessonInfo};
use super::live_model::protocol::{Query, Reply};
use super::live_model::{Live, LiveBar, TEST_POOL, url_image};
use super::player::{StepPlayer, current_step};
use crate::route::Router;
use crate::ui::i18n::{Lang, tx};

/// URL id.
pub const ID: &str = "by-hand";
/// The SGD step's learning rate (the live model's).
pub const LR: f32 = 0.05;

/// Registry entry.
pub const INFO: LessonInfo = LessonInfo {
    id: ID,
    title: text::TITLE,
    summary: text::SUMMARY,
    steps: &STEPS,
    minutes: 25,
    article: tx("§4.2 Backpropagation", "§4.2 反向传播算法"),
};

/// Registry row.
pub const LESSON: Lesson = Lesson {
    info: INFO,
    page: super::lesson::split_page!(
        concepts,
        by_hand_page,
        view! { <ByHandLesson /> }.into_any()
    ),
    worker: Some(super::live_model::WORKER),
    check: variants::url_problems,
    demos: teaching::DEMOS,
    answers: teaching::ANSWERS,
    module: module_path!(),
};

/// The kernels' message language for the page's.
pub fn message_lang(lang: Lang) -> kernels::by_hand::Lang {
    match lang {
        Lang::En => kernels::by_hand::Lang::En,
        Lang::Zh => kernels::by_hand::Lang::Zh,
    }
}

/// Where this browser keeps the lines (`localStorage`).
const STORE_KEY: &str = "backprop-lab.by-hand";
/// Between two lines of the kept text.
const SEP: char = '\u{1f}';

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The kept form of the lines: per line `1` (graded) or `0`, then the text.
pub fn encode(lines: &[String], graded: &[bool]) -> String {
    lines
        .iter()
        .zip(graded)
        .map(|(l, &g)| format!("{}{}", u8::from(g), l.replace(SEP, " ")))
        .collect::<Vec<_>>()
        .join(&SEP.to_string())
}

/// The lines and their graded flags from [`encode`]'s text (seven empty lines if it does not fit).
pub fn decode(text: &str) -> (Vec<String>, Vec<bool>) {
    let parts: Vec<&str> = text.split(SEP).collect();
    if parts.len() != GRADIENT_NAMES.len() {
        return (vec![String::new(); 7], vec![false; 7]);
    }
    parts
        .iter()
        .map(|p| match p.split_at_checked(1) {
            Some(("1", rest)) => (rest.to_string(), true),
            Some((_, rest)) => (rest.to_string(), false),
            None => (String::new(), false),
        })
        .unzip()
}

/// The lesson's state, shared by its panels through context: the batch, the typed lines and their
/// grades, and the hints shown.
#[derive(Clone, Copy)]
pub struct Work {
    /// The batch and its reference.
    pub snapshot: RwSignal<Option<Arc<Snapshot>>>,
    /// The first test image of the batch.
    pub image: RwSignal<usize>,
    /// The variation ([`CHOICES`]).
    pub variant: RwSignal<usize>,
    /// The seven lines as typed.
    pub lines: RwSignal<Vec<String>>,
    /// Their grades (`None`: not graded).
    pub graded: RwSignal<Vec<Option<Graded>>>,
    /// Hint levels shown per line (0 to 3).
    pub hints: RwSignal<Vec<usize>>,
    /// Lines kept as graded, to grade again once a batch is there.
    pending: StoredValue<Vec<bool>>,
    /// A batch is on its way.
    busy: RwSignal<bool>,
    /// The live model.
    live: Live,
}

impl Work {
    fn new(live: Live, image: usize, variant: usize) -> Self {
        let kept = storage()
            .and_then(|s| s.get_item(STORE_KEY).ok().flatten())
            .unwrap_or_default();
        let (lines, pending) = decode(&kept);
        let work = Self {
            snapshot: RwSignal::new(None),
            image: RwSignal::new(image),
            variant: RwSignal::new(variant),
            lines: RwSignal::new(lines),
            graded: RwSignal::new(vec![None; 7]),
            hints: RwSignal::new(vec![0; 7]),
            pending: StoredValue::new(pending),
            busy: RwSignal::new(false),
            live,
        };
        Effect::new(move |_| {
            let flags: Vec<bool> = work
                .graded
                .with(|g| g.iter().map(Option::is_some).collect());
            let pending = work.pending.get_value();
            let flags: Vec<bool> = flags.iter().zip(&pending).map(|(a, b)| *a || *b).collect();
            let text = work.lines.with(|l| encode(l, &flags));
            if let Some(s) = storage() {
                // Private browsing may refuse: the lines then last as long as the page.
                let _ = s.set_item(STORE_KEY, &text);
            }
        });
        work
    }

    /// The network graded now.
    pub fn network(&self) -> Variant {
        CHOICES[self.variant.get().min(CHOICES.len() - 1)].variant
    }

    /// Switches to variation `i`: the same batch, a new reference, the lines graded again.
    pub fn set_variant(&self, i: usize) {
        self.variant.set(i);
        let variant = CHOICES[i].variant;
        let rebuilt = self
            .snapshot
            .get_untracked()
            .and_then(|s| Snapshot::new(s.batch.clone(), variant));
        if let Some(s) = rebuilt {
            self.snapshot.set(Some(Arc::new(s)));
            self.regrade();
        }
    }

    /// Grades line `i` as typed now.
    pub fn grade(&self, i: usize) {
        let Some(snapshot) = self.snapshot.get_untracked() else {
            // No batch yet: graded as soon as it is there.
            self.pending.update_value(|p| p[i] = true);
            return;
        };
        let name = GRADIENT_NAMES[i];
        let src = self.lines.with_untracked(|l| l[i].clone());
        let env = self.graded.with_untracked(|g| env_for(&snapshot, g, name));
        let g = grade_line(&src, name, &env, &snapshot.reference);
        self.graded.update(|v| v[i] = Some(g));
    }

    /// Grades again every line graded before (or kept as graded), in order, on the batch now there.
    fn regrade(&self) {
        let pending = self.pending.get_value();
        self.pending.set_value(vec![false; 7]);
        let was: Vec<bool> = self.graded.with_untracked(|g| {
            g.iter()
                .zip(&pending)
                .map(|(g, p)| g.is_some() || *p)
                .collect()
        });
        self.graded.set(vec![None; 7]);
        for (i, &w) in was.iter().enumerate() {
            if w && self.lines.with_untracked(|l| !l[i].trim().is_empty()) {
                self.grade(i);
            }
        }
    }

    /// Asks the worker for the batch at the live weights now, and grades the lines on it.
    pub fn fetch(&self) {
        if self.busy.get_untracked() {
            return;
        }
        self.busy.set(true);
        let live = self.live;
        let work = *self;
        let image = self.image.get_untracked().min(TEST_POOL - ROWS);
        let variant = CHOICES[self.variant.get_untracked()].variant;
        leptos::task::spawn_local(async move {
            let reply = live
                .ask(Query::ByHand {
                    image,
                    rows: ROWS,
                    lr: LR,
                })
                .await;
            if let Some(Reply::ByHand(batch)) = reply
                && let Some(s) = Snapshot::new(*batch, variant)
                // `try_set` gives the value back (`Some`) only when the page is gone.
                && work.snapshot.try_set(Some(Arc::new(s))).is_none()
            {
                work.regrade();
            }
            work.busy.try_set(false);
            // The image changed while this batch was on its way: ask for the one on screen.
            if work
                .image
                .try_get_untracked()
                .is_some_and(|i| i.min(TEST_POOL - ROWS) != image)
            {
                work.fetch();
            }
        });
    }

    /// How many lines are right.
    pub fn right(&self) -> usize {
        self.graded.with(|g| {
            g.iter()
                .filter(|g| g.as_ref().is_some_and(|g| g.right_value().is_some()))
                .count()
        })
    }
}

/// The lesson page.
#[component]
pub fn ByHandLesson() -> impl IntoView {
    let router = expect_context::<Router>();
    let route = router.0.get_untracked();
    let live = Live::start(&route);
    let work = Work::new(live, url_image(&route), variants::from_route(&route));
    provide_context(work);
    // The first batch once the live model is there, and a new one for another image.
    Effect::new(move |_| {
        let image = work.image.get().min(TEST_POOL - ROWS);
        let ready = live.progress.get().is_some();
        let stale = work
            .snapshot
            .with_untracked(|s| s.as_ref().is_none_or(|s| s.batch.image != image));
        if ready && stale {
            work.fetch();
        }
    });
    let step = current_step(router, STEPS.len());
    view! {
        <main class="lesson concept by-hand">
            <StepPlayer steps=&STEPS />
            <LiveBar />
            {move || match step.get() {
                1 => view! { <ForwardPanel /> }.into_any(),
                2 => view! { <LinesPanel /> }.into_any(),
                _ => view! { <LoopPanel /> }.into_any(),
            }}
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_lines_come_back() {
        let lines: Vec<String> = (0..7).map(|i| format!("line {i} = a\u{1f}b")).collect();
        let flags = [true, false, true, true, false, false, true];
        let (back, f) = decode(&encode(&lines, &flags));
        assert_eq!(f, flags);
        assert_eq!(back[0], "line 0 = a b");
        assert_eq!(decode("").0, vec![String::new(); 7]);
        assert_eq!(decode("garbage").1, vec![false; 7]);
    }
}
