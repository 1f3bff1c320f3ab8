//! The files and headers answered in-process (the router, no socket): types, security headers,
//! 404/405, traversal, ranges, conditional requests, HEAD, precompressed and on-the-fly compression,
//! the built-in app's ETag and the page with the native engine's secret.

use super::*;
use axum::body::Body;
use axum::http::Request as HttpRequest;
use tower::ServiceExt;

/// A built app in miniature, in a fresh folder.
fn app_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bpl-files-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("app/static/data")).unwrap();
    let app = dir.join("app");
    std::fs::write(
        app.join("index.html"),
        "<!DOCTYPE html><head><meta charset=\"utf-8\"><script type=\"module\">boot()</script>\
         <title>Backprop Lab</title></head>",
    )
    .unwrap();
    std::fs::write(app.join("app.js"), "export const x = 1;\n".repeat(50)).unwrap();
    std::fs::write(app.join("app.css"), "body{}").unwrap();
    std::fs::write(app.join("m.json"), "{}").unwrap();
    std::fs::write(app.join("k.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(app.join("static/data/train-00.bpl.gz"), vec![0x1f; 4000]).unwrap();
    std::fs::write(app.join("big.txt"), "text ".repeat(400)).unwrap();
    std::fs::write(app.join("big.txt.br"), b"pretend brotli").unwrap();
    std::fs::write(dir.join("secret.txt"), "outside").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.join("secret.txt"), app.join("link.txt")).unwrap();
    dir
}

fn router(source: Source, engine: Option<&NativeEngine>) -> Router {
    let source = Arc::new(source);
    super::super::headers::apply(service(&source, engine), &source).unwrap()
}

async fn ask(app: &Router, method: &str, path: &str, headers: &[(&str, &str)]) -> Response {
    let mut request = HttpRequest::builder().method(method).uri(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    app.clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap()
}

async fn body(response: Response) -> Vec<u8> {
    axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec()
}

fn header_of<'a>(response: &'a Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .map_or("", |v| v.to_str().unwrap())
}

#[tokio::test]
async fn a_folder_is_served_with_types_headers_ranges_and_revalidation() {
    let dir = app_dir("dir");
    let app = router(Source::open(Some(&dir.join("app"))).unwrap(), None);

    let page = ask(&app, "GET", "/", &[]).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(header_of(&page, "content-type").starts_with("text/html"));
    for (name, value) in [
        ("cross-origin-opener-policy", "same-origin"),
        ("cross-origin-embedder-policy", "require-corp"),
        ("cross-origin-resource-policy", "same-origin"),
        ("x-content-type-options", "nosniff"),
        ("cache-control", "no-cache"),
    ] {
        assert_eq!(header_of(&page, name), value, "{name}");
    }
    let csp = header_of(&page, "content-security-policy").to_string();
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"),
        "{csp}"
    );
    let last_modified = header_of(&page, "last-modified").to_string();
    assert!(
        String::from_utf8(body(page).await)
            .unwrap()
            .contains("Backprop Lab")
    );
    let same = ask(&app, "GET", "/index.html?lesson=train&lr=0.1", &[]).await;
    assert_eq!(same.status(), StatusCode::OK);

    for (path, kind) in [
        ("/app.js", "text/javascript"),
        ("/app.css", "text/css"),
        ("/m.json", "application/json"),
        ("/k.wasm", "application/wasm"),
        ("/static/data/train-00.bpl.gz", "application/gzip"),
    ] {
        let r = ask(&app, "GET", path, &[]).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert!(header_of(&r, "content-type").starts_with(kind), "{path}");
        assert!(
            !header_of(&r, "content-security-policy").is_empty(),
            "{path}"
        );
    }

    // Missing, climbing out (plain, encoded, through a link), and methods other than GET/HEAD.
    for path in [
        "/missing.js",
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/static/%2e%2e/%2e%2e/secret.txt",
        "/link.txt",
    ] {
        let r = ask(&app, "GET", path, &[]).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(header_of(&r, "x-content-type-options"), "nosniff");
    }
    let post = ask(&app, "POST", "/index.html", &[]).await;
    assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(header_of(&post, "allow"), "GET,HEAD");

    // HEAD: the length, no body.
    let head = ask(&app, "HEAD", "/static/data/train-00.bpl.gz", &[]).await;
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(header_of(&head, "content-length"), "4000");
    assert!(body(head).await.is_empty());

    // A range of a dataset chunk.
    let part = ask(
        &app,
        "GET",
        "/static/data/train-00.bpl.gz",
        &[("range", "bytes=10-19")],
    )
    .await;
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(header_of(&part, "content-range"), "bytes 10-19/4000");
    assert_eq!(body(part).await, vec![0x1f; 10]);

    // Unchanged since the browser's copy: 304 with no body.
    let again = ask(&app, "GET", "/", &[("if-modified-since", &last_modified)]).await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert!(body(again).await.is_empty());

    // A precompressed sibling is sent as is; text is compressed on the fly; a .gz dataset is not.
    let br = ask(&app, "GET", "/big.txt", &[("accept-encoding", "br")]).await;
    assert_eq!(header_of(&br, "content-encoding"), "br");
    assert_eq!(body(br).await, b"pretend brotli");
    let js = ask(&app, "GET", "/app.js", &[("accept-encoding", "gzip")]).await;
    assert_eq!(header_of(&js, "content-encoding"), "gzip");
    let data = ask(
        &app,
        "GET",
        "/static/data/train-00.bpl.gz",
        &[("accept-encoding", "gzip, br")],
    )
    .await;
    assert_eq!(header_of(&data, "content-encoding"), "");
    assert_eq!(body(data).await.len(), 4000);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_built_in_app_has_content_etags_and_the_page_carries_the_engine_secret() {
    let page: &'static [u8] =
        b"<!DOCTYPE html><head><meta charset=\"utf-8\"><title>Backprop Lab</title>";
    let script: &'static [u8] = b"export const x = 1;";
    let files = HashMap::from([("index.html", page), ("static/app.js", script)]);
    let engine = NativeEngine::new(8080, false, false);
    let app = router(Source::Embedded(files), Some(&engine));

    let first = ask(&app, "GET", "/static/app.js", &[]).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert!(header_of(&first, "content-type").starts_with("text/javascript"));
    let tag = header_of(&first, "etag").to_string();
    assert!(tag.starts_with("W/\"") && tag.len() == 24 + 4, "{tag}");
    assert_eq!(body(first).await, script);
    let again = ask(&app, "GET", "/static/app.js", &[("if-none-match", &tag)]).await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header_of(&again, "etag"), tag);
    let other = ask(
        &app,
        "GET",
        "/static/app.js",
        &[("if-none-match", "W/\"00\"")],
    )
    .await;
    assert_eq!(other.status(), StatusCode::OK);
    let part = ask(&app, "GET", "/static/app.js", &[("range", "bytes=0-5")]).await;
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(body(part).await, b"export");
    // A folder of the app is a folder, not a missing file.
    assert_eq!(
        ask(&app, "GET", "/static/none.js", &[]).await.status(),
        StatusCode::NOT_FOUND
    );

    let served = ask(&app, "GET", "/", &[]).await;
    let page_tag = header_of(&served, "etag").to_string();
    let text = String::from_utf8(body(served).await).unwrap();
    assert!(
        text.contains(&format!("content=\"{}\"", engine.token())),
        "{text}"
    );
    let gz = ask(&app, "GET", "/index.html", &[("accept-encoding", "gzip")]).await;
    assert_eq!(header_of(&gz, "content-encoding"), "gzip");
    assert_eq!(header_of(&gz, "etag"), page_tag);
}
