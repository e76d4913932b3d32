//! The media feed: API keys, JSON and Atom, ETags and the per-key rate limit.

use serde_json::{Value, json};

use crate::{helpers::*, rankings::desk};

const ISSUE: &str = "mutation($name: String!) { issueMediaApiKey(name: $name) { secret key { id name keyPrefix revokedAt } } }";

async fn issue_key(app: &TestApp, admin: &str) -> (String, String) {
    let data = app
        .gql_as(Some(admin), ISSUE, json!({ "name": "温州日报" }))
        .await
        .ok();
    let issued = &data["issueMediaApiKey"];
    let secret = issued["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with(issued["key"]["keyPrefix"].as_str().unwrap()));
    (secret, issued["key"]["id"].as_str().unwrap().to_owned())
}

async fn publish(app: &TestApp, admin: &str) {
    app.gql_as(
        Some(admin),
        "mutation { publishRankingEdition(board: RESIDENTS, period: ALL_TIME) { number } }",
        json!({}),
    )
    .await
    .ok();
}

fn get(app: &TestApp, path: &str) -> reqwest::RequestBuilder {
    app.client.get(format!("{}{path}", app.address))
}

#[tokio::test]
async fn the_feed_refuses_requests_without_a_valid_key() {
    let app = spawn_app().await;
    let admin = app.login(ADMIN_PHONE).await;
    for path in ["/feed/rankings.json", "/feed/rankings.atom"] {
        assert_eq!(get(&app, path).send().await.unwrap().status(), 401);
        let wrong = get(&app, path)
            .header("X-Api-Key", "dtm_nope")
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), 401);
    }
    let (secret, id) = issue_key(&app, &admin).await;
    let ok = get(&app, "/feed/rankings.json")
        .header("Authorization", format!("ApiKey {secret}"))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let revoked = app
        .gql_as(
            Some(&admin),
            "mutation($id: ID!) { revokeMediaApiKey(id: $id) { revokedAt } }",
            json!({ "id": id }),
        )
        .await
        .ok();
    assert!(revoked["revokeMediaApiKey"]["revokedAt"].is_string());
    let after = get(&app, "/feed/rankings.json")
        .header("X-Api-Key", &secret)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 401);
    // The secret itself is never stored or listed.
    let listed = app
        .gql_as(
            Some(&admin),
            "{ mediaApiKeys { name keyPrefix lastUsedAt } }",
            json!({}),
        )
        .await
        .ok();
    assert!(!listed.to_string().contains(&secret));
}

#[tokio::test]
async fn only_admins_issue_media_keys() {
    let app = spawn_app().await;
    let resident = app.login(RESIDENT_PHONE).await;
    let refused = app
        .gql_as(Some(&resident), ISSUE, json!({ "name": "x" }))
        .await;
    assert_eq!(refused.code(), Some("FORBIDDEN"));
    let anonymous = app.gql(ISSUE, json!({ "name": "x" })).await;
    assert_eq!(anonymous.code(), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn the_feed_lists_published_editions_as_json_and_as_valid_atom() {
    let app = spawn_app_with(AppOptions {
        tweak: Some(|s| s.public_url = Some("https://cishan.example.cn/".into())),
        ..Default::default()
    })
    .await;
    let desk = desk(&app).await;
    desk.resident_gives(&app.areas, RESIDENT_PHONE, 88_800)
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(2_200)).await;
    let admin = app.login(ADMIN_PHONE).await;
    publish(&app, &admin).await;
    let (secret, _) = issue_key(&app, &admin).await;

    let json_feed: Value = get(&app, "/feed/rankings.json")
        .header("X-Api-Key", &secret)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let edition = &json_feed["editions"][0];
    assert_eq!(edition["number"], 1);
    assert_eq!(edition["entries"][0]["displayName"], "陈*明");
    assert_eq!(edition["entries"][0]["amount"], "888.00");
    assert_eq!(edition["ledgerHash"].as_str().unwrap().len(), 64);

    let resp = get(&app, "/feed/rankings.atom")
        .header("X-Api-Key", &secret)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/atom+xml")
    );
    let text = resp.text().await.unwrap();
    let doc = roxmltree::Document::parse(&text).expect("the Atom feed is well-formed XML");
    const ATOM: &str = "http://www.w3.org/2005/Atom";
    let feed = doc.root_element();
    assert!(feed.has_tag_name((ATOM, "feed")));
    let child = |node: roxmltree::Node<'_, '_>, name: &str| {
        node.children()
            .find(|c| c.has_tag_name((ATOM, name)))
            .unwrap_or_else(|| panic!("<{name}> missing"))
            .text()
            .unwrap_or_default()
            .to_owned()
    };
    for required in ["id", "title", "updated"] {
        assert!(!child(feed, required).is_empty());
    }
    assert!(feed.children().any(|c| c.has_tag_name((ATOM, "author"))));
    // Atom readers need the feed's own address absolute, on the configured public address.
    let self_link = feed
        .children()
        .find(|c| c.has_tag_name((ATOM, "link")) && c.attribute("rel") == Some("self"))
        .expect("a rel=self link");
    assert_eq!(
        self_link.attribute("href"),
        Some("https://cishan.example.cn/feed/rankings.atom")
    );
    chrono::DateTime::parse_from_rfc3339(&child(feed, "updated")).expect("RFC 3339 updated");
    let entries: Vec<_> = feed
        .children()
        .filter(|c| c.has_tag_name((ATOM, "entry")))
        .collect();
    assert_eq!(entries.len(), 1);
    for required in ["id", "title", "updated", "content"] {
        assert!(
            !child(entries[0], required).is_empty(),
            "entry <{required}>"
        );
    }
    assert!(child(entries[0], "content").contains("陈*明 888.00 元"));
    assert!(child(entries[0], "title").contains("第1期"));
}

