//! Units and value taken out of a goods donation (a stock lot) by a goods disbursement.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "goods_stock_movements")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub project_id: Uuid,
    /// The lot: a goods donation.
    pub donation_id: Uuid,
    pub disbursement_id: Uuid,
    /// Units of the lot given out (in the lot's own unit).
    pub quantity: i32,
    pub value_fen: i64,
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
    #[sea_orm(
        belongs_to = "super::donation::Entity",
        from = "Column::DonationId",
        to = "super::donation::Column::Id"
    )]
    Donation,
    #[sea_orm(
        belongs_to = "super::disbursement::Entity",
        from = "Column::DisbursementId",
        to = "super::disbursement::Column::Id"
    )]
    Disbursement,
}

impl Related<super::donation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Donation.def()
    }
}

impl Related<super::disbursement::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Disbursement.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
