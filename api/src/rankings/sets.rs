//! The sorted sets in the cache and how they stay equal to the database.
//!
//! Each set has a meta hash: `state=ready` (complete and maintained), its `sum`, and the
//! `epoch` at which it was published. A set without `state=ready` (never built, flushed,
//! expired, or invalidated) is never read: answers then come from the database.
//!
//! A rebuild marks the meta `building`, reads the database, loads a staging set and publishes
//! it atomically, stamping a new epoch that is larger than every epoch before (even after a
//! FLUSHALL, since it is at least the Redis clock in ms). Writes read the epoch *before* their
//! transaction commits (a [`Ticket`]) and, after the commit, increment a ready set only if it
//! was published at or before that epoch: then the set's snapshot cannot contain the write. A
//! write that cannot prove that invalidates the set instead, and a write during a build makes
//! the build discard itself. So a set is never counted twice or short, only sometimes not
//! ready, and then the database answers.

use std::{collections::HashMap, sync::LazyLock, time::Duration};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::model::{BoardSpec, Standing, epoch_key, version_key};
use crate::cache::{AtomicScript, Cache, CacheError, MemoryData, Op, Reply, unix_millis};

/// How long a build may hold a set before another process may take it over.
const STALE_BUILD_MS: i64 = 120_000;
/// Safety margin for clock skew between hosts when a write is ordered by its timestamp.
const CLOCK_MARGIN_MS: i64 = 2_000;
/// Members per ZADD when loading a staging set.
const LOAD_CHUNK: usize = 2_000;

/// The publication epoch read before a write's transaction commits.
#[derive(Clone, Debug, Default)]
pub struct Ticket(Option<String>);

impl Ticket {
    /// A ticket that proves nothing: every ready set it touches is invalidated.
    pub fn unknown() -> Self {
        Self(None)
    }
}

/// Read the epoch. Never fails: an unreachable cache gives a ticket that proves nothing.
pub async fn ticket(cache: &Cache) -> Ticket {
    match cache.get(&epoch_key()).await {
        Ok(epoch) => Ticket(epoch),
        Err(e) => {
            tracing::warn!(error = %e, "ranking cache unreachable before a write");
            Ticket(None)
        }
    }
}

/// How a write proves that a set's snapshot did not contain it.
#[derive(Clone, Debug)]
pub enum Proof {
    /// The epoch read before the commit.
    Ticket(Ticket),
    /// The write's own timestamp (set inside its transaction, so before its commit).
    Time(DateTime<Utc>),
}

/// Deltas for one set.
#[derive(Clone, Debug, Default)]
pub struct SetUpdate {
    pub deltas: HashMap<String, i64>,
}

/// What happened to each set a write touched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetOutcome {
    /// The set is not built; the next rebuild (or read) takes the write from the database.
    NotBuilt,
    Updated,
    /// The set could not be proven to exclude the write and was invalidated.
    Invalidated,
}

