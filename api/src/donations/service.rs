//! Recording and voiding donations: the donation, the donor's cumulative total and the credit
//! entry always change together in one transaction.

use chrono::Utc;
use rand::Rng;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait,
    QueryFilter, sea_query::Expr,
};
use uuid::Uuid;

use super::{DonorRef, NewDonation};
use crate::{
    accounts::Phone,
    auth::Viewer,
    credits::{ledger, rules},
    db::Db,
    entities::{
        campaign, charity_project, credit_entry, donation, donor, enterprise,
        enums::{CreditEntryKind, DonationStatus, DonorKind, NameStyle},
        resident,
    },
    error::{AppError, AppResult},
    idempotency::{self, Freshness, IdempotencyKey},
    rankings,
    startup::AppState,
};

/// Log a donation for the viewer's org (or any org, for ADMIN), once per idempotency key.
#[tracing::instrument(skip(app, viewer, input), fields(org = %input.org_id))]
pub async fn record(
    app: &AppState,
    viewer: &Viewer,
    key: &IdempotencyKey,
    input: NewDonation,
) -> AppResult<(donation::Model, Freshness)> {
    let db = &app.db;
    viewer.require_org(input.org_id)?;
    input.check_shape(Utc::now())?;
    let hash = idempotency::request_hash(&input);
    let recorded_by = viewer.account_id;
    // Read before the commit: it lets the ranking cache prove it has not counted this yet.
    let ticket = rankings::service::write_ticket(app).await;
    let (id, freshness) = idempotency::run(
        db,
        viewer.account_id,
        "recordDonation",
        key,
        &hash,
        move |txn| Box::pin(async move { Ok(record_in(&**txn, recorded_by, input).await?.id) }),
    )
    .await?;
    let model = find(db, id).await?;
    if freshness == Freshness::Fresh {
        rankings::service::on_donation_recorded(app, ticket, &model).await;
    }
    Ok((model, freshness))
}

pub async fn find(db: &Db, id: Uuid) -> AppResult<donation::Model> {
    donation::Entity::find_by_id(id)
        .one(&db.conn)
        .await?
        .ok_or_else(|| AppError::not_found("donation"))
}

/// The donation and its effects, inside the caller's write transaction.
pub async fn record_in(
    conn: &impl ConnectionTrait,
    recorded_by: Uuid,
    input: NewDonation,
) -> AppResult<donation::Model> {
    input.check_shape(Utc::now())?;
    let project = charity_project::Entity::find_by_id(input.project_id)
        .one(conn)
        .await?
        .filter(|p| p.org_id == input.org_id)
        .ok_or_else(|| {
            AppError::bad_field("projectId", "no such project in this charity organisation")
        })?;
    if let Some(campaign_id) = input.campaign_id {
        let campaign = campaign::Entity::find_by_id(campaign_id)
            .one(conn)
            .await?
            .ok_or_else(|| AppError::bad_field("campaignId", "no such campaign"))?;
        let day = input
            .donated_at
            .with_timezone(&rules::DISTRICT_TZ)
            .date_naive();
        if day < campaign.starts_on || day > campaign.ends_on {
            return Err(AppError::bad_field(
                "campaignId",
                "the donation date is outside the campaign's dates",
            ));
        }
    }
    let duplicate = donation::Entity::find()
        .filter(donation::Column::OrgId.eq(input.org_id))
        .filter(donation::Column::ReceiptNo.eq(input.receipt_no.as_str()))
        .one(conn)
        .await?;
    if duplicate.is_some() {
        return Err(AppError::conflict(
            "this receipt number is already used in this organisation",
        ));
    }

    let (donor, walk_in_name) = resolve_donor(conn, &input.donor).await?;
    let rule = match &donor {
        Some(d) => {
            rules::in_force(conn, rules::donation_rule_kind(d.kind), input.donated_at).await?
        }
        None => None,
    };
    let credits = rule
        .as_ref()
        .map_or(0, |r| rules::credits_for(r, input.amount.get()));
    let now = Utc::now();
    let model = donation::ActiveModel {
        id: Set(Uuid::now_v7()),
        org_id: Set(input.org_id),
        project_id: Set(project.id),
        campaign_id: Set(input.campaign_id),
        donor_id: Set(donor.as_ref().map(|d| d.id)),
        walk_in_name: Set(walk_in_name),
        donor_kind: Set(donor.as_ref().map(|d| d.kind)),
        town_id: Set(donor.as_ref().and_then(|d| d.town_id)),
        kind: Set(input.kind),
        amount_fen: Set(input.amount.get()),
        goods_description: Set(input.goods_description.map(|d| d.trim().to_owned())),
        goods_quantity: Set(input.goods_quantity),
        channel: Set(input.channel),
        funding_source: Set(input.funding_source),
        donated_at: Set(input.donated_at),
        receipt_no: Set(input.receipt_no.as_str().to_owned()),
        visibility: Set(input.visibility),
        status: Set(DonationStatus::Confirmed),
        credits_awarded: Set(credits),
        credit_rule_id: Set(rule.as_ref().map(|r| r.id)),
        void_reason: Set(None),
        voided_at: Set(None),
        voided_by: Set(None),
        recorded_by: Set(recorded_by),
        verification_code: Set(verification_code()),
        created_at: Set(now),
    }
    .insert(conn)
    .await
    .map_err(|e| {
        AppError::on_unique(
            e,
            "this receipt number is already used in this organisation",
        )
    })?;

    if let Some(donor) = &donor {
        donor::Entity::update_many()
            .col_expr(
                donor::Column::CumulativeDonationFen,
                Expr::col(donor::Column::CumulativeDonationFen).add(model.amount_fen),
            )
            .filter(donor::Column::Id.eq(donor.id))
            .exec(conn)
            .await?;
        if credits > 0 {
            ledger::append(
                conn,
                donor.id,
                CreditEntryKind::Donation,
                credits,
                ledger::EntrySource {
                    donation_id: Some(model.id),
                    rule_id: model.credit_rule_id,
                    created_by: Some(recorded_by),
                    ..Default::default()
                },
            )
            .await?;
        }
    }
    Ok(model)
}