#[tokio::test]
async fn a_matching_etag_gives_304_until_a_new_edition_is_published() {
    let app = spawn_app().await;
    let admin = app.login(ADMIN_PHONE).await;
    let (secret, _) = issue_key(&app, &admin).await;
    for path in ["/feed/rankings.json", "/feed/rankings.atom"] {
        let first = get(&app, path)
            .header("X-Api-Key", &secret)
            .send()
            .await
            .unwrap();
        assert_eq!(first.status(), 200);
        // A shared cache keeps one answer per key header, never one key's for another's.
        assert_eq!(first.headers()["vary"], "authorization, x-api-key");
        let etag = first.headers()["etag"].to_str().unwrap().to_owned();
        let again = get(&app, path)
            .header("X-Api-Key", &secret)
            .header("If-None-Match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304);
        assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
        assert_eq!(again.headers()["vary"], "authorization, x-api-key");
        assert!(again.text().await.unwrap().is_empty());
        // Readers that keep only the date get the same answer.
        let modified = first.headers()["last-modified"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(modified.ends_with(" GMT"), "{modified}");
        let since = get(&app, path)
            .header("X-Api-Key", &secret)
            .header("If-Modified-Since", &modified)
            .send()
            .await
            .unwrap();
        assert_eq!(since.status(), 304);
        let before = get(&app, path)
            .header("X-Api-Key", &secret)
            .header("If-Modified-Since", "Mon, 01 Jan 2024 00:00:00 GMT")
            .send()
            .await
            .unwrap();
        assert_eq!(before.status(), 200);
        let other = get(&app, path)
            .header("X-Api-Key", &secret)
            .header("If-None-Match", "\"something-else\"")
            .send()
            .await
            .unwrap();
        assert_eq!(other.status(), 200);
    }
    let current = get(&app, "/feed/rankings.json")
        .header("X-Api-Key", &secret)
        .send()
        .await
        .unwrap();
    let etag = current.headers()["etag"].to_str().unwrap().to_owned();
    let modified = current.headers()["last-modified"]
        .to_str()
        .unwrap()
        .to_owned();
    // Dates have whole seconds: the new body must be first served in a later one.
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    publish(&app, &admin).await;
    let by_date = get(&app, "/feed/rankings.json")
        .header("X-Api-Key", &secret)
        .header("If-Modified-Since", &modified)
        .send()
        .await
        .unwrap();
    assert_eq!(
        by_date.status(),
        200,
        "a date-only reader sees the new edition"
    );
    let changed = get(&app, "/feed/rankings.json")
        .header("X-Api-Key", &secret)
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200, "a new edition changes the feed");
}

#[tokio::test]
async fn each_key_is_rate_limited_with_a_retry_after() {
    let app = spawn_app().await;
    let admin = app.login(ADMIN_PHONE).await;
    let (secret, _) = issue_key(&app, &admin).await;
    let (other, _) = issue_key(&app, &admin).await;
    let mut limited = None;
    for _ in 0..40 {
        let resp = get(&app, "/feed/rankings.json")
            .header("X-Api-Key", &secret)
            .send()
            .await
            .unwrap();
        if resp.status() == 429 {
            limited = Some(resp);
            break;
        }
        assert_eq!(resp.status(), 200);
    }
    let limited = limited.expect("past the burst the feed answers 429");
    let retry: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1);
    // Another key has its own allowance.
    let resp = get(&app, "/feed/rankings.json")
        .header("X-Api-Key", &other)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}