const APPLY_LUA: &str = r#"
local mode, ticket, event_ms, margin = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('SET', KEYS[2], ARGV[5])
local nsets = tonumber(ARGV[6])
local t = redis.call('TIME')
local now = string.format('%d', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
local a = 7
local out = {}
for i = 1, nsets do
  local z, m = KEYS[1 + 2 * i], KEYS[2 + 2 * i]
  local n, sum = tonumber(ARGV[a]), ARGV[a + 1]
  a = a + 2
  local result = 0
  if redis.call('EXISTS', m) == 1 then
    if redis.call('HEXISTS', m, 'building') == 1 then redis.call('HSET', m, 'dirty', '1') end
    if redis.call('HGET', m, 'state') == 'ready' then
      local ok = false
      if mode == 'e' then
        local ep, tk = tonumber(redis.call('HGET', m, 'epoch') or ''), tonumber(ticket)
        ok = ep ~= nil and tk ~= nil and ep <= tk
      else
        local snap = tonumber(redis.call('HGET', m, 'snap_ms') or '')
        ok = snap ~= nil and event_ms > snap + margin
      end
      if ok then
        for j = 0, n - 1 do
          local member, delta = ARGV[a + 2 * j], ARGV[a + 2 * j + 1]
          local s = tonumber(redis.call('ZINCRBY', z, delta, member))
          if s <= 0 then redis.call('ZREM', z, member) end
        end
        redis.call('HINCRBY', m, 'sum', sum)
        redis.call('HSET', m, 'updated_ms', now)
        result = 1
      else
        redis.call('HDEL', m, 'state', 'epoch', 'snap_ms', 'sum', 'updated_ms')
        result = 2
      end
    end
  end
  a = a + 2 * n
  out[i] = result
end
return out
"#;

fn now_ms_local() -> i64 {
    unix_millis()
}

fn apply_local(d: &mut MemoryData, keys: &[String], args: &[String]) -> Reply {
    let (mode, ticket) = (args[0].as_str(), args[1].parse::<i64>().ok());
    let event_ms = args[2].parse::<i64>().unwrap_or(0);
    let margin = args[3].parse::<i64>().unwrap_or(0);
    d.set(&keys[1], args[4].clone(), None);
    let nsets: usize = args[5].parse().unwrap_or(0);
    let now = now_ms_local().to_string();
    let mut a = 6;
    let mut out = Vec::with_capacity(nsets);
    for i in 1..=nsets {
        let (z, m) = (&keys[2 * i], &keys[2 * i + 1]);
        let n: usize = args[a].parse().unwrap_or(0);
        let sum: i64 = args[a + 1].parse().unwrap_or(0);
        a += 2;
        let mut result = 0;
        if d.exists(m) {
            if d.hget(m, "building").is_some() {
                d.hset(m, &[("dirty".into(), "1".into())]);
            }
            if d.hget(m, "state").as_deref() == Some("ready") {
                let ok = if mode == "e" {
                    let epoch = d.hget(m, "epoch").and_then(|e| e.parse::<i64>().ok());
                    matches!((epoch, ticket), (Some(e), Some(t)) if e <= t)
                } else {
                    let snap = d.hget(m, "snap_ms").and_then(|s| s.parse::<i64>().ok());
                    snap.is_some_and(|s| event_ms > s + margin)
                };
                if ok {
                    for j in 0..n {
                        let member = &args[a + 2 * j];
                        let delta: f64 = args[a + 2 * j + 1].parse().unwrap_or(0.0);
                        if d.zincrby(z, member, delta) <= 0.0 {
                            d.zrem(z, member);
                        }
                    }
                    d.hincrby(m, "sum", sum);
                    d.hset(m, &[("updated_ms".into(), now.clone())]);
                    result = 1;
                } else {
                    d.hdel(m, &["state", "epoch", "snap_ms", "sum", "updated_ms"]);
                    result = 2;
                }
            }
        }
        a += 2 * n;
        out.push(Reply::Int(result));
    }
    Reply::List(out)
}

static APPLY: LazyLock<AtomicScript> = LazyLock::new(|| AtomicScript::new(APPLY_LUA, apply_local));

const BEGIN_LUA: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HGET', KEYS[1], 'building')
if b and ARGV[3] ~= '1' then
  local since = tonumber(redis.call('HGET', KEYS[1], 'building_ms') or '0')
  if now - since < tonumber(ARGV[2]) then return 0 end
end
redis.call('HSET', KEYS[1], 'building', ARGV[1], 'building_ms', string.format('%d', now))
redis.call('HDEL', KEYS[1], 'dirty')
redis.call('PERSIST', KEYS[1])
return 1
"#;

fn begin_local(d: &mut MemoryData, keys: &[String], args: &[String]) -> Reply {
    let now = now_ms_local();
    let m = &keys[0];
    if d.hget(m, "building").is_some() && args[2] != "1" {
        let since = d
            .hget(m, "building_ms")
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(0);
        if now - since < args[1].parse::<i64>().unwrap_or(0) {
            return Reply::Int(0);
        }
    }
    d.hset(
        m,
        &[
            ("building".into(), args[0].clone()),
            ("building_ms".into(), now.to_string()),
        ],
    );
    d.hdel(m, &["dirty"]);
    d.persist(m);
    Reply::Int(1)
}

static BEGIN: LazyLock<AtomicScript> = LazyLock::new(|| AtomicScript::new(BEGIN_LUA, begin_local));

const PUBLISH_LUA: &str = r#"
if redis.call('HGET', KEYS[3], 'building') ~= ARGV[1] then
  redis.call('DEL', KEYS[2])
  return 0
end
if redis.call('HEXISTS', KEYS[3], 'dirty') == 1 then
  redis.call('DEL', KEYS[2])
  redis.call('HDEL', KEYS[3], 'building', 'building_ms', 'dirty')
  return 2
end
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('RENAME', KEYS[2], KEYS[1])
else
  redis.call('DEL', KEYS[1])
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local prev = tonumber(redis.call('GET', KEYS[4]) or '0') or 0
local epoch = string.format('%d', math.max(prev + 1, now))
redis.call('SET', KEYS[4], epoch)
redis.call('SET', KEYS[5], ARGV[6])
redis.call('HDEL', KEYS[3], 'building', 'building_ms', 'dirty')
redis.call('HSET', KEYS[3], 'state', 'ready', 'epoch', epoch, 'sum', ARGV[2], 'snap_ms', ARGV[3],
  'updated_ms', string.format('%d', now))
if ARGV[4] ~= '0' then
  redis.call('PEXPIREAT', KEYS[3], ARGV[4])
  redis.call('PEXPIREAT', KEYS[1], ARGV[5])
else
  redis.call('PERSIST', KEYS[3])
  redis.call('PERSIST', KEYS[1])
end
return 1
"#;

fn publish_local(d: &mut MemoryData, keys: &[String], args: &[String]) -> Reply {
    let (z, staging, m, epoch_key) = (&keys[0], &keys[1], &keys[2], &keys[3]);
    if d.hget(m, "building").as_deref() != Some(args[0].as_str()) {
        d.del(staging);
        return Reply::Int(0);
    }
    if d.hget(m, "dirty").is_some() {
        d.del(staging);
        d.hdel(m, &["building", "building_ms", "dirty"]);
        return Reply::Int(2);
    }
    if d.exists(staging) {
        d.rename(staging, z);
    } else {
        d.del(z);
    }
    let now = now_ms_local();
    let prev = d
        .get(epoch_key)
        .and_then(|e| e.parse::<i64>().ok())
        .unwrap_or(0);
    let epoch = (prev + 1).max(now).to_string();
    d.set(epoch_key, epoch.clone(), None);
    // A new version: cached responses that said DATABASE make way for the set.
    d.set(&keys[4], args[5].clone(), None);
    d.hdel(m, &["building", "building_ms", "dirty"]);
    d.hset(
        m,
        &[
            ("state".into(), "ready".into()),
            ("epoch".into(), epoch),
            ("sum".into(), args[1].clone()),
            ("snap_ms".into(), args[2].clone()),
            ("updated_ms".into(), now.to_string()),
        ],
    );
    if args[3] != "0" {
        d.pexpire_at(m, args[3].parse().unwrap_or(0));
        d.pexpire_at(z, args[4].parse().unwrap_or(0));
    } else {
        d.persist(m);
        d.persist(z);
    }
    Reply::Int(1)
}

static PUBLISH: LazyLock<AtomicScript> =
    LazyLock::new(|| AtomicScript::new(PUBLISH_LUA, publish_local));

/// Apply deltas to the sets after a commit, and bump the board version (in the same atomic
/// step, so a reader never sees the new version with the old set).
pub async fn apply(
    cache: &Cache,
    proof: &Proof,
    updates: &HashMap<BoardSpec, SetUpdate>,
) -> Result<Vec<(BoardSpec, SetOutcome)>, CacheError> {
    let (mode, ticket, event_ms) = match proof {
        Proof::Ticket(Ticket(t)) => ("e", t.clone().unwrap_or_default(), 0),
        Proof::Time(at) => ("t", String::new(), at.timestamp_millis()),
    };
    let specs: Vec<&BoardSpec> = updates.keys().collect();
    let mut keys = vec![epoch_key(), version_key()];
    let mut args = vec![
        mode.to_owned(),
        ticket,
        event_ms.to_string(),
        CLOCK_MARGIN_MS.to_string(),
        Uuid::new_v4().to_string(),
        specs.len().to_string(),
    ];
    for spec in &specs {
        let update = &updates[*spec];
        keys.push(spec.zset_key());
        keys.push(spec.meta_key());
        args.push(update.deltas.len().to_string());
        args.push(update.deltas.values().sum::<i64>().to_string());
        for (member, delta) in &update.deltas {
            args.push(member.clone());
            args.push(delta.to_string());
        }
    }
    let reply = cache.eval(&APPLY, &keys, &args).await?;
    let outcomes = match reply {
        Reply::List(items) => items,
        other => return Err(CacheError::Reply(format!("{other:?}"))),
    };
    Ok(specs
        .into_iter()
        .zip(outcomes)
        .map(|(spec, r)| {
            let applied = match r.as_i64() {
                Some(1) => SetOutcome::Updated,
                Some(2) => SetOutcome::Invalidated,
                _ => SetOutcome::NotBuilt,
            };
            (spec.clone(), applied)
        })
        .collect())
}

/// Give the board a new version (after a write that changes what it shows but not the sets).
pub async fn bump_version(cache: &Cache) -> Result<(), CacheError> {
    cache
        .set(&version_key(), &Uuid::new_v4().to_string(), None)
        .await
}

/// The current board version, creating one if the cache lost it. `None` when unreachable.
pub async fn version(cache: &Cache) -> Option<String> {
    match cache.get(&version_key()).await {
        Ok(Some(v)) => Some(v),
        Ok(None) => {
            let fresh = Uuid::new_v4().to_string();
            match cache.set_nx(&version_key(), &fresh).await {
                Ok(true) => Some(fresh),
                Ok(false) => cache.get(&version_key()).await.ok().flatten(),
                Err(_) => None,
            }
        }
        Err(_) => None,
    }
}

/// Claim a set for a build. `force` takes it over from another build in progress.
pub async fn begin(
    cache: &Cache,
    spec: &BoardSpec,
    force: bool,
) -> Result<Option<String>, CacheError> {
    let token = Uuid::new_v4().simple().to_string();
    let reply = cache
        .eval(
            &BEGIN,
            &[spec.meta_key()],
            &[
                token.clone(),
                STALE_BUILD_MS.to_string(),
                if force { "1" } else { "0" }.to_owned(),
            ],
        )
        .await?;
    Ok((reply.as_i64() == Some(1)).then_some(token))
}

/// How a build ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuildOutcome {
    Published,
    /// A write arrived during the build; the set keeps its previous state.
    Dirty,
    /// Another build took the set over.
    Lost,
}

