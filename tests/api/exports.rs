//! Exports: XLSX that opens with the right rows and Chinese headers, CSV with a BOM, and each
//! org's staff limited to their own org's rows.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use serde_json::{Value, json};

use crate::helpers::*;

async fn download(app: &TestApp, token: Option<&str>, path: &str) -> reqwest::Response {
    let mut req = app.client.get(format!("{}{path}", app.address));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    req.send().await.unwrap()
}

fn sheet(bytes: &[u8], name: &str) -> calamine::Range<Data> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).expect("a valid XLSX file");
    assert_eq!(workbook.sheet_names(), vec![name.to_owned()]);
    workbook.worksheet_range(name).unwrap()
}

fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[tokio::test]
async fn a_donations_export_opens_as_xlsx_with_the_right_rows_and_chinese_headers() {
    let app = spawn_app_with(AppOptions {
        demo_donations: true,
        ..Default::default()
    })
    .await;
    let staff = app.login(STAFF_PHONE).await;
    let response = download(
        &app,
        Some(&staff),
        "/exports/donations.xlsx?from=2025-01-01&to=2025-12-31",
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("donations-2025-01-01-2025-12-31.xlsx")
    );
    let bytes = response.bytes().await.unwrap();
    let range = sheet(&bytes, "捐赠明细");
    let federation: uuid::Uuid = org_id(&app, FEDERATION).await.parse().unwrap();
    let expected = sql_i64(
        &app,
        "SELECT COUNT(*) FROM donations WHERE org_id = ? AND donated_at >= ? AND donated_at < ?",
        vec![
            federation.into(),
            local_day(2025, 1, 1).into(),
            local_day(2026, 1, 1).into(),
        ],
    )
    .await;
    assert!(expected > 100);
    assert_eq!(
        range.height() as i64,
        expected + 1,
        "a header row and one row per donation"
    );
    let headers: Vec<String> = range.rows().next().unwrap().iter().map(text).collect();
    assert_eq!(headers[0], "收据编号");
    assert_eq!(headers[7], "金额（元）");
    assert!(headers.contains(&"慈善项目".to_owned()));
    // Every row is the federation's, and amounts are numbers that add up to the ledger.
    let orgs: std::collections::HashSet<String> =
        range.rows().skip(1).map(|r| text(&r[2])).collect();
    assert_eq!(
        orgs.into_iter().collect::<Vec<_>>(),
        vec![FEDERATION.to_owned()]
    );
    let sum_fen: i64 = range
        .rows()
        .skip(1)
        .map(|r| match r[7] {
            Data::Float(f) => (f * 100.0).round() as i64,
            ref other => panic!("amount is not a number: {other:?}"),
        })
        .sum();
    let ledger = sql_i64(
        &app,
        "SELECT CAST(SUM(amount_fen) AS BIGINT) FROM donations WHERE org_id = ? AND donated_at >= ? AND donated_at < ?",
        vec![
            federation.into(),
            local_day(2025, 1, 1).into(),
            local_day(2026, 1, 1).into(),
        ],
    )
    .await;
    assert_eq!(sum_fen, ledger);

    // ADMIN exports every org's rows.
    let admin = app.login(ADMIN_PHONE).await;
    let all = download(
        &app,
        Some(&admin),
        "/exports/donations.xlsx?from=2025-01-01&to=2025-12-31",
    )
    .await
    .bytes()
    .await
    .unwrap();
    let everyone = sql_i64(
        &app,
        "SELECT COUNT(*) FROM donations WHERE donated_at >= ? AND donated_at < ?",
        vec![local_day(2025, 1, 1).into(), local_day(2026, 1, 1).into()],
    )
    .await;
    assert_eq!(sheet(&all, "捐赠明细").height() as i64, everyone + 1);
}

