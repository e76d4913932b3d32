//! Donors (the ledger holders) with their resident and enterprise details, and logins:
//! accounts, refresh tokens and media API keys.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{
    check, create_table_with_indexes, drop_tables, enumeration, fk, index, pk_uuid, unique,
};
use crate::m20261122_000001_places_and_orgs::{CharityOrgs, PerkPartners, Towns};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
pub(crate) enum Donors {
    Table,
    Id,
    Kind,
    DisplayName,
    TownId,
    CreditBalance,
    CumulativeDonationFen,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub(crate) enum Residents {
    Table,
    Id,
    Name,
    Phone,
    IdNumber,
    TownId,
    NameConsent,
    NameStyle,
    ConsentGivenAt,
    ConsentWithdrawnAt,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub(crate) enum Enterprises {
    Table,
    Id,
    Name,
    Kind,
    CreditCode,
    ParentId,
    TownId,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub(crate) enum Accounts {
    Table,
    Id,
    Phone,
    PasswordHash,
    Role,
    DisplayName,
    OrgId,
    PartnerId,
    DonorId,
    Disabled,
    PasswordChangedAt,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum RefreshTokens {
    Table,
    Id,
    AccountId,
    FamilyId,
    TokenHash,
    IssuedAt,
    ExpiresAt,
    UsedAt,
    RevokedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ApiKeys {
    Table,
    Id,
    Name,
    KeyPrefix,
    KeyHash,
    CreatedBy,
    CreatedAt,
    RevokedAt,
    LastUsedAt,
}

/// The values of `accounts.role`; `MEDIA` reads with API keys, never with an account.
pub(crate) const ROLES: &[&str] = &[
    "RESIDENT",
    "ENTERPRISE",
    "ORG_STAFF",
    "PARTNER_STAFF",
    "ADMIN",
];

/// `role = staff_role` exactly when `col` is set.
fn bound_iff(role: &'static str, col: Accounts) -> Expr {
    Expr::col(Accounts::Role)
        .eq(role)
        .and(Expr::col(col).is_not_null())
        .or(Expr::col(Accounts::Role)
            .ne(role)
            .and(Expr::col(col).is_null()))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_table_with_indexes(
            manager,
            Table::create()
                .table(Donors::Table)
                .col(pk_uuid(Donors::Id))
                .col(enumeration(Donors::Kind, &["RESIDENT", "ENTERPRISE"]))
                .col(string(Donors::DisplayName))
                .col(uuid_null(Donors::TownId))
                .col(big_integer(Donors::CreditBalance).default(0))
                .col(big_integer(Donors::CumulativeDonationFen).default(0))
                .col(timestamp_with_time_zone(Donors::CreatedAt))
                .check(check(
                    Donors::Table,
                    "cumulative_donation_fen",
                    Expr::col(Donors::CumulativeDonationFen).gte(0),
                ))
                .foreign_key(&mut fk(Donors::Table, Donors::TownId, Towns::Table))
                .take(),
            vec![],
        )
        .await?;

        create_table_with_indexes(
            manager,
            Table::create()
                .table(Residents::Table)
                .col(pk_uuid(Residents::Id))
                .col(string(Residents::Name))
                .col(string(Residents::Phone))
                .col(string_null(Residents::IdNumber))
                .col(uuid_null(Residents::TownId))
                .col(boolean(Residents::NameConsent).default(false))
                // Masked unless the resident chooses otherwise (PIPL: the less shown, the better).
                .col(enumeration(Residents::NameStyle, &["NAMED", "MASKED"]).default("MASKED"))
                .col(timestamp_with_time_zone_null(Residents::ConsentGivenAt))
                .col(timestamp_with_time_zone_null(Residents::ConsentWithdrawnAt))
                .col(timestamp_with_time_zone(Residents::CreatedAt))
                .foreign_key(&mut fk(Residents::Table, Residents::Id, Donors::Table))
                .foreign_key(&mut fk(Residents::Table, Residents::TownId, Towns::Table))
                .take(),
            vec![
                unique(Residents::Table, [Residents::Phone]),
                unique(Residents::Table, [Residents::IdNumber]),
            ],
        )
        .await?;

        create_table_with_indexes(
            manager,
            Table::create()
                .table(Enterprises::Table)
                .col(pk_uuid(Enterprises::Id))
                .col(string(Enterprises::Name))
                .col(enumeration(Enterprises::Kind, &["ENTERPRISE", "UNIT"]))
                .col(string_null(Enterprises::CreditCode))
                .col(uuid_null(Enterprises::ParentId))
                .col(uuid_null(Enterprises::TownId))
                .col(timestamp_with_time_zone(Enterprises::CreatedAt))
                .foreign_key(&mut fk(Enterprises::Table, Enterprises::Id, Donors::Table))
                .foreign_key(&mut fk(
                    Enterprises::Table,
                    Enterprises::ParentId,
                    Enterprises::Table,
                ))
                .foreign_key(&mut fk(
                    Enterprises::Table,
                    Enterprises::TownId,
                    Towns::Table,
                ))
                .take(),
            vec![
                unique(Enterprises::Table, [Enterprises::Name]),
                unique(Enterprises::Table, [Enterprises::CreditCode]),
            ],
        )
        .await?;

        create_table_with_indexes(
            manager,
            Table::create()
                .table(Accounts::Table)
                .col(pk_uuid(Accounts::Id))
                .col(string(Accounts::Phone))
                .col(string(Accounts::PasswordHash))
                .col(enumeration(Accounts::Role, ROLES))
                .col(string(Accounts::DisplayName))
                .col(uuid_null(Accounts::OrgId))
                .col(uuid_null(Accounts::PartnerId))
                .col(uuid_null(Accounts::DonorId))
                .col(boolean(Accounts::Disabled).default(false))
                .col(timestamp_with_time_zone(Accounts::PasswordChangedAt))
                .col(timestamp_with_time_zone(Accounts::CreatedAt))
                .check(check(
                    Accounts::Table,
                    "org_staff",
                    bound_iff("ORG_STAFF", Accounts::OrgId),
                ))
                .check(check(
                    Accounts::Table,
                    "partner_staff",
                    bound_iff("PARTNER_STAFF", Accounts::PartnerId),
                ))
                .check(check(
                    Accounts::Table,
                    "donor",
                    Expr::col(Accounts::Role)
                        .is_not_in(["RESIDENT", "ENTERPRISE"])
                        .or(Expr::col(Accounts::DonorId).is_not_null()),
                ))
                .foreign_key(&mut fk(
                    Accounts::Table,
                    Accounts::OrgId,
                    CharityOrgs::Table,
                ))
                .foreign_key(&mut fk(
                    Accounts::Table,
                    Accounts::PartnerId,
                    PerkPartners::Table,
                ))
                .foreign_key(&mut fk(Accounts::Table, Accounts::DonorId, Donors::Table))
                .take(),
            vec![unique(Accounts::Table, [Accounts::Phone])],
        )
        .await?;

        create_table_with_indexes(
            manager,
            Table::create()
                .table(RefreshTokens::Table)
                .col(pk_uuid(RefreshTokens::Id))
                .col(uuid(RefreshTokens::AccountId))
                .col(uuid(RefreshTokens::FamilyId))
                .col(string(RefreshTokens::TokenHash))
                .col(timestamp_with_time_zone(RefreshTokens::IssuedAt))
                .col(timestamp_with_time_zone(RefreshTokens::ExpiresAt))
                .col(timestamp_with_time_zone_null(RefreshTokens::UsedAt))
                .col(timestamp_with_time_zone_null(RefreshTokens::RevokedAt))
                .foreign_key(&mut fk(
                    RefreshTokens::Table,
                    RefreshTokens::AccountId,
                    Accounts::Table,
                ))
                .take(),
            vec![
                unique(RefreshTokens::Table, [RefreshTokens::TokenHash]),
                index(RefreshTokens::Table, [RefreshTokens::AccountId]),
                index(RefreshTokens::Table, [RefreshTokens::FamilyId]),
            ],
        )
        .await?;

        create_table_with_indexes(
            manager,
            Table::create()
                .table(ApiKeys::Table)
                .col(pk_uuid(ApiKeys::Id))
                .col(string(ApiKeys::Name))
                .col(string(ApiKeys::KeyPrefix))
                .col(string(ApiKeys::KeyHash))
                .col(uuid(ApiKeys::CreatedBy))
                .col(timestamp_with_time_zone(ApiKeys::CreatedAt))
                .col(timestamp_with_time_zone_null(ApiKeys::RevokedAt))
                .col(timestamp_with_time_zone_null(ApiKeys::LastUsedAt))
                .foreign_key(&mut fk(ApiKeys::Table, ApiKeys::CreatedBy, Accounts::Table))
                .take(),
            vec![unique(ApiKeys::Table, [ApiKeys::KeyHash])],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [
                ApiKeys::Table.into_iden(),
                RefreshTokens::Table.into_iden(),
                Accounts::Table.into_iden(),
                Enterprises::Table.into_iden(),
                Residents::Table.into_iden(),
                Donors::Table.into_iden(),
            ],
        )
        .await
    }
}
