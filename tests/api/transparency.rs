//! 阳光慈善: disbursements allocated fen by fen to donations, the public pages agreeing with the
//! ledger, donation traces, goods stock and public supervision.

use futures::future::join_all;
use serde_json::{Value, json};

use crate::helpers::*;

const RECORD_DISBURSEMENT: &str = "mutation($input: RecordDisbursementInput!) {
    recordDisbursement(input: $input) { replayed disbursement { id amount purpose fundedByDonations } } }";

const PROJECT_PAGE: &str = "query($id: ID!) { projectTransparency(projectId: $id) {
    raised { money goods total } disbursed { money goods total } balance { money goods total }
    donationCount disbursementCount beneficiaries
    byPurpose { purpose disbursed { total } disbursements beneficiaries }
    byMonth { month raised { total } disbursed { total } }
    goodsStock(includeEmptied: true) { description quantityReceived quantityGivenOut quantityLeft valueReceived valueGivenOut valueLeft }
    disbursements(first: 5) { edges { node { purpose amount } } } } }";

const LANXIAOCAO: &str = "兰小草爱心公益服务基地";
const ELDER_CARE: &str = "兰小草银龄助养";
const MEDICAL: &str = "大病医疗救助";

/// A donation to 兰小草银龄助养, returning its id.
async fn give(
    app: &TestApp,
    staff: &str,
    donor: Value,
    kind: &str,
    yuan: &str,
    at: &str,
) -> String {
    let mut input = json!({
        "idempotencyKey": new_key(),
        "orgId": org_id(app, LANXIAOCAO).await,
        "projectId": project_id(app, ELDER_CARE).await,
        "donor": donor,
        "kind": kind,
        "amount": yuan,
        "channel": "OFFLINE",
        "donatedAt": at,
        "receiptNo": format!("T-{}", &new_key()[..12]),
    });
    if kind == "GOODS" {
        input["goodsDescription"] = json!("大米 10kg");
        input["goodsQuantity"] = json!(10);
    }
    let data = app
        .gql_as(Some(staff), RECORD_DONATION, json!({ "input": input }))
        .await
        .ok();
    data["recordDonation"]["donation"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn walk_in() -> Value {
    json!({ "walkIn": { "name": "王先生" } })
}

fn disbursement(project: &str, yuan: &str, purpose: &str) -> Value {
    json!({
        "idempotencyKey": new_key(),
        "projectId": project,
        "kind": "MONEY",
        "amount": yuan,
        "purpose": purpose,
        "disbursedOn": "2026-03-01",
        "beneficiaries": 12,
        "documentRef": "ZC-2026-001",
    })
}

/// Rice handed out on 2026-02-01, one bag a beneficiary.
fn goods_disbursement(project: &str, yuan: &str, bags: i32) -> Value {
    json!({
        "idempotencyKey": new_key(),
        "projectId": project,
        "kind": "GOODS",
        "amount": yuan,
        "goodsDescription": "大米 10kg",
        "goodsQuantity": bags,
        "purpose": "春节慰问品",
        "disbursedOn": "2026-02-01",
        "beneficiaries": bags,
    })
}

async fn disburse(app: &TestApp, token: &str, input: Value) -> Gql {
    app.gql_as(Some(token), RECORD_DISBURSEMENT, json!({ "input": input }))
        .await
}

async fn void(app: &TestApp, staff: &str, donation: &str) -> Gql {
    app.gql_as(
        Some(staff),
        "mutation($id: ID!, $k: String!) { voidDonation(id: $id, reason: \"退票\", idempotencyKey: $k) { donation { status } } }",
        json!({ "id": donation, "k": new_key() }),
    )
    .await
}

async fn allocated_from(app: &TestApp, donation: &str) -> i64 {
    let id: uuid::Uuid = donation.parse().unwrap();
    sql_i64(
        app,
        "SELECT COALESCE(CAST(SUM(amount_fen) AS BIGINT), 0) FROM disbursement_allocations WHERE donation_id = ?",
        vec![id.into()],
    )
    .await
}

/// The allocation invariants, checked in SQL: each disbursement is covered exactly, no
/// donation gives more than it gave, and no voided or other-project donation pays.
async fn assert_allocations_exact(app: &TestApp) {
    let uncovered = sql_i64(
        app,
        "SELECT COUNT(*) FROM disbursements d WHERE d.amount_fen <> \
         (SELECT COALESCE(CAST(SUM(a.amount_fen) AS BIGINT), 0) FROM disbursement_allocations a \
          WHERE a.disbursement_id = d.id)",
        vec![],
    )
    .await;
    assert_eq!(
        uncovered, 0,
        "every disbursed fen is allocated, and only once"
    );
    let overdrawn = sql_i64(
        app,
        "SELECT COUNT(*) FROM donations n WHERE n.amount_fen < \
         (SELECT COALESCE(CAST(SUM(a.amount_fen) AS BIGINT), 0) FROM disbursement_allocations a \
          WHERE a.donation_id = n.id)",
        vec![],
    )
    .await;
    assert_eq!(overdrawn, 0, "no donation gives more than it gave");
    let stray = sql_i64(
        app,
        "SELECT COUNT(*) FROM disbursement_allocations a \
         JOIN donations n ON n.id = a.donation_id JOIN disbursements d ON d.id = a.disbursement_id \
         WHERE n.project_id <> d.project_id OR n.kind <> d.kind OR a.project_id <> d.project_id \
            OR n.status = 'VOIDED'",
        vec![],
    )
    .await;
    assert_eq!(stray, 0, "allocations stay within the project and kind");
}

#[tokio::test]
async fn a_projects_raised_minus_disbursed_matches_the_ledger() {
    let app = spawn_app_with(AppOptions {
        demo_donations: true,
        ..Default::default()
    })
    .await;
    let staff = app.login(STAFF_PHONE).await;
    let project = project_id(&app, FEDERATION_PROJECT).await;
    disburse(
        &app,
        &staff,
        disbursement(&project, "1234.56", "助学金 补发"),
    )
    .await
    .ok();

    let projects = sql_i64(&app, "SELECT COUNT(*) FROM charity_projects", vec![]).await;
    assert!(projects >= 8);
    for name in [
        FEDERATION_PROJECT,
        ELDER_CARE,
        MEDICAL,
        "应急救灾",
        "鹿西渔村共富帮扶",
    ] {
        let id = project_id(&app, name).await;
        let uuid: uuid::Uuid = id.parse().unwrap();
        let page = app.gql(PROJECT_PAGE, json!({ "id": id })).await.ok();
        let page = &page["projectTransparency"];
        for kind in ["MONEY", "GOODS"] {
            let raised = sql_i64(
                &app,
                "SELECT CAST(SUM(amount_fen) AS BIGINT) FROM donations \
                 WHERE project_id = ? AND status = 'CONFIRMED' AND kind = ?",
                vec![uuid.into(), kind.into()],
            )
            .await;
            let disbursed = sql_i64(
                &app,
                "SELECT CAST(SUM(amount_fen) AS BIGINT) FROM disbursements \
                 WHERE project_id = ? AND kind = ?",
                vec![uuid.into(), kind.into()],
            )
            .await;
            let field = if kind == "MONEY" { "money" } else { "goods" };
            assert_eq!(page["raised"][field], fen(raised), "{name} raised {kind}");
            assert_eq!(
                page["disbursed"][field],
                fen(disbursed),
                "{name} disbursed {kind}"
            );
            assert_eq!(
                page["balance"][field],
                fen(raised - disbursed),
                "{name} balance {kind}"
            );
        }
        // By month and by purpose add up to the totals.
        let months: i64 = page["byMonth"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| yuan_to_fen(&m["disbursed"]["total"]))
            .sum();
        assert_eq!(fen(months), page["disbursed"]["total"], "{name} by month");
        let purposes: i64 = page["byPurpose"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| yuan_to_fen(&p["disbursed"]["total"]))
            .sum();
        assert_eq!(
            fen(purposes),
            page["disbursed"]["total"],
            "{name} by purpose"
        );
        let raised_months: i64 = page["byMonth"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| yuan_to_fen(&m["raised"]["total"]))
            .sum();
        assert_eq!(fen(raised_months), page["raised"]["total"]);
    }

    // The org page's totals are its projects' totals.
    let org = app
        .gql(
            "query($id: ID!) { orgTransparency(orgId: $id, year: 2026) {
                raised { total } disbursed { total } balance { total }
                projects { project { name } raised { total } disbursed { total } }
                disclosure { year raised { total } donationCount disbursed { total } disbursementCount beneficiaries
                    raisedBySource { fundingSource amount } } } }",
            json!({ "id": org_id(&app, FEDERATION).await }),
        )
        .await
        .ok();
    let org = &org["orgTransparency"];
    let federation: uuid::Uuid = org_id(&app, FEDERATION).await.parse().unwrap();
    let raised = sql_i64(
        &app,
        "SELECT CAST(SUM(amount_fen) AS BIGINT) FROM donations WHERE org_id = ? AND status = 'CONFIRMED'",
        vec![federation.into()],
    )
    .await;
    assert_eq!(org["raised"]["total"], fen(raised));
    let in_2026 = sql_i64(
        &app,
        "SELECT COUNT(*) FROM donations WHERE org_id = ? AND status = 'CONFIRMED' \
         AND donated_at >= ? AND donated_at < ?",
        vec![
            federation.into(),
            local_day(2026, 1, 1).into(),
            local_day(2027, 1, 1).into(),
        ],
    )
    .await;
    assert_eq!(org["disclosure"]["donationCount"], in_2026);
    assert_eq!(org["disclosure"]["year"], 2026);
    let by_source: i64 = org["disclosure"]["raisedBySource"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| yuan_to_fen(&s["amount"]))
        .sum();
    assert_eq!(fen(by_source), org["disclosure"]["raised"]["total"]);
    assert_allocations_exact(&app).await;
}