#[tokio::test]
async fn csv_exports_start_with_the_utf8_bom_and_disbursements_and_hours_export_too() {
    let app = spawn_app_with(AppOptions {
        demo_donations: true,
        ..Default::default()
    })
    .await;
    let admin = app.login(ADMIN_PHONE).await;
    let response = download(
        &app,
        Some(&admin),
        "/exports/disbursements.csv?from=2026-01-01&to=2026-12-31",
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM for Excel");
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "拨付日期");
    assert_eq!(&headers[7], "用途");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let expected = sql_i64(&app, "SELECT COUNT(*) FROM disbursements", vec![]).await;
    assert!(expected >= 7, "the demo seeds disbursements");
    assert_eq!(rows.len() as i64, expected);

    let xlsx = download(
        &app,
        Some(&admin),
        "/exports/disbursements.xlsx?from=2026-01-01&to=2026-12-31",
    )
    .await
    .bytes()
    .await
    .unwrap();
    assert_eq!(sheet(&xlsx, "款物流向").height() as i64, expected + 1);

    let hours = download(
        &app,
        Some(&admin),
        "/exports/hours.xlsx?from=2026-01-01&to=2026-12-31",
    )
    .await;
    assert_eq!(hours.status(), 200);
    let hours = hours.bytes().await.unwrap();
    let range = sheet(&hours, "志愿服务时长");
    let certified = sql_i64(
        &app,
        "SELECT COUNT(*) FROM hour_certifications WHERE certified_at >= ? AND certified_at < ?",
        vec![local_day(2026, 1, 1).into(), local_day(2027, 1, 1).into()],
    )
    .await;
    assert_eq!(range.height() as i64, certified + 1);
    assert_eq!(text(&range.rows().next().unwrap()[5]), "时长（小时）");
}

#[tokio::test]
async fn staff_export_only_their_own_orgs_rows() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let other_org = org_id(&app, "兰小草爱心公益服务基地").await;
    let refused = download(
        &app,
        Some(&staff),
        &format!("/exports/donations.csv?orgId={other_org}"),
    )
    .await;
    assert_eq!(refused.status(), 403);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "FORBIDDEN");

    let resident = app.login(RESIDENT_PHONE).await;
    let resident_try = download(&app, Some(&resident), "/exports/donations.csv").await;
    assert_eq!(resident_try.status(), 403);
    let anonymous = download(&app, None, "/exports/donations.csv").await;
    assert_eq!(anonymous.status(), 401);
    let forged = download(&app, Some("not.a.token"), "/exports/donations.csv").await;
    assert_eq!(forged.status(), 401);

    let bad = download(&app, Some(&staff), "/exports/accounts.csv").await;
    assert_eq!(bad.status(), 400);
    let backwards = download(
        &app,
        Some(&staff),
        "/exports/hours.csv?from=2026-02-01&to=2026-01-01",
    )
    .await;
    assert_eq!(backwards.status(), 400);
    assert_eq!(
        backwards.json::<Value>().await.unwrap()["field"],
        json!("to")
    );

    // Personal data is never exported for a period nobody chose.
    let unbounded = download(&app, Some(&staff), "/exports/donations.csv").await;
    assert_eq!(unbounded.status(), 400);
    assert_eq!(
        unbounded.json::<Value>().await.unwrap()["field"],
        json!("from")
    );

    // Their own org, named or not, is fine, and an empty period is just the header.
    let own = download(
        &app,
        Some(&staff),
        &format!(
            "/exports/donations.csv?from=2026-01-01&to=2026-12-31&orgId={}",
            org_id(&app, FEDERATION).await
        ),
    )
    .await;
    assert_eq!(own.status(), 200);
    let text = own.text().await.unwrap();
    assert_eq!(text.trim_start_matches('\u{feff}').lines().count(), 1);

    // Only the export that ran is in the audit log, with who took it.
    let audited = sql_i64(
        &app,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'export' AND entity = 'donations' AND role = 'ORG_STAFF'",
        vec![],
    )
    .await;
    assert_eq!(audited, 1);
}
