//! Onboarding: one-time phone codes, the privacy policy a resident agreed to and the erasure
//! of an account, branches of charity organisations, goals and dates of projects and
//! campaigns, and the donor behind each published ranking line (its name is resolved when
//! read, under the person's consent at that time).

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{
    check, create_table_with_indexes, drop_tables, enumeration, fk, index, pk_uuid,
};
use crate::m20261122_000001_places_and_orgs::{Campaigns, CharityOrgs, CharityProjects};
use crate::m20261122_000002_people_and_accounts::{Accounts, Residents};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum PhoneCodes {
    Table,
    Id,
    Phone,
    Purpose,
    CodeHash,
    Attempts,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Onboarding {
    /// residents: the privacy policy version agreed to, when, and through which channel.
    PrivacyPolicyVersion,
    PrivacyPolicyAgreedAt,
    RegisteredBy,
    ErasedAt,
    /// charity_orgs: the organisation a branch belongs to.
    ParentId,
    /// charity_projects and campaigns.
    GoalFen,
    StartsOn,
    EndsOn,
    OrgId,
    Status,
    /// ranking_edition_entries: the board member (donor id, `:anon` when anonymous).
    Member,
}

#[derive(DeriveIden, Clone, Copy)]
enum RankingEditionEntries {
    Table,
}

const CODE_PURPOSES: &[&str] = &["REGISTER", "RESET_PASSWORD"];

/// One added column; SQLite takes one per statement.
async fn add(
    manager: &SchemaManager<'_>,
    table: impl IntoIden,
    column: ColumnDef,
) -> Result<(), DbErr> {
    manager
        .alter_table(Table::alter().table(table).add_column(column).to_owned())
        .await
}

/// A foreign key on a column added after its table: PostgreSQL enforces it; SQLite cannot
/// add a constraint to an existing table, so there the service's own lookup is the check.
async fn reference(
    manager: &SchemaManager<'_>,
    key: &mut ForeignKeyCreateStatement,
) -> Result<(), DbErr> {
    if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        manager.create_foreign_key(key.to_owned()).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_table_with_indexes(
            manager,
            Table::create()
                .table(PhoneCodes::Table)
                .col(pk_uuid(PhoneCodes::Id))
                .col(string(PhoneCodes::Phone))
                .col(enumeration(PhoneCodes::Purpose, CODE_PURPOSES))
                .col(string(PhoneCodes::CodeHash))
                .col(integer(PhoneCodes::Attempts).default(0))
                .col(timestamp_with_time_zone(PhoneCodes::ExpiresAt))
                .col(timestamp_with_time_zone_null(PhoneCodes::UsedAt))
                .col(timestamp_with_time_zone(PhoneCodes::CreatedAt))
                .check(check(
                    PhoneCodes::Table,
                    "attempts",
                    Expr::col(PhoneCodes::Attempts).gte(0),
                ))
                .take(),
            vec![index(
                PhoneCodes::Table,
                [
                    PhoneCodes::Phone,
                    PhoneCodes::Purpose,
                    PhoneCodes::CreatedAt,
                ],
            )],
        )
        .await?;

        add(
            manager,
            Residents::Table,
            string_null(Onboarding::PrivacyPolicyVersion),
        )
        .await?;
        add(
            manager,
            Residents::Table,
            timestamp_with_time_zone_null(Onboarding::PrivacyPolicyAgreedAt),
        )
        .await?;
        add(
            manager,
            Residents::Table,
            uuid_null(Onboarding::RegisteredBy),
        )
        .await?;
        reference(
            manager,
            &mut fk(Residents::Table, Onboarding::RegisteredBy, Accounts::Table),
        )
        .await?;
        add(
            manager,
            Residents::Table,
            timestamp_with_time_zone_null(Onboarding::ErasedAt),
        )
        .await?;

        add(manager, CharityOrgs::Table, uuid_null(Onboarding::ParentId)).await?;
        reference(
            manager,
            &mut fk(CharityOrgs::Table, Onboarding::ParentId, CharityOrgs::Table),
        )
        .await?;

        add(
            manager,
            CharityProjects::Table,
            big_integer_null(Onboarding::GoalFen),
        )
        .await?;
        add(
            manager,
            CharityProjects::Table,
            date_null(Onboarding::StartsOn),
        )
        .await?;
        add(
            manager,
            CharityProjects::Table,
            date_null(Onboarding::EndsOn),
        )
        .await?;

        add(manager, Campaigns::Table, uuid_null(Onboarding::OrgId)).await?;
        reference(
            manager,
            &mut fk(Campaigns::Table, Onboarding::OrgId, CharityOrgs::Table),
        )
        .await?;
        add(
            manager,
            Campaigns::Table,
            big_integer_null(Onboarding::GoalFen),
        )
        .await?;
        add(
            manager,
            Campaigns::Table,
            enumeration(Onboarding::Status, &["ACTIVE", "CLOSED"])
                .default("ACTIVE")
                .take(),
        )
        .await?;

        add(
            manager,
            RankingEditionEntries::Table,
            string_null(Onboarding::Member),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let drops: &[(DynIden, &[Onboarding])] = &[
            (
                Residents::Table.into_iden(),
                &[
                    Onboarding::PrivacyPolicyVersion,
                    Onboarding::PrivacyPolicyAgreedAt,
                    Onboarding::RegisteredBy,
                    Onboarding::ErasedAt,
                ],
            ),
            (CharityOrgs::Table.into_iden(), &[Onboarding::ParentId]),
            (
                CharityProjects::Table.into_iden(),
                &[
                    Onboarding::GoalFen,
                    Onboarding::StartsOn,
                    Onboarding::EndsOn,
                ],
            ),
            (
                Campaigns::Table.into_iden(),
                &[Onboarding::OrgId, Onboarding::GoalFen, Onboarding::Status],
            ),
            (
                RankingEditionEntries::Table.into_iden(),
                &[Onboarding::Member],
            ),
        ];
        for (table, columns) in drops {
            for column in *columns {
                manager
                    .alter_table(
                        Table::alter()
                            .table(table.clone())
                            .drop_column(*column)
                            .to_owned(),
                    )
                    .await?;
            }
        }
        drop_tables(manager, [PhoneCodes::Table.into_iden()]).await
    }
}
