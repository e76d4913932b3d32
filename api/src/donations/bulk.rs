//! Donations written in bulk, by the batch writer and by the import: the donations, their
//! `DONATION` ledger entries and the donors' moves, written with a few multi-row statements.
//! The caller holds the donors' rows (locked in id order), so each entry's `balance_after`
//! continues the balance it read.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::{DonorRef, NewDonation, single};
use crate::{
    credits::{
        ledger::{self, Move},
        rules,
    },
    db,
    entities::{
        credit_entry, credit_rule, donation, donor,
        enums::{CreditEntryKind, CreditRuleKind, DonationStatus},
    },
    error::{AppError, AppResult},
};

#[derive(Default)]
pub(super) struct Bulk {
    pub donations: Vec<donation::Model>,
    /// Each donor's balance as read; its entries continue from it in the donations' order.
    balances: HashMap<Uuid, i64>,
}

impl Bulk {
    /// Add a confirmed donation for `donor` (a walk-in has none) under the rule in force.
    pub fn add(
        &mut self,
        id: Uuid,
        input: &NewDonation,
        donor: Option<&donor::Model>,
        rule: Option<&credit_rule::Model>,
        recorded_by: Uuid,
        now: DateTime<Utc>,
    ) -> &donation::Model {
        let credits = rule.map_or(0, |r| rules::credits_for(r, input.amount.get()));
        let model = donation::Model {
            id,
            org_id: input.org_id,
            project_id: input.project_id,
            campaign_id: input.campaign_id,
            donor_id: donor.map(|d| d.id),
            walk_in_name: match &input.donor {
                DonorRef::WalkIn { name } => name
                    .as_deref()
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned),
                _ => None,
            },
            donor_kind: donor.map(|d| d.kind),
            town_id: donor.and_then(|d| d.town_id),
            kind: input.kind,
            amount_fen: input.amount.get(),
            goods_description: input
                .goods_description
                .as_deref()
                .map(|g| g.trim().to_owned()),
            goods_quantity: input.goods_quantity,
            channel: input.channel,
            funding_source: input.funding_source,
            donated_at: input.donated_at,
            receipt_no: input.receipt_no.as_str().to_owned(),
            visibility: input.visibility,
            status: DonationStatus::Confirmed,
            credits_awarded: credits,
            credit_rule_id: rule.map(|r| r.id),
            void_reason: None,
            voided_at: None,
            voided_by: None,
            recorded_by,
            verification_code: single::verification_code(),
            created_at: now,
        };
        if let Some(d) = donor {
            self.balances.entry(d.id).or_insert(d.credit_balance);
        }
        self.donations.push(model);
        self.donations.last().expect("just pushed")
    }

    /// Write everything inside the caller's transaction. A receipt taken by another writer
    /// since the caller looked is a conflict that says `receipt_taken`.
    pub async fn write(&self, conn: &impl ConnectionTrait, receipt_taken: &str) -> AppResult<()> {
        db::insert_all(conn, self.active_donations())
            .await
            .map_err(|e| AppError::on_unique(e, receipt_taken))?;
        let mut writes = db::Writes::new(conn.get_database_backend());
        self.push_ledger(&mut writes);
        writes.run(conn).await
    }

    /// Write the donations whose receipt number is still free in their org, and add the
    /// ledger of those only to `writes`; returns the ones whose receipt another donation
    /// holds. The unique index decides (waiting for a writer still open), so no lookup can
    /// go stale or pick a slow plan while the table grows faster than its statistics.
    pub async fn write_unless_receipt_taken(
        &mut self,
        conn: &impl ConnectionTrait,
        writes: &mut db::Writes,
    ) -> AppResult<Vec<donation::Model>> {
        let written = db::insert_unless_taken(
            conn,
            self.active_donations(),
            &[donation::Column::OrgId, donation::Column::ReceiptNo],
            donation::Column::Id,
        )
        .await?;
        let (kept, taken) = std::mem::take(&mut self.donations)
            .into_iter()
            .partition(|d| written.contains(&d.id));
        self.donations = kept;
        self.push_ledger(writes);
        Ok(taken)
    }

    fn active_donations(&self) -> Vec<donation::ActiveModel> {
        self.donations
            .iter()
            .cloned()
            .map(IntoActiveModel::into_active_model)
            .collect()
    }

    /// The `DONATION` entries and the donors' moves of the donations written.
    fn push_ledger(&self, writes: &mut db::Writes) {
        let mut moves: HashMap<Uuid, Move> = HashMap::new();
        let mut entries = Vec::new();
        for d in &self.donations {
            let Some(donor_id) = d.donor_id else { continue };
            let moved = moves.entry(donor_id).or_default();
            moved.donated_fen += d.amount_fen;
            if d.credits_awarded > 0 {
                moved.credits += d.credits_awarded;
                entries.push(credit_entry::Model {
                    id: Uuid::now_v7(),
                    donor_id,
                    kind: CreditEntryKind::Donation,
                    amount: d.credits_awarded,
                    balance_after: self.balances.get(&donor_id).copied().unwrap_or(0)
                        + moved.credits,
                    donation_id: Some(d.id),
                    certification_id: None,
                    redemption_id: None,
                    reverses_entry_id: None,
                    rule_id: d.credit_rule_id,
                    note: None,
                    created_by: Some(d.recorded_by),
                    created_at: d.created_at,
                });
            }
        }
        writes.insert(
            entries
                .into_iter()
                .map(IntoActiveModel::into_active_model)
                .collect(),
        );
        ledger::push_moves(writes, &moves);
    }
}

/// Every donation rule, newest first: what [`rule_at`] picks from.
pub(super) async fn donation_rules(
    conn: &impl ConnectionTrait,
) -> AppResult<Vec<credit_rule::Model>> {
    Ok(credit_rule::Entity::find()
        .filter(credit_rule::Column::Kind.is_in([
            CreditRuleKind::DonationResident,
            CreditRuleKind::DonationEnterprise,
        ]))
        .order_by_desc(credit_rule::Column::EffectiveFrom)
        .all(conn)
        .await?)
}

/// The donation rule of the donor's kind in force at `at`, from rules listed newest first.
pub(super) fn rule_at<'r>(
    rules_newest_first: &'r [credit_rule::Model],
    donor: Option<&donor::Model>,
    at: DateTime<Utc>,
) -> Option<&'r credit_rule::Model> {
    let kind = rules::donation_rule_kind(donor?.kind);
    rules_newest_first
        .iter()
        .find(|r| r.kind == kind && r.effective_from <= at)
}
