//! Schema assembly, scalars, connections, DataLoaders and request context helpers.

mod connection;
mod context;
mod loaders;
mod scalars;
mod schema;

pub use connection::{Connection, connection, offset_connection};
pub use context::{auth, parse_id, state, viewer};
pub use loaders::{EntityLoader, load_by_id, register as register_loaders};
pub use schema::{AppSchema, MutationRoot, QueryRoot, build_schema, export_sdl};
