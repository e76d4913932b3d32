//! What a query document costs, measured in time linear in its size, before the library
//! validates or runs it.
//!
//! A fragment may spread another fragment several times, so a 1 KB document can stand for
//! 2^40 field selections; any walk that re-enters a fragment at every spread (the library's
//! own depth and directive checks, its validation) does that much work before it can refuse.
//! Here each fragment is measured once and its shape reused at every spread, so a document
//! costs what its text costs, and one whose expansion is too large is refused before any of
//! those walks run.

use std::collections::HashMap;

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Name, ServerError, Value as ConstValue, Variables};

/// The limits a document is held to; README "Limits" explains each.
#[derive(Clone, Debug)]
pub struct DocumentLimits {
    /// Nesting of fields, fragments expanded.
    pub max_depth: usize,
    /// Field selections, every spread of a fragment counted.
    pub max_fields: usize,
    /// Aliased field selections, every spread counted.
    pub max_aliases: usize,
    /// Directives written on one field.
    pub max_directives_per_field: usize,
    /// Fields that check a password (login and friends): each costs tens of milliseconds of
    /// CPU and a guess, so a request may carry one, unaliased, and never inside a batch.
    pub one_per_request: Vec<&'static str>,
}

/// Selection sets nested inside each other, fragments and inline fragments counted: the
/// library refuses more than 32 itself, after a walk that re-enters fragments, so the same
/// bound is enforced here first.
const MAX_NESTING: u64 = 32;

/// How much of the schema one document asks for once its fragments are expanded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Shape {
    pub fields: u64,
    /// Every selection: fields, spreads and inline fragments (a spread of a spread costs a
    /// walk even where it adds no field).
    pub selections: u64,
    pub aliases: u64,
    pub depth: u64,
    pub nesting: u64,
    /// Selections of a `one_per_request` field.
    pub password_fields: u64,
    pub aliased_password_field: bool,
}

impl Shape {
    /// Two selections side by side.
    fn beside(self, other: Shape) -> Shape {
        Shape {
            fields: self.fields.saturating_add(other.fields),
            selections: self.selections.saturating_add(other.selections),
            aliases: self.aliases.saturating_add(other.aliases),
            depth: self.depth.max(other.depth),
            nesting: self.nesting.max(other.nesting),
            password_fields: self.password_fields.saturating_add(other.password_fields),
            aliased_password_field: self.aliased_password_field || other.aliased_password_field,
        }
    }

    /// A selection set one level below a spread or an inline fragment.
    fn below_fragment(self) -> Shape {
        Shape {
            selections: self.selections.saturating_add(1),
            nesting: self.nesting + 1,
            ..self
        }
    }
}

/// Why a document is refused; becomes a BAD_USER_INPUT error naming the query (or the
/// argument or variable at fault).
#[derive(Debug, PartialEq, Eq)]
pub struct Refusal(pub String, pub String);

impl Refusal {
    fn query(message: String) -> Self {
        Self(message, "query".into())
    }
}

impl From<Refusal> for ServerError {
    fn from(Refusal(message, field): Refusal) -> Self {
        let mut error = ServerError::new(message, None);
        let mut ext = async_graphql::ErrorExtensionValues::default();
        ext.set("code", "BAD_USER_INPUT");
        ext.set("field", field);
        error.extensions = Some(ext);
        error
    }
}

enum Memo {
    /// Being measured: meeting it again means the fragment spreads itself.
    Open,
    Done(Shape),
}

struct Measure<'a> {
    doc: &'a ExecutableDocument,
    limits: &'a DocumentLimits,
    fragments: HashMap<&'a Name, Memo>,
}

