//! Files of the app's own origin (datasets, models): GETs with a time-out and retries, and a copy kept in
//! Cache Storage that answers when the network cannot (offline classrooms).
#![cfg_attr(
    not(target_arch = "wasm32"),
    allow(
        dead_code,
        unreachable_code,
        unused_imports,
        reason = "natively the native engine's runtime answers"
    )
)]

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::host::{scope, sleep};

/// Waits before each retry of a failed request (so four attempts in all).
const RETRY_WAITS: [f64; 3] = [0.5, 1.5, 4.0];
/// A request still unanswered after this long is abandoned and retried.
const FETCH_TIMEOUT_SECONDS: f64 = 30.0;

/// Cache Storage of the datasets and models a worker has downloaded: the network's copy whenever it can
/// be had (so it is never stale), this one when it cannot (offline classrooms). The service worker caches
/// the app itself; the data are cached here, by the worker that fetches them, so the first visit's
/// downloads are kept even if the service worker took control only after they began.
const FILE_CACHE: &str = "backprop-lab-files";

fn cacheable(url: &str) -> bool {
    url.contains("static/data/") || url.contains("static/models/")
}

async fn file_cache() -> Option<web_sys::Cache> {
    let caches = scope().caches().ok()?;
    JsFuture::from(caches.open(FILE_CACHE))
        .await
        .ok()?
        .dyn_into()
        .ok()
}

/// The cached copy of `url`, if any.
async fn cached(url: &str) -> Option<Vec<u8>> {
    let hit = JsFuture::from(file_cache().await?.match_with_str(url))
        .await
        .ok()?;
    let resp: web_sys::Response = hit.dyn_into().ok()?;
    let buf = JsFuture::from(resp.array_buffer().ok()?).await.ok()?;
    Some(js_sys::Uint8Array::new(&buf).to_vec())
}

/// Keeps a downloaded copy of `url` in the background, so loading never waits for the cache (failures
/// only cost offline use).
fn keep(url: &str, bytes: &[u8]) {
    let body = js_sys::Uint8Array::from(bytes);
    let url = url.to_string();
    wasm_bindgen_futures::spawn_local(async move {
        let Some(cache) = file_cache().await else {
            return;
        };
        if let Ok(resp) = web_sys::Response::new_with_opt_buffer_source(Some(&body)) {
            let _ = JsFuture::from(cache.put_with_str(&url, &resp)).await;
        }
    });
}

/// GETs a file of the app's own origin, retrying network failures, time-outs and server errors with
/// growing waits; a missing file (4xx) fails at once. The error says what failed and how often. A
/// dataset or model file is kept in Cache Storage, and its kept copy answers when the network fails.
pub async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    #[cfg(not(target_arch = "wasm32"))]
    return super::native::read_file(url);
    #[cfg(target_arch = "wasm32")]
    fetch_with_retries(url).await
}

#[cfg(target_arch = "wasm32")]
async fn fetch_with_retries(url: &str) -> Result<Vec<u8>, String> {
    let mut last = String::new();
    let mut attempts = 0;
    for wait in std::iter::once(0.0).chain(RETRY_WAITS) {
        if wait > 0.0 {
            sleep(wait).await;
        }
        attempts += 1;
        match fetch_once(url).await {
            Ok(bytes) => {
                if cacheable(url) {
                    keep(url, &bytes);
                }
                return Ok(bytes);
            }
            Err((e, retry)) => {
                last = e;
                if retry
                    && cacheable(url)
                    && let Some(bytes) = cached(url).await
                {
                    return Ok(bytes);
                }
                if !retry {
                    break;
                }
            }
        }
    }
    Err(if attempts > 1 {
        format!("{last} ({attempts} attempts)")
    } else {
        last
    })
}

/// One GET with a time-out; the flag says whether trying again could help.
async fn fetch_once(url: &str) -> Result<Vec<u8>, (String, bool)> {
    let controller = web_sys::AbortController::new().map_err(|e| (format!("{e:?}"), false))?;
    let init = web_sys::RequestInit::new();
    init.set_signal(Some(&controller.signal()));
    let abort = Closure::once(move || controller.abort());
    let timer = scope()
        .set_timeout_with_callback_and_timeout_and_arguments_0(
            abort.as_ref().unchecked_ref(),
            (FETCH_TIMEOUT_SECONDS * 1000.0) as i32,
        )
        .ok();
    let result = async {
        let resp = JsFuture::from(scope().fetch_with_str_and_init(url, &init))
            .await
            .map_err(|_| (format!("fetching {url}: network error or time-out"), true))?;
        let resp: web_sys::Response = resp
            .dyn_into()
            .map_err(|_| (format!("fetching {url}: not a response"), false))?;
        if !resp.ok() {
            let status = resp.status();
            return Err((format!("fetching {url}: HTTP {status}"), status >= 500));
        }
        let body = resp
            .array_buffer()
            .map_err(|e| (format!("{url}: {e:?}"), true))?;
        let buf = JsFuture::from(body)
            .await
            .map_err(|_| (format!("{url}: the download broke off"), true))?;
        Ok(js_sys::Uint8Array::new(&buf).to_vec())
    }
    .await;
    if let Some(t) = timer {
        scope().clear_timeout_with_handle(t);
    }
    drop(abort);
    result
}
