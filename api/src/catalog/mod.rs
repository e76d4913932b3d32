//! The directory: towns, charity organisations, projects, campaigns and alliance partners.

pub mod graphql;
pub mod service;

pub use graphql::{Campaign, CatalogQuery, CharityOrg, CharityProject, PerkPartner, Town};
