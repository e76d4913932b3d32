//! A perk (礼遇) an alliance member grants to residents above a Baijiaxin level or tier.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "perks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub partner_id: Uuid,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub min_baijiaxin_level: Option<i32>,
    pub min_tier_level: Option<i32>,
    pub monthly_quota: i32,
    pub voucher_valid_minutes: i32,
    pub valid_from: Option<DateTimeUtc>,
    pub valid_until: Option<DateTimeUtc>,
    pub active: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::perk_partner::Entity",
        from = "Column::PartnerId",
        to = "super::perk_partner::Column::Id"
    )]
    PerkPartner,
}

impl Related<super::perk_partner::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PerkPartner.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
