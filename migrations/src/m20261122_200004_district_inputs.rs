//! The figures the indicators need but the data cannot give: the district's population and
//! per-capita disposable income, set by the bureau once per year.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{check, create_table_with_indexes, drop_tables, fk, pk_uuid, unique};
use crate::m20261122_000002_people_and_accounts::Accounts;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum DistrictInputs {
    Table,
    Id,
    Year,
    Population,
    PerCapitaIncomeFen,
    SetBy,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_table_with_indexes(
            manager,
            Table::create()
                .table(DistrictInputs::Table)
                .col(pk_uuid(DistrictInputs::Id))
                .col(integer(DistrictInputs::Year))
                .col(big_integer(DistrictInputs::Population))
                .col(big_integer(DistrictInputs::PerCapitaIncomeFen))
                .col(uuid(DistrictInputs::SetBy))
                .col(timestamp_with_time_zone(DistrictInputs::CreatedAt))
                .col(timestamp_with_time_zone(DistrictInputs::UpdatedAt))
                .check(check(
                    DistrictInputs::Table,
                    "population",
                    Expr::col(DistrictInputs::Population).gt(0),
                ))
                .check(check(
                    DistrictInputs::Table,
                    "per_capita_income_fen",
                    Expr::col(DistrictInputs::PerCapitaIncomeFen).gt(0),
                ))
                .foreign_key(&mut fk(
                    DistrictInputs::Table,
                    DistrictInputs::SetBy,
                    Accounts::Table,
                ))
                .take(),
            vec![unique(DistrictInputs::Table, [DistrictInputs::Year])],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, [DistrictInputs::Table.into_iden()]).await
    }
}
