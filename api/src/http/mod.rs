//! The HTTP side of the API that is not GraphQL resolvers: the phone app's files and the
//! WebSocket transport.

pub mod client;
pub mod subscriptions;
