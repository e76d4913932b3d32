//! Every migration goes up, down and up again on SQLite and PostgreSQL, and the constraints
//! the services rely on really hold on both.

use std::time::Duration;

use chrono::Utc;
use migrations::Migrator;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr, SqlErr,
    sea_query::{Alias, Query, SimpleExpr},
};
use sea_orm_migration::{MigratorTrait, SchemaManager};
use uuid::Uuid;

const POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Every table of docs/data-model.md.
const TABLES: &[&str] = &[
    "towns",
    "charity_orgs",
    "charity_projects",
    "campaigns",
    "perk_partners",
    "donors",
    "residents",
    "enterprises",
    "accounts",
    "refresh_tokens",
    "api_keys",
    "donations",
    "credit_rules",
    "credit_tiers",
    "tier_benefits",
    "credit_entries",
    "rewards",
    "redemptions",
    "activities",
    "signups",
    "hour_certifications",
    "notices",
    "perks",
    "perk_vouchers",
    "ranking_rules",
    "ranking_editions",
    "ranking_edition_entries",
    "disbursements",
    "broadcasts",
    "idempotency_records",
    "audit_log",
    "yearly_statements",
    "disbursement_allocations",
    "goods_stock_movements",
    "supervision_items",
    "district_inputs",
];

#[tokio::test]
async fn migrations_go_up_down_and_up_again_on_sqlite() {
    let db = Database::connect("sqlite::memory:")
        .await
        .expect("open in-memory SQLite");

    up_down_up_and_check_constraints(&db).await;
}

#[tokio::test]
async fn migrations_go_up_down_and_up_again_on_postgres() {
    let admin = match connect(ConnectOptions::new(POSTGRES_URL)).await {
        Ok(db) => db,
        Err(e) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI=true but PostgreSQL at {POSTGRES_URL} is unreachable: {e}")
        }
        Err(e) => {
            eprintln!(
                "\n\n!!!!!!!! SKIPPED: PostgreSQL at {POSTGRES_URL} is unreachable ({e}); \
                 the migrations were NOT tested on PostgreSQL !!!!!!!!\n\n"
            );
            return;
        }
    };

    // A schema of its own, so parallel runs and leftovers never meet.
    let schema = format!("mig_{}", Uuid::new_v4().simple());
    admin
        .execute_unprepared(&format!("CREATE SCHEMA \"{schema}\""))
        .await
        .expect("create the test schema");

    let mut options = ConnectOptions::new(POSTGRES_URL);
    options.set_schema_search_path(schema.clone());
    let db = connect(options).await.expect("connect inside the schema");

    // Run on a task so a failed assertion still lets us drop the schema.
    let outcome = tokio::spawn(async move {
        up_down_up_and_check_constraints(&db).await;
        db.close().await.expect("close");
    })
    .await;

    admin
        .execute_unprepared(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
        .await
        .expect("drop the test schema");
    admin.close().await.expect("close");

    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

async fn connect(mut options: ConnectOptions) -> Result<DatabaseConnection, DbErr> {
    options
        .max_connections(2)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5));
    Database::connect(options).await
}

async fn up_down_up_and_check_constraints(db: &DatabaseConnection) {
    Migrator::up(db, None).await.expect("first up");
    assert_tables(db, true).await;

    Migrator::down(db, None).await.expect("down");
    assert_tables(db, false).await;
    assert!(
        Migrator::get_applied_migrations(db)
            .await
            .expect("read applied migrations")
            .is_empty(),
        "every migration was rolled back"
    );

    Migrator::up(db, None).await.expect("second up");
    assert_tables(db, true).await;

    constraints_hold(db).await;
    sparse_columns_have_partial_indexes(db).await;
}

