//! 积分兑换 under contention: stock and balances never go below zero.

use serde_json::json;

use crate::{donations::redeem, helpers::*};

async fn fund(app: &TestApp, phone: &str, yuan: &str) {
    let staff = app.login(STAFF_PHONE).await;
    let input = donation_input(app, phone, yuan, "2026-02-01T02:00:00Z").await;
    app.gql_as(Some(&staff), RECORD_DONATION, json!({ "input": input }))
        .await
        .ok();
}

async fn create_reward(app: &TestApp, price: i64, stock: i64, limit: i32) -> String {
    let staff = app.login(STAFF_PHONE).await;
    let data = app
        .gql_as(
            Some(&staff),
            "mutation($p: Int!, $s: Int!, $l: Int!) { createReward(input: { name: \"测试大米\", creditPrice: $p, stock: $s, perPersonLimit: $l }) { id stock } }",
            json!({ "p": price, "s": stock, "l": limit }),
        )
        .await
        .ok();
    data["createReward"]["id"].as_str().unwrap().to_owned()
}

async fn stock_of(app: &TestApp, reward: &str) -> i64 {
    use sea_orm::EntityTrait;
    api::entities::reward::Entity::find_by_id(uuid::Uuid::parse_str(reward).unwrap())
        .one(&app.db().conn)
        .await
        .unwrap()
        .unwrap()
        .stock
}

#[tokio::test]
async fn fifty_concurrent_redemptions_of_ten_units_succeed_exactly_ten_times() {
    let app = spawn_app().await;
    let phones = ["13800000001", "13800000002"];
    let mut tokens = Vec::new();
    for phone in phones {
        fund(&app, phone, "5000.00").await;
        tokens.push(resident_token(&app, phone).await);
    }
    let reward = create_reward(&app, 10, 10, 100).await;
    let attempts = (0..50).map(|i| redeem(&app, &tokens[i % tokens.len()], &reward, 1));
    let results = futures::future::join_all(attempts).await;
    let succeeded = results.iter().filter(|r| r.code().is_none()).count();
    let refused: Vec<_> = results.iter().filter_map(|r| r.code()).collect();
    assert_eq!(succeeded, 10, "refusals: {refused:?}");
    assert!(refused.iter().all(|c| *c == "CONFLICT"));
    assert_eq!(stock_of(&app, &reward).await, 0);
    assert_ledger_consistent(&app).await;
}

#[tokio::test]
async fn twenty_concurrent_redemptions_of_the_last_credits_never_overspend() {
    let app = spawn_app().await;
    // 500 yuan at 1 credit / 5 yuan = exactly 100 credits: enough for 10 at 10 each.
    fund(&app, RESIDENT_PHONE, "500.00").await;
    let token = app.login(RESIDENT_PHONE).await;
    let reward = create_reward(&app, 10, 1000, 1000).await;
    let results =
        futures::future::join_all((0..20).map(|_| redeem(&app, &token, &reward, 1))).await;
    let succeeded = results.iter().filter(|r| r.code().is_none()).count();
    assert_eq!(succeeded, 10);
    let me = app
        .gql_as(Some(&token), "{ myCredits { balance } }", json!({}))
        .await
        .ok();
    assert_eq!(me["myCredits"]["balance"], 0);
    assert_eq!(stock_of(&app, &reward).await, 990);
    assert_ledger_consistent(&app).await;
}

#[tokio::test]
async fn the_per_person_limit_holds_under_concurrency() {
    let app = spawn_app().await;
    fund(&app, RESIDENT_PHONE, "5000.00").await;
    let token = app.login(RESIDENT_PHONE).await;
    let reward = create_reward(&app, 1, 100, 2).await;
    let results =
        futures::future::join_all((0..10).map(|_| redeem(&app, &token, &reward, 1))).await;
    assert_eq!(results.iter().filter(|r| r.code().is_none()).count(), 2);
    assert_ledger_consistent(&app).await;
}

