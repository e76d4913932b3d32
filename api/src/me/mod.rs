//! 我的: the resident's or enterprise's own view over the areas below it — spendable credits
//! and the cumulative donation that decides the tier, the ledger with each entry's source,
//! their donations with receipts, redemptions, and the yearly statement.

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};

use crate::{
    auth::{RoleGuard, Viewer},
    credits::{self, CreditRule, CreditTier, Redemption, TierBenefit},
    donations::{Donation, reads as donation_reads},
    entities::{
        self, credit_entry, donor,
        enums::{CreditEntryKind, DonationStatus, Role},
        yearly_statement,
    },
    error::AppError,
    graphql::{Connection, connection, load_by_id, state, viewer},
    money::Fen,
    pagination::PageRequest,
    volunteering::{Activity, HourCertification},
};

#[derive(Default)]
pub struct MeQuery;

#[Object]
impl MeQuery {
    /// The logged-in resident's or enterprise's credits, tier and ledger.
    #[graphql(guard = "RoleGuard::new(&[Role::Resident, Role::Enterprise])")]
    async fn my_credits(&self, ctx: &Context<'_>) -> Result<MyCredits> {
        let viewer = viewer(ctx)?;
        let donor_id = viewer.require_donor()?;
        let donor = load_by_id::<entities::donor::Entity>(ctx, donor_id)
            .await?
            .ok_or_else(|| AppError::not_found("donor"))?;
        Ok(MyCredits {
            donor,
            viewer: viewer.clone(),
        })
    }
}

/// One ledger entry with its source.
pub struct CreditEntry(credit_entry::Model);

#[Object]
impl CreditEntry {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn kind(&self) -> CreditEntryKind {
        self.0.kind
    }
    /// Signed: positive earns, negative spends or reverses.
    async fn amount(&self) -> i64 {
        self.0.amount
    }
    async fn balance_after(&self) -> i64 {
        self.0.balance_after
    }
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// When it was written to the ledger.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When what earned or spent the credits happened: the donation's date, the start of the
    /// volunteered activity, the redemption; otherwise when the entry was written.
    async fn occurred_at(&self, ctx: &Context<'_>) -> Result<DateTime<Utc>> {
        if let Some(id) = self.0.donation_id
            && let Some(d) = load_by_id::<entities::donation::Entity>(ctx, id).await?
        {
            return Ok(d.donated_at);
        }
        if let Some(activity) = self.activity_model(ctx).await? {
            return Ok(activity.starts_at);
        }
        if let Some(id) = self.0.redemption_id
            && let Some(r) = load_by_id::<entities::redemption::Entity>(ctx, id).await?
        {
            return Ok(r.created_at);
        }
        Ok(self.0.created_at)
    }
    /// The volunteering activity whose certified hours earned (or, after a dispute, changed)
    /// these credits.
    async fn activity(&self, ctx: &Context<'_>) -> Result<Option<Activity>> {
        Ok(self.activity_model(ctx).await?.map(Activity::plain))
    }
    /// The hours certification behind the entry.
    async fn certification(&self, ctx: &Context<'_>) -> Result<Option<HourCertification>> {
        let Some(id) = self.0.certification_id else {
            return Ok(None);
        };
        Ok(load_by_id::<entities::hour_certification::Entity>(ctx, id)
            .await?
            .map(HourCertification))
    }
    /// The donation that earned (or, for a reversal, lost) these credits.
    async fn donation(&self, ctx: &Context<'_>) -> Result<Option<Donation>> {
        let Some(id) = self.0.donation_id else {
            return Ok(None);
        };
        Ok(load_by_id::<entities::donation::Entity>(ctx, id)
            .await?
            .map(Donation))
    }
    async fn redemption(&self, ctx: &Context<'_>) -> Result<Option<Redemption>> {
        let Some(id) = self.0.redemption_id else {
            return Ok(None);
        };
        Ok(load_by_id::<entities::redemption::Entity>(ctx, id)
            .await?
            .map(Redemption))
    }
    async fn certification_id(&self) -> Option<ID> {
        self.0.certification_id.map(|id| ID(id.to_string()))
    }
    async fn rule(&self, ctx: &Context<'_>) -> Result<Option<CreditRule>> {
        let Some(id) = self.0.rule_id else {
            return Ok(None);
        };
        Ok(load_by_id::<entities::credit_rule::Entity>(ctx, id)
            .await?
            .map(CreditRule))
    }
}

impl CreditEntry {
    async fn activity_model(&self, ctx: &Context<'_>) -> Result<Option<entities::activity::Model>> {
        let Some(id) = self.0.certification_id else {
            return Ok(None);
        };
        let Some(cert) = load_by_id::<entities::hour_certification::Entity>(ctx, id).await? else {
            return Ok(None);
        };
        Ok(load_by_id::<entities::activity::Entity>(ctx, cert.activity_id).await?)
    }
}

/// Which way a ledger entry moved the balance.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CreditDirection {
    /// Entries that added credits.
    Earned,
    /// Entries that took credits away (redemptions, reversals).
    Spent,
}

/// A resident's or enterprise's own credits: two ledgers never confused — spendable credits,
/// and the cumulative confirmed donation that decides the tier.
pub struct MyCredits {
    donor: donor::Model,
    viewer: Viewer,
}

