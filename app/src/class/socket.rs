//! One WebSocket client for both class pages: JSON text each way (typed by the classroom crate's
//! messages), a connection status the page shows, and reconnection by itself with exponential backoff
//! (0.5 s doubling to 15 s, with jitter) so sixty pages that lost a restarted server do not all knock
//! at once and each comes back on its own.

use std::cell::{Cell, RefCell};
use std::marker::PhantomData;
use std::rc::{Rc, Weak};

use leptos::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

/// Where the connection stands.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    /// The first attempt is under way.
    Connecting,
    /// Connected.
    Open,
    /// Lost; the next attempt (its number, from 1) comes after `in_ms` milliseconds.
    Reconnecting {
        /// Which attempt is next.
        attempt: u32,
        /// Its delay.
        in_ms: f64,
    },
    /// Closed for good (left, ended, or the page went away), with the reason.
    Closed(String),
}

/// The first reconnection's delay.
pub const FIRST_DELAY_MS: f64 = 500.0;
/// The longest delay between attempts.
pub const MAX_DELAY_MS: f64 = 15_000.0;

/// The delay before reconnection attempt `attempt` (from 0): 0.5 s doubling up to 15 s, spread by
/// ±20 % with `jitter` in [0, 1) so pages that lost the server together do not return together.
pub fn backoff_ms(attempt: u32, jitter: f64) -> f64 {
    let base = (FIRST_DELAY_MS * 2f64.powi(attempt.min(16) as i32)).min(MAX_DELAY_MS);
    (base * (0.8 + 0.4 * jitter.clamp(0.0, 1.0))).min(MAX_DELAY_MS)
}

/// The `ws:`/`wss:` URL of `path` on the page's own origin (`wss:` when the page came over https).
pub fn url(path: &str) -> String {
    let location = web_sys::window().map(|w| w.location());
    let host = location
        .as_ref()
        .and_then(|l| l.host().ok())
        .unwrap_or_default();
    let secure = location.and_then(|l| l.protocol().ok()).as_deref() == Some("https:");
    format!("{}//{host}{path}", if secure { "wss:" } else { "ws:" })
}

pub use crate::client::to_json;

/// JSON text read into a message (`JSON.parse`, then serde).
pub fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    let value = js_sys::JSON::parse(text).map_err(|e| format!("{e:?}"))?;
    serde_wasm_bindgen::from_value(value).map_err(|e| e.to_string())
}

type Handlers = (
    Closure<dyn FnMut()>,
    Closure<dyn FnMut(MessageEvent)>,
    Closure<dyn FnMut(CloseEvent)>,
);

struct Inner {
    url: String,
    ws: RefCell<Option<WebSocket>>,
    handlers: RefCell<Option<Handlers>>,
    attempt: Cell<u32>,
    stopped: Cell<bool>,
    status: RwSignal<Status>,
    on_open: Box<dyn Fn()>,
    on_text: Box<dyn Fn(String)>,
}

/// A connection that comes back by itself; messages in are `In`, out are `Out`.
pub struct Socket<In, Out> {
    inner: Rc<Inner>,
    types: PhantomData<fn(In) -> Out>,
}

impl<In: DeserializeOwned + 'static, Out: Serialize> Socket<In, Out> {
    /// Connects to `path` (`/class/student?token=…`) on the page's origin, showing its state in
    /// `status`. `on_open` runs on every (re)connection, `on_message` for every message, `on_bad` for
    /// text that is not an `In`.
    pub fn open(
        path: &str,
        status: RwSignal<Status>,
        on_open: impl Fn() + 'static,
        on_message: impl Fn(In) + 'static,
        on_bad: impl Fn(String) + 'static,
    ) -> Self {
        let inner = Rc::new(Inner {
            url: url(path),
            ws: RefCell::new(None),
            handlers: RefCell::new(None),
            attempt: Cell::new(0),
            stopped: Cell::new(false),
            status,
            on_open: Box::new(on_open),
            on_text: Box::new(move |text| match from_json::<In>(&text) {
                Ok(message) => on_message(message),
                Err(e) => on_bad(e),
            }),
        });
        inner.status.try_set(Status::Connecting);
        connect(&inner);
        Self {
            inner,
            types: PhantomData,
        }
    }

    /// Sends `message` if connected now; whether it went.
    pub fn send(&self, message: &Out) -> bool {
        let ws = self.inner.ws.borrow();
        let Some(ws) = ws.as_ref().filter(|w| w.ready_state() == WebSocket::OPEN) else {
            return false;
        };
        match to_json(message) {
            Ok(text) => ws.send_with_str(&text).is_ok(),
            Err(e) => {
                web_sys::console::error_1(&format!("class: cannot write a message: {e}").into());
                false
            }
        }
    }

    /// Closes for good, with the reason the status shows.
    pub fn close(&self, reason: &str) {
        self.inner.stopped.set(true);
        if let Some(ws) = self.inner.ws.borrow_mut().take() {
            detach(&ws);
            let _ = ws.close();
        }
        self.inner.handlers.borrow_mut().take();
        // The page may be going away, its signals with it.
        self.inner
            .status
            .try_set(Status::Closed(reason.to_string()));
    }
}

