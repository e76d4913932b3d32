//! The directory: towns, charity organisations, projects, campaigns and alliance partners.

pub mod editing;
pub mod graphql;
pub mod service;

pub use graphql::{
    Campaign, CatalogMutation, CatalogQuery, CharityOrg, CharityProject, PerkPartner, Town,
};
