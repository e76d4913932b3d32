//! 洞头慈善榜: the live board against the database, the cache lost or unreachable, names and
//! consent, ties, the viewer's own rank, editions, and freshness after writes.

use std::collections::HashMap;

use api::{
    auth::Viewer,
    cache::Cache,
    db::Db,
    donations::{DonorRef, NewDonation, ReceiptNo, voids as donations},
    entities::{
        account, activity, charity_project, donation, enterprise,
        enums::{
            ActivityStatus, DisputeStatus, DonationChannel, DonationKind, FundingSource, NameStyle,
            Role, SignupStatus, Visibility,
        },
        hour_certification, resident, signup,
    },
    idempotency::IdempotencyKey,
    money::Fen,
    rankings::{
        maintenance,
        model::{ANONYMOUS_NAME, resident_display_name},
    },
    schema::Areas,
    startup::Application,
    state::AppState,
};
use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, Statement,
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::*;

const BOARD: &str =
    "query($board: Board!, $period: Period!, $key: String, $town: String, $first: Int) {
  leaderboard(board: $board, period: $period, periodKey: $key, town: $town, first: $first) {
    board period periodKey source entryCount totalAmount totalMinutes computedAt
    town { code }
    entries { rank displayName amount minutes }
    myRank { rank amount minutes }
  }
}";

/// An admin acting directly on the services (the donation API is another area's).
pub struct Desk {
    pub admin: Viewer,
    pub org_id: Uuid,
    pub project_id: Uuid,
    db: Db,
}

pub async fn desk(app: &TestApp) -> Desk {
    let admin = account::Entity::find()
        .filter(account::Column::Phone.eq(ADMIN_PHONE))
        .one(&app.db().conn)
        .await
        .unwrap()
        .expect("admin account");
    let project = charity_project::Entity::find()
        .order_by_asc(charity_project::Column::Name)
        .one(&app.db().conn)
        .await
        .unwrap()
        .expect("a project");
    Desk {
        admin: Viewer {
            account_id: admin.id,
            role: Role::Admin,
            org_id: None,
            partner_id: None,
            donor_id: None,
        },
        org_id: project.org_id,
        project_id: project.id,
        db: app.db().clone(),
    }
}

fn key() -> IdempotencyKey {
    IdempotencyKey::parse(&Uuid::new_v4().to_string()).unwrap()
}

impl Desk {
    pub async fn give(
        &self,
        areas: &Areas,
        donor: DonorRef,
        fen: i64,
        visibility: Visibility,
        source: FundingSource,
    ) -> donation::Model {
        let receipt = format!("T-{}", &Uuid::new_v4().simple().to_string()[..20]);
        let input = NewDonation {
            org_id: self.org_id,
            project_id: self.project_id,
            campaign_id: None,
            donor,
            kind: DonationKind::Money,
            amount: Fen::new(fen),
            goods_description: None,
            goods_quantity: None,
            channel: DonationChannel::Offline,
            funding_source: source,
            donated_at: Utc::now() - Duration::minutes(1),
            receipt_no: ReceiptNo::parse(&receipt).unwrap(),
            visibility,
        };
        areas
            .donations
            .record(&self.admin, &key(), input, None)
            .await
            .map_err(|e| e.message())
            .expect("donation recorded")
            .0
    }

    pub async fn resident_gives(&self, areas: &Areas, phone: &str, fen: i64) -> donation::Model {
        self.give(
            areas,
            resident_ref(phone),
            fen,
            Visibility::Named,
            FundingSource::Public,
        )
        .await
    }

    pub async fn void(&self, areas: &Areas, d: &donation::Model) {
        donations::void(
            &self.db,
            &areas.boards,
            &self.admin,
            &key(),
            d.id,
            "录入错误".into(),
        )
        .await
        .map_err(|e| e.message())
        .expect("voided");
    }
}

pub fn resident_ref(phone: &str) -> DonorRef {
    DonorRef::Resident {
        phone: api::accounts::Phone::parse(phone).expect("a valid phone"),
        name: None,
    }
}

/// Residents of the reference seeds, by phone (the first `n` after the demo resident).
async fn residents(app: &TestApp, n: usize) -> Vec<resident::Model> {
    resident::Entity::find()
        .filter(resident::Column::Phone.ne(RESIDENT_PHONE))
        .order_by_asc(resident::Column::Phone)
        .all(&app.db().conn)
        .await
        .unwrap()
        .into_iter()
        .take(n)
        .collect()
}

async fn set_name(app: &TestApp, id: Uuid, name: &str, consent: bool, style: NameStyle) {
    let r = resident::Entity::find_by_id(id)
        .one(&app.db().conn)
        .await
        .unwrap()
        .unwrap();
    let mut m: resident::ActiveModel = r.into();
    m.name = Set(name.into());
    m.name_consent = Set(consent);
    m.name_style = Set(style);
    m.update(&app.db().conn).await.unwrap();
}

async fn board(app: &TestApp, token: Option<&str>, vars: Value) -> Value {
    app.gql_as(token, BOARD, vars).await.ok()["leaderboard"].clone()
}

fn residents_all_time(first: i64) -> Value {
    json!({ "board": "RESIDENTS", "period": "ALL_TIME", "first": first })
}

/// (name, amount) pairs of a board, highest first, ties by name: comparable across sources.
fn lines(board: &Value, unit: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = board["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["displayName"].as_str().unwrap().to_owned(),
                e[unit].to_string().trim_matches('"').to_owned(),
            )
        })
        .collect();
    sort_lines(&mut out);
    out
}

fn sort_lines(lines: &mut [(String, String)]) {
    lines.sort_by(|a, b| {
        let n = |s: &str| s.parse::<f64>().unwrap();
        n(&b.1).total_cmp(&n(&a.1)).then(a.0.cmp(&b.0))
    });
}

/// The residents board computed straight from the tables, independent of the app's code:
/// PUBLIC money only (the seeded rule), anonymous parts apart, names by consent.
async fn residents_board_by_sql(app: &TestApp) -> Vec<(String, String)> {
    let db = &app.db().conn;
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT donor_id, CAST(CASE WHEN visibility = 'ANONYMOUS' THEN 1 ELSE 0 END AS BIGINT) AS anon, \
             CAST(SUM(amount_fen) AS BIGINT) AS total FROM donations \
             WHERE status = 'CONFIRMED' AND donor_kind = 'RESIDENT' AND funding_source = 'PUBLIC' \
             GROUP BY 1, 2",
        ))
        .await
        .unwrap();
    let people: HashMap<Uuid, resident::Model> = resident::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let mut out: Vec<(String, String)> = rows
        .iter()
        .map(|row| {
            let donor: Uuid = row.try_get("", "donor_id").unwrap();
            let anon: i64 = row.try_get("", "anon").unwrap();
            let total: i64 = row.try_get("", "total").unwrap();
            let r = &people[&donor];
            let name = if anon == 1 {
                ANONYMOUS_NAME.to_owned()
            } else {
                resident_display_name(&r.name, r.name_consent, r.name_style)
            };
            (name, Fen::new(total).to_string())
        })
        .collect();
    sort_lines(&mut out);
    out
}

