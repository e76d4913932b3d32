//! 阳光慈善 on the API: disbursements, donation traces, public project and org pages, and
//! public supervision.

use std::{collections::HashMap, sync::Arc};

use async_graphql::{
    Context, ID, InputObject, Object, Result, SimpleObject,
    dataloader::{DataLoader, Loader},
};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use uuid::Uuid;

use super::{
    disbursements::{self, DisbursementFilter},
    model::{Allocation, NewDisbursement, format_basis_points, share_basis_points},
    pages, supervision,
};
use crate::{
    audit::AuditHandoff,
    auth::RoleGuard,
    catalog::{CharityOrg, CharityProject},
    db::Db,
    district_time::DISTRICT_TZ,
    donations::Donation,
    entities::{
        self, disbursement,
        enums::{
            DonationKind, DonationStatus, FundingSource, Role, SupervisionStatus,
            SupervisionSubjectKind,
        },
        supervision_item,
    },
    error::AppError,
    graphql::{Connection, auth, connection, load_by_id, parse_id, state, viewer},
    idempotency::{Freshness, IdempotencyKey},
    money::Fen,
    pagination::PageRequest,
};

/// Money or goods that left a project (款物流向). Public: it names no beneficiary.
pub struct Disbursement(pub disbursement::Model);

#[Object]
impl Disbursement {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn org(&self, ctx: &Context<'_>) -> Result<CharityOrg> {
        load_by_id::<entities::charity_org::Entity>(ctx, self.0.org_id)
            .await?
            .map(CharityOrg)
            .ok_or_else(|| AppError::not_found("charity organisation").into())
    }
    async fn project(&self, ctx: &Context<'_>) -> Result<CharityProject> {
        load_by_id::<entities::charity_project::Entity>(ctx, self.0.project_id)
            .await?
            .map(CharityProject)
            .ok_or_else(|| AppError::not_found("charity project").into())
    }
    async fn kind(&self) -> DonationKind {
        self.0.kind
    }
    /// Money paid out, or the appraised value of goods given out.
    async fn amount(&self) -> Fen {
        Fen::new(self.0.amount_fen)
    }
    async fn goods_description(&self) -> Option<&str> {
        self.0.goods_description.as_deref()
    }
    async fn goods_quantity(&self) -> Option<i32> {
        self.0.goods_quantity
    }
    /// What it paid for, e.g. "银龄助餐 第12批".
    async fn purpose(&self) -> &str {
        &self.0.purpose
    }
    async fn disbursed_on(&self) -> NaiveDate {
        self.0.disbursed_on
    }
    /// How many people benefited (never who).
    async fn beneficiaries(&self) -> i32 {
        self.0.beneficiaries
    }
    /// The supporting document: voucher number, contract, sign-off sheet.
    async fn document_ref(&self) -> Option<&str> {
        self.0.document_ref.as_deref()
    }
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// How many donations paid for it.
    async fn funded_by_donations(&self, ctx: &Context<'_>) -> Result<i64> {
        let loader = ctx.data::<DataLoader<FundingCounts>>()?;
        let count = loader
            .load_one(self.0.id)
            .await
            .map_err(|e| AppError::internal(anyhow::anyhow!("{e}")))?;
        Ok(count.unwrap_or(0))
    }
    /// Which donations paid for it and how much of each: its org's staff and ADMIN.
    #[graphql(guard = "RoleGuard::new(&[Role::OrgStaff, Role::Admin])")]
    async fn allocations(&self, ctx: &Context<'_>) -> Result<Vec<DisbursementAllocation>> {
        let rows = disbursements::allocations_of(&state(ctx).db, viewer(ctx)?, &self.0).await?;
        Ok(rows
            .into_iter()
            .map(|(a, d)| DisbursementAllocation {
                donation: Donation(d),
                amount: Fen::new(a.amount_fen),
            })
            .collect())
    }
}

/// Batches `fundedByDonations` across a list of disbursements into one query.
pub struct FundingCounts(Db);

impl FundingCounts {
    pub fn new(db: Db) -> Self {
        Self(db)
    }
}

