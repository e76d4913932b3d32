//! District indicators: every figure equals an independent SQL computation over the seeded
//! donations plus volunteering and perk rows written here; targets and met flags follow.

use std::collections::HashMap;

use api::indicators::model::{Figure, IndicatorKey, IndicatorUnit, target_for};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::*;

const INDICATORS: &str = "query($year: Int!) { districtIndicators(year: $year) {
    year inputs { population perCapitaIncome }
    indicators { key unit value target comparison met note targetSource byTown { town { id code } value } } } }";

const PUBLIC_INDICATORS: &str = "query($year: Int!) { districtIndicators(year: $year) {
    year indicators { key value target met note } } }";

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// Activities, sign-ups, certified hours (some on the year boundary, some zero) and perk
/// vouchers, written straight into the tables the volunteering and perk areas own.
async fn seed_volunteering(app: &TestApp) {
    use api::entities::{
        account, activity, charity_org,
        enums::{ActivityStatus, DisputeStatus, SignupStatus, VoucherStatus},
        hour_certification, perk, resident, signup, town,
    };
    let conn = &app.db().conn;
    let org = charity_org::Entity::find()
        .filter(charity_org::Column::Name.eq(FEDERATION))
        .one(conn)
        .await
        .unwrap()
        .unwrap();
    let staff = account::Entity::find()
        .filter(account::Column::Phone.eq(STAFF_PHONE))
        .one(conn)
        .await
        .unwrap()
        .unwrap();
    let towns = town::Entity::find().all(conn).await.unwrap();
    let residents = resident::Entity::find()
        .order_by_asc(resident::Column::Id)
        .all(conn)
        .await
        .unwrap();
    let mut activities = Vec::new();
    for (i, t) in towns.iter().take(2).enumerate() {
        let id = Uuid::now_v7();
        activity::Entity::insert(activity::ActiveModel {
            id: Set(id),
            org_id: Set(org.id),
            title: Set(format!("测试活动 {i}")),
            description: Set("海滩清洁".into()),
            town_id: Set(t.id),
            place: Set("大沙岙".into()),
            starts_at: Set(at("2026-05-01T00:30:00Z")),
            ends_at: Set(at("2026-05-01T03:30:00Z")),
            capacity: Set(100),
            signed_up: Set(0),
            signup_deadline: Set(at("2026-04-30T00:00:00Z")),
            status: Set(ActivityStatus::Finished),
            checkin_secret: Set(format!("secret-{i}")),
            created_by: Set(staff.id),
            created_at: Set(Utc::now()),
            updated_at: Set(Utc::now()),
        })
        .exec(conn)
        .await
        .unwrap();
        activities.push(id);
    }
    for (i, r) in residents.iter().take(30).enumerate() {
        let signup_id = Uuid::now_v7();
        let activity_id = activities[i % 2];
        signup::Entity::insert(signup::ActiveModel {
            id: Set(signup_id),
            activity_id: Set(activity_id),
            resident_id: Set(r.id),
            status: Set(if i % 7 == 0 {
                SignupStatus::Cancelled
            } else {
                SignupStatus::SignedUp
            }),
            signed_up_at: Set(at("2025-12-20T02:00:00Z")),
            cancelled_at: Set(None),
            checked_in_at: Set(None),
            checked_out_at: Set(None),
        })
        .exec(conn)
        .await
        .unwrap();
        if i >= 20 {
            continue;
        }
        // 23:30 and 00:30 local on New Year's Eve/Day: 2025 and 2026 respectively.
        let certified_at = match i {
            18 => at("2025-12-31T15:30:00Z"),
            19 => at("2025-12-31T16:30:00Z"),
            _ => at("2026-05-01T04:00:00Z"),
        };
        hour_certification::Entity::insert(hour_certification::ActiveModel {
            id: Set(Uuid::now_v7()),
            signup_id: Set(signup_id),
            activity_id: Set(activity_id),
            resident_id: Set(r.id),
            org_id: Set(org.id),
            minutes: Set([0, 30, 90, 150][i % 4]),
            default_minutes: Set(180),
            change_reason: Set(None),
            credits_awarded: Set(0),
            certified_by: Set(staff.id),
            certified_at: Set(certified_at),
            dispute_status: Set(DisputeStatus::None),
            dispute_reason: Set(None),
            dispute_resolution: Set(None),
            resolved_by: Set(None),
            resolved_at: Set(None),
        })
        .exec(conn)
        .await
        .unwrap();
    }
    let perk = perk::Entity::find().one(conn).await.unwrap().unwrap();
    for (i, r) in residents.iter().skip(40).take(6).enumerate() {
        let (status, honoured_at) = match i {
            0..=3 => (VoucherStatus::Honoured, Some(at("2026-06-01T02:00:00Z"))),
            4 => (VoucherStatus::Honoured, Some(at("2025-06-01T02:00:00Z"))),
            _ => (VoucherStatus::Issued, None),
        };
        api::entities::perk_voucher::Entity::insert(api::entities::perk_voucher::ActiveModel {
            id: Set(Uuid::now_v7()),
            perk_id: Set(perk.id),
            partner_id: Set(perk.partner_id),
            resident_id: Set(r.id),
            code: Set(format!("V{i:08}")),
            status: Set(status),
            issued_at: Set(at("2025-06-01T01:00:00Z")),
            expires_at: Set(at("2025-06-01T01:30:00Z")),
            honoured_at: Set(honoured_at),
            honoured_by: Set(None),
        })
        .exec(conn)
        .await
        .unwrap();
    }
}