impl<'a> Measure<'a> {
    fn selection_set(&mut self, set: &'a SelectionSet) -> Result<Shape, Refusal> {
        let mut total = Shape::default();
        for item in &set.items {
            let shape = match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    if field.directives.len() > self.limits.max_directives_per_field {
                        return Err(Refusal::query(format!(
                            "the field `{}` carries {} directives; at most {} are allowed",
                            field.name.node,
                            field.directives.len(),
                            self.limits.max_directives_per_field
                        )));
                    }
                    let children = &field.selection_set.node;
                    let below = self.selection_set(children)?;
                    let watched = self
                        .limits
                        .one_per_request
                        .contains(&field.name.node.as_str());
                    Shape {
                        fields: below.fields.saturating_add(1),
                        selections: below.selections.saturating_add(1),
                        aliases: below
                            .aliases
                            .saturating_add(u64::from(field.alias.is_some())),
                        depth: below.depth + 1,
                        nesting: if children.items.is_empty() {
                            0
                        } else {
                            below.nesting + 1
                        },
                        password_fields: below.password_fields.saturating_add(u64::from(watched)),
                        aliased_password_field: below.aliased_password_field
                            || (watched && field.alias.is_some()),
                    }
                }
                Selection::InlineFragment(fragment) => self
                    .selection_set(&fragment.node.selection_set.node)?
                    .below_fragment(),
                Selection::FragmentSpread(spread) => self
                    .fragment(&spread.node.fragment_name.node)?
                    .below_fragment(),
            };
            total = total.beside(shape);
            // Refuse as soon as a bound is passed: what is left cannot make it smaller.
            self.check(&total)?;
        }
        Ok(total)
    }

    fn fragment(&mut self, name: &'a Name) -> Result<Shape, Refusal> {
        match self.fragments.get(name) {
            Some(Memo::Done(shape)) => return Ok(*shape),
            Some(Memo::Open) => {
                return Err(Refusal::query(format!(
                    "the fragment `{name}` spreads itself; fragments may not form a cycle"
                )));
            }
            None => {}
        }
        // An unknown fragment is the validator's to report; it adds nothing here.
        let Some(definition) = self.doc.fragments.get(name) else {
            return Ok(Shape::default());
        };
        self.fragments.insert(name, Memo::Open);
        let shape = self.selection_set(&definition.node.selection_set.node)?;
        self.fragments.insert(name, Memo::Done(shape));
        Ok(shape)
    }

    fn check(&self, shape: &Shape) -> Result<(), Refusal> {
        let limits = self.limits;
        let too_many = |what: &str, count: u64, max: usize| {
            Refusal::query(format!(
                "the query asks for {count} {what} once its fragments are expanded; at most \
                 {max} are allowed: ask for fewer, or split the query"
            ))
        };
        if shape.fields > limits.max_fields as u64 {
            return Err(too_many("fields", shape.fields, limits.max_fields));
        }
        // Spreads and inline fragments cost a walk too; four per field is far above any
        // real query.
        let max_selections = limits.max_fields.saturating_mul(4);
        if shape.selections > max_selections as u64 {
            return Err(too_many("selections", shape.selections, max_selections));
        }
        if shape.aliases > limits.max_aliases as u64 {
            return Err(too_many("aliases", shape.aliases, limits.max_aliases));
        }
        if shape.depth > limits.max_depth as u64 {
            return Err(Refusal::query(format!(
                "the query nests fields {} deep; at most {} levels are allowed",
                shape.depth, limits.max_depth
            )));
        }
        if shape.nesting > MAX_NESTING {
            return Err(Refusal::query(format!(
                "the query nests selections and fragments {} deep; at most {MAX_NESTING} are allowed",
                shape.nesting
            )));
        }
        Ok(())
    }
}

/// The shape of every operation in `doc` together, or why it is refused. Each fragment is
/// measured once, so this runs in time linear in the document.
pub fn measure(doc: &ExecutableDocument, limits: &DocumentLimits) -> Result<Shape, Refusal> {
    let mut measure = Measure {
        doc,
        limits,
        fragments: HashMap::new(),
    };
    let mut total = Shape::default();
    for (_, operation) in doc.operations.iter() {
        total = total.beside(measure.selection_set(&operation.node.selection_set.node)?);
        measure.check(&total)?;
    }
    // Fragments no operation spreads are still validated by the library: measure them too.
    for name in doc.fragments.keys() {
        measure.fragment(name)?;
    }
    Ok(total)
}