impl Loader<Uuid> for FundingCounts {
    type Value = i64;
    type Error = Arc<String>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, i64>, Self::Error> {
        disbursements::funding_counts(&self.0, keys)
            .await
            .map_err(|e| Arc::new(e.message()))
    }
}

/// The part of a disbursement one donation paid for.
#[derive(SimpleObject)]
pub struct DisbursementAllocation {
    donation: Donation,
    amount: Fen,
}

#[derive(SimpleObject)]
pub struct DisbursementResult {
    disbursement: Disbursement,
    /// True when this answer repeats the first request with the same idempotency key.
    replayed: bool,
}

/// One donation and how much of it a by-hand allocation takes.
#[derive(InputObject)]
pub struct AllocationInput {
    donation_id: ID,
    amount: Fen,
}

#[derive(InputObject)]
pub struct RecordDisbursementInput {
    /// Chosen by the client (e.g. a UUID); resending the same request returns the first result.
    idempotency_key: String,
    project_id: ID,
    kind: DonationKind,
    /// Money paid out, or the appraised value of goods given out, in yuan: "1200.00".
    amount: Fen,
    goods_description: Option<String>,
    goods_quantity: Option<i32>,
    /// What it paid for, e.g. "银龄助餐 第12批".
    purpose: String,
    disbursed_on: NaiveDate,
    /// How many people benefited; never their identities.
    #[graphql(default)]
    beneficiaries: i32,
    /// Voucher number, contract or sign-off sheet.
    document_ref: Option<String>,
    /// Which donations paid, by hand; left out, the project's oldest donations pay first.
    allocations: Option<Vec<AllocationInput>>,
}

impl RecordDisbursementInput {
    fn parse(self) -> Result<(IdempotencyKey, NewDisbursement), AppError> {
        let key = IdempotencyKey::parse(&self.idempotency_key)?;
        let allocation = match self.allocations {
            None => Allocation::OldestFirst,
            Some(parts) => Allocation::ByHand(
                parts
                    .into_iter()
                    .map(|p| {
                        Ok((
                            parse_id("allocations.donationId", &p.donation_id)?,
                            p.amount,
                        ))
                    })
                    .collect::<Result<_, AppError>>()?,
            ),
        };
        Ok((
            key,
            NewDisbursement {
                project_id: parse_id("projectId", &self.project_id)?,
                kind: self.kind,
                amount: self.amount,
                goods_description: self.goods_description,
                goods_quantity: self.goods_quantity,
                purpose: self.purpose,
                disbursed_on: self.disbursed_on,
                beneficiaries: self.beneficiaries,
                document_ref: self.document_ref,
                allocation,
            },
        ))
    }
}

/// Money and goods value, and their sum.
#[derive(SimpleObject, Clone, Copy)]
pub struct Amounts {
    money: Fen,
    /// Appraised value of goods.
    goods: Fen,
    total: Fen,
}

impl From<pages::Amounts> for Amounts {
    fn from(a: pages::Amounts) -> Self {
        Self {
            money: Fen::new(a.money_fen),
            goods: Fen::new(a.goods_fen),
            total: Fen::new(a.total_fen()),
        }
    }
}

#[derive(SimpleObject)]
pub struct PurposeFigures {
    purpose: String,
    disbursed: Amounts,
    disbursements: i64,
    beneficiaries: i64,
}

#[derive(SimpleObject)]
pub struct MonthFigures {
    /// `YYYY-MM`, Asia/Shanghai.
    month: String,
    raised: Amounts,
    disbursed: Amounts,
}

/// A goods donation as stock: received, given out, left. No donor.
#[derive(SimpleObject)]
pub struct StockLot {
    description: String,
    received_on: NaiveDate,
    quantity_received: i64,
    quantity_given_out: i64,
    quantity_left: i64,
    value_received: Fen,
    value_given_out: Fen,
    value_left: Fen,
}

