//! 捐赠: logging, voiding and bulk-importing donations, each with its credit entry.

pub mod batch;
mod bulk;
mod graphql;
pub mod import;
mod model;
pub mod receipt;
pub mod service;

pub use batch::Recorder;
pub use graphql::{Donation, DonationsMutation, DonationsQuery};
pub use model::{DonorRef, NewDonation, ReceiptNo};
