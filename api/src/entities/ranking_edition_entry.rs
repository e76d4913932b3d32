//! One line of a published ranking edition.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ranking_edition_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub edition_id: Uuid,
    pub rank: i32,
    pub display_name: String,
    pub total: i64,
    pub position: i32,
    /// The board member behind the line; its name is resolved when read, under the
    /// person's consent at that time. Lines published before it existed keep `display_name`.
    pub member: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::ranking_edition::Entity",
        from = "Column::EditionId",
        to = "super::ranking_edition::Column::Id"
    )]
    RankingEdition,
}

impl Related<super::ranking_edition::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RankingEdition.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
