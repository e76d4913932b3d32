//! 慈善共富积分: the append-only credit ledger, conversion rules, tiers, rewards and statements.

mod graphql;
pub mod ledger;
pub mod rewards;
pub mod rules;
pub mod statements;
pub mod tiers;

pub use graphql::{CreditRule, CreditTier, CreditsMutation, CreditsQuery, Redemption, TierBenefit};
