//! What every lesson shares across the page/worker boundary and in its URL: the envelope that carries a lesson's commands, queries,
//! replies and events (so no lesson writes its own query/reply plumbing), the engine preference read
//! from the URL, the shell's URL keys, and how an engine is named on screen. Each lesson's own messages live in its folder
//! (`lessons/<name>/protocol.rs`) and are named as one protocol by [`Messages`].

use std::marker::PhantomData;

use kernels::EngineKind;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::messages::WorkerMessage;

/// A lesson's four kinds of message.
pub trait Protocol: 'static {
    /// Page → worker: do something.
    type Command: Serialize + DeserializeOwned + 'static;
    /// Page → worker: a question answered by exactly one [`Protocol::Reply`].
    type Query: Serialize + DeserializeOwned + 'static;
    /// Worker → page: the answer to one query.
    type Reply: Serialize + DeserializeOwned + 'static;
    /// Worker → page: something happened.
    type Event: Serialize + DeserializeOwned + 'static;
}

/// A lesson's protocol named by its four message types: `type MyProtocol = Messages<Command, Query,
/// Reply, Event>;` (never constructed).
pub struct Messages<C, Q, R, E>(PhantomData<(C, Q, R, E)>);

impl<C, Q, R, E> Protocol for Messages<C, Q, R, E>
where
    C: Serialize + DeserializeOwned + 'static,
    Q: Serialize + DeserializeOwned + 'static,
    R: Serialize + DeserializeOwned + 'static,
    E: Serialize + DeserializeOwned + 'static,
{
    type Command = C;
    type Query = Q;
    type Reply = R;
    type Event = E;
}

/// A message to a lesson's worker.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum ToWorker<C, Q> {
    /// A command.
    Command(C),
    /// A question; answered by exactly one [`FromWorker::Reply`] with the same id.
    Query {
        /// Matches the reply.
        id: u32,
        /// The question.
        query: Q,
    },
}

/// A message from a lesson's worker.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum FromWorker<E, R> {
    /// An event of the lesson's own.
    Event(E),
    /// The answer to [`ToWorker::Query`] `id`, or why there is none.
    Reply {
        /// The query's id.
        id: u32,
        /// The answer, or why the query could not be answered.
        reply: Result<R, WorkerMessage>,
    },
    /// What every lesson's worker says about itself (the lesson chrome: up, its engine, its errors).
    Status(Status),
}

/// What a lesson's worker says about itself, the same in every lesson: the page's client keeps it
/// ([`crate::client::WorkerStatus`]) and the lesson bar shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Status {
    /// The worker is up and reads its messages.
    Ready,
    /// The engine the lesson computes on.
    Engine(EngineAnnounce),
    /// A problem, said to the page in its language.
    Error(WorkerMessage),
    /// The results kept in this browser were replayed (their events came just before).
    Resumed,
    /// The kept results are forgotten; the page starts afresh.
    Forgotten,
}

/// The engine a lesson computes on, as its worker announces it and the lesson bar shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EngineAnnounce {
    /// Which engine.
    pub kind: EngineKind,
    /// The adapter's name (the CPU engine's where it runs), written in English by the runtime.
    pub adapter: String,
    /// Why this engine (the URL asked, no WebGPU, a software adapter), shown on screen.
    pub note: WorkerMessage,
}

/// What the page sends a lesson's worker.
pub type Inbound<P> = ToWorker<<P as Protocol>::Command, <P as Protocol>::Query>;
/// What a lesson's worker sends the page.
pub type Outbound<P> = FromWorker<<P as Protocol>::Event, <P as Protocol>::Reply>;

/// The URL keys the shell reads (language, lesson, step, presenter mode, debug controls, a class's join
/// code and the teacher's token); a lesson's own settings use any others.
pub const SHELL_KEYS: &[&str] = &[
    "lang", "lesson", "step", "present", "debug", "page", "native", "class", "token",
];

/// What the native engine's socket writes for NaN, +∞ and −∞ (`runtime::native_json`; JSON has no such
/// numbers): strings no lesson sends, turned back into numbers by the page's `JSON.parse` reviver.
pub const NON_FINITE: [&str; 3] = ["\u{0}NaN", "\u{0}Infinity", "\u{0}-Infinity"];
/// How those strings begin in JSON text (serde_json escapes NUL): the page revives only a message
/// that holds it.
pub const NON_FINITE_MARK: &str = "\\u0000";

/// Whether `id` is a browser's id as the page makes it (`client::browser_id`: hex digits, 16 to 64 of
/// them); the native engine refuses a session with anything else, as it keys the runs it keeps by it.
pub fn valid_browser_id(id: &str) -> bool {
    (16..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_hexdigit())
}
