//! Bulk import: all rows or none, every bad row named, GBK accepted, re-import a no-op.

use serde_json::{Value, json};

use crate::helpers::*;

const IMPORT: &str = "mutation($file: Upload!) { importDonations(file: $file) {
    ok rows imported skipped errors { row column reason } } }";

async fn upload(app: &TestApp, token: &str, bytes: Vec<u8>) -> Gql {
    let resp = upload_file(app, token, IMPORT, bytes).await;
    Gql {
        body: resp.json::<Value>().await.unwrap(),
    }
}

const ENGLISH_HEADER: &str = "receipt_no,org,donor_type,donor_phone,donor_enterprise,walk_in_name,kind,amount_yuan,goods_description,goods_quantity,project,campaign,channel,funding_source,donated_at,visibility";

fn row(receipt: &str, phone: &str, amount: &str) -> String {
    format!(
        "{receipt},洞头区慈善总会,RESIDENT,{phone},,,MONEY,{amount},,,海岛学子助学,,OFFLINE,PUBLIC,2026-03-01 10:00,MASKED"
    )
}

async fn donation_count(app: &TestApp) -> u64 {
    use sea_orm::{EntityTrait, PaginatorTrait};
    api::entities::donation::Entity::find()
        .count(&app.db().conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn one_bad_row_rejects_the_whole_file_and_every_bad_row_is_named() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let csv = [
        ENGLISH_HEADER.to_owned(),
        row("IMP-1", RESIDENT_PHONE, "100.00"),
        row("IMP-2", RESIDENT_PHONE, "abc"),
        row("IMP-3", RESIDENT_PHONE, "50.00"),
        row("IMP-4", "12345", "50.00"),
        row("IMP-1", RESIDENT_PHONE, "100.00"),
        row("IMP-6", "12345", "abc"),
    ]
    .join("\n");
    let report = upload(&app, &staff, csv.into_bytes()).await.ok();
    let report = &report["importDonations"];
    assert_eq!(report["ok"], false);
    assert_eq!(report["imported"], 0);
    let errors = report["errors"].as_array().unwrap();
    let named: Vec<(i64, &str)> = errors
        .iter()
        .map(|e| (e["row"].as_i64().unwrap(), e["column"].as_str().unwrap()))
        .collect();
    assert_eq!(
        named,
        // Every error of every row: row 6 has two.
        [
            (2, "amount_yuan"),
            (4, "donor_phone"),
            (5, "receipt_no"),
            (6, "donor_phone"),
            (6, "amount_yuan"),
        ]
    );
    assert_eq!(donation_count(&app).await, 0, "nothing written");
    assert_ledger_consistent(&app).await;
}

#[tokio::test]
async fn a_gbk_file_with_chinese_headers_imports_and_a_second_import_is_a_no_op() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let text = [
        "收据编号,接收机构,捐赠人类型,捐赠人手机,捐赠单位,捐赠人姓名,捐赠类型,金额（元）,物资描述,物资数量,慈善项目,募捐活动,渠道,资金来源,捐赠时间,公开方式".to_owned(),
        "GBK-1,洞头区慈善总会,居民,13800000001,,,款,200.00,,,海岛学子助学,,线下,社会捐赠,2026-03-01 10:00,实名".to_owned(),
        "GBK-2,洞头区慈善总会,企业,,洞头海霞渔业有限公司,,物,3000.00,大米 50kg,20,海岛学子助学,,线下,社会捐赠,2026/03/02,匿名".to_owned(),
        "GBK-3,洞头区慈善总会,散客,,,张阿姨,款,20.00,,,海岛学子助学,,现场,,2026-03-03,".to_owned(),
    ]
    .join("\r\n");
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable);
    let first = upload(&app, &staff, gbk.to_vec()).await.ok();
    assert_eq!(first["importDonations"]["ok"], true, "{first}");
    assert_eq!(first["importDonations"]["imported"], 3);
    let again = upload(&app, &staff, gbk.to_vec()).await.ok();
    assert_eq!(again["importDonations"]["imported"], 0);
    assert_eq!(again["importDonations"]["skipped"], 3);
    assert_eq!(
        donation_count(&app).await,
        3,
        "re-import did not double count"
    );

    let resident = app.login(RESIDENT_PHONE).await;
    let me = app
        .gql_as(
            Some(&resident),
            "{ myCredits { balance cumulativeDonation } }",
            json!({}),
        )
        .await
        .ok();
    assert_eq!(me["myCredits"]["cumulativeDonation"], "200.00");
    assert_eq!(me["myCredits"]["balance"], 40);
    assert_ledger_consistent(&app).await;
}

