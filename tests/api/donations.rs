//! Logging, voiding and importing donations: credits by the dated rule, idempotency, scope.

use serde_json::{Value, json};

use crate::helpers::*;

const ME_CREDITS: &str =
    "{ myCredits { balance cumulativeDonation tier { level name } nextTier { level }
    toNextTier tierExplanation perks { category description } } }";

async fn record(app: &TestApp, token: &str, input: Value) -> Gql {
    app.gql_as(Some(token), RECORD_DONATION, json!({ "input": input }))
        .await
}

#[tokio::test]
async fn credits_follow_the_rule_in_force_on_the_donation_day() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    // Seeded rules: 1 credit per 10 yuan until 2025, 1 per 5 yuan from 2026-01-01 (local).
    let before = donation_input(&app, RESIDENT_PHONE, "500.00", "2025-06-01T02:00:00Z").await;
    let after = donation_input(&app, RESIDENT_PHONE, "500.00", "2026-03-01T02:00:00Z").await;
    let edge = donation_input(&app, RESIDENT_PHONE, "99.99", "2025-12-31T15:59:59Z").await;
    let a = record(&app, &staff, before).await.ok();
    let b = record(&app, &staff, after).await.ok();
    let c = record(&app, &staff, edge).await.ok();
    assert_eq!(a["recordDonation"]["donation"]["creditsAwarded"], 50);
    assert_eq!(b["recordDonation"]["donation"]["creditsAwarded"], 100);
    // 23:59:59 on 31 Dec in Wenzhou is still under the old rule, rounded down.
    assert_eq!(c["recordDonation"]["donation"]["creditsAwarded"], 9);

    let resident = app.login(RESIDENT_PHONE).await;
    let me = app
        .gql_as(Some(&resident), ME_CREDITS, json!({}))
        .await
        .ok();
    assert_eq!(me["myCredits"]["balance"], 159);
    assert_eq!(me["myCredits"]["cumulativeDonation"], "1099.99");
    assert_eq!(
        me["myCredits"]["tier"]["level"], 2,
        "1000 yuan reaches 善行之星"
    );
    assert_eq!(me["myCredits"]["nextTier"]["level"], 3);
    assert_eq!(me["myCredits"]["toNextTier"], "3900.01");
    assert!(!me["myCredits"]["perks"].as_array().unwrap().is_empty());
    assert_ledger_consistent(&app).await;
}

#[tokio::test]
async fn the_ledger_lists_each_entry_with_its_source() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    for yuan in ["100.00", "200.00", "300.00"] {
        let input = donation_input(&app, RESIDENT_PHONE, yuan, "2026-02-01T02:00:00Z").await;
        record(&app, &staff, input).await.ok();
    }
    let resident = app.login(RESIDENT_PHONE).await;
    let query = "query($after: String) { myCredits { ledger(first: 2, after: $after) {
        edges { node { kind amount balanceAfter donation { amount receiptNo } rule { description } } }
        pageInfo { hasNextPage endCursor } } } }";
    let page1 = app.gql_as(Some(&resident), query, json!({})).await.ok();
    let ledger = &page1["myCredits"]["ledger"];
    let edges = ledger["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 2);
    assert_eq!(edges[0]["node"]["kind"], "DONATION");
    assert_eq!(
        edges[0]["node"]["donation"]["amount"], "300.00",
        "newest first"
    );
    assert_eq!(edges[0]["node"]["balanceAfter"], 120);
    assert_eq!(edges[0]["node"]["rule"]["description"], "每 5.00 元 1 积分");
    assert_eq!(ledger["pageInfo"]["hasNextPage"], true);
    let page2 = app
        .gql_as(
            Some(&resident),
            query,
            json!({ "after": ledger["pageInfo"]["endCursor"] }),
        )
        .await
        .ok();
    let rest = page2["myCredits"]["ledger"]["edges"].as_array().unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0]["node"]["donation"]["amount"], "100.00");
}

