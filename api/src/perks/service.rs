//! 礼遇: ADMIN registers partners and their staff; partner staff define perks and honour
//! vouchers; residents see what they qualify for and claim a voucher. The monthly quota and
//! the single honour hold under concurrency.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};
use uuid::Uuid;

use super::model::{PerkDraft, month_start, new_voucher_code, parse_voucher_code, qualifies};
use crate::{
    accounts::{Phone, service as accounts},
    auth::Viewer,
    baijiaxin,
    credits::tiers,
    db::Db,
    entities::{
        account, donor,
        enums::{DonorKind, PartnerKind, Role, VoucherStatus},
        perk, perk_partner, perk_voucher, resident, town,
    },
    error::{AppError, AppResult},
    idempotency::{self, Freshness, IdempotencyKey},
    money::Fen,
    pagination::{self, Page, PageRequest},
    volunteering::service::resident_of,
};

fn require_admin(viewer: &Viewer) -> AppResult<()> {
    if viewer.is_admin() {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "only the district administration can do this",
        ))
    }
}

// ---------------------------------------------------------------------------------------
// ADMIN: partners and their staff
// ---------------------------------------------------------------------------------------

#[tracing::instrument(skip(db, viewer))]
pub async fn create_partner(
    db: &Db,
    viewer: &Viewer,
    name: &str,
    kind: PartnerKind,
    town_code: Option<&str>,
) -> AppResult<perk_partner::Model> {
    require_admin(viewer)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::bad_field("name", "a name is 1 to 100 characters"));
    }
    let txn = db.begin_write().await?;
    let town_id = match town_code.map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => Some(
            town::Entity::find()
                .filter(town::Column::Code.eq(code.to_ascii_uppercase()))
                .one(&*txn)
                .await?
                .ok_or_else(|| {
                    AppError::bad_field("townCode", format!("no town with code {code}"))
                })?
                .id,
        ),
        None => None,
    };
    let exists = perk_partner::Entity::find()
        .filter(perk_partner::Column::Name.eq(name))
        .one(&*txn)
        .await?;
    if exists.is_some() {
        return Err(AppError::conflict(
            "a partner with this name already exists",
        ));
    }
    let p = perk_partner::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name.to_owned()),
        kind: Set(kind),
        town_id: Set(town_id),
        created_at: Set(Utc::now()),
    }
    .insert(&*txn)
    .await
    .map_err(|e| AppError::on_unique(e, "a partner with this name already exists"))?;
    txn.commit().await?;
    Ok(p)
}

