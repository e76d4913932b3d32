//! 档次: tiers by cumulative confirmed donation, separately for residents and enterprises.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::{
    entities::{credit_tier, enums::DonorKind, tier_benefit},
    error::AppResult,
    money::Fen,
};

/// Where a donor stands: the tier reached, the next one, and how far it is.
#[derive(Clone, Debug)]
pub struct TierStatus {
    pub current: Option<credit_tier::Model>,
    pub next: Option<credit_tier::Model>,
    /// Still to give to reach `next`.
    pub to_next: Option<Fen>,
    /// What the current tier unlocks.
    pub benefits: Vec<tier_benefit::Model>,
}

pub async fn tiers_for(
    conn: &impl ConnectionTrait,
    kind: DonorKind,
) -> AppResult<Vec<credit_tier::Model>> {
    Ok(credit_tier::Entity::find()
        .filter(credit_tier::Column::DonorKind.eq(kind))
        .order_by_asc(credit_tier::Column::ThresholdFen)
        .all(conn)
        .await?)
}

pub async fn benefits_of(
    conn: &impl ConnectionTrait,
    tier_ids: &[Uuid],
) -> AppResult<Vec<tier_benefit::Model>> {
    if tier_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(tier_benefit::Entity::find()
        .filter(tier_benefit::Column::TierId.is_in(tier_ids.iter().copied()))
        .order_by_asc(tier_benefit::Column::Id)
        .all(conn)
        .await?)
}

/// Pure placement of a cumulative amount among ascending tiers.
pub fn place(
    tiers: &[credit_tier::Model],
    cumulative: Fen,
) -> (Option<credit_tier::Model>, Option<credit_tier::Model>) {
    let current = tiers
        .iter()
        .rev()
        .find(|t| t.threshold_fen <= cumulative.get())
        .cloned();
    let next = tiers
        .iter()
        .find(|t| t.threshold_fen > cumulative.get())
        .cloned();
    (current, next)
}

pub async fn status(
    conn: &impl ConnectionTrait,
    kind: DonorKind,
    cumulative: Fen,
) -> AppResult<TierStatus> {
    let tiers = tiers_for(conn, kind).await?;
    let (current, next) = place(&tiers, cumulative);
    let to_next = next
        .as_ref()
        .map(|t| Fen::new(t.threshold_fen - cumulative.get()));
    let benefits = match &current {
        Some(t) => benefits_of(conn, &[t.id]).await?,
        None => Vec::new(),
    };
    Ok(TierStatus {
        current,
        next,
        to_next,
        benefits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tier(level: i32, yuan: i64) -> credit_tier::Model {
        credit_tier::Model {
            id: Uuid::now_v7(),
            donor_kind: DonorKind::Resident,
            level,
            name: format!("L{level}"),
            threshold_fen: yuan * 100,
            created_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn a_donor_sits_in_the_highest_tier_reached() {
        let tiers = [tier(1, 100), tier(2, 1000), tier(3, 5000)];
        let (current, next) = place(&tiers, Fen::new(150_000));
        assert_eq!(current.map(|t| t.level), Some(2));
        assert_eq!(next.map(|t| t.level), Some(3));
        let (current, next) = place(&tiers, Fen::new(9_999));
        assert!(current.is_none());
        assert_eq!(next.map(|t| t.level), Some(1));
        let (current, next) = place(&tiers, Fen::new(100_000));
        assert_eq!(
            current.map(|t| t.level),
            Some(2),
            "the threshold itself counts"
        );
        assert!(place(&tiers, Fen::new(1_000_000)).1.is_none());
        assert_eq!(next.map(|t| t.level), Some(3));
    }
}