async fn resolve_donor(
    conn: &impl ConnectionTrait,
    donor: &DonorRef,
) -> AppResult<(Option<donor::Model>, Option<String>)> {
    match donor {
        DonorRef::WalkIn { name } => Ok((
            None,
            name.as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned),
        )),
        DonorRef::Enterprise { id } => {
            let found = donor::Entity::find_by_id(*id)
                .one(conn)
                .await?
                .filter(|d| d.kind == DonorKind::Enterprise)
                .ok_or_else(|| AppError::bad_field("donorEnterpriseId", "no such enterprise"))?;
            Ok((Some(found), None))
        }
        DonorRef::Resident { phone, name } => {
            let phone = Phone::parse(phone)
                .map_err(|e| AppError::bad_field("donorPhone", e.to_string()))?;
            if let Some(r) = resident::Entity::find()
                .filter(resident::Column::Phone.eq(phone.as_str()))
                .one(conn)
                .await?
            {
                let d = donor::Entity::find_by_id(r.id)
                    .one(conn)
                    .await?
                    .ok_or_else(|| AppError::not_found("donor"))?;
                return Ok((Some(d), None));
            }
            let Some(name) = name.as_deref().map(str::trim).filter(|n| !n.is_empty()) else {
                return Err(AppError::bad_field(
                    "donorPhone",
                    "no resident has this phone; give the donor's name to register them",
                ));
            };
            let d = register_resident(conn, name, &phone, None).await?;
            Ok((Some(d), None))
        }
    }
}

/// A new resident with no public-name consent (the PIPL default) and a zero balance.
pub async fn register_resident(
    conn: &impl ConnectionTrait,
    name: &str,
    phone: &Phone,
    town_id: Option<Uuid>,
) -> AppResult<donor::Model> {
    let now = Utc::now();
    let id = Uuid::now_v7();
    let d = donor::ActiveModel {
        id: Set(id),
        kind: Set(DonorKind::Resident),
        display_name: Set(name.to_owned()),
        town_id: Set(town_id),
        credit_balance: Set(0),
        cumulative_donation_fen: Set(0),
        created_at: Set(now),
    }
    .insert(conn)
    .await?;
    resident::ActiveModel {
        id: Set(id),
        name: Set(name.to_owned()),
        phone: Set(phone.as_str().to_owned()),
        id_number: Set(None),
        town_id: Set(town_id),
        name_consent: Set(false),
        name_style: Set(NameStyle::Masked),
        consent_given_at: Set(None),
        consent_withdrawn_at: Set(None),
        created_at: Set(now),
    }
    .insert(conn)
    .await?;
    Ok(d)
}

/// A short code printed on the receipt that anyone can check.
fn verification_code() -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut rng = rand::rng();
    (0..12)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Void a donation: never deleted, a `REVERSAL` entry takes its credits back and the donor's
