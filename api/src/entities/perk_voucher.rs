//! A voucher issued to a resident for a perk, honoured once by partner staff.

use sea_orm::entity::prelude::*;

use super::enums::VoucherStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "perk_vouchers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub perk_id: Uuid,
    pub partner_id: Uuid,
    pub resident_id: Uuid,
    pub code: String,
    pub status: VoucherStatus,
    pub issued_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub honoured_at: Option<DateTimeUtc>,
    pub honoured_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::perk::Entity",
        from = "Column::PerkId",
        to = "super::perk::Column::Id"
    )]
    Perk,
    #[sea_orm(
        belongs_to = "super::perk_partner::Entity",
        from = "Column::PartnerId",
        to = "super::perk_partner::Column::Id"
    )]
    PerkPartner,
    #[sea_orm(
        belongs_to = "super::resident::Entity",
        from = "Column::ResidentId",
        to = "super::resident::Column::Id"
    )]
    Resident,
}

impl Related<super::perk::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Perk.def()
    }
}

impl Related<super::perk_partner::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PerkPartner.def()
    }
}

impl Related<super::resident::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Resident.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