fn fen(fen: i64) -> Value {
    json!(api::money::Fen::new(fen).to_string())
}

fn yuan_to_fen(v: &Value) -> i64 {
    api::money::Fen::parse_yuan(v.as_str().unwrap())
        .unwrap()
        .get()
}

#[tokio::test]
async fn every_disbursed_fen_is_allocated_to_exactly_one_donation_fen_oldest_first() {
    let app = spawn_app().await;
    let staff = app.login(OTHER_STAFF_PHONE).await;
    let project = project_id(&app, ELDER_CARE).await;
    let a = give(
        &app,
        &staff,
        walk_in(),
        "MONEY",
        "100.00",
        "2026-01-01T02:00:00Z",
    )
    .await;
    let b = give(
        &app,
        &staff,
        walk_in(),
        "MONEY",
        "200.00",
        "2026-01-02T02:00:00Z",
    )
    .await;
    let c = give(
        &app,
        &staff,
        walk_in(),
        "MONEY",
        "300.00",
        "2026-01-03T02:00:00Z",
    )
    .await;

    let first = disburse(
        &app,
        &staff,
        disbursement(&project, "250.00", "银龄助餐 第1批"),
    )
    .await
    .ok();
    assert_eq!(
        first["recordDisbursement"]["disbursement"]["fundedByDonations"],
        2
    );
    let second = disburse(
        &app,
        &staff,
        disbursement(&project, "300.00", "银龄助餐 第2批"),
    )
    .await
    .ok();
    let second_id = second["recordDisbursement"]["disbursement"]["id"].clone();

    // Oldest first: a gave all 100, b 150 then 50, c 250.
    let allocations = app
        .gql_as(
            Some(&staff),
            "query($id: ID!) { disbursement(id: $id) { allocations { amount donation { id } } } }",
            json!({ "id": second_id }),
        )
        .await
        .ok();
    let parts: Vec<(String, String)> = allocations["disbursement"]["allocations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["donation"]["id"].as_str().unwrap().to_owned(),
                p["amount"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        parts,
        vec![(b.clone(), "50.00".into()), (c.clone(), "250.00".into())]
    );

    // 50.00 is left; 50.01 is more than the project has.
    let too_much = disburse(&app, &staff, disbursement(&project, "50.01", "超额")).await;
    assert_eq!(too_much.code(), Some("CONFLICT"));
    disburse(
        &app,
        &staff,
        disbursement(&project, "50.00", "银龄助餐 第3批"),
    )
    .await
    .ok();
    let empty = disburse(&app, &staff, disbursement(&project, "0.01", "超额")).await;
    assert_eq!(empty.code(), Some("CONFLICT"));

    let left = |id: String| {
        let app = &app;
        async move {
            let uuid: uuid::Uuid = id.parse().unwrap();
            sql_i64(
                app,
                "SELECT n.amount_fen - COALESCE((SELECT CAST(SUM(a.amount_fen) AS BIGINT) \
                 FROM disbursement_allocations a WHERE a.donation_id = n.id), 0) FROM donations n WHERE n.id = ?",
                vec![uuid.into()],
            )
            .await
        }
    };
    assert_eq!(left(a).await, 0);
    assert_eq!(left(b).await, 0);
    assert_eq!(left(c).await, 0);
    assert_allocations_exact(&app).await;
}

#[tokio::test]
async fn concurrent_disbursements_on_one_project_never_overdraw_a_donation() {
    let app = spawn_app().await;
    let staff = app.login(OTHER_STAFF_PHONE).await;
    let project = project_id(&app, ELDER_CARE).await;
    for (i, yuan) in ["250.00", "250.00", "500.00"].iter().enumerate() {
        give(
            &app,
            &staff,
            walk_in(),
            "MONEY",
            yuan,
            &format!("2026-01-0{}T02:00:00Z", i + 1),
        )
        .await;
    }
    // 1000.00 raised; eight staff members race to pay out 150.00 each.
    let results = join_all((0..8).map(|i| {
        let input = disbursement(&project, "150.00", &format!("并发拨付 {i}"));
        let (app, staff) = (&app, &staff);
        async move { disburse(app, staff, input).await }
    }))
    .await;
    let ok = results.iter().filter(|r| r.code().is_none()).count();
    let conflicts = results
        .iter()
        .filter(|r| r.code() == Some("CONFLICT"))
        .count();
    assert_eq!((ok, conflicts), (6, 2), "{results:?}");
    let uuid: uuid::Uuid = project.parse().unwrap();
    let disbursed = sql_i64(
        &app,
        "SELECT CAST(SUM(amount_fen) AS BIGINT) FROM disbursements WHERE project_id = ?",
        vec![uuid.into()],
    )
    .await;
    assert_eq!(disbursed, 90_000);
    assert_allocations_exact(&app).await;
}

#[tokio::test]
async fn voided_donations_are_not_allocatable() {
    let app = spawn_app().await;
    let staff = app.login(OTHER_STAFF_PHONE).await;
    let project = project_id(&app, ELDER_CARE).await;
    let voided = give(
        &app,
        &staff,
        walk_in(),
        "MONEY",
        "100.00",
        "2026-01-01T02:00:00Z",
    )
    .await;
    let kept = give(
        &app,
        &staff,
        walk_in(),
        "MONEY",
        "100.00",
        "2026-01-02T02:00:00Z",
    )
    .await;
    void(&app, &staff, &voided).await.ok();

    let mut by_hand = disbursement(&project, "50.00", "手工分配");
    by_hand["allocations"] = json!([{ "donationId": voided, "amount": "50.00" }]);
    assert_eq!(
        disburse(&app, &staff, by_hand).await.code(),
        Some("CONFLICT")
    );
    let beyond = disburse(&app, &staff, disbursement(&project, "100.01", "超额")).await;
    assert_eq!(
        beyond.code(),
        Some("CONFLICT"),
        "only the kept 100.00 counts"
    );
    disburse(&app, &staff, disbursement(&project, "100.00", "银龄助餐"))
        .await
        .ok();
    let kept: uuid::Uuid = kept.parse().unwrap();
    let from_kept = sql_i64(
        &app,
        "SELECT CAST(SUM(amount_fen) AS BIGINT) FROM disbursement_allocations WHERE donation_id = ?",
        vec![kept.into()],
    )
    .await;
    assert_eq!(from_kept, 10_000);
    assert_allocations_exact(&app).await;
}

#[tokio::test]
async fn voiding_a_donation_that_paid_moves_its_share_to_the_next_oldest_received_in_time() {
    let app = spawn_app().await;
    let staff = app.login(OTHER_STAFF_PHONE).await;
    let project = project_id(&app, ELDER_CARE).await;
    let mut given = Vec::new();
    for at in [
        "2026-01-01T02:00:00Z",
        "2026-01-02T02:00:00Z",
        "2026-01-03T02:00:00Z",
        // After the disbursement date: never pays for it.
        "2026-03-05T02:00:00Z",
    ] {
        given.push(give(&app, &staff, walk_in(), "MONEY", "100.00", at).await);
    }
    let [first, second, third, late] = given.as_slice() else {
        unreachable!()
    };
    disburse(&app, &staff, disbursement(&project, "150.00", "银龄助餐"))
        .await
        .ok();
    assert_eq!(allocated_from(&app, first).await, 10_000);
    assert_eq!(allocated_from(&app, second).await, 5_000);

    let voided = void(&app, &staff, first).await.ok();

    assert_eq!(voided["voidDonation"]["donation"]["status"], "VOIDED");
    assert_eq!(
        allocated_from(&app, first).await,
        0,
        "a voided donation never pays"
    );
    assert_eq!(allocated_from(&app, second).await, 10_000);
    assert_eq!(allocated_from(&app, third).await, 5_000);
    assert_eq!(allocated_from(&app, late).await, 0);
    let trace = app
        .gql_as(
            Some(&staff),
            "query($id: ID!) { donationTrace(donationId: $id) { allocated summary } }",
            json!({ "id": first }),
        )
        .await
        .ok();
    assert_eq!(trace["donationTrace"]["allocated"], "0.00");
    assert_eq!(
        trace["donationTrace"]["summary"],
        "您捐赠的 100.00 元已作废，不计入项目，也未用于任何支出。"
    );
    let page = app.gql(PROJECT_PAGE, json!({ "id": project })).await.ok();
    let page = &page["projectTransparency"];
    assert_eq!(page["raised"]["money"], "300.00");
    assert_eq!(page["disbursed"]["money"], "150.00");
    assert_eq!(page["balance"]["money"], "150.00");
    assert_allocations_exact(&app).await;
}

#[tokio::test]
async fn a_void_the_rest_of_the_project_cannot_cover_is_refused_and_writes_nothing() {
    let app = spawn_app().await;
    let staff = app.login(OTHER_STAFF_PHONE).await;
    let project = project_id(&app, ELDER_CARE).await;
    let resident = json!({ "resident": { "phone": RESIDENT_PHONE } });
    let paid = give(
        &app,
        &staff,
        resident,
        "MONEY",
        "100.00",
        "2026-01-01T02:00:00Z",
    )
    .await;
    give(
        &app,
        &staff,
        walk_in(),
        "MONEY",
        "30.00",
        "2026-01-02T02:00:00Z",
    )
    .await;
    give(
        &app,
        &staff,
        walk_in(),
        "MONEY",
        "500.00",
        "2026-03-05T02:00:00Z",
    )
    .await;
    disburse(&app, &staff, disbursement(&project, "100.00", "银龄助餐"))
        .await
        .ok();
    let reversals = "SELECT COUNT(*) FROM credit_entries WHERE kind = 'REVERSAL'";
    let before = sql_i64(&app, reversals, vec![]).await;

    let refused = void(&app, &staff, &paid).await;

    assert_eq!(refused.code(), Some("CONFLICT"));
    let id: uuid::Uuid = paid.parse().unwrap();
    let voided = sql_i64(
        &app,
        "SELECT COUNT(*) FROM donations WHERE id = ? AND status = 'VOIDED'",
        vec![id.into()],
    )
    .await;
    assert_eq!(voided, 0, "the donation stays confirmed");
    assert_eq!(allocated_from(&app, &paid).await, 10_000);
    assert_eq!(
        sql_i64(&app, reversals, vec![]).await,
        before,
        "no credits taken back"
    );
    assert_allocations_exact(&app).await;
    assert_ledger_consistent(&app).await;
}

#[tokio::test]
async fn voids_racing_disbursements_never_leave_a_voided_donation_paying() {
    let app = spawn_app().await;
    let staff = app.login(OTHER_STAFF_PHONE).await;
    let project = project_id(&app, ELDER_CARE).await;
    let mut given = Vec::new();
    for day in 1..=6 {
        let at = format!("2026-01-0{day}T02:00:00Z");
        given.push(give(&app, &staff, walk_in(), "MONEY", "100.00", &at).await);
    }

    let voids = given.iter().step_by(2).map(|d| void(&app, &staff, d));
    let disbursements =
        (0..4).map(|_| disburse(&app, &staff, disbursement(&project, "80.00", "银龄助餐")));
    let (voided, disbursed) = tokio::join!(join_all(voids), join_all(disbursements));

    for answer in voided.iter().chain(&disbursed) {
        assert!(
            answer.code().is_none() || answer.code() == Some("CONFLICT"),
            "each succeeds or is refused as a conflict: {}",
            answer.body
        );
    }
    assert!(disbursed.iter().any(|d| d.code().is_none()));
    assert_allocations_exact(&app).await;
}

#[tokio::test]
async fn goods_already_given_out_cannot_be_voided() {
    let app = spawn_app().await;
    let staff = app.login(OTHER_STAFF_PHONE).await;
    let project = project_id(&app, ELDER_CARE).await;
    let rice = give(
        &app,
        &staff,
        walk_in(),
        "GOODS",
        "1000.00",
        "2026-01-01T02:00:00Z",
    )
    .await;
    give(
        &app,
        &staff,
        walk_in(),
        "GOODS",
        "1000.00",
        "2026-01-02T02:00:00Z",
    )
    .await;
    let goods = goods_disbursement(&project, "100.00", 1);
    disburse(&app, &staff, goods).await.ok();

    assert_eq!(void(&app, &staff, &rice).await.code(), Some("CONFLICT"));

    assert_eq!(allocated_from(&app, &rice).await, 10_000);
    assert_allocations_exact(&app).await;
}

#[tokio::test]
async fn staff_may_allocate_by_hand_within_what_each_donation_has_left() {
    let app = spawn_app().await;
    let staff = app.login(OTHER_STAFF_PHONE).await;
    let project = project_id(&app, ELDER_CARE).await;
    let old = give(
        &app,
        &staff,
        walk_in(),
        "MONEY",
        "100.00",
        "2026-01-01T02:00:00Z",
    )
    .await;
    let new = give(
        &app,
        &staff,
        walk_in(),
        "MONEY",
        "100.00",
        "2026-01-02T02:00:00Z",
    )
    .await;

    let mut input = disbursement(&project, "80.00", "指定用途");
    input["allocations"] = json!([{ "donationId": new, "amount": "80.00" }]);
    disburse(&app, &staff, input).await.ok();

    let mut over = disbursement(&project, "30.00", "指定用途");
    over["allocations"] = json!([{ "donationId": new, "amount": "30.00" }]);
    assert_eq!(disburse(&app, &staff, over).await.code(), Some("CONFLICT"));

    let mut mismatch = disbursement(&project, "30.00", "指定用途");
    mismatch["allocations"] = json!([{ "donationId": old, "amount": "20.00" }]);
    assert_eq!(
        disburse(&app, &staff, mismatch).await.code(),
        Some("BAD_USER_INPUT")
    );

    let mut later = disbursement(&project, "10.00", "指定用途");
    later["disbursedOn"] = json!("2025-12-31");
    later["allocations"] = json!([{ "donationId": old, "amount": "10.00" }]);
    assert_eq!(
        disburse(&app, &staff, later).await.code(),
        Some("BAD_USER_INPUT"),
        "a donation received after the disbursement cannot have paid for it"
    );

    // The oldest-first default now takes the old donation first.
    disburse(&app, &staff, disbursement(&project, "110.00", "银龄助餐"))
        .await
        .ok();
    assert_allocations_exact(&app).await;
    let left = sql_i64(
        &app,
        "SELECT CAST(SUM(n.amount_fen) AS BIGINT) - (SELECT CAST(SUM(amount_fen) AS BIGINT) FROM disbursements) FROM donations n",
        vec![],
    )
    .await;
    assert_eq!(left, 1_000);
}

#[tokio::test]
async fn resending_a_disbursement_with_the_same_key_records_it_once() {
    let app = spawn_app().await;
    let staff = app.login(OTHER_STAFF_PHONE).await;
    let project = project_id(&app, ELDER_CARE).await;
    give(
        &app,
        &staff,
        walk_in(),
        "MONEY",
        "100.00",
        "2026-01-01T02:00:00Z",
    )
    .await;
    let input = disbursement(&project, "60.00", "银龄助餐");
    let first = disburse(&app, &staff, input.clone()).await.ok();
    let again = disburse(&app, &staff, input.clone()).await.ok();
    assert_eq!(again["recordDisbursement"]["replayed"], true);
    assert_eq!(
        first["recordDisbursement"]["disbursement"]["id"],
        again["recordDisbursement"]["disbursement"]["id"]
    );
    let mut changed = input;
    changed["amount"] = json!("61.00");
    assert_eq!(
        disburse(&app, &staff, changed).await.code(),
        Some("CONFLICT")
    );
    assert_eq!(
        sql_i64(&app, "SELECT COUNT(*) FROM disbursements", vec![]).await,
        1
    );
}

#[tokio::test]
async fn a_donor_sees_what_share_of_their_gift_went_where() {
    let app = spawn_app().await;
    let staff = app.login(OTHER_STAFF_PHONE).await;
    let project = project_id(&app, ELDER_CARE).await;
    let mine = give(
        &app,
        &staff,
        json!({ "resident": { "phone": RESIDENT_PHONE } }),
        "MONEY",
        "500.00",
        "2026-01-01T02:00:00Z",
    )
    .await;
    let mut input = disbursement(&project, "200.00", "银龄助餐 第12批");
    input["disbursedOn"] = json!("2026-03-31");
    let recorded = disburse(&app, &staff, input).await.ok();
    let disbursement_id = recorded["recordDisbursement"]["disbursement"]["id"].clone();

    let resident = app.login(RESIDENT_PHONE).await;
    let trace = app
        .gql_as(
            Some(&resident),
            "query($id: ID!) { donationTrace(donationId: $id) { amount allocated unallocated unallocatedShare summary
                slices { amount share disbursement { purpose disbursedOn beneficiaries } } } }",
            json!({ "id": mine }),
        )
        .await
        .ok();
    let trace = &trace["donationTrace"];
    assert_eq!(trace["amount"], "500.00");
    assert_eq!(trace["allocated"], "200.00");
    assert_eq!(trace["unallocated"], "300.00");
    assert_eq!(trace["unallocatedShare"], "60.00");
    assert_eq!(trace["slices"][0]["share"], "40.00");
    assert_eq!(
        trace["slices"][0]["disbursement"]["purpose"],
        "银龄助餐 第12批"
    );
    let summary = trace["summary"].as_str().unwrap();
    assert!(
        summary.contains("500.00")
            && summary.contains("40.00%")
            && summary.contains("银龄助餐 第12批"),
        "{summary}"
    );

    // Another resident cannot trace it.
    let other = resident_token(&app, "13800000002").await;
    let refused = app
        .gql_as(
            Some(&other),
            "query($id: ID!) { donationTrace(donationId: $id) { amount } }",
            json!({ "id": mine }),
        )
        .await;
    assert_eq!(refused.code(), Some("NOT_FOUND"));
    // The disbursement is public; which donations paid for it is for its org's staff.
    let allocations =
        "query($id: ID!) { disbursement(id: $id) { purpose allocations { amount } } }";
    let public = app
        .gql(
            "query($id: ID!) { disbursement(id: $id) { purpose fundedByDonations } }",
            json!({ "id": disbursement_id }),
        )
        .await
        .ok();
    assert_eq!(public["disbursement"]["fundedByDonations"], 1);
    let as_resident = app
        .gql_as(
            Some(&resident),
            allocations,
            json!({ "id": disbursement_id }),
        )
        .await;
    assert_eq!(as_resident.code(), Some("FORBIDDEN"));
    let federation_staff = app.login(STAFF_PHONE).await;
    let as_other_org = app
        .gql_as(
            Some(&federation_staff),
            allocations,
            json!({ "id": disbursement_id }),
        )
        .await;
    assert_eq!(as_other_org.code(), Some("FORBIDDEN"));
}

