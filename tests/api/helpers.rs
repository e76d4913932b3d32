//! spawn_app, the GraphQL client, and small builders shared by every test file.

use std::{path::PathBuf, sync::Arc};

use api::{
    cache::Cache,
    db::{Db, PoolSettings},
    schema::Areas,
    startup::Application,
    state::AppState,
};
use clap::Parser;
use serde_json::{Value, json};
use uuid::Uuid;

pub const DEMO_PASSWORD: &str = "Demo@2026";
pub const ADMIN_PHONE: &str = "13900000000";
pub const STAFF_PHONE: &str = "13900000001";
pub const OTHER_STAFF_PHONE: &str = "13900000002";
pub const PARTNER_PHONE: &str = "13900000003";
pub const RESIDENT_PHONE: &str = "13800000001";
pub const ENTERPRISE_PHONE: &str = "13900000005";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub fn backend() -> Backend {
    match std::env::var("TEST_BACKEND").as_deref() {
        Ok("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    }
}

pub fn seeds_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../seeds")
}

const PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// What a test's app is made of, so it can be torn down afterwards.
struct Resources {
    schema: Option<String>,
    redis_prefix: Option<String>,
    _dir: tempfile::TempDir,
}

impl Drop for Resources {
    fn drop(&mut self) {
        let schema = self.schema.take();
        let prefix = self.redis_prefix.take();
        // Drop cannot await; clean up on a thread with its own small runtime.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                if let Some(schema) = schema
                    && let Ok(db) = sea_orm::Database::connect(PG_ADMIN_URL).await
                {
                    use sea_orm::ConnectionTrait;
                    let _ = db
                        .execute_unprepared(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                        .await;
                    let _ = db.close().await;
                }
                if let Some(prefix) = prefix
                    && let Ok(client) = redis::Client::open(redis_url())
                    && let Ok(mut conn) = client.get_multiplexed_async_connection().await
                {
                    let keys: Vec<String> = redis::cmd("KEYS")
                        .arg(format!("{prefix}:*"))
                        .query_async(&mut conn)
                        .await
                        .unwrap_or_default();
                    if !keys.is_empty() {
                        let _: Result<(), _> =
                            redis::cmd("DEL").arg(keys).query_async(&mut conn).await;
                    }
                }
            });
        })
        .join();
    }
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub state: AppState,
    /// The areas' handles the served app uses (the donation recorder, the boards ...).
    pub areas: Areas,
    /// The text messages the app sent (the logging sender's memory).
    pub sms: Arc<api::sms::LoggingSms>,
    _resources: Arc<Resources>,
}

#[derive(Default)]
pub struct AppOptions {
    /// Load seeds/donations.csv too (slower); otherwise only reference data.
    pub demo_donations: bool,
    /// Leave the database empty (no seeds at all).
    pub empty: bool,
    /// Use this Redis URL instead of the test Redis (PostgreSQL backend only).
    pub redis_url: Option<String>,
    /// Adjust the settings (limits, pool size ...) before the app is built.
    pub tweak: Option<fn(&mut api::config::Settings)>,
    /// Serve this folder as the built phone app (none by default).
    pub client_dir: Option<PathBuf>,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(AppOptions::default()).await
}

