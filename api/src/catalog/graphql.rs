//! Public directory queries: towns, charity organisations, projects, campaigns, partners.

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::NaiveDate;

use super::{editing, service};
use crate::{
    auth::RoleGuard,
    entities::{self, enums, enums::Role},
    error::{AppError, AppResult},
    graphql::{Connection, connection, load_by_id, offset_connection, parse_id, state, viewer},
    money::Fen,
    pagination::PageRequest,
};

/// 街道 / 乡镇.
pub struct Town(pub entities::town::Model);

#[Object]
impl Town {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Stable code used in filters, e.g. `BEIAO`.
    async fn code(&self) -> &str {
        &self.0.code
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
}

/// 慈善组织: receives donations, runs projects and activities.
pub struct CharityOrg(pub entities::charity_org::Model);

#[Object]
impl CharityOrg {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn kind(&self) -> enums::CharityOrgKind {
        self.0.kind
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// Recognised (认定) charity organisation, counted by the district indicators.
    async fn recognised(&self) -> bool {
        self.0.recognised
    }
    /// Runs a 慈善超市 where credits are redeemed.
    async fn runs_supermarket(&self) -> bool {
        self.0.runs_supermarket
    }
    async fn town(&self, ctx: &Context<'_>) -> Result<Option<Town>> {
        let Some(id) = self.0.town_id else {
            return Ok(None);
        };
        Ok(load_by_id::<entities::town::Entity>(ctx, id)
            .await?
            .map(Town))
    }
    /// The organisation a branch (分会) belongs to.
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<CharityOrg>> {
        let Some(id) = self.0.parent_id else {
            return Ok(None);
        };
        Ok(load_by_id::<entities::charity_org::Entity>(ctx, id)
            .await?
            .map(CharityOrg))
    }
    /// Its branches.
    #[graphql(complexity = "crate::graphql::page_cost(first, child_complexity)")]
    async fn branches(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<CharityOrg>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let rows = service::branches(&state(ctx).db, self.0.id, &page).await?;
        Ok(connection(rows, &page, |m| m.id.to_string(), CharityOrg))
    }
    #[graphql(complexity = "crate::graphql::page_cost(first, child_complexity)")]
    async fn projects(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<CharityProject>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let rows = service::charity_projects(&state(ctx).db, Some(self.0.id), &page).await?;
        Ok(connection(
            rows,
            &page,
            |m| m.id.to_string(),
            CharityProject,
        ))
    }
}

/// 慈善项目: what a donation funds.
pub struct CharityProject(pub entities::charity_project::Model);

#[Object]
impl CharityProject {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    async fn status(&self) -> enums::ProjectStatus {
        self.0.status
    }
    /// The amount the project sets out to raise, if it has one.
    async fn goal(&self) -> Option<Fen> {
        self.0.goal_fen.map(Fen::new)
    }
    async fn starts_on(&self) -> Option<NaiveDate> {
        self.0.starts_on
    }
    async fn ends_on(&self) -> Option<NaiveDate> {
        self.0.ends_on
    }
    async fn org(&self, ctx: &Context<'_>) -> Result<CharityOrg> {
        load_by_id::<entities::charity_org::Entity>(ctx, self.0.org_id)
            .await?
            .map(CharityOrg)
            .ok_or_else(|| AppError::not_found("charity organisation").into())
    }
    async fn town(&self, ctx: &Context<'_>) -> Result<Option<Town>> {
        let Some(id) = self.0.town_id else {
            return Ok(None);
        };
        Ok(load_by_id::<entities::town::Entity>(ctx, id)
            .await?
            .map(Town))
    }
}

/// A named drive with dates: 慈善一日捐, 9·5 中华慈善日.
pub struct Campaign(pub entities::campaign::Model);

#[Object]
impl Campaign {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn code(&self) -> &str {
        &self.0.code
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    async fn starts_on(&self) -> NaiveDate {
        self.0.starts_on
    }
    async fn ends_on(&self) -> NaiveDate {
        self.0.ends_on
    }
    async fn goal(&self) -> Option<Fen> {
        self.0.goal_fen.map(Fen::new)
    }
    async fn status(&self) -> enums::ProjectStatus {
        self.0.status
    }
    /// The organisation running it; null for a programme-wide drive.
    async fn org(&self, ctx: &Context<'_>) -> Result<Option<CharityOrg>> {
        let Some(id) = self.0.org_id else {
            return Ok(None);
        };
        Ok(load_by_id::<entities::charity_org::Entity>(ctx, id)
            .await?
            .map(CharityOrg))
    }
}

/// 礼遇联盟成员: a bank, the parking company, the library ... that honours perks.
pub struct PerkPartner(pub entities::perk_partner::Model);

#[Object]
impl PerkPartner {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn kind(&self) -> enums::PartnerKind {
        self.0.kind
    }
    async fn town(&self, ctx: &Context<'_>) -> Result<Option<Town>> {
        let Some(id) = self.0.town_id else {
            return Ok(None);
        };
        Ok(load_by_id::<entities::town::Entity>(ctx, id)
            .await?
            .map(Town))
    }
}

#[derive(Default)]
pub struct CatalogQuery;

#[Object]
impl CatalogQuery {
    #[graphql(complexity = "crate::graphql::page_cost(first, child_complexity)")]
    async fn towns(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<Town>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let (rows, start) = service::towns(&state(ctx).db, &page).await?;
        let has_next = rows.has_next;
        Ok(offset_connection(
            rows.items.into_iter().map(Town).collect(),
            start,
            has_next,
        ))
    }