/// Only the rows that fill a mostly-empty column are indexed (one index entry fewer per
/// donation for each), on both backends.
async fn sparse_columns_have_partial_indexes(db: &DatabaseConnection) {
    let backend = db.get_database_backend();
    for (table, column) in [
        ("donations", "campaign_id"),
        ("credit_entries", "certification_id"),
        ("credit_entries", "redemption_id"),
    ] {
        let full = format!("idx_{table}_{column}");
        let name = format!("{full}_present");
        let sql = match backend {
            sea_orm::DatabaseBackend::Postgres => {
                "SELECT indexdef AS def FROM pg_indexes \
                 WHERE schemaname = current_schema() AND indexname = $1"
            }
            _ => "SELECT sql AS def FROM sqlite_master WHERE type = 'index' AND name = ?",
        };
        let definition = |name: String| {
            db.query_one_raw(sea_orm::Statement::from_sql_and_values(
                backend,
                sql,
                [name.into()],
            ))
        };
        assert!(
            definition(full.clone())
                .await
                .expect("read the index")
                .is_none(),
            "the index of every row, {full}, is gone"
        );
        let row = definition(name.clone())
            .await
            .expect("read the index")
            .unwrap_or_else(|| panic!("index {name} exists"));
        let def: String = row.try_get("", "def").expect("its definition");
        let def = def.to_lowercase().replace(['"', '(', ')'], "");
        assert!(
            def.contains(&format!("where {column} is not null")),
            "{name} holds only rows with a {column}: {def}"
        );
    }
}

async fn assert_tables(db: &DatabaseConnection, present: bool) {
    let manager = SchemaManager::new(db);
    for table in TABLES {
        assert_eq!(
            manager.has_table(*table).await.expect("has_table"),
            present,
            "table {table} should {}exist",
            if present { "" } else { "not " }
        );
    }
}

