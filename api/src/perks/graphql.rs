//! Perks' queries and mutations: thin resolvers over the service.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::{
    model::{
        PerkDraft, PerkInput as PerkFields, VoucherState, mask_name, requirement_text,
        voucher_state,
    },
    service,
};
use crate::{
    accounts::Account,
    audit::AuditHandoff,
    auth::RoleGuard,
    catalog::PerkPartner,
    entities::{
        self,
        enums::{PartnerKind, Role, VoucherStatus},
        perk, perk_voucher,
    },
    error::AppError,
    graphql::{Connection, connection, load_by_id, parse_id, state, viewer},
    idempotency::IdempotencyKey,
    pagination::PageRequest,
    volunteering::service::resident_of,
};

/// 礼遇: what an alliance member grants, and who qualifies.
pub struct Perk(pub perk::Model);

#[Object]
impl Perk {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn partner(&self, ctx: &Context<'_>) -> Result<PerkPartner> {
        load_by_id::<entities::perk_partner::Entity>(ctx, self.0.partner_id)
            .await?
            .map(PerkPartner)
            .ok_or_else(|| AppError::not_found("perk partner").into())
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// Reaching this 百家信 level qualifies (null: no such route).
    async fn min_baijiaxin_level(&self) -> Option<i32> {
        self.0.min_baijiaxin_level
    }
    /// Reaching this resident donation tier qualifies (null: no such route).
    async fn min_tier_level(&self) -> Option<i32> {
        self.0.min_tier_level
    }
    /// Who qualifies, in words: either requirement is enough; none means every resident.
    async fn requirement(&self) -> String {
        requirement_text(self.0.min_baijiaxin_level, self.0.min_tier_level)
    }
    async fn monthly_quota(&self) -> i32 {
        self.0.monthly_quota
    }
    async fn voucher_valid_minutes(&self) -> i32 {
        self.0.voucher_valid_minutes
    }
    async fn valid_from(&self) -> Option<DateTime<Utc>> {
        self.0.valid_from
    }
    async fn valid_until(&self) -> Option<DateTime<Utc>> {
        self.0.valid_until
    }
    async fn active(&self) -> bool {
        self.0.active
    }
}

/// Where a voucher stands now.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "VoucherState")]
pub enum VoucherStateGql {
    /// Can be honoured until `expiresAt`.
    Issued,
    Honoured,
    /// Never honoured, and past `expiresAt`.
    Expired,
}

impl From<VoucherState> for VoucherStateGql {
    fn from(s: VoucherState) -> Self {
        match s {
            VoucherState::Issued => Self::Issued,
            VoucherState::Honoured => Self::Honoured,
            VoucherState::Expired => Self::Expired,
        }
    }
}

fn state_of(v: &perk_voucher::Model) -> VoucherStateGql {
    voucher_state(
        v.status == VoucherStatus::Honoured,
        v.expires_at,
        Utc::now(),
    )
    .into()
}

/// A resident's voucher: show `code` at the partner's counter before `expiresAt`.
pub struct Voucher(pub perk_voucher::Model);

#[Object]
impl Voucher {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// One-time code, 12 characters.
    async fn code(&self) -> &str {
        &self.0.code
    }
    async fn perk(&self, ctx: &Context<'_>) -> Result<Perk> {
        load_by_id::<perk::Entity>(ctx, self.0.perk_id)
            .await?
            .map(Perk)
            .ok_or_else(|| AppError::not_found("perk").into())
    }
    async fn status(&self) -> VoucherStateGql {
        state_of(&self.0)
    }
    async fn issued_at(&self) -> DateTime<Utc> {
        self.0.issued_at
    }
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
    }
    async fn honoured_at(&self) -> Option<DateTime<Utc>> {
        self.0.honoured_at
    }
}

/// A voucher as partner staff see it before honouring: what it grants and to whom.
pub struct VoucherLookup {
    voucher: perk_voucher::Model,
    perk: perk::Model,
    resident_name: String,
}

#[Object]
impl VoucherLookup {
    async fn code(&self) -> &str {
        &self.voucher.code
    }
    async fn perk(&self) -> Perk {
        Perk(self.perk.clone())
    }
    /// The holder's name, masked (`陈*明`): enough to match the person at the counter.
    async fn resident_name_masked(&self) -> String {
        mask_name(&self.resident_name)
    }
    async fn status(&self) -> VoucherStateGql {
        state_of(&self.voucher)
    }
    async fn issued_at(&self) -> DateTime<Utc> {
        self.voucher.issued_at
    }
    async fn expires_at(&self) -> DateTime<Utc> {
        self.voucher.expires_at
    }
    async fn honoured_at(&self) -> Option<DateTime<Utc>> {
        self.voucher.honoured_at
    }
}

