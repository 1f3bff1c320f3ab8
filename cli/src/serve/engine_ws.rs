//! The native engine's WebSocket, `/engine/<worker>`, on axum: the admission checks of
//! [`NativeEngine::admit`] (refused with their HTTP status and reason before the upgrade), the size
//! limits, and one lesson worker per socket on a thread of its own, bridged from its std channels to
//! the async socket.

use std::sync::Arc;
use std::sync::mpsc;

use anyhow::{Context, Result};
use axum::Router;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, close_code};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use backprop_lab_app::runtime::WorkerEntry;
use backprop_lab_app::runtime::native::NativeIo;

use crate::native_engine::{Counted, MAX_MESSAGE, NativeEngine};

/// The engine's route.
pub(super) fn router(engine: Arc<NativeEngine>) -> Router {
    Router::new()
        .route("/engine/{*worker}", get(open))
        .with_state(engine)
}

/// Serves only the engine's route on `listener`, on a thread of its own (`lesson-bench` plays a page
/// of this process against it).
pub(crate) fn serve_engine_in_background(
    listener: std::net::TcpListener,
    engine: Arc<NativeEngine>,
) -> Result<()> {
    listener.set_nonblocking(true)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    std::thread::Builder::new()
        .name("engine server".into())
        .spawn(move || {
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener)?;
                axum::serve(listener, router(engine)).await
            })
        })?;
    Ok(())
}

async fn open(
    State(engine): State<Arc<NativeEngine>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    uri: Uri,
    upgrade: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .unwrap_or("");
    let (worker, browser) = match engine.admit(origin, &name, uri.query().unwrap_or("")) {
        Ok(admitted) => admitted,
        Err((status, why)) => {
            eprintln!("backprop-lab: native engine: {why}");
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
            return (status, why).into_response();
        }
    };
    match upgrade {
        Ok(upgrade) => upgrade
            .max_message_size(MAX_MESSAGE)
            .max_frame_size(MAX_MESSAGE)
            .on_upgrade(move |socket| session(engine, worker, browser, socket)),
        Err(refusal) => refusal.into_response(),
    }
}

/// One lesson tab's session, until either side ends it.
async fn session(
    engine: Arc<NativeEngine>,
    worker: WorkerEntry,
    browser: String,
    mut socket: WebSocket,
) {
    let _session = Counted::new(engine);
    let (to_worker, inbox) = mpsc::channel::<String>();
    let (outbox, from_worker) = mpsc::channel::<String>();
    let (forward, mut outgoing) = tokio::sync::mpsc::unbounded_channel::<String>();
    let name = worker.name;
    let started = std::thread::Builder::new()
        .name(format!("engine {name}"))
        .spawn(move || {
            (worker.native)(NativeIo {
                inbox,
                outbox,
                browser,
            })
        });
    // The worker's std channel waited on by a thread of its own; it ends with the worker.
    let bridged = started.and_then(|_| {
        std::thread::Builder::new()
            .name(format!("engine {name} out"))
            .spawn(move || {
                while let Ok(text) = from_worker.recv() {
                    if forward.send(text).is_err() {
                        break;
                    }
                }
            })
    });
    if bridged.is_err() {
        let frame = close(close_code::ERROR, "the engine could not start");
        let _ = socket.send(Message::Close(Some(frame))).await;
        return;
    }
    let ending = loop {
        tokio::select! {
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    let _ = to_worker.send(text.as_str().to_string());
                }
                // The lesson reads JSON text only; it says so as it says of any unreadable message.
                Some(Ok(Message::Binary(_))) => {
                    let _ = to_worker.send("(a binary message)".into());
                }
                Some(Ok(Message::Close(_))) | None => break None,
                Some(Ok(_)) => {}
                Some(Err(e)) => break refusal(e),
            },
            out = outgoing.recv() => match out {
                Some(text) => {
                    if socket.send(Message::Text(text.into())).await.is_err() {
                        break None;
                    }
                }
                None => break Some(close(close_code::AWAY, "the lesson's engine stopped")),
            },
        }
    };
    if let Some(frame) = ending {
        let _ = socket.send(Message::Close(Some(frame))).await;
    }
    // Dropping the sender ends the lesson's session (its thread returns).
    drop(to_worker);
}

/// The close frame a reading error earns: too large (1009), not UTF-8 (1007), or none (gone).
fn refusal(e: axum::Error) -> Option<CloseFrame> {
    match e.into_inner().downcast::<tungstenite::Error>().map(|e| *e) {
        Ok(tungstenite::Error::Capacity(e)) => Some(close(
            close_code::SIZE,
            &format!("message too large (at most {MAX_MESSAGE} bytes): {e}"),
        )),
        Ok(tungstenite::Error::Utf8(_)) => Some(close(
            close_code::INVALID,
            "a text message that is not UTF-8",
        )),
        _ => None,
    }
}

fn close(code: u16, reason: &str) -> CloseFrame {
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
