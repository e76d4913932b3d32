//! 志愿服务: activities, sign-ups under load, check-in codes, certification, disputes,
//! notices and the certificate.

use api::entities::{activity, credit_entry, credit_rule, enums, hour_certification, notice};
use chrono::{DateTime, TimeDelta, Utc};
use futures::future::join_all;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
    sea_query::Expr,
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::*;

pub const ACTIVITY_FIELDS: &str =
    "id title status capacity signedUp placesLeft signupOpen startsAt endsAt lengthMinutes";
const SIGNUP_FIELDS: &str = "id status checkedInAt checkedOutAt";
const CERT_FIELDS: &str = "id minutes defaultMinutes changeReason creditsAwarded disputeStatus";

fn iso(at: DateTime<Utc>) -> String {
    at.to_rfc3339()
}

fn parse_time(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().expect("a time"))
        .expect("RFC 3339")
        .with_timezone(&Utc)
}

pub fn uuid(v: &Value) -> Uuid {
    Uuid::parse_str(v.as_str().expect("an id")).expect("a UUID")
}

fn activity_input(
    title: &str,
    town: &str,
    starts_at: DateTime<Utc>,
    minutes: i64,
    capacity: i32,
) -> Value {
    json!({
        "title": title,
        "description": "清理沙滩和礁石间的垃圾",
        "townCode": town,
        "place": "半屏山沙滩",
        "startsAt": iso(starts_at),
        "endsAt": iso(starts_at + TimeDelta::minutes(minutes)),
        "capacity": capacity,
        "signupDeadline": iso(starts_at),
    })
}

/// A published activity of the token's org, starting tomorrow.
pub async fn published_activity(app: &TestApp, staff: &str, capacity: i32, minutes: i64) -> String {
    published_activity_in(
        app,
        staff,
        "BEIAO",
        Utc::now() + TimeDelta::days(1),
        minutes,
        capacity,
    )
    .await
}

pub async fn published_activity_in(
    app: &TestApp,
    staff: &str,
    town: &str,
    starts_at: DateTime<Utc>,
    minutes: i64,
    capacity: i32,
) -> String {
    let created = app
        .gql_as(
            Some(staff),
            &format!("mutation($input: ActivityInput!) {{ createActivity(input: $input) {{ {ACTIVITY_FIELDS} }} }}"),
            json!({ "input": activity_input("海滩清洁", town, starts_at, minutes, capacity) }),
        )
        .await
        .ok();
    assert_eq!(created["createActivity"]["status"], "DRAFT");
    let id = created["createActivity"]["id"].as_str().unwrap().to_owned();
    let published = app
        .gql_as(
            Some(staff),
            "mutation($id: ID!) { publishActivity(id: $id) { status } }",
            json!({ "id": id }),
        )
        .await
        .ok();
    assert_eq!(published["publishActivity"]["status"], "PUBLISHED");
    id
}

/// Time travel for a test: move an activity (and its sign-up deadline) to `starts_at`.
pub async fn move_activity(app: &TestApp, id: &str, starts_at: DateTime<Utc>, minutes: i64) {
    // Whole seconds, as every activity entered through the API has.
    let starts_at = api::volunteering::model::whole_seconds(starts_at);
    activity::Entity::update_many()
        .col_expr(activity::Column::StartsAt, Expr::value(starts_at))
        .col_expr(
            activity::Column::EndsAt,
            Expr::value(starts_at + TimeDelta::minutes(minutes)),
        )
        .col_expr(activity::Column::SignupDeadline, Expr::value(starts_at))
        .filter(activity::Column::Id.eq(Uuid::parse_str(id).unwrap()))
        .exec(&app.db().conn)
        .await
        .unwrap();
}

pub async fn sign_up(app: &TestApp, token: &str, activity_id: &str) -> Gql {
    app.gql_as(
        Some(token),
        &format!("mutation($id: ID!) {{ signUp(activityId: $id) {{ {SIGNUP_FIELDS} }} }}"),
        json!({ "id": activity_id }),
    )
    .await
}

pub async fn check_in_by_phone(
    app: &TestApp,
    staff: &str,
    activity_id: &str,
    phone: &str,
    at: DateTime<Utc>,
) -> Gql {
    app.gql_as(
        Some(staff),
        &format!(
            "mutation($id: ID!, $phone: String!, $at: DateTime) {{
                checkInByPhone(activityId: $id, phone: $phone, at: $at) {{ {SIGNUP_FIELDS} }} }}"
        ),
        json!({ "id": activity_id, "phone": phone, "at": iso(at) }),
    )
    .await
}

pub async fn check_out_by_phone(
    app: &TestApp,
    staff: &str,
    activity_id: &str,
    phone: &str,
    at: DateTime<Utc>,
) -> Gql {
    app.gql_as(
        Some(staff),
        &format!(
            "mutation($id: ID!, $phone: String!, $at: DateTime) {{
                checkOutByPhone(activityId: $id, phone: $phone, at: $at) {{ {SIGNUP_FIELDS} }} }}"
        ),
        json!({ "id": activity_id, "phone": phone, "at": iso(at) }),
    )
    .await
}

pub async fn certify(
    app: &TestApp,
    staff: &str,
    signup_id: &str,
    minutes: Option<i32>,
    reason: Option<&str>,
    key: &str,
) -> Gql {
    app.gql_as(
        Some(staff),
        &format!(
            "mutation($s: ID!, $m: Int, $r: String, $k: String!) {{
                certifyHours(signupId: $s, minutes: $m, reason: $r, idempotencyKey: $k) {{ {CERT_FIELDS} }} }}"
        ),
        json!({ "s": signup_id, "m": minutes, "r": reason, "k": key }),
    )
    .await
}

