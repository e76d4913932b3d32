//! Ranking rules and published ranking editions, disbursements (where money and goods went),
//! and the broadcast column.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{
    check, create_table_with_indexes, drop_tables, enumeration, enumeration_default_first, fk,
    fk_cascade, index, pk_uuid, unique,
};
use crate::m20261122_000001_places_and_orgs::{CharityOrgs, CharityProjects, Towns};
use crate::m20261122_000002_people_and_accounts::Accounts;
use crate::m20261122_000003_volunteering_and_perks::Activities;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum RankingRules {
    Table,
    Id,
    EffectiveFrom,
    ExcludeGovernmentMatching,
    ExcludeCharityTransfers,
    RollUpBranches,
    MinAmountFen,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum RankingEditions {
    Table,
    Id,
    Number,
    Board,
    Period,
    PeriodKey,
    TownId,
    RulesJson,
    LedgerHash,
    CorrectsEditionId,
    PublishedBy,
    PublishedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum RankingEditionEntries {
    Table,
    Id,
    EditionId,
    Rank,
    DisplayName,
    Total,
    Position,
}

#[derive(DeriveIden, Clone, Copy)]
enum Disbursements {
    Table,
    Id,
    OrgId,
    ProjectId,
    Kind,
    AmountFen,
    GoodsDescription,
    GoodsQuantity,
    Purpose,
    DisbursedOn,
    Beneficiaries,
    DocumentRef,
    RecordedBy,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Broadcasts {
    Table,
    Id,
    OrgId,
    Kind,
    Title,
    Body,
    TownId,
    ActivityId,
    ProjectId,
    Status,
    HiddenReason,
    CreatedBy,
    CreatedAt,
    PublishedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_table_with_indexes(
            manager,
            Table::create()
                .table(RankingRules::Table)
                .col(pk_uuid(RankingRules::Id))
                .col(timestamp_with_time_zone(RankingRules::EffectiveFrom))
                .col(boolean(RankingRules::ExcludeGovernmentMatching).default(false))
                .col(boolean(RankingRules::ExcludeCharityTransfers).default(false))
                .col(boolean(RankingRules::RollUpBranches).default(false))
                .col(big_integer(RankingRules::MinAmountFen).default(0))
                .col(uuid_null(RankingRules::CreatedBy))
                .col(timestamp_with_time_zone(RankingRules::CreatedAt))
                .foreign_key(&mut fk(
                    RankingRules::Table,
                    RankingRules::CreatedBy,
                    Accounts::Table,
                ))
                .take(),
            vec![unique(RankingRules::Table, [RankingRules::EffectiveFrom])],
        )
        .await?;

        create_table_with_indexes(
            manager,
            Table::create()
                .table(RankingEditions::Table)
                .col(pk_uuid(RankingEditions::Id))
                .col(integer(RankingEditions::Number))
                .col(enumeration(
                    RankingEditions::Board,
                    &["RESIDENTS", "ORGANISATIONS", "VOLUNTEER_HOURS"],
                ))
                .col(enumeration(
                    RankingEditions::Period,
                    &["MONTH", "QUARTER", "YEAR", "ALL_TIME"],
                ))
                .col(string(RankingEditions::PeriodKey))
                .col(uuid_null(RankingEditions::TownId))
                .col(text(RankingEditions::RulesJson))
                .col(string(RankingEditions::LedgerHash))
                .col(uuid_null(RankingEditions::CorrectsEditionId))
                .col(uuid(RankingEditions::PublishedBy))
                .col(timestamp_with_time_zone(RankingEditions::PublishedAt))
                .foreign_key(&mut fk(
                    RankingEditions::Table,
                    RankingEditions::TownId,
                    Towns::Table,
                ))
                .foreign_key(&mut fk(
                    RankingEditions::Table,
                    RankingEditions::CorrectsEditionId,
                    RankingEditions::Table,
                ))
                .foreign_key(&mut fk(
                    RankingEditions::Table,
                    RankingEditions::PublishedBy,
                    Accounts::Table,
                ))
                .take(),
            vec![unique(RankingEditions::Table, [RankingEditions::Number])],
        )
        .await?;

        create_table_with_indexes(
            manager,
            Table::create()
                .table(RankingEditionEntries::Table)
                .col(pk_uuid(RankingEditionEntries::Id))
                .col(uuid(RankingEditionEntries::EditionId))
                .col(integer(RankingEditionEntries::Rank))
                .col(string(RankingEditionEntries::DisplayName))
                .col(big_integer(RankingEditionEntries::Total))
                .col(integer(RankingEditionEntries::Position))
                // The rows are the edition's content: they never outlive it.
                .foreign_key(&mut fk_cascade(
                    RankingEditionEntries::Table,
                    RankingEditionEntries::EditionId,
                    RankingEditions::Table,
                ))
                .take(),
            vec![unique(
                RankingEditionEntries::Table,
                [
                    RankingEditionEntries::EditionId,
                    RankingEditionEntries::Position,
                ],
            )],
        )
        .await?;

        create_table_with_indexes(
            manager,
            Table::create()
                .table(Disbursements::Table)
                .col(pk_uuid(Disbursements::Id))
                .col(uuid(Disbursements::OrgId))
                .col(uuid(Disbursements::ProjectId))
                .col(enumeration(Disbursements::Kind, &["MONEY", "GOODS"]))
                .col(big_integer(Disbursements::AmountFen))
                .col(text_null(Disbursements::GoodsDescription))
                .col(integer_null(Disbursements::GoodsQuantity))
                .col(text(Disbursements::Purpose))
                .col(date(Disbursements::DisbursedOn))
                .col(integer(Disbursements::Beneficiaries).default(0))
                .col(string_null(Disbursements::DocumentRef))
                .col(uuid(Disbursements::RecordedBy))
                .col(timestamp_with_time_zone(Disbursements::CreatedAt))
                .check(check(
                    Disbursements::Table,
                    "amount_fen",
                    Expr::col(Disbursements::AmountFen).gt(0),
                ))
                .check(check(
                    Disbursements::Table,
                    "beneficiaries",
                    Expr::col(Disbursements::Beneficiaries).gte(0),
                ))
                .foreign_key(&mut fk(
                    Disbursements::Table,
                    Disbursements::OrgId,
                    CharityOrgs::Table,
                ))
                .foreign_key(&mut fk(
                    Disbursements::Table,
                    Disbursements::ProjectId,
                    CharityProjects::Table,
                ))
                .foreign_key(&mut fk(
                    Disbursements::Table,
                    Disbursements::RecordedBy,
                    Accounts::Table,
                ))
                .take(),
            vec![index(
                Disbursements::Table,
                [Disbursements::ProjectId, Disbursements::DisbursedOn],
            )],
        )
        .await?;

        create_table_with_indexes(
            manager,
            Table::create()
                .table(Broadcasts::Table)
                .col(pk_uuid(Broadcasts::Id))
                .col(uuid(Broadcasts::OrgId))
                .col(enumeration(
                    Broadcasts::Kind,
                    &["NEED", "OFFER", "ACTIVITY_PLAN", "STORY"],
                ))
                .col(string(Broadcasts::Title))
                .col(text(Broadcasts::Body))
                .col(uuid_null(Broadcasts::TownId))
                .col(uuid_null(Broadcasts::ActivityId))
                .col(uuid_null(Broadcasts::ProjectId))
                .col(enumeration_default_first(
                    Broadcasts::Status,
                    &["PENDING", "PUBLISHED", "HIDDEN"],
                ))
                .col(text_null(Broadcasts::HiddenReason))
                .col(uuid(Broadcasts::CreatedBy))
                .col(timestamp_with_time_zone(Broadcasts::CreatedAt))
                .col(timestamp_with_time_zone_null(Broadcasts::PublishedAt))
                .foreign_key(&mut fk(
                    Broadcasts::Table,
                    Broadcasts::OrgId,
                    CharityOrgs::Table,
                ))
                .foreign_key(&mut fk(Broadcasts::Table, Broadcasts::TownId, Towns::Table))
                .foreign_key(&mut fk(
                    Broadcasts::Table,
                    Broadcasts::ActivityId,
                    Activities::Table,
                ))
                .foreign_key(&mut fk(
                    Broadcasts::Table,
                    Broadcasts::ProjectId,
                    CharityProjects::Table,
                ))
                .foreign_key(&mut fk(
                    Broadcasts::Table,
                    Broadcasts::CreatedBy,
                    Accounts::Table,
                ))
                .take(),
            vec![index(
                Broadcasts::Table,
                [Broadcasts::Status, Broadcasts::PublishedAt],
            )],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [
                Broadcasts::Table.into_iden(),
                Disbursements::Table.into_iden(),
                RankingEditionEntries::Table.into_iden(),
                RankingEditions::Table.into_iden(),
                RankingRules::Table.into_iden(),
            ],
        )
        .await
    }
}
