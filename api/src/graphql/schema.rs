//! The root objects: one merged Query and Mutation from every domain area.

use async_graphql::{MergedObject, MergedSubscription, Schema};

use super::{limits::DocumentLimits, parsed::ParsedDocuments};
use crate::{
    accounts, audit, baijiaxin, broadcast, catalog, config::Limits, credits, donations, feed,
    indicators, perks, rankings, startup::AppState, transparency, volunteering,
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
    transparency::TransparencyQuery,
    broadcast::BroadcastQuery,
    indicators::IndicatorsQuery,
    rankings::RankingsQuery,
    feed::FeedQuery,
);

#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    accounts::AccountsMutation,
    donations::DonationsMutation,
    credits::CreditsMutation,
    volunteering::VolunteeringMutation,
    perks::PerksMutation,
    transparency::TransparencyMutation,
    broadcast::BroadcastMutation,
    indicators::IndicatorsMutation,
    rankings::RankingsMutation,
    feed::FeedMutation,
);

#[derive(MergedSubscription, Default)]
#[graphql(name = "Subscription")]
pub struct SubscriptionRoot(broadcast::BroadcastSubscription);

pub type AppSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

fn builder() -> async_graphql::SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
}

pub fn build_schema(state: AppState) -> AppSchema {
    let introspection = state.settings.playground_enabled();
    let limits: &Limits = &state.settings.limits;
    let mut builder = builder()
        .limit_depth(limits.max_query_depth)
        .limit_complexity(limits.max_query_complexity)
        .limit_directives(limits.max_directives_per_field)
        .extension(ParsedDocuments::new(
            1_000,
            DocumentLimits {
                max_depth: limits.max_query_depth,
                max_fields: limits.max_fields,
                max_aliases: limits.max_aliases,
                max_directives_per_field: limits.max_directives_per_field,
                one_per_request: crate::auth::policy::PASSWORD_FIELDS.to_vec(),
            },
        ))
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