/// A finished activity of `minutes` that ended `ended_ago`, which the demo resident attended
/// from `attended.0` to `attended.1` minutes after its start. Returns (activity, sign-up).
pub async fn attended_activity(
    app: &TestApp,
    staff: &str,
    resident: &str,
    minutes: i64,
    ended_ago: TimeDelta,
    attended: (i64, i64),
) -> (String, String) {
    let id = published_activity(app, staff, 10, minutes).await;
    let signup = sign_up(app, resident, &id).await.ok()["signUp"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let starts_at = api::volunteering::model::whole_seconds(
        Utc::now() - ended_ago - TimeDelta::minutes(minutes),
    );
    move_activity(app, &id, starts_at, minutes).await;
    check_in_by_phone(
        app,
        staff,
        &id,
        RESIDENT_PHONE,
        starts_at + TimeDelta::minutes(attended.0),
    )
    .await
    .ok();
    check_out_by_phone(
        app,
        staff,
        &id,
        RESIDENT_PHONE,
        starts_at + TimeDelta::minutes(attended.1),
    )
    .await
    .ok();
    (id, signup)
}

async fn certification_count(app: &TestApp) -> u64 {
    hour_certification::Entity::find()
        .count(&app.db().conn)
        .await
        .unwrap()
}

async fn balance_of(app: &TestApp, token: &str) -> i64 {
    app.gql_as(
        Some(token),
        "{ me { resident { creditBalance } } }",
        json!({}),
    )
    .await
    .ok()["me"]["resident"]["creditBalance"]
        .as_i64()
        .unwrap()
}

// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn fifty_concurrent_sign_ups_for_ten_places_fill_exactly_ten() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let id = published_activity(&app, &staff, 10, 180).await;
    let residents = resident_tokens(&app, 50).await;

    let results = join_all(
        residents
            .iter()
            .map(|(_, _, token)| sign_up(&app, token, &id)),
    )
    .await;

    let ok = results.iter().filter(|r| r.code().is_none()).count();
    let conflicts = results
        .iter()
        .filter(|r| r.code() == Some("CONFLICT"))
        .count();
    assert_eq!(ok, 10, "exactly the ten places are taken");
    assert_eq!(conflicts, 40, "everyone else is told there is no place");
    let a = activity::Entity::find_by_id(Uuid::parse_str(&id).unwrap())
        .one(&app.db().conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.signed_up, 10);
    let rows = api::entities::signup::Entity::find()
        .filter(api::entities::signup::Column::ActivityId.eq(a.id))
        .count(&app.db().conn)
        .await
        .unwrap();
    assert_eq!(rows, 10);
    // A place given back can be taken again, and signing up twice is a no-op.
    let (_, _, first) = residents
        .iter()
        .zip(&results)
        .find(|(_, r)| r.code().is_none())
        .map(|(t, _)| t)
        .unwrap();
    let again = sign_up(&app, first, &id).await.ok();
    assert_eq!(again["signUp"]["status"], "SIGNED_UP");
    app.gql_as(
        Some(first),
        "mutation($id: ID!) { cancelSignup(activityId: $id) { status } }",
        json!({ "id": id }),
    )
    .await
    .ok();
    let (_, _, late) = residents
        .iter()
        .zip(&results)
        .find(|(_, r)| r.code().is_some())
        .map(|(t, _)| t)
        .unwrap();
    sign_up(&app, late, &id).await.ok();
    assert_eq!(sign_up(&app, first, &id).await.code(), Some("CONFLICT"));
    assert_ledger_consistent(&app).await;
}

#[tokio::test]
async fn hours_above_the_activity_length_are_refused() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let resident = app.login(RESIDENT_PHONE).await;
    // 180 minutes; attended from 5 to 170 minutes in → 165 → default 150.
    let (_, signup) =
        attended_activity(&app, &staff, &resident, 180, TimeDelta::hours(1), (5, 170)).await;

    let above = certify(
        &app,
        &staff,
        &signup,
        Some(181),
        Some("全程参与"),
        "cert-above-1",
    )
    .await;
    assert_eq!(above.code(), Some("BAD_USER_INPUT"));
    assert_eq!(above.body["errors"][0]["extensions"]["field"], "minutes");
    assert_eq!(certification_count(&app).await, 0, "nothing was written");
    assert_eq!(balance_of(&app, &resident).await, 0);

    let no_reason = certify(&app, &staff, &signup, Some(180), None, "cert-no-reason").await;
    assert_eq!(no_reason.code(), Some("BAD_USER_INPUT"));
    assert_eq!(no_reason.body["errors"][0]["extensions"]["field"], "reason");

    let full = certify(
        &app,
        &staff,
        &signup,
        Some(180),
        Some("提前到场布置"),
        "cert-full-1",
    )
    .await
    .ok();
    assert_eq!(full["certifyHours"]["minutes"], 180);
    assert_eq!(full["certifyHours"]["defaultMinutes"], 150);
    assert_eq!(full["certifyHours"]["changeReason"], "提前到场布置");
    assert_eq!(full["certifyHours"]["creditsAwarded"], 30);
    assert_eq!(balance_of(&app, &resident).await, 30);
    assert_ledger_consistent(&app).await;
}

#[tokio::test]
async fn a_forged_tampered_expired_or_foreign_check_in_code_is_refused() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let resident = app.login(RESIDENT_PHONE).await;
    let id = published_activity(&app, &staff, 10, 180).await;
    sign_up(&app, &resident, &id).await.ok();
    let other = published_activity(&app, &staff, 10, 180).await;
    // Both running now.
    let starts_at = api::volunteering::model::whole_seconds(Utc::now() - TimeDelta::minutes(30));
    move_activity(&app, &id, starts_at, 180).await;
    move_activity(&app, &other, starts_at, 180).await;
    let activity_id = Uuid::parse_str(&id).unwrap();
    let secret = activity::Entity::find_by_id(activity_id)
        .one(&app.db().conn)
        .await
        .unwrap()
        .unwrap()
        .checkin_secret;
    let check_in = |code: String, expected: Option<String>| {
        let app = &app;
        let resident = resident.clone();
        async move {
            app.gql_as(
                Some(&resident),
                "mutation($c: String!, $a: ID) { checkIn(code: $c, activityId: $a) { checkedInAt } }",
                json!({ "c": code, "a": expected }),
            )
            .await
        }
    };
    let now = Utc::now() - TimeDelta::minutes(5);

    let forged = api::volunteering::CheckinCode::issue(activity_id, now).sign("not-the-secret");
    let r = check_in(forged, None).await;
    assert_eq!(r.code(), Some("BAD_USER_INPUT"));
    assert_eq!(r.body["errors"][0]["extensions"]["field"], "code");

    let genuine = api::volunteering::CheckinCode::issue(activity_id, now).sign(&secret);
    let (body, tag) = genuine.rsplit_once('.').unwrap();
    let mut bytes = body.as_bytes().to_vec();
    let i = bytes.len() - 3;
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    let tampered = format!("{}.{tag}", String::from_utf8(bytes).unwrap());
    assert_eq!(
        check_in(tampered, None).await.code(),
        Some("BAD_USER_INPUT")
    );

    let expired =
        api::volunteering::CheckinCode::issue(activity_id, Utc::now() - TimeDelta::hours(25))
            .sign(&secret);
    assert_eq!(check_in(expired, None).await.code(), Some("BAD_USER_INPUT"));

    assert_eq!(
        check_in("garbage".into(), None).await.code(),
        Some("BAD_USER_INPUT")
    );

    // A genuine code of this activity offered as another's, and another activity's code.
    assert_eq!(
        check_in(genuine.clone(), Some(other.clone())).await.code(),
        Some("BAD_USER_INPUT")
    );
    let other_secret = activity::Entity::find_by_id(Uuid::parse_str(&other).unwrap())
        .one(&app.db().conn)
        .await
        .unwrap()
        .unwrap()
        .checkin_secret;
    let foreign = api::volunteering::CheckinCode::issue(Uuid::parse_str(&other).unwrap(), now)
        .sign(&other_secret);
    assert_eq!(
        check_in(foreign, None).await.code(),
        Some("FORBIDDEN"),
        "not signed up there"
    );

    let s = api::entities::signup::Entity::find()
        .filter(api::entities::signup::Column::ActivityId.eq(activity_id))
        .one(&app.db().conn)
        .await
        .unwrap()
        .unwrap();
    assert!(
        s.checked_in_at.is_none(),
        "no refused code checked anyone in"
    );

    let ok = check_in(genuine, Some(id.clone())).await.ok();
    assert_eq!(
        parse_time(&ok["checkIn"]["checkedInAt"]),
        api::volunteering::model::whole_seconds(now)
    );
    assert_ledger_consistent(&app).await;
}

