//! 时长认证: staff certify minutes (one sign-up or a whole activity), which earn `VOLUNTEER`
//! credits by the rule in force when the activity ended; residents dispute, ADMIN resolves.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, sea_query::Expr,
};
use serde::Serialize;
use uuid::Uuid;

use super::{
    model::{
        DISPUTE_WINDOW_DAYS, DisputeOutcome, attended_minutes, certified_minutes, default_minutes,
        length_minutes, reason,
    },
    service::{find_activity, mark_finished_in, resident_of},
};
use crate::{
    auth::Viewer,
    credits::{ledger, rules},
    db::Db,
    entities::{
        activity, charity_org, credit_rule,
        enums::{ActivityStatus, CreditEntryKind, CreditRuleKind, DisputeStatus, SignupStatus},
        hour_certification, signup,
    },
    error::{AppError, AppResult},
    idempotency::{self, Freshness, IdempotencyKey},
    pagination::{self, Page, PageRequest},
    rankings::Boards,
};

/// One participant's certification: `minutes` absent means the default.
#[derive(Clone, Debug, Serialize)]
pub struct CertifyRequest {
    pub signup_id: Uuid,
    pub minutes: Option<i32>,
    pub reason: Option<String>,
}

pub async fn find(conn: &impl ConnectionTrait, id: Uuid) -> AppResult<hour_certification::Model> {
    hour_certification::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("certification"))
}

async fn find_many(db: &Db, ids: Vec<Uuid>) -> AppResult<Vec<hour_certification::Model>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(hour_certification::Entity::find()
        .filter(hour_certification::Column::Id.is_in(ids))
        .order_by_asc(hour_certification::Column::Id)
        .all(&db.conn)
        .await?)
}

/// Certify one participant, once per idempotency key.
#[tracing::instrument(skip(db, boards, viewer, request))]
pub async fn certify(
    db: &Db,
    boards: &Boards,
    viewer: &Viewer,
    key: &IdempotencyKey,
    request: CertifyRequest,
    now: DateTime<Utc>,
) -> AppResult<(hour_certification::Model, Freshness)> {
    // Scope first: staff of another org get FORBIDDEN and nothing is written, key included.
    let s = signup::Entity::find_by_id(request.signup_id)
        .one(&db.conn)
        .await?
        .ok_or_else(|| AppError::not_found("sign-up"))?;
    let a = find_activity(&db.conn, s.activity_id).await?;
    viewer.require_org(a.org_id)?;
    let hash = idempotency::request_hash(&request);
    let certified_by = viewer.account_id;
    let (id, freshness) = idempotency::run(
        db,
        viewer.account_id,
        "certifyHours",
        key,
        &hash,
        move |txn| {
            Box::pin(async move { Ok(certify_in(&**txn, certified_by, request, now).await?.id) })
        },
    )
    .await?;
    let model = find(&db.conn, id).await?;
    if freshness == Freshness::Fresh {
        boards.hours_certified(&model).await;
    }
    Ok((model, freshness))
}

