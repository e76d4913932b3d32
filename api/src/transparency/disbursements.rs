//! Recording disbursements (款物流向) and allocating every disbursed fen to exactly one
//! donation's fen, all in one transaction per disbursement.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, LockType},
};
use uuid::Uuid;

use super::model::{
    Allocation, Available, NewDisbursement, Shortfall, allocate_by_hand, allocate_oldest_first,
    goods_units_out,
};
use crate::{
    auth::Viewer,
    credits::{
        rules::{DISTRICT_TZ, local_midnight},
        statements::sum_as_bigint,
    },
    db::Db,
    entities::{
        charity_project, disbursement, disbursement_allocation, donation,
        enums::{DonationKind, DonationStatus},
        goods_stock_movement,
    },
    error::{AppError, AppResult},
    idempotency::{self, Freshness, IdempotencyKey},
    money::Fen,
    pagination::{self, Page, PageRequest},
};

/// Record a disbursement for a project of the viewer's org (any org, for ADMIN), once per
/// idempotency key, with its allocations (and, for goods, its stock movements).
#[tracing::instrument(skip(db, viewer, input), fields(project = %input.project_id))]
pub async fn record(
    db: &Db,
    viewer: &Viewer,
    key: &IdempotencyKey,
    input: NewDisbursement,
) -> AppResult<(disbursement::Model, Freshness)> {
    let project = charity_project::Entity::find_by_id(input.project_id)
        .one(&db.conn)
        .await?
        .ok_or_else(|| AppError::bad_field("projectId", "no such charity project"))?;
    // Refused before anything is written, idempotency record included.
    viewer.require_org(project.org_id)?;
    let today = Utc::now().with_timezone(&DISTRICT_TZ).date_naive();
    let input = input.parse(today)?;
    let hash = idempotency::request_hash(&input);
    let recorded_by = viewer.account_id;
    let org_id = project.org_id;
    let (id, freshness) = idempotency::run(
        db,
        viewer.account_id,
        "recordDisbursement",
        key,
        &hash,
        move |txn| {
            Box::pin(async move { Ok(record_in(&**txn, recorded_by, org_id, input).await?.id) })
        },
    )
    .await?;
    Ok((find(db, id).await?, freshness))
}

pub async fn find(db: &Db, id: Uuid) -> AppResult<disbursement::Model> {
    disbursement::Entity::find_by_id(id)
        .one(&db.conn)
        .await?
        .ok_or_else(|| AppError::not_found("disbursement"))
}

/// The disbursement and its allocations, inside the caller's write transaction.
pub async fn record_in(
    conn: &impl ConnectionTrait,
    recorded_by: Uuid,
    org_id: Uuid,
    input: NewDisbursement,
) -> AppResult<disbursement::Model> {
    lock_project(conn, input.project_id)
        .await?
        .ok_or_else(|| AppError::bad_field("projectId", "no such charity project"))?;

    // Money can only have paid for something if it had arrived by the end of that day.
    let cutoff = day_end(input.disbursed_on);
    let available = available_donations(conn, input.project_id, input.kind, cutoff).await?;
    let slices = match &input.allocation {
        Allocation::OldestFirst => allocate_oldest_first(input.amount.get(), &available),
        Allocation::ByHand(parts) => {
            check_named_donations(conn, &input, parts, cutoff).await?;
            allocate_by_hand(parts, &available)
        }
    }
    .map_err(|s| shortfall_error(s, input.kind))?;

    // A void that committed meanwhile takes its donation out of this allocation; one that
    // comes later waits for this transaction.
    let ids: Vec<Uuid> = slices.iter().map(|(id, _)| *id).collect();
    let locked = donation::Entity::find()
        .select_only()
        .column(donation::Column::Id)
        .filter(donation::Column::Id.is_in(ids.clone()))
        .filter(donation::Column::Status.eq(DonationStatus::Confirmed))
        .lock_exclusive()
        .into_tuple::<Uuid>()
        .all(conn)
        .await?;
    if locked.len() != ids.len() {
        return Err(AppError::conflict(
            "a donation was voided while this was recorded; try again",
        ));
    }

    let now = Utc::now();
    let model = disbursement::Model {
        id: Uuid::now_v7(),
        org_id,
        project_id: input.project_id,
        kind: input.kind,
        amount_fen: input.amount.get(),
        goods_description: input.goods_description.clone(),
        goods_quantity: input.goods_quantity,
        purpose: input.purpose.clone(),
        disbursed_on: input.disbursed_on,
        beneficiaries: input.beneficiaries,
        document_ref: input.document_ref.clone(),
        recorded_by,
        created_at: now,
    };
    disbursement::Entity::insert(disbursement::ActiveModel::from(model.clone()))
        .exec_without_returning(conn)
        .await?;
    let allocations =
        slices
            .iter()
            .map(|(donation_id, fen)| disbursement_allocation::ActiveModel {
                id: Set(Uuid::now_v7()),
                disbursement_id: Set(model.id),
                donation_id: Set(*donation_id),
                project_id: Set(input.project_id),
                amount_fen: Set(*fen),
                created_at: Set(now),
            });
    disbursement_allocation::Entity::insert_many(allocations)
        .exec_without_returning(conn)
        .await?;

    if input.kind == DonationKind::Goods {
        write_stock_movements(conn, &model, &slices, &available).await?;
    }
    Ok(model)
}

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