async fn hours_board_by_sql(app: &TestApp) -> Vec<(String, String)> {
    let db = &app.db().conn;
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT resident_id, CAST(SUM(minutes) AS BIGINT) AS total \
             FROM hour_certifications GROUP BY 1",
        ))
        .await
        .unwrap();
    let mut out = Vec::new();
    for row in rows {
        let id: Uuid = row.try_get("", "resident_id").unwrap();
        let total: i64 = row.try_get("", "total").unwrap();
        let r = resident::Entity::find_by_id(id)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        out.push((
            resident_display_name(&r.name, r.name_consent, r.name_style),
            total.to_string(),
        ));
    }
    sort_lines(&mut out);
    out
}

/// A certification inserted directly (certifying is another area's), then the hook.
async fn certify(app: &TestApp, desk: &Desk, resident_id: Uuid, minutes: i32) {
    let db = &app.db().conn;
    let now = Utc::now();
    let town = resident::Entity::find_by_id(resident_id)
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .town_id
        .expect("seeded residents have a town");
    let act = activity::ActiveModel {
        id: Set(Uuid::now_v7()),
        org_id: Set(desk.org_id),
        title: Set("海滩清洁".into()),
        description: Set("测试活动".into()),
        town_id: Set(town),
        place: Set("大沙岙".into()),
        starts_at: Set(now - Duration::hours(3)),
        ends_at: Set(now - Duration::hours(1)),
        capacity: Set(10),
        signed_up: Set(1),
        signup_deadline: Set(now - Duration::hours(4)),
        status: Set(ActivityStatus::Finished),
        checkin_secret: Set(Uuid::new_v4().simple().to_string()),
        created_by: Set(desk.admin.account_id),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .unwrap();
    let s = signup::ActiveModel {
        id: Set(Uuid::now_v7()),
        activity_id: Set(act.id),
        resident_id: Set(resident_id),
        status: Set(SignupStatus::SignedUp),
        signed_up_at: Set(now - Duration::hours(5)),
        cancelled_at: Set(None),
        checked_in_at: Set(Some(now - Duration::hours(3))),
        checked_out_at: Set(Some(now - Duration::hours(1))),
    }
    .insert(db)
    .await
    .unwrap();
    let cert = hour_certification::ActiveModel {
        id: Set(Uuid::now_v7()),
        signup_id: Set(s.id),
        activity_id: Set(act.id),
        resident_id: Set(resident_id),
        org_id: Set(desk.org_id),
        minutes: Set(minutes),
        default_minutes: Set(minutes),
        change_reason: Set(None),
        credits_awarded: Set(0),
        certified_by: Set(desk.admin.account_id),
        certified_at: Set(Utc::now()),
        dispute_status: Set(DisputeStatus::None),
        dispute_reason: Set(None),
        dispute_resolution: Set(None),
        resolved_by: Set(None),
        resolved_at: Set(None),
    }
    .insert(db)
    .await
    .unwrap();
    // What the certification's transaction does for the database's running totals, then
    // what follows its commit for the sets.
    api::rankings::totals::hours_changed(db, &cert, i64::from(minutes))
        .await
        .unwrap();
    app.areas.boards.hours_certified(&cert).await;
}

/// Another API process on the same database and the given cache.
pub async fn replica(app: &TestApp, cache: Cache) -> String {
    let state = AppState::new(
        app.state.db.clone(),
        cache,
        app.state.keys.clone(),
        (*app.state.settings).clone(),
    )
    .unwrap();
    let replica = Application::with_state(state).await.unwrap();
    let address = format!("http://127.0.0.1:{}", replica.port());
    tokio::spawn(replica.run_until_stopped());
    address
}

/// A Redis cache at a port nobody listens on: every call fails, as in an outage.
fn unreachable_cache() -> Cache {
    Cache::redis_lazy(
        "redis://127.0.0.1:1",
        "down",
        std::time::Duration::from_millis(200),
    )
    .unwrap()
}

/// A second handle on the same cache: the same Redis and prefix, or the same in-process store.
async fn same_cache(app: &TestApp) -> Cache {
    match backend() {
        Backend::Sqlite => app.state.cache.clone(),
        Backend::Postgres => Cache::redis(
            "redis://127.0.0.1:6379",
            app.state.cache.prefix(),
            std::time::Duration::from_millis(500),
        )
        .await
        .unwrap(),
    }
}

async fn gql_at(address: &str, query: &str, vars: Value) -> Value {
    let body: Value = reqwest::Client::new()
        .post(format!("{address}/graphql"))
        .json(&json!({ "query": query, "variables": vars }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(body["errors"].is_null(), "errors: {}", body["errors"]);
    body["data"].clone()
}

async fn verify_is_clean(app: &TestApp) {
    let report = maintenance::verify_all(app.db(), &app.state.cache)
        .await
        .map_err(|e| e.message())
        .unwrap();
    assert!(report.differences.is_empty(), "{report}");
}

#[tokio::test]
async fn the_board_equals_a_direct_database_aggregation_after_donations_voids_and_hours() {
    let app = spawn_app().await;
    let desk = desk(&app).await;
    let st = &app.state;
    maintenance::rebuild_all(app.db(), &st.cache).await.unwrap();
    let people = residents(&app, 6).await;
    set_name(&app, people[0].id, "张晓明", true, NameStyle::Named).await;
    set_name(&app, people[1].id, "李红", true, NameStyle::Masked).await;

    desk.resident_gives(&app.areas, &people[0].phone, 50_000)
        .await;
    desk.resident_gives(&app.areas, &people[1].phone, 20_000)
        .await;
    desk.resident_gives(&app.areas, &people[1].phone, 12_345)
        .await;
    let voided = desk
        .resident_gives(&app.areas, &people[2].phone, 99_900)
        .await;
    desk.resident_gives(&app.areas, &people[2].phone, 3_000)
        .await;
    desk.give(
        &app.areas,
        resident_ref(&people[3].phone),
        40_000,
        Visibility::Anonymous,
        FundingSource::Public,
    )
    .await;
    desk.resident_gives(&app.areas, &people[3].phone, 1_000)
        .await;
    // Not giving by the resident under the seeded rule: left off the board.
    desk.give(
        &app.areas,
        resident_ref(&people[4].phone),
        700_000,
        Visibility::Named,
        FundingSource::GovernmentMatching,
    )
    .await;
    desk.give(
        &app.areas,
        DonorRef::WalkIn {
            name: Some("路人".into()),
        },
        5_000,
        Visibility::Named,
        FundingSource::Public,
    )
    .await;
    desk.void(&app.areas, &voided).await;
    certify(&app, &desk, people[0].id, 150).await;
    certify(&app, &desk, people[5].id, 90).await;
    certify(&app, &desk, people[0].id, 60).await;

    let live = board(&app, None, residents_all_time(100)).await;
    assert_eq!(
        live["source"], "CACHE",
        "the sets were kept current after each write"
    );
    assert_eq!(lines(&live, "amount"), residents_board_by_sql(&app).await);
    assert_eq!(live["totalAmount"], "1263.45");
    let names: Vec<&str> = live["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["displayName"].as_str().unwrap())
        .collect();
    assert_eq!(names[0], "张晓明");
    assert!(names.contains(&"李*"));

    let hours = board(
        &app,
        None,
        json!({ "board": "VOLUNTEER_HOURS", "period": "ALL_TIME" }),
    )
    .await;
    // (Certifications right after a rebuild may find their set invalidated: they prove their
    // order by timestamp, with a margin for clock skew. Either source gives the same board.)
    assert_eq!(lines(&hours, "minutes"), hours_board_by_sql(&app).await);
    assert_eq!(hours["entries"][0]["minutes"], 210);
    assert_eq!(hours["totalMinutes"], 300);

    // The same board by month and by town, straight from the database.
    let month = board(
        &app,
        None,
        json!({ "board": "RESIDENTS", "period": "MONTH", "first": 100 }),
    )
    .await;
    assert_eq!(lines(&month, "amount"), residents_board_by_sql(&app).await);
    let town_code = api::entities::town::Entity::find_by_id(people[0].town_id.unwrap())
        .one(&app.db().conn)
        .await
        .unwrap()
        .unwrap()
        .code;
    let in_town = board(
        &app,
        None,
        json!({ "board": "RESIDENTS", "period": "YEAR", "town": town_code, "first": 100 }),
    )
    .await;
    assert_eq!(in_town["town"]["code"], town_code.as_str());
    assert!(
        lines(&in_town, "amount")
            .iter()
            .all(|l| lines(&live, "amount").contains(l)),
        "a town's board holds only that town's donors"
    );
    assert_eq!(in_town["entries"][0]["displayName"], "张晓明");

    // Every donation set was kept exactly; hour sets may only have been invalidated.
    let report = maintenance::verify_all(app.db(), &st.cache).await.unwrap();
    assert!(
        report.differences.iter().all(|d| matches!(
            d,
            maintenance::Difference::NotReady { set } if set.contains("VOLUNTEER_HOURS")
        )),
        "{report}"
    );
    maintenance::rebuild_all(app.db(), &st.cache).await.unwrap();
    verify_is_clean(&app).await;
}

#[tokio::test]
async fn an_enterprise_branch_counts_for_its_parent_group() {
    let app = spawn_app().await;
    let desk = desk(&app).await;
    let db = app.db().conn.clone();
    let find = |name: &'static str| {
        let db = db.clone();
        async move {
            enterprise::Entity::find()
                .filter(enterprise::Column::Name.eq(name))
                .one(&db)
                .await
                .unwrap()
                .unwrap()
        }
    };
    let parent = find("浙江洞头海洋渔业集团有限公司").await;
    let branch = find("浙江洞头海洋渔业集团有限公司鹿西分公司").await;
    let other = find("洞头海霞渔业有限公司").await;
    desk.give(
        &app.areas,
        DonorRef::Enterprise { id: branch.id },
        800_000,
        Visibility::Named,
        FundingSource::Public,
    )
    .await;
    desk.give(
        &app.areas,
        DonorRef::Enterprise { id: parent.id },
        300_000,
        Visibility::Named,
        FundingSource::Public,
    )
    .await;
    desk.give(
        &app.areas,
        DonorRef::Enterprise { id: other.id },
        1_000_000,
        Visibility::Named,
        FundingSource::Public,
    )
    .await;
    desk.give(
        &app.areas,
        DonorRef::Enterprise { id: other.id },
        5_000_000,
        Visibility::Named,
        FundingSource::CharityTransfer,
    )
    .await;

    let orgs = board(
        &app,
        None,
        json!({ "board": "ORGANISATIONS", "period": "ALL_TIME" }),
    )
    .await;
    assert_eq!(
        lines(&orgs, "amount"),
        vec![
            (
                "浙江洞头海洋渔业集团有限公司".to_owned(),
                "11000.00".to_owned()
            ),
            ("洞头海霞渔业有限公司".to_owned(), "10000.00".to_owned()),
        ]
    );
    // The enterprise's own login sees its rank.
    let token = app.login(ENTERPRISE_PHONE).await;
    let mine = board(
        &app,
        Some(&token),
        json!({ "board": "ORGANISATIONS", "period": "ALL_TIME" }),
    )
    .await;
    assert_eq!(
        mine["myRank"],
        json!({ "rank": 2, "amount": "10000.00", "minutes": null })
    );
}

#[tokio::test]
async fn after_the_cache_is_flushed_the_board_answers_from_the_database_and_rebuild_restores_it() {
    let app = spawn_app().await;
    let desk = desk(&app).await;
    let st = &app.state;
    maintenance::rebuild_all(app.db(), &st.cache).await.unwrap();
    let people = residents(&app, 3).await;
    for (i, p) in people.iter().enumerate() {
        desk.resident_gives(&app.areas, &p.phone, 10_000 * (i as i64 + 1))
            .await;
    }
    let before = board(&app, None, residents_all_time(10)).await;
    assert_eq!(before["source"], "CACHE");

    // FLUSHALL, for this test's keys only.
    st.cache.delete_all_keys().await.unwrap();
    let after = board(&app, None, residents_all_time(10)).await;
    assert_eq!(
        after["source"], "DATABASE",
        "a flushed set is never read as empty"
    );
    assert_eq!(lines(&after, "amount"), lines(&before, "amount"));

    let report = maintenance::rebuild_all(app.db(), &st.cache).await.unwrap();
    assert!(report.not_rebuilt.is_empty(), "{report}");
    verify_is_clean(&app).await;
    let rebuilt = board(&app, None, residents_all_time(10)).await;
    assert_eq!(rebuilt["source"], "CACHE");
    assert_eq!(lines(&rebuilt, "amount"), lines(&before, "amount"));

    // A difference is reported: a set that lost a member.
    let all = api::rankings::model::BoardSpec {
        board: api::entities::enums::Board::Residents,
        period: api::rankings::model::PeriodKey::all_time(),
        town: None,
    };
    st.cache
        .zincrby(&all.zset_key(), &people[0].id.to_string(), -1.0)
        .await
        .unwrap();
    let report = maintenance::verify_all(app.db(), &st.cache).await.unwrap();
    assert_eq!(report.differences.len(), 1, "{report}");
    assert!(matches!(
        report.differences[0],
        maintenance::Difference::Total { expected, actual, .. } if expected == actual + 1
    ));
}

#[tokio::test]
async fn a_read_after_a_flush_rebuilds_the_set_for_the_next_reads() {
    let app = spawn_app().await;
    let desk = desk(&app).await;
    let people = residents(&app, 2).await;
    desk.resident_gives(&app.areas, &people[0].phone, 8_800)
        .await;
    let first = board(&app, None, residents_all_time(5)).await;
    assert_eq!(first["source"], "DATABASE", "nothing was built yet");
    let mut source = Value::Null;
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        source = board(&app, None, residents_all_time(5)).await["source"].clone();
        if source == "CACHE" {
            break;
        }
    }
    assert_eq!(source, "CACHE");
    desk.resident_gives(&app.areas, &people[1].phone, 9_900)
        .await;
    let next = board(&app, None, residents_all_time(5)).await;
    assert_eq!(next["source"], "CACHE");
    assert_eq!(next["entries"][0]["amount"], "99.00");
}

#[tokio::test]
async fn with_the_cache_unreachable_the_api_still_answers_from_the_database() {
    let app = spawn_app().await;
    let desk = desk(&app).await;
    let down = unreachable_cache();
    let down_areas = Areas::start(&app.state.with_cache(down.clone()));
    let people = residents(&app, 2).await;
    // Writes go through: the cache is not needed to record a donation.
    desk.resident_gives(&down_areas, &people[0].phone, 12_300)
        .await;
    desk.resident_gives(&down_areas, &people[1].phone, 4_500)
        .await;
    let address = replica(&app, down).await;
    let answer = gql_at(&address, BOARD, residents_all_time(10)).await["leaderboard"].clone();
    assert_eq!(answer["source"], "DATABASE");
    assert_eq!(lines(&answer, "amount"), residents_board_by_sql(&app).await);
}

#[tokio::test]
async fn with_the_cache_unreachable_answers_are_reused_until_a_write_and_never_after_it() {
    let app = spawn_app().await;
    let desk = desk(&app).await;
    let down = unreachable_cache();
    let down_areas = Areas::start(&app.state.with_cache(down.clone()));
    let people = residents(&app, 2).await;
    desk.resident_gives(&down_areas, &people[0].phone, 12_300)
        .await;
    let address = replica(&app, down).await;
    let first = gql_at(&address, BOARD, residents_all_time(10)).await["leaderboard"].clone();
    assert_eq!(first["source"], "DATABASE");
    // Unchanged board: the same answer, kept in process (computed once, at the same instant).
    let again = gql_at(&address, BOARD, residents_all_time(10)).await["leaderboard"].clone();
    assert_eq!(again["computedAt"], first["computedAt"], "{again}");
    // A write on another replica, also without the cache: the next read shows it.
    desk.resident_gives(&down_areas, &people[1].phone, 45_600)
        .await;
    let after = gql_at(&address, BOARD, residents_all_time(10)).await["leaderboard"].clone();
    assert_ne!(after["computedAt"], first["computedAt"]);
    assert_eq!(lines(&after, "amount"), residents_board_by_sql(&app).await);
    assert_eq!(after["entries"][0]["amount"], "456.00", "{after}");
    // A change of names or rules only (what a withdrawn consent announces) is a new version too.
    down_areas.boards.changed().await;
    let renamed = gql_at(&address, BOARD, residents_all_time(10)).await["leaderboard"].clone();
    assert_ne!(renamed["computedAt"], after["computedAt"]);
}

#[tokio::test]
async fn equal_totals_share_a_rank_and_the_next_rank_skips() {
    let app = spawn_app().await;
    let desk = desk(&app).await;
    let people = residents(&app, 4).await;
    for (p, fen) in people.iter().zip([10_000, 10_000, 5_000, 20_000]) {
        desk.resident_gives(&app.areas, &p.phone, fen).await;
    }
    for _ in 0..2 {
        // Once from the database, once from the set the first read rebuilt.
        let b = board(&app, None, residents_all_time(10)).await;
        let ranks: Vec<i64> = b["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["rank"].as_i64().unwrap())
            .collect();
        assert_eq!(ranks, vec![1, 2, 2, 4]);
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
}

#[tokio::test]
async fn masked_and_anonymous_names_appear_as_specified_and_the_donor_keeps_a_private_total() {
    let app = spawn_app().await;
    let desk = desk(&app).await;
    let people = residents(&app, 2).await;
    set_name(&app, people[0].id, "王小丽", true, NameStyle::Named).await;
    set_name(&app, people[1].id, "周强", false, NameStyle::Named).await;
    // 陈晓明 consented to a masked name in the seeds.
    desk.resident_gives(&app.areas, RESIDENT_PHONE, 30_000)
        .await;
    desk.give(
        &app.areas,
        resident_ref(RESIDENT_PHONE),
        25_000,
        Visibility::Anonymous,
        FundingSource::Public,
    )
    .await;
    desk.resident_gives(&app.areas, &people[0].phone, 40_000)
        .await;
    desk.resident_gives(&app.areas, &people[1].phone, 20_000)
        .await;

    let token = app.login(RESIDENT_PHONE).await;
    let b = board(&app, Some(&token), residents_all_time(10)).await;
    assert_eq!(
        b["entries"],
        json!([
            { "rank": 1, "displayName": "王小丽", "amount": "400.00", "minutes": null },
            { "rank": 2, "displayName": "陈*明", "amount": "300.00", "minutes": null },
            { "rank": 3, "displayName": ANONYMOUS_NAME, "amount": "250.00", "minutes": null },
            { "rank": 4, "displayName": ANONYMOUS_NAME, "amount": "200.00", "minutes": null },
        ])
    );
    // Privately, the anonymous gift counts: 550 yuan puts 陈晓明 first.
    assert_eq!(
        b["myRank"],
        json!({ "rank": 1, "amount": "550.00", "minutes": null })
    );
    let text = b.to_string();
    for secret in [RESIDENT_PHONE, &people[0].phone, &people[0].id.to_string()] {
        assert!(!text.contains(secret), "no phone or id on a public board");
    }

    // Two-character names are masked as 周*.
    set_name(&app, people[1].id, "周强", true, NameStyle::Masked).await;
    app.areas.boards.changed().await;
    let b = board(&app, None, residents_all_time(10)).await;
    assert_eq!(b["entries"][3]["displayName"], "周*");
}

#[tokio::test]
async fn withdrawing_consent_takes_the_name_off_the_board_at_once() {
    let app = spawn_app().await;
    let desk = desk(&app).await;
    desk.resident_gives(&app.areas, RESIDENT_PHONE, 66_600)
        .await;
    let token = app.login(RESIDENT_PHONE).await;
    let named = board(&app, None, residents_all_time(5)).await;
    assert_eq!(named["entries"][0]["displayName"], "陈*明");
    // Read twice so the answer sits in the response cache.
    board(&app, None, residents_all_time(5)).await;

    let choice = app
        .gql_as(
            Some(&token),
            "mutation { setPublicNameConsent(consent: false) { consent publicName } }",
            json!({}),
        )
        .await
        .ok();
    assert_eq!(
        choice["setPublicNameConsent"],
        json!({ "consent": false, "publicName": ANONYMOUS_NAME })
    );
    let after = board(&app, None, residents_all_time(5)).await;
    assert_eq!(after["entries"][0]["displayName"], ANONYMOUS_NAME);
    assert!(!after.to_string().contains("陈"));

    let again = app
        .gql_as(
            Some(&token),
            "mutation { setPublicNameConsent(consent: true, nameStyle: NAMED) { publicName } }",
            json!({}),
        )
        .await
        .ok();
    assert_eq!(again["setPublicNameConsent"]["publicName"], "陈晓明");
    assert_eq!(
        board(&app, None, residents_all_time(5)).await["entries"][0]["displayName"],
        "陈晓明"
    );

    // Only residents choose, and only for themselves.
    let admin = app.login(ADMIN_PHONE).await;
    let refused = app
        .gql_as(
            Some(&admin),
            "mutation { setPublicNameConsent(consent: true) { consent } }",
            json!({}),
        )
        .await;
    assert_eq!(refused.code(), Some("FORBIDDEN"));
}

#[tokio::test]
async fn a_donor_can_make_their_own_donation_anonymous_and_nobody_elses() {
    let app = spawn_app().await;
    let desk = desk(&app).await;
    maintenance::rebuild_all(app.db(), &app.state.cache)
        .await
        .unwrap();
    let mine = desk
        .resident_gives(&app.areas, RESIDENT_PHONE, 12_000)
        .await;
    let other = desk
        .resident_gives(&app.areas, &residents(&app, 1).await[0].phone, 3_000)
        .await;
    let token = app.login(RESIDENT_PHONE).await;
    let change = "mutation($id: ID!, $v: Visibility!) { setDonationVisibility(donationId: $id, visibility: $v) { visibility } }";
    app.gql_as(
        Some(&token),
        change,
        json!({ "id": mine.id.to_string(), "v": "ANONYMOUS" }),
    )
    .await
    .ok();
    let b = board(&app, Some(&token), residents_all_time(5)).await;
    assert_eq!(b["source"], "CACHE");
    assert_eq!(b["entries"][0]["displayName"], ANONYMOUS_NAME);
    assert_eq!(b["entries"][0]["amount"], "120.00");
    assert_eq!(b["myRank"]["amount"], "120.00");
    let refused = app
        .gql_as(
            Some(&token),
            change,
            json!({ "id": other.id.to_string(), "v": "ANONYMOUS" }),
        )
        .await;
    assert_eq!(refused.code(), Some("NOT_FOUND"));
    verify_is_clean(&app).await;
}

#[tokio::test]
async fn a_resident_far_outside_the_top_still_gets_their_rank() {
    let app = spawn_app().await;
    let desk = desk(&app).await;
    for p in residents(&app, 30).await {
        desk.resident_gives(&app.areas, &p.phone, 50_000).await;
    }
    desk.resident_gives(&app.areas, RESIDENT_PHONE, 100).await;
    let token = app.login(RESIDENT_PHONE).await;
    for _ in 0..2 {
        let b = board(&app, Some(&token), residents_all_time(5)).await;
        assert_eq!(b["entries"].as_array().unwrap().len(), 5);
        assert_eq!(b["entryCount"], 31);
        assert_eq!(
            b["myRank"],
            json!({ "rank": 31, "amount": "1.00", "minutes": null })
        );
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    // Anyone else gets no rank of their own.
    assert!(board(&app, None, residents_all_time(5)).await["myRank"].is_null());
}

#[tokio::test]
async fn a_board_read_after_an_acknowledged_write_is_never_stale_on_any_replica() {
    let app = spawn_app().await;
    let desk = desk(&app).await;
    maintenance::rebuild_all(app.db(), &app.state.cache)
        .await
        .unwrap();
    let other = replica(&app, same_cache(&app).await).await;
    let people = residents(&app, 1).await;
    let mut expected = 0;
    for i in 1..=5 {
        // Read on both replicas (filling both response caches), write, read again.
        board(&app, None, residents_all_time(3)).await;
        gql_at(&other, BOARD, residents_all_time(3)).await;
        desk.resident_gives(&app.areas, &people[0].phone, 1_000 * i)
            .await;
        expected += 1_000 * i;
        let want = Fen::new(expected).to_string();
        let here = board(&app, None, residents_all_time(3)).await;
        let there = gql_at(&other, BOARD, residents_all_time(3)).await["leaderboard"].clone();
        assert_eq!(here["totalAmount"], want.as_str());
        assert_eq!(there["totalAmount"], want.as_str());
        assert_eq!(
            there["source"], "CACHE",
            "both processes read the same sets"
        );
    }
}

#[tokio::test]
async fn period_keys_and_towns_are_checked() {
    let app = spawn_app().await;
    let bad = app
        .gql(
            BOARD,
            json!({ "board": "RESIDENTS", "period": "MONTH", "key": "2026-13" }),
        )
        .await;
    assert_eq!(bad.code(), Some("BAD_USER_INPUT"));
    let bad = app
        .gql(
            BOARD,
            json!({ "board": "RESIDENTS", "period": "YEAR", "town": "ATLANTIS" }),
        )
        .await;
    assert_eq!(bad.code(), Some("BAD_USER_INPUT"));
    let q = app
        .gql(
            BOARD,
            json!({ "board": "RESIDENTS", "period": "QUARTER", "key": "2026-Q2" }),
        )
        .await
        .ok();
    assert_eq!(q["leaderboard"]["periodKey"], "2026-Q2");
    assert_eq!(q["leaderboard"]["entries"], json!([]));
}

const PUBLISH: &str = "mutation($board: Board!, $period: Period!, $corrects: ID) {
  publishRankingEdition(board: $board, period: $period, correctsEditionId: $corrects) {
    id number ledgerHash rulesJson corrects { number }
    entries { rank displayName amount }
  }
}";

const EDITION: &str = "query($n: Int!) {
  rankingEdition(number: $n) { number ledgerHash entries { rank displayName amount } corrects { number } correctedBy { number } }
  verifyRankingEdition(number: $n) { ledgerHash recomputedHash hashMatches entriesMatch }
}";

#[tokio::test]
async fn an_edition_stays_exactly_as_published_after_later_donations() {
    let app = spawn_app().await;
    let desk = desk(&app).await;
    let people = residents(&app, 2).await;
    let first = desk
        .resident_gives(&app.areas, RESIDENT_PHONE, 52_000)
        .await;
    desk.resident_gives(&app.areas, &people[0].phone, 18_000)
        .await;
    // An edition shows the ledger as it stood a moment before publication.
    tokio::time::sleep(std::time::Duration::from_millis(2_200)).await;
    let admin = app.login(ADMIN_PHONE).await;
    let vars = json!({ "board": "RESIDENTS", "period": "ALL_TIME" });
    let published =
        app.gql_as(Some(&admin), PUBLISH, vars.clone()).await.ok()["publishRankingEdition"].clone();
    assert_eq!(
        published["entries"][0],
        json!({ "rank": 1, "displayName": "陈*明", "amount": "520.00" })
    );
    let number = published["number"].as_i64().unwrap();
    let rules: Value = serde_json::from_str(published["rulesJson"].as_str().unwrap()).unwrap();
    assert_eq!(rules["rules"][0]["excludeGovernmentMatching"], true);

    // The media feed names her now (and holds the answer in its cache).
    let key = app
        .gql_as(
            Some(&admin),
            "mutation { issueMediaApiKey(name: \"温州日报\") { secret } }",
            json!({}),
        )
        .await
        .ok()["issueMediaApiKey"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let media_feed = || async {
        app.client
            .get(format!("{}/feed/rankings.json", app.address))
            .header("X-Api-Key", &key)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    assert!(media_feed().await.contains("陈*明"));

    // Later: more donations, a void, a withdrawn consent.
    desk.resident_gives(&app.areas, &people[1].phone, 99_000)
        .await;
    desk.void(&app.areas, &first).await;
    let token = app.login(RESIDENT_PHONE).await;
    app.gql_as(
        Some(&token),
        "mutation { setPublicNameConsent(consent: false) { consent } }",
        json!({}),
    )
    .await
    .ok();

    // Ranks, amounts and the hash are as published; the name follows today's consent, on
    // the API and in the media feed alike.
    let now = app.gql(EDITION, json!({ "n": number })).await.ok();
    let mut expected = published["entries"].clone();
    expected[0]["displayName"] = json!(ANONYMOUS_NAME);
    assert_eq!(now["rankingEdition"]["entries"], expected);
    assert_eq!(now["rankingEdition"]["ledgerHash"], published["ledgerHash"]);
    let feed_text = media_feed().await;
    assert!(feed_text.contains(ANONYMOUS_NAME), "{feed_text}");
    assert!(
        !feed_text.contains("陈*明"),
        "the feed still names her: {feed_text}"
    );
    assert_eq!(
        now["verifyRankingEdition"],
        json!({
            "ledgerHash": published["ledgerHash"],
            "recomputedHash": published["ledgerHash"],
            "hashMatches": true,
            "entriesMatch": true,
        })
    );

    // Tampering with a counted ledger row shows.
    let db = &app.db().conn;
    let row = donation::Entity::find_by_id(first.id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let mut m: donation::ActiveModel = row.into();
    m.amount_fen = Set(52_100);
    m.update(db).await.unwrap();
    let check = app.gql(EDITION, json!({ "n": number })).await.ok();
    assert_eq!(check["verifyRankingEdition"]["hashMatches"], false);
    assert_eq!(check["verifyRankingEdition"]["entriesMatch"], false);

    // A correction is a new edition naming the one it corrects.
    tokio::time::sleep(std::time::Duration::from_millis(2_200)).await;
    let corrected = app
        .gql_as(
            Some(&admin),
            PUBLISH,
            json!({ "board": "RESIDENTS", "period": "ALL_TIME", "corrects": published["id"] }),
        )
        .await
        .ok()["publishRankingEdition"]
        .clone();
    assert_eq!(corrected["number"].as_i64(), Some(number + 1));
    assert_eq!(corrected["corrects"]["number"].as_i64(), Some(number));
    assert_eq!(corrected["entries"][0]["amount"], "990.00");
    let old = app.gql(EDITION, json!({ "n": number })).await.ok();
    assert_eq!(
        old["rankingEdition"]["correctedBy"],
        json!([{ "number": number + 1 }])
    );
    let wrong = app
        .gql_as(
            Some(&admin),
            PUBLISH,
            json!({ "board": "ORGANISATIONS", "period": "ALL_TIME", "corrects": published["id"] }),
        )
        .await;
    assert_eq!(wrong.code(), Some("BAD_USER_INPUT"));

    let list = app
        .gql(
            "{ rankingEditions(first: 10) { edges { node { number } } } }",
            json!({}),
        )
        .await
        .ok();
    assert_eq!(
        list["rankingEditions"]["edges"][0]["node"]["number"].as_i64(),
        Some(number + 1)
    );
    let refused = app.gql_as(Some(&token), PUBLISH, vars).await;
    assert_eq!(refused.code(), Some("FORBIDDEN"));
}

#[tokio::test]
async fn ranking_rules_are_data_and_the_minimum_to_appear_applies_at_once() {
    let app = spawn_app().await;
    let desk = desk(&app).await;
    let people = residents(&app, 2).await;
    desk.resident_gives(&app.areas, &people[0].phone, 5_000)
        .await;
    desk.resident_gives(&app.areas, &people[1].phone, 50_000)
        .await;
    let admin = app.login(ADMIN_PHONE).await;
    let create = "mutation($at: DateTime!) { createRankingRule(input: { effectiveFrom: $at,
        excludeGovernmentMatching: true, excludeCharityTransfers: true, rollUpBranches: true,
        minAmount: \"100.00\" }) { minAmount } }";
    let rule = app
        .gql_as(
            Some(&admin),
            create,
            json!({ "at": Utc::now().to_rfc3339() }),
        )
        .await
        .ok();
    assert_eq!(rule["createRankingRule"]["minAmount"], "100.00");
    let b = board(&app, None, residents_all_time(10)).await;
    assert_eq!(
        b["entries"].as_array().unwrap().len(),
        1,
        "50 yuan is below the minimum"
    );
    assert_eq!(b["entryCount"], 2);
    let past = app
        .gql_as(
            Some(&admin),
            create,
            json!({ "at": (Utc::now() - Duration::days(30)).to_rfc3339() }),
        )
        .await;
    assert_eq!(past.code(), Some("BAD_USER_INPUT"));
    let rules = app
        .gql("{ rankingRules { minAmount } }", json!({}))
        .await
        .ok();
    assert_eq!(rules["rankingRules"].as_array().unwrap().len(), 2);
    let refused = app
        .gql_as(
            Some(&app.login(RESIDENT_PHONE).await),
            create,
            json!({ "at": Utc::now().to_rfc3339() }),
        )
        .await;
    assert_eq!(refused.code(), Some("FORBIDDEN"));
}

/// Wait (up to 20 s, with no reads) until every set equals the database.
async fn until_verify_is_clean(app: &TestApp, what: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let report = maintenance::verify_all(app.db(), &app.state.cache)
            .await
            .unwrap();
        if report.differences.is_empty() {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "{what}: {report}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// Wait until a board read comes from the rebuilt set (a read of an unbuilt set starts a build).
async fn until_cached(app: &TestApp, vars: Value) -> Value {
    for _ in 0..100 {
        let read = board(app, None, vars.clone()).await;
        if read["source"] == "CACHE" {
            return read;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the set was never rebuilt");
}

#[tokio::test]
async fn the_hours_board_follows_certifications_and_upheld_disputes_made_through_the_api() {
    use crate::volunteering::{attended_activity, certify};
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let admin = app.login(ADMIN_PHONE).await;
    let resident = app.login(RESIDENT_PHONE).await;
    let hours = json!({ "board": "VOLUNTEER_HOURS", "period": "ALL_TIME", "first": 100 });
    let before = until_cached(&app, hours.clone()).await;
    assert_eq!(lines(&before, "minutes"), hours_board_by_sql(&app).await);

    let (_, signup) = attended_activity(
        &app,
        &staff,
        &resident,
        180,
        chrono::TimeDelta::hours(1),
        (0, 150),
    )
    .await;
    let cert = certify(&app, &staff, &signup, None, None, "rank-cert-1")
        .await
        .ok();
    let cert_id = cert["certifyHours"]["id"].as_str().unwrap().to_owned();
    // Whatever the source (a certification right after a build may only invalidate the set),
    // the board now holds the new hours.
    let certified = board(&app, None, hours.clone()).await;
    assert_eq!(lines(&certified, "minutes"), hours_board_by_sql(&app).await);
    let certified = until_cached(&app, hours.clone()).await;
    let own = |b: &Value| -> i64 {
        b["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["displayName"] == "陈*明")
            .map_or(0, |e| e["minutes"].as_i64().unwrap())
    };
    let own_before = own(&certified);

    app.gql_as(
        Some(&resident),
        "mutation($id: ID!) { disputeCertification(certificationId: $id, reason: \"我全程三小时都在\") { id } }",
        json!({ "id": cert_id }),
    )
    .await
    .ok();
    app.gql_as(
        Some(&admin),
        "mutation($id: ID!) { resolveHourDispute(certificationId: $id, outcome: UPHELD, minutes: 180, resolution: \"签到记录核实\", idempotencyKey: \"rank-resolve-1\") { minutes } }",
        json!({ "id": cert_id }),
    )
    .await
    .ok();
    // The upheld dispute moved the maintained set by the 30 minutes, with no rebuild between.
    let upheld = board(&app, None, hours.clone()).await;
    assert_eq!(upheld["source"], "CACHE");
    assert_eq!(own(&upheld), own_before + 30);
    assert_eq!(lines(&upheld, "minutes"), hours_board_by_sql(&app).await);
    // Every set that is built agrees with the database (the rest were never read).
    let report = maintenance::verify_all(app.db(), &app.state.cache)
        .await
        .unwrap();
    assert!(
        report
            .differences
            .iter()
            .all(|d| matches!(d, maintenance::Difference::NotReady { .. })),
        "{report}"
    );
}

#[tokio::test]
async fn after_a_flush_the_upkeep_restores_every_standing_set_without_a_read_or_a_command() {
    let app = spawn_app_with(AppOptions {
        tweak: Some(|s| s.ranking_reconcile_secs = 1),
        ..AppOptions::default()
    })
    .await;
    let desk = desk(&app).await;
    let st = &app.state;
    maintenance::rebuild_all(app.db(), &st.cache).await.unwrap();
    let people = residents(&app, 3).await;
    for (i, p) in people.iter().enumerate() {
        desk.resident_gives(&app.areas, &p.phone, 10_000 * (i as i64 + 1))
            .await;
    }
    // Let the upkeep see the sets once, then lose them all.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    st.cache.delete_all_keys().await.unwrap();
    let lost = maintenance::verify_all(app.db(), &st.cache).await.unwrap();
    assert!(!lost.differences.is_empty(), "the flush emptied the sets");

    // Nobody reads the board and nobody runs `rebuild`: the upkeep restores it.
    until_verify_is_clean(&app, "not restored").await;
    let restored = board(&app, None, residents_all_time(10)).await;
    assert_eq!(restored["source"], "CACHE");
    assert_eq!(
        lines(&restored, "amount"),
        residents_board_by_sql(&app).await
    );
}

#[tokio::test]
async fn a_read_right_after_a_flush_does_not_hide_the_flush_from_the_upkeep() {
    let app = spawn_app_with(AppOptions {
        tweak: Some(|s| s.ranking_reconcile_secs = 1),
        ..AppOptions::default()
    })
    .await;
    let desk = desk(&app).await;
    let st = &app.state;
    maintenance::rebuild_all(app.db(), &st.cache).await.unwrap();
    let people = residents(&app, 2).await;
    for (i, p) in people.iter().enumerate() {
        desk.resident_gives(&app.areas, &p.phone, 10_000 * (i as i64 + 1))
            .await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    st.cache.delete_all_keys().await.unwrap();
    // One reader gets there first: its rebuild of that one set stamps a new epoch before the
    // upkeep looks. The other standing sets are still gone, and the upkeep must see that.
    board(&app, None, residents_all_time(10)).await;
    until_verify_is_clean(&app, "only the set that was read came back").await;
}

#[tokio::test]
async fn the_periodic_rebuild_repairs_a_set_that_missed_a_write_nobody_reported() {
    let app = spawn_app_with(AppOptions {
        tweak: Some(|s| {
            s.ranking_reconcile_secs = 1;
            s.ranking_rebuild_secs = 1;
        }),
        ..AppOptions::default()
    })
    .await;
    let desk = desk(&app).await;
    let st = &app.state;
    let people = residents(&app, 2).await;
    desk.resident_gives(&app.areas, &people[0].phone, 30_000)
        .await;
    maintenance::rebuild_all(app.db(), &st.cache).await.unwrap();
    // A process that died between its commit and its set update: the set is short, and ready.
    let all = api::rankings::model::BoardSpec {
        board: api::entities::enums::Board::Residents,
        period: api::rankings::model::PeriodKey::all_time(),
        town: None,
    };
    st.cache
        .zincrby(&all.zset_key(), &people[0].id.to_string(), -100.0)
        .await
        .unwrap();
    until_verify_is_clean(&app, "never repaired").await;
    let repaired = board(&app, None, residents_all_time(10)).await;
    assert_eq!(repaired["source"], "CACHE");
    assert_eq!(
        lines(&repaired, "amount"),
        residents_board_by_sql(&app).await
    );
}

#[tokio::test]
async fn sets_a_write_had_to_invalidate_are_rebuilt_by_the_upkeep_without_a_read() {
    let app = spawn_app_with(AppOptions {
        tweak: Some(|s| s.ranking_reconcile_secs = 1),
        ..AppOptions::default()
    })
    .await;
    let desk = desk(&app).await;
    let st = &app.state;
    let people = residents(&app, 1).await;
    let gift = desk
        .resident_gives(&app.areas, &people[0].phone, 12_300)
        .await;
    maintenance::rebuild_all(app.db(), &st.cache).await.unwrap();
    // A write that cannot prove the sets lack it (its ticket was read while the cache was
    // unreachable) drops every set it touches instead of counting into them.
    app.areas
        .boards
        .unproven_write()
        .donations_recorded(std::slice::from_ref(&gift))
        .await;
    let dropped = maintenance::verify_all(app.db(), &st.cache).await.unwrap();
    assert!(
        dropped
            .differences
            .iter()
            .any(|d| matches!(d, maintenance::Difference::NotReady { .. })),
        "{dropped}"
    );
    until_verify_is_clean(&app, "not rebuilt").await;
}

const PAGE: &str = "query($first: Int, $after: String) {
  leaderboard(board: RESIDENTS, period: ALL_TIME, first: $first, after: $after) {
    source entryCount
    entries { rank amount }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}";

async fn page(app: &TestApp, first: i64, after: Option<&str>) -> Value {
    app.gql_as(None, PAGE, json!({ "first": first, "after": after }))
        .await
        .ok()["leaderboard"]
        .clone()
}

/// Every page of the residents board, `size` at a time: (rank, amount) lines and the pages.
async fn walk(app: &TestApp, size: i64) -> (Vec<(i64, String)>, Vec<Value>) {
    let (mut lines, mut pages) = (Vec::new(), Vec::new());
    let mut after: Option<String> = None;
    loop {
        let p = page(app, size, after.as_deref()).await;
        for e in p["entries"].as_array().unwrap() {
            lines.push((
                e["rank"].as_i64().unwrap(),
                e["amount"].as_str().unwrap().to_owned(),
            ));
        }
        let next = p["pageInfo"]["hasNextPage"].as_bool().unwrap();
        after = p["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        pages.push(p);
        if !next {
            return (lines, pages);
        }
        assert!(pages.len() < 20, "paging never ends");
    }
}

#[tokio::test]
async fn paging_past_the_first_page_keeps_tied_totals_on_one_rank_across_pages() {
    let app = spawn_app().await;
    let desk = desk(&app).await;
    let people = residents(&app, 6).await;
    for (p, fen) in people
        .iter()
        .zip([50_000, 30_000, 30_000, 30_000, 10_000, 10_000])
    {
        desk.resident_gives(&app.areas, &p.phone, fen).await;
    }
    let expected: Vec<(i64, String)> = [
        (1, "500.00"),
        (2, "300.00"),
        (2, "300.00"),
        (2, "300.00"),
        (5, "100.00"),
        (5, "100.00"),
    ]
    .iter()
    .map(|(r, a)| (*r, (*a).to_owned()))
    .collect();
    // Once from the database, then from the set the first read rebuilt.
    for source in ["DATABASE", "CACHE"] {
        if source == "CACHE" {
            until_cached(&app, residents_all_time(10)).await;
        }
        let (lines, pages) = walk(&app, 2).await;
        assert_eq!(lines, expected, "pages of two from the {source}");
        assert_eq!(pages.len(), 3);
        assert_eq!(pages[0]["pageInfo"]["hasPreviousPage"], false);
        assert_eq!(pages[1]["pageInfo"]["hasPreviousPage"], true);
        assert_eq!(pages[2]["pageInfo"]["hasNextPage"], false);
        assert_eq!(pages[2]["entryCount"], 6);
        // The same board in one page.
        assert_eq!(walk(&app, 10).await.0, expected);
    }
    let bad = app
        .gql_as(None, PAGE, json!({ "first": 2, "after": "not-a-cursor" }))
        .await;
    assert_eq!(bad.code(), Some("BAD_USER_INPUT"));
    let too_many = app.gql_as(None, PAGE, json!({ "first": 101 })).await;
    assert_eq!(too_many.code(), Some("BAD_USER_INPUT"));
}

#[tokio::test]
async fn a_later_page_served_from_the_response_cache_is_never_stale_after_a_write() {
    let app = spawn_app().await;
    let desk = desk(&app).await;
    maintenance::rebuild_all(app.db(), &app.state.cache)
        .await
        .unwrap();
    let people = residents(&app, 4).await;
    for (p, fen) in people.iter().zip([40_000, 30_000, 20_000, 10_000]) {
        desk.resident_gives(&app.areas, &p.phone, fen).await;
    }
    let first = page(&app, 2, None).await;
    let cursor = first["pageInfo"]["endCursor"].as_str().unwrap().to_owned();
    let amounts = |p: &Value| -> Vec<(i64, String)> {
        p["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["rank"].as_i64().unwrap(),
                    e["amount"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    // Read twice: the second answer may come from the response cache.
    for _ in 0..2 {
        let second = page(&app, 2, Some(&cursor)).await;
        assert_eq!(
            amounts(&second),
            vec![(3, "200.00".to_owned()), (4, "100.00".to_owned())]
        );
    }
    // The last resident climbs to the top: the same request now shows the new order.
    desk.resident_gives(&app.areas, &people[3].phone, 35_000)
        .await;
    let second = page(&app, 2, Some(&cursor)).await;
    assert_eq!(
        amounts(&second),
        vec![(3, "300.00".to_owned()), (4, "200.00".to_owned())]
    );
    assert_eq!(
        amounts(&page(&app, 2, None).await),
        vec![(1, "450.00".to_owned()), (2, "400.00".to_owned())]
    );
}

/// Where the database's running totals disagree with sums over the ledger.
async fn totals_drift(app: &TestApp) -> Vec<(String, String, String, String, i64, i64)> {
    api::rankings::totals::verify(app.db()).await.unwrap()
}

#[tokio::test]
async fn the_running_totals_follow_every_kind_of_write_and_answer_while_the_cache_is_down() {
    let app = spawn_app().await;
    let desk = desk(&app).await;
    assert!(
        api::rankings::board_state::built(&app.db().conn)
            .await
            .unwrap()
    );
    let people = resident_tokens(&app, 4).await;
    let voided = desk.resident_gives(&app.areas, &people[0].1, 50_000).await;
    desk.resident_gives(&app.areas, &people[0].1, 12_000).await;
    let hidden = desk.resident_gives(&app.areas, &people[1].1, 30_000).await;
    desk.give(
        &app.areas,
        resident_ref(&people[2].1),
        80_000,
        Visibility::Anonymous,
        FundingSource::Public,
    )
    .await;
    // Left off the board by the seeded rule, and a walk-in with no donor: on no board.
    desk.give(
        &app.areas,
        resident_ref(&people[3].1),
        700_000,
        Visibility::Named,
        FundingSource::GovernmentMatching,
    )
    .await;
    desk.give(
        &app.areas,
        DonorRef::WalkIn { name: None },
        5_000,
        Visibility::Named,
        FundingSource::Public,
    )
    .await;
    desk.void(&app.areas, &voided).await;
    let hide = app
        .gql_as(
            Some(&people[1].2),
            "mutation($id: ID!) { setDonationVisibility(donationId: $id, visibility: ANONYMOUS) { visibility } }",
            json!({ "id": hidden.id.to_string() }),
        )
        .await;
    assert_eq!(
        hide.ok()["setDonationVisibility"]["visibility"],
        "ANONYMOUS"
    );
    certify(&app, &desk, people[0].0, 120).await;
    certify(&app, &desk, people[3].0, 45).await;
    let drift = totals_drift(&app).await;
    assert!(drift.is_empty(), "{drift:?}");

    // With Redis gone, each board is an index read of the totals, equal to the ledger's sums.
    let down = unreachable_cache();
    let address = replica(&app, down).await;
    let all = gql_at(&address, BOARD, residents_all_time(100)).await["leaderboard"].clone();
    assert_eq!(all["source"], "DATABASE");
    assert_eq!(lines(&all, "amount"), residents_board_by_sql(&app).await);
    assert_eq!(all["totalAmount"], "1220.00");
    let hours = gql_at(
        &address,
        BOARD,
        json!({ "board": "VOLUNTEER_HOURS", "period": "ALL_TIME" }),
    )
    .await["leaderboard"]
        .clone();
    assert_eq!(lines(&hours, "minutes"), hours_board_by_sql(&app).await);
    let month = gql_at(
        &address,
        BOARD,
        json!({ "board": "RESIDENTS", "period": "MONTH", "first": 100 }),
    )
    .await["leaderboard"]
        .clone();
    assert_eq!(
        lines(&month, "amount"),
        lines(&all, "amount"),
        "all given this month"
    );
    // Pages and ranks from the totals agree with the whole board.
    const PAGE: &str = "query($after: String) { leaderboard(board: RESIDENTS, period: ALL_TIME, first: 1, after: $after) { source entryCount pageInfo { endCursor } entries { rank displayName amount } } }";
    let first = gql_at(&address, PAGE, json!({})).await["leaderboard"].clone();
    let second = gql_at(
        &address,
        PAGE,
        json!({ "after": first["pageInfo"]["endCursor"] }),
    )
    .await["leaderboard"]
        .clone();
    assert_eq!(second["source"], "DATABASE");
    for (page, line) in [(&first, 0), (&second, 1)] {
        assert_eq!(page["entries"][0]["rank"], all["entries"][line]["rank"]);
        assert_eq!(page["entries"][0]["amount"], all["entries"][line]["amount"]);
        assert_eq!(page["entryCount"], all["entryCount"]);
    }
}

#[tokio::test]
async fn racing_donations_and_a_rebuild_leave_the_running_totals_equal_to_the_ledger() {
    let app = spawn_app().await;
    let desk = desk(&app).await;
    let people = residents(&app, 3).await;
    let gifts = (0..24).map(|i| {
        let (desk, areas, phone) = (&desk, &app.areas, people[i % 3].phone.clone());
        async move { desk.resident_gives(areas, &phone, 1_000 + i as i64).await }
    });
    let rebuild = api::rankings::totals::rebuild(app.db());
    let (_, rebuilt) = futures::join!(futures::future::join_all(gifts), rebuild);
    rebuilt.unwrap();
    let drift = totals_drift(&app).await;
    assert!(drift.is_empty(), "{drift:?}");
}

#[tokio::test]
async fn a_ledger_without_totals_gets_them_built_once_and_is_summed_until_then() {
    let app = spawn_app().await;
    let desk = desk(&app).await;
    let people = residents(&app, 2).await;
    desk.resident_gives(&app.areas, &people[0].phone, 9_900)
        .await;
    desk.resident_gives(&app.areas, &people[1].phone, 4_400)
        .await;
    // As a database migrated with a ledger in it: no totals yet.
    let db = &app.db().conn;
    for sql in [
        "DELETE FROM ranking_totals",
        "DELETE FROM ranking_totals_state",
    ] {
        db.execute_unprepared(sql).await.unwrap();
    }
    assert!(!api::rankings::board_state::built(db).await.unwrap());
    app.state.cache.delete_all_keys().await.unwrap();
    let summed = board(&app, None, residents_all_time(10)).await;
    assert_eq!(lines(&summed, "amount"), residents_board_by_sql(&app).await);

    api::rankings::totals::ensure_built(app.db()).await.unwrap();
    assert!(api::rankings::board_state::built(db).await.unwrap());
    assert!(totals_drift(&app).await.is_empty());
    desk.resident_gives(&app.areas, &people[1].phone, 100).await;
    let drift = totals_drift(&app).await;
    assert!(drift.is_empty(), "writes keep them from then on: {drift:?}");
}
