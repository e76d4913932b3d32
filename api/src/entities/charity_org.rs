//! A charity organisation (慈善总会, 红十字会, 分会, base): receives donations, runs projects and activities.

use sea_orm::entity::prelude::*;

use super::enums::CharityOrgKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "charity_orgs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub kind: CharityOrgKind,
    pub town_id: Option<Uuid>,
    pub recognised: bool,
    pub runs_supermarket: bool,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub created_at: DateTimeUtc,
    /// The organisation a branch (分会) belongs to.
    pub parent_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::town::Entity",
        from = "Column::TownId",
        to = "super::town::Column::Id"
    )]
    Town,
}

impl Related<super::town::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Town.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
