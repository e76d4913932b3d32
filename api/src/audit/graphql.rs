//! The gate every mutation passes: declared access is enforced, and each successful state
//! change is appended to the audit log. Plus the ADMIN query over the log.

use std::sync::{Arc, Mutex};

use async_graphql::{
    Context, ID, Object, Result, ServerError, ServerResult, Value, Variables,
    extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest, NextResolve, ResolveInfo,
    },
};
use chrono::{DateTime, Utc};

use super::{
    service::{self, AuditEntry, AuditFilter},
    snapshot::{self, Locate},
};
use crate::{
    auth::{Auth, RoleGuard, policy},
    entities::{audit_log, enums::Role},
    error::AppError,
    graphql::{Connection, RequestIdValue, connection, parse_id, state},
    idempotency::Freshness,
    pagination::PageRequest,
    state::AppState,
};

/// Secrets that never reach the audit log.
const REDACTED_KEYS: &[&str] = &[
    "password",
    "oldPassword",
    "newPassword",
    "refreshToken",
    "accessToken",
    "file",
    "secret",
    "apiKey",
    "code",
];

fn redact(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if REDACTED_KEYS.contains(&key.as_str()) {
                    *v = serde_json::Value::String("***".into());
                } else {
                    redact(v);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

/// The first `id` in a mutation's result, top level or one object down.
fn result_id(value: &serde_json::Value) -> Option<uuid::Uuid> {
    let direct = value.get("id").and_then(|v| v.as_str());
    let nested = || {
        value
            .as_object()?
            .values()
            .find_map(|v| v.get("id").and_then(|id| id.as_str()))
    };
    direct
        .or_else(nested)
        .and_then(|s| uuid::Uuid::parse_str(s).ok())
}

fn refuse(err: AppError) -> ServerError {
    async_graphql::Error::from(err).into_server_error(Default::default())
}

pub struct MutationGate;

impl ExtensionFactory for MutationGate {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Gate {
            variables: Mutex::new(Variables::default()),
            handoff: AuditHandoff::default(),
        })
    }
}

struct Gate {
    variables: Mutex<Variables>,
    handoff: AuditHandoff,
}

/// The running mutation's audit entry, offered by the gate to a resolver that writes it in
/// the transaction making the change: the entry then commits with the change, and the gate
/// neither reads the new row back nor appends an entry of its own.
#[derive(Clone, Default)]
pub struct AuditHandoff(Arc<Mutex<Handoff>>, Arc<std::sync::atomic::AtomicBool>);

#[derive(Default)]
enum Handoff {
    #[default]
    Idle,
    Offered(Box<AuditEntry>),
    Taken,
}

impl AuditHandoff {
    /// Take the entry (arguments filled in, no row yet): whoever takes it must write it,
    /// completed with [`AuditEntry::with_row`], for every successful outcome.
    pub fn take(ctx: &Context<'_>) -> Option<AuditEntry> {
        let handoff = ctx.data_opt::<AuditHandoff>()?;
        let mut state = handoff.0.lock().expect("audit handoff lock");
        match std::mem::replace(&mut *state, Handoff::Taken) {
            Handoff::Offered(entry) => Some(*entry),
            other => {
                *state = other;
                None
            }
        }
    }

