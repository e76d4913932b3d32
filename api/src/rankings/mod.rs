//! 洞头慈善榜: live boards kept in the cache's sorted sets, published editions, ranking rules.

mod aggregate;
pub mod bench;
pub mod editions;
pub mod graphql;
pub mod maintenance;
pub mod model;
pub mod reconcile;
pub mod response_cache;
pub mod service;
pub(crate) mod sets;

pub use graphql::{RankingsMutation, RankingsQuery};
pub use reconcile::Upkeep;
pub use response_cache::ResponseCache;
pub use sets::Ticket;
