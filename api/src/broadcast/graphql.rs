//! The broadcast column on the API: posting, moderation, the public feed and a live
//! subscription to newly published posts.

use async_graphql::{Context, ID, InputObject, Object, Result, Subscription};
use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt};
use tokio::sync::broadcast::error::RecvError;

use super::{Feed, NewBroadcast, service};
use crate::{
    auth::RoleGuard,
    catalog::{CharityOrg, CharityProject, Town, service as catalog},
    entities::{
        self, broadcast,
        enums::{BroadcastKind, BroadcastStatus, Role},
    },
    error::AppError,
    graphql::{Connection, auth, connection, handle, load_by_id, parse_id, state, viewer},
    pagination::PageRequest,
};

/// A post in 慈善共富广播: a need, an offer, an activity plan or a story.
pub struct Broadcast(pub broadcast::Model);

#[Object]
impl Broadcast {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn kind(&self) -> BroadcastKind {
        self.0.kind
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn body(&self) -> &str {
        &self.0.body
    }
    async fn org(&self, ctx: &Context<'_>) -> Result<CharityOrg> {
        load_by_id::<entities::charity_org::Entity>(ctx, self.0.org_id)
            .await?
            .map(CharityOrg)
            .ok_or_else(|| AppError::not_found("charity organisation").into())
    }
    async fn town(&self, ctx: &Context<'_>) -> Result<Option<Town>> {
        let Some(id) = self.0.town_id else {
            return Ok(None);
        };
        Ok(load_by_id::<entities::town::Entity>(ctx, id)
            .await?
            .map(Town))
    }
    async fn project(&self, ctx: &Context<'_>) -> Result<Option<CharityProject>> {
        let Some(id) = self.0.project_id else {
            return Ok(None);
        };
        Ok(load_by_id::<entities::charity_project::Entity>(ctx, id)
            .await?
            .map(CharityProject))
    }
    /// The volunteer activity it announces, if any.
    async fn activity_id(&self) -> Option<ID> {
        self.0.activity_id.map(|id| ID(id.to_string()))
    }
    async fn status(&self) -> BroadcastStatus {
        self.0.status
    }
    /// Why it was hidden: for its org's staff and ADMIN.
    async fn hidden_reason(&self, ctx: &Context<'_>) -> Option<&str> {
        let may_see = auth(ctx)
            .viewer()
            .is_ok_and(|v| v.require_org(self.0.org_id).is_ok());
        if may_see {
            self.0.hidden_reason.as_deref()
        } else {
            None
        }
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.published_at
    }
}

#[derive(InputObject)]
pub struct PostBroadcastInput {
    /// The posting org; staff may leave it out (their own org).
    org_id: Option<ID>,
    kind: BroadcastKind,
    title: String,
    body: String,
    town_id: Option<ID>,
    /// A volunteer activity of the same org that the post announces.
    activity_id: Option<ID>,
    /// A project of the same org that the post is about.
    project_id: Option<ID>,
}

impl PostBroadcastInput {
    fn parse(self, viewer: &crate::auth::Viewer) -> Result<NewBroadcast, AppError> {
        let org_id = match (&self.org_id, viewer.org_id) {
            (Some(id), _) => parse_id("orgId", id)?,
            (None, Some(own)) => own,
            (None, None) => return Err(AppError::bad_field("orgId", "orgId is required")),
        };
        let opt =
            |field: &str, id: &Option<ID>| id.as_ref().map(|id| parse_id(field, id)).transpose();
        Ok(NewBroadcast {
            org_id,
            kind: self.kind,
            title: self.title,
            body: self.body,
            town_id: opt("townId", &self.town_id)?,
            activity_id: opt("activityId", &self.activity_id)?,
            project_id: opt("projectId", &self.project_id)?,
        })
    }
}

async fn town_id(ctx: &Context<'_>, town: Option<String>) -> Result<Option<uuid::Uuid>> {
    Ok(match town {
        Some(code) => Some(catalog::town_by_code(&state(ctx).db, &code).await?.id),
        None => None,
    })
}

#[derive(Default)]
pub struct BroadcastQuery;

#[Object]
impl BroadcastQuery {
    /// The public feed: published posts, newest first, by kind and town (code, e.g. `LUXI`).
    #[graphql(complexity = "crate::graphql::page_cost(first, child_complexity)")]
    async fn broadcasts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        kind: Option<BroadcastKind>,
        town: Option<String>,
        org_id: Option<ID>,
    ) -> Result<Connection<Broadcast>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let filter = service::FeedFilter {
            kind,
            town_id: town_id(ctx, town).await?,
            org_id: org_id.map(|id| parse_id("orgId", &id)).transpose()?,
        };
        let rows = service::feed(&state(ctx).db, filter, &page).await?;
        Ok(connection(rows, &page, service::feed_cursor, Broadcast))
    }

    /// One post: published ones for anyone, others for their org's staff and ADMIN.
    async fn broadcast(&self, ctx: &Context<'_>, id: ID) -> Result<Broadcast> {
        let id = parse_id("id", &id)?;
        let viewer = auth(ctx).viewer().ok();
        Ok(Broadcast(
            service::find_visible(&state(ctx).db, viewer, id).await?,
        ))
    }

    /// Posts in any status, newest first: ADMIN's moderation queue, staff's own posts.
    #[graphql(
        guard = "RoleGuard::new(&[Role::OrgStaff, Role::Admin])",
        complexity = "crate::graphql::page_cost(first, child_complexity)"
    )]
    async fn broadcast_queue(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        status: Option<BroadcastStatus>,
        org_id: Option<ID>,
    ) -> Result<Connection<Broadcast>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let org_id = org_id.map(|id| parse_id("orgId", &id)).transpose()?;
        let rows = service::queue(&state(ctx).db, viewer(ctx)?, status, org_id, &page).await?;
        Ok(connection(rows, &page, |m| m.id.to_string(), Broadcast))
    }
}