#[tokio::test]
async fn goods_given_out_leave_the_stock() {
    let app = spawn_app().await;
    let staff = app.login(OTHER_STAFF_PHONE).await;
    let project = project_id(&app, ELDER_CARE).await;
    give(
        &app,
        &staff,
        walk_in(),
        "GOODS",
        "1000.00",
        "2026-01-01T02:00:00Z",
    )
    .await;
    give(
        &app,
        &staff,
        walk_in(),
        "MONEY",
        "5000.00",
        "2026-01-01T03:00:00Z",
    )
    .await;

    let goods = goods_disbursement(&project, "400.00", 4);
    disburse(&app, &staff, goods.clone()).await.ok();
    let mut too_much = goods;
    too_much["idempotencyKey"] = json!(new_key());
    too_much["amount"] = json!("600.01");
    assert_eq!(
        disburse(&app, &staff, too_much).await.code(),
        Some("CONFLICT"),
        "money does not pay for goods"
    );

    let page = app.gql(PROJECT_PAGE, json!({ "id": project })).await.ok();
    let page = &page["projectTransparency"];
    let lot = &page["goodsStock"][0];
    assert_eq!(lot["quantityReceived"], 10);
    assert_eq!(lot["quantityGivenOut"], 4);
    assert_eq!(lot["quantityLeft"], 6);
    assert_eq!(lot["valueLeft"], "600.00");
    assert_eq!(page["disbursed"]["goods"], "400.00");
    assert_eq!(page["balance"]["money"], "5000.00");
    assert_eq!(page["beneficiaries"], 4);
}

