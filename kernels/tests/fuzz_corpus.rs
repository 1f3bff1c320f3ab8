//! Replays the saved fuzzing corpus (`fuzz/corpus/<target>/`, grown by `fuzz/run.sh`) through the
//! same harnesses the fuzz targets run, on stable Rust: every input that once found new behaviour must
//! still be answered with a value or an error, never a panic.

use std::path::PathBuf;

use kernels::testing::fuzz;

fn replay(target: &str, harness: fn(&[u8])) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} is empty", dir.display());
    for f in &files {
        let data = std::fs::read(f).unwrap();
        if std::panic::catch_unwind(|| harness(&data)).is_err() {
            panic!("{target}: {} panics", f.display());
        }
    }
}

#[test]
fn the_saved_corpus_replays_without_a_panic() {
    replay("chunk", fuzz::chunk);
    replay("idx", fuzz::idx);
    replay("cifar", fuzz::cifar);
    replay("safetensors", fuzz::safetensors);
    replay("manifest", fuzz::manifest);
    replay("by_hand", fuzz::by_hand);
}
