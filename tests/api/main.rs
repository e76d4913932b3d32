//! The integration suite: every test starts the real app on its own database (a SQLite file,
//! or a PostgreSQL schema) and cache (in-process, or a Redis key prefix), and talks GraphQL
//! over HTTP. `TEST_BACKEND=postgres` selects PostgreSQL + Redis.

mod helpers;

mod accounts;
mod attacks;
mod attacks_access;
mod attacks_cost;
mod baijiaxin;
mod broadcast;
mod donations;
mod exports;
mod feed;
mod foundation;
mod import;
mod indicators;
mod onboarding;
mod perks;
mod rankings;
mod rewards;
mod seeds;
mod serving;
mod transparency;
mod volunteering;
