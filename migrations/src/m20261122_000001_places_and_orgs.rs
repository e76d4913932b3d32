//! Towns, charity organisations and their projects, campaigns, and perk partners.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{
    check, create_table_with_indexes, drop_tables, enumeration, enumeration_default_first, fk,
    index, pk_uuid, unique,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
pub(crate) enum Towns {
    Table,
    Id,
    Code,
    Name,
    SortOrder,
}

#[derive(DeriveIden, Clone, Copy)]
pub(crate) enum CharityOrgs {
    Table,
    Id,
    Name,
    Kind,
    TownId,
    Recognised,
    RunsSupermarket,
    Description,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub(crate) enum CharityProjects {
    Table,
    Id,
    OrgId,
    Name,
    Description,
    TownId,
    Status,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub(crate) enum Campaigns {
    Table,
    Id,
    Code,
    Name,
    Description,
    StartsOn,
    EndsOn,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub(crate) enum PerkPartners {
    Table,
    Id,
    Name,
    Kind,
    TownId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_table_with_indexes(
            manager,
            Table::create()
                .table(Towns::Table)
                .col(pk_uuid(Towns::Id))
                .col(string(Towns::Code))
                .col(string(Towns::Name))
                .col(integer(Towns::SortOrder).default(0))
                .take(),
            vec![
                unique(Towns::Table, [Towns::Code]),
                unique(Towns::Table, [Towns::Name]),
            ],
        )
        .await?;

        create_table_with_indexes(
            manager,
            Table::create()
                .table(CharityOrgs::Table)
                .col(pk_uuid(CharityOrgs::Id))
                .col(string(CharityOrgs::Name))
                .col(enumeration(
                    CharityOrgs::Kind,
                    &["FEDERATION", "RED_CROSS", "BASE", "BRANCH", "OTHER"],
                ))
                .col(uuid_null(CharityOrgs::TownId))
                .col(boolean(CharityOrgs::Recognised).default(false))
                .col(boolean(CharityOrgs::RunsSupermarket).default(false))
                .col(text(CharityOrgs::Description))
                .col(timestamp_with_time_zone(CharityOrgs::CreatedAt))
                .foreign_key(&mut fk(
                    CharityOrgs::Table,
                    CharityOrgs::TownId,
                    Towns::Table,
                ))
                .take(),
            vec![unique(CharityOrgs::Table, [CharityOrgs::Name])],
        )
        .await?;

        create_table_with_indexes(
            manager,
            Table::create()
                .table(CharityProjects::Table)
                .col(pk_uuid(CharityProjects::Id))
                .col(uuid(CharityProjects::OrgId))
                .col(string(CharityProjects::Name))
                .col(text(CharityProjects::Description))
                .col(uuid_null(CharityProjects::TownId))
                .col(enumeration_default_first(
                    CharityProjects::Status,
                    &["ACTIVE", "CLOSED"],
                ))
                .col(timestamp_with_time_zone(CharityProjects::CreatedAt))
                .foreign_key(&mut fk(
                    CharityProjects::Table,
                    CharityProjects::OrgId,
                    CharityOrgs::Table,
                ))
                .foreign_key(&mut fk(
                    CharityProjects::Table,
                    CharityProjects::TownId,
                    Towns::Table,
                ))
                .take(),
            vec![
                unique(
                    CharityProjects::Table,
                    [CharityProjects::OrgId, CharityProjects::Name],
                ),
                index(CharityProjects::Table, [CharityProjects::OrgId]),
            ],
        )
        .await?;

        create_table_with_indexes(
            manager,
            Table::create()
                .table(Campaigns::Table)
                .col(pk_uuid(Campaigns::Id))
                .col(string(Campaigns::Code))
                .col(string(Campaigns::Name))
                .col(text(Campaigns::Description))
                .col(date(Campaigns::StartsOn))
                .col(date(Campaigns::EndsOn))
                .col(timestamp_with_time_zone(Campaigns::CreatedAt))
                .check(check(
                    Campaigns::Table,
                    "dates",
                    Expr::col(Campaigns::EndsOn).gte(Expr::col(Campaigns::StartsOn)),
                ))
                .take(),
            vec![unique(Campaigns::Table, [Campaigns::Code])],
        )
        .await?;

        create_table_with_indexes(
            manager,
            Table::create()
                .table(PerkPartners::Table)
                .col(pk_uuid(PerkPartners::Id))
                .col(string(PerkPartners::Name))
                .col(enumeration(
                    PerkPartners::Kind,
                    &[
                        "BANK", "PARKING", "LIBRARY", "HOSPITAL", "APPROVAL", "OTHER",
                    ],
                ))
                .col(uuid_null(PerkPartners::TownId))
                .col(timestamp_with_time_zone(PerkPartners::CreatedAt))
                .foreign_key(&mut fk(
                    PerkPartners::Table,
                    PerkPartners::TownId,
                    Towns::Table,
                ))
                .take(),
            vec![unique(PerkPartners::Table, [PerkPartners::Name])],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [
                PerkPartners::Table.into_iden(),
                Campaigns::Table.into_iden(),
                CharityProjects::Table.into_iden(),
                CharityOrgs::Table.into_iden(),
                Towns::Table.into_iden(),
            ],
        )
        .await
    }
}
