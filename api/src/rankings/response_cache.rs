//! Whole responses to public, cacheable reads (the board, editions, the feed), kept in process
//! and keyed by the request and the board version: the database's, which every write raises
//! before it is acknowledged, joined with the shared cache's when it answers. A response
//! computed before a write is never served after it, on any replica, with or without Redis.

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use async_graphql::parser::types::{DocumentOperations, OperationType, Selection};
use axum::{
    body::Bytes,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};

use super::sets;
use crate::{auth::Auth, cache::Cache, db::Db};

/// Root fields whose answers depend only on public data (and, for `myRank`, on the viewer,
/// who is part of the key). `verifyRankingEdition` is left out on purpose: it exists to
/// re-read the ledger as it is now, including changes made behind the application's back.
const CACHEABLE_FIELDS: &[&str] = &[
    "leaderboard",
    "rankingEditions",
    "rankingEdition",
    "rankingRules",
    "__typename",
];
/// Upper bound on an entry's age, for changes no write announces (a rule's start date passing).
const MAX_AGE: Duration = Duration::from_secs(30);
const MAX_ENTRIES: usize = 10_000;
/// Board reads are a few hundred bytes; larger bodies (uploads, big mutations) are never
/// cacheable, and neither parsed here nor kept as keys.
const MAX_CACHEABLE_BODY: usize = 4 * 1024;

struct Stored {
    version: String,
    body: Bytes,
    at: Instant,
}

/// Reads of the board version, shared by concurrent requests without ever answering one with a
/// read that began before it arrived: a request waits for the next read that starts after it,
/// so every write acknowledged before the request is seen. Under load one read serves a whole
/// batch of requests instead of one round trip each.
struct VersionFence {
    state: std::sync::Mutex<FenceState>,
    /// (number of the read, what it returned)
    done: tokio::sync::watch::Sender<(u64, Option<String>)>,
}

#[derive(Default)]
struct FenceState {
    /// Reads started so far; the running one has this number.
    started: u64,
    running: bool,
    /// A request arrived while a read was running: start another when it ends.
    again: bool,
}

impl Default for VersionFence {
    fn default() -> Self {
        Self {
            state: std::sync::Mutex::default(),
            done: tokio::sync::watch::Sender::new((0, None)),
        }
    }
}

#[derive(Default)]
struct Inner {
    fence: VersionFence,
    responses: RwLock<HashMap<String, Stored>>,
    /// Whether an operation (name and query text) is a cacheable read, decided once each.
    plans: RwLock<HashMap<String, bool>>,
}

/// Shared by every request of one process; cheap to clone.
#[derive(Clone, Default)]
pub struct ResponseCache {
    inner: Arc<Inner>,
}

/// What the cache said about a request.
pub enum Lookup {
    Hit(Bytes),
    /// Execute, then store the answer under this key and version.
    Miss {
        key: String,
        version: String,
    },
    /// Not cacheable, or the version could not be read.
    Bypass,
}

fn viewer_key(auth: &Auth) -> String {
    match auth {
        Auth::Anonymous => "-".into(),
        Auth::Invalid => "!".into(),
        Auth::Unverifiable => "?".into(),
        Auth::Viewer(v) => format!("{}:{:?}:{:?}", v.account_id, v.role, v.donor_id),
    }
}

fn is_cacheable_query(query: &str, operation: Option<&str>) -> bool {
    let Ok(doc) = async_graphql::parser::parse_query(query) else {
        return false;
    };
    let op = match &doc.operations {
        DocumentOperations::Single(op) => op,
        // A named operation is listed here even when it is the only one.
        DocumentOperations::Multiple(ops) => match operation {
            Some(name) => match ops.get(name) {
                Some(op) => op,
                None => return false,
            },
            None if ops.len() == 1 => ops.values().next().expect("one operation"),
            None => return false,
        },
    };
    op.node.ty == OperationType::Query
        && op
            .node
            .selection_set
            .node
            .items
            .iter()
            .all(|s| match &s.node {
                Selection::Field(f) => CACHEABLE_FIELDS.contains(&f.node.name.node.as_str()),
                _ => false,
            })
}

