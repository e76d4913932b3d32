//! 慈善共富广播: posting, moderation, the public feed, and live updates over WebSocket
//! (graphql-transport-ws), across replicas when they share Redis.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

use crate::helpers::*;

const POST: &str =
    "mutation($input: PostBroadcastInput!) { postBroadcast(input: $input) { id status } }";
const PUBLISH: &str = "mutation($id: ID!) { publishBroadcast(id: $id) { status publishedAt } }";
const HIDE: &str =
    "mutation($id: ID!, $reason: String!) { hideBroadcast(id: $id, reason: $reason) { status } }";
const FEED: &str = "query($kind: BroadcastKind, $town: String, $first: Int, $after: String) {
    broadcasts(kind: $kind, town: $town, first: $first, after: $after) {
        edges { node { id title kind town { code } org { name } hiddenReason } }
        pageInfo { hasNextPage endCursor } } }";

async fn town_id(app: &TestApp, code: &str) -> String {
    use api::entities::town;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    town::Entity::find()
        .filter(town::Column::Code.eq(code))
        .one(&app.db().conn)
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string()
}

async fn post(app: &TestApp, staff: &str, kind: &str, title: &str, town: Option<&str>) -> String {
    let town_id = match town {
        Some(code) => json!(town_id(app, code).await),
        None => Value::Null,
    };
    let data = app
        .gql_as(
            Some(staff),
            POST,
            json!({ "input": { "kind": kind, "title": title, "body": "详情请联系慈善总会。", "townId": town_id } }),
        )
        .await
        .ok();
    assert_eq!(data["postBroadcast"]["status"], "PENDING");
    data["postBroadcast"]["id"].as_str().unwrap().to_owned()
}

