//! Replays the saved fuzzing corpus of class mode's messages (`fuzz/corpus/class_message/`, grown by
//! `scripts/fuzz.sh class_message`) through the three parsers the server runs on every message, on
//! stable Rust: each input is answered with a message or a refusal, never a panic.

use std::path::PathBuf;

#[test]
fn the_saved_class_message_corpus_replays_without_a_panic() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/class_message");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 9, "{} has the seeds", dir.display());
    let mut accepted = 0;
    for f in &files {
        let text = String::from_utf8_lossy(&std::fs::read(f).unwrap()).into_owned();
        let answered = std::panic::catch_unwind(|| {
            [
                backprop_classroom::parse_student(&text).is_ok(),
                backprop_classroom::parse_teacher(&text).is_ok(),
                backprop_classroom::parse_join(&text).is_ok(),
            ]
        });
        match answered {
            Ok(ok) => accepted += ok.iter().filter(|&&b| b).count(),
            Err(_) => panic!("{} panics", f.display()),
        }
    }
    // The seeds are good messages: each is accepted by exactly one parser.
    assert!(accepted >= 9, "only {accepted} inputs were accepted");
}
