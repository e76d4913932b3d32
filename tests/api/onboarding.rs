//! Onboarding: residents register with a texted code (claiming a record a donation or a
//! desk made), forgotten passwords, desk registration, staff accounts, disabling, deleting
//! one's own account, and the bureau's and staff's directory writes.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::*;

const POLICY: &str = "{ privacyPolicy { version text } }";
const SEND: &str = "mutation($phone: String!, $purpose: CodePurpose!) {
    requestPhoneCode(phone: $phone, purpose: $purpose) { sentTo expiresInSeconds resendAfterSeconds } }";
const REGISTER: &str = "mutation($input: RegisterResidentInput!) {
    registerResident(input: $input) { accessToken refreshToken account { id role displayName } } }";
const RESET: &str = "mutation($phone: String!, $code: String!, $password: String!) {
    resetPassword(phone: $phone, code: $code, newPassword: $password) }";
const ME: &str = "{ me { account { id role } resident { id name phone privacyPolicyVersion privacyPolicyAgreedAt registeredAtDesk creditBalance cumulativeDonation } } }";
const NEW_PASSWORD: &str = "Haidao#2027";

async fn policy_version(app: &TestApp) -> String {
    let data = app.gql(POLICY, json!({})).await.ok();
    assert!(
        data["privacyPolicy"]["text"]
            .as_str()
            .unwrap()
            .contains("个人信息")
    );
    data["privacyPolicy"]["version"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn send_code(app: &TestApp, phone: &str, purpose: &str) -> Gql {
    app.gql(SEND, json!({ "phone": phone, "purpose": purpose }))
        .await
}

/// The six digits of the newest text to `phone`, if it carries a code.
fn code_in_text(app: &TestApp, phone: &str) -> Option<String> {
    let text = app.sms.last_to(phone)?;
    let start = text.find("验证码 ")? + "验证码 ".len();
    Some(text[start..start + 6].to_owned())
}

async fn texted_code(app: &TestApp, phone: &str, purpose: &str) -> String {
    send_code(app, phone, purpose).await.ok();
    code_in_text(app, phone).expect("a code was texted")
}

fn registration(phone: &str, code: &str, name: &str, version: &str) -> Value {
    json!({
        "phone": phone,
        "code": code,
        "password": NEW_PASSWORD,
        "name": name,
        "townCode": "BEIAO",
        "agreedPolicyVersion": version,
    })
}

async fn register(app: &TestApp, input: Value) -> Gql {
    app.gql(REGISTER, json!({ "input": input })).await
}

fn field(gql: &Gql) -> Option<&str> {
    gql.body["errors"][0]["extensions"]["field"].as_str()
}

async fn count_where(app: &TestApp, table: &str, column: &str, value: &str) -> i64 {
    sql_i64(
        app,
        &format!("SELECT COUNT(*) FROM {table} WHERE {column} = ?"),
        vec![value.into()],
    )
    .await
}

#[tokio::test]
async fn a_new_resident_registers_with_a_texted_code_and_is_logged_in() {
    let app = spawn_app().await;
    let version = policy_version(&app).await;
    let phone = "13712340001";
    let sent = send_code(&app, phone, "REGISTER").await.ok();
    assert_eq!(
        sent["requestPhoneCode"],
        json!({ "sentTo": "137****0001", "expiresInSeconds": 600, "resendAfterSeconds": 60 })
    );
    let code = code_in_text(&app, phone).expect("a code was texted");

    let wrong = register(&app, registration(phone, "000000", "林海燕", &version)).await;
    let wrong_code = if code == "000000" { "111111" } else { "000000" };
    let wrong = if code == "000000" {
        register(&app, registration(phone, wrong_code, "林海燕", &version)).await
    } else {
        wrong
    };
    assert_eq!(wrong.code(), Some("BAD_USER_INPUT"));
    assert_eq!(field(&wrong), Some("code"));

    let done = register(&app, registration(phone, &code, "林海燕", &version))
        .await
        .ok();
    let token = done["registerResident"]["accessToken"].as_str().unwrap();
    assert_eq!(done["registerResident"]["account"]["role"], "RESIDENT");
    let me = app.gql_as(Some(token), ME, json!({})).await.ok();
    assert_eq!(me["me"]["resident"]["name"], "林海燕");
    assert_eq!(
        me["me"]["resident"]["privacyPolicyVersion"],
        version.as_str()
    );
    assert!(me["me"]["resident"]["privacyPolicyAgreedAt"].is_string());
    assert_eq!(me["me"]["resident"]["registeredAtDesk"], false);
    assert!(app.login_full(phone, NEW_PASSWORD).await.body["errors"].is_null());

    // The code worked once.
    let again = register(&app, registration(phone, &code, "林海燕", &version)).await;
    assert_eq!(field(&again), Some("code"));
    assert_eq!(count_where(&app, "residents", "phone", phone).await, 1);

    // The audit log has the registration, and neither the code nor the password.
    let admin = app.login(ADMIN_PHONE).await;
    let log = app
        .gql_as(
            Some(&admin),
            "{ auditLog(first: 5, action: \"registerResident\") { edges { node { entity after } } } }",
            json!({}),
        )
        .await
        .ok();
    let entry = log["auditLog"]["edges"][0]["node"].to_string();
    assert!(entry.contains("accounts"), "{entry}");
    assert!(
        !entry.contains(&code) && !entry.contains(NEW_PASSWORD),
        "{entry}"
    );
}

#[tokio::test]
async fn a_resident_a_donation_registered_claims_that_record_instead_of_a_second_one() {
    let app = spawn_app().await;
    let version = policy_version(&app).await;
    let phone = "13712340002";
    let staff = app.login(STAFF_PHONE).await;
    let mut input = donation_input(&app, phone, "300.00", "2026-12-01T10:00:00+08:00").await;
    input["donor"] = json!({ "resident": { "phone": phone, "name": "王大海" } });
    let recorded = app
        .gql_as(Some(&staff), RECORD_DONATION, json!({ "input": input }))
        .await
        .ok();
    let credits = recorded["recordDonation"]["donation"]["creditsAwarded"]
        .as_i64()
        .unwrap();
    assert!(credits > 0);

    let code = texted_code(&app, phone, "REGISTER").await;
    let done = register(&app, registration(phone, &code, "王大海", &version))
        .await
        .ok();
    let token = done["registerResident"]["accessToken"].as_str().unwrap();
    let me = app.gql_as(Some(token), ME, json!({})).await.ok();
    assert_eq!(
        me["me"]["resident"]["creditBalance"].as_i64(),
        Some(credits)
    );
    assert_eq!(me["me"]["resident"]["cumulativeDonation"], "300.00");
    assert_eq!(count_where(&app, "residents", "phone", phone).await, 1);
    assert_eq!(count_where(&app, "accounts", "phone", phone).await, 1);
    assert_ledger_consistent(&app).await;
}

#[tokio::test]
async fn bad_registrations_name_the_field_and_leave_the_code_unspent() {
    let app = spawn_app().await;
    let version = policy_version(&app).await;
    let phone = "13712340003";
    let code = texted_code(&app, phone, "REGISTER").await;
    for (input, expected) in [
        (registration("1371234", &code, "林海燕", &version), "phone"),
        (registration(phone, &code, "  ", &version), "name"),
        (
            registration(phone, &code, "林海燕", "2020-01-01"),
            "agreedPolicyVersion",
        ),
        (
            json!({ "phone": phone, "code": code, "password": "12345678", "name": "林海燕",
                    "agreedPolicyVersion": version }),
            "password",
        ),
        (
            json!({ "phone": phone, "code": code, "password": NEW_PASSWORD, "name": "林海燕",
                    "townCode": "NOWHERE", "agreedPolicyVersion": version }),
            "townCode",
        ),
        (registration(phone, "12ab56", "林海燕", &version), "code"),
    ] {
        let refused = register(&app, input).await;
        assert_eq!(refused.code(), Some("BAD_USER_INPUT"), "{expected}");
        assert_eq!(field(&refused), Some(expected));
    }
    assert_eq!(count_where(&app, "residents", "phone", phone).await, 0);
    assert_eq!(count_where(&app, "accounts", "phone", phone).await, 0);
    // None of that spent the code.
    register(&app, registration(phone, &code, "林海燕", &version))
        .await
        .ok();
}

#[tokio::test]
async fn codes_are_limited_per_phone_and_address_expire_and_allow_five_guesses() {
    let app = spawn_app().await;
    let version = policy_version(&app).await;
    let phone = "13712340004";
    let first = texted_code(&app, phone, "REGISTER").await;
    let again = send_code(&app, phone, "REGISTER").await;
    assert_eq!(again.code(), Some("RATE_LIMITED"));
    assert_eq!(
        app.sms.sent().iter().filter(|m| m.phone == phone).count(),
        1
    );

    // Five wrong guesses use the code up, the right one included after them.
    let wrong = if first == "999999" {
        "999998"
    } else {
        "999999"
    };
    for _ in 0..5 {
        let refused = register(&app, registration(phone, wrong, "林海燕", &version)).await;
        assert_eq!(field(&refused), Some("code"));
    }
    let locked = register(&app, registration(phone, &first, "林海燕", &version)).await;
    assert_eq!(field(&locked), Some("code"));
    assert!(
        locked.body.to_string().contains("too many"),
        "{}",
        locked.body
    );

    // A code past its ten minutes is refused.
    let other = "13712340005";
    let code = texted_code(&app, other, "REGISTER").await;
    use api::entities::phone_code;
    let row = phone_code::Entity::find()
        .filter(phone_code::Column::Phone.eq(other))
        .one(&app.db().conn)
        .await
        .unwrap()
        .unwrap();
    let mut expired: phone_code::ActiveModel = row.into();
    expired.expires_at = Set(chrono::Utc::now() - chrono::Duration::seconds(1));
    expired.update(&app.db().conn).await.unwrap();
    let late = register(&app, registration(other, &code, "林海燕", &version)).await;
    assert_eq!(field(&late), Some("code"));
    assert!(late.body.to_string().contains("expired"));

    // One address asks for at most thirty codes an hour, whatever the phones.
    let mut limited = 0;
    for i in 0..35 {
        let gql = send_code(&app, &format!("1361234{i:04}"), "REGISTER").await;
        if gql.code() == Some("RATE_LIMITED") {
            limited += 1;
        }
    }
    // Three sends were asked from this address before the loop (refused ones count too).
    assert_eq!(limited, 35 + 3 - 30);
}

#[tokio::test]
async fn ten_registrations_racing_with_one_code_make_one_account() {
    let app = spawn_app().await;
    let version = policy_version(&app).await;
    let phone = "13712340006";
    let code = texted_code(&app, phone, "REGISTER").await;
    let attempts = (0..10).map(|_| register(&app, registration(phone, &code, "林海燕", &version)));
    let results = futures::future::join_all(attempts).await;
    let ok = results
        .iter()
        .filter(|r| r.body["errors"].is_null())
        .count();
    assert_eq!(
        ok,
        1,
        "{:?}",
        results.iter().map(|r| &r.body).collect::<Vec<_>>()
    );
    assert_eq!(count_where(&app, "accounts", "phone", phone).await, 1);
    assert_eq!(count_where(&app, "residents", "phone", phone).await, 1);
}

#[tokio::test]
async fn a_phone_with_a_login_gets_no_registration_code_and_cannot_register_again() {
    let app = spawn_app().await;
    let version = policy_version(&app).await;
    let sent = send_code(&app, RESIDENT_PHONE, "REGISTER").await.ok();
    // The answer is the same as for a new phone; the text says to log in instead.
    assert_eq!(sent["requestPhoneCode"]["sentTo"], "138****0001");
    assert!(code_in_text(&app, RESIDENT_PHONE).is_none());
    assert!(app.sms.last_to(RESIDENT_PHONE).unwrap().contains("已注册"));
    let refused = register(
        &app,
        registration(RESIDENT_PHONE, "123456", "陈晓明", &version),
    )
    .await;
    assert_eq!(field(&refused), Some("code"));
}

#[tokio::test]
async fn a_forgotten_password_is_reset_with_a_code_and_every_old_session_ends() {
    let app = spawn_app().await;
    let before = app.login_full(RESIDENT_PHONE, DEMO_PASSWORD).await.ok();
    let old_access = before["login"]["accessToken"].as_str().unwrap().to_owned();
    let old_refresh = before["login"]["refreshToken"].as_str().unwrap().to_owned();

    let code = texted_code(&app, RESIDENT_PHONE, "RESET_PASSWORD").await;
    let weak = app
        .gql(
            RESET,
            json!({ "phone": RESIDENT_PHONE, "code": code, "password": "password" }),
        )
        .await;
    assert_eq!(field(&weak), Some("newPassword"));
    app.gql(
        RESET,
        json!({ "phone": RESIDENT_PHONE, "code": code, "password": NEW_PASSWORD }),
    )
    .await
    .ok();

    let me = app.gql_as(Some(&old_access), ME, json!({})).await;
    assert_eq!(me.code(), Some("UNAUTHENTICATED"));
    let refreshed = app
        .gql(
            "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }",
            json!({ "t": old_refresh }),
        )
        .await;
    assert_eq!(refreshed.code(), Some("UNAUTHENTICATED"));
    assert_eq!(
        app.login_full(RESIDENT_PHONE, DEMO_PASSWORD).await.code(),
        Some("UNAUTHENTICATED")
    );
    app.login_full(RESIDENT_PHONE, NEW_PASSWORD).await.ok();

    // A phone without an account is told to register, and gets no code.
    let stranger = "13712340007";
    send_code(&app, stranger, "RESET_PASSWORD").await.ok();
    assert!(code_in_text(&app, stranger).is_none());
    let refused = app
        .gql(
            RESET,
            json!({ "phone": stranger, "code": "123456", "password": NEW_PASSWORD }),
        )
        .await;
    assert_eq!(field(&refused), Some("code"));
}

const DESK: &str = "mutation($input: DeskRegistrationInput!) {
    registerResidentAtDesk(input: $input) { id name phone alreadyRegistered hasLogin } }";

#[tokio::test]
async fn staff_register_a_resident_at_the_desk_who_later_claims_the_record() {
    let app = spawn_app().await;
    let version = policy_version(&app).await;
    let staff = app.login(STAFF_PHONE).await;
    let phone = "13712340008";
    let input = json!({ "phone": phone, "name": "郑阿婆", "townCode": "BEIAO", "agreedPolicyVersion": version });
    let desk = app
        .gql_as(Some(&staff), DESK, json!({ "input": input.clone() }))
        .await
        .ok();
    let registered = &desk["registerResidentAtDesk"];
    // A staff login on a phone is not the resident's own login.
    let staff_phone = app
        .gql_as(
            Some(&staff),
            DESK,
            json!({ "input": { "phone": OTHER_STAFF_PHONE, "name": "周工", "agreedPolicyVersion": version } }),
        )
        .await
        .ok();
    assert_eq!(staff_phone["registerResidentAtDesk"]["hasLogin"], false);
    assert_eq!(registered["alreadyRegistered"], false);
    assert_eq!(registered["hasLogin"], false);
    assert_eq!(registered["phone"], "137****0008");
    assert!(app.sms.last_to(phone).unwrap().contains("注册"));
    let again = app
        .gql_as(Some(&staff), DESK, json!({ "input": input.clone() }))
        .await
        .ok();
    assert_eq!(again["registerResidentAtDesk"]["alreadyRegistered"], true);
    assert_eq!(again["registerResidentAtDesk"]["id"], registered["id"]);

    let code = texted_code(&app, phone, "REGISTER").await;
    let done = register(&app, registration(phone, &code, "郑阿婆", &version))
        .await
        .ok();
    let token = done["registerResident"]["accessToken"].as_str().unwrap();
    let me = app.gql_as(Some(token), ME, json!({})).await.ok();
    assert_eq!(me["me"]["resident"]["id"], registered["id"]);
    assert_eq!(me["me"]["resident"]["registeredAtDesk"], true);

    // Residents do not register others.
    let resident = app.login(RESIDENT_PHONE).await;
    let refused = app
        .gql_as(Some(&resident), DESK, json!({ "input": input }))
        .await;
    assert_eq!(refused.code(), Some("FORBIDDEN"));
}

const CREATE_STAFF: &str = "mutation($input: StaffAccountInput!) {
    createStaffAccount(input: $input) { id role disabled hasPassword org { name } } }";