async fn constraints_hold(db: &DatabaseConnection) {
    let now = Utc::now();
    let (org, project, admin) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());

    insert(
        db,
        "charity_orgs",
        vec![
            ("id", org.into()),
            ("name", "洞头区慈善总会".into()),
            ("kind", "FEDERATION".into()),
            ("description", "".into()),
            ("created_at", now.into()),
        ],
    )
    .await
    .expect("insert an org");
    insert(
        db,
        "charity_projects",
        vec![
            ("id", project.into()),
            ("org_id", org.into()),
            ("name", "兰小草银龄助养".into()),
            ("description", "".into()),
            ("created_at", now.into()),
        ],
    )
    .await
    .expect("insert a project");
    insert(db, "accounts", account(admin, "13800000000", "ADMIN", None))
        .await
        .expect("insert an admin account");

    let donation = |receipt: &str, amount: i64, code: &str| {
        vec![
            ("id", Uuid::now_v7().into()),
            ("org_id", org.into()),
            ("project_id", project.into()),
            ("walk_in_name", "王先生".into()),
            ("kind", "MONEY".into()),
            ("amount_fen", amount.into()),
            ("channel", "OFFLINE".into()),
            ("funding_source", "PUBLIC".into()),
            ("donated_at", now.into()),
            ("receipt_no", receipt.into()),
            ("visibility", "NAMED".into()),
            ("recorded_by", admin.into()),
            ("verification_code", code.into()),
            ("created_at", now.into()),
        ]
    };

    insert(db, "donations", donation("R-001", 10_000, "V-001"))
        .await
        .expect("a valid donation is accepted");

    let duplicate = insert(db, "donations", donation("R-001", 5_000, "V-002"))
        .await
        .expect_err("a second donation with the same (org_id, receipt_no) is refused");
    assert!(
        matches!(
            duplicate.sql_err(),
            Some(SqlErr::UniqueConstraintViolation(_))
        ),
        "unique violation expected, got {duplicate}"
    );

    let negative = insert(db, "donations", donation("R-002", -100, "V-003"))
        .await
        .expect_err("a negative amount is refused");
    assert!(
        negative.to_string().contains("ck_donations_amount_fen"),
        "CHECK ck_donations_amount_fen expected, got {negative}"
    );

    let mut bad_kind = donation("R-003", 100, "V-004");
    bad_kind[4].1 = "CASH".into();
    insert(db, "donations", bad_kind)
        .await
        .expect_err("a kind outside the enumeration is refused");

    let mut unknown_org = donation("R-004", 100, "V-005");
    unknown_org[1].1 = Uuid::now_v7().into();
    let orphan = insert(db, "donations", unknown_org)
        .await
        .expect_err("a donation to an unknown org is refused");
    assert!(
        matches!(
            orphan.sql_err(),
            Some(SqlErr::ForeignKeyConstraintViolation(_))
        ),
        "foreign-key violation expected, got {orphan}"
    );

    let unbound = insert(
        db,
        "accounts",
        account(Uuid::now_v7(), "13800000001", "ORG_STAFF", None),
    )
    .await
    .expect_err("org staff without an org is refused");
    assert!(
        unbound.to_string().contains("ck_accounts_org_staff"),
        "CHECK ck_accounts_org_staff expected, got {unbound}"
    );
    insert(
        db,
        "accounts",
        account(Uuid::now_v7(), "13800000001", "ORG_STAFF", Some(org)),
    )
    .await
    .expect("org staff bound to an org is accepted");

    // Every allocated slice of a disbursement is a positive number of fen.
    let mut paid = donation("R-010", 10_000, "V-010");
    let donation_id = Uuid::now_v7();
    paid[0].1 = donation_id.into();
    insert(db, "donations", paid)
        .await
        .expect("a donation to allocate");
    let disbursement_id = Uuid::now_v7();
    insert(
        db,
        "disbursements",
        vec![
            ("id", disbursement_id.into()),
            ("org_id", org.into()),
            ("project_id", project.into()),
            ("kind", "MONEY".into()),
            ("amount_fen", 5_000i64.into()),
            ("purpose", "银龄助餐".into()),
            ("disbursed_on", now.date_naive().into()),
            ("recorded_by", admin.into()),
            ("created_at", now.into()),
        ],
    )
    .await
    .expect("a disbursement");
    let allocation = |amount: i64| {
        vec![
            ("id", Uuid::now_v7().into()),
            ("disbursement_id", disbursement_id.into()),
            ("donation_id", donation_id.into()),
            ("project_id", project.into()),
            ("amount_fen", amount.into()),
            ("created_at", now.into()),
        ]
    };
    let zero = insert(db, "disbursement_allocations", allocation(0))
        .await
        .expect_err("a zero allocation is refused");
    assert!(
        zero.to_string()
            .contains("ck_disbursement_allocations_amount_fen"),
        "CHECK ck_disbursement_allocations_amount_fen expected, got {zero}"
    );
    insert(db, "disbursement_allocations", allocation(5_000))
        .await
        .expect("a positive allocation is accepted");
    insert(db, "disbursement_allocations", allocation(1))
        .await
        .expect_err("one slice per (disbursement, donation)");
}

fn account(
    id: Uuid,
    phone: &str,
    role: &str,
    org: Option<Uuid>,
) -> Vec<(&'static str, SimpleExpr)> {
    let now = Utc::now();
    vec![
        ("id", id.into()),
        ("phone", phone.into()),
        ("password_hash", "$argon2id$test".into()),
        ("role", role.into()),
        ("display_name", "测试".into()),
        ("org_id", org.into()),
        ("password_changed_at", now.into()),
        ("created_at", now.into()),
    ]
}

async fn insert(
    db: &DatabaseConnection,
    table: &str,
    row: Vec<(&'static str, SimpleExpr)>,
) -> Result<(), DbErr> {
    let (columns, values): (Vec<_>, Vec<_>) = row.into_iter().unzip();
    let statement = Query::insert()
        .into_table(Alias::new(table))
        .columns(columns.into_iter().map(Alias::new))
        .values(values)
        .expect("as many values as columns")
        .to_owned();
    db.execute(&statement).await.map(|_| ())
}