fn by_key(data: &Value) -> HashMap<String, Value> {
    data["districtIndicators"]["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["key"].as_str().unwrap().to_owned(), i.clone()))
        .collect()
}

/// The indicator's value and met flag equal those of `expected`.
fn assert_indicator(all: &HashMap<String, Value>, key: IndicatorKey, expected: Option<Figure>) {
    let got = &all[key_name(key)];
    assert_eq!(
        got["value"],
        json!(expected.map(|f| f.display())),
        "{key:?}: {got}"
    );
    let met = match (expected, target_for(key, 2026)) {
        (Some(f), Some((target, _))) => json!(target.is_met_by(&f)),
        _ => Value::Null,
    };
    assert_eq!(got["met"], met, "{key:?} met");
    if let Some((target, _)) = target_for(key, 2026) {
        assert_eq!(
            got["target"],
            json!(target.figure.display()),
            "{key:?} target"
        );
    }
}

fn key_name(key: IndicatorKey) -> &'static str {
    use IndicatorKey::*;
    match key {
        DonationTotal => "DONATION_TOTAL",
        DonationGrowth => "DONATION_GROWTH",
        InternetDonations => "INTERNET_DONATIONS",
        RegisteredVolunteers => "REGISTERED_VOLUNTEERS",
        ActiveVolunteers => "ACTIVE_VOLUNTEERS",
        ActiveVolunteerRate => "ACTIVE_VOLUNTEER_RATE",
        VolunteerHours => "VOLUNTEER_HOURS",
        VolunteerTimes => "VOLUNTEER_TIMES",
        RecognisedOrgs => "RECOGNISED_ORGS",
        PerkBeneficiaries => "PERK_BENEFICIARIES",
        AllianceMembers => "ALLIANCE_MEMBERS",
        PerCapitaDonationRatio => "PER_CAPITA_DONATION_RATIO",
        OneDayDonationPerCapita => "ONE_DAY_DONATION_PER_CAPITA",
    }
}

