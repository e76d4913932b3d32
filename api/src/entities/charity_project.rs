//! A charity project (慈善项目) that donations fund and disbursements leave.

use sea_orm::entity::prelude::*;

use super::enums::ProjectStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "charity_projects")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub town_id: Option<Uuid>,
    pub status: ProjectStatus,
    pub created_at: DateTimeUtc,
    pub goal_fen: Option<i64>,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
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

impl ActiveModelBehavior for ActiveModel {}
