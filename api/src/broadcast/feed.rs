//! Fan-out of newly published broadcasts to live subscribers: an in-process channel, fed
//! through Redis pub/sub when Redis is configured so every replica's subscribers hear it.

use std::{sync::Arc, time::Duration};

use futures::StreamExt;
use tokio::sync::{OnceCell, broadcast};
use uuid::Uuid;

use crate::cache::Cache;

/// The Redis channel (under the cache's key prefix).
const CHANNEL: &str = "broadcasts:published";
/// Items a slow subscriber may fall behind before it skips some.
const BACKLOG: usize = 256;

/// Cheap to clone; one per app state.
#[derive(Clone)]
pub struct Feed {
    local: broadcast::Sender<Uuid>,
    cache: Cache,
    /// Set once this replica listens on Redis (only when it has a subscriber).
    listening: Arc<OnceCell<()>>,
}

impl std::fmt::Debug for Feed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Feed")
            .field("subscribers", &self.local.receiver_count())
            .finish()
    }
}

impl Feed {
    pub fn new(cache: Cache) -> Self {
        Self {
            local: broadcast::channel(BACKLOG).0,
            cache,
            listening: Arc::default(),
        }
    }

    /// Tell every subscriber, on every replica, that this broadcast was published. Called
    /// after the commit; a lost message loses a live update, never data.
    #[tracing::instrument(skip(self))]
    pub async fn announce(&self, broadcast_id: Uuid) {
        match self.cache.publish(CHANNEL, &broadcast_id.to_string()).await {
            // Every replica's listener, this one's included, delivers it.
            Ok(true) => {}
            Ok(false) => {
                let _ = self.local.send(broadcast_id);
            }
            Err(err) => {
                tracing::warn!(error = %err, "could not publish to Redis; only this replica's subscribers hear it");
                let _ = self.local.send(broadcast_id);
            }
        }
    }

    /// Ids of broadcasts published from now on.
    pub async fn subscribe(&self) -> broadcast::Receiver<Uuid> {
        // Subscribe locally first so nothing published after this call is missed.
        let receiver = self.local.subscribe();
        self.listening
            .get_or_init(|| start_listener(self.cache.clone(), self.local.downgrade()))
            .await;
        receiver
    }
}

/// Forward the Redis channel into the local one for as long as the feed lives, reconnecting
/// after Redis goes away. Returns once the first subscription is confirmed (or given up on).
async fn start_listener(cache: Cache, local: broadcast::WeakSender<Uuid>) {
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let mut ready = Some(ready_tx);
        loop {
            match cache.subscribe(CHANNEL).await {
                Ok(None) => return,
                Ok(Some(mut messages)) => {
                    if let Some(tx) = ready.take() {
                        let _ = tx.send(());
                    }
                    while let Some(message) = messages.next().await {
                        let Some(local) = local.upgrade() else {
                            return;
                        };
                        match message
                            .get_payload::<String>()
                            .ok()
                            .and_then(|p| Uuid::parse_str(&p).ok())
                        {
                            Some(id) => {
                                let _ = local.send(id);
                            }
                            None => tracing::warn!("ignored a malformed broadcast message"),
                        }
                    }
                    tracing::warn!("lost the Redis broadcast subscription; reconnecting");
                }
                Err(err) => tracing::warn!(error = %err, "could not subscribe to Redis broadcasts"),
            }
            if local.upgrade().is_none() {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
    // Without Redis for now the feed still works on this replica; the task keeps trying.
    let _ = tokio::time::timeout(Duration::from_secs(3), ready_rx).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_in_process_feed_delivers_to_every_subscriber() {
        let feed = Feed::new(Cache::in_process("t"));
        let mut a = feed.subscribe().await;
        let mut b = feed.subscribe().await;
        let id = Uuid::now_v7();
        feed.announce(id).await;
        assert_eq!(a.recv().await.unwrap(), id);
        assert_eq!(b.recv().await.unwrap(), id);
    }
}