#[tokio::test]
async fn each_indicator_equals_an_independent_sql_computation() {
    let app = spawn_app_with(AppOptions {
        demo_donations: true,
        ..Default::default()
    })
    .await;
    seed_volunteering(&app).await;
    let admin = app.login(ADMIN_PHONE).await;
    let set = app
        .gql_as(
            Some(&admin),
            "mutation { setDistrictInputs(year: 2026, population: 160000, perCapitaIncome: \"53677.00\") { year population perCapitaIncome } }",
            json!({}),
        )
        .await
        .ok();
    assert_eq!(set["setDistrictInputs"]["perCapitaIncome"], "53677.00");
    let data = app
        .gql_as(Some(&admin), INDICATORS, json!({ "year": 2026 }))
        .await
        .ok();
    assert_eq!(data["districtIndicators"]["inputs"]["population"], 160000);
    let all = by_key(&data);
    assert_eq!(all.len(), 13, "every row of the plan's table");

    let (y0, y1, y2) = (
        local_day(2025, 1, 1),
        local_day(2026, 1, 1),
        local_day(2027, 1, 1),
    );
    let donations = |extra: &'static str, from: DateTime<Utc>, to: DateTime<Utc>| {
        let app = &app;
        async move {
            sql_i64(
                app,
                &format!(
                    "SELECT CAST(SUM(amount_fen) AS BIGINT) FROM donations \
                     WHERE status = 'CONFIRMED' AND donated_at >= ? AND donated_at < ? {extra}"
                ),
                vec![from.into(), to.into()],
            )
            .await
        }
    };
    let total = donations("", y1, y2).await;
    let before = donations("", y0, y1).await;
    let online = donations("AND channel = 'ONLINE'", y1, y2).await;
    let one_day = donations(
        "AND (channel = 'ONE_DAY_DONATION' OR campaign_id IN \
         (SELECT id FROM campaigns WHERE code = 'ONE_DAY_DONATION'))",
        y1,
        y2,
    )
    .await;
    assert!(total > 0 && before > 0 && online > 0 && one_day > 0);
    let in_year = vec![y1.into(), y2.into()];
    let registered = sql_i64(
        &app,
        "SELECT COUNT(DISTINCT resident_id) FROM signups WHERE signed_up_at < ?",
        vec![y2.into()],
    )
    .await;
    let active = sql_i64(
        &app,
        "SELECT COUNT(DISTINCT resident_id) FROM hour_certifications \
         WHERE minutes > 0 AND certified_at >= ? AND certified_at < ?",
        in_year.clone(),
    )
    .await;
    let minutes = sql_i64(
        &app,
        "SELECT CAST(SUM(minutes) AS BIGINT) FROM hour_certifications \
         WHERE certified_at >= ? AND certified_at < ?",
        in_year.clone(),
    )
    .await;
    let times = sql_i64(
        &app,
        "SELECT COUNT(*) FROM hour_certifications \
         WHERE minutes > 0 AND certified_at >= ? AND certified_at < ?",
        in_year.clone(),
    )
    .await;
    let recognised = sql_i64(
        &app,
        "SELECT COUNT(*) FROM charity_orgs WHERE recognised = ?",
        vec![true.into()],
    )
    .await;
    let honoured = sql_i64(
        &app,
        "SELECT COUNT(*) FROM perk_vouchers WHERE status = 'HONOURED' \
         AND honoured_at >= ? AND honoured_at < ?",
        in_year.clone(),
    )
    .await;
    let partners = sql_i64(&app, "SELECT COUNT(*) FROM perk_partners", vec![]).await;
    // The rows this test wrote are among them (the demo seeds add volunteering of their own):
    // 30 sign-ups, 19 certified in 2026 of which 14 with hours, 4 honoured vouchers.
    assert!(
        registered >= 30 && active >= 14 && times >= 14 && honoured >= 4,
        "{:?}",
        (registered, active, times, honoured)
    );

    let population = 160_000i128;
    let income = 5_367_700i128;
    assert_indicator(&all, IndicatorKey::DonationTotal, Some(Figure::fen(total)));
    assert_indicator(
        &all,
        IndicatorKey::DonationGrowth,
        Figure::growth(total, before),
    );
    assert_indicator(
        &all,
        IndicatorKey::InternetDonations,
        Some(Figure::fen(online)),
    );
    assert_indicator(
        &all,
        IndicatorKey::RegisteredVolunteers,
        Some(Figure::count(registered)),
    );
    assert_indicator(
        &all,
        IndicatorKey::ActiveVolunteers,
        Some(Figure::count(active)),
    );
    assert_indicator(
        &all,
        IndicatorKey::ActiveVolunteerRate,
        Figure::ratio(active.into(), population),
    );
    assert_indicator(
        &all,
        IndicatorKey::VolunteerHours,
        Some(Figure::minutes(minutes)),
    );
    assert_indicator(
        &all,
        IndicatorKey::VolunteerTimes,
        Some(Figure::count(times)),
    );
    assert_indicator(
        &all,
        IndicatorKey::RecognisedOrgs,
        Some(Figure::count(recognised)),
    );
    assert_indicator(
        &all,
        IndicatorKey::PerkBeneficiaries,
        Some(Figure::count(honoured)),
    );
    assert_indicator(
        &all,
        IndicatorKey::AllianceMembers,
        Some(Figure::count(partners)),
    );
    assert_indicator(
        &all,
        IndicatorKey::PerCapitaDonationRatio,
        Figure::ratio(total.into(), population * income),
    );
    assert_indicator(
        &all,
        IndicatorKey::OneDayDonationPerCapita,
        Figure::new(IndicatorUnit::Yuan, one_day.into(), population),
    );

    // By town: the donation total per donor town, and the hours per volunteer's town.
    let towns = sql_town_sums(
        &app,
        "SELECT town_id AS t, CAST(SUM(amount_fen) AS BIGINT) AS v FROM donations \
         WHERE status = 'CONFIRMED' AND donated_at >= ? AND donated_at < ? GROUP BY town_id",
        in_year.clone(),
    )
    .await;
    assert_eq!(
        town_values(&all["DONATION_TOTAL"], |v| v.to_owned()),
        towns
            .iter()
            .map(|(t, v)| (t.clone(), Figure::fen(*v).display()))
            .collect::<HashMap<_, _>>()
    );
    let towns_before = sql_town_sums(
        &app,
        "SELECT town_id AS t, CAST(SUM(amount_fen) AS BIGINT) AS v FROM donations \
         WHERE status = 'CONFIRMED' AND donated_at >= ? AND donated_at < ? GROUP BY town_id",
        vec![y0.into(), y1.into()],
    )
    .await;
    let growth_by_town: HashMap<String, String> = towns_before
        .iter()
        .filter_map(|(t, before)| {
            Figure::growth(towns.get(t).copied().unwrap_or(0), *before)
                .map(|f| (t.clone(), f.display()))
        })
        .collect();
    assert!(!growth_by_town.is_empty());
    assert_eq!(
        town_values(&all["DONATION_GROWTH"], |v| v.to_owned()),
        growth_by_town
    );
    let hours_by_town = sql_town_sums(
        &app,
        "SELECT r.town_id AS t, CAST(SUM(h.minutes) AS BIGINT) AS v FROM hour_certifications h \
         JOIN residents r ON r.id = h.resident_id \
         WHERE h.certified_at >= ? AND h.certified_at < ? GROUP BY r.town_id",
        in_year,
    )
    .await;
    assert_eq!(
        town_values(&all["VOLUNTEER_HOURS"], |v| v.to_owned()),
        hours_by_town
            .iter()
            .map(|(t, v)| (t.clone(), Figure::minutes(*v).display()))
            .collect::<HashMap<_, _>>()
    );
}

