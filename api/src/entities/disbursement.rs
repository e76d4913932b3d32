//! Money or goods leaving a project (款物流向), for transparency.

use sea_orm::entity::prelude::*;

use super::enums::DonationKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "disbursements")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub project_id: Uuid,
    pub kind: DonationKind,
    pub amount_fen: i64,
    #[sea_orm(column_type = "Text")]
    pub goods_description: Option<String>,
    pub goods_quantity: Option<i32>,
    #[sea_orm(column_type = "Text")]
    pub purpose: String,
    pub disbursed_on: Date,
    pub beneficiaries: i32,
    pub document_ref: Option<String>,
    pub recorded_by: Uuid,
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
        belongs_to = "super::charity_project::Entity",
        from = "Column::ProjectId",
        to = "super::charity_project::Column::Id"
    )]
    CharityProject,
}

impl Related<super::charity_org::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CharityOrg.def()
    }
}

impl Related<super::charity_project::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CharityProject.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
