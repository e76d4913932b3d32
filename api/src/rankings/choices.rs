//! The writes that change how boards read without changing what anyone gave: a resident's
//! consent to appear by name, a donation moved between named and anonymous, and a new
//! ranking rule.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use uuid::Uuid;

use super::{Boards, model::resident_display_name, rule_book::NewRankingRule};
use crate::{
    auth::Viewer,
    db::Db,
    entities::ranking_rule,
    entities::{
        donation,
        enums::{DonationStatus, NameStyle, Role, Visibility},
        resident,
    },
    error::{AppError, AppResult},
};

/// The resident's public-name choice after a change.
#[derive(Clone, Debug)]
pub struct NameChoice {
    pub consent: bool,
    pub style: NameStyle,
    /// How the resident appears on public boards now.
    pub public_name: String,
}

/// Give or withdraw the separate consent (PIPL art. 25) to appear by name. Names are resolved
/// when a board is read, so this takes effect on the next read; the version bump keeps any
/// cached response from outliving it.
#[tracing::instrument(skip(db, boards, viewer))]
pub async fn set_public_name_consent(
    db: &Db,
    boards: &Boards,
    viewer: &Viewer,
    consent: bool,
    style: Option<NameStyle>,
) -> AppResult<NameChoice> {
    if viewer.role != Role::Resident {
        return Err(AppError::forbidden(
            "only a resident chooses how their name appears",
        ));
    }
    let id = viewer.require_donor()?;
    let txn = db.begin_write().await?;
    let current = resident::Entity::find_by_id(id)
        .one(&*txn)
        .await?
        .ok_or_else(|| AppError::not_found("resident"))?;
    let now = Utc::now();
    let mut model: resident::ActiveModel = current.clone().into();
    model.name_consent = Set(consent);
    if let Some(style) = style {
        model.name_style = Set(style);
    }
    if consent && !current.name_consent {
        model.consent_given_at = Set(Some(now));
    }
    if !consent && current.name_consent {
        model.consent_withdrawn_at = Set(Some(now));
    }
    let updated = model.update(&*txn).await?;
    txn.commit().await?;
    boards.changed().await;
    Ok(NameChoice {
        consent: updated.name_consent,
        style: updated.name_style,
        public_name: resident_display_name(&updated.name, updated.name_consent, updated.name_style),
    })
}

/// Change how one of the viewer's own donations appears. Moving a donation to or from
/// ANONYMOUS moves its amount between the donor's named and anonymous entries.
#[tracing::instrument(skip(db, boards, viewer))]
pub async fn set_donation_visibility(
    db: &Db,
    boards: &Boards,
    viewer: &Viewer,
    donation_id: Uuid,
    visibility: Visibility,
) -> AppResult<donation::Model> {
    let donor = viewer.require_donor()?;
    let write = boards.before_write().await;
    let txn = db.begin_write().await?;
    let current = donation::Entity::find_by_id(donation_id)
        .one(&*txn)
        .await?
        .filter(|d| d.donor_id == Some(donor))
        .ok_or_else(|| AppError::not_found("donation"))?;
    if current.visibility == visibility {
        return Ok(current);
    }
    let mut model: donation::ActiveModel = current.clone().into();
    model.visibility = Set(visibility);
    let updated = model.update(&*txn).await?;
    if current.status == DonationStatus::Confirmed {
        super::totals::donations_changed(
            &*txn,
            &[
                (&current, -1, current.visibility),
                (&updated, 1, updated.visibility),
            ],
        )
        .await?;
    }
    txn.commit().await?;
    if current.status == DonationStatus::Confirmed {
        write.visibility_changed(&current, &updated).await;
    } else {
        boards.changed().await;
    }
    Ok(updated)
}

/// Add a rule. Like credit rules, it applies from its date on: the past keeps the rules it
/// had, so published editions and the sets never change retroactively.
#[tracing::instrument(skip(db, boards, viewer))]
pub async fn create_ranking_rule(
    db: &Db,
    boards: &Boards,
    viewer: &Viewer,
    input: NewRankingRule,
) -> AppResult<ranking_rule::Model> {
    if !viewer.is_admin() {
        return Err(AppError::forbidden(
            "only the civil-affairs bureau sets ranking rules",
        ));
    }
    let now = Utc::now();
    if input.effective_from < now - chrono::Duration::minutes(1) {
        return Err(AppError::bad_field(
            "effectiveFrom",
            "a ranking rule takes effect now or later; the past keeps its rules",
        ));
    }
    if input.min_amount.get() < 0 {
        return Err(AppError::bad_field(
            "minAmount",
            "the minimum cannot be negative",
        ));
    }
    let txn = db.begin_write().await?;
    let rule = ranking_rule::ActiveModel {
        id: Set(Uuid::now_v7()),
        effective_from: Set(input.effective_from.max(now)),
        exclude_government_matching: Set(input.exclude_government_matching),
        exclude_charity_transfers: Set(input.exclude_charity_transfers),
        roll_up_branches: Set(input.roll_up_branches),
        min_amount_fen: Set(input.min_amount.get()),
        created_by: Set(Some(viewer.account_id)),
        created_at: Set(now),
    }
    .insert(&*txn)
    .await
    .map_err(|e| AppError::on_unique(e, "a rule already takes effect at that instant"))?;
    txn.commit().await?;
    boards.changed().await;
    Ok(rule)
}
