//! Getting people and organisations in: residents registering with a code texted to their
//! phone (or at a charity's desk), forgotten passwords, the privacy notice they agree to and
//! the deletion of their account, and the bureau's staff accounts.

mod codes;
mod erasure;
mod graphql;
mod policy;
mod registration;
mod staff;

pub use erasure::ERASED_NAME;
pub use graphql::{OnboardingMutation, OnboardingQuery};
pub use policy::{PrivacyPolicyQuery, VERSION as PRIVACY_POLICY_VERSION};
