//! Public supervision (公众监督): any logged-in account asks about a project, a disbursement or
//! a published ranking edition; the org (or, for an edition, the bureau) answers by a deadline.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, sea_query::Expr,
};
use uuid::Uuid;

use super::model::{parse_answer, parse_question};
use crate::{
    auth::Viewer,
    db::Db,
    entities::{
        charity_project, disbursement,
        enums::{SupervisionStatus, SupervisionSubjectKind},
        ranking_edition, supervision_item,
    },
    error::{AppError, AppResult},
    pagination::{self, Page, PageRequest},
};

/// How long the answering side has.
pub const RESPONSE_DAYS: i64 = 15;
/// Questions one account may ask in 24 hours, against flooding.
const QUESTIONS_PER_DAY: u64 = 20;

/// Ask a question; it is public at once with a response deadline.
#[tracing::instrument(skip(db, viewer, question))]
pub async fn ask(
    db: &Db,
    viewer: &Viewer,
    subject_kind: SupervisionSubjectKind,
    subject_id: Uuid,
    question: &str,
) -> AppResult<supervision_item::Model> {
    let question = parse_question(question)?;
    let (org_id, project_id) = match subject_kind {
        SupervisionSubjectKind::Project => {
            let p = charity_project::Entity::find_by_id(subject_id)
                .one(&db.conn)
                .await?
                .ok_or_else(|| AppError::not_found("charity project"))?;
            (Some(p.org_id), Some(p.id))
        }
        SupervisionSubjectKind::Disbursement => {
            let d = disbursement::Entity::find_by_id(subject_id)
                .one(&db.conn)
                .await?
                .ok_or_else(|| AppError::not_found("disbursement"))?;
            (Some(d.org_id), Some(d.project_id))
        }
        SupervisionSubjectKind::Edition => {
            ranking_edition::Entity::find_by_id(subject_id)
                .one(&db.conn)
                .await?
                .ok_or_else(|| AppError::not_found("ranking edition"))?;
            (None, None)
        }
    };
    let now = Utc::now();
    let txn = db.begin_write().await?;
    let recent = supervision_item::Entity::find()
        .filter(supervision_item::Column::AskedBy.eq(viewer.account_id))
        .filter(supervision_item::Column::CreatedAt.gt(now - Duration::hours(24)))
        .count(&*txn)
        .await?;
    if recent >= QUESTIONS_PER_DAY {
        return Err(AppError::RateLimited {
            retry_after_secs: 3600,
        });
    }
    let item = supervision_item::Model {
        id: Uuid::now_v7(),
        subject_kind,
        subject_id,
        org_id,
        project_id,
        asked_by: viewer.account_id,
        question,
        answer: None,
        answered_by: None,
        status: SupervisionStatus::Open,
        response_due_at: now + Duration::days(RESPONSE_DAYS),
        answered_at: None,
        created_at: now,
    };
    supervision_item::Entity::insert(item.clone().into_active_model())
        .exec_without_returning(&*txn)
        .await?;
    txn.commit().await?;
    Ok(item)
}

pub async fn find(db: &Db, id: Uuid) -> AppResult<supervision_item::Model> {
    supervision_item::Entity::find_by_id(id)
        .one(&db.conn)
        .await?
        .ok_or_else(|| AppError::not_found("supervision item"))
}

/// Answer an open question: its org's staff (or ADMIN); an edition's, ADMIN. Once only.
#[tracing::instrument(skip(db, viewer, answer))]
pub async fn answer(
    db: &Db,
    viewer: &Viewer,
    id: Uuid,
    answer: &str,
) -> AppResult<supervision_item::Model> {
    let item = find(db, id).await?;
    match item.org_id {
        Some(org_id) => viewer.require_org(org_id)?,
        None if viewer.is_admin() => {}
        None => {
            return Err(AppError::forbidden(
                "the civil-affairs bureau answers questions on ranking editions",
            ));
        }
    }
    let answer = parse_answer(answer)?;
    let now = Utc::now();
    let txn = db.begin_write().await?;
    let changed = supervision_item::Entity::update_many()
        .col_expr(
            supervision_item::Column::Status,
            Expr::value(SupervisionStatus::Answered),
        )
        .col_expr(supervision_item::Column::Answer, Expr::value(answer))
        .col_expr(
            supervision_item::Column::AnsweredBy,
            Expr::value(viewer.account_id),
        )
        .col_expr(supervision_item::Column::AnsweredAt, Expr::value(now))
        .filter(supervision_item::Column::Id.eq(id))
        .filter(supervision_item::Column::Status.eq(SupervisionStatus::Open))
        .exec(&*txn)
        .await?;
    if changed.rows_affected == 0 {
        return Err(AppError::conflict("this question is already answered"));
    }
    txn.commit().await?;
    find(db, id).await
}

/// Which items to list.
#[derive(Clone, Copy, Debug, Default)]
pub struct SupervisionFilter {
    pub subject: Option<(SupervisionSubjectKind, Uuid)>,
    pub project_id: Option<Uuid>,
    pub org_id: Option<Uuid>,
    pub status: Option<SupervisionStatus>,
}

/// Newest first; public (the asker is never shown).
pub async fn list(
    db: &Db,
    filter: SupervisionFilter,
    page: &PageRequest,
) -> AppResult<Page<supervision_item::Model>> {
    let mut select = supervision_item::Entity::find();
    if let Some((kind, id)) = filter.subject {
        select = select
            .filter(supervision_item::Column::SubjectKind.eq(kind))
            .filter(supervision_item::Column::SubjectId.eq(id));
    }
    if let Some(project_id) = filter.project_id {
        select = select.filter(supervision_item::Column::ProjectId.eq(project_id));
    }
    if let Some(org_id) = filter.org_id {
        select = select.filter(supervision_item::Column::OrgId.eq(org_id));
    }
    if let Some(status) = filter.status {
        select = select.filter(supervision_item::Column::Status.eq(status));
    }
    pagination::by_id_desc(&db.conn, select, page).await
}

/// Whether the item is still open past its deadline.
pub fn is_overdue(item: &supervision_item::Model, now: DateTime<Utc>) -> bool {
    item.status == SupervisionStatus::Open && item.response_due_at < now
}

pub fn answered_late(item: &supervision_item::Model) -> bool {
    item.answered_at
        .is_some_and(|answered| answered > item.response_due_at)
}

/// Overdue items, for the bureau's dashboard: open past their deadline, oldest first.
pub async fn overdue(
    db: &Db,
    now: DateTime<Utc>,
    page: &PageRequest,
) -> AppResult<Page<supervision_item::Model>> {
    let select = supervision_item::Entity::find()
        .filter(supervision_item::Column::Status.eq(SupervisionStatus::Open))
        .filter(supervision_item::Column::ResponseDueAt.lt(now));
    pagination::by_id(&db.conn, select, page).await
}
