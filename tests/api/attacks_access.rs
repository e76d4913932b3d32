//! Getting in sideways: racing the login lockout, spoofing the client address, cross-site
//! requests, weak passwords, formulas in exports, public metrics, and a database outage
//! taken for a logout.

use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn sixty_guesses_at_once_check_at_most_the_allowed_number_and_then_the_right_one_waits() {
    let app = spawn_app().await;
    let max = app.state.settings.limits.login_max_failures;
    let guesses: Vec<_> = (0..60)
        .map(|i| {
            let (client, url) = (app.client.clone(), format!("{}/graphql", app.address));
            tokio::spawn(async move {
                let answer: Value = client
                    .post(url)
                    .json(&json!({ "query": format!(
                        r#"mutation {{ login(phone: "{STAFF_PHONE}", password: "Guess@{i:04}") {{ accessToken }} }}"#
                    ) }))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                answer["errors"][0]["extensions"]["code"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
        })
        .collect();
    let mut checked = 0;
    for guess in guesses {
        match guess.await.unwrap().as_str() {
            // A checked guess answers "wrong phone or password".
            "UNAUTHENTICATED" => checked += 1,
            "RATE_LIMITED" => {}
            other => panic!("unexpected answer {other}"),
        }
    }
    assert!(checked as i64 <= max, "{checked} guesses were checked");
    assert!(checked > 0);
    let right = app.login_full(STAFF_PHONE, DEMO_PASSWORD).await;
    assert_eq!(right.code(), Some("RATE_LIMITED"), "{}", right.body);
}

#[tokio::test]
async fn a_wrong_password_says_so_and_names_the_field() {
    let app = spawn_app().await;
    let wrong = app.login_full(RESIDENT_PHONE, "Wrong@2026").await;
    assert_eq!(wrong.code(), Some("UNAUTHENTICATED"));
    assert_eq!(wrong.body["errors"][0]["extensions"]["field"], "password");
    let missing = app.gql("{ me { account { id } } }", json!({})).await;
    assert_ne!(
        wrong.body["errors"][0]["message"], missing.body["errors"][0]["message"],
        "a wrong password is not a missing token"
    );
}

#[tokio::test]
async fn a_login_right_after_a_password_change_gets_a_working_session() {
    let app = spawn_app().await;
    let token = app.login(RESIDENT_PHONE).await;
    app.gql_as(
        Some(&token),
        r#"mutation { changePassword(oldPassword: "Demo@2026", newPassword: "Haixia#Walk77") }"#,
        json!({}),
    )
    .await
    .ok();
    // At once, within the same second as the change.
    let fresh = app.login_full(RESIDENT_PHONE, "Haixia#Walk77").await.ok()["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let me = app
        .gql_as(Some(&fresh), "{ me { account { role } } }", json!({}))
        .await;
    assert_eq!(me.ok()["me"]["account"]["role"], "RESIDENT");
    let old = app
        .gql_as(Some(&token), "{ me { account { role } } }", json!({}))
        .await;
    assert_eq!(old.code(), Some("UNAUTHENTICATED"), "the old token ended");
}

#[tokio::test]
async fn weak_common_and_unchanged_passwords_are_refused() {
    let app = spawn_app().await;
    let token = app.login(RESIDENT_PHONE).await;
    for weak in [
        "aaaaaaaa",
        "12345678",
        "password1",
        "woaini1314",
        DEMO_PASSWORD,
    ] {
        let refused = app
            .gql_as(
                Some(&token),
                "mutation($new: String!) { changePassword(oldPassword: \"Demo@2026\", newPassword: $new) }",
                json!({ "new": weak }),
            )
            .await;
        assert_eq!(
            refused.code(),
            Some("BAD_USER_INPUT"),
            "{weak}: {}",
            refused.body
        );
        assert_eq!(
            refused.body["errors"][0]["extensions"]["field"],
            "newPassword"
        );
    }
    // Still the old password.
    app.login_full(RESIDENT_PHONE, DEMO_PASSWORD).await.ok();
}

#[tokio::test]
async fn a_spoofed_forwarded_for_does_not_escape_the_per_ip_limit() {
    let app = spawn_app_with(AppOptions {
        empty: true,
        tweak: Some(|s| {
            s.trusted_proxies = 1;
            s.limits.rate_limit_ip_burst = 5;
            s.limits.rate_limit_ip_per_sec = 1;
        }),
        ..Default::default()
    })
    .await;
    let mut refused = 0;
    for i in 0..40 {
        // The client invents a new left-most address each time; our balancer's entry, the
        // right-most, stays the same.
        let status = app
            .client
            .post(format!("{}/graphql", app.address))
            .header(
                "x-forwarded-for",
                format!("10.1.{}.{}, 203.0.113.7", i / 250, i % 250),
            )
            .json(&json!({ "query": "{ __typename }" }))
            .send()
            .await
            .unwrap()
            .status();
        if status == 429 {
            refused += 1;
        }
    }
    assert!(refused >= 30, "only {refused} of 40 were limited");
}

#[tokio::test]
async fn cross_site_shaped_requests_never_run_a_mutation() {
    let app = spawn_app().await;
    let mutation = json!({ "query": format!(
        r#"mutation {{ login(phone: "{RESIDENT_PHONE}", password: "{DEMO_PASSWORD}") {{ accessToken }} }}"#
    ) })
    .to_string();
    for content_type in [
        "text/plain",
        "text/plain;charset=UTF-8",
        "application/x-www-form-urlencoded",
    ] {
        let response = app
            .client
            .post(format!("{}/graphql", app.address))
            .header("content-type", content_type)
            .body(mutation.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 415, "{content_type}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["field"], "Content-Type");
        assert!(body["data"].is_null());
    }
    // Multipart, as a plain HTML form can send it: refused without the preflight header.
    let form = reqwest::multipart::Form::new()
        .text("operations", mutation)
        .text("map", "{}");
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        "Apollo-Require-Preflight"
    );
}

#[tokio::test]
async fn metrics_need_the_operators_token() {
    let app = spawn_app_with(AppOptions {
        empty: true,
        tweak: Some(|s| {
            s.metrics_token = Some(api::config::Secret::new("metrics-token-for-tests"))
        }),
        ..Default::default()
    })
    .await;
    let url = format!("{}/metrics", app.address);
    assert_eq!(app.client.get(&url).send().await.unwrap().status(), 401);
    let wrong = app
        .client
        .get(&url)
        .bearer_auth("guess")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let right = app
        .client
        .get(&url)
        .bearer_auth("metrics-token-for-tests")
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), 200);
    assert!(right.text().await.unwrap().contains("http_requests_total"));
    // Outside the embedded default, no token means no public metrics at all.
    let untokened = spawn_app_with(AppOptions {
        empty: true,
        ..Default::default()
    })
    .await;
    let status = untokened
        .client
        .get(format!("{}/metrics", untokened.address))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 401);
}

#[tokio::test]
async fn a_name_that_looks_like_a_formula_is_exported_as_text() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let mut input = donation_input(&app, "13800007777", "20.00", "2026-03-02T02:00:00Z").await;
    input["donor"] = json!({ "resident": { "phone": "13800007777", "name": "=HYPERLINK(\"http://evil\",\"x\")" } });
    app.gql_as(Some(&staff), RECORD_DONATION, json!({ "input": input }))
        .await
        .ok();
    let csv = app
        .client
        .get(format!(
            "{}/exports/donations.csv?from=2026-03-01&to=2026-03-31",
            app.address
        ))
        .bearer_auth(&staff)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    assert!(
        !csv.lines().any(|l| l
            .split(',')
            .any(|cell| cell.trim_matches('"').starts_with('='))),
        "{csv}"
    );
}

#[tokio::test]
async fn a_database_outage_is_unavailable_not_a_logout() {
    let app = spawn_app().await;
    // A token this process has not yet checked, so the check must ask the database.
    let token = app.login(RESIDENT_PHONE).await;
    app.db().conn.clone().close().await.unwrap();
    let me = app
        .gql_as(Some(&token), "{ me { account { role } } }", json!({}))
        .await;
    assert_eq!(me.code(), Some("UNAVAILABLE"), "{}", me.body);
    let record = app
        .gql_as(
            Some(&token),
            r#"mutation { redeemReward(rewardId: "00000000-0000-0000-0000-000000000000", idempotencyKey: "k-1") { redemption { id } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(record.code(), Some("UNAVAILABLE"), "{}", record.body);
}