#[tokio::test]
async fn a_code_submitted_late_counts_at_the_time_signed_into_it() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let resident = app.login(RESIDENT_PHONE).await;

    // Live: the staff screen's code checks the resident in at the code's time.
    let live = published_activity(&app, &staff, 10, 180).await;
    sign_up(&app, &resident, &live).await.ok();
    move_activity(&app, &live, Utc::now() - TimeDelta::minutes(10), 180).await;
    let code = app
        .gql_as(
            Some(&staff),
            "query($id: ID!) { checkinCode(activityId: $id) { qrPayload issuedAt submitBefore refreshAfterSecs } }",
            json!({ "id": live }),
        )
        .await
        .ok();
    let payload = code["checkinCode"]["qrPayload"]
        .as_str()
        .unwrap()
        .to_owned();
    let issued_at = parse_time(&code["checkinCode"]["issuedAt"]);
    assert_eq!(
        parse_time(&code["checkinCode"]["submitBefore"]) - issued_at,
        TimeDelta::hours(24)
    );
    let checked = app
        .gql_as(
            Some(&resident),
            "mutation($c: String!) { checkIn(code: $c) { checkedInAt } }",
            json!({ "c": payload }),
        )
        .await
        .ok();
    assert_eq!(parse_time(&checked["checkIn"]["checkedInAt"]), issued_at);

    // Offline on an island: scanned at 08:40 of a morning activity, sent 5 hours later.
    let island = published_activity(&app, &staff, 10, 180).await;
    sign_up(&app, &resident, &island).await.ok();
    let starts_at = api::volunteering::model::whole_seconds(Utc::now() - TimeDelta::hours(6));
    move_activity(&app, &island, starts_at, 180).await;
    let island_id = Uuid::parse_str(&island).unwrap();
    let secret = activity::Entity::find_by_id(island_id)
        .one(&app.db().conn)
        .await
        .unwrap()
        .unwrap()
        .checkin_secret;
    let scanned_in = starts_at + TimeDelta::minutes(10);
    let scanned_out = starts_at + TimeDelta::minutes(175);
    let in_code = api::volunteering::CheckinCode::issue(island_id, scanned_in).sign(&secret);
    let out_code = api::volunteering::CheckinCode::issue(island_id, scanned_out).sign(&secret);
    let punch = |op: &'static str, code: String| {
        let (app, resident) = (&app, resident.clone());
        async move {
            app.gql_as(
                Some(&resident),
                &format!(
                    "mutation($c: String!) {{ {op}(code: $c) {{ checkedInAt checkedOutAt }} }}"
                ),
                json!({ "c": code }),
            )
            .await
            .ok()
        }
    };
    let r = punch("checkIn", in_code.clone()).await;
    assert_eq!(
        parse_time(&r["checkIn"]["checkedInAt"]),
        api::volunteering::model::whole_seconds(scanned_in),
        "the signed time counts, not the arrival"
    );
    // A second check-in, even with a later code, changes nothing.
    let again = punch("checkIn", out_code.clone()).await;
    assert_eq!(again["checkIn"]["checkedInAt"], r["checkIn"]["checkedInAt"]);
    let out = punch("checkOut", out_code.clone()).await;
    assert_eq!(
        parse_time(&out["checkOut"]["checkedOutAt"]),
        api::volunteering::model::whole_seconds(scanned_out)
    );
    let out_again = punch("checkOut", in_code).await;
    assert_eq!(
        out_again["checkOut"]["checkedOutAt"],
        out["checkOut"]["checkedOutAt"]
    );

    // 165 minutes attended → the default certification is 150.
    let participants = app
        .gql_as(
            Some(&staff),
            "query($id: ID!) { activity(id: $id) { participants { edges { node { signupId attendedMinutes defaultMinutes phoneMasked } } } } }",
            json!({ "id": island }),
        )
        .await
        .ok();
    let node = &participants["activity"]["participants"]["edges"][0]["node"];
    assert_eq!(node["attendedMinutes"], 165);
    assert_eq!(node["defaultMinutes"], 150);
    assert_eq!(node["phoneMasked"], "138****0001");
    assert_ledger_consistent(&app).await;
}

#[tokio::test]
async fn staff_of_one_org_cannot_act_for_another_and_nothing_is_written() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let other = app.login(OTHER_STAFF_PHONE).await;
    let resident = app.login(RESIDENT_PHONE).await;
    let upcoming = published_activity(&app, &staff, 10, 180).await;
    sign_up(&app, &resident, &upcoming).await.ok();
    let (done, signup) =
        attended_activity(&app, &staff, &resident, 180, TimeDelta::hours(1), (0, 180)).await;
    let running = published_activity(&app, &staff, 10, 180).await;
    sign_up(&app, &resident, &running).await.ok();
    move_activity(&app, &running, Utc::now() - TimeDelta::minutes(30), 180).await;

    let forbidden = [
        (
            "mutation($id: ID!, $input: ActivityInput!) { updateActivity(id: $id, input: $input) { id } }",
            json!({ "id": upcoming, "input": activity_input("改名", "BEIAO", Utc::now() + TimeDelta::days(2), 60, 5) }),
        ),
        (
            "mutation($id: ID!) { cancelActivity(id: $id, reason: \"天气\") { id } }",
            json!({ "id": upcoming }),
        ),
        (
            "mutation($id: ID!) { publishActivity(id: $id) { id } }",
            json!({ "id": upcoming }),
        ),
        (
            "query($id: ID!) { checkinCode(activityId: $id) { qrPayload } }",
            json!({ "id": running }),
        ),
        (
            "mutation($id: ID!) { checkInByPhone(activityId: $id, phone: \"13800000001\") { id } }",
            json!({ "id": running }),
        ),
        (
            "mutation($s: ID!) { certifyHours(signupId: $s, idempotencyKey: \"other-org-cert-1\") { id } }",
            json!({ "s": signup }),
        ),
        (
            "mutation($id: ID!) { certifyActivity(activityId: $id, idempotencyKey: \"other-org-bulk-1\") { id } }",
            json!({ "id": done }),
        ),
        (
            "query($id: ID!) { activity(id: $id) { participants { edges { node { name } } } } }",
            json!({ "id": done }),
        ),
        (
            "query($org: ID!) { orgActivities(orgId: $org) { edges { node { id } } } }",
            json!({ "org": activity::Entity::find_by_id(Uuid::parse_str(&done).unwrap()).one(&app.db().conn).await.unwrap().unwrap().org_id.to_string() }),
        ),
    ];
    for (query, vars) in forbidden {
        let r = app.gql_as(Some(&other), query, vars).await;
        assert_eq!(r.code(), Some("FORBIDDEN"), "{query}: {}", r.body);
    }

    let conn = &app.db().conn;
    let upcoming_row = activity::Entity::find_by_id(Uuid::parse_str(&upcoming).unwrap())
        .one(conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(upcoming_row.title, "海滩清洁");
    assert_eq!(upcoming_row.status, enums::ActivityStatus::Published);
    assert_eq!(certification_count(&app).await, 0);
    assert_eq!(notice::Entity::find().count(conn).await.unwrap(), 0);
    assert_eq!(
        api::entities::idempotency_record::Entity::find()
            .count(conn)
            .await
            .unwrap(),
        0,
        "no idempotency key was claimed either"
    );
    let running_signup = api::entities::signup::Entity::find()
        .filter(api::entities::signup::Column::ActivityId.eq(Uuid::parse_str(&running).unwrap()))
        .one(conn)
        .await
        .unwrap()
        .unwrap();
    assert!(running_signup.checked_in_at.is_none());

    // A resident is no staff at all; the org's own staff may.
    let r = app
        .gql_as(
            Some(&resident),
            "mutation($id: ID!) { publishActivity(id: $id) { id } }",
            json!({ "id": upcoming }),
        )
        .await;
    assert_eq!(r.code(), Some("FORBIDDEN"));
    certify(&app, &staff, &signup, None, None, "own-org-cert-1")
        .await
        .ok();
    assert_ledger_consistent(&app).await;
}

