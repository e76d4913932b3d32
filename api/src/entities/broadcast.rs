//! A post in the broadcast column (慈善共富广播): a need, an offer, an activity plan or a story.

use sea_orm::entity::prelude::*;

use super::enums::{BroadcastKind, BroadcastStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "broadcasts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub kind: BroadcastKind,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub town_id: Option<Uuid>,
    pub activity_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    pub status: BroadcastStatus,
    #[sea_orm(column_type = "Text")]
    pub hidden_reason: Option<String>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub published_at: Option<DateTimeUtc>,
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
        belongs_to = "super::town::Entity",
        from = "Column::TownId",
        to = "super::town::Column::Id"
    )]
    Town,
    #[sea_orm(
        belongs_to = "super::activity::Entity",
        from = "Column::ActivityId",
        to = "super::activity::Column::Id"
    )]
    Activity,
    #[sea_orm(
        belongs_to = "super::charity_project::Entity",
        from = "Column::ProjectId",
        to = "super::charity_project::Column::Id"
    )]
    CharityProject,
}

impl Related<super::charity_org::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CharityOrg.def()
    }
}

impl Related<super::town::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Town.def()
    }
}

impl Related<super::activity::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Activity.def()
    }
}

impl Related<super::charity_project::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CharityProject.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
