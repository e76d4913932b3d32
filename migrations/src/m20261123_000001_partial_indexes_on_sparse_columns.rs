//! Indexes on columns that are empty on most rows hold only the rows that fill them: most
//! donations belong to no campaign, and a ledger entry points at a certification or a
//! redemption only when that is its source. Each donation then writes three index entries
//! fewer, and every lookup by these columns (always by a value, never for NULL) still uses
//! its index.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (table, column): each had `idx_<table>_<column>` over every row, and gets
/// `idx_<table>_<column>_present` over the rows that fill it.
const SPARSE: &[(&str, &str)] = &[
    ("donations", "campaign_id"),
    ("credit_entries", "certification_id"),
    ("credit_entries", "redemption_id"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The new index first, under its own name, then the old one goes: a lookup always
        // has one of them.
        for (table, column) in SPARSE {
            manager
                .create_index(
                    index(&partial_name(table, column), table, column)
                        .and_where(Expr::col(Alias::new(*column)).is_not_null())
                        .to_owned(),
                )
                .await?;
            drop_index(manager, &full_name(table, column)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in SPARSE {
            manager
                .create_index(index(&full_name(table, column), table, column))
                .await?;
            drop_index(manager, &partial_name(table, column)).await?;
        }
        Ok(())
    }
}

fn full_name(table: &str, column: &str) -> String {
    format!("idx_{table}_{column}")
}

fn partial_name(table: &str, column: &str) -> String {
    format!("idx_{table}_{column}_present")
}

fn index(name: &str, table: &str, column: &str) -> IndexCreateStatement {
    Index::create()
        .name(name)
        .table(Alias::new(table))
        .col(Alias::new(column))
        .to_owned()
}

async fn drop_index(manager: &SchemaManager<'_>, name: &str) -> Result<(), DbErr> {
    // By name alone: the same statement on both backends (SQLite's DROP INDEX takes no table).
    manager
        .get_connection()
        .execute_unprepared(&format!("DROP INDEX \"{name}\""))
        .await
        .map(|_| ())
}
