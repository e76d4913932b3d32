//! The audit log: who changed what, as which role and org, when, with which request.

mod graphql;
pub mod service;
pub mod snapshot;

pub use graphql::{AuditHandoff, AuditQuery, MutationGate};
