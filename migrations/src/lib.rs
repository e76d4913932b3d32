//! Schema migrations for the charity API, one logical change per file; the same statements
//! run on SQLite and PostgreSQL (built with SeaQuery; raw SQL only where a backend needs its own).

pub use sea_orm_migration;
use sea_orm_migration::prelude::*;

mod helpers;
mod m20261122_000001_places_and_orgs;
mod m20261122_000002_people_and_accounts;
mod m20261122_000003_volunteering_and_perks;
mod m20261122_000004_donations_and_credits;
mod m20261122_000005_rankings_transparency_broadcast;
mod m20261122_000006_cross_cutting;
mod m20261122_100001_yearly_statements;
mod m20261122_200001_disbursement_allocations;
mod m20261122_200002_goods_stock_movements;
mod m20261122_200003_supervision_items;
mod m20261122_200004_district_inputs;
mod m20261122_300001_append_only_records;
mod m20261123_000001_partial_indexes_on_sparse_columns;
mod m20261205_000001_onboarding;
mod m20261205_000002_volunteer_certificates;
mod m20261206_000001_ranking_totals;
mod m20261206_000002_board_version;

/// Applies the migrations in order; `api migrate` and the test harness both drive it.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_places_and_orgs::Migration),
            Box::new(m20261122_000002_people_and_accounts::Migration),
            Box::new(m20261122_000003_volunteering_and_perks::Migration),
            Box::new(m20261122_000004_donations_and_credits::Migration),
            Box::new(m20261122_000005_rankings_transparency_broadcast::Migration),
            Box::new(m20261122_000006_cross_cutting::Migration),
            Box::new(m20261122_100001_yearly_statements::Migration),
            Box::new(m20261122_200001_disbursement_allocations::Migration),
            Box::new(m20261122_200002_goods_stock_movements::Migration),
            Box::new(m20261122_200003_supervision_items::Migration),
            Box::new(m20261122_200004_district_inputs::Migration),
            Box::new(m20261122_300001_append_only_records::Migration),
            Box::new(m20261123_000001_partial_indexes_on_sparse_columns::Migration),
            Box::new(m20261205_000001_onboarding::Migration),
            Box::new(m20261205_000002_volunteer_certificates::Migration),
            Box::new(m20261206_000001_ranking_totals::Migration),
            Box::new(m20261206_000002_board_version::Migration),
        ]
    }
}
