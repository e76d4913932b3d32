//! Hostile and careless clients: every mutation by every wrong role, forged tokens, query
//! bombs, oversized bodies, brute-forced logins, exhausted pools and a Redis that hangs.

use std::collections::HashMap;

use async_graphql::parser::types::{
    BaseType, InputValueDefinition, Type, TypeKind, TypeSystemDefinition,
};
use serde_json::{Value, json};

use crate::helpers::*;
use api::{auth::policy, entities::enums::Role};

/// Every table's row count: "writes nothing" means none of these moved.
async fn table_counts(app: &TestApp) -> HashMap<&'static str, i64> {
    use sea_orm::{ConnectionTrait, Statement};
    const TABLES: &[&str] = &[
        "accounts",
        "donors",
        "residents",
        "enterprises",
        "donations",
        "credit_entries",
        "credit_rules",
        "credit_tiers",
        "tier_benefits",
        "rewards",
        "redemptions",
        "refresh_tokens",
        "idempotency_records",
        "yearly_statements",
        "charity_orgs",
        "charity_projects",
        "campaigns",
        "perks",
        "perk_vouchers",
        "perk_partners",
        "activities",
        "signups",
        "hour_certifications",
        "notices",
        "ranking_editions",
        "ranking_rules",
        "broadcasts",
        "disbursements",
        "api_keys",
        "disbursement_allocations",
        "goods_stock_movements",
        "supervision_items",
        "district_inputs",
    ];
    let mut counts = HashMap::new();
    for table in TABLES {
        let row = app
            .db()
            .conn
            .query_one_raw(Statement::from_string(
                app.db().backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .unwrap()
            .unwrap();
        counts.insert(*table, row.try_get::<i64>("", "n").unwrap());
    }
    counts
}

/// The schema's types, for building well-typed dummy arguments.
struct Types {
    inputs: HashMap<String, (Vec<InputValueDefinition>, bool)>,
    enums: HashMap<String, String>,
    objects: Vec<String>,
}

fn schema_types(sdl: &str) -> (Types, Vec<(String, Vec<InputValueDefinition>, Type)>) {
    let doc = async_graphql::parser::parse_schema(sdl).unwrap();
    let mut types = Types {
        inputs: HashMap::new(),
        enums: HashMap::new(),
        objects: Vec::new(),
    };
    let mut mutations = Vec::new();
    for def in doc.definitions {
        let TypeSystemDefinition::Type(t) = def else {
            continue;
        };
        let name = t.node.name.node.to_string();
        let one_of = t
            .node
            .directives
            .iter()
            .any(|d| d.node.name.node == "oneOf");
        match t.node.kind {
            TypeKind::InputObject(io) => {
                types.inputs.insert(
                    name,
                    (io.fields.into_iter().map(|f| f.node).collect(), one_of),
                );
            }
            TypeKind::Enum(e) => {
                types
                    .enums
                    .insert(name, e.values[0].node.value.node.to_string());
            }
            TypeKind::Object(obj) => {
                if name == "Mutation" {
                    for f in obj.fields {
                        mutations.push((
                            f.node.name.node.to_string(),
                            f.node.arguments.into_iter().map(|a| a.node).collect(),
                            f.node.ty.node,
                        ));
                    }
                }
                types.objects.push(name);
            }
            _ => {}
        }
    }
    (types, mutations)
}

fn dummy(ty: &Type, types: &Types) -> Value {
    match &ty.base {
        BaseType::List(inner) => json!([dummy(inner, types)]),
        BaseType::Named(name) => match name.as_str() {
            "ID" => json!(uuid::Uuid::now_v7().to_string()),
            "String" => json!("attack-test-value"),
            "Int" => json!(1),
            "Boolean" => json!(true),
            "Money" => json!("1.00"),
            "DateTime" => json!("2026-01-01T00:00:00Z"),
            "NaiveDate" => json!("2099-01-01"),
            other => {
                if let Some(value) = types.enums.get(other) {
                    json!(value)
                } else if let Some((fields, one_of)) = types.inputs.get(other) {
                    let mut obj = serde_json::Map::new();
                    for f in fields {
                        if *one_of || !f.ty.node.nullable {
                            obj.insert(f.name.node.to_string(), dummy(&f.ty.node, types));
                        }
                        if *one_of {
                            break;
                        }
                    }
                    Value::Object(obj)
                } else {
                    panic!("no dummy for type {other}")
                }
            }
        },
    }
}

fn base_name(ty: &Type) -> String {
    match &ty.base {
        BaseType::Named(n) => n.to_string(),
        BaseType::List(inner) => base_name(inner),
    }
}

/// Call a mutation with well-typed dummy arguments (multipart for uploads).
async fn call(
    app: &TestApp,
    token: Option<&str>,
    name: &str,
    args: &[InputValueDefinition],
    ret: &Type,
    types: &Types,
) -> Gql {
    let required: Vec<&InputValueDefinition> =
        args.iter().filter(|a| !a.ty.node.nullable).collect();
    let decls: Vec<String> = required
        .iter()
        .map(|a| format!("${}: {}", a.name.node, a.ty.node))
        .collect();
    let uses: Vec<String> = required
        .iter()
        .map(|a| format!("{0}: ${0}", a.name.node))
        .collect();
    let selection = if types.objects.contains(&base_name(ret)) {
        " { __typename }"
    } else {
        ""
    };
    let query = format!(
        "mutation{} {{ {name}{}{selection} }}",
        if decls.is_empty() {
            String::new()
        } else {
            format!("({})", decls.join(", "))
        },
        if uses.is_empty() {
            String::new()
        } else {
            format!("({})", uses.join(", "))
        },
    );
    let mut variables = serde_json::Map::new();
    let mut uploads = Vec::new();
    for a in &required {
        if base_name(&a.ty.node) == "Upload" {
            variables.insert(a.name.node.to_string(), Value::Null);
            uploads.push(a.name.node.to_string());
        } else {
            variables.insert(a.name.node.to_string(), dummy(&a.ty.node, types));
        }
    }
    if uploads.is_empty() {
        return app.gql_as(token, &query, Value::Object(variables)).await;
    }
    let operations = json!({ "query": query, "variables": variables });
    let map: serde_json::Map<String, Value> = uploads
        .iter()
        .enumerate()
        .map(|(i, u)| (i.to_string(), json!([format!("variables.{u}")])))
        .collect();
    let mut form = reqwest::multipart::Form::new()
        .text("operations", operations.to_string())
        .text("map", Value::Object(map).to_string());
    for i in 0..uploads.len() {
        form = form.part(
            i.to_string(),
            reqwest::multipart::Part::bytes(b"receipt_no\n".to_vec()).file_name("x.csv"),
        );
    }
    let mut req = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("apollo-require-preflight", "true")
        .multipart(form);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    Gql {
        body: req.send().await.unwrap().json().await.unwrap(),
    }
}

#[tokio::test]
async fn every_mutation_by_every_wrong_role_is_refused_and_writes_nothing() {
    // Hundreds of calls from one address in a few seconds: the rate limits (tested on their
    // own) would answer before the access checks this is about.
    let app = spawn_app_with(AppOptions {
        tweak: Some(|s| {
            s.limits.rate_limit_account_burst = 10_000;
            s.limits.rate_limit_ip_burst = 10_000;
        }),
        ..Default::default()
    })
    .await;
    let (types, mutations) = schema_types(&api::schema::export_sdl());
    let roles: [(Option<Role>, Option<&str>); 6] = [
        (None, None),
        (Some(Role::Resident), Some(RESIDENT_PHONE)),
        (Some(Role::Enterprise), Some(ENTERPRISE_PHONE)),
        (Some(Role::OrgStaff), Some(STAFF_PHONE)),
        (Some(Role::PartnerStaff), Some(PARTNER_PHONE)),
        (Some(Role::Admin), Some(ADMIN_PHONE)),
    ];
    let mut tokens = HashMap::new();
    for (role, phone) in &roles {
        if let (Some(role), Some(phone)) = (role, phone) {
            tokens.insert(*role, app.login(phone).await);
        }
    }
    let before = table_counts(&app).await;
    let mut checked = 0;
    for (name, args, ret) in &mutations {
        let access = policy::access_for(name).unwrap_or_else(|| panic!("{name} undeclared"));
        for (role, _) in &roles {
            if access.allows(*role) {
                continue;
            }
            let token = role.map(|r| tokens[&r].as_str());
            let resp = call(&app, token, name, args, ret, &types).await;
            let expected = if role.is_none() {
                "UNAUTHENTICATED"
            } else {
                "FORBIDDEN"
            };
            assert_eq!(
                resp.code(),
                Some(expected),
                "{name} as {role:?}: {}",
                resp.body
            );
            checked += 1;
        }
    }
    assert!(checked >= 30, "the matrix covered only {checked} calls");
    let after = table_counts(&app).await;
    // Logging the roles in wrote refresh tokens before the snapshot; nothing since.
    assert_eq!(before, after, "a refused call wrote something");
}

#[tokio::test]
async fn forged_expired_unsigned_and_wrong_key_tokens_are_refused() {
    use base64::Engine;
    let app = spawn_app().await;
    let good = app.login(ADMIN_PHONE).await;
    let viewer = api::auth::Viewer {
        account_id: uuid::Uuid::now_v7(),
        role: Role::Admin,
        org_id: None,
        partner_id: None,
        donor_id: None,
    };
    let keys = api::auth::TokenKeys::new(b"test-secret-test-secret-test-secret!", 900);
    let (expired, _) = keys.issue(&viewer, chrono::Utc::now() - chrono::Duration::hours(2));
    let (wrong_key, _) = api::auth::TokenKeys::new(b"another-secret-another-secret-1234", 900)
        .issue(&viewer, chrono::Utc::now());
    let payload = good.split('.').nth(1).unwrap();
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let none = format!("{}.{payload}.", b64.encode(r#"{"alg":"none","typ":"JWT"}"#));
    let hs512 = format!(
        "{}.{payload}.{}",
        b64.encode(r#"{"alg":"HS512","typ":"JWT"}"#),
        good.split('.').nth(2).unwrap()
    );
    let mut claims: Value = serde_json::from_slice(&b64.decode(payload).unwrap()).unwrap();
    claims["exp"] = json!(claims["exp"].as_i64().unwrap().to_string());
    let string_exp = format!(
        "{}.{}.{}",
        good.split('.').next().unwrap(),
        b64.encode(claims.to_string()),
        good.split('.').nth(2).unwrap()
    );
    for (what, token) in [
        ("expired", expired),
        ("wrong key", wrong_key),
        ("alg none", none),
        ("alg swapped", hs512),
        ("string exp", string_exp),
        ("garbage", "not.a.token".into()),
    ] {
        let resp = app
            .gql_as(Some(&token), "{ me { account { role } } }", json!({}))
            .await;
        assert_eq!(resp.code(), Some("UNAUTHENTICATED"), "{what}");
    }
}

#[tokio::test]
async fn changing_the_password_ends_every_session() {
    let app = spawn_app().await;
    let login = app.login_full(RESIDENT_PHONE, DEMO_PASSWORD).await.ok();
    let access = login["login"]["accessToken"].as_str().unwrap().to_owned();
    let refresh = login["login"]["refreshToken"].as_str().unwrap().to_owned();
    let change =
        "mutation($o: String!, $n: String!) { changePassword(oldPassword: $o, newPassword: $n) }";
    let wrong = app
        .gql_as(
            Some(&access),
            change,
            json!({ "o": "nope-nope", "n": "NewPass@2026" }),
        )
        .await;
    assert_eq!(wrong.code(), Some("BAD_USER_INPUT"));
    app.gql_as(
        Some(&access),
        change,
        json!({ "o": DEMO_PASSWORD, "n": "NewPass@2026" }),
    )
    .await
    .ok();
    let me = app
        .gql_as(Some(&access), "{ me { account { role } } }", json!({}))
        .await;
    assert_eq!(me.code(), Some("UNAUTHENTICATED"), "old access token");
    let refreshed = app
        .gql(
            "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }",
            json!({ "t": refresh }),
        )
        .await;
    assert_eq!(
        refreshed.code(),
        Some("UNAUTHENTICATED"),
        "old refresh token"
    );
    app.login_full(RESIDENT_PHONE, "NewPass@2026").await.ok();
}

#[tokio::test]
async fn repeated_wrong_passwords_lock_the_phone_out() {
    let app = spawn_app().await;
    for _ in 0..5 {
        let r = app.login_full(STAFF_PHONE, "guess-guess").await;
        assert_eq!(r.code(), Some("UNAUTHENTICATED"));
    }
    let locked = app.login_full(STAFF_PHONE, DEMO_PASSWORD).await;
    assert_eq!(
        locked.code(),
        Some("RATE_LIMITED"),
        "even the right password waits"
    );
    assert!(
        locked.body["errors"][0]["extensions"]["retryAfterSecs"]
            .as_u64()
            .unwrap()
            > 0
    );
    // Another phone is not affected.
    app.login_full(OTHER_STAFF_PHONE, DEMO_PASSWORD).await.ok();
}

/// An app whose database is closed: whatever it still answers, it answered without it.
async fn app_without_database() -> TestApp {
    let app = spawn_app_with(AppOptions {
        empty: true,
        ..Default::default()
    })
    .await;
    app.db().conn.clone().close().await.unwrap();
    app
}

#[tokio::test]
async fn query_bombs_are_refused_before_touching_the_database() {
    let app = app_without_database().await;
    let deep = format!(
        "{{ charityOrgs {{ edges {{ node {{ {} }} }} }} }}",
        "projects { edges { node { org { ".repeat(6) + "name" + &" } } } }".repeat(6)
    );
    let aliases = format!(
        "{{ {} }}",
        (0..200)
            .map(|i| format!("a{i}: towns {{ edges {{ cursor }} }}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let directives = format!(
        "{{ towns {} {{ edges {{ cursor }} }} }}",
        "@skip(if: false) ".repeat(10_000)
    );
    let huge_page = "{ charityOrgs(first: 1000000) { edges { node { name } } } }".to_owned();
    let huge_query = format!(
        "{{ towns {{ edges {{ cursor }} }} }} #{}",
        "x".repeat(100_000)
    );
    for (what, query) in [
        ("deep", deep),
        ("alias bomb", aliases),
        ("10,000 directives", directives),
        ("huge page", huge_page),
        ("huge query text", huge_query),
    ] {
        // Twice: parsed documents are remembered, and a refused one must not be.
        for attempt in 1..=2 {
            let started = std::time::Instant::now();
            let resp = app.gql(&query, json!({})).await;
            assert_eq!(
                resp.code(),
                Some("BAD_USER_INPUT"),
                "{what}, attempt {attempt}: {}",
                resp.body
            );
            assert!(
                started.elapsed() < std::time::Duration::from_secs(5),
                "{what} was slow"
            );
        }
    }
    let batch: Vec<Value> = (0..1000)
        .map(|_| json!({ "query": "{ towns { edges { cursor } } }" }))
        .collect();
    let resp = app.gql_batch(&batch).await;
    assert_eq!(
        resp["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{resp}"
    );
}

#[tokio::test]
async fn a_remembered_document_answers_each_request_with_its_own_variables() {
    let app = spawn_app().await;
    let query = "query($first: Int) { towns(first: $first) { edges { cursor } } }";
    for first in [1, 2, 3, 1] {
        let resp = app.gql(query, json!({ "first": first })).await;
        let edges = resp.body["data"]["towns"]["edges"].as_array().cloned();
        assert_eq!(edges.map(|e| e.len()), Some(first), "{}", resp.body);
    }
    // The same text with a variable of the wrong type is still refused by validation.
    let resp = app.gql(query, json!({ "first": "many" })).await;
    assert!(resp.body["errors"].is_array(), "{}", resp.body);
    assert!(resp.body["data"].is_null(), "{}", resp.body);
}

#[tokio::test]
async fn a_fifty_megabyte_body_is_refused_before_it_is_read() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = app_without_database().await;
    // Announce 50 MB and send only the headers: the answer must come without the body.
    let host = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nhost: {host}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        50 * 1024 * 1024
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 512];
    let n = tokio::time::timeout(std::time::Duration::from_secs(5), stream.read(&mut buf))
        .await
        .expect("answered without waiting for the body")
        .unwrap();
    let answer = String::from_utf8_lossy(&buf[..n]);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
}

#[tokio::test]
async fn complexity_is_reported_and_mutations_never_run_over_get() {
    let app = spawn_app().await;
    let resp = app
        .gql("{ towns(first: 5) { edges { node { name } } } }", json!({}))
        .await;
    assert!(
        resp.body["extensions"]["analyzer"]["complexity"]
            .as_u64()
            .unwrap()
            > 0
    );
    let get = app
        .client
        .get(format!(
            "{}/graphql?query=mutation%20%7B%20logout(refreshToken%3A%22x%22)%20%7D",
            app.address
        ))
        .send()
        .await
        .unwrap();
    let text = get.text().await.unwrap();
    assert!(!text.contains("\"logout\""), "a GET never executes: {text}");
}

#[tokio::test]
async fn every_state_change_lands_in_the_audit_log() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let input = donation_input(&app, RESIDENT_PHONE, "100.00", "2026-02-01T02:00:00Z").await;
    let d = app
        .gql_as(Some(&staff), RECORD_DONATION, json!({ "input": input }))
        .await
        .ok();
    let id = d["recordDonation"]["donation"]["id"].clone();
    app.gql_as(
        Some(&staff),
        "mutation($id: ID!, $k: String!) { voidDonation(id: $id, reason: \"错录\", idempotencyKey: $k) { donation { id } } }",
        json!({ "id": id, "k": new_key() }),
    )
    .await
    .ok();
    let refused = app
        .gql_as(Some(&staff), "mutation { addCreditRule(kind: VOLUNTEER_HOUR, credits: 1, perUnits: 60, effectiveFrom: \"2099-01-01\") { id } }", json!({}))
        .await;
    assert_eq!(refused.code(), Some("FORBIDDEN"));
    let admin = app.login(ADMIN_PHONE).await;
    let log = app
        .gql_as(
            Some(&admin),
            "query($e: ID) { auditLog(first: 50, entityId: $e) { edges { node { action role orgId entity entityId requestId before after } } } }",
            json!({ "e": id }),
        )
        .await
        .ok();
    let entries = log["auditLog"]["edges"].as_array().unwrap();
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["voidDonation", "recordDonation"]);
    for e in entries {
        assert_eq!(e["node"]["role"], "ORG_STAFF");
        assert_eq!(e["node"]["orgId"], json!(org_id(&app, FEDERATION).await));
        assert!(e["node"]["requestId"].as_str().unwrap().len() >= 32);
        assert_eq!(e["node"]["entity"], "donations");
    }
    // The rows themselves, before and after: a new donation has no before; the void shows
    // the donation as it was and as it became.
    let json_of = |v: &Value| -> Value {
        v.as_str()
            .map_or(Value::Null, |s| serde_json::from_str(s).unwrap())
    };
    let (void, record) = (&entries[0]["node"], &entries[1]["node"]);
    assert!(record["before"].is_null());
    let recorded = json_of(&record["after"]);
    assert_eq!(recorded["row"]["amount_fen"], 10_000);
    assert_eq!(recorded["row"]["status"], "CONFIRMED");
    let (was, became) = (json_of(&void["before"]), json_of(&void["after"]));
    assert_eq!(was["status"], "CONFIRMED");
    assert!(was["void_reason"].is_null());
    assert_eq!(became["row"]["status"], "VOIDED");
    assert_eq!(became["row"]["void_reason"], "错录");
    assert_eq!(became["arguments"]["reason"], "错录");

    // A resident's own record: the consent flips, the ID number never appears.
    let resident = app.login(RESIDENT_PHONE).await;
    app.gql_as(
        Some(&resident),
        "mutation { setPublicNameConsent(consent: false) { consent } }",
        json!({}),
    )
    .await
    .ok();
    let all = app
        .gql_as(
            Some(&admin),
            "{ auditLog(first: 100) { edges { node { action after } } } }",
            json!({}),
        )
        .await
        .ok();
    let all = all["auditLog"]["edges"].as_array().unwrap();
    let consent = all
        .iter()
        .find(|e| e["node"]["action"] == "setPublicNameConsent")
        .expect("consent change audited");
    let consent = app
        .gql_as(
            Some(&admin),
            "query($a: String) { auditLog(first: 1, action: $a) { edges { node { before after } } } }",
            json!({ "a": consent["node"]["action"] }),
        )
        .await
        .ok();
    let node = &consent["auditLog"]["edges"][0]["node"];
    let (was, became) = (json_of(&node["before"]), json_of(&node["after"]));
    assert_eq!(was["name_consent"], true);
    assert_eq!(became["row"]["name_consent"], false);
    assert_eq!(was["id_number"], "***", "ID numbers never reach the log");
    assert!(!node.to_string().contains("330322198503129752"));
    assert!(
        !all.iter().any(|e| e["node"]["action"] == "addCreditRule"),
        "refused calls change nothing"
    );
    let logins: Vec<&Value> = all
        .iter()
        .filter(|e| e["node"]["action"] == "login")
        .collect();
    assert!(!logins.is_empty());
    for l in logins {
        let after = l["node"]["after"].as_str().unwrap();
        assert!(
            !after.contains(DEMO_PASSWORD) && after.contains("***"),
            "secrets redacted: {after}"
        );
    }
    let staff_view = app
        .gql_as(
            Some(&staff),
            "{ auditLog { edges { node { action } } } }",
            json!({}),
        )
        .await;
    assert_eq!(staff_view.code(), Some("FORBIDDEN"));
}

#[tokio::test]
async fn a_flood_from_one_client_is_rate_limited_with_a_retry_hint() {
    let app = spawn_app_with(AppOptions {
        tweak: Some(|s: &mut api::config::Settings| {
            s.limits.rate_limit_ip_per_sec = 1;
            s.limits.rate_limit_ip_burst = 5;
        }),
        ..Default::default()
    })
    .await;
    let mut limited = None;
    for _ in 0..20 {
        let resp = app
            .client
            .post(format!("{}/graphql", app.address))
            .json(&json!({ "query": "{ towns { edges { cursor } } }" }))
            .send()
            .await
            .unwrap();
        if resp.status() == 429 {
            limited = Some(resp);
            break;
        }
    }
    let resp = limited.expect("the flood was never limited");
    assert!(resp.headers().get("retry-after").is_some());
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
    // The same client still loads the app's files and the balancer's health checks pass.
    for path in ["/healthz", "/readyz", "/", "/assets/app.js", "/healthz"] {
        let status = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap()
            .status();
        assert_ne!(status, 429, "{path} is not rate limited");
    }
}

#[tokio::test]
async fn an_exhausted_pool_fails_cleanly_after_its_acquire_timeout() {
    let app = spawn_app_with(AppOptions {
        tweak: Some(|s: &mut api::config::Settings| {
            s.db_max_connections = 2;
            s.db_acquire_timeout_ms = 300;
        }),
        ..Default::default()
    })
    .await;
    use sea_orm::TransactionTrait;
    // Hold every connection of the pool.
    let held1 = app.db().conn.begin().await.unwrap();
    let held2 = app.db().conn.begin().await.unwrap();
    let started = std::time::Instant::now();
    let resp = app
        .gql(
            "{ charityOrgs(first: 1) { edges { node { name } } } }",
            json!({}),
        )
        .await;
    assert_eq!(resp.code(), Some("UNAVAILABLE"), "{}", resp.body);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    drop((held1, held2));
    app.gql(
        "{ charityOrgs(first: 1) { edges { node { name } } } }",
        json!({}),
    )
    .await
    .ok();
}

/// A TCP relay to the real Redis that can be frozen: connections stay open, nothing flows.
async fn freezable_redis() -> (String, std::sync::Arc<std::sync::atomic::AtomicBool>) {
    use std::sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    };
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let frozen = Arc::new(AtomicBool::new(false));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let flag = frozen.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let flag = flag.clone();
            tokio::spawn(async move {
                let Ok(upstream) = tokio::net::TcpStream::connect("127.0.0.1:6379").await else {
                    return;
                };
                let (mut cr, mut cw) = client.into_split();
                let (mut ur, mut uw) = upstream.into_split();
                let f1 = flag.clone();
                let up = tokio::spawn(async move {
                    let mut buf = vec![0u8; 8192];
                    while let Ok(n) = cr.read(&mut buf).await {
                        if n == 0 {
                            break;
                        }
                        while f1.load(Ordering::SeqCst) {
                            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        }
                        if uw.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                });
                let mut buf = vec![0u8; 8192];
                while let Ok(n) = ur.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                    while flag.load(Ordering::SeqCst) {
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    }
                    if cw.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
                up.abort();
            });
        }
    });
    (format!("redis://{addr}"), frozen)
}

