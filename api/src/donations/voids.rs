//! Voiding a donation: never deleted; its credits and its share of the donor's total go back,
//! and what it paid for is paid again from the project's other donations.

use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter, QuerySelect, sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    auth::Viewer,
    credits::ledger,
    db::Db,
    entities::{
        credit_entry, donation, donor,
        enums::{CreditEntryKind, DonationStatus},
    },
    error::{AppError, AppResult},
    funds,
    idempotency::{self, Freshness, IdempotencyKey},
    rankings::Boards,
};

/// Void a donation: never deleted, a `REVERSAL` entry takes its credits back and the donor's
/// cumulative total (and so the tier) drops. The balance may go negative.
#[tracing::instrument(skip(db, boards, viewer, reason))]
pub async fn void(
    db: &Db,
    boards: &Boards,
    viewer: &Viewer,
    key: &IdempotencyKey,
    donation_id: Uuid,
    reason: String,
) -> AppResult<(donation::Model, Freshness)> {
    let reason = reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AppError::bad_field(
            "reason",
            "a void needs a reason of 1 to 500 characters",
        ));
    }
    let existing = super::reads::find(db, donation_id).await?;
    viewer.require_org(existing.org_id)?;
    let hash = idempotency::request_hash(&(donation_id, &reason));
    let voided_by = viewer.account_id;
    let write = boards.before_write().await;
    let (id, freshness) = idempotency::run(
        db,
        viewer.account_id,
        "voidDonation",
        key,
        &hash,
        move |txn| Box::pin(async move { void_in(&**txn, voided_by, donation_id, reason).await }),
    )
    .await?;
    let model = super::reads::find(db, id).await?;
    if freshness == Freshness::Fresh {
        write.donation_voided(&model).await;
    }
    Ok((model, freshness))
}

async fn void_in(
    conn: &impl ConnectionTrait,
    voided_by: Uuid,
    donation_id: Uuid,
    reason: String,
) -> AppResult<Uuid> {
    let now = Utc::now();
    // The project first, as a disbursement takes it: what the donation paid for is paid
    // again from the project's other donations, so nothing else may spend them meanwhile.
    let project_id = donation::Entity::find_by_id(donation_id)
        .select_only()
        .column(donation::Column::ProjectId)
        .into_tuple::<Uuid>()
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("donation"))?;
    funds::lock_project(conn, project_id).await?;
    // Only a confirmed donation can be voided, and only once, however many race.
    let changed = donation::Entity::update_many()
        .col_expr(
            donation::Column::Status,
            Expr::value(DonationStatus::Voided),
        )
        .col_expr(donation::Column::VoidReason, Expr::value(reason))
        .col_expr(donation::Column::VoidedAt, Expr::value(now))
        .col_expr(donation::Column::VoidedBy, Expr::value(voided_by))
        .filter(donation::Column::Id.eq(donation_id))
        .filter(donation::Column::Status.eq(DonationStatus::Confirmed))
        .exec(conn)
        .await?;
    if changed.rows_affected == 0 {
        return Err(AppError::conflict("this donation is already voided"));
    }
    let d = donation::Entity::find_by_id(donation_id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("donation"))?;
    funds::refund_from_others(conn, &d).await?;
    crate::rankings::totals::donations_changed(conn, &[(&d, -1, d.visibility)]).await?;
    if let Some(donor_id) = d.donor_id {
        donor::Entity::update_many()
            .col_expr(
                donor::Column::CumulativeDonationFen,
                Expr::col(donor::Column::CumulativeDonationFen).sub(d.amount_fen),
            )
            .filter(donor::Column::Id.eq(donor_id))
            .exec(conn)
            .await?;
        let earned = credit_entry::Entity::find()
            .filter(credit_entry::Column::DonationId.eq(d.id))
            .filter(credit_entry::Column::Kind.eq(CreditEntryKind::Donation))
            .one(conn)
            .await?;
        if let Some(earned) = earned {
            ledger::append(
                conn,
                donor_id,
                CreditEntryKind::Reversal,
                -earned.amount,
                ledger::EntrySource {
                    donation_id: Some(d.id),
                    reverses_entry_id: Some(earned.id),
                    note: d.void_reason.clone(),
                    created_by: Some(voided_by),
                    ..Default::default()
                },
            )
            .await?;
        }
    }
    Ok(d.id)
}
