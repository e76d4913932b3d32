//! Exports for the bureau and the orgs: donations, disbursements and hours for a period, as
//! XLSX or CSV, over an authenticated download.

mod model;
mod routes;
pub mod service;
pub mod writer;

pub use model::{Dataset, Format, Period};
pub use routes::routes;
