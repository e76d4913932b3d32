//! A redemption of a reward by a donor, picked up with a code.

use sea_orm::entity::prelude::*;

use super::enums::RedemptionStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "redemptions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub reward_id: Uuid,
    pub donor_id: Uuid,
    pub org_id: Uuid,
    pub quantity: i32,
    pub credits_spent: i64,
    pub pickup_code: String,
    pub status: RedemptionStatus,
    pub created_at: DateTimeUtc,
    pub fulfilled_at: Option<DateTimeUtc>,
    pub fulfilled_by: Option<Uuid>,
    pub cancelled_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::reward::Entity",
        from = "Column::RewardId",
        to = "super::reward::Column::Id"
    )]
    Reward,
    #[sea_orm(
        belongs_to = "super::donor::Entity",
        from = "Column::DonorId",
        to = "super::donor::Column::Id"
    )]
    Donor,
    #[sea_orm(
        belongs_to = "super::charity_org::Entity",
        from = "Column::OrgId",
        to = "super::charity_org::Column::Id"
    )]
    CharityOrg,
}

impl Related<super::reward::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Reward.def()
    }
}

impl Related<super::donor::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Donor.def()
    }
}

impl Related<super::charity_org::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CharityOrg.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
