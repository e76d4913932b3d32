//! 积分兑换: rewards listed by charity supermarkets and redeemed with credits. Stock and
//! balance are decremented by conditional updates, so racing redemptions never oversell.

use chrono::{DateTime, Utc};
use rand::Rng;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait,
    QueryFilter, QuerySelect, sea_query::Expr,
};
use serde::Serialize;
use uuid::Uuid;

use super::ledger::{self, EntrySource};
use crate::{
    auth::Viewer,
    db::Db,
    entities::{
        charity_org, credit_entry, donor,
        enums::{CreditEntryKind, RedemptionStatus},
        redemption, reward,
    },
    error::{AppError, AppResult},
    idempotency::{self, Freshness, IdempotencyKey},
    pagination::{self, Page, PageRequest},
};

#[derive(Clone, Debug, Serialize)]
pub struct NewReward {
    pub org_id: Uuid,
    pub name: String,
    pub description: String,
    pub credit_price: i64,
    pub stock: i64,
    pub per_person_limit: i32,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_until: Option<DateTime<Utc>>,
}

impl NewReward {
    fn check(&self) -> AppResult<()> {
        let name_len = self.name.trim().chars().count();
        if !(1..=100).contains(&name_len) {
            return Err(AppError::bad_field(
                "name",
                "a name has 1 to 100 characters",
            ));
        }
        if self.description.chars().count() > 2000 {
            return Err(AppError::bad_field(
                "description",
                "description has at most 2,000 characters",
            ));
        }
        if !(1..=1_000_000).contains(&self.credit_price) {
            return Err(AppError::bad_field(
                "creditPrice",
                "creditPrice is between 1 and 1,000,000 credits",
            ));
        }
        if !(0..=1_000_000).contains(&self.stock) {
            return Err(AppError::bad_field(
                "stock",
                "stock is between 0 and 1,000,000",
            ));
        }
        if !(1..=1000).contains(&self.per_person_limit) {
            return Err(AppError::bad_field(
                "perPersonLimit",
                "perPersonLimit is between 1 and 1,000",
            ));
        }
        if let (Some(from), Some(until)) = (self.valid_from, self.valid_until)
            && until <= from
        {
            return Err(AppError::bad_field(
                "validUntil",
                "validUntil must be after validFrom",
            ));
        }
        // A reward that ends before it is listed could never be redeemed.
        if self.valid_until.is_some_and(|until| until <= Utc::now()) {
            return Err(AppError::bad_field(
                "validUntil",
                "validUntil is in the past: choose a date after today, or leave it empty",
            ));
        }
        Ok(())
    }
}

