//! Broadcast posts: orgs write them, ADMIN publishes or hides them, everyone reads the
//! published ones; each publication is announced to live subscribers after the commit.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
    sea_query::Expr,
};
use uuid::Uuid;

use super::{
    feed::Feed,
    model::{NewBroadcast, parse_hide_reason},
};
use crate::{
    auth::Viewer,
    db::Db,
    entities::{
        activity, broadcast, charity_project,
        enums::{BroadcastKind, BroadcastStatus, Role},
        town,
    },
    error::{AppError, AppResult},
    pagination::{self, Page, PageRequest},
};

/// Post for the viewer's org (ADMIN: any org). It waits for moderation.
#[tracing::instrument(skip(db, viewer, input), fields(org = %input.org_id))]
pub async fn post(db: &Db, viewer: &Viewer, input: NewBroadcast) -> AppResult<broadcast::Model> {
    viewer.require_org(input.org_id)?;
    let input = input.parse()?;
    if let Some(town_id) = input.town_id {
        town::Entity::find_by_id(town_id)
            .one(&db.conn)
            .await?
            .ok_or_else(|| AppError::bad_field("townId", "no such town"))?;
    }
    if let Some(project_id) = input.project_id {
        charity_project::Entity::find_by_id(project_id)
            .one(&db.conn)
            .await?
            .filter(|p| p.org_id == input.org_id)
            .ok_or_else(|| {
                AppError::bad_field("projectId", "no such project in this organisation")
            })?;
    }
    if let Some(activity_id) = input.activity_id {
        activity::Entity::find_by_id(activity_id)
            .one(&db.conn)
            .await?
            .filter(|a| a.org_id == input.org_id)
            .ok_or_else(|| {
                AppError::bad_field("activityId", "no such activity of this organisation")
            })?;
    }
    let model = broadcast::Model {
        id: Uuid::now_v7(),
        org_id: input.org_id,
        kind: input.kind,
        title: input.title,
        body: input.body,
        town_id: input.town_id,
        activity_id: input.activity_id,
        project_id: input.project_id,
        status: BroadcastStatus::Pending,
        hidden_reason: None,
        created_by: viewer.account_id,
        created_at: Utc::now(),
        published_at: None,
    };
    let txn = db.begin_write().await?;
    broadcast::Entity::insert(model.clone().into_active_model())
        .exec_without_returning(&*txn)
        .await?;
    txn.commit().await?;
    Ok(model)
}

pub async fn find(db: &Db, id: Uuid) -> AppResult<broadcast::Model> {
    broadcast::Entity::find_by_id(id)
        .one(&db.conn)
        .await?
        .ok_or_else(|| AppError::not_found("broadcast"))
}

/// Publish a pending (or hidden) post and announce it to live subscribers. ADMIN only.
#[tracing::instrument(skip(db, feed, viewer))]
pub async fn publish(
    db: &Db,
    feed: &Feed,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<broadcast::Model> {
    let published = mark_published(db, viewer, id).await?;
    feed.announce(id).await;
    Ok(published)
}

/// The publication itself, without the announcement (seeding has no one to tell).
pub async fn mark_published(db: &Db, viewer: &Viewer, id: Uuid) -> AppResult<broadcast::Model> {
    require_moderator(viewer)?;
    let txn = db.begin_write().await?;
    let changed = broadcast::Entity::update_many()
        .col_expr(
            broadcast::Column::Status,
            Expr::value(BroadcastStatus::Published),
        )
        .col_expr(broadcast::Column::PublishedAt, Expr::value(now_micros()))
        .col_expr(
            broadcast::Column::HiddenReason,
            Expr::value(Option::<String>::None),
        )
        .filter(broadcast::Column::Id.eq(id))
        .filter(broadcast::Column::Status.ne(BroadcastStatus::Published))
        .exec(&*txn)
        .await?;
    txn.commit().await?;
    if changed.rows_affected == 0 {
        find(db, id).await?;
        return Err(AppError::conflict("this broadcast is already published"));
    }
    find(db, id).await
}

/// Hide a post (published or not) with a reason its org sees. ADMIN only.
#[tracing::instrument(skip(db, viewer, reason))]
pub async fn hide(db: &Db, viewer: &Viewer, id: Uuid, reason: &str) -> AppResult<broadcast::Model> {
    require_moderator(viewer)?;
    let reason = parse_hide_reason(reason)?;
    let txn = db.begin_write().await?;
    let changed = broadcast::Entity::update_many()
        .col_expr(
            broadcast::Column::Status,
            Expr::value(BroadcastStatus::Hidden),
        )
        .col_expr(broadcast::Column::HiddenReason, Expr::value(reason))
        .filter(broadcast::Column::Id.eq(id))
        .filter(broadcast::Column::Status.ne(BroadcastStatus::Hidden))
        .exec(&*txn)
        .await?;
    txn.commit().await?;
    if changed.rows_affected == 0 {
        find(db, id).await?;
        return Err(AppError::conflict("this broadcast is already hidden"));
    }
    find(db, id).await
}

/// Now, to the microsecond both backends keep, so feed cursors compare exactly.
fn now_micros() -> DateTime<Utc> {
    DateTime::from_timestamp_micros(Utc::now().timestamp_micros()).unwrap_or_else(Utc::now)
}

fn require_moderator(viewer: &Viewer) -> AppResult<()> {
    if viewer.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "only the civil-affairs bureau moderates broadcasts",
        ))
    }
}

