//! Logging, voiding, importing and reading donations.

use async_graphql::{Context, ID, InputObject, Object, OneofObject, Result, SimpleObject, Upload};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::{DonorRef, NewDonation, ReceiptNo, Recorder, import, reads, receipt, voids};
use crate::{
    accounts::Phone,
    audit::AuditHandoff,
    auth::RoleGuard,
    catalog::{Campaign, CharityOrg, CharityProject},
    entities::{
        self, donation,
        enums::{DonationChannel, DonationKind, DonationStatus, FundingSource, Role, Visibility},
    },
    error::AppError,
    graphql::{Connection, connection, handle, load_by_id, parse_id, state, viewer},
    idempotency::{Freshness, IdempotencyKey},
    money::Fen,
    pagination::PageRequest,
    rankings::Boards,
    text::{self, TextKind},
};

/// A donation as its org's staff, ADMIN and the donor see it.
pub struct Donation(pub donation::Model);

#[Object]
impl Donation {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn receipt_no(&self) -> &str {
        &self.0.receipt_no
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
    async fn campaign(&self, ctx: &Context<'_>) -> Result<Option<Campaign>> {
        let Some(id) = self.0.campaign_id else {
            return Ok(None);
        };
        Ok(load_by_id::<entities::campaign::Entity>(ctx, id)
            .await?
            .map(Campaign))
    }
    /// The donor's name (resident, enterprise or walk-in), for the donor and the org's staff.
    async fn donor_name(&self, ctx: &Context<'_>) -> Result<String> {
        Ok(reads::donor_label(&state(ctx).db, &self.0).await?)
    }
    async fn kind(&self) -> DonationKind {
        self.0.kind
    }
    /// Money given, or the appraised value of goods.
    async fn amount(&self) -> Fen {
        Fen::new(self.0.amount_fen)
    }
    async fn goods_description(&self) -> Option<&str> {
        self.0.goods_description.as_deref()
    }
    async fn goods_quantity(&self) -> Option<i32> {
        self.0.goods_quantity
    }
    async fn channel(&self) -> DonationChannel {
        self.0.channel
    }
    async fn funding_source(&self) -> FundingSource {
        self.0.funding_source
    }
    async fn donated_at(&self) -> DateTime<Utc> {
        self.0.donated_at
    }
    async fn visibility(&self) -> Visibility {
        self.0.visibility
    }
    async fn status(&self) -> DonationStatus {
        self.0.status
    }
    /// Credits earned, under the rule in force on `donatedAt`.
    async fn credits_awarded(&self) -> i64 {
        self.0.credits_awarded
    }
    async fn credit_rule(&self, ctx: &Context<'_>) -> Result<Option<crate::credits::CreditRule>> {
        let Some(id) = self.0.credit_rule_id else {
            return Ok(None);
        };
        Ok(load_by_id::<entities::credit_rule::Entity>(ctx, id)
            .await?
            .map(crate::credits::CreditRule))
    }
    async fn void_reason(&self) -> Option<&str> {
        self.0.void_reason.as_deref()
    }
    async fn voided_at(&self) -> Option<DateTime<Utc>> {
        self.0.voided_at
    }
    /// Printed on the receipt; anyone can check it with `verifyReceipt`.
    async fn verification_code(&self) -> &str {
        &self.0.verification_code
    }
    /// The receipt as a printable HTML page.
    async fn receipt_html(&self, ctx: &Context<'_>) -> Result<String> {
        let org = load_by_id::<entities::charity_org::Entity>(ctx, self.0.org_id)
            .await?
            .ok_or_else(|| AppError::not_found("charity organisation"))?;
        let project = load_by_id::<entities::charity_project::Entity>(ctx, self.0.project_id)
            .await?
            .ok_or_else(|| AppError::not_found("charity project"))?;
        let donor = reads::donor_label(&state(ctx).db, &self.0).await?;
        Ok(receipt::render(&receipt::ReceiptParts {
            donation: &self.0,
            org: &org,
            project: &project,
            donor: &donor,
        }))
    }
}

/// A resident as staff see them before recording a donation.
#[derive(SimpleObject)]
pub struct DonorPreview {
    masked_name: String,
    /// The phone, masked.
    phone: String,
}

#[derive(SimpleObject)]
pub struct DonationResult {
    donation: Donation,
    /// True when this answer repeats the first request with the same idempotency key.
    replayed: bool,
}

impl DonationResult {
    fn new((model, freshness): (donation::Model, Freshness)) -> Self {
        Self {
            donation: Donation(model),
            replayed: freshness == Freshness::Replayed,
        }
    }
}

#[derive(InputObject)]
pub struct ResidentDonorInput {
    /// The resident's mobile phone.
    phone: String,
    /// Needed only to register a resident whose phone is not known yet.
    name: Option<String>,
}

#[derive(InputObject)]
pub struct WalkInDonorInput {
    name: Option<String>,
}

/// Exactly one: a resident by phone, an enterprise by id, or an unnamed walk-in.
#[derive(OneofObject)]
pub enum DonorInput {
    Resident(ResidentDonorInput),
    EnterpriseId(ID),
    WalkIn(WalkInDonorInput),
}

#[derive(InputObject)]
pub struct RecordDonationInput {
    /// Chosen by the client (e.g. a UUID); resending the same request returns the first result.
    idempotency_key: String,
    /// The receiving org; staff may leave it out (their own org).
    org_id: Option<ID>,
    project_id: ID,
    campaign_id: Option<ID>,
    donor: DonorInput,
    kind: DonationKind,
    /// Money given, or the appraised value of goods, in yuan: "500.00".
    amount: Fen,
    goods_description: Option<String>,
    goods_quantity: Option<i32>,
    channel: DonationChannel,
    #[graphql(default_with = "FundingSource::Public")]
    funding_source: FundingSource,
    donated_at: DateTime<Utc>,
    /// Unique within the org.
    receipt_no: String,
    #[graphql(default_with = "Visibility::Masked")]
    visibility: Visibility,
}

impl RecordDonationInput {
    fn parse(
        self,
        viewer: &crate::auth::Viewer,
    ) -> Result<(IdempotencyKey, NewDonation), AppError> {
        let key = IdempotencyKey::parse(&self.idempotency_key)?;
        let org_id = match (&self.org_id, viewer.org_id) {
            (Some(id), _) => parse_id("orgId", id)?,
            (None, Some(own)) => own,
            (None, None) => return Err(AppError::bad_field("orgId", "orgId is required")),
        };
        let donor = match self.donor {
            DonorInput::Resident(r) => DonorRef::Resident {
                phone: Phone::parse(&r.phone)
                    .map_err(|e| AppError::bad_field("donorPhone", e.to_string()))?,
                name: text::optional("donor.resident.name", r.name.as_deref(), TextKind::Name)?,
            },
            DonorInput::EnterpriseId(id) => DonorRef::Enterprise {
                id: parse_id("donor.enterpriseId", &id)?,
            },
            DonorInput::WalkIn(w) => DonorRef::WalkIn {
                name: text::optional("donor.walkIn.name", w.name.as_deref(), TextKind::Name)?,
            },
        };
        Ok((
            key,
            NewDonation {
                org_id,
                project_id: parse_id("projectId", &self.project_id)?,
                campaign_id: self
                    .campaign_id
                    .as_ref()
                    .map(|id| parse_id("campaignId", id))
                    .transpose()?,
                donor,
                kind: self.kind,
                amount: self.amount,
                goods_description: text::optional(
                    "goodsDescription",
                    self.goods_description.as_deref(),
                    TextKind::Line,
                )?,
                goods_quantity: self.goods_quantity,
                channel: self.channel,
                funding_source: self.funding_source,
                donated_at: self.donated_at,
                receipt_no: ReceiptNo::parse(&self.receipt_no)?,
                visibility: self.visibility,
            },
        ))
    }
}

#[derive(SimpleObject)]
pub struct ImportRowError {
    /// 1 = the first data row under the header.
    row: i32,
    column: String,
    reason: String,
}

#[derive(SimpleObject)]
pub struct ImportReport {
    /// True when every row was imported (or had been before); false means nothing was written.
    ok: bool,
    rows: i32,
    imported: i32,
    /// Rows already imported earlier with identical content.
    skipped: i32,
    errors: Vec<ImportRowError>,
}

impl From<import::ImportReport> for ImportReport {
    fn from(r: import::ImportReport) -> Self {
        Self {
            ok: r.is_ok(),
            rows: r.rows as i32,
            imported: r.imported as i32,
            skipped: r.skipped as i32,
            errors: r
                .errors
                .into_iter()
                .map(|e| ImportRowError {
                    row: e.row as i32,
                    column: e.column,
                    reason: e.reason,
                })
                .collect(),
        }
    }
}

/// What anyone may learn from a receipt's verification code: no personal data.
#[derive(SimpleObject)]
pub struct ReceiptVerification {
    receipt_no: String,
    org_name: String,
    project_name: String,
    kind: DonationKind,
    amount: Fen,
    donated_at: DateTime<Utc>,
    status: DonationStatus,
}

#[derive(Default)]
pub struct DonationsQuery;

#[Object]
impl DonationsQuery {
    /// Who a phone belongs to, for staff confirming a donation before recording it: the
    /// resident's masked name (张*明), or null when no resident has this phone yet (the
    /// donation will register them under the name given).
    #[graphql(guard = "RoleGuard::new(&[Role::OrgStaff, Role::Admin])")]
    async fn donor_preview(
        &self,
        ctx: &Context<'_>,
        phone: String,
    ) -> Result<Option<DonorPreview>> {
        let phone =
            Phone::parse(&phone).map_err(|e| AppError::bad_field("phone", e.to_string()))?;
        let found = entities::resident::Entity::find()
            .filter(entities::resident::Column::Phone.eq(phone.as_str()))
            .one(&state(ctx).db.conn)
            .await
            .map_err(AppError::from)?;
        Ok(found.map(|r| DonorPreview {
            masked_name: crate::privacy::mask_name(&r.name),
            phone: phone.masked(),
        }))
    }

