//! Registers the service worker (`app/sw.js`) that makes the app work offline after one visit: it
//! precaches the app and caches datasets as they are first used. Only in a secure context (https or
//! localhost), where browsers allow service workers; elsewhere the app simply needs the network.

use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// Registers `sw.js` next to the page, in the background; a failure is logged, never shown as an error
/// (the app works without it, only not offline).
pub fn register() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    let has_sw =
        js_sys::Reflect::has(&navigator, &JsValue::from_str("serviceWorker")).unwrap_or(false);
    if !window.is_secure_context() || !has_sw {
        return;
    }
    let promise = navigator.service_worker().register("sw.js");
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = JsFuture::from(promise).await {
            web_sys::console::warn_2(
                &"offline use unavailable: the service worker did not register".into(),
                &e,
            );
        }
    });
}
