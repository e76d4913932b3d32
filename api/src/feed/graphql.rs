//! ADMIN issues, lists and revokes MEDIA API keys.

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::service;
use crate::{
    auth::RoleGuard,
    entities::{api_key, enums::Role},
    graphql::{parse_id, state, viewer},
};

/// A MEDIA API key, without its secret (only a hash of it is kept).
pub struct MediaApiKey(api_key::Model);

#[Object]
impl MediaApiKey {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The first characters of the secret, to tell keys apart.
    async fn key_prefix(&self) -> &str {
        &self.0.key_prefix
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_used_at
    }
}

/// A new key and its secret: shown this once. Send it as `X-Api-Key`.
#[derive(SimpleObject)]
pub struct IssuedMediaApiKey {
    key: MediaApiKey,
    secret: String,
}

#[derive(Default)]
pub struct FeedQuery;

#[Object]
impl FeedQuery {
    /// Every MEDIA API key (ADMIN).
    #[graphql(guard = "RoleGuard::new(&[Role::Admin])")]
    async fn media_api_keys(&self, ctx: &Context<'_>) -> Result<Vec<MediaApiKey>> {
        Ok(service::list(&state(ctx).db)
            .await?
            .into_iter()
            .map(MediaApiKey)
            .collect())
    }
}

#[derive(Default)]
pub struct FeedMutation;

#[Object]
impl FeedMutation {
    /// Issue a key for a media outlet to read the ranking feed (ADMIN).
    #[graphql(guard = "RoleGuard::new(&[Role::Admin])")]
    async fn issue_media_api_key(
        &self,
        ctx: &Context<'_>,
        name: String,
    ) -> Result<IssuedMediaApiKey> {
        let issued = service::issue(&state(ctx).db, viewer(ctx)?, &name).await?;
        Ok(IssuedMediaApiKey {
            key: MediaApiKey(issued.key),
            secret: issued.secret,
        })
    }

    /// Revoke a key; the feed refuses it from the next request on (ADMIN).
    #[graphql(guard = "RoleGuard::new(&[Role::Admin])")]
    async fn revoke_media_api_key(&self, ctx: &Context<'_>, id: ID) -> Result<MediaApiKey> {
        let id = parse_id("id", &id)?;
        Ok(MediaApiKey(
            service::revoke(&state(ctx).db, viewer(ctx)?, id).await?,
        ))
    }
}
