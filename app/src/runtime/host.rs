//! The Web Worker host: the one module of the runtime that knows where it runs. It reads the page's
//! messages (`onmessage`, plus those that arrived while the module loaded), posts the worker's with
//! `postMessage` as structured clones (serde-wasm-bindgen; `ByteBuf`s travel as `Uint8Array`s), and
//! gives the clock and timers.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::DedicatedWorkerGlobalScope;

use super::{LessonWorker, Outbox, run, unreadable};
use crate::protocol::Inbound;

/// The worker's global scope.
pub fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Seconds since the worker started (`performance.now()`).
pub fn now() -> f64 {
    scope().performance().map_or(0.0, |p| p.now()) / 1000.0
}

/// Bytes of the calling thread's wasm linear memory (it grows and never shrinks; the soak script
/// watches it in the page and in the worker).
pub fn wasm_memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map_or(0.0, |m| {
            m.buffer()
                .dyn_into::<js_sys::ArrayBuffer>()
                .map_or(0.0, |b| b.byte_length() as f64)
        })
}

/// Waits `seconds` without blocking the worker's event loop.
pub async fn sleep(seconds: f64) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = scope().set_timeout_with_callback_and_timeout_and_arguments_0(
            &resolve,
            (seconds * 1000.0) as i32,
        );
    });
    let _ = JsFuture::from(promise).await;
}

/// Posts a message to the page as a structured clone.
fn post(msg: &impl Serialize) {
    match serde_wasm_bindgen::to_value(msg) {
        Ok(v) => {
            if let Err(e) = scope().post_message(&v) {
                web_sys::console::error_2(&"postMessage failed".into(), &e);
            }
        }
        Err(e) => {
            web_sys::console::error_1(&format!("cannot serialise a worker message: {e}").into())
        }
    }
}

/// Starts lesson worker `W` in this Web Worker: its inbox holds `early` (the messages that arrived while
/// the module loaded), then every new one; an unreadable message is said to the page.
pub fn start<W: LessonWorker>(early: js_sys::Array) {
    let out = Outbox::<W::Protocol>::new(|msg| post(&msg));
    let inbox: Rc<RefCell<VecDeque<Inbound<W::Protocol>>>> = Rc::default();
    let read = {
        let inbox = inbox.clone();
        let out = out.clone();
        move |value: JsValue| match serde_wasm_bindgen::from_value(value) {
            Ok(msg) => inbox.borrow_mut().push_back(msg),
            Err(e) => unreadable(&out, e.to_string()),
        }
    };
    for value in early.iter() {
        read(value);
    }
    let onmessage =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            read(ev.data())
        });
    scope().set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    onmessage.forget();
    let worker = W::new(out);
    wasm_bindgen_futures::spawn_local(run(worker, move || inbox.borrow_mut().pop_front()));
}
