//! 捐赠: logging, voiding and bulk-importing donations, each with its credit entry.

pub mod import;
mod model;
pub mod service;

pub use model::{DonorRef, NewDonation, ReceiptNo};
