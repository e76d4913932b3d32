//! Request rate limits per client IP and per principal (the account behind a valid token,
//! else the IP), with governor's GCRA buckets; a refusal is a GraphQL-shaped RATE_LIMITED
//! answer with `Retry-After`. Limits are per process: with N replicas behind a balancer a
//! client gets up to N times the rate (see docs/operations.md).

use std::{net::IpAddr, net::SocketAddr, sync::Arc, time::Duration};

use axum::{
    body::Body,
    extract::ConnectInfo,
    http::{Request, Response, StatusCode, header},
};
use tower_governor::{
    GovernorError, GovernorLayer,
    governor::{GovernorConfig, GovernorConfigBuilder},
    key_extractor::KeyExtractor,
};
use uuid::Uuid;

use crate::auth::TokenKeys;

/// The client address: the peer, or the first `X-Forwarded-For` hop when told to trust it.
fn client_ip<T>(req: &Request<T>, trust_forwarded: bool) -> Option<IpAddr> {
    if trust_forwarded
        && let Some(ip) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok())
    {
        return Some(ip);
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
}

#[derive(Clone, Copy)]
pub struct IpKey {
    trust_forwarded: bool,
}

impl KeyExtractor for IpKey {
    type Key = IpAddr;

    fn extract<T>(&self, req: &Request<T>) -> Result<IpAddr, GovernorError> {
        client_ip(req, self.trust_forwarded).ok_or(GovernorError::UnableToExtractKey)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Principal {
    Account(Uuid),
    Anonymous(IpAddr),
}

#[derive(Clone)]
pub struct PrincipalKey {
    keys: TokenKeys,
    trust_forwarded: bool,
}

impl KeyExtractor for PrincipalKey {
    type Key = Principal;

    fn extract<T>(&self, req: &Request<T>) -> Result<Principal, GovernorError> {
        let account = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .and_then(|t| self.keys.verify(t.trim()))
            .map(|(viewer, _)| Principal::Account(viewer.account_id));
        match account {
            Some(p) => Ok(p),
            None => client_ip(req, self.trust_forwarded)
                .map(Principal::Anonymous)
                .ok_or(GovernorError::UnableToExtractKey),
        }
    }
}

fn refusal(err: GovernorError) -> Response<Body> {
    let retry_after = match &err {
        GovernorError::TooManyRequests { wait_time, .. } => (*wait_time).max(1),
        _ => 1,
    };
    let body = serde_json::json!({
        "errors": [{
            "message": format!("too many requests; retry after {retry_after} s"),
            "extensions": { "code": "RATE_LIMITED", "retryAfterSecs": retry_after }
        }]
    });
    Response::builder()
        .status(StatusCode::TOO_MANY_REQUESTS)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::RETRY_AFTER, retry_after.to_string())
        .body(Body::from(body.to_string()))
        .expect("static response")
}

fn config<K: KeyExtractor>(
    key: K,
    per_sec: u32,
    burst: u32,
) -> Arc<GovernorConfig<K, governor::middleware::NoOpMiddleware<governor::clock::QuantaInstant>>> {
    let mut builder = GovernorConfigBuilder::default().key_extractor(key);
    builder
        .per_nanosecond((1_000_000_000 / u64::from(per_sec.max(1))).max(1))
        .burst_size(burst.max(1));
    Arc::new(builder.finish().expect("rate and burst are positive"))
}

/// Drop idle buckets now and then so the key maps stay small.
fn sweep<K, M>(config: &Arc<GovernorConfig<K, M>>)
where
    K: KeyExtractor + Send + Sync + 'static,
    K::Key: Send + Sync,
    M: governor::middleware::RateLimitingMiddleware<governor::clock::QuantaInstant>
        + Send
        + Sync
        + 'static,
{
    let limiter = config.limiter().clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            limiter.retain_recent();
        }
    });
}

pub struct RateLimitLayers {
    pub per_ip: GovernorLayer<
        IpKey,
        governor::middleware::NoOpMiddleware<governor::clock::QuantaInstant>,
        Body,
    >,
    pub per_principal: GovernorLayer<
        PrincipalKey,
        governor::middleware::NoOpMiddleware<governor::clock::QuantaInstant>,
        Body,
    >,
}

pub fn layers(
    keys: &TokenKeys,
    limits: &crate::config::Limits,
    trust_forwarded: bool,
) -> RateLimitLayers {
    let ip = config(
        IpKey { trust_forwarded },
        limits.rate_limit_ip_per_sec,
        limits.rate_limit_ip_burst,
    );
    let principal = config(
        PrincipalKey {
            keys: keys.clone(),
            trust_forwarded,
        },
        limits.rate_limit_account_per_sec,
        limits.rate_limit_account_burst,
    );
    sweep(&ip);
    sweep(&principal);
    RateLimitLayers {
        per_ip: GovernorLayer::new(ip).error_handler(refusal),
        per_principal: GovernorLayer::new(principal).error_handler(refusal),
    }
}