#[tokio::test]
async fn the_same_idempotency_key_returns_the_first_result() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let input = donation_input(&app, RESIDENT_PHONE, "88.00", "2026-02-01T02:00:00Z").await;
    let first = record(&app, &staff, input.clone()).await.ok();
    let again = record(&app, &staff, input.clone()).await.ok();
    assert_eq!(first["recordDonation"]["replayed"], false);
    assert_eq!(again["recordDonation"]["replayed"], true);
    assert_eq!(
        first["recordDonation"]["donation"]["id"],
        again["recordDonation"]["donation"]["id"]
    );
    let mut changed = input.clone();
    changed["amount"] = json!("99.00");
    assert_eq!(record(&app, &staff, changed).await.code(), Some("CONFLICT"));

    // Ten identical requests at once (a flaky network retrying) still make one donation.
    let racing = donation_input(&app, RESIDENT_PHONE, "10.00", "2026-02-01T02:00:00Z").await;
    let results =
        futures::future::join_all((0..10).map(|_| record(&app, &staff, racing.clone()))).await;
    let ids: std::collections::HashSet<String> = results
        .into_iter()
        .map(|r| {
            r.ok()["recordDonation"]["donation"]["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 1);
    let resident = app.login(RESIDENT_PHONE).await;
    let me = app
        .gql_as(Some(&resident), ME_CREDITS, json!({}))
        .await
        .ok();
    assert_eq!(me["myCredits"]["cumulativeDonation"], "98.00");
    assert_ledger_consistent(&app).await;
}

#[tokio::test]
async fn racing_requests_with_one_key_but_different_input_record_one_donation() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let key = new_key();
    let mut inputs = Vec::new();
    for yuan in 1..=8 {
        let mut input = donation_input(
            &app,
            RESIDENT_PHONE,
            &format!("{yuan}0.00"),
            "2026-02-01T02:00:00Z",
        )
        .await;
        input["idempotencyKey"] = json!(key);
        inputs.push(input);
    }
    let results =
        futures::future::join_all(inputs.into_iter().map(|i| record(&app, &staff, i))).await;
    let (won, lost): (Vec<_>, Vec<_>) = results.into_iter().partition(|r| r.code().is_none());
    assert_eq!(won.len(), 1, "exactly one input wins the key");
    assert!(lost.iter().all(|r| r.code() == Some("CONFLICT")));
    let amount = won[0].body["data"]["recordDonation"]["donation"]["amount"].clone();
    let resident = app.login(RESIDENT_PHONE).await;
    let me = app
        .gql_as(Some(&resident), ME_CREDITS, json!({}))
        .await
        .ok();
    assert_eq!(
        me["myCredits"]["cumulativeDonation"], amount,
        "counted once"
    );
    assert_ledger_consistent(&app).await;
}

/// Donations logged at the same moment share a transaction (group commit); each must still
/// get exactly its own answer, and the refused ones write nothing.
#[tokio::test]
async fn donations_logged_at_once_each_get_their_own_answer() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let at = "2026-02-01T02:00:00Z";
    let phones = ["13800000001", "13800000002", "18714462597", "13762242620"];
    let mut cases: Vec<(&str, Value)> = Vec::new();
    for (i, phone) in phones.iter().cycle().take(16).enumerate() {
        let yuan = format!("{}.00", 10 * (i + 1));
        cases.push(("good", donation_input(&app, phone, &yuan, at).await));
    }
    for _ in 0..3 {
        let mut bad = donation_input(&app, RESIDENT_PHONE, "5.00", at).await;
        bad["projectId"] = json!(uuid::Uuid::now_v7().to_string());
        cases.push(("bad project", bad));
    }
    // Two pairs sharing a receipt number under different keys: one of each pair wins.
    for pair in ["receipt pair A", "receipt pair B"] {
        let first = donation_input(&app, RESIDENT_PHONE, "7.00", at).await;
        let mut second = donation_input(&app, "13800000002", "8.00", at).await;
        second["receiptNo"] = first["receiptNo"].clone();
        cases.push((pair, first));
        cases.push((pair, second));
    }
    // A new phone named twice at once registers one resident.
    for yuan in ["30.00", "40.00"] {
        let mut new = donation_input(&app, "13711113333", yuan, at).await;
        new["donor"] = json!({ "resident": { "phone": "13711113333", "name": "郑新来" } });
        cases.push(("new resident", new));
    }
    // The same request twice at once: one donation, replayed to the second.
    let twice = donation_input(&app, "13762242620", "66.00", at).await;
    cases.push(("twice", twice.clone()));
    cases.push(("twice", twice));

    let answers = futures::future::join_all(
        cases
            .iter()
            .map(|(_, input)| record(&app, &staff, input.clone())),
    )
    .await;
    let mut good = 0;
    let mut pairs: std::collections::HashMap<&str, Vec<Option<String>>> = Default::default();
    let mut twice_ids = std::collections::HashSet::new();
    for ((what, input), answer) in cases.iter().zip(answers) {
        match *what {
            "good" | "new resident" => {
                let d = &answer.ok()["recordDonation"]["donation"];
                assert_eq!(d["amount"], input["amount"], "{what}: its own donation");
                assert_eq!(d["receiptNo"], input["receiptNo"]);
                good += 1;
            }
            "bad project" => assert_eq!(answer.code(), Some("BAD_USER_INPUT"), "{:?}", answer.body),
            "twice" => {
                twice_ids.insert(answer.ok()["recordDonation"]["donation"]["id"].to_string());
            }
            pair => pairs
                .entry(pair)
                .or_default()
                .push(answer.code().map(str::to_owned)),
        }
    }
    assert_eq!(good, 18);
    assert_eq!(twice_ids.len(), 1, "a repeated request is one donation");
    for (pair, codes) in pairs {
        let mut codes = codes.clone();
        codes.sort();
        assert_eq!(
            codes,
            vec![None, Some("CONFLICT".to_owned())],
            "{pair}: one receipt, one donation"
        );
    }
    let stored = sql_i64(&app, "SELECT COUNT(*) FROM donations", vec![]).await;
    assert_eq!(
        stored,
        18 + 2 + 1,
        "good ones, one of each pair, one of the twice"
    );
    let registered = sql_i64(
        &app,
        "SELECT COUNT(*) FROM residents WHERE phone = ?",
        vec!["13711113333".into()],
    )
    .await;
    assert_eq!(registered, 1);
    // Every donor's cumulative total equals its confirmed donations.
    let off = sql_i64(
        &app,
        "SELECT COUNT(*) FROM donors d WHERE d.cumulative_donation_fen <> \
         (SELECT COALESCE(SUM(x.amount_fen), 0) FROM donations x \
          WHERE x.donor_id = d.id AND x.status = 'CONFIRMED')",
        vec![],
    )
    .await;
    assert_eq!(off, 0);
    assert_ledger_consistent(&app).await;
}

