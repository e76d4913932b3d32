//! Demo data from `seeds/` (through the same services as real input) and benchmark data.

mod activities;
mod demo;
mod files;
mod scale;

pub use demo::{seed_demo, seed_if_empty, seed_reference};
pub use scale::seed_scale;
