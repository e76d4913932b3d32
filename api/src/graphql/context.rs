//! Reading the kernel, an area's handle and the viewer out of a resolver's context.

use async_graphql::Context;

use crate::{
    auth::{Auth, Viewer},
    error::AppResult,
    state::AppState,
};

pub fn state<'a>(ctx: &Context<'a>) -> &'a AppState {
    ctx.data_unchecked::<AppState>()
}

/// An area's handle (the boards, the feed, the audit or donation writer), which the root puts
/// into the schema's data once. A missing one is a wiring mistake found by the first request
/// that needs it, so it panics rather than answering as if nothing were wrong.
pub fn handle<'a, T: Send + Sync + 'static>(ctx: &Context<'a>) -> &'a T {
    ctx.data_unchecked::<T>()
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

/// The request id, for the audit log.
#[derive(Clone, Debug)]
pub struct RequestIdValue(pub String);