/// A perk the resident qualifies for, with this month's remaining quota.
pub struct PerkOffer(service::Offer);

#[Object]
impl PerkOffer {
    async fn perk(&self) -> Perk {
        Perk(self.0.perk.clone())
    }
    async fn remaining_this_month(&self) -> i64 {
        self.0.remaining
    }
    /// The resident's voucher for it this month, live or used.
    async fn my_voucher(&self) -> Option<Voucher> {
        self.0.mine.clone().map(Voucher)
    }
    /// Whether `claimPerk` would issue a voucher now.
    async fn claimable(&self) -> bool {
        self.0.remaining > 0 && self.0.mine.is_none()
    }
}

/// 礼遇受益人次 of one partner.
#[derive(SimpleObject)]
pub struct PartnerHonours {
    partner: PerkPartner,
    honours: i64,
}

#[derive(SimpleObject)]
pub struct PerkBeneficiaries {
    /// 礼遇受益人次: every honoured voucher counts once.
    total: i64,
    partners: Vec<PartnerHonours>,
}

#[derive(InputObject)]
pub struct PerkInput {
    title: String,
    description: String,
    min_baijiaxin_level: Option<i32>,
    min_tier_level: Option<i32>,
    monthly_quota: i32,
    voucher_valid_minutes: i32,
    valid_from: Option<DateTime<Utc>>,
    valid_until: Option<DateTime<Utc>>,
}

impl PerkInput {
    fn parse(self) -> Result<PerkDraft, AppError> {
        PerkDraft::parse(PerkFields {
            title: self.title,
            description: self.description,
            min_baijiaxin_level: self.min_baijiaxin_level,
            min_tier_level: self.min_tier_level,
            monthly_quota: self.monthly_quota,
            voucher_valid_minutes: self.voucher_valid_minutes,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
        })
    }
}

#[derive(Default)]
pub struct PerksQuery;

#[Object]
impl PerksQuery {
    /// Perks on offer, optionally one partner's.
    #[graphql(complexity = "crate::graphql::page_cost(first, child_complexity)")]
    async fn perks(
        &self,
        ctx: &Context<'_>,
        partner_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<Perk>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let partner_id = partner_id
            .map(|id| parse_id("partnerId", &id))
            .transpose()?;
        let rows = service::perks(&state(ctx).db, partner_id, &page).await?;
        Ok(connection(rows, &page, |m| m.id.to_string(), Perk))
    }

    /// The perks the logged-in resident qualifies for now.
    #[graphql(guard = "RoleGuard::new(&[Role::Resident])")]
    async fn my_perks(&self, ctx: &Context<'_>) -> Result<Vec<PerkOffer>> {
        let resident_id = resident_of(viewer(ctx)?)?;
        Ok(service::my_perks(&state(ctx).db, resident_id, Utc::now())
            .await?
            .into_iter()
            .map(PerkOffer)
            .collect())
    }

    /// The logged-in resident's vouchers, newest first.
    #[graphql(
        guard = "RoleGuard::new(&[Role::Resident])",
        complexity = "crate::graphql::page_cost(first, child_complexity)"
    )]
    async fn my_vouchers(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<Voucher>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let resident_id = resident_of(viewer(ctx)?)?;
        let rows = service::my_vouchers(&state(ctx).db, resident_id, &page).await?;
        Ok(connection(rows, &page, |m| m.id.to_string(), Voucher))
    }

    /// A partner's perks, inactive ones included (staff default to their partner).
    #[graphql(
        guard = "RoleGuard::new(&[Role::PartnerStaff, Role::Admin])",
        complexity = "crate::graphql::page_cost(first, child_complexity)"
    )]
    async fn partner_perks(
        &self,
        ctx: &Context<'_>,
        partner_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<Perk>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let partner_id = partner_id
            .map(|id| parse_id("partnerId", &id))
            .transpose()?;
        let rows = service::partner_perks(&state(ctx).db, viewer(ctx)?, partner_id, &page).await?;
        Ok(connection(rows, &page, |m| m.id.to_string(), Perk))
    }

    /// Look a code up before honouring it. Another partner's code is FORBIDDEN.
    #[graphql(guard = "RoleGuard::new(&[Role::PartnerStaff, Role::Admin])")]
    async fn voucher(&self, ctx: &Context<'_>, code: String) -> Result<VoucherLookup> {
        let (voucher, perk, resident) =
            service::lookup(&state(ctx).db, viewer(ctx)?, &code).await?;
        Ok(VoucherLookup {
            voucher,
            perk,
            resident_name: resident.name,
        })
    }

    /// 礼遇受益人次 per partner, honoured in `[from, to)`: ADMIN sees all, staff their own.
    #[graphql(guard = "RoleGuard::new(&[Role::PartnerStaff, Role::Admin])")]
    async fn perk_beneficiaries(
        &self,
        ctx: &Context<'_>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<PerkBeneficiaries> {
        let rows = service::beneficiaries(&state(ctx).db, viewer(ctx)?, from, to).await?;
        Ok(PerkBeneficiaries {
            total: rows.iter().map(|(_, n)| n).sum(),
            partners: rows
                .into_iter()
                .map(|(p, n)| PartnerHonours {
                    partner: PerkPartner(p),
                    honours: n,
                })
                .collect(),
        })
    }
}