    /// Donations newest first: staff see their org's, ADMIN any org's, donors their own.
    #[graphql(
        guard = "RoleGuard::any()",
        complexity = "crate::graphql::page_cost(first, child_complexity)"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn donations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        org_id: Option<ID>,
        status: Option<DonationStatus>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Connection<Donation>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let filter = reads::DonationFilter {
            org_id: org_id.map(|id| parse_id("orgId", &id)).transpose()?,
            donor_id: None,
            status,
            from,
            to,
        };
        let rows = reads::list(&state(ctx).db, viewer(ctx)?, filter, &page).await?;
        Ok(connection(rows, &page, |m| m.id.to_string(), Donation))
    }

    #[graphql(guard = "RoleGuard::any()")]
    async fn donation(&self, ctx: &Context<'_>, id: ID) -> Result<Donation> {
        let id = parse_id("id", &id)?;
        Ok(Donation(
            reads::find_visible(&state(ctx).db, viewer(ctx)?, id).await?,
        ))
    }

    /// Check a receipt's verification code. Public.
    async fn verify_receipt(
        &self,
        ctx: &Context<'_>,
        code: String,
    ) -> Result<Option<ReceiptVerification>> {
        let Some(d) = reads::find_by_verification_code(&state(ctx).db, &code).await? else {
            return Ok(None);
        };
        let org = load_by_id::<entities::charity_org::Entity>(ctx, d.org_id).await?;
        let project = load_by_id::<entities::charity_project::Entity>(ctx, d.project_id).await?;
        Ok(Some(ReceiptVerification {
            receipt_no: d.receipt_no,
            org_name: org.map(|o| o.name).unwrap_or_default(),
            project_name: project.map(|p| p.name).unwrap_or_default(),
            kind: d.kind,
            amount: Fen::new(d.amount_fen),
            donated_at: d.donated_at,
            status: d.status,
        }))
    }
}

