//! 礼遇: alliance partners, their perks, residents' vouchers and honouring them.

mod graphql;
pub mod model;
pub mod service;

pub use graphql::{Perk, PerksMutation, PerksQuery, Voucher};
pub use model::{PerkDraft, PerkInput};