/// A receipt taken by another writer after the batch looked receipts up makes the database
/// refuse the whole shared transaction (PostgreSQL: the unique index, once the other writer
/// commits; SQLite: the other writer holds the file until then). Only that donation fails;
/// the others of its batch are recorded.
#[tokio::test]
async fn a_receipt_taken_meanwhile_fails_only_its_own_donation() {
    use sea_orm::{ConnectionTrait, Statement, TransactionTrait};
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let at = "2026-02-01T02:00:00Z";
    let seed = record(
        &app,
        &staff,
        donation_input(&app, RESIDENT_PHONE, "1.00", at).await,
    )
    .await
    .ok();
    let seed_id = seed["recordDonation"]["donation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let taken = format!("TAKEN-{}", &new_key()[..8]);
    let other = app.db().conn.begin().await.unwrap();
    let backend = app.db().backend();
    let copy = "INSERT INTO donations (id, org_id, project_id, campaign_id, donor_id, walk_in_name, \
        donor_kind, town_id, kind, amount_fen, goods_description, goods_quantity, channel, \
        funding_source, donated_at, receipt_no, visibility, status, credits_awarded, \
        credit_rule_id, void_reason, voided_at, voided_by, recorded_by, verification_code, \
        created_at) SELECT $1, org_id, project_id, campaign_id, NULL, 'x', NULL, town_id, kind, \
        amount_fen, goods_description, goods_quantity, channel, funding_source, donated_at, $2, \
        visibility, status, 0, NULL, void_reason, voided_at, voided_by, recorded_by, $3, \
        created_at FROM donations WHERE id = $4";
    other
        .execute_raw(Statement::from_sql_and_values(
            backend,
            copy,
            [
                uuid::Uuid::now_v7().into(),
                taken.clone().into(),
                "TAKENMEANWHILE".into(),
                uuid::Uuid::parse_str(&seed_id).unwrap().into(),
            ],
        ))
        .await
        .unwrap();
    let mut clash = donation_input(&app, RESIDENT_PHONE, "2.00", at).await;
    clash["receiptNo"] = json!(taken);
    let mut inputs = vec![clash];
    for yuan in ["3.00", "4.00", "5.00"] {
        inputs.push(donation_input(&app, "13800000002", yuan, at).await);
    }
    let (answers, ()) = futures::future::join(
        futures::future::join_all(inputs.into_iter().map(|i| record(&app, &staff, i))),
        async {
            tokio::time::sleep(std::time::Duration::from_millis(400)).await;
            other.commit().await.unwrap();
        },
    )
    .await;
    assert_eq!(answers[0].code(), Some("CONFLICT"), "{:?}", answers[0].body);
    for a in answers.into_iter().skip(1) {
        assert_eq!(a.ok()["recordDonation"]["replayed"], false);
    }
    let theirs = sql_i64(
        &app,
        "SELECT COUNT(*) FROM donations WHERE receipt_no = ?",
        vec![taken.into()],
    )
    .await;
    assert_eq!(theirs, 1, "the other writer's row, and no second one");
    // Whether written by the batch or one by one after it was refused, each acknowledged
    // donation has its audit entry and the refused one has none.
    let audited = sql_i64(
        &app,
        "SELECT COUNT(*) FROM audit_log a JOIN donations d ON d.id = a.entity_id \
         WHERE a.action = 'recordDonation'",
        vec![],
    )
    .await;
    let entries = sql_i64(
        &app,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'recordDonation'",
        vec![],
    )
    .await;
    assert_eq!((audited, entries), (4, 4), "the seed and the three written");
    assert_ledger_consistent(&app).await;
}

#[tokio::test]
async fn a_used_receipt_registers_nobody() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let at = "2026-02-01T02:00:00Z";
    let first = donation_input(&app, RESIDENT_PHONE, "1.00", at).await;
    let receipt = first["receiptNo"].clone();
    record(&app, &staff, first).await.ok();
    // Logged at once, so they share a batch: the one naming a new resident reuses the receipt.
    let mut reuse = donation_input(&app, RESIDENT_PHONE, "2.00", at).await;
    reuse["receiptNo"] = receipt;
    reuse["donor"] = json!({ "resident": { "phone": "13711119999", "name": "郑未记" } });
    let mut inputs = vec![reuse];
    for yuan in ["3.00", "4.00"] {
        inputs.push(donation_input(&app, "13800000002", yuan, at).await);
    }
    let answers =
        futures::future::join_all(inputs.into_iter().map(|i| record(&app, &staff, i))).await;
    assert_eq!(answers[0].code(), Some("CONFLICT"), "{:?}", answers[0].body);
    for a in answers.into_iter().skip(1) {
        assert_eq!(a.ok()["recordDonation"]["replayed"], false);
    }
    let registered = sql_i64(
        &app,
        "SELECT COUNT(*) FROM residents WHERE phone = ?",
        vec!["13711119999".into()],
    )
    .await;
    assert_eq!(registered, 0, "the refused donation registered its donor");
    assert_ledger_consistent(&app).await;
}

