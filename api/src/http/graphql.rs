//! `POST /graphql`: reads the request (one operation or a batch) under the configured limits,
//! refuses cross-site shapes, answers public board reads from the response cache, and runs
//! the rest with the viewer, the request id and fresh loaders. `GET /graphql` is GraphiQL
//! where the playground is on.

use std::time::{Duration, Instant};

use async_graphql::http::GraphiQLSource;
use async_graphql::{BatchRequest, BatchResponse};
use async_graphql_axum::GraphQLResponse;
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{Html, IntoResponse, Json, Response},
};
use tower_http::request_id::RequestId;

use crate::{
    graphql::{BatchSize, RequestIdValue, add_missing_codes},
    rankings::{ResponseCache, response_cache::Lookup},
    schema::{AppSchema, register_loaders},
    state::AppState,
};

/// The schema's input fields by scalar, read once, for retelling the library's input errors.
pub static INPUT_FIELDS: std::sync::LazyLock<crate::graphql::InputFields> =
    std::sync::LazyLock::new(
        || crate::graphql::InputFields::from_sdl(&crate::schema::export_sdl()),
    );

pub async fn graphql(
    State(state): State<AppState>,
    axum::Extension(schema): axum::Extension<AppSchema>,
    axum::Extension(response_cache): axum::Extension<ResponseCache>,
    headers: HeaderMap,
    request_id: Option<axum::Extension<RequestId>>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    body: axum::body::Bytes,
) -> Response {
    let limits = &state.settings.limits;
    if let Err(refusal) = cross_site_guard(&headers) {
        return refusal;
    }
    let auth = state.authenticate(&headers).await;
    // Public board reads are answered from the response cache while the board is unchanged;
    // a cached body was accepted under the same limits when it was first executed.
    let lookup = response_cache
        .lookup_body(&state.db, &state.cache, &auth, &body)
        .await;
    if let Lookup::Hit(body) = lookup {
        metrics::counter!("graphql_response_cache_hits_total").increment(1);
        return crate::rankings::response_cache::json(body);
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let batch = match async_graphql::http::receive_batch_body(
        content_type,
        body.as_ref(),
        async_graphql::http::MultipartOptions::default(),
    )
    .await
    {
        Ok(batch) => batch,
        Err(e) => return refused(format!("unreadable GraphQL request: {e}")),
    };
    let requests = match batch {
        BatchRequest::Single(r) => vec![r],
        BatchRequest::Batch(rs) => rs,
    };
    if requests.len() > limits.max_batch {
        return refused(format!(
            "a batch may hold at most {} operations",
            limits.max_batch
        ));
    }
    if let Some(r) = requests
        .iter()
        .find(|r| r.query.len() > limits.max_query_bytes)
    {
        return refused(format!(
            "query of {} bytes exceeds the limit of {} bytes",
            r.query.len(),
            limits.max_query_bytes
        ));
    }
    let request_id = request_id
        .and_then(|id| id.header_value().to_str().ok().map(str::to_owned))
        .unwrap_or_default();
    let client_ip = crate::ratelimit::ClientIp(crate::ratelimit::client_ip_of(
        Some(peer.ip()),
        &headers,
        state.settings.trusted_proxy_count(),
    ));
    let single = requests.len() == 1;
    let batch_size = BatchSize(requests.len());
    let operations: Vec<String> = requests
        .iter()
        .map(|r| {
            operation_label(
                r.operation_name
                    .as_deref()
                    .or_else(|| named_operation(&r.query)),
            )
        })
        .collect();
    let started = Instant::now();
    let prepared: Vec<async_graphql::Request> = requests
        .into_iter()
        .map(|mut r| {
            normalise_variables(&mut r.variables);
            register_loaders(r, &state.db)
                .data(auth.clone())
                .data(RequestIdValue(request_id.clone()))
                .data(batch_size)
                .data(client_ip)
        })
        .collect();
    let batch = if single {
        BatchRequest::Single(prepared.into_iter().next().expect("one request"))
    } else {
        BatchRequest::Batch(prepared)
    };
    let mut response = schema.execute_batch(batch).await;
    let elapsed = started.elapsed().as_secs_f64();
    let responses: Vec<&mut async_graphql::Response> = match &mut response {
        BatchResponse::Single(r) => vec![r],
        BatchResponse::Batch(rs) => rs.iter_mut().collect(),
    };
    for (r, operation) in responses.into_iter().zip(operations) {
        add_missing_codes(r, &INPUT_FIELDS);
        metrics::histogram!("graphql_operation_duration_seconds", "operation" => operation.clone())
            .record(elapsed);
        for error in &r.errors {
            let code = error
                .extensions
                .as_ref()
                .and_then(|e| e.get("code"))
                .map(|v| v.to_string().trim_matches('"').to_owned())
                .unwrap_or_default();
            metrics::counter!("graphql_errors_total", "operation" => operation.clone(), "code" => code)
                .increment(1);
        }
    }
    match response {
        BatchResponse::Single(single) => response_cache.finish(lookup, single),
        batch => GraphQLResponse::from(batch).into_response(),
    }
}

/// The name in `query Name {...}` when the client did not send `operationName`.
fn named_operation(query: &str) -> Option<&str> {
    let mut words = query
        .lines()
        .map(|l| l.split('#').next().unwrap_or(""))
        .flat_map(|l| l.split(|c: char| c.is_whitespace() || c == '{' || c == '('))
        .filter(|w| !w.is_empty());
    match words.next()? {
        "query" | "mutation" | "subscription" => words.next(),
        _ => None,
    }
}

/// A metrics label for the operation name: client-chosen, so sanitised and capped in
/// number, or one client could grow the label set without end.
fn operation_label(name: Option<&str>) -> String {
    static SEEN: std::sync::LazyLock<std::sync::Mutex<std::collections::HashSet<String>>> =
        std::sync::LazyLock::new(Default::default);
    let Some(name) = name.filter(|n| {
        !n.is_empty() && n.len() <= 64 && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    }) else {
        return "anonymous".into();
    };
    let mut seen = SEEN.lock().expect("operation label set");
    if seen.contains(name) || seen.len() < 500 {
        seen.insert(name.to_owned());
        name.to_owned()
    } else {
        "other".into()
    }
}

/// Browsers send `text/plain`, form-encoded and multipart bodies across sites without
/// asking first, so those could trigger a mutation from another site with the visitor's
/// cookies or network position. GraphQL is accepted as `application/json`, or as multipart
/// (file uploads) only with a header a plain form cannot set, as Apollo's CSRF prevention
/// does.
#[allow(clippy::result_large_err)]
fn cross_site_guard(headers: &HeaderMap) -> Result<(), Response> {
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    match media_type.as_str() {
        "application/json" | "application/graphql-response+json" => Ok(()),
        "multipart/form-data"
            if ["apollo-require-preflight", "x-apollo-operation-name"]
                .iter()
                .any(|h| headers.get(*h).is_some_and(|v| !v.is_empty())) =>
        {
            Ok(())
        }
        "multipart/form-data" => Err(refused_with(
            StatusCode::BAD_REQUEST,
            "Apollo-Require-Preflight",
            "a multipart upload needs the header `Apollo-Require-Preflight: true` (cross-site request protection)".into(),
        )),
        _ => Err(refused_with(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type",
            "send GraphQL requests as `Content-Type: application/json` (uploads as multipart with `Apollo-Require-Preflight: true`)".into(),
        )),
    }
}

/// A request that outlived `--request-timeout-secs`: retryable, shaped like any GraphQL error.
pub fn timed_out(after: Duration) -> Response {
    let body = serde_json::json!({
        "errors": [{
            "message": format!("no answer within {} s; retry later", after.as_secs()),
            "extensions": { "code": "UNAVAILABLE", "retryable": true }
        }]
    });
    (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
}

/// A refusal before execution, shaped like any GraphQL error and naming what to fix.
fn refused_with(status: StatusCode, field: &str, message: String) -> Response {
    let body = serde_json::json!({
        "errors": [{ "message": message, "extensions": { "code": "BAD_USER_INPUT", "field": field } }]
    });
    (status, Json(body)).into_response()
}

/// The body limit's own answer is plain text; a client reads every refusal as GraphQL.
pub async fn body_limit_as_graphql(State(state): State<AppState>, response: Response) -> Response {
    if response.status() != StatusCode::PAYLOAD_TOO_LARGE {
        return response;
    }
    let limit = state.settings.limits.max_body_bytes;
    refused_with(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body",
        format!(
            "the request body is larger than {limit} bytes; send a smaller file or split the import"
        ),
    )
}

fn refused(message: String) -> Response {
    let mut error = async_graphql::ServerError::new(message, None);
    let mut ext = async_graphql::ErrorExtensionValues::default();
    ext.set("code", "BAD_USER_INPUT");
    error.extensions = Some(ext);
    GraphQLResponse::from(async_graphql::Response::from_errors(vec![error])).into_response()
}

/// Text arrives in NFC so that the same name typed on two phones compares equal.
fn normalise_variables(variables: &mut async_graphql::Variables) {
    use async_graphql::Value;
    use unicode_normalization::UnicodeNormalization;
    fn walk(value: &mut Value) {
        match value {
            Value::String(s) if !unicode_normalization::is_nfc(s) => {
                *s = s.nfc().collect();
            }
            Value::List(items) => items.iter_mut().for_each(walk),
            Value::Object(map) => map.values_mut().for_each(walk),
            _ => {}
        }
    }
    for value in variables.values_mut() {
        walk(value);
    }
}

pub async fn graphiql(State(state): State<AppState>) -> Response {
    if state.settings.playground_enabled() {
        Html(GraphiQLSource::build().endpoint("/graphql").finish()).into_response()
    } else {
        (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "POST")],
            "send GraphQL requests with POST",
        )
            .into_response()
    }
}