#[derive(Default)]
pub struct PerksMutation;

#[Object]
impl PerksMutation {
    /// Register an alliance member (礼遇联盟成员).
    #[graphql(guard = "RoleGuard::new(&[Role::Admin])")]
    async fn create_perk_partner(
        &self,
        ctx: &Context<'_>,
        name: String,
        kind: PartnerKind,
        town_code: Option<String>,
    ) -> Result<PerkPartner> {
        let p = service::create_partner(
            &state(ctx).db,
            viewer(ctx)?,
            &name,
            kind,
            town_code.as_deref(),
        )
        .await?;
        Ok(PerkPartner(p))
    }

    /// A PARTNER_STAFF login for one partner.
    #[graphql(guard = "RoleGuard::new(&[Role::Admin])")]
    async fn create_partner_staff(
        &self,
        ctx: &Context<'_>,
        partner_id: ID,
        phone: String,
        password: String,
        display_name: String,
    ) -> Result<Account> {
        let partner_id = parse_id("partnerId", &partner_id)?;
        let a = service::create_partner_staff(
            &state(ctx).db,
            viewer(ctx)?,
            partner_id,
            &phone,
            password,
            &display_name,
        )
        .await?;
        Ok(Account(a))
    }

    /// A new perk of the staff's partner (ADMIN: give `partnerId`).
    #[graphql(guard = "RoleGuard::new(&[Role::PartnerStaff, Role::Admin])")]
    async fn create_perk(
        &self,
        ctx: &Context<'_>,
        input: PerkInput,
        partner_id: Option<ID>,
    ) -> Result<Perk> {
        let partner_id = partner_id
            .map(|id| parse_id("partnerId", &id))
            .transpose()?;
        let draft = input.parse()?;
        Ok(Perk(
            service::create_perk(&state(ctx).db, viewer(ctx)?, partner_id, draft).await?,
        ))
    }

    #[graphql(guard = "RoleGuard::new(&[Role::PartnerStaff, Role::Admin])")]
    async fn update_perk(&self, ctx: &Context<'_>, id: ID, input: PerkInput) -> Result<Perk> {
        let id = parse_id("id", &id)?;
        let draft = input.parse()?;
        Ok(Perk(
            service::update_perk(&state(ctx).db, viewer(ctx)?, id, draft).await?,
        ))
    }

    #[graphql(guard = "RoleGuard::new(&[Role::PartnerStaff, Role::Admin])")]
    async fn set_perk_active(&self, ctx: &Context<'_>, id: ID, active: bool) -> Result<Perk> {
        let id = parse_id("id", &id)?;
        Ok(Perk(
            service::set_perk_active(&state(ctx).db, viewer(ctx)?, id, active).await?,
        ))
    }

    /// Claim a voucher for a perk the resident qualifies for: one per perk a month, within
    /// the perk's monthly quota. The same key returns the same voucher.
    #[graphql(guard = "RoleGuard::new(&[Role::Resident])")]
    async fn claim_perk(
        &self,
        ctx: &Context<'_>,
        perk_id: ID,
        idempotency_key: String,
    ) -> Result<Voucher> {
        let perk_id = parse_id("perkId", &perk_id)?;
        let key = IdempotencyKey::parse(&idempotency_key)?;
        let (v, freshness) =
            service::claim(&state(ctx).db, viewer(ctx)?, &key, perk_id, Utc::now()).await?;
        AuditHandoff::note(ctx, freshness);
        Ok(Voucher(v))
    }

    /// Honour a voucher at the counter, exactly once. Already honoured or expired: CONFLICT;
    /// another partner's code: FORBIDDEN.
    #[graphql(guard = "RoleGuard::new(&[Role::PartnerStaff])")]
    async fn honour_voucher(&self, ctx: &Context<'_>, code: String) -> Result<Voucher> {
        let v = service::honour(&state(ctx).db, viewer(ctx)?, &code, Utc::now()).await?;
        Ok(Voucher(v))
    }
}
