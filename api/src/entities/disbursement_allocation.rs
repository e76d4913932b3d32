//! One slice of a disbursement paid by one donation: the trace from a gift to where it went.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "disbursement_allocations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub disbursement_id: Uuid,
    pub donation_id: Uuid,
    pub project_id: Uuid,
    pub amount_fen: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::disbursement::Entity",
        from = "Column::DisbursementId",
        to = "super::disbursement::Column::Id"
    )]
    Disbursement,
    #[sea_orm(
        belongs_to = "super::donation::Entity",
        from = "Column::DonationId",
        to = "super::donation::Column::Id"
    )]
    Donation,
    #[sea_orm(
        belongs_to = "super::charity_project::Entity",
        from = "Column::ProjectId",
        to = "super::charity_project::Column::Id"
    )]
    CharityProject,
}

impl Related<super::disbursement::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Disbursement.def()
    }
}

impl Related<super::donation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Donation.def()
    }
}

impl Related<super::charity_project::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CharityProject.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
