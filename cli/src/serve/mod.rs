//! `backprop-lab serve`: the web app and its data from this binary, for a classroom without internet.
//! Built with `--features embed-app` after `trunk build --release`, the binary carries `dist/` (app,
//! datasets, models); `--dir` serves a folder instead. Loopback only unless `--lan` says otherwise;
//! `--tls` serves HTTPS (a self-signed certificate kept in `--data`, or `--cert/--key`), so that pages
//! on other machines are a secure context (WebGPU, service worker, shared memory).
//!
//! axum on tokio (hyper): the files through tower-http's `ServeDir` ([`files`]), the security headers
//! on every answer ([`headers`]), the native engine's WebSocket ([`engine_ws`]). Another module adds
//! its own routes through [`run_with`], and learns the server's addresses from [`Site`]: `--class`
//! runs `run_with(args, crate::class::serve_routes)`, which opens `--data/class.sqlite3`, prints the
//! teacher's URL and gives class mode's `/class/...` routes. Handlers see the client's address
//! (`ConnectInfo<SocketAddr>`: class mode's join limit).

mod backend;
mod engine_ws;
mod files;
mod headers;
mod qr;
mod site;
mod tls;

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use axum::Router;
use clap::Args;
use tower_http::trace::TraceLayer;

pub(crate) use engine_ws::serve_engine_in_background;
pub(crate) use files::Source;
pub use site::Site;

use crate::native_engine::NativeEngine;

/// How long a request's headers may take once begun: a client trickling them byte by byte does not
/// hold a connection (the hand-written server had the same limit).
const HEADERS: Duration = Duration::from_secs(10);
/// How long Ctrl-C waits for answers under way before the server stops.
const GRACE: Duration = Duration::from_secs(5);

/// `serve`'s options.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Port (0: any free port).
    #[arg(long, default_value_t = 8080)]
    pub(crate) port: u16,
    /// Also answer other machines on the network (binds all interfaces unless --bind says otherwise).
    #[arg(long)]
    pub(crate) lan: bool,
    /// Address to bind; one that is not loopback needs --lan.
    #[arg(long)]
    pub(crate) bind: Option<IpAddr>,
    /// Serve this folder (a `trunk build` output) instead of the app built into the binary.
    #[arg(long)]
    pub(crate) dir: Option<PathBuf>,
    /// Run every lesson's engine in this process (native wgpu: Vulkan, Metal, DX12; the CPU engine
    /// without an adapter) instead of in the browser, over a WebSocket on this server's origin.
    #[arg(long)]
    pub(crate) native_engine: bool,
    /// With --lan, let other machines' pages use this machine's native engine too.
    #[arg(long)]
    pub(crate) native_engine_lan: bool,
    /// Serve HTTPS: a self-signed certificate for localhost and this machine's addresses, made once and
    /// kept in --data (the same fingerprint after a restart), unless --cert and --key give one.
    #[arg(long)]
    pub(crate) tls: bool,
    /// Your own certificate chain (PEM) for --tls.
    #[arg(long, requires = "key")]
    pub(crate) cert: Option<PathBuf>,
    /// The private key (PEM) of --cert.
    #[arg(long, requires = "cert")]
    pub(crate) key: Option<PathBuf>,
    /// Where serve keeps its state (the TLS certificate, the classes of --class). Default:
    /// $XDG_DATA_HOME/backprop-lab (~/.local/share/backprop-lab), created when first needed.
    #[arg(long)]
    pub(crate) data: Option<PathBuf>,
    /// Log every request on standard error (RUST_LOG, if set, says what to log instead).
    #[arg(long)]
    pub(crate) log: bool,
    /// Class mode: prints the teacher's URL (with a secret token, kept in --data); students join by
    /// code or QR and the teacher's page shows the class's runs live. Kept in --data/class.sqlite3.
    #[arg(long)]
    pub(crate) class: bool,
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

