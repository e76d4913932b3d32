//! Requests that try to cost the server more than their size: fragment fan-out, password
//! checks by the hundred, WebSocket floods, oversized and hostile strings, and uploads at
//! the documented limit.

use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

use crate::helpers::*;

/// Each fragment spreads the next one twice: `levels` fragments, ~1 KB of text, stand for
/// 2^levels selections.
fn fan_out(levels: usize) -> String {
    let mut query = String::from("query FanOut { ...F0 }\n");
    for level in 0..levels {
        query.push_str(&format!(
            "fragment F{level} on Query {{ ...F{n} ...F{n} }}\n",
            n = level + 1
        ));
    }
    query.push_str(&format!("fragment F{levels} on Query {{ __typename }}\n"));
    query
}

/// The slowest `/healthz` answer while `work` runs.
async fn healthz_while<F: std::future::Future>(app: &TestApp, work: F) -> (F::Output, Duration) {
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let probe = {
        let (client, url, stop) = (
            app.client.clone(),
            format!("{}/healthz", app.address),
            stop.clone(),
        );
        tokio::spawn(async move {
            let mut slowest = Duration::ZERO;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let started = Instant::now();
                let status = client.get(&url).send().await.unwrap().status();
                assert!(status.is_success());
                slowest = slowest.max(started.elapsed());
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            slowest
        })
    };
    tokio::time::sleep(Duration::from_millis(20)).await;
    let output = work.await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    (output, probe.await.unwrap())
}

#[tokio::test]
async fn fragment_fan_out_is_refused_at_once_while_health_checks_keep_answering() {
    let app = spawn_app_with(AppOptions {
        empty: true,
        ..Default::default()
    })
    .await;
    for levels in [26, 40] {
        let query = fan_out(levels);
        assert!(
            query.len() < 2_000,
            "a small document: {} bytes",
            query.len()
        );
        let ((answers, slowest_refusal), slowest_health) = healthz_while(&app, async {
            // Two at once, as in the attack that froze the server.
            let started = Instant::now();
            let answers =
                futures::future::join(app.gql(&query, json!({})), app.gql(&query, json!({}))).await;
            (answers, started.elapsed())
        })
        .await;
        for answer in [answers.0, answers.1] {
            assert_eq!(answer.code(), Some("BAD_USER_INPUT"), "{}", answer.body);
            assert_eq!(answer.body["errors"][0]["extensions"]["field"], "query");
        }
        assert!(
            slowest_refusal < Duration::from_millis(50),
            "2^{levels}: refused in {slowest_refusal:?}"
        );
        assert!(
            slowest_health < Duration::from_millis(50),
            "2^{levels}: /healthz took {slowest_health:?}"
        );
    }
}

async fn open_socket(
    app: &TestApp,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let url = format!("{}/graphql/ws", app.address.replacen("http", "ws", 1));
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    ws.send(Message::Text(
        json!({ "type": "connection_init", "payload": {} })
            .to_string()
            .into(),
    ))
    .await
    .unwrap();
    assert_eq!(next_text(&mut ws).await.unwrap()["type"], "connection_ack");
    ws
}

/// The next JSON message, or `None` once the server closed the connection.
async fn next_text<S>(ws: &mut S) -> Option<Value>
where
    S: futures::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("an answer within 10 s");
        match message {
            Some(Ok(Message::Text(text))) => return serde_json::from_str(text.as_str()).ok(),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            Some(Ok(Message::Close(_)) | Err(_)) | None => return None,
            Some(Ok(other)) => panic!("unexpected {other:?}"),
        }
    }
}

#[tokio::test]
async fn fragment_fan_out_over_the_websocket_is_refused_at_once() {
    let app = spawn_app_with(AppOptions {
        empty: true,
        ..Default::default()
    })
    .await;
    let mut ws = open_socket(&app).await;
    let query = fan_out(40).replacen("query FanOut", "subscription FanOut", 1);
    let started = Instant::now();
    ws.send(Message::Text(
        json!({ "id": "1", "type": "subscribe", "payload": { "query": query } })
            .to_string()
            .into(),
    ))
    .await
    .unwrap();
    let answer = next_text(&mut ws).await.expect("an error message");
    assert!(
        started.elapsed() < Duration::from_millis(50),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(answer["type"], "next", "{answer}");
    assert_eq!(
        answer["payload"]["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{answer}"
    );
}

#[tokio::test]
async fn one_connection_cannot_hold_thousands_of_subscriptions() {
    let app = spawn_app_with(AppOptions {
        empty: true,
        ..Default::default()
    })
    .await;
    let mut ws = open_socket(&app).await;
    let cap = app.state.settings.limits.max_subscriptions_per_socket;
    for id in 0..2_000 {
        let sent = ws
            .send(Message::Text(
                json!({ "id": id.to_string(), "type": "subscribe", "payload": {
                    "query": "subscription { broadcastPublished { id } }" } })
                .to_string()
                .into(),
            ))
            .await;
        if sent.is_err() {
            break;
        }
    }
    // The server closes the connection once the cap (or the message rate) is passed.
    let mut close_code = None;
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_secs(10), ws.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => {
                close_code = frame.map(|f| u16::from(f.code));
                break;
            }
            Ok(Some(Ok(_))) => continue,
            _ => break,
        }
    }
    assert_eq!(close_code, Some(4429), "closed for its limits (cap {cap})");
}