#[tokio::test]
async fn staff_may_import_only_their_own_orgs_donations() {
    let app = spawn_app().await;
    let other_staff = app.login(OTHER_STAFF_PHONE).await;
    let csv = [
        ENGLISH_HEADER.to_owned(),
        row("X-1", RESIDENT_PHONE, "10.00"),
    ]
    .join("\n");
    let report = upload(&app, &other_staff, csv.into_bytes()).await.ok();
    assert_eq!(report["importDonations"]["ok"], false);
    assert_eq!(report["importDonations"]["errors"][0]["column"], "org");
    assert_eq!(donation_count(&app).await, 0);
    let resident = app.login(RESIDENT_PHONE).await;
    let csv = [
        ENGLISH_HEADER.to_owned(),
        row("X-2", RESIDENT_PHONE, "10.00"),
    ]
    .join("\n");
    assert_eq!(
        upload(&app, &resident, csv.into_bytes()).await.code(),
        Some("FORBIDDEN")
    );
}

#[tokio::test]
async fn a_file_without_the_required_columns_is_refused_whole() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let resp = upload(&app, &staff, b"foo,bar\n1,2\n".to_vec()).await;
    assert_eq!(resp.code(), Some("BAD_USER_INPUT"));
}

#[tokio::test]
async fn a_bulk_import_continues_each_donors_ledger_and_registers_a_new_phone_once() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    // Credits already on the resident's balance: the imported entries continue from them.
    let input = donation_input(&app, RESIDENT_PHONE, "50.00", "2026-02-01T02:00:00Z").await;
    app.gql_as(Some(&staff), RECORD_DONATION, json!({ "input": input }))
        .await
        .ok();
    let new_phone_row = |receipt: &str, amount: &str| {
        format!(
            "{receipt},洞头区慈善总会,RESIDENT,13711113333,,林新来,MONEY,{amount},,,海岛学子助学,,OFFLINE,PUBLIC,2026-03-01 10:00,MASKED"
        )
    };
    let csv = [
        ENGLISH_HEADER.to_owned(),
        row("BULK-1", RESIDENT_PHONE, "100.00"),
        new_phone_row("BULK-2", "25.00"),
        row("BULK-3", RESIDENT_PHONE, "200.00"),
        new_phone_row("BULK-4", "35.00"),
    ]
    .join("\n");
    let report = upload(&app, &staff, csv.into_bytes()).await.ok();
    assert_eq!(report["importDonations"]["ok"], true, "{report}");
    assert_eq!(report["importDonations"]["imported"], 4);
    let residents = sql_i64(
        &app,
        "SELECT COUNT(*) FROM residents WHERE phone = ?",
        vec!["13711113333".into()],
    )
    .await;
    assert_eq!(residents, 1, "the new phone is registered once");

    let resident = app.login(RESIDENT_PHONE).await;
    let me = app
        .gql_as(
            Some(&resident),
            "{ myCredits { balance cumulativeDonation ledger(first: 10) { edges { node { amount balanceAfter } } } } }",
            json!({}),
        )
        .await
        .ok();
    // 1 credit per 5 yuan in 2026: 10, then 20 and 40 from the file.
    assert_eq!(me["myCredits"]["cumulativeDonation"], "350.00");
    assert_eq!(me["myCredits"]["balance"], 70);
    let after: Vec<i64> = me["myCredits"]["ledger"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["balanceAfter"].as_i64().unwrap())
        .collect();
    assert_eq!(
        after,
        [70, 30, 10],
        "newest first, each continuing the last"
    );
    assert_ledger_consistent(&app).await;
}