pub async fn spawn_app_with(options: AppOptions) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut cli = api::cli::Cli::parse_from(["api"]);
    let settings = &mut cli.settings;
    settings.data_dir = dir.path().to_path_buf();
    settings.seeds_dir = seeds_dir();
    settings.client_dir = Some(
        options
            .client_dir
            .clone()
            .unwrap_or_else(|| dir.path().join("no-client")),
    );
    settings.enable_playground = Some(true);
    settings.host = "127.0.0.1".into();
    settings.port = 0;
    settings.db_max_connections = 10;
    // Background upkeep would race the tests that look at the sets; they opt in by tweak.
    settings.ranking_reconcile_secs = 0;
    settings.ranking_rebuild_secs = 0;
    if let Some(tweak) = options.tweak {
        tweak(settings);
    }
    let unique = Uuid::new_v4().simple().to_string();
    let (url, schema, cache, redis_prefix) = match backend() {
        Backend::Sqlite => (
            format!("sqlite://{}/test.db?mode=rwc", dir.path().display()),
            None,
            Cache::in_process("t"),
            None,
        ),
        Backend::Postgres => {
            let schema = format!("t_{unique}");
            let admin = sea_orm::Database::connect(PG_ADMIN_URL)
                .await
                .expect("PostgreSQL at 127.0.0.1:5432 must be reachable for TEST_BACKEND=postgres");
            use sea_orm::ConnectionTrait;
            admin
                .execute_unprepared(&format!("CREATE SCHEMA {schema}"))
                .await
                .expect("create test schema");
            admin.close().await.ok();
            let prefix = format!("t_{unique}");
            let url = options.redis_url.clone().unwrap_or_else(redis_url);
            let cache = Cache::redis(&url, &prefix, std::time::Duration::from_millis(500))
                .await
                .expect("Redis at 127.0.0.1:6379 must be reachable for TEST_BACKEND=postgres");
            (PG_ADMIN_URL.to_owned(), Some(schema), cache, Some(prefix))
        }
    };
    let resources = Arc::new(Resources {
        schema: schema.clone(),
        redis_prefix,
        _dir: dir,
    });
    settings.database_url = Some(url.clone());
    let db = Db::connect(
        &url,
        PoolSettings {
            max_connections: settings.db_max_connections,
            acquire_timeout: settings.db_acquire_timeout(),
            schema,
        },
    )
    .await
    .expect("connect test database");
    db.migrate().await.expect("migrate");
    if !options.empty {
        if options.demo_donations {
            api::seeding::seed_demo(&db, &seeds_dir())
                .await
                .map_err(|e| e.message())
                .expect("seed demo data");
        } else {
            api::seeding::seed_reference(&db, &seeds_dir())
                .await
                .map_err(|e| e.message())
                .expect("seed reference data");
        }
    }
    let state = AppState::new(
        db,
        cache,
        api::auth::TokenKeys::new(b"test-secret-test-secret-test-secret!", 900),
        cli.settings,
    )
    .expect("the kernel builds");
    let sms = Arc::new(api::sms::LoggingSms::default());
    let state = state.with_sms(sms.clone());
    let served = Application::with_state(state.clone())
        .await
        .expect("the app binds a free port");
    let address = format!("http://127.0.0.1:{}", served.port());
    let areas = served.areas().clone();
    tokio::spawn(served.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::new(),
        state,
        areas,
        sms,
        _resources: resources,
    }
}

/// A GraphQL response with helpers for the usual assertions.
#[derive(Debug)]
pub struct Gql {
    pub body: Value,
}

impl Gql {
    pub fn data(&self) -> &Value {
        &self.body["data"]
    }

    /// The `extensions.code` of the first error, if any.
    pub fn code(&self) -> Option<&str> {
        self.body["errors"][0]["extensions"]["code"].as_str()
    }

    /// Panics with the errors unless the request succeeded.
    pub fn ok(self) -> Value {
        assert!(
            self.body.get("errors").is_none_or(Value::is_null),
            "unexpected errors: {}",
            self.body["errors"]
        );
        self.body["data"].clone()
    }
}

impl TestApp {
    pub async fn gql(&self, query: &str, variables: Value) -> Gql {
        self.gql_as(None, query, variables).await
    }

    /// A batched request (a JSON array of operations); the raw answer.
    pub async fn gql_batch(&self, operations: &[Value]) -> Value {
        self.client
            .post(format!("{}/graphql", self.address))
            .json(operations)
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("json body")
    }

