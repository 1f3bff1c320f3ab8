//! Class mode end to end on loopback: the router served by `axum::serve` in its own runtime (so a
//! test can kill it without any shutdown), WebSocket clients (tokio-tungstenite) and plain HTTP/1.1
//! requests (hyper's client connection) as the pages would make them.

mod happy;
mod load;
mod refusals;
mod restart;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use backprop_classroom::{
    Joined, Report, ReportBody, RunSettings, StudentMessage, TeacherMessage, ToStudent, ToTeacher,
};
use futures_util::{SinkExt, StreamExt};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::{ClassConfig, ClassServer};

/// How long any one wait in these tests may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(15);

/// A client socket.
pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The teacher token the tests' servers use.
pub const TEACHER: &str = "0123456789abcdef0123456789abcdef";

/// A class server on 127.0.0.1 in a runtime of its own.
pub struct TestServer {
    runtime: Option<tokio::runtime::Runtime>,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl TestServer {
    /// The config the tests start from: data in `dir`, the test teacher token.
    pub fn config(dir: &Path) -> ClassConfig {
        ClassConfig::new(dir.to_owned(), TEACHER.to_owned())
    }

    /// Opens the class server and serves its router on a free loopback port.
    pub async fn start(config: ClassConfig) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel();
        runtime.spawn(async move {
            let server = ClassServer::open(config).unwrap();
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            let app = server
                .router()
                .into_make_service_with_connect_info::<SocketAddr>();
            axum::serve(listener, app).await.unwrap();
        });
        let addr = tokio::time::timeout(WAIT, rx).await.unwrap().unwrap();
        Self {
            runtime: Some(runtime),
            addr,
        }
    }

