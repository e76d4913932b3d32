//! A resident's personal details; shares its id with its donor row.

use sea_orm::entity::prelude::*;

use super::enums::NameStyle;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "residents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub phone: String,
    pub id_number: Option<String>,
    pub town_id: Option<Uuid>,
    pub name_consent: bool,
    pub name_style: NameStyle,
    pub consent_given_at: Option<DateTimeUtc>,
    pub consent_withdrawn_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    /// The privacy policy (个人信息保护告知) version the resident agreed to, and when.
    pub privacy_policy_version: Option<String>,
    pub privacy_policy_agreed_at: Option<DateTimeUtc>,
    /// The staff account that registered the resident at a desk, if one did.
    pub registered_by: Option<Uuid>,
    /// Set when the resident deleted their account: personal fields are erased from then on.
    pub erased_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::donor::Entity",
        from = "Column::Id",
        to = "super::donor::Column::Id"
    )]
    Donor,
    #[sea_orm(
        belongs_to = "super::town::Entity",
        from = "Column::TownId",
        to = "super::town::Column::Id"
    )]
    Town,
}

impl Related<super::donor::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Donor.def()
    }
}

impl Related<super::town::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Town.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
