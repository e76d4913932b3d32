//! Reading the app state and the viewer out of a resolver's context.

use async_graphql::Context;

use crate::{
    auth::{Auth, Viewer},
    error::AppResult,
    startup::AppState,
};

pub fn state<'a>(ctx: &Context<'a>) -> &'a AppState {
    ctx.data_unchecked::<AppState>()
}

pub fn auth<'a>(ctx: &Context<'a>) -> &'a Auth {
    ctx.data_opt::<Auth>().unwrap_or(&Auth::Anonymous)
}

pub fn viewer<'a>(ctx: &Context<'a>) -> AppResult<&'a Viewer> {
    auth(ctx).viewer()
}

/// An `ID` argument as a UUID, or BAD_USER_INPUT naming the field.
pub fn parse_id(field: &str, id: &async_graphql::ID) -> AppResult<uuid::Uuid> {
    uuid::Uuid::parse_str(id.as_str())
        .map_err(|_| crate::error::AppError::bad_field(field, "not a valid id"))
}
