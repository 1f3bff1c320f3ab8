//! `serve --native-engine`: the lessons' worker side in this process. The served page carries a
//! per-start secret (`<meta name="backprop-native-engine">`); each lesson opens a WebSocket to
//! `/engine/<worker>?token=…&browser=…` on the page's own origin (`browser`: the page's random
//! per-browser id, which keys the runs the session keeps, so one browser never sees or wipes
//! another's), and its worker — the very `LessonWorker` the
//! Web Worker would run (`backprop_lab_app::runtime::native`) — runs on a thread of its own, on the best
//! native wgpu adapter (or the CPU engine), until the tab closes the socket.
//!
//! Refused with a message: a wrong token (403), an Origin other than this server's (403), a missing or
//! malformed browser id (400), a worker no lesson has (404), more than [`MAX_SESSIONS`] at once (503), a message over [`MAX_MESSAGE`] bytes
//! (the socket is closed with the reason). A message the lesson cannot read is answered by the lesson
//! as in the browser (an error event), and a panic ends its session only: the server serves on.
//! This module is the engine's admission and bookkeeping; the socket itself is `serve`'s
//! (`serve/engine_ws.rs`, on axum).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use backprop_lab_app::lessons::LESSONS;
use backprop_lab_app::protocol::valid_browser_id;
use backprop_lab_app::runtime::WorkerEntry;

/// Sessions (lesson tabs) at once.
pub const MAX_SESSIONS: usize = 8;
/// Largest message a page may send (a lesson's largest is a drawn image or a small settings list).
pub const MAX_MESSAGE: usize = 1 << 20;

/// The native engine of one server start.
pub struct NativeEngine {
    token: String,
    port: u16,
    lan: bool,
    /// Pages come over https (`serve --tls`).
    tls: bool,
    sessions: AtomicUsize,
}

/// A fresh secret: 128 bits from the operating system's randomness.
fn secret() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system gives random bytes");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl NativeEngine {
    /// The engine of a server on `port` (`lan`: other machines' pages may connect too; `tls`: the
    /// pages come over https).
    pub fn new(port: u16, lan: bool, tls: bool) -> Arc<Self> {
        Arc::new(Self {
            token: secret(),
            port,
            lan,
            tls,
            sessions: AtomicUsize::new(0),
        })
    }

    /// The per-start secret a page must present (`lesson-bench` plays a page of this process).
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The page with the secret in it (after its charset, before anything that reads it).
    pub fn inject(&self, html: &[u8]) -> Vec<u8> {
        let text = String::from_utf8_lossy(html);
        let meta = format!(
            "<meta charset=\"utf-8\">\n  <meta name=\"backprop-native-engine\" content=\"{}\">",
            self.token
        );
        text.replacen("<meta charset=\"utf-8\">", &meta, 1)
            .into_bytes()
    }

    /// Whether `origin` is a page this server served: its own port and scheme, on loopback unless
    /// `--lan`.
    fn origin_ok(&self, origin: &str) -> bool {
        let scheme = if self.tls { "https://" } else { "http://" };
        let Some(rest) = origin.strip_prefix(scheme) else {
            return false;
        };
        let Some((host, port)) = rest.rsplit_once(':') else {
            return false;
        };
        let loopback = matches!(host, "127.0.0.1" | "localhost" | "[::1]");
        port == self.port.to_string() && (loopback || self.lan)
    }

    /// Checks a handshake (its Origin header, the worker's name after `/engine/`, the query); the
    /// worker asked for and the browser asking, or the refusal's HTTP status and reason.
    pub(crate) fn admit(
        &self,
        origin: &str,
        name: &str,
        query: &str,
    ) -> Result<(WorkerEntry, String), (u16, String)> {
        if !self.origin_ok(origin) {
            return Err((
                403,
                format!("refused: the page's origin {origin:?} is not this server's"),
            ));
        }
        let param = |name: &str| {
            query
                .split('&')
                .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
                .unwrap_or("")
                .to_string()
        };
        let token = param("token");
        // Compared in full whatever the mismatch, so the time says nothing about the secret.
        let same = token.len() == self.token.len()
            && token
                .bytes()
                .zip(self.token.bytes())
                .fold(0u8, |d, (a, b)| d | (a ^ b))
                == 0;
        if !same {
            return Err((
                403,
                "refused: wrong or missing token (reload the page this server serves)".into(),
            ));
        }
        let browser = param("browser");
        if !valid_browser_id(&browser) {
            return Err((
                400,
                "refused: no browser id, or a malformed one (reload the page this server serves)"
                    .into(),
            ));
        }
        let Some(worker) = LESSONS
            .iter()
            .filter_map(|l| l.worker)
            .find(|w| w.name == name)
        else {
            return Err((404, format!("no lesson has an engine named {name:?}")));
        };
        if self.sessions.load(Ordering::SeqCst) >= MAX_SESSIONS {
            return Err((
                503,
                format!(
                    "refused: {MAX_SESSIONS} lesson tabs already use the native engine; close one"
                ),
            ));
        }
        Ok((worker, browser))
    }
}

/// One session counted while it lives.
pub(crate) struct Counted(Arc<NativeEngine>);

impl Counted {
    pub(crate) fn new(engine: Arc<NativeEngine>) -> Self {
        engine.sessions.fetch_add(1, Ordering::SeqCst);
        Self(engine)
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.sessions.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_servers_pages_may_connect() {
        let e = NativeEngine::new(8080, false, false);
        assert!(e.origin_ok("http://127.0.0.1:8080"));
        assert!(e.origin_ok("http://localhost:8080"));
        assert!(!e.origin_ok("http://127.0.0.1:8081"));
        assert!(!e.origin_ok("http://192.168.1.5:8080"));
        assert!(!e.origin_ok("https://evil.example:8080"));
        assert!(!e.origin_ok(""));
        assert!(NativeEngine::new(8080, true, false).origin_ok("http://192.168.1.5:8080"));
        let tls = NativeEngine::new(8443, true, true);
        assert!(tls.origin_ok("https://192.168.1.5:8443"));
        assert!(!tls.origin_ok("http://192.168.1.5:8443"));
        let html = e.inject(b"<head><meta charset=\"utf-8\"><title>x</title>");
        let text = String::from_utf8(html).unwrap();
        assert!(text.contains(&format!("content=\"{}\"", e.token)));
        assert_eq!(e.token.len(), 32);
        assert_ne!(e.token, NativeEngine::new(8080, false, false).token);
    }
}
