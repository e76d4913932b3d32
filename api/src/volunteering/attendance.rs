//! 签到 / 签退: rotating signed check-in codes (a QR, and a short code to type), and staff
//! checking a resident in by phone. A code counts at the time it was shown, so one scanned
//! or typed offline still counts right.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QuerySelect, RelationTrait,
    sea_query::Expr,
};
use uuid::Uuid;

use super::{
    model::{
        CODE_SUBMIT_HOURS, CheckinCode, CodeError, Punch, ShortCode, code_window, punch_window,
        whole_seconds,
    },
    service::{find_activity, find_signup, resident_of},
};
use crate::{
    accounts::Phone,
    auth::Viewer,
    cache::Cache,
    db::Db,
    entities::{
        activity,
        enums::{ActivityStatus, SignupStatus},
        resident, signup,
    },
    error::{AppError, AppResult},
};

/// A freshly signed code for the staff screen, its QR payload and the code to type.
#[derive(Clone, Debug)]
pub struct IssuedCode {
    pub code: CheckinCode,
    pub payload: String,
    pub short_code: ShortCode,
    /// When the typed code changes.
    pub short_code_until: DateTime<Utc>,
}

/// Wrong typed codes an account may submit per [`SHORT_CODE_LOCKOUT`] before it must wait.
/// With 31^6 ≈ 8.9·10^8 codes and at most ~300 valid ones per activity in a day (one per
/// five minutes), this keeps a guesser's odds below 1 in 4,000 a day, while a volunteer's
/// typos are never a problem.
pub const SHORT_CODE_MAX_FAILURES: i64 = 5;
pub const SHORT_CODE_LOCKOUT: Duration = Duration::from_secs(600);
/// How far back a typed code is recognised, only to tell "expired" from "wrong".
const SHORT_CODE_RECOGNISED_DAYS: i64 = 7;

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
    let (opens, closes) = code_window(a.starts_at, a.ends_at);
    if now < opens || now > closes {
        return Err(AppError::conflict(
            "check-in opens 60 minutes before the start and closes 60 minutes after the end",
        ));
    }
    let code = CheckinCode::issue(a.id, now);
    let payload = code.sign(&a.checkin_secret);
    let window = ShortCode::window_of(now);
    Ok(IssuedCode {
        code,
        payload,
        short_code: ShortCode::for_window(&a.checkin_secret, window),
        short_code_until: ShortCode::window_start(window + 1),
    })
}

fn code_error(err: CodeError) -> AppError {
    AppError::bad_field("code", err.to_string())
}

/// A resident submits a scanned code or a typed short code. `expected` is the activity the
/// app thinks it is checking into; a code of another activity is refused.
#[tracing::instrument(skip(db, cache, viewer, code))]
pub async fn punch_with_code(
    db: &Db,
    cache: &Cache,
    viewer: &Viewer,
    code: &str,
    expected: Option<Uuid>,
    punch: Punch,
    now: DateTime<Utc>,
) -> AppResult<signup::Model> {
    let resident_id = resident_of(viewer)?;
    if let Some(short) = ShortCode::parse(code) {
        return punch_with_short_code(db, cache, viewer, resident_id, &short, expected, punch, now)
            .await;
    }
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
    let s = own_signup(&*txn, a.id, resident_id).await?;
    let s = punch_at(&*txn, &a, s, punch, verified.issued_at, "code").await?;
    txn.commit().await?;
    Ok(s)
}

/// The resident's live sign-up for an activity a code named: only then does a code count.
async fn own_signup(
    conn: &impl ConnectionTrait,
    activity_id: Uuid,
    resident_id: Uuid,
) -> AppResult<signup::Model> {
    find_signup(conn, activity_id, resident_id)
        .await?
        .filter(|s| s.status == SignupStatus::SignedUp)
        .ok_or_else(|| AppError::forbidden("you are not signed up for this activity"))
}

