//! A lesson's results kept in this browser (`crate::store`: IndexedDB in the browser, the native store
//! under `serve --native-engine`): the events that drew them, in the order the page got them, for one
//! scope (a seed, a model and its test images: what the results were measured under). After a reload
//! the worker replays them through the page's one event handler, so the page rebuilds what it showed
//! without a second code path, and says [`Status::Resumed`]; "Start afresh" forgets them and says
//! [`Status::Forgotten`]. The lesson bar shows the note; the lesson writes only which events belong.
//!
//! A failure to read or write is said in the console only: the lesson goes on without its kept results.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::{Outbox, warn};
use crate::protocol::{Protocol, Status};
use crate::store;

/// The journal of the results a lesson shows, kept under `key` for the current scope `S`, with an
/// extra `X` the lesson keeps beside them (a model, the student's answers; `()` for none).
pub struct Journal<S, E, X = ()> {
    key: &'static str,
    scope: Option<S>,
    events: Vec<E>,
    _extra: std::marker::PhantomData<X>,
}

/// What the store holds: the scope the results were measured under, the lesson's events (`L`: a
/// list, borrowed when written) and its extra.
#[derive(Serialize, Deserialize)]
struct Record<S, L, X> {
    scope: S,
    events: L,
    extra: X,
}

impl<S, E, X> Journal<S, E, X>
where
    S: PartialEq + Serialize + DeserializeOwned,
    E: Serialize + DeserializeOwned,
    X: Serialize + DeserializeOwned,
{
    /// An empty journal kept under `key`, with no scope yet (nothing is kept until one is set).
    pub fn new(key: &'static str) -> Self {
        Self {
            key,
            scope: None,
            events: Vec::new(),
            _extra: std::marker::PhantomData,
        }
    }

    /// What the results now shown are measured under (`None`: not kept, a model from a file say).
    pub fn set_scope(&mut self, scope: Option<S>) {
        self.scope = scope;
    }

    /// Sends `event` to the page and records it.
    pub fn record<P: Protocol<Event = E>>(&mut self, out: &Outbox<P>, event: E) {
        out.post(&event);
        self.events.push(event);
    }

    /// Records an event the page was already sent.
    pub fn push(&mut self, event: E) {
        self.events.push(event);
    }

    /// Keeps only the recorded events `keep` says yes to (a race run again replaces its old one).
    pub fn retain(&mut self, keep: impl FnMut(&E) -> bool) {
        self.events.retain(keep);
    }

    /// Drops the events recorded (the store is untouched until the next save).
    pub fn clear(&mut self) {
        self.events.clear();
    }

    /// Reads what is kept for the current scope: its events become the journal's (replay them with
    /// [`Journal::replay`]) and its extra is returned. `None` when nothing is kept for this scope.
    pub async fn load(&mut self) -> Option<X> {
        let scope = self.scope.as_ref()?;
        match store::get::<Record<S, Vec<E>, X>>(self.key).await {
            Ok(Some(r)) if r.scope == *scope => {
                self.events = r.events;
                Some(r.extra)
            }
            Ok(_) => None,
            Err(e) => {
                warn(&e.to_string());
                None
            }
        }
    }

    /// Sends the page every recorded event, then [`Status::Resumed`] (nothing when there are none).
    pub fn replay<P: Protocol<Event = E>>(&self, out: &Outbox<P>) {
        if self.events.is_empty() {
            return;
        }
        for event in &self.events {
            out.post(event);
        }
        out.status(Status::Resumed);
    }

    /// Keeps the events recorded and `extra` for the current scope (nothing without one).
    pub async fn save_with(&self, extra: &X) {
        let Some(scope) = &self.scope else {
            return;
        };
        let record = Record {
            scope,
            events: &self.events,
            extra,
        };
        if let Err(e) = store::put(self.key, &record).await {
            warn(&e.to_string());
        }
    }

    /// Forgets the events, here and in the store, and tells the page ([`Status::Forgotten`]).
    pub async fn forget<P: Protocol<Event = E>>(&mut self, out: &Outbox<P>) {
        self.events.clear();
        if let Err(e) = store::delete(self.key).await {
            warn(&e.to_string());
        }
        out.status(Status::Forgotten);
    }
}

impl<S, E> Journal<S, E, ()>
where
    S: PartialEq + Serialize + DeserializeOwned,
    E: Serialize + DeserializeOwned,
{
    /// Reads what is kept for the current scope and replays it ([`Journal::load`], then
    /// [`Journal::replay`]).
    pub async fn resume<P: Protocol<Event = E>>(&mut self, out: &Outbox<P>) {
        if self.load().await.is_some() {
            self.replay(out);
        }
    }

    /// Keeps the events recorded for the current scope.
    pub async fn save(&self) {
        self.save_with(&()).await;
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use futures_executor::block_on;

    use super::*;
    use crate::protocol::{FromWorker, Messages};

    /// A lesson's protocol as the runtime sees one (its tests name no lesson): events are numbers.
    type Numbers = Messages<(), (), (), u32>;

    /// An outbox that writes what it is given as text, and what it wrote.
    fn outbox() -> (Outbox<Numbers>, Rc<RefCell<Vec<String>>>) {
        let said = Rc::new(RefCell::new(Vec::new()));
        let sink = said.clone();
        let out = Outbox::new(move |m: FromWorker<&u32, &()>| {
            sink.borrow_mut().push(match m {
                FromWorker::Event(e) => e.to_string(),
                FromWorker::Status(s) => format!("{s:?}"),
                FromWorker::Reply { .. } => "reply".into(),
            });
        });
        (out, said)
    }

    #[test]
    fn kept_events_replay_for_their_scope_only_and_forget_clears_them() {
        crate::runtime::native::as_browser("00000000000000000000000000000001", || {
            let (out, said) = outbox();
            let mut journal: Journal<u64, u32, String> = Journal::new("journal-test");
            journal.set_scope(Some(7));
            journal.record(&out, 1);
            journal.record(&out, 2);
            block_on(journal.save_with(&"answers".to_string()));

            // A reload under the same scope: the events come back, then the note.
            let mut again: Journal<u64, u32, String> = Journal::new("journal-test");
            again.set_scope(Some(7));
            assert_eq!(block_on(again.load()).as_deref(), Some("answers"));
            said.borrow_mut().clear();
            again.replay(&out);
            assert_eq!(*said.borrow(), ["1", "2", "Resumed"]);

            // Another seed: nothing of the other's is shown.
            let mut other: Journal<u64, u32, String> = Journal::new("journal-test");
            other.set_scope(Some(8));
            assert_eq!(block_on(other.load()), None);
            said.borrow_mut().clear();
            other.replay(&out);
            assert!(said.borrow().is_empty(), "nothing replayed, no note");

            // No scope (a model from a file): nothing is kept.
            let mut unscoped: Journal<u64, u32, String> = Journal::new("journal-test-2");
            unscoped.record(&out, 3);
            block_on(unscoped.save_with(&String::new()));
            unscoped.set_scope(Some(7));
            assert_eq!(block_on(unscoped.load()), None);

            said.borrow_mut().clear();
            block_on(again.forget(&out));
            assert_eq!(*said.borrow(), ["Forgotten"]);
            again.replay(&out);
            assert_eq!(*said.borrow(), ["Forgotten"], "nothing left to replay");
            assert_eq!(block_on(journal.load()), None);
        });
    }
}
