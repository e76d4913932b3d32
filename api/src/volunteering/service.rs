//! Activities and sign-ups: staff create, publish, edit and cancel; residents browse, sign up
//! and cancel. A place is taken by a conditional UPDATE, so capacity holds under any race.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    ExprTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};
use uuid::Uuid;

use super::model::{ActivityDraft, new_checkin_secret, whole_seconds};
use crate::{
    auth::Viewer,
    db::Db,
    district_time::DISTRICT_TZ,
    entities::{
        activity, charity_org,
        enums::{ActivityStatus, NoticeKind, Role, SignupStatus},
        hour_certification, notice, resident, signup, town,
    },
    error::{AppError, AppResult},
    pagination::{self, Page, PageRequest},
};

/// The resident behind a request; volunteering and perks are for residents only.
pub fn resident_of(viewer: &Viewer) -> AppResult<Uuid> {
    if viewer.role != Role::Resident {
        return Err(AppError::forbidden("only residents can do this"));
    }
    viewer.require_donor()
}

pub async fn find_activity(conn: &impl ConnectionTrait, id: Uuid) -> AppResult<activity::Model> {
    activity::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("activity"))
}

/// An activity as `viewer` may see it: drafts only for their org's staff and admins.
pub async fn activity_for(
    db: &Db,
    viewer: Option<&Viewer>,
    id: Uuid,
) -> AppResult<activity::Model> {
    let a = find_activity(&db.conn, id).await?;
    if a.status == ActivityStatus::Draft && viewer.is_none_or(|v| v.require_org(a.org_id).is_err())
    {
        return Err(AppError::not_found("activity"));
    }
    Ok(a)
}

/// A PUBLISHED activity whose end has passed is reported as FINISHED even before anyone
/// certifies it (certifying stores FINISHED).
pub fn effective_status(a: &activity::Model, now: DateTime<Utc>) -> ActivityStatus {
    match a.status {
        ActivityStatus::Published if a.ends_at <= now => ActivityStatus::Finished,
        other => other,
    }
}

// ---------------------------------------------------------------------------------------
// Staff: create, edit, publish, cancel
// ---------------------------------------------------------------------------------------

/// A new DRAFT activity for `org_id` (staff default to their own org).
#[tracing::instrument(skip(db, viewer, draft))]
pub async fn create(
    db: &Db,
    viewer: &Viewer,
    org_id: Option<Uuid>,
    draft: ActivityDraft,
) -> AppResult<activity::Model> {
    let org_id = org_id
        .or(viewer.org_id)
        .ok_or_else(|| AppError::bad_field("orgId", "say which charity organisation runs it"))?;
    viewer.require_org(org_id)?;
    let txn = db.begin_write().await?;
    let model = create_in(&*txn, viewer.account_id, org_id, draft, Utc::now()).await?;
    txn.commit().await?;
    Ok(model)
}

