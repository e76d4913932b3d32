//! The phone app's files as a phone fetches them: precompressed, cached for a year when their
//! name is their content, revalidated otherwise, deep links answered by the app, security
//! headers on every page, and a page that says what to do when the app is not built.

use crate::helpers::*;

/// A built app as the client's build leaves it: the page, a hashed bundle with its brotli
/// and gzip copies, and the service worker.
fn built_app() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    };
    write(
        "index.html",
        b"<!doctype html><title>app</title><div id=app></div>",
    );
    let script = "console.log('洞头慈善共富');".repeat(200);
    write("assets/index-4f2a9c.js", script.as_bytes());
    // The server sends a stored copy as it is, so its bytes only need to be told apart.
    write("assets/index-4f2a9c.js.gz", b"gzip bytes stand in here");
    write("assets/index-4f2a9c.js.br", b"brotli bytes stand in here");
    write("sw.js", b"self.addEventListener('fetch', () => {})");
    dir
}

async fn get(app: &TestApp, path: &str, accept_encoding: Option<&str>) -> reqwest::Response {
    // The test client decodes nothing: what arrives is what the server sent.
    let mut req = app.client.get(format!("{}{path}", app.address));
    if let Some(encoding) = accept_encoding {
        req = req.header("accept-encoding", encoding);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn hashed_assets_are_sent_precompressed_and_kept_for_a_year() {
    let dist = built_app();
    let app = spawn_app_with(AppOptions {
        empty: true,
        client_dir: Some(dist.path().to_path_buf()),
        ..Default::default()
    })
    .await;
    let br = get(&app, "/assets/index-4f2a9c.js", Some("gzip, br")).await;
    assert_eq!(br.status(), 200);
    assert_eq!(br.headers()["content-encoding"], "br");
    assert_eq!(
        br.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(
        br.headers()["vary"]
            .to_str()
            .unwrap()
            .contains("accept-encoding")
    );
    let gzip = get(&app, "/assets/index-4f2a9c.js", Some("gzip")).await;
    assert_eq!(gzip.headers()["content-encoding"], "gzip");
    let plain = get(&app, "/assets/index-4f2a9c.js", None).await;
    assert!(plain.headers().get("content-encoding").is_none());
    assert!(plain.text().await.unwrap().contains("洞头慈善共富"));
}

#[tokio::test]
async fn the_page_the_service_worker_and_deep_links_are_revalidated_and_hardened() {
    let dist = built_app();
    let app = spawn_app_with(AppOptions {
        empty: true,
        client_dir: Some(dist.path().to_path_buf()),
        ..Default::default()
    })
    .await;
    for path in ["/", "/board", "/home", "/sw.js"] {
        let response = get(&app, path, Some("gzip, br")).await;
        assert_eq!(response.status(), 200, "{path}");
        let headers = response.headers();
        assert_eq!(headers["cache-control"], "no-cache", "{path}");
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!csp.contains("'unsafe-eval'"), "{path}: {csp}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(
            headers["referrer-policy"], "strict-origin-when-cross-origin",
            "{path}"
        );
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert!(headers.contains_key("permissions-policy"), "{path}");
    }
    let deep = get(&app, "/board", None).await.text().await.unwrap();
    assert!(
        deep.contains("<div id=app>"),
        "a deep link loads the app: {deep}"
    );
}

#[tokio::test]
async fn without_a_built_app_the_root_says_how_to_build_it() {
    let app = spawn_app_with(AppOptions {
        empty: true,
        ..Default::default()
    })
    .await;
    for path in ["/", "/board"] {
        let response = get(&app, path, None).await;
        assert_eq!(response.status(), 200, "{path}");
        let page = response.text().await.unwrap();
        assert!(page.contains("npm ci &amp;&amp; npm run build"), "{page}");
    }
}

#[tokio::test]
async fn a_get_of_the_graphql_endpoint_says_which_method_is_allowed() {
    let app = spawn_app_with(AppOptions {
        empty: true,
        tweak: Some(|s| s.enable_playground = Some(false)),
        ..Default::default()
    })
    .await;
    let response = get(&app, "/graphql", None).await;
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "POST");
}

#[tokio::test]
async fn a_request_that_waits_too_long_is_answered_unavailable_at_the_timeout() {
    let app = spawn_app_with(AppOptions {
        tweak: Some(|s: &mut api::config::Settings| {
            s.db_max_connections = 1;
            s.db_acquire_timeout_ms = 30_000;
            s.request_timeout_secs = 1;
        }),
        ..Default::default()
    })
    .await;
    use sea_orm::TransactionTrait;
    // The one connection is held: the request would wait 30 s for it.
    let held = app.db().conn.begin().await.unwrap();
    let started = std::time::Instant::now();
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&serde_json::json!({ "query": "{ charityOrgs(first: 1) { edges { node { name } } } }" }))
        .send()
        .await
        .unwrap();
    let waited = started.elapsed();
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "UNAVAILABLE",
        "{body}"
    );
    assert!(waited < std::time::Duration::from_secs(5), "{waited:?}");
    drop(held);
}