#[tokio::test]
async fn bad_donations_are_refused_with_codes_and_write_nothing() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let base = donation_input(&app, RESIDENT_PHONE, "10.00", "2026-02-01T02:00:00Z").await;
    let cases: Vec<(&str, Value, &str)> = vec![
        ("zero amount", json!("0.00"), "amount"),
        ("three decimals", json!("1.234"), "amount"),
        ("a float", json!(12.5), "amount"),
        ("future date", json!("2099-01-01T00:00:00Z"), "donatedAt"),
        (
            "bad phone",
            json!({ "resident": { "phone": "12345" } }),
            "donor",
        ),
        (
            "unknown resident",
            json!({ "resident": { "phone": "13711112222" } }),
            "donor",
        ),
        ("bad receipt", json!("收据 1"), "receiptNo"),
    ];
    for (what, value, field) in cases {
        let mut input = base.clone();
        input["idempotencyKey"] = json!(new_key());
        input[field] = value;
        let resp = record(&app, &staff, input).await;
        assert_eq!(
            resp.code(),
            Some("BAD_USER_INPUT"),
            "{what}: {:?}",
            resp.body
        );
    }
    let mut goods = base.clone();
    goods["kind"] = json!("GOODS");
    assert_eq!(
        record(&app, &staff, goods).await.code(),
        Some("BAD_USER_INPUT")
    );

    let resident = app.login(RESIDENT_PHONE).await;
    let me = app
        .gql_as(Some(&resident), ME_CREDITS, json!({}))
        .await
        .ok();
    assert_eq!(
        me["myCredits"]["cumulativeDonation"], "0.00",
        "nothing written"
    );

    record(&app, &staff, base.clone()).await.ok();
    let mut same_receipt = base.clone();
    same_receipt["idempotencyKey"] = json!(new_key());
    assert_eq!(
        record(&app, &staff, same_receipt).await.code(),
        Some("CONFLICT")
    );
}

