//! One interface over Redis and the in-process store; every Redis call is time-boxed.

use std::{sync::Arc, time::Duration};

use redis::{AsyncCommands, aio::ConnectionManager};

use super::memory::MemoryStore;

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("cache call timed out")]
    Timeout,
    #[error("cache unavailable: {0}")]
    Unavailable(#[from] redis::RedisError),
}

#[derive(Clone)]
enum Backend {
    Memory(Arc<MemoryStore>),
    Redis(ConnectionManager),
}

/// The cache handle in the app state; cheap to clone.
#[derive(Clone)]
pub struct Cache {
    backend: Backend,
    prefix: String,
    timeout: Duration,
    /// Pub/sub needs a connection of its own, opened from the client.
    redis_client: Option<redis::Client>,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache")
            .field("backend", &self.backend_name())
            .field("prefix", &self.prefix)
            .finish()
    }
}

impl Cache {
    pub fn in_process(prefix: &str) -> Self {
        Self {
            backend: Backend::Memory(Arc::default()),
            prefix: prefix.to_owned(),
            timeout: Duration::from_secs(1),
            redis_client: None,
        }
    }

    /// Connect to Redis. The connection manager reconnects by itself after Redis restarts.
    pub async fn redis(url: &str, prefix: &str, timeout: Duration) -> Result<Self, CacheError> {
        let client = redis::Client::open(url)?;
        let redis_client = Some(client.clone());
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout.max(Duration::from_millis(500))))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(1);
        let manager = tokio::time::timeout(
            timeout.max(Duration::from_secs(2)),
            ConnectionManager::new_with_config(client, config),
        )
        .await
        .map_err(|_| CacheError::Timeout)??;
        Ok(Self {
            backend: Backend::Redis(manager),
            prefix: prefix.to_owned(),
            timeout,
            redis_client,
        })
    }

    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Memory(_) => "in-process",
            Backend::Redis(_) => "redis",
        }
    }

    pub fn key(&self, suffix: &str) -> String {
        format!("{}:{suffix}", self.prefix)
    }

    async fn timed<T>(
        &self,
        call: impl Future<Output = redis::RedisResult<T>>,
    ) -> Result<T, CacheError> {
        match tokio::time::timeout(self.timeout, call).await {
            Ok(result) => Ok(result?),
            Err(_) => Err(CacheError::Timeout),
        }
    }

    pub async fn ping(&self) -> Result<(), CacheError> {
        match &self.backend {
            Backend::Memory(_) => Ok(()),
            Backend::Redis(conn) => {
                let mut conn = conn.clone();
                self.timed(redis::cmd("PING").query_async::<String>(&mut conn))
                    .await
                    .map(|_| ())
            }
        }
    }

    pub async fn get(&self, key: &str) -> Result<Option<String>, CacheError> {
        let key = self.key(key);
        let result = match &self.backend {
            Backend::Memory(store) => Ok(store.get(&key)),
            Backend::Redis(conn) => {
                let mut conn = conn.clone();
                self.timed(conn.get(key)).await
            }
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
        match &self.backend {
            Backend::Memory(store) => {
                store.set(&key, value.to_owned(), ttl);
                Ok(())
            }
            Backend::Redis(conn) => {
                let mut conn = conn.clone();
                match ttl {
                    Some(ttl) => {
                        self.timed(conn.set_ex::<_, _, ()>(key, value, ttl.as_secs().max(1)))
                            .await
                    }
                    None => self.timed(conn.set::<_, _, ()>(key, value)).await,
                }
            }
        }
    }

    pub async fn del(&self, key: &str) -> Result<(), CacheError> {
        let key = self.key(key);
        match &self.backend {
            Backend::Memory(store) => {
                store.del(&key);
                Ok(())
            }
            Backend::Redis(conn) => {
                let mut conn = conn.clone();
                self.timed(conn.del::<_, ()>(key)).await
            }
        }
    }

    /// Increment a counter that expires `ttl` after its first increment.
    pub async fn incr(&self, key: &str, ttl: Duration) -> Result<i64, CacheError> {
        let key = self.key(key);
        match &self.backend {
            Backend::Memory(store) => Ok(store.incr(&key, ttl)),
            Backend::Redis(conn) => {
                let mut conn = conn.clone();
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
}

/// Messages on a subscribed Redis channel.
pub type ChannelMessages = redis::aio::PubSubStream;

impl Cache {
    /// Publish on a (prefixed) channel to every replica. `Ok(false)` on the in-process
    /// backend: there is no one else to tell, so the caller delivers locally.
    pub async fn publish(&self, channel: &str, message: &str) -> Result<bool, CacheError> {
        let channel = self.key(channel);
        match &self.backend {
            Backend::Memory(_) => Ok(false),
            Backend::Redis(conn) => {
                let mut conn = conn.clone();
                self.timed(conn.publish::<_, _, i64>(channel, message))
                    .await
                    .map(|_| true)
            }
        }
    }

    /// Subscribe to a (prefixed) channel on a connection of its own; `None` on the
    /// in-process backend.
    pub async fn subscribe(&self, channel: &str) -> Result<Option<ChannelMessages>, CacheError> {
        let Some(client) = &self.redis_client else {
            return Ok(None);
        };
        let channel = self.key(channel);
        let connect = async {
            let mut pubsub = client.get_async_pubsub().await?;
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
}
