//! Client idempotency keys: the same key and input return the first result; the same key
//! with other input is a conflict.

mod service;

pub use service::{
    Decided, Freshness, IdempotencyKey, NewClaim, claim_many, earlier_result, push_release,
    request_hash, run, run_decided,
};
