//! 洞头慈善共富: the GraphQL backbone of Dongtou district's charity programme.

pub mod accounts;
pub mod auth;
pub mod cache;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod credits;
pub mod db;
pub mod donations;
pub mod entities;
pub mod error;
pub mod feed;
pub mod graphql;
pub mod idempotency;
pub mod money;
pub mod pagination;
pub mod rankings;
pub mod seeding;
pub mod startup;
pub mod telemetry;
