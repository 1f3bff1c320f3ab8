//! Fuzzes every lesson's URL setup reader through the registry (`backprop_lab_app::lessons::LESSONS`,
//! each row's `check`): no query makes one panic, and — cargo-fuzz builds with `--cfg fuzzing`, under
//! which `settings::url_problems` asserts it — whatever a lesson's settings table reads survives its own
//! URL form. A new lesson is fuzzed by being in the registry. The lessons' unit tests replay this
//! target's corpus on stable Rust.
#![no_main]

use backprop_lab_app::lessons::LESSONS;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(query) = std::str::from_utf8(data) {
        for lesson in LESSONS {
            let _ = (lesson.check)(query);
        }
    }
});
