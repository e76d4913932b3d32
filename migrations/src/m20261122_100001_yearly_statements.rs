//! Yearly donation statements: a frozen snapshot per issue, with a code anyone can check.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{create_table_with_indexes, drop_tables, fk, index, pk_uuid, unique};
use crate::m20261122_000002_people_and_accounts::Donors;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum YearlyStatements {
    Table,
    Id,
    DonorId,
    Year,
    DonationCount,
    TotalFen,
    Credits,
    VerificationCode,
    IssuedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_table_with_indexes(
            manager,
            Table::create()
                .table(YearlyStatements::Table)
                .col(pk_uuid(YearlyStatements::Id))
                .col(uuid(YearlyStatements::DonorId))
                .col(integer(YearlyStatements::Year))
                .col(integer(YearlyStatements::DonationCount))
                .col(big_integer(YearlyStatements::TotalFen))
                .col(big_integer(YearlyStatements::Credits))
                .col(string(YearlyStatements::VerificationCode))
                .col(timestamp_with_time_zone(YearlyStatements::IssuedAt))
                .foreign_key(&mut fk(
                    YearlyStatements::Table,
                    YearlyStatements::DonorId,
                    Donors::Table,
                ))
                .take(),
            vec![
                unique(
                    YearlyStatements::Table,
                    [YearlyStatements::VerificationCode],
                ),
                index(
                    YearlyStatements::Table,
                    [YearlyStatements::DonorId, YearlyStatements::Year],
                ),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, [YearlyStatements::Table.into_iden()]).await
    }
}