/// Every string a request carries, written in the document or sent as a variable: none may
/// hold a control character or be longer than any field accepts. Fields hold their own,
/// shorter limits (`crate::text`); this bound keeps a field that forgot one from storing
/// megabytes, and keeps NUL away from PostgreSQL.
pub fn check_strings(doc: &ExecutableDocument, variables: &Variables) -> Result<(), Refusal> {
    fn walk(value: &ConstValue, path: &mut String) -> Result<(), Refusal> {
        match value {
            ConstValue::String(text) => check_string(text, path),
            ConstValue::List(items) => items.iter().try_for_each(|item| walk(item, path)),
            ConstValue::Object(fields) => fields.iter().try_for_each(|(name, item)| {
                let len = path.len();
                path.push('.');
                path.push_str(name);
                let result = walk(item, path);
                path.truncate(len);
                result
            }),
            _ => Ok(()),
        }
    }
    fn check_string(text: &str, path: &str) -> Result<(), Refusal> {
        if let Some(c) = crate::text::forbidden_char(text) {
            return Err(Refusal(
                format!(
                    "{path} contains the control character U+{:04X}; remove it",
                    u32::from(c)
                ),
                path.to_owned(),
            ));
        }
        if text.len() > crate::text::MAX_ANY_STRING_CHARS
            && text.chars().count() > crate::text::MAX_ANY_STRING_CHARS
        {
            return Err(Refusal(
                format!(
                    "{path} is longer than {} characters",
                    crate::text::MAX_ANY_STRING_CHARS
                ),
                path.to_owned(),
            ));
        }
        Ok(())
    }
    fn selection_set(set: &SelectionSet) -> Result<(), Refusal> {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    for (name, value) in &field.node.arguments {
                        // Variables inside a literal are checked with the variables.
                        let literal = value
                            .node
                            .clone()
                            .into_const_with(|_| {
                                Ok::<_, std::convert::Infallible>(ConstValue::Null)
                            })
                            .unwrap_or(ConstValue::Null);
                        walk(&literal, &mut name.node.to_string())?;
                    }
                    selection_set(&field.node.selection_set.node)?;
                }
                Selection::InlineFragment(fragment) => {
                    selection_set(&fragment.node.selection_set.node)?;
                }
                Selection::FragmentSpread(_) => {}
            }
        }
        Ok(())
    }
    for (name, value) in variables.iter() {
        walk(value, &mut format!("${name}"))?;
    }
    for (_, operation) in doc.operations.iter() {
        selection_set(&operation.node.selection_set.node)?;
    }
    for fragment in doc.fragments.values() {
        selection_set(&fragment.node.selection_set.node)?;
    }
    Ok(())
}

/// How many operations the HTTP request that carries this document holds (1 unless batched).
#[derive(Clone, Copy, Debug)]
pub struct BatchSize(pub usize);

