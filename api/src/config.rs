//! Settings from flags and environment; secrets never reach a log line.

use std::{fmt, path::PathBuf, time::Duration};

use clap::{Args, ValueEnum};

/// Everything the service can be told, by flag or by environment variable.
#[derive(Args, Clone, Debug)]
pub struct Settings {
    /// PostgreSQL or SQLite URL; unset means the embedded SQLite file under `--data-dir`.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Redis URL for the shared cache (`redis://`, `rediss://` for TLS, or
    /// `redis+sentinel://host:port,host:port/service` for the master Sentinel names); unset
    /// means an in-process cache.
    #[arg(long, env = "REDIS_URL", global = true)]
    pub redis_url: Option<String>,

    /// A PEM file of the certificate authority to trust for a `rediss://` Redis (else the
    /// system's roots).
    #[arg(long, env = "REDIS_TLS_CA_FILE", global = true)]
    pub redis_tls_ca_file: Option<PathBuf>,

    /// Prefix for every Redis key, so several deployments (or tests) can share one Redis.
    #[arg(long, env = "REDIS_KEY_PREFIX", default_value = "dt", global = true)]
    pub redis_key_prefix: String,

    /// HMAC secret for access tokens; required outside the embedded default.
    #[arg(long, env = "JWT_SECRET", global = true)]
    pub jwt_secret: Option<Secret>,

    #[arg(long, env = "HOST", default_value = "0.0.0.0", global = true)]
    pub host: String,

    #[arg(long, env = "PORT", default_value_t = 8000, global = true)]
    pub port: u16,

    /// Where the embedded database and generated secrets live.
    #[arg(long, env = "DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,

    /// A built phone client to serve at `/` instead of the one in this binary (e.g.
    /// `mobile-client/dist` while working on the client).
    #[arg(long, env = "CLIENT_DIR", global = true)]
    pub client_dir: Option<PathBuf>,

    /// Where `api seed` reads its data files.
    #[arg(long, env = "SEEDS_DIR", default_value = "./seeds", global = true)]
    pub seeds_dir: PathBuf,

    /// Pool size. A write holds a connection for its whole transaction, so fewer connections
    /// than concurrent writers makes them queue for the pool (32 matches the benchmark's load).
    #[arg(long, env = "DB_MAX_CONNECTIONS", default_value_t = 32, global = true)]
    pub db_max_connections: u32,

    /// Donation transactions open at once (PostgreSQL; SQLite has one). Concurrent
    /// `recordDonation` requests share these by group commit: more lets batches overlap
    /// round trips, fewer makes each batch larger.
    #[arg(long, env = "DONATION_BATCHES", default_value_t = 2, global = true)]
    pub donation_batches: usize,

    /// How long a request waits for a pooled connection before failing cleanly.
    #[arg(
        long,
        env = "DB_ACQUIRE_TIMEOUT_MS",
        default_value_t = 5000,
        global = true
    )]
    pub db_acquire_timeout_ms: u64,

    /// Upper bound on every Redis call; past it the answer comes from the database.
    #[arg(long, env = "REDIS_TIMEOUT_MS", default_value_t = 250, global = true)]
    pub redis_timeout_ms: u64,

    #[arg(
        long,
        env = "ACCESS_TOKEN_TTL_SECS",
        default_value_t = 900,
        global = true
    )]
    pub access_token_ttl_secs: i64,

    #[arg(
        long,
        env = "REFRESH_TOKEN_TTL_DAYS",
        default_value_t = 30,
        global = true
    )]
    pub refresh_token_ttl_days: i64,

    /// Serve GraphiQL and allow introspection; on by default only in the embedded default.
    #[arg(long, env = "ENABLE_PLAYGROUND", global = true)]
    pub enable_playground: Option<bool>,

    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty, global = true)]
    pub log_format: LogFormat,

    /// Proxies of your own in front of the API (load balancers, each appending the address
    /// it received from to `X-Forwarded-For`). With N, the client is the N-th address from
    /// the right: the one your outermost proxy saw; anything left of it was written by the
    /// client and is ignored. 0: the TCP peer is the client.
    #[arg(long, env = "TRUSTED_PROXIES", default_value_t = 0, global = true)]
    pub trusted_proxies: usize,

    /// Shorthand for `--trusted-proxies 1` (one load balancer of your own).
    #[arg(
        long,
        env = "TRUST_FORWARDED_FOR",
        default_value_t = false,
        global = true
    )]
    pub trust_forwarded_for: bool,

    /// The longest any HTTP request may take before it is answered UNAVAILABLE (503).
    #[arg(
        long,
        env = "REQUEST_TIMEOUT_SECS",
        default_value_t = 60,
        global = true
    )]
    pub request_timeout_secs: u64,

    /// Bearer token that `/metrics` requires. Without it (and without `--metrics-addr`)
    /// metrics are served only in the embedded default.
    #[arg(long, env = "METRICS_TOKEN", global = true)]
    pub metrics_token: Option<Secret>,

    /// Serve `/metrics` on this address (e.g. `127.0.0.1:9100`, reachable only by your
    /// monitoring) instead of the public port.
    #[arg(long, env = "METRICS_ADDR", global = true)]
    pub metrics_addr: Option<String>,

    /// How often each process checks that the ranking sets in Redis survived (a stop, a
    /// flush, a restart, a write Redis missed) and restores them; 0 turns the check off.
    #[arg(
        long,
        env = "RANKING_RECONCILE_SECS",
        default_value_t = 5,
        global = true
    )]
    pub ranking_reconcile_secs: u64,

    /// How often one process (whichever claims it first) rebuilds every ranking set from the
    /// database as a backstop for writes no process could report; 0 turns it off.
    #[arg(
        long,
        env = "RANKING_REBUILD_SECS",
        default_value_t = 3600,
        global = true
    )]
    pub ranking_rebuild_secs: u64,

    /// The address people and feed readers reach the product at, e.g.
    /// `https://cishan.dongtou.gov.cn`: absolute links (the Atom feed's own address) are built
    /// on it. Unset: `http://localhost:<port>`, which suits only the embedded default.
    #[arg(long, env = "PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// Where one-time codes and invitations go: an HTTP endpoint of your SMS gateway that
    /// takes `POST {"phone", "text"}` as JSON (docs/operations.md). Unset: messages are
    /// written to the log, which suits only the embedded default.
    #[arg(long, env = "SMS_GATEWAY_URL", global = true)]
    pub sms_gateway_url: Option<String>,

    /// Bearer token for the SMS gateway.
    #[arg(long, env = "SMS_GATEWAY_TOKEN", global = true)]
    pub sms_gateway_token: Option<Secret>,

    #[command(flatten)]
    pub limits: Limits,
}