/// Certify everyone who checked in and is not yet certified, with the defaults except for
/// `overrides`; all or nothing, once per idempotency key.
#[tracing::instrument(skip(db, boards, viewer, overrides))]
pub async fn certify_activity(
    db: &Db,
    boards: &Boards,
    viewer: &Viewer,
    key: &IdempotencyKey,
    activity_id: Uuid,
    overrides: Vec<CertifyRequest>,
    now: DateTime<Utc>,
) -> AppResult<(Vec<hour_certification::Model>, Freshness)> {
    let a = find_activity(&db.conn, activity_id).await?;
    viewer.require_org(a.org_id)?;
    let hash = idempotency::request_hash(&(activity_id, &overrides));
    let certified_by = viewer.account_id;
    let (ids, freshness) = idempotency::run(
        db,
        viewer.account_id,
        "certifyActivity",
        key,
        &hash,
        move |txn| {
            Box::pin(async move {
                let conn = &**txn;
                let pending = signup::Entity::find()
                    .filter(signup::Column::ActivityId.eq(activity_id))
                    .filter(signup::Column::Status.eq(SignupStatus::SignedUp))
                    .filter(signup::Column::CheckedInAt.is_not_null())
                    .order_by_asc(signup::Column::Id)
                    .all(conn)
                    .await?;
                let done: Vec<Uuid> = hour_certification::Entity::find()
                    .filter(hour_certification::Column::ActivityId.eq(activity_id))
                    .all(conn)
                    .await?
                    .into_iter()
                    .map(|c| c.signup_id)
                    .collect();
                if let Some(stray) = overrides
                    .iter()
                    .find(|o| !pending.iter().any(|s| s.id == o.signup_id))
                {
                    return Err(AppError::bad_field(
                        "overrides",
                        format!(
                            "sign-up {} is not a checked-in participant of this activity",
                            stray.signup_id
                        ),
                    ));
                }
                let mut ids = Vec::new();
                for s in pending {
                    let given = overrides.iter().find(|o| o.signup_id == s.id);
                    if done.contains(&s.id) {
                        if given.is_some() {
                            return Err(AppError::conflict(format!(
                                "sign-up {} is already certified",
                                s.id
                            )));
                        }
                        continue;
                    }
                    let request = given.cloned().unwrap_or(CertifyRequest {
                        signup_id: s.id,
                        minutes: None,
                        reason: None,
                    });
                    ids.push(certify_in(conn, certified_by, request, now).await?.id);
                }
                Ok(ids)
            })
        },
    )
    .await?;
    let certs = find_many(db, ids).await?;
    if freshness == Freshness::Fresh {
        for c in &certs {
            boards.hours_certified(c).await;
        }
    }
    Ok((certs, freshness))
}

/// The certification and its credits, inside the caller's write transaction.
pub async fn certify_in(
    conn: &impl ConnectionTrait,
    certified_by: Uuid,
    request: CertifyRequest,
    now: DateTime<Utc>,
) -> AppResult<hour_certification::Model> {
    let s = signup::Entity::find_by_id(request.signup_id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("sign-up"))?;
    if s.status != SignupStatus::SignedUp {
        return Err(AppError::bad_field(
            "signupId",
            "this sign-up was cancelled",
        ));
    }
    let a = find_activity(conn, s.activity_id).await?;
    if !matches!(
        a.status,
        ActivityStatus::Published | ActivityStatus::Finished
    ) {
        return Err(AppError::conflict(
            "only hours of a held activity can be certified",
        ));
    }
    if now < a.ends_at {
        return Err(AppError::conflict(
            "hours are certified once the activity has ended",
        ));
    }
    if s.checked_in_at.is_none() {
        return Err(AppError::bad_field(
            "signupId",
            "this volunteer never checked in; check them in by phone first if they came",
        ));
    }
    let already = hour_certification::Entity::find()
        .filter(hour_certification::Column::SignupId.eq(s.id))
        .one(conn)
        .await?;
    if already.is_some() {
        return Err(AppError::conflict("these hours are already certified"));
    }
    let length = length_minutes(a.starts_at, a.ends_at);
    let default = default_minutes(attended_minutes(
        a.starts_at,
        a.ends_at,
        s.checked_in_at,
        s.checked_out_at,
    ));
    let (minutes, change_reason) =
        certified_minutes(request.minutes, default, length, request.reason.as_deref())?;
    let rule = volunteer_rule(conn, &a).await?;
    let credits = rule
        .as_ref()
        .map_or(0, |r| rules::credits_for(r, i64::from(minutes)));
    let cert = hour_certification::ActiveModel {
        id: Set(Uuid::now_v7()),
        signup_id: Set(s.id),
        activity_id: Set(a.id),
        resident_id: Set(s.resident_id),
        org_id: Set(a.org_id),
        minutes: Set(minutes),
        default_minutes: Set(default),
        change_reason: Set(change_reason),
        credits_awarded: Set(credits),
        certified_by: Set(certified_by),
        certified_at: Set(now),
        dispute_status: Set(DisputeStatus::None),
        dispute_reason: Set(None),
        dispute_resolution: Set(None),
        resolved_by: Set(None),
        resolved_at: Set(None),
    }
    .insert(conn)
    .await
    .map_err(|e| AppError::on_unique(e, "these hours are already certified"))?;
    crate::rankings::totals::hours_changed(conn, &cert, i64::from(cert.minutes)).await?;
    if credits > 0 {
        ledger::append(
            conn,
            s.resident_id,
            CreditEntryKind::Volunteer,
            credits,
            ledger::EntrySource {
                certification_id: Some(cert.id),
                rule_id: rule.as_ref().map(|r| r.id),
                created_by: Some(certified_by),
                ..Default::default()
            },
        )
        .await?;
    }
    mark_finished_in(conn, a.id).await?;
    Ok(cert)
}

