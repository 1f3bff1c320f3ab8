//! Backprop Lab in the browser: a shell with a lesson registry (`lessons`), each lesson's engine in its
//! own Web Worker running this same wasm module on the lesson-agnostic worker runtime (`runtime`).
// Natively this binary only runs the unit tests; the native engine's code is used through the library
// (src/lib.rs), and the wasm build (clippy for wasm32) still reports dead code.
#![cfg_attr(
    not(target_arch = "wasm32"),
    allow(
        dead_code,
        reason = "natively the binary is only the unit tests' harness"
    )
)]
// No function over 150 lines (clippy.toml sets the threshold): a long one is a component or a match
// waiting to be split.
#![warn(clippy::too_many_lines)]

mod cited;
mod class;
mod client;
mod course;
mod glossary;
mod history;
mod lazy;
mod lessons;
mod messages;
mod offline;
mod protocol;
mod route;
mod runtime;
mod settings;
mod shell;
mod store;
mod ui;

use wasm_bindgen::JsCast;

fn main() {
    // A lesson's worker loads this same module; only a page (a Window) mounts the UI.
    if js_sys::global().dyn_into::<web_sys::Window>().is_err() {
        return;
    }
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(shell::App);
    offline::register();
}