const DISABLE: &str = "mutation($id: ID!, $disabled: Boolean!) {
    setAccountDisabled(accountId: $id, disabled: $disabled) { id disabled } }";

#[tokio::test]
async fn the_bureau_creates_a_staff_account_whose_holder_sets_the_password_by_code() {
    let app = spawn_app().await;
    let admin = app.login(ADMIN_PHONE).await;
    let org = org_id(&app, FEDERATION).await;
    let phone = "13712340009";
    let created = app
        .gql_as(
            Some(&admin),
            CREATE_STAFF,
            json!({ "input": { "phone": phone, "displayName": "周社工", "role": "ORG_STAFF", "orgId": org } }),
        )
        .await
        .ok();
    assert_eq!(created["createStaffAccount"]["hasPassword"], false);
    assert_eq!(created["createStaffAccount"]["org"]["name"], FEDERATION);
    assert!(app.sms.last_to(phone).unwrap().contains("忘记密码"));
    // No password works until the holder sets one.
    assert_eq!(
        app.login_full(phone, "!").await.code(),
        Some("UNAUTHENTICATED")
    );
    let code = texted_code(&app, phone, "RESET_PASSWORD").await;
    app.gql(
        RESET,
        json!({ "phone": phone, "code": code, "password": NEW_PASSWORD }),
    )
    .await
    .ok();
    let login = app.login_full(phone, NEW_PASSWORD).await.ok();
    assert_eq!(login["login"]["account"]["role"], "ORG_STAFF");

    // Wrong shapes name the field; only the bureau creates staff.
    for (input, expected) in [
        (
            json!({ "phone": "13712340010", "displayName": "x", "role": "ORG_STAFF" }),
            "orgId",
        ),
        (
            json!({ "phone": "13712340010", "displayName": "x", "role": "RESIDENT" }),
            "role",
        ),
        (
            json!({ "phone": phone, "displayName": "x", "role": "ORG_STAFF", "orgId": org }),
            "phone",
        ),
        (
            json!({ "phone": "13712340010", "displayName": " ", "role": "ADMIN" }),
            "displayName",
        ),
    ] {
        let refused = app
            .gql_as(Some(&admin), CREATE_STAFF, json!({ "input": input }))
            .await;
        assert_eq!(field(&refused), Some(expected), "{}", refused.body);
    }
    let staff = app.login(STAFF_PHONE).await;
    let refused = app
        .gql_as(
            Some(&staff),
            CREATE_STAFF,
            json!({ "input": { "phone": "13712340010", "displayName": "x", "role": "ADMIN" } }),
        )
        .await;
    assert_eq!(refused.code(), Some("FORBIDDEN"));
    assert_eq!(
        count_where(&app, "accounts", "phone", "13712340010").await,
        0
    );
}

