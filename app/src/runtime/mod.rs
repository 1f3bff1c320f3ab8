//! The worker runtime: what runs in every lesson's worker and never names a lesson. A lesson implements
//! [`LessonWorker`] (its commands, queries, replies, events, and the work it does between messages);
//! [`run`] is the one inbox → handle → work loop, which answers every query exactly once (a failed
//! answer becomes the lesson's failure reply) and reports every error the one way
//! ([`LessonWorker::fail`]). The engine policy ([`engine`]), file downloads with retries and their
//! Cache Storage copy ([`fetch`]) and dataset loading, whole or streamed ([`data`]), live here too.
//!
//! The lesson side talks to the page only through its [`Outbox`] and receives only what [`run`] hands
//! it, so it does not depend on running inside a Web Worker: [`host`] is the one module that knows the
//! transport (`postMessage` in a Web Worker).

pub mod data;
pub mod engine;
pub mod fetch;
pub mod host;
#[cfg(not(target_arch = "wasm32"))]
pub mod native;
#[cfg(not(target_arch = "wasm32"))]
pub mod native_json;

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use kernels::EngineError;

use crate::messages::{MessageCode, WorkerMessage};
use crate::protocol::{FromWorker, Inbound, Protocol, ToWorker};
#[cfg(target_arch = "wasm32")]
pub use host::{now, sleep, wasm_memory_bytes};
#[cfg(not(target_arch = "wasm32"))]
pub use native::{now, sleep, spawn_local, wasm_memory_bytes};

/// Runs `task` beside the worker's loop (a loader streaming a dataset).
#[cfg(target_arch = "wasm32")]
pub fn spawn_local(task: impl Future<Output = ()> + 'static) {
    wasm_bindgen_futures::spawn_local(task);
}

/// A warning for whoever looks (the browser's console; natively, the server's standard error).
pub fn warn(message: &str) {
    #[cfg(target_arch = "wasm32")]
    web_sys::console::warn_1(&message.into());
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("backprop-lab (native engine): {message}");
}

/// A note for whoever looks (the browser's console; natively, the server's standard error).
pub fn info(message: &str) {
    #[cfg(target_arch = "wasm32")]
    web_sys::console::info_1(&message.into());
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("backprop-lab (native engine): {message}");
}

/// Milliseconds since 1970 (when a run was saved).
pub fn date_now() -> f64 {
    #[cfg(target_arch = "wasm32")]
    return js_sys::Date::now();
    #[cfg(not(target_arch = "wasm32"))]
    return std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1e3);
}

/// Seconds an idle worker waits before looking at its inbox again.
const IDLE_POLL_SECONDS: f64 = 0.03;
/// Target length of one burst of training steps between two reports, for every lesson: long enough
/// to amortise a readback, short enough that commands and queries are answered at once.
pub const BURST_SECONDS: f64 = 0.1;

/// Where a lesson's worker sends its events (and the runtime its replies); cheap to clone (a loader task
/// keeps one).
pub struct Outbox<P: Protocol> {
    sink: Rc<Sink<P>>,
}

/// The transport's end of an [`Outbox`]: it serialises a message as [`crate::protocol::Outbound`] is serialised.
pub type Sink<P> =
    dyn for<'a> Fn(FromWorker<&'a <P as Protocol>::Event, &'a <P as Protocol>::Reply>);

impl<P: Protocol> Clone for Outbox<P> {
    fn clone(&self) -> Self {
        Self {
            sink: self.sink.clone(),
        }
    }
}

impl<P: Protocol> Outbox<P> {
    /// An outbox that hands each message to `sink` (the transport).
    pub fn new(sink: impl for<'a> Fn(FromWorker<&'a P::Event, &'a P::Reply>) + 'static) -> Self {
        Self {
            sink: Rc::new(sink),
        }
    }

    /// Sends an event to the page.
    pub fn post(&self, event: &P::Event) {
        (self.sink)(FromWorker::Event(event));
    }

    fn reply(&self, id: u32, reply: &P::Reply) {
        (self.sink)(FromWorker::Reply { id, reply });
    }
}

