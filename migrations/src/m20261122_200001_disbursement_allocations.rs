//! Disbursement allocations: which donation's fen paid for which disbursement, so a donor can
//! trace their gift (每一分钱的去向).

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{check, create_table_with_indexes, drop_tables, fk, index, pk_uuid, unique};
use crate::m20261122_000001_places_and_orgs::CharityProjects;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Disbursements {
    Table,
}

#[derive(DeriveIden, Clone, Copy)]
enum Donations {
    Table,
}

#[derive(DeriveIden, Clone, Copy)]
enum DisbursementAllocations {
    Table,
    Id,
    DisbursementId,
    DonationId,
    ProjectId,
    AmountFen,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_table_with_indexes(
            manager,
            Table::create()
                .table(DisbursementAllocations::Table)
                .col(pk_uuid(DisbursementAllocations::Id))
                .col(uuid(DisbursementAllocations::DisbursementId))
                .col(uuid(DisbursementAllocations::DonationId))
                .col(uuid(DisbursementAllocations::ProjectId))
                .col(big_integer(DisbursementAllocations::AmountFen))
                .col(timestamp_with_time_zone(DisbursementAllocations::CreatedAt))
                .check(check(
                    DisbursementAllocations::Table,
                    "amount_fen",
                    Expr::col(DisbursementAllocations::AmountFen).gt(0),
                ))
                .foreign_key(&mut fk(
                    DisbursementAllocations::Table,
                    DisbursementAllocations::DisbursementId,
                    Disbursements::Table,
                ))
                .foreign_key(&mut fk(
                    DisbursementAllocations::Table,
                    DisbursementAllocations::DonationId,
                    Donations::Table,
                ))
                .foreign_key(&mut fk(
                    DisbursementAllocations::Table,
                    DisbursementAllocations::ProjectId,
                    CharityProjects::Table,
                ))
                .take(),
            vec![
                // One slice per (disbursement, donation): a donation funds a disbursement once.
                unique(
                    DisbursementAllocations::Table,
                    [
                        DisbursementAllocations::DisbursementId,
                        DisbursementAllocations::DonationId,
                    ],
                ),
                index(
                    DisbursementAllocations::Table,
                    [DisbursementAllocations::DonationId],
                ),
                index(
                    DisbursementAllocations::Table,
                    [DisbursementAllocations::ProjectId],
                ),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, [DisbursementAllocations::Table.into_iden()]).await
    }
}
