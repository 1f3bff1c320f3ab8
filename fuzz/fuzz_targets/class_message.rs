//! Fuzzes class mode's message checks (`classroom/src/check.rs`): what a student's page, the
//! teacher's page and a join send to `serve --class`. Nothing may panic, and whatever is accepted
//! must be accepted again after a round trip through its own JSON (the server stores that form).
#![no_main]

use backprop_classroom::{parse_join, parse_student, parse_teacher};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(message) = parse_student(text) {
            let again = serde_json::to_string(&message).expect("a checked message serialises");
            assert_eq!(parse_student(&again).as_ref(), Ok(&message), "{text:?}");
        }
        if let Ok(message) = parse_teacher(text) {
            let again = serde_json::to_string(&message).expect("a checked message serialises");
            assert_eq!(parse_teacher(&again).as_ref(), Ok(&message), "{text:?}");
        }
        if let Ok(code) = parse_join(text) {
            assert_eq!(
                backprop_classroom::code::normalise(&code).as_deref(),
                Some(code.as_str())
            );
        }
    }
});
