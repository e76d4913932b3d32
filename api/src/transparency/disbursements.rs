//! Recording disbursements (款物流向) and allocating every disbursed fen to exactly one
//! donation's fen, all in one transaction per disbursement.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::model::{Allocation, NewDisbursement};
use crate::funds::{
    Available, Shortfall, allocate_by_hand, allocate_oldest_first, available_donations,
    goods_units_out, lock_project,
};
use crate::{
    auth::Viewer,
    db::Db,
    district_time::{DISTRICT_TZ, day_end},
    entities::{
        charity_project, disbursement, disbursement_allocation, donation,
        enums::{DonationKind, DonationStatus},
        goods_stock_movement,
    },
    error::{AppError, AppResult},
    idempotency::{self, Freshness, IdempotencyKey},
    money::Fen,
    pagination::{Page, PageRequest},
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

/// Latest disbursement date first (recording order within a day), so the public reads them
/// as they happened, not as they were entered. Disbursements are public: they name no
/// beneficiary. The cursor is the last one's id; the next page continues from its date.
pub async fn list(
    db: &Db,
    filter: DisbursementFilter,
    page: &PageRequest,
) -> AppResult<Page<disbursement::Model>> {
    use disbursement::Column;
    let mut select = disbursement::Entity::find()
        .order_by_desc(Column::DisbursedOn)
        .order_by_desc(Column::Id);
    if let Some(project_id) = filter.project_id {
        select = select.filter(Column::ProjectId.eq(project_id));
    }
    if let Some(org_id) = filter.org_id {
        select = select.filter(Column::OrgId.eq(org_id));
    }
    if let Some(after) = page.after_id()? {
        let anchor = disbursement::Entity::find_by_id(after)
            .one(&db.conn)
            .await?
            .ok_or_else(|| {
                AppError::bad_field(
                    "after",
                    "no such disbursement; start again without a cursor",
                )
            })?;
        select = select.filter(
            Condition::any()
                .add(Column::DisbursedOn.lt(anchor.disbursed_on))
                .add(
                    Condition::all()
                        .add(Column::DisbursedOn.eq(anchor.disbursed_on))
                        .add(Column::Id.lt(after)),
                ),
        );
    }
    let rows = select.limit(page.limit + 1).all(&db.conn).await?;
    Ok(Page::from_overfetch(rows, page.limit))
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
    let donation = crate::donations::reads::find_visible(db, viewer, donation_id).await?;
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