/// A PARTNER_STAFF login bound to one partner.
#[tracing::instrument(skip(db, viewer, phone, password))]
pub async fn create_partner_staff(
    db: &Db,
    viewer: &Viewer,
    partner_id: Uuid,
    phone: &str,
    password: String,
    display_name: &str,
) -> AppResult<account::Model> {
    require_admin(viewer)?;
    let phone = Phone::parse(phone).map_err(|e| AppError::bad_field("phone", e.to_string()))?;
    let display_name = display_name.trim();
    if display_name.is_empty() || display_name.chars().count() > 50 {
        return Err(AppError::bad_field(
            "displayName",
            "a display name is 1 to 50 characters",
        ));
    }
    let txn = db.begin_write().await?;
    perk_partner::Entity::find_by_id(partner_id)
        .one(&*txn)
        .await?
        .ok_or_else(|| AppError::not_found("perk partner"))?;
    let a = accounts::create(
        &*txn,
        accounts::NewAccount {
            phone,
            password: Some(password),
            role: Role::PartnerStaff,
            display_name: display_name.to_owned(),
            org_id: None,
            partner_id: Some(partner_id),
            donor_id: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(a)
}

// ---------------------------------------------------------------------------------------
// Partner staff: perks
// ---------------------------------------------------------------------------------------

pub async fn find_perk(conn: &impl ConnectionTrait, id: Uuid) -> AppResult<perk::Model> {
    perk::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("perk"))
}

/// A new perk of the viewer's partner (ADMIN names the partner).
#[tracing::instrument(skip(db, viewer, draft))]
pub async fn create_perk(
    db: &Db,
    viewer: &Viewer,
    partner_id: Option<Uuid>,
    draft: PerkDraft,
) -> AppResult<perk::Model> {
    let partner_id = partner_id
        .or(viewer.partner_id)
        .ok_or_else(|| AppError::bad_field("partnerId", "say which partner grants it"))?;
    viewer.require_partner(partner_id)?;
    let txn = db.begin_write().await?;
    let p = create_perk_in(&*txn, partner_id, draft, Utc::now()).await?;
    txn.commit().await?;
    Ok(p)
}

pub async fn create_perk_in(
    conn: &impl ConnectionTrait,
    partner_id: Uuid,
    draft: PerkDraft,
    now: DateTime<Utc>,
) -> AppResult<perk::Model> {
    perk_partner::Entity::find_by_id(partner_id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("perk partner"))?;
    Ok(perk::ActiveModel {
        id: Set(Uuid::now_v7()),
        partner_id: Set(partner_id),
        title: Set(draft.title),
        description: Set(draft.description),
        min_baijiaxin_level: Set(draft.min_baijiaxin_level),
        min_tier_level: Set(draft.min_tier_level),
        monthly_quota: Set(draft.monthly_quota),
        voucher_valid_minutes: Set(draft.voucher_valid_minutes),
        valid_from: Set(draft.valid_from),
        valid_until: Set(draft.valid_until),
        active: Set(true),
        created_at: Set(now),
    }
    .insert(conn)
    .await?)
}

/// Replace a perk's terms. Vouchers already issued keep theirs.
#[tracing::instrument(skip(db, viewer, draft))]
pub async fn update_perk(
    db: &Db,
    viewer: &Viewer,
    id: Uuid,
    draft: PerkDraft,
) -> AppResult<perk::Model> {
    let txn = db.begin_write().await?;
    let p = find_perk(&*txn, id).await?;
    viewer.require_partner(p.partner_id)?;
    perk::Entity::update_many()
        .col_expr(perk::Column::Title, Expr::value(draft.title))
        .col_expr(perk::Column::Description, Expr::value(draft.description))
        .col_expr(
            perk::Column::MinBaijiaxinLevel,
            Expr::value(draft.min_baijiaxin_level),
        )
        .col_expr(
            perk::Column::MinTierLevel,
            Expr::value(draft.min_tier_level),
        )
        .col_expr(perk::Column::MonthlyQuota, Expr::value(draft.monthly_quota))
        .col_expr(
            perk::Column::VoucherValidMinutes,
            Expr::value(draft.voucher_valid_minutes),
        )
        .col_expr(perk::Column::ValidFrom, Expr::value(draft.valid_from))
        .col_expr(perk::Column::ValidUntil, Expr::value(draft.valid_until))
        .filter(perk::Column::Id.eq(id))
        .exec(&*txn)
        .await?;
    let p = find_perk(&*txn, id).await?;
    txn.commit().await?;
    Ok(p)
}

/// Offer or withdraw a perk. Issued vouchers stay valid until they expire.
#[tracing::instrument(skip(db, viewer))]
pub async fn set_perk_active(
    db: &Db,
    viewer: &Viewer,
    id: Uuid,
    active: bool,
) -> AppResult<perk::Model> {
    let txn = db.begin_write().await?;
    let p = find_perk(&*txn, id).await?;
    viewer.require_partner(p.partner_id)?;
    perk::Entity::update_many()
        .col_expr(perk::Column::Active, Expr::value(active))
        .filter(perk::Column::Id.eq(id))
        .exec(&*txn)
        .await?;
    let p = find_perk(&*txn, id).await?;
    txn.commit().await?;
    Ok(p)
}

/// Active perks, for everyone to read; optionally one partner's.
pub async fn perks(
    db: &Db,
    partner_id: Option<Uuid>,
    page: &PageRequest,
) -> AppResult<Page<perk::Model>> {
    let mut select = perk::Entity::find().filter(perk::Column::Active.eq(true));
    if let Some(partner_id) = partner_id {
        select = select.filter(perk::Column::PartnerId.eq(partner_id));
    }
    pagination::by_id(&db.conn, select, page).await
}

/// Every perk of a partner, inactive ones included, for its staff.
pub async fn partner_perks(
    db: &Db,
    viewer: &Viewer,
    partner_id: Option<Uuid>,
    page: &PageRequest,
) -> AppResult<Page<perk::Model>> {
    let partner_id = partner_id
        .or(viewer.partner_id)
        .ok_or_else(|| AppError::bad_field("partnerId", "say which partner"))?;
    viewer.require_partner(partner_id)?;
    let select = perk::Entity::find().filter(perk::Column::PartnerId.eq(partner_id));
    pagination::by_id(&db.conn, select, page).await
}

// ---------------------------------------------------------------------------------------
// Residents: what they qualify for, and claiming
// ---------------------------------------------------------------------------------------

/// A voucher counts against a quota while it can still be used, and once it was used.
fn counting(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(perk_voucher::Column::Status.eq(VoucherStatus::Honoured))
        .add(perk_voucher::Column::ExpiresAt.gt(now))
}

fn in_window(p: &perk::Model, now: DateTime<Utc>) -> bool {
    p.valid_from.is_none_or(|f| f <= now) && p.valid_until.is_none_or(|u| now < u)
}

/// The levels a resident stands at: 百家信 and the donation tier.
pub async fn standing(
    conn: &impl ConnectionTrait,
    resident_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<(i32, Option<i32>)> {
    let score = baijiaxin::service::score_for(conn, resident_id, now).await?;
    let d = donor::Entity::find_by_id(resident_id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("resident"))?;
    let tier = tiers::status(
        conn,
        DonorKind::Resident,
        Fen::new(d.cumulative_donation_fen),
    )
    .await?
    .current
    .map(|t| t.level);
    Ok((score.level.level, tier))
}

/// A perk as one resident sees it this month.
#[derive(Clone, Debug)]
pub struct Offer {
    pub perk: perk::Model,
    /// Vouchers left this month for everyone.
    pub remaining: i64,
    /// The resident's voucher for it this month (live or used), if any.
    pub mine: Option<perk_voucher::Model>,
}

/// The perks the resident qualifies for now, with this month's remaining quota.
#[tracing::instrument(skip(db))]
pub async fn my_perks(db: &Db, resident_id: Uuid, now: DateTime<Utc>) -> AppResult<Vec<Offer>> {
    let conn = &db.conn;
    let (level, tier) = standing(conn, resident_id, now).await?;
    let perks: Vec<perk::Model> = perk::Entity::find()
        .filter(perk::Column::Active.eq(true))
        .order_by_asc(perk::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .filter(|p| in_window(p, now))
        .filter(|p| qualifies(p.min_baijiaxin_level, p.min_tier_level, level, tier))
        .collect();
    if perks.is_empty() {
        return Ok(Vec::new());
    }
    let month = month_start(now);
    // By perk id, so the (perk_id, issued_at) index serves it.
    let used: Vec<(Uuid, i64)> = perk_voucher::Entity::find()
        .select_only()
        .column(perk_voucher::Column::PerkId)
        .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "n")
        .filter(perk_voucher::Column::PerkId.is_in(perks.iter().map(|p| p.id)))
        .filter(perk_voucher::Column::IssuedAt.gte(month))
        .filter(counting(now))
        .group_by(perk_voucher::Column::PerkId)
        .into_tuple()
        .all(conn)
        .await?;
    let mine = perk_voucher::Entity::find()
        .filter(perk_voucher::Column::ResidentId.eq(resident_id))
        .filter(perk_voucher::Column::IssuedAt.gte(month))
        .filter(counting(now))
        .all(conn)
        .await?;
    Ok(perks
        .into_iter()
        .map(|p| {
            let taken = used
                .iter()
                .find(|(id, _)| *id == p.id)
                .map_or(0, |(_, n)| *n);
            Offer {
                remaining: (i64::from(p.monthly_quota) - taken).max(0),
                mine: mine.iter().find(|v| v.perk_id == p.id).cloned(),
                perk: p,
            }
        })
        .collect())
}

/// Claim a voucher, once per idempotency key.
#[tracing::instrument(skip(db, viewer))]
pub async fn claim(
    db: &Db,
    viewer: &Viewer,
    key: &IdempotencyKey,
    perk_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<(perk_voucher::Model, Freshness)> {
    let resident_id = resident_of(viewer)?;
    let hash = idempotency::request_hash(&perk_id);
    let (id, freshness) =
        idempotency::run(db, viewer.account_id, "claimPerk", key, &hash, move |txn| {
            Box::pin(async move { Ok(claim_in(&**txn, resident_id, perk_id, now).await?.id) })
        })
        .await?;
    Ok((find_voucher(&db.conn, id).await?, freshness))
}

/// Issue a voucher inside the caller's write transaction: one per resident and perk a
/// month, and no more than the monthly quota.
pub async fn claim_in(
    conn: &impl ConnectionTrait,
    resident_id: Uuid,
    perk_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<perk_voucher::Model> {
    // Touching the perk row queues concurrent claims on it (a row lock on PostgreSQL; SQLite
    // has one writer), so the counts below cannot be overtaken before we insert.
    let locked = perk::Entity::update_many()
        .col_expr(perk::Column::Active, Expr::col(perk::Column::Active))
        .filter(perk::Column::Id.eq(perk_id))
        .filter(perk::Column::Active.eq(true))
        .exec(conn)
        .await?;
    if locked.rows_affected == 0 {
        return Err(AppError::not_found("perk"));
    }
    let p = find_perk(conn, perk_id).await?;
    if !in_window(&p, now) {
        return Err(AppError::conflict("this perk is not on offer now"));
    }
    let (level, tier) = standing(conn, resident_id, now).await?;
    if !qualifies(p.min_baijiaxin_level, p.min_tier_level, level, tier) {
        return Err(AppError::forbidden(format!(
            "this perk is for residents with {}",
            super::model::requirement_text(p.min_baijiaxin_level, p.min_tier_level)
        )));
    }
    let month = month_start(now);
    let mine = perk_voucher::Entity::find()
        .filter(perk_voucher::Column::PerkId.eq(perk_id))
        .filter(perk_voucher::Column::ResidentId.eq(resident_id))
        .filter(perk_voucher::Column::IssuedAt.gte(month))
        .filter(counting(now))
        .one(conn)
        .await?;
    if mine.is_some() {
        return Err(AppError::conflict(
            "you already hold or used a voucher for this perk this month",
        ));
    }
    let used: i64 = perk_voucher::Entity::find()
        .select_only()
        .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "n")
        .filter(perk_voucher::Column::PerkId.eq(perk_id))
        .filter(perk_voucher::Column::IssuedAt.gte(month))
        .filter(counting(now))
        .into_tuple()
        .one(conn)
        .await?
        .unwrap_or(0);
    if used >= i64::from(p.monthly_quota) {
        return Err(AppError::conflict(
            "this perk's quota for the month is used up",
        ));
    }
    Ok(perk_voucher::ActiveModel {
        id: Set(Uuid::now_v7()),
        perk_id: Set(p.id),
        partner_id: Set(p.partner_id),
        resident_id: Set(resident_id),
        code: Set(new_voucher_code()),
        status: Set(VoucherStatus::Issued),
        issued_at: Set(now),
        expires_at: Set(now + TimeDelta::minutes(i64::from(p.voucher_valid_minutes))),
        honoured_at: Set(None),
        honoured_by: Set(None),
    }
    .insert(conn)
    .await?)
}

pub async fn find_voucher(conn: &impl ConnectionTrait, id: Uuid) -> AppResult<perk_voucher::Model> {
    perk_voucher::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("voucher"))
}

/// The resident's vouchers, newest first.
pub async fn my_vouchers(
    db: &Db,
    resident_id: Uuid,
    page: &PageRequest,
) -> AppResult<Page<perk_voucher::Model>> {
    let select =
        perk_voucher::Entity::find().filter(perk_voucher::Column::ResidentId.eq(resident_id));
    pagination::by_id_desc(&db.conn, select, page).await
}

// ---------------------------------------------------------------------------------------
// Partner staff: look up and honour
// ---------------------------------------------------------------------------------------

async fn voucher_by_code(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    code: &str,
) -> AppResult<perk_voucher::Model> {
    let code = parse_voucher_code(code)?;
    let v = perk_voucher::Entity::find()
        .filter(perk_voucher::Column::Code.eq(code))
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("voucher"))?;
    viewer.require_partner(v.partner_id)?;
    Ok(v)
}

/// What a code grants and to whom, before honouring it.
#[tracing::instrument(skip(db, viewer, code))]
pub async fn lookup(
    db: &Db,
    viewer: &Viewer,
    code: &str,
) -> AppResult<(perk_voucher::Model, perk::Model, resident::Model)> {
    let v = voucher_by_code(&db.conn, viewer, code).await?;
    let p = find_perk(&db.conn, v.perk_id).await?;
    let r = resident::Entity::find_by_id(v.resident_id)
        .one(&db.conn)
        .await?
        .ok_or_else(|| AppError::not_found("resident"))?;
    Ok((v, p, r))
}

/// Honour a voucher exactly once. A second use and an expired voucher are both CONFLICT
/// (the code is real but its state forbids it); another partner's code is FORBIDDEN.
#[tracing::instrument(skip(db, viewer, code))]
pub async fn honour(
    db: &Db,
    viewer: &Viewer,
    code: &str,
    now: DateTime<Utc>,
) -> AppResult<perk_voucher::Model> {
    let txn = db.begin_write().await?;
    let v = voucher_by_code(&*txn, viewer, code).await?;
    let changed = perk_voucher::Entity::update_many()
        .col_expr(
            perk_voucher::Column::Status,
            Expr::value(VoucherStatus::Honoured),
        )
        .col_expr(perk_voucher::Column::HonouredAt, Expr::value(now))
        .col_expr(
            perk_voucher::Column::HonouredBy,
            Expr::value(viewer.account_id),
        )
        .filter(perk_voucher::Column::Id.eq(v.id))
        .filter(perk_voucher::Column::Status.eq(VoucherStatus::Issued))
        .filter(perk_voucher::Column::ExpiresAt.gt(now))
        .exec(&*txn)
        .await?;
    if changed.rows_affected == 0 {
        let current = find_voucher(&*txn, v.id).await?;
        return Err(if current.status == VoucherStatus::Honoured {
            AppError::conflict("this voucher was already honoured")
        } else {
            AppError::conflict("this voucher has expired")
        });
    }
    let v = find_voucher(&*txn, v.id).await?;
    txn.commit().await?;
    Ok(v)
}

/// 礼遇受益人次 per partner: vouchers honoured in `[from, to)`. ADMIN sees every partner,
/// partner staff only their own.
#[tracing::instrument(skip(db, viewer))]
pub async fn beneficiaries(
    db: &Db,
    viewer: &Viewer,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> AppResult<Vec<(perk_partner::Model, i64)>> {
    let mut partners = perk_partner::Entity::find().order_by_asc(perk_partner::Column::Id);
    if !viewer.is_admin() {
        let partner_id = viewer
            .partner_id
            .ok_or_else(|| AppError::forbidden("only ADMIN and partner staff see these counts"))?;
        partners = partners.filter(perk_partner::Column::Id.eq(partner_id));
    }
    let partners = partners.all(&db.conn).await?;
    let mut counts = perk_voucher::Entity::find()
        .select_only()
        .column(perk_voucher::Column::PartnerId)
        .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "n")
        .filter(perk_voucher::Column::Status.eq(VoucherStatus::Honoured))
        .group_by(perk_voucher::Column::PartnerId);
    if let Some(from) = from {
        counts = counts.filter(perk_voucher::Column::HonouredAt.gte(from));
    }
    if let Some(to) = to {
        counts = counts.filter(perk_voucher::Column::HonouredAt.lt(to));
    }
    let counts: Vec<(Uuid, i64)> = counts.into_tuple().all(&db.conn).await?;
    Ok(partners
        .into_iter()
        .map(|p| {
            let n = counts
                .iter()
                .find(|(id, _)| *id == p.id)
                .map_or(0, |(_, n)| *n);
            (p, n)
        })
        .collect())
}
