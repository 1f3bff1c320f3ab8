//! The fuzz target's harness (`fuzz/fuzz_targets/class_message.rs`), here so that the saved corpus
//! replays through the same code on stable Rust (`tests/fuzz_corpus.rs`).

use crate::{code, parse_join, parse_student, parse_teacher};

/// Runs any bytes through the three parsers the server runs on what pages send. Nothing may panic,
/// and whatever is accepted must be accepted again, equal, after a round trip through its own JSON
/// (the form the server stores and forwards).
pub fn messages(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(message) = parse_student(text) {
        let again = serde_json::to_string(&message).expect("a checked message serialises");
        assert_eq!(parse_student(&again).as_ref(), Ok(&message), "{text:?}");
    }
    if let Ok(message) = parse_teacher(text) {
        let again = serde_json::to_string(&message).expect("a checked message serialises");
        assert_eq!(parse_teacher(&again).as_ref(), Ok(&message), "{text:?}");
    }
    if let Ok(normal) = parse_join(text) {
        assert_eq!(code::normalise(&normal).as_deref(), Some(normal.as_str()));
    }
}
