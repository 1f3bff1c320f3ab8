//! The headers on every answer: the content security policy the app's page carries (so that workers,
//! which the page's `<meta>` does not cover, get it too), cross-origin isolation (COOP, COEP, CORP:
//! shared memory for the engine), no MIME sniffing, and revalidation unless an answer says otherwise.

use std::sync::Arc;

use anyhow::Result;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::Response;
use base64::Engine as _;

use super::Source;

/// The policy `scripts/build/csp.mjs` writes into the built page: the page's own if it has one, else the
/// same policy made here (its inline scripts allowed by their SHA-256).
pub(crate) fn content_security_policy(index_html: &str) -> String {
    const META: &str = "<meta http-equiv=\"Content-Security-Policy\" content=\"";
    if let Some(rest) = index_html.split_once(META).map(|(_, r)| r)
        && let Some((policy, _)) = rest.split_once('"')
    {
        return policy.to_string();
    }
    let hashes: Vec<String> = inline_scripts(index_html)
        .map(|script| {
            let digest = ring::digest::digest(&ring::digest::SHA256, script.as_bytes());
            format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            )
        })
        .collect();
    [
        "default-src 'self'".to_string(),
        format!("script-src 'self' 'wasm-unsafe-eval' {}", hashes.join(" "))
            .trim()
            .to_string(),
        "style-src 'self'".into(),
        "img-src 'self' data: blob:".into(),
        "connect-src 'self'".into(),
        "worker-src 'self'".into(),
        "object-src 'none'".into(),
        "base-uri 'self'".into(),
        "form-action 'none'".into(),
    ]
    .join("; ")
}

/// The bodies of the page's `<script>` elements without `src`.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (tag, after) = rest.split_once('>')?;
        let (body, _) = after.split_once("</script>")?;
        (!tag.contains("src=")).then_some(body)
    })
}

/// The headers every answer gets.
fn security_headers(policy: &str) -> Result<HeaderMap> {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_str(policy)?,
    );
    let fixed = [
        ("cross-origin-opener-policy", "same-origin"),
        ("cross-origin-embedder-policy", "require-corp"),
        ("cross-origin-resource-policy", "same-origin"),
        ("x-content-type-options", "nosniff"),
    ];
    for (name, value) in fixed {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    Ok(headers)
}

type Headers = Arc<HeaderMap>;

/// `app` with the headers on every answer, the policy being that of the page `source` serves.
pub(crate) fn apply(app: Router, source: &Source) -> Result<Router> {
    let page = source.get("index.html").unwrap_or_default();
    let policy = content_security_policy(&String::from_utf8_lossy(&page));
    let headers: Headers = Arc::new(security_headers(&policy)?);
    Ok(app.layer(from_fn_with_state(headers, add)))
}

async fn add(State(headers): State<Headers>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let out = response.headers_mut();
    for (name, value) in headers.iter() {
        out.insert(name, value.clone());
    }
    // The app's file names carry no content hash: a browser asks again each time (a 304 when
    // nothing changed).
    out.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-cache"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_policy_is_kept_or_made_the_same_way() {
        let built = "<meta charset=\"utf-8\">\n  <meta http-equiv=\"Content-Security-Policy\" \
                     content=\"default-src 'self'; script-src 'self' 'sha256-abc='\">";
        assert_eq!(
            content_security_policy(built),
            "default-src 'self'; script-src 'self' 'sha256-abc='"
        );
        let page = "<script type=\"module\">import init from '/a.js';</script>\
                    <script src=\"/b.js\"></script>";
        let policy = content_security_policy(page);
        // SHA-256 of the inline loader, base64, as scripts/build/csp.mjs computes it.
        let digest = ring::digest::digest(&ring::digest::SHA256, b"import init from '/a.js';");
        let hash = base64::engine::general_purpose::STANDARD.encode(digest);
        assert!(
            policy.contains(&format!(
                "script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}';"
            )),
            "{policy}"
        );
        assert_eq!(policy.matches("sha256-").count(), 1, "{policy}");
        assert!(content_security_policy("").contains("script-src 'self' 'wasm-unsafe-eval';"));
    }
}
