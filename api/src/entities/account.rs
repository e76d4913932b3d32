//! A login: a resident, an enterprise, org or partner staff, or an admin.

use sea_orm::entity::prelude::*;

use super::enums::Role;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub phone: String,
    pub password_hash: String,
    pub role: Role,
    pub display_name: String,
    pub org_id: Option<Uuid>,
    pub partner_id: Option<Uuid>,
    pub donor_id: Option<Uuid>,
    pub disabled: bool,
    pub password_changed_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::charity_org::Entity",
        from = "Column::OrgId",
        to = "super::charity_org::Column::Id"
    )]
    CharityOrg,
    #[sea_orm(
        belongs_to = "super::perk_partner::Entity",
        from = "Column::PartnerId",
        to = "super::perk_partner::Column::Id"
    )]
    PerkPartner,
    #[sea_orm(
        belongs_to = "super::donor::Entity",
        from = "Column::DonorId",
        to = "super::donor::Column::Id"
    )]
    Donor,
}

impl Related<super::charity_org::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CharityOrg.def()
    }
}

impl Related<super::perk_partner::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PerkPartner.def()
    }
}

impl Related<super::donor::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Donor.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