#[tokio::test]
async fn staff_of_one_org_cannot_disburse_or_answer_for_another() {
    let app = spawn_app().await;
    let federation_staff = app.login(STAFF_PHONE).await;
    let lanxiaocao_staff = app.login(OTHER_STAFF_PHONE).await;
    let input = donation_input(&app, RESIDENT_PHONE, "500.00", "2026-01-01T02:00:00Z").await;
    app.gql_as(
        Some(&federation_staff),
        RECORD_DONATION,
        json!({ "input": input }),
    )
    .await
    .ok();
    let federation_project = project_id(&app, FEDERATION_PROJECT).await;
    let keys_before = sql_i64(&app, "SELECT COUNT(*) FROM idempotency_records", vec![]).await;

    let refused = disburse(
        &app,
        &lanxiaocao_staff,
        disbursement(&federation_project, "100.00", "越权"),
    )
    .await;
    assert_eq!(refused.code(), Some("FORBIDDEN"));
    assert_eq!(
        sql_i64(&app, "SELECT COUNT(*) FROM disbursements", vec![]).await,
        0
    );
    assert_eq!(
        sql_i64(&app, "SELECT COUNT(*) FROM idempotency_records", vec![]).await,
        keys_before,
        "not even the idempotency key was claimed"
    );

    // A resident asks the federation; only the federation (or the bureau) answers.
    let resident = app.login(RESIDENT_PHONE).await;
    let asked = app
        .gql_as(
            Some(&resident),
            "mutation($id: ID!) { askSupervisionQuestion(subjectKind: PROJECT, subjectId: $id,
                question: \"助学金发放名单如何确定？\") { id status overdue askedByMe org { name } } }",
            json!({ "id": federation_project }),
        )
        .await
        .ok();
    let item = &asked["askSupervisionQuestion"];
    assert_eq!(item["status"], "OPEN");
    assert_eq!(item["askedByMe"], true);
    assert_eq!(item["org"]["name"], FEDERATION);
    let answer = "mutation($id: ID!) { answerSupervisionQuestion(id: $id, answer: \"按学校推荐并公示。\") { status answer } }";
    let wrong = app
        .gql_as(Some(&lanxiaocao_staff), answer, json!({ "id": item["id"] }))
        .await;
    assert_eq!(wrong.code(), Some("FORBIDDEN"));
    let still_open = sql_i64(
        &app,
        "SELECT COUNT(*) FROM supervision_items WHERE status = 'OPEN' AND answer IS NULL",
        vec![],
    )
    .await;
    assert_eq!(still_open, 1);
    let answered = app
        .gql_as(Some(&federation_staff), answer, json!({ "id": item["id"] }))
        .await
        .ok();
    assert_eq!(answered["answerSupervisionQuestion"]["status"], "ANSWERED");
    let twice = app
        .gql_as(Some(&federation_staff), answer, json!({ "id": item["id"] }))
        .await;
    assert_eq!(twice.code(), Some("CONFLICT"));

    // The question and its answer are public; the asker is not.
    let public = app
        .gql(
            "query($id: ID!) { supervisionItems(subjectKind: PROJECT, subjectId: $id) {
                edges { node { question answer status askedByMe } } } }",
            json!({ "id": federation_project }),
        )
        .await
        .ok();
    let node = &public["supervisionItems"]["edges"][0]["node"];
    assert_eq!(node["answer"], "按学校推荐并公示。");
    assert_eq!(node["askedByMe"], false);
}

