//! 款物流向 bookkeeping shared below the areas that spend and void: every disbursed fen is
//! allocated to exactly one donation's fen, oldest first or by hand.

pub mod allocation;
mod ledger;

pub use allocation::{
    Available, Shortfall, allocate_by_hand, allocate_oldest_first, goods_units_out,
};
pub use ledger::{available_donations, lock_project, refund_from_others};