#[tokio::test]
async fn disabling_an_account_ends_its_sessions_at_once() {
    let app = spawn_app().await;
    let admin = app.login(ADMIN_PHONE).await;
    let session = app.login_full(STAFF_PHONE, DEMO_PASSWORD).await.ok();
    let access = session["login"]["accessToken"].as_str().unwrap();
    let refresh = session["login"]["refreshToken"].as_str().unwrap();
    let id = session["login"]["account"]["id"].as_str().unwrap();
    // The session is known (and cached) before the change.
    app.gql_as(Some(access), ME, json!({})).await.ok();

    let off = app
        .gql_as(Some(&admin), DISABLE, json!({ "id": id, "disabled": true }))
        .await
        .ok();
    assert_eq!(off["setAccountDisabled"]["disabled"], true);
    assert_eq!(
        app.gql_as(Some(access), ME, json!({})).await.code(),
        Some("UNAUTHENTICATED")
    );
    let refreshed = app
        .gql(
            "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }",
            json!({ "t": refresh }),
        )
        .await;
    assert_eq!(refreshed.code(), Some("UNAUTHENTICATED"));
    assert_eq!(
        app.login_full(STAFF_PHONE, DEMO_PASSWORD).await.code(),
        Some("UNAUTHENTICATED")
    );

    app.gql_as(
        Some(&admin),
        DISABLE,
        json!({ "id": id, "disabled": false }),
    )
    .await
    .ok();
    app.login_full(STAFF_PHONE, DEMO_PASSWORD).await.ok();

    let me = app.gql_as(Some(&admin), ME, json!({})).await.ok();
    let own = app
        .gql_as(
            Some(&admin),
            DISABLE,
            json!({ "id": me["me"]["account"]["id"], "disabled": true }),
        )
        .await;
    assert_eq!(field(&own), Some("accountId"));
    let listed = app
        .gql_as(
            Some(&admin),
            "{ accounts(first: 50, role: ORG_STAFF) { edges { node { role disabled } } } }",
            json!({}),
        )
        .await
        .ok();
    let edges = listed["accounts"]["edges"].as_array().unwrap();
    assert!(!edges.is_empty());
    assert!(edges.iter().all(|e| e["node"]["role"] == "ORG_STAFF"));
}

