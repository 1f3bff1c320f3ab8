//! Joining: `POST /class/join` with the code, and the server's answer read into a [`Joined`] or a
//! reason in the page's language.

use backprop_classroom::{JoinRequest, Joined};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::class::socket::{from_json, to_json};
use crate::class::text;
use crate::ui::i18n::Lang;

/// Asks the server to join the class `code`; a refusal is a sentence for the page.
pub async fn join(code: &str, lang: Lang) -> Result<Joined, String> {
    // The browser's own error is English: it follows in English only.
    let unreachable = |e: String| match lang {
        Lang::En => format!("{}{e}", text::UNREACHABLE.get(lang)),
        Lang::Zh => text::UNREACHABLE.get(lang).to_string(),
    };
    let body = to_json(&JoinRequest {
        code: code.to_string(),
    })
    .map_err(unreachable)?;
    let window = web_sys::window().ok_or_else(|| unreachable("no window".into()))?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&body.into());
    let headers = web_sys::Headers::new().map_err(|e| unreachable(format!("{e:?}")))?;
    let _ = headers.set("content-type", "application/json");
    init.set_headers(&headers);
    let response: web_sys::Response =
        JsFuture::from(window.fetch_with_str_and_init("/class/join", &init))
            .await
            .map_err(|e| unreachable(js_message(&e)))?
            .unchecked_into();
    let text = match response.text() {
        Ok(p) => JsFuture::from(p)
            .await
            .ok()
            .and_then(|t| t.as_string())
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    if !response.ok() {
        let retry = response
            .headers()
            .get("retry-after")
            .ok()
            .flatten()
            .and_then(|s| s.trim().parse().ok());
        return Err(text::join_refusal(
            response.status(),
            &text,
            retry,
            code,
            lang,
        ));
    }
    from_json::<Joined>(&text).map_err(unreachable)
}

fn js_message(e: &wasm_bindgen::JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}
