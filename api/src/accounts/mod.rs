//! Accounts: login, token refresh and logout, and `me`.

mod graphql;
mod model;
pub mod residents;
pub mod service;

pub use graphql::{Account, AccountsMutation, AccountsQuery, AuthPayload};
pub use model::{IdNumber, Phone, PhoneError};
