//! Class mode's wire format (`serve --class`): what a student's page, the teacher's page and the server
//! say to each other, and the checks every message passes before anything is stored or shown.
//!
//! The shape of a class:
//! - The teacher's page (`?page=class&token=T`, the token printed by `serve --class`) opens a WebSocket
//!   to `/class/teacher?token=T` and sends [`TeacherMessage::Start`]; the server answers
//!   [`ToTeacher::Class`] with a short join code ([`code`]) and the join URL (`/?class=CODE`).
//! - A student's page at the join URL posts [`JoinRequest`] to `/class/join` and gets [`Joined`]: a
//!   pseudonym ([`pseudonym`]) and a per-join token. The name a student may type stays in their browser.
//! - The student's page then keeps a WebSocket to `/class/student?token=S` and sends [`Report`]s — a
//!   run's settings, each evaluation's loss and validation accuracy, the final test accuracy (with a
//!   confusion matrix where the lesson has the test set's; Train and Privacy send none today) and ε —
//!   numbers only, never images or drawings. Each report carries a sequence number; the
//!   server stores it (SQLite) *before* it sends [`ToStudent::Ack`], and the page resends what was not
//!   acknowledged after a reconnect, so a report is stored once and never lost.
//! - The teacher's page receives every stored report ([`ToTeacher::Report`]) and may push settings
//!   ([`TeacherMessage::Assign`], spread over the class by [`spread`]) or a step to follow.
//!
//! Every message is JSON, at most [`MAX_MESSAGE_BYTES`], parsed by [`parse_student`] /
//! [`parse_teacher`], which refuse unknown fields, non-finite or out-of-range numbers and over-long
//! strings with a [`Refusal`] whose reason goes back to the sender.

pub mod check;
pub mod code;
pub mod fuzz;
pub mod message;
pub mod pseudonym;
pub mod spread;

pub use check::{Refusal, parse_join, parse_student, parse_teacher};
pub use message::*;

/// The largest message either page may send, in bytes (a run's report with a 10×10 confusion matrix
/// is under 2 KB).
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024;
/// The most students one class takes; a join past it is refused with this number in the reason.
pub const CLASS_CAPACITY: usize = 200;
/// The most reports one student may send in one class (a long lesson evaluates every few seconds; a
/// page that sends more is refused, the class is not flooded).
pub const MAX_REPORTS_PER_STUDENT: u64 = 20_000;
/// The most messages a student's socket may send per second, on average over ten seconds.
pub const MAX_MESSAGES_PER_SECOND: u32 = 20;
/// The longest lesson id or optimiser name.
pub const MAX_NAME_BYTES: usize = 32;
