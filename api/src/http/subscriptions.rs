//! GraphQL subscriptions over WebSocket (`/graphql/ws`, graphql-transport-ws and the older
//! graphql-ws), with bounds on what one connection may ask: the HTTP rate limits do not see
//! messages inside a socket, so each connection gets its own. A connection that opens more
//! subscriptions than allowed, or sends messages faster than allowed, is closed with a
//! reason (4429), and no frame may be larger than `MAX_FRAME_BYTES`.

use std::{collections::HashSet, sync::Arc, time::Instant};

use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::{
    Router,
    extract::ws::{CloseFrame, Message, WebSocketUpgrade},
    response::Response,
    routing::get,
};
use futures::{SinkExt, StreamExt};

use crate::{
    config::Limits,
    db::Db,
    graphql::add_missing_codes,
    schema::{AppSchema, register_loaders},
};

/// A subscription document is a few hundred bytes; nothing a client sends needs more.
const MAX_FRAME_BYTES: usize = 64 * 1024;

/// The close code for a connection that broke its limits ("too many requests" in the
/// graphql-transport-ws family of codes).
const CLOSE_TOO_MANY: u16 = 4429;

#[derive(Clone, Copy, Debug)]
pub struct SocketLimits {
    pub max_subscriptions: usize,
    pub messages_per_sec: u32,
    pub message_burst: u32,
}

impl From<&Limits> for SocketLimits {
    fn from(limits: &Limits) -> Self {
        Self {
            max_subscriptions: limits.max_subscriptions_per_socket,
            messages_per_sec: limits.socket_messages_per_sec,
            message_burst: limits.socket_message_burst,
        }
    }
}

/// What one connection has used so far.
struct Allowance {
    limits: SocketLimits,
    open: HashSet<String>,
    tokens: f64,
    refilled: Instant,
    broken: Option<String>,
}

impl Allowance {
    fn new(limits: SocketLimits) -> Self {
        Self {
            limits,
            open: HashSet::new(),
            tokens: f64::from(limits.message_burst),
            refilled: Instant::now(),
            broken: None,
        }
    }

    /// Whether the connection may go on after this message from the client.
    fn admit(&mut self, message: &Message) -> bool {
        let now = Instant::now();
        let per_sec = f64::from(self.limits.messages_per_sec.max(1));
        self.tokens = (self.tokens + now.duration_since(self.refilled).as_secs_f64() * per_sec)
            .min(f64::from(self.limits.message_burst.max(1)));
        self.refilled = now;
        if self.tokens < 1.0 {
            self.broken = Some(format!(
                "more than {} messages a second",
                self.limits.messages_per_sec
            ));
            return false;
        }
        self.tokens -= 1.0;
        let text = match message {
            Message::Text(text) => text.as_str(),
            _ => return true,
        };
        #[derive(serde::Deserialize)]
        struct Envelope {
            #[serde(rename = "type")]
            kind: String,
            id: Option<String>,
        }
        let Ok(envelope) = serde_json::from_str::<Envelope>(text) else {
            return true; // the protocol itself answers malformed messages
        };
        let id = envelope.id.unwrap_or_default();
        match envelope.kind.as_str() {
            "subscribe" | "start" => {
                self.open.insert(id);
                if self.open.len() > self.limits.max_subscriptions {
                    self.broken = Some(format!(
                        "more than {} subscriptions on one connection",
                        self.limits.max_subscriptions
                    ));
                    return false;
                }
            }
            "complete" | "stop" => {
                self.open.remove(&id);
            }
            _ => {}
        }
        true
    }
}

/// The `/graphql/ws` route.
pub fn route<S: Clone + Send + Sync + 'static>(
    executor: SubscriptionExecutor,
    limits: SocketLimits,
) -> Router<S> {
    Router::new().route(
        "/graphql/ws",
        get(
            move |protocol: GraphQLProtocol, upgrade: WebSocketUpgrade| {
                let executor = executor.clone();
                async move { upgrade_socket(executor, limits, protocol, upgrade) }
            },
        ),
    )
}

