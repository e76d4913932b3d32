//! The root objects: one merged Query and Mutation from every domain area.

use async_graphql::{EmptySubscription, MergedObject, Schema};

use crate::{accounts, catalog, feed, rankings, startup::AppState};

#[derive(MergedObject, Default)]
pub struct QueryRoot(
    accounts::AccountsQuery,
    catalog::CatalogQuery,
    rankings::RankingsQuery,
    feed::FeedQuery,
);

#[derive(MergedObject, Default)]
pub struct MutationRoot(
    accounts::AccountsMutation,
    rankings::RankingsMutation,
    feed::FeedMutation,
);

pub type AppSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// Limits every deployment enforces; see README "Query limits".
pub const MAX_DEPTH: usize = 12;
pub const MAX_COMPLEXITY: usize = 5_000;

fn builder() -> async_graphql::SchemaBuilder<QueryRoot, MutationRoot, EmptySubscription> {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    .limit_depth(MAX_DEPTH)
    .limit_complexity(MAX_COMPLEXITY)
}

pub fn build_schema(state: AppState) -> AppSchema {
    let introspection = state.settings.playground_enabled();
    let mut builder = builder().data(state);
    if !introspection {
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder.finish()
}

/// The SDL committed as `schema.graphql`.
pub fn export_sdl() -> String {
    builder().finish().sdl()
}