/// A lesson's worker side, run by [`run`].
#[allow(
    async_fn_in_trait,
    reason = "lesson workers run on one thread (a Web Worker); their futures need not be Send"
)]
pub trait LessonWorker: Sized + 'static {
    /// The lesson's messages.
    type Protocol: Protocol;

    /// The worker before its first message; `out` reaches the page.
    fn new(out: Outbox<Self::Protocol>) -> Self;

    /// Where its events go.
    fn out(&self) -> &Outbox<Self::Protocol>;

    /// Carries out a command.
    async fn handle(
        &mut self,
        command: <Self::Protocol as Protocol>::Command,
    ) -> Result<(), EngineError>;

    /// Answers a query. An error is answered with [`LessonWorker::failed`] and then handled as
    /// [`LessonWorker::fail`] handles it (unless it only says the query was bad).
    async fn answer(
        &mut self,
        query: <Self::Protocol as Protocol>::Query,
    ) -> Result<<Self::Protocol as Protocol>::Reply, EngineError>;

    /// The reply that says a query could not be answered, and why.
    fn failed(message: WorkerMessage) -> <Self::Protocol as Protocol>::Reply;

    /// The event that reports a problem to the page.
    fn error(message: WorkerMessage) -> <Self::Protocol as Protocol>::Event;

    /// Work between messages, called whenever the inbox is empty (a burst of training steps, a
    /// measurement). Returns whether it did any: then the loop yields and comes straight back;
    /// otherwise it waits a moment.
    async fn idle(&mut self) -> Result<bool, EngineError>;

    /// Stops whatever runs between messages (training), after an error.
    fn stop(&mut self);

    /// An engine error from a command, a query or [`LessonWorker::idle`]. By default: stop, and say so.
    /// A lesson that can recover (a lost GPU device) overrides it.
    async fn fail(&mut self, error: EngineError) {
        self.stop();
        self.out().post(&Self::error(WorkerMessage::new(
            MessageCode::EngineFailed,
            error.to_string(),
        )));
    }

    /// Called after a reply has been sent (a lesson whose query moved the model reports its progress).
    fn replied(&mut self, _reply: &<Self::Protocol as Protocol>::Reply) {}
}

/// A message the page sent that could not be read: said to the page, never a crash.
pub fn unreadable<W: LessonWorker>(out: &Outbox<W::Protocol>, detail: String) {
    out.post(&W::error(WorkerMessage::new(
        MessageCode::BadMessage,
        detail,
    )));
}

/// The one worker loop: takes the next message from `next` and hands it to the lesson; when there is
/// none, lets the lesson work ([`LessonWorker::idle`]). Every query gets exactly one reply.
pub async fn run<W: LessonWorker>(
    mut worker: W,
    mut next: impl FnMut() -> Option<Inbound<W::Protocol>>,
) {
    loop {
        match next() {
            Some(ToWorker::Command(command)) => {
                if let Err(e) = worker.handle(command).await {
                    worker.fail(e).await;
                }
            }
            Some(ToWorker::Query { id, query }) => {
                let (reply, failure) = match worker.answer(query).await {
                    Ok(reply) => (reply, None),
                    Err(e) => (
                        W::failed(WorkerMessage::new(MessageCode::EngineFailed, e.to_string())),
                        Some(e),
                    ),
                };
                worker.out().reply(id, &reply);
                worker.replied(&reply);
                // A bad question (an image index out of range) leaves the lesson as it was.
                if let Some(e) = failure.filter(|e| !matches!(e, EngineError::InvalidInput(_))) {
                    worker.fail(e).await;
                }
            }
            None => match worker.idle().await {
                Ok(true) => sleep(0.0).await,
                Ok(false) => sleep(IDLE_POLL_SECONDS).await,
                Err(e) => worker.fail(e).await,
            },
        }
    }
}

/// A lesson's worker as the registry lists it: its name (the Web Worker's name, which `worker.js`
/// hands to the wasm entry point) and how to start it. Made by [`split_worker`].
#[derive(Clone, Copy, Debug)]
pub struct WorkerEntry {
    /// The worker's name.
    pub name: &'static str,
    /// Loads the worker's code and starts it; `early` holds the messages that arrived while the
    /// module was loading (and those arriving while its chunk loads).
    pub start: fn(early: js_sys::Array) -> WorkerLoad,
    /// Runs the same worker in the native process until its page goes (`serve --native-engine`).
    #[cfg(not(target_arch = "wasm32"))]
    pub native: fn(native::NativeIo),
}

/// A lesson worker's chunk being loaded; it is running once this is `Ok`.
pub type WorkerLoad =
    Pin<Box<dyn Future<Output = Result<(), leptos::wasm_split::SplitLoaderError>>>>;

/// The [`WorkerEntry`] of the lesson worker `$worker` named `$name`, its code (and everything only it
/// uses: the engines, the lesson's jobs) moved by the build's splitter into the wasm chunk `$chunk`
/// (`scripts/build/build-wasm.sh`), which the worker downloads when it starts.
macro_rules! split_worker {
    ($name:literal, $chunk:ident, $worker:ty) => {{
        #[::leptos::wasm_split::wasm_split($chunk, wasm_split_path = ::leptos::wasm_split, fallible)]
        fn start(
            early: ::js_sys::Array,
        ) -> ::core::result::Result<(), ::leptos::wasm_split::SplitLoaderError> {
            $crate::runtime::host::start::<$worker>(early);
            Ok(())
        }
        $crate::runtime::WorkerEntry {
            name: $name,
            start: |early| ::std::boxed::Box::pin(start(early)),
            #[cfg(not(target_arch = "wasm32"))]
            native: $crate::runtime::native::serve::<$worker>,
        }
    }};
}
pub(crate) use split_worker;
