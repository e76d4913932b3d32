//! The kernel every request shares: the database, the cache, the token keys, the session
//! check and the settings. It knows no area; each area's own handle (the boards, the feed,
//! the audit writer, the donation recorder) is built at the top and reaches resolvers as
//! schema data.

use std::sync::Arc;

use axum::http::HeaderMap;

use crate::{
    auth::{Auth, SessionCheck, TokenKeys},
    cache::Cache,
    config::Settings,
    db::Db,
    sms::{LoggingSms, SmsSender},
};

/// Cloned by every extractor and layer that takes it, so a clone is one reference count
/// (the fields are reached through `Deref`).
#[derive(Clone)]
pub struct AppState(Arc<Services>);

impl std::ops::Deref for AppState {
    type Target = Services;
    fn deref(&self) -> &Services {
        &self.0
    }
}

/// What every request can use.
#[derive(Clone)]
pub struct Services {
    pub db: Db,
    pub cache: Cache,
    pub keys: TokenKeys,
    pub settings: Arc<Settings>,
    pub sessions: SessionCheck,
    /// Where one-time codes and invitations are sent.
    pub sms: Arc<dyn SmsSender>,
}

impl AppState {
    /// The kernel on the settings' SMS sender: the gateway when one is configured, else
    /// the log.
    pub fn new(db: Db, cache: Cache, keys: TokenKeys, settings: Settings) -> anyhow::Result<Self> {
        let sms: Arc<dyn SmsSender> = match &settings.sms_gateway_url {
            Some(url) => Arc::new(crate::sms::HttpSms::new(
                url,
                settings.sms_gateway_token.clone(),
            )?),
            None => Arc::new(LoggingSms::default()),
        };
        Ok(Self(Arc::new(Services {
            db,
            cache,
            keys,
            settings: Arc::new(settings),
            sessions: SessionCheck::default(),
            sms,
        })))
    }

    /// The same services sending text messages through `sms` (a test reading its codes).
    pub fn with_sms(&self, sms: Arc<dyn SmsSender>) -> Self {
        Self(Arc::new(Services {
            sms,
            ..(*self.0).clone()
        }))
    }

    /// Who sent a request, from its bearer token.
    pub async fn authenticate(&self, headers: &HeaderMap) -> Auth {
        crate::auth::authenticate(&self.keys, &self.sessions, &self.db, headers).await
    }

    /// The same services speaking to another cache (background work's patient handle, a
    /// test's unreachable one).
    pub fn with_cache(&self, cache: Cache) -> Self {
        Self(Arc::new(Services {
            cache,
            ..(*self.0).clone()
        }))
    }
}