#[tokio::test]
async fn pickup_fulfils_once_and_cancelling_returns_stock_and_credits() {
    let app = spawn_app().await;
    fund(&app, RESIDENT_PHONE, "500.00").await;
    let token = app.login(RESIDENT_PHONE).await;
    let reward = create_reward(&app, 30, 5, 5).await;
    let first = redeem(&app, &token, &reward, 1).await.ok();
    let code = first["redeemReward"]["redemption"]["pickupCode"].clone();
    let staff = app.login(STAFF_PHONE).await;
    let other_staff = app.login(OTHER_STAFF_PHONE).await;
    // The counter sees what the code is for before handing anything over.
    let preview = "query($c: String!) { redemptionByPickupCode(pickupCode: $c) { status quantity redeemerName reward { name } } }";
    let seen = app
        .gql_as(Some(&staff), preview, json!({ "c": code }))
        .await
        .ok();
    assert_eq!(seen["redemptionByPickupCode"]["status"], "PENDING");
    assert_eq!(seen["redemptionByPickupCode"]["redeemerName"], "陈*明");
    let elsewhere = app
        .gql_as(Some(&other_staff), preview, json!({ "c": code }))
        .await;
    assert_eq!(elsewhere.code(), Some("FORBIDDEN"));
    let unknown = app
        .gql_as(Some(&staff), preview, json!({ "c": "NOPE-0000" }))
        .await;
    assert_eq!(
        unknown.body["errors"][0]["extensions"]["field"],
        "pickupCode"
    );
    let fulfil = "mutation($c: String!) { fulfilRedemption(pickupCode: $c) { status } }";
    assert_eq!(
        app.gql_as(Some(&other_staff), fulfil, json!({ "c": code }))
            .await
            .code(),
        Some("FORBIDDEN"),
        "another org's staff cannot fulfil"
    );
    let done = app
        .gql_as(Some(&staff), fulfil, json!({ "c": code }))
        .await
        .ok();
    assert_eq!(done["fulfilRedemption"]["status"], "FULFILLED");
    assert_eq!(
        app.gql_as(Some(&staff), fulfil, json!({ "c": code }))
            .await
            .code(),
        Some("CONFLICT")
    );

    let second = redeem(&app, &token, &reward, 2).await.ok();
    let id = second["redeemReward"]["redemption"]["id"].clone();
    assert_eq!(stock_of(&app, &reward).await, 2);
    let cancel = "mutation($id: ID!) { cancelRedemption(id: $id) { status } }";
    // Another resident is told it is not theirs, another org's staff whose it is.
    let stranger = resident_tokens(&app, 1).await.remove(0).2;
    let refused = app
        .gql_as(Some(&stranger), cancel, json!({ "id": id }))
        .await;
    assert_eq!(refused.code(), Some("FORBIDDEN"));
    let message = refused.body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("not your redemption"), "{message}");
    let refused = app
        .gql_as(Some(&other_staff), cancel, json!({ "id": id }))
        .await;
    assert!(
        refused.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("only its staff can cancel it")
    );
    let cancelled = app
        .gql_as(Some(&token), cancel, json!({ "id": id }))
        .await
        .ok();
    assert_eq!(cancelled["cancelRedemption"]["status"], "CANCELLED");
    assert_eq!(stock_of(&app, &reward).await, 4);
    let me = app
        .gql_as(Some(&token), "{ myCredits { balance } }", json!({}))
        .await
        .ok();
    assert_eq!(
        me["myCredits"]["balance"], 70,
        "100 earned, 30 spent, 60 refunded"
    );
    assert_eq!(
        app.gql_as(Some(&token), cancel, json!({ "id": id }))
            .await
            .code(),
        Some("CONFLICT")
    );
    assert_ledger_consistent(&app).await;
}

