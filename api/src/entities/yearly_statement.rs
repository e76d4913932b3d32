//! A yearly donation statement as issued: a frozen snapshot with a public verification code.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "yearly_statements")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub donor_id: Uuid,
    pub year: i32,
    pub donation_count: i32,
    pub total_fen: i64,
    pub credits: i64,
    pub verification_code: String,
    pub issued_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::donor::Entity",
        from = "Column::DonorId",
        to = "super::donor::Column::Id"
    )]
    Donor,
}

impl Related<super::donor::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Donor.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
