//! One interface over Redis and the in-process store; every Redis call is time-boxed.

use std::{collections::HashMap, sync::Arc, time::Duration};

use redis::{AsyncCommands, aio::ConnectionManager};

use super::memory::{MemoryData, MemoryStore};

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("cache call timed out")]
    Timeout,
    #[error("cache unavailable: {0}")]
    Unavailable(#[from] redis::RedisError),
    #[error("unexpected cache reply: {0}")]
    Reply(String),
    #[error("cache failed moments ago; not retried yet")]
    CoolingDown,
}

/// After Redis times out or refuses, calls fail at once for this long: a dead Redis then
/// costs a request nothing, instead of a timeout on each of its cache calls.
const COOL_DOWN: Duration = Duration::from_secs(1);

/// Redis, connected on first use; the connection manager then reconnects by itself.
struct RedisBackend {
    target: Target,
    config: redis::aio::ConnectionManagerConfig,
    /// The live connection. Under Sentinel it is dropped when the master may have changed, so
    /// the next call asks the sentinels again.
    manager: std::sync::RwLock<Option<ConnectionManager>>,
    /// One connect at a time, so a burst of calls after an outage opens one connection.
    connecting: tokio::sync::Mutex<()>,
    /// Unix ms until which calls fail at once (0: Redis answered last time).
    failing_until_ms: std::sync::atomic::AtomicI64,
}

/// Where Redis is: one address, or whichever server the sentinels name master of a service.
enum Target {
    Direct(redis::Client),
    Sentinel(tokio::sync::Mutex<redis::sentinel::SentinelClient>),
}

impl RedisBackend {
    fn cooling_down(&self) -> bool {
        self.failing_until_ms
            .load(std::sync::atomic::Ordering::Relaxed)
            > super::unix_millis()
    }

    fn trip(&self) {
        let until = super::unix_millis() + COOL_DOWN.as_millis() as i64;
        self.failing_until_ms
            .store(until, std::sync::atomic::Ordering::Relaxed);
    }

    /// A client for the server to talk to now (under Sentinel, the current master).
    async fn client(&self) -> redis::RedisResult<redis::Client> {
        match &self.target {
            Target::Direct(client) => Ok(client.clone()),
            Target::Sentinel(sentinel) => sentinel.lock().await.async_get_client().await,
        }
    }

    /// After this error, may another server be master now? Then forget the connection: the
    /// manager would otherwise keep reconnecting to the old address (dead, or a replica since).
    fn after_error(&self, e: &CacheError) {
        if matches!(self.target, Target::Sentinel(_)) && (is_outage(e) || is_demoted(e)) {
            *self.manager.write().unwrap_or_else(|p| p.into_inner()) = None;
        }
    }
}

/// A server that answers, but is no longer (or not yet) the master.
fn is_demoted(e: &CacheError) -> bool {
    matches!(e, CacheError::Unavailable(e) if matches!(
        e.kind(),
        redis::ErrorKind::Server(redis::ServerErrorKind::ReadOnly | redis::ServerErrorKind::MasterDown)
    ))
}

/// Whether an error says Redis itself is gone or stuck (not a bad command or reply).
fn is_outage(e: &CacheError) -> bool {
    match e {
        CacheError::Timeout => true,
        CacheError::Unavailable(e) => {
            e.is_io_error()
                || e.is_timeout()
                || e.is_connection_dropped()
                || e.is_connection_refusal()
                || e.is_unrecoverable_error()
        }
        CacheError::Reply(_) | CacheError::CoolingDown => false,
    }
}