    /// Charity organisations, optionally those of one town (by town code).
    #[graphql(complexity = "crate::graphql::page_cost(first, child_complexity)")]
    async fn charity_orgs(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        town: Option<String>,
    ) -> Result<Connection<CharityOrg>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let db = &state(ctx).db;
        let town_id = match town {
            Some(code) => Some(service::town_by_code(db, &code).await?.id),
            None => None,
        };
        let rows = service::charity_orgs(db, town_id, &page).await?;
        Ok(connection(rows, &page, |m| m.id.to_string(), CharityOrg))
    }

    async fn charity_org(&self, ctx: &Context<'_>, id: ID) -> Result<CharityOrg> {
        let id = parse_id("id", &id)?;
        Ok(CharityOrg(service::charity_org(&state(ctx).db, id).await?))
    }

    /// Charity projects, optionally those of one organisation.
    #[graphql(complexity = "crate::graphql::page_cost(first, child_complexity)")]
    async fn charity_projects(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        org_id: Option<ID>,
    ) -> Result<Connection<CharityProject>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let org_id = org_id.map(|id| parse_id("orgId", &id)).transpose()?;
        let rows = service::charity_projects(&state(ctx).db, org_id, &page).await?;
        Ok(connection(
            rows,
            &page,
            |m| m.id.to_string(),
            CharityProject,
        ))
    }

    async fn charity_project(&self, ctx: &Context<'_>, id: ID) -> Result<CharityProject> {
        let id = parse_id("id", &id)?;
        Ok(CharityProject(
            service::charity_project(&state(ctx).db, id).await?,
        ))
    }

    #[graphql(complexity = "crate::graphql::page_cost(first, child_complexity)")]
    async fn campaigns(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<Campaign>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let rows = service::campaigns(&state(ctx).db, &page).await?;
        Ok(connection(rows, &page, |m| m.id.to_string(), Campaign))
    }

    /// 礼遇联盟成员.
    #[graphql(complexity = "crate::graphql::page_cost(first, child_complexity)")]
    async fn perk_partners(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<PerkPartner>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let rows = service::perk_partners(&state(ctx).db, &page).await?;
        Ok(connection(rows, &page, |m| m.id.to_string(), PerkPartner))
    }
}

async fn town_id(ctx: &Context<'_>, code: Option<&str>) -> AppResult<Option<uuid::Uuid>> {
    match code.map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => service::town_by_code(&state(ctx).db, code)
            .await
            .map(|t| Some(t.id))
            .map_err(|_| {
                AppError::bad_field(
                    "townCode",
                    format!("no town has the code {code}; pick one from towns"),
                )
            }),
        None => Ok(None),
    }
}

fn optional_id(field: &str, id: Option<ID>) -> AppResult<Option<uuid::Uuid>> {
    id.map(|id| parse_id(field, &id)).transpose()
}

#[derive(InputObject)]
pub struct CharityOrgInput {
    name: String,
    kind: enums::CharityOrgKind,
    town_code: Option<String>,
    /// For a branch (kind BRANCH): the top-level organisation it belongs to.
    parent_id: Option<ID>,
    description: Option<String>,
    /// Recognised (认定) charity organisation; counted by the district indicators.
    #[graphql(default)]
    recognised: bool,
    #[graphql(default)]
    runs_supermarket: bool,
}

impl CharityOrgInput {
    async fn draft(self, ctx: &Context<'_>) -> AppResult<editing::OrgDraft> {
        Ok(editing::OrgDraft {
            town_id: town_id(ctx, self.town_code.as_deref()).await?,
            parent_id: optional_id("parentId", self.parent_id)?,
            name: self.name,
            kind: self.kind,
            description: self.description,
            recognised: self.recognised,
            runs_supermarket: self.runs_supermarket,
        })
    }
}

