//! Reads what the 百家信 score is made of: certified hours, confirmed donations and no-shows
//! over the last 12 months.

use chrono::{DateTime, Months, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QuerySelect, RelationTrait,
    sea_query::Expr,
};
use uuid::Uuid;

use super::model::{Inputs, Score, WINDOW_MONTHS, score};
use crate::{
    district_time::DISTRICT_TZ,
    entities::{
        activity, donation,
        enums::{ActivityStatus, DonationStatus, SignupStatus},
        hour_certification, signup,
    },
    error::AppResult,
};

/// The start of the 12-month window ending at `now`, by the district's calendar.
pub fn window_start(now: DateTime<Utc>) -> DateTime<Utc> {
    now.with_timezone(&DISTRICT_TZ)
        .checked_sub_months(Months::new(WINDOW_MONTHS))
        .map_or(now, |t| t.with_timezone(&Utc))
}

/// Count and sums come back as BIGINT on both backends (PostgreSQL sums bigints as numeric).
fn sum_as_bigint(column: &str) -> sea_orm::sea_query::SimpleExpr {
    Expr::cust(format!("CAST(COALESCE(SUM({column}), 0) AS BIGINT)"))
}

#[tracing::instrument(skip(conn))]
pub async fn inputs_for(
    conn: &impl ConnectionTrait,
    resident_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<Inputs> {
    let from = window_start(now);
    let certified_minutes: Option<i64> = hour_certification::Entity::find()
        .select_only()
        .column_as(sum_as_bigint("hour_certifications.minutes"), "total")
        .join(
            JoinType::InnerJoin,
            hour_certification::Relation::Activity.def(),
        )
        .filter(hour_certification::Column::ResidentId.eq(resident_id))
        .filter(activity::Column::EndsAt.gte(from))
        .filter(activity::Column::EndsAt.lte(now))
        .into_tuple()
        .one(conn)
        .await?;
    let (donations, donated_fen): (i64, i64) = donation::Entity::find()
        .select_only()
        .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "n")
        .column_as(sum_as_bigint("donations.amount_fen"), "total")
        .filter(donation::Column::DonorId.eq(resident_id))
        .filter(donation::Column::Status.eq(DonationStatus::Confirmed))
        .filter(donation::Column::DonatedAt.gte(from))
        .filter(donation::Column::DonatedAt.lte(now))
        .into_tuple()
        .one(conn)
        .await?
        .unwrap_or((0, 0));
    let no_shows: Option<i64> = signup::Entity::find()
        .select_only()
        .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "n")
        .join(JoinType::InnerJoin, signup::Relation::Activity.def())
        .filter(signup::Column::ResidentId.eq(resident_id))
        .filter(signup::Column::Status.eq(SignupStatus::SignedUp))
        .filter(signup::Column::CheckedInAt.is_null())
        .filter(
            activity::Column::Status.is_in([ActivityStatus::Published, ActivityStatus::Finished]),
        )
        .filter(activity::Column::EndsAt.gte(from))
        .filter(activity::Column::EndsAt.lte(now))
        .into_tuple()
        .one(conn)
        .await?;
    Ok(Inputs {
        certified_minutes: certified_minutes.unwrap_or(0),
        donations,
        donated_fen,
        no_shows: no_shows.unwrap_or(0),
    })
}

/// The resident's score right now.
pub async fn score_for(
    conn: &impl ConnectionTrait,
    resident_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<Score> {
    Ok(score(&inputs_for(conn, resident_id, now).await?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_window_is_twelve_calendar_months_in_the_district() {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 16, 30, 0).unwrap();
        assert_eq!(
            window_start(now),
            Utc.with_ymd_and_hms(2025, 11, 22, 16, 30, 0).unwrap()
        );
    }
}
