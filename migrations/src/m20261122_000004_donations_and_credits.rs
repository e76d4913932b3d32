//! Donations, the credit ledger with its conversion rules and tiers, and rewards with their
//! redemptions.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{
    check, create_table_with_indexes, drop_tables, enumeration, enumeration_default_first,
    enumeration_null, fk, fk_cascade, index, pk_uuid, unique,
};
use crate::m20261122_000001_places_and_orgs::{Campaigns, CharityOrgs, CharityProjects, Towns};
use crate::m20261122_000002_people_and_accounts::{Accounts, Donors};
use crate::m20261122_000003_volunteering_and_perks::HourCertifications;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum CreditRules {
    Table,
    Id,
    Kind,
    Credits,
    PerUnits,
    EffectiveFrom,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum CreditTiers {
    Table,
    Id,
    DonorKind,
    Level,
    Name,
    ThresholdFen,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum TierBenefits {
    Table,
    Id,
    TierId,
    Category,
    Description,
}

#[derive(DeriveIden, Clone, Copy)]
enum Donations {
    Table,
    Id,
    OrgId,
    ProjectId,
    CampaignId,
    DonorId,
    WalkInName,
    DonorKind,
    TownId,
    Kind,
    AmountFen,
    GoodsDescription,
    GoodsQuantity,
    Channel,
    FundingSource,
    DonatedAt,
    ReceiptNo,
    Visibility,
    Status,
    CreditsAwarded,
    CreditRuleId,
    VoidReason,
    VoidedAt,
    VoidedBy,
    RecordedBy,
    VerificationCode,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Rewards {
    Table,
    Id,
    OrgId,
    Name,
    Description,
    CreditPrice,
    Stock,
    PerPersonLimit,
    ValidFrom,
    ValidUntil,
    Active,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Redemptions {
    Table,
    Id,
    RewardId,
    DonorId,
    OrgId,
    Quantity,
    CreditsSpent,
    PickupCode,
    Status,
    CreatedAt,
    FulfilledAt,
    FulfilledBy,
    CancelledAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum CreditEntries {
    Table,
    Id,
    DonorId,
    Kind,
    Amount,
    BalanceAfter,
    DonationId,
    CertificationId,
    RedemptionId,
    ReversesEntryId,
    RuleId,
    Note,
    CreatedBy,
    CreatedAt,
}

const DONOR_KINDS: &[&str] = &["RESIDENT", "ENTERPRISE"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_table_with_indexes(
            manager,
            Table::create()
                .table(CreditRules::Table)
                .col(pk_uuid(CreditRules::Id))
                .col(enumeration(
                    CreditRules::Kind,
                    &["DONATION_RESIDENT", "DONATION_ENTERPRISE", "VOLUNTEER_HOUR"],
                ))
                .col(big_integer(CreditRules::Credits))
                .col(big_integer(CreditRules::PerUnits))
                .col(timestamp_with_time_zone(CreditRules::EffectiveFrom))
                .col(uuid_null(CreditRules::CreatedBy))
                .col(timestamp_with_time_zone(CreditRules::CreatedAt))
                .check(check(
                    CreditRules::Table,
                    "credits",
                    Expr::col(CreditRules::Credits).gte(0),
                ))
                .check(check(
                    CreditRules::Table,
                    "per_units",
                    Expr::col(CreditRules::PerUnits).gt(0),
                ))
                .foreign_key(&mut fk(
                    CreditRules::Table,
                    CreditRules::CreatedBy,
                    Accounts::Table,
                ))
                .take(),
            vec![unique(
                CreditRules::Table,
                [CreditRules::Kind, CreditRules::EffectiveFrom],
            )],
        )
        .await?;

        create_table_with_indexes(
            manager,
            Table::create()
                .table(CreditTiers::Table)
                .col(pk_uuid(CreditTiers::Id))
                .col(enumeration(CreditTiers::DonorKind, DONOR_KINDS))
                .col(integer(CreditTiers::Level))
                .col(string(CreditTiers::Name))
                .col(big_integer(CreditTiers::ThresholdFen))
                .col(timestamp_with_time_zone(CreditTiers::CreatedAt))
                .check(check(
                    CreditTiers::Table,
                    "threshold_fen",
                    Expr::col(CreditTiers::ThresholdFen).gte(0),
                ))
                .take(),
            vec![
                unique(
                    CreditTiers::Table,
                    [CreditTiers::DonorKind, CreditTiers::Level],
                ),
                unique(
                    CreditTiers::Table,
                    [CreditTiers::DonorKind, CreditTiers::ThresholdFen],
                ),
            ],
        )
        .await?;

        create_table_with_indexes(
            manager,
            Table::create()
                .table(TierBenefits::Table)
                .col(pk_uuid(TierBenefits::Id))
                .col(uuid(TierBenefits::TierId))
                .col(enumeration(
                    TierBenefits::Category,
                    &[
                        "PARKING",
                        "HEALTHCARE",
                        "ELDERLY_CARE",
                        "EDUCATION",
                        "HONOUR",
                        "OTHER",
                    ],
                ))
                .col(text(TierBenefits::Description))
                // A tier's benefits are part of the tier: they go when it goes.
                .foreign_key(&mut fk_cascade(
                    TierBenefits::Table,
                    TierBenefits::TierId,
                    CreditTiers::Table,
                ))
                .take(),
            vec![index(TierBenefits::Table, [TierBenefits::TierId])],
        )
        .await?;

        create_table_with_indexes(
            manager,
            Table::create()
                .table(Donations::Table)
                .col(pk_uuid(Donations::Id))
                .col(uuid(Donations::OrgId))
                .col(uuid(Donations::ProjectId))
                .col(uuid_null(Donations::CampaignId))
                .col(uuid_null(Donations::DonorId))
                .col(string_null(Donations::WalkInName))
                .col(enumeration_null(Donations::DonorKind, DONOR_KINDS))
                .col(uuid_null(Donations::TownId))
                .col(enumeration(Donations::Kind, &["MONEY", "GOODS"]))
                .col(big_integer(Donations::AmountFen))
                .col(text_null(Donations::GoodsDescription))
                .col(integer_null(Donations::GoodsQuantity))
                .col(enumeration(
                    Donations::Channel,
                    &[
                        "ONLINE",
                        "OFFLINE",
                        "ONE_DAY_DONATION",
                        "BANK_TRANSFER",
                        "OTHER",
                    ],
                ))
                .col(enumeration(
                    Donations::FundingSource,
                    &["PUBLIC", "GOVERNMENT_MATCHING", "CHARITY_TRANSFER"],
                ))
                .col(timestamp_with_time_zone(Donations::DonatedAt))
                .col(string(Donations::ReceiptNo))
                .col(enumeration(
                    Donations::Visibility,
                    &["NAMED", "MASKED", "ANONYMOUS"],
                ))
                .col(enumeration_default_first(
                    Donations::Status,
                    &["CONFIRMED", "VOIDED"],
                ))
                .col(big_integer(Donations::CreditsAwarded).default(0))
                .col(uuid_null(Donations::CreditRuleId))
                .col(text_null(Donations::VoidReason))
                .col(timestamp_with_time_zone_null(Donations::VoidedAt))
                .col(uuid_null(Donations::VoidedBy))
                .col(uuid(Donations::RecordedBy))
                .col(string(Donations::VerificationCode))
                .col(timestamp_with_time_zone(Donations::CreatedAt))
                .check(check(
                    Donations::Table,
                    "amount_fen",
                    Expr::col(Donations::AmountFen).gt(0),
                ))
                .foreign_key(&mut fk(
                    Donations::Table,
                    Donations::OrgId,
                    CharityOrgs::Table,
                ))
                .foreign_key(&mut fk(
                    Donations::Table,
                    Donations::ProjectId,
                    CharityProjects::Table,
                ))
                .foreign_key(&mut fk(
                    Donations::Table,
                    Donations::CampaignId,
                    Campaigns::Table,
                ))
                .foreign_key(&mut fk(Donations::Table, Donations::DonorId, Donors::Table))
                .foreign_key(&mut fk(Donations::Table, Donations::TownId, Towns::Table))
                .foreign_key(&mut fk(
                    Donations::Table,
                    Donations::CreditRuleId,
                    CreditRules::Table,
                ))
                .foreign_key(&mut fk(
                    Donations::Table,
                    Donations::VoidedBy,
                    Accounts::Table,
                ))
                .foreign_key(&mut fk(
                    Donations::Table,
                    Donations::RecordedBy,
                    Accounts::Table,
                ))
                .take(),
            vec![
                unique(Donations::Table, [Donations::OrgId, Donations::ReceiptNo]),
                unique(Donations::Table, [Donations::VerificationCode]),
                index(Donations::Table, [Donations::DonorId]),
                index(Donations::Table, [Donations::DonatedAt]),
                index(Donations::Table, [Donations::TownId, Donations::DonatedAt]),
                index(Donations::Table, [Donations::OrgId, Donations::DonatedAt]),
                index(Donations::Table, [Donations::ProjectId]),
                index(Donations::Table, [Donations::CampaignId]),
            ],
        )
        .await?;

        create_table_with_indexes(
            manager,
            Table::create()
                .table(Rewards::Table)
                .col(pk_uuid(Rewards::Id))
                .col(uuid(Rewards::OrgId))
                .col(string(Rewards::Name))
                .col(text(Rewards::Description))
                .col(big_integer(Rewards::CreditPrice))
                .col(big_integer(Rewards::Stock))
                .col(integer(Rewards::PerPersonLimit))
                .col(timestamp_with_time_zone_null(Rewards::ValidFrom))
                .col(timestamp_with_time_zone_null(Rewards::ValidUntil))
                .col(boolean(Rewards::Active).default(true))
                .col(timestamp_with_time_zone(Rewards::CreatedAt))
                .check(check(
                    Rewards::Table,
                    "credit_price",
                    Expr::col(Rewards::CreditPrice).gt(0),
                ))
                .check(check(
                    Rewards::Table,
                    "stock",
                    Expr::col(Rewards::Stock).gte(0),
                ))
                .check(check(
                    Rewards::Table,
                    "per_person_limit",
                    Expr::col(Rewards::PerPersonLimit).gt(0),
                ))
                .foreign_key(&mut fk(Rewards::Table, Rewards::OrgId, CharityOrgs::Table))
                .take(),
            vec![index(Rewards::Table, [Rewards::OrgId])],
        )
        .await?;

        create_table_with_indexes(
            manager,
            Table::create()
                .table(Redemptions::Table)
                .col(pk_uuid(Redemptions::Id))
                .col(uuid(Redemptions::RewardId))
                .col(uuid(Redemptions::DonorId))
                .col(uuid(Redemptions::OrgId))
                .col(integer(Redemptions::Quantity))
                .col(big_integer(Redemptions::CreditsSpent))
                .col(string(Redemptions::PickupCode))
                .col(enumeration_default_first(
                    Redemptions::Status,
                    &["PENDING", "FULFILLED", "CANCELLED"],
                ))
                .col(timestamp_with_time_zone(Redemptions::CreatedAt))
                .col(timestamp_with_time_zone_null(Redemptions::FulfilledAt))
                .col(uuid_null(Redemptions::FulfilledBy))
                .col(timestamp_with_time_zone_null(Redemptions::CancelledAt))
                .check(check(
                    Redemptions::Table,
                    "quantity",
                    Expr::col(Redemptions::Quantity).gt(0),
                ))
                .foreign_key(&mut fk(
                    Redemptions::Table,
                    Redemptions::RewardId,
                    Rewards::Table,
                ))
                .foreign_key(&mut fk(
                    Redemptions::Table,
                    Redemptions::DonorId,
                    Donors::Table,
                ))
                .foreign_key(&mut fk(
                    Redemptions::Table,
                    Redemptions::OrgId,
                    CharityOrgs::Table,
                ))
                .foreign_key(&mut fk(
                    Redemptions::Table,
                    Redemptions::FulfilledBy,
                    Accounts::Table,
                ))
                .take(),
            vec![
                unique(Redemptions::Table, [Redemptions::PickupCode]),
                index(Redemptions::Table, [Redemptions::DonorId]),
                index(
                    Redemptions::Table,
                    [Redemptions::RewardId, Redemptions::DonorId],
                ),
            ],
        )
        .await?;

        create_table_with_indexes(
            manager,
            Table::create()
                .table(CreditEntries::Table)
                .col(pk_uuid(CreditEntries::Id))
                .col(uuid(CreditEntries::DonorId))
                .col(enumeration(
                    CreditEntries::Kind,
                    &[
                        "DONATION",
                        "VOLUNTEER",
                        "REDEMPTION",
                        "REVERSAL",
                        "ADJUSTMENT",
                        "EXPIRY",
                    ],
                ))
                .col(big_integer(CreditEntries::Amount))
                .col(big_integer(CreditEntries::BalanceAfter))
                .col(uuid_null(CreditEntries::DonationId))
                .col(uuid_null(CreditEntries::CertificationId))
                .col(uuid_null(CreditEntries::RedemptionId))
                .col(uuid_null(CreditEntries::ReversesEntryId))
                .col(uuid_null(CreditEntries::RuleId))
                .col(text_null(CreditEntries::Note))
                .col(uuid_null(CreditEntries::CreatedBy))
                .col(timestamp_with_time_zone(CreditEntries::CreatedAt))
                .foreign_key(&mut fk(
                    CreditEntries::Table,
                    CreditEntries::DonorId,
                    Donors::Table,
                ))
                .foreign_key(&mut fk(
                    CreditEntries::Table,
                    CreditEntries::DonationId,
                    Donations::Table,
                ))
                .foreign_key(&mut fk(
                    CreditEntries::Table,
                    CreditEntries::CertificationId,
                    HourCertifications::Table,
                ))
                .foreign_key(&mut fk(
                    CreditEntries::Table,
                    CreditEntries::RedemptionId,
                    Redemptions::Table,
                ))
                .foreign_key(&mut fk(
                    CreditEntries::Table,
                    CreditEntries::ReversesEntryId,
                    CreditEntries::Table,
                ))
                .foreign_key(&mut fk(
                    CreditEntries::Table,
                    CreditEntries::RuleId,
                    CreditRules::Table,
                ))
                .foreign_key(&mut fk(
                    CreditEntries::Table,
                    CreditEntries::CreatedBy,
                    Accounts::Table,
                ))
                .take(),
            vec![
                index(
                    CreditEntries::Table,
                    [CreditEntries::DonorId, CreditEntries::CreatedAt],
                ),
                index(CreditEntries::Table, [CreditEntries::DonationId]),
                index(CreditEntries::Table, [CreditEntries::CertificationId]),
                index(CreditEntries::Table, [CreditEntries::RedemptionId]),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [
                CreditEntries::Table.into_iden(),
                Redemptions::Table.into_iden(),
                Rewards::Table.into_iden(),
                Donations::Table.into_iden(),
                TierBenefits::Table.into_iden(),
                CreditTiers::Table.into_iden(),
                CreditRules::Table.into_iden(),
            ],
        )
        .await
    }
}
