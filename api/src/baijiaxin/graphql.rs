//! `myBaijiaxin`: the score, the level, the next level and every component with its reason.

use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::{
    model::{self, ComponentKind, LEVELS, MAX_SCORE, Score},
    service,
};
use crate::{
    auth::RoleGuard,
    entities::enums::Role,
    graphql::{parse_id, state, viewer},
    volunteering::service::resident_of,
};

/// What a component of the score measures.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum BaijiaxinComponentKind {
    /// Certified volunteer hours.
    VolunteerHours,
    /// How often the resident gave.
    DonationCount,
    /// How much the resident gave.
    DonationAmount,
    /// Showing up for what one signed up for.
    Reliability,
}

impl From<ComponentKind> for BaijiaxinComponentKind {
    fn from(kind: ComponentKind) -> Self {
        match kind {
            ComponentKind::VolunteerHours => Self::VolunteerHours,
            ComponentKind::DonationCount => Self::DonationCount,
            ComponentKind::DonationAmount => Self::DonationAmount,
            ComponentKind::Reliability => Self::Reliability,
        }
    }
}

#[derive(SimpleObject)]
pub struct BaijiaxinLevel {
    level: i32,
    name: String,
    /// The score at which this level starts.
    min_score: i64,
}

impl From<model::Level> for BaijiaxinLevel {
    fn from(l: model::Level) -> Self {
        Self {
            level: l.level,
            name: l.name.to_owned(),
            min_score: l.min_score,
        }
    }
}

/// One part of the score: its points, its cap and why.
#[derive(SimpleObject)]
pub struct BaijiaxinComponent {
    kind: BaijiaxinComponentKind,
    name: String,
    points: i64,
    max_points: i64,
    /// One line in Chinese: what counted, and how to gain more.
    reason: String,
}

/// A resident's 百家信: the components always add up to `score`.
pub struct BaijiaxinView {
    pub score: Score,
    pub window_from: DateTime<Utc>,
    pub computed_at: DateTime<Utc>,
}

#[Object]
impl BaijiaxinView {
    async fn score(&self) -> i64 {
        self.score.total
    }
    async fn max_score(&self) -> i64 {
        MAX_SCORE
    }
    async fn level(&self) -> BaijiaxinLevel {
        self.score.level.into()
    }
    async fn next_level(&self) -> Option<BaijiaxinLevel> {
        self.score.next.map(Into::into)
    }
    /// Points still needed for the next level; null at the top.
    async fn points_to_next_level(&self) -> Option<i64> {
        self.score.to_next()
    }
    /// One line in Chinese on where the resident stands and what the next level takes.
    async fn summary(&self) -> String {
        let level = self.score.level;
        match (self.score.next, self.score.to_next()) {
            (Some(next), Some(points)) => format!(
                "当前{}分，{}级“{}”；再得{points}分可升至{}级“{}”",
                self.score.total, level.level, level.name, next.level, next.name
            ),
            _ => format!(
                "当前{}分，已达最高等级{}级“{}”",
                self.score.total, level.level, level.name
            ),
        }
    }
    async fn components(&self) -> Vec<BaijiaxinComponent> {
        self.score
            .components
            .iter()
            .map(|c| BaijiaxinComponent {
                kind: c.kind.into(),
                name: c.name.to_owned(),
                points: c.points,
                max_points: c.max_points,
                reason: c.reason.clone(),
            })
            .collect()
    }
    /// The score counts what happened from this instant on (12 months back).
    async fn window_from(&self) -> DateTime<Utc> {
        self.window_from
    }
    async fn computed_at(&self) -> DateTime<Utc> {
        self.computed_at
    }
}

pub async fn view(
    conn: &impl sea_orm::ConnectionTrait,
    resident_id: uuid::Uuid,
) -> crate::error::AppResult<BaijiaxinView> {
    let now = Utc::now();
    Ok(BaijiaxinView {
        score: service::score_for(conn, resident_id, now).await?,
        window_from: service::window_start(now),
        computed_at: now,
    })
}

#[derive(Default)]
pub struct BaijiaxinQuery;

#[Object]
impl BaijiaxinQuery {
    /// The logged-in resident's 百家信 score, level and how it is made up.
    #[graphql(guard = "RoleGuard::new(&[Role::Resident])")]
    async fn my_baijiaxin(&self, ctx: &Context<'_>) -> Result<BaijiaxinView> {
        let resident_id = resident_of(viewer(ctx)?)?;
        Ok(view(&state(ctx).db.conn, resident_id).await?)
    }

    /// The 百家信 levels and where each starts: the rules are public.
    async fn baijiaxin_levels(&self) -> Vec<BaijiaxinLevel> {
        LEVELS.iter().copied().map(Into::into).collect()
    }

    /// Any resident's score, for the district administration.
    #[graphql(guard = "RoleGuard::new(&[Role::Admin])")]
    async fn resident_baijiaxin(
        &self,
        ctx: &Context<'_>,
        resident_id: ID,
    ) -> Result<BaijiaxinView> {
        let id = parse_id("residentId", &resident_id)?;
        Ok(view(&state(ctx).db.conn, id).await?)
    }
}
