//! The phone app's files, served at `/` with every path the app routes (`/board`, `/home`)
//! answered by its `index.html`.
//!
//! An optimised build carries the app (built by `build.rs`); it is written out once under the
//! data directory, named by its content, and served from there. `CLIENT_DIR` serves another
//! build from disk instead (the client's own `dist/` while developing it).
//!
//! Files are sent precompressed (`.br`, `.gz` written beside them by the client's build) to
//! a browser that accepts it. Vite names what it bundles by content (`/assets/*`), so those
//! may be kept for a year without asking again; everything else (the page, the service
//! worker, the manifest) is revalidated on every visit so a release reaches phones at once.
//! The app's pages carry a Content-Security-Policy and the usual hardening headers.

use std::io;
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

/// The app this binary was built with (empty in a debug build, or where Node.js was missing).
#[derive(rust_embed::RustEmbed)]
#[folder = "$OUT_DIR/client"]
struct BuiltApp;

/// The app's files as the settings choose: the directory given, else the app in this binary,
/// written out under `data_dir` (or, where that cannot be written, the system's temp dir).
pub fn service(client_dir: Option<&Path>, data_dir: &Path) -> Router {
    if let Some(dir) = client_dir {
        return serve_dir(dir);
    }
    match unpack::<BuiltApp>(&data_dir.join("app"))
        .or_else(|_| unpack::<BuiltApp>(&std::env::temp_dir().join("dongtou-charity-app")))
    {
        Ok(Some(dir)) => serve_dir(&dir),
        Ok(None) => missing_app_router(
            "this binary was built without it (a debug build, or Node.js was missing)".into(),
        ),
        Err(error) => {
            // The reason names paths on this host: the log gets it, the public page does not.
            tracing::error!(%error, dir = %data_dir.join("app").display(), "the phone app in this binary could not be written out");
            missing_app_router(
                "the app in this binary could not be written out (the server log says why)".into(),
            )
        }
    }
}

/// Writes the embedded app `E` into `root/<content hash>/` unless it is already there, and
/// returns that directory; `None` when `E` is empty. Written beside and renamed into place, so
/// replicas sharing a data directory never serve half a copy.
pub fn unpack<E: rust_embed::RustEmbed>(root: &Path) -> io::Result<Option<PathBuf>> {
    use sha2::{Digest, Sha256};
    let mut names: Vec<_> = E::iter().collect();
    names.sort();
    // Each file is fetched once: hashed here, written below from the same list.
    let files: Vec<_> = names
        .into_iter()
        .filter_map(|name| E::get(&name).map(|file| (name, file)))
        .collect();
    if files.is_empty() {
        return Ok(None);
    }
    let mut hash = Sha256::new();
    for (name, file) in &files {
        hash.update(name.as_bytes());
        hash.update(file.metadata.sha256_hash());
    }
    let dir = root.join(hex::encode(&hash.finalize()[..8]));
    if dir.join("index.html").is_file() {
        return Ok(Some(dir));
    }
    std::fs::create_dir_all(root)?;
    let staging = root.join(format!(".staging-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    for (name, file) in &files {
        let path = staging.join(name.as_ref());
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, &file.data)?;
    }
    match std::fs::rename(&staging, &dir) {
        Ok(()) => {}
        // Another replica put the same app there first.
        Err(_) if dir.join("index.html").is_file() => {
            let _ = std::fs::remove_dir_all(&staging);
        }
        Err(error) => return Err(error),
    }
    tracing::info!(dir = %dir.display(), files = files.len(), "the phone app in this binary is served from here");
    Ok(Some(dir))
}

fn serve_dir(dir: &Path) -> Router {
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
        return missing_app_router(format!(
            "CLIENT_DIR ({}) holds no index.html",
            dir.display()
        ));
    };
    files.layer(middleware::from_fn(headers))
}

/// `/` and every app path say how to get the app, never an empty 404; the log says it too.
fn missing_app_router(place: String) -> Router {
    tracing::warn!(
        "no phone app to serve: {place}; `/` says how to get it (cargo build --release with Node.js 20+)"
    );
    let page = Html(format!(
        "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>洞头慈善共富</title>\
         <h1>洞头慈善共富</h1><p>The API is running: GraphQL at <a href=\"/graphql\">/graphql</a>.</p>\
         <p>There is no phone app to serve here: {}.</p>\
         <p>With Node.js 20 or newer installed, <code>cargo run --release -p api</code> builds it into \
         the binary. Or build it yourself and point <code>CLIENT_DIR</code> at it:</p>\
         <pre>cd mobile-client &amp;&amp; npm ci &amp;&amp; npm run build\nCLIENT_DIR=mobile-client/dist cargo run -p api</pre>\
         </html>",
        html_escape::encode_text(&place)
    ));
    Router::new()
        .fallback(move || {
            let page = page.clone();
            async move { page.into_response() }
        })
        .layer(middleware::from_fn(headers))
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