#[derive(Default)]
pub struct BroadcastMutation;

#[Object]
impl BroadcastMutation {
    /// Post for the staff's org; it appears once ADMIN publishes it.
    #[graphql(guard = "RoleGuard::new(&[Role::OrgStaff, Role::Admin])")]
    async fn post_broadcast(
        &self,
        ctx: &Context<'_>,
        input: PostBroadcastInput,
    ) -> Result<Broadcast> {
        let viewer = viewer(ctx)?;
        let new = input.parse(viewer)?;
        Ok(Broadcast(service::post(&state(ctx).db, viewer, new).await?))
    }

    /// Publish a post to the public feed and to live subscribers.
    #[graphql(guard = "RoleGuard::new(&[Role::Admin])")]
    async fn publish_broadcast(&self, ctx: &Context<'_>, id: ID) -> Result<Broadcast> {
        let id = parse_id("id", &id)?;
        Ok(Broadcast(
            service::publish(&state(ctx).db, handle::<Feed>(ctx), viewer(ctx)?, id).await?,
        ))
    }

    /// Take a post off the public feed, with a reason its org sees.
    #[graphql(guard = "RoleGuard::new(&[Role::Admin])")]
    async fn hide_broadcast(&self, ctx: &Context<'_>, id: ID, reason: String) -> Result<Broadcast> {
        let id = parse_id("id", &id)?;
        Ok(Broadcast(
            service::hide(&state(ctx).db, viewer(ctx)?, id, &reason).await?,
        ))
    }
}

#[derive(Default)]
pub struct BroadcastSubscription;

#[Subscription]
impl BroadcastSubscription {
    /// Posts as they are published, optionally of one kind or town (code). Public; over
    /// WebSocket at `/graphql/ws` (graphql-transport-ws).
    async fn broadcast_published(
        &self,
        ctx: &Context<'_>,
        kind: Option<BroadcastKind>,
        town: Option<String>,
    ) -> Result<impl Stream<Item = Broadcast> + use<>> {
        let town_id = town_id(ctx, town).await?;
        let app = state(ctx).clone();
        let receiver = handle::<Feed>(ctx).subscribe().await;
        let ids = futures::stream::unfold(receiver, |mut rx| async move {
            loop {
                match rx.recv().await {
                    Ok(id) => return Some((id, rx)),
                    // A subscriber that fell behind skips what it missed and carries on.
                    Err(RecvError::Lagged(skipped)) => {
                        tracing::warn!(skipped, "a broadcast subscriber fell behind");
                    }
                    Err(RecvError::Closed) => return None,
                }
            }
        });
        Ok(ids
            .then(move |id| {
                let db = app.db.clone();
                async move { service::find_published(&db, id).await.ok().flatten() }
            })
            .filter_map(move |found| async move {
                found
                    .filter(|b| kind.is_none_or(|k| b.kind == k))
                    .filter(|b| town_id.is_none_or(|t| b.town_id == Some(t)))
                    .map(Broadcast)
            }))
    }
}
