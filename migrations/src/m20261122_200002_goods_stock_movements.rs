//! Goods stock movements: a goods donation is a stock lot; each movement takes units and value
//! out of one lot, when a goods disbursement gives them out.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{check, create_table_with_indexes, drop_tables, fk, index, pk_uuid};
use crate::m20261122_000001_places_and_orgs::{CharityOrgs, CharityProjects};

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
enum GoodsStockMovements {
    Table,
    Id,
    OrgId,
    ProjectId,
    DonationId,
    DisbursementId,
    Quantity,
    ValueFen,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_table_with_indexes(
            manager,
            Table::create()
                .table(GoodsStockMovements::Table)
                .col(pk_uuid(GoodsStockMovements::Id))
                .col(uuid(GoodsStockMovements::OrgId))
                .col(uuid(GoodsStockMovements::ProjectId))
                .col(uuid(GoodsStockMovements::DonationId))
                .col(uuid(GoodsStockMovements::DisbursementId))
                .col(integer(GoodsStockMovements::Quantity))
                .col(big_integer(GoodsStockMovements::ValueFen))
                .col(timestamp_with_time_zone(GoodsStockMovements::CreatedAt))
                .check(check(
                    GoodsStockMovements::Table,
                    "quantity",
                    Expr::col(GoodsStockMovements::Quantity).gte(0),
                ))
                .check(check(
                    GoodsStockMovements::Table,
                    "value_fen",
                    Expr::col(GoodsStockMovements::ValueFen).gt(0),
                ))
                .foreign_key(&mut fk(
                    GoodsStockMovements::Table,
                    GoodsStockMovements::OrgId,
                    CharityOrgs::Table,
                ))
                .foreign_key(&mut fk(
                    GoodsStockMovements::Table,
                    GoodsStockMovements::ProjectId,
                    CharityProjects::Table,
                ))
                .foreign_key(&mut fk(
                    GoodsStockMovements::Table,
                    GoodsStockMovements::DonationId,
                    Donations::Table,
                ))
                .foreign_key(&mut fk(
                    GoodsStockMovements::Table,
                    GoodsStockMovements::DisbursementId,
                    Disbursements::Table,
                ))
                .take(),
            vec![
                index(
                    GoodsStockMovements::Table,
                    [GoodsStockMovements::DonationId],
                ),
                index(GoodsStockMovements::Table, [GoodsStockMovements::ProjectId]),
                index(
                    GoodsStockMovements::Table,
                    [GoodsStockMovements::DisbursementId],
                ),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, [GoodsStockMovements::Table.into_iden()]).await
    }
}
