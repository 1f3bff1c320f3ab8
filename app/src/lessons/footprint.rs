//! What a lesson touches outside its folder, checked: a lesson is `app/src/lessons/<folder>/`, one row
//! in the registry (`lessons/mod.rs`), and its own browser test and page object (`e2e/tests/<id>.test.mjs`,
//! `e2e/pages/<id>.mjs`). No other source, script, stylesheet or test of the repository may name the
//! lesson's module, so adding a lesson never means editing the runtime, the shell, the CLI or a shared
//! test. (Prose — the book, the teaching notes — may talk about any lesson.)

use std::path::{Path, PathBuf};

use super::LESSONS;

/// The files whose contents the check reads: code, scripts, styles and tests, not prose or data.
const CODE: &[&str] = &["rs", "mjs", "js", "css", "html", "py", "sh", "toml", "wgsl"];

/// Folders that hold no hand-written source (build output, installed packages, fuzz inputs).
const SKIP: &[&str] = &[
    "target",
    "node_modules",
    "dist",
    ".git",
    "artifacts",
    "corpus",
];

/// Every code file under `dir`, recursively.
fn code_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            if !SKIP.contains(&name.as_ref()) && !name.starts_with('.') {
                code_files(&path, out);
            }
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| CODE.contains(&e))
        {
            out.push(path);
        }
    }
}

/// Whether `text` names the lesson module `folder`: as a Rust path (`lessons::train`) or a file path
/// (`lessons/train/`).
fn names(text: &str, folder: &str) -> bool {
    [format!("lessons::{folder}"), format!("lessons/{folder}/")]
        .iter()
        .any(|needle| {
            text.match_indices(needle.as_str()).any(|(at, _)| {
                // `lessons::train` must not match `lessons::train_more` (the path form ends in `/`).
                needle.ends_with('/')
                    || !text[at + needle.len()..]
                        .starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            })
        })
}

#[test]
fn a_lesson_is_named_only_by_its_folder_the_registry_and_its_own_browser_test() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    code_files(&root, &mut files);
    assert!(
        files.len() > 100,
        "the walk found {} code files under {}",
        files.len(),
        root.display()
    );
    let texts: Vec<(String, String)> = files
        .iter()
        .filter_map(|f| {
            let rel = f
                .strip_prefix(&root)
                .ok()?
                .to_string_lossy()
                .replace('\\', "/");
            Some((rel, std::fs::read_to_string(f).ok()?))
        })
        .collect();
    let mut wrong = Vec::new();
    for lesson in LESSONS {
        let folder = lesson.folder();
        let id = lesson.info.id;
        let own = [
            "app/src/lessons/mod.rs".to_string(),
            format!("e2e/tests/{id}.test.mjs"),
            format!("e2e/pages/{id}.mjs"),
        ];
        let inside = format!("app/src/lessons/{folder}/");
        for (rel, text) in &texts {
            // This file names lessons in its own test strings.
            let checker = rel == "app/src/lessons/footprint.rs";
            if !checker && !rel.starts_with(&inside) && !own.contains(rel) && names(text, folder) {
                wrong.push(format!("{rel} names lessons::{folder}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "files outside a lesson's folder, the registry and its own e2e files that name it:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_check_sees_a_module_named_either_way_and_only_that_module() {
    assert!(names("use crate::lessons::train::setup;", "train"));
    assert!(names("see app/src/lessons/train/setup.rs", "train"));
    assert!(!names("use crate::lessons::train_more;", "train"));
    assert!(!names("the train lesson", "train"));
}
