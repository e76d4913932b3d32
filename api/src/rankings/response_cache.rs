//! Whole responses to public, cacheable reads (the board, editions, the feed), kept in process
//! and keyed by the request and the board version stored in the shared cache. Every write
//! gives the board a new version before it is acknowledged, so a response computed before a
//! write is never served after it, on any replica. Without a reachable cache nothing is
//! served from here.

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
use crate::{auth::Auth, cache::Cache};

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

struct Stored {
    version: String,
    body: Bytes,
    at: Instant,
}

#[derive(Default)]
struct Inner {
    responses: RwLock<HashMap<String, Stored>>,
    /// Whether a query text is a cacheable read, decided once per text.
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
        Auth::Viewer(v) => format!("{}:{:?}:{:?}", v.account_id, v.role, v.donor_id),
    }
}

fn is_cacheable_query(query: &str, operation: Option<&str>) -> bool {
    let Ok(doc) = async_graphql::parser::parse_query(query) else {
        return false;
    };
    let op = match &doc.operations {
        DocumentOperations::Single(op) => op,
        DocumentOperations::Multiple(ops) => match operation.and_then(|name| ops.get(name)) {
            Some(op) => op,
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

    fn cacheable(&self, request: &async_graphql::Request) -> bool {
        let plan_key = format!(
            "{}\u{1}{}",
            request.operation_name.as_deref().unwrap_or(""),
            request.query
        );
        if let Some(known) = self.inner.plans.read().expect("plans lock").get(&plan_key) {
            return *known;
        }
        let verdict = is_cacheable_query(&request.query, request.operation_name.as_deref());
        let mut plans = self.inner.plans.write().expect("plans lock");
        if plans.len() >= MAX_ENTRIES {
            plans.clear();
        }
        plans.insert(plan_key, verdict);
        verdict
    }

    /// Look a GraphQL request up before executing it.
    pub async fn lookup(
        &self,
        cache: &Cache,
        auth: &Auth,
        request: &async_graphql::Request,
    ) -> Lookup {
        if !self.cacheable(request) {
            return Lookup::Bypass;
        }
        let variables = serde_json::to_string(&request.variables).unwrap_or_default();
        let key = format!(
            "gql\u{1}{}\u{1}{}\u{1}{}\u{1}{}",
            viewer_key(auth),
            request.operation_name.as_deref().unwrap_or(""),
            variables,
            request.query
        );
        self.lookup_key(cache, key).await
    }

    /// Look up any response by its key (the feed uses its own keys).
    pub async fn lookup_key(&self, cache: &Cache, key: String) -> Lookup {
        let Some(version) = sets::version(cache).await else {
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