/// Hours earn credits by the rule in force when the service was done (the activity's end),
/// just as a donation keeps the rule of its day.
async fn volunteer_rule(
    conn: &impl ConnectionTrait,
    a: &activity::Model,
) -> AppResult<Option<credit_rule::Model>> {
    rules::in_force(conn, CreditRuleKind::VolunteerHour, a.ends_at).await
}

/// The resident disputes their certified hours, within 7 days of certification.
#[tracing::instrument(skip(db, viewer, text))]
pub async fn dispute(
    db: &Db,
    viewer: &Viewer,
    id: Uuid,
    text: &str,
    now: DateTime<Utc>,
) -> AppResult<hour_certification::Model> {
    let resident_id = resident_of(viewer)?;
    let text = reason("reason", text)?;
    let txn = db.begin_write().await?;
    let cert = find(&*txn, id).await?;
    if cert.resident_id != resident_id {
        return Err(AppError::forbidden("these are not your hours"));
    }
    if now > cert.certified_at + TimeDelta::days(DISPUTE_WINDOW_DAYS) {
        return Err(AppError::conflict(
            "hours can be disputed only within 7 days of certification",
        ));
    }
    let changed = hour_certification::Entity::update_many()
        .col_expr(
            hour_certification::Column::DisputeStatus,
            Expr::value(DisputeStatus::Open),
        )
        .col_expr(hour_certification::Column::DisputeReason, Expr::value(text))
        .filter(hour_certification::Column::Id.eq(id))
        .filter(hour_certification::Column::DisputeStatus.eq(DisputeStatus::None))
        .exec(&*txn)
        .await?;
    if changed.rows_affected == 0 {
        return Err(AppError::conflict("these hours were already disputed"));
    }
    let cert = find(&*txn, id).await?;
    txn.commit().await?;
    Ok(cert)
}

