//! Every error a client sees carries an `extensions.code`, and the library's own input errors
//! are retold the way ours are: the field named in `extensions.field`, no GraphQL type names,
//! and what to do.

use std::collections::HashMap;

use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};

/// For each input object, its fields by the scalar they take (`RecordDonationInput` →
/// `Money` → `["amount"]`): a scalar's parse error names only the scalar and the input, and
/// this finds the field it was.
#[derive(Debug, Default)]
pub struct InputFields(HashMap<(String, String), Vec<String>>);

impl InputFields {
    /// Read from the schema's SDL.
    pub fn from_sdl(sdl: &str) -> Self {
        let mut map: HashMap<(String, String), Vec<String>> = HashMap::new();
        let Ok(doc) = async_graphql::parser::parse_schema(sdl) else {
            return Self::default();
        };
        for definition in doc.definitions {
            let TypeSystemDefinition::Type(ty) = definition else {
                continue;
            };
            let TypeKind::InputObject(input) = &ty.node.kind else {
                continue;
            };
            for field in &input.fields {
                let scalar = field
                    .node
                    .ty
                    .node
                    .to_string()
                    .trim_matches(|c| matches!(c, '[' | ']' | '!'))
                    .to_owned();
                map.entry((ty.node.name.node.to_string(), scalar))
                    .or_default()
                    .push(field.node.name.node.to_string());
            }
        }
        Self(map)
    }

    fn field_of(&self, input: &str, scalar: &str) -> Option<String> {
        self.0
            .get(&(input.to_owned(), scalar.to_owned()))
            .map(|fields| fields.join(" or "))
    }
}

/// Parse, validation and limit errors come from async-graphql itself without a code; every
/// error gets one, and the input errors are retold.
pub fn add_missing_codes(response: &mut async_graphql::Response, inputs: &InputFields) {
    for error in &mut response.errors {
        let retold = retell(&error.message, inputs);
        let ext = error.extensions.get_or_insert_with(Default::default);
        if ext.get("code").is_none() {
            ext.set("code", "BAD_USER_INPUT");
        }
        if let Some((field, message)) = retold {
            if ext.get("field").is_none() {
                ext.set("field", field.as_str());
            }
            error.message = message;
        }
    }
}

/// The text between the first pair of double quotes after `prefix`.
fn quoted_after<'m>(message: &'m str, prefix: &str) -> Option<&'m str> {
    let rest = message.strip_prefix(prefix)?;
    let rest = rest.strip_prefix('"')?;
    rest.split('"').next()
}

fn friendly_type(ty: &str) -> &'static str {
    match ty.trim_end_matches('!') {
        "Int" => "a whole number",
        "Float" => "a number",
        "Boolean" => "true or false",
        "Money" => "an amount of yuan like \"1234.50\"",
        "DateTime" => "a time like \"2026-12-05T10:30:00+08:00\"",
        "NaiveDate" => "a date like \"2026-12-05\"",
        "ID" | "String" | "UUID" => "text",
        t if t.starts_with('[') => "a list",
        _ => "one of the values the schema lists",
    }
}

/// `(field, message)` for an input error of the library's, `None` for anything else.
fn retell(message: &str, inputs: &InputFields) -> Option<(String, String)> {
    const INVALID: &str = "Invalid value for argument ";
    if let Some(argument) = quoted_after(message, INVALID) {
        let field = argument.rsplit('.').next().unwrap_or(argument).to_owned();
        let detail = message[INVALID.len() + argument.len() + 2..]
            .trim_start_matches(',')
            .trim();
        if detail.starts_with("Oneof input objects") {
            return Some((
                field.clone(),
                format!("{field}: give exactly one of its choices, not none and not several"),
            ));
        }
        if let Some(missing) = quoted_after(detail, "field ")
            && detail.ends_with("is required but not provided")
        {
            return Some((missing.to_owned(), format!("{missing} is required")));
        }
        if let Some(unknown) = quoted_after(detail, "unknown field ") {
            return Some((
                unknown.to_owned(),
                format!("{unknown} is not a field of {field}: remove it or check its spelling"),
            ));
        }
        if let Some(expected) = quoted_after(detail, "expected type ") {
            return Some((
                field.clone(),
                format!("{field} must be {}", friendly_type(expected)),
            ));
        }
        return Some((field.clone(), format!("{field}: {detail}")));
    }
    const PARSE: &str = "Failed to parse ";
    if let Some(scalar) = quoted_after(message, PARSE) {
        let after = &message[PARSE.len() + scalar.len() + 2..];
        let after = after.trim_start_matches(':').trim();
        let (reason, input) = match after.find(" (occurred while parsing \"") {
            Some(at) => (
                &after[..at],
                after[at..]
                    .trim_start_matches(" (occurred while parsing \"")
                    .split('"')
                    .next(),
            ),
            None => (after, None),
        };
        let field = input.and_then(|input| inputs.field_of(input, scalar))?;
        let reason = if reason.is_empty() {
            format!("must be {}", friendly_type(scalar))
        } else {
            reason.to_owned()
        };
        return Some((field.clone(), format!("{field}: {reason}")));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const SDL: &str = "input RecordDonationInput { amount: Money! receiptNo: String! }
        input ProjectInput { goal: Money startsOn: NaiveDate }
        scalar Money scalar NaiveDate
        type Query { a: Int }";

    #[test]
    fn a_scalar_error_names_the_field_it_was_and_no_type() {
        let inputs = InputFields::from_sdl(SDL);
        let (field, message) = retell(
            "Failed to parse \"Money\": amount must look like 1234.50 (yuan, at most two decimal places) (occurred while parsing \"RecordDonationInput\")",
            &inputs,
        )
        .unwrap();
        assert_eq!(field, "amount");
        assert!(!message.contains("Money") && !message.contains("RecordDonationInput"));
        assert!(message.starts_with("amount: amount must look like 1234.50"));
    }

    #[test]
    fn one_of_and_missing_fields_are_retold() {
        let inputs = InputFields::default();
        assert_eq!(
            retell(
                "Invalid value for argument \"input.donor\", Oneof input objects requires have exactly one field",
                &inputs
            ),
            Some((
                "donor".into(),
                "donor: give exactly one of its choices, not none and not several".into()
            ))
        );
        assert_eq!(
            retell(
                "Invalid value for argument \"input\", field \"creditPrice\" of type \"Int!\" is required but not provided",
                &inputs
            ),
            Some(("creditPrice".into(), "creditPrice is required".into()))
        );
        assert_eq!(
            retell(
                "Invalid value for argument \"input.stock\", expected type \"Int\"",
                &inputs
            ),
            Some(("stock".into(), "stock must be a whole number".into()))
        );
        assert_eq!(retell("first may be at most 100", &inputs), None);
    }
}