    /// This server's origin, as its pages would send it.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops everything at once: every task and socket dropped, nothing flushed or closed politely.
    pub fn kill(mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// A plain HTTP/1.1 answer.
pub struct Answer {
    pub status: u16,
    pub retry_after: Option<String>,
    pub body: String,
}

/// One HTTP/1.1 request (`body` none: GET) with an optional Origin.
pub async fn http(
    addr: SocketAddr,
    path: &str,
    body: Option<&str>,
    origin: Option<&str>,
) -> Answer {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(conn);
    let mut request = hyper::Request::builder()
        .method(if body.is_some() { "POST" } else { "GET" })
        .uri(path)
        .header("host", addr.to_string());
    if body.is_some() {
        request = request.header("content-type", "application/json");
    }
    if let Some(o) = origin {
        request = request.header("origin", o);
    }
    let request = request
        .body(Full::new(Bytes::from(body.unwrap_or_default().to_owned())))
        .unwrap();
    let response = tokio::time::timeout(WAIT, sender.send_request(request))
        .await
        .unwrap()
        .unwrap();
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        retry_after,
        body: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

/// Joins the class `code` from the server's own origin.
pub async fn join(server: &TestServer, code: &str) -> Joined {
    let answer = http(
        server.addr,
        "/class/join",
        Some(&format!(r#"{{"code":"{code}"}}"#)),
        Some(&server.origin()),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    serde_json::from_str(&answer.body).unwrap()
}

/// Opens a socket at `path` with an Origin (none: no header).
pub async fn connect(
    addr: SocketAddr,
    path: &str,
    origin: Option<&str>,
) -> Result<Ws, tungstenite::Error> {
    let mut request = format!("ws://{addr}{path}").into_client_request().unwrap();
    if let Some(o) = origin {
        request.headers_mut().insert("origin", o.parse().unwrap());
    }
    let (ws, _) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(request))
        .await
        .unwrap()?;
    Ok(ws)
}

/// The status and body of a refused upgrade.
pub fn refused_upgrade(result: Result<Ws, tungstenite::Error>) -> (u16, String) {
    match result {
        Err(tungstenite::Error::Http(response)) => (
            response.status().as_u16(),
            String::from_utf8(response.body().clone().unwrap_or_default()).unwrap(),
        ),
        Err(e) => panic!("expected an HTTP refusal, got {e}"),
        Ok(_) => panic!("expected a refusal, the socket opened"),
    }
}

/// Sends a message as JSON text.
pub async fn send<T: serde::Serialize>(ws: &mut Ws, message: &T) {
    ws.send(Message::text(serde_json::to_string(message).unwrap()))
        .await
        .unwrap();
}

/// The next text or close frame (pings and pongs skipped).
pub async fn next_frame(ws: &mut Ws) -> Message {
    loop {
        let message = tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("no message in time")
            .expect("socket ended")
            .expect("socket broke");
        if matches!(
            message,
            Message::Text(_) | Message::Close(_) | Message::Binary(_)
        ) {
            return message;
        }
    }
}

/// The next message as JSON of `T`.
pub async fn recv<T: serde::de::DeserializeOwned>(ws: &mut Ws) -> T {
    match next_frame(ws).await {
        Message::Text(text) => {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
        }
        other => panic!("expected text, got {other:?}"),
    }
}

/// The teacher's socket after `Start`: the socket, the class code and the snapshot's report count.
pub async fn start_class(server: &TestServer, resume: Option<&str>) -> (Ws, String, usize) {
    let path = format!("/class/teacher?token={TEACHER}");
    let mut ws = connect(server.addr, &path, Some(&server.origin()))
        .await
        .unwrap();
    let resume = resume.map(str::to_owned);
    send(&mut ws, &TeacherMessage::Start { resume }).await;
    let code = match recv(&mut ws).await {
        ToTeacher::Class { code, join_url, .. } => {
            assert_eq!(join_url, format!("{}/?class={code}", server.origin()));
            code
        }
        other => panic!("expected Class, got {other:?}"),
    };
    let reports = match recv(&mut ws).await {
        ToTeacher::Snapshot { reports, .. } => reports.len(),
        other => panic!("expected Snapshot, got {other:?}"),
    };
    (ws, code, reports)
}

/// A student's socket after `Welcome`: the socket and the welcome's `acked`.
pub async fn student_socket(server: &TestServer, token: &str) -> (Ws, ToStudent) {
    let path = format!("/class/student?token={token}");
    let mut ws = connect(server.addr, &path, Some(&server.origin()))
        .await
        .unwrap();
    let welcome: ToStudent = recv(&mut ws).await;
    assert!(matches!(welcome, ToStudent::Welcome { .. }), "{welcome:?}");
    (ws, welcome)
}

/// The next `ToTeacher::Report`, skipping student views.
pub async fn next_report(ws: &mut Ws) -> backprop_classroom::StoredReport {
    loop {
        match recv(ws).await {
            ToTeacher::Report(r) => return r,
            ToTeacher::Student(_) => {}
            other => panic!("expected a report, got {other:?}"),
        }
    }
}

/// Sends a report and waits for its `Ack`.
pub async fn report_acked(ws: &mut Ws, seq: u64, report: Report) {
    send(ws, &StudentMessage::Report { seq, report }).await;
    loop {
        match recv(ws).await {
            ToStudent::Ack { seq: acked } if acked == seq => return,
            ToStudent::Assign(_) | ToStudent::Follow(_) => {}
            other => panic!("expected Ack {seq}, got {other:?}"),
        }
    }
}

/// A run's `started` report.
pub fn started(run: u32, lr: f64, seed: u64) -> Report {
    Report {
        run,
        lesson: "train".into(),
        body: ReportBody::Started {
            settings: RunSettings {
                lr,
                momentum: 0.9,
                batch: 64,
                optimizer: "momentum".into(),
                seed,
                hidden: vec![128, 64],
                engine: backprop_classroom::RunEngine::Cpu,
                dp_sigma: None,
                dp_clip: None,
            },
            from_step: 0,
        },
    }
}

/// An evaluation report.
pub fn evaluation(run: u32, step: u32, loss: f64, val_accuracy: f64) -> Report {
    Report {
        run,
        lesson: "train".into(),
        body: ReportBody::Evaluation {
            step,
            loss,
            val_accuracy,
        },
    }
}

/// Reports stored in the database, counted by a connection of the test's own.
pub fn rows_in_sqlite(dir: &Path) -> u64 {
    let conn = rusqlite::Connection::open(dir.join("class.sqlite3")).unwrap();
    conn.query_row("SELECT COUNT(*) FROM reports", [], |r| r.get(0))
        .unwrap()
}

/// A fresh folder under the system's temporary folder, removed when dropped.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    /// A new empty folder.
    pub fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "bpl-class-{name}-{}-{}",
            std::process::id(),
            super::guard::new_token()
        ));
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Shared between a test's tasks.
pub type Shared<T> = Arc<std::sync::Mutex<T>>;
