//! Credits for residents and enterprises; rules and tiers for the bureau; rewards and
//! redemption for charity supermarkets.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};

use super::{rewards, rules, statements, tiers};
use crate::{
    audit::AuditHandoff,
    auth::RoleGuard,
    catalog::CharityOrg,
    entities::{
        self, credit_rule, credit_tier,
        enums::{BenefitCategory, CreditRuleKind, DonorKind, RedemptionStatus, Role},
        redemption, reward, tier_benefit,
    },
    error::AppError,
    graphql::{Connection, connection, load_by_id, parse_id, state, viewer},
    idempotency::{Freshness, IdempotencyKey},
    money::Fen,
    pagination::PageRequest,
};

/// A dated conversion rule: `credits` per `perUnits` fen (donations) or minutes (hours).
pub struct CreditRule(pub credit_rule::Model);

#[Object]
impl CreditRule {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn kind(&self) -> CreditRuleKind {
        self.0.kind
    }
    async fn credits(&self) -> i64 {
        self.0.credits
    }
    /// Fen for donation rules, minutes for the volunteer-hour rule.
    async fn per_units(&self) -> i64 {
        self.0.per_units
    }
    async fn effective_from(&self) -> DateTime<Utc> {
        self.0.effective_from
    }
    /// The rule in words, e.g. "每 10.00 元 1 积分".
    async fn description(&self) -> String {
        match self.0.kind {
            CreditRuleKind::VolunteerHour => {
                format!(
                    "每 {} 分钟志愿服务 {} 积分",
                    self.0.per_units, self.0.credits
                )
            }
            _ => format!(
                "每 {} 元 {} 积分",
                Fen::new(self.0.per_units),
                self.0.credits
            ),
        }
    }
}

/// 档次 and what it unlocks.
pub struct CreditTier {
    pub tier: credit_tier::Model,
}

#[Object]
impl CreditTier {
    async fn id(&self) -> ID {
        ID(self.tier.id.to_string())
    }
    async fn donor_kind(&self) -> DonorKind {
        self.tier.donor_kind
    }
    async fn level(&self) -> i32 {
        self.tier.level
    }
    async fn name(&self) -> &str {
        &self.tier.name
    }
    /// Cumulative confirmed donation needed.
    async fn threshold(&self) -> Fen {
        Fen::new(self.tier.threshold_fen)
    }
    async fn benefits(&self, ctx: &Context<'_>) -> Result<Vec<TierBenefit>> {
        Ok(tiers::benefits_of(&state(ctx).db.conn, &[self.tier.id])
            .await?
            .into_iter()
            .map(TierBenefit)
            .collect())
    }
}

pub struct TierBenefit(pub tier_benefit::Model);