#[tokio::test]
async fn certification_credits_follow_the_rule_in_force_when_the_activity_ended() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let resident = app.login(RESIDENT_PHONE).await;
    // Seeded rule: 10 credits per 60 minutes. From yesterday: 20 per 60.
    let doubled = credit_rule::ActiveModel {
        id: Set(Uuid::now_v7()),
        kind: Set(enums::CreditRuleKind::VolunteerHour),
        credits: Set(20),
        per_units: Set(60),
        effective_from: Set(Utc::now() - TimeDelta::days(1)),
        created_by: Set(None),
        created_at: Set(Utc::now()),
    }
    .insert(&app.db().conn)
    .await
    .unwrap();

    let (_, before) =
        attended_activity(&app, &staff, &resident, 180, TimeDelta::days(3), (0, 150)).await;
    let (_, after) =
        attended_activity(&app, &staff, &resident, 180, TimeDelta::hours(2), (0, 150)).await;

    let old = certify(&app, &staff, &before, None, None, "rule-before-1")
        .await
        .ok();
    let new = certify(&app, &staff, &after, None, None, "rule-after-1")
        .await
        .ok();
    assert_eq!(old["certifyHours"]["minutes"], 150);
    assert_eq!(
        old["certifyHours"]["creditsAwarded"], 25,
        "10 per hour when it ended"
    );
    assert_eq!(
        new["certifyHours"]["creditsAwarded"], 50,
        "20 per hour when it ended"
    );
    assert_eq!(balance_of(&app, &resident).await, 75);

    let entry = credit_entry::Entity::find()
        .filter(credit_entry::Column::CertificationId.eq(uuid(&new["certifyHours"]["id"])))
        .one(&app.db().conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(entry.kind, enums::CreditEntryKind::Volunteer);
    assert_eq!(entry.rule_id, Some(doubled.id));

    // The same key and input replays; the same key with other input is refused; a new key
    // for the same sign-up is a CONFLICT. Credits never move twice.
    let replay = certify(&app, &staff, &after, None, None, "rule-after-1")
        .await
        .ok();
    assert_eq!(replay["certifyHours"]["id"], new["certifyHours"]["id"]);
    let reused = certify(&app, &staff, &after, Some(120), Some("x"), "rule-after-1").await;
    assert_eq!(reused.code(), Some("CONFLICT"));
    let twice = certify(&app, &staff, &after, None, None, "rule-after-2").await;
    assert_eq!(twice.code(), Some("CONFLICT"));
    assert_eq!(balance_of(&app, &resident).await, 75);
    assert_ledger_consistent(&app).await;
}

#[tokio::test]
async fn bulk_certification_certifies_every_checked_in_participant_once() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let residents = resident_tokens(&app, 3).await;
    let id = published_activity(&app, &staff, 10, 120).await;
    let mut signups = Vec::new();
    for (_, _, token) in &residents {
        signups.push(
            sign_up(&app, token, &id).await.ok()["signUp"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let starts_at = api::volunteering::model::whole_seconds(Utc::now() - TimeDelta::hours(3));
    move_activity(&app, &id, starts_at, 120).await;
    // Two came (one left early), one never showed up.
    check_in_by_phone(&app, &staff, &id, &residents[0].1, starts_at)
        .await
        .ok();
    check_in_by_phone(&app, &staff, &id, &residents[1].1, starts_at)
        .await
        .ok();
    check_out_by_phone(
        &app,
        &staff,
        &id,
        &residents[1].1,
        starts_at + TimeDelta::minutes(70),
    )
    .await
    .ok();

    let bulk = "mutation($id: ID!, $o: [CertificationOverride!], $k: String!) {
        certifyActivity(activityId: $id, overrides: $o, idempotencyKey: $k) { minutes defaultMinutes changeReason creditsAwarded } }";
    let bad = app
        .gql_as(
            Some(&staff),
            bulk,
            json!({ "id": id, "k": "bulk-bad-1", "o": [{ "signupId": signups[0], "minutes": 121, "reason": "x" }] }),
        )
        .await;
    assert_eq!(bad.code(), Some("BAD_USER_INPUT"));
    assert_eq!(certification_count(&app).await, 0, "all or nothing");

    let vars = json!({ "id": id, "k": "bulk-ok-1", "o": [{ "signupId": signups[1], "minutes": 30, "reason": "中途离开较久" }] });
    let done = app.gql_as(Some(&staff), bulk, vars.clone()).await.ok();
    let certs = done["certifyActivity"].as_array().unwrap();
    assert_eq!(certs.len(), 2, "the no-show is not certified");
    let minutes: Vec<i64> = certs
        .iter()
        .map(|c| c["minutes"].as_i64().unwrap())
        .collect();
    assert_eq!(minutes, vec![120, 30]);
    assert_eq!(certs[1]["defaultMinutes"], 60);

    let replay = app.gql_as(Some(&staff), bulk, vars).await.ok();
    assert_eq!(replay, done);
    let again = app
        .gql_as(
            Some(&staff),
            bulk,
            json!({ "id": id, "k": "bulk-ok-2", "o": [] }),
        )
        .await
        .ok();
    assert_eq!(again["certifyActivity"], json!([]));
    assert_eq!(certification_count(&app).await, 2);
    let status = app
        .gql_as(
            Some(&staff),
            "query($id: ID!) { activity(id: $id) { status } }",
            json!({ "id": id }),
        )
        .await
        .ok();
    assert_eq!(status["activity"]["status"], "FINISHED");
    assert_ledger_consistent(&app).await;
}

#[tokio::test]
async fn a_dispute_within_seven_days_upheld_by_admin_moves_the_credits_with_an_adjustment() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let admin = app.login(ADMIN_PHONE).await;
    let resident = app.login(RESIDENT_PHONE).await;
    let (_, signup) =
        attended_activity(&app, &staff, &resident, 180, TimeDelta::hours(1), (0, 150)).await;
    let cert = certify(&app, &staff, &signup, None, None, "dispute-cert-1")
        .await
        .ok();
    let cert_id = cert["certifyHours"]["id"].as_str().unwrap().to_owned();
    assert_eq!(balance_of(&app, &resident).await, 25);

    let disputed = app
        .gql_as(
            Some(&resident),
            "mutation($id: ID!) { disputeCertification(certificationId: $id, reason: \"我全程三小时都在\") { disputeStatus } }",
            json!({ "id": cert_id }),
        )
        .await
        .ok();
    assert_eq!(disputed["disputeCertification"]["disputeStatus"], "OPEN");
    let open = app
        .gql_as(
            Some(&admin),
            "{ hourDisputes { edges { node { id residentName disputeReason } } } }",
            json!({}),
        )
        .await
        .ok();
    assert_eq!(
        open["hourDisputes"]["edges"][0]["node"]["residentName"],
        "陈晓明"
    );

    let resolve = "mutation($id: ID!, $o: DisputeOutcome!, $m: Int, $k: String!) {
        resolveHourDispute(certificationId: $id, outcome: $o, minutes: $m, resolution: \"签到记录核实\", idempotencyKey: $k) {
            minutes creditsAwarded disputeStatus disputeResolution } }";
    let by_staff = app
        .gql_as(
            Some(&staff),
            resolve,
            json!({ "id": cert_id, "o": "UPHELD", "m": 180, "k": "resolve-staff-1" }),
        )
        .await;
    assert_eq!(by_staff.code(), Some("FORBIDDEN"));
    let too_long = app
        .gql_as(
            Some(&admin),
            resolve,
            json!({ "id": cert_id, "o": "UPHELD", "m": 181, "k": "resolve-long-1" }),
        )
        .await;
    assert_eq!(too_long.code(), Some("BAD_USER_INPUT"));
    let upheld = app
        .gql_as(
            Some(&admin),
            resolve,
            json!({ "id": cert_id, "o": "UPHELD", "m": 180, "k": "resolve-ok-1" }),
        )
        .await
        .ok();
    assert_eq!(upheld["resolveHourDispute"]["minutes"], 180);
    assert_eq!(upheld["resolveHourDispute"]["creditsAwarded"], 30);
    assert_eq!(upheld["resolveHourDispute"]["disputeStatus"], "UPHELD");
    assert_eq!(balance_of(&app, &resident).await, 30);
    let adjustment = credit_entry::Entity::find()
        .filter(credit_entry::Column::CertificationId.eq(Uuid::parse_str(&cert_id).unwrap()))
        .filter(credit_entry::Column::Kind.eq(enums::CreditEntryKind::Adjustment))
        .one(&app.db().conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(adjustment.amount, 5);
    let again = app
        .gql_as(
            Some(&admin),
            resolve,
            json!({ "id": cert_id, "o": "REJECTED", "m": null, "k": "resolve-ok-2" }),
        )
        .await;
    assert_eq!(again.code(), Some("CONFLICT"), "a dispute closes once");

    // Past the 7 days, no dispute.
    let (_, late) =
        attended_activity(&app, &staff, &resident, 120, TimeDelta::days(10), (0, 120)).await;
    let late_cert = certify(&app, &staff, &late, None, None, "dispute-late-1")
        .await
        .ok();
    let late_id = uuid(&late_cert["certifyHours"]["id"]);
    hour_certification::Entity::update_many()
        .col_expr(
            hour_certification::Column::CertifiedAt,
            Expr::value(Utc::now() - TimeDelta::days(8)),
        )
        .filter(hour_certification::Column::Id.eq(late_id))
        .exec(&app.db().conn)
        .await
        .unwrap();
    let refused = app
        .gql_as(
            Some(&resident),
            "mutation($id: ID!) { disputeCertification(certificationId: $id, reason: \"少算了\") { id } }",
            json!({ "id": late_id.to_string() }),
        )
        .await;
    assert_eq!(refused.code(), Some("CONFLICT"));
    assert_ledger_consistent(&app).await;
}

