//! Volunteer hours certified (时长认证) by the organiser for one sign-up, and any dispute.

use sea_orm::entity::prelude::*;

use super::enums::DisputeStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "hour_certifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub signup_id: Uuid,
    pub activity_id: Uuid,
    pub resident_id: Uuid,
    pub org_id: Uuid,
    pub minutes: i32,
    pub default_minutes: i32,
    #[sea_orm(column_type = "Text")]
    pub change_reason: Option<String>,
    pub credits_awarded: i64,
    pub certified_by: Uuid,
    pub certified_at: DateTimeUtc,
    pub dispute_status: DisputeStatus,
    #[sea_orm(column_type = "Text")]
    pub dispute_reason: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub dispute_resolution: Option<String>,
    pub resolved_by: Option<Uuid>,
    pub resolved_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::signup::Entity",
        from = "Column::SignupId",
        to = "super::signup::Column::Id"
    )]
    Signup,
    #[sea_orm(
        belongs_to = "super::activity::Entity",
        from = "Column::ActivityId",
        to = "super::activity::Column::Id"
    )]
    Activity,
    #[sea_orm(
        belongs_to = "super::resident::Entity",
        from = "Column::ResidentId",
        to = "super::resident::Column::Id"
    )]
    Resident,
    #[sea_orm(
        belongs_to = "super::charity_org::Entity",
        from = "Column::OrgId",
        to = "super::charity_org::Column::Id"
    )]
    CharityOrg,
}

impl Related<super::signup::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Signup.def()
    }
}

impl Related<super::activity::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Activity.def()
    }
}

impl Related<super::resident::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Resident.def()
    }
}

impl Related<super::charity_org::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CharityOrg.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
