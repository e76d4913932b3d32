//! The HTTP side of the API: the GraphQL endpoint, its WebSocket transport, the operators'
//! endpoints and the phone app's files. Part of the root: it serves the assembled schema.

pub mod client;
pub mod graphql;
pub mod ops;
pub mod subscriptions;