#[tokio::test]
async fn a_request_checks_at_most_one_password() {
    let app = spawn_app().await;
    let login = |alias: &str, phone: &str| {
        format!(r#"{alias}login(phone: "{phone}", password: "{DEMO_PASSWORD}") {{ accessToken }}"#)
    };
    // Thirty aliased logins in one operation.
    let aliased: String = (0..30)
        .map(|i| login(&format!("a{i}: "), &format!("1380000{i:04}")))
        .collect::<Vec<_>>()
        .join(" ");
    let refused = app
        .gql(&format!("mutation {{ {aliased} }}"), json!({}))
        .await;
    assert_eq!(refused.code(), Some("BAD_USER_INPUT"), "{}", refused.body);
    // One aliased login.
    let refused = app
        .gql(
            &format!("mutation {{ {} }}", login("mine: ", RESIDENT_PHONE)),
            json!({}),
        )
        .await;
    assert_eq!(refused.code(), Some("BAD_USER_INPUT"), "{}", refused.body);
    // Two through one fragment spread twice.
    let refused = app
        .gql(
            &format!(
                "mutation {{ ...L ...L }} fragment L on Mutation {{ {} }}",
                login("", RESIDENT_PHONE)
            ),
            json!({}),
        )
        .await;
    assert_eq!(refused.code(), Some("BAD_USER_INPUT"), "{}", refused.body);
    // A batch of ten single logins.
    let batch: Vec<Value> = (0..10)
        .map(|_| json!({ "query": format!("mutation {{ {} }}", login("", RESIDENT_PHONE)) }))
        .collect();
    let answers = app.gql_batch(&batch).await;
    let answers = answers.as_array().expect("a batch answer");
    assert!(
        answers.iter().all(
            |a| a["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT" && a["data"].is_null()
        ),
        "{answers:?}"
    );
    // None of them counted as a guess: the phone is not locked, and one login alone works.
    app.login_full(RESIDENT_PHONE, DEMO_PASSWORD).await.ok();
}

#[tokio::test]
async fn a_flood_of_logins_runs_on_a_bounded_pool_and_the_api_keeps_answering() {
    let app = spawn_app_with(AppOptions {
        tweak: Some(|s| {
            s.limits.rate_limit_ip_burst = 10_000;
            s.limits.rate_limit_ip_per_sec = 10_000;
            s.limits.rate_limit_account_burst = 10_000;
        }),
        ..Default::default()
    })
    .await;
    let logins: Vec<_> = (0..12)
        .map(|i| {
            let app_client = app.client.clone();
            let url = format!("{}/graphql", app.address);
            tokio::spawn(async move {
                app_client
                    .post(url)
                    .json(&json!({ "query": format!(
                        r#"mutation {{ login(phone: "1370000{i:04}", password: "Wrong@{i}x") {{ accessToken }} }}"#
                    ) }))
                    .send()
                    .await
                    .unwrap()
                    .json::<Value>()
                    .await
                    .unwrap()
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(100)).await;
    // While they queue for the hashing slots, a public read answers promptly.
    let started = Instant::now();
    app.gql("{ towns { edges { node { name } } } }", json!({}))
        .await
        .ok();
    let read_took = started.elapsed();
    let mut codes = Vec::new();
    for login in logins {
        let answer = login.await.unwrap();
        codes.push(
            answer["errors"][0]["extensions"]["code"]
                .as_str()
                .unwrap_or("none")
                .to_owned(),
        );
    }
    assert!(
        codes
            .iter()
            .all(|c| c == "UNAUTHENTICATED" || c == "UNAVAILABLE"),
        "{codes:?}"
    );
    assert!(
        api::auth::peak_concurrent_hashes() <= api::auth::hashing_slots(),
        "{} hashes ran at once, {} slots",
        api::auth::peak_concurrent_hashes(),
        api::auth::hashing_slots()
    );
    assert!(
        read_took < Duration::from_secs(1),
        "a read took {read_took:?}"
    );
}

#[tokio::test]
async fn control_characters_and_endless_strings_are_refused_naming_the_field() {
    let app = spawn_app().await;
    let token = app.login(STAFF_PHONE).await;
    let project = project_id(&app, "海岛学子助学").await;
    let before: i64 = sql_i64(&app, "SELECT COUNT(*) FROM donations", vec![]).await;
    let mut input = donation_input(&app, "13800009999", "10.00", "2026-03-01T02:00:00Z").await;
    input["donor"] = json!({ "resident": { "phone": "13800009999", "name": "陈\u{0}明" } });
    let record = "mutation($input: RecordDonationInput!) { recordDonation(input: $input) { donation { id } } }";
    let refused = app
        .gql_as(Some(&token), record, json!({ "input": input.clone() }))
        .await;
    assert_eq!(refused.code(), Some("BAD_USER_INPUT"), "{}", refused.body);
    assert_eq!(
        refused.body["errors"][0]["extensions"]["field"],
        "$input.donor.resident.name"
    );
    input["donor"] = json!({ "resident": { "phone": "13800009999", "name": "名".repeat(40_000) } });
    let refused = app
        .gql_as(Some(&token), record, json!({ "input": input.clone() }))
        .await;
    assert_eq!(refused.code(), Some("BAD_USER_INPUT"), "{}", refused.body);
    input["donor"] = json!({ "resident": { "phone": "13800009999", "name": "名".repeat(51) } });
    let refused = app
        .gql_as(Some(&token), record, json!({ "input": input }))
        .await;
    assert_eq!(refused.code(), Some("BAD_USER_INPUT"), "{}", refused.body);
    assert_eq!(
        refused.body["errors"][0]["extensions"]["field"],
        "donor.resident.name"
    );
    // A NUL written into the document itself, as a GraphQL escape.
    let resident = app.login(RESIDENT_PHONE).await;
    let refused = app
        .gql_as(
            Some(&resident),
            &format!(
                r#"mutation {{ askSupervisionQuestion(subjectKind: PROJECT, subjectId: "{project}", question: "为什么\u0000这样") {{ id }} }}"#
            ),
            json!({}),
        )
        .await;
    assert_eq!(refused.code(), Some("BAD_USER_INPUT"), "{}", refused.body);
    assert_eq!(refused.body["errors"][0]["extensions"]["field"], "question");
    let after: i64 = sql_i64(&app, "SELECT COUNT(*) FROM donations", vec![]).await;
    assert_eq!(before, after, "nothing written");
}

const IMPORT: &str = "mutation($file: Upload!) { importDonations(file: $file) {
    ok rows imported errors { row column reason } } }";

#[tokio::test]
async fn a_fifty_thousand_row_import_fits_the_documented_body_limit() {
    let app = spawn_app().await;
    let token = app.login(STAFF_PHONE).await;
    let mut file = String::from(
        "receipt_no,org,donor_type,donor_phone,donor_enterprise,walk_in_name,kind,amount_yuan,goods_description,goods_quantity,project,campaign,channel,funding_source,donated_at,visibility\n",
    );
    for i in 0..49_999 {
        file.push_str(&format!(
            "R-BULK-{i:06},洞头区慈善总会,WALK_IN,,,现场捐赠人{i},MONEY,10.00,,,海岛学子助学,,OFFLINE,PUBLIC,2026-03-01 10:00,MASKED\n"
        ));
    }
    // One bad row at the end: the whole file is read, reported on, and nothing is written.
    file.push_str("R-BULK-BAD,洞头区慈善总会,WALK_IN,,,,MONEY,abc,,,海岛学子助学,,OFFLINE,PUBLIC,2026-03-01 10:00,MASKED\n");
    assert!(file.len() > 4 * 1024 * 1024, "{} bytes", file.len());
    let response = upload_file(&app, &token, IMPORT, file.into_bytes()).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let report = &body["data"]["importDonations"];
    assert_eq!(report["ok"], false, "{body}");
    assert_eq!(report["rows"], 50_000);
    assert_eq!(report["errors"][0]["row"], 50_000, "{body}");
    // Past the limit, the refusal is a GraphQL error with a code, not plain text.
    let limit = app.state.settings.limits.max_body_bytes;
    let response = upload_file(&app, &token, IMPORT, vec![b'x'; limit + 1]).await;
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{body}"
    );
    assert_eq!(body["errors"][0]["extensions"]["field"], "body");
}
