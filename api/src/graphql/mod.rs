//! The GraphQL kit every area uses: request context helpers, connections, scalars, document
//! limits and the generic by-id loader. The schema itself is assembled at the top
//! (`crate::schema`).

mod connection;
mod context;
mod errors;
mod limits;
mod loaders;
mod parsed;
mod scalars;

pub use connection::{Connection, connection, offset_connection};
pub use context::{RequestIdValue, auth, handle, parse_id, state, viewer};
pub use errors::{InputFields, add_missing_codes};
pub use limits::{BatchSize, DocumentLimits};
pub use loaders::{EntityLoader, entity_loader, load_by_id};
pub use parsed::ParsedDocuments;

/// Cost of a paginated field for the complexity limit: its children times the page size,
/// so a huge `first` is refused before anything runs.
pub fn page_cost(first: Option<i32>, child_complexity: usize) -> usize {
    let page = usize::try_from(first.unwrap_or(20).max(1)).unwrap_or(1);
    page.saturating_mul(child_complexity).saturating_add(1)
}
