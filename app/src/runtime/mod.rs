//! The worker runtime: what runs in every lesson's worker and never names a lesson. A lesson implements
//! [`LessonWorker`] (its commands, queries, replies, events, and the work it does between messages);
//! [`run`] is the one inbox → handle → work loop, which answers every query exactly once (a failed
//! answer is a failed reply, [`QueryError`]) and reports every error the one way
//! ([`LessonWorker::fail`], [`Outbox::say`]). The engine policy ([`engine`]), file downloads with retries and their
//! Cache Storage copy ([`fetch`]), the browser's gzip (`gunzip`) and dataset loading, whole or streamed ([`data`]), live here too.
//!
//! The lesson side talks to the page only through its [`Outbox`] and receives only what [`run`] hands
//! it, so it does not depend on running inside a Web Worker: [`host`] is the one module that knows the
//! transport (`postMessage` in a Web Worker).

pub mod data;
pub mod engine;
pub mod fetch;
#[cfg(target_arch = "wasm32")]
pub mod gunzip;
pub mod host;
pub mod kept;
#[cfg(not(target_arch = "wasm32"))]
pub mod native;
#[cfg(not(target_arch = "wasm32"))]
pub mod native_json;

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use kernels::EngineError;

use crate::messages::{MessageCode, WorkerMessage};
use crate::protocol::{EngineAnnounce, FromWorker, Inbound, Protocol, Status, ToWorker};
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

    /// Tells the page how the worker stands (up, its engine, a problem).
    pub fn status(&self, status: Status) {
        (self.sink)(FromWorker::Status(status));
    }

    /// Tells the page a problem: `code` says it in the page's language, `detail` in English.
    pub fn say(&self, code: MessageCode, detail: impl Into<String>) {
        self.status(Status::Error(WorkerMessage::new(code, detail)));
    }

    /// Tells the page the engine the lesson computes on now.
    pub fn engine(&self, engine: EngineAnnounce) {
        self.status(Status::Engine(engine));
    }

    fn reply(&self, id: u32, reply: Result<&P::Reply, WorkerMessage>) {
        (self.sink)(FromWorker::Reply { id, reply });
    }
}

/// Why a query got no answer: the engine failed (then handled as [`LessonWorker::fail`] handles it,
/// unless the query itself was bad), or the lesson refused it with a message of its own (nothing to
/// recover from: a file that did not save, no model yet).
#[derive(Debug)]
pub enum QueryError {
    /// The engine failed while answering.
    Engine(EngineError),
    /// The lesson's own reason, said to the page as it is.
    Refused(WorkerMessage),
}

impl From<EngineError> for QueryError {
    fn from(e: EngineError) -> Self {
        Self::Engine(e)
    }
}

/// A query's refusal with `code` and an English `detail` (`Err(refuse(…))` from
/// [`LessonWorker::answer`]).
pub fn refuse(code: MessageCode, detail: impl Into<String>) -> QueryError {
    QueryError::Refused(WorkerMessage::new(code, detail))
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

    /// Answers a query. An error is the query's failed reply; an engine error is then handled as
    /// [`LessonWorker::fail`] handles it (unless it only says the query was bad).
    async fn answer(
        &mut self,
        query: <Self::Protocol as Protocol>::Query,
    ) -> Result<<Self::Protocol as Protocol>::Reply, QueryError>;

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
        self.out().say(MessageCode::EngineFailed, error.to_string());
    }

    /// Called after a reply has been sent (a lesson whose query moved the model reports its progress).
    fn replied(&mut self, _reply: &<Self::Protocol as Protocol>::Reply) {}
}

/// A message the page sent that could not be read: said to the page, never a crash.
pub fn unreadable<P: Protocol>(out: &Outbox<P>, detail: String) {
    out.say(MessageCode::BadMessage, detail);
}

/// The one worker loop: takes the next message from `next` and hands it to the lesson; when there is
/// none, lets the lesson work ([`LessonWorker::idle`]). Every query gets exactly one reply.
pub async fn run<W: LessonWorker>(
    mut worker: W,
    mut next: impl FnMut() -> Option<Inbound<W::Protocol>>,
) {
    // Said once for every lesson: the worker is made and reads its inbox from now on.
    worker.out().status(Status::Ready);
    loop {
        match next() {
            Some(ToWorker::Command(command)) => {
                if let Err(e) = worker.handle(command).await {
                    worker.fail(e).await;
                }
            }
            Some(ToWorker::Query { id, query }) => {
                match worker.answer(query).await {
                    Ok(reply) => {
                        worker.out().reply(id, Ok(&reply));
                        worker.replied(&reply);
                    }
                    Err(QueryError::Refused(message)) => worker.out().reply(id, Err(message)),
                    Err(QueryError::Engine(e)) => {
                        let message = WorkerMessage::new(MessageCode::EngineFailed, e.to_string());
                        worker.out().reply(id, Err(message));
                        // A bad question (an image index out of range) leaves the lesson as it was.
                        if !matches!(e, EngineError::InvalidInput(_)) {
                            worker.fail(e).await;
                        }
                    }
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