impl From<pages::StockLot> for StockLot {
    fn from(l: pages::StockLot) -> Self {
        Self {
            description: l.description,
            received_on: l.received_on,
            quantity_received: l.quantity_in,
            quantity_given_out: l.quantity_out,
            quantity_left: l.quantity_in - l.quantity_out,
            value_received: Fen::new(l.value_in_fen),
            value_given_out: Fen::new(l.value_out_fen),
            value_left: Fen::new(l.value_in_fen - l.value_out_fen),
        }
    }
}

/// A project's public page: raised versus disbursed, by purpose and by month.
pub struct ProjectTransparency(pages::ProjectPage);

#[Object]
impl ProjectTransparency {
    async fn project(&self) -> CharityProject {
        CharityProject(self.0.project.clone())
    }
    /// Confirmed donations.
    async fn raised(&self) -> Amounts {
        self.0.raised.into()
    }
    async fn disbursed(&self) -> Amounts {
        self.0.disbursed.into()
    }
    /// Raised and not yet disbursed.
    async fn balance(&self) -> Amounts {
        self.0.balance().into()
    }
    async fn donation_count(&self) -> i64 {
        self.0.donations
    }
    async fn disbursement_count(&self) -> i64 {
        self.0.disbursements
    }
    async fn beneficiaries(&self) -> i64 {
        self.0.beneficiaries
    }
    /// Largest purpose first.
    async fn by_purpose(&self) -> Vec<PurposeFigures> {
        self.0
            .by_purpose
            .iter()
            .map(|p| PurposeFigures {
                purpose: p.purpose.clone(),
                disbursed: p.disbursed.into(),
                disbursements: p.disbursements,
                beneficiaries: p.beneficiaries,
            })
            .collect()
    }
    /// Oldest month first.
    async fn by_month(&self) -> Vec<MonthFigures> {
        self.0
            .by_month
            .iter()
            .map(|m| MonthFigures {
                month: m.month.clone(),
                raised: m.raised.into(),
                disbursed: m.disbursed.into(),
            })
            .collect()
    }
    /// Goods received and not all given out yet (all lots with `includeEmptied`).
    async fn goods_stock(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] include_emptied: bool,
    ) -> Result<Vec<StockLot>> {
        Ok(
            pages::goods_stock(&state(ctx).db, self.0.project.id, include_emptied)
                .await?
                .into_iter()
                .map(StockLot::from)
                .collect(),
        )
    }
    /// Newest first.
    #[graphql(complexity = "crate::graphql::page_cost(first, child_complexity)")]
    async fn disbursements(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<Disbursement>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let filter = DisbursementFilter {
            project_id: Some(self.0.project.id),
            org_id: None,
        };
        let rows = disbursements::list(&state(ctx).db, filter, &page).await?;
        Ok(connection(rows, &page, |m| m.id.to_string(), Disbursement))
    }
}

#[derive(SimpleObject)]
pub struct ProjectFigures {
    project: CharityProject,
    raised: Amounts,
    disbursed: Amounts,
    balance: Amounts,
}

#[derive(SimpleObject)]
pub struct SourceFigure {
    funding_source: FundingSource,
    amount: Fen,
}

/// What an org discloses for one calendar year.
#[derive(SimpleObject)]
pub struct AnnualDisclosure {
    year: i32,
    raised: Amounts,
    donation_count: i64,
    disbursed: Amounts,
    disbursement_count: i64,
    beneficiaries: i64,
    raised_by_source: Vec<SourceFigure>,
}

/// An org's public page: its projects, totals and annual disclosure figures.
pub struct OrgTransparency(pages::OrgPage);

