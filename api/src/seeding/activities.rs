//! Demo volunteering from `activities.csv` and `attendance.csv`, loaded through the
//! volunteering services' transaction-level functions at the times the files give, so the
//! demo resident has certified hours, VOLUNTEER credits and a 百家信 score.

use std::{collections::HashMap, path::Path};

use chrono::{DateTime, NaiveDateTime, TimeDelta, TimeZone, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use uuid::Uuid;

use super::files::read;
use crate::{
    db::Db,
    district_time::DISTRICT_TZ,
    entities::{activity, charity_org, resident},
    error::{AppError, AppResult},
    volunteering::{
        ActivityDraft, ActivityInput, attendance,
        certification::{self, CertifyRequest},
        model::Punch,
        service,
    },
};

#[derive(Deserialize)]
struct ActivityRow {
    key: String,
    org: String,
    title: String,
    description: String,
    town_code: String,
    place: String,
    starts_at: String,
    ends_at: String,
    capacity: i32,
    status: String,
}

#[derive(Deserialize)]
struct AttendanceRow {
    activity_key: String,
    resident_phone: String,
    checked_in_at: String,
    checked_out_at: String,
    certified_minutes: Option<i32>,
}

/// `YYYY-MM-DD HH:MM` in Beijing time.
fn local(text: &str) -> AppResult<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M")
        .map_err(|_| AppError::bad_input(format!("not a local time: {text}")))?;
    DISTRICT_TZ
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| AppError::bad_input(format!("not a local time: {text}")))
}

fn optional_local(text: &str) -> AppResult<Option<DateTime<Utc>>> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        local(text).map(Some)
    }
}

/// How far to move the upcoming (`PUBLISHED`) activities so that the first of them still
/// starts at least two days after `now` (its sign-up closes a day before): zero while they are
/// ahead, else whole weeks, which keep each one's weekday and hour. The demo seeded after the
/// files were written still has activities to sign up for.
fn upcoming_shift(first_upcoming: Option<DateTime<Utc>>, now: DateTime<Utc>) -> TimeDelta {
    let earliest = now + TimeDelta::days(2);
    match first_upcoming {
        Some(first) if first < earliest => TimeDelta::weeks((earliest - first).num_days() / 7 + 1),
        _ => TimeDelta::zero(),
    }
}

/// Load the activities and attendance; returns (activities, sign-ups, certifications).
#[tracing::instrument(skip(db))]
pub async fn seed(db: &Db, dir: &Path, staff: Uuid) -> AppResult<(usize, usize, usize)> {
    let activities = read::<ActivityRow>(dir, "activities.csv")?;
    let attendance = read::<AttendanceRow>(dir, "attendance.csv")?;
    let first_upcoming = activities
        .iter()
        .filter(|row| row.status == "PUBLISHED")
        .map(|row| local(&row.starts_at))
        .collect::<AppResult<Vec<_>>>()?
        .into_iter()
        .min();
    // Only upcoming activities move: finished ones and their attendance keep their times.
    let shift = upcoming_shift(first_upcoming, Utc::now());
    let txn = db.begin_write().await?;
    let conn = &*txn;
    let mut by_key: HashMap<String, activity::Model> = HashMap::new();
    for row in activities {
        let moved = if row.status == "PUBLISHED" {
            shift
        } else {
            TimeDelta::zero()
        };
        let starts_at = local(&row.starts_at)? + moved;
        let draft = ActivityDraft::parse(ActivityInput {
            title: row.title,
            description: row.description,
            town_code: row.town_code,
            place: row.place,
            starts_at,
            ends_at: local(&row.ends_at)? + moved,
            capacity: row.capacity,
            signup_deadline: starts_at - TimeDelta::days(1),
        })?;
        // As if announced two weeks ahead.
        let announced = starts_at - TimeDelta::days(14);
        let org_id = org_by_name(conn, &row.org).await?;
        let a = service::create_in(conn, staff, org_id, draft, announced).await?;
        let a = service::publish_in(conn, a, announced).await?;
        if !matches!(row.status.as_str(), "PUBLISHED" | "FINISHED") {
            return Err(AppError::bad_input(format!(
                "activity {}: status {} cannot be seeded",
                row.key, row.status
            )));
        }
        by_key.insert(row.key, a);
    }

    // Everyone signs up a week ahead; only then does anyone come, leave and get certified
    // (certifying marks the activity FINISHED, which closes its sign-up).
    let mut rows = Vec::with_capacity(attendance.len());
    for row in &attendance {
        let a = by_key.get(&row.activity_key).ok_or_else(|| {
            AppError::bad_input(format!("attendance: unknown activity {}", row.activity_key))
        })?;
        let resident_id = resident_by_phone(conn, &row.resident_phone).await?;
        let s =
            service::sign_up_in(conn, a.id, resident_id, a.starts_at - TimeDelta::days(7)).await?;
        rows.push((row, a, s));
    }
    let signups = rows.len();
    let mut certified = 0;
    for (row, a, s) in rows {
        let Some(checked_in_at) = optional_local(&row.checked_in_at)? else {
            continue; // a no-show: signed up, never came
        };
        let s = attendance::punch_at(conn, a, s, Punch::In, checked_in_at, "checkedInAt").await?;
        if let Some(out) = optional_local(&row.checked_out_at)? {
            attendance::punch_at(conn, a, s.clone(), Punch::Out, out, "checkedOutAt").await?;
        }
        if let Some(minutes) = row.certified_minutes {
            certification::certify_in(
                conn,
                staff,
                CertifyRequest {
                    signup_id: s.id,
                    minutes: Some(minutes),
                    // Kept only where the organiser departed from the default.
                    reason: Some("组织方核减（中途长时间休息）".into()),
                },
                a.ends_at + TimeDelta::days(1),
            )
            .await?;
            certified += 1;
        }
    }
    for a in by_key.values() {
        if a.ends_at <= Utc::now() {
            service::mark_finished_in(conn, a.id).await?;
        }
    }
    txn.commit().await?;
    Ok((by_key.len(), signups, certified))
}

async fn org_by_name(conn: &impl ConnectionTrait, name: &str) -> AppResult<Uuid> {
    charity_org::Entity::find()
        .filter(charity_org::Column::Name.eq(name.trim()))
        .one(conn)
        .await?
        .map(|o| o.id)
        .ok_or_else(|| AppError::bad_input(format!("activities.csv: unknown org {name}")))
}

async fn resident_by_phone(conn: &impl ConnectionTrait, phone: &str) -> AppResult<Uuid> {
    resident::Entity::find()
        .filter(resident::Column::Phone.eq(phone.trim()))
        .one(conn)
        .await?
        .map(|r| r.id)
        .ok_or_else(|| AppError::bad_input(format!("attendance.csv: unknown resident {phone}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upcoming_activities_move_by_whole_weeks_only_once_they_would_have_begun() {
        let first = local("2026-11-28 08:30").unwrap();
        let before = local("2026-11-20 10:00").unwrap();
        assert_eq!(upcoming_shift(Some(first), before), TimeDelta::zero());
        assert_eq!(upcoming_shift(None, before), TimeDelta::zero());

        let later = local("2026-12-03 18:00").unwrap();
        let shift = upcoming_shift(Some(first), later);
        assert_eq!(shift, TimeDelta::weeks(2));
        let moved = first + shift;
        assert!(moved >= later + TimeDelta::days(2), "sign-up still open");
        assert!(
            moved < later + TimeDelta::days(9),
            "no more than a week beyond that"
        );
    }
}
