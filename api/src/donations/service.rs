//! Recording and voiding donations: the donation, the donor's cumulative total and the credit
//! entry always change together in one transaction.

use chrono::{DateTime, NaiveDate, Utc};
use rand::Rng;
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait,
    ExprTrait, FromQueryResult, QueryFilter, QuerySelect, Statement, Value, sea_query::Expr,
};
use uuid::Uuid;

use super::{DonorRef, NewDonation};
use crate::{
    accounts::Phone,
    auth::Viewer,
    credits::{ledger, rules},
    db::Db,
    entities::{
        credit_entry, credit_rule, donation, donor, enterprise,
        enums::{CreditEntryKind, CreditRuleKind, DonationStatus, DonorKind, NameStyle},
        resident,
    },
    error::{AppError, AppResult},
    funds,
    idempotency::{self, Decided, Freshness, IdempotencyKey},
    rankings::Boards,
};

/// One donation in its own transaction: the path a batch falls back to when the database
/// refuses it as a whole, so that each donation meets its own error.
pub(super) async fn record_alone(
    db: &Db,
    boards: &Boards,
    recorded_by: Uuid,
    key: &IdempotencyKey,
    hash: &str,
    id: Uuid,
    input: NewDonation,
) -> AppResult<(donation::Model, Freshness)> {
    // Read before the commit: it lets the ranking cache prove it has not counted this yet.
    let write = boards.before_write().await;
    let outcome = idempotency::run_decided(
        db,
        recorded_by,
        "recordDonation",
        key,
        hash,
        id,
        move |txn| Box::pin(async move { record_in(&**txn, id, recorded_by, input).await }),
    )
    .await?;
    match outcome {
        Decided::Fresh(model) => {
            write.donations_recorded(std::slice::from_ref(&model)).await;
            Ok((model, Freshness::Fresh))
        }
        Decided::Replayed(first) => Ok((find(db, first).await?, Freshness::Replayed)),
    }
}

pub async fn find(db: &Db, id: Uuid) -> AppResult<donation::Model> {
    donation::Entity::find_by_id(id)
        .one(&db.conn)
        .await?
        .ok_or_else(|| AppError::not_found("donation"))
}

/// Everything a new donation refers to, read in one statement: each round trip to the
/// database costs more than the lookup it carries.
#[derive(Debug, FromQueryResult)]
struct References {
    project_org_id: Option<Uuid>,
    campaign_starts_on: Option<NaiveDate>,
    campaign_ends_on: Option<NaiveDate>,
    duplicate_receipt: bool,
    donor_id: Option<Uuid>,
    donor_kind: Option<DonorKind>,
    donor_town_id: Option<Uuid>,
    rule_id: Option<Uuid>,
    rule_kind: Option<CreditRuleKind>,
    rule_credits: Option<i64>,
    rule_per_units: Option<i64>,
    rule_effective_from: Option<DateTime<Utc>>,
    rule_created_by: Option<Uuid>,
    rule_created_at: Option<DateTime<Utc>>,
}

/// `$n` placeholders work on both backends (sqlx-sqlite reads `$n` as the n-th argument).
const REFERENCES_SQL: &str = "SELECT \
    p.org_id AS project_org_id, \
    c.starts_on AS campaign_starts_on, c.ends_on AS campaign_ends_on, \
    EXISTS (SELECT 1 FROM donations x WHERE x.org_id = $3 AND x.receipt_no = $4) \
      AS duplicate_receipt, \
    d.id AS donor_id, d.kind AS donor_kind, d.town_id AS donor_town_id, \
    r.id AS rule_id, r.kind AS rule_kind, r.credits AS rule_credits, \
    r.per_units AS rule_per_units, r.effective_from AS rule_effective_from, \
    r.created_by AS rule_created_by, r.created_at AS rule_created_at \
    FROM (SELECT 1 AS one) q \
    LEFT JOIN charity_projects p ON p.id = $1 \
    LEFT JOIN campaigns c ON c.id = $2 \
    LEFT JOIN donors d ON d.id = COALESCE((SELECT id FROM residents WHERE phone = $5), $6) \
    LEFT JOIN credit_rules r ON r.id = (SELECT id FROM credit_rules \
      WHERE kind = $7 AND effective_from <= $8 ORDER BY effective_from DESC LIMIT 1)";

async fn references(
    conn: &impl ConnectionTrait,
    input: &NewDonation,
    phone: Option<&Phone>,
) -> AppResult<References> {
    let (enterprise_id, rule_kind) = match &input.donor {
        DonorRef::Enterprise { id } => (Some(*id), CreditRuleKind::DonationEnterprise),
        _ => (None, CreditRuleKind::DonationResident),
    };
    let values: Vec<Value> = vec![
        input.project_id.into(),
        input.campaign_id.into(),
        input.org_id.into(),
        input.receipt_no.as_str().into(),
        phone.map(|p| p.as_str().to_owned()).into(),
        enterprise_id.into(),
        rule_kind.to_value().into(),
        input.donated_at.into(),
    ];
    References::find_by_statement(Statement::from_sql_and_values(
        conn.get_database_backend(),
        REFERENCES_SQL,
        values,
    ))
    .one(conn)
    .await?
    .ok_or_else(|| AppError::internal(anyhow::anyhow!("the references query returned no row")))
}

