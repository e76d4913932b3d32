//! Volunteer activities, sign-ups and certified hours, notices to residents, and the perks
//! alliance members grant with their vouchers.
//!
//! Runs before the donations migration because credit entries point at hour certifications.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{
    check, create_table_with_indexes, drop_tables, enumeration, enumeration_default_first, fk,
    index, pk_uuid, unique,
};
use crate::m20261122_000001_places_and_orgs::{CharityOrgs, PerkPartners, Towns};
use crate::m20261122_000002_people_and_accounts::{Accounts, Donors, Residents};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
pub(crate) enum Activities {
    Table,
    Id,
    OrgId,
    Title,
    Description,
    TownId,
    Place,
    StartsAt,
    EndsAt,
    Capacity,
    SignedUp,
    SignupDeadline,
    Status,
    CheckinSecret,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Signups {
    Table,
    Id,
    ActivityId,
    ResidentId,
    Status,
    SignedUpAt,
    CancelledAt,
    CheckedInAt,
    CheckedOutAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub(crate) enum HourCertifications {
    Table,
    Id,
    SignupId,
    ActivityId,
    ResidentId,
    OrgId,
    Minutes,
    DefaultMinutes,
    ChangeReason,
    CreditsAwarded,
    CertifiedBy,
    CertifiedAt,
    DisputeStatus,
    DisputeReason,
    DisputeResolution,
    ResolvedBy,
    ResolvedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Notices {
    Table,
    Id,
    AccountId,
    DonorId,
    Kind,
    Title,
    Body,
    ActivityId,
    CreatedAt,
    ReadAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Perks {
    Table,
    Id,
    PartnerId,
    Title,
    Description,
    MinBaijiaxinLevel,
    MinTierLevel,
    MonthlyQuota,
    VoucherValidMinutes,
    ValidFrom,
    ValidUntil,
    Active,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum PerkVouchers {
    Table,
    Id,
    PerkId,
    PartnerId,
    ResidentId,
    Code,
    Status,
    IssuedAt,
    ExpiresAt,
    HonouredAt,
    HonouredBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_table_with_indexes(
            manager,
            Table::create()
                .table(Activities::Table)
                .col(pk_uuid(Activities::Id))
                .col(uuid(Activities::OrgId))
                .col(string(Activities::Title))
                .col(text(Activities::Description))
                .col(uuid(Activities::TownId))
                .col(string(Activities::Place))
                .col(timestamp_with_time_zone(Activities::StartsAt))
                .col(timestamp_with_time_zone(Activities::EndsAt))
                .col(integer(Activities::Capacity))
                .col(integer(Activities::SignedUp).default(0))
                .col(timestamp_with_time_zone(Activities::SignupDeadline))
                .col(enumeration_default_first(
                    Activities::Status,
                    &["DRAFT", "PUBLISHED", "CANCELLED", "FINISHED"],
                ))
                .col(string(Activities::CheckinSecret))
                .col(uuid(Activities::CreatedBy))
                .col(timestamp_with_time_zone(Activities::CreatedAt))
                .col(timestamp_with_time_zone(Activities::UpdatedAt))
                .check(check(
                    Activities::Table,
                    "times",
                    Expr::col(Activities::EndsAt).gt(Expr::col(Activities::StartsAt)),
                ))
                .check(check(
                    Activities::Table,
                    "capacity",
                    Expr::col(Activities::Capacity).gt(0),
                ))
                .check(check(
                    Activities::Table,
                    "signed_up",
                    Expr::col(Activities::SignedUp)
                        .gte(0)
                        .and(Expr::col(Activities::SignedUp).lte(Expr::col(Activities::Capacity))),
                ))
                .foreign_key(&mut fk(
                    Activities::Table,
                    Activities::OrgId,
                    CharityOrgs::Table,
                ))
                .foreign_key(&mut fk(Activities::Table, Activities::TownId, Towns::Table))
                .foreign_key(&mut fk(
                    Activities::Table,
                    Activities::CreatedBy,
                    Accounts::Table,
                ))
                .take(),
            vec![
                index(
                    Activities::Table,
                    [Activities::TownId, Activities::StartsAt],
                ),
                index(Activities::Table, [Activities::OrgId]),
                index(
                    Activities::Table,
                    [Activities::Status, Activities::StartsAt],
                ),
            ],
        )
        .await?;

        create_table_with_indexes(
            manager,
            Table::create()
                .table(Signups::Table)
                .col(pk_uuid(Signups::Id))
                .col(uuid(Signups::ActivityId))
                .col(uuid(Signups::ResidentId))
                .col(enumeration_default_first(
                    Signups::Status,
                    &["SIGNED_UP", "CANCELLED"],
                ))
                .col(timestamp_with_time_zone(Signups::SignedUpAt))
                .col(timestamp_with_time_zone_null(Signups::CancelledAt))
                .col(timestamp_with_time_zone_null(Signups::CheckedInAt))
                .col(timestamp_with_time_zone_null(Signups::CheckedOutAt))
                .foreign_key(&mut fk(
                    Signups::Table,
                    Signups::ActivityId,
                    Activities::Table,
                ))
                .foreign_key(&mut fk(
                    Signups::Table,
                    Signups::ResidentId,
                    Residents::Table,
                ))
                .take(),
            vec![
                unique(Signups::Table, [Signups::ActivityId, Signups::ResidentId]),
                index(Signups::Table, [Signups::ResidentId]),
            ],
        )
        .await?;

        create_table_with_indexes(
            manager,
            Table::create()
                .table(HourCertifications::Table)
                .col(pk_uuid(HourCertifications::Id))
                .col(uuid(HourCertifications::SignupId))
                .col(uuid(HourCertifications::ActivityId))
                .col(uuid(HourCertifications::ResidentId))
                .col(uuid(HourCertifications::OrgId))
                .col(integer(HourCertifications::Minutes))
                .col(integer(HourCertifications::DefaultMinutes))
                .col(text_null(HourCertifications::ChangeReason))
                .col(big_integer(HourCertifications::CreditsAwarded).default(0))
                .col(uuid(HourCertifications::CertifiedBy))
                .col(timestamp_with_time_zone(HourCertifications::CertifiedAt))
                .col(enumeration_default_first(
                    HourCertifications::DisputeStatus,
                    &["NONE", "OPEN", "UPHELD", "REJECTED"],
                ))
                .col(text_null(HourCertifications::DisputeReason))
                .col(text_null(HourCertifications::DisputeResolution))
                .col(uuid_null(HourCertifications::ResolvedBy))
                .col(timestamp_with_time_zone_null(
                    HourCertifications::ResolvedAt,
                ))
                .check(check(
                    HourCertifications::Table,
                    "minutes",
                    Expr::col(HourCertifications::Minutes).gte(0),
                ))
                .foreign_key(&mut fk(
                    HourCertifications::Table,
                    HourCertifications::SignupId,
                    Signups::Table,
                ))
                .foreign_key(&mut fk(
                    HourCertifications::Table,
                    HourCertifications::ActivityId,
                    Activities::Table,
                ))
                .foreign_key(&mut fk(
                    HourCertifications::Table,
                    HourCertifications::ResidentId,
                    Residents::Table,
                ))
                .foreign_key(&mut fk(
                    HourCertifications::Table,
                    HourCertifications::OrgId,
                    CharityOrgs::Table,
                ))
                .foreign_key(&mut fk(
                    HourCertifications::Table,
                    HourCertifications::CertifiedBy,
                    Accounts::Table,
                ))
                .foreign_key(&mut fk(
                    HourCertifications::Table,
                    HourCertifications::ResolvedBy,
                    Accounts::Table,
                ))
                .take(),
            vec![
                unique(HourCertifications::Table, [HourCertifications::SignupId]),
                index(HourCertifications::Table, [HourCertifications::ResidentId]),
                index(HourCertifications::Table, [HourCertifications::ActivityId]),
                index(HourCertifications::Table, [HourCertifications::CertifiedAt]),
            ],
        )
        .await?;

        create_table_with_indexes(
            manager,
            Table::create()
                .table(Notices::Table)
                .col(pk_uuid(Notices::Id))
                .col(uuid_null(Notices::AccountId))
                .col(uuid_null(Notices::DonorId))
                .col(enumeration(
                    Notices::Kind,
                    &["ACTIVITY_CANCELLED", "GENERAL"],
                ))
                .col(string(Notices::Title))
                .col(text(Notices::Body))
                .col(uuid_null(Notices::ActivityId))
                .col(timestamp_with_time_zone(Notices::CreatedAt))
                .col(timestamp_with_time_zone_null(Notices::ReadAt))
                .foreign_key(&mut fk(Notices::Table, Notices::AccountId, Accounts::Table))
                .foreign_key(&mut fk(Notices::Table, Notices::DonorId, Donors::Table))
                .foreign_key(&mut fk(
                    Notices::Table,
                    Notices::ActivityId,
                    Activities::Table,
                ))
                .take(),
            vec![index(Notices::Table, [Notices::DonorId])],
        )
        .await?;

        create_table_with_indexes(
            manager,
            Table::create()
                .table(Perks::Table)
                .col(pk_uuid(Perks::Id))
                .col(uuid(Perks::PartnerId))
                .col(string(Perks::Title))
                .col(text(Perks::Description))
                .col(integer_null(Perks::MinBaijiaxinLevel))
                .col(integer_null(Perks::MinTierLevel))
                .col(integer(Perks::MonthlyQuota))
                .col(integer(Perks::VoucherValidMinutes))
                .col(timestamp_with_time_zone_null(Perks::ValidFrom))
                .col(timestamp_with_time_zone_null(Perks::ValidUntil))
                .col(boolean(Perks::Active).default(true))
                .col(timestamp_with_time_zone(Perks::CreatedAt))
                .check(check(
                    Perks::Table,
                    "monthly_quota",
                    Expr::col(Perks::MonthlyQuota).gt(0),
                ))
                .check(check(
                    Perks::Table,
                    "voucher_valid_minutes",
                    Expr::col(Perks::VoucherValidMinutes).gt(0),
                ))
                .foreign_key(&mut fk(Perks::Table, Perks::PartnerId, PerkPartners::Table))
                .take(),
            vec![index(Perks::Table, [Perks::PartnerId])],
        )
        .await?;

        create_table_with_indexes(
            manager,
            Table::create()
                .table(PerkVouchers::Table)
                .col(pk_uuid(PerkVouchers::Id))
                .col(uuid(PerkVouchers::PerkId))
                .col(uuid(PerkVouchers::PartnerId))
                .col(uuid(PerkVouchers::ResidentId))
                .col(string(PerkVouchers::Code))
                .col(enumeration_default_first(
                    PerkVouchers::Status,
                    &["ISSUED", "HONOURED"],
                ))
                .col(timestamp_with_time_zone(PerkVouchers::IssuedAt))
                .col(timestamp_with_time_zone(PerkVouchers::ExpiresAt))
                .col(timestamp_with_time_zone_null(PerkVouchers::HonouredAt))
                .col(uuid_null(PerkVouchers::HonouredBy))
                .foreign_key(&mut fk(
                    PerkVouchers::Table,
                    PerkVouchers::PerkId,
                    Perks::Table,
                ))
                .foreign_key(&mut fk(
                    PerkVouchers::Table,
                    PerkVouchers::PartnerId,
                    PerkPartners::Table,
                ))
                .foreign_key(&mut fk(
                    PerkVouchers::Table,
                    PerkVouchers::ResidentId,
                    Residents::Table,
                ))
                .foreign_key(&mut fk(
                    PerkVouchers::Table,
                    PerkVouchers::HonouredBy,
                    Accounts::Table,
                ))
                .take(),
            vec![
                unique(PerkVouchers::Table, [PerkVouchers::Code]),
                index(
                    PerkVouchers::Table,
                    [PerkVouchers::PerkId, PerkVouchers::IssuedAt],
                ),
                index(PerkVouchers::Table, [PerkVouchers::ResidentId]),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [
                PerkVouchers::Table.into_iden(),
                Perks::Table.into_iden(),
                Notices::Table.into_iden(),
                HourCertifications::Table.into_iden(),
                Signups::Table.into_iden(),
                Activities::Table.into_iden(),
            ],
        )
        .await
    }
}
