//! A numbered, published edition of a ranking board, as media pull it.

use sea_orm::entity::prelude::*;

use super::enums::{Board, Period};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ranking_editions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub number: i32,
    pub board: Board,
    pub period: Period,
    pub period_key: String,
    pub town_id: Option<Uuid>,
    #[sea_orm(column_type = "Text")]
    pub rules_json: String,
    pub ledger_hash: String,
    pub corrects_edition_id: Option<Uuid>,
    pub published_by: Uuid,
    pub published_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::town::Entity",
        from = "Column::TownId",
        to = "super::town::Column::Id"
    )]
    Town,
    #[sea_orm(
        belongs_to = "super::ranking_edition::Entity",
        from = "Column::CorrectsEditionId",
        to = "super::ranking_edition::Column::Id"
    )]
    CorrectsEdition,
}

impl Related<super::town::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Town.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
