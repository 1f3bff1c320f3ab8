//! Fuzzes class mode's message checks (`classroom/src/check.rs`: `parse_student`, `parse_teacher`,
//! `parse_join`) on what a student's page, the teacher's page and a join send to `serve --class`,
//! through `backprop_classroom::fuzz::messages` (which the corpus replay test runs on stable too).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    backprop_classroom::fuzz::messages(data);
});