/// Request logging on standard error: quiet unless `--log` or `RUST_LOG` asks (standard output's
/// first line is the URL other programs read).
fn start_logging(log: bool) {
    use tracing_subscriber::EnvFilter;
    let filter = match std::env::var("RUST_LOG") {
        Ok(spec) if !spec.is_empty() => EnvFilter::new(spec),
        _ if log => EnvFilter::new("tower_http=debug,backprop_lab=info"),
        _ => EnvFilter::new("warn"),
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Runs the server until Ctrl-C or SIGTERM.
pub fn run(args: ServeArgs) -> Result<()> {
    if args.class {
        return run_with(args, crate::class::serve_routes);
    }
    run_with(args, |_| Ok(Router::new()))
}

/// Runs the server with `routes` merged in: `routes` gets the server's [`Site`] (its URLs and data
/// folder) once the port is known, and returns the routes it answers; the files answer everything
/// else. The security headers and request logging apply to its routes too.
pub fn run_with(args: ServeArgs, routes: impl FnOnce(&Site) -> Result<Router>) -> Result<()> {
    start_logging(args.log);
    let addr = address(&args)?;
    if args.native_engine && args.lan && !args.native_engine_lan {
        bail!(
            "--lan with --native-engine would let other machines run lessons in this process: add \
             --native-engine-lan to mean it"
        );
    }
    let source = Arc::new(Source::open(args.dir.as_deref())?);
    let listener =
        std::net::TcpListener::bind(addr).with_context(|| format!("cannot listen on {addr}"))?;
    listener.set_nonblocking(true)?;
    let tls = args.tls || args.cert.is_some();
    let site = Site::new(&args, listener.local_addr()?, tls);
    let identity = tls.then(|| tls::identity(&args, &site)).transpose()?;
    let port = site.port();
    // Scripts and the browser tests read the port from this line: keep its form.
    println!(
        "Serving Backprop Lab on {} (Ctrl-C stops)",
        site.local_url()
    );
    tracing::info!(urls = ?site.base_urls(), "listening");
    let engine = args.native_engine.then(|| {
        let files = source.clone();
        backprop_lab_app::runtime::native::set_files(Box::new(move |path| files.get(path)));
        NativeEngine::new(port, args.native_engine_lan, tls)
    });

    let mut app = Router::new();
    if let Some(engine) = &engine {
        app = app.merge(engine_ws::router(engine.clone()));
    }
    let app = app
        .merge(routes(&site)?)
        .fallback_service(files::service(&source, engine.as_deref()));
    let app = headers::apply(app, &source)?.layer(TraceLayer::new_for_http());

    // Not println!: whoever started the server may have stopped reading after the first line.
    let mut out = std::io::stdout();
    if engine.is_some() {
        let _ = writeln!(
            out,
            "The lessons compute in this process (the native engine): at most {} tabs at once",
            crate::native_engine::MAX_SESSIONS
        );
    }
    let _ = write!(out, "{}", site.banner(identity.as_ref()));
    let _ = out.flush();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let handle = axum_server::Handle::new();
        tokio::spawn(stop_on_signal(handle.clone()));
        // The client's address: class mode limits join attempts per address (kept in memory only).
        let service = app.into_make_service_with_connect_info::<SocketAddr>();
        match identity {
            Some(identity) => {
                let mut server = axum_server::from_tcp_rustls(listener, identity.rustls())?;
                server.http_builder().http1().header_read_timeout(HEADERS);
                server.handle(handle).serve(service).await
            }
            None => {
                let mut server = axum_server::from_tcp(listener)?;
                server.http_builder().http1().header_read_timeout(HEADERS);
                server.handle(handle).serve(service).await
            }
        }
    })?;
    Ok(())
}

/// Stops the server gracefully on Ctrl-C or SIGTERM: no new connections, [`GRACE`] for the rest.
async fn stop_on_signal(handle: axum_server::Handle<SocketAddr>) {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    eprintln!("backprop-lab: stopping (answers under way get {GRACE:?})");
    handle.graceful_shutdown(Some(GRACE));
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn args(bind: Option<&str>, lan: bool) -> ServeArgs {
        ServeArgs {
            port: 0,
            lan,
            bind: bind.map(|b| b.parse().unwrap()),
            dir: None,
            native_engine: false,
            native_engine_lan: false,
            tls: false,
            cert: None,
            key: None,
            data: None,
            log: false,
            class: false,
        }
    }

    #[test]
    fn only_loopback_without_lan() {
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
