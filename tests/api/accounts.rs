//! Logging in, tokens and `me`.

use serde_json::json;

use crate::helpers::*;

const ME: &str = "{ me { account { role displayName phone org { name } partner { name } }
    resident { name phone publicNameConsent creditBalance cumulativeDonation town { code } }
    enterprise { name creditBalance } } }";

#[tokio::test]
async fn me_without_a_token_is_unauthenticated() {
    let app = spawn_app().await;
    let resp = app.gql(ME, json!({})).await;
    assert_eq!(resp.code(), Some("UNAUTHENTICATED"));
    assert!(resp.data().is_null() || resp.data()["me"].is_null());
}

#[tokio::test]
async fn every_demo_login_works_and_carries_its_role() {
    let app = spawn_app().await;
    for (phone, role) in [
        (ADMIN_PHONE, "ADMIN"),
        (STAFF_PHONE, "ORG_STAFF"),
        (OTHER_STAFF_PHONE, "ORG_STAFF"),
        (PARTNER_PHONE, "PARTNER_STAFF"),
        (RESIDENT_PHONE, "RESIDENT"),
        (ENTERPRISE_PHONE, "ENTERPRISE"),
    ] {
        let token = app.login(phone).await;
        let me = app.gql_as(Some(&token), ME, json!({})).await.ok();
        assert_eq!(me["me"]["account"]["role"], role, "{phone}");
        assert_eq!(me["me"]["account"]["phone"], phone);
    }
}

#[tokio::test]
async fn staff_see_the_org_or_partner_they_act_for() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let me = app.gql_as(Some(&staff), ME, json!({})).await.ok();
    assert_eq!(me["me"]["account"]["org"]["name"], "洞头区慈善总会");
    assert!(me["me"]["resident"].is_null());
    let partner = app.login(PARTNER_PHONE).await;
    let me = app.gql_as(Some(&partner), ME, json!({})).await.ok();
    assert_eq!(me["me"]["account"]["partner"]["name"], "洞头农商银行");
}

#[tokio::test]
async fn a_resident_sees_their_own_profile() {
    let app = spawn_app().await;
    let token = app.login(RESIDENT_PHONE).await;
    let me = app.gql_as(Some(&token), ME, json!({})).await.ok();
    let resident = &me["me"]["resident"];
    assert_eq!(resident["name"], "陈晓明");
    assert_eq!(resident["phone"], RESIDENT_PHONE);
    assert_eq!(resident["town"]["code"], "BEIAO");
    assert_eq!(resident["creditBalance"], 0);
    assert_eq!(resident["cumulativeDonation"], "0.00");
    let enterprise = app.login(ENTERPRISE_PHONE).await;
    let me = app.gql_as(Some(&enterprise), ME, json!({})).await.ok();
    assert_eq!(me["me"]["enterprise"]["name"], "洞头海霞渔业有限公司");
}

#[tokio::test]
async fn wrong_passwords_and_unknown_phones_are_refused_alike() {
    let app = spawn_app().await;
    let wrong = app.login_full(RESIDENT_PHONE, "wrong-password").await;
    assert_eq!(wrong.code(), Some("UNAUTHENTICATED"));
    let unknown = app.login_full("13711112222", DEMO_PASSWORD).await;
    assert_eq!(unknown.code(), Some("UNAUTHENTICATED"));
    assert_eq!(
        wrong.body["errors"][0]["message"],
        unknown.body["errors"][0]["message"]
    );
    let malformed = app.login_full("12345", DEMO_PASSWORD).await;
    assert_eq!(malformed.code(), Some("BAD_USER_INPUT"));
}

#[tokio::test]
async fn a_tampered_token_is_unauthenticated() {
    let app = spawn_app().await;
    let token = app.login(ADMIN_PHONE).await;
    let mut tampered = token.clone();
    tampered.pop();
    tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
    let resp = app.gql_as(Some(&tampered), ME, json!({})).await;
    assert_eq!(resp.code(), Some("UNAUTHENTICATED"));
}

const REFRESH: &str =
    "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }";

#[tokio::test]
async fn refresh_rotates_and_a_reused_refresh_token_kills_the_family() {
    let app = spawn_app().await;
    let login = app.login_full(RESIDENT_PHONE, DEMO_PASSWORD).await.ok();
    let first = login["login"]["refreshToken"].as_str().unwrap().to_owned();

    let rotated = app.gql(REFRESH, json!({ "t": first })).await.ok();
    let second = rotated["refreshToken"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let access = rotated["refreshToken"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(first, second);
    app.gql_as(Some(&access), ME, json!({})).await.ok();

    // Replaying the first token is theft: refused, and the rotated one dies with it.
    let replay = app.gql(REFRESH, json!({ "t": first })).await;
    assert_eq!(replay.code(), Some("UNAUTHENTICATED"));
    let after = app.gql(REFRESH, json!({ "t": second })).await;
    assert_eq!(after.code(), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn logout_ends_the_refresh_token() {
    let app = spawn_app().await;
    let login = app.login_full(STAFF_PHONE, DEMO_PASSWORD).await.ok();
    let refresh = login["login"]["refreshToken"].as_str().unwrap().to_owned();
    app.gql(
        "mutation($t: String!) { logout(refreshToken: $t) }",
        json!({ "t": refresh }),
    )
    .await
    .ok();
    let resp = app.gql(REFRESH, json!({ "t": refresh })).await;
    assert_eq!(resp.code(), Some("UNAUTHENTICATED"));
}
