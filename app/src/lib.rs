//! The app's code as a library for the native build only: `backprop-lab serve --native-engine` runs
//! the lessons' worker side (the very same `LessonWorker`s the Web Workers run) inside the native
//! process, on `runtime::native`. In wasm this crate is empty: the browser build is the binary
//! (`main.rs`), which declares the same modules itself, so its exports (`worker_main`) exist once.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    missing_docs,
    dead_code,
    reason = "the modules are the binary's; documented there, and the page half is unused natively"
)]
#![warn(clippy::too_many_lines)]

pub mod cited;
pub mod class;
pub mod client;
pub mod course;
pub mod glossary;
pub mod history;
pub mod lazy;
pub mod lessons;
pub mod messages;
pub mod offline;
pub mod protocol;
pub mod route;
pub mod runtime;
pub mod settings;
pub mod shell;
pub mod store;
pub mod ui;