/// Load the standings into a staging set and publish it in place of the set.
/// `snapshot_done` is when the database read finished.
pub async fn publish(
    cache: &Cache,
    spec: &BoardSpec,
    token: &str,
    standings: &[Standing],
    snapshot_done: DateTime<Utc>,
) -> Result<BuildOutcome, CacheError> {
    let staging = spec.staging_key(token);
    let staging_expiry = unix_millis() + 10 * 60 * 1000;
    let mut ops = Vec::new();
    for chunk in standings.chunks(LOAD_CHUNK) {
        ops.push(Op::ZAdd(
            staging.clone(),
            chunk
                .iter()
                .map(|s| (s.member.clone(), s.total as f64))
                .collect(),
        ));
        if ops.len() == 50 {
            ops.push(Op::PExpireAt(staging.clone(), staging_expiry));
            cache.batch(std::mem::take(&mut ops), false).await?;
        }
    }
    if !ops.is_empty() {
        ops.push(Op::PExpireAt(staging.clone(), staging_expiry));
        cache.batch(ops, false).await?;
    }
    let sum: i64 = standings.iter().map(|s| s.total).sum();
    let (meta_expiry, set_expiry) = match spec.expires_at(Utc::now()) {
        Some(at) => (
            at.timestamp_millis().to_string(),
            (at.timestamp_millis() + 60_000).to_string(),
        ),
        None => ("0".to_owned(), "0".to_owned()),
    };
    let reply = cache
        .eval(
            &PUBLISH,
            &[
                spec.zset_key(),
                staging,
                spec.meta_key(),
                epoch_key(),
                version_key(),
            ],
            &[
                token.to_owned(),
                sum.to_string(),
                snapshot_done.timestamp_millis().to_string(),
                meta_expiry,
                set_expiry,
                Uuid::new_v4().to_string(),
            ],
        )
        .await?;
    Ok(match reply.as_i64() {
        Some(1) => BuildOutcome::Published,
        Some(2) => BuildOutcome::Dirty,
        _ => BuildOutcome::Lost,
    })
}

