//! In-process stand-in for Redis, for the embedded default and single-process setups: strings,
//! hashes and sorted sets with Redis's ordering, each command atomic under one lock.

use std::{
    collections::{BTreeSet, HashMap},
    sync::Mutex,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

#[derive(Default, Debug)]
pub struct MemoryStore {
    data: Mutex<MemoryData>,
}

impl MemoryStore {
    /// Run `f` with the whole store locked: what Redis's MULTI or a Lua script gives.
    pub fn with<T>(&self, f: impl FnOnce(&mut MemoryData) -> T) -> T {
        let mut data = self.data.lock().expect("cache lock");
        f(&mut data)
    }

    pub fn get(&self, key: &str) -> Option<String> {
        self.with(|d| d.get(key))
    }

    pub fn set(&self, key: &str, value: String, ttl: Option<Duration>) {
        self.with(|d| d.set(key, value, ttl));
    }

    pub fn del(&self, key: &str) {
        self.with(|d| d.del(key));
    }

    /// Increment a counter; a new counter lives for `ttl`.
    pub fn incr(&self, key: &str, ttl: Duration) -> i64 {
        self.with(|d| d.incr(key, ttl))
    }
}

/// A score ordered the way Redis orders them (total order over f64).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Score(f64);

impl Eq for Score {}

impl PartialOrd for Score {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Score {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// A sorted set: members by name, and (score, member) in order, ties by member bytes.
#[derive(Clone, Debug, Default)]
pub struct ZSet {
    scores: HashMap<String, f64>,
    order: BTreeSet<(Score, String)>,
}

impl ZSet {
    fn insert(&mut self, member: &str, score: f64) {
        if let Some(old) = self.scores.insert(member.to_owned(), score) {
            self.order.remove(&(Score(old), member.to_owned()));
        }
        self.order.insert((Score(score), member.to_owned()));
    }

    fn remove(&mut self, member: &str) -> bool {
        match self.scores.remove(member) {
            Some(old) => {
                self.order.remove(&(Score(old), member.to_owned()));
                true
            }
            None => false,
        }
    }

    fn len(&self) -> usize {
        self.scores.len()
    }
}

#[derive(Clone, Debug)]
enum Value {
    Text(String),
    Hash(HashMap<String, String>),
    ZSet(ZSet),
}

#[derive(Clone, Debug)]
struct Entry {
    value: Value,
    expires: Option<Instant>,
}

/// The store's contents. Commands mirror Redis's; a key of the wrong type reads as absent.
#[derive(Default, Debug)]
pub struct MemoryData {
    entries: HashMap<String, Entry>,
}

/// Milliseconds since the Unix epoch, as Redis's TIME gives them.
pub fn unix_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl MemoryData {
    fn live(&mut self, key: &str) -> Option<&mut Entry> {
        let expired = matches!(self.entries.get(key), Some(Entry { expires: Some(at), .. }) if *at <= Instant::now());
        if expired {
            self.entries.remove(key);
        }
        self.entries.get_mut(key)
    }

    fn zset_mut(&mut self, key: &str) -> &mut ZSet {
        let fresh = !matches!(
            self.live(key),
            Some(Entry {
                value: Value::ZSet(_),
                ..
            })
        );
        if fresh {
            self.entries.insert(
                key.to_owned(),
                Entry {
                    value: Value::ZSet(ZSet::default()),
                    expires: None,
                },
            );
        }
        match &mut self.entries.get_mut(key).expect("just ensured").value {
            Value::ZSet(z) => z,
            _ => unreachable!("just ensured a sorted set"),
        }
    }

    fn zset(&mut self, key: &str) -> Option<&ZSet> {
        match self.live(key) {
            Some(Entry {
                value: Value::ZSet(z),
                ..
            }) => Some(z),
            _ => None,
        }
    }

    fn hash_mut(&mut self, key: &str) -> &mut HashMap<String, String> {
        let fresh = !matches!(
            self.live(key),
            Some(Entry {
                value: Value::Hash(_),
                ..
            })
        );
        if fresh {
            self.entries.insert(
                key.to_owned(),
                Entry {
                    value: Value::Hash(HashMap::new()),
                    expires: None,
                },
            );
        }
        match &mut self.entries.get_mut(key).expect("just ensured").value {
            Value::Hash(h) => h,
            _ => unreachable!("just ensured a hash"),
        }
    }

    /// Drop a sorted set or hash that became empty, as Redis does.
    fn drop_if_empty(&mut self, key: &str) {
        let empty = match self.entries.get(key).map(|e| &e.value) {
            Some(Value::ZSet(z)) => z.len() == 0,
            Some(Value::Hash(h)) => h.is_empty(),
            _ => false,
        };
        if empty {
            self.entries.remove(key);
        }
    }

    pub fn exists(&mut self, key: &str) -> bool {
        self.live(key).is_some()
    }

    pub fn get(&mut self, key: &str) -> Option<String> {
        match self.live(key) {
            Some(Entry {
                value: Value::Text(v),
                ..
            }) => Some(v.clone()),
            _ => None,
        }
    }

    pub fn set(&mut self, key: &str, value: String, ttl: Option<Duration>) {
        self.entries.insert(
            key.to_owned(),
            Entry {
                value: Value::Text(value),
                expires: ttl.map(|ttl| Instant::now() + ttl),
            },
        );
    }

    /// SET NX: only when the key is absent; whether it was set.
    pub fn set_nx(&mut self, key: &str, value: String) -> bool {
        if self.exists(key) {
            return false;
        }
        self.set(key, value, None);
        true
    }

    pub fn del(&mut self, key: &str) -> bool {
        self.live(key);
        self.entries.remove(key).is_some()
    }

    /// Increment a counter; a new counter lives for `ttl`.
    pub fn incr(&mut self, key: &str, ttl: Duration) -> i64 {
        if let Some(Entry {
            value: Value::Text(value),
            ..
        }) = self.live(key)
        {
            let next = value.parse::<i64>().unwrap_or(0) + 1;
            *value = next.to_string();
            return next;
        }
        self.set(key, "1".into(), Some(ttl));
        1
    }

    /// RENAME: the value and its expiry move; an absent source is a no-op here.
    pub fn rename(&mut self, from: &str, to: &str) {
        self.live(from);
        if let Some(entry) = self.entries.remove(from) {
            self.entries.insert(to.to_owned(), entry);
        }
    }

    /// PEXPIREAT, in milliseconds since the Unix epoch.
    pub fn pexpire_at(&mut self, key: &str, at_ms: i64) {
        let now = unix_millis();
        if let Some(entry) = self.live(key) {
            let left = Duration::from_millis(u64::try_from(at_ms - now).unwrap_or(0));
            entry.expires = Some(Instant::now() + left);
        }
    }

    pub fn persist(&mut self, key: &str) {
        if let Some(entry) = self.live(key) {
            entry.expires = None;
        }
    }

    pub fn hget(&mut self, key: &str, field: &str) -> Option<String> {
        match self.live(key) {
            Some(Entry {
                value: Value::Hash(h),
                ..
            }) => h.get(field).cloned(),
            _ => None,
        }
    }

    pub fn hgetall(&mut self, key: &str) -> HashMap<String, String> {
        match self.live(key) {
            Some(Entry {
                value: Value::Hash(h),
                ..
            }) => h.clone(),
            _ => HashMap::new(),
        }
    }

    pub fn hset(&mut self, key: &str, fields: &[(String, String)]) {
        let hash = self.hash_mut(key);
        for (f, v) in fields {
            hash.insert(f.clone(), v.clone());
        }
    }

    pub fn hdel(&mut self, key: &str, fields: &[&str]) {
        if let Some(Entry {
            value: Value::Hash(h),
            ..
        }) = self.live(key)
        {
            for f in fields {
                h.remove(*f);
            }
        }
        self.drop_if_empty(key);
    }

    pub fn hincrby(&mut self, key: &str, field: &str, by: i64) -> i64 {
        let hash = self.hash_mut(key);
        let next = hash
            .get(field)
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
            + by;
        hash.insert(field.to_owned(), next.to_string());
        next
    }

    pub fn zadd(&mut self, key: &str, members: &[(String, f64)]) {
        let set = self.zset_mut(key);
        for (member, score) in members {
            set.insert(member, *score);
        }
    }

    pub fn zincrby(&mut self, key: &str, member: &str, delta: f64) -> f64 {
        let set = self.zset_mut(key);
        let next = set.scores.get(member).copied().unwrap_or(0.0) + delta;
        set.insert(member, next);
        next
    }

    pub fn zrem(&mut self, key: &str, member: &str) -> bool {
        let removed = match self.live(key) {
            Some(Entry {
                value: Value::ZSet(z),
                ..
            }) => z.remove(member),
            _ => false,
        };
        self.drop_if_empty(key);
        removed
    }

    pub fn zscore(&mut self, key: &str, member: &str) -> Option<f64> {
        self.zset(key).and_then(|z| z.scores.get(member).copied())
    }

    pub fn zcard(&mut self, key: &str) -> u64 {
        self.zset(key).map_or(0, |z| z.len() as u64)
    }

    /// ZREVRANGE start stop WITHSCORES; negative indexes count from the end, as in Redis.
    pub fn zrevrange_withscores(
        &mut self,
        key: &str,
        start: isize,
        stop: isize,
    ) -> Vec<(String, f64)> {
        let Some(set) = self.zset(key) else {
            return Vec::new();
        };
        let len = set.len() as isize;
        let norm = |i: isize| if i < 0 { (len + i).max(0) } else { i };
        let (start, stop) = (norm(start), norm(stop).min(len - 1));
        if start > stop || start >= len {
            return Vec::new();
        }
        set.order
            .iter()
            .rev()
            .skip(start as usize)
            .take((stop - start + 1) as usize)
            .map(|(s, m)| (m.clone(), s.0))
            .collect()
    }

    /// ZREVRANK: the 0-based position from the top, ties broken by member as Redis does.
    pub fn zrevrank(&mut self, key: &str, member: &str) -> Option<u64> {
        let set = self.zset(key)?;
        let score = *set.scores.get(member)?;
        let target = (Score(score), member.to_owned());
        Some(set.order.range(target..).count() as u64 - 1)
    }

    /// ZCOUNT key (score +inf: how many members score strictly more.
    pub fn zcount_above(&mut self, key: &str, score: f64) -> u64 {
        let Some(set) = self.zset(key) else {
            return 0;
        };
        set.order
            .iter()
            .rev()
            .take_while(|(s, _)| s.0 > score)
            .count() as u64
    }

    /// Keys matching a pattern whose only wildcard is `*`.
    pub fn keys(&mut self, pattern: &str) -> Vec<String> {
        let now = Instant::now();
        self.entries
            .retain(|_, e| e.expires.is_none_or(|at| at > now));
        self.entries
            .keys()
            .filter(|k| glob_match(pattern, k))
            .cloned()
            .collect()
    }
}

/// `*` matches any run of characters; everything else matches itself.
fn glob_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || !text[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_sets_order_like_redis() {
        let mut d = MemoryData::default();
        d.zadd(
            "z",
            &[("a".into(), 5.0), ("b".into(), 7.0), ("c".into(), 5.0)],
        );
        assert_eq!(
            d.zrevrange_withscores("z", 0, -1),
            vec![("b".into(), 7.0), ("c".into(), 5.0), ("a".into(), 5.0)]
        );
        assert_eq!(d.zrevrank("z", "a"), Some(2));
        assert_eq!(d.zrevrank("z", "b"), Some(0));
        assert_eq!(d.zcount_above("z", 5.0), 1);
        assert_eq!(d.zincrby("z", "a", 3.0), 8.0);
        assert_eq!(d.zrevrange_withscores("z", 0, 0), vec![("a".into(), 8.0)]);
        assert_eq!(d.zcard("z"), 3);
    }

    #[test]
    fn removing_the_last_member_removes_the_key() {
        let mut d = MemoryData::default();
        d.zincrby("z", "a", 1.0);
        assert!(d.zrem("z", "a"));
        assert!(!d.exists("z"));
    }

    #[test]
    fn globs_match_prefixes_and_infixes() {
        assert!(glob_match("p:*", "p:abc"));
        assert!(glob_match("p:*:m:*", "p:{lb}:m:RESIDENTS"));
        assert!(!glob_match("p:*:m:*", "p:{lb}:z:RESIDENTS"));
        assert!(glob_match("exact", "exact"));
    }
}