/// Where a Redis URL points; see [`Cache::redis_at`].
fn target(url: &str, tls_ca_pem: Option<&[u8]>) -> Result<Target, CacheError> {
    let invalid = |why: &str| {
        CacheError::Unavailable(redis::RedisError::from((
            redis::ErrorKind::InvalidClientConfig,
            "invalid Redis URL",
            why.to_owned(),
        )))
    };
    if let Some(rest) = url.strip_prefix("redis+sentinel://") {
        if tls_ca_pem.is_some() {
            return Err(invalid("TLS is not supported together with Sentinel"));
        }
        if rest.contains('@') {
            return Err(invalid("passwords in a Sentinel URL are not supported"));
        }
        let (hosts, service) = rest
            .split_once('/')
            .filter(|(_, service)| !service.is_empty())
            .ok_or_else(|| {
                invalid("name the service: redis+sentinel://host:port,host:port/name")
            })?;
        let sentinels = hosts
            .split(',')
            .map(|host| {
                let (name, port) = host.rsplit_once(':').unwrap_or((host, "26379"));
                let port = port
                    .parse()
                    .map_err(|_| invalid("a sentinel's port is not a number"))?;
                Ok(redis::ConnectionAddr::Tcp(name.to_owned(), port))
            })
            .collect::<Result<Vec<_>, CacheError>>()?;
        let client = redis::sentinel::SentinelClientBuilder::new(
            sentinels,
            service,
            redis::sentinel::SentinelServerType::Master,
        )?
        .build()?;
        return Ok(Target::Sentinel(tokio::sync::Mutex::new(client)));
    }
    Ok(Target::Direct(match tls_ca_pem {
        Some(pem) => redis::Client::build_with_tls(
            url,
            redis::TlsCertificates {
                client_tls: None,
                root_cert: Some(pem.to_vec()),
            },
        )?,
        None => redis::Client::open(url)?,
    }))
}

#[derive(Clone)]
enum Backend {
    Memory(Arc<MemoryStore>),
    Redis(Arc<RedisBackend>),
}

/// The cache handle in the app state; cheap to clone.
#[derive(Clone)]
pub struct Cache {
    backend: Backend,
    /// Shared: a handle is cloned into every request's state.
    prefix: Arc<str>,
    timeout: Duration,
    /// Background work (rebuilds, upkeep): a longer timeout, and neither stopped by nor
    /// tripping the cool-down, which exists to keep requests fast.
    patient: bool,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache")
            .field("backend", &self.backend_name())
            .field("prefix", &self.prefix)
            .finish()
    }
}

/// What a command answered, the same shape on both backends.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    Nil,
    Int(i64),
    Text(String),
    List(Vec<Reply>),
}

impl Reply {
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Reply::Int(n) => Some(*n),
            Reply::Text(t) => t.parse().ok(),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Reply::Int(n) => Some(*n as f64),
            Reply::Text(t) => t.parse().ok(),
            _ => None,
        }
    }

    pub fn as_text(&self) -> Option<&str> {
        match self {
            Reply::Text(t) => Some(t),
            _ => None,
        }
    }

    /// A WITHSCORES reply: member, score, member, score ...
    pub fn into_scored(self) -> Vec<(String, f64)> {
        let Reply::List(items) = self else {
            return Vec::new();
        };
        items
            .chunks(2)
            .filter_map(|pair| match pair {
                [Reply::Text(m), score] => Some((m.clone(), score.as_f64()?)),
                _ => None,
            })
            .collect()
    }

    /// An HGETALL reply: field, value, field, value ...
    pub fn into_map(self) -> HashMap<String, String> {
        let Reply::List(items) = self else {
            return HashMap::new();
        };
        items
            .chunks(2)
            .filter_map(|pair| match pair {
                [Reply::Text(f), Reply::Text(v)] => Some((f.clone(), v.clone())),
                _ => None,
            })
            .collect()
    }

    fn from_redis(value: redis::Value) -> Self {
        match value {
            redis::Value::Nil => Reply::Nil,
            redis::Value::Int(n) => Reply::Int(n),
            redis::Value::BulkString(bytes) => {
                Reply::Text(String::from_utf8_lossy(&bytes).into_owned())
            }
            redis::Value::SimpleString(s) => Reply::Text(s),
            redis::Value::Okay => Reply::Text("OK".into()),
            redis::Value::Double(d) => Reply::Text(d.to_string()),
            redis::Value::Boolean(b) => Reply::Int(i64::from(b)),
            redis::Value::Array(items) | redis::Value::Set(items) => {
                Reply::List(items.into_iter().map(Reply::from_redis).collect())
            }
            redis::Value::Map(pairs) => Reply::List(
                pairs
                    .into_iter()
                    .flat_map(|(k, v)| [Reply::from_redis(k), Reply::from_redis(v)])
                    .collect(),
            ),
            other => Reply::Text(format!("{other:?}")),
        }
    }
}