/// (Long because the outcome's checks, the minutes, the credit adjustment and the board move
/// share one idempotent transaction.)
///
/// ADMIN closes an open dispute. UPHELD sets the minutes and moves the credits by the
/// difference with an `ADJUSTMENT` entry; REJECTED leaves everything as certified.
#[tracing::instrument(skip(db, boards, viewer, resolution))]
#[allow(clippy::too_many_arguments)]
pub async fn resolve(
    db: &Db,
    boards: &Boards,
    viewer: &Viewer,
    key: &IdempotencyKey,
    id: Uuid,
    outcome: DisputeOutcome,
    minutes: Option<i32>,
    resolution: &str,
    now: DateTime<Utc>,
) -> AppResult<(hour_certification::Model, Freshness)> {
    if !viewer.is_admin() {
        return Err(AppError::forbidden(
            "only the district administration resolves disputes",
        ));
    }
    let resolution = reason("resolution", resolution)?;
    if outcome == DisputeOutcome::Upheld && minutes.is_none() {
        return Err(AppError::bad_field(
            "minutes",
            "an upheld dispute states the corrected minutes",
        ));
    }
    let hash = idempotency::request_hash(&(id, outcome, minutes, &resolution));
    let resolved_by = viewer.account_id;
    // The minutes before, and the board write started before the commit: an upheld dispute
    // moves the hours board by the difference.
    let before = find(&db.conn, id).await.ok();
    let write = boards.before_write().await;
    let (id, freshness) = idempotency::run(
        db,
        viewer.account_id,
        "resolveHourDispute",
        key,
        &hash,
        move |txn| {
            Box::pin(async move {
                let conn = &**txn;
                let cert = find(conn, id).await?;
                if cert.dispute_status != DisputeStatus::Open {
                    return Err(AppError::conflict(
                        "there is no open dispute on these hours",
                    ));
                }
                let a = find_activity(conn, cert.activity_id).await?;
                let (status, minutes, credits, rule) = match outcome {
                    DisputeOutcome::Rejected => (
                        DisputeStatus::Rejected,
                        cert.minutes,
                        cert.credits_awarded,
                        None,
                    ),
                    DisputeOutcome::Upheld => {
                        let minutes = minutes.unwrap_or(cert.minutes);
                        let length = length_minutes(a.starts_at, a.ends_at);
                        if minutes < 0 || minutes > length {
                            return Err(AppError::bad_field(
                                "minutes",
                                format!("0 to the activity's length of {length} minutes"),
                            ));
                        }
                        let rule = volunteer_rule(conn, &a).await?;
                        let credits = rule
                            .as_ref()
                            .map_or(0, |r| rules::credits_for(r, i64::from(minutes)));
                        (DisputeStatus::Upheld, minutes, credits, rule)
                    }
                };
                let changed = hour_certification::Entity::update_many()
                    .col_expr(
                        hour_certification::Column::DisputeStatus,
                        Expr::value(status),
                    )
                    .col_expr(hour_certification::Column::Minutes, Expr::value(minutes))
                    .col_expr(
                        hour_certification::Column::CreditsAwarded,
                        Expr::value(credits),
                    )
                    .col_expr(
                        hour_certification::Column::DisputeResolution,
                        Expr::value(resolution.clone()),
                    )
                    .col_expr(
                        hour_certification::Column::ResolvedBy,
                        Expr::value(resolved_by),
                    )
                    .col_expr(hour_certification::Column::ResolvedAt, Expr::value(now))
                    .filter(hour_certification::Column::Id.eq(id))
                    .filter(hour_certification::Column::DisputeStatus.eq(DisputeStatus::Open))
                    .exec(conn)
                    .await?;
                if changed.rows_affected == 0 {
                    return Err(AppError::conflict("this dispute was already resolved"));
                }
                crate::rankings::totals::hours_changed(
                    conn,
                    &cert,
                    i64::from(minutes) - i64::from(cert.minutes),
                )
                .await?;
                let delta = credits - cert.credits_awarded;
                if delta != 0 {
                    ledger::append(
                        conn,
                        cert.resident_id,
                        CreditEntryKind::Adjustment,
                        delta,
                        ledger::EntrySource {
                            certification_id: Some(cert.id),
                            rule_id: rule.as_ref().map(|r| r.id),
                            note: Some(resolution),
                            created_by: Some(resolved_by),
                            ..Default::default()
                        },
                    )
                    .await?;
                }
                Ok(id)
            })
        },
    )
    .await?;
    let model = find(&db.conn, id).await?;
    if let (Freshness::Fresh, Some(before)) = (freshness, before) {
        let delta = i64::from(model.minutes) - i64::from(before.minutes);
        write.hours_changed(&model, delta).await;
    }
    Ok((model, freshness))
}

/// Disputes for ADMIN, oldest first (open ones by default).
pub async fn disputes(
    db: &Db,
    status: DisputeStatus,
    page: &PageRequest,
) -> AppResult<Page<hour_certification::Model>> {
    let select = hour_certification::Entity::find()
        .filter(hour_certification::Column::DisputeStatus.eq(status));
    pagination::by_id(&db.conn, select, page).await
}

/// Every certification of a resident with its activity and org, oldest activity first.
pub async fn history(
    db: &Db,
    resident_id: Uuid,
) -> AppResult<
    Vec<(
        hour_certification::Model,
        activity::Model,
        charity_org::Model,
    )>,
> {
    let certs = hour_certification::Entity::find()
        .filter(hour_certification::Column::ResidentId.eq(resident_id))
        .find_also_related(activity::Entity)
        .all(&db.conn)
        .await?;
    let org_ids: Vec<Uuid> = certs.iter().map(|(c, _)| c.org_id).collect();
    let orgs = if org_ids.is_empty() {
        Vec::new()
    } else {
        charity_org::Entity::find()
            .filter(charity_org::Column::Id.is_in(org_ids))
            .all(&db.conn)
            .await?
    };
    let mut rows = Vec::with_capacity(certs.len());
    for (cert, a) in certs {
        let a = a.ok_or_else(|| AppError::not_found("activity"))?;
        let org = orgs
            .iter()
            .find(|o| o.id == cert.org_id)
            .cloned()
            .ok_or_else(|| AppError::not_found("charity organisation"))?;
        rows.push((cert, a, org));
    }
    rows.sort_by_key(|(_, a, _)| (a.starts_at, a.id));
    Ok(rows)
}
