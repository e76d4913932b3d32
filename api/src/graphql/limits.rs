//! Limits on a query's shape, checked on the parsed document before validation or any
//! resolver runs: aliases and total field selections (depth, complexity and directives are
//! the schema builder's own limits).

use std::sync::Arc;

use async_graphql::{
    ServerError, ServerResult, Variables,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery},
    parser::types::{ExecutableDocument, Selection, SelectionSet},
};

#[derive(Clone, Copy, Debug)]
pub struct ShapeLimits {
    pub max_aliases: usize,
    pub max_fields: usize,
}

impl ExtensionFactory for ShapeLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(*self)
    }
}

#[derive(Default)]
struct Counts {
    aliases: usize,
    fields: usize,
}

fn count(set: &SelectionSet, doc: &ExecutableDocument, counts: &mut Counts, depth: usize) {
    // Fragments may spread each other; depth is bounded by the depth limit anyway, and this
    // guard keeps a cyclic spread (refused later by validation) from looping here.
    if depth > 64 {
        return;
    }
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => {
                counts.fields += 1;
                if field.node.alias.is_some() {
                    counts.aliases += 1;
                }
                count(&field.node.selection_set.node, doc, counts, depth + 1);
            }
            Selection::InlineFragment(fragment) => {
                count(&fragment.node.selection_set.node, doc, counts, depth + 1);
            }
            Selection::FragmentSpread(spread) => {
                if let Some(fragment) = doc.fragments.get(&spread.node.fragment_name.node) {
                    count(&fragment.node.selection_set.node, doc, counts, depth + 1);
                }
            }
        }
    }
}

#[async_trait::async_trait]
impl Extension for ShapeLimits {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        let mut counts = Counts::default();
        for (_, operation) in doc.operations.iter() {
            count(&operation.node.selection_set.node, &doc, &mut counts, 0);
        }
        if counts.aliases > self.max_aliases {
            return Err(ServerError::new(
                format!(
                    "too many aliases ({} > {})",
                    counts.aliases, self.max_aliases
                ),
                None,
            ));
        }
        if counts.fields > self.max_fields {
            return Err(ServerError::new(
                format!("too many fields ({} > {})", counts.fields, self.max_fields),
                None,
            ));
        }
        Ok(doc)
    }
}