#[tokio::test]
async fn a_redis_that_never_answers_costs_each_request_at_most_the_redis_timeout() {
    if backend() != Backend::Postgres {
        // The in-process cache cannot hang; this scenario needs a Redis connection.
        return;
    }
    let (url, frozen) = freezable_redis().await;
    let app = spawn_app_with(AppOptions {
        redis_url: Some(url),
        ..Default::default()
    })
    .await;
    app.login(RESIDENT_PHONE).await;
    frozen.store(true, std::sync::atomic::Ordering::SeqCst);
    // Login consults the cache for its throttle; with Redis silent it must still answer
    // within the Redis timeout (500 ms in tests) plus the password check.
    for _ in 0..3 {
        let started = std::time::Instant::now();
        tokio::time::timeout(
            std::time::Duration::from_secs(10),
            app.login_full(RESIDENT_PHONE, DEMO_PASSWORD),
        )
        .await
        .expect("login hung on a silent Redis")
        .ok();
        assert!(
            started.elapsed() < std::time::Duration::from_millis(2_500),
            "took {:?}",
            started.elapsed()
        );
    }
}

#[tokio::test]
async fn the_audit_log_ledger_and_editions_refuse_changes_at_the_database_itself() {
    use sea_orm::{ConnectionTrait, Statement};
    let app = spawn_app_with(AppOptions {
        demo_donations: true,
        ..AppOptions::default()
    })
    .await;
    app.login(STAFF_PHONE).await;
    let db = &app.db().conn;
    let backend = app.db().backend();
    let count = |table: &'static str| async move {
        db.query_one_raw(Statement::from_string(
            backend,
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap()
    };
    let (audit, ledger) = (count("audit_log").await, count("credit_entries").await);
    assert!(audit > 0 && ledger > 0);
    for sql in [
        "UPDATE audit_log SET action = 'nothing'",
        "DELETE FROM audit_log",
        "UPDATE credit_entries SET amount = amount + 1",
        "DELETE FROM credit_entries",
    ] {
        let refused = db
            .execute_raw(Statement::from_string(backend, sql.to_owned()))
            .await;
        let message = refused.expect_err(sql).to_string();
        assert!(message.contains("append-only"), "{sql}: {message}");
    }
    assert_eq!(count("audit_log").await, audit);
    assert_eq!(count("credit_entries").await, ledger);
}

#[tokio::test]
async fn concurrent_mutations_each_get_exactly_one_audit_entry() {
    use sea_orm::{ConnectionTrait, Statement};
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let mut calls = Vec::new();
    for i in 0..30 {
        let mut input = donation_input(&app, RESIDENT_PHONE, "10.00", "2026-02-01T02:00:00Z").await;
        input["receiptNo"] = json!(format!("AUDIT-RACE-{i:03}"));
        let (app, staff) = (&app, &staff);
        calls.push(async move {
            app.gql_as(Some(staff), RECORD_DONATION, json!({ "input": input }))
                .await
                .ok()["recordDonation"]["donation"]["id"]
                .as_str()
                .unwrap()
                .to_owned()
        });
    }
    let ids = futures::future::join_all(calls).await;
    let db = &app.db().conn;
    let rows = db
        .query_all_raw(Statement::from_string(
            app.db().backend(),
            "SELECT entity_id FROM audit_log WHERE action = 'recordDonation'".to_owned(),
        ))
        .await
        .unwrap();
    let mut audited: Vec<String> = rows
        .iter()
        .map(|r| {
            r.try_get::<uuid::Uuid>("", "entity_id")
                .unwrap()
                .to_string()
        })
        .collect();
    let mut ids = ids;
    audited.sort();
    ids.sort();
    assert_eq!(
        audited, ids,
        "one entry per acknowledged donation, none lost or doubled"
    );
}
