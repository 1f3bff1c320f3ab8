//! The app's files: `ServeDir` over the built-in app or `--dir` (types, ranges, Last-Modified and
//! If-Modified-Since, precompressed `.br`/`.gz` siblings, GET and HEAD only), compressed on the fly
//! where it helps, and for the built-in app an ETag from each file's SHA-256 (computed once at start).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use anyhow::{Context, Result, bail};
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::services::ServeDir;

use super::backend::AppFiles;
use crate::native_engine::NativeEngine;

// `FILES`: (path inside dist/, bytes); empty unless built with `--features embed-app`.
include!(concat!(env!("OUT_DIR"), "/embedded_app.rs"));

/// Where the answers come from.
pub(crate) enum Source {
    /// The app built into the binary (`embed-app`).
    Embedded(HashMap<&'static str, &'static [u8]>),
    /// A folder (canonical path).
    Dir(PathBuf),
}

impl Source {
    /// `--dir`'s folder, which must hold a built app, or the app built into the binary.
    pub(crate) fn open(dir: Option<&Path>) -> Result<Self> {
        match dir {
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
                Ok(Source::Dir(root))
            }
            None if FILES.is_empty() => bail!(
                "this binary was built without the web app: run `trunk build --release`, then \
                 `cargo build --release -p backprop-lab --features embed-app` (or pass --dir dist)"
            ),
            None => Ok(Source::Embedded(FILES.iter().copied().collect())),
        }
    }

    /// A file by its path inside the app (`static/data/mnist/manifest.json`), read whole: what the
    /// native engine's lessons load.
    pub(crate) fn get(&self, path: &str) -> Option<Vec<u8>> {
        match self {
            Source::Embedded(files) => files.get(path).map(|b| b.to_vec()),
            Source::Dir(root) => {
                let relative = super::backend::relative(Path::new(path))?;
                let real = root.join(relative).canonicalize().ok()?;
                // A link out of the folder is refused.
                real.starts_with(root)
                    .then(|| std::fs::read(&real).ok())
                    .flatten()
            }
        }
    }
}

/// Compressed on the fly: text and wasm, not what is compressed already (the `.gz` datasets, images)
/// nor raw model weights (floats barely shrink).
fn compressible() -> impl Predicate {
    DefaultPredicate::new()
        .and(NotForContentType::const_new("application/gzip"))
        .and(NotForContentType::const_new("application/x-gzip"))
        .and(NotForContentType::const_new("application/octet-stream"))
        .and(NotForContentType::const_new("font/woff"))
}

/// The files as a router of their own (every path), the page served with the native engine's
/// secret when `engine` is on.
pub(super) fn service(source: &Arc<Source>, engine: Option<&NativeEngine>) -> Router {
    let page = engine.map(|e| {
        let page = source.get("index.html").unwrap_or_default();
        Arc::<[u8]>::from(e.inject(&page))
    });
    let built = std::env::current_exe()
        .and_then(std::fs::metadata)
        .and_then(|m| m.modified())
        .unwrap_or_else(|_| SystemTime::now());
    let tags = Arc::new(content_tags(source, page.as_deref()));
    let files = AppFiles {
        source: source.clone(),
        page,
        built,
    };
    let serve = ServeDir::with_backend("", files)
        .precompressed_br()
        .precompressed_gzip();
    Router::new()
        .fallback_service(serve)
        .layer(from_fn_with_state(tags, etag))
        .layer(CompressionLayer::new().compress_when(compressible()))
}

/// Each built-in file's ETag, by its path in the app: weak (the same bytes may go out compressed).
fn content_tags(source: &Source, page: Option<&[u8]>) -> HashMap<String, HeaderValue> {
    let Source::Embedded(files) = source else {
        return HashMap::new();
    };
    let tag = |bytes: &[u8]| {
        let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
        let hex: String = digest.as_ref()[..12]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        HeaderValue::from_str(&format!("W/\"{hex}\"")).expect("hex is a header value")
    };
    let mut tags: HashMap<String, HeaderValue> = files
        .iter()
        .map(|(path, bytes)| (path.to_string(), tag(bytes)))
        .collect();
    if let Some(page) = page {
        tags.insert("index.html".into(), tag(page));
    }
    tags
}

/// The path a request names in the app (`index.html` for a folder), undecoded.
fn app_path(uri_path: &str) -> String {
    let path = uri_path.trim_start_matches('/');
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    }
}

/// If-None-Match against the content's tag: 304 when the browser has these bytes; otherwise the
/// answer carries the tag (in place of `ServeDir`'s size-and-time one).
async fn etag(
    State(tags): State<Arc<HashMap<String, HeaderValue>>>,
    mut request: Request,
    next: Next,
) -> Response {
    let reads = matches!(*request.method(), Method::GET | Method::HEAD);
    let tag = tags.get(&app_path(request.uri().path())).cloned();
    let Some(tag) = tag.filter(|_| reads) else {
        return next.run(request).await;
    };
    let fresh = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|have| {
            have.split(',')
                .map(|t| t.trim().trim_start_matches("W/"))
                .any(|t| t == "*" || t == tag.to_str().unwrap_or("").trim_start_matches("W/"))
        });
    if fresh {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, tag)]).into_response();
    }
    request.headers_mut().remove(header::IF_NONE_MATCH);
    let mut response = next.run(request).await;
    if response.status().is_success() {
        response.headers_mut().insert(header::ETAG, tag);
    }
    response
}

#[cfg(test)]
mod tests;
