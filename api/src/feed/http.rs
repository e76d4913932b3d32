//! The feed's HTTP endpoints: API-key authentication, a per-key rate limit (governor), ETags.

use std::{num::NonZeroU32, sync::Arc};

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter, clock::Clock};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::service;
use crate::{
    rankings::{ResponseCache, response_cache::Lookup},
    state::AppState,
};

/// Per key and per process: a burst of 30, then one request a second.
const BURST: u32 = 30;
const PER_MINUTE: u32 = 60;

#[derive(Clone)]
struct FeedState {
    app: AppState,
    limiter: Arc<DefaultKeyedRateLimiter<Uuid>>,
    responses: ResponseCache,
    /// When this process first served each body (by its ETag): the feed's `Last-Modified`.
    /// A body changes with a new edition and with a changed consent (names are resolved when
    /// read), so the time a body was first seen is when the feed last changed here.
    first_served: moka::sync::Cache<String, chrono::DateTime<chrono::Utc>>,
}

/// `Last-Modified`'s format (RFC 9110 IMF-fixdate).
fn http_date(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// `If-Modified-Since` is honoured only without `If-None-Match` (RFC 9110 §13.1.3).
fn unmodified_since(headers: &HeaderMap, last_modified: chrono::DateTime<chrono::Utc>) -> bool {
    if headers.contains_key(header::IF_NONE_MATCH) {
        return false;
    }
    headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| chrono::DateTime::parse_from_rfc2822(v).ok())
        .is_some_and(|since| last_modified.timestamp() <= since.timestamp())
}

#[derive(Clone, Copy)]
enum Format {
    Json,
    Atom,
}

/// `/feed/rankings.json` and `/feed/rankings.atom`.
pub fn router<S: Clone + Send + Sync + 'static>(
    app: AppState,
    responses: ResponseCache,
) -> Router<S> {
    let quota = Quota::per_minute(NonZeroU32::new(PER_MINUTE).expect("non-zero"))
        .allow_burst(NonZeroU32::new(BURST).expect("non-zero"));
    let state = FeedState {
        app,
        limiter: Arc::new(RateLimiter::keyed(quota)),
        responses,
        first_served: moka::sync::Cache::builder().max_capacity(64).build(),
    };
    Router::new()
        .route("/feed/rankings.json", get(json_feed))
        .route("/feed/rankings.atom", get(atom_feed))
        .with_state(state)
}

async fn json_feed(State(state): State<FeedState>, headers: HeaderMap) -> Response {
    feed(state, headers, Format::Json).await
}

async fn atom_feed(State(state): State<FeedState>, headers: HeaderMap) -> Response {
    feed(state, headers, Format::Atom).await
}

/// The key from `X-Api-Key`, or `Authorization: ApiKey <key>`.
fn presented_key(headers: &HeaderMap) -> Option<&str> {
    if let Some(key) = headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
        return Some(key.trim());
    }
    let auth = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, key) = auth.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("apikey").then(|| key.trim())
}

fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "ApiKey realm=\"rankings\"")],
        "a valid media API key is required (X-Api-Key)",
    )
        .into_response()
}

fn etag_of(body: &[u8]) -> String {
    format!("\"{}\"", &hex::encode(Sha256::digest(body))[..32])
}

/// Whether `If-None-Match` names this ETag (or is `*`); weak validators compare equal.
fn matches_etag(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == etag)
}

async fn feed(state: FeedState, headers: HeaderMap, format: Format) -> Response {
    let Some(secret) = presented_key(&headers) else {
        return unauthorized();
    };
    let key = match service::authenticate(&state.app.db, secret).await {
        Ok(Some(key)) => key,
        Ok(None) => return unauthorized(),
        Err(e) => return error_response(e.code()),
    };
    if let Err(not_until) = state.limiter.check_key(&key.id) {
        let wait = not_until.wait_time_from(state.limiter.clock().now());
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, secs.max(1).to_string())],
            "rate limit exceeded for this key",
        )
            .into_response();
    }
    let stale = key
        .last_used_at
        .is_none_or(|at| at < chrono::Utc::now() - chrono::Duration::minutes(1));
    if stale {
        let (db, id) = (state.app.db.clone(), key.id);
        tokio::spawn(async move {
            if let Err(e) = service::touch(&db, id).await {
                tracing::debug!(error = e.message(), "could not note a key's use");
            }
        });
    }

    let cache_key = match format {
        Format::Json => "feed\u{1}json",
        Format::Atom => "feed\u{1}atom",
    };
    let body = match state
        .responses
        .lookup_key(&state.app.db, &state.app.cache, cache_key.to_owned())
        .await
    {
        Lookup::Hit(body) => body,
        lookup => {
            let editions = match service::load(&state.app.db).await {
                Ok(e) => e,
                Err(e) => return error_response(e.code()),
            };
            let body = Bytes::from(match format {
                Format::Json => service::render_json(&editions),
                Format::Atom => {
                    service::render_atom(&editions, &state.app.settings.public_url()).into_bytes()
                }
            });
            if let Lookup::Miss { key, version } = lookup {
                state.responses.store(key, version, body.clone());
            }
            body
        }
    };
    let etag = etag_of(&body);
    let etag_header = HeaderValue::from_str(&etag).expect("hex is a valid header");
    // Whole seconds: the header carries no more, and a comparison must not lose to rounding.
    let last_modified = state.first_served.get_with(etag.clone(), || {
        chrono::DateTime::from_timestamp(chrono::Utc::now().timestamp(), 0).unwrap_or_default()
    });
    let last_modified_header =
        HeaderValue::from_str(&http_date(last_modified)).expect("a date is a valid header");
    if matches_etag(&headers, &etag) || unmodified_since(&headers, last_modified) {
        return (
            StatusCode::NOT_MODIFIED,
            [
                (header::ETAG, etag_header),
                (header::LAST_MODIFIED, last_modified_header),
                (
                    header::VARY,
                    HeaderValue::from_static("authorization, x-api-key"),
                ),
            ],
        )
            .into_response();
    }
    let content_type = match format {
        Format::Json => "application/json",
        Format::Atom => "application/atom+xml; charset=utf-8",
    };
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::ETAG, etag_header),
            (header::LAST_MODIFIED, last_modified_header),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            // Who may read it is decided by the key: a shared cache must not answer one key
            // with what it stored for another.
            (
                header::VARY,
                HeaderValue::from_static("authorization, x-api-key"),
            ),
        ],
        body,
    )
        .into_response()
}

fn error_response(code: &str) -> Response {
    let status = if code == "UNAVAILABLE" {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    };
    (status, code.to_owned()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_come_from_either_header() {
        let mut h = HeaderMap::new();
        h.insert("x-api-key", HeaderValue::from_static("dtm_1"));
        assert_eq!(presented_key(&h), Some("dtm_1"));
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("ApiKey dtm_2"),
        );
        assert_eq!(presented_key(&h), Some("dtm_2"));
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer x"));
        assert_eq!(presented_key(&h), None);
    }

    #[test]
    fn etags_match_strong_weak_and_lists() {
        let mut h = HeaderMap::new();
        h.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("\"a\", W/\"b\""),
        );
        assert!(matches_etag(&h, "\"b\""));
        assert!(!matches_etag(&h, "\"c\""));
    }
}