#[Object]
impl OrgTransparency {
    async fn org(&self) -> CharityOrg {
        CharityOrg(self.0.org.clone())
    }
    async fn raised(&self) -> Amounts {
        self.0.raised().into()
    }
    async fn disbursed(&self) -> Amounts {
        self.0.disbursed().into()
    }
    async fn balance(&self) -> Amounts {
        pages::Amounts {
            money_fen: self.0.raised().money_fen - self.0.disbursed().money_fen,
            goods_fen: self.0.raised().goods_fen - self.0.disbursed().goods_fen,
        }
        .into()
    }
    async fn projects(&self) -> Vec<ProjectFigures> {
        self.0
            .projects
            .iter()
            .map(|p| ProjectFigures {
                project: CharityProject(p.project.clone()),
                raised: p.raised.into(),
                disbursed: p.disbursed.into(),
                balance: pages::Amounts {
                    money_fen: p.raised.money_fen - p.disbursed.money_fen,
                    goods_fen: p.raised.goods_fen - p.disbursed.goods_fen,
                }
                .into(),
            })
            .collect()
    }
    async fn disclosure(&self) -> AnnualDisclosure {
        let d = &self.0.disclosure;
        AnnualDisclosure {
            year: d.year,
            raised: d.raised.into(),
            donation_count: d.donations,
            disbursed: d.disbursed.into(),
            disbursement_count: d.disbursements,
            beneficiaries: d.beneficiaries,
            raised_by_source: d
                .raised_by_source
                .iter()
                .map(|(s, fen)| SourceFigure {
                    funding_source: *s,
                    amount: Fen::new(*fen),
                })
                .collect(),
        }
    }
}

/// One disbursement a donation paid for, and its share of the donation.
#[derive(SimpleObject)]
pub struct TraceSlice {
    disbursement: Disbursement,
    amount: Fen,
    /// Percent of the donation, two places: "40.00".
    share: String,
}

/// Where a donation went.
pub struct DonationTrace(disbursements::Trace);

impl DonationTrace {
    fn share(&self, fen: i64) -> String {
        format_basis_points(share_basis_points(fen, self.0.donation.amount_fen))
    }
}

#[Object]
impl DonationTrace {
    async fn donation(&self) -> Donation {
        Donation(self.0.donation.clone())
    }
    async fn amount(&self) -> Fen {
        Fen::new(self.0.donation.amount_fen)
    }
    /// Already paid out.
    async fn allocated(&self) -> Fen {
        Fen::new(self.0.allocated_fen())
    }
    /// Not paid out yet.
    async fn unallocated(&self) -> Fen {
        Fen::new(self.0.donation.amount_fen - self.0.allocated_fen())
    }
    /// Percent not paid out yet: "20.00".
    async fn unallocated_share(&self) -> String {
        self.share(self.0.donation.amount_fen - self.0.allocated_fen())
    }
    async fn slices(&self) -> Vec<TraceSlice> {
        self.0
            .slices
            .iter()
            .map(|s| TraceSlice {
                disbursement: Disbursement(s.disbursement.clone()),
                amount: Fen::new(s.amount_fen),
                share: self.share(s.amount_fen),
            })
            .collect()
    }
    /// In words: "您捐赠的 500.00 元：40.00% 用于「银龄助餐 第12批」（2026-03-01）；……".
    async fn summary(&self) -> String {
        let d = &self.0.donation;
        if d.status == DonationStatus::Voided {
            // A voided donation never pays (its share moved to others when it was voided).
            return format!(
                "您捐赠的 {} 元已作废，不计入项目，也未用于任何支出。",
                Fen::new(d.amount_fen)
            );
        }
        let mut parts: Vec<String> = self
            .0
            .slices
            .iter()
            .map(|s| {
                format!(
                    "{}%（{} 元）用于「{}」（{}）",
                    self.share(s.amount_fen),
                    Fen::new(s.amount_fen),
                    s.disbursement.purpose,
                    s.disbursement.disbursed_on
                )
            })
            .collect();
        let left = d.amount_fen - self.0.allocated_fen();
        if left > 0 {
            parts.push(format!("{}% 尚待使用", self.share(left)));
        }
        format!(
            "您捐赠的 {} 元：{}。",
            Fen::new(d.amount_fen),
            parts.join("；")
        )
    }
}

/// A public-supervision question and its answer. The asker is never shown.
pub struct SupervisionItem(supervision_item::Model);

