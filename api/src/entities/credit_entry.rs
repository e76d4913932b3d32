//! One append-only entry of the credit ledger, pointing at its source.

use sea_orm::entity::prelude::*;

use super::enums::CreditEntryKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "credit_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub donor_id: Uuid,
    pub kind: CreditEntryKind,
    pub amount: i64,
    pub balance_after: i64,
    pub donation_id: Option<Uuid>,
    pub certification_id: Option<Uuid>,
    pub redemption_id: Option<Uuid>,
    pub reverses_entry_id: Option<Uuid>,
    pub rule_id: Option<Uuid>,
    #[sea_orm(column_type = "Text")]
    pub note: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::donor::Entity",
        from = "Column::DonorId",
        to = "super::donor::Column::Id"
    )]
    Donor,
    #[sea_orm(
        belongs_to = "super::donation::Entity",
        from = "Column::DonationId",
        to = "super::donation::Column::Id"
    )]
    Donation,
    #[sea_orm(
        belongs_to = "super::hour_certification::Entity",
        from = "Column::CertificationId",
        to = "super::hour_certification::Column::Id"
    )]
    HourCertification,
    #[sea_orm(
        belongs_to = "super::redemption::Entity",
        from = "Column::RedemptionId",
        to = "super::redemption::Column::Id"
    )]
    Redemption,
    #[sea_orm(
        belongs_to = "super::credit_rule::Entity",
        from = "Column::RuleId",
        to = "super::credit_rule::Column::Id"
    )]
    CreditRule,
}

impl Related<super::donor::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Donor.def()
    }
}

impl Related<super::donation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Donation.def()
    }
}

impl Related<super::hour_certification::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::HourCertification.def()
    }
}

impl Related<super::redemption::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Redemption.def()
    }
}

impl Related<super::credit_rule::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CreditRule.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
