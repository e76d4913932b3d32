//! Every enumeration stored in the database, as its SCREAMING_SNAKE string (`varchar(32)`
//! with a CHECK); the same values on the GraphQL API and in JSON.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What an account may do. `MEDIA` reads with API keys, never with an account.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    #[sea_orm(string_value = "RESIDENT")]
    Resident,
    #[sea_orm(string_value = "ENTERPRISE")]
    Enterprise,
    #[sea_orm(string_value = "ORG_STAFF")]
    OrgStaff,
    #[sea_orm(string_value = "PARTNER_STAFF")]
    PartnerStaff,
    #[sea_orm(string_value = "ADMIN")]
    Admin,
}

/// The kind of a charity organisation.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CharityOrgKind {
    #[sea_orm(string_value = "FEDERATION")]
    Federation,
    #[sea_orm(string_value = "RED_CROSS")]
    RedCross,
    #[sea_orm(string_value = "BASE")]
    Base,
    #[sea_orm(string_value = "BRANCH")]
    Branch,
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// Whether a charity project still takes donations.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ProjectStatus {
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    #[sea_orm(string_value = "CLOSED")]
    Closed,
}

/// The kind of an alliance member (礼遇联盟成员).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PartnerKind {
    #[sea_orm(string_value = "BANK")]
    Bank,
    #[sea_orm(string_value = "PARKING")]
    Parking,
    #[sea_orm(string_value = "LIBRARY")]
    Library,
    #[sea_orm(string_value = "HOSPITAL")]
    Hospital,
    #[sea_orm(string_value = "APPROVAL")]
    Approval,
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// Who holds a credit account: a resident or an enterprise.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DonorKind {
    #[sea_orm(string_value = "RESIDENT")]
    Resident,
    #[sea_orm(string_value = "ENTERPRISE")]
    Enterprise,
}

/// An enterprise (企业) or a public unit (单位).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EnterpriseKind {
    #[sea_orm(string_value = "ENTERPRISE")]
    Enterprise,
    #[sea_orm(string_value = "UNIT")]
    Unit,
}

/// How a consenting resident's name appears on public boards (`张*明` when masked).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum NameStyle {
    #[sea_orm(string_value = "NAMED")]
    Named,
    #[sea_orm(string_value = "MASKED")]
    Masked,
}

/// Money, or goods carrying an appraised value; also the kind of a disbursement.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DonationKind {
    #[sea_orm(string_value = "MONEY")]
    Money,
    #[sea_orm(string_value = "GOODS")]
    Goods,
}

/// How a donation arrived.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DonationChannel {
    #[sea_orm(string_value = "ONLINE")]
    Online,
    #[sea_orm(string_value = "OFFLINE")]
    Offline,
    #[sea_orm(string_value = "ONE_DAY_DONATION")]
    OneDayDonation,
    #[sea_orm(string_value = "BANK_TRANSFER")]
    BankTransfer,
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// Where donated money comes from; rankings may leave out matching and transfers.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FundingSource {
    #[sea_orm(string_value = "PUBLIC")]
    Public,
    #[sea_orm(string_value = "GOVERNMENT_MATCHING")]
    GovernmentMatching,
    #[sea_orm(string_value = "CHARITY_TRANSFER")]
    CharityTransfer,
}

/// How a donation may appear in public: by name, masked, or as 爱心人士.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Visibility {
    #[sea_orm(string_value = "NAMED")]
    Named,
    #[sea_orm(string_value = "MASKED")]
    Masked,
    #[sea_orm(string_value = "ANONYMOUS")]
    Anonymous,
}

/// A donation counts until it is voided.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DonationStatus {
    #[sea_orm(string_value = "CONFIRMED")]
    Confirmed,
    #[sea_orm(string_value = "VOIDED")]
    Voided,
}

/// What a conversion rule turns into credits.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CreditRuleKind {
    #[sea_orm(string_value = "DONATION_RESIDENT")]
    DonationResident,
    #[sea_orm(string_value = "DONATION_ENTERPRISE")]
    DonationEnterprise,
    #[sea_orm(string_value = "VOLUNTEER_HOUR")]
    VolunteerHour,
}

