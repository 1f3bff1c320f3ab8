//! `serve --class` killed with SIGKILL mid-class and started again on the same `--data` and port:
//! every acknowledged report is still there, the teacher's URL is the same, the students' pages
//! reconnect with their tokens (told what was stored) and their next reports reach the teacher.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use backprop_classroom::{
    Joined, Report, ReportBody, StudentMessage, TeacherMessage, ToStudent, ToTeacher,
};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

const WAIT: Duration = Duration::from_secs(20);

/// The server process; killed (SIGKILL on Unix) when dropped.
struct Server {
    child: Child,
    port: u16,
    teacher_token: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `serve --class` and reads its port and the teacher's URL from standard output.
fn start(app: &Path, data: &Path, port: u16) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_backprop-lab"))
        .args(["serve", "--class", "--port", &port.to_string(), "--dir"])
        .arg(app)
        .arg("--data")
        .arg(data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let port = first
        .strip_prefix("Serving Backprop Lab on http://127.0.0.1:")
        .and_then(|r| r.split('/').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {first:?}"));
    let teacher_line = lines
        .map_while(Result::ok)
        .find(|l| l.starts_with("Teacher's page: "))
        .expect("a teacher's page line");
    let prefix = format!("Teacher's page: http://127.0.0.1:{port}/?page=class&token=");
    let teacher_token = teacher_line
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("{teacher_line:?}"))
        .to_owned();
    Server {
        child,
        port,
        teacher_token,
    }
}

async fn connect(port: u16, path: &str) -> Ws {
    let mut request = format!("ws://127.0.0.1:{port}{path}")
        .into_client_request()
        .unwrap();
    let origin = format!("http://127.0.0.1:{port}").parse().unwrap();
    request.headers_mut().insert("origin", origin);
    // The restarted server may take a moment to listen.
    for _ in 0..100 {
        if let Ok((ws, _)) = tokio_tungstenite::connect_async(request.clone()).await {
            return ws;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("cannot connect to {path}");
}

async fn send<T: serde::Serialize>(ws: &mut Ws, message: &T) {
    let text = serde_json::to_string(message).unwrap();
    ws.send(Message::text(text)).await.unwrap();
}

async fn recv<T: serde::de::DeserializeOwned>(ws: &mut Ws) -> T {
    loop {
        let message = tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("no message in time")
            .expect("socket ended")
            .expect("socket broke");
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        }
    }
}

/// A raw HTTP/1.1 POST of the join (the server closes the connection after answering).
async fn join(port: u16, code: &str) -> Joined {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let body = format!(r#"{{"code":"{code}"}}"#);
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let request = format!(
        "POST /class/join HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    tokio::time::timeout(WAIT, stream.read_to_string(&mut answer))
        .await
        .unwrap()
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let json = &answer[answer.find("\r\n\r\n").unwrap() + 4..];
    serde_json::from_str(json).unwrap()
}

fn evaluation(step: u32) -> Report {
    Report {
        run: 1,
        lesson: "train".into(),
        body: ReportBody::Evaluation {
            step,
            loss: 1.0 / f64::from(step),
            val_accuracy: 0.5,
        },
    }
}

async fn acked(ws: &mut Ws, seq: u64) {
    let report = evaluation(seq as u32 * 10);
    send(ws, &StudentMessage::Report { seq, report }).await;
    assert_eq!(recv::<ToStudent>(ws).await, ToStudent::Ack { seq });
}

/// The teacher's socket after Start (or resume): the class code and the snapshot's report count.
async fn teacher(port: u16, token: &str, resume: Option<String>) -> (Ws, String, usize) {
    let mut ws = connect(port, &format!("/class/teacher?token={token}")).await;
    send(&mut ws, &TeacherMessage::Start { resume }).await;
    let ToTeacher::Class { code, .. } = recv(&mut ws).await else {
        panic!("expected Class")
    };
    let ToTeacher::Snapshot { reports, .. } = recv(&mut ws).await else {
        panic!("expected Snapshot")
    };
    (ws, code, reports.len())
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bpl-class-fault-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_class_nothing_acknowledged_is_lost() {
    let app = temp("app");
    std::fs::write(
        app.join("index.html"),
        "<!doctype html><title>Backprop Lab</title>",
    )
    .unwrap();
    let data = temp("data");

    let server = start(&app, &data, 0);
    let port = server.port;
    let (_teacher, code, _) = teacher(port, &server.teacher_token, None).await;
    let mut students = Vec::new();
    for _ in 0..3 {
        let joined = join(port, &code).await;
        let mut ws = connect(port, &format!("/class/student?token={}", joined.token)).await;
        assert!(matches!(
            recv(&mut ws).await,
            ToStudent::Welcome { acked: 0, .. }
        ));
        for seq in 1..=4 {
            acked(&mut ws, seq).await;
        }
        students.push((joined, ws));
    }
    // One report sent and not waited for: it may or may not be stored, never half.
    let (_, ws) = &mut students[0];
    let report = evaluation(50);
    send(ws, &StudentMessage::Report { seq: 5, report }).await;

    let old_token = server.teacher_token.clone();
    drop(server); // SIGKILL: no shutdown, no flush.

    let server = start(&app, &data, port);
    assert_eq!(
        server.teacher_token, old_token,
        "the teacher's URL survives"
    );
    let (mut teacher, again, reports) =
        teacher(port, &server.teacher_token, Some(code.clone())).await;
    assert_eq!(again, code);
    assert!(
        reports == 12 || reports == 13,
        "every acknowledged report is back: {reports}"
    );
    for (i, (joined, _)) in students.iter().enumerate() {
        let mut ws = connect(port, &format!("/class/student?token={}", joined.token)).await;
        let ToStudent::Welcome { acked: stored, .. } = recv(&mut ws).await else {
            panic!("expected Welcome")
        };
        assert!(
            stored == 4 || (i == 0 && stored == 5),
            "student {i}: {stored}"
        );
        acked(&mut ws, stored + 1).await;
        loop {
            match recv(&mut teacher).await {
                ToTeacher::Report(r) => {
                    assert_eq!((r.student, r.seq), (joined.student, stored + 1));
                    break;
                }
                ToTeacher::Student(_) => {}
                other => panic!("{other:?}"),
            }
        }
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&app);
    let _ = std::fs::remove_dir_all(&data);
}
