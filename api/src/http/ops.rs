//! What operators and load balancers ask of a process: liveness, readiness (the database
//! answers; a lost cache degrades but does not stop answers), and Prometheus metrics.

use std::time::Instant;

use axum::{
    Router,
    body::Body,
    extract::{MatchedPath, State},
    http::{HeaderMap, Request, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Json, Response},
    routing::get,
};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::state::AppState;

pub async fn healthz() -> &'static str {
    "ok"
}

/// How long readiness waits for a pooled connection: a balancer's health check must not
/// time out behind a pool that is busy serving requests.
const READY_WAIT: std::time::Duration = std::time::Duration::from_millis(500);

pub async fn readyz(State(state): State<AppState>) -> Response {
    let (database, cache) = tokio::join!(
        async {
            match tokio::time::timeout(READY_WAIT, state.db.ping()).await {
                Ok(Ok(())) => "up",
                Ok(Err(_)) => "down",
                // Every connection is at work: the database answers, the queue is long.
                Err(_) if state.db.pool_saturated() => "busy",
                Err(_) => "down",
            }
        },
        state.cache.ping()
    );
    let cache = cache.is_ok();
    let status = if database == "down" {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    // A lost cache degrades answers but does not stop them, so it does not fail readiness.
    (
        status,
        Json(serde_json::json!({
            "database": database,
            "cache": if cache { "up" } else { "down" },
            "cacheBackend": state.cache.backend_name(),
        })),
    )
        .into_response()
}

fn prometheus() -> &'static PrometheusHandle {
    static HANDLE: std::sync::OnceLock<PrometheusHandle> = std::sync::OnceLock::new();
    HANDLE.get_or_init(|| {
        // Histograms with buckets (not summaries): they add up across replicas and a
        // quantile can be taken over any window in Prometheus.
        PrometheusBuilder::new()
            .set_buckets(&[
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ])
            .expect("buckets are given")
            .install_recorder()
            .expect("the metrics recorder is installed once")
    })
}

/// `/metrics` alone, for `--metrics-addr`: an address only the monitoring can reach.
pub fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(render_metrics))
        .with_state(state)
}

/// Metrics name routes, operations and pool sizes: for the operators, not the public. On the
/// public port they need the configured token; without one only the embedded default (a
/// developer's machine) shows them.
pub async fn metrics_endpoint(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let settings = &state.settings;
    if settings.metrics_addr.is_some() {
        return StatusCode::NOT_FOUND.into_response();
    }
    let allowed = match &settings.metrics_token {
        Some(token) => headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|sent| {
                use subtle::ConstantTimeEq;
                bool::from(sent.trim().as_bytes().ct_eq(token.expose().as_bytes()))
            }),
        None => settings.is_embedded(),
    };
    if !allowed {
        return (
            StatusCode::UNAUTHORIZED,
            "metrics need `Authorization: Bearer <METRICS_TOKEN>`, or are served on METRICS_ADDR",
        )
            .into_response();
    }
    render_metrics(State(state)).await.into_response()
}

async fn render_metrics(State(state): State<AppState>) -> String {
    let (size, idle) = state.db.pool_usage();
    metrics::gauge!("db_pool_connections", "state" => "idle").set(idle as f64);
    metrics::gauge!("db_pool_connections", "state" => "in_use")
        .set((size as usize).saturating_sub(idle) as f64);
    metrics::gauge!("db_pool_max_connections").set(f64::from(state.settings.db_max_connections));
    prometheus().render()
}

pub async fn track_metrics(req: Request<Body>, next: Next) -> Response {
    prometheus();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "static".into());
    let started = Instant::now();
    let response = next.run(req).await;
    let labels = [
        ("route", route),
        ("status", response.status().as_u16().to_string()),
    ];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}