/// The area of a tier benefit.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BenefitCategory {
    #[sea_orm(string_value = "PARKING")]
    Parking,
    #[sea_orm(string_value = "HEALTHCARE")]
    Healthcare,
    #[sea_orm(string_value = "ELDERLY_CARE")]
    ElderlyCare,
    #[sea_orm(string_value = "EDUCATION")]
    Education,
    #[sea_orm(string_value = "HONOUR")]
    Honour,
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// The source of a credit ledger entry.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CreditEntryKind {
    #[sea_orm(string_value = "DONATION")]
    Donation,
    #[sea_orm(string_value = "VOLUNTEER")]
    Volunteer,
    #[sea_orm(string_value = "REDEMPTION")]
    Redemption,
    #[sea_orm(string_value = "REVERSAL")]
    Reversal,
    #[sea_orm(string_value = "ADJUSTMENT")]
    Adjustment,
    #[sea_orm(string_value = "EXPIRY")]
    Expiry,
}

/// Where a redemption stands.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RedemptionStatus {
    #[sea_orm(string_value = "PENDING")]
    Pending,
    #[sea_orm(string_value = "FULFILLED")]
    Fulfilled,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

/// Where a volunteer activity stands.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ActivityStatus {
    #[sea_orm(string_value = "DRAFT")]
    Draft,
    #[sea_orm(string_value = "PUBLISHED")]
    Published,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
    #[sea_orm(string_value = "FINISHED")]
    Finished,
}

/// Whether a sign-up still stands.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SignupStatus {
    #[sea_orm(string_value = "SIGNED_UP")]
    SignedUp,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

/// Where a resident's dispute of certified hours stands.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DisputeStatus {
    #[sea_orm(string_value = "NONE")]
    None,
    #[sea_orm(string_value = "OPEN")]
    Open,
    #[sea_orm(string_value = "UPHELD")]
    Upheld,
    #[sea_orm(string_value = "REJECTED")]
    Rejected,
}

/// The kind of a notice.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum NoticeKind {
    #[sea_orm(string_value = "ACTIVITY_CANCELLED")]
    ActivityCancelled,
    #[sea_orm(string_value = "GENERAL")]
    General,
}

/// A perk voucher is honoured once.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum VoucherStatus {
    #[sea_orm(string_value = "ISSUED")]
    Issued,
    #[sea_orm(string_value = "HONOURED")]
    Honoured,
}

/// A ranking board of the 洞头慈善榜.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Board {
    #[sea_orm(string_value = "RESIDENTS")]
    Residents,
    #[sea_orm(string_value = "ORGANISATIONS")]
    Organisations,
    #[sea_orm(string_value = "VOLUNTEER_HOURS")]
    VolunteerHours,
}

/// A ranking period, in Asia/Shanghai.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Period {
    #[sea_orm(string_value = "MONTH")]
    Month,
    #[sea_orm(string_value = "QUARTER")]
    Quarter,
    #[sea_orm(string_value = "YEAR")]
    Year,
    #[sea_orm(string_value = "ALL_TIME")]
    AllTime,
}

/// The kind of a broadcast post.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BroadcastKind {
    #[sea_orm(string_value = "NEED")]
    Need,
    #[sea_orm(string_value = "OFFER")]
    Offer,
    #[sea_orm(string_value = "ACTIVITY_PLAN")]
    ActivityPlan,
    #[sea_orm(string_value = "STORY")]
    Story,
}

/// Where a broadcast post stands.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BroadcastStatus {
    #[sea_orm(string_value = "PENDING")]
    Pending,
    #[sea_orm(string_value = "PUBLISHED")]
    Published,
    #[sea_orm(string_value = "HIDDEN")]
    Hidden,
}

/// What a public-supervision question is about.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SupervisionSubjectKind {
    #[sea_orm(string_value = "PROJECT")]
    Project,
    #[sea_orm(string_value = "DISBURSEMENT")]
    Disbursement,
    /// A published ranking edition; the bureau answers.
    #[sea_orm(string_value = "EDITION")]
    Edition,
}

/// Where a public-supervision question stands (overdue is computed from the deadline).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SupervisionStatus {
    #[sea_orm(string_value = "OPEN")]
    Open,
    #[sea_orm(string_value = "ANSWERED")]
    Answered,
}

/// What a one-time phone code proves the phone for.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CodePurpose {
    /// A new resident registering (or claiming the record a donation created).
    #[sea_orm(string_value = "REGISTER")]
    Register,
    /// Setting a forgotten password, or the first one of an account created by staff.
    #[sea_orm(string_value = "RESET_PASSWORD")]
    ResetPassword,
}