#[Object]
impl SupervisionItem {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn subject_kind(&self) -> SupervisionSubjectKind {
        self.0.subject_kind
    }
    /// The project, disbursement or ranking edition asked about.
    async fn subject_id(&self) -> ID {
        ID(self.0.subject_id.to_string())
    }
    async fn project(&self, ctx: &Context<'_>) -> Result<Option<CharityProject>> {
        let Some(id) = self.0.project_id else {
            return Ok(None);
        };
        Ok(load_by_id::<entities::charity_project::Entity>(ctx, id)
            .await?
            .map(CharityProject))
    }
    /// Who must answer; none for an edition (the civil-affairs bureau answers).
    async fn org(&self, ctx: &Context<'_>) -> Result<Option<CharityOrg>> {
        let Some(id) = self.0.org_id else {
            return Ok(None);
        };
        Ok(load_by_id::<entities::charity_org::Entity>(ctx, id)
            .await?
            .map(CharityOrg))
    }
    async fn question(&self) -> &str {
        &self.0.question
    }
    async fn answer(&self) -> Option<&str> {
        self.0.answer.as_deref()
    }
    async fn status(&self) -> SupervisionStatus {
        self.0.status
    }
    /// Open past its response deadline.
    async fn overdue(&self) -> bool {
        supervision::is_overdue(&self.0, Utc::now())
    }
    async fn response_due_at(&self) -> DateTime<Utc> {
        self.0.response_due_at
    }
    async fn asked_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn answered_at(&self) -> Option<DateTime<Utc>> {
        self.0.answered_at
    }
    /// Answered after its response deadline: kept once it is answered, so a late answer is not
    /// forgotten when the question leaves the overdue list.
    async fn answered_late(&self) -> bool {
        supervision::answered_late(&self.0)
    }
    /// Whether the viewer asked it.
    async fn asked_by_me(&self, ctx: &Context<'_>) -> bool {
        auth(ctx)
            .viewer()
            .is_ok_and(|v| v.account_id == self.0.asked_by)
    }
}

fn this_year() -> i32 {
    Utc::now().with_timezone(&DISTRICT_TZ).year()
}

#[derive(Default)]
pub struct TransparencyQuery;

#[Object]
impl TransparencyQuery {
    /// A project's public page. Public.
    async fn project_transparency(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
    ) -> Result<ProjectTransparency> {
        let id = parse_id("projectId", &project_id)?;
        Ok(ProjectTransparency(
            pages::project_page(&state(ctx).db, id).await?,
        ))
    }

    /// An org's public page with its disclosure for `year` (default: this year). Public.
    async fn org_transparency(
        &self,
        ctx: &Context<'_>,
        org_id: ID,
        year: Option<i32>,
    ) -> Result<OrgTransparency> {
        let id = parse_id("orgId", &org_id)?;
        let year = year.unwrap_or_else(this_year);
        if !(2000..=this_year()).contains(&year) {
            return Err(AppError::bad_field("year", "a year from 2000 to this year").into());
        }
        Ok(OrgTransparency(
            pages::org_page(&state(ctx).db, id, year).await?,
        ))
    }

