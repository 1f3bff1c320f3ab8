//! What the teacher's and the students' sockets share: the size limit, the upgrade, closing with a
//! reason, and noticing a page that went away without closing (a laptop lid shut).

use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use backprop_classroom::MAX_MESSAGE_BYTES;

/// How often the server pings a quiet socket.
pub const PING_EVERY: Duration = Duration::from_secs(20);
/// A socket heard nothing from (not even a pong) for this long is closed.
pub const SILENT_FOR: Duration = Duration::from_secs(60);

/// Close code: the message was too big (RFC 6455).
pub const TOO_BIG: u16 = 1009;
/// Close code: the peer broke a rule (rate).
pub const POLICY: u16 = 1008;
/// Close code: done.
pub const NORMAL: u16 = 1000;

/// Accepts the upgrade with the wire format's size limit on every message and frame: a bigger one
/// ends the socket with [`TOO_BIG`] and the reason.
pub fn upgrade<F, Fut>(ws: WebSocketUpgrade, session: F) -> Response
where
    F: FnOnce(WebSocket) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    ws.max_message_size(MAX_MESSAGE_BYTES)
        .max_frame_size(MAX_MESSAGE_BYTES)
        .on_upgrade(session)
}

/// Sends a text message; false when the socket is gone.
pub async fn send_text(socket: &mut WebSocket, text: &str) -> bool {
    socket.send(Message::Text(text.into())).await.is_ok()
}

/// Sends a message as JSON; false when the socket is gone.
pub async fn send<T: serde::Serialize>(socket: &mut WebSocket, message: &T) -> bool {
    send_text(socket, &super::state::to_text(message)).await
}

/// Closes with a code and a reason (best effort: the socket may already be broken).
pub async fn close(socket: &mut WebSocket, code: u16, reason: &str) {
    let _ = socket
        .send(Message::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        })))
        .await;
}

/// What arrived on a socket, sorted for the sessions.
pub enum Incoming {
    /// A text message.
    Text(String),
    /// A ping, pong or a binary message the session refuses.
    Other { binary: bool },
    /// The socket closed (or broke); the session ends.
    Gone,
    /// The message broke the size limit; the session closes with this reason.
    TooBig(String),
}

/// Sorts what `socket.recv()` gave, noting the time anything was heard.
pub fn sort(received: Option<Result<Message, axum::Error>>, heard: &mut Instant) -> Incoming {
    match received {
        None | Some(Ok(Message::Close(_))) => Incoming::Gone,
        Some(Err(e)) => {
            // tungstenite reports an over-size message as a capacity error; anything else is a
            // broken connection.
            let why = e.to_string();
            if why.contains("Space limit") || why.contains("too long") {
                Incoming::TooBig(format!(
                    "message over the limit of {MAX_MESSAGE_BYTES} bytes: {why}"
                ))
            } else {
                Incoming::Gone
            }
        }
        Some(Ok(message)) => {
            *heard = Instant::now();
            match message {
                Message::Text(text) => Incoming::Text(text.as_str().to_owned()),
                Message::Binary(_) => Incoming::Other { binary: true },
                _ => Incoming::Other { binary: false },
            }
        }
    }
}

/// The ping tick: false when the socket has been silent too long (close it), else pings.
pub async fn keep_alive(socket: &mut WebSocket, heard: Instant) -> bool {
    if heard.elapsed() > SILENT_FOR {
        close(socket, NORMAL, "no answer for a minute").await;
        return false;
    }
    socket.send(Message::Ping(Default::default())).await.is_ok()
}
