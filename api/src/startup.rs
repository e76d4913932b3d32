//! Builds the state and the router, binds the listener, serves until told to stop.

use std::{
    net::SocketAddr,
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::Context as _;
use async_graphql::http::GraphiQLSource;
use async_graphql::{BatchRequest, BatchResponse};
use async_graphql_axum::GraphQLResponse;
use axum::{
    Router,
    body::Body,
    extract::{DefaultBodyLimit, MatchedPath, State},
    http::{HeaderMap, HeaderName, Request, StatusCode, header},
    middleware::{self, Next},
    response::{Html, IntoResponse, Json, Response},
    routing::get,
};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;
use tower_http::{
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer},
    trace::TraceLayer,
};

use crate::{
    auth::{Auth, SessionCheck, TokenKeys},
    cache::Cache,
    config::{Secret, Settings},
    db::{Db, PoolSettings},
    graphql::{AppSchema, add_missing_codes, build_schema, register_loaders},
    rankings::{ResponseCache, response_cache::Lookup},
    ratelimit, seeding,
};

/// Shared by every request; cloned by every extractor and layer that takes it, so a clone
/// is one reference count (the fields are reached through `Deref`).
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
    /// Newly published broadcasts, fanned out to live subscribers (via Redis when set).
    pub feed: crate::broadcast::Feed,
    /// Keeps the ranking sets in Redis equal to the database through outages.
    pub upkeep: crate::rankings::Upkeep,
    /// Appends audit entries by group commit.
    pub audit: crate::audit::service::Writer,
    /// Records donations by group commit.
    pub donations: crate::donations::batch::Recorder,
}

impl AppState {
    /// The same services speaking to another cache (background work's patient handle, a
    /// test's unreachable one).
    pub fn with_cache(&self, cache: Cache) -> Self {
        Self(Arc::new(Services {
            cache,
            ..(*self.0).clone()
        }))
    }