#[tokio::test]
async fn cancelling_an_activity_notifies_every_signed_up_volunteer_once() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let resident = app.login(RESIDENT_PHONE).await;
    let others = resident_tokens(&app, 2).await;
    let id = published_activity(&app, &staff, 10, 180).await;
    sign_up(&app, &resident, &id).await.ok();
    for (_, _, token) in &others {
        sign_up(&app, token, &id).await.ok();
    }
    // One gave the place back before the cancellation: no notice for them.
    app.gql_as(
        Some(&others[1].2),
        "mutation($id: ID!) { cancelSignup(activityId: $id) { status } }",
        json!({ "id": id }),
    )
    .await
    .ok();

    let cancel =
        "mutation($id: ID!) { cancelActivity(id: $id, reason: \"台风预警，活动取消\") { status } }";
    let r = app
        .gql_as(Some(&staff), cancel, json!({ "id": id }))
        .await
        .ok();
    assert_eq!(r["cancelActivity"]["status"], "CANCELLED");
    app.gql_as(Some(&staff), cancel, json!({ "id": id }))
        .await
        .ok();

    let notices = app
        .gql_as(
            Some(&resident),
            "{ myNotices(unreadOnly: true) { edges { node { id kind title body activity { id } } } } }",
            json!({}),
        )
        .await
        .ok();
    let edges = notices["myNotices"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 1, "one notice, however often it is cancelled");
    let node = &edges[0]["node"];
    assert_eq!(node["kind"], "ACTIVITY_CANCELLED");
    assert!(node["body"].as_str().unwrap().contains("台风预警"));
    assert_eq!(node["activity"]["id"], id.as_str());
    assert_eq!(
        notice::Entity::find().count(&app.db().conn).await.unwrap(),
        2
    );

    let read = app
        .gql_as(
            Some(&resident),
            "mutation($id: ID!) { markNoticeRead(id: $id) { readAt } }",
            json!({ "id": node["id"] }),
        )
        .await
        .ok();
    assert!(read["markNoticeRead"]["readAt"].is_string());
    let unread = app
        .gql_as(
            Some(&resident),
            "{ myNotices(unreadOnly: true) { edges { node { id } } } }",
            json!({}),
        )
        .await
        .ok();
    assert_eq!(unread["myNotices"]["edges"], json!([]));
    // Someone else's notice is not theirs to read.
    let theirs = app
        .gql_as(
            Some(&others[0].2),
            "mutation($id: ID!) { markNoticeRead(id: $id) { id } }",
            json!({ "id": node["id"] }),
        )
        .await;
    assert_eq!(theirs.code(), Some("NOT_FOUND"));
    assert_eq!(
        sign_up(&app, &others[1].2, &id).await.code(),
        Some("CONFLICT")
    );
    assert_ledger_consistent(&app).await;
}