    /// Disbursements newest first, of a project or an org. Public.
    #[graphql(complexity = "crate::graphql::page_cost(first, child_complexity)")]
    async fn disbursements(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        project_id: Option<ID>,
        org_id: Option<ID>,
    ) -> Result<Connection<Disbursement>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let filter = DisbursementFilter {
            project_id: project_id
                .map(|id| parse_id("projectId", &id))
                .transpose()?,
            org_id: org_id.map(|id| parse_id("orgId", &id)).transpose()?,
        };
        let rows = disbursements::list(&state(ctx).db, filter, &page).await?;
        Ok(connection(rows, &page, |m| m.id.to_string(), Disbursement))
    }

    async fn disbursement(&self, ctx: &Context<'_>, id: ID) -> Result<Disbursement> {
        let id = parse_id("id", &id)?;
        Ok(Disbursement(disbursements::find(&state(ctx).db, id).await?))
    }

    /// Where a donation went: for the donor, the org's staff and ADMIN.
    #[graphql(guard = "RoleGuard::any()")]
    async fn donation_trace(&self, ctx: &Context<'_>, donation_id: ID) -> Result<DonationTrace> {
        let id = parse_id("donationId", &donation_id)?;
        Ok(DonationTrace(
            disbursements::trace(&state(ctx).db, viewer(ctx)?, id).await?,
        ))
    }

    /// Public-supervision questions, newest first, filtered by subject, project, org or status.
    #[graphql(complexity = "crate::graphql::page_cost(first, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn supervision_items(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        subject_kind: Option<SupervisionSubjectKind>,
        subject_id: Option<ID>,
        project_id: Option<ID>,
        org_id: Option<ID>,
        status: Option<SupervisionStatus>,
    ) -> Result<Connection<SupervisionItem>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let subject = match (subject_kind, subject_id) {
            (Some(kind), Some(id)) => Some((kind, parse_id("subjectId", &id)?)),
            (None, None) => None,
            _ => {
                return Err(AppError::bad_field(
                    "subjectId",
                    "give subjectKind and subjectId together",
                )
                .into());
            }
        };
        let filter = supervision::SupervisionFilter {
            subject,
            project_id: project_id
                .map(|id| parse_id("projectId", &id))
                .transpose()?,
            org_id: org_id.map(|id| parse_id("orgId", &id)).transpose()?,
            status,
        };
        let rows = supervision::list(&state(ctx).db, filter, &page).await?;
        Ok(connection(
            rows,
            &page,
            |m| m.id.to_string(),
            SupervisionItem,
        ))
    }

    async fn supervision_item(&self, ctx: &Context<'_>, id: ID) -> Result<SupervisionItem> {
        let id = parse_id("id", &id)?;
        Ok(SupervisionItem(
            supervision::find(&state(ctx).db, id).await?,
        ))
    }

    /// Open questions past their response deadline, oldest first: the bureau's dashboard.
    #[graphql(
        guard = "RoleGuard::new(&[Role::Admin])",
        complexity = "crate::graphql::page_cost(first, child_complexity)"
    )]
    async fn overdue_supervision_items(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<SupervisionItem>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let rows = supervision::overdue(&state(ctx).db, Utc::now(), &page).await?;
        Ok(connection(
            rows,
            &page,
            |m| m.id.to_string(),
            SupervisionItem,
        ))
    }
}

#[derive(Default)]
pub struct TransparencyMutation;

#[Object]
impl TransparencyMutation {
    /// Record money or goods leaving a project of the staff's org, allocated to the donations
    /// that paid for it (oldest first unless `allocations` names them).
    #[graphql(guard = "RoleGuard::new(&[Role::OrgStaff, Role::Admin])")]
    async fn record_disbursement(
        &self,
        ctx: &Context<'_>,
        input: RecordDisbursementInput,
    ) -> Result<DisbursementResult> {
        let (key, new) = input.parse()?;
        let (model, freshness) =
            disbursements::record(&state(ctx).db, viewer(ctx)?, &key, new).await?;
        AuditHandoff::note(ctx, freshness);
        Ok(DisbursementResult {
            disbursement: Disbursement(model),
            replayed: freshness == Freshness::Replayed,
        })
    }

    /// Ask a public question about a project, a disbursement or a published ranking edition.
    /// It is answered within 15 days.
    #[graphql(guard = "RoleGuard::any()")]
    async fn ask_supervision_question(
        &self,
        ctx: &Context<'_>,
        subject_kind: SupervisionSubjectKind,
        subject_id: ID,
        question: String,
    ) -> Result<SupervisionItem> {
        let subject_id = parse_id("subjectId", &subject_id)?;
        Ok(SupervisionItem(
            supervision::ask(
                &state(ctx).db,
                viewer(ctx)?,
                subject_kind,
                subject_id,
                &question,
            )
            .await?,
        ))
    }

    /// Answer a question about the staff's org (ADMIN: any, and ranking editions).
    #[graphql(guard = "RoleGuard::new(&[Role::OrgStaff, Role::Admin])")]
    async fn answer_supervision_question(
        &self,
        ctx: &Context<'_>,
        id: ID,
        answer: String,
    ) -> Result<SupervisionItem> {
        let id = parse_id("id", &id)?;
        Ok(SupervisionItem(
            supervision::answer(&state(ctx).db, viewer(ctx)?, id, &answer).await?,
        ))
    }
}
