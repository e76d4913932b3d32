//! Builds the state and the router, binds the listener, serves until told to stop.

use std::{net::SocketAddr, sync::Arc, time::Instant};

use anyhow::Context as _;
use async_graphql::http::GraphiQLSource;
use axum::{
    Router,
    body::Body,
    extract::{MatchedPath, State},
    http::{HeaderMap, HeaderName, Request, StatusCode, header},
    middleware::{self, Next},
    response::{Html, IntoResponse, Json, Response},
    routing::get,
};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer},
    services::{ServeDir, ServeFile},
    trace::TraceLayer,
};

use crate::{
    auth::{Auth, TokenKeys},
    cache::Cache,
    config::{Secret, Settings},
    db::{Db, PoolSettings},
    graphql::{AppSchema, build_schema, register_loaders},
    rankings::{ResponseCache, response_cache::Lookup},
    seeding,
};

/// Shared by every request; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub cache: Cache,
    pub keys: TokenKeys,
    pub settings: Arc<Settings>,
}

static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Connect to the database and cache the settings name, preparing the embedded default.
pub async fn build_state(settings: Settings) -> anyhow::Result<AppState> {
    if settings.is_embedded() {
        std::fs::create_dir_all(&settings.data_dir)
            .with_context(|| format!("creating {}", settings.data_dir.display()))?;
    }
    let secret = jwt_secret(&settings)?;
    let db = Db::connect(
        &settings.database_url(),
        PoolSettings::from_settings(&settings),
    )
    .await
    .context("connecting to the database")?;
    if settings.is_embedded() {
        db.migrate()
            .await
            .context("migrating the embedded database")?;
        seeding::seed_if_empty(&db, &settings.seeds_dir)
            .await
            .map_err(|e| anyhow::anyhow!("seeding the embedded database: {}", e.message()))?;
    } else if db.has_pending_migrations().await? {
        anyhow::bail!("the database has pending migrations; run `api migrate` first");
    }
    let cache = match &settings.redis_url {
        Some(url) => Cache::redis(url, &settings.redis_key_prefix, settings.redis_timeout())
            .await
            .context("connecting to Redis")?,
        None => Cache::in_process(&settings.redis_key_prefix),
    };
    tracing::info!(backend = ?db.backend(), cache = cache.backend_name(), "state ready");
    Ok(AppState {
        db,
        cache,
        keys: TokenKeys::new(secret.expose().as_bytes(), settings.access_token_ttl_secs),
        settings: Arc::new(settings),
    })
}

/// The configured secret; in the embedded default, one generated once and kept in the data dir.
fn jwt_secret(settings: &Settings) -> anyhow::Result<Secret> {
    if let Some(secret) = &settings.jwt_secret {
        anyhow::ensure!(
            secret.expose().len() >= 32,
            "JWT_SECRET must be at least 32 characters"
        );
        return Ok(secret.clone());
    }
    anyhow::ensure!(
        settings.is_embedded(),
        "JWT_SECRET is required when DATABASE_URL is set"
    );
    let path = settings.data_dir.join("jwt-secret");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        return Ok(Secret::new(existing.trim()));
    }
    let generated = hex::encode(rand::random::<[u8; 32]>());
    std::fs::write(&path, &generated).with_context(|| format!("writing {}", path.display()))?;
    Ok(Secret::new(generated))
}

pub fn router(state: AppState) -> Router {
    let schema = build_schema(state.clone());
    let client_dir = state.settings.client_dir.clone();
    let client = ServeDir::new(&client_dir).fallback(ServeFile::new(client_dir.join("index.html")));
    let responses = ResponseCache::new();
    Router::new()
        .route("/graphql", get(graphiql).post(graphql))
        .merge(crate::feed::router(state.clone(), responses.clone()))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_endpoint))
        .fallback_service(client)
        .layer(axum::Extension(schema))
        .layer(axum::Extension(responses))
        .layer(middleware::from_fn(track_metrics))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<Body>| {
            let request_id = req
                .extensions()
                .get::<RequestId>()
                .and_then(|id| id.header_value().to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), uri = %req.uri().path(), request_id)
        }))
        .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), MakeRequestUuid))
        .with_state(state)
}

async fn graphql(
    State(state): State<AppState>,
    axum::Extension(schema): axum::Extension<AppSchema>,
    axum::Extension(responses): axum::Extension<ResponseCache>,
    headers: HeaderMap,
    request_id: Option<axum::Extension<RequestId>>,
    body: axum::body::Bytes,
) -> Response {
    let auth = authenticate(&state, &headers);
    // Public board reads are answered from the response cache while the board is unchanged.
    let lookup = responses.lookup_body(&state.cache, &auth, &body).await;
    if let Lookup::Hit(body) = lookup {
        return crate::rankings::response_cache::json(body);
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let request = match async_graphql::http::receive_body(
        content_type,
        body.as_ref(),
        async_graphql::http::MultipartOptions::default(),
    )
    .await
    {
        Ok(request) => request,
        Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    };
    let request_id = request_id
        .and_then(|id| id.header_value().to_str().ok().map(str::to_owned))
        .unwrap_or_default();
    let request = register_loaders(request, &state.db)
        .data(auth)
        .data(RequestIdValue(request_id));
    responses.finish(lookup, schema.execute(request).await)
}

/// The request id, for the audit log.
#[derive(Clone, Debug)]
pub struct RequestIdValue(pub String);

fn authenticate(state: &AppState, headers: &HeaderMap) -> Auth {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Auth::Anonymous;
    };
    let token = value.to_str().ok().and_then(|v| {
        v.strip_prefix("Bearer ")
            .or_else(|| v.strip_prefix("bearer "))
    });
    match token.and_then(|t| state.keys.verify(t.trim())) {
        Some((viewer, _issued_at)) => Auth::Viewer(viewer),
        None => Auth::Invalid,
    }
}

async fn graphiql(State(state): State<AppState>) -> Response {
    if state.settings.playground_enabled() {
        Html(GraphiQLSource::build().endpoint("/graphql").finish()).into_response()
    } else {
        (
            StatusCode::METHOD_NOT_ALLOWED,
            "send GraphQL requests with POST",
        )
            .into_response()
    }
}

async fn readyz(State(state): State<AppState>) -> Response {
    let database = state.db.ping().await.is_ok();
    let cache = state.cache.ping().await.is_ok();
    let status = if database {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    // A lost cache degrades answers but does not stop them, so it does not fail readiness.
    (
        status,
        Json(serde_json::json!({
            "database": if database { "up" } else { "down" },
            "cache": if cache { "up" } else { "down" },
            "cacheBackend": state.cache.backend_name(),
        })),
    )
        .into_response()
}

fn prometheus() -> &'static PrometheusHandle {
    static HANDLE: std::sync::OnceLock<PrometheusHandle> = std::sync::OnceLock::new();
    HANDLE.get_or_init(|| {
        PrometheusBuilder::new()
            .install_recorder()
            .expect("the metrics recorder is installed once")
    })
}

async fn metrics_endpoint() -> String {
    prometheus().render()
}

async fn track_metrics(req: Request<Body>, next: Next) -> Response {
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

/// Serve until SIGTERM or Ctrl-C, finishing in-flight requests.
pub async fn serve(listener: TcpListener, app: Router) -> std::io::Result<()> {
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut sig) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            sig.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