#[Object]
impl MyCredits {
    /// Spendable credits. Below zero only after a reversal; then nothing can be redeemed.
    async fn balance(&self) -> i64 {
        self.donor.credit_balance
    }
    /// Cumulative confirmed donations: decides the tier; redeeming never lowers it.
    async fn cumulative_donation(&self) -> Fen {
        Fen::new(self.donor.cumulative_donation_fen)
    }
    async fn tier(&self, ctx: &Context<'_>) -> Result<Option<CreditTier>> {
        Ok(self
            .status(ctx)
            .await?
            .current
            .map(|tier| CreditTier { tier }))
    }
    async fn next_tier(&self, ctx: &Context<'_>) -> Result<Option<CreditTier>> {
        Ok(self.status(ctx).await?.next.map(|tier| CreditTier { tier }))
    }
    /// Still to give to reach the next tier.
    async fn to_next_tier(&self, ctx: &Context<'_>) -> Result<Option<Fen>> {
        Ok(self.status(ctx).await?.to_next)
    }
    /// What the current tier unlocks (停车, 就医, 养老, 教育, honours).
    async fn perks(&self, ctx: &Context<'_>) -> Result<Vec<TierBenefit>> {
        Ok(self
            .status(ctx)
            .await?
            .benefits
            .into_iter()
            .map(TierBenefit)
            .collect())
    }
    /// How the tier is reached, in one sentence.
    async fn tier_explanation(&self, ctx: &Context<'_>) -> Result<String> {
        let status = self.status(ctx).await?;
        let total = Fen::new(self.donor.cumulative_donation_fen);
        Ok(match (&status.current, &status.next, status.to_next) {
            (Some(c), Some(n), Some(gap)) => format!(
                "累计有效捐赠 {total} 元（已作废的捐赠不计），已达「{}」；再捐 {gap} 元可升至「{}」。",
                c.name, n.name
            ),
            (Some(c), None, _) => format!("累计有效捐赠 {total} 元，已达最高档「{}」。", c.name),
            (None, Some(n), Some(gap)) => {
                format!("累计有效捐赠 {total} 元；再捐 {gap} 元可达「{}」。", n.name)
            }
            _ => format!("累计有效捐赠 {total} 元。"),
        })
    }
    /// The ledger, newest first; each entry names its source. `direction` keeps only what
    /// was earned or only what was spent.
    #[graphql(complexity = "crate::graphql::page_cost(first, child_complexity)")]
    async fn ledger(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        direction: Option<CreditDirection>,
    ) -> Result<Connection<CreditEntry>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let earned = direction.map(|d| d == CreditDirection::Earned);
        let rows = credits::ledger::entries(&state(ctx).db, self.donor.id, earned, &page).await?;
        Ok(connection(rows, &page, |m| m.id.to_string(), CreditEntry))
    }
    /// The donor's donations with their receipts, newest first. Confirmed ones count for the
    /// tier, each under the rule shown on it.
    #[graphql(complexity = "crate::graphql::page_cost(first, child_complexity)")]
    async fn donations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        status: Option<DonationStatus>,
    ) -> Result<Connection<Donation>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let filter = donation_reads::DonationFilter {
            status,
            ..Default::default()
        };
        let rows = donation_reads::list(&state(ctx).db, &self.viewer, filter, &page).await?;
        Ok(connection(rows, &page, |m| m.id.to_string(), Donation))
    }
    #[graphql(complexity = "crate::graphql::page_cost(first, child_complexity)")]
    async fn redemptions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<Redemption>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let rows = credits::rewards::my_redemptions(&state(ctx).db, self.donor.id, &page).await?;
        Ok(connection(rows, &page, |m| m.id.to_string(), Redemption))
    }
    /// The statement for a calendar year, with a verification code anyone can check.
    async fn yearly_statement(&self, ctx: &Context<'_>, year: i32) -> Result<YearlyStatement> {
        let s = credits::statements::issue(&state(ctx).db, self.donor.id, year).await?;
        Ok(YearlyStatement {
            statement: s,
            donor_name: self.donor.display_name.clone(),
        })
    }
}

impl MyCredits {
    async fn status(&self, ctx: &Context<'_>) -> Result<credits::tiers::TierStatus, AppError> {
        credits::tiers::status(
            &state(ctx).db.conn,
            self.donor.kind,
            Fen::new(self.donor.cumulative_donation_fen),
        )
        .await
    }
}

pub struct YearlyStatement {
    statement: yearly_statement::Model,
    donor_name: String,
}

#[Object]
impl YearlyStatement {
    async fn year(&self) -> i32 {
        self.statement.year
    }
    async fn donation_count(&self) -> i32 {
        self.statement.donation_count
    }
    async fn total(&self) -> Fen {
        Fen::new(self.statement.total_fen)
    }
    async fn credits(&self) -> i64 {
        self.statement.credits
    }
    async fn verification_code(&self) -> &str {
        &self.statement.verification_code
    }
    async fn issued_at(&self) -> DateTime<Utc> {
        self.statement.issued_at
    }
    /// The statement as a printable HTML page.
    async fn html(&self) -> String {
        use html_escape::encode_text as esc;
        format!(
            r#"<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{year} 年度捐赠证明</title></head>
<body style="font-family:sans-serif;max-width:40em;margin:2em auto">
<h1>{year} 年度慈善捐赠证明</h1>
<p>{name} 于 {year} 年共有效捐赠 {count} 笔，合计 {total} 元，获得慈善共富积分 {credits} 分。</p>
<p>验证码：<strong>{code}</strong>（任何人可凭验证码查验，verifyStatement）</p>
<p>开具时间：{issued}</p><button onclick="window.print()">打印</button></body></html>"#,
            year = self.statement.year,
            name = esc(&self.donor_name),
            count = self.statement.donation_count,
            total = Fen::new(self.statement.total_fen),
            credits = self.statement.credits,
            code = esc(&self.statement.verification_code),
            issued = self
                .statement
                .issued_at
                .with_timezone(&crate::district_time::DISTRICT_TZ)
                .format("%Y-%m-%d %H:%M"),
        )
    }
}
