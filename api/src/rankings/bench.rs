//! The benchmark's ceiling: a plain axum handler answering a constant JSON body of the same
//! shape and size as a top-50 board, so the board's figures have a same-machine reference.

use axum::{Router, body::Bytes, routing::post};

fn body() -> Bytes {
    let entries: Vec<serde_json::Value> = (1..=50)
        .map(|i| {
            serde_json::json!({
                "rank": i,
                "displayName": "张*明",
                "amount": format!("{}.00", 100_000 - i * 1_000),
            })
        })
        .collect();
    let doc = serde_json::json!({
        "data": { "leaderboard": {
            "source": "CACHE",
            "computedAt": "2026-11-22T00:00:00Z",
            "entries": entries,
        } }
    });
    Bytes::from(serde_json::to_vec(&doc).expect("constant JSON"))
}

/// `POST /ceiling` reads the request body and answers the constant JSON.
pub fn ceiling_router() -> Router {
    let body = body();
    Router::new().route(
        "/ceiling",
        post(move |_request: Bytes| {
            let body = body.clone();
            async move { ([("content-type", "application/json")], body) }
        }),
    )
}
