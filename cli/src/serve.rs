//! `backprop-lab serve`: the web app and its data from this binary, for a classroom without internet.
//! Built with `--features embed-app` after `trunk build --release`, the binary carries `dist/` (app,
//! datasets, models); `--dir` serves a folder instead. Loopback only unless `--lan` says otherwise.
//! A small HTTP/1.1 server on the standard library: GET and HEAD, one thread per connection.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::Args;

use crate::native_engine::NativeEngine;

// `FILES`: (path inside dist/, bytes); empty unless built with `--features embed-app`.
include!(concat!(env!("OUT_DIR"), "/embedded_app.rs"));

/// `serve`'s options.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Port (0: any free port).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Also answer other machines on the network (binds all interfaces unless --bind says otherwise).
    #[arg(long)]
    lan: bool,
    /// Address to bind; one that is not loopback needs --lan.
    #[arg(long)]
    bind: Option<IpAddr>,
    /// Serve this folder (a `trunk build` output) instead of the app built into the binary.
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Run every lesson's engine in this process (native wgpu: Vulkan, Metal, DX12; the CPU engine
    /// without an adapter) instead of in the browser, over a WebSocket on this server's origin.
    #[arg(long)]
    native_engine: bool,
    /// With --lan, let other machines' pages use this machine's native engine too.
    #[arg(long)]
    native_engine_lan: bool,
}

/// Where the answers come from.
pub(crate) enum Source {
    /// The app built into the binary (`embed-app`).
    Embedded(HashMap<&'static str, &'static [u8]>),
    /// A folder (canonical path).
    Dir(PathBuf),
}

impl Source {
    /// A file by its path inside the app (`static/data/mnist/manifest.json`).
    pub(crate) fn get(&self, path: &str) -> Option<Vec<u8>> {
        match self {
            Source::Embedded(files) => files.get(path).map(|b| b.to_vec()),
            Source::Dir(root) => {
                let file = root.join(path);
                // `clean_path` already refused `..`; a link out of the folder is refused here.
                let real = file.canonicalize().ok()?;
                real.starts_with(root)
                    .then(|| std::fs::read(&real).ok())
                    .flatten()
            }
        }
    }
}

/// The address to bind: loopback by default, all interfaces with `--lan`, a chosen one only with
/// `--lan` unless it is loopback.
fn address(args: &ServeArgs) -> Result<SocketAddr> {
    let ip = match (args.bind, args.lan) {
        (Some(ip), false) if !ip.is_loopback() => bail!(
            "refusing to serve on {ip} without --lan: other machines could reach it (add --lan to mean it)"
        ),
        (Some(ip), _) => ip,
        (None, true) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        (None, false) => IpAddr::V4(Ipv4Addr::LOCALHOST),
    };
    Ok(SocketAddr::new(ip, args.port))
}

/// The file a request path names, relative to the app's root: no query, percent-decoded, `index.html`
/// for a folder, and `None` for anything that climbs out (`..`) or is not UTF-8.
fn clean_path(target: &str) -> Option<String> {
    let path = target.split(['?', '#']).next().unwrap_or("");
    let mut bytes = Vec::with_capacity(path.len());
    let raw = path.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'%' {
            let hex = std::str::from_utf8(raw.get(i + 1..i + 3)?).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            bytes.push(raw[i]);
            i += 1;
        }
    }
    let decoded = String::from_utf8(bytes).ok()?;
    let mut parts = Vec::new();
    for c in Path::new(decoded.trim_start_matches('/')).components() {
        match c {
            Component::Normal(p) => parts.push(p.to_str()?.to_string()),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if decoded.ends_with('/') || parts.is_empty() {
        parts.push("index.html".into());
    }
    Some(parts.join("/"))
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript",
        "wasm" => "application/wasm",
        "css" => "text/css",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ttf" => "font/ttf",
        _ => "application/octet-stream",
    }
}

fn respond(stream: &mut TcpStream, status: &str, kind: &str, body: &[u8], head_only: bool) {
    let header = format!(
        "HTTP/1.1 {status}\r\ncontent-type: {kind}\r\ncontent-length: {}\r\ncache-control: no-cache\r\nx-content-type-options: nosniff\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(header.as_bytes());
    if !head_only {
        let _ = stream.write_all(body);
    }
}

fn handle(mut stream: TcpStream, source: &Source, engine: Option<&Arc<NativeEngine>>) {
    if let Some(engine) = engine
        && NativeEngine::wants(&stream)
    {
        engine.handle(stream);
        return;
    }
    let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(10)));
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut line = String::new();
    if reader.by_ref().take(8192).read_line(&mut line).is_err() {
        return;
    }
    // Read (and ignore) the headers, bounded.
    let mut header = String::new();
    for _ in 0..100 {
        header.clear();
        match reader.by_ref().take(8192).read_line(&mut header) {
            Ok(0) | Err(_) => break,
            Ok(_) if header.trim().is_empty() => break,
            Ok(_) => {}
        }
    }
    let mut words = line.split_whitespace();
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    if method != "GET" && method != "HEAD" {
        respond(
            &mut stream,
            "405 Method Not Allowed",
            "text/plain",
            b"GET or HEAD only",
            false,
        );
        return;
    }
    let head_only = method == "HEAD";
    match clean_path(target).and_then(|p| source.get(&p).map(|b| (p, b))) {
        Some((path, body)) => {
            // The page carries the native engine's secret (every lesson's client reads it).
            let body = match engine {
                Some(e) if path == "index.html" => e.inject(&body),
                _ => body,
            };
            respond(&mut stream, "200 OK", content_type(&path), &body, head_only)
        }
        None => respond(
            &mut stream,
            "404 Not Found",
            "text/plain",
            b"not found",
            head_only,
        ),
    }
}