#[tokio::test]
async fn residents_browse_published_activities_by_town_date_and_open_places() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let resident = app.login(RESIDENT_PHONE).await;
    let day = |d: i64| Utc::now() + TimeDelta::days(d);
    let beiao_soon = published_activity_in(&app, &staff, "BEIAO", day(1), 120, 1).await;
    let beiao_later = published_activity_in(&app, &staff, "BEIAO", day(10), 120, 5).await;
    let luxi = published_activity_in(&app, &staff, "LUXI", day(2), 120, 5).await;
    let draft = app
        .gql_as(
            Some(&staff),
            "mutation($input: ActivityInput!) { createActivity(input: $input) { id } }",
            json!({ "input": activity_input("草稿", "BEIAO", day(3), 60, 5) }),
        )
        .await
        .ok();
    let draft = draft["createActivity"]["id"].as_str().unwrap().to_owned();
    sign_up(&app, &resident, &beiao_soon).await.ok(); // now full

    let browse = "query($town: String, $from: DateTime, $to: DateTime, $open: Boolean, $first: Int, $after: String) {
        activities(town: $town, from: $from, to: $to, onlyOpen: $open, first: $first, after: $after) {
            edges { node { id placesLeft mySignup { status } } } pageInfo { hasNextPage endCursor } } }";
    let ids = |v: &Value| -> Vec<String> {
        v["activities"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = app.gql_as(Some(&resident), browse, json!({})).await.ok();
    assert_eq!(
        ids(&all),
        vec![beiao_soon.clone(), luxi.clone(), beiao_later.clone()],
        "in date order, no drafts"
    );
    assert_eq!(
        all["activities"]["edges"][0]["node"]["mySignup"]["status"],
        "SIGNED_UP"
    );
    assert!(all["activities"]["edges"][1]["node"]["mySignup"].is_null());

    let town = app
        .gql_as(None, browse, json!({ "town": "beiao" }))
        .await
        .ok();
    assert_eq!(ids(&town), vec![beiao_soon.clone(), beiao_later.clone()]);
    let open = app.gql_as(None, browse, json!({ "open": true })).await.ok();
    assert_eq!(
        ids(&open),
        vec![luxi.clone(), beiao_later.clone()],
        "the full one is left out"
    );
    let window = app
        .gql_as(
            None,
            browse,
            json!({ "from": iso(day(1) + TimeDelta::hours(3)), "to": iso(day(5)) }),
        )
        .await
        .ok();
    assert_eq!(ids(&window), vec![luxi.clone()]);

    // Cursor pagination walks the same order one at a time.
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = app
            .gql_as(None, browse, json!({ "first": 1, "after": after }))
            .await
            .ok();
        seen.extend(ids(&page));
        if !page["activities"]["pageInfo"]["hasNextPage"]
            .as_bool()
            .unwrap()
        {
            break;
        }
        after = page["activities"]["pageInfo"]["endCursor"]
            .as_str()
            .map(str::to_owned);
    }
    assert_eq!(seen, ids(&all));

    // Drafts are the org's business only.
    let hidden = app
        .gql_as(
            Some(&resident),
            "query($id: ID!) { activity(id: $id) { id } }",
            json!({ "id": draft }),
        )
        .await;
    assert_eq!(hidden.code(), Some("NOT_FOUND"));
    let own = app
        .gql_as(
            Some(&staff),
            "{ orgActivities(status: DRAFT) { edges { node { id } } } }",
            json!({}),
        )
        .await
        .ok();
    assert_eq!(
        own["orgActivities"]["edges"][0]["node"]["id"],
        draft.as_str()
    );
    assert_eq!(
        sign_up(&app, &resident, &draft).await.code(),
        Some("NOT_FOUND")
    );
    assert_eq!(
        app.gql(browse, json!({ "town": "NOWHERE" })).await.code(),
        Some("BAD_USER_INPUT")
    );
    assert_ledger_consistent(&app).await;
}

#[tokio::test]
async fn capacity_cannot_be_edited_below_the_volunteers_signed_up() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let residents = resident_tokens(&app, 3).await;
    let id = published_activity(&app, &staff, 5, 120).await;
    for (_, _, token) in &residents {
        sign_up(&app, token, &id).await.ok();
    }
    let update = "mutation($id: ID!, $input: ActivityInput!) { updateActivity(id: $id, input: $input) { capacity title } }";
    let starts = Utc::now() + TimeDelta::days(2);
    let shrink = app
        .gql_as(
            Some(&staff),
            update,
            json!({ "id": id, "input": activity_input("改期", "BEIAO", starts, 90, 2) }),
        )
        .await;
    assert_eq!(shrink.code(), Some("BAD_USER_INPUT"));
    let ok = app
        .gql_as(
            Some(&staff),
            update,
            json!({ "id": id, "input": activity_input("改期", "BEIAO", starts, 90, 3) }),
        )
        .await
        .ok();
    assert_eq!(ok["updateActivity"]["capacity"], 3);
    assert_eq!(ok["updateActivity"]["title"], "改期");
    assert_ledger_consistent(&app).await;
}

#[tokio::test]
async fn the_certificate_lists_certified_hours_on_a_printable_page() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let admin = app.login(ADMIN_PHONE).await;
    let resident = app.login(RESIDENT_PHONE).await;
    let (_, a) =
        attended_activity(&app, &staff, &resident, 180, TimeDelta::days(2), (0, 180)).await;
    let (_, b) =
        attended_activity(&app, &staff, &resident, 120, TimeDelta::hours(1), (0, 100)).await;
    certify(&app, &staff, &a, None, None, "certificate-a-1")
        .await
        .ok();
    certify(&app, &staff, &b, None, None, "certificate-b-1")
        .await
        .ok();

    let query = "{ myVolunteerCertificate { residentName totalMinutes totalHours lines { title orgName minutes hours } html } }";
    let c = app.gql_as(Some(&resident), query, json!({})).await.ok();
    let c = &c["myVolunteerCertificate"];
    assert_eq!(c["residentName"], "陈晓明");
    assert_eq!(c["totalMinutes"], 270);
    assert_eq!(c["totalHours"], "4.5");
    assert_eq!(c["lines"].as_array().unwrap().len(), 2);
    assert_eq!(c["lines"][0]["orgName"], "洞头区慈善总会");
    let html = c["html"].as_str().unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("志愿服务时长证明") && html.contains("陈晓明") && html.contains("4.5"));
    assert!(html.contains("@page"), "sized for printing");

    let resident_id = app
        .gql_as(Some(&resident), "{ me { resident { id } } }", json!({}))
        .await
        .ok()["me"]["resident"]["id"]
        .clone();
    let by_admin = app
        .gql_as(
            Some(&admin),
            "query($id: ID!) { volunteerCertificate(residentId: $id) { totalMinutes } }",
            json!({ "id": resident_id }),
        )
        .await
        .ok();
    assert_eq!(by_admin["volunteerCertificate"]["totalMinutes"], 270);
    let by_staff = app
        .gql_as(
            Some(&staff),
            "query($id: ID!) { volunteerCertificate(residentId: $id) { totalMinutes } }",
            json!({ "id": resident_id }),
        )
        .await;
    assert_eq!(by_staff.code(), Some("FORBIDDEN"));
    assert_ledger_consistent(&app).await;
}

#[tokio::test]
async fn the_demo_seed_gives_the_demo_resident_certified_hours_and_volunteer_credits() {
    let app = spawn_app_with(AppOptions {
        demo_donations: true,
        ..Default::default()
    })
    .await;
    let resident = app.login(RESIDENT_PHONE).await;
    let signups = app
        .gql_as(
            Some(&resident),
            "{ mySignups(first: 50) { edges { node { activity { title status } certification { minutes creditsAwarded } } } } }",
            json!({}),
        )
        .await
        .ok();
    let certified: Vec<&Value> = signups["mySignups"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["node"]["certification"].as_object().map(|_| &e["node"]))
        .collect();
    assert_eq!(certified.len(), 5);
    assert!(
        certified
            .iter()
            .all(|n| n["activity"]["status"] == "FINISHED")
    );
    let volunteer: i64 = credit_entry::Entity::find()
        .filter(credit_entry::Column::Kind.eq(enums::CreditEntryKind::Volunteer))
        .all(&app.db().conn)
        .await
        .unwrap()
        .iter()
        .map(|e| e.amount)
        .sum();
    assert!(volunteer > 0);
    assert_ledger_consistent(&app).await;
}

async fn checkin_secret(app: &TestApp, id: &str) -> String {
    activity::Entity::find_by_id(Uuid::parse_str(id).unwrap())
        .one(&app.db().conn)
        .await
        .unwrap()
        .unwrap()
        .checkin_secret
}

