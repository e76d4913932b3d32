//! The `api` command line: `serve` (default), `migrate`, `seed`, `export-schema`,
//! `leaderboard rebuild|verify`, `bench-ceiling`.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use crate::{
    cache::Cache,
    config::Settings,
    db::{Db, PoolSettings},
    graphql::export_sdl,
    rankings, seeding, startup,
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

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = cli.settings;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let addr = format!("{}:{}", settings.host, settings.port);
            let state = startup::build_state(settings).await?;
            let listener = tokio::net::TcpListener::bind(&addr)
                .await
                .with_context(|| format!("binding {addr}"))?;
            tracing::info!(%addr, "listening; GraphQL at /graphql");
            startup::serve(listener, startup::router(state)).await?;
        }
        Command::Migrate => {
            let db = connect(&settings).await?;
            db.migrate().await?;
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
            .map_err(|e| anyhow::anyhow!(e.message()))?;
            println!("{report}");
        }
        Command::Leaderboard { action } => {
            let db = connect(&settings).await?;
            let cache = match &settings.redis_url {
                Some(url) => Cache::redis(
                    url,
                    &settings.redis_key_prefix,
                    settings
                        .redis_timeout()
                        .max(std::time::Duration::from_secs(5)),
                )
                .await
                .context("connecting to Redis")?,
                None => {
                    eprintln!(
                        "REDIS_URL is not set: the in-process cache lives inside each API process, \
                         which rebuilds its sets from the database by itself"
                    );
                    Cache::in_process(&settings.redis_key_prefix)
                }
            };
            match action {
                LeaderboardAction::Rebuild => {
                    let report = rankings::maintenance::rebuild_all(&db, &cache)
                        .await
                        .map_err(|e| anyhow::anyhow!(e.message()))?;
                    println!("{report}");
                }
                LeaderboardAction::Verify => {
                    let report = rankings::maintenance::verify_all(&db, &cache)
                        .await
                        .map_err(|e| anyhow::anyhow!(e.message()))?;
                    println!("{report}");
                    if !report.differences.is_empty() {
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