/// One command of a batch. Keys are given without the cache's prefix.
#[derive(Clone, Debug)]
pub enum Op {
    Get(String),
    Set(String, String),
    Del(Vec<String>),
    /// ZADD key score member ...
    ZAdd(String, Vec<(String, f64)>),
    ZIncrBy(String, String, f64),
    /// ZREVRANGE key start stop WITHSCORES
    ZRevRangeWithScores(String, isize, isize),
    ZScore(String, String),
    ZRevRank(String, String),
    ZCard(String),
    /// ZCOUNT key (score +inf
    ZCountAbove(String, f64),
    HGetAll(String),
    HSet(String, Vec<(String, String)>),
    /// PEXPIREAT key ms-since-epoch
    PExpireAt(String, i64),
}

/// A script that runs atomically on either backend: Lua on Redis, the same steps in Rust on
/// the in-process store (under its lock). Keys reach both already prefixed.
pub struct AtomicScript {
    lua: redis::Script,
    local: fn(&mut MemoryData, &[String], &[String]) -> Reply,
}

impl AtomicScript {
    pub fn new(lua: &str, local: fn(&mut MemoryData, &[String], &[String]) -> Reply) -> Self {
        Self {
            lua: redis::Script::new(lua),
            local,
        }
    }
}

impl Cache {
    pub fn in_process(prefix: &str) -> Self {
        Self {
            backend: Backend::Memory(Arc::default()),
            prefix: prefix.into(),
            timeout: Duration::from_secs(1),
            patient: false,
        }
    }

    /// A Redis cache that connects on first use, so a Redis that is down at start (or never
    /// there) only makes calls fail, each within `timeout`. See [`Cache::redis_at`].
    pub fn redis_lazy(url: &str, prefix: &str, timeout: Duration) -> Result<Self, CacheError> {
        Self::redis_at(url, None, prefix, timeout)
    }