#[tokio::test]
async fn a_new_phone_with_a_name_registers_the_resident() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let mut input = donation_input(&app, "13711112222", "50.00", "2026-02-01T02:00:00Z").await;
    input["donor"] = json!({ "resident": { "phone": "13711112222", "name": "王小海" } });
    let d = record(&app, &staff, input).await.ok();
    assert_eq!(d["recordDonation"]["donation"]["creditsAwarded"], 10);
    let walk_in = {
        let mut i = donation_input(&app, RESIDENT_PHONE, "20.00", "2026-02-01T02:00:00Z").await;
        i["donor"] = json!({ "walkIn": { "name": "路过的好心人" } });
        i
    };
    let w = record(&app, &staff, walk_in).await.ok();
    assert_eq!(
        w["recordDonation"]["donation"]["creditsAwarded"], 0,
        "walk-ins earn nothing"
    );
    assert_ledger_consistent(&app).await;
}

#[tokio::test]
async fn staff_cannot_log_or_void_for_another_org_and_residents_cannot_log_at_all() {
    let app = spawn_app().await;
    let federation_staff = app.login(STAFF_PHONE).await;
    let other_staff = app.login(OTHER_STAFF_PHONE).await;
    let resident = app.login(RESIDENT_PHONE).await;
    let input = donation_input(&app, RESIDENT_PHONE, "10.00", "2026-02-01T02:00:00Z").await;
    assert_eq!(
        record(&app, &other_staff, input.clone()).await.code(),
        Some("FORBIDDEN")
    );
    assert_eq!(
        record(&app, &resident, input.clone()).await.code(),
        Some("FORBIDDEN")
    );
    assert_eq!(
        record(&app, "", input.clone()).await.code(),
        Some("UNAUTHENTICATED")
    );

    let d = record(&app, &federation_staff, input).await.ok();
    let id = d["recordDonation"]["donation"]["id"].clone();
    let void = "mutation($id: ID!, $k: String!) { voidDonation(id: $id, reason: \"错录\", idempotencyKey: $k) { donation { status } } }";
    let resp = app
        .gql_as(
            Some(&other_staff),
            void,
            json!({ "id": id, "k": new_key() }),
        )
        .await;
    assert_eq!(resp.code(), Some("FORBIDDEN"));
    let list = app
        .gql_as(
            Some(&other_staff),
            "query($org: ID) { donations(orgId: $org) { edges { node { id } } } }",
            json!({ "org": org_id(&app, FEDERATION).await }),
        )
        .await;
    assert_eq!(list.code(), Some("FORBIDDEN"));
    let seen = app
        .gql_as(
            Some(&federation_staff),
            "{ donations { edges { node { id status donorName } } } }",
            json!({}),
        )
        .await
        .ok();
    assert_eq!(seen["donations"]["edges"][0]["node"]["status"], "CONFIRMED");
    assert_eq!(seen["donations"]["edges"][0]["node"]["donorName"], "陈晓明");
}

#[tokio::test]
async fn a_void_after_spending_leaves_a_negative_balance_that_blocks_redemption() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let input = donation_input(&app, RESIDENT_PHONE, "1000.00", "2026-02-01T02:00:00Z").await;
    let d = record(&app, &staff, input).await.ok();
    let donation_id = d["recordDonation"]["donation"]["id"].clone();
    let resident = app.login(RESIDENT_PHONE).await;
    let reward = cheapest_reward(&app).await;
    let redeemed = redeem(&app, &resident, &reward, 1).await.ok();
    let spent = redeemed["redeemReward"]["redemption"]["creditsSpent"]
        .as_i64()
        .unwrap();
    assert!(spent > 0);

    let void = "mutation($id: ID!, $k: String!) { voidDonation(id: $id, reason: \"重复录入\", idempotencyKey: $k) {
        donation { status voidReason } } }";
    let v = app
        .gql_as(
            Some(&staff),
            void,
            json!({ "id": donation_id, "k": new_key() }),
        )
        .await
        .ok();
    assert_eq!(v["voidDonation"]["donation"]["status"], "VOIDED");
    let again = app
        .gql_as(
            Some(&staff),
            void,
            json!({ "id": donation_id, "k": new_key() }),
        )
        .await;
    assert_eq!(again.code(), Some("CONFLICT"), "voided once only");

    let me = app
        .gql_as(Some(&resident), ME_CREDITS, json!({}))
        .await
        .ok();
    assert_eq!(me["myCredits"]["balance"], -spent);
    assert_eq!(me["myCredits"]["cumulativeDonation"], "0.00");
    assert!(me["myCredits"]["tier"].is_null(), "a void demotes");
    assert_eq!(
        redeem(&app, &resident, &reward, 1).await.code(),
        Some("CONFLICT"),
        "no redemption while the balance is negative"
    );
    let ledger = app
        .gql_as(
            Some(&resident),
            "{ myCredits { ledger { edges { node { kind amount } } } } }",
            json!({}),
        )
        .await
        .ok();
    let kinds: Vec<&str> = ledger["myCredits"]["ledger"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["REVERSAL", "REDEMPTION", "DONATION"]);
    assert_ledger_consistent(&app).await;
}

