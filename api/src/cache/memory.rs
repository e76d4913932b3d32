//! In-process stand-in for Redis, for the embedded default and single-process setups.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

#[derive(Default, Debug)]
pub struct MemoryStore {
    values: Mutex<HashMap<String, (String, Option<Instant>)>>,
}

impl MemoryStore {
    fn live<'a>(
        map: &'a mut HashMap<String, (String, Option<Instant>)>,
        key: &str,
    ) -> Option<&'a mut (String, Option<Instant>)> {
        let expired = matches!(map.get(key), Some((_, Some(at))) if *at <= Instant::now());
        if expired {
            map.remove(key);
        }
        map.get_mut(key)
    }

    pub fn get(&self, key: &str) -> Option<String> {
        let mut map = self.values.lock().expect("cache lock");
        Self::live(&mut map, key).map(|(v, _)| v.clone())
    }

    pub fn set(&self, key: &str, value: String, ttl: Option<Duration>) {
        let expiry = ttl.map(|ttl| Instant::now() + ttl);
        self.values
            .lock()
            .expect("cache lock")
            .insert(key.to_owned(), (value, expiry));
    }

    pub fn del(&self, key: &str) {
        self.values.lock().expect("cache lock").remove(key);
    }

    /// Increment a counter; a new counter lives for `ttl`.
    pub fn incr(&self, key: &str, ttl: Duration) -> i64 {
        let mut map = self.values.lock().expect("cache lock");
        let next = match Self::live(&mut map, key) {
            Some((value, _)) => {
                let next = value.parse::<i64>().unwrap_or(0) + 1;
                *value = next.to_string();
                return next;
            }
            None => 1,
        };
        map.insert(
            key.to_owned(),
            (next.to_string(), Some(Instant::now() + ttl)),
        );
        next
    }
}
