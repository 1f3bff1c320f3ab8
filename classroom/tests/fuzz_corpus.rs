//! Replays the saved corpus of the `class_message` fuzz target (`fuzz/corpus/class_message/`, grown
//! by `fuzz/run.sh`) through the same harness on stable Rust: every input that once found new
//! behaviour must still be answered with a message or a refusal, never a panic, and whatever is
//! accepted must survive its own round trip.

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
        let data = std::fs::read(f).unwrap();
        if std::panic::catch_unwind(|| backprop_classroom::fuzz::messages(&data)).is_err() {
            panic!("{} panics", f.display());
        }
        let text = String::from_utf8_lossy(&data);
        accepted += usize::from(backprop_classroom::parse_student(&text).is_ok())
            + usize::from(backprop_classroom::parse_teacher(&text).is_ok())
            + usize::from(backprop_classroom::parse_join(&text).is_ok());
    }
    // The seeds are good messages (fuzz/run.sh writes one of each kind): the parsers are not
    // refusing everything.
    assert!(accepted >= 9, "only {accepted} inputs were accepted");
}
