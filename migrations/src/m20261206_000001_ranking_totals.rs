//! Running totals of every board, period and town, per member, kept by the writes themselves
//! in the same transaction as the ledger: the database alone answers a page of the ranking
//! from an index when Redis is gone. `ranking_totals_state` says whether they have been built
//! from the ledger: at once for an empty ledger, else by the API after migrating; until then
//! boards are summed from the ledger as before.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        // Members sort by their bytes (as Redis orders equal scores), whatever the collation.
        let member = match manager.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => "TEXT COLLATE \"C\"",
            _ => "TEXT",
        };
        db.execute_unprepared(&format!(
            "CREATE TABLE ranking_totals (\
             board TEXT NOT NULL, period TEXT NOT NULL, town TEXT NOT NULL, \
             member {member} NOT NULL, total BIGINT NOT NULL, \
             PRIMARY KEY (board, period, town, member))"
        ))
        .await?;
        db.execute_unprepared(
            "CREATE INDEX ranking_totals_by_total \
             ON ranking_totals (board, period, town, total DESC, member DESC)",
        )
        .await?;
        // Per board, period and town: how many members total more than zero, and their sum,
        // kept by the same writes, so a page does not count the whole board.
        db.execute_unprepared(
            "CREATE TABLE ranking_summaries (\
             board TEXT NOT NULL, period TEXT NOT NULL, town TEXT NOT NULL, \
             members BIGINT NOT NULL, total BIGINT NOT NULL, \
             PRIMARY KEY (board, period, town))",
        )
        .await?;
        db.execute_unprepared(
            "CREATE TABLE ranking_totals_state (id INTEGER PRIMARY KEY, built_at TEXT NOT NULL)",
        )
        .await?;
        // An empty ledger has nothing to sum: its totals are complete from the start.
        db.execute_unprepared(
            "INSERT INTO ranking_totals_state (id, built_at) \
             SELECT 1, 'at migration' WHERE NOT EXISTS (SELECT 1 FROM donations) \
             AND NOT EXISTS (SELECT 1 FROM hour_certifications)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP TABLE IF EXISTS ranking_totals_state")
            .await?;
        db.execute_unprepared("DROP TABLE IF EXISTS ranking_summaries")
            .await?;
        db.execute_unprepared("DROP TABLE IF EXISTS ranking_totals")
            .await?;
        Ok(())
    }
}
