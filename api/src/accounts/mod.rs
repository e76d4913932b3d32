//! Accounts: login, token refresh and logout, and `me`.

mod graphql;
mod model;
pub mod service;

pub use graphql::{Account, AccountsMutation, AccountsQuery};
pub use model::{IdNumber, Phone, PhoneError};
