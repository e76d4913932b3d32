//! The HTTP side of the API that is not GraphQL resolvers: the WebSocket transport.

pub mod subscriptions;
