//! 捐赠: logging, voiding and bulk-importing donations, each with its credit entry.

pub mod batch;
mod bulk;
mod graphql;
pub mod import;
mod model;
pub mod reads;
pub mod receipt;
mod rules;
mod single;
pub mod voids;

pub use batch::Recorder;
pub use graphql::{Donation, DonationsMutation, DonationsQuery};
pub use model::{DonorRef, NewDonation, ReceiptNo};
