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

/// The client address. Each trusted proxy appends the address it received the request from
/// to `X-Forwarded-For`, so with `trusted_proxies` of them the client is that many entries
/// from the right end (every header line taken in order as one list). Entries further left
/// were written by the client itself and prove nothing; a list too short to have passed
/// every proxy falls back to the TCP peer.
fn client_ip<T>(req: &Request<T>, trusted_proxies: usize) -> Option<IpAddr> {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    client_ip_of(peer, req.headers(), trusted_proxies)
}

/// The client address from the TCP peer and the forwarding headers (see [`client_ip`]).
pub fn client_ip_of(
    peer: Option<IpAddr>,
    headers: &axum::http::HeaderMap,
    trusted_proxies: usize,
) -> Option<IpAddr> {
    if trusted_proxies == 0 {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    hops.len()
        .checked_sub(trusted_proxies)
        .and_then(|i| hops[i].parse().ok())
        .or(peer)
}

/// The client address of the request a resolver runs for (limits that count per address,
/// such as text messages sent).
#[derive(Clone, Copy, Debug)]
pub struct ClientIp(pub Option<IpAddr>);

#[derive(Clone, Copy)]
pub struct IpKey {
    trusted_proxies: usize,
}

impl KeyExtractor for IpKey {
    type Key = IpAddr;

    fn extract<T>(&self, req: &Request<T>) -> Result<IpAddr, GovernorError> {
        client_ip(req, self.trusted_proxies).ok_or(GovernorError::UnableToExtractKey)
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
    trusted_proxies: usize,
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
            None => client_ip(req, self.trusted_proxies)
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
    trusted_proxies: usize,
) -> RateLimitLayers {
    let ip = config(
        IpKey { trusted_proxies },
        limits.rate_limit_ip_per_sec,
        limits.rate_limit_ip_burst,
    );
    let principal = config(
        PrincipalKey {
            keys: keys.clone(),
            trusted_proxies,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn request(forwarded: &[&str]) -> Request<()> {
        let mut builder = Request::builder();
        for line in forwarded {
            builder = builder.header("x-forwarded-for", *line);
        }
        let mut req = builder.body(()).unwrap();
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([10, 0, 0, 9], 443))));
        req
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn the_client_written_left_end_is_never_believed() {
        // The client wrote 1.2.3.4; our one balancer appended the address it saw.
        let req = request(&["1.2.3.4, 203.0.113.7"]);
        assert_eq!(client_ip(&req, 1), ip("203.0.113.7"));
        assert_eq!(client_ip(&req, 0), ip("10.0.0.9"), "no proxy: the peer");
    }

    #[test]
    fn with_two_proxies_the_client_is_second_from_the_right_across_header_lines() {
        let req = request(&["6.6.6.6", "203.0.113.7, 10.0.0.2"]);
        assert_eq!(client_ip(&req, 2), ip("203.0.113.7"));
    }

    #[test]
    fn a_list_shorter_than_the_proxies_or_unreadable_falls_back_to_the_peer() {
        assert_eq!(client_ip(&request(&["203.0.113.7"]), 2), ip("10.0.0.9"));
        assert_eq!(client_ip(&request(&["not-an-ip"]), 1), ip("10.0.0.9"));
        assert_eq!(client_ip(&request(&[]), 1), ip("10.0.0.9"));
    }
}