impl ResponseCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether a request body is a cacheable read, decided once per distinct operation (the
    /// query text and name; bodies differ by their variables, operations repeat).
    fn cacheable(&self, body: &str) -> bool {
        /// Only what decides cacheability; the variables are skipped, not built.
        #[derive(serde::Deserialize)]
        struct Operation<'a> {
            #[serde(borrow)]
            query: std::borrow::Cow<'a, str>,
            #[serde(rename = "operationName", default, borrow)]
            operation_name: Option<std::borrow::Cow<'a, str>>,
        }
        let Ok(op) = serde_json::from_str::<Operation>(body) else {
            return false;
        };
        let plan = format!(
            "{}\u{1}{}",
            op.operation_name.as_deref().unwrap_or(""),
            op.query
        );
        if let Some(known) = self.inner.plans.read().expect("plans lock").get(&plan) {
            return *known;
        }
        let verdict = is_cacheable_query(&op.query, op.operation_name.as_deref());
        let mut plans = self.inner.plans.write().expect("plans lock");
        if plans.len() >= MAX_ENTRIES {
            plans.clear();
        }
        plans.insert(plan, verdict);
        verdict
    }

    /// Look a GraphQL request up by its raw body, before parsing it: a hit costs one read of
    /// the version from the shared cache and a map lookup, nothing else.
    pub async fn lookup_body(&self, db: &Db, cache: &Cache, auth: &Auth, body: &[u8]) -> Lookup {
        if body.len() > MAX_CACHEABLE_BODY {
            return Lookup::Bypass;
        }
        let body = String::from_utf8_lossy(body);
        let key = format!("gql\u{1}{}\u{1}{body}", viewer_key(auth));
        let known = self
            .inner
            .responses
            .read()
            .expect("responses lock")
            .contains_key(&key);
        if !known && !self.cacheable(&body) {
            return Lookup::Bypass;
        }
        self.lookup_key(db, cache, key).await
    }

    /// The board version as read by a cache read that started after this call.
    async fn version(&self, db: &Db, cache: &Cache) -> Option<String> {
        let target = {
            let mut state = self.inner.fence.state.lock().expect("fence lock");
            if state.running {
                state.again = true;
                state.started + 1
            } else {
                state.running = true;
                state.started += 1;
                let (inner, db, cache) = (self.inner.clone(), db.clone(), cache.clone());
                tokio::spawn(async move { read_versions(inner, db, cache).await });
                state.started
            }
        };
        let mut done = self.inner.fence.done.subscribe();
        let wait = async {
            loop {
                {
                    let seen = done.borrow_and_update();
                    if seen.0 >= target {
                        return seen.1.clone();
                    }
                }
                if done.changed().await.is_err() {
                    return None;
                }
            }
        };
        // The reads are time-boxed themselves; this only guards against a lost reader task.
        tokio::time::timeout(Duration::from_secs(2), wait)
            .await
            .ok()
            .flatten()
    }

    /// Look up any response by its key (the feed uses its own keys).
    pub async fn lookup_key(&self, db: &Db, cache: &Cache, key: String) -> Lookup {
        let Some(version) = self.version(db, cache).await else {
            return Lookup::Bypass;
        };
        if let Some(stored) = self
            .inner
            .responses
            .read()
            .expect("responses lock")
            .get(&key)
            && stored.version == version
            && stored.at.elapsed() < MAX_AGE
        {
            return Lookup::Hit(stored.body.clone());
        }
        Lookup::Miss { key, version }
    }

    /// Keep a response computed after `lookup` said `Miss`.
    pub fn store(&self, key: String, version: String, body: Bytes) {
        let mut responses = self.inner.responses.write().expect("responses lock");
        if responses.len() >= MAX_ENTRIES {
            responses.retain(|_, s| s.version == version && s.at.elapsed() < MAX_AGE);
            if responses.len() >= MAX_ENTRIES {
                responses.clear();
            }
        }
        responses.insert(
            key,
            Stored {
                version,
                body,
                at: Instant::now(),
            },
        );
    }

    /// Turn an executed response into HTTP, keeping it when the lookup asked for that and it
    /// succeeded (errors are never cached).
    pub fn finish(&self, lookup: Lookup, response: async_graphql::Response) -> Response {
        match lookup {
            Lookup::Miss { key, version } if response.is_ok() => {
                let body = match serde_json::to_vec(&response) {
                    Ok(body) => Bytes::from(body),
                    Err(_) => {
                        return async_graphql_axum::GraphQLResponse::from(response).into_response();
                    }
                };
                self.store(key, version, body.clone());
                json(body)
            }
            _ => async_graphql_axum::GraphQLResponse::from(response).into_response(),
        }
    }
}

/// The version an answer is kept under: the database's board version, which every write
/// raises before it is acknowledged, with the shared cache's when it answers (raised also when
/// the sets are rebuilt). Without the database nothing is kept.
async fn current_version(db: &Db, cache: &Cache) -> Option<String> {
    let (in_db, in_cache) = tokio::join!(super::board_state::board_version(&db.conn), async {
        if cache.cooling_down() {
            None
        } else {
            sets::version(cache).await
        }
    });
    let in_db = in_db.ok()?;
    Some(format!("{in_db}/{}", in_cache.as_deref().unwrap_or("-")))
}

/// Read the version until no request is waiting for a newer read.
async fn read_versions(inner: Arc<Inner>, db: Db, cache: Cache) {
    loop {
        let number = inner.fence.state.lock().expect("fence lock").started;
        let version = current_version(&db, &cache).await;
        inner.fence.done.send_replace((number, version));
        let mut state = inner.fence.state.lock().expect("fence lock");
        if state.again {
            state.again = false;
            state.started += 1;
        } else {
            state.running = false;
            return;
        }
    }
}

/// A JSON body as the GraphQL endpoint sends it.
pub fn json(body: Bytes) -> Response {
    let mut response = body.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_reads_are_cacheable() {
        assert!(is_cacheable_query(
            "query { leaderboard(board: RESIDENTS, period: ALL_TIME) { entries { rank } } }",
            None
        ));
        assert!(is_cacheable_query(
            "{ a: rankingEditions { edges { node { number } } } b: leaderboard(board: ORGANISATIONS, period: YEAR) { source } }",
            None
        ));
        assert!(is_cacheable_query(
            "query Top($b: Board!) { leaderboard(board: $b, period: YEAR) { source } }",
            None
        ));
        assert!(is_cacheable_query(
            "query A { rankingRules { minAmount } } query B { me { account { id } } }",
            Some("A")
        ));
        assert!(!is_cacheable_query(
            "query A { rankingRules { minAmount } } query B { me { account { id } } }",
            None
        ));
        assert!(!is_cacheable_query("{ me { account { id } } }", None));
        assert!(!is_cacheable_query(
            "{ leaderboard(board: RESIDENTS, period: YEAR) { source } me { account { id } } }",
            None
        ));
        assert!(!is_cacheable_query(
            "mutation { publishRankingEdition(board: RESIDENTS, period: YEAR) { number } }",
            None
        ));
        assert!(!is_cacheable_query(
            "{ ...F } fragment F on Query { me { account { id } } }",
            None
        ));
        assert!(!is_cacheable_query("not graphql", None));
    }
}
