//! Conversion rules: credits per yuan (by donor kind) and per volunteer hour, dated so that a
//! past donation keeps the rule that was in force on its day.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::{
    entities::{
        credit_rule,
        enums::{CreditRuleKind, DonorKind},
    },
    error::AppResult,
};

/// The district's time zone: periods, days and rule dates are all local.
pub const DISTRICT_TZ: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

/// Midnight at the start of a local day, as an instant.
pub fn local_midnight(day: NaiveDate) -> DateTime<Utc> {
    DISTRICT_TZ
        .from_local_datetime(&day.and_hms_opt(0, 0, 0).expect("midnight exists"))
        .single()
        .expect("Asia/Shanghai has no DST gaps")
        .with_timezone(&Utc)
}

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

    #[test]
    fn local_midnight_is_sixteen_hundred_utc_the_day_before() {
        let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        assert_eq!(
            local_midnight(day).to_rfc3339(),
            "2025-12-31T16:00:00+00:00"
        );
    }
}
