//! District indicators: the plan's targets (DESIGN.md) computed live, with the bureau's
//! yearly inputs.

mod graphql;
pub mod model;
pub mod service;

pub use graphql::{IndicatorsMutation, IndicatorsQuery};