#[tokio::test]
async fn overdue_questions_reach_the_bureaus_dashboard() {
    let app = spawn_app().await;
    let resident = app.login(RESIDENT_PHONE).await;
    let project = project_id(&app, MEDICAL).await;
    let ask = "mutation($id: ID!, $q: String!) { askSupervisionQuestion(subjectKind: PROJECT, subjectId: $id, question: $q) { id responseDueAt } }";
    let late = app
        .gql_as(
            Some(&resident),
            ask,
            json!({ "id": project, "q": "救助标准是什么？请公开。" }),
        )
        .await
        .ok();
    app.gql_as(
        Some(&resident),
        ask,
        json!({ "id": project, "q": "第二个问题：还在期限内。" }),
    )
    .await
    .ok();
    let due: chrono::DateTime<chrono::Utc> = late["askSupervisionQuestion"]["responseDueAt"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let days = (due - chrono::Utc::now()).num_days();
    assert!((14..=15).contains(&days), "15 days to answer, got {days}");

    // Sixteen days later, nobody has answered the first.
    use sea_orm::{ActiveValue::Set, EntityTrait};
    let id: uuid::Uuid = late["askSupervisionQuestion"]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    api::entities::supervision_item::Entity::update(api::entities::supervision_item::ActiveModel {
        id: Set(id),
        response_due_at: Set(chrono::Utc::now() - chrono::Duration::days(1)),
        ..Default::default()
    })
    .exec(&app.db().conn)
    .await
    .unwrap();

    let dashboard = "{ overdueSupervisionItems { edges { node { id overdue question } } } }";
    let admin = app.login(ADMIN_PHONE).await;
    let overdue = app.gql_as(Some(&admin), dashboard, json!({})).await.ok();
    let edges = overdue["overdueSupervisionItems"]["edges"]
        .as_array()
        .unwrap();
    assert_eq!(edges.len(), 1);
    assert_eq!(edges[0]["node"]["id"], json!(id.to_string()));
    assert_eq!(edges[0]["node"]["overdue"], true);
    let staff = app.login(STAFF_PHONE).await;
    assert_eq!(
        app.gql_as(Some(&staff), dashboard, json!({})).await.code(),
        Some("FORBIDDEN")
    );

    // Answered after the deadline, it leaves the overdue list but stays marked as late.
    app.gql_as(
        Some(&staff),
        "mutation($id: ID!) { answerSupervisionQuestion(id: $id, answer: \"按医保报销后自付部分分档救助。\") { status } }",
        json!({ "id": id.to_string() }),
    )
    .await
    .ok();
    let after = app.gql_as(Some(&admin), dashboard, json!({})).await.ok();
    assert_eq!(after["overdueSupervisionItems"]["edges"], json!([]));
    let items = app
        .gql(
            "query($id: ID!) { supervisionItems(subjectKind: PROJECT, subjectId: $id) { edges { node { id status overdue answeredLate } } } }",
            json!({ "id": project }),
        )
        .await
        .ok();
    let late_item = items["supervisionItems"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .find(|n| n["id"] == json!(id.to_string()))
        .cloned()
        .unwrap();
    assert_eq!(late_item["status"], "ANSWERED");
    assert_eq!(late_item["overdue"], false);
    assert_eq!(late_item["answeredLate"], true);
    assert_eq!(
        app.gql(dashboard, json!({})).await.code(),
        Some("UNAUTHENTICATED")
    );
}

#[tokio::test]
async fn disbursements_list_by_the_day_they_happened_across_pages_whatever_order_they_were_entered()
{
    let app = spawn_app_with(AppOptions {
        demo_donations: true,
        ..Default::default()
    })
    .await;
    let staff = app.login(STAFF_PHONE).await;
    let project = project_id(&app, FEDERATION_PROJECT).await;
    // Entered out of order: a late entry for an early day, two on one day.
    for (day, purpose) in [
        ("2026-03-05", "三月五日"),
        ("2026-01-10", "一月十日 补录"),
        ("2026-03-05", "三月五日 第二笔"),
        ("2026-02-20", "二月二十日"),
    ] {
        let mut input = disbursement(&project, "1.00", purpose);
        input["disbursedOn"] = json!(day);
        disburse(&app, &staff, input).await.ok();
    }
    const LIST: &str = "query($p: ID!, $after: String) {
        disbursements(projectId: $p, first: 2, after: $after) {
            edges { node { purpose disbursedOn } } pageInfo { hasNextPage endCursor } } }";
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = app
            .gql(LIST, json!({ "p": project, "after": after }))
            .await
            .ok()["disbursements"]
            .clone();
        for edge in page["edges"].as_array().unwrap() {
            seen.push((
                edge["node"]["disbursedOn"].as_str().unwrap().to_owned(),
                edge["node"]["purpose"].as_str().unwrap().to_owned(),
            ));
        }
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    let ours = ["三月五日", "一月十日 补录", "三月五日 第二笔", "二月二十日"];
    let mine: Vec<&(String, String)> = seen
        .iter()
        .filter(|(_, p)| ours.contains(&p.as_str()))
        .collect();
    assert_eq!(
        mine.iter().map(|(_, p)| p.as_str()).collect::<Vec<_>>(),
        vec!["三月五日 第二笔", "三月五日", "二月二十日", "一月十日 补录"],
        "{seen:?}"
    );
    let days: Vec<&str> = seen.iter().map(|(d, _)| d.as_str()).collect();
    assert!(days.windows(2).all(|w| w[0] >= w[1]), "{days:?}");
    assert_eq!(seen.len(), {
        let mut unique = seen.clone();
        unique.dedup();
        unique.len()
    });
    let bad = app
        .gql(
            LIST,
            json!({ "p": project, "after": encode_cursor_for_test() }),
        )
        .await;
    assert_eq!(bad.code(), Some("BAD_USER_INPUT"));
}

/// A well-formed cursor naming no disbursement.
fn encode_cursor_for_test() -> String {
    api::pagination::encode_cursor(&uuid::Uuid::now_v7().to_string())
}
