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

use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, TryRecvError};
use std::time::Duration;

use backprop_lab_app::lessons::LESSONS;
use backprop_lab_app::protocol::valid_browser_id;
use backprop_lab_app::runtime::WorkerEntry;
use backprop_lab_app::runtime::native::NativeIo;
use tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tungstenite::protocol::CloseFrame;
use tungstenite::protocol::WebSocketConfig;
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::{Error, Message};

/// Sessions (lesson tabs) at once.
pub const MAX_SESSIONS: usize = 8;
/// Largest message a page may send (a lesson's largest is a drawn image or a small settings list).
pub const MAX_MESSAGE: usize = 1 << 20;
/// How long the socket waits for the page before handing the worker's messages on.
const POLL: Duration = Duration::from_millis(5);

/// The native engine of one server start.
pub struct NativeEngine {
    token: String,
    port: u16,
    lan: bool,
    sessions: AtomicUsize,
}

/// A fresh secret: 128 bits from the operating system's randomness (through std's hasher keys) and
/// the clock.
fn secret() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut out = String::new();
    for i in 0..2u64 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(i);
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out
}

impl NativeEngine {
    /// The engine of a server on `port` (`lan`: other machines' pages may connect too).
    pub fn new(port: u16, lan: bool) -> Arc<Self> {
        Arc::new(Self {
            token: secret(),
            port,
            lan,
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

    /// Whether a connection asks for an engine session (its request line, peeked, not read).
    pub fn wants(stream: &TcpStream) -> bool {
        let mut head = [0u8; 12];
        matches!(stream.peek(&mut head), Ok(n) if head[..n].starts_with(b"GET /engine/"))
    }

    /// Whether `origin` is a page this server served: its own port, over http, on loopback unless
    /// `--lan`.
    fn origin_ok(&self, origin: &str) -> bool {
        let Some(rest) = origin.strip_prefix("http://") else {
            return false;
        };
        let Some((host, port)) = rest.rsplit_once(':') else {
            return false;
        };
        let loopback = matches!(host, "127.0.0.1" | "localhost" | "[::1]");
        port == self.port.to_string() && (loopback || self.lan)
    }

    /// Checks the handshake; the worker asked for and the browser asking, or the refusal with its
    /// reason.
    fn admit(&self, req: &Request) -> Result<(WorkerEntry, String), (u16, String)> {
        let origin = req
            .headers()
            .get("origin")
            .and_then(|o| o.to_str().ok())
            .unwrap_or("");
        if !self.origin_ok(origin) {
            return Err((
                403,
                format!("refused: the page's origin {origin:?} is not this server's"),
            ));
        }
        let path = req.uri().path();
        let param = |name: &str| {
            req.uri()
                .query()
                .unwrap_or("")
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
        let name = path.strip_prefix("/engine/").unwrap_or("");
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

    /// Serves one engine session on `stream` until either side ends it.
    pub fn handle(self: &Arc<Self>, stream: TcpStream) {
        let mut admitted = None;
        let config = WebSocketConfig::default()
            .max_message_size(Some(MAX_MESSAGE))
            .max_frame_size(Some(MAX_MESSAGE));
        // tungstenite's callback type returns its HTTP response by value.
        #[allow(clippy::result_large_err, reason = "the signature is tungstenite's")]
        let callback = |req: &Request, resp: Response| match self.admit(req) {
            Ok(admission) => {
                admitted = Some(admission);
                Ok(resp)
            }
            Err((status, why)) => {
                eprintln!("backprop-lab: native engine: {why}");
                let mut refusal = ErrorResponse::new(Some(why));
                *refusal.status_mut() =
                    tungstenite::http::StatusCode::from_u16(status).unwrap_or_default();
                Err(refusal)
            }
        };
        let Ok(mut socket) = tungstenite::accept_hdr_with_config(stream, callback, Some(config))
        else {
            return;
        };
        let Some((worker, browser)) = admitted else {
            return;
        };
        let _ = socket.get_ref().set_read_timeout(Some(POLL));
        let _session = Counted::new(self.clone());
        let (to_worker, inbox) = mpsc::channel::<String>();
        let (outbox, from_worker) = mpsc::channel::<String>();
        let name = worker.name;
        let thread = std::thread::Builder::new()
            .name(format!("engine {name}"))
            .spawn(move || {
                (worker.native)(NativeIo {
                    inbox,
                    outbox,
                    browser,
                })
            });
        if thread.is_err() {
            let _ = socket.close(Some(close(CloseCode::Error, "the engine could not start")));
            return;
        }
        let ending = loop {
            match socket.read() {
                Ok(Message::Text(text)) => {
                    let _ = to_worker.send(text.as_str().to_string());
                }
                // The lesson reads JSON text only; it says so as it says of any unreadable message.
                Ok(Message::Binary(_)) => {
                    let _ = to_worker.send("(a binary message)".into());
                }
                Ok(Message::Close(_)) => break None,
                Ok(_) => {}
                Err(Error::Io(e))
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(Error::Capacity(e)) => {
                    break Some(close(
                        CloseCode::Size,
                        &format!("message too large (at most {MAX_MESSAGE} bytes): {e}"),
                    ));
                }
                Err(Error::Utf8(_)) => {
                    break Some(close(
                        CloseCode::Invalid,
                        "a text message that is not UTF-8",
                    ));
                }
                Err(_) => break None,
            }
            let mut gone = false;
            loop {
                match from_worker.try_recv() {
                    Ok(text) => {
                        if socket.send(Message::text(text)).is_err() {
                            gone = true;
                            break;
                        }
                    }
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => {
                        gone = true;
                        break;
                    }
                }
            }
            if gone {
                break Some(close(CloseCode::Away, "the lesson's engine stopped"));
            }
        };
        if let Some(frame) = ending {
            let _ = socket.close(Some(frame));
            let _ = socket.flush();
        }
        // Dropping the sender ends the lesson's session (its thread returns).
        drop(to_worker);
    }
}

fn close(code: CloseCode, reason: &str) -> CloseFrame {
    // A close frame's reason is at most 123 bytes.
    let mut reason = reason.to_string();
    while reason.len() > 123 {
        reason.pop();
    }
    CloseFrame {
        code,
        reason: reason.into(),
    }
}

/// One session counted while it lives.
struct Counted(Arc<NativeEngine>);

impl Counted {
    fn new(engine: Arc<NativeEngine>) -> Self {
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
        let e = NativeEngine::new(8080, false);
        assert!(e.origin_ok("http://127.0.0.1:8080"));
        assert!(e.origin_ok("http://localhost:8080"));
        assert!(!e.origin_ok("http://127.0.0.1:8081"));
        assert!(!e.origin_ok("http://192.168.1.5:8080"));
        assert!(!e.origin_ok("https://evil.example:8080"));
        assert!(!e.origin_ok(""));
        assert!(NativeEngine::new(8080, true).origin_ok("http://192.168.1.5:8080"));
        let html = e.inject(b"<head><meta charset=\"utf-8\"><title>x</title>");
        let text = String::from_utf8(html).unwrap();
        assert!(text.contains(&format!("content=\"{}\"", e.token)));
        assert_eq!(e.token.len(), 32);
        assert_ne!(e.token, NativeEngine::new(8080, false).token);
    }
}