    pub async fn gql_as(&self, token: Option<&str>, query: &str, variables: Value) -> Gql {
        let mut req = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        let resp = req.send().await.expect("request");
        Gql {
            body: resp.json().await.expect("json body"),
        }
    }

    pub async fn login_full(&self, phone: &str, password: &str) -> Gql {
        self.gql(
            "mutation($phone: String!, $password: String!) { login(phone: $phone, password: $password) {
                accessToken refreshToken account { id role displayName } } }",
            json!({ "phone": phone, "password": password }),
        )
        .await
    }

    /// Log in as a demo account and return its access token.
    pub async fn login(&self, phone: &str) -> String {
        let data = self.login_full(phone, DEMO_PASSWORD).await.ok();
        data["login"]["accessToken"]
            .as_str()
            .expect("access token")
            .to_owned()
    }

    pub fn db(&self) -> &Db {
        &self.state.db
    }
}

/// `n` seeded residents (never the demo one) with RESIDENT accounts and access tokens. The
/// accounts reuse the demo resident's password hash and the tokens are minted directly, so
/// a race of 50 residents does not hash 50 passwords. Returns `(resident id, phone, token)`.
pub async fn resident_tokens(app: &TestApp, n: usize) -> Vec<(Uuid, String, String)> {
    use api::entities::{account, enums::Role, resident};
    use sea_orm::{
        ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
        QuerySelect,
    };
    let conn = &app.db().conn;
    let template = account::Entity::find()
        .filter(account::Column::Phone.eq(RESIDENT_PHONE))
        .one(conn)
        .await
        .unwrap()
        .expect("the demo resident's account");
    let residents = resident::Entity::find()
        .filter(resident::Column::Phone.ne(RESIDENT_PHONE))
        .order_by_asc(resident::Column::Phone)
        .limit(n as u64)
        .all(conn)
        .await
        .unwrap();
    assert_eq!(residents.len(), n, "not enough seeded residents");
    let mut out = Vec::with_capacity(n);
    for r in residents {
        let existing = account::Entity::find()
            .filter(account::Column::Phone.eq(&r.phone))
            .one(conn)
            .await
            .unwrap();
        let account_id = match existing {
            Some(a) => a.id,
            None => {
                let now = chrono::Utc::now();
                account::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    phone: Set(r.phone.clone()),
                    password_hash: Set(template.password_hash.clone()),
                    role: Set(Role::Resident),
                    display_name: Set(r.name.clone()),
                    org_id: Set(None),
                    partner_id: Set(None),
                    donor_id: Set(Some(r.id)),
                    disabled: Set(false),
                    password_changed_at: Set(now),
                    created_at: Set(now),
                }
                .insert(conn)
                .await
                .unwrap()
                .id
            }
        };
        let viewer = api::auth::Viewer {
            account_id,
            role: Role::Resident,
            org_id: None,
            partner_id: None,
            donor_id: Some(r.id),
        };
        let (token, _) = app.state.keys.issue(&viewer, chrono::Utc::now());
        out.push((r.id, r.phone, token));
    }
    out
}

/// Ids of seeded rows, looked up by name.
pub async fn org_id(app: &TestApp, name: &str) -> String {
    use api::entities::charity_org;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    charity_org::Entity::find()
        .filter(charity_org::Column::Name.eq(name))
        .one(&app.db().conn)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no org {name}"))
        .id
        .to_string()
}

pub async fn project_id(app: &TestApp, name: &str) -> String {
    use api::entities::charity_project;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    charity_project::Entity::find()
        .filter(charity_project::Column::Name.eq(name))
        .one(&app.db().conn)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no project {name}"))
        .id
        .to_string()
}

pub const FEDERATION: &str = "洞头区慈善总会";
pub const FEDERATION_PROJECT: &str = "海岛学子助学";