#[tokio::test]
async fn deleting_my_account_erases_personal_data_and_keeps_the_ledger_totals() {
    let app = spawn_app().await;
    let version = policy_version(&app).await;
    let phone = "13712340011";
    let code = texted_code(&app, phone, "REGISTER").await;
    let done = register(&app, registration(phone, &code, "黄小渔", &version))
        .await
        .ok();
    let token = done["registerResident"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    app.gql_as(
        Some(&token),
        "mutation { setPublicNameConsent(consent: true, nameStyle: NAMED) { consent } }",
        json!({}),
    )
    .await
    .ok();
    let staff = app.login(STAFF_PHONE).await;
    let input = donation_input(&app, phone, "8888.00", "2026-12-01T10:00:00+08:00").await;
    app.gql_as(Some(&staff), RECORD_DONATION, json!({ "input": input }))
        .await
        .ok();
    let me = app.gql_as(Some(&token), ME, json!({})).await.ok();
    let resident_id = me["me"]["resident"]["id"].as_str().unwrap().to_owned();
    // A reward waiting at the counter is given back with the account.
    let reward = app
        .gql_as(
            Some(&staff),
            "mutation { createReward(input: { name: \"毛巾\", creditPrice: 10, stock: 3, perPersonLimit: 2 }) { id } }",
            json!({}),
        )
        .await
        .ok()["createReward"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let waiting = crate::donations::redeem(&app, &token, &reward, 1)
        .await
        .ok();
    let waiting = waiting["redeemReward"]["redemption"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    const BOARD: &str = "{ leaderboard(board: RESIDENTS, period: ALL_TIME, first: 5) { entries { displayName amount } } }";
    let board = app.gql(BOARD, json!({})).await.ok();
    assert!(board.to_string().contains("黄小渔"));
    let total_before = sql_i64(
        &app,
        "SELECT CAST(SUM(amount_fen) AS BIGINT) FROM donations",
        vec![],
    )
    .await;

    const DELETE: &str = "mutation($p: String!) { deleteMyAccount(password: $p) { id erasedAt } }";
    let wrong = app
        .gql_as(Some(&token), DELETE, json!({ "p": "Wrong#2027x" }))
        .await;
    assert_eq!(field(&wrong), Some("password"));
    app.gql_as(Some(&token), ME, json!({})).await.ok();

    app.gql_as(Some(&token), DELETE, json!({ "p": NEW_PASSWORD }))
        .await
        .ok();
    assert_eq!(
        app.gql_as(Some(&token), ME, json!({})).await.code(),
        Some("UNAUTHENTICATED")
    );
    assert_eq!(
        app.login_full(phone, NEW_PASSWORD).await.code(),
        Some("UNAUTHENTICATED")
    );
    use api::entities::{donor, resident};
    let id = uuid::Uuid::parse_str(&resident_id).unwrap();
    let erased = resident::Entity::find_by_id(id)
        .one(&app.db().conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(erased.name, api::onboarding::ERASED_NAME);
    assert!(!erased.phone.contains(phone));
    assert_eq!(erased.id_number, None);
    assert!(!erased.name_consent);
    assert!(erased.erased_at.is_some());
    let ledger = donor::Entity::find_by_id(id)
        .one(&app.db().conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ledger.cumulative_donation_fen, 888_800);
    assert_eq!(
        sql_i64(
            &app,
            "SELECT CAST(SUM(amount_fen) AS BIGINT) FROM donations",
            vec![]
        )
        .await,
        total_before
    );
    assert_eq!(count_where(&app, "accounts", "phone", phone).await, 0);
    assert_eq!(
        count_where(&app, "redemptions", "status", "PENDING").await,
        0
    );
    let stock = api::entities::reward::Entity::find_by_id(uuid::Uuid::parse_str(&reward).unwrap())
        .one(&app.db().conn)
        .await
        .unwrap()
        .unwrap()
        .stock;
    assert_eq!(stock, 3, "the waiting reward's stock returned");
    let cancelled =
        api::entities::redemption::Entity::find_by_id(uuid::Uuid::parse_str(&waiting).unwrap())
            .one(&app.db().conn)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(
        cancelled.status,
        api::entities::enums::RedemptionStatus::Cancelled
    );
    let board = app.gql(BOARD, json!({})).await.ok();
    assert!(!board.to_string().contains("黄小渔"), "{board}");
    assert!(board.to_string().contains("8888.00"), "{board}");
    assert_ledger_consistent(&app).await;

    // The erasure is audited, without the password.
    let admin = app.login(ADMIN_PHONE).await;
    let log = app
        .gql_as(
            Some(&admin),
            "{ auditLog(first: 5, action: \"deleteMyAccount\") { edges { node { action entityId after } } } }",
            json!({}),
        )
        .await
        .ok();
    let entry = log["auditLog"]["edges"][0]["node"].to_string();
    assert!(
        entry.contains("deleteMyAccount") && !entry.contains(NEW_PASSWORD),
        "{entry}"
    );

    // The phone is free again: registering it makes a new person.
    let code = texted_code(&app, phone, "REGISTER").await;
    let again = register(&app, registration(phone, &code, "黄小渔", &version))
        .await
        .ok();
    let token = again["registerResident"]["accessToken"].as_str().unwrap();
    let me = app.gql_as(Some(token), ME, json!({})).await.ok();
    assert_ne!(
        me["me"]["resident"]["id"].as_str(),
        Some(resident_id.as_str())
    );
    assert_eq!(me["me"]["resident"]["cumulativeDonation"], "0.00");
}

const CREATE_ORG: &str = "mutation($input: CharityOrgInput!) {
    createCharityOrg(input: $input) { id name kind parent { name } } }";
const CREATE_PROJECT: &str = "mutation($input: CharityProjectInput!, $org: ID) {
    createCharityProject(input: $input, orgId: $org) { id name goal startsOn endsOn status org { name } } }";
const UPDATE_PROJECT: &str = "mutation($id: ID!, $input: CharityProjectInput!) {
    updateCharityProject(id: $id, input: $input) { id name goal status } }";
const CREATE_CAMPAIGN: &str = "mutation($input: CampaignInput!, $org: ID) {
    createCampaign(input: $input, orgId: $org) { id code goal status org { name } } }";
