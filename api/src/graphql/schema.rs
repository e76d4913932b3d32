//! The root objects: one merged Query and Mutation from every domain area.

use async_graphql::{EmptySubscription, MergedObject, Schema};

use super::limits::ShapeLimits;
use crate::{
    accounts, audit, baijiaxin, catalog, config::Limits, credits, donations, perks,
    startup::AppState, volunteering,
};

#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    accounts::AccountsQuery,
    catalog::CatalogQuery,
    donations::DonationsQuery,
    credits::CreditsQuery,
    audit::AuditQuery,
    volunteering::VolunteeringQuery,
    baijiaxin::BaijiaxinQuery,
    perks::PerksQuery,
);

#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    accounts::AccountsMutation,
    donations::DonationsMutation,
    credits::CreditsMutation,
    volunteering::VolunteeringMutation,
    perks::PerksMutation,
);

pub type AppSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

fn builder() -> async_graphql::SchemaBuilder<QueryRoot, MutationRoot, EmptySubscription> {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
}

pub fn build_schema(state: AppState) -> AppSchema {
    let introspection = state.settings.playground_enabled();
    let limits: &Limits = &state.settings.limits;
    let mut builder = builder()
        .limit_depth(limits.max_query_depth)
        .limit_complexity(limits.max_query_complexity)
        .limit_directives(limits.max_directives_per_field)
        .extension(ShapeLimits {
            max_aliases: limits.max_aliases,
            max_fields: limits.max_fields,
        })
        .extension(async_graphql::extensions::Analyzer)
        .extension(audit::MutationGate)
        .data(state.clone());
    if !introspection {
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder.finish()
}

/// The SDL committed as `schema.graphql`.
pub fn export_sdl() -> String {
    builder().finish().sdl()
}
