//! The demo data loads through the real import path and leaves a consistent ledger.

use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn the_demo_data_loads_and_its_ledger_balances() {
    let app = spawn_app_with(AppOptions {
        demo_donations: true,
        ..Default::default()
    })
    .await;
    let mismatches = api::credits::ledger::verify(&app.db().conn).await.unwrap();
    assert!(mismatches.is_empty(), "{mismatches:?}");

    // The demo resident gave 1500.00 yuan under two rules: 738.88 at 1 credit / 10 yuan
    // before 2026 and 761.12 at 1 credit / 5 yuan since, each donation rounded down.
    let token = app.login(RESIDENT_PHONE).await;
    let me = app
        .gql_as(
            Some(&token),
            "{ me { resident { cumulativeDonation creditBalance } } }",
            json!({}),
        )
        .await
        .ok();
    assert_eq!(me["me"]["resident"]["cumulativeDonation"], "1500.00");
    let balance = me["me"]["resident"]["creditBalance"].as_i64().unwrap();
    assert_eq!(
        balance,
        expected_credits_from_the_csv(RESIDENT_PHONE) + expected_volunteer_credits(RESIDENT_PHONE)
    );
}

/// Certified minutes in seeds/attendance.csv earn 10 credits per hour, each rounded down.
fn expected_volunteer_credits(phone: &str) -> i64 {
    let text = std::fs::read_to_string(seeds_dir().join("attendance.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|cells| cells[1] == phone && !cells[4].is_empty())
        .map(|cells| cells[4].parse::<i64>().unwrap() * 10 / 60)
        .sum()
}

/// Recompute the demo resident's credits straight from the seed file and the seeded rules.
fn expected_credits_from_the_csv(phone: &str) -> i64 {
    let text = std::fs::read_to_string(seeds_dir().join("donations.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (phone_col, amount_col, at_col) =
        (col("donor_phone"), col("amount_yuan"), col("donated_at"));
    lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|cells| cells[phone_col] == phone)
        .map(|cells| {
            let (yuan, fen) = cells[amount_col].split_once('.').unwrap();
            let fen: i64 = yuan.parse::<i64>().unwrap() * 100 + fen.parse::<i64>().unwrap();
            // 1 credit per 10 yuan before 2026-01-01 (local), 1 per 5 yuan from then on.
            let per_fen = if cells[at_col] < "2026-01-01" {
                1000
            } else {
                500
            };
            fen / per_fen
        })
        .sum()
}

async fn scale_totals(app: &TestApp) -> (i64, i64) {
    use sea_orm::{ConnectionTrait, Statement};
    let row = app
        .db()
        .conn
        .query_one_raw(Statement::from_string(
            app.db().backend(),
            "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) AS total FROM donations WHERE receipt_no LIKE 'SCALE-%'",
        ))
        .await
        .unwrap()
        .unwrap();
    (
        row.try_get("", "n").unwrap(),
        row.try_get("", "total").unwrap(),
    )
}

#[tokio::test]
async fn scale_seeding_is_deterministic_and_keeps_the_ledger_consistent() {
    let mut totals = Vec::new();
    for _ in 0..2 {
        let app = spawn_app().await;
        let report = api::seeding::seed_scale(app.db(), &seeds_dir(), 3_000)
            .await
            .map_err(|e| e.message())
            .unwrap();
        assert!(report.contains("3000 donations"), "{report}");
        assert_ledger_consistent(&app).await;
        totals.push(scale_totals(&app).await);
        let again = api::seeding::seed_scale(app.db(), &seeds_dir(), 3_000).await;
        assert_eq!(
            again.unwrap_err().code(),
            "CONFLICT",
            "a second run refuses"
        );
    }
    assert_eq!(totals[0].0, 3_000);
    assert_eq!(totals[0], totals[1], "the same N gives the same data");
}
