//! 百家信: the score is the sum of its explained components, and moves with what residents do.

use chrono::TimeDelta;
use serde_json::{Value, json};

use crate::{
    helpers::*,
    volunteering::{attended_activity, certify, move_activity, published_activity, sign_up},
};

const BAIJIAXIN: &str = "{ myBaijiaxin { score maxScore summary level { level name minScore }
    nextLevel { level minScore } pointsToNextLevel
    components { kind name points maxPoints reason } } }";

async fn my_baijiaxin(app: &TestApp, token: &str) -> Value {
    app.gql_as(Some(token), BAIJIAXIN, json!({})).await.ok()["myBaijiaxin"].clone()
}

fn points(b: &Value, kind: &str) -> i64 {
    b["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == kind)
        .unwrap_or_else(|| panic!("no component {kind}"))["points"]
        .as_i64()
        .unwrap()
}

/// Every invariant a resident relies on to trust the score.
fn assert_explained(b: &Value) {
    let components = b["components"].as_array().unwrap();
    assert_eq!(components.len(), 4);
    let sum: i64 = components
        .iter()
        .map(|c| c["points"].as_i64().unwrap())
        .sum();
    assert_eq!(
        sum,
        b["score"].as_i64().unwrap(),
        "the components add up to the score"
    );
    for c in components {
        let (p, max) = (
            c["points"].as_i64().unwrap(),
            c["maxPoints"].as_i64().unwrap(),
        );
        assert!((0..=max).contains(&p), "{c}");
        assert!(!c["reason"].as_str().unwrap().is_empty());
    }
    let score = b["score"].as_i64().unwrap();
    assert!(b["level"]["minScore"].as_i64().unwrap() <= score);
    match b["nextLevel"].as_object() {
        Some(next) => {
            assert!(next["minScore"].as_i64().unwrap() > score);
            assert_eq!(
                b["pointsToNextLevel"].as_i64().unwrap(),
                next["minScore"].as_i64().unwrap() - score
            );
        }
        None => assert!(b["pointsToNextLevel"].is_null()),
    }
}

#[tokio::test]
async fn the_demo_residents_score_adds_up_from_hours_giving_and_reliability() {
    let app = spawn_app_with(AppOptions {
        demo_donations: true,
        ..Default::default()
    })
    .await;
    let resident = app.login(RESIDENT_PHONE).await;
    let b = my_baijiaxin(&app, &resident).await;
    assert_explained(&b);
    assert!(points(&b, "VOLUNTEER_HOURS") > 0, "{b}");
    assert!(points(&b, "DONATION_COUNT") > 0, "{b}");
    assert!(points(&b, "DONATION_AMOUNT") > 0, "{b}");
    assert_eq!(
        points(&b, "RELIABILITY"),
        100,
        "the demo resident never missed an activity"
    );
    assert!(b["level"]["level"].as_i64().unwrap() >= 2, "{b}");
    assert!(
        b["components"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("志愿服务")
    );
    assert_ledger_consistent(&app).await;
}

#[tokio::test]
async fn certified_hours_raise_the_score_and_a_no_show_lowers_it() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let resident = app.login(RESIDENT_PHONE).await;
    let start = my_baijiaxin(&app, &resident).await;
    assert_explained(&start);
    assert_eq!(start["score"], 100, "a clean record and nothing else yet");
    assert_eq!(start["level"]["level"], 1);
    assert!(
        start["summary"]
            .as_str()
            .unwrap()
            .contains("再得50分可升至2级"),
        "{start}"
    );

    // 3 hours certified: 30 points.
    let (_, signup) =
        attended_activity(&app, &staff, &resident, 180, TimeDelta::hours(1), (0, 180)).await;
    certify(&app, &staff, &signup, None, None, "bjx-cert-1")
        .await
        .ok();
    let worked = my_baijiaxin(&app, &resident).await;
    assert_explained(&worked);
    assert_eq!(points(&worked, "VOLUNTEER_HOURS"), 30);
    assert_eq!(worked["score"], 130);

    // Signed up, never came: 25 points off, and the reason says why.
    let missed = published_activity(&app, &staff, 10, 120).await;
    sign_up(&app, &resident, &missed).await.ok();
    move_activity(&app, &missed, chrono::Utc::now() - TimeDelta::hours(5), 120).await;
    let after = my_baijiaxin(&app, &resident).await;
    assert_explained(&after);
    assert_eq!(points(&after, "RELIABILITY"), 75);
    assert_eq!(after["score"], 105);
    let reason = after["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "RELIABILITY")
        .unwrap()["reason"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(reason.contains("1次"), "{reason}");

    // An activity still running is no no-show yet.
    let running = published_activity(&app, &staff, 10, 120).await;
    sign_up(&app, &resident, &running).await.ok();
    move_activity(
        &app,
        &running,
        chrono::Utc::now() - TimeDelta::minutes(30),
        120,
    )
    .await;
    assert_eq!(my_baijiaxin(&app, &resident).await["score"], 105);
    assert_ledger_consistent(&app).await;
}

#[tokio::test]
async fn only_a_resident_has_a_score_and_admin_can_read_anyones() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let admin = app.login(ADMIN_PHONE).await;
    let resident = app.login(RESIDENT_PHONE).await;
    assert_eq!(
        app.gql_as(Some(&staff), BAIJIAXIN, json!({})).await.code(),
        Some("FORBIDDEN")
    );
    assert_eq!(
        app.gql(BAIJIAXIN, json!({})).await.code(),
        Some("UNAUTHENTICATED")
    );
    let id = app
        .gql_as(Some(&resident), "{ me { resident { id } } }", json!({}))
        .await
        .ok()["me"]["resident"]["id"]
        .clone();
    let theirs = app
        .gql_as(
            Some(&admin),
            "query($id: ID!) { residentBaijiaxin(residentId: $id) { score } }",
            json!({ "id": id }),
        )
        .await
        .ok();
    assert_eq!(theirs["residentBaijiaxin"]["score"], 100);
    let levels = app
        .gql("{ baijiaxinLevels { level name minScore } }", json!({}))
        .await
        .ok();
    let levels = levels["baijiaxinLevels"].as_array().unwrap();
    assert_eq!(levels.len(), 5);
    assert_eq!(levels[0]["minScore"], 0);
}