fn upgrade_socket(
    executor: SubscriptionExecutor,
    limits: SocketLimits,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    upgrade
        .max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| async move {
            let (mut sink, stream) = socket.split();
            let allowance = Arc::new(std::sync::Mutex::new(Allowance::new(limits)));
            let watched = allowance.clone();
            // The session ends at the first message past the limits.
            let stream = stream.take_while(move |message| {
                let admitted = match message {
                    Ok(message) => watched.lock().expect("allowance").admit(message),
                    Err(_) => true,
                };
                futures::future::ready(admitted)
            });
            GraphQLWebSocket::new_with_pair(&mut sink, stream, executor, protocol)
                .serve()
                .await;
            let broken = allowance.lock().expect("allowance").broken.take();
            if let Some(reason) = broken {
                metrics::counter!("websocket_closed_for_limits_total").increment(1);
                let _ = sink
                    .send(Message::Close(Some(CloseFrame {
                        code: CLOSE_TOO_MANY,
                        reason: reason.into(),
                    })))
                    .await;
            }
        })
}

/// Runs WebSocket operations with the same per-request loaders as HTTP, and only
/// subscriptions: queries and mutations go over HTTP, where auth and rate limits apply.
#[derive(Clone)]
pub struct SubscriptionExecutor {
    pub schema: AppSchema,
    pub db: Db,
}

impl async_graphql::Executor for SubscriptionExecutor {
    async fn execute(&self, request: async_graphql::Request) -> async_graphql::Response {
        self.schema
            .execute(register_loaders(request, &self.db))
            .await
    }

    fn execute_stream(
        &self,
        request: async_graphql::Request,
        session_data: Option<Arc<async_graphql::Data>>,
    ) -> futures::stream::BoxStream<'static, async_graphql::Response> {
        use futures::StreamExt;
        if !is_subscription(&request) {
            let mut response =
                async_graphql::Response::from_errors(vec![async_graphql::ServerError::new(
                    "only subscriptions run over WebSocket; send queries and mutations to /graphql",
                    None,
                )]);
            add_missing_codes(&mut response, &super::graphql::INPUT_FIELDS);
            return futures::stream::once(async move { response }).boxed();
        }
        self.schema.execute_stream_with_session_data(
            register_loaders(request, &self.db),
            session_data.unwrap_or_default(),
        )
    }
}

/// Whether the operation the request runs is a subscription (unparsable text is left to the
/// schema, which reports it).
fn is_subscription(request: &async_graphql::Request) -> bool {
    use async_graphql::parser::types::{DocumentOperations, OperationType};
    let Ok(doc) = async_graphql::parser::parse_query(&request.query) else {
        return true;
    };
    let ty = match &doc.operations {
        DocumentOperations::Single(op) => Some(op.node.ty),
        DocumentOperations::Multiple(ops) => match &request.operation_name {
            Some(name) => ops.get(name.as_str()).map(|op| op.node.ty),
            None => ops.values().next().map(|op| op.node.ty),
        },
    };
    ty.is_none_or(|t| t == OperationType::Subscription)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> SocketLimits {
        SocketLimits {
            max_subscriptions: 2,
            messages_per_sec: 1,
            message_burst: 100,
        }
    }

    fn subscribe(id: &str) -> Message {
        Message::Text(
            format!(
                r#"{{"type":"subscribe","id":"{id}","payload":{{"query":"subscription {{ x }}"}}}}"#
            )
            .into(),
        )
    }

    #[test]
    fn a_connection_holds_at_most_its_subscriptions_and_completed_ones_free_a_place() {
        let mut allowance = Allowance::new(limits());
        assert!(allowance.admit(&subscribe("1")));
        assert!(allowance.admit(&subscribe("2")));
        assert!(allowance.admit(&Message::Text(r#"{"type":"complete","id":"1"}"#.into())));
        assert!(allowance.admit(&subscribe("3")));
        assert!(!allowance.admit(&subscribe("4")));
        assert!(allowance.broken.unwrap().contains("subscriptions"));
    }

    #[test]
    fn a_flood_of_messages_ends_the_connection() {
        let mut allowance = Allowance::new(SocketLimits {
            message_burst: 5,
            ..limits()
        });
        let ping = Message::Text(r#"{"type":"ping"}"#.into());
        let admitted = (0..20).take_while(|_| allowance.admit(&ping)).count();
        assert_eq!(admitted, 5);
    }
}
