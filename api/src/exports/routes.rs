//! `GET /exports/{dataset}.{xlsx|csv}?from=YYYY-MM-DD&to=YYYY-MM-DD&orgId=...`: an
//! authenticated download with the same bearer token as the GraphQL API.

use axum::{
    Json, Router,
    extract::{Path, Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use serde::Deserialize;

use super::{
    model::{Format, Period, parse_file},
    service, writer,
};
use tower_http::request_id::RequestId;

use crate::{
    audit,
    error::{AppError, AppResult},
    state::AppState,
};

pub fn routes() -> Router<AppState> {
    Router::new().route("/exports/{file}", get(download))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Params {
    from: Option<String>,
    to: Option<String>,
    org_id: Option<String>,
}

async fn download(
    State(state): State<AppState>,
    headers: HeaderMap,
    request_id: Option<axum::Extension<RequestId>>,
    Path(file): Path<String>,
    Query(params): Query<Params>,
) -> Response {
    let request_id = request_id.and_then(|id| id.header_value().to_str().ok().map(str::to_owned));
    match build(&state, &headers, request_id, &file, params).await {
        Ok(response) => response,
        Err(err) => error_response(err),
    }
}

#[tracing::instrument(skip(state, headers, params))]
async fn build(
    state: &AppState,
    headers: &HeaderMap,
    request_id: Option<String>,
    file: &str,
    params: Params,
) -> AppResult<Response> {
    let viewer = state.authenticate(headers).await;
    let viewer = viewer.viewer()?;
    let requested_org = params
        .org_id
        .as_deref()
        .map(|id| {
            uuid::Uuid::parse_str(id).map_err(|_| AppError::bad_field("orgId", "not a valid id"))
        })
        .transpose()?;
    // Who may see what is settled before anything is read.
    let org_id = service::scope(viewer, requested_org)?;
    let (dataset, format) = parse_file(file)?;
    let period = Period::parse(params.from.as_deref(), params.to.as_deref())?;
    let table = service::table(&state.db, dataset, period, org_id).await?;
    let rows = table.rows.len();
    let bytes = tokio::task::spawn_blocking(move || match format {
        Format::Xlsx => writer::xlsx(&table, dataset.sheet_name()),
        Format::Csv => writer::csv(&table),
    })
    .await
    .map_err(|e| AppError::internal(anyhow::anyhow!("export task failed: {e}")))??;
    // Exports carry names: who took which rows is kept like any change.
    audit::service::append(
        &state.db,
        audit::service::AuditEntry {
            viewer: Some(viewer.clone()),
            action: "export".into(),
            entity: dataset.slug().into(),
            entity_id: org_id,
            request_id,
            before: None,
            after: Some(serde_json::json!({
                "file": file,
                "from": period.from,
                "to": period.to,
                "orgId": org_id,
                "rows": rows,
            })),
        },
    )
    .await?;
    let name = format!(
        "{}-{}-{}.{}",
        dataset.slug(),
        period.from,
        period.to,
        format.extension()
    );
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .map_err(|e| AppError::internal(anyhow::anyhow!("header: {e}")))?;
    Ok((
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(format.content_type()),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        bytes,
    )
        .into_response())
}

fn error_response(err: AppError) -> Response {
    let status = match &err {
        AppError::Unauthenticated | AppError::WrongCredentials => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::BadInput { .. } | AppError::NotStarted { .. } => StatusCode::BAD_REQUEST,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal(cause) => {
            tracing::error!(error = ?cause, "export failed");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    };
    let field = match &err {
        AppError::BadInput { field, .. } => field.clone(),
        _ => None,
    };
    (
        status,
        Json(serde_json::json!({
            "code": err.code(),
            "message": err.message(),
            "field": field,
        })),
    )
        .into_response()
}