#[Object]
impl TierBenefit {
    async fn category(&self) -> BenefitCategory {
        self.0.category
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
}

/// What anyone may learn from a statement's code.
#[derive(SimpleObject)]
pub struct StatementVerification {
    year: i32,
    /// The donor's name with the middle hidden.
    donor_name: String,
    donation_count: i32,
    total: Fen,
    issued_at: DateTime<Utc>,
    /// False when a donation of that year was voided (or added) after this statement.
    still_current: bool,
}

/// 慈善超市 reward.
pub struct Reward(pub reward::Model);

#[Object]
impl Reward {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn org(&self, ctx: &Context<'_>) -> Result<CharityOrg> {
        load_by_id::<entities::charity_org::Entity>(ctx, self.0.org_id)
            .await?
            .map(CharityOrg)
            .ok_or_else(|| AppError::not_found("charity organisation").into())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    async fn credit_price(&self) -> i64 {
        self.0.credit_price
    }
    async fn stock(&self) -> i64 {
        self.0.stock
    }
    async fn per_person_limit(&self) -> i32 {
        self.0.per_person_limit
    }
    async fn valid_from(&self) -> Option<DateTime<Utc>> {
        self.0.valid_from
    }
    async fn valid_until(&self) -> Option<DateTime<Utc>> {
        self.0.valid_until
    }
}

/// 积分兑换: a redemption and its pickup code.
pub struct Redemption(pub redemption::Model);

#[Object]
impl Redemption {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn reward(&self, ctx: &Context<'_>) -> Result<Reward> {
        load_by_id::<entities::reward::Entity>(ctx, self.0.reward_id)
            .await?
            .map(Reward)
            .ok_or_else(|| AppError::not_found("reward").into())
    }
    async fn quantity(&self) -> i32 {
        self.0.quantity
    }
    async fn credits_spent(&self) -> i64 {
        self.0.credits_spent
    }
    /// Shown as a QR code at the supermarket counter.
    async fn pickup_code(&self) -> &str {
        &self.0.pickup_code
    }
    async fn status(&self) -> RedemptionStatus {
        self.0.status
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn fulfilled_at(&self) -> Option<DateTime<Utc>> {
        self.0.fulfilled_at
    }
    async fn cancelled_at(&self) -> Option<DateTime<Utc>> {
        self.0.cancelled_at
    }
    /// Who redeemed it, masked (张*明), for the counter to check before handing it over.
    async fn redeemer_name(&self, ctx: &Context<'_>) -> Result<String> {
        Ok(load_by_id::<entities::donor::Entity>(ctx, self.0.donor_id)
            .await?
            .map(|d| crate::privacy::mask_name(&d.display_name))
            .unwrap_or_default())
    }
}

#[derive(SimpleObject)]
pub struct RedemptionResult {
    redemption: Redemption,
    replayed: bool,
}

#[derive(InputObject)]
pub struct TierBenefitInput {
    category: BenefitCategory,
    description: String,
}

#[derive(InputObject)]
pub struct CreditTierInput {
    donor_kind: DonorKind,
    level: i32,
    name: String,
    threshold: Fen,
    benefits: Vec<TierBenefitInput>,
}

#[derive(InputObject)]
pub struct CreateRewardInput {
    /// Staff may leave it out (their own org).
    org_id: Option<ID>,
    name: String,
    #[graphql(default)]
    description: String,
    credit_price: i64,
    stock: i64,
    #[graphql(default = 1)]
    per_person_limit: i32,
    valid_from: Option<DateTime<Utc>>,
    valid_until: Option<DateTime<Utc>>,
}

#[derive(Default)]
pub struct CreditsQuery;

#[Object]
impl CreditsQuery {
    /// A redemption by the pickup code the resident shows (or its QR code), for the counter
    /// to see what it is, whose, and whether it is still to hand over, before
    /// `fulfilRedemption`. Staff of the organisation whose supermarket it is.
    #[graphql(guard = "RoleGuard::new(&[Role::OrgStaff, Role::Admin])")]
    async fn redemption_by_pickup_code(
        &self,
        ctx: &Context<'_>,
        pickup_code: String,
    ) -> Result<Redemption> {
        Ok(Redemption(
            rewards::by_pickup_code(&state(ctx).db, viewer(ctx)?, &pickup_code).await?,
        ))
    }

    /// Every conversion rule, current and past. Public.
    async fn credit_rules(&self, ctx: &Context<'_>) -> Result<Vec<CreditRule>> {
        Ok(rules::all(&state(ctx).db.conn)
            .await?
            .into_iter()
            .map(CreditRule)
            .collect())
    }

    /// The tiers for residents or for enterprises, lowest first. Public.
    async fn credit_tiers(
        &self,
        ctx: &Context<'_>,
        donor_kind: DonorKind,
    ) -> Result<Vec<CreditTier>> {
        Ok(tiers::tiers_for(&state(ctx).db.conn, donor_kind)
            .await?
            .into_iter()
            .map(|tier| CreditTier { tier })
            .collect())
    }

    /// Rewards on offer, optionally at one org's supermarket. Public.
    #[graphql(complexity = "crate::graphql::page_cost(first, child_complexity)")]
    async fn rewards(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        org_id: Option<ID>,
    ) -> Result<Connection<Reward>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let org_id = org_id.map(|id| parse_id("orgId", &id)).transpose()?;
        let rows = rewards::rewards(&state(ctx).db, org_id, &page).await?;
        Ok(connection(rows, &page, |m| m.id.to_string(), Reward))
    }

    /// Check a yearly statement's verification code. Public.
    async fn verify_statement(
        &self,
        ctx: &Context<'_>,
        code: String,
    ) -> Result<Option<StatementVerification>> {
        let Some((s, still_current)) = statements::verify(&state(ctx).db, &code).await? else {
            return Ok(None);
        };
        let donor = load_by_id::<entities::donor::Entity>(ctx, s.donor_id).await?;
        Ok(Some(StatementVerification {
            year: s.year,
            donor_name: donor
                .map(|d| crate::privacy::mask_name(&d.display_name))
                .unwrap_or_default(),
            donation_count: s.donation_count,
            total: Fen::new(s.total_fen),
            issued_at: s.issued_at,
            still_current,
        }))
    }
}

#[derive(Default)]
pub struct CreditsMutation;

#[Object]
impl CreditsMutation {
    /// ADMIN: a new conversion rule from a day on: a future day from its local midnight, today
    /// from the moment it is added (earlier donations today keep the rule they were credited
    /// under).
    #[graphql(guard = "RoleGuard::new(&[Role::Admin])")]
    async fn add_credit_rule(
        &self,
        ctx: &Context<'_>,
        kind: CreditRuleKind,
        credits: i64,
        per_units: i64,
        effective_from: NaiveDate,
    ) -> Result<CreditRule> {
        let rule = rules::create(
            &state(ctx).db,
            viewer(ctx)?,
            kind,
            credits,
            per_units,
            effective_from,
        )
        .await?;
        Ok(CreditRule(rule))
    }