pub async fn create_in(
    conn: &impl ConnectionTrait,
    created_by: Uuid,
    org_id: Uuid,
    draft: ActivityDraft,
    now: DateTime<Utc>,
) -> AppResult<activity::Model> {
    charity_org::Entity::find_by_id(org_id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("charity organisation"))?;
    let town_id = town_id_by_code(conn, &draft.town_code).await?;
    Ok(activity::ActiveModel {
        id: Set(Uuid::now_v7()),
        org_id: Set(org_id),
        title: Set(draft.title),
        description: Set(draft.description),
        town_id: Set(town_id),
        place: Set(draft.place),
        starts_at: Set(draft.starts_at),
        ends_at: Set(draft.ends_at),
        capacity: Set(draft.capacity),
        signed_up: Set(0),
        signup_deadline: Set(draft.signup_deadline),
        status: Set(ActivityStatus::Draft),
        checkin_secret: Set(new_checkin_secret()),
        created_by: Set(created_by),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await?)
}

async fn town_id_by_code(conn: &impl ConnectionTrait, code: &str) -> AppResult<Uuid> {
    town::Entity::find()
        .filter(town::Column::Code.eq(code))
        .one(conn)
        .await?
        .map(|t| t.id)
        .ok_or_else(|| AppError::bad_field("townCode", format!("no town with code {code}")))
}

/// Replace an activity's details; only before it starts, and never below the places taken.
#[tracing::instrument(skip(db, viewer, draft))]
pub async fn update(
    db: &Db,
    viewer: &Viewer,
    id: Uuid,
    draft: ActivityDraft,
) -> AppResult<activity::Model> {
    let now = Utc::now();
    let txn = db.begin_write().await?;
    let a = find_activity(&*txn, id).await?;
    viewer.require_org(a.org_id)?;
    if !matches!(a.status, ActivityStatus::Draft | ActivityStatus::Published) || a.starts_at <= now
    {
        return Err(AppError::conflict(
            "only an activity that has not started, and is not cancelled, can be edited",
        ));
    }
    let town_id = town_id_by_code(&*txn, &draft.town_code).await?;
    // The condition on signed_up holds even if sign-ups race this edit.
    let changed = activity::Entity::update_many()
        .col_expr(activity::Column::Title, Expr::value(draft.title))
        .col_expr(
            activity::Column::Description,
            Expr::value(draft.description),
        )
        .col_expr(activity::Column::TownId, Expr::value(town_id))
        .col_expr(activity::Column::Place, Expr::value(draft.place))
        .col_expr(activity::Column::StartsAt, Expr::value(draft.starts_at))
        .col_expr(activity::Column::EndsAt, Expr::value(draft.ends_at))
        .col_expr(activity::Column::Capacity, Expr::value(draft.capacity))
        .col_expr(
            activity::Column::SignupDeadline,
            Expr::value(draft.signup_deadline),
        )
        .col_expr(activity::Column::UpdatedAt, Expr::value(now))
        .filter(activity::Column::Id.eq(id))
        .filter(activity::Column::Status.is_in([ActivityStatus::Draft, ActivityStatus::Published]))
        .filter(activity::Column::SignedUp.lte(draft.capacity))
        .exec(&*txn)
        .await?;
    if changed.rows_affected == 0 {
        return Err(AppError::bad_field(
            "capacity",
            "capacity cannot drop below the volunteers already signed up",
        ));
    }
    let a = find_activity(&*txn, id).await?;
    txn.commit().await?;
    Ok(a)
}

/// Open a DRAFT for sign-up. Publishing twice is a no-op.
#[tracing::instrument(skip(db, viewer))]
pub async fn publish(db: &Db, viewer: &Viewer, id: Uuid) -> AppResult<activity::Model> {
    let txn = db.begin_write().await?;
    let a = find_activity(&*txn, id).await?;
    viewer.require_org(a.org_id)?;
    let a = publish_in(&*txn, a, Utc::now()).await?;
    txn.commit().await?;
    Ok(a)
}

pub async fn publish_in(
    conn: &impl ConnectionTrait,
    a: activity::Model,
    now: DateTime<Utc>,
) -> AppResult<activity::Model> {
    if a.status == ActivityStatus::Published {
        return Ok(a);
    }
    if a.ends_at <= now {
        return Err(AppError::conflict("this activity is already over"));
    }
    let changed = activity::Entity::update_many()
        .col_expr(
            activity::Column::Status,
            Expr::value(ActivityStatus::Published),
        )
        .col_expr(activity::Column::UpdatedAt, Expr::value(now))
        .filter(activity::Column::Id.eq(a.id))
        .filter(activity::Column::Status.eq(ActivityStatus::Draft))
        .exec(conn)
        .await?;
    if changed.rows_affected == 0 {
        return Err(AppError::conflict("only a draft can be published"));
    }
    find_activity(conn, a.id).await
}

/// Cancel an activity that is not over; every signed-up volunteer gets a notice. Cancelling
/// twice is a no-op (no second notice).
#[tracing::instrument(skip(db, viewer, reason))]
pub async fn cancel(
    db: &Db,
    viewer: &Viewer,
    id: Uuid,
    reason: String,
) -> AppResult<activity::Model> {
    let now = Utc::now();
    let txn = db.begin_write().await?;
    let a = find_activity(&*txn, id).await?;
    viewer.require_org(a.org_id)?;
    if a.status == ActivityStatus::Cancelled {
        return Ok(a);
    }
    let changed = activity::Entity::update_many()
        .col_expr(
            activity::Column::Status,
            Expr::value(ActivityStatus::Cancelled),
        )
        .col_expr(activity::Column::UpdatedAt, Expr::value(now))
        .filter(activity::Column::Id.eq(id))
        .filter(activity::Column::Status.is_in([ActivityStatus::Draft, ActivityStatus::Published]))
        .filter(activity::Column::EndsAt.gt(now))
        .exec(&*txn)
        .await?;
    if changed.rows_affected == 0 {
        return Err(AppError::conflict(
            "an activity that is over can no longer be cancelled",
        ));
    }
    let volunteers: Vec<Uuid> = signup::Entity::find()
        .select_only()
        .column(signup::Column::ResidentId)
        .filter(signup::Column::ActivityId.eq(id))
        .filter(signup::Column::Status.eq(SignupStatus::SignedUp))
        .into_tuple()
        .all(&*txn)
        .await?;
    let when = a
        .starts_at
        .with_timezone(&DISTRICT_TZ)
        .format("%Y-%m-%d %H:%M");
    let notices: Vec<notice::ActiveModel> = volunteers
        .into_iter()
        .map(|resident_id| notice::ActiveModel {
            id: Set(Uuid::now_v7()),
            account_id: Set(None),
            donor_id: Set(Some(resident_id)),
            kind: Set(NoticeKind::ActivityCancelled),
            title: Set(format!("活动取消：{}", a.title)),
            body: Set(format!(
                "您报名的志愿服务活动“{}”（{when}，{}）已取消。原因：{reason}",
                a.title, a.place
            )),
            activity_id: Set(Some(id)),
            created_at: Set(now),
            read_at: Set(None),
        })
        .collect();
    if !notices.is_empty() {
        notice::Entity::insert_many(notices).exec(&*txn).await?;
    }
    let a = find_activity(&*txn, id).await?;
    txn.commit().await?;
    Ok(a)
}

/// Store FINISHED once an activity is over and being certified.
pub async fn mark_finished_in(conn: &impl ConnectionTrait, id: Uuid) -> AppResult<()> {
    activity::Entity::update_many()
        .col_expr(
            activity::Column::Status,
            Expr::value(ActivityStatus::Finished),
        )
        .filter(activity::Column::Id.eq(id))
        .filter(activity::Column::Status.eq(ActivityStatus::Published))
        .exec(conn)
        .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Browsing
// ---------------------------------------------------------------------------------------

/// What residents filter published activities by.
#[derive(Clone, Debug, Default)]
pub struct ActivityFilter {
    pub town_code: Option<String>,
    pub org_id: Option<Uuid>,
    /// Activities still running at or after this instant; defaults to now.
    pub from: Option<DateTime<Utc>>,
    /// Activities starting at or before this instant.
    pub to: Option<DateTime<Utc>>,
    /// Only those with a free place whose sign-up is still open.
    pub only_open: bool,
}

/// The cursor of an activity in date order: its start and id.
pub fn date_cursor(a: &activity::Model) -> String {
    format!(
        "{}|{}",
        a.starts_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        a.id
    )
}

fn parse_date_cursor(key: &str) -> AppResult<(DateTime<Utc>, Uuid)> {
    let bad = || AppError::bad_field("after", "not a cursor from this list");
    let (at, id) = key.split_once('|').ok_or_else(bad)?;
    let at = DateTime::parse_from_rfc3339(at).map_err(|_| bad())?;
    Ok((
        at.with_timezone(&Utc),
        Uuid::parse_str(id).map_err(|_| bad())?,
    ))
}

/// Published activities in start order, keyset-paginated on (starts_at, id).
#[tracing::instrument(skip(db))]
pub async fn browse(
    db: &Db,
    filter: &ActivityFilter,
    page: &PageRequest,
) -> AppResult<Page<activity::Model>> {
    let now = whole_seconds(Utc::now());
    let mut select = activity::Entity::find()
        .filter(
            activity::Column::Status.is_in([ActivityStatus::Published, ActivityStatus::Finished]),
        )
        .filter(activity::Column::EndsAt.gte(filter.from.map_or(now, whole_seconds)));
    if let Some(to) = filter.to {
        select = select.filter(activity::Column::StartsAt.lte(to));
    }
    if let Some(code) = &filter.town_code {
        let id = town_id_by_code(&db.conn, &code.trim().to_ascii_uppercase())
            .await
            .map_err(|_| AppError::bad_field("town", format!("no town with code {code}")))?;
        select = select.filter(activity::Column::TownId.eq(id));
    }
    if let Some(org_id) = filter.org_id {
        select = select.filter(activity::Column::OrgId.eq(org_id));
    }
    if filter.only_open {
        select = select
            .filter(activity::Column::Status.eq(ActivityStatus::Published))
            .filter(activity::Column::SignupDeadline.gte(now))
            .filter(
                Expr::col(activity::Column::SignedUp).lt(Expr::col(activity::Column::Capacity)),
            );
    }
    if let Some(key) = page.after.as_deref() {
        let (at, id) = parse_date_cursor(key)?;
        select = select.filter(
            Condition::any().add(activity::Column::StartsAt.gt(at)).add(
                Condition::all()
                    .add(activity::Column::StartsAt.eq(at))
                    .add(activity::Column::Id.gt(id)),
            ),
        );
    }
    let rows = select
        .order_by_asc(activity::Column::StartsAt)
        .order_by_asc(activity::Column::Id)
        .limit(page.limit + 1)
        .all(&db.conn)
        .await?;
    Ok(Page::from_overfetch(rows, page.limit))
}

/// An org's own activities, drafts included, newest first.
pub async fn org_activities(
    db: &Db,
    viewer: &Viewer,
    org_id: Option<Uuid>,
    status: Option<ActivityStatus>,
    page: &PageRequest,
) -> AppResult<Page<activity::Model>> {
    let org_id = org_id
        .or(viewer.org_id)
        .ok_or_else(|| AppError::bad_field("orgId", "say which charity organisation"))?;
    viewer.require_org(org_id)?;
    let mut select = activity::Entity::find().filter(activity::Column::OrgId.eq(org_id));
    if let Some(status) = status {
        select = select.filter(activity::Column::Status.eq(status));
    }
    pagination::by_id_desc(&db.conn, select, page).await
}

// ---------------------------------------------------------------------------------------
// Residents: sign up and cancel
// ---------------------------------------------------------------------------------------

#[tracing::instrument(skip(db, viewer))]
pub async fn sign_up(db: &Db, viewer: &Viewer, activity_id: Uuid) -> AppResult<signup::Model> {
    let resident_id = resident_of(viewer)?;
    let txn = db.begin_write().await?;
    let s = sign_up_in(&*txn, activity_id, resident_id, Utc::now()).await?;
    txn.commit().await?;
    Ok(s)
}

/// Take a place and record the sign-up, in the caller's write transaction. Signing up again
/// returns the standing sign-up.
pub async fn sign_up_in(
    conn: &impl ConnectionTrait,
    activity_id: Uuid,
    resident_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<signup::Model> {
    let a = find_activity(conn, activity_id).await?;
    match a.status {
        ActivityStatus::Draft => return Err(AppError::not_found("activity")),
        ActivityStatus::Published => {}
        ActivityStatus::Cancelled | ActivityStatus::Finished => {
            return Err(AppError::conflict("this activity no longer takes sign-ups"));
        }
    }
    if now > a.signup_deadline {
        return Err(AppError::conflict("sign-up for this activity has closed"));
    }
    let existing = find_signup(conn, activity_id, resident_id).await?;
    if let Some(s) = &existing
        && s.status == SignupStatus::SignedUp
    {
        return Ok(s.clone());
    }
    // The place: only while one is free. Concurrent sign-ups queue on the row (PostgreSQL)
    // or on the writer slot (SQLite) and re-check `signed_up < capacity`.
    let taken = activity::Entity::update_many()
        .col_expr(
            activity::Column::SignedUp,
            Expr::col(activity::Column::SignedUp).add(1),
        )
        .filter(activity::Column::Id.eq(activity_id))
        .filter(activity::Column::Status.eq(ActivityStatus::Published))
        .filter(activity::Column::SignupDeadline.gte(now))
        .filter(Expr::col(activity::Column::SignedUp).lt(Expr::col(activity::Column::Capacity)))
        .exec(conn)
        .await?;
    if taken.rows_affected == 0 {
        return Err(AppError::conflict("no places left on this activity"));
    }
    let already = || AppError::conflict("you are already signed up for this activity");
    match existing {
        Some(old) => {
            let back = signup::Entity::update_many()
                .col_expr(signup::Column::Status, Expr::value(SignupStatus::SignedUp))
                .col_expr(signup::Column::SignedUpAt, Expr::value(now))
                .col_expr(
                    signup::Column::CancelledAt,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .filter(signup::Column::Id.eq(old.id))
                .filter(signup::Column::Status.eq(SignupStatus::Cancelled))
                .exec(conn)
                .await?;
            if back.rows_affected == 0 {
                return Err(already());
            }
            find_signup(conn, activity_id, resident_id)
                .await?
                .ok_or_else(|| AppError::not_found("sign-up"))
        }
        None => signup::ActiveModel {
            id: Set(Uuid::now_v7()),
            activity_id: Set(activity_id),
            resident_id: Set(resident_id),
            status: Set(SignupStatus::SignedUp),
            signed_up_at: Set(now),
            cancelled_at: Set(None),
            checked_in_at: Set(None),
            checked_out_at: Set(None),
        }
        .insert(conn)
        .await
        .map_err(|e| AppError::on_unique(e, "you are already signed up for this activity")),
    }
}

/// Give the place back, before the activity starts. Cancelling twice is a no-op.
#[tracing::instrument(skip(db, viewer))]
pub async fn cancel_signup(
    db: &Db,
    viewer: &Viewer,
    activity_id: Uuid,
) -> AppResult<signup::Model> {
    let resident_id = resident_of(viewer)?;
    let now = Utc::now();
    let txn = db.begin_write().await?;
    let a = find_activity(&*txn, activity_id).await?;
    let s = find_signup(&*txn, activity_id, resident_id)
        .await?
        .ok_or_else(|| AppError::not_found("sign-up"))?;
    if s.status == SignupStatus::Cancelled {
        return Ok(s);
    }
    if a.starts_at <= now && a.status != ActivityStatus::Cancelled {
        return Err(AppError::conflict(
            "the activity has started; ask the organiser instead",
        ));
    }
    let changed = signup::Entity::update_many()
        .col_expr(signup::Column::Status, Expr::value(SignupStatus::Cancelled))
        .col_expr(signup::Column::CancelledAt, Expr::value(now))
        .filter(signup::Column::Id.eq(s.id))
        .filter(signup::Column::Status.eq(SignupStatus::SignedUp))
        .exec(&*txn)
        .await?;
    if changed.rows_affected == 1 {
        activity::Entity::update_many()
            .col_expr(
                activity::Column::SignedUp,
                Expr::col(activity::Column::SignedUp).sub(1),
            )
            .filter(activity::Column::Id.eq(activity_id))
            .filter(activity::Column::SignedUp.gt(0))
            .exec(&*txn)
            .await?;
    }
    let s = find_signup(&*txn, activity_id, resident_id)
        .await?
        .ok_or_else(|| AppError::not_found("sign-up"))?;
    txn.commit().await?;
    Ok(s)
}

pub async fn find_signup(
    conn: &impl ConnectionTrait,
    activity_id: Uuid,
    resident_id: Uuid,
) -> AppResult<Option<signup::Model>> {
    Ok(signup::Entity::find()
        .filter(signup::Column::ActivityId.eq(activity_id))
        .filter(signup::Column::ResidentId.eq(resident_id))
        .one(conn)
        .await?)
}

/// Sign-ups by (activity, resident), each with its certification, for the `mySignup` loader.
pub async fn signups_of(
    db: &Db,
    keys: &[(Uuid, Uuid)],
) -> AppResult<HashMap<(Uuid, Uuid), SignupRow>> {
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let activities: HashSet<Uuid> = keys.iter().map(|k| k.0).collect();
    let residents: HashSet<Uuid> = keys.iter().map(|k| k.1).collect();
    let rows = signup::Entity::find()
        .filter(signup::Column::ActivityId.is_in(activities))
        .filter(signup::Column::ResidentId.is_in(residents))
        .all(&db.conn)
        .await?;
    let wanted: HashSet<&(Uuid, Uuid)> = keys.iter().collect();
    let rows: Vec<signup::Model> = rows
        .into_iter()
        .filter(|s| wanted.contains(&(s.activity_id, s.resident_id)))
        .collect();
    let rows = with_certifications(
        db,
        Page {
            items: rows,
            has_next: false,
        },
    )
    .await?;
    Ok(rows
        .items
        .into_iter()
        .map(|(s, c)| ((s.activity_id, s.resident_id), (s, c)))
        .collect())
}

/// A sign-up with its certification, if any.
pub type SignupRow = (signup::Model, Option<hour_certification::Model>);

/// The resident's sign-ups, newest first, each with its certification.
pub async fn my_signups(
    db: &Db,
    resident_id: Uuid,
    page: &PageRequest,
) -> AppResult<Page<SignupRow>> {
    let select = signup::Entity::find().filter(signup::Column::ResidentId.eq(resident_id));
    let rows = pagination::by_id_desc(&db.conn, select, page).await?;
    with_certifications(db, rows).await
}

async fn with_certifications(db: &Db, rows: Page<signup::Model>) -> AppResult<Page<SignupRow>> {
    let ids: Vec<Uuid> = rows.items.iter().map(|s| s.id).collect();
    let certs = if ids.is_empty() {
        Vec::new()
    } else {
        hour_certification::Entity::find()
            .filter(hour_certification::Column::SignupId.is_in(ids))
            .all(&db.conn)
            .await?
    };
    Ok(rows.map(|s| {
        let cert = certs.iter().find(|c| c.signup_id == s.id).cloned();
        (s, cert)
    }))
}

/// A participant as the organiser sees them.
pub type ParticipantRow = (
    signup::Model,
    resident::Model,
    Option<hour_certification::Model>,
);

/// Everyone who signed up for an activity, for its org's staff.
pub async fn participants(
    db: &Db,
    viewer: &Viewer,
    activity_id: Uuid,
    page: &PageRequest,
) -> AppResult<Page<ParticipantRow>> {
    let a = find_activity(&db.conn, activity_id).await?;
    viewer.require_org(a.org_id)?;
    let select = signup::Entity::find().filter(signup::Column::ActivityId.eq(activity_id));
    let rows = with_certifications(db, pagination::by_id(&db.conn, select, page).await?).await?;
    let ids: Vec<Uuid> = rows.items.iter().map(|(s, _)| s.resident_id).collect();
    let residents = if ids.is_empty() {
        Vec::new()
    } else {
        resident::Entity::find()
            .filter(resident::Column::Id.is_in(ids))
            .all(&db.conn)
            .await?
    };
    let mut items = Vec::with_capacity(rows.items.len());
    for (s, cert) in rows.items {
        let r = residents
            .iter()
            .find(|r| r.id == s.resident_id)
            .cloned()
            .ok_or_else(|| AppError::not_found("resident"))?;
        items.push((s, r, cert));
    }
    Ok(Page {
        items,
        has_next: rows.has_next,
    })
}

// ---------------------------------------------------------------------------------------
// Notices
// ---------------------------------------------------------------------------------------

/// The resident's notices, newest first.
pub async fn my_notices(
    db: &Db,
    viewer: &Viewer,
    unread_only: bool,
    page: &PageRequest,
) -> AppResult<Page<notice::Model>> {
    let mut owner = Condition::any().add(notice::Column::AccountId.eq(viewer.account_id));
    if let Some(donor_id) = viewer.donor_id {
        owner = owner.add(notice::Column::DonorId.eq(donor_id));
    }
    let mut select = notice::Entity::find().filter(owner);
    if unread_only {
        select = select.filter(notice::Column::ReadAt.is_null());
    }
    pagination::by_id_desc(&db.conn, select, page).await
}

/// Mark one of the viewer's notices read (again is a no-op).
pub async fn mark_notice_read(db: &Db, viewer: &Viewer, id: Uuid) -> AppResult<notice::Model> {
    let txn = db.begin_write().await?;
    let n = notice::Entity::find_by_id(id)
        .one(&*txn)
        .await?
        .filter(|n| {
            n.account_id == Some(viewer.account_id)
                || (n.donor_id.is_some() && n.donor_id == viewer.donor_id)
        })
        .ok_or_else(|| AppError::not_found("notice"))?;
    if n.read_at.is_some() {
        return Ok(n);
    }
    notice::Entity::update_many()
        .col_expr(notice::Column::ReadAt, Expr::value(Utc::now()))
        .filter(notice::Column::Id.eq(id))
        .filter(notice::Column::ReadAt.is_null())
        .exec(&*txn)
        .await?;
    let n = notice::Entity::find_by_id(id)
        .one(&*txn)
        .await?
        .ok_or_else(|| AppError::not_found("notice"))?;
    txn.commit().await?;
    Ok(n)
}
