//! The media feed: MEDIA API keys, and `/feed/rankings.json` and `/feed/rankings.atom` listing
//! published editions, with ETags and a per-key rate limit.

pub mod graphql;
pub mod http;
pub mod service;

pub use graphql::{FeedMutation, FeedQuery};
pub use http::router;