    /// The same, for any of these URLs: `redis://host:port/db`; `rediss://…` over TLS,
    /// trusting the system's roots or `tls_ca_pem`; `redis+sentinel://host:port,host:port/name`
    /// for the master the sentinels name for service `name`, followed through failovers.
    pub fn redis_at(
        url: &str,
        tls_ca_pem: Option<&[u8]>,
        prefix: &str,
        timeout: Duration,
    ) -> Result<Self, CacheError> {
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout.max(Duration::from_millis(500))))
            .set_response_timeout(Some(timeout))
            // No retries inside a call: after a failure the cool-down decides when to try again,
            // and a retry's back-off would hold up every request waiting on the call.
            .set_number_of_retries(0);
        Ok(Self {
            backend: Backend::Redis(Arc::new(RedisBackend {
                target: target(url, tls_ca_pem)?,
                config,
                manager: std::sync::RwLock::new(None),
                connecting: tokio::sync::Mutex::new(()),
                failing_until_ms: std::sync::atomic::AtomicI64::new(0),
            })),
            prefix: prefix.into(),
            timeout,
            patient: false,
        })
    }

    /// The same cache for background work: calls may take up to 5 s, and a slow one does not
    /// put the requests' calls into the cool-down.
    pub fn patient(&self) -> Self {
        Self {
            timeout: self.timeout.max(Duration::from_secs(5)),
            patient: true,
            ..self.clone()
        }
    }

    /// Connect to Redis now. The connection manager reconnects by itself after Redis restarts.
    pub async fn redis(url: &str, prefix: &str, timeout: Duration) -> Result<Self, CacheError> {
        Self::redis_now(url, None, prefix, timeout).await
    }

    /// [`Cache::redis_at`], connected now.
    pub async fn redis_now(
        url: &str,
        tls_ca_pem: Option<&[u8]>,
        prefix: &str,
        timeout: Duration,
    ) -> Result<Self, CacheError> {
        let cache = Self::redis_at(url, tls_ca_pem, prefix, timeout)?;
        if let Backend::Redis(backend) = &cache.backend {
            cache
                .connection(backend, timeout.max(Duration::from_secs(2)))
                .await?;
        }
        Ok(cache)
    }

    async fn connection(
        &self,
        backend: &RedisBackend,
        wait: Duration,
    ) -> Result<ConnectionManager, CacheError> {
        let current = || {
            backend
                .manager
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .clone()
        };
        if let Some(manager) = current() {
            return Ok(manager);
        }
        let _one_at_a_time = tokio::time::timeout(wait, backend.connecting.lock())
            .await
            .map_err(|_| CacheError::Timeout)?;
        if let Some(manager) = current() {
            return Ok(manager);
        }
        let connect = async {
            let client = backend.client().await?;
            ConnectionManager::new_with_config(client, backend.config.clone()).await
        };
        let manager = tokio::time::timeout(wait, connect)
            .await
            .map_err(|_| CacheError::Timeout)?
            .map_err(CacheError::from)?;
        *backend.manager.write().unwrap_or_else(|p| p.into_inner()) = Some(manager.clone());
        Ok(manager)
    }

    /// The Redis connection for one call, or `None` for the in-process store.
    async fn redis_conn(&self) -> Result<Option<ConnectionManager>, CacheError> {
        match &self.backend {
            Backend::Memory(_) => Ok(None),
            Backend::Redis(backend) => {
                if !self.patient && backend.cooling_down() {
                    return Err(CacheError::CoolingDown);
                }
                match self.connection(backend, self.timeout).await {
                    Ok(conn) => Ok(Some(conn)),
                    Err(e) => {
                        if !self.patient && is_outage(&e) {
                            backend.trip();
                        }
                        backend.after_error(&e);
                        Err(e)
                    }
                }
            }
        }
    }

    fn memory(&self) -> Option<&MemoryStore> {
        match &self.backend {
            Backend::Memory(store) => Some(store),
            Backend::Redis(_) => None,
        }
    }

    /// Whether Redis failed moments ago, so calls fail at once (never on the in-process store).
    pub fn cooling_down(&self) -> bool {
        match &self.backend {
            Backend::Redis(backend) => !self.patient && backend.cooling_down(),
            Backend::Memory(_) => false,
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Memory(_) => "in-process",
            Backend::Redis(_) => "redis",
        }
    }

    /// The prefix of every key this handle touches (several processes share it).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    pub fn key(&self, suffix: &str) -> String {
        format!("{}:{suffix}", self.prefix)
    }

    async fn timed<T>(
        &self,
        call: impl Future<Output = redis::RedisResult<T>>,
    ) -> Result<T, CacheError> {
        let result = match tokio::time::timeout(self.timeout, call).await {
            Ok(result) => result.map_err(CacheError::from),
            Err(_) => Err(CacheError::Timeout),
        };
        if let (Err(e), Backend::Redis(backend)) = (&result, &self.backend) {
            if !self.patient && is_outage(e) {
                backend.trip();
            }
            backend.after_error(e);
        }
        result
    }

    pub async fn ping(&self) -> Result<(), CacheError> {
        match self.redis_conn().await? {
            None => Ok(()),
            Some(mut conn) => self
                .timed(redis::cmd("PING").query_async::<String>(&mut conn))
                .await
                .map(|_| ()),
        }
    }

    pub async fn get(&self, key: &str) -> Result<Option<String>, CacheError> {
        let key = self.key(key);
        let result = match self.redis_conn().await {
            Err(e) => Err(e),
            Ok(None) => Ok(self.memory().and_then(|s| s.get(&key))),
            Ok(Some(mut conn)) => self.timed(conn.get(key)).await,
        };
        let outcome = match &result {
            Ok(Some(_)) => "hit",
            Ok(None) => "miss",
            Err(_) => "error",
        };
        metrics::counter!("cache_requests_total", "result" => outcome).increment(1);
        result
    }

    pub async fn set(
        &self,
        key: &str,
        value: &str,
        ttl: Option<Duration>,
    ) -> Result<(), CacheError> {
        let key = self.key(key);
        match self.redis_conn().await? {
            None => {
                if let Some(store) = self.memory() {
                    store.set(&key, value.to_owned(), ttl);
                }
                Ok(())
            }
            Some(mut conn) => match ttl {
                Some(ttl) => {
                    self.timed(conn.set_ex::<_, _, ()>(key, value, ttl.as_secs().max(1)))
                        .await
                }
                None => self.timed(conn.set::<_, _, ()>(key, value)).await,
            },
        }
    }

    /// SET NX without expiry: whether this call set it.
    pub async fn set_nx(&self, key: &str, value: &str) -> Result<bool, CacheError> {
        let key = self.key(key);
        match self.redis_conn().await? {
            None => Ok(self
                .memory()
                .is_some_and(|s| s.with(|d| d.set_nx(&key, value.to_owned())))),
            Some(mut conn) => self.timed(conn.set_nx(key, value)).await,
        }
    }

    pub async fn del(&self, key: &str) -> Result<(), CacheError> {
        let key = self.key(key);
        match self.redis_conn().await? {
            None => {
                if let Some(store) = self.memory() {
                    store.del(&key);
                }
                Ok(())
            }
            Some(mut conn) => self.timed(conn.del::<_, ()>(key)).await,
        }
    }

    /// Increment a counter that expires `ttl` after its first increment.
    pub async fn incr(&self, key: &str, ttl: Duration) -> Result<i64, CacheError> {
        let key = self.key(key);
        match self.redis_conn().await? {
            None => Ok(self.memory().map_or(0, |s| s.incr(&key, ttl))),
            Some(mut conn) => {
                let (count, _): (i64, bool) = self
                    .timed(
                        redis::pipe()
                            .atomic()
                            .incr(&key, 1)
                            .expire(&key, ttl.as_secs().max(1) as i64)
                            .arg("NX")
                            .query_async(&mut conn),
                    )
                    .await?;
                Ok(count)
            }
        }
    }

    /// Run commands in one round trip; `atomic` wraps them in MULTI/EXEC (on the in-process
    /// store a batch is always atomic). One reply per command, in order.
    pub async fn batch(&self, ops: Vec<Op>, atomic: bool) -> Result<Vec<Reply>, CacheError> {
        if ops.is_empty() {
            return Ok(Vec::new());
        }
        match self.redis_conn().await? {
            None => Ok(self.memory().map_or_else(Vec::new, |store| {
                store.with(|data| ops.into_iter().map(|op| self.run_local(data, op)).collect())
            })),
            Some(mut conn) => {
                let mut pipe = redis::pipe();
                if atomic {
                    pipe.atomic();
                }
                for op in ops {
                    pipe.add_command(self.command(op));
                }
                let values: Vec<redis::Value> = self.timed(pipe.query_async(&mut conn)).await?;
                Ok(values.into_iter().map(Reply::from_redis).collect())
            }
        }
    }

    fn command(&self, op: Op) -> redis::Cmd {
        let mut cmd;
        match op {
            Op::Get(k) => {
                cmd = redis::cmd("GET");
                cmd.arg(self.key(&k));
            }
            Op::Set(k, v) => {
                cmd = redis::cmd("SET");
                cmd.arg(self.key(&k)).arg(v);
            }
            Op::Del(keys) => {
                cmd = redis::cmd("DEL");
                for k in keys {
                    cmd.arg(self.key(&k));
                }
            }
            Op::ZAdd(k, members) => {
                cmd = redis::cmd("ZADD");
                cmd.arg(self.key(&k));
                for (m, s) in members {
                    cmd.arg(s).arg(m);
                }
            }
            Op::ZIncrBy(k, m, d) => {
                cmd = redis::cmd("ZINCRBY");
                cmd.arg(self.key(&k)).arg(d).arg(m);
            }
            Op::ZRevRangeWithScores(k, start, stop) => {
                cmd = redis::cmd("ZREVRANGE");
                cmd.arg(self.key(&k)).arg(start).arg(stop).arg("WITHSCORES");
            }
            Op::ZScore(k, m) => {
                cmd = redis::cmd("ZSCORE");
                cmd.arg(self.key(&k)).arg(m);
            }
            Op::ZRevRank(k, m) => {
                cmd = redis::cmd("ZREVRANK");
                cmd.arg(self.key(&k)).arg(m);
            }
            Op::ZCard(k) => {
                cmd = redis::cmd("ZCARD");
                cmd.arg(self.key(&k));
            }
            Op::ZCountAbove(k, s) => {
                cmd = redis::cmd("ZCOUNT");
                cmd.arg(self.key(&k)).arg(format!("({s}")).arg("+inf");
            }
            Op::HGetAll(k) => {
                cmd = redis::cmd("HGETALL");
                cmd.arg(self.key(&k));
            }
            Op::HSet(k, fields) => {
                cmd = redis::cmd("HSET");
                cmd.arg(self.key(&k));
                for (f, v) in fields {
                    cmd.arg(f).arg(v);
                }
            }
            Op::PExpireAt(k, at) => {
                cmd = redis::cmd("PEXPIREAT");
                cmd.arg(self.key(&k)).arg(at);
            }
        }
        cmd
    }

    fn run_local(&self, data: &mut MemoryData, op: Op) -> Reply {
        let text = |v: Option<String>| v.map_or(Reply::Nil, Reply::Text);
        let score = |v: Option<f64>| v.map_or(Reply::Nil, |s| Reply::Text(s.to_string()));
        match op {
            Op::Get(k) => text(data.get(&self.key(&k))),
            Op::Set(k, v) => {
                data.set(&self.key(&k), v, None);
                Reply::Text("OK".into())
            }
            Op::Del(keys) => {
                Reply::Int(keys.iter().filter(|k| data.del(&self.key(k))).count() as i64)
            }
            Op::ZAdd(k, members) => {
                data.zadd(&self.key(&k), &members);
                Reply::Int(members.len() as i64)
            }
            Op::ZIncrBy(k, m, d) => score(Some(data.zincrby(&self.key(&k), &m, d))),
            Op::ZRevRangeWithScores(k, start, stop) => Reply::List(
                data.zrevrange_withscores(&self.key(&k), start, stop)
                    .into_iter()
                    .flat_map(|(m, s)| [Reply::Text(m), Reply::Text(s.to_string())])
                    .collect(),
            ),
            Op::ZScore(k, m) => score(data.zscore(&self.key(&k), &m)),
            Op::ZRevRank(k, m) => data
                .zrevrank(&self.key(&k), &m)
                .map_or(Reply::Nil, |r| Reply::Int(r as i64)),
            Op::ZCard(k) => Reply::Int(data.zcard(&self.key(&k)) as i64),
            Op::ZCountAbove(k, s) => Reply::Int(data.zcount_above(&self.key(&k), s) as i64),
            Op::HGetAll(k) => Reply::List(
                data.hgetall(&self.key(&k))
                    .into_iter()
                    .flat_map(|(f, v)| [Reply::Text(f), Reply::Text(v)])
                    .collect(),
            ),
            Op::HSet(k, fields) => {
                data.hset(&self.key(&k), &fields);
                Reply::Int(fields.len() as i64)
            }
            Op::PExpireAt(k, at) => {
                data.pexpire_at(&self.key(&k), at);
                Reply::Int(1)
            }
        }
    }

    /// Run an atomic script with these keys (without prefix) and arguments.
    pub async fn eval(
        &self,
        script: &AtomicScript,
        keys: &[String],
        args: &[String],
    ) -> Result<Reply, CacheError> {
        let keys: Vec<String> = keys.iter().map(|k| self.key(k)).collect();
        match self.redis_conn().await? {
            None => Ok(self
                .memory()
                .map_or(Reply::Nil, |s| s.with(|d| (script.local)(d, &keys, args)))),
            Some(mut conn) => {
                let mut invocation = script.lua.prepare_invoke();
                for k in &keys {
                    invocation.key(k);
                }
                for a in args {
                    invocation.arg(a);
                }
                let value: redis::Value = self.timed(invocation.invoke_async(&mut conn)).await?;
                Ok(Reply::from_redis(value))
            }
        }
    }

    /// ZINCRBY: the member's new score.
    pub async fn zincrby(&self, key: &str, member: &str, delta: f64) -> Result<f64, CacheError> {
        let reply = self
            .single(Op::ZIncrBy(key.into(), member.into(), delta))
            .await?;
        reply
            .as_f64()
            .ok_or_else(|| CacheError::Reply(format!("{reply:?}")))
    }

    /// ZREVRANGE start stop WITHSCORES: members from the top, ties by member descending.
    pub async fn zrevrange_withscores(
        &self,
        key: &str,
        start: isize,
        stop: isize,
    ) -> Result<Vec<(String, f64)>, CacheError> {
        Ok(self
            .single(Op::ZRevRangeWithScores(key.into(), start, stop))
            .await?
            .into_scored())
    }

    /// ZREVRANK: 0-based position from the top.
    pub async fn zrevrank(&self, key: &str, member: &str) -> Result<Option<u64>, CacheError> {
        Ok(self
            .single(Op::ZRevRank(key.into(), member.into()))
            .await?
            .as_i64()
            .map(|r| r as u64))
    }

    pub async fn zscore(&self, key: &str, member: &str) -> Result<Option<f64>, CacheError> {
        Ok(self
            .single(Op::ZScore(key.into(), member.into()))
            .await?
            .as_f64())
    }

    pub async fn zcard(&self, key: &str) -> Result<u64, CacheError> {
        Ok(self
            .single(Op::ZCard(key.into()))
            .await?
            .as_i64()
            .unwrap_or(0) as u64)
    }

    /// DEL of several keys at once.
    pub async fn del_many(&self, keys: &[String]) -> Result<(), CacheError> {
        if keys.is_empty() {
            return Ok(());
        }
        self.single(Op::Del(keys.to_vec())).await.map(|_| ())
    }

    async fn single(&self, op: Op) -> Result<Reply, CacheError> {
        self.batch(vec![op], false)
            .await?
            .pop()
            .ok_or_else(|| CacheError::Reply("no reply".into()))
    }

    /// Keys (without prefix) matching `pattern` (only `*` is special), found with SCAN.
    pub async fn scan(&self, pattern: &str) -> Result<Vec<String>, CacheError> {
        let full = self.key(pattern);
        let strip = self.prefix.len() + 1;
        match self.redis_conn().await? {
            None => Ok(self.memory().map_or_else(Vec::new, |s| {
                s.with(|d| {
                    d.keys(&full)
                        .into_iter()
                        .map(|k| k[strip..].to_owned())
                        .collect()
                })
            })),
            Some(mut conn) => {
                let mut cursor = 0u64;
                let mut found = Vec::new();
                loop {
                    let (next, keys): (u64, Vec<String>) = self
                        .timed(
                            redis::cmd("SCAN")
                                .arg(cursor)
                                .arg("MATCH")
                                .arg(&full)
                                .arg("COUNT")
                                .arg(1000)
                                .query_async(&mut conn),
                        )
                        .await?;
                    found.extend(keys.into_iter().map(|k| k[strip..].to_owned()));
                    if next == 0 {
                        break;
                    }
                    cursor = next;
                }
                found.sort();
                found.dedup();
                Ok(found)
            }
        }
    }

    /// Delete every key under this handle's prefix: a FLUSHALL that spares other prefixes
    /// (tests share one Redis, each under its own prefix).
    pub async fn delete_all_keys(&self) -> Result<(), CacheError> {
        let keys = self.scan("*").await?;
        for chunk in keys.chunks(500) {
            self.del_many(chunk).await?;
        }
        Ok(())
    }
}

