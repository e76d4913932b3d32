//! 签到 / 签退: rotating signed check-in codes, and staff checking a resident in by phone.
//! A code counts at the time signed into it, so one scanned offline still counts right.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use super::{
    model::{CheckinCode, CodeError, Punch, punch_window, whole_seconds},
    service::{find_activity, find_signup, resident_of},
};
use crate::{
    accounts::Phone,
    auth::Viewer,
    db::Db,
    entities::{
        activity,
        enums::{ActivityStatus, SignupStatus},
        resident, signup,
    },
    error::{AppError, AppResult},
};

/// A freshly signed code for the staff screen, and its QR payload.
#[derive(Clone, Debug)]
pub struct IssuedCode {
    pub code: CheckinCode,
    pub payload: String,
}

/// Sign a code for now. Only the activity's staff, only around its time.
#[tracing::instrument(skip(db, viewer))]
pub async fn issue_code(
    db: &Db,
    viewer: &Viewer,
    activity_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<IssuedCode> {
    let a = find_activity(&db.conn, activity_id).await?;
    viewer.require_org(a.org_id)?;
    if !matches!(
        a.status,
        ActivityStatus::Published | ActivityStatus::Finished
    ) {
        return Err(AppError::conflict(
            "check-in codes exist only for a published activity",
        ));
    }
    let (opens, closes) = punch_window(Punch::Out, a.starts_at, a.ends_at);
    if now < opens || now > closes {
        return Err(AppError::conflict(
            "check-in opens 60 minutes before the start and closes 60 minutes after the end",
        ));
    }
    let code = CheckinCode::issue(a.id, now);
    let payload = code.sign(&a.checkin_secret);
    Ok(IssuedCode { code, payload })
}

fn code_error(err: CodeError) -> AppError {
    AppError::bad_field("code", err.to_string())
}

/// A resident submits a scanned code. `expected` is the activity the app thinks it is
/// checking into; a code of another activity is refused.
#[tracing::instrument(skip(db, viewer, code))]
pub async fn punch_with_code(
    db: &Db,
    viewer: &Viewer,
    code: &str,
    expected: Option<Uuid>,
    punch: Punch,
    now: DateTime<Utc>,
) -> AppResult<signup::Model> {
    let resident_id = resident_of(viewer)?;
    let claimed = CheckinCode::claimed_activity(code).map_err(code_error)?;
    if expected.is_some_and(|e| e != claimed) {
        return Err(AppError::bad_field(
            "code",
            "this code belongs to another activity",
        ));
    }
    let txn = db.begin_write().await?;
    // An unknown activity reads as a forgery: nothing tells a prober which ids exist.
    let a = activity::Entity::find_by_id(claimed)
        .one(&*txn)
        .await?
        .ok_or_else(|| code_error(CodeError::Forged))?;
    let verified = CheckinCode::verify(code, &a.checkin_secret, now).map_err(code_error)?;
    let s = find_signup(&*txn, a.id, resident_id)
        .await?
        .filter(|s| s.status == SignupStatus::SignedUp)
        .ok_or_else(|| AppError::forbidden("you are not signed up for this activity"))?;
    let s = punch_at(&*txn, &a, s, punch, verified.issued_at, "code").await?;
    txn.commit().await?;
    Ok(s)
}

/// Staff check a resident in or out by phone number, at `at` (default now), for a phone
/// without the app or signal.
#[tracing::instrument(skip(db, viewer, phone))]
pub async fn punch_by_phone(
    db: &Db,
    viewer: &Viewer,
    activity_id: Uuid,
    phone: &str,
    at: Option<DateTime<Utc>>,
    punch: Punch,
    now: DateTime<Utc>,
) -> AppResult<signup::Model> {
    let phone = Phone::parse(phone).map_err(|e| AppError::bad_field("phone", e.to_string()))?;
    let at = whole_seconds(at.unwrap_or(now));
    if at > now + TimeDelta::minutes(2) {
        return Err(AppError::bad_field(
            "at",
            "a check-in cannot be in the future",
        ));
    }
    let txn = db.begin_write().await?;
    let a = find_activity(&*txn, activity_id).await?;
    viewer.require_org(a.org_id)?;
    let r = resident::Entity::find()
        .filter(resident::Column::Phone.eq(phone.as_str()))
        .one(&*txn)
        .await?
        .ok_or_else(|| AppError::not_found("resident with this phone"))?;
    let s = find_signup(&*txn, a.id, r.id)
        .await?
        .filter(|s| s.status == SignupStatus::SignedUp)
        .ok_or_else(|| AppError::not_found("sign-up of this resident"))?;
    let s = punch_at(&*txn, &a, s, punch, at, "at").await?;
    txn.commit().await?;
    Ok(s)
}

/// Record the punch unless one is already there (a second check-in is a no-op).
pub async fn punch_at(
    conn: &impl ConnectionTrait,
    a: &activity::Model,
    s: signup::Model,
    punch: Punch,
    at: DateTime<Utc>,
    field: &str,
) -> AppResult<signup::Model> {
    if !matches!(
        a.status,
        ActivityStatus::Published | ActivityStatus::Finished
    ) {
        return Err(AppError::conflict("this activity was cancelled"));
    }
    let (opens, closes) = punch_window(punch, a.starts_at, a.ends_at);
    if at < opens || at > closes {
        return Err(AppError::bad_field(
            field,
            "this time is outside the activity's check-in hours",
        ));
    }
    let update = signup::Entity::update_many()
        .filter(signup::Column::Id.eq(s.id))
        .filter(signup::Column::Status.eq(SignupStatus::SignedUp));
    match punch {
        Punch::In => {
            update
                .col_expr(signup::Column::CheckedInAt, Expr::value(at))
                .filter(signup::Column::CheckedInAt.is_null())
                .exec(conn)
                .await?;
        }
        Punch::Out => {
            let Some(checked_in_at) = s.checked_in_at else {
                return Err(AppError::bad_field(field, "check in before checking out"));
            };
            if s.checked_out_at.is_some() {
                return Ok(s);
            }
            if at < checked_in_at {
                return Err(AppError::bad_field(
                    field,
                    "a check-out cannot be before the check-in",
                ));
            }
            update
                .col_expr(signup::Column::CheckedOutAt, Expr::value(at))
                .filter(signup::Column::CheckedOutAt.is_null())
                .exec(conn)
                .await?;
        }
    }
    signup::Entity::find_by_id(s.id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("sign-up"))
}
