//! Records that are only ever appended to, enforced by the database itself: the audit log,
//! the credit ledger and the published ranking editions refuse UPDATE and DELETE from any
//! client, not only from this application's code.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: &[&str] = &["audit_log", "credit_entries", "ranking_editions"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE OR REPLACE FUNCTION refuse_change_to_append_only() RETURNS trigger \
                     LANGUAGE plpgsql AS $$ BEGIN \
                     RAISE EXCEPTION '% is append-only', TG_TABLE_NAME \
                     USING ERRCODE = 'restrict_violation'; END $$",
                )
                .await?;
                for table in TABLES {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} \
                         FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only()"
                    ))
                    .await?;
                }
            }
            _ => {
                for table in TABLES {
                    for action in ["UPDATE", "DELETE"] {
                        let verb = action.to_lowercase();
                        db.execute_unprepared(&format!(
                            "CREATE TRIGGER {table}_no_{verb} BEFORE {action} ON {table} \
                             BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                        ))
                        .await?;
                    }
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => {
                for table in TABLES {
                    db.execute_unprepared(&format!(
                        "DROP TRIGGER IF EXISTS {table}_append_only ON {table}"
                    ))
                    .await?;
                }
                db.execute_unprepared("DROP FUNCTION IF EXISTS refuse_change_to_append_only()")
                    .await?;
            }
            _ => {
                for table in TABLES {
                    for verb in ["update", "delete"] {
                        db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {table}_no_{verb}"))
                            .await?;
                    }
                }
            }
        }
        Ok(())
    }
}
