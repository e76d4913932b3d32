//! Conversion rules: credits per yuan (by donor kind) and per volunteer hour, dated so that a
//! past donation keeps the rule that was in force on its day.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use crate::{
    auth::Viewer,
    db::Db,
    district_time::{DISTRICT_TZ, local_midnight},
    entities::{
        credit_rule,
        enums::{CreditRuleKind, DonorKind},
    },
    error::{AppError, AppResult},
};

pub fn donation_rule_kind(donor: DonorKind) -> CreditRuleKind {
    match donor {
        DonorKind::Resident => CreditRuleKind::DonationResident,
        DonorKind::Enterprise => CreditRuleKind::DonationEnterprise,
    }
}

/// The rule of `kind` in force at `at`, if any.
pub async fn in_force(
    conn: &impl ConnectionTrait,
    kind: CreditRuleKind,
    at: DateTime<Utc>,
) -> AppResult<Option<credit_rule::Model>> {
    Ok(credit_rule::Entity::find()
        .filter(credit_rule::Column::Kind.eq(kind))
        .filter(credit_rule::Column::EffectiveFrom.lte(at))
        .order_by_desc(credit_rule::Column::EffectiveFrom)
        .one(conn)
        .await?)
}

/// Credits earned for `units` (fen or minutes) under a rule, rounded down.
pub fn credits_for(rule: &credit_rule::Model, units: i64) -> i64 {
    let credits = i128::from(units) * i128::from(rule.credits) / i128::from(rule.per_units);
    i64::try_from(credits).unwrap_or(i64::MAX)
}

/// Every rule, newest first within each kind.
pub async fn all(conn: &impl ConnectionTrait) -> AppResult<Vec<credit_rule::Model>> {
    Ok(credit_rule::Entity::find()
        .order_by_asc(credit_rule::Column::Kind)
        .order_by_desc(credit_rule::Column::EffectiveFrom)
        .all(conn)
        .await?)
}

/// ADMIN adds a rule from a day on. Rules are never edited: a past donation keeps the rule
/// of its day, so a new rate is a new row, and only from today on.
pub async fn create(
    db: &Db,
    viewer: &Viewer,
    kind: CreditRuleKind,
    credits: i64,
    per_units: i64,
    effective_from: NaiveDate,
) -> AppResult<credit_rule::Model> {
    if !viewer.is_admin() {
        return Err(AppError::forbidden("only the bureau sets conversion rules"));
    }
    if !(0..=1_000_000).contains(&credits) {
        return Err(AppError::bad_field(
            "credits",
            "credits is between 0 and 1,000,000",
        ));
    }
    if !(1..=100_000_000).contains(&per_units) {
        return Err(AppError::bad_field(
            "perUnits",
            "perUnits is between 1 and 100,000,000",
        ));
    }
    let today = Utc::now().with_timezone(&DISTRICT_TZ).date_naive();
    if effective_from < today {
        return Err(AppError::bad_field(
            "effectiveFrom",
            "a rule takes effect today or later; past donations keep their rule",
        ));
    }
    // A rule dated today starts now, not at midnight: a donation already recorded this
    // morning keeps the rule it was credited under, and one recorded later with the same time
    // gets the same credits.
    let now = Utc::now();
    let txn = db.begin_write().await?;
    let model = credit_rule::ActiveModel {
        id: Set(Uuid::now_v7()),
        kind: Set(kind),
        credits: Set(credits),
        per_units: Set(per_units),
        effective_from: Set(local_midnight(effective_from).max(now)),
        created_by: Set(Some(viewer.account_id)),
        created_at: Set(now),
    }
    .insert(&*txn)
    .await
    .map_err(|e| AppError::on_unique(e, "a rule of this kind already starts that day"))?;
    txn.commit().await?;
    Ok(model)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(credits: i64, per_units: i64) -> credit_rule::Model {
        credit_rule::Model {
            id: uuid::Uuid::now_v7(),
            kind: CreditRuleKind::DonationResident,
            credits,
            per_units,
            effective_from: Utc::now(),
            created_by: None,
            created_at: Utc::now(),
        }
    }

    #[test]
    fn credits_round_down() {
        // 1 credit per 10 yuan: 99.99 yuan earns 9.
        assert_eq!(credits_for(&rule(1, 1000), 9_999), 9);
        assert_eq!(credits_for(&rule(10, 60), 150), 25);
        assert_eq!(credits_for(&rule(1, 1000), i64::MAX), i64::MAX / 1000);
    }
}
