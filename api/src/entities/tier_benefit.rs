//! A benefit a tier unlocks (parking, healthcare, elderly care, education, honour).

use sea_orm::entity::prelude::*;

use super::enums::BenefitCategory;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tier_benefits")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tier_id: Uuid,
    pub category: BenefitCategory,
    #[sea_orm(column_type = "Text")]
    pub description: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::credit_tier::Entity",
        from = "Column::TierId",
        to = "super::credit_tier::Column::Id"
    )]
    CreditTier,
}

impl Related<super::credit_tier::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CreditTier.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
