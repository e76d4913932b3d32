//! An enterprise or unit (企业 / 单位) that donates; shares its id with its donor row.

use sea_orm::entity::prelude::*;

use super::enums::EnterpriseKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "enterprises")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub kind: EnterpriseKind,
    pub credit_code: Option<String>,
    pub parent_id: Option<Uuid>,
    pub town_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
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
        belongs_to = "super::enterprise::Entity",
        from = "Column::ParentId",
        to = "super::enterprise::Column::Id"
    )]
    Parent,
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
