//! Relay connections built from service pages.

use async_graphql::{
    OutputType,
    connection::{self, EmptyFields},
};

use crate::pagination::{Page, PageRequest, encode_cursor};

pub type Connection<T> = connection::Connection<String, T, EmptyFields, EmptyFields>;

/// A connection whose cursors are each item's sort key.
pub fn connection<T: OutputType, M>(
    page: Page<M>,
    request: &PageRequest,
    key: impl Fn(&M) -> String,
    node: impl Fn(M) -> T,
) -> Connection<T> {
    let mut conn = Connection::new(request.after.is_some(), page.has_next);
    conn.edges.extend(
        page.items
            .into_iter()
            .map(|m| connection::Edge::new(encode_cursor(&key(&m)), node(m))),
    );
    conn
}

/// A connection over a small fixed list, with offsets as cursors.
pub fn offset_connection<T: OutputType>(
    items: Vec<T>,
    start: u64,
    has_next: bool,
) -> Connection<T> {
    let mut conn = Connection::new(start > 0, has_next);
    conn.edges
        .extend(items.into_iter().enumerate().map(|(i, node)| {
            connection::Edge::new(encode_cursor(&(start + i as u64).to_string()), node)
        }));
    conn
}
