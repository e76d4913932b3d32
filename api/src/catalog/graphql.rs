//! Public directory queries: towns, charity organisations, projects, campaigns, partners.

use async_graphql::{Context, ID, Object, Result};
use chrono::NaiveDate;

use super::service;
use crate::{
    entities::{self, enums},
    error::AppError,
    graphql::{Connection, connection, load_by_id, offset_connection, parse_id, state},
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