/// Runs the server until the process is stopped.
pub fn run(args: ServeArgs) -> Result<()> {
    let addr = address(&args)?;
    if args.native_engine && args.lan && !args.native_engine_lan {
        bail!(
            "--lan with --native-engine would let other machines run lessons in this process: add \
             --native-engine-lan to mean it"
        );
    }

    let source = match &args.dir {
        Some(dir) => {
            let root = dir
                .canonicalize()
                .with_context(|| format!("{}: no such folder", dir.display()))?;
            if !root.join("index.html").is_file() {
                bail!(
                    "{} has no index.html: build the app with `trunk build --release`",
                    root.display()
                );
            }
            Source::Dir(root)
        }
        None if FILES.is_empty() => bail!(
            "this binary was built without the web app: run `trunk build --release`, then \
             `cargo build --release -p backprop-lab --features embed-app` (or pass --dir dist)"
        ),
        None => Source::Embedded(FILES.iter().copied().collect()),
    };
    let source = Arc::new(source);
    let listener = TcpListener::bind(addr).with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr()?;
    let port = local.port();
    println!("Serving Backprop Lab on http://127.0.0.1:{port}/ (Ctrl-C stops)");
    let engine = args.native_engine.then(|| {
        let files = source.clone();
        backprop_lab_app::runtime::native::set_files(Box::new(move |path| files.get(path)));
        // Not println!: whoever started the server may have stopped reading after the first line.
        let _ = writeln!(
            std::io::stdout(),
            "The lessons compute in this process (the native engine): at most {} tabs at once",
            crate::native_engine::MAX_SESSIONS
        );
        NativeEngine::new(port, args.native_engine_lan)
    });
    if args.lan {
        let _ = writeln!(
            std::io::stdout(),
            "Other machines: http://<this machine's address>:{port}/ — over plain http their browsers \
             give no WebGPU (not a secure context), so lessons train on the CPU engine there."
        );
    }
    let _ = std::io::stdout().flush();
    for stream in listener.incoming().flatten() {
        let (source, engine) = (source.clone(), engine.clone());
        std::thread::spawn(move || handle(stream, &source, engine.as_ref()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_app() {
        assert_eq!(clean_path("/").as_deref(), Some("index.html"));
        assert_eq!(
            clean_path("/index.html?lesson=train&lr=0.1").as_deref(),
            Some("index.html")
        );
        assert_eq!(
            clean_path("/static/data/mnist/train-00.bpl.gz").as_deref(),
            Some("static/data/mnist/train-00.bpl.gz")
        );
        assert_eq!(clean_path("/a%20b.txt").as_deref(), Some("a b.txt"));
        assert_eq!(clean_path("/static/").as_deref(), Some("static/index.html"));
        assert_eq!(clean_path("/../Cargo.toml"), None);
        assert_eq!(clean_path("/static/%2e%2e/%2e%2e/etc/passwd"), None);
        assert_eq!(clean_path("/%zz"), None);
        assert_eq!(clean_path("/%e2"), None);
    }

    #[test]
    fn only_loopback_without_lan() {
        let args = |bind: Option<&str>, lan| ServeArgs {
            port: 0,
            lan,
            bind: bind.map(|b| b.parse().unwrap()),
            dir: None,
            native_engine: false,
            native_engine_lan: false,
        };
        assert!(address(&args(None, false)).unwrap().ip().is_loopback());
        assert!(
            address(&args(Some("::1"), false))
                .unwrap()
                .ip()
                .is_loopback()
        );
        assert!(address(&args(Some("0.0.0.0"), false)).is_err());
        assert!(address(&args(Some("192.168.1.5"), false)).is_err());
        assert!(address(&args(None, true)).unwrap().ip().is_unspecified());
        assert_eq!(
            address(&args(Some("192.168.1.5"), true))
                .unwrap()
                .ip()
                .to_string(),
            "192.168.1.5"
        );
    }
}
