//! A lesson's engine worker seen from the page: commands, queries that get exactly one reply matched
//! by id, and events, in the envelope of [`crate::protocol`]. The worker is ended when the lesson's view
//! is dropped.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use futures_channel::oneshot;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker, WorkerOptions, WorkerType};

use crate::protocol::{FromWorker, Inbound, Outbound, Protocol, ToWorker};

// Arc/Mutex only because leptos callbacks must be Send; a page has one thread.
type Pending<R> = Arc<Mutex<HashMap<u32, oneshot::Sender<R>>>>;

/// The page's end of a lesson's worker.
pub struct WorkerClient<P: Protocol> {
    worker: Option<Worker>,
    pending: Pending<P::Reply>,
    next_id: Arc<AtomicU32>,
}

impl<P: Protocol> Clone for WorkerClient<P> {
    fn clone(&self) -> Self {
        Self {
            worker: self.worker.clone(),
            pending: self.pending.clone(),
            next_id: self.next_id.clone(),
        }
    }
}

impl<P: Protocol> WorkerClient<P> {
    /// Starts the worker `name` (`worker.js` picks its entry point by name). Events go to `on_event`;
    /// `on_error` gets what could not start or be read, in English detail.
    pub fn start(
        name: &str,
        on_event: impl Fn(P::Event) + 'static,
        on_error: impl Fn(String) + 'static,
    ) -> Self {
        let pending: Pending<P::Reply> = Arc::default();
        let opts = WorkerOptions::new();
        opts.set_type(WorkerType::Module);
        opts.set_name(name);
        let worker = match Worker::new_with_options("./worker.js", &opts) {
            Ok(w) => Some(w),
            Err(e) => {
                on_error(format!("the engine worker could not start: {e:?}"));
                None
            }
        };
        let on_error = std::rc::Rc::new(on_error);
        if let Some(w) = &worker {
            // What the worker could not start with (its lesson's wasm chunk not downloaded, say):
            // `worker.js` throws, and the error arrives here.
            let report = on_error.clone();
            let onerror = Closure::<dyn FnMut(ErrorEvent)>::new(move |ev: ErrorEvent| {
                ev.prevent_default();
                report(format!(
                    "the engine worker could not start: {}",
                    ev.message()
                ));
            });
            w.set_onerror(Some(onerror.as_ref().unchecked_ref()));
            onerror.forget();
            let sink = pending.clone();
            let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
                match serde_wasm_bindgen::from_value::<Outbound<P>>(ev.data()) {
                    Ok(FromWorker::Reply { id, reply }) => {
                        if let Some(tx) = sink.lock().ok().and_then(|mut p| p.remove(&id)) {
                            let _ = tx.send(reply);
                        }
                    }
                    Ok(FromWorker::Event(event)) => on_event(event),
                    Err(e) => on_error(format!("unreadable message from the engine: {e}")),
                }
            });
            w.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
            onmessage.forget();
            let ending = w.clone();
            on_cleanup(move || ending.terminate());
        }
        Self {
            worker,
            pending,
            next_id: Arc::new(AtomicU32::new(1)),
        }
    }

    /// Sends a command.
    pub fn send(&self, command: &P::Command) {
        // Serialised as `Inbound<P>` is: the envelope borrows the command.
        self.post(&ToWorker::<&P::Command, ()>::Command(command));
    }

    fn post(&self, msg: &impl serde::Serialize) {
        let Some(w) = &self.worker else { return };
        match serde_wasm_bindgen::to_value(msg) {
            Ok(v) => {
                if let Err(e) = w.post_message(&v) {
                    web_sys::console::error_2(&"postMessage to the worker failed".into(), &e);
                }
            }
            Err(e) => web_sys::console::error_1(&format!("cannot serialise a command: {e}").into()),
        }
    }

    /// Asks a question; the answer is the reply with the same id (`None` if the worker is gone).
    pub async fn query(&self, query: P::Query) -> Option<P::Reply> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        self.pending.lock().ok()?.insert(id, tx);
        self.post(&Inbound::<P>::Query { id, query });
        rx.await.ok()
    }
}