#[tokio::test]
async fn only_the_bureau_sets_rules_and_tiers() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let admin = app.login(ADMIN_PHONE).await;
    let add_rule = "mutation($d: NaiveDate!) { addCreditRule(kind: DONATION_RESIDENT, credits: 2, perUnits: 1000, effectiveFrom: $d) { description } }";
    assert_eq!(
        app.gql_as(Some(&staff), add_rule, json!({ "d": "2099-01-01" }))
            .await
            .code(),
        Some("FORBIDDEN")
    );
    assert_eq!(
        app.gql_as(Some(&admin), add_rule, json!({ "d": "2020-01-01" }))
            .await
            .code(),
        Some("BAD_USER_INPUT"),
        "past donations keep their rule"
    );
    let ok = app
        .gql_as(Some(&admin), add_rule, json!({ "d": "2099-01-01" }))
        .await
        .ok();
    assert_eq!(ok["addCreditRule"]["description"], "每 10.00 元 2 积分");
    let tier = "mutation($t: Money!) { setCreditTier(input: { donorKind: RESIDENT, level: 2, name: \"善行之星\", threshold: $t,
        benefits: [{ category: PARKING, description: \"免费停车\" }] }) { level threshold benefits { category } } }";
    assert_eq!(
        app.gql_as(Some(&admin), tier, json!({ "t": "50.00" }))
            .await
            .code(),
        Some("BAD_USER_INPUT"),
        "thresholds rise with the level"
    );
    let set = app
        .gql_as(Some(&admin), tier, json!({ "t": "2000.00" }))
        .await
        .ok();
    assert_eq!(set["setCreditTier"]["threshold"], "2000.00");
    let tiers = app
        .gql(
            "{ creditTiers(donorKind: RESIDENT) { level threshold } }",
            json!({}),
        )
        .await
        .ok();
    assert_eq!(tiers["creditTiers"][1]["threshold"], "2000.00");
}

#[tokio::test]
async fn a_reward_that_ended_before_it_is_listed_is_refused() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let before = sql_i64(&app, "SELECT COUNT(*) FROM rewards", vec![]).await;
    let yesterday = (chrono::Utc::now() - chrono::Duration::days(1)).to_rfc3339();
    let refused = app
        .gql_as(
            Some(&staff),
            "mutation($until: DateTime!) { createReward(input: { name: \"过期大米\", creditPrice: 10, stock: 5, perPersonLimit: 1, validUntil: $until }) { id } }",
            json!({ "until": yesterday }),
        )
        .await;
    assert_eq!(refused.code(), Some("BAD_USER_INPUT"), "{}", refused.body);
    assert_eq!(
        refused.body["errors"][0]["extensions"]["field"],
        "validUntil"
    );
    let after = sql_i64(&app, "SELECT COUNT(*) FROM rewards", vec![]).await;
    assert_eq!(before, after, "nothing written");
}

#[tokio::test]
async fn a_rule_added_today_starts_when_it_is_added_not_at_midnight() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let admin = app.login(ADMIN_PHONE).await;
    let earlier = (chrono::Utc::now() - chrono::Duration::minutes(2)).to_rfc3339();
    let give = |at: String| {
        let (app, staff) = (&app, &staff);
        async move {
            let input = donation_input(app, RESIDENT_PHONE, "100.00", &at).await;
            app.gql_as(Some(staff), RECORD_DONATION, json!({ "input": input }))
                .await
                .ok()["recordDonation"]["donation"]["creditsAwarded"]
                .as_i64()
                .unwrap()
        }
    };
    let before = give(earlier.clone()).await;

    let today = chrono::Utc::now()
        .with_timezone(&api::district_time::DISTRICT_TZ)
        .date_naive()
        .to_string();
    app.gql_as(
        Some(&admin),
        "mutation($d: NaiveDate!) { addCreditRule(kind: DONATION_RESIDENT, credits: 50, perUnits: 100, effectiveFrom: $d) { id } }",
        json!({ "d": today }),
    )
    .await
    .ok();

    // The same gift at the same time earns what it earned before the rule was added ...
    assert_eq!(
        give(earlier).await,
        before,
        "today's earlier gifts keep their rule"
    );
    // ... and one made after it earns under the new rule: 100.00 yuan at 50 per 1.00 yuan.
    let after = give(chrono::Utc::now().to_rfc3339()).await;
    assert_eq!(after, 5_000);
    assert_ledger_consistent(&app).await;
}