fn feed_ids(data: &Value) -> Vec<String> {
    data["broadcasts"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_hidden_broadcast_disappears_from_the_public_feed() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let admin = app.login(ADMIN_PHONE).await;
    let need = post(&app, &staff, "NEED", "鹿西乡急需冬衣", Some("LUXI")).await;
    let story = post(&app, &staff, "STORY", "助学故事", None).await;

    let feed = app.gql(FEED, json!({})).await.ok();
    assert!(feed_ids(&feed).is_empty(), "pending posts are not public");

    for id in [&need, &story] {
        let p = app
            .gql_as(Some(&admin), PUBLISH, json!({ "id": id }))
            .await
            .ok();
        assert_eq!(p["publishBroadcast"]["status"], "PUBLISHED");
    }
    let feed = app.gql(FEED, json!({})).await.ok();
    assert_eq!(
        feed_ids(&feed),
        vec![story.clone(), need.clone()],
        "newest first"
    );
    let needs = app.gql(FEED, json!({ "kind": "NEED" })).await.ok();
    assert_eq!(feed_ids(&needs), vec![need.clone()]);
    let luxi = app.gql(FEED, json!({ "town": "LUXI" })).await.ok();
    assert_eq!(feed_ids(&luxi), vec![need.clone()]);
    assert_eq!(
        luxi["broadcasts"]["edges"][0]["node"]["org"]["name"],
        FEDERATION
    );

    let hidden = app
        .gql_as(
            Some(&admin),
            HIDE,
            json!({ "id": need, "reason": "含有个人联系方式" }),
        )
        .await
        .ok();
    assert_eq!(hidden["hideBroadcast"]["status"], "HIDDEN");
    let feed = app.gql(FEED, json!({})).await.ok();
    assert_eq!(feed_ids(&feed), vec![story.clone()]);
    let direct = app
        .gql(
            "query($id: ID!) { broadcast(id: $id) { title } }",
            json!({ "id": need }),
        )
        .await;
    assert_eq!(
        direct.code(),
        Some("NOT_FOUND"),
        "hidden posts are not public"
    );

    // The org sees why in its queue; the reason is not shown to others.
    let queue = app
        .gql_as(
            Some(&staff),
            "{ broadcastQueue(status: HIDDEN) { edges { node { id hiddenReason } } } }",
            json!({}),
        )
        .await
        .ok();
    assert_eq!(
        queue["broadcastQueue"]["edges"][0]["node"]["hiddenReason"],
        "含有个人联系方式"
    );
    let other = app.login(OTHER_STAFF_PHONE).await;
    let other_queue = app
        .gql_as(
            Some(&other),
            "{ broadcastQueue(status: HIDDEN) { edges { node { id } } } }",
            json!({}),
        )
        .await
        .ok();
    assert!(
        other_queue["broadcastQueue"]["edges"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn the_feed_pages_by_publication_time() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let admin = app.login(ADMIN_PHONE).await;
    let first = post(&app, &staff, "OFFER", "一", None).await;
    let second = post(&app, &staff, "OFFER", "二", None).await;
    let third = post(&app, &staff, "OFFER", "三", None).await;
    // Published out of creation order: the feed follows publication.
    for id in [&second, &third, &first] {
        app.gql_as(Some(&admin), PUBLISH, json!({ "id": id }))
            .await
            .ok();
    }
    let page1 = app.gql(FEED, json!({ "first": 2 })).await.ok();
    assert_eq!(feed_ids(&page1), vec![first.clone(), third.clone()]);
    assert_eq!(page1["broadcasts"]["pageInfo"]["hasNextPage"], true);
    let page2 = app
        .gql(
            FEED,
            json!({ "first": 2, "after": page1["broadcasts"]["pageInfo"]["endCursor"] }),
        )
        .await
        .ok();
    assert_eq!(feed_ids(&page2), vec![second.clone()]);
    assert_eq!(page2["broadcasts"]["pageInfo"]["hasNextPage"], false);
}

#[tokio::test]
async fn staff_cannot_post_for_another_org_and_only_the_bureau_moderates() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let other = app.login(OTHER_STAFF_PHONE).await;
    let refused = app
        .gql_as(
            Some(&other),
            POST,
            json!({ "input": { "orgId": org_id(&app, FEDERATION).await, "kind": "NEED",
                "title": "冒名发布", "body": "x" } }),
        )
        .await;
    assert_eq!(refused.code(), Some("FORBIDDEN"));
    assert_eq!(
        sql_i64(&app, "SELECT COUNT(*) FROM broadcasts", vec![]).await,
        0
    );

    let id = post(&app, &staff, "NEED", "需要志愿者", None).await;
    let self_publish = app.gql_as(Some(&staff), PUBLISH, json!({ "id": id })).await;
    assert_eq!(self_publish.code(), Some("FORBIDDEN"));
    let published = sql_i64(
        &app,
        "SELECT COUNT(*) FROM broadcasts WHERE status = 'PUBLISHED'",
        vec![],
    )
    .await;
    assert_eq!(published, 0);
}

/// A graphql-transport-ws client subscribed to `broadcastPublished`.
async fn subscribe(
    address: &str,
    filter: &str,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let url = format!("{}/graphql/ws", address.replacen("http", "ws", 1));
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut ws, response) = tokio_tungstenite::connect_async(request).await.unwrap();
    assert_eq!(
        response.headers()["sec-websocket-protocol"],
        "graphql-transport-ws"
    );
    send(&mut ws, json!({ "type": "connection_init", "payload": {} })).await;
    assert_eq!(next_json(&mut ws).await["type"], "connection_ack");
    send(
        &mut ws,
        json!({ "id": "1", "type": "subscribe", "payload": {
            "query": format!("subscription {{ broadcastPublished{filter} {{ id title kind org {{ name }} }} }}")
        } }),
    )
    .await;
    ws
}

async fn send<S>(ws: &mut S, message: Value)
where
    S: futures::Sink<Message> + Unpin,
    S::Error: std::fmt::Debug,
{
    ws.send(Message::Text(message.to_string().into()))
        .await
        .unwrap();
}

async fn next_json<S>(ws: &mut S) -> Value
where
    S: futures::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("a message within 10 s")
            .expect("the socket is open")
            .expect("a readable message");
        match message {
            Message::Text(text) => return serde_json::from_str(text.as_str()).unwrap(),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected message {other:?}"),
        }
    }
}

/// Give the server a moment to register the subscription before publishing.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(300)).await;
}

