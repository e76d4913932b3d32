//! The composition root: builds the kernel and each area's handle, assembles the router,
//! binds the listener and serves until told to stop. `main` and the tests start the product
//! the same way, through [`Application`].

use std::{net::SocketAddr, time::Duration};

use anyhow::Context as _;
use axum::{
    Router,
    body::Body,
    extract::DefaultBodyLimit,
    http::{HeaderName, Request},
    middleware,
    routing::get,
};
use tokio::net::TcpListener;
use tower_http::{
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer},
    trace::TraceLayer,
};

use crate::{
    auth::TokenKeys,
    cache::Cache,
    config::{Secret, Settings},
    db::{Db, PoolSettings},
    http,
    rankings::{self, ResponseCache},
    ratelimit,
    schema::{Areas, build_schema},
    seeding,
    state::AppState,
};

/// A built product, bound to its port, not yet serving.
pub struct Application {
    port: u16,
    listener: TcpListener,
    metrics: Option<TcpListener>,
    state: AppState,
    areas: Areas,
}

impl Application {
    /// Connect, migrate and seed the embedded default, start the areas' handles and
    /// background upkeep, and bind the configured address (port 0: any free port).
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let state = build_state(settings).await?;
        Self::with_state(state).await
    }

    /// The same, on a kernel built already (a test's own database schema and seeds, or a
    /// second replica on the same database).
    pub async fn with_state(state: AppState) -> anyhow::Result<Self> {
        let settings = &state.settings;
        let addr = format!("{}:{}", settings.host, settings.port);
        let listener = TcpListener::bind(&addr)
            .await
            .with_context(|| format!("binding {addr}"))?;
        let metrics = match &settings.metrics_addr {
            Some(metrics_addr) => Some(
                TcpListener::bind(metrics_addr)
                    .await
                    .with_context(|| format!("binding {metrics_addr}"))?,
            ),
            None => None,
        };
        let areas = Areas::start(&state);
        rankings::reconcile::spawn(&areas.boards, settings);
        Ok(Self {
            port: listener.local_addr()?.port(),
            listener,
            metrics,
            state,
            areas,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub fn areas(&self) -> &Areas {
        &self.areas
    }

    /// Serve until SIGTERM or Ctrl-C, finishing in-flight requests.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        tracing::info!(port = self.port, "listening; GraphQL at /graphql");
        if let Some(metrics) = self.metrics {
            tracing::info!(addr = ?metrics.local_addr().ok(), "metrics at /metrics");
            tokio::spawn(serve(
                metrics,
                http::ops::metrics_router(self.state.clone()),
            ));
        }
        serve(self.listener, router(self.state, &self.areas)).await
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
    crate::rankings::totals::ensure_built(&db)
        .await
        .map_err(|e| e.into_anyhow().context("building the ranking totals"))?;
    let cache = match &settings.redis_url {
        // Connected on first use: a replica (re)started during a Redis outage serves rankings
        // from the database and picks Redis up when it is back, instead of staying down.
        Some(url) => {
            let cache = Cache::redis_at(
                url,
                settings.redis_tls_ca()?.as_deref(),
                &settings.redis_key_prefix,
                settings.redis_timeout(),
            )
            .context("the Redis URL")?;
            if let Err(error) = cache.ping().await {
                tracing::warn!(%error, "Redis is unreachable: serving rankings from the database until it is back");
            }
            cache
        }
        None => Cache::in_process(&settings.redis_key_prefix),
    };
    tracing::info!(backend = ?db.backend(), cache = cache.backend_name(), "state ready");
    let keys = TokenKeys::new(secret.expose().as_bytes(), settings.access_token_ttl_secs);
    let state = AppState::new(db, cache, keys, settings)?;
    tracing::info!(to = %state.sms.describe(), "text messages go to");
    Ok(state)
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

/// Link previews of the public pages named by data: a project by its name and what it is
/// for, an activity by its title, time and place. Anything else (or not found) gets none.
fn describe_public_pages(db: Db) -> http::client::Describe {
    use sea_orm::EntityTrait;

    use crate::entities::{activity, charity_project};
    std::sync::Arc::new(move |path: &str| {
        let db = db.clone();
        let target = path
            .strip_prefix("/projects/")
            .map(|id| (true, id))
            .or_else(|| path.strip_prefix("/activities/").map(|id| (false, id)))
            .and_then(|(project, id)| Some((project, uuid::Uuid::parse_str(id).ok()?)));
        Box::pin(async move {
            let preview = match target? {
                (true, id) => {
                    let p = charity_project::Entity::find_by_id(id)
                        .one(&db.conn)
                        .await
                        .ok()??;
                    http::client::Preview {
                        title: format!("{} · 阳光慈善", p.name),
                        description: format!(
                            "{}（筹款、款物流向与监督答复，公开可查）",
                            p.description
                        ),
                    }
                }
                (false, id) => {
                    let a = activity::Entity::find_by_id(id)
                        .one(&db.conn)
                        .await
                        .ok()??;
                    let starts = a
                        .starts_at
                        .with_timezone(&crate::district_time::DISTRICT_TZ);
                    http::client::Preview {
                        title: format!("{} · 志愿服务活动", a.title),
                        description: format!(
                            "{} {}，{}。{}",
                            starts.format("%Y-%m-%d %H:%M"),
                            a.place,
                            format_args!("名额 {}", a.capacity),
                            a.description
                        ),
                    }
                }
            };
            Some(preview)
        })
    })
}

/// Every route of the product, on the kernel and the areas' handles.
pub fn router(state: AppState, areas: &Areas) -> Router {
    let schema = build_schema(state.clone(), areas);
    let client = http::client::service(
        state.settings.client_dir.as_deref(),
        &state.settings.data_dir,
        describe_public_pages(state.db.clone()),
    );
    let limits = &state.settings.limits;
    let rate = ratelimit::layers(&state.keys, limits, state.settings.trusted_proxy_count());
    let graphql_route = Router::new()
        .route(
            "/graphql",
            get(http::graphql::graphiql).post(http::graphql::graphql),
        )
        // The configured limit, not axum's 2 MiB default for a `Bytes` body, is the real one:
        // it refuses an oversized body (by its Content-Length, before a byte is read) and
        // answers as GraphQL.
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(limits.max_body_bytes))
        .layer(middleware::map_response_with_state(
            state.clone(),
            http::graphql::body_limit_as_graphql,
        ))
        .layer(rate.per_principal);
    let subscriptions = http::subscriptions::route(
        http::subscriptions::SubscriptionExecutor {
            schema: schema.clone(),
            db: state.db.clone(),
        },
        http::subscriptions::SocketLimits::from(limits),
    );
    let responses = ResponseCache::new();
    // Per-IP limits guard the API, not the app's own files (installing the PWA fetches ~130
    // at once, and phones behind one carrier address share an IP) nor the health checks.
    // Every request gets an answer within the bound, whatever it waits on; a WebSocket's
    // upgrade answers at once and the socket lives on beyond it.
    let request_timeout = Duration::from_secs(state.settings.request_timeout_secs);
    let api =
        Router::new()
            .merge(graphql_route)
            .merge(crate::feed::router(state.clone(), responses.clone()))
            .merge(crate::exports::routes())
            .layer(
                tower::ServiceBuilder::new()
                    .layer(axum::error_handling::HandleErrorLayer::new(
                        move |_: tower::BoxError| async move {
                            http::graphql::timed_out(request_timeout)
                        },
                    ))
                    .timeout(request_timeout),
            )
            .merge(subscriptions)
            .layer(rate.per_ip);
    Router::new()
        .merge(api)
        .route("/healthz", get(http::ops::healthz))
        .route("/readyz", get(http::ops::readyz))
        .route("/metrics", get(http::ops::metrics_endpoint))
        .fallback_service(client)
        .layer(axum::Extension(schema))
        .layer(axum::Extension(responses))
        .layer(middleware::from_fn(http::ops::track_metrics))
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

/// Serve until SIGTERM or Ctrl-C, finishing in-flight requests.
async fn serve(listener: TcpListener, app: Router) -> std::io::Result<()> {
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