/// Messages on a subscribed Redis channel.
pub type ChannelMessages = redis::aio::PubSubStream;

impl Cache {
    /// Publish on a (prefixed) channel to every replica. `Ok(false)` on the in-process
    /// backend: there is no one else to tell, so the caller delivers locally.
    pub async fn publish(&self, channel: &str, message: &str) -> Result<bool, CacheError> {
        let channel = self.key(channel);
        match self.redis_conn().await? {
            None => Ok(false),
            Some(mut conn) => self
                .timed(conn.publish::<_, _, i64>(channel, message))
                .await
                .map(|_| true),
        }
    }

    /// Subscribe to a (prefixed) channel on a connection of its own; `None` on the
    /// in-process backend.
    pub async fn subscribe(&self, channel: &str) -> Result<Option<ChannelMessages>, CacheError> {
        let Backend::Redis(backend) = &self.backend else {
            return Ok(None);
        };
        let channel = self.key(channel);
        let connect = async {
            let mut pubsub = backend.client().await?.get_async_pubsub().await?;
            pubsub.subscribe(&channel).await?;
            Ok(pubsub.into_on_message())
        };
        // Opening a connection takes longer than a command; allow for it.
        match tokio::time::timeout(self.timeout.max(Duration::from_secs(2)), connect).await {
            Ok(result) => result.map(Some).map_err(CacheError::Unavailable),
            Err(_) => Err(CacheError::Timeout),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn in_process_values_expire() {
        let cache = Cache::in_process("t");
        cache
            .set("a", "1", Some(Duration::from_millis(20)))
            .await
            .unwrap();
        assert_eq!(cache.get("a").await.unwrap().as_deref(), Some("1"));
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert_eq!(cache.get("a").await.unwrap(), None);
    }

    #[tokio::test]
    async fn in_process_counters_count() {
        let cache = Cache::in_process("t");
        for expected in 1..=3 {
            assert_eq!(
                cache.incr("n", Duration::from_secs(60)).await.unwrap(),
                expected
            );
        }
    }

    #[tokio::test]
    async fn in_process_sorted_sets_answer_like_redis() {
        let cache = Cache::in_process("t");
        cache.zincrby("z", "a", 5.0).await.unwrap();
        cache.zincrby("z", "b", 9.0).await.unwrap();
        assert_eq!(cache.zincrby("z", "a", 1.5).await.unwrap(), 6.5);
        assert_eq!(
            cache.zrevrange_withscores("z", 0, -1).await.unwrap(),
            vec![("b".to_owned(), 9.0), ("a".to_owned(), 6.5)]
        );
        assert_eq!(cache.zrevrank("z", "a").await.unwrap(), Some(1));
        assert_eq!(cache.zscore("z", "nobody").await.unwrap(), None);
        assert_eq!(cache.zcard("z").await.unwrap(), 2);
        cache.del_many(&["z".to_owned()]).await.unwrap();
        assert_eq!(cache.zcard("z").await.unwrap(), 0);
    }

    #[test]
    fn redis_urls_are_read_or_refused_with_the_reason() {
        let url = "redis+sentinel://127.0.0.1:26379,10.0.0.2:26380/dongtou";
        assert!(matches!(target(url, None), Ok(Target::Sentinel(_))));
        assert!(matches!(
            target("redis://127.0.0.1:6379", None),
            Ok(Target::Direct(_))
        ));
        assert!(matches!(
            target("rediss://127.0.0.1:6380", None),
            Ok(Target::Direct(_))
        ));
        for (url, why) in [
            ("redis+sentinel://127.0.0.1:26379", "name the service"),
            ("redis+sentinel://127.0.0.1:26379/", "name the service"),
            ("redis+sentinel://127.0.0.1:x/dongtou", "port"),
            (
                "redis+sentinel://:secret@127.0.0.1:26379/dongtou",
                "passwords",
            ),
        ] {
            let Err(e) = target(url, None) else {
                panic!("{url} was accepted")
            };
            assert!(e.to_string().contains(why), "{url}: {e}");
        }
        let Err(e) = target(url, Some(b"pem")) else {
            panic!("Sentinel with TLS was accepted")
        };
        assert!(e.to_string().contains("TLS"), "{e}");
        assert!(target("rediss+sentinel://127.0.0.1:26379/dongtou", None).is_err());
    }

    #[tokio::test]
    async fn an_unreachable_redis_fails_calls_instead_of_hanging() {
        let cache =
            Cache::redis_lazy("redis://127.0.0.1:1", "t", Duration::from_millis(200)).unwrap();
        let started = std::time::Instant::now();
        assert!(cache.get("a").await.is_err());
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[tokio::test]
    async fn after_an_outage_calls_fail_at_once_until_the_cool_down_ends() {
        let cache =
            Cache::redis_lazy("redis://127.0.0.1:1", "t", Duration::from_millis(200)).unwrap();
        assert!(cache.get("a").await.is_err());
        let started = std::time::Instant::now();
        for _ in 0..100 {
            assert!(matches!(cache.get("a").await, Err(CacheError::CoolingDown)));
        }
        assert!(started.elapsed() < Duration::from_millis(100));
        tokio::time::sleep(COOL_DOWN).await;
        // Past the window the next call tries Redis again.
        assert!(!matches!(
            cache.get("a").await,
            Err(CacheError::CoolingDown)
        ));
    }
}