/// Abuse limits; README "Limits" explains each.
#[derive(Args, Clone, Debug)]
pub struct Limits {
    #[arg(long, env = "MAX_QUERY_DEPTH", default_value_t = 12, global = true)]
    pub max_query_depth: usize,
    /// Cost of a query: one per field, lists multiplied by their `first`.
    #[arg(
        long,
        env = "MAX_QUERY_COMPLEXITY",
        default_value_t = 5_000,
        global = true
    )]
    pub max_query_complexity: usize,
    #[arg(long, env = "MAX_ALIASES", default_value_t = 30, global = true)]
    pub max_aliases: usize,
    #[arg(long, env = "MAX_FIELDS", default_value_t = 500, global = true)]
    pub max_fields: usize,
    #[arg(
        long,
        env = "MAX_DIRECTIVES_PER_FIELD",
        default_value_t = 5,
        global = true
    )]
    pub max_directives_per_field: usize,
    #[arg(long, env = "MAX_QUERY_BYTES", default_value_t = 32 * 1024, global = true)]
    pub max_query_bytes: usize,
    /// Operations in one batched request.
    #[arg(long, env = "MAX_BATCH", default_value_t = 10, global = true)]
    pub max_batch: usize,
    /// Whole request body (CSV uploads included).
    #[arg(long, env = "MAX_BODY_BYTES", default_value_t = 12 * 1024 * 1024, global = true)]
    pub max_body_bytes: usize,
    #[arg(
        long,
        env = "RATE_LIMIT_IP_PER_SEC",
        default_value_t = 50,
        global = true
    )]
    pub rate_limit_ip_per_sec: u32,
    #[arg(
        long,
        env = "RATE_LIMIT_IP_BURST",
        default_value_t = 200,
        global = true
    )]
    pub rate_limit_ip_burst: u32,
    #[arg(
        long,
        env = "RATE_LIMIT_ACCOUNT_PER_SEC",
        default_value_t = 20,
        global = true
    )]
    pub rate_limit_account_per_sec: u32,
    #[arg(
        long,
        env = "RATE_LIMIT_ACCOUNT_BURST",
        default_value_t = 100,
        global = true
    )]
    pub rate_limit_account_burst: u32,
    /// Subscriptions one WebSocket connection may hold open at once.
    #[arg(
        long,
        env = "MAX_SUBSCRIPTIONS_PER_SOCKET",
        default_value_t = 10,
        global = true
    )]
    pub max_subscriptions_per_socket: usize,
    /// Messages a WebSocket client may send per second, after a burst.
    #[arg(
        long,
        env = "SOCKET_MESSAGES_PER_SEC",
        default_value_t = 5,
        global = true
    )]
    pub socket_messages_per_sec: u32,
    #[arg(
        long,
        env = "SOCKET_MESSAGE_BURST",
        default_value_t = 30,
        global = true
    )]
    pub socket_message_burst: u32,
    /// Failed logins for one phone before it is locked out.
    #[arg(long, env = "LOGIN_MAX_FAILURES", default_value_t = 5, global = true)]
    pub login_max_failures: i64,
    #[arg(long, env = "LOGIN_LOCKOUT_SECS", default_value_t = 900, global = true)]
    pub login_lockout_secs: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Pretty,
    Json,
}

impl Settings {
    /// No `DATABASE_URL`: the self-contained SQLite + in-process cache setup.
    pub fn is_embedded(&self) -> bool {
        self.database_url.is_none()
    }

    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("dongtou.db").display()
            ),
        }
    }

    /// `PUBLIC_URL` without a trailing slash, or this machine's own address.
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://localhost:{}", self.port),
        }
    }

    pub fn playground_enabled(&self) -> bool {
        self.enable_playground.unwrap_or_else(|| self.is_embedded())
    }

    pub fn db_acquire_timeout(&self) -> Duration {
        Duration::from_millis(self.db_acquire_timeout_ms)
    }

    /// Proxies whose `X-Forwarded-For` entries are believed.
    pub fn trusted_proxy_count(&self) -> usize {
        if self.trusted_proxies == 0 && self.trust_forwarded_for {
            1
        } else {
            self.trusted_proxies
        }
    }

    pub fn redis_timeout(&self) -> Duration {
        Duration::from_millis(self.redis_timeout_ms)
    }

    /// The certificate authority file's contents, when one is configured.
    pub fn redis_tls_ca(&self) -> anyhow::Result<Option<Vec<u8>>> {
        self.redis_tls_ca_file
            .as_ref()
            .map(|path| {
                std::fs::read(path)
                    .map_err(|e| anyhow::anyhow!("REDIS_TLS_CA_FILE {}: {e}", path.display()))
            })
            .transpose()
    }
}

/// A string that prints as `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret:?}"), "***");
    }
}
