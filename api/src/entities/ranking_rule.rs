//! Dated rules for what counts on the charity ranking (洞头慈善榜).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ranking_rules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub effective_from: DateTimeUtc,
    pub exclude_government_matching: bool,
    pub exclude_charity_transfers: bool,
    pub roll_up_branches: bool,
    pub min_amount_fen: i64,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
