//! 洞头慈善榜: live boards kept in the cache's sorted sets, published editions, ranking rules.

mod aggregate;
pub mod bench;
pub mod board_state;
mod boards;
pub mod choices;
pub mod editions;
pub mod graphql;
pub mod maintenance;
pub mod model;
pub mod reads;
pub mod reconcile;
pub mod response_cache;
pub mod rule_book;
pub(crate) mod sets;
pub mod totals;

pub use boards::{BoardWrite, Boards, Upkeep};
pub use graphql::{RankingsMutation, RankingsQuery};
pub use response_cache::ResponseCache;
pub use sets::Ticket;