/// `(town id or "", value)` from SQL returning columns `t` and `v`.
async fn sql_town_sums(
    app: &TestApp,
    sql: &str,
    values: Vec<sea_orm::Value>,
) -> HashMap<String, i64> {
    use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
    let backend = app.db().backend();
    let sql = if backend == DatabaseBackend::Postgres {
        sql.replacen('?', "$1", 1).replacen('?', "$2", 1)
    } else {
        sql.to_owned()
    };
    let rows = app
        .db()
        .conn
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await
        .unwrap();
    rows.into_iter()
        .map(|r| {
            let town: Option<Uuid> = r.try_get("", "t").unwrap();
            let value: Option<i64> = r.try_get("", "v").unwrap();
            (
                town.map(|t| t.to_string()).unwrap_or_default(),
                value.unwrap_or(0),
            )
        })
        .collect()
}

fn town_values(indicator: &Value, f: impl Fn(&str) -> String) -> HashMap<String, String> {
    indicator["byTown"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["town"]["id"].as_str().unwrap_or_default().to_owned(),
                f(t["value"].as_str().unwrap()),
            )
        })
        .collect()
}

#[tokio::test]
async fn per_capita_figures_wait_for_the_bureaus_inputs_and_the_public_sees_a_summary() {
    let app = spawn_app().await;
    let data = app
        .gql(PUBLIC_INDICATORS, json!({ "year": 2026 }))
        .await
        .ok();
    let all = by_key(&data);
    for key in [
        "PER_CAPITA_DONATION_RATIO",
        "ONE_DAY_DONATION_PER_CAPITA",
        "ACTIVE_VOLUNTEER_RATE",
    ] {
        assert_eq!(all[key]["value"], Value::Null, "{key}");
        assert_eq!(all[key]["met"], Value::Null, "{key}");
        assert!(
            all[key]["note"]
                .as_str()
                .unwrap()
                .contains("setDistrictInputs"),
            "{key}"
        );
        // The note is shown on the public page as it is: in Chinese.
        assert!(
            all[key]["note"].as_str().unwrap().contains("尚未录入"),
            "{key}"
        );
    }
    assert_eq!(all["DONATION_GROWTH"]["value"], Value::Null, "no base year");
    assert_eq!(all["DONATION_TOTAL"]["value"], "0.00");
    assert_eq!(all["RECOGNISED_ORGS"]["target"], "20");

    // The town breakdown and the inputs are the bureau's.
    let by_town = "{ districtIndicators(year: 2026) { indicators { key byTown { value } } } }";
    // One error for the whole answer, the public figures still there, each breakdown null.
    let anonymous = app.gql(by_town, json!({})).await;
    assert_eq!(anonymous.code(), Some("UNAUTHENTICATED"));
    assert_eq!(anonymous.body["errors"].as_array().unwrap().len(), 1);
    let lines = anonymous.data()["districtIndicators"]["indicators"]
        .as_array()
        .unwrap();
    assert!(lines.len() > 1);
    assert!(
        lines
            .iter()
            .all(|l| l["byTown"].is_null() && l["key"].is_string())
    );
    let resident = app.login(RESIDENT_PHONE).await;
    assert_eq!(
        app.gql_as(Some(&resident), by_town, json!({})).await.code(),
        Some("FORBIDDEN")
    );
    let set = app
        .gql_as(
            Some(&resident),
            "mutation { setDistrictInputs(year: 2026, population: 1, perCapitaIncome: \"1.00\") { year } }",
            json!({}),
        )
        .await;
    assert_eq!(set.code(), Some("FORBIDDEN"));
    let admin = app.login(ADMIN_PHONE).await;
    let bad = app
        .gql_as(
            Some(&admin),
            "mutation { setDistrictInputs(year: 2026, population: 0, perCapitaIncome: \"1.00\") { year } }",
            json!({}),
        )
        .await;
    assert_eq!(bad.code(), Some("BAD_USER_INPUT"));
    // Setting twice replaces.
    for population in [100_000, 150_000] {
        app.gql_as(
            Some(&admin),
            "mutation($p: Int!) { setDistrictInputs(year: 2026, population: $p, perCapitaIncome: \"53677.00\") { year } }",
            json!({ "p": population }),
        )
        .await
        .ok();
    }
    let data = app
        .gql_as(Some(&admin), INDICATORS, json!({ "year": 2026 }))
        .await
        .ok();
    assert_eq!(data["districtIndicators"]["inputs"]["population"], 150_000);
    assert_eq!(
        by_key(&data)["ONE_DAY_DONATION_PER_CAPITA"]["value"],
        "0.00"
    );
    let future = app.gql(PUBLIC_INDICATORS, json!({ "year": 2999 })).await;
    assert_eq!(future.code(), Some("BAD_USER_INPUT"));
}
