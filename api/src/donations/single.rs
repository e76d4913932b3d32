//! One donation on its own: the single path a batch falls back to when the database refuses
//! it as a whole, and the write itself (`record_in`), which the batch writer mirrors set-wise.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait,
    ExprTrait, FromQueryResult, QueryFilter, Statement, Value, sea_query::Expr,
};
use uuid::Uuid;

use super::{DonorRef, NewDonation, rules};
use crate::{
    accounts::Phone,
    credits::{ledger, rules::credits_for},
    db::Db,
    entities::{
        credit_rule, donation, donor,
        enums::{CreditEntryKind, CreditRuleKind, DonationStatus, DonorKind},
    },
    error::{AppError, AppResult},
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
        move |txn| {
            Box::pin(async move {
                let model = record_in(&**txn, id, recorded_by, input).await?;
                crate::rankings::totals::donations_changed(
                    &**txn,
                    &[(&model, 1, model.visibility)],
                )
                .await?;
                Ok(model)
            })
        },
    )
    .await?;
    match outcome {
        Decided::Fresh(model) => {
            write.donations_recorded(std::slice::from_ref(&model)).await;
            Ok((model, Freshness::Fresh))
        }
        Decided::Replayed(first) => Ok((super::reads::find(db, first).await?, Freshness::Replayed)),
    }
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
///
/// Long because it is the whole single-donation write in order: the references (one
/// statement), the refusals (`rules`), the donor found or registered, the rule of the day,
/// the row, then the ledger entry or the donor's total. The batch writer does the same steps
/// set-wise; keeping this one in one piece keeps the two comparable line by line.
pub async fn record_in(
    conn: &impl ConnectionTrait,
    id: Uuid,
    recorded_by: Uuid,
    input: NewDonation,
) -> AppResult<donation::Model> {
    input.check_shape(Utc::now())?;
    let phone = match &input.donor {
        DonorRef::Resident { phone, .. } => Some(phone.clone()),
        _ => None,
    };
    let refs = references(conn, &input, phone.as_ref()).await?;
    rules::project_of_org(refs.project_org_id, input.org_id)?;
    if input.campaign_id.is_some() {
        let dates = refs.campaign_starts_on.zip(refs.campaign_ends_on);
        rules::within_campaign(dates, input.donated_at)?;
    }
    if refs.duplicate_receipt {
        return Err(rules::receipt_taken());
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
        (DonorRef::Enterprise { .. }, _) => return Err(rules::no_such_enterprise()),
        (DonorRef::Resident { .. }, Some(d)) => (Some(d), None),
        (DonorRef::Resident { name, .. }, None) => {
            let name = rules::name_to_register(name.as_deref())?;
            let phone = phone.as_ref().expect("a resident donor has a parsed phone");
            let d =
                crate::accounts::residents::register(conn, name, phone, None, Default::default())
                    .await?;
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
        .map_or(0, |r| credits_for(r, input.amount.get()));
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
    .map_err(rules::receipt_taken_on_insert)?;

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

/// A short code printed on the receipt that anyone can check.
pub(super) fn verification_code() -> String {
    crate::codes::random_code(12)
}
