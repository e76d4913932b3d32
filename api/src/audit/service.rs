//! Appending to and reading the audit log. Rows are only ever inserted.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    auth::Viewer,
    db::Db,
    entities::audit_log,
    error::{AppError, AppResult},
    pagination::{self, Page, PageRequest},
};

/// One state change, as the gate saw it.
#[derive(Clone, Debug)]
pub struct AuditEntry {
    pub viewer: Option<Viewer>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<Uuid>,
    pub request_id: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl AuditEntry {
    /// The entry completed with the row the mutation wrote, as the gate would have read it back.
    pub fn with_row(mut self, row: serde_json::Value) -> Self {
        self.entity_id = row["id"].as_str().and_then(|id| Uuid::parse_str(id).ok());
        let mut after = self.after.take().unwrap_or_else(|| serde_json::json!({}));
        after["row"] = row;
        self.after = Some(after);
        self
    }

    /// Mark the entry as a repeat of an earlier request with the same idempotency key: it
    /// changed nothing, it answered again what the first one did.
    pub fn replay(mut self) -> Self {
        let mut after = self.after.take().unwrap_or_else(|| serde_json::json!({}));
        after["replayed"] = serde_json::Value::Bool(true);
        self.after = Some(after);
        self
    }
}

fn row(entry: AuditEntry) -> audit_log::ActiveModel {
    audit_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        at: Set(Utc::now()),
        account_id: Set(entry.viewer.as_ref().map(|v| v.account_id)),
        role: Set(entry.viewer.as_ref().map(|v| v.role)),
        org_id: Set(entry.viewer.as_ref().and_then(|v| v.org_id)),
        partner_id: Set(entry.viewer.as_ref().and_then(|v| v.partner_id)),
        action: Set(entry.action),
        entity: Set(entry.entity),
        entity_id: Set(entry.entity_id),
        request_id: Set(entry.request_id),
        before_json: Set(entry.before.map(|v| v.to_string())),
        after_json: Set(entry.after.map(|v| v.to_string())),
    }
}

#[tracing::instrument(skip(db, entry), fields(action = %entry.action))]
pub async fn append(db: &Db, entry: AuditEntry) -> AppResult<()> {
    let txn = db.begin_write().await?;
    row(entry).insert(&*txn).await?;
    txn.commit().await?;
    Ok(())
}

/// Most entries one group commit writes.
const GROUP_MAX: usize = 256;

type Waiting = (AuditEntry, tokio::sync::oneshot::Sender<AppResult<()>>);

/// Appends entries by group commit: concurrent requests' entries share one transaction and
/// one multi-row INSERT, and each request still waits until its entry is durable. Under load
/// this turns one commit per mutation into one per batch.
#[derive(Clone)]
pub struct Writer {
    queue: tokio::sync::mpsc::UnboundedSender<Waiting>,
}

impl Writer {
    /// Start the writer task (needs a running Tokio runtime).
    pub fn start(db: Db) -> Self {
        let (queue, mut incoming) = tokio::sync::mpsc::unbounded_channel::<Waiting>();
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(GROUP_MAX);
            while incoming.recv_many(&mut batch, GROUP_MAX).await > 0 {
                let (entries, waiters): (Vec<_>, Vec<_>) = batch.drain(..).unzip();
                let written = write_group(&db, entries).await;
                for waiter in waiters {
                    let _ = waiter.send(match &written {
                        Ok(()) => Ok(()),
                        Err(e) => Err(AppError::Unavailable(format!("audit log: {}", e.message()))),
                    });
                }
            }
        });
        Self { queue }
    }

    /// Append one entry; returns once it is committed.
    pub async fn append(&self, entry: AuditEntry) -> AppResult<()> {
        let (done, committed) = tokio::sync::oneshot::channel();
        self.queue
            .send((entry, done))
            .map_err(|_| AppError::Unavailable("audit writer stopped".into()))?;
        committed
            .await
            .map_err(|_| AppError::Unavailable("audit writer stopped".into()))?
    }
}

async fn write_group(db: &Db, entries: Vec<AuditEntry>) -> AppResult<()> {
    let txn = db.begin_write().await?;
    crate::db::insert_all(&*txn, entries.into_iter().map(row).collect()).await?;
    txn.commit().await?;
    Ok(())
}

/// Append entries with the caller's other writes, so they commit (or not) with its change.
pub fn push_entries(writes: &mut crate::db::Writes, entries: Vec<AuditEntry>) {
    writes.insert(entries.into_iter().map(row).collect());
}

#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub account_id: Option<Uuid>,
    pub action: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<Uuid>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// Newest first.
pub async fn list(
    db: &Db,
    filter: AuditFilter,
    page: &PageRequest,
) -> AppResult<Page<audit_log::Model>> {
    let mut select = audit_log::Entity::find();
    if let Some(v) = filter.account_id {
        select = select.filter(audit_log::Column::AccountId.eq(v));
    }
    if let Some(v) = filter.action {
        select = select.filter(audit_log::Column::Action.eq(v));
    }
    if let Some(v) = filter.entity {
        select = select.filter(audit_log::Column::Entity.eq(v));
    }
    if let Some(v) = filter.entity_id {
        select = select.filter(audit_log::Column::EntityId.eq(v));
    }
    if let Some(v) = filter.from {
        select = select.filter(audit_log::Column::At.gte(v));
    }
    if let Some(v) = filter.to {
        select = select.filter(audit_log::Column::At.lt(v));
    }
    pagination::by_id_desc(&db.conn, select, page).await
}