/// Goods given out leave their lots: units in proportion to the value taken from each.
async fn write_stock_movements(
    conn: &impl ConnectionTrait,
    d: &disbursement::Model,
    slices: &[(Uuid, i64)],
    available: &[Available],
) -> AppResult<()> {
    let ids: Vec<Uuid> = slices.iter().map(|(id, _)| *id).collect();
    let lots: HashMap<Uuid, (i64, i32)> = donation::Entity::find()
        .select_only()
        .column(donation::Column::Id)
        .column(donation::Column::AmountFen)
        .column(donation::Column::GoodsQuantity)
        .filter(donation::Column::Id.is_in(ids))
        .into_tuple::<(Uuid, i64, Option<i32>)>()
        .all(conn)
        .await?
        .into_iter()
        .map(|(id, value, quantity)| (id, (value, quantity.unwrap_or(0))))
        .collect();
    let movements = slices.iter().map(|(donation_id, fen)| {
        let (value, quantity) = lots.get(donation_id).copied().unwrap_or((0, 0));
        let remaining = available
            .iter()
            .find(|a| a.donation_id == *donation_id)
            .map_or(0, |a| a.remaining_fen);
        let already = value - remaining;
        goods_stock_movement::ActiveModel {
            id: Set(Uuid::now_v7()),
            org_id: Set(d.org_id),
            project_id: Set(d.project_id),
            donation_id: Set(*donation_id),
            disbursement_id: Set(d.id),
            quantity: Set(goods_units_out(quantity, value, already, *fen)),
            value_fen: Set(*fen),
            created_at: Set(d.created_at),
        }
    });
    goods_stock_movement::Entity::insert_many(movements)
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// The first instant after `day` in the district.
pub fn day_end(day: NaiveDate) -> DateTime<Utc> {
    local_midnight(day.succ_opt().unwrap_or(day))
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

/// Donations named by hand must be this project's, of this kind, confirmed and received by
/// the disbursement date; each refusal says which rule failed.
async fn check_named_donations(
    conn: &impl ConnectionTrait,
    input: &NewDisbursement,
    parts: &[(Uuid, Fen)],
    cutoff: DateTime<Utc>,
) -> AppResult<()> {
    let ids: Vec<Uuid> = parts.iter().map(|(id, _)| *id).collect();
    let found: HashMap<Uuid, donation::Model> = donation::Entity::find()
        .filter(donation::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    for (id, _) in parts {
        let Some(d) = found.get(id).filter(|d| d.project_id == input.project_id) else {
            return Err(AppError::bad_field(
                "allocations",
                format!("{id} is not a donation to this project"),
            ));
        };
        if d.kind != input.kind {
            return Err(AppError::bad_field(
                "allocations",
                "money pays for money disbursements, goods for goods",
            ));
        }
        if d.status == DonationStatus::Voided {
            return Err(AppError::conflict(format!(
                "donation {} is voided and cannot be allocated",
                d.receipt_no
            )));
        }
        if d.donated_at >= cutoff {
            return Err(AppError::bad_field(
                "allocations",
                format!(
                    "donation {} arrived after the disbursement date",
                    d.receipt_no
                ),
            ));
        }
    }
    Ok(())
}

fn shortfall_error(shortfall: Shortfall, kind: DonationKind) -> AppError {
    let what = match kind {
        DonationKind::Money => "money",
        DonationKind::Goods => "goods value",
    };
    match shortfall {
        Shortfall::Project { remaining_fen } => AppError::conflict(format!(
            "the project has only {} of {what} left to disburse (received by that date)",
            Fen::new(remaining_fen)
        )),
        Shortfall::Donation {
            donation_id,
            remaining_fen,
        } => AppError::conflict(format!(
            "donation {donation_id} has only {} left to allocate",
            Fen::new(remaining_fen)
        )),
    }
}

/// Which disbursements to list.
#[derive(Clone, Copy, Debug, Default)]
pub struct DisbursementFilter {
    pub project_id: Option<Uuid>,
    pub org_id: Option<Uuid>,
}

/// Newest first. Disbursements are public: they name no beneficiary.
pub async fn list(
    db: &Db,
    filter: DisbursementFilter,
    page: &PageRequest,
) -> AppResult<Page<disbursement::Model>> {
    let mut select = disbursement::Entity::find();
    if let Some(project_id) = filter.project_id {
        select = select.filter(disbursement::Column::ProjectId.eq(project_id));
    }
    if let Some(org_id) = filter.org_id {
        select = select.filter(disbursement::Column::OrgId.eq(org_id));
    }
    pagination::by_id_desc(&db.conn, select, page).await
}

/// The donations that paid for a disbursement: its org's staff and ADMIN only, since they
/// lead to donors.
pub async fn allocations_of(
    db: &Db,
    viewer: &Viewer,
    d: &disbursement::Model,
) -> AppResult<Vec<(disbursement_allocation::Model, donation::Model)>> {
    viewer.require_org(d.org_id)?;
    let rows = disbursement_allocation::Entity::find()
        .filter(disbursement_allocation::Column::DisbursementId.eq(d.id))
        .order_by_asc(disbursement_allocation::Column::Id)
        .find_also_related(donation::Entity)
        .all(&db.conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(a, d)| d.map(|d| (a, d)))
        .collect())
}

/// How many donations paid for each of these disbursements; public (no names).
pub async fn funding_counts(db: &Db, disbursement_ids: &[Uuid]) -> AppResult<HashMap<Uuid, i64>> {
    let rows: Vec<(Uuid, i64)> = disbursement_allocation::Entity::find()
        .select_only()
        .column(disbursement_allocation::Column::DisbursementId)
        .column_as(disbursement_allocation::Column::Id.count(), "n")
        .filter(disbursement_allocation::Column::DisbursementId.is_in(disbursement_ids.to_vec()))
        .group_by(disbursement_allocation::Column::DisbursementId)
        .into_tuple()
        .all(&db.conn)
        .await?;
    Ok(rows.into_iter().collect())
}

/// One slice of a donation's trace.
#[derive(Clone, Debug)]
pub struct TraceSlice {
    pub disbursement: disbursement::Model,
    pub amount_fen: i64,
}

/// Where a donation went: each disbursement it paid for, oldest first.
#[derive(Clone, Debug)]
pub struct Trace {
    pub donation: donation::Model,
    pub slices: Vec<TraceSlice>,
}

impl Trace {
    pub fn allocated_fen(&self) -> i64 {
        self.slices.iter().map(|s| s.amount_fen).sum()
    }
}

/// The trace of a donation the viewer may see (the donor, its org's staff, ADMIN).
#[tracing::instrument(skip(db, viewer))]
pub async fn trace(db: &Db, viewer: &Viewer, donation_id: Uuid) -> AppResult<Trace> {
    let donation = crate::donations::service::find_visible(db, viewer, donation_id).await?;
    let rows = disbursement_allocation::Entity::find()
        .filter(disbursement_allocation::Column::DonationId.eq(donation.id))
        .find_also_related(disbursement::Entity)
        .all(&db.conn)
        .await?;
    let mut slices: Vec<TraceSlice> = rows
        .into_iter()
        .filter_map(|(a, d)| {
            d.map(|d| TraceSlice {
                disbursement: d,
                amount_fen: a.amount_fen,
            })
        })
        .collect();
    slices.sort_by_key(|s| (s.disbursement.disbursed_on, s.disbursement.id));
    Ok(Trace { donation, slices })
}
