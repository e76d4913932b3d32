//! The `api` command line: `serve` (default), `migrate`, `seed`, `import donations`,
//! `verify ledger`, `leaderboard rebuild|verify`, `bench-ceiling`, `export-schema`.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use crate::{
    cache::Cache,
    config::Settings,
    db::{Db, PoolSettings},
    error::AppError,
    rankings,
    schema::export_sdl,
    seeding, startup,
};

#[derive(Parser, Debug)]
#[command(name = "api", version, about = "洞头慈善共富 GraphQL API")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub settings: Settings,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the API (the default).
    Serve,
    /// Apply pending database migrations.
    Migrate,
    /// Load the demo data from the seeds directory, or generate benchmark data.
    Seed {
        /// Generate this many donations (and proportional residents) instead of the demo data.
        #[arg(long)]
        scale: Option<u64>,
    },
    /// Import donations from a CSV file (all rows or none), as a charity group's upload would.
    Import {
        #[command(subcommand)]
        what: ImportCommand,
    },
    /// Consistency checks.
    Verify {
        #[command(subcommand)]
        what: VerifyCommand,
    },
    /// Print the GraphQL schema (SDL); `schema.graphql` is its output.
    ExportSchema {
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// The 洞头慈善榜's sorted sets in Redis.
    Leaderboard {
        #[command(subcommand)]
        action: LeaderboardAction,
    },
    /// Serve a constant JSON answer on `POST /ceiling`: the benchmark's ceiling.
    BenchCeiling,
}

#[derive(Subcommand, Debug)]
pub enum LeaderboardAction {
    /// Restore every set from the database.
    Rebuild,
    /// Compare every set with the database; exits 1 when any differs.
    Verify,
}

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// `api import donations FILE --as PHONE`
    Donations {
        file: PathBuf,
        /// The account the rows are recorded by (ORG_STAFF for its own org, or ADMIN);
        /// defaults to the first ADMIN.
        #[arg(long = "as")]
        as_phone: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum VerifyCommand {
    /// Every donor's balance equals the sum of their ledger entries.
    Ledger,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = cli.settings;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            startup::Application::build(settings)
                .await?
                .run_until_stopped()
                .await?;
        }
        Command::Migrate => {
            let db = connect(&settings).await?;
            db.migrate().await?;
            rankings::totals::ensure_built(&db)
                .await
                .map_err(AppError::into_anyhow)?;
            tracing::info!("migrations applied");
        }
        Command::Seed { scale } => {
            let db = connect(&settings).await?;
            if settings.is_embedded() {
                db.migrate().await?;
            }
            let report = match scale {
                Some(n) => seeding::seed_scale(&db, &settings.seeds_dir, n).await,
                None => seeding::seed_demo(&db, &settings.seeds_dir).await,
            }
            .map_err(AppError::into_anyhow)?;
            println!("{report}");
        }
        Command::Import {
            what: ImportCommand::Donations { file, as_phone },
        } => {
            let db = connect(&settings).await?;
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let viewer = importing_account(&db, as_phone.as_deref()).await?;
            let (report, written) = crate::donations::import::import_rows(&db, &viewer, &bytes)
                .await
                .map_err(AppError::into_anyhow)?;
            // The running API processes share the boards through Redis: bring them up to date.
            // (The in-process cache of an embedded server reconciles with the database itself.)
            if !written.is_empty() && settings.redis_url.is_some() {
                let cache = connect_cache(&settings).await?;
                let rebuilt = rankings::maintenance::rebuild_all(&db, &cache)
                    .await
                    .map_err(AppError::into_anyhow)?;
                println!("{rebuilt}");
            }
            for e in &report.errors {
                eprintln!("row {}: {}: {}", e.row, e.column, e.reason);
            }
            println!(
                "{} rows: {} imported, {} already present, {} errors",
                report.rows,
                report.imported,
                report.skipped,
                report.errors.len()
            );
            anyhow::ensure!(report.is_ok(), "nothing was imported");
        }
        Command::Verify {
            what: VerifyCommand::Ledger,
        } => {
            let db = connect(&settings).await?;
            let mismatches = crate::credits::ledger::verify(&db.conn)
                .await
                .map_err(AppError::into_anyhow)?;
            for (donor, stored, sum) in &mismatches {
                println!("donor {donor}: balance {stored} but entries sum to {sum}");
            }
            anyhow::ensure!(
                mismatches.is_empty(),
                "{} balances disagree with the ledger",
                mismatches.len()
            );
            println!("ledger consistent: every balance equals the sum of its entries");
        }
        Command::Leaderboard { action } => {
            let db = connect(&settings).await?;
            if settings.redis_url.is_none() {
                eprintln!(
                    "REDIS_URL is not set: the in-process cache lives inside each API process, \
                     which rebuilds its sets from the database by itself"
                );
            }
            let cache = connect_cache(&settings).await?;
            match action {
                LeaderboardAction::Rebuild => {
                    let rows = rankings::totals::rebuild(&db)
                        .await
                        .map_err(AppError::into_anyhow)?;
                    println!("rebuilt the database's running totals ({rows} rows)");
                    let report = rankings::maintenance::rebuild_all(&db, &cache)
                        .await
                        .map_err(AppError::into_anyhow)?;
                    println!("{report}");
                }
                LeaderboardAction::Verify => {
                    let totals = rankings::totals::verify(&db)
                        .await
                        .map_err(AppError::into_anyhow)?;
                    for (board, period, town, member, ledger, kept) in &totals {
                        println!(
                            "totals {board} {period} town '{town}': {member} ledger {ledger}, totals {kept}"
                        );
                    }
                    println!("database running totals: {} differences", totals.len());
                    let report = rankings::maintenance::verify_all(&db, &cache)
                        .await
                        .map_err(AppError::into_anyhow)?;
                    println!("{report}");
                    if !report.differences.is_empty() || !totals.is_empty() {
                        std::process::exit(1);
                    }
                }
            }
        }
        Command::BenchCeiling => {
            let addr = format!("{}:{}", settings.host, settings.port);
            let listener = tokio::net::TcpListener::bind(&addr)
                .await
                .with_context(|| format!("binding {addr}"))?;
            tracing::info!(%addr, "ceiling: constant JSON on POST /ceiling");
            axum::serve(listener, rankings::bench::ceiling_router()).await?;
        }
        Command::ExportSchema { output } => {
            let sdl = export_sdl();
            match output {
                Some(path) => std::fs::write(&path, sdl)
                    .with_context(|| format!("writing {}", path.display()))?,
                None => print!("{sdl}"),
            }
        }
    }
    Ok(())
}

