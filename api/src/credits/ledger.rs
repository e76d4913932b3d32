//! The append-only ledger. Every change is an entry; the donor's balance moves in the same
//! statement sequence and transaction as the entry, never anywhere else.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait,
    QueryFilter, QuerySelect, sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    entities::{credit_entry, donor, enums::CreditEntryKind},
    error::{AppError, AppResult},
};

/// What an entry points at.
#[derive(Clone, Debug, Default)]
pub struct EntrySource {
    pub donation_id: Option<Uuid>,
    pub certification_id: Option<Uuid>,
    pub redemption_id: Option<Uuid>,
    pub reverses_entry_id: Option<Uuid>,
    pub rule_id: Option<Uuid>,
    pub note: Option<String>,
    pub created_by: Option<Uuid>,
}

/// Append one entry and move the balance with it. A `REDEMPTION` (negative) only passes
/// when the balance covers it; any other kind always applies (a reversal may go below zero).
/// Must run inside the caller's write transaction.
#[tracing::instrument(skip(conn, source))]
pub async fn append(
    conn: &impl ConnectionTrait,
    donor_id: Uuid,
    kind: CreditEntryKind,
    amount: i64,
    source: EntrySource,
) -> AppResult<credit_entry::Model> {
    append_moving_total(conn, donor_id, kind, amount, 0, source).await
}

/// [`append`], also adding `donated_fen` to the donor's cumulative donation total in the
/// same statement (a new donation moves both), so recording a donation costs one update.
#[tracing::instrument(skip(conn, source))]
pub async fn append_moving_total(
    conn: &impl ConnectionTrait,
    donor_id: Uuid,
    kind: CreditEntryKind,
    amount: i64,
    donated_fen: i64,
    source: EntrySource,
) -> AppResult<credit_entry::Model> {
    let mut update = donor::Entity::update_many()
        .col_expr(
            donor::Column::CreditBalance,
            Expr::col(donor::Column::CreditBalance).add(amount),
        )
        .filter(donor::Column::Id.eq(donor_id));
    if donated_fen != 0 {
        update = update.col_expr(
            donor::Column::CumulativeDonationFen,
            Expr::col(donor::Column::CumulativeDonationFen).add(donated_fen),
        );
    }
    if kind == CreditEntryKind::Redemption {
        update = update.filter(donor::Column::CreditBalance.gte(-amount));
    }
    let refused = || {
        if kind == CreditEntryKind::Redemption {
            AppError::conflict("not enough credits")
        } else {
            AppError::not_found("donor")
        }
    };
    // The balance this update produced: the row stays locked by the update until commit on
    // PostgreSQL, and SQLite has one writer, so no other entry can come between. Where the
    // backend has RETURNING that is one round trip instead of two.
    let balance_after = if conn.support_returning() {
        let moved = update.exec_with_returning(conn).await?;
        moved
            .first()
            .map(|d| d.credit_balance)
            .ok_or_else(refused)?
    } else {
        if update.exec(conn).await?.rows_affected == 0 {
            return Err(refused());
        }
        donor::Entity::find_by_id(donor_id)
            .select_only()
            .column(donor::Column::CreditBalance)
            .into_tuple()
            .one(conn)
            .await?
            .ok_or_else(|| AppError::not_found("donor"))?
    };
    let entry = credit_entry::ActiveModel {
        id: Set(Uuid::now_v7()),
        donor_id: Set(donor_id),
        kind: Set(kind),
        amount: Set(amount),
        balance_after: Set(balance_after),
        donation_id: Set(source.donation_id),
        certification_id: Set(source.certification_id),
        redemption_id: Set(source.redemption_id),
        reverses_entry_id: Set(source.reverses_entry_id),
        rule_id: Set(source.rule_id),
        note: Set(source.note),
        created_by: Set(source.created_by),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await?;
    Ok(entry)
}

/// How far one donor's balance and cumulative donation total move in [`push_moves`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Move {
    pub credits: i64,
    pub donated_fen: i64,
}

