//! gzip in the browser: the shipped dataset chunks are decompressed by the browser's own
//! `DecompressionStream` (every browser with WebGPU has it, and Firefox and Safari since 2023), so the
//! wasm download carries no inflater of its own. The native engine reads them with `flate2` in
//! `kernels::dataset`.

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    /// The browser's `DecompressionStream` (web-sys has it only behind its unstable APIs).
    #[wasm_bindgen(js_name = DecompressionStream)]
    type Decompression;
    /// Throws where the browser has none.
    #[wasm_bindgen(constructor, js_class = "DecompressionStream", catch)]
    fn new(format: &str) -> Result<Decompression, JsValue>;
    #[wasm_bindgen(method, getter, js_class = "DecompressionStream")]
    fn readable(this: &Decompression) -> web_sys::ReadableStream;
    #[wasm_bindgen(method, getter, js_class = "DecompressionStream")]
    fn writable(this: &Decompression) -> web_sys::WritableStream;
}

/// The contents of the gzip data `gz`, read until they pass `limit` bytes (then an error: a corrupt
/// or hostile file never takes the page's memory). The error says what failed.
pub async fn gunzip(what: &str, gz: &[u8], limit: usize) -> Result<Vec<u8>, String> {
    let failed = |why: String| format!("{what}: gzip: {why}");
    let stream = Decompression::new("gzip").map_err(|_| {
        failed("this browser cannot decompress (no DecompressionStream); update it".into())
    })?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(gz));
    let blob = web_sys::Blob::new_with_u8_array_sequence(&parts).map_err(|e| failed(js(&e)))?;
    let pair = web_sys::ReadableWritablePair::new(&stream.readable(), &stream.writable());
    let reader: web_sys::ReadableStreamDefaultReader = blob
        .stream()
        .pipe_through(&pair)
        .get_reader()
        .unchecked_into();
    let mut out = Vec::new();
    loop {
        let read: web_sys::ReadableStreamReadResult = JsFuture::from(reader.read())
            .await
            .map_err(|e| failed(js(&e)))?
            .unchecked_into();
        if read.get_done().unwrap_or(true) {
            return Ok(out);
        }
        let piece: js_sys::Uint8Array = read.get_value().unchecked_into();
        if out.len() + piece.length() as usize > limit {
            let _ = reader.cancel();
            return Err(failed(format!("more than {limit} bytes decompressed")));
        }
        let start = out.len();
        out.resize(start + piece.length() as usize, 0);
        piece.copy_to(&mut out[start..]);
    }
}

/// A JavaScript error's message (a corrupt stream rejects with a `TypeError`).
fn js(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_else(|| format!("{e:?}"))
}