/// A ready set read in one atomic round trip.
#[derive(Clone, Debug)]
pub struct CachedBoard {
    pub top: Vec<(String, f64)>,
    pub count: u64,
    pub sum: i64,
    pub updated_ms: i64,
    /// Scores of the viewer's own members (named part, anonymous part), when asked.
    pub own: Vec<Option<f64>>,
}

/// Whether a set is complete and maintained.
pub async fn is_ready(cache: &Cache, spec: &BoardSpec) -> Result<bool, CacheError> {
    let replies = cache
        .batch(vec![Op::HGetAll(spec.meta_key())], false)
        .await?;
    Ok(replies
        .into_iter()
        .next()
        .map(Reply::into_map)
        .and_then(|meta| meta.get("state").cloned())
        .is_some_and(|state| state == "ready"))
}

/// `limit` members of a set from position `offset` (0 = the top), or `None` when the set is
/// not ready.
pub async fn read(
    cache: &Cache,
    spec: &BoardSpec,
    offset: usize,
    limit: usize,
    own_members: &[String],
) -> Result<Option<CachedBoard>, CacheError> {
    let z = spec.zset_key();
    let mut ops = vec![
        Op::HGetAll(spec.meta_key()),
        Op::ZRevRangeWithScores(z.clone(), offset as isize, (offset + limit) as isize - 1),
        Op::ZCard(z.clone()),
    ];
    if limit == 0 {
        ops[1] = Op::ZCard(z.clone());
    }
    for m in own_members {
        ops.push(Op::ZScore(z.clone(), m.clone()));
    }
    let mut replies = cache.batch(ops, true).await?.into_iter();
    let meta = replies.next().map(Reply::into_map).unwrap_or_default();
    if meta.get("state").map(String::as_str) != Some("ready") {
        return Ok(None);
    }
    let top = match (limit, replies.next()) {
        (0, _) | (_, None) => Vec::new(),
        (_, Some(r)) => r.into_scored(),
    };
    let count = replies.next().and_then(|r| r.as_i64()).unwrap_or(0) as u64;
    let own = replies.map(|r| r.as_f64()).collect();
    Ok(Some(CachedBoard {
        top,
        count,
        sum: meta.get("sum").and_then(|s| s.parse().ok()).unwrap_or(0),
        updated_ms: meta
            .get("updated_ms")
            .and_then(|s| s.parse().ok())
            .unwrap_or(0),
        own,
    }))
}

