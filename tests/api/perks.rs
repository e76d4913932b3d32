//! 礼遇: partners, perks, claiming vouchers within quota and honouring them exactly once.

use api::entities::{enums::VoucherStatus, perk_voucher};
use chrono::{TimeDelta, Utc};
use futures::future::join_all;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};

use crate::helpers::*;

const BANK_PERK: &str = "借记卡免年费及小额账户管理费";
const LOAN_PERK: &str = "共富信用贷利率优惠";
const VOUCHER: &str = "id code status issuedAt expiresAt honouredAt perk { title }";

async fn perk_id(app: &TestApp, title: &str) -> String {
    let perks = app
        .gql(
            "{ perks(first: 100) { edges { node { id title } } } }",
            json!({}),
        )
        .await
        .ok();
    perks["perks"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["title"] == title)
        .unwrap_or_else(|| panic!("no perk {title}"))["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn claim(app: &TestApp, token: &str, perk: &str, key: &str) -> crate::helpers::Gql {
    app.gql_as(
        Some(token),
        &format!("mutation($p: ID!, $k: String!) {{ claimPerk(perkId: $p, idempotencyKey: $k) {{ {VOUCHER} }} }}"),
        json!({ "p": perk, "k": key }),
    )
    .await
}

async fn honour(app: &TestApp, token: &str, code: &str) -> crate::helpers::Gql {
    app.gql_as(
        Some(token),
        &format!("mutation($c: String!) {{ honourVoucher(code: $c) {{ {VOUCHER} }} }}"),
        json!({ "c": code }),
    )
    .await
}

async fn lookup(app: &TestApp, token: &str, code: &str) -> crate::helpers::Gql {
    app.gql_as(
        Some(token),
        "query($c: String!) { voucher(code: $c) { code status residentNameMasked perk { title } } }",
        json!({ "c": code }),
    )
    .await
}

async fn voucher_row(app: &TestApp, code: &str) -> perk_voucher::Model {
    perk_voucher::Entity::find()
        .filter(perk_voucher::Column::Code.eq(code))
        .one(&app.db().conn)
        .await
        .unwrap()
        .unwrap()
}

/// A perk of the partner staff's own partner, open to every resident.
async fn open_perk(app: &TestApp, partner_staff: &str, quota: i32) -> String {
    let created = app
        .gql_as(
            Some(partner_staff),
            "mutation($input: PerkInput!) { createPerk(input: $input) { id requirement active } }",
            json!({ "input": {
                "title": "网点咖啡一杯",
                "description": "凭礼遇券在营业网点领取咖啡一杯",
                "monthlyQuota": quota,
                "voucherValidMinutes": 10,
            } }),
        )
        .await
        .ok();
    assert_eq!(created["createPerk"]["requirement"], "所有居民");
    created["createPerk"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_voucher_honoured_twice_concurrently_succeeds_once() {
    let app = spawn_app().await;
    let resident = app.login(RESIDENT_PHONE).await;
    let partner = app.login(PARTNER_PHONE).await;
    let admin = app.login(ADMIN_PHONE).await;
    let perk = perk_id(&app, BANK_PERK).await;
    let voucher = claim(&app, &resident, &perk, "claim-bank-0001").await.ok();
    let code = voucher["claimPerk"]["code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 12);
    assert_eq!(voucher["claimPerk"]["status"], "ISSUED");

    // Looked up first: what it grants and to whom, name masked.
    let seen = lookup(&app, &partner, &code.to_lowercase()).await.ok();
    assert_eq!(seen["voucher"]["residentNameMasked"], "陈*明");
    assert_eq!(seen["voucher"]["perk"]["title"], BANK_PERK);
    assert_eq!(seen["voucher"]["status"], "ISSUED");

    let results = join_all((0..10).map(|_| honour(&app, &partner, &code))).await;
    let ok = results.iter().filter(|r| r.code().is_none()).count();
    let conflicts = results
        .iter()
        .filter(|r| r.code() == Some("CONFLICT"))
        .count();
    assert_eq!((ok, conflicts), (1, 9), "honoured exactly once");
    assert_eq!(honour(&app, &partner, &code).await.code(), Some("CONFLICT"));
    let row = voucher_row(&app, &code).await;
    assert_eq!(row.status, VoucherStatus::Honoured);
    assert!(row.honoured_by.is_some());
    assert_eq!(
        lookup(&app, &partner, &code).await.ok()["voucher"]["status"],
        "HONOURED"
    );

    // Each honour is one 礼遇受益人次.
    let counts = app
        .gql_as(
            Some(&admin),
            "{ perkBeneficiaries { total partners { partner { name } honours } } }",
            json!({}),
        )
        .await
        .ok();
    assert_eq!(counts["perkBeneficiaries"]["total"], 1);
    let bank = counts["perkBeneficiaries"]["partners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["partner"]["name"] == "洞头农商银行")
        .unwrap();
    assert_eq!(bank["honours"], 1);
    let own = app
        .gql_as(
            Some(&partner),
            "{ perkBeneficiaries { total partners { honours } } }",
            json!({}),
        )
        .await
        .ok();
    assert_eq!(
        own["perkBeneficiaries"]["partners"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_ledger_consistent(&app).await;
}

#[tokio::test]
async fn a_perks_monthly_quota_holds_under_concurrent_claims() {
    let app = spawn_app().await;
    let partner = app.login(PARTNER_PHONE).await;
    let perk = open_perk(&app, &partner, 3).await;
    let residents = resident_tokens(&app, 20).await;

    let results = join_all(residents.iter().enumerate().map(|(i, (_, _, token))| {
        let perk = perk.clone();
        let app = &app;
        async move { claim(app, token, &perk, &format!("quota-claim-{i:04}")).await }
    }))
    .await;
    let ok = results.iter().filter(|r| r.code().is_none()).count();
    let conflicts = results
        .iter()
        .filter(|r| r.code() == Some("CONFLICT"))
        .count();
    assert_eq!((ok, conflicts), (3, 17));
    let issued = perk_voucher::Entity::find()
        .filter(perk_voucher::Column::PerkId.eq(uuid::Uuid::parse_str(&perk).unwrap()))
        .all(&app.db().conn)
        .await
        .unwrap();
    assert_eq!(issued.len(), 3);

    let resident = app.login(RESIDENT_PHONE).await;
    let offers = app
        .gql_as(
            Some(&resident),
            "{ myPerks { perk { id } remainingThisMonth claimable } }",
            json!({}),
        )
        .await
        .ok();
    let offer = offers["myPerks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["perk"]["id"] == perk.as_str())
        .unwrap()
        .clone();
    assert_eq!(offer["remainingThisMonth"], 0);
    assert_eq!(offer["claimable"], false);

    // An unused voucher that expired gives its place back to the quota.
    perk_voucher::Entity::update_many()
        .col_expr(
            perk_voucher::Column::ExpiresAt,
            Expr::value(Utc::now() - TimeDelta::minutes(1)),
        )
        .filter(perk_voucher::Column::Id.eq(issued[0].id))
        .exec(&app.db().conn)
        .await
        .unwrap();
    claim(&app, &resident, &perk, "quota-after-expiry")
        .await
        .ok();
    assert_ledger_consistent(&app).await;
}

#[tokio::test]
async fn an_expired_voucher_is_refused_and_reads_expired() {
    let app = spawn_app().await;
    let resident = app.login(RESIDENT_PHONE).await;
    let partner = app.login(PARTNER_PHONE).await;
    let perk = perk_id(&app, BANK_PERK).await;
    let voucher = claim(&app, &resident, &perk, "claim-expire-01").await.ok();
    let code = voucher["claimPerk"]["code"].as_str().unwrap().to_owned();
    let expires_at =
        chrono::DateTime::parse_from_rfc3339(voucher["claimPerk"]["expiresAt"].as_str().unwrap())
            .unwrap();
    let issued_at =
        chrono::DateTime::parse_from_rfc3339(voucher["claimPerk"]["issuedAt"].as_str().unwrap())
            .unwrap();
    assert_eq!(
        expires_at - issued_at,
        TimeDelta::minutes(15),
        "the perk's validity"
    );

    perk_voucher::Entity::update_many()
        .col_expr(
            perk_voucher::Column::ExpiresAt,
            Expr::value(Utc::now() - TimeDelta::seconds(1)),
        )
        .filter(perk_voucher::Column::Code.eq(&code))
        .exec(&app.db().conn)
        .await
        .unwrap();
    assert_eq!(honour(&app, &partner, &code).await.code(), Some("CONFLICT"));
    assert_eq!(
        lookup(&app, &partner, &code).await.ok()["voucher"]["status"],
        "EXPIRED"
    );
    assert_eq!(voucher_row(&app, &code).await.status, VoucherStatus::Issued);
    assert_eq!(
        honour(&app, &partner, "NOT-A-CODE").await.code(),
        Some("BAD_USER_INPUT")
    );
    assert_eq!(
        honour(&app, &partner, "ABCDEFGHJKMN").await.code(),
        Some("NOT_FOUND")
    );
}

#[tokio::test]
async fn another_partners_staff_cannot_see_honour_or_edit_and_nothing_is_written() {
    let app = spawn_app().await;
    let admin = app.login(ADMIN_PHONE).await;
    let resident = app.login(RESIDENT_PHONE).await;
    let bank_staff = app.login(PARTNER_PHONE).await;
    let org_staff = app.login(STAFF_PHONE).await;

    // ADMIN registers a partner and its staff.
    let created = app
        .gql_as(
            Some(&admin),
            "mutation { createPerkPartner(name: \"洞头海岛书店\", kind: OTHER, townCode: \"BEIAO\") { id name kind town { code } } }",
            json!({}),
        )
        .await
        .ok();
    let shop = created["createPerkPartner"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(created["createPerkPartner"]["town"]["code"], "BEIAO");
    let dup = app
        .gql_as(
            Some(&admin),
            "mutation { createPerkPartner(name: \"洞头海岛书店\", kind: OTHER) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(dup.code(), Some("CONFLICT"));
    let account = app
        .gql_as(
            Some(&admin),
            "mutation($p: ID!) { createPartnerStaff(partnerId: $p, phone: \"13900000099\", password: \"Shop@2026!\", displayName: \"书店店员\") { role partner { name } } }",
            json!({ "p": shop }),
        )
        .await
        .ok();
    assert_eq!(account["createPartnerStaff"]["role"], "PARTNER_STAFF");
    assert_eq!(
        account["createPartnerStaff"]["partner"]["name"],
        "洞头海岛书店"
    );
    let by_resident = app
        .gql_as(
            Some(&resident),
            "mutation { createPerkPartner(name: \"冒名\", kind: OTHER) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(by_resident.code(), Some("FORBIDDEN"));
    let shop_staff = app.login_full("13900000099", "Shop@2026!").await.ok()["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let own = open_perk(&app, &shop_staff, 5).await;

    let bank_perk = perk_id(&app, BANK_PERK).await;
    let code = claim(&app, &resident, &bank_perk, "claim-cross-001")
        .await
        .ok()["claimPerk"]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let perk_input = json!({ "title": "改掉", "description": "改掉", "monthlyQuota": 1, "voucherValidMinutes": 1 });
    assert_eq!(
        lookup(&app, &shop_staff, &code).await.code(),
        Some("FORBIDDEN")
    );
    assert_eq!(
        honour(&app, &shop_staff, &code).await.code(),
        Some("FORBIDDEN")
    );
    assert_eq!(
        honour(&app, &org_staff, &code).await.code(),
        Some("FORBIDDEN")
    );
    assert_eq!(
        honour(&app, &admin, &code).await.code(),
        Some("FORBIDDEN"),
        "only the partner's own staff honour"
    );
    for (query, vars) in [
        (
            "mutation($id: ID!, $input: PerkInput!) { updatePerk(id: $id, input: $input) { id } }",
            json!({ "id": bank_perk, "input": perk_input }),
        ),
        (
            "mutation($id: ID!) { setPerkActive(id: $id, active: false) { id } }",
            json!({ "id": bank_perk }),
        ),
        (
            "mutation($p: ID!, $input: PerkInput!) { createPerk(partnerId: $p, input: $input) { id } }",
            json!({ "p": bank_perk_partner(&app, &bank_staff).await, "input": perk_input }),
        ),
        (
            "query($p: ID!) { partnerPerks(partnerId: $p) { edges { node { id } } } }",
            json!({ "p": bank_perk_partner(&app, &bank_staff).await }),
        ),
    ] {
        let r = app.gql_as(Some(&shop_staff), query, vars).await;
        assert_eq!(r.code(), Some("FORBIDDEN"), "{query}: {}", r.body);
    }
    // The bank's side is untouched, and the bank's staff cannot touch the shop's perk.
    assert_eq!(voucher_row(&app, &code).await.status, VoucherStatus::Issued);
    let bank_perks = app
        .gql_as(
            Some(&bank_staff),
            "{ partnerPerks(first: 100) { edges { node { title active } } } }",
            json!({}),
        )
        .await
        .ok();
    assert!(
        bank_perks["partnerPerks"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["node"]["title"] != "改掉" && e["node"]["active"] == true)
    );
    let r = app
        .gql_as(
            Some(&bank_staff),
            "mutation($id: ID!) { setPerkActive(id: $id, active: false) { id } }",
            json!({ "id": own }),
        )
        .await;
    assert_eq!(r.code(), Some("FORBIDDEN"));
    honour(&app, &bank_staff, &code).await.ok();
}

async fn bank_perk_partner(app: &TestApp, bank_staff: &str) -> String {
    app.gql_as(
        Some(bank_staff),
        "{ me { account { partner { id } } } }",
        json!({}),
    )
    .await
    .ok()["me"]["account"]["partner"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_resident_sees_the_perks_they_qualify_for_and_claims_one_a_month() {
    let app = spawn_app().await;
    let resident = app.login(RESIDENT_PHONE).await;
    // With nothing done yet the resident is at 百家信 level 1 with no tier.
    let offers = app
        .gql_as(
            Some(&resident),
            "{ myPerks { perk { id title minBaijiaxinLevel minTierLevel requirement } claimable myVoucher { code } } }",
            json!({}),
        )
        .await
        .ok();
    let offers = offers["myPerks"].as_array().unwrap();
    assert!(!offers.is_empty());
    for o in offers {
        let p = &o["perk"];
        assert!(
            p["minBaijiaxinLevel"].as_i64().is_some_and(|l| l <= 1)
                || (p["minBaijiaxinLevel"].is_null() && p["minTierLevel"].is_null()),
            "{o}"
        );
        assert_eq!(o["claimable"], true);
    }
    let titles: Vec<&str> = offers
        .iter()
        .map(|o| o["perk"]["title"].as_str().unwrap())
        .collect();
    assert!(titles.contains(&BANK_PERK));
    assert!(!titles.contains(&LOAN_PERK));

    let loan = perk_id(&app, LOAN_PERK).await;
    assert_eq!(
        claim(&app, &resident, &loan, "claim-loan-0001")
            .await
            .code(),
        Some("FORBIDDEN")
    );

    let bank = perk_id(&app, BANK_PERK).await;
    let first = claim(&app, &resident, &bank, "claim-month-001").await.ok();
    let replay = claim(&app, &resident, &bank, "claim-month-001").await.ok();
    assert_eq!(
        first["claimPerk"]["code"], replay["claimPerk"]["code"],
        "same key, same voucher"
    );
    assert_eq!(
        claim(&app, &resident, &bank, "claim-month-002")
            .await
            .code(),
        Some("CONFLICT"),
        "one voucher per perk a month"
    );
    let mine = app
        .gql_as(
            Some(&resident),
            &format!("{{ myVouchers {{ edges {{ node {{ {VOUCHER} }} }} }} }}"),
            json!({}),
        )
        .await
        .ok();
    let edges: &Vec<Value> = mine["myVouchers"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 1);
    assert_eq!(edges[0]["node"]["code"], first["claimPerk"]["code"]);
    let after = app
        .gql_as(
            Some(&resident),
            "{ myPerks { perk { title } claimable myVoucher { code } } }",
            json!({}),
        )
        .await
        .ok();
    let bank_offer = after["myPerks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["perk"]["title"] == BANK_PERK)
        .unwrap()
        .clone();
    assert_eq!(bank_offer["claimable"], false);
    assert_eq!(bank_offer["myVoucher"]["code"], first["claimPerk"]["code"]);
    let staff = app.login(STAFF_PHONE).await;
    assert_eq!(
        claim(&app, &staff, &bank, "claim-staff-001").await.code(),
        Some("FORBIDDEN"),
        "perks are for residents"
    );
    assert_ledger_consistent(&app).await;
}

#[tokio::test]
async fn the_demo_resident_has_a_level_and_claimable_perks() {
    let app = spawn_app_with(AppOptions {
        demo_donations: true,
        ..Default::default()
    })
    .await;
    let resident = app.login(RESIDENT_PHONE).await;
    let offers = app
        .gql_as(
            Some(&resident),
            "{ myBaijiaxin { level { level } } myPerks { perk { id title minBaijiaxinLevel } claimable } }",
            json!({}),
        )
        .await
        .ok();
    assert!(offers["myBaijiaxin"]["level"]["level"].as_i64().unwrap() >= 2);
    let claimable: Vec<&Value> = offers["myPerks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["claimable"] == true)
        .collect();
    assert!(
        claimable
            .iter()
            .any(|o| o["perk"]["minBaijiaxinLevel"].as_i64() == Some(2)),
        "volunteering and giving unlock level-2 perks: {claimable:?}"
    );
    let id = claimable[0]["perk"]["id"].as_str().unwrap().to_owned();
    claim(&app, &resident, &id, "demo-claim-0001").await.ok();
    assert_ledger_consistent(&app).await;
}