    /// ADMIN: create or replace a tier and its benefits.
    #[graphql(guard = "RoleGuard::new(&[Role::Admin])")]
    async fn set_credit_tier(
        &self,
        ctx: &Context<'_>,
        input: CreditTierInput,
    ) -> Result<CreditTier> {
        let tier = tiers::upsert(
            &state(ctx).db,
            viewer(ctx)?,
            tiers::TierDefinition {
                donor_kind: input.donor_kind,
                level: input.level,
                name: input.name,
                threshold: input.threshold,
                benefits: input
                    .benefits
                    .into_iter()
                    .map(|b| (b.category, b.description))
                    .collect(),
            },
        )
        .await?;
        Ok(CreditTier { tier })
    }

    /// Staff of a supermarket-running org list a reward.
    #[graphql(guard = "RoleGuard::new(&[Role::OrgStaff, Role::Admin])")]
    async fn create_reward(&self, ctx: &Context<'_>, input: CreateRewardInput) -> Result<Reward> {
        let viewer = viewer(ctx)?;
        let org_id = match (&input.org_id, viewer.org_id) {
            (Some(id), _) => parse_id("orgId", id)?,
            (None, Some(own)) => own,
            (None, None) => return Err(AppError::bad_field("orgId", "orgId is required").into()),
        };
        let r = rewards::create_reward(
            &state(ctx).db,
            viewer,
            rewards::NewReward {
                org_id,
                name: input.name,
                description: input.description,
                credit_price: input.credit_price,
                stock: input.stock,
                per_person_limit: input.per_person_limit,
                valid_from: input.valid_from,
                valid_until: input.valid_until,
            },
        )
        .await?;
        Ok(Reward(r))
    }

    /// Add (or with a negative delta, remove) stock; never below zero.
    #[graphql(guard = "RoleGuard::new(&[Role::OrgStaff, Role::Admin])")]
    async fn restock_reward(&self, ctx: &Context<'_>, reward_id: ID, delta: i64) -> Result<Reward> {
        let id = parse_id("rewardId", &reward_id)?;
        Ok(Reward(
            rewards::restock(&state(ctx).db, viewer(ctx)?, id, delta).await?,
        ))
    }

    /// Spend credits on a reward; answers with a pickup code. Never oversells stock or credits.
    #[graphql(guard = "RoleGuard::new(&[Role::Resident, Role::Enterprise])")]
    async fn redeem_reward(
        &self,
        ctx: &Context<'_>,
        reward_id: ID,
        #[graphql(default = 1)] quantity: i32,
        idempotency_key: String,
    ) -> Result<RedemptionResult> {
        let key = IdempotencyKey::parse(&idempotency_key)?;
        let id = parse_id("rewardId", &reward_id)?;
        let (r, freshness) =
            rewards::redeem(&state(ctx).db, viewer(ctx)?, &key, id, quantity).await?;
        AuditHandoff::note(ctx, freshness);
        Ok(RedemptionResult {
            redemption: Redemption(r),
            replayed: freshness == Freshness::Replayed,
        })
    }

    /// Staff hand the reward over against its pickup code.
    #[graphql(guard = "RoleGuard::new(&[Role::OrgStaff, Role::Admin])")]
    async fn fulfil_redemption(
        &self,
        ctx: &Context<'_>,
        pickup_code: String,
    ) -> Result<Redemption> {
        Ok(Redemption(
            rewards::fulfil(&state(ctx).db, viewer(ctx)?, &pickup_code).await?,
        ))
    }

    /// The redeemer or the org's staff cancel a pending redemption; credits and stock return.
    #[graphql(guard = "RoleGuard::any()")]
    async fn cancel_redemption(&self, ctx: &Context<'_>, id: ID) -> Result<Redemption> {
        let id = parse_id("id", &id)?;
        Ok(Redemption(
            rewards::cancel(&state(ctx).db, viewer(ctx)?, id).await?,
        ))
    }
}
