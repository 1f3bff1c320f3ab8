//! Backprop Lab in the browser: the "Train a network" lesson. The page (leptos) shows and controls;
//! the engine trains in a dedicated Web Worker running the same wasm module (`worker_main`).

mod config;
mod protocol;
mod ui;
mod worker;

use wasm_bindgen::JsCast;

fn main() {
    // The worker loads this same module; only a page (a Window) mounts the UI.
    if js_sys::global().dyn_into::<web_sys::Window>().is_err() {
        return;
    }
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(ui::App);
}