#[tokio::test]
async fn a_subscriber_receives_a_newly_published_broadcast() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let admin = app.login(ADMIN_PHONE).await;
    let mut all = subscribe(&app.address, "").await;
    let mut offers = subscribe(&app.address, "(kind: OFFER)").await;
    settle().await;

    let need = post(&app, &staff, "NEED", "冬衣募集", None).await;
    let offer = post(&app, &staff, "OFFER", "慈善超市上新", None).await;
    app.gql_as(Some(&admin), PUBLISH, json!({ "id": need }))
        .await
        .ok();
    app.gql_as(Some(&admin), PUBLISH, json!({ "id": offer }))
        .await
        .ok();

    let first = next_json(&mut all).await;
    assert_eq!(first["type"], "next", "{first}");
    assert_eq!(first["id"], "1");
    assert_eq!(
        first["payload"]["data"]["broadcastPublished"]["id"],
        json!(need)
    );
    assert_eq!(
        first["payload"]["data"]["broadcastPublished"]["title"],
        "冬衣募集"
    );
    assert_eq!(
        first["payload"]["data"]["broadcastPublished"]["org"]["name"],
        FEDERATION
    );
    let second = next_json(&mut all).await;
    assert_eq!(
        second["payload"]["data"]["broadcastPublished"]["id"],
        json!(offer)
    );
    // The filtered subscriber hears only the offer.
    let only = next_json(&mut offers).await;
    assert_eq!(
        only["payload"]["data"]["broadcastPublished"]["id"],
        json!(offer)
    );
}

#[tokio::test]
async fn queries_and_mutations_are_refused_over_websocket() {
    let app = spawn_app().await;
    let url = format!("{}/graphql/ws", app.address.replacen("http", "ws", 1));
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    send(&mut ws, json!({ "type": "connection_init" })).await;
    assert_eq!(next_json(&mut ws).await["type"], "connection_ack");
    send(
        &mut ws,
        json!({ "id": "m", "type": "subscribe", "payload": {
            "query": "mutation { login(phone: \"13900000000\", password: \"Demo@2026\") { accessToken } }"
        } }),
    )
    .await;
    let reply = next_json(&mut ws).await;
    let errors = if reply["type"] == "error" {
        reply["payload"].clone()
    } else {
        reply["payload"]["errors"].clone()
    };
    assert_eq!(errors[0]["extensions"]["code"], "BAD_USER_INPUT", "{reply}");
    assert!(reply.to_string().find("accessToken\":\"").is_none());
}

#[tokio::test]
async fn a_publication_reaches_subscribers_on_other_replicas_through_redis() {
    let app = spawn_app().await;
    // A second replica: same database and cache (Redis, on the PostgreSQL backend), its own
    // process-local feed and listener.
    let replica = api::state::AppState::new(
        app.state.db.clone(),
        app.state.cache.clone(),
        app.state.keys.clone(),
        (*app.state.settings).clone(),
    )
    .unwrap();
    let replica = api::startup::Application::with_state(replica)
        .await
        .unwrap();
    let address = format!("http://127.0.0.1:{}", replica.port());
    tokio::spawn(replica.run_until_stopped());

    let mut on_replica = subscribe(&address, "").await;
    settle().await;
    let staff = app.login(STAFF_PHONE).await;
    let admin = app.login(ADMIN_PHONE).await;
    let id = post(&app, &staff, "ACTIVITY_PLAN", "海滩清洁计划", None).await;
    app.gql_as(Some(&admin), PUBLISH, json!({ "id": id }))
        .await
        .ok();

    if app.state.cache.backend_name() == "redis" {
        let heard = next_json(&mut on_replica).await;
        assert_eq!(
            heard["payload"]["data"]["broadcastPublished"]["id"],
            json!(id)
        );
    } else {
        // The embedded default is one process: its in-process feed reaches only its own
        // subscribers, so a second app state in the same process hears nothing.
        let silent = tokio::time::timeout(Duration::from_millis(800), on_replica.next()).await;
        assert!(silent.is_err(), "unexpected message {silent:?}");
    }
}