async fn checked_in_at(app: &TestApp, activity_id: &str) -> Vec<Option<DateTime<Utc>>> {
    api::entities::signup::Entity::find()
        .filter(api::entities::signup::Column::ActivityId.eq(Uuid::parse_str(activity_id).unwrap()))
        .all(&app.db().conn)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.checked_in_at)
        .collect()
}

async fn type_code(app: &TestApp, token: &str, op: &str, code: &str) -> Gql {
    app.gql_as(
        Some(token),
        &format!("mutation($c: String!) {{ {op}(code: $c) {{ checkedInAt checkedOutAt }} }}"),
        json!({ "c": code }),
    )
    .await
}

/// A short code of the activity that is not the one of `window` nor its neighbours.
fn wrong_code(secret: &str, window: i64) -> String {
    use api::volunteering::model::ShortCode;
    ["222222", "333333", "444444", "555555"]
        .into_iter()
        .find(|c| {
            (window - 300..=window + 1).all(|w| ShortCode::for_window(secret, w).as_str() != *c)
        })
        .expect("a code nobody was shown")
        .to_owned()
}

#[tokio::test]
async fn a_typed_short_code_checks_in_and_a_wrong_or_expired_one_writes_nothing() {
    use api::volunteering::model::ShortCode;
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let resident = app.login(RESIDENT_PHONE).await;

    // Running now: staff see a six-character code beside the QR.
    let live = published_activity(&app, &staff, 10, 180).await;
    sign_up(&app, &resident, &live).await.ok();
    move_activity(&app, &live, Utc::now() - TimeDelta::minutes(30), 180).await;
    let shown = app
        .gql_as(
            Some(&staff),
            "query($id: ID!) { checkinCode(activityId: $id) { qrPayload shortCode shortCodeChangesAt } }",
            json!({ "id": live }),
        )
        .await
        .ok();
    let short = shown["checkinCode"]["shortCode"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        ShortCode::parse(&short).map(|c| c.as_str().to_owned()),
        Some(short.clone())
    );
    let changes_at = parse_time(&shown["checkinCode"]["shortCodeChangesAt"]);
    assert!(changes_at > Utc::now() && changes_at <= Utc::now() + TimeDelta::minutes(5));

    // A wrong code: a clear error on the code field, and nobody checked in.
    let secret = checkin_secret(&app, &live).await;
    let wrong = wrong_code(&secret, ShortCode::window_of(Utc::now()));
    let r = type_code(&app, &resident, "checkIn", &wrong).await;
    assert_eq!(r.code(), Some("BAD_USER_INPUT"));
    assert_eq!(r.body["errors"][0]["extensions"]["field"], "code");
    assert_eq!(checked_in_at(&app, &live).await, vec![None]);

    // Expired: a code shown yesterday morning at an activity the resident signed up for.
    let old = published_activity(&app, &staff, 10, 180).await;
    sign_up(&app, &resident, &old).await.ok();
    let old_start = Utc::now() - TimeDelta::hours(30);
    move_activity(&app, &old, old_start, 180).await;
    let old_code = ShortCode::for_window(
        &checkin_secret(&app, &old).await,
        ShortCode::window_of(old_start + TimeDelta::minutes(20)),
    );
    let r = type_code(&app, &resident, "checkIn", old_code.as_str()).await;
    assert_eq!(r.code(), Some("BAD_USER_INPUT"));
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("expired"),
        "{:?}",
        r.body
    );
    assert_eq!(checked_in_at(&app, &old).await, vec![None]);

    // The right code, typed in lower case with a space, checks in at the moment it arrives.
    let before = api::volunteering::model::whole_seconds(Utc::now());
    let typed = format!("{} {}", &short[..3], &short[3..]).to_lowercase();
    let ok = type_code(&app, &resident, "checkIn", &typed).await.ok();
    let at = parse_time(&ok["checkIn"]["checkedInAt"]);
    assert!(at >= before && at <= Utc::now(), "{at}");

    // Typed offline two hours ago and sent now: it counts within the window it was shown in.
    let island = published_activity(&app, &staff, 10, 180).await;
    sign_up(&app, &resident, &island).await.ok();
    let island_start = Utc::now() - TimeDelta::hours(3);
    move_activity(&app, &island, island_start, 180).await;
    let window = ShortCode::window_of(Utc::now() - TimeDelta::hours(2));
    let code = ShortCode::for_window(&checkin_secret(&app, &island).await, window);
    let ok = type_code(&app, &resident, "checkIn", code.as_str())
        .await
        .ok();
    assert_eq!(
        parse_time(&ok["checkIn"]["checkedInAt"]),
        ShortCode::window_start(window + 1) - TimeDelta::seconds(1)
    );
    assert_ledger_consistent(&app).await;
}

#[tokio::test]
async fn wrong_typed_codes_are_limited_per_account_and_the_limit_is_nobody_elses() {
    use api::volunteering::model::ShortCode;
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let resident = app.login(RESIDENT_PHONE).await;
    let others = resident_tokens(&app, 1).await;
    let other = &others[0].2;
    let id = published_activity(&app, &staff, 10, 180).await;
    sign_up(&app, &resident, &id).await.ok();
    sign_up(&app, other, &id).await.ok();
    move_activity(&app, &id, Utc::now() - TimeDelta::minutes(30), 180).await;
    let secret = checkin_secret(&app, &id).await;
    let wrong = wrong_code(&secret, ShortCode::window_of(Utc::now()));
    for _ in 0..api::volunteering::attendance::SHORT_CODE_MAX_FAILURES {
        let r = type_code(&app, &resident, "checkIn", &wrong).await;
        assert_eq!(r.code(), Some("BAD_USER_INPUT"));
    }
    // Now even the right code waits: guessing stops here.
    let right = ShortCode::for_window(&secret, ShortCode::window_of(Utc::now()));
    let r = type_code(&app, &resident, "checkIn", right.as_str()).await;
    assert_eq!(r.code(), Some("RATE_LIMITED"));
    assert_eq!(checked_in_at(&app, &id).await, vec![None, None]);
    // Another volunteer is not held back, and the scanned QR still works for the first.
    type_code(&app, other, "checkIn", right.as_str()).await.ok();
    let qr = app
        .gql_as(
            Some(&staff),
            "query($id: ID!) { checkinCode(activityId: $id) { qrPayload } }",
            json!({ "id": id }),
        )
        .await
        .ok()["checkinCode"]["qrPayload"]
        .as_str()
        .unwrap()
        .to_owned();
    type_code(&app, &resident, "checkIn", &qr).await.ok();
    assert!(checked_in_at(&app, &id).await.iter().all(Option::is_some));
}

