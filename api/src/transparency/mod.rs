//! 阳光慈善: where money and goods went, traced back to the donations, with public pages and
//! public supervision.

pub mod disbursements;
mod graphql;
pub mod model;
pub mod pages;
pub mod supervision;

pub use graphql::{Disbursement, FundingCounts, TransparencyMutation, TransparencyQuery};
pub use model::{Allocation, NewDisbursement};