    /// Tell the gate how the running mutation was answered: a replay of an earlier request
    /// with the same idempotency key is logged as one, not as a second change.
    pub fn note(ctx: &Context<'_>, freshness: Freshness) {
        if freshness == Freshness::Replayed
            && let Some(handoff) = ctx.data_opt::<AuditHandoff>()
        {
            handoff.1.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }

    fn take_replay(&self) -> bool {
        self.1.swap(false, std::sync::atomic::Ordering::Relaxed)
    }

    fn offer(&self, entry: AuditEntry) {
        *self.0.lock().expect("audit handoff lock") = Handoff::Offered(Box::new(entry));
    }

    /// Whether the resolver took the entry; resets for the next mutation of the request.
    fn settle(&self) -> bool {
        let state = std::mem::take(&mut *self.0.lock().expect("audit handoff lock"));
        matches!(state, Handoff::Taken)
    }
}

#[async_trait::async_trait]
impl Extension for Gate {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: async_graphql::Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<async_graphql::Request> {
        *self.variables.lock().expect("gate lock") = request.variables.clone();
        next.run(ctx, request.data(self.handoff.clone())).await
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let is_mutation_root = info.parent_type == "Mutation" && info.path_node.parent.is_none();
        if !is_mutation_root {
            return next.run(ctx, info).await;
        }
        let auth = ctx.data_opt::<Auth>().cloned().unwrap_or(Auth::Anonymous);
        let viewer = match &auth {
            Auth::Viewer(v) => Some(v.clone()),
            _ => None,
        };
        let action = info.name.to_owned();
        match policy::access_for(&action) {
            None => {
                tracing::error!(%action, "mutation without declared access refused");
                return Err(refuse(AppError::forbidden(
                    "this operation is not available",
                )));
            }
            Some(access) if !access.allows(viewer.as_ref().map(|v| v.role)) => {
                return Err(refuse(match viewer {
                    // Not signed in, or the session could not be checked (retryable).
                    None => auth.viewer().err().unwrap_or(AppError::Unauthenticated),
                    Some(_) => AppError::forbidden("your role may not do this"),
                }));
            }
            Some(_) => {}
        }
        let arguments = {
            let variables = self.variables.lock().expect("gate lock");
            let mut args = serde_json::Map::new();
            for (name, value) in &info.field.arguments {
                let resolved = value
                    .node
                    .clone()
                    .into_const_with(|var| variables.get(&var).cloned().ok_or(()))
                    .ok()
                    .and_then(|v| v.into_json().ok())
                    .unwrap_or(serde_json::Value::Null);
                args.insert(name.node.to_string(), resolved);
            }
            serde_json::Value::Object(args)
        };
        // Secrets never locate a row, so one redaction serves the snapshots and the entry.
        let mut arguments = arguments;
        redact(&mut arguments);
        let app = ctx.data_opt::<AppState>();
        let writer = ctx.data_opt::<service::Writer>();
        let target = snapshot::target(&action);
        let before = match (app, target) {
            (Some(app), Some((table, locate))) => {
                snapshot::before(&app.db, table, locate, &arguments, viewer.as_ref()).await
            }
            _ => None,
        };
        let entity = match target {
            Some((table, _)) => table.to_owned(),
            None => info.return_type.trim_end_matches('!').to_owned(),
        };
        // A new row's entry can be written by the resolver with the row itself.
        if let Some((table, Locate::Created)) = target {
            self.handoff.offer(AuditEntry {
                viewer: viewer.clone(),
                action: action.clone(),
                entity: table.to_owned(),
                entity_id: None,
                request_id: ctx.data_opt::<RequestIdValue>().map(|r| r.0.clone()),
                before: None,
                after: Some(serde_json::json!({ "arguments": arguments.clone() })),
            });
        }
        let result = next.run(ctx, info).await;
        let replayed = self.handoff.take_replay();
        if self.handoff.settle() {
            return result;
        }
        let result = result?;
        if let (Some(value), Some(app), Some(writer)) = (&result, app, writer) {
            let mut returned = value.clone().into_json().unwrap_or_default();
            redact(&mut returned);
            let entity_id = result_id(&returned);
            let after = match target {
                Some((table, locate)) => {
                    let row = snapshot::after(
                        &app.db,
                        table,
                        locate,
                        &arguments,
                        viewer.as_ref(),
                        entity_id,
                    )
                    .await;
                    serde_json::json!({ "arguments": arguments, "row": row })
                }
                None => serde_json::json!({ "arguments": arguments, "result": returned }),
            };
            let entity_id = entity_id.or_else(|| {
                after["row"]["id"]
                    .as_str()
                    .and_then(|id| uuid::Uuid::parse_str(id).ok())
            });
            let entry = AuditEntry {
                viewer,
                action,
                entity,
                entity_id,
                request_id: ctx.data_opt::<RequestIdValue>().map(|r| r.0.clone()),
                before,
                after: Some(after),
            };
            let entry = if replayed { entry.replay() } else { entry };
            if let Err(err) = writer.append(entry).await {
                tracing::error!(error = ?err, "audit append failed");
            }
        }
        Ok(result)
    }
}

pub struct AuditLogEntry(audit_log::Model);

#[Object]
impl AuditLogEntry {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    async fn account_id(&self) -> Option<ID> {
        self.0.account_id.map(|id| ID(id.to_string()))
    }
    async fn role(&self) -> Option<Role> {
        self.0.role
    }
    async fn org_id(&self) -> Option<ID> {
        self.0.org_id.map(|id| ID(id.to_string()))
    }
    async fn partner_id(&self) -> Option<ID> {
        self.0.partner_id.map(|id| ID(id.to_string()))
    }
    /// The mutation, e.g. `recordDonation`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// The type it returned, e.g. `DonationResult`.
    async fn entity(&self) -> &str {
        &self.0.entity
    }
    async fn entity_id(&self) -> Option<ID> {
        self.0.entity_id.map(|id| ID(id.to_string()))
    }
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }
    /// The state before the change, as JSON, where the change records it.
    async fn before(&self) -> Option<&str> {
        self.0.before_json.as_deref()
    }
    /// `{ "arguments": ..., "result": ... }` of the change (secrets redacted), as JSON.
    async fn after(&self) -> Option<&str> {
        self.0.after_json.as_deref()
    }
    /// A repeat of an earlier request with the same idempotency key: it changed nothing and
    /// answered what the first one did.
    async fn replayed(&self) -> bool {
        self.0
            .after_json
            .as_deref()
            .and_then(|after| serde_json::from_str::<serde_json::Value>(after).ok())
            .is_some_and(|after| after["replayed"] == serde_json::Value::Bool(true))
    }
}

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// ADMIN: the audit log, newest first, with filters.
    #[graphql(
        guard = "RoleGuard::new(&[Role::Admin])",
        complexity = "crate::graphql::page_cost(first, child_complexity)"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        account_id: Option<ID>,
        action: Option<String>,
        entity: Option<String>,
        entity_id: Option<ID>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Connection<AuditLogEntry>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let filter = AuditFilter {
            account_id: account_id
                .map(|id| parse_id("accountId", &id))
                .transpose()?,
            action,
            entity,
            entity_id: entity_id.map(|id| parse_id("entityId", &id)).transpose()?,
            from,
            to,
        };
        let rows = service::list(&state(ctx).db, filter, &page).await?;
        Ok(connection(rows, &page, |m| m.id.to_string(), AuditLogEntry))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_at_any_depth() {
        let mut v = serde_json::json!({"phone": "13800000001", "password": "x",
            "login": {"accessToken": "t", "account": {"id": "a"}}});
        redact(&mut v);
        assert_eq!(v["password"], "***");
        assert_eq!(v["login"]["accessToken"], "***");
        assert_eq!(v["phone"], "13800000001");
    }
}
