//! The parse step of every operation, over HTTP and WebSocket: parse, measure against the
//! limits in time linear in the text (`limits::measure`), and only then hand the document to
//! the library, whose own checks and validation re-enter fragments at every spread.
//!
//! Documents that passed are remembered by their text with their shape: the phone client
//! and the media feed send the same few queries over and over (only the variables change),
//! and parsing one costs more than most resolvers. The rules that depend on the request
//! (a password field never in a batch) are checked on every request, hit or miss.

use std::sync::Arc;

use async_graphql::{
    ServerResult, Variables,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery},
    parser::types::ExecutableDocument,
};

use super::limits::{BatchSize, DocumentLimits, Shape, check_request, check_strings, measure};

/// Longer texts are parsed every time: they are rare, and keeping them would let a client
/// fill the memory with a few large queries.
const MAX_REMEMBERED_LEN: usize = 8 * 1024;

/// The only parse hook: it decides whether a document is looked at any further.
#[derive(Clone)]
pub struct ParsedDocuments {
    documents: moka::sync::Cache<String, (ExecutableDocument, Shape)>,
    limits: Arc<DocumentLimits>,
}

impl ParsedDocuments {
    pub fn new(capacity: u64, limits: DocumentLimits) -> Self {
        Self {
            documents: moka::sync::Cache::new(capacity),
            limits: Arc::new(limits),
        }
    }
}

impl ExtensionFactory for ParsedDocuments {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(self.clone())
    }
}

#[async_trait::async_trait]
impl Extension for ParsedDocuments {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let batch = ctx.data_opt::<BatchSize>().copied().unwrap_or(BatchSize(1));
        if let Some((document, shape)) = self.documents.get(query) {
            check_request(&shape, batch, &self.limits)?;
            check_strings(&document, variables)?;
            return Ok(document);
        }
        // A text that does not parse is left to the library, which reports where.
        if let Ok(document) = async_graphql::parser::parse_query(query) {
            let shape = measure(&document, &self.limits)?;
            check_request(&shape, batch, &self.limits)?;
            check_strings(&document, variables)?;
            // Bounded now: the library's own walks cost at most the limits.
            let document = next.run(ctx, query, variables).await?;
            if query.len() <= MAX_REMEMBERED_LEN {
                self.documents
                    .insert(query.to_owned(), (document.clone(), shape));
            }
            return Ok(document);
        }
        next.run(ctx, query, variables).await
    }
}
