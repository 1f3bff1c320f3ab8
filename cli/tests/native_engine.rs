//! `serve --native-engine` against a misbehaving tab: a wrong token, a foreign Origin, a missing or
//! malformed browser id, an engine no lesson has, a malformed message, a binary one and one over the size limit. Each is refused or
//! answered with a message, and the server keeps serving another tab's session throughout.

use std::io::{BufRead, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

use tungstenite::client::IntoClientRequest;
use tungstenite::{Message, WebSocket};

struct Server {
    child: std::process::Child,
    port: u16,
    dir: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn start(extra: &[&str]) -> Server {
    let dir =
        std::env::temp_dir().join(format!("bpl-native-{}-{}", std::process::id(), extra.len()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<!DOCTYPE html><head><meta charset=\"utf-8\"><title>Backprop Lab</title></head>",
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_backprop-lab"))
        .args(["serve", "--native-engine", "--port", "0", "--dir"])
        .arg(&dir)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let port = first
        .split("127.0.0.1:")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {first:?}"));
    Server { child, port, dir }
}

/// The token the served page carries.
fn token(port: u16) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    // HTTP/1.1 keeps a connection open unless asked: the whole page, then the end.
    write!(
        s,
        "GET / HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n"
    )
    .unwrap();
    let mut page = String::new();
    s.read_to_string(&mut page).unwrap();
    page.split("name=\"backprop-native-engine\" content=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_else(|| panic!("no token in the page: {page}"))
        .to_string()
}

/// A browser's id as a page makes it (32 hex digits).
const BROWSER: &str = "0123456789abcdef0123456789abcdef";

/// Opens `/engine/<name>?token=…&browser=…` with `origin`; the socket, or the refusal's status and
/// body.
fn open(
    port: u16,
    name: &str,
    token: &str,
    origin: &str,
) -> Result<WebSocket<TcpStream>, (u16, String)> {
    open_as(
        port,
        name,
        &format!("token={token}&browser={BROWSER}"),
        origin,
    )
}

/// Opens `/engine/<name>?<query>` with `origin`.
fn open_as(
    port: u16,
    name: &str,
    query: &str,
    origin: &str,
) -> Result<WebSocket<TcpStream>, (u16, String)> {
    let mut req = format!("ws://127.0.0.1:{port}/engine/{name}?{query}")
        .into_client_request()
        .unwrap();
    req.headers_mut().insert("origin", origin.parse().unwrap());
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    match tungstenite::client(req, stream) {
        Ok((ws, _)) => {
            ws.get_ref()
                .set_read_timeout(Some(Duration::from_secs(60)))
                .unwrap();
            Ok(ws)
        }
        Err(tungstenite::HandshakeError::Failure(tungstenite::Error::Http(resp))) => Err((
            resp.status().as_u16(),
            String::from_utf8_lossy(resp.body().as_deref().unwrap_or_default()).to_string(),
        )),
        Err(e) => panic!("handshake: {e}"),
    }
}

/// The next text message, as JSON.
fn next(ws: &mut WebSocket<TcpStream>) -> serde_json::Value {
    loop {
        match ws.read().expect("a message") {
            Message::Text(t) => return serde_json::from_str(t.as_str()).unwrap(),
            Message::Close(f) => panic!("closed: {f:?}"),
            _ => {}
        }
    }
}

#[test]
fn bad_tabs_are_refused_with_a_message_and_the_server_serves_on() {
    let server = start(&[]);
    let port = server.port;
    let token = token(port);
    let origin = format!("http://127.0.0.1:{port}");
    // A good tab: the privacy lesson's worker says it is up.
    let mut good = open(port, "privacy", &token, &origin).expect("admitted");
    assert_eq!(next(&mut good), serde_json::json!({ "Status": "Ready" }));

    let (status, why) = open(port, "privacy", "0123", &origin).unwrap_err();
    assert_eq!(status, 403);
    assert!(why.contains("token"), "{why}");
    let (status, why) = open(port, "privacy", &token, "http://evil.example").unwrap_err();
    assert_eq!(status, 403);
    assert!(why.contains("origin"), "{why}");
    // A session without the page's browser id, or with one the page would never make: the runs it
    // keeps could not be told from another browser's.
    for query in [
        format!("token={token}"),
        format!("token={token}&browser="),
        format!("token={token}&browser=../../etc"),
        format!("token={token}&browser=abc"),
    ] {
        let (status, why) = open_as(port, "privacy", &query, &origin).unwrap_err();
        assert_eq!(status, 400, "{query}");
        assert!(why.contains("browser id"), "{why}");
    }
    let (status, why) = open(port, "no-such-lesson", &token, &origin).unwrap_err();
    assert_eq!(status, 404);
    assert!(why.contains("no-such-lesson"), "{why}");

    // Malformed and binary messages: the lesson answers as in the browser, and goes on.
    let mut bad = open(port, "optimizers", &token, &origin).expect("admitted");
    assert_eq!(next(&mut bad), serde_json::json!({ "Status": "Ready" }));
    bad.send(Message::text("{\"Command\": {\"Explode\": 1}}"))
        .unwrap();
    let said = next(&mut bad);
    assert_eq!(said["Status"]["Error"]["code"], "BadMessage", "{said}");
    bad.send(Message::binary(vec![0u8, 1, 2])).unwrap();
    assert_eq!(next(&mut bad)["Status"]["Error"]["code"], "BadMessage");
    // A query that is understood still gets its one reply (an error reply: no data loaded).
    bad.send(Message::text(
        r#"{"Query":{"id":7,"query":{"StepMap":{"warm_steps":99999}}}}"#,
    ))
    .unwrap();
    let reply = next(&mut bad);
    assert_eq!(reply["Reply"]["id"], 7, "{reply}");
    assert!(reply["Reply"]["reply"]["Err"].is_object(), "{reply}");

    // Over the size limit: the socket is closed with the reason.
    let huge = "x".repeat(2 << 20);
    let _ = bad.send(Message::text(huge));
    let closed = loop {
        match bad.read() {
            Ok(Message::Close(f)) => break f,
            Ok(_) => {}
            Err(e) => panic!("expected a close frame, got {e}"),
        }
    };
    let frame = closed.expect("a reason");
    assert_eq!(u16::from(frame.code), 1009);
    assert!(frame.reason.as_str().contains("too large"), "{frame:?}");

    // The first tab was never disturbed: its worker still answers.
    good.send(Message::text(
        r#"{"Query":{"id":1,"query":{"Lot":{"dp":{"clip":1.0,"noise":1.0,"lot":50},"draw":0}}}}"#,
    ))
    .unwrap();
    let reply = next(&mut good);
    assert_eq!(reply["Reply"]["id"], 1, "{reply}");
}

#[test]
fn lan_needs_its_own_flag_for_the_native_engine() {
    let out = Command::new(env!("CARGO_BIN_EXE_backprop-lab"))
        .args([
            "serve",
            "--native-engine",
            "--lan",
            "--port",
            "0",
            "--dir",
            ".",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--native-engine-lan"));
}

#[test]
fn lesson_bench_plays_the_page_and_measures_the_lesson_beside_the_bare_engine() {
    let json = std::env::temp_dir().join(format!("bpl-lesson-bench-{}.json", std::process::id()));
    let bench = |setup: &str| {
        Command::new(env!("CARGO_BIN_EXE_backprop-lab"))
            .current_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
            .args(["lesson-bench", "--engines", "cpu,gpu", "--seconds", "1"])
            .args(["--setup", setup, "--json"])
            .arg(&json)
            .output()
            .unwrap()
    };
    let out = bench("hidden=32&batch=32&train=2000&test=500&epochs=100&eval=10000");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let _ = std::fs::remove_file(&json);
    let arms: Vec<&str> = rows.iter().map(|r| r["engine"].as_str().unwrap()).collect();
    // Each engine through the lesson's socket, then bare, in turn.
    assert_eq!(arms, ["lesson cpu", "bare cpu", "lesson gpu", "bare gpu"]);
    for r in &rows {
        assert!(r["samples_per_second"].as_f64().unwrap() > 0.0, "{r}");
        assert!(r["steps"].as_u64().unwrap() > 0, "{r}");
        assert_eq!(r["batch"], 32);
        let lesson = r["engine"].as_str().unwrap().starts_with("lesson");
        // The lesson's own figures (what the page shows) exist for the lesson arms only.
        assert_eq!(
            r["page_figure"].as_f64().is_some_and(|f| f > 0.0),
            lesson,
            "{r}"
        );
    }
    // The lesson's GPU arm ran on a native adapter it named, the one the bare engine had.
    assert_eq!(rows[2]["adapter"], rows[3]["adapter"]);
    assert!(
        stdout.contains("lesson cpu: the lesson runs at"),
        "{stdout}"
    );

    // A setup the lesson refuses is said, as the page would say it.
    let out = bench("hidden=0");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--setup: Settings in the URL were ignored")
            && String::from_utf8_lossy(&out.stderr).contains(" hidden=0"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