fn short_code_failures_key(account_id: Uuid) -> String {
    format!("checkin-code-failures:{account_id}")
}

/// A typed code is matched against the resident's own sign-ups only: the activities whose
/// check-in hours overlap the last week, each window of them up to now. A match from the last
/// 24 hours counts at the moment it arrived or, when sent late, at the end of its window.
#[allow(clippy::too_many_arguments)]
async fn punch_with_short_code(
    db: &Db,
    cache: &Cache,
    viewer: &Viewer,
    resident_id: Uuid,
    code: &ShortCode,
    expected: Option<Uuid>,
    punch: Punch,
    now: DateTime<Utc>,
) -> AppResult<signup::Model> {
    let key = short_code_failures_key(viewer.account_id);
    // A lost cache costs only the attempt limit until it is back, never the check-in.
    let failures = match cache.get(&key).await {
        Ok(v) => v.and_then(|v| v.parse::<i64>().ok()).unwrap_or(0),
        Err(err) => {
            tracing::warn!(error = %err, "check-in code throttle unavailable");
            0
        }
    };
    if failures >= SHORT_CODE_MAX_FAILURES {
        return Err(AppError::RateLimited {
            retry_after_secs: SHORT_CODE_LOCKOUT.as_secs(),
        });
    }
    let since = now - TimeDelta::days(SHORT_CODE_RECOGNISED_DAYS);
    let mut candidates = activity::Entity::find()
        .join(JoinType::InnerJoin, signup::Relation::Activity.def().rev())
        .filter(signup::Column::ResidentId.eq(resident_id))
        .filter(signup::Column::Status.eq(SignupStatus::SignedUp))
        .filter(
            activity::Column::Status.is_in([ActivityStatus::Published, ActivityStatus::Finished]),
        )
        .filter(activity::Column::EndsAt.gte(since))
        .filter(activity::Column::StartsAt.lte(now + TimeDelta::hours(1)));
    if let Some(id) = expected {
        candidates = candidates.filter(activity::Column::Id.eq(id));
    }
    let mut matches = Vec::new();
    for a in candidates.all(&db.conn).await? {
        let (opens, closes) = code_window(a.starts_at, a.ends_at);
        let first = ShortCode::window_of(opens.max(since));
        let last = ShortCode::window_of(closes.min(now));
        if let Some(w) = (first..=last)
            .rev()
            .find(|w| ShortCode::for_window(&a.checkin_secret, *w) == *code)
        {
            matches.push((a, w));
        }
    }
    let (a, window) = match matches.len() {
        1 => matches.remove(0),
        0 => {
            if let Err(err) = cache.incr(&key, SHORT_CODE_LOCKOUT).await {
                tracing::warn!(error = %err, "check-in code throttle unavailable");
            }
            return Err(AppError::bad_field(
                "code",
                "this check-in code is wrong: check it on the organiser's screen",
            ));
        }
        // Two of one resident's activities sharing a code in the same hours: ~1 in 10^9.
        _ => {
            return Err(AppError::bad_field(
                "code",
                "this code fits more than one of your activities: scan the QR code instead",
            ));
        }
    };
    let shown_until = ShortCode::window_start(window + 1);
    if now - shown_until > TimeDelta::hours(CODE_SUBMIT_HOURS) {
        return Err(code_error(CodeError::Expired));
    }
    let (_, closes) = punch_window(punch, a.starts_at, a.ends_at);
    let at = whole_seconds(now.min(shown_until - TimeDelta::seconds(1)).min(closes));
    let txn = db.begin_write().await?;
    let s = own_signup(&*txn, a.id, resident_id).await?;
    let s = punch_at(&*txn, &a, s, punch, at, "code").await?;
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
    if punch == Punch::Out && at < opens {
        return Err(AppError::NotStarted {
            field: field.to_owned(),
            starts_at: a.starts_at,
        });
    }
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
