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
//!
//! A link to a public page (the board, a project, an activity, verification) is answered with
//! the page's own title and description in the HTML, because chat apps build a link's preview
//! from the HTML alone and run no script.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::{
    Router,
    body::Body,
    http::{HeaderValue, Request, header},
    middleware::{self, Next},
    response::{Html, IntoResponse, Response},
};
use futures::future::BoxFuture;
use tower_http::services::ServeDir;

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

/// What a shared link to a page says before any script runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Preview {
    pub title: String,
    pub description: String,
}

/// The preview of a page whose title is data (a project's or an activity's name), or `None`
/// where the path names nothing public.
pub type Describe = Arc<dyn Fn(&str) -> BoxFuture<'static, Option<Preview>> + Send + Sync>;

/// Public pages whose preview is fixed text.
fn fixed_preview(path: &str) -> Option<Preview> {
    let (title, description) = match path.trim_end_matches('/') {
        "/board" => (
            "洞头慈善榜".to_owned(),
            "洞头区慈善捐赠排行榜：按月、季、年查看个人、企业与志愿服务时长榜，并可查看已发布的各期榜单。",
        ),
        "/board/editions" => (
            "洞头慈善榜 · 往期榜单".to_owned(),
            "已发布的洞头慈善榜各期：期数、发布日期与账本校验值，任何人可查验。",
        ),
        "/projects" => (
            "慈善项目 · 阳光慈善".to_owned(),
            "洞头区慈善项目的筹款、款物流向与监督答复，公开可查。",
        ),
        "/activities" => (
            "志愿服务活动".to_owned(),
            "洞头区志愿服务活动：时间、地点、名额，报名参加并认证服务时长。",
        ),
        p if p == "/verify" || p.starts_with("/verify/") => (
            "收据与证书查验".to_owned(),
            "凭验证码查验洞头慈善共富的捐赠收据、年度捐赠凭证与志愿服务时长证书真伪。",
        ),
        p => {
            let number: u32 = p.strip_prefix("/board/editions/")?.parse().ok()?;
            (
                format!("洞头慈善榜 第{number}期"),
                "已发布的一期洞头慈善榜：榜单、发布日期与账本校验值，任何人可查验。",
            )
        }
    };
    Some(Preview {
        title,
        description: description.to_owned(),
    })
}

/// `index` with `preview` as its title and description, for people and for link previews.
fn with_preview(index: &str, preview: &Preview) -> String {
    // Chat previews show two lines or so; a long description is cut.
    let description: String = preview.description.chars().take(120).collect();
    let title = html_escape::encode_double_quoted_attribute(&preview.title);
    let description = html_escape::encode_double_quoted_attribute(&description);
    let tags = format!(
        "<title>{title}</title><meta name=\"description\" content=\"{description}\">\
         <meta property=\"og:title\" content=\"{title}\">\
         <meta property=\"og:description\" content=\"{description}\">\
         <meta property=\"og:site_name\" content=\"洞头慈善共富\">"
    );
    let mut page = index.to_owned();
    // The page's own description goes; the preview's replaces it.
    if let Some(start) = page.find("<meta name=\"description\"")
        && let Some(len) = page[start..].find('>')
    {
        page.replace_range(start..=start + len, "");
    }
    match (page.find("<title>"), page.find("</title>")) {
        (Some(start), Some(end)) if start < end => {
            page.replace_range(start..end + "</title>".len(), &tags);
        }
        _ => match page.find("</head>") {
            Some(at) => page.insert_str(at, &tags),
            None => page.insert_str(0, &tags),
        },
    }
    page
}

/// The app's files as the settings choose: the directory given, else the app in this binary,
/// written out under `data_dir` (or, where that cannot be written, the system's temp dir).
/// `describe` names the public pages whose preview is data.
pub fn service(client_dir: Option<&Path>, data_dir: &Path, describe: Describe) -> Router {
    if let Some(dir) = client_dir {
        return serve_dir(dir, describe);
    }
    match unpack::<BuiltApp>(&data_dir.join("app"))
        .or_else(|_| unpack::<BuiltApp>(&std::env::temp_dir().join("dongtou-charity-app")))
    {
        Ok(Some(dir)) => serve_dir(&dir, describe),
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

fn serve_dir(dir: &Path, describe: Describe) -> Router {
    let index = dir.join("index.html");
    let Ok(page) = std::fs::read_to_string(&index) else {
        return missing_app_router(format!(
            "CLIENT_DIR ({}) holds no index.html",
            dir.display()
        ));
    };
    let page: Arc<str> = page.into();
    // Paths that are not files are the app's routes: its page, with the route's preview.
    let app_route = move |request: Request<Body>| {
        let (page, describe) = (page.clone(), describe.clone());
        async move {
            let path = request.uri().path();
            let preview = match fixed_preview(path) {
                Some(preview) => Some(preview),
                None => describe(path).await,
            };
            match preview {
                Some(preview) => Html(with_preview(&page, &preview)).into_response(),
                None => Html(page.to_string()).into_response(),
            }
        }
    };
    Router::new()
        .fallback_service(
            ServeDir::new(dir)
                .precompressed_br()
                .precompressed_gzip()
                .fallback(tower::service_fn(move |request| {
                    let answer = app_route.clone()(request);
                    async move { Ok::<_, std::convert::Infallible>(answer.await) }
                })),
        )
        .layer(middleware::from_fn(headers))
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