#[derive(InputObject)]
pub struct CharityProjectInput {
    name: String,
    description: Option<String>,
    town_code: Option<String>,
    /// The amount to raise, in yuan ("50000.00"); leave out for none.
    goal: Option<Fen>,
    starts_on: Option<NaiveDate>,
    ends_on: Option<NaiveDate>,
    /// ACTIVE takes donations; CLOSED no longer does. New projects start ACTIVE.
    status: Option<enums::ProjectStatus>,
}

impl CharityProjectInput {
    async fn draft(self, ctx: &Context<'_>) -> AppResult<editing::ProjectDraft> {
        Ok(editing::ProjectDraft {
            town_id: town_id(ctx, self.town_code.as_deref()).await?,
            name: self.name,
            description: self.description,
            plan: editing::Plan {
                goal: self.goal,
                starts_on: self.starts_on,
                ends_on: self.ends_on,
            },
            status: self.status,
        })
    }
}

#[derive(InputObject)]
pub struct CampaignInput {
    /// Stable code, e.g. CHARITY_DAY_2027 (letters, digits, '-', '_').
    code: String,
    name: String,
    description: Option<String>,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    goal: Option<Fen>,
    status: Option<enums::ProjectStatus>,
}

impl From<CampaignInput> for editing::CampaignDraft {
    fn from(input: CampaignInput) -> Self {
        Self {
            code: input.code,
            name: input.name,
            description: input.description,
            starts_on: input.starts_on,
            ends_on: input.ends_on,
            goal: input.goal,
            status: input.status,
        }
    }
}

#[derive(Default)]
pub struct CatalogMutation;

#[Object]
impl CatalogMutation {
    /// Register a charity organisation or a branch of one (the bureau).
    #[graphql(guard = "RoleGuard::new(&[Role::Admin])")]
    async fn create_charity_org(
        &self,
        ctx: &Context<'_>,
        input: CharityOrgInput,
    ) -> Result<CharityOrg> {
        let draft = input.draft(ctx).await?;
        Ok(CharityOrg(
            editing::create_org(&state(ctx).db, viewer(ctx)?, draft).await?,
        ))
    }

    /// Edit a charity organisation (the bureau); every field is replaced.
    #[graphql(guard = "RoleGuard::new(&[Role::Admin])")]
    async fn update_charity_org(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: CharityOrgInput,
    ) -> Result<CharityOrg> {
        let id = parse_id("id", &id)?;
        let draft = input.draft(ctx).await?;
        Ok(CharityOrg(
            editing::update_org(&state(ctx).db, viewer(ctx)?, id, draft).await?,
        ))
    }

    /// A new project of your organisation (the bureau names `orgId`).
    #[graphql(guard = "RoleGuard::new(&[Role::OrgStaff, Role::Admin])")]
    async fn create_charity_project(
        &self,
        ctx: &Context<'_>,
        input: CharityProjectInput,
        org_id: Option<ID>,
    ) -> Result<CharityProject> {
        let org_id = optional_id("orgId", org_id)?;
        let draft = input.draft(ctx).await?;
        Ok(CharityProject(
            editing::create_project(&state(ctx).db, viewer(ctx)?, org_id, draft).await?,
        ))
    }

    /// Edit one of your organisation's projects; every field is replaced (a missing
    /// status keeps the current one).
    #[graphql(guard = "RoleGuard::new(&[Role::OrgStaff, Role::Admin])")]
    async fn update_charity_project(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: CharityProjectInput,
    ) -> Result<CharityProject> {
        let id = parse_id("id", &id)?;
        let draft = input.draft(ctx).await?;
        Ok(CharityProject(
            editing::update_project(&state(ctx).db, viewer(ctx)?, id, draft).await?,
        ))
    }

    /// A new campaign of your organisation; the bureau names `orgId`, or leaves it out for
    /// a programme-wide drive.
    #[graphql(guard = "RoleGuard::new(&[Role::OrgStaff, Role::Admin])")]
    async fn create_campaign(
        &self,
        ctx: &Context<'_>,
        input: CampaignInput,
        org_id: Option<ID>,
    ) -> Result<Campaign> {
        let org_id = optional_id("orgId", org_id)?;
        Ok(Campaign(
            editing::create_campaign(&state(ctx).db, viewer(ctx)?, org_id, input.into()).await?,
        ))
    }

    /// Edit a campaign of your organisation (programme-wide ones: the bureau).
    #[graphql(guard = "RoleGuard::new(&[Role::OrgStaff, Role::Admin])")]
    async fn update_campaign(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: CampaignInput,
    ) -> Result<Campaign> {
        let id = parse_id("id", &id)?;
        Ok(Campaign(
            editing::update_campaign(&state(ctx).db, viewer(ctx)?, id, input.into()).await?,
        ))
    }
}
