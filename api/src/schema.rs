//! The schema, assembled: one merged Query, Mutation and Subscription from every area, the
//! areas' handles as schema data, and the loaders each request gets afresh.

use async_graphql::{MergedObject, MergedSubscription, Schema, dataloader::DataLoader};

use crate::{
    accounts, audit, baijiaxin, broadcast, catalog,
    config::Limits,
    credits,
    db::Db,
    donations, feed,
    graphql::{DocumentLimits, ParsedDocuments, entity_loader},
    indicators, me, onboarding, perks, rankings,
    state::AppState,
    transparency, volunteering,
};

#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    accounts::AccountsQuery,
    catalog::CatalogQuery,
    donations::DonationsQuery,
    me::MeQuery,
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
    onboarding::OnboardingQuery,
    onboarding::PrivacyPolicyQuery,
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
    onboarding::OnboardingMutation,
    catalog::CatalogMutation,
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

/// What the root builds once for the areas whose work outlives a request: each reaches
/// resolvers as schema data (`graphql::handle`), and background tasks get it from here.
#[derive(Clone)]
pub struct Areas {
    /// Keeps the ranking sets current after writes.
    pub boards: rankings::Boards,
    /// Newly published broadcasts, fanned out to live subscribers (via Redis when set).
    pub feed: broadcast::Feed,
    /// Appends audit entries by group commit.
    pub audit: audit::service::Writer,
    /// Records donations by group commit.
    pub donations: donations::Recorder,
}

impl Areas {
    /// Start each area's handle on the kernel (needs a running Tokio runtime).
    pub fn start(state: &AppState) -> Self {
        let boards = rankings::Boards::new(
            state.db.clone(),
            state.cache.clone(),
            rankings::Upkeep::default(),
        );
        let audit = audit::service::Writer::start(state.db.clone());
        // SQLite has one writer, so a second open batch would only queue for it.
        let batches = if state.db.is_postgres() {
            state.settings.donation_batches
        } else {
            1
        };
        Self {
            donations: donations::Recorder::start(
                state.db.clone(),
                boards.clone(),
                audit.clone(),
                batches,
            ),
            feed: broadcast::Feed::new(state.cache.clone()),
            boards,
            audit,
        }
    }
}

pub fn build_schema(state: AppState, areas: &Areas) -> AppSchema {
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
        .data(state)
        .data(areas.boards.clone())
        .data(areas.feed.clone())
        .data(areas.audit.clone())
        .data(areas.donations.clone());
    if !introspection {
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder.finish()
}

/// Every per-request loader; a request gets a fresh set so nothing leaks between viewers.
pub fn register_loaders(request: async_graphql::Request, db: &Db) -> async_graphql::Request {
    use crate::entities::{
        activity, campaign, charity_org, charity_project, credit_rule, disbursement, donation,
        donor, hour_certification, perk, perk_partner, redemption, resident, reward, town,
    };
    request
        .data(entity_loader::<activity::Entity>(db))
        .data(entity_loader::<campaign::Entity>(db))
        .data(entity_loader::<charity_org::Entity>(db))
        .data(entity_loader::<charity_project::Entity>(db))
        .data(entity_loader::<credit_rule::Entity>(db))
        .data(entity_loader::<disbursement::Entity>(db))
        .data(entity_loader::<donation::Entity>(db))
        .data(entity_loader::<donor::Entity>(db))
        .data(entity_loader::<hour_certification::Entity>(db))
        .data(entity_loader::<perk::Entity>(db))
        .data(entity_loader::<perk_partner::Entity>(db))
        .data(entity_loader::<redemption::Entity>(db))
        .data(entity_loader::<resident::Entity>(db))
        .data(entity_loader::<reward::Entity>(db))
        .data(entity_loader::<town::Entity>(db))
        .data(DataLoader::new(
            transparency::FundingCounts::new(db.clone()),
            tokio::spawn,
        ))
        .data(DataLoader::new(
            volunteering::SignupsByActivity::new(db.clone()),
            tokio::spawn,
        ))
}

/// The SDL committed as `schema.graphql`.
pub fn export_sdl() -> String {
    builder().finish().sdl()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::policy::{MUTATIONS, access_for};

    #[test]
    fn every_mutation_in_the_schema_is_declared_and_nothing_else() {
        let sdl = export_sdl();
        let doc = async_graphql::parser::parse_schema(&sdl).expect("schema parses");
        let mut in_schema = Vec::new();
        for def in doc.definitions {
            if let async_graphql::parser::types::TypeSystemDefinition::Type(t) = def
                && t.node.name.node == "Mutation"
                && let async_graphql::parser::types::TypeKind::Object(obj) = &t.node.kind
            {
                in_schema.extend(obj.fields.iter().map(|f| f.node.name.node.to_string()));
            }
        }
        for name in &in_schema {
            assert!(
                access_for(name).is_some(),
                "mutation {name} has no declared access"
            );
        }
        for (name, _) in MUTATIONS {
            assert!(
                in_schema.iter().any(|m| m == name),
                "{name} is declared but not in the schema"
            );
        }
    }
}
