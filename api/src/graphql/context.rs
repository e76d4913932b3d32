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
