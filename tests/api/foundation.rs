//! The skeleton: schema drift, health, directory queries and pagination.

use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn schema_graphql_is_exactly_what_the_code_exports() {
    let committed = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema.graphql"),
    )
    .expect("schema.graphql at the repository root");
    let exported = api::schema::export_sdl();
    assert!(
        committed == exported,
        "schema.graphql is stale or hand-edited; regenerate it with `cargo run -p api -- export-schema --output schema.graphql`"
    );
}

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = spawn_app_with(AppOptions {
        empty: true,
        ..Default::default()
    })
    .await;
    let health = app
        .client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let ready = app
        .client
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["database"], "up");
    assert_eq!(body["cache"], "up");
    assert!(
        ready_request_id(&app).await.len() >= 32,
        "every response carries a request id"
    );
}

async fn ready_request_id(app: &TestApp) -> String {
    app.client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap()
        .headers()
        .get("x-request-id")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn metrics_are_exposed_for_prometheus() {
    let app = spawn_app_with(AppOptions {
        empty: true,
        tweak: Some(|s| s.metrics_token = Some(api::config::Secret::new("operators-token"))),
        ..Default::default()
    })
    .await;
    app.client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    app.gql(
        "query TownsForMetrics { towns { edges { cursor } } }",
        json!({}),
    )
    .await
    .ok();
    let refused = app
        .gql("query MeForMetrics { me { account { role } } }", json!({}))
        .await;
    assert_eq!(refused.code(), Some("UNAUTHENTICATED"));
    let text = app
        .client
        .get(format!("{}/metrics", app.address))
        .bearer_auth("operators-token")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("http_requests_total"), "{text}");
    // Histograms with buckets, which add up across replicas (not per-process summaries).
    assert!(
        text.contains("http_request_duration_seconds_bucket{"),
        "{text}"
    );
    assert!(
        text.contains("graphql_operation_duration_seconds_bucket{"),
        "{text}"
    );
    assert!(
        text.contains("graphql_operation_duration_seconds"),
        "{text}"
    );
    assert!(text.contains(r#"operation="TownsForMetrics""#), "{text}");
    assert!(
        text.lines().any(|l| l.starts_with("graphql_errors_total")
            && l.contains(r#"operation="MeForMetrics""#)
            && l.contains(r#"code="UNAUTHENTICATED""#)),
        "{text}"
    );
    assert!(text.contains("db_pool_connections"), "{text}");
}

#[tokio::test]
async fn charity_orgs_page_through_with_cursors() {
    let app = spawn_app().await;
    let query = "query($after: String) { charityOrgs(first: 5, after: $after) {
        edges { cursor node { id name kind town { code name } } }
        pageInfo { hasNextPage hasPreviousPage endCursor } } }";
    let first = app.gql(query, json!({})).await.ok();
    let page = &first["charityOrgs"];
    assert_eq!(page["edges"].as_array().unwrap().len(), 5);
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    assert_eq!(page["pageInfo"]["hasPreviousPage"], false);

    let mut seen: Vec<String> = page["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap().to_owned())
        .collect();
    let mut after = page["pageInfo"]["endCursor"].clone();
    loop {
        let next = app.gql(query, json!({ "after": after })).await.ok();
        let page = &next["charityOrgs"];
        seen.extend(
            page["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["name"].as_str().unwrap().to_owned()),
        );
        if page["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    let seeded = std::fs::read_to_string(seeds_dir().join("charity_orgs.csv"))
        .unwrap()
        .lines()
        .count()
        - 1;
    let unique: std::collections::HashSet<_> = seen.iter().collect();
    assert_eq!(seen.len(), seeded, "every org exactly once");
    assert_eq!(unique.len(), seeded);
    assert!(seen.iter().any(|n| n == "洞头区慈善总会"));
}

#[tokio::test]
async fn towns_come_in_official_order() {
    let app = spawn_app().await;
    let data = app
        .gql(
            "{ towns(first: 10) { edges { node { code name } } } }",
            json!({}),
        )
        .await
        .ok();
    let codes: Vec<&str> = data["towns"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["BEIAO", "DONGPING", "YUANJUE", "NIYU", "DAMEN", "LUXI"]
    );
    let second_page = app
        .gql("{ towns(first: 2) { pageInfo { endCursor } } }", json!({}))
        .await
        .ok();
    let cursor = second_page["towns"]["pageInfo"]["endCursor"].clone();
    let rest = app
        .gql(
            "query($a: String) { towns(first: 10, after: $a) { edges { node { code } } } }",
            json!({ "a": cursor }),
        )
        .await
        .ok();
    assert_eq!(rest["towns"]["edges"][0]["node"]["code"], "YUANJUE");
}

#[tokio::test]
async fn projects_campaigns_and_partners_are_listed() {
    let app = spawn_app().await;
    let data = app
        .gql(
            "{ charityProjects(first: 100) { edges { node { name org { name } } } }
               campaigns { edges { node { code name startsOn endsOn } } }
               perkPartners { edges { node { name kind } } } }",
            json!({}),
        )
        .await
        .ok();
    let projects = data["charityProjects"]["edges"].as_array().unwrap();
    assert!(
        projects
            .iter()
            .any(|p| p["node"]["name"] == "兰小草银龄助养"
                && p["node"]["org"]["name"] == "兰小草爱心公益服务基地")
    );
    let campaigns = data["campaigns"]["edges"].as_array().unwrap();
    assert_eq!(campaigns.len(), 2);
    assert!(!data["perkPartners"]["edges"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn bad_pages_and_ids_get_clear_codes() {
    let app = spawn_app().await;
    let too_big = app
        .gql(
            "{ charityOrgs(first: 101) { edges { cursor } } }",
            json!({}),
        )
        .await;
    assert_eq!(too_big.code(), Some("BAD_USER_INPUT"));
    let bad_cursor = app
        .gql(
            "{ charityOrgs(first: 5, after: \"not-a-cursor\") { edges { cursor } } }",
            json!({}),
        )
        .await;
    assert_eq!(bad_cursor.code(), Some("BAD_USER_INPUT"));
    let malformed = app
        .gql("{ charityOrg(id: \"42\") { name } }", json!({}))
        .await;
    assert_eq!(malformed.code(), Some("BAD_USER_INPUT"));
    let missing = app
        .gql(
            "query($id: ID!) { charityOrg(id: $id) { name } }",
            json!({ "id": uuid::Uuid::now_v7().to_string() }),
        )
        .await;
    assert_eq!(missing.code(), Some("NOT_FOUND"));
}

#[tokio::test]
async fn graphiql_is_served_on_get_when_enabled() {
    let app = spawn_app_with(AppOptions {
        empty: true,
        ..Default::default()
    })
    .await;
    let page = app
        .client
        .get(format!("{}/graphql", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("graphiql"));
}
