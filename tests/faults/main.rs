//! Fault tests: the real `api` binary against a private PostgreSQL and Redis that the tests
//! restart, kill and flush. Run one at a time (`--test-threads=1`) after `cargo build -p api`;
//! `tests/run-all.sh` does both. Each scenario prints what it checked.

mod env;

mod scenarios;
