//! Schema assembly, scalars, connections, DataLoaders and request context helpers.

mod connection;
mod context;
mod errors;
mod limits;
mod loaders;
mod parsed;
mod scalars;
mod schema;

pub use connection::{Connection, connection, offset_connection};
pub use context::{auth, parse_id, state, viewer};
pub use errors::add_missing_codes;
pub use limits::BatchSize;
pub use loaders::{EntityLoader, load_by_id, register as register_loaders};
pub use schema::{AppSchema, MutationRoot, QueryRoot, SubscriptionRoot, build_schema, export_sdl};

/// Cost of a paginated field for the complexity limit: its children times the page size,
/// so a huge `first` is refused before anything runs.
pub fn page_cost(first: Option<i32>, child_complexity: usize) -> usize {
    let page = usize::try_from(first.unwrap_or(20).max(1)).unwrap_or(1);
    page.saturating_mul(child_complexity).saturating_add(1)
}
