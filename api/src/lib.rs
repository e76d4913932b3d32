//! 洞头慈善共富: the GraphQL backbone of Dongtou district's charity programme.
// The schema merges every area's root type; proving its resolver future `Send` nests deeper
// than the default limit allows.
#![recursion_limit = "256"]

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod baijiaxin;
pub mod broadcast;
pub mod cache;
pub mod catalog;
pub mod cli;
pub mod codes;
pub mod config;
pub mod credits;
pub mod db;
pub mod district_time;
pub mod donations;
pub mod entities;
pub mod error;
pub mod exports;
pub mod feed;
pub mod funds;
pub mod graphql;
pub mod http;
pub mod idempotency;
pub mod indicators;
pub mod me;
pub mod money;
pub mod onboarding;
pub mod pagination;
pub mod perks;
pub mod privacy;
pub mod rankings;
pub mod ratelimit;
pub mod schema;
pub mod seeding;
pub mod sms;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod text;
pub mod transparency;
pub mod volunteering;
