//! Declarative role guards for resolvers: `#[graphql(guard = "RoleGuard::new(&[Role::Admin])")]`.

use async_graphql::{Context, Guard, Result};

use super::Auth;
use crate::{entities::enums::Role, error::AppError};

pub struct RoleGuard {
    allowed: &'static [Role],
}

impl RoleGuard {
    pub const fn new(allowed: &'static [Role]) -> Self {
        Self { allowed }
    }

    /// Any logged-in account.
    pub const fn any() -> Self {
        Self { allowed: &[] }
    }
}

impl Guard for RoleGuard {
    async fn check(&self, ctx: &Context<'_>) -> Result<()> {
        let viewer = ctx.data::<Auth>()?.viewer()?;
        if self.allowed.is_empty() || self.allowed.contains(&viewer.role) {
            Ok(())
        } else {
            Err(AppError::forbidden("your role may not do this").into())
        }
    }
}
