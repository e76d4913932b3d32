//! 百家信: a resident's transparent personal credit score, component by component.

mod graphql;
pub mod model;
pub mod service;

pub use graphql::{BaijiaxinQuery, BaijiaxinView};
