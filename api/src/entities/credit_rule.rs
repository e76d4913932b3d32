//! A dated conversion rule: `credits` per `per_units` (fen for donations, minutes for hours).

use sea_orm::entity::prelude::*;

use super::enums::CreditRuleKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "credit_rules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: CreditRuleKind,
    pub credits: i64,
    pub per_units: i64,
    pub effective_from: DateTimeUtc,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
