//! Files to and from the student's disk: a download made from bytes, and a picked or dropped file read.

use wasm_bindgen::JsCast;

use super::i18n::{Text, tx};

/// The face of a model-file input (the native input is hidden under it, so its "Choose File" is not in
/// the browser's language but the page's).
pub const CHOOSE_FILE: Text = tx("Choose a file…", "选择文件…");

/// Offers `bytes` as a download named `name`.
pub fn download(bytes: &[u8], name: &str) -> Result<(), String> {
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let blob = web_sys::Blob::new_with_u8_array_sequence(&parts).map_err(|e| format!("{e:?}"))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| format!("{e:?}"))?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|e| format!("{e:?}"))?
        .unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// Offers a model file as a download named after its widths: `mlp-784-512-10.safetensors`.
pub fn download_model(bytes: &[u8], widths: &[usize]) -> Result<(), String> {
    let widths: Vec<String> = widths.iter().map(usize::to_string).collect();
    download(bytes, &format!("mlp-{}.safetensors", widths.join("-")))
}

/// Reads a picked or dropped file's bytes.
pub async fn file_bytes(file: web_sys::File) -> Result<Vec<u8>, String> {
    let buf = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| format!("{e:?}"))?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}