/// cumulative total (and so the tier) drops. The balance may go negative.
#[tracing::instrument(skip(app, viewer, reason))]
pub async fn void(
    app: &AppState,
    viewer: &Viewer,
    key: &IdempotencyKey,
    donation_id: Uuid,
    reason: String,
) -> AppResult<(donation::Model, Freshness)> {
    let db = &app.db;
    let reason = reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AppError::bad_field(
            "reason",
            "a void needs a reason of 1 to 500 characters",
        ));
    }
    let existing = find(db, donation_id).await?;
    viewer.require_org(existing.org_id)?;
    let hash = idempotency::request_hash(&(donation_id, &reason));
    let voided_by = viewer.account_id;
    let ticket = rankings::service::write_ticket(app).await;
    let (id, freshness) = idempotency::run(
        db,
        viewer.account_id,
        "voidDonation",
        key,
        &hash,
        move |txn| Box::pin(async move { void_in(&**txn, voided_by, donation_id, reason).await }),
    )
    .await?;
    let model = find(db, id).await?;
    if freshness == Freshness::Fresh {
        rankings::service::on_donation_voided(app, ticket, &model).await;
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

/// Enterprises by exact name, for imports and seeds.
pub async fn enterprise_by_name(
    conn: &impl ConnectionTrait,
    name: &str,
) -> AppResult<Option<enterprise::Model>> {
    Ok(enterprise::Entity::find()
        .filter(enterprise::Column::Name.eq(name.trim()))
        .one(conn)
        .await?)
}

/// Filters for the staff and admin donation list.
#[derive(Clone, Debug, Default)]
pub struct DonationFilter {
    pub org_id: Option<Uuid>,
    pub donor_id: Option<Uuid>,
    pub status: Option<DonationStatus>,
    pub from: Option<chrono::DateTime<Utc>>,
    pub to: Option<chrono::DateTime<Utc>>,
}

/// Newest first. Staff see only their own org's donations; ADMIN any; a donor only their own.
pub async fn list(
    db: &Db,
    viewer: &Viewer,
    mut filter: DonationFilter,
    page: &crate::pagination::PageRequest,
) -> AppResult<crate::pagination::Page<donation::Model>> {
    match viewer.role {
        crate::entities::enums::Role::Admin => {}
        crate::entities::enums::Role::OrgStaff => {
            let own = viewer.org_id.ok_or_else(|| AppError::forbidden("no org"))?;
            if filter.org_id.is_some_and(|o| o != own) {
                return Err(AppError::forbidden(
                    "not allowed to see another organisation's donations",
                ));
            }
            filter.org_id = Some(own);
        }
        _ => filter.donor_id = Some(viewer.require_donor()?),
    }
    let mut select = donation::Entity::find();
    if let Some(org_id) = filter.org_id {
        select = select.filter(donation::Column::OrgId.eq(org_id));
    }
    if let Some(donor_id) = filter.donor_id {
        select = select.filter(donation::Column::DonorId.eq(donor_id));
    }
    if let Some(status) = filter.status {
        select = select.filter(donation::Column::Status.eq(status));
    }
    if let Some(from) = filter.from {
        select = select.filter(donation::Column::DonatedAt.gte(from));
    }
    if let Some(to) = filter.to {
        select = select.filter(donation::Column::DonatedAt.lt(to));
    }
    crate::pagination::by_id_desc(&db.conn, select, page).await
}

/// A donation the viewer may see: its org's staff, ADMIN, or the donor.
pub async fn find_visible(db: &Db, viewer: &Viewer, id: Uuid) -> AppResult<donation::Model> {
    let d = find(db, id).await?;
    let own = d.donor_id.is_some() && viewer.donor_id == d.donor_id;
    if !own {
        viewer
            .require_org(d.org_id)
            .map_err(|_| AppError::not_found("donation"))?;
    }
    Ok(d)
}

/// Anyone may check a receipt's code; the answer carries no personal data.
pub async fn find_by_verification_code(db: &Db, code: &str) -> AppResult<Option<donation::Model>> {
    let code = code.trim().to_ascii_uppercase();
    if code.len() != 12 {
        return Ok(None);
    }
    Ok(donation::Entity::find()
        .filter(donation::Column::VerificationCode.eq(code))
        .one(&db.conn)
        .await?)
}

/// Who gave, as the donor's own records and the receiving org's staff see it.
pub async fn donor_label(db: &Db, d: &donation::Model) -> AppResult<String> {
    let Some(donor_id) = d.donor_id else {
        return Ok(d.walk_in_name.clone().unwrap_or_else(|| "爱心人士".into()));
    };
    Ok(donor::Entity::find_by_id(donor_id)
        .one(&db.conn)
        .await?
        .map(|d| d.display_name)
        .unwrap_or_default())
}
