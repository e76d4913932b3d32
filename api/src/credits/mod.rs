//! 慈善共富积分: the append-only credit ledger, conversion rules, tiers and rewards.

pub mod ledger;
pub mod rewards;
pub mod rules;
pub mod tiers;