/// The donation and its effects, inside the caller's write transaction, under the id `id`.
pub async fn record_in(
    conn: &impl ConnectionTrait,
    id: Uuid,
    recorded_by: Uuid,
    input: NewDonation,
) -> AppResult<donation::Model> {
    input.check_shape(Utc::now())?;
    let phone = match &input.donor {
        DonorRef::Resident { phone, .. } => Some(
            Phone::parse(phone).map_err(|e| AppError::bad_field("donorPhone", e.to_string()))?,
        ),
        _ => None,
    };
    let refs = references(conn, &input, phone.as_ref()).await?;
    if refs.project_org_id != Some(input.org_id) {
        return Err(AppError::bad_field(
            "projectId",
            "no such project in this charity organisation",
        ));
    }
    if input.campaign_id.is_some() {
        let (Some(starts_on), Some(ends_on)) = (refs.campaign_starts_on, refs.campaign_ends_on)
        else {
            return Err(AppError::bad_field("campaignId", "no such campaign"));
        };
        let day = input
            .donated_at
            .with_timezone(&crate::district_time::DISTRICT_TZ)
            .date_naive();
        if day < starts_on || day > ends_on {
            return Err(AppError::bad_field(
                "campaignId",
                "the donation date is outside the campaign's dates",
            ));
        }
    }
    if refs.duplicate_receipt {
        return Err(AppError::conflict(
            "this receipt number is already used in this organisation",
        ));
    }
    let found = match (refs.donor_id, refs.donor_kind) {
        (Some(id), Some(kind)) => Some(DonorFacts {
            id,
            kind,
            town_id: refs.donor_town_id,
        }),
        _ => None,
    };
    let (donor, walk_in_name) = match (&input.donor, found) {
        (DonorRef::WalkIn { name }, _) => (
            None,
            name.as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned),
        ),
        (DonorRef::Enterprise { .. }, Some(d)) if d.kind == DonorKind::Enterprise => {
            (Some(d), None)
        }
        (DonorRef::Enterprise { .. }, _) => {
            return Err(AppError::bad_field(
                "donorEnterpriseId",
                "no such enterprise",
            ));
        }
        (DonorRef::Resident { .. }, Some(d)) => (Some(d), None),
        (DonorRef::Resident { name, .. }, None) => {
            let Some(name) = name.as_deref().map(str::trim).filter(|n| !n.is_empty()) else {
                return Err(AppError::bad_field(
                    "donorPhone",
                    "no resident has this phone; give the donor's name to register them",
                ));
            };
            let phone = phone.as_ref().expect("a resident donor has a parsed phone");
            let d = register_resident(conn, name, phone, None).await?;
            (
                Some(DonorFacts {
                    id: d.id,
                    kind: d.kind,
                    town_id: d.town_id,
                }),
                None,
            )
        }
    };
    // The rule was looked up for the donor kind the input names; a found donor has that kind.
    let rule = match (&donor, refs.rule_id) {
        (Some(_), Some(rule_id)) => Some(credit_rule::Model {
            id: rule_id,
            kind: refs.rule_kind.unwrap_or(CreditRuleKind::DonationResident),
            credits: refs.rule_credits.unwrap_or_default(),
            per_units: refs.rule_per_units.unwrap_or(1),
            effective_from: refs.rule_effective_from.unwrap_or_default(),
            created_by: refs.rule_created_by,
            created_at: refs.rule_created_at.unwrap_or_default(),
        }),
        _ => None,
    };
    let credits = rule
        .as_ref()
        .map_or(0, |r| rules::credits_for(r, input.amount.get()));
    let model = donation::ActiveModel {
        id: Set(id),
        org_id: Set(input.org_id),
        project_id: Set(input.project_id),
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
        created_at: Set(Utc::now()),
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
        if credits > 0 {
            // Balance and cumulative total move in one update.
            ledger::append_moving_total(
                conn,
                donor.id,
                CreditEntryKind::Donation,
                credits,
                model.amount_fen,
                ledger::EntrySource {
                    donation_id: Some(model.id),
                    rule_id: model.credit_rule_id,
                    created_by: Some(recorded_by),
                    ..Default::default()
                },
            )
            .await?;
        } else {
            donor::Entity::update_many()
                .col_expr(
                    donor::Column::CumulativeDonationFen,
                    Expr::col(donor::Column::CumulativeDonationFen).add(model.amount_fen),
                )
                .filter(donor::Column::Id.eq(donor.id))
                .exec(conn)
                .await?;
        }
    }
    Ok(model)
}

/// What recording needs to know of a donor.
#[derive(Clone, Copy, Debug)]
struct DonorFacts {
    id: Uuid,
    kind: DonorKind,
    town_id: Option<Uuid>,
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
pub(super) fn verification_code() -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut rng = rand::rng();
    (0..12)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

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
    let existing = find(db, donation_id).await?;
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
    let model = find(db, id).await?;
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
