//! The phone app's files, served at `/` with every path the app routes (`/board`, `/home`)
//! answered by its `index.html`.
//!
//! Files are sent precompressed (`.br`, `.gz` written beside them by the client's build) to
//! a browser that accepts it. Vite names what it bundles by content (`/assets/*`), so those
//! may be kept for a year without asking again; everything else (the page, the service
//! worker, the manifest) is revalidated on every visit so a release reaches phones at once.
//! The app's pages carry a Content-Security-Policy and the usual hardening headers.

use std::path::{Path, PathBuf};

use axum::{
    Router,
    body::Body,
    http::{HeaderValue, Request, header},
    middleware::{self, Next},
    response::{Html, IntoResponse, Response},
};
use tower_http::services::{ServeDir, ServeFile};

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// Scripts and styles from the app's own origin only (Vant sets inline style attributes; the
/// QR decoder compiles WebAssembly, which needs `wasm-unsafe-eval` but allows no `eval`),
/// connections to the API and its WebSocket, images from the app and generated QR codes,
/// the camera for scanning left to the page that asks for it.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; \
    connect-src 'self' ws: wss:; worker-src 'self' blob:; manifest-src 'self'; \
    object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// The app, or a page saying how to build it when `dir` holds none.
pub fn service(dir: &Path) -> Router {
    let index = dir.join("index.html");
    let files = if index.is_file() {
        Router::new().fallback_service(
            ServeDir::new(dir)
                .precompressed_br()
                .precompressed_gzip()
                .fallback(
                    ServeFile::new(&index)
                        .precompressed_br()
                        .precompressed_gzip(),
                ),
        )
    } else {
        tracing::warn!(
            dir = %dir.display(),
            "no built phone app here; `/` explains how to build it (cd mobile-client && npm ci && npm run build)"
        );
        let dir = dir.to_path_buf();
        Router::new().fallback(move || missing_app(dir.clone()))
    };
    files.layer(middleware::from_fn(headers))
}

async fn missing_app(dir: PathBuf) -> Response {
    Html(format!(
        "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>洞头慈善共富</title>\
         <h1>洞头慈善共富</h1><p>The API is running: GraphQL at <a href=\"/graphql\">/graphql</a>.</p>\
         <p>The phone app has not been built into <code>{}</code>. Build it with Node.js 20 or newer:</p>\
         <pre>cd mobile-client &amp;&amp; npm ci &amp;&amp; npm run build</pre>\
         <p>then reload this page.</p></html>",
        html_escape::encode_text(&dir.display().to_string())
    ))
    .into_response()
}

async fn headers(request: Request<Body>, next: Next) -> Response {
    let hashed = request.uri().path().starts_with("/assets/");
    let mut response = next.run(request).await;
    let cache = if hashed && response.status().is_success() {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    // The same path is sent brotli, gzip or plain by what the browser accepts.
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    headers.insert(
        header::HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(self), geolocation=(), microphone=(), payment=()"),
    );
    headers.insert(
        header::HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    response
}