async fn connect(settings: &Settings) -> anyhow::Result<Db> {
    if settings.is_embedded() {
        std::fs::create_dir_all(&settings.data_dir)?;
    }
    Db::connect(
        &settings.database_url(),
        PoolSettings::from_settings(settings),
    )
    .await
    .context("connecting to the database")
}

/// The shared cache for a command: Redis when configured (with a patient timeout, as the
/// command is not serving anyone), else an in-process one.
async fn connect_cache(settings: &Settings) -> anyhow::Result<Cache> {
    Ok(match &settings.redis_url {
        Some(url) => Cache::redis_now(
            url,
            settings.redis_tls_ca()?.as_deref(),
            &settings.redis_key_prefix,
            settings
                .redis_timeout()
                .max(std::time::Duration::from_secs(5)),
        )
        .await
        .context("connecting to Redis")?,
        None => Cache::in_process(&settings.redis_key_prefix),
    })
}

async fn importing_account(db: &Db, phone: Option<&str>) -> anyhow::Result<crate::auth::Viewer> {
    use crate::entities::{account, enums::Role};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let mut select = account::Entity::find();
    select = match phone {
        Some(phone) => select.filter(account::Column::Phone.eq(phone)),
        None => select
            .filter(account::Column::Role.eq(Role::Admin))
            .order_by_asc(account::Column::CreatedAt),
    };
    let account = select
        .one(&db.conn)
        .await?
        .context("no such account (give --as PHONE of an ORG_STAFF or ADMIN account)")?;
    anyhow::ensure!(
        matches!(account.role, Role::Admin | Role::OrgStaff),
        "only ORG_STAFF or ADMIN accounts import donations"
    );
    Ok(crate::accounts::service::viewer_of(&account))
}
