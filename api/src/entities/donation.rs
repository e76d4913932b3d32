//! A donation of money or goods, as recorded by the receiving org; voided, never deleted.

use sea_orm::entity::prelude::*;

use super::enums::{
    DonationChannel, DonationKind, DonationStatus, DonorKind, FundingSource, Visibility,
};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "donations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub project_id: Uuid,
    pub campaign_id: Option<Uuid>,
    pub donor_id: Option<Uuid>,
    pub walk_in_name: Option<String>,
    pub donor_kind: Option<DonorKind>,
    pub town_id: Option<Uuid>,
    pub kind: DonationKind,
    pub amount_fen: i64,
    #[sea_orm(column_type = "Text")]
    pub goods_description: Option<String>,
    pub goods_quantity: Option<i32>,
    pub channel: DonationChannel,
    pub funding_source: FundingSource,
    pub donated_at: DateTimeUtc,
    pub receipt_no: String,
    pub visibility: Visibility,
    pub status: DonationStatus,
    pub credits_awarded: i64,
    pub credit_rule_id: Option<Uuid>,
    #[sea_orm(column_type = "Text")]
    pub void_reason: Option<String>,
    pub voided_at: Option<DateTimeUtc>,
    pub voided_by: Option<Uuid>,
    pub recorded_by: Uuid,
    pub verification_code: String,
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
        belongs_to = "super::campaign::Entity",
        from = "Column::CampaignId",
        to = "super::campaign::Column::Id"
    )]
    Campaign,
    #[sea_orm(
        belongs_to = "super::donor::Entity",
        from = "Column::DonorId",
        to = "super::donor::Column::Id"
    )]
    Donor,
    #[sea_orm(
        belongs_to = "super::town::Entity",
        from = "Column::TownId",
        to = "super::town::Column::Id"
    )]
    Town,
    #[sea_orm(
        belongs_to = "super::credit_rule::Entity",
        from = "Column::CreditRuleId",
        to = "super::credit_rule::Column::Id"
    )]
    CreditRule,
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

impl Related<super::campaign::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Campaign.def()
    }
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

impl Related<super::credit_rule::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CreditRule.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