pub async fn cheapest_reward(app: &TestApp) -> String {
    let data = app
        .gql(
            "{ rewards(first: 100) { edges { node { id creditPrice } } } }",
            json!({}),
        )
        .await
        .ok();
    data["rewards"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .min_by_key(|e| e["node"]["creditPrice"].as_i64().unwrap())
        .unwrap()["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub async fn redeem(app: &TestApp, token: &str, reward: &str, quantity: i32) -> Gql {
    app.gql_as(
        Some(token),
        "mutation($r: ID!, $q: Int!, $k: String!) { redeemReward(rewardId: $r, quantity: $q, idempotencyKey: $k) {
            replayed redemption { id pickupCode creditsSpent status } } }",
        json!({ "r": reward, "q": quantity, "k": new_key() }),
    )
    .await
}

#[tokio::test]
async fn receipts_and_yearly_statements_can_be_checked_by_anyone() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let input = donation_input(&app, RESIDENT_PHONE, "300.00", "2026-02-01T02:00:00Z").await;
    let d = record(&app, &staff, input).await.ok();
    let code = d["recordDonation"]["donation"]["verificationCode"].clone();
    let check = app
        .gql(
            "query($c: String!) { verifyReceipt(code: $c) { orgName amount status } }",
            json!({ "c": code }),
        )
        .await
        .ok();
    assert_eq!(check["verifyReceipt"]["amount"], "300.00");
    assert_eq!(check["verifyReceipt"]["orgName"], FEDERATION);
    let forged = app
        .gql(
            "{ verifyReceipt(code: \"AAAAAAAAAAAA\") { amount } }",
            json!({}),
        )
        .await
        .ok();
    assert!(forged["verifyReceipt"].is_null());

    let resident = app.login(RESIDENT_PHONE).await;
    let receipt = app
        .gql_as(
            Some(&resident),
            "{ myCredits { donations { edges { node { receiptHtml } } } yearlyStatement(year: 2026) { total verificationCode html } } }",
            json!({}),
        )
        .await
        .ok();
    let html = receipt["myCredits"]["donations"]["edges"][0]["node"]["receiptHtml"]
        .as_str()
        .unwrap();
    assert!(html.contains("300.00") && html.contains(code.as_str().unwrap()));
    let statement = &receipt["myCredits"]["yearlyStatement"];
    assert_eq!(statement["total"], "300.00");
    let st_code = statement["verificationCode"].clone();
    let verify =
        "query($c: String!) { verifyStatement(code: $c) { donorName total stillCurrent } }";
    let checked = app.gql(verify, json!({ "c": st_code })).await.ok();
    assert_eq!(checked["verifyStatement"]["donorName"], "陈*明");
    assert_eq!(checked["verifyStatement"]["stillCurrent"], true);
}

