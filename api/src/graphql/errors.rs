//! Every error a client sees carries an `extensions.code`.

/// Parse, validation and limit errors come from async-graphql itself without a code;
/// every error a client sees carries one.
pub fn add_missing_codes(response: &mut async_graphql::Response) {
    for error in &mut response.errors {
        let ext = error.extensions.get_or_insert_with(Default::default);
        if ext.get("code").is_none() {
            ext.set("code", "BAD_USER_INPUT");
        }
    }
}