#[tokio::test]
async fn my_signup_resolves_wherever_the_activity_is_reached() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let resident = app.login(RESIDENT_PHONE).await;
    let id = published_activity(&app, &staff, 10, 180).await;
    let signup = sign_up(&app, &resident, &id).await.ok()["signUp"]["id"].clone();

    // Through the sign-up itself, in the resident's list of sign-ups.
    let mine = app
        .gql_as(
            Some(&resident),
            "{ mySignups { nodes { id activity { id mySignup { id status } } } } }",
            json!({}),
        )
        .await
        .ok();
    let node = &mine["mySignups"]["nodes"][0];
    assert_eq!(node["activity"]["mySignup"]["id"], signup);
    assert_eq!(node["activity"]["mySignup"]["status"], "SIGNED_UP");
    // Through a mutation's answer, and directly.
    let cancelled = app
        .gql_as(
            Some(&resident),
            "mutation($id: ID!) { cancelSignup(activityId: $id) { activity { mySignup { id status } } } }",
            json!({ "id": id }),
        )
        .await
        .ok();
    assert_eq!(
        cancelled["cancelSignup"]["activity"]["mySignup"]["status"],
        "CANCELLED"
    );
    let direct = app
        .gql_as(
            Some(&resident),
            "query($id: ID!) { activity(id: $id) { mySignup { id } } }",
            json!({ "id": id }),
        )
        .await
        .ok();
    assert_eq!(direct["activity"]["mySignup"]["id"], signup);
    // Anyone else reaching the same activity sees no sign-up of theirs.
    for token in [Some(staff.as_str()), None] {
        let seen = app
            .gql_as(
                token,
                "query($id: ID!) { activity(id: $id) { mySignup { id } } }",
                json!({ "id": id }),
            )
            .await
            .ok();
        assert_eq!(seen["activity"]["mySignup"], Value::Null);
    }
}

#[tokio::test]
async fn a_check_out_before_the_activity_starts_is_refused_and_says_when_it_can() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let resident = app.login(RESIDENT_PHONE).await;
    let id = published_activity(&app, &staff, 10, 120).await;
    sign_up(&app, &resident, &id).await.ok();
    let starts_at = api::volunteering::model::whole_seconds(Utc::now() - TimeDelta::minutes(20));
    move_activity(&app, &id, starts_at, 120).await;
    // Arriving early is fine; leaving before the start would record nothing.
    check_in_by_phone(
        &app,
        &staff,
        &id,
        RESIDENT_PHONE,
        starts_at - TimeDelta::minutes(30),
    )
    .await
    .ok();
    let early = check_out_by_phone(
        &app,
        &staff,
        &id,
        RESIDENT_PHONE,
        starts_at - TimeDelta::minutes(10),
    )
    .await;
    assert_eq!(early.code(), Some("BAD_USER_INPUT"));
    let message = early.body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("has not started"), "{message}");
    let local = starts_at
        .with_timezone(&api::district_time::DISTRICT_TZ)
        .format("%H:%M")
        .to_string();
    assert!(message.contains(&local), "{message}");
    assert_eq!(early.body["errors"][0]["extensions"]["field"], "at");
    let starts: DateTime<Utc> = early.body["errors"][0]["extensions"]["startsAt"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(starts, starts_at, "the phone can say when");
    let checked_out = sql_i64(
        &app,
        "SELECT COUNT(*) FROM signups WHERE checked_out_at IS NOT NULL",
        vec![],
    )
    .await;
    assert_eq!(checked_out, 0, "nothing written");
    // From the start on, leaving is recorded.
    check_out_by_phone(
        &app,
        &staff,
        &id,
        RESIDENT_PHONE,
        starts_at + TimeDelta::minutes(15),
    )
    .await
    .ok();
}

#[tokio::test]
async fn ledger_entries_name_their_activity_and_when_it_happened_and_filter_by_direction() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let resident = app.login(RESIDENT_PHONE).await;
    let (id, signup) =
        attended_activity(&app, &staff, &resident, 120, TimeDelta::days(3), (0, 120)).await;
    certify(&app, &staff, &signup, None, None, "ledger-names-1")
        .await
        .ok();
    let ledger = "query($d: CreditDirection) { myCredits { ledger(first: 100, direction: $d) {
        edges { node { amount occurredAt createdAt activity { id title } certification { minutes } } } } } }";
    let nodes = |data: Value| -> Vec<Value> {
        data["myCredits"]["ledger"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"].clone())
            .collect()
    };
    let earned = nodes(
        app.gql_as(Some(&resident), ledger, json!({ "d": "EARNED" }))
            .await
            .ok(),
    );
    assert!(earned.iter().all(|n| n["amount"].as_i64().unwrap() > 0));
    let hours = earned
        .iter()
        .find(|n| n["activity"]["id"] == id.as_str())
        .expect("the certification's entry names its activity");
    assert_eq!(hours["certification"]["minutes"], 120);
    let occurred = parse_time(&hours["occurredAt"]);
    let written = parse_time(&hours["createdAt"]);
    // The day of the activity, not the day it was certified.
    assert!(written - occurred > TimeDelta::days(2), "{hours}");

    let spent = nodes(
        app.gql_as(Some(&resident), ledger, json!({ "d": "SPENT" }))
            .await
            .ok(),
    );
    assert!(spent.iter().all(|n| n["amount"].as_i64().unwrap() < 0));
    let all = nodes(app.gql_as(Some(&resident), ledger, json!({})).await.ok());
    assert_eq!(all.len(), earned.len() + spent.len());
}

#[tokio::test]
async fn anyone_can_verify_a_certificate_by_its_code_and_see_if_it_is_still_current() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let resident = app.login(RESIDENT_PHONE).await;
    let (_, a) =
        attended_activity(&app, &staff, &resident, 180, TimeDelta::days(2), (0, 180)).await;
    certify(&app, &staff, &a, None, None, "verify-cert-a")
        .await
        .ok();
    let mine = "{ myVolunteerCertificate { reference verifyUrl totalMinutes html } }";
    let first = app.gql_as(Some(&resident), mine, json!({})).await.ok();
    let first = &first["myVolunteerCertificate"];
    let code = first["reference"].as_str().unwrap().to_owned();
    assert!(
        first["verifyUrl"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/verify/certificate/{code}"))
    );
    assert!(first["html"].as_str().unwrap().contains(&code));
    // Issuing again with the same hours gives the same certificate.
    let again = app.gql_as(Some(&resident), mine, json!({})).await.ok();
    assert_eq!(again["myVolunteerCertificate"]["reference"], code.as_str());

    let verify = "query($c: String!) { verifyVolunteerCertificate(code: $c) {
        residentName totalMinutes totalHours activityCount issuedAt stillCurrent } }";
    let checked = app
        .gql(verify, json!({ "c": code.to_lowercase() }))
        .await
        .ok();
    let checked = &checked["verifyVolunteerCertificate"];
    assert_eq!(checked["residentName"], "陈*明");
    assert_eq!(checked["totalMinutes"], 180);
    assert_eq!(checked["totalHours"], "3.0");
    assert_eq!(checked["activityCount"], 1);
    assert_eq!(checked["stillCurrent"], true);

    // More hours: a new certificate; the old code still verifies what it stated.
    let (_, b) = attended_activity(&app, &staff, &resident, 60, TimeDelta::hours(2), (0, 60)).await;
    certify(&app, &staff, &b, None, None, "verify-cert-b")
        .await
        .ok();
    let newer = app.gql_as(Some(&resident), mine, json!({})).await.ok();
    assert_ne!(newer["myVolunteerCertificate"]["reference"], code.as_str());
    assert_eq!(newer["myVolunteerCertificate"]["totalMinutes"], 240);
    let old = app.gql(verify, json!({ "c": code })).await.ok();
    assert_eq!(old["verifyVolunteerCertificate"]["totalMinutes"], 180);
    assert_eq!(old["verifyVolunteerCertificate"]["stillCurrent"], false);
    let none = app.gql(verify, json!({ "c": "VCNOTACODE" })).await.ok();
    assert!(none["verifyVolunteerCertificate"].is_null());
}
