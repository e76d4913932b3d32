//! A named donation drive with dates (慈善一日捐, 9·5 中华慈善日).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "campaigns")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub code: String,
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub starts_on: Date,
    pub ends_on: Date,
    pub created_at: DateTimeUtc,
    /// The organisation running it; programme-wide drives have none.
    pub org_id: Option<Uuid>,
    pub goal_fen: Option<i64>,
    pub status: super::enums::ProjectStatus,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
