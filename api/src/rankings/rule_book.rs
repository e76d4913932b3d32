//! The ranking rules: dated, each applying from its date on, so the past keeps the rules it
//! had and published editions never change retroactively.

use chrono::{DateTime, Utc};
use sea_orm::{EntityTrait, QueryOrder};

use super::model::RuleBook;
use crate::{db::Db, entities::ranking_rule, error::AppResult, money::Fen};

/// Every rule, as the boards apply them by date.
pub async fn rule_book(db: &Db) -> AppResult<RuleBook> {
    rule_book_on(&db.conn).await
}

/// The same, read on `conn` (inside a write's transaction).
pub async fn rule_book_on<C: sea_orm::ConnectionTrait>(conn: &C) -> AppResult<RuleBook> {
    Ok(RuleBook::new(ranking_rule::Entity::find().all(conn).await?))
}

/// A new dated ranking rule, from input.
#[derive(Clone, Debug)]
pub struct NewRankingRule {
    pub effective_from: DateTime<Utc>,
    pub exclude_government_matching: bool,
    pub exclude_charity_transfers: bool,
    pub roll_up_branches: bool,
    pub min_amount: Fen,
}

pub async fn ranking_rules(db: &Db) -> AppResult<Vec<ranking_rule::Model>> {
    Ok(ranking_rule::Entity::find()
        .order_by_desc(ranking_rule::Column::EffectiveFrom)
        .all(&db.conn)
        .await?)
}