pub async fn create_reward(db: &Db, viewer: &Viewer, new: NewReward) -> AppResult<reward::Model> {
    viewer.require_org(new.org_id)?;
    new.check()?;
    let org = charity_org::Entity::find_by_id(new.org_id)
        .one(&db.conn)
        .await?
        .ok_or_else(|| AppError::not_found("charity organisation"))?;
    if !org.runs_supermarket {
        return Err(AppError::bad_field(
            "orgId",
            "only organisations that run a charity supermarket list rewards",
        ));
    }
    let txn = db.begin_write().await?;
    let model = reward::ActiveModel {
        id: Set(Uuid::now_v7()),
        org_id: Set(new.org_id),
        name: Set(new.name.trim().to_owned()),
        description: Set(new.description),
        credit_price: Set(new.credit_price),
        stock: Set(new.stock),
        per_person_limit: Set(new.per_person_limit),
        valid_from: Set(new.valid_from),
        valid_until: Set(new.valid_until),
        active: Set(true),
        created_at: Set(Utc::now()),
    }
    .insert(&*txn)
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Add to (or, with a negative delta, take from) a reward's stock; never below zero.
pub async fn restock(
    db: &Db,
    viewer: &Viewer,
    reward_id: Uuid,
    delta: i64,
) -> AppResult<reward::Model> {
    let r = find_reward(db, reward_id).await?;
    viewer.require_org(r.org_id)?;
    if delta == 0 || delta.abs() > 1_000_000 {
        return Err(AppError::bad_field(
            "delta",
            "a non-zero change of at most 1000000",
        ));
    }
    let txn = db.begin_write().await?;
    let changed = reward::Entity::update_many()
        .col_expr(
            reward::Column::Stock,
            Expr::col(reward::Column::Stock).add(delta),
        )
        .filter(reward::Column::Id.eq(reward_id))
        .filter(reward::Column::Stock.gte(-delta))
        .exec(&*txn)
        .await?;
    if changed.rows_affected == 0 {
        return Err(AppError::conflict("stock cannot go below zero"));
    }
    txn.commit().await?;
    find_reward(db, reward_id).await
}

pub async fn find_reward(db: &Db, id: Uuid) -> AppResult<reward::Model> {
    reward::Entity::find_by_id(id)
        .one(&db.conn)
        .await?
        .ok_or_else(|| AppError::not_found("reward"))
}

pub async fn rewards(
    db: &Db,
    org_id: Option<Uuid>,
    page: &PageRequest,
) -> AppResult<Page<reward::Model>> {
    let mut select = reward::Entity::find().filter(reward::Column::Active.eq(true));
    if let Some(org_id) = org_id {
        select = select.filter(reward::Column::OrgId.eq(org_id));
    }
    pagination::by_id(&db.conn, select, page).await
}

fn pickup_code() -> String {
    let n: u32 = rand::rng().random_range(0..100_000_000);
    format!("{n:08}")
}

/// Redeem `quantity` of a reward for the viewer's own credits.
#[tracing::instrument(skip(db, viewer))]
pub async fn redeem(
    db: &Db,
    viewer: &Viewer,
    key: &IdempotencyKey,
    reward_id: Uuid,
    quantity: i32,
) -> AppResult<(redemption::Model, Freshness)> {
    let donor_id = viewer.require_donor()?;
    if !(1..=100).contains(&quantity) {
        return Err(AppError::bad_field(
            "quantity",
            "quantity is between 1 and 100",
        ));
    }
    let hash = idempotency::request_hash(&(reward_id, quantity));
    let (id, freshness) = idempotency::run(
        db,
        viewer.account_id,
        "redeemReward",
        key,
        &hash,
        move |txn| Box::pin(async move { redeem_in(&**txn, donor_id, reward_id, quantity).await }),
    )
    .await?;
    Ok((find_redemption(db, id).await?, freshness))
}

async fn redeem_in(
    conn: &impl ConnectionTrait,
    donor_id: Uuid,
    reward_id: Uuid,
    quantity: i32,
) -> AppResult<Uuid> {
    let now = Utc::now();
    let r = reward::Entity::find_by_id(reward_id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("reward"))?;
    let open = r.active
        && r.valid_from.is_none_or(|from| from <= now)
        && r.valid_until.is_none_or(|until| until > now);
    if !open {
        return Err(AppError::conflict("this reward is not available now"));
    }
    // Lock the donor row first: one donor's redemptions then run one at a time, so the
    // per-person limit below cannot be passed by two requests at once.
    let locked = donor::Entity::update_many()
        .col_expr(
            donor::Column::CreditBalance,
            Expr::col(donor::Column::CreditBalance),
        )
        .filter(donor::Column::Id.eq(donor_id))
        .exec(conn)
        .await?;
    if locked.rows_affected == 0 {
        return Err(AppError::not_found("donor"));
    }
    let already: Option<i64> = redemption::Entity::find()
        .select_only()
        .column_as(
            Expr::expr(sea_orm::sea_query::Func::sum(Expr::col(
                redemption::Column::Quantity,
            ))),
            "total",
        )
        .filter(redemption::Column::RewardId.eq(reward_id))
        .filter(redemption::Column::DonorId.eq(donor_id))
        .filter(redemption::Column::Status.ne(RedemptionStatus::Cancelled))
        .into_tuple::<Option<i64>>()
        .one(conn)
        .await?
        .flatten();
    if already.unwrap_or(0) + i64::from(quantity) > i64::from(r.per_person_limit) {
        return Err(AppError::conflict(format!(
            "at most {} per person",
            r.per_person_limit
        )));
    }
    let taken = reward::Entity::update_many()
        .col_expr(
            reward::Column::Stock,
            Expr::col(reward::Column::Stock).sub(i64::from(quantity)),
        )
        .filter(reward::Column::Id.eq(reward_id))
        .filter(reward::Column::Stock.gte(i64::from(quantity)))
        .exec(conn)
        .await?;
    if taken.rows_affected == 0 {
        return Err(AppError::conflict("out of stock"));
    }
    let cost = r
        .credit_price
        .checked_mul(i64::from(quantity))
        .ok_or_else(|| AppError::bad_field("quantity", "too many"))?;
    let id = Uuid::now_v7();
    redemption::ActiveModel {
        id: Set(id),
        reward_id: Set(reward_id),
        donor_id: Set(donor_id),
        org_id: Set(r.org_id),
        quantity: Set(quantity),
        credits_spent: Set(cost),
        pickup_code: Set(pickup_code()),
        status: Set(RedemptionStatus::Pending),
        created_at: Set(now),
        fulfilled_at: Set(None),
        fulfilled_by: Set(None),
        cancelled_at: Set(None),
    }
    .insert(conn)
    .await
    .map_err(|e| AppError::on_unique(e, "pickup code collision; retry"))?;
    // Fails (and rolls everything back) when the balance does not cover the cost.
    ledger::append(
        conn,
        donor_id,
        CreditEntryKind::Redemption,
        -cost,
        EntrySource {
            redemption_id: Some(id),
            ..Default::default()
        },
    )
    .await?;
    Ok(id)
}

pub async fn find_redemption(db: &Db, id: Uuid) -> AppResult<redemption::Model> {
    redemption::Entity::find_by_id(id)
        .one(&db.conn)
        .await?
        .ok_or_else(|| AppError::not_found("redemption"))
}

/// Staff of the reward's org hand the goods over against the pickup code.
/// The redemption a pickup code names, for the staff of its organisation.
pub async fn by_pickup_code(
    db: &Db,
    viewer: &Viewer,
    pickup_code: &str,
) -> AppResult<redemption::Model> {
    let r = redemption::Entity::find()
        .filter(redemption::Column::PickupCode.eq(pickup_code.trim()))
        .one(&db.conn)
        .await?
        .ok_or_else(|| {
            AppError::bad_field(
                "pickupCode",
                "no redemption has this pickup code; check it with the resident",
            )
        })?;
    viewer.require_org(r.org_id).map_err(|_| {
        AppError::forbidden("this redemption is at another charity organisation's supermarket")
    })?;
    Ok(r)
}

pub async fn fulfil(db: &Db, viewer: &Viewer, pickup_code: &str) -> AppResult<redemption::Model> {
    let r = by_pickup_code(db, viewer, pickup_code).await?;
    let txn = db.begin_write().await?;
    let changed = redemption::Entity::update_many()
        .col_expr(
            redemption::Column::Status,
            Expr::value(RedemptionStatus::Fulfilled),
        )
        .col_expr(redemption::Column::FulfilledAt, Expr::value(Utc::now()))
        .col_expr(
            redemption::Column::FulfilledBy,
            Expr::value(viewer.account_id),
        )
        .filter(redemption::Column::Id.eq(r.id))
        .filter(redemption::Column::Status.eq(RedemptionStatus::Pending))
        .exec(&*txn)
        .await?;
    if changed.rows_affected == 0 {
        return Err(AppError::conflict(
            "this redemption is already fulfilled or cancelled",
        ));
    }
    txn.commit().await?;
    find_redemption(db, r.id).await
}

/// The redeemer or the org's staff cancel a pending redemption: stock and credits return.
pub async fn cancel(db: &Db, viewer: &Viewer, redemption_id: Uuid) -> AppResult<redemption::Model> {
    let r = find_redemption(db, redemption_id).await?;
    let own = viewer.donor_id == Some(r.donor_id);
    if !own && viewer.donor_id.is_some() {
        return Err(AppError::forbidden(
            "this is not your redemption: you can cancel only your own",
        ));
    }
    if !own {
        viewer.require_org(r.org_id).map_err(|_| {
            AppError::forbidden(
                "this redemption is at another charity organisation's supermarket: only its staff can cancel it",
            )
        })?;
    }
    let txn = db.begin_write().await?;
    let changed = redemption::Entity::update_many()
        .col_expr(
            redemption::Column::Status,
            Expr::value(RedemptionStatus::Cancelled),
        )
        .col_expr(redemption::Column::CancelledAt, Expr::value(Utc::now()))
        .filter(redemption::Column::Id.eq(r.id))
        .filter(redemption::Column::Status.eq(RedemptionStatus::Pending))
        .exec(&*txn)
        .await?;
    if changed.rows_affected == 0 {
        return Err(AppError::conflict(
            "only a pending redemption can be cancelled",
        ));
    }
    reward::Entity::update_many()
        .col_expr(
            reward::Column::Stock,
            Expr::col(reward::Column::Stock).add(i64::from(r.quantity)),
        )
        .filter(reward::Column::Id.eq(r.reward_id))
        .exec(&*txn)
        .await?;
    let spent = credit_entry::Entity::find()
        .filter(credit_entry::Column::RedemptionId.eq(r.id))
        .filter(credit_entry::Column::Kind.eq(CreditEntryKind::Redemption))
        .one(&*txn)
        .await?;
    ledger::append(
        &*txn,
        r.donor_id,
        CreditEntryKind::Reversal,
        r.credits_spent,
        EntrySource {
            redemption_id: Some(r.id),
            reverses_entry_id: spent.map(|e| e.id),
            note: Some("redemption cancelled".into()),
            created_by: Some(viewer.account_id),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    find_redemption(db, r.id).await
}

pub async fn my_redemptions(
    db: &Db,
    donor_id: Uuid,
    page: &PageRequest,
) -> AppResult<Page<redemption::Model>> {
    let select = redemption::Entity::find().filter(redemption::Column::DonorId.eq(donor_id));
    pagination::by_id_desc(&db.conn, select, page).await
}
