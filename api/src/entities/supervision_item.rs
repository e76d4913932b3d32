//! A public-supervision question (公众监督) on a project, a disbursement or an edition.

use sea_orm::entity::prelude::*;

use super::enums::{SupervisionStatus, SupervisionSubjectKind};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "supervision_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub subject_kind: SupervisionSubjectKind,
    pub subject_id: Uuid,
    /// The org that must answer; `None` when the bureau answers (an edition).
    pub org_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    pub asked_by: Uuid,
    #[sea_orm(column_type = "Text")]
    pub question: String,
    #[sea_orm(column_type = "Text")]
    pub answer: Option<String>,
    pub answered_by: Option<Uuid>,
    pub status: SupervisionStatus,
    pub response_due_at: DateTimeUtc,
    pub answered_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::charity_org::Entity",
        from = "Column::OrgId",
        to = "super::charity_org::Column::Id"
    )]
    CharityOrg,
    #[sea_orm(
        belongs_to = "super::charity_project::Entity",
        from = "Column::ProjectId",
        to = "super::charity_project::Column::Id"
    )]
    CharityProject,
    #[sea_orm(
        belongs_to = "super::account::Entity",
        from = "Column::AskedBy",
        to = "super::account::Column::Id"
    )]
    Asker,
}

impl Related<super::charity_org::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CharityOrg.def()
    }
}

impl Related<super::charity_project::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CharityProject.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
