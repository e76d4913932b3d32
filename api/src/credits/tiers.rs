//! 档次: tiers by cumulative confirmed donation, separately for residents and enterprises.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use crate::{
    auth::Viewer,
    db::Db,
    entities::{
        credit_tier,
        enums::{BenefitCategory, DonorKind},
        tier_benefit,
    },
    error::{AppError, AppResult},
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

/// A tier as ADMIN defines it, with what it unlocks.
#[derive(Clone, Debug)]
pub struct TierDefinition {
    pub donor_kind: DonorKind,
    pub level: i32,
    pub name: String,
    pub threshold: Fen,
    pub benefits: Vec<(BenefitCategory, String)>,
}

/// Create or replace the tier at (`donor_kind`, `level`) and its benefits. Thresholds must
/// rise with the level, so a donor's placement is unambiguous.
pub async fn upsert(
    db: &Db,
    viewer: &Viewer,
    def: TierDefinition,
) -> AppResult<credit_tier::Model> {
    if !viewer.is_admin() {
        return Err(AppError::forbidden("only the bureau sets tiers"));
    }
    let name_len = def.name.trim().chars().count();
    if !(1..=50).contains(&name_len) {
        return Err(AppError::bad_field("name", "a name has 1 to 50 characters"));
    }
    if !(1..=20).contains(&def.level) {
        return Err(AppError::bad_field("level", "level is between 1 and 20"));
    }
    if def.threshold < Fen::ZERO {
        return Err(AppError::bad_field(
            "threshold",
            "threshold must not be negative",
        ));
    }
    if def.benefits.len() > 20
        || def
            .benefits
            .iter()
            .any(|(_, d)| d.trim().is_empty() || d.chars().count() > 200)
    {
        return Err(AppError::bad_field(
            "benefits",
            "at most 20 benefits of 1 to 200 characters",
        ));
    }
    let txn = db.begin_write().await?;
    let others: Vec<credit_tier::Model> = tiers_for(&*txn, def.donor_kind)
        .await?
        .into_iter()
        .filter(|t| t.level != def.level)
        .collect();
    let out_of_order = others.iter().any(|t| {
        (t.level < def.level && t.threshold_fen >= def.threshold.get())
            || (t.level > def.level && t.threshold_fen <= def.threshold.get())
    });
    if out_of_order {
        return Err(AppError::bad_field(
            "threshold",
            "thresholds must rise with the level",
        ));
    }
    let existing = credit_tier::Entity::find()
        .filter(credit_tier::Column::DonorKind.eq(def.donor_kind))
        .filter(credit_tier::Column::Level.eq(def.level))
        .one(&*txn)
        .await?;
    let tier = match existing {
        Some(t) => {
            tier_benefit::Entity::delete_many()
                .filter(tier_benefit::Column::TierId.eq(t.id))
                .exec(&*txn)
                .await?;
            let mut active: credit_tier::ActiveModel = t.into();
            active.name = Set(def.name.trim().to_owned());
            active.threshold_fen = Set(def.threshold.get());
            active.update(&*txn).await?
        }
        None => {
            credit_tier::ActiveModel {
                id: Set(Uuid::now_v7()),
                donor_kind: Set(def.donor_kind),
                level: Set(def.level),
                name: Set(def.name.trim().to_owned()),
                threshold_fen: Set(def.threshold.get()),
                created_at: Set(chrono::Utc::now()),
            }
            .insert(&*txn)
            .await?
        }
    };
    for (category, description) in def.benefits {
        tier_benefit::ActiveModel {
            id: Set(Uuid::now_v7()),
            tier_id: Set(tier.id),
            category: Set(category),
            description: Set(description.trim().to_owned()),
        }
        .insert(&*txn)
        .await?;
    }
    txn.commit().await?;
    Ok(tier)
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
