//! Authentication and authorisation: passwords, tokens, the viewer, and guards.

mod bearer;
mod guards;
mod password;
pub mod policy;
mod sessions;
mod tokens;
mod viewer;

pub use bearer::authenticate;
pub use guards::RoleGuard;
pub use password::{
    MAX_PASSWORD_LEN, MIN_PASSWORD_LEN, check_new_password, hash_password, hashing_slots,
    peak_concurrent_hashes, verify_password,
};
pub use sessions::SessionCheck;
pub use tokens::{AccessClaims, TokenKeys};
pub use viewer::{Auth, Viewer};