/// Log in as a resident who has no account yet (creating one), returning the token.
pub async fn resident_token(app: &TestApp, phone: &str) -> String {
    use api::entities::{enums::Role, resident};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let r = resident::Entity::find()
        .filter(resident::Column::Phone.eq(phone))
        .one(&app.db().conn)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no resident {phone}"));
    let exists = api::entities::account::Entity::find()
        .filter(api::entities::account::Column::Phone.eq(phone))
        .one(&app.db().conn)
        .await
        .unwrap();
    if exists.is_none() {
        api::accounts::service::create(
            &app.db().conn,
            api::accounts::service::NewAccount {
                phone: api::accounts::Phone::parse(phone).unwrap(),
                password: Some(DEMO_PASSWORD.into()),
                role: Role::Resident,
                display_name: r.name.clone(),
                org_id: None,
                partner_id: None,
                donor_id: Some(r.id),
            },
        )
        .await
        .map_err(|e| e.message())
        .unwrap();
    }
    app.login(phone).await
}

/// Every balance equals the sum of its ledger entries.
pub async fn assert_ledger_consistent(app: &TestApp) {
    let mismatches = api::credits::ledger::verify(&app.db().conn).await.unwrap();
    assert!(
        mismatches.is_empty(),
        "ledger out of balance: {mismatches:?}"
    );
}

pub fn new_key() -> String {
    Uuid::new_v4().to_string()
}

pub const RECORD_DONATION: &str = "mutation($input: RecordDonationInput!) {
    recordDonation(input: $input) { replayed donation { id amount creditsAwarded status receiptNo verificationCode } } }";

/// A money donation from a resident to the federation's project.
pub async fn donation_input(app: &TestApp, phone: &str, yuan: &str, donated_at: &str) -> Value {
    json!({
        "idempotencyKey": new_key(),
        "orgId": org_id(app, FEDERATION).await,
        "projectId": project_id(app, FEDERATION_PROJECT).await,
        "donor": { "resident": { "phone": phone } },
        "kind": "MONEY",
        "amount": yuan,
        "channel": "OFFLINE",
        "donatedAt": donated_at,
        "receiptNo": format!("T-{}", &Uuid::new_v4().simple().to_string()[..12]),
    })
}

/// One integer from raw SQL written with `?` placeholders (numbered for PostgreSQL), for
/// checks computed independently of the services.
pub async fn sql_i64(app: &TestApp, sql: &str, values: Vec<sea_orm::Value>) -> i64 {
    use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
    let backend = app.db().backend();
    let sql = if backend == DatabaseBackend::Postgres {
        let mut n = 0;
        sql.chars()
            .map(|c| {
                if c == '?' {
                    n += 1;
                    format!("${n}")
                } else {
                    c.to_string()
                }
            })
            .collect()
    } else {
        sql.to_owned()
    };
    let row = app
        .db()
        .conn
        .query_one_raw(Statement::from_sql_and_values(backend, sql.clone(), values))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .expect("one row");
    row.try_get_by_index::<Option<i64>>(0)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .unwrap_or(0)
}

/// The first instant of a local (Asia/Shanghai) day, for SQL bounds.
pub fn local_day(y: i32, m: u32, d: u32) -> chrono::DateTime<chrono::Utc> {
    api::district_time::local_midnight(chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap())
}

/// A GraphQL multipart upload of `bytes` as the `$file` variable of `query`, as the phone
/// and staff tools send it (with the CSRF-prevention header).
pub async fn upload_file(
    app: &TestApp,
    token: &str,
    query: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let operations = json!({ "query": query, "variables": { "file": null } });
    let form = reqwest::multipart::Form::new()
        .text("operations", operations.to_string())
        .text("map", json!({ "0": ["variables.file"] }).to_string())
        .part(
            "0",
            reqwest::multipart::Part::bytes(bytes)
                .file_name("donations.csv")
                .mime_str("text/csv")
                .unwrap(),
        );
    app.client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(token)
        .header("apollo-require-preflight", "true")
        .multipart(form)
        .send()
        .await
        .unwrap()
}
