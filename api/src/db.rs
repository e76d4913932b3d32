//! Database connection: one pool, and write transactions that serialise on SQLite.

use std::{sync::Arc, time::Duration};

use migrations::{Migrator, sea_orm_migration::MigratorTrait};
use sea_orm::{
    ConnectOptions, Database, DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::config::Settings;

mod rows;
pub use rows::{Writes, insert_all, insert_unless_taken, one_of};

use sea_orm::sea_query::{Expr, Func};

/// SUM of a bigint is `numeric` on PostgreSQL; cast it back so both backends give i64.
pub fn sum_as_bigint(col: impl sea_orm::sea_query::IntoColumnRef) -> Expr {
    Expr::expr(Func::cast_as(
        Func::sum(Expr::col(col)),
        sea_orm::sea_query::Alias::new("BIGINT"),
    ))
}

/// The pool plus what it takes to write safely on either backend.
#[derive(Clone, Debug)]
pub struct Db {
    pub conn: DatabaseConnection,
    /// SQLite has one writer at a time; queueing writers here is fairer and faster than
    /// letting them spin on SQLITE_BUSY. PostgreSQL needs no such lock.
    sqlite_writer: Option<Arc<Mutex<()>>>,
}

/// A transaction that may write; holds the SQLite writer slot until commit or drop.
pub struct WriteTxn {
    txn: DatabaseTransaction,
    _writer: Option<OwnedMutexGuard<()>>,
}

impl std::ops::Deref for WriteTxn {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &Self::Target {
        &self.txn
    }
}

impl WriteTxn {
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await
    }
}

pub struct PoolSettings {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
    /// PostgreSQL schema to use (tests isolate themselves in one schema each).
    pub schema: Option<String>,
}

impl PoolSettings {
    pub fn from_settings(settings: &Settings) -> Self {
        Self {
            max_connections: settings.db_max_connections,
            acquire_timeout: settings.db_acquire_timeout(),
            schema: None,
        }
    }
}

impl Db {
    #[tracing::instrument(skip(url, pool), fields(backend))]
    pub async fn connect(url: &str, pool: PoolSettings) -> Result<Self, DbErr> {
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .max_connections(pool.max_connections)
            .min_connections(1)
            .acquire_timeout(pool.acquire_timeout)
            .connect_timeout(pool.acquire_timeout)
            .sqlx_logging(false);
        if let Some(schema) = &pool.schema {
            options.set_schema_search_path(schema.clone());
        }
        let is_sqlite = url.starts_with("sqlite:");
        if is_sqlite {
            options.map_sqlx_sqlite_opts(|opts| {
                opts.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(30))
                    .foreign_keys(true)
            });
        }
        let conn = Database::connect(options).await?;
        tracing::Span::current().record("backend", format!("{:?}", conn.get_database_backend()));
        Ok(Self {
            conn,
            sqlite_writer: is_sqlite.then(|| Arc::new(Mutex::new(()))),
        })
    }

    pub fn backend(&self) -> DatabaseBackend {
        self.conn.get_database_backend()
    }

    pub fn is_postgres(&self) -> bool {
        self.backend() == DatabaseBackend::Postgres
    }

    /// Begin a transaction that will write. On SQLite it takes the writer slot and starts
    /// `BEGIN IMMEDIATE`, so a read-then-write never fails half-way on a lock upgrade.
    pub async fn begin_write(&self) -> Result<WriteTxn, DbErr> {
        match &self.sqlite_writer {
            Some(lock) => {
                let guard = lock.clone().lock_owned().await;
                let txn = self
                    .conn
                    .begin_with_options(TransactionOptions {
                        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                        ..Default::default()
                    })
                    .await?;
                Ok(WriteTxn {
                    txn,
                    _writer: Some(guard),
                })
            }
            None => Ok(WriteTxn {
                txn: self.conn.begin().await?,
                _writer: None,
            }),
        }
    }

    #[tracing::instrument(skip(self))]
    pub async fn migrate(&self) -> Result<(), DbErr> {
        Migrator::up(&self.conn, None).await
    }

    /// Whether any migration is still to be applied.
    pub async fn has_pending_migrations(&self) -> Result<bool, DbErr> {
        Ok(!Migrator::get_pending_migrations(&self.conn)
            .await?
            .is_empty())
    }

    /// (open connections, idle connections) of the pool, for the metrics.
    pub fn pool_usage(&self) -> (u32, usize) {
        match self.backend() {
            DatabaseBackend::Postgres => {
                let pool = self.conn.get_postgres_connection_pool();
                (pool.size(), pool.num_idle())
            }
            _ => {
                let pool = self.conn.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle())
            }
        }
    }

    pub async fn ping(&self) -> Result<(), DbErr> {
        self.conn.ping().await
    }

    /// Whether every pooled connection is open and serving a request: the database answered
    /// them, it is only busy (a ping would wait its turn for a connection).
    pub fn pool_saturated(&self) -> bool {
        let (size, idle, max) = match self.backend() {
            DatabaseBackend::Postgres => {
                let pool = self.conn.get_postgres_connection_pool();
                (
                    pool.size(),
                    pool.num_idle(),
                    pool.options().get_max_connections(),
                )
            }
            DatabaseBackend::Sqlite => {
                let pool = self.conn.get_sqlite_connection_pool();
                (
                    pool.size(),
                    pool.num_idle(),
                    pool.options().get_max_connections(),
                )
            }
            _ => return false,
        };
        size >= max && idle == 0
    }
}
