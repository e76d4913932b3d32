//! Appending to and reading the audit log. Rows are only ever inserted.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    auth::Viewer,
    db::Db,
    entities::audit_log,
    error::AppResult,
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

#[tracing::instrument(skip(db, entry), fields(action = %entry.action))]
pub async fn append(db: &Db, entry: AuditEntry) -> AppResult<()> {
    let txn = db.begin_write().await?;
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
    .insert(&*txn)
    .await?;
    txn.commit().await?;
    Ok(())
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