/// The rules that depend on the request as well as the document: a password-checking field
/// appears at most once, unaliased, and never in a batch.
pub fn check_request(
    shape: &Shape,
    batch: BatchSize,
    limits: &DocumentLimits,
) -> Result<(), Refusal> {
    if shape.password_fields == 0 {
        return Ok(());
    }
    let names = limits.one_per_request.join(" / ");
    if shape.aliased_password_field {
        return Err(Refusal::query(format!(
            "{names} may not be aliased: send one, under its own name"
        )));
    }
    if shape.password_fields > 1 {
        return Err(Refusal::query(format!(
            "a request may check one password: send {names} once per request"
        )));
    }
    if batch.0 > 1 {
        return Err(Refusal::query(format!(
            "{names} may not be sent in a batch: send it as a request of its own"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> DocumentLimits {
        DocumentLimits {
            max_depth: 12,
            max_fields: 500,
            max_aliases: 30,
            max_directives_per_field: 5,
            one_per_request: vec!["login", "changePassword"],
        }
    }

    fn shape_of(query: &str) -> Result<Shape, Refusal> {
        let doc = async_graphql::parser::parse_query(query).expect("parses");
        measure(&doc, &limits())
    }

    /// Each fragment spreads the next one twice: `levels` fragments stand for 2^levels fields.
    fn fan_out(levels: usize) -> String {
        let mut query = String::from("query { ...F0 }\n");
        for level in 0..levels {
            query.push_str(&format!(
                "fragment F{level} on Query {{ ...F{next} ...F{next} }}\n",
                next = level + 1
            ));
        }
        query.push_str(&format!("fragment F{levels} on Query {{ __typename }}\n"));
        query
    }

    #[test]
    fn a_fragment_spread_twice_counts_its_fields_twice() {
        let shape = shape_of(
            "query { ...A ...A me { id } } fragment A on Query { leaderboard { totalCount } }",
        )
        .unwrap();
        assert_eq!(shape.fields, 2 + 2 + 2);
        assert_eq!(shape.depth, 2);
    }

    #[test]
    fn a_fan_out_of_two_to_the_forty_is_refused_without_expanding_it() {
        let started = std::time::Instant::now();
        let refusal = shape_of(&fan_out(40)).unwrap_err();
        assert!(refusal.0.contains("fields"), "{}", refusal.0);
        // Linear: a few microseconds per fragment, where expanding would never finish.
        assert!(started.elapsed() < std::time::Duration::from_millis(50));
    }

    #[test]
    fn a_small_fan_out_within_the_limits_passes_with_its_expanded_count() {
        let shape = shape_of(&fan_out(8)).unwrap();
        assert_eq!(shape.fields, 256);
    }

    #[test]
    fn a_fragment_that_spreads_itself_is_refused() {
        let refusal =
            shape_of("query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }")
                .unwrap_err();
        assert!(refusal.0.contains("cycle"), "{}", refusal.0);
    }

    #[test]
    fn an_unused_exponential_fragment_is_refused_too() {
        let query = fan_out(40).replacen("query { ...F0 }", "query { __typename }", 1);
        assert!(shape_of(&query).is_err());
    }

    #[test]
    fn too_deep_and_too_many_directives_are_refused() {
        let deep = format!("query {{ {}x{} }}", "a { ".repeat(13), " }".repeat(13));
        assert!(shape_of(&deep).unwrap_err().0.contains("deep"));
        let directives = "query { a @skip(if: false) @skip(if: false) @skip(if: false) @skip(if: false) @skip(if: false) @skip(if: false) }";
        assert!(shape_of(directives).unwrap_err().0.contains("directives"));
    }

    #[test]
    fn control_characters_are_refused_in_literals_and_variables_naming_them() {
        let doc = async_graphql::parser::parse_query(
            r#"mutation { askSupervisionQuestion(question: "a\u0000b") { id } }"#,
        )
        .unwrap();
        let refusal = check_strings(&doc, &Variables::default()).unwrap_err();
        assert_eq!(refusal.1, "question");
        let doc =
            async_graphql::parser::parse_query("query($input: X) { a(input: $input) }").unwrap();
        let variables = Variables::from_json(serde_json::json!({
            "input": { "donor": { "name": "陈\u{1}明" } }
        }));
        let refusal = check_strings(&doc, &variables).unwrap_err();
        assert_eq!(refusal.1, "$input.donor.name");
        let long = Variables::from_json(serde_json::json!({ "input": "x".repeat(20_001) }));
        assert!(check_strings(&doc, &long).is_err());
        let fine = Variables::from_json(serde_json::json!({ "input": "第一段\n第二段" }));
        assert!(check_strings(&doc, &fine).is_ok());
    }

    #[test]
    fn a_password_field_goes_alone_unaliased_and_unbatched() {
        let l = limits();
        let once =
            shape_of(r#"mutation { login(phone: "1", password: "x") { accessToken } }"#).unwrap();
        assert!(check_request(&once, BatchSize(1), &l).is_ok());
        assert!(check_request(&once, BatchSize(2), &l).is_err());
        let aliased =
            shape_of(r#"mutation { a: login(phone: "1", password: "x") { accessToken } }"#)
                .unwrap();
        assert!(check_request(&aliased, BatchSize(1), &l).is_err());
        let twice = shape_of(
            r#"mutation { ...L ...L } fragment L on Mutation { login(phone: "1", password: "x") { accessToken } }"#,
        )
        .unwrap();
        assert!(check_request(&twice, BatchSize(1), &l).is_err());
    }
}
