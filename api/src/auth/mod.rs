//! Authentication and authorisation: passwords, tokens, the viewer, and guards.

mod guards;
mod password;
pub mod policy;
mod sessions;
mod tokens;
mod viewer;

pub use guards::RoleGuard;
pub use password::{hash_password, verify_password};
pub use sessions::SessionCheck;
pub use tokens::{AccessClaims, TokenKeys};
pub use viewer::{Auth, Viewer};