    pub fn new(db: Db, cache: Cache, keys: TokenKeys, settings: Settings) -> Self {
        Self(Arc::new(Services {
            audit: crate::audit::service::Writer::start(db.clone()),
            // SQLite has one writer, so a second open batch would only queue for it.
            donations: crate::donations::batch::Recorder::start(if db.is_postgres() {
                settings.donation_batches
            } else {
                1
            }),
            db,
            feed: crate::broadcast::Feed::new(cache.clone()),
            cache,
            keys,
            settings: Arc::new(settings),
            sessions: SessionCheck::default(),
            upkeep: crate::rankings::Upkeep::default(),
        }))
    }
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
            .map_err(|e| e.into_anyhow().context("seeding the embedded database"))?;
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
    let keys = TokenKeys::new(secret.expose().as_bytes(), settings.access_token_ttl_secs);
    Ok(AppState::new(db, cache, keys, settings))
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
    let client = crate::http::client::service(&state.settings.client_dir);
    let limits = &state.settings.limits;
    let rate = ratelimit::layers(&state.keys, limits, state.settings.trusted_proxy_count());
    let graphql_route = Router::new()
        .route("/graphql", get(graphiql).post(graphql))
        // The configured limit, not axum's 2 MiB default for a `Bytes` body, is the real one:
        // it refuses an oversized body (by its Content-Length, before a byte is read) and
        // answers as GraphQL.
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(limits.max_body_bytes))
        .layer(middleware::map_response_with_state(
            state.clone(),
            body_limit_as_graphql,
        ))
        .layer(rate.per_principal);
    let subscriptions = crate::http::subscriptions::route(
        crate::http::subscriptions::SubscriptionExecutor {
            schema: schema.clone(),
            db: state.db.clone(),
        },
        crate::http::subscriptions::SocketLimits::from(limits),
    );
    let responses = ResponseCache::new();
    crate::rankings::reconcile::spawn(state.clone());
    // Per-IP limits guard the API, not the app's own files (installing the PWA fetches ~130
    // at once, and phones behind one carrier address share an IP) nor the health checks.
    // Every request gets an answer within the bound, whatever it waits on; a WebSocket's
    // upgrade answers at once and the socket lives on beyond it.
    let request_timeout = Duration::from_secs(state.settings.request_timeout_secs);
    let api = Router::new()
        .merge(graphql_route)
        .merge(crate::feed::router(state.clone(), responses.clone()))
        .merge(crate::exports::routes())
        .layer(
            tower::ServiceBuilder::new()
                .layer(axum::error_handling::HandleErrorLayer::new(
                    move |_: tower::BoxError| async move { timed_out(request_timeout) },
                ))
                .timeout(request_timeout),
        )
        .merge(subscriptions)
        .layer(rate.per_ip);
    Router::new()
        .merge(api)
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
    axum::Extension(response_cache): axum::Extension<ResponseCache>,
    headers: HeaderMap,
    request_id: Option<axum::Extension<RequestId>>,
    body: axum::body::Bytes,
) -> Response {
    let limits = &state.settings.limits;
    if let Err(refusal) = cross_site_guard(&headers) {
        return refusal;
    }
    let auth = authenticate(&state, &headers).await;
    // Public board reads are answered from the response cache while the board is unchanged;
    // a cached body was accepted under the same limits when it was first executed.
    let lookup = response_cache.lookup_body(&state.cache, &auth, &body).await;
    if let Lookup::Hit(body) = lookup {
        metrics::counter!("graphql_response_cache_hits_total").increment(1);
        return crate::rankings::response_cache::json(body);
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let batch = match async_graphql::http::receive_batch_body(
        content_type,
        body.as_ref(),
        async_graphql::http::MultipartOptions::default(),
    )
    .await
    {
        Ok(batch) => batch,
        Err(e) => return refused(format!("unreadable GraphQL request: {e}")),
    };
    let requests = match batch {
        BatchRequest::Single(r) => vec![r],
        BatchRequest::Batch(rs) => rs,
    };
    if requests.len() > limits.max_batch {
        return refused(format!(
            "a batch may hold at most {} operations",
            limits.max_batch
        ));
    }
    if let Some(r) = requests
        .iter()
        .find(|r| r.query.len() > limits.max_query_bytes)
    {
        return refused(format!(
            "query of {} bytes exceeds the limit of {} bytes",
            r.query.len(),
            limits.max_query_bytes
        ));
    }
    let request_id = request_id
        .and_then(|id| id.header_value().to_str().ok().map(str::to_owned))
        .unwrap_or_default();
    let single = requests.len() == 1;
    let batch_size = crate::graphql::BatchSize(requests.len());
    let operations: Vec<String> = requests
        .iter()
        .map(|r| {
            operation_label(
                r.operation_name
                    .as_deref()
                    .or_else(|| named_operation(&r.query)),
            )
        })
        .collect();
    let started = Instant::now();
    let prepared: Vec<async_graphql::Request> = requests
        .into_iter()
        .map(|mut r| {
            normalise_variables(&mut r.variables);
            register_loaders(r, &state.db)
                .data(auth.clone())
                .data(RequestIdValue(request_id.clone()))
                .data(batch_size)
        })
        .collect();
    let batch = if single {
        BatchRequest::Single(prepared.into_iter().next().expect("one request"))
    } else {
        BatchRequest::Batch(prepared)
    };
    let mut response = schema.execute_batch(batch).await;
    let elapsed = started.elapsed().as_secs_f64();
    let responses: Vec<&mut async_graphql::Response> = match &mut response {
        BatchResponse::Single(r) => vec![r],
        BatchResponse::Batch(rs) => rs.iter_mut().collect(),
    };
    for (r, operation) in responses.into_iter().zip(operations) {
        add_missing_codes(r);
        metrics::histogram!("graphql_operation_duration_seconds", "operation" => operation.clone())
            .record(elapsed);
        for error in &r.errors {
            let code = error
                .extensions
                .as_ref()
                .and_then(|e| e.get("code"))
                .map(|v| v.to_string().trim_matches('"').to_owned())
                .unwrap_or_default();
            metrics::counter!("graphql_errors_total", "operation" => operation.clone(), "code" => code)
                .increment(1);
        }
    }
    match response {
        BatchResponse::Single(single) => response_cache.finish(lookup, single),
        batch => GraphQLResponse::from(batch).into_response(),
    }
}

/// The name in `query Name {...}` when the client did not send `operationName`.
fn named_operation(query: &str) -> Option<&str> {
    let mut words = query
        .lines()
        .map(|l| l.split('#').next().unwrap_or(""))
        .flat_map(|l| l.split(|c: char| c.is_whitespace() || c == '{' || c == '('))
        .filter(|w| !w.is_empty());
    match words.next()? {
        "query" | "mutation" | "subscription" => words.next(),
        _ => None,
    }
}

/// A metrics label for the operation name: client-chosen, so sanitised and capped in
/// number, or one client could grow the label set without end.
fn operation_label(name: Option<&str>) -> String {
    static SEEN: std::sync::LazyLock<std::sync::Mutex<std::collections::HashSet<String>>> =
        std::sync::LazyLock::new(Default::default);
    let Some(name) = name.filter(|n| {
        !n.is_empty() && n.len() <= 64 && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    }) else {
        return "anonymous".into();
    };
    let mut seen = SEEN.lock().expect("operation label set");
    if seen.contains(name) || seen.len() < 500 {
        seen.insert(name.to_owned());
        name.to_owned()
    } else {
        "other".into()
    }
}

/// Browsers send `text/plain`, form-encoded and multipart bodies across sites without
/// asking first, so those could trigger a mutation from another site with the visitor's
/// cookies or network position. GraphQL is accepted as `application/json`, or as multipart
/// (file uploads) only with a header a plain form cannot set, as Apollo's CSRF prevention
/// does.
#[allow(clippy::result_large_err)]
fn cross_site_guard(headers: &HeaderMap) -> Result<(), Response> {
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    match media_type.as_str() {
        "application/json" | "application/graphql-response+json" => Ok(()),
        "multipart/form-data"
            if ["apollo-require-preflight", "x-apollo-operation-name"]
                .iter()
                .any(|h| headers.get(*h).is_some_and(|v| !v.is_empty())) =>
        {
            Ok(())
        }
        "multipart/form-data" => Err(refused_with(
            StatusCode::BAD_REQUEST,
            "Apollo-Require-Preflight",
            "a multipart upload needs the header `Apollo-Require-Preflight: true` (cross-site request protection)".into(),
        )),
        _ => Err(refused_with(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type",
            "send GraphQL requests as `Content-Type: application/json` (uploads as multipart with `Apollo-Require-Preflight: true`)".into(),
        )),
    }
}

/// A request that outlived `--request-timeout-secs`: retryable, shaped like any GraphQL error.
fn timed_out(after: Duration) -> Response {
    let body = serde_json::json!({
        "errors": [{
            "message": format!("no answer within {} s; retry later", after.as_secs()),
            "extensions": { "code": "UNAVAILABLE", "retryable": true }
        }]
    });
    (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
}

/// A refusal before execution, shaped like any GraphQL error and naming what to fix.
fn refused_with(status: StatusCode, field: &str, message: String) -> Response {
    let body = serde_json::json!({
        "errors": [{ "message": message, "extensions": { "code": "BAD_USER_INPUT", "field": field } }]
    });
    (status, Json(body)).into_response()
}

/// The body limit's own answer is plain text; a client reads every refusal as GraphQL.
async fn body_limit_as_graphql(State(state): State<AppState>, response: Response) -> Response {
    if response.status() != StatusCode::PAYLOAD_TOO_LARGE {
        return response;
    }
    let limit = state.settings.limits.max_body_bytes;
    refused_with(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body",
        format!(
            "the request body is larger than {limit} bytes; send a smaller file or split the import"
        ),
    )
}

fn refused(message: String) -> Response {
    let mut error = async_graphql::ServerError::new(message, None);
    let mut ext = async_graphql::ErrorExtensionValues::default();
    ext.set("code", "BAD_USER_INPUT");
    error.extensions = Some(ext);
    GraphQLResponse::from(async_graphql::Response::from_errors(vec![error])).into_response()
}

/// Text arrives in NFC so that the same name typed on two phones compares equal.
fn normalise_variables(variables: &mut async_graphql::Variables) {
    use async_graphql::Value;
    use unicode_normalization::UnicodeNormalization;
    fn walk(value: &mut Value) {
        match value {
            Value::String(s) if !unicode_normalization::is_nfc(s) => {
                *s = s.nfc().collect();
            }
            Value::List(items) => items.iter_mut().for_each(walk),
            Value::Object(map) => map.values_mut().for_each(walk),
            _ => {}
        }
    }
    for value in variables.values_mut() {
        walk(value);
    }
}

/// The request id, for the audit log.
#[derive(Clone, Debug)]
pub struct RequestIdValue(pub String);

pub(crate) async fn authenticate(state: &AppState, headers: &HeaderMap) -> Auth {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Auth::Anonymous;
    };
    let token = value.to_str().ok().and_then(|v| {
        v.strip_prefix("Bearer ")
            .or_else(|| v.strip_prefix("bearer "))
    });
    let Some((viewer, issued_at)) = token.and_then(|t| state.keys.verify(t.trim())) else {
        return Auth::Invalid;
    };
    match state
        .sessions
        .is_current(&state.db, viewer.account_id, issued_at)
        .await
    {
        Ok(true) => Auth::Viewer(viewer),
        Ok(false) => Auth::Invalid,
        Err(err) => {
            // The token is genuine but the database cannot say whether its session still
            // stands: the client must retry, not sign the person out.
            tracing::warn!(error = ?err, "could not check the session");
            Auth::Unverifiable
        }
    }
}

async fn graphiql(State(state): State<AppState>) -> Response {
    if state.settings.playground_enabled() {
        Html(GraphiQLSource::build().endpoint("/graphql").finish()).into_response()
    } else {
        (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "POST")],
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
async fn metrics_endpoint(State(state): State<AppState>, headers: HeaderMap) -> Response {
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