/// How many members score strictly more than `score` (competition rank − 1).
pub async fn count_above(cache: &Cache, spec: &BoardSpec, score: f64) -> Result<u64, CacheError> {
    let reply = cache
        .batch(vec![Op::ZCountAbove(spec.zset_key(), score)], false)
        .await?;
    Ok(reply.first().and_then(Reply::as_i64).unwrap_or(0) as u64)
}

/// A set exactly as the cache holds it (for verify): `None` when not ready.
pub async fn read_all(
    cache: &Cache,
    spec: &BoardSpec,
) -> Result<Option<(HashMap<String, i64>, i64)>, CacheError> {
    let replies = cache
        .batch(
            vec![
                Op::HGetAll(spec.meta_key()),
                Op::ZRevRangeWithScores(spec.zset_key(), 0, -1),
            ],
            true,
        )
        .await?;
    let mut replies = replies.into_iter();
    let meta = replies.next().map(Reply::into_map).unwrap_or_default();
    if meta.get("state").map(String::as_str) != Some("ready") {
        return Ok(None);
    }
    let members = replies
        .next()
        .map(Reply::into_scored)
        .unwrap_or_default()
        .into_iter()
        .map(|(m, s)| (m, s.round() as i64))
        .collect();
    let sum = meta.get("sum").and_then(|s| s.parse().ok()).unwrap_or(0);
    Ok(Some((members, sum)))
}

/// Every set the cache currently describes (ready, building or invalidated).
pub async fn known_specs(cache: &Cache) -> Result<Vec<BoardSpec>, CacheError> {
    Ok(cache
        .scan(&BoardSpec::meta_pattern())
        .await?
        .iter()
        .filter_map(|k| BoardSpec::from_meta_key(k))
        .collect())
}

/// Retry a failed post-commit update in the background: invalidate what it touched and bump
/// the version, so no replica keeps serving a board that misses the write.
pub fn invalidate_later(cache: Cache, upkeep: super::Upkeep, specs: Vec<BoardSpec>) {
    let cache = cache.patient();
    tokio::spawn(async move {
        let updates: HashMap<BoardSpec, SetUpdate> = specs
            .into_iter()
            .map(|s| (s, SetUpdate::default()))
            .collect();
        let mut wait = Duration::from_millis(200);
        for _ in 0..12 {
            tokio::time::sleep(wait).await;
            match apply(&cache, &Proof::Ticket(Ticket::unknown()), &updates).await {
                Ok(_) => {
                    // The sets just dropped wait for the upkeep to rebuild them.
                    upkeep.report_invalidated();
                    return;
                }
                Err(e) => tracing::warn!(error = %e, "ranking cache still unreachable"),
            }
            wait = (wait * 2).min(Duration::from_secs(10));
        }
        tracing::error!("gave up invalidating ranking sets; run `api leaderboard rebuild`");
    });
}