#[tokio::test]
async fn the_audit_log_tells_replays_from_the_change_they_repeat() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let admin = app.login(ADMIN_PHONE).await;
    let input = donation_input(&app, RESIDENT_PHONE, "66.00", "2026-12-01T10:00:00+08:00").await;
    // Five at once (they share a batch) and five one after another.
    let at_once = (0..5).map(|_| {
        app.gql_as(
            Some(&staff),
            RECORD_DONATION,
            json!({ "input": input.clone() }),
        )
    });
    futures::future::join_all(at_once).await;
    let mut id = Value::Null;
    for _ in 0..5 {
        let done = app
            .gql_as(
                Some(&staff),
                RECORD_DONATION,
                json!({ "input": input.clone() }),
            )
            .await
            .ok();
        id = done["recordDonation"]["donation"]["id"].clone();
    }
    let void = "mutation($id: ID!, $k: String!) { voidDonation(id: $id, reason: \"错录\", idempotencyKey: $k) { replayed } }";
    let key = new_key();
    for _ in 0..3 {
        app.gql_as(Some(&staff), void, json!({ "id": id, "k": key }))
            .await
            .ok();
    }
    let log = |action: &'static str| {
        let admin = admin.clone();
        let app = &app;
        async move {
            let data = app
                .gql_as(
                    Some(&admin),
                    "query($a: String) { auditLog(first: 50, action: $a) { edges { node { entityId replayed } } } }",
                    json!({ "a": action }),
                )
                .await
                .ok();
            data["auditLog"]["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    (
                        e["node"]["entityId"].clone(),
                        e["node"]["replayed"].as_bool().unwrap(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let recorded = log("recordDonation").await;
    assert_eq!(recorded.len(), 10, "every answer is logged");
    assert!(recorded.iter().all(|(entity, _)| *entity == id));
    assert_eq!(recorded.iter().filter(|(_, replayed)| !replayed).count(), 1);
    let voided = log("voidDonation").await;
    assert_eq!(voided.len(), 3);
    assert_eq!(voided.iter().filter(|(_, replayed)| !replayed).count(), 1);
}

#[tokio::test]
async fn the_librarys_input_errors_name_the_field_without_type_names() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let mut input =
        donation_input(&app, RESIDENT_PHONE, "12.345", "2026-12-01T10:00:00+08:00").await;
    let money = app
        .gql_as(
            Some(&staff),
            RECORD_DONATION,
            json!({ "input": input.clone() }),
        )
        .await;
    let error = &money.body["errors"][0];
    assert_eq!(error["extensions"]["field"], "amount", "{error}");
    let message = error["message"].as_str().unwrap();
    assert!(
        !message.contains("Money") && !message.contains("RecordDonationInput"),
        "{message}"
    );
    assert!(message.contains("1234.50"), "{message}");

    input["amount"] = json!("12.34");
    input["donor"] = json!({ "resident": { "phone": RESIDENT_PHONE }, "walkIn": {} });
    let one_of = app
        .gql_as(
            Some(&staff),
            RECORD_DONATION,
            json!({ "input": input.clone() }),
        )
        .await;
    let error = &one_of.body["errors"][0];
    assert_eq!(error["extensions"]["field"], "donor", "{error}");
    assert!(error["message"].as_str().unwrap().contains("exactly one"));

    let missing = app
        .gql_as(
            Some(&staff),
            "mutation { createReward(input: { name: \"x\", stock: 1 }) { id } }",
            json!({}),
        )
        .await;
    let error = &missing.body["errors"][0];
    assert_eq!(error["extensions"]["field"], "creditPrice", "{error}");
    assert_eq!(error["message"], "creditPrice is required");
    assert_eq!(donation_count_all(&app).await, 0);
}

async fn donation_count_all(app: &TestApp) -> i64 {
    sql_i64(
        app,
        "SELECT COUNT(*) FROM donations WHERE receipt_no LIKE 'T-%'",
        vec![],
    )
    .await
}

#[tokio::test]
async fn staff_see_whose_phone_it_is_before_recording() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let q = "query($p: String!) { donorPreview(phone: $p) { maskedName phone } }";
    let known = app
        .gql_as(Some(&staff), q, json!({ "p": RESIDENT_PHONE }))
        .await
        .ok();
    assert_eq!(
        known["donorPreview"],
        json!({ "maskedName": "陈*明", "phone": "138****0001" })
    );
    let unknown = app
        .gql_as(Some(&staff), q, json!({ "p": "13712349999" }))
        .await
        .ok();
    assert!(unknown["donorPreview"].is_null());
    let bad = app.gql_as(Some(&staff), q, json!({ "p": "123" })).await;
    assert_eq!(bad.body["errors"][0]["extensions"]["field"], "phone");
    let resident = app.login(RESIDENT_PHONE).await;
    let refused = app
        .gql_as(Some(&resident), q, json!({ "p": RESIDENT_PHONE }))
        .await;
    assert_eq!(refused.code(), Some("FORBIDDEN"));
}
