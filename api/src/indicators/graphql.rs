//! `districtIndicators(year)`: the plan's targets as live figures; the bureau sets the inputs.

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use async_graphql::{Context, Guard, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::{
    model::{Comparison, IndicatorKey, IndicatorUnit},
    service::{self, TownFigure},
};
use crate::{
    auth::RoleGuard,
    catalog::Town,
    entities::{self, district_input, enums::Role},
    graphql::{load_by_id, state, viewer},
    money::Fen,
};

/// The bureau's figures for a year.
#[derive(SimpleObject)]
pub struct DistrictInputs {
    year: i32,
    population: i64,
    per_capita_income: Fen,
    updated_at: DateTime<Utc>,
}

impl From<district_input::Model> for DistrictInputs {
    fn from(m: district_input::Model) -> Self {
        Self {
            year: m.year,
            population: m.population,
            per_capita_income: Fen::new(m.per_capita_income_fen),
            updated_at: m.updated_at,
        }
    }
}

/// One town's value; no town means district-level (no town recorded).
pub struct TownValue(TownFigure);

#[Object]
impl TownValue {
    async fn town(&self, ctx: &Context<'_>) -> Result<Option<Town>> {
        let Some(id) = self.0.town_id else {
            return Ok(None);
        };
        Ok(load_by_id::<entities::town::Entity>(ctx, id)
            .await?
            .map(Town))
    }
    async fn value(&self) -> String {
        self.0.figure.display()
    }
}

/// An indicator of the district plan, computed from the data now.
pub struct Indicator {
    figures: service::Indicator,
    /// Shared by the indicators of one answer, so a caller who may not read the breakdown by
    /// town is told once, not once per indicator.
    breakdown_refused: Arc<AtomicBool>,
}

#[Object]
impl Indicator {
    async fn key(&self) -> IndicatorKey {
        self.figures.key
    }
    async fn unit(&self) -> IndicatorUnit {
        self.figures.unit
    }
    /// A decimal in the unit ("1234.50" yuan, "8.2500" percent); null when it cannot be
    /// computed (see `note`).
    async fn value(&self) -> Option<String> {
        self.figures.value.map(|v| v.display())
    }
    async fn target(&self) -> Option<String> {
        self.figures.target.map(|t| t.figure.display())
    }
    async fn comparison(&self) -> Option<Comparison> {
        self.figures.target.map(|t| t.comparison)
    }
    /// The plan's wording of the target.
    async fn target_source(&self) -> Option<&str> {
        self.figures.target_source
    }
    /// Null when there is no target or no value.
    async fn met(&self) -> Option<bool> {
        self.figures.met()
    }
    /// How the figure is counted, or why it is missing, in Chinese (shown on the public page).
    async fn note(&self) -> Option<&str> {
        self.figures.note.as_deref()
    }
    /// By town where the data carries one (the donor's, the resident's, the org's or the
    /// partner's town). ADMIN; null for anyone else, with one error for the whole answer.
    async fn by_town(&self, ctx: &Context<'_>) -> Option<Vec<TownValue>> {
        if let Err(refused) = RoleGuard::new(&[Role::Admin]).check(ctx).await {
            if !self.breakdown_refused.swap(true, Ordering::Relaxed) {
                ctx.add_error(refused.into_server_error(ctx.item.pos));
            }
            return None;
        }
        Some(
            self.figures
                .by_town
                .iter()
                .cloned()
                .map(TownValue)
                .collect(),
        )
    }
}

pub struct DistrictIndicators(service::Report);

#[Object]
impl DistrictIndicators {
    async fn year(&self) -> i32 {
        self.0.year
    }
    /// Population and income the per-capita figures use. ADMIN.
    #[graphql(guard = "RoleGuard::new(&[Role::Admin])")]
    async fn inputs(&self) -> Option<DistrictInputs> {
        self.0.inputs.clone().map(DistrictInputs::from)
    }
    async fn indicators(&self) -> Vec<Indicator> {
        let breakdown_refused = Arc::new(AtomicBool::new(false));
        self.0
            .indicators
            .iter()
            .cloned()
            .map(|figures| Indicator {
                figures,
                breakdown_refused: breakdown_refused.clone(),
            })
            .collect()
    }
}

#[derive(Default)]
pub struct IndicatorsQuery;

#[Object]
impl IndicatorsQuery {
    /// The district plan's targets as live figures for a calendar year. Public summary;
    /// ADMIN also reads the figures by town and the inputs.
    async fn district_indicators(
        &self,
        ctx: &Context<'_>,
        year: i32,
    ) -> Result<DistrictIndicators> {
        Ok(DistrictIndicators(
            service::compute(&state(ctx).db, year).await?,
        ))
    }
}

#[derive(Default)]
pub struct IndicatorsMutation;

#[Object]
impl IndicatorsMutation {
    /// Set a year's population and per-capita disposable income (yuan).
    #[graphql(guard = "RoleGuard::new(&[Role::Admin])")]
    async fn set_district_inputs(
        &self,
        ctx: &Context<'_>,
        year: i32,
        population: i64,
        per_capita_income: Fen,
    ) -> Result<DistrictInputs> {
        Ok(service::set_inputs(
            &state(ctx).db,
            viewer(ctx)?,
            year,
            population,
            per_capita_income,
        )
        .await?
        .into())
    }
}
