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

// Benefits name their tier (`tier_benefit`); nothing reads a tier's benefits through it.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
