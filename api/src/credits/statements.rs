//! Yearly statements: what a donor gave in a calendar year (Asia/Shanghai), issued as a
//! frozen snapshot with a code anyone can check.

use chrono::{Datelike, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, Func},
};
use uuid::Uuid;

use crate::{
    db::Db,
    db::sum_as_bigint,
    district_time::{DISTRICT_TZ, local_midnight},
    entities::{donation, enums::DonationStatus, yearly_statement},
    error::{AppError, AppResult},
};

/// Confirmed donations in `year`: (count, total fen, credits).
async fn totals(db: &Db, donor_id: Uuid, year: i32) -> AppResult<(i32, i64, i64)> {
    let start = local_midnight(NaiveDate::from_ymd_opt(year, 1, 1).expect("valid year"));
    let end = local_midnight(NaiveDate::from_ymd_opt(year + 1, 1, 1).expect("valid year"));
    let row: Option<(i64, Option<i64>, Option<i64>)> = donation::Entity::find()
        .select_only()
        .column_as(
            Expr::expr(Func::count(Expr::col(donation::Column::Id))),
            "n",
        )
        .column_as(sum_as_bigint(donation::Column::AmountFen), "total")
        .column_as(sum_as_bigint(donation::Column::CreditsAwarded), "credits")
        .filter(donation::Column::DonorId.eq(donor_id))
        .filter(donation::Column::Status.eq(DonationStatus::Confirmed))
        .filter(donation::Column::DonatedAt.gte(start))
        .filter(donation::Column::DonatedAt.lt(end))
        .into_tuple()
        .one(&db.conn)
        .await?;
    let (n, total, credits) = row.unwrap_or((0, None, None));
    Ok((n as i32, total.unwrap_or(0), credits.unwrap_or(0)))
}

fn statement_code() -> String {
    format!("ST{}", crate::codes::random_code(14))
}

/// The donor's statement for `year`: the latest issued one if the figures still hold,
/// otherwise a new snapshot with a new code (the old code keeps verifying its own figures).
pub async fn issue(db: &Db, donor_id: Uuid, year: i32) -> AppResult<yearly_statement::Model> {
    let this_year = Utc::now().with_timezone(&DISTRICT_TZ).year();
    if !(2000..=this_year).contains(&year) {
        return Err(AppError::bad_field(
            "year",
            format!("a year from 2000 to {this_year}"),
        ));
    }
    let (count, total, credits) = totals(db, donor_id, year).await?;
    let latest = yearly_statement::Entity::find()
        .filter(yearly_statement::Column::DonorId.eq(donor_id))
        .filter(yearly_statement::Column::Year.eq(year))
        .order_by_desc(yearly_statement::Column::IssuedAt)
        .one(&db.conn)
        .await?;
    if let Some(s) = latest
        && (s.donation_count, s.total_fen, s.credits) == (count, total, credits)
    {
        return Ok(s);
    }
    let txn = db.begin_write().await?;
    let model = yearly_statement::ActiveModel {
        id: Set(Uuid::now_v7()),
        donor_id: Set(donor_id),
        year: Set(year),
        donation_count: Set(count),
        total_fen: Set(total),
        credits: Set(credits),
        verification_code: Set(statement_code()),
        issued_at: Set(Utc::now()),
    }
    .insert(&*txn)
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// A statement by its code, and whether its figures still match the ledger today.
pub async fn verify(db: &Db, code: &str) -> AppResult<Option<(yearly_statement::Model, bool)>> {
    let Some(s) = yearly_statement::Entity::find()
        .filter(yearly_statement::Column::VerificationCode.eq(code.trim().to_ascii_uppercase()))
        .one(&db.conn)
        .await?
    else {
        return Ok(None);
    };
    let now = totals(db, s.donor_id, s.year).await?;
    let current = now == (s.donation_count, s.total_fen, s.credits);
    Ok(Some((s, current)))
}