/// An app built into a binary, as `build.rs` leaves one for the embed.
#[derive(rust_embed::RustEmbed)]
#[folder = "api/fixtures/app"]
struct FixtureApp;

#[tokio::test]
async fn the_app_in_the_binary_is_written_out_once_and_served_like_a_build() {
    let data = tempfile::tempdir().unwrap();
    let root = data.path().join("app");
    let dir = api::http::client::unpack::<FixtureApp>(&root)
        .unwrap()
        .expect("the fixture holds an app");
    assert!(dir.starts_with(&root));
    assert!(dir.join("assets/index-7e1d.js.br").is_file());
    // A second start finds the same content in place and leaves it as it is.
    std::fs::write(dir.join("kept.txt"), "not rewritten").unwrap();
    let again = api::http::client::unpack::<FixtureApp>(&root)
        .unwrap()
        .unwrap();
    assert_eq!(again, dir);
    assert!(dir.join("kept.txt").is_file());
    // Nothing half-written is left beside it.
    let entries: Vec<_> = std::fs::read_dir(&root).unwrap().collect();
    assert_eq!(entries.len(), 1, "{entries:?}");

    let app = spawn_app_with(AppOptions {
        empty: true,
        client_dir: Some(dir),
        ..Default::default()
    })
    .await;
    let page = get(&app, "/home", None).await;
    assert_eq!(page.headers()["cache-control"], "no-cache");
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("data-fixture=\"embedded\"")
    );
    let script = get(&app, "/assets/index-7e1d.js", Some("br, gzip")).await;
    assert_eq!(script.headers()["content-encoding"], "br");
    assert_eq!(
        script.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
}

#[tokio::test]
async fn public_pages_carry_their_own_title_and_description_for_link_previews() {
    use sea_orm::EntityTrait;
    let dist = built_app();
    let app = spawn_app_with(AppOptions {
        client_dir: Some(dist.path().to_path_buf()),
        ..Default::default()
    })
    .await;
    let page = |path: &'static str| {
        let app = &app;
        async move { get(app, path, None).await.text().await.unwrap() }
    };
    let board = page("/board").await;
    assert!(board.contains("<title>洞头慈善榜</title>"), "{board}");
    assert!(board.contains("<meta property=\"og:title\" content=\"洞头慈善榜\">"));
    assert!(board.contains("og:description"));
    assert!(board.contains("<div id=app>"), "still the app: {board}");
    assert!(page("/board/editions/3").await.contains("洞头慈善榜 第3期"));
    assert!(
        page("/verify/receipt/ABCD-1234")
            .await
            .contains("收据与证书查验")
    );

    let project = project_id(&app, FEDERATION_PROJECT).await;
    // A name is data: whatever it holds is text in the page, never markup.
    let id = uuid::Uuid::parse_str(&project).unwrap();
    let stored = api::entities::charity_project::Entity::find_by_id(id)
        .one(&app.db().conn)
        .await
        .unwrap()
        .unwrap();
    let mut renamed: api::entities::charity_project::ActiveModel = stored.into();
    renamed.name = sea_orm::ActiveValue::Set(format!("{FEDERATION_PROJECT} <b>&\""));
    sea_orm::ActiveModelTrait::update(renamed, &app.db().conn)
        .await
        .unwrap();
    let shared = get(&app, &format!("/projects/{project}"), None)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        shared.contains(&format!(
            "{FEDERATION_PROJECT} &lt;b&gt;&amp;&quot; · 阳光慈善"
        )),
        "{shared}"
    );
    assert!(!shared.contains("<b>"), "{shared}");

    let staff = app.login(STAFF_PHONE).await;
    let activity = crate::volunteering::published_activity(&app, &staff, 10, 120).await;
    let activity =
        api::entities::activity::Entity::find_by_id(uuid::Uuid::parse_str(&activity).unwrap())
            .one(&app.db().conn)
            .await
            .unwrap()
            .unwrap();
    let shared = get(&app, &format!("/activities/{}", activity.id), None)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        shared.contains(&format!("{} · 志愿服务活动", activity.title)),
        "{shared}"
    );
    assert!(shared.contains(&activity.place), "{shared}");

    // Nothing public there, or not a page to share: the app's own page as it is.
    let unknown = get(&app, &format!("/projects/{}", uuid::Uuid::now_v7()), None)
        .await
        .text()
        .await
        .unwrap();
    assert!(unknown.contains("<title>app</title>"), "{unknown}");
    assert!(!page("/home").await.contains("og:title"));
}