/// Filters of the public feed.
#[derive(Clone, Copy, Debug, Default)]
pub struct FeedFilter {
    pub kind: Option<BroadcastKind>,
    pub town_id: Option<Uuid>,
    pub org_id: Option<Uuid>,
}

/// The cursor of the public feed: when published, then id.
pub fn feed_cursor(b: &broadcast::Model) -> String {
    format!(
        "{}|{}",
        b.published_at.map_or(0, |t| t.timestamp_micros()),
        b.id
    )
}

fn parse_feed_cursor(page: &PageRequest) -> AppResult<Option<(DateTime<Utc>, Uuid)>> {
    let bad = || AppError::bad_field("after", "not a cursor from this list");
    let Some(key) = page.after.as_deref() else {
        return Ok(None);
    };
    let (micros, id) = key.split_once('|').ok_or_else(bad)?;
    let at = micros
        .parse::<i64>()
        .ok()
        .and_then(DateTime::from_timestamp_micros)
        .ok_or_else(bad)?;
    Ok(Some((at, Uuid::parse_str(id).map_err(|_| bad())?)))
}

/// Published posts, newest publication first. Public; hidden ones are gone.
pub async fn feed(
    db: &Db,
    filter: FeedFilter,
    page: &PageRequest,
) -> AppResult<Page<broadcast::Model>> {
    let mut select =
        broadcast::Entity::find().filter(broadcast::Column::Status.eq(BroadcastStatus::Published));
    if let Some(kind) = filter.kind {
        select = select.filter(broadcast::Column::Kind.eq(kind));
    }
    if let Some(town_id) = filter.town_id {
        select = select.filter(broadcast::Column::TownId.eq(town_id));
    }
    if let Some(org_id) = filter.org_id {
        select = select.filter(broadcast::Column::OrgId.eq(org_id));
    }
    if let Some((at, id)) = parse_feed_cursor(page)? {
        select = select.filter(
            Condition::any()
                .add(broadcast::Column::PublishedAt.lt(at))
                .add(
                    Condition::all()
                        .add(broadcast::Column::PublishedAt.eq(at))
                        .add(broadcast::Column::Id.lt(id)),
                ),
        );
    }
    let rows = select
        .order_by_desc(broadcast::Column::PublishedAt)
        .order_by_desc(broadcast::Column::Id)
        .limit(page.limit + 1)
        .all(&db.conn)
        .await?;
    Ok(Page::from_overfetch(rows, page.limit))
}

/// Posts in any status for moderation: ADMIN sees every org's, staff their own org's.
pub async fn queue(
    db: &Db,
    viewer: &Viewer,
    status: Option<BroadcastStatus>,
    org_id: Option<Uuid>,
    page: &PageRequest,
) -> AppResult<Page<broadcast::Model>> {
    let org_id = match viewer.role {
        Role::Admin => org_id,
        _ => {
            let own = viewer
                .org_id
                .ok_or_else(|| AppError::forbidden("not a charity organisation's staff"))?;
            if org_id.is_some_and(|o| o != own) {
                return Err(AppError::forbidden(
                    "not allowed to see another organisation's posts",
                ));
            }
            Some(own)
        }
    };
    let mut select = broadcast::Entity::find();
    if let Some(status) = status {
        select = select.filter(broadcast::Column::Status.eq(status));
    }
    if let Some(org_id) = org_id {
        select = select.filter(broadcast::Column::OrgId.eq(org_id));
    }
    pagination::by_id_desc(&db.conn, select, page).await
}

/// A post anyone may read once published; before that, or once hidden, only its org's
/// staff and ADMIN.
pub async fn find_visible(
    db: &Db,
    viewer: Option<&Viewer>,
    id: Uuid,
) -> AppResult<broadcast::Model> {
    let b = find(db, id).await?;
    if b.status == BroadcastStatus::Published
        || viewer.is_some_and(|v| v.require_org(b.org_id).is_ok())
    {
        Ok(b)
    } else {
        Err(AppError::not_found("broadcast"))
    }
}

/// A published post, for a live update; `None` if it has since been hidden.
pub async fn find_published(db: &Db, id: Uuid) -> AppResult<Option<broadcast::Model>> {
    Ok(broadcast::Entity::find_by_id(id)
        .filter(broadcast::Column::Status.eq(BroadcastStatus::Published))
        .one(&db.conn)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_cursors_round_trip() {
        let b = broadcast::Model {
            id: Uuid::now_v7(),
            org_id: Uuid::now_v7(),
            kind: BroadcastKind::Story,
            title: "t".into(),
            body: "b".into(),
            town_id: None,
            activity_id: None,
            project_id: None,
            status: BroadcastStatus::Published,
            hidden_reason: None,
            created_by: Uuid::now_v7(),
            created_at: Utc::now(),
            published_at: Some(Utc::now()),
        };
        let page = PageRequest {
            limit: 10,
            after: Some(feed_cursor(&b)),
        };
        let (at, id) = parse_feed_cursor(&page).unwrap().unwrap();
        assert_eq!(id, b.id);
        assert_eq!(
            at.timestamp_micros(),
            b.published_at.unwrap().timestamp_micros()
        );
        let junk = PageRequest {
            limit: 10,
            after: Some("x|y".into()),
        };
        assert!(parse_feed_cursor(&junk).is_err());
    }
}
