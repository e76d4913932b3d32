//! The shared cache: Redis when `REDIS_URL` is set, otherwise an in-process map.

mod memory;
mod service;

pub use memory::{MemoryData, unix_millis};
pub use service::{AtomicScript, Cache, CacheError, Op, Reply};
