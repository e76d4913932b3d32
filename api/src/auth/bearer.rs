//! Who sent a request: the `Authorization: Bearer` access token, checked against its session.

use axum::http::{HeaderMap, header};

use super::{Auth, SessionCheck, TokenKeys};
use crate::db::Db;

pub async fn authenticate(
    keys: &TokenKeys,
    sessions: &SessionCheck,
    db: &Db,
    headers: &HeaderMap,
) -> Auth {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Auth::Anonymous;
    };
    let token = value.to_str().ok().and_then(|v| {
        v.strip_prefix("Bearer ")
            .or_else(|| v.strip_prefix("bearer "))
    });
    let Some((viewer, issued_at)) = token.and_then(|t| keys.verify(t.trim())) else {
        return Auth::Invalid;
    };
    match sessions.is_current(db, viewer.account_id, issued_at).await {
        Ok(true) => Auth::Viewer(viewer),
        Ok(false) => Auth::Invalid,
        Err(err) => {
            // The token is genuine but the database cannot say whether its session still
            // stands: the client must retry, not sign the person out.
            tracing::warn!(error = ?err, "could not check the session");
            Auth::Unverifiable
        }
    }
}
