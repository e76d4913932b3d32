//! Parsed documents remembered by their text. The phone client and the media feed send the
//! same few queries over and over (only the variables change), and parsing one costs more
//! than most resolvers. Only documents that parsed and passed the shape limits are kept, so
//! a hit skips nothing a miss would have refused; validation still runs on every request.

use std::sync::Arc;

use async_graphql::{
    ServerResult, Variables,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery},
    parser::types::ExecutableDocument,
};

/// Longer texts are parsed every time: they are rare, and keeping them would let a client
/// fill the memory with a few large queries.
const MAX_REMEMBERED_LEN: usize = 8 * 1024;

/// Registered before the other parse hooks, so a hit answers for them all.
#[derive(Clone)]
pub struct ParsedDocuments {
    documents: moka::sync::Cache<String, ExecutableDocument>,
}

impl ParsedDocuments {
    pub fn new(capacity: u64) -> Self {
        Self {
            documents: moka::sync::Cache::new(capacity),
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
        if let Some(document) = self.documents.get(query) {
            return Ok(document);
        }
        let document = next.run(ctx, query, variables).await?;
        if query.len() <= MAX_REMEMBERED_LEN {
            self.documents.insert(query.to_owned(), document.clone());
        }
        Ok(document)
    }
}