#[derive(Default)]
pub struct DonationsMutation;

#[Object]
impl DonationsMutation {
    /// Log a donation received by the org. Writes the donation and its credits together.
    #[graphql(guard = "RoleGuard::new(&[Role::OrgStaff, Role::Admin])")]
    async fn record_donation(
        &self,
        ctx: &Context<'_>,
        input: RecordDonationInput,
    ) -> Result<DonationResult> {
        let audit = AuditHandoff::take(ctx);
        let viewer = viewer(ctx)?;
        let (key, new) = input.parse(viewer)?;
        let result = handle::<Recorder>(ctx)
            .record(viewer, &key, new, audit)
            .await?;
        Ok(DonationResult::new(result))
    }

    /// Void a donation: never deleted; its credits are reversed and the donor's tier total drops.
    #[graphql(guard = "RoleGuard::new(&[Role::OrgStaff, Role::Admin])")]
    async fn void_donation(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
        idempotency_key: String,
    ) -> Result<DonationResult> {
        let key = IdempotencyKey::parse(&idempotency_key)?;
        let id = parse_id("id", &id)?;
        let result = voids::void(
            &state(ctx).db,
            handle::<Boards>(ctx),
            viewer(ctx)?,
            &key,
            id,
            reason,
        )
        .await?;
        AuditHandoff::note(ctx, result.1);
        Ok(DonationResult::new(result))
    }

    /// Import a CSV of donations (UTF-8 or GBK; Chinese or English headers; at most 50,000
    /// rows). All or nothing: any bad row rejects the file and every bad row is listed.
    #[graphql(guard = "RoleGuard::new(&[Role::OrgStaff, Role::Admin])")]
    async fn import_donations(&self, ctx: &Context<'_>, file: Upload) -> Result<ImportReport> {
        let upload = file
            .value(ctx)
            .map_err(|_| AppError::bad_field("file", "unreadable upload"))?;
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut upload.into_read(), &mut bytes)
            .map_err(|_| AppError::bad_field("file", "unreadable upload"))?;
        let report =
            import::import(&state(ctx).db, handle::<Boards>(ctx), viewer(ctx)?, &bytes).await?;
        Ok(report.into())
    }
}
