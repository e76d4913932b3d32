//! 慈善共富广播: needs, offers, activity plans and stories from the orgs, moderated by the
//! bureau, read by everyone and pushed live to subscribers.

pub mod feed;
mod graphql;
mod model;
pub mod service;

pub use feed::Feed;
pub use graphql::{Broadcast, BroadcastMutation, BroadcastQuery, BroadcastSubscription};
pub use model::NewBroadcast;
