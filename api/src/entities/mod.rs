//! SeaORM entities, one module per table of docs/data-model.md; enumerations in `enums`.

pub mod account;
pub mod activity;
pub mod api_key;
pub mod audit_log;
pub mod broadcast;
pub mod campaign;
pub mod charity_org;
pub mod charity_project;
pub mod credit_entry;
pub mod credit_rule;
pub mod credit_tier;
pub mod disbursement;
pub mod donation;
pub mod donor;
pub mod enterprise;
pub mod enums;
pub mod hour_certification;
pub mod idempotency_record;
pub mod notice;
pub mod perk;
pub mod perk_partner;
pub mod perk_voucher;
pub mod ranking_edition;
pub mod ranking_edition_entry;
pub mod ranking_rule;
pub mod redemption;
pub mod refresh_token;
pub mod resident;
pub mod reward;
pub mod signup;
pub mod tier_benefit;
pub mod town;

/// Every entity under its table's singular name (`Donation`, `CreditEntry`, ...).
pub mod prelude {
    pub use super::account::Entity as Account;
    pub use super::activity::Entity as Activity;
    pub use super::api_key::Entity as ApiKey;
    pub use super::audit_log::Entity as AuditLog;
    pub use super::broadcast::Entity as Broadcast;
    pub use super::campaign::Entity as Campaign;
    pub use super::charity_org::Entity as CharityOrg;
    pub use super::charity_project::Entity as CharityProject;
    pub use super::credit_entry::Entity as CreditEntry;
    pub use super::credit_rule::Entity as CreditRule;
    pub use super::credit_tier::Entity as CreditTier;
    pub use super::disbursement::Entity as Disbursement;
    pub use super::donation::Entity as Donation;
    pub use super::donor::Entity as Donor;
    pub use super::enterprise::Entity as Enterprise;
    pub use super::hour_certification::Entity as HourCertification;
    pub use super::idempotency_record::Entity as IdempotencyRecord;
    pub use super::notice::Entity as Notice;
    pub use super::perk::Entity as Perk;
    pub use super::perk_partner::Entity as PerkPartner;
    pub use super::perk_voucher::Entity as PerkVoucher;
    pub use super::ranking_edition::Entity as RankingEdition;
    pub use super::ranking_edition_entry::Entity as RankingEditionEntry;
    pub use super::ranking_rule::Entity as RankingRule;
    pub use super::redemption::Entity as Redemption;
    pub use super::refresh_token::Entity as RefreshToken;
    pub use super::resident::Entity as Resident;
    pub use super::reward::Entity as Reward;
    pub use super::signup::Entity as Signup;
    pub use super::tier_benefit::Entity as TierBenefit;
    pub use super::town::Entity as Town;
}