const UPDATE_CAMPAIGN: &str = "mutation($id: ID!, $input: CampaignInput!) {
    updateCampaign(id: $id, input: $input) { id code status } }";

#[tokio::test]
async fn the_bureau_registers_orgs_and_branches_and_refuses_impossible_trees() {
    let app = spawn_app().await;
    let admin = app.login(ADMIN_PHONE).await;
    let top = app
        .gql_as(
            Some(&admin),
            CREATE_ORG,
            json!({ "input": { "name": "洞头区义工联合会", "kind": "OTHER", "townCode": "BEIAO", "recognised": true } }),
        )
        .await
        .ok();
    let top_id = top["createCharityOrg"]["id"].as_str().unwrap().to_owned();
    let branch = app
        .gql_as(
            Some(&admin),
            CREATE_ORG,
            json!({ "input": { "name": "义工联合会东屏分会", "kind": "BRANCH", "parentId": top_id } }),
        )
        .await
        .ok();
    assert_eq!(
        branch["createCharityOrg"]["parent"]["name"],
        "洞头区义工联合会"
    );
    let branch_id = branch["createCharityOrg"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let listed = app
        .gql(
            "query($id: ID!) { charityOrg(id: $id) { branches(first: 5) { edges { node { name } } } } }",
            json!({ "id": top_id }),
        )
        .await
        .ok();
    assert_eq!(
        listed["charityOrg"]["branches"]["edges"][0]["node"]["name"],
        "义工联合会东屏分会"
    );
    let before = sql_i64(&app, "SELECT COUNT(*) FROM charity_orgs", vec![]).await;
    for (input, expected) in [
        (
            json!({ "name": "孙分会", "kind": "BRANCH", "parentId": branch_id }),
            "parentId",
        ),
        (json!({ "name": "无主分会", "kind": "BRANCH" }), "parentId"),
        (
            json!({ "name": "某基金会", "kind": "OTHER", "parentId": top_id }),
            "parentId",
        ),
        (
            json!({ "name": "洞头区义工联合会", "kind": "OTHER" }),
            "name",
        ),
        (
            json!({ "name": "某基金会", "kind": "OTHER", "townCode": "MARS" }),
            "townCode",
        ),
    ] {
        let refused = app
            .gql_as(Some(&admin), CREATE_ORG, json!({ "input": input }))
            .await;
        assert_eq!(field(&refused), Some(expected), "{}", refused.body);
    }
    assert_eq!(
        sql_i64(&app, "SELECT COUNT(*) FROM charity_orgs", vec![]).await,
        before
    );
    // A top-level organisation with branches cannot become a branch.
    let other = app
        .gql_as(
            Some(&admin),
            CREATE_ORG,
            json!({ "input": { "name": "另一个总会", "kind": "OTHER" } }),
        )
        .await
        .ok();
    let refused = app
        .gql_as(
            Some(&admin),
            "mutation($id: ID!, $input: CharityOrgInput!) { updateCharityOrg(id: $id, input: $input) { id } }",
            json!({ "id": top_id, "input": { "name": "洞头区义工联合会", "kind": "BRANCH",
                    "parentId": other["createCharityOrg"]["id"] } }),
        )
        .await;
    assert_eq!(field(&refused), Some("kind"));
    let staff = app.login(STAFF_PHONE).await;
    let forbidden = app
        .gql_as(
            Some(&staff),
            CREATE_ORG,
            json!({ "input": { "name": "私设机构", "kind": "OTHER" } }),
        )
        .await;
    assert_eq!(forbidden.code(), Some("FORBIDDEN"));
}

#[tokio::test]
async fn staff_create_and_edit_their_own_projects_and_campaigns() {
    let app = spawn_app().await;
    let staff = app.login(STAFF_PHONE).await;
    let project = app
        .gql_as(
            Some(&staff),
            CREATE_PROJECT,
            json!({ "input": { "name": "渔嫂互助基金", "description": "帮助困难渔民家庭",
                    "goal": "50000.00", "startsOn": "2027-01-01", "endsOn": "2027-12-31" } }),
        )
        .await
        .ok();
    let created = &project["createCharityProject"];
    assert_eq!(created["goal"], "50000.00");
    assert_eq!(created["status"], "ACTIVE");
    assert_eq!(created["org"]["name"], FEDERATION);
    let id = created["id"].as_str().unwrap().to_owned();
    let closed = app
        .gql_as(
            Some(&staff),
            UPDATE_PROJECT,
            json!({ "id": id, "input": { "name": "渔嫂互助基金", "goal": "60000.00", "status": "CLOSED" } }),
        )
        .await
        .ok();
    assert_eq!(closed["updateCharityProject"]["goal"], "60000.00");
    assert_eq!(closed["updateCharityProject"]["status"], "CLOSED");

    let before = sql_i64(&app, "SELECT COUNT(*) FROM charity_projects", vec![]).await;
    for (input, expected) in [
        (
            json!({ "name": "x", "startsOn": "2027-02-01", "endsOn": "2027-01-01" }),
            "endsOn",
        ),
        (json!({ "name": "x", "goal": "0" }), "goal"),
        (json!({ "name": "" }), "name"),
    ] {
        let refused = app
            .gql_as(Some(&staff), CREATE_PROJECT, json!({ "input": input }))
            .await;
        assert_eq!(field(&refused), Some(expected), "{}", refused.body);
    }
    assert_eq!(
        sql_i64(&app, "SELECT COUNT(*) FROM charity_projects", vec![]).await,
        before
    );
    // Another organisation's staff may neither edit it nor create for another org.
    let other = app.login(OTHER_STAFF_PHONE).await;
    let refused = app
        .gql_as(
            Some(&other),
            UPDATE_PROJECT,
            json!({ "id": id, "input": { "name": "改名" } }),
        )
        .await;
    assert_eq!(refused.code(), Some("FORBIDDEN"));
    let federation = org_id(&app, FEDERATION).await;
    let other_org = app.login(OTHER_STAFF_PHONE).await;
    let me = app.gql_as(Some(&other_org), ME, json!({})).await.ok();
    assert_eq!(me["me"]["account"]["role"], "ORG_STAFF");
    let refused = app
        .gql_as(
            Some(&other),
            CREATE_PROJECT,
            json!({ "input": { "name": "越权项目" }, "org": federation }),
        )
        .await;
    assert_eq!(refused.code(), Some("FORBIDDEN"));

    let campaign_input = json!({ "code": "yusao_2027", "name": "渔嫂节募捐", "startsOn": "2027-03-01",
        "endsOn": "2027-03-31", "goal": "20000.00" });
    let campaign = app
        .gql_as(
            Some(&staff),
            CREATE_CAMPAIGN,
            json!({ "input": campaign_input.clone() }),
        )
        .await
        .ok();
    assert_eq!(campaign["createCampaign"]["code"], "YUSAO_2027");
    assert_eq!(campaign["createCampaign"]["org"]["name"], FEDERATION);
    let duplicate = app
        .gql_as(
            Some(&staff),
            CREATE_CAMPAIGN,
            json!({ "input": campaign_input.clone() }),
        )
        .await;
    assert_eq!(field(&duplicate), Some("code"));
    let mut closing = campaign_input.clone();
    closing["status"] = json!("CLOSED");
    let updated = app
        .gql_as(
            Some(&staff),
            UPDATE_CAMPAIGN,
            json!({ "id": campaign["createCampaign"]["id"], "input": closing }),
        )
        .await
        .ok();
    assert_eq!(updated["updateCampaign"]["status"], "CLOSED");
    // Programme-wide campaigns (seeded, no org) are the bureau's.
    let seeded = app
        .gql("{ campaigns(first: 1) { edges { node { id code name startsOn endsOn org { name } } } } }", json!({}))
        .await
        .ok();
    let node = &seeded["campaigns"]["edges"][0]["node"];
    assert!(node["org"].is_null());
    let refused = app
        .gql_as(
            Some(&staff),
            UPDATE_CAMPAIGN,
            json!({ "id": node["id"], "input": { "code": node["code"], "name": "改名",
                    "startsOn": node["startsOn"], "endsOn": node["endsOn"] } }),
        )
        .await;
    assert_eq!(refused.code(), Some("FORBIDDEN"));
}

#[tokio::test]
async fn texts_go_to_the_configured_gateway_with_its_token() {
    use std::sync::{Arc, Mutex};
    /// What the gateway was sent: the Authorization header and the JSON body.
    type Received = Vec<(Option<String>, Value)>;
    let received: Arc<Mutex<Received>> = Arc::default();
    let store = received.clone();
    let gateway = axum::Router::new()
        .route(
            "/sms",
            axum::routing::post(
                move |headers: axum::http::HeaderMap, axum::Json(body): axum::Json<Value>| {
                    let store = store.clone();
                    async move {
                        let auth = headers
                            .get("authorization")
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_owned);
                        store.lock().unwrap().push((auth, body));
                        axum::http::StatusCode::OK
                    }
                },
            ),
        )
        .route(
            "/down",
            axum::routing::post(|| async { axum::http::StatusCode::SERVICE_UNAVAILABLE }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, gateway).await });

    use api::sms::{HttpSms, SmsSender};
    let sender = HttpSms::new(
        &format!("http://127.0.0.1:{port}/sms"),
        Some(api::config::Secret::new("gateway-token")),
    )
    .unwrap();
    sender
        .send("13712340012", "【洞头慈善】验证码 123456")
        .await
        .unwrap();
    let got = received.lock().unwrap().clone();
    assert_eq!(
        got,
        vec![(
            Some("Bearer gateway-token".to_owned()),
            json!({ "phone": "13712340012", "text": "【洞头慈善】验证码 123456" })
        )]
    );
    let down = HttpSms::new(&format!("http://127.0.0.1:{port}/down"), None).unwrap();
    assert!(down.send("13712340012", "x").await.is_err());

    // The product sends through the gateway once SMS_GATEWAY_URL is set.
    let app = spawn_app().await;
    let mut settings = (*app.state.settings).clone();
    settings.sms_gateway_url = Some(format!("http://127.0.0.1:{port}/sms"));
    let state = api::state::AppState::new(
        app.state.db.clone(),
        app.state.cache.clone(),
        app.state.keys.clone(),
        settings,
    )
    .unwrap();
    assert!(state.sms.describe().contains(&port.to_string()));
}
