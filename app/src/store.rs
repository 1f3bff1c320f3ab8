//! Checkpoints in this browser's IndexedDB (database `backprop-lab`, object store `checkpoints`, one
//! entry per lesson), written and read by the lessons' workers. Nothing leaves the browser. Values are
//! stored as structured clones of what serde-wasm-bindgen builds (bulk bytes as `Uint8Array`s).
#![cfg_attr(
    not(target_arch = "wasm32"),
    allow(
        dead_code,
        unreachable_code,
        unused_imports,
        reason = "natively the native engine's runtime answers"
    )
)]

use js_sys::Promise;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbRequest, IdbTransactionMode};

const DATABASE: &str = "backprop-lab";
const STORE: &str = "checkpoints";

/// Why stored state could not be read or written (private browsing, quota, a blocked database).
#[derive(Debug, thiserror::Error)]
#[error("browser storage (IndexedDB): {0}")]
pub struct StoreError(String);

/// f32 values as little-endian bytes: how tensors are kept (structured clones carry a `Uint8Array`).
pub fn f32_bytes(v: &[f32]) -> serde_bytes::ByteBuf {
    serde_bytes::ByteBuf::from(v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>())
}

/// [`f32_bytes`] read back.
pub fn bytes_f32(b: &[u8]) -> Vec<f32> {
    b.chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

fn js_error(e: JsValue) -> StoreError {
    StoreError(
        e.dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .or_else(|| e.as_string())
            .unwrap_or_else(|| format!("{e:?}")),
    )
}

/// Resolves with the request's result once it succeeds.
async fn settle(request: &IdbRequest) -> Result<JsValue, StoreError> {
    let promise = Promise::new(&mut |resolve, reject| {
        let ok = request.clone();
        let done = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call1(&JsValue::NULL, &ok.result().unwrap_or(JsValue::UNDEFINED));
        });
        request.set_onsuccess(Some(done.unchecked_ref()));
        let failed = request.clone();
        let fail = Closure::once_into_js(move |_: web_sys::Event| {
            let why = failed
                .error()
                .ok()
                .flatten()
                .map_or(JsValue::from_str("request failed"), |e| {
                    JsValue::from_str(&e.message())
                });
            let _ = reject.call1(&JsValue::NULL, &why);
        });
        request.set_onerror(Some(fail.unchecked_ref()));
    });
    JsFuture::from(promise).await.map_err(js_error)
}

async fn open() -> Result<IdbDatabase, StoreError> {
    let global: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    let factory = global
        .indexed_db()
        .map_err(js_error)?
        .ok_or_else(|| StoreError("not available in this browser".into()))?;
    let request = factory.open_with_u32(DATABASE, 1).map_err(js_error)?;
    let upgrade = request.clone();
    let create = Closure::once_into_js(move |_: web_sys::Event| {
        if let Ok(db) = upgrade.result().map(JsCast::unchecked_into::<IdbDatabase>)
            && !db.object_store_names().contains(STORE)
        {
            let _ = db.create_object_store(STORE);
        }
    });
    request.set_onupgradeneeded(Some(create.unchecked_ref()));
    Ok(settle(&request).await?.unchecked_into())
}

async fn run(
    mode: IdbTransactionMode,
    act: impl FnOnce(&web_sys::IdbObjectStore) -> Result<IdbRequest, JsValue>,
) -> Result<JsValue, StoreError> {
    let db = open().await?;
    let result = async {
        let tx = db
            .transaction_with_str_and_mode(STORE, mode)
            .map_err(js_error)?;
        let store = tx.object_store(STORE).map_err(js_error)?;
        settle(&act(&store).map_err(js_error)?).await
    }
    .await;
    db.close();
    result
}

/// Stores `value` under `key`, replacing what was there.
pub async fn put<T: Serialize>(key: &str, value: &T) -> Result<(), StoreError> {
    #[cfg(not(target_arch = "wasm32"))]
    return crate::runtime::native::store_put(key, value).map_err(StoreError);
    let value = serde_wasm_bindgen::to_value(value).map_err(|e| StoreError(e.to_string()))?;
    run(IdbTransactionMode::Readwrite, |s| {
        s.put_with_key(&value, &JsValue::from_str(key))
    })
    .await
    .map(drop)
}

/// What is stored under `key`: `Ok(None)` when nothing is, an error when it cannot be read or decoded
/// (a checkpoint of another version of the app).
pub async fn get<T: DeserializeOwned>(key: &str) -> Result<Option<T>, StoreError> {
    #[cfg(not(target_arch = "wasm32"))]
    return crate::runtime::native::store_get(key).map_err(StoreError);
    let value = run(IdbTransactionMode::Readonly, |s| {
        s.get(&JsValue::from_str(key))
    })
    .await?;
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    serde_wasm_bindgen::from_value(value)
        .map(Some)
        .map_err(|e| StoreError(e.to_string()))
}

/// Forgets what is stored under `key`.
pub async fn delete(key: &str) -> Result<(), StoreError> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        crate::runtime::native::store_delete(key);
        return Ok(());
    }
    run(IdbTransactionMode::Readwrite, |s| {
        s.delete(&JsValue::from_str(key))
    })
    .await
    .map(drop)
}