/// Move many donors' balances and totals, for bulk writers whose entries are inserted
/// beside it: one statement per thousand donors, each of which must exist. The caller holds
/// the donors' rows (locked in id order on PostgreSQL, the writer slot on SQLite) and
/// computed each entry's `balance_after` from them, so the two agree.
pub fn push_moves(writes: &mut crate::db::Writes, moves: &std::collections::HashMap<Uuid, Move>) {
    let backend = writes.backend();
    let mut moves: Vec<_> = moves
        .iter()
        .filter(|(_, m)| **m != Move::default())
        .collect();
    moves.sort_unstable_by_key(|(id, _)| **id);
    if moves.is_empty() {
        return;
    }
    const SET: &str = "UPDATE donors SET credit_balance = donors.credit_balance + moves.credits, \
         cumulative_donation_fen = donors.cumulative_donation_fen + moves.fen";
    if backend == sea_orm::DatabaseBackend::Postgres {
        // One JSON parameter: the same statement text for any number of donors, so each
        // connection plans it once.
        let json = serde_json::Value::Array(
            moves
                .iter()
                .map(|(id, m)| {
                    serde_json::json!({ "id": id, "credits": m.credits, "fen": m.donated_fen })
                })
                .collect(),
        )
        .to_string();
        let sql = format!(
            "{SET} FROM json_to_recordset($1::json) AS moves (id uuid, credits bigint, fen bigint) \
             WHERE donors.id = moves.id"
        );
        writes.push_exact(
            sea_orm::Statement::from_sql_and_values(backend, sql, [json.into()]),
            moves.len() as u64,
            "donor",
        );
        return;
    }
    for chunk in moves.chunks(1_000) {
        let mut rows = Vec::with_capacity(chunk.len());
        let mut values: Vec<sea_orm::Value> = Vec::with_capacity(chunk.len() * 3);
        for (i, (id, m)) in chunk.iter().enumerate() {
            let n = i * 3;
            rows.push(format!("(${}, ${}, ${})", n + 1, n + 2, n + 3));
            values.extend([(**id).into(), m.credits.into(), m.donated_fen.into()]);
        }
        let sql = format!(
            "WITH moves (id, credits, fen) AS (VALUES {}) {SET} \
             FROM moves WHERE donors.id = moves.id",
            rows.join(", ")
        );
        writes.push_exact(
            sea_orm::Statement::from_sql_and_values(backend, sql, values),
            chunk.len() as u64,
            "donor",
        );
    }
}

/// A donor's entries, newest first.
/// A donor's entries, newest first; `earned` keeps only additions (`true`) or only
/// deductions (`false`).
pub async fn entries(
    db: &crate::db::Db,
    donor_id: Uuid,
    earned: Option<bool>,
    page: &crate::pagination::PageRequest,
) -> AppResult<crate::pagination::Page<credit_entry::Model>> {
    let mut select =
        credit_entry::Entity::find().filter(credit_entry::Column::DonorId.eq(donor_id));
    select = match earned {
        Some(true) => select.filter(credit_entry::Column::Amount.gt(0)),
        Some(false) => select.filter(credit_entry::Column::Amount.lt(0)),
        None => select,
    };
    crate::pagination::by_id_desc(&db.conn, select, page).await
}

/// Donors whose stored balance differs from the sum of their entries: `(donor, stored, sum)`.
/// Empty means the ledger is consistent.
pub async fn verify(conn: &impl ConnectionTrait) -> AppResult<Vec<(Uuid, i64, i64)>> {
    use sea_orm::{FromQueryResult, Statement};
    #[derive(FromQueryResult)]
    struct Row {
        id: Uuid,
        credit_balance: i64,
        total: i64,
    }
    let backend = conn.get_database_backend();
    let rows = Row::find_by_statement(Statement::from_string(
        backend,
        "SELECT d.id, d.credit_balance, CAST(COALESCE(s.total, 0) AS BIGINT) AS total \
         FROM donors d LEFT JOIN (SELECT donor_id, SUM(amount) AS total FROM credit_entries \
         GROUP BY donor_id) s ON s.donor_id = d.id \
         WHERE d.credit_balance <> COALESCE(s.total, 0)",
    ))
    .all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.id, r.credit_balance, r.total))
        .collect())
}
