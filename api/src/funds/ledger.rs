//! Which donation pays for which disbursement, as stored: the project lock every spender
//! queues on, what each donation has left, and the re-funding a void needs. Shared by
//! donations (a void) and transparency (a disbursement), which is why it sits below both.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, LockType},
};
use uuid::Uuid;

use super::allocation::{Available, allocate_oldest_first};
use crate::{
    db::sum_as_bigint,
    district_time::day_end,
    entities::{
        charity_project, disbursement, disbursement_allocation, donation,
        enums::{DonationKind, DonationStatus},
    },
    error::{AppError, AppResult},
    money::Fen,
};

/// Whatever spends a project's remaining fen (a disbursement, a void that re-funds one)
/// queues on the project's row (PostgreSQL; SQLite has one writer), so two never spend the
/// same fen. `FOR NO KEY UPDATE`: donations still being recorded for the project only need
/// the row's key (their foreign-key check), so they neither wait for it nor deadlock with it.
pub async fn lock_project(
    conn: &impl ConnectionTrait,
    project_id: Uuid,
) -> AppResult<Option<charity_project::Model>> {
    Ok(charity_project::Entity::find_by_id(project_id)
        .lock(LockType::NoKeyUpdate)
        .one(conn)
        .await?)
}

/// A voided donation never pays. What it paid for is paid instead by the project's other
/// confirmed donations of its kind received by each disbursement's date, oldest first, and
/// the void is refused when they cannot cover it all. Goods that were given out left with
/// their own lot, so no other lot can stand in: a void of such goods is refused.
/// Runs inside the void's transaction, after the donation is marked voided and with the
/// project locked ([`lock_project`]).
pub async fn refund_from_others(
    conn: &impl ConnectionTrait,
    voided: &donation::Model,
) -> AppResult<()> {
    let mut paid: Vec<(disbursement_allocation::Model, disbursement::Model)> =
        disbursement_allocation::Entity::find()
            .filter(disbursement_allocation::Column::DonationId.eq(voided.id))
            .find_also_related(disbursement::Entity)
            .all(conn)
            .await?
            .into_iter()
            .filter_map(|(a, d)| Some((a, d?)))
            .collect();
    if paid.is_empty() {
        return Ok(());
    }
    if voided.kind == DonationKind::Goods {
        return Err(AppError::conflict(format!(
            "the goods of donation {} were given out in {} disbursement(s); it cannot be voided",
            voided.receipt_no,
            paid.len()
        )));
    }
    // Earlier disbursements take the oldest money first, as they did when recorded.
    paid.sort_by_key(|(_, d)| (d.disbursed_on, d.id));
    disbursement_allocation::Entity::delete_many()
        .filter(disbursement_allocation::Column::DonationId.eq(voided.id))
        .exec(conn)
        .await?;
    let now = Utc::now();
    for (share, d) in paid {
        let available =
            available_donations(conn, d.project_id, d.kind, day_end(d.disbursed_on)).await?;
        let slices = allocate_oldest_first(share.amount_fen, &available).map_err(|_| {
            let left: i64 = available.iter().map(|a| a.remaining_fen).sum();
            AppError::conflict(format!(
                "donation {} paid {} of 「{}」 ({}); the project's other donations received by \
                 then have only {} left to pay for it instead, so it cannot be voided",
                voided.receipt_no,
                Fen::new(share.amount_fen),
                d.purpose,
                d.disbursed_on,
                Fen::new(left)
            ))
        })?;
        for (donation_id, fen) in slices {
            add_to_allocation(conn, &d, donation_id, fen, now).await?;
        }
    }
    Ok(())
}

/// One more slice of `donation_id` for the disbursement: added to its row when the donation
/// already pays for it (one row per pair), a new row otherwise.
async fn add_to_allocation(
    conn: &impl ConnectionTrait,
    d: &disbursement::Model,
    donation_id: Uuid,
    fen: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let existing = disbursement_allocation::Entity::find()
        .filter(disbursement_allocation::Column::DisbursementId.eq(d.id))
        .filter(disbursement_allocation::Column::DonationId.eq(donation_id))
        .one(conn)
        .await?;
    match existing {
        Some(row) => {
            disbursement_allocation::Entity::update_many()
                .col_expr(
                    disbursement_allocation::Column::AmountFen,
                    Expr::value(row.amount_fen + fen),
                )
                .filter(disbursement_allocation::Column::Id.eq(row.id))
                .exec(conn)
                .await?;
        }
        None => {
            disbursement_allocation::Entity::insert(disbursement_allocation::ActiveModel {
                id: Set(Uuid::now_v7()),
                disbursement_id: Set(d.id),
                donation_id: Set(donation_id),
                project_id: Set(d.project_id),
                amount_fen: Set(fen),
                created_at: Set(now),
            })
            .exec_without_returning(conn)
            .await?;
        }
    }
    Ok(())
}

/// Confirmed donations of this kind to the project, received before `cutoff`, with what each
/// has left, oldest first.
pub async fn available_donations(
    conn: &impl ConnectionTrait,
    project_id: Uuid,
    kind: DonationKind,
    cutoff: DateTime<Utc>,
) -> AppResult<Vec<Available>> {
    let donations: Vec<(Uuid, DateTime<Utc>, i64)> = donation::Entity::find()
        .select_only()
        .column(donation::Column::Id)
        .column(donation::Column::DonatedAt)
        .column(donation::Column::AmountFen)
        .filter(donation::Column::ProjectId.eq(project_id))
        .filter(donation::Column::Kind.eq(kind))
        .filter(donation::Column::Status.eq(DonationStatus::Confirmed))
        .filter(donation::Column::DonatedAt.lt(cutoff))
        .order_by_asc(donation::Column::DonatedAt)
        .order_by_asc(donation::Column::Id)
        .into_tuple()
        .all(conn)
        .await?;
    let allocated = allocated_by_donation(conn, project_id).await?;
    Ok(donations
        .into_iter()
        .map(|(donation_id, donated_at, amount)| Available {
            donation_id,
            donated_at,
            remaining_fen: amount - allocated.get(&donation_id).copied().unwrap_or(0),
        })
        .filter(|a| a.remaining_fen > 0)
        .collect())
}

/// Fen already allocated from each donation of a project.
async fn allocated_by_donation(
    conn: &impl ConnectionTrait,
    project_id: Uuid,
) -> AppResult<HashMap<Uuid, i64>> {
    let rows: Vec<(Uuid, Option<i64>)> = disbursement_allocation::Entity::find()
        .select_only()
        .column(disbursement_allocation::Column::DonationId)
        .column_as(
            sum_as_bigint(disbursement_allocation::Column::AmountFen),
            "total",
        )
        .filter(disbursement_allocation::Column::ProjectId.eq(project_id))
        .group_by(disbursement_allocation::Column::DonationId)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, total)| (id, total.unwrap_or(0)))
        .collect())
}
