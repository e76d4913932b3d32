//! A tier (档次): a threshold of cumulative confirmed donation for one kind of donor.

use sea_orm::entity::prelude::*;

use super::enums::DonorKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "credit_tiers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub donor_kind: DonorKind,
    pub level: i32,
    pub name: String,
    pub threshold_fen: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::tier_benefit::Entity")]
    TierBenefit,
}

impl Related<super::tier_benefit::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TierBenefit.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
