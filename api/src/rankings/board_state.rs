//! Two facts the database keeps about the boards, read and written by the totals, the board
//! handle and the response cache alike: whether the running totals are built, and the board
//! version every board-changing write raises.

use sea_orm::{ConnectionTrait, DbErr, Statement};

/// Whether the totals have been built from the ledger (and are kept by every write since).
pub async fn built<C: ConnectionTrait>(conn: &C) -> Result<bool, DbErr> {
    let row = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT built_at FROM ranking_totals_state WHERE id = 1",
        ))
        .await?;
    Ok(row.is_some())
}

/// Raise the board version (see the `board_version` migration): on a write's transaction, or
/// after a commit and before the write is acknowledged.
pub async fn bump_board_version<C: ConnectionTrait>(conn: &C) -> Result<(), DbErr> {
    conn.execute_raw(Statement::from_string(
        conn.get_database_backend(),
        "UPDATE board_version SET version = version + 1 WHERE id = 1",
    ))
    .await?;
    Ok(())
}

/// The board version now.
pub async fn board_version<C: ConnectionTrait>(conn: &C) -> Result<i64, DbErr> {
    let row = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT version FROM board_version WHERE id = 1",
        ))
        .await?;
    Ok(match row {
        Some(row) => row.try_get("", "version")?,
        None => 0,
    })
}