impl<In, Out> Drop for Socket<In, Out> {
    fn drop(&mut self) {
        self.inner.stopped.set(true);
        if let Some(ws) = self.inner.ws.borrow_mut().take() {
            detach(&ws);
            let _ = ws.close();
        }
    }
}

fn detach(ws: &WebSocket) {
    ws.set_onopen(None);
    ws.set_onmessage(None);
    ws.set_onclose(None);
}

fn connect(inner: &Rc<Inner>) {
    if inner.stopped.get() {
        return;
    }
    let ws = match WebSocket::new(&inner.url) {
        Ok(ws) => ws,
        Err(e) => {
            web_sys::console::warn_1(&format!("class: cannot open {}: {e:?}", inner.url).into());
            schedule(inner);
            return;
        }
    };
    let weak = Rc::downgrade(inner);
    let onopen = {
        let weak = weak.clone();
        Closure::<dyn FnMut()>::new(move || {
            if let Some(inner) = weak.upgrade() {
                inner.attempt.set(0);
                inner.status.try_set(Status::Open);
                (inner.on_open)();
            }
        })
    };
    let onmessage = {
        let weak = weak.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            if let (Some(inner), Some(text)) = (weak.upgrade(), ev.data().as_string()) {
                (inner.on_text)(text);
            }
        })
    };
    let onclose = Closure::<dyn FnMut(CloseEvent)>::new(move |_: CloseEvent| {
        if let Some(inner) = weak.upgrade() {
            schedule(&inner);
        }
    });
    ws.set_onopen(Some(onopen.as_ref().unchecked_ref()));
    ws.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    ws.set_onclose(Some(onclose.as_ref().unchecked_ref()));
    if let Some(old) = inner.ws.borrow_mut().replace(ws) {
        detach(&old);
    }
    // The old connection's handlers are detached above, so dropping them here is safe.
    inner
        .handlers
        .borrow_mut()
        .replace((onopen, onmessage, onclose));
}

fn schedule(inner: &Rc<Inner>) {
    if inner.stopped.get() {
        return;
    }
    let attempt = inner.attempt.get();
    inner.attempt.set(attempt + 1);
    let delay = backoff_ms(attempt, js_sys::Math::random());
    inner.status.try_set(Status::Reconnecting {
        attempt: attempt + 1,
        in_ms: delay,
    });
    let weak: Weak<Inner> = Rc::downgrade(inner);
    let again = Closure::once_into_js(move || {
        if let Some(inner) = weak.upgrade() {
            connect(&inner);
        }
    });
    if let Some(w) = web_sys::window() {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
            again.unchecked_ref(),
            delay as i32,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_half_a_second_to_fifteen_with_jitter() {
        // Without jitter's spread (the middle of it): 0.5, 1, 2, 4, 8, then 15 s for ever.
        let middle: Vec<f64> = (0..8).map(|a| backoff_ms(a, 0.5).round()).collect();
        assert_eq!(
            middle,
            vec![
                500.0, 1000.0, 2000.0, 4000.0, 8000.0, 15_000.0, 15_000.0, 15_000.0
            ]
        );
        // The spread is ±20 %, and never past the ceiling.
        assert!((backoff_ms(0, 0.0) - 400.0).abs() < 1e-9);
        assert!((backoff_ms(0, 1.0) - 600.0).abs() < 1e-9);
        assert!(backoff_ms(40, 1.0) <= MAX_DELAY_MS);
        assert!(backoff_ms(3, 0.0) < backoff_ms(3, 0.99));
    }
}
