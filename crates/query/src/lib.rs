//! CloudTrail Lake SQL over event data stores.
//!
//! [`sql::prepare`] takes Lake SQL (bare store ids after FROM, Trino functions) and refuses anything but a
//! SELECT; [`QueryEngine`] plans it over the lake's stores ([`catalog`]), with time predicates pruned to day
//! partitions ([`provider`]), runs it within a memory limit and a timeout, and keeps its record
//! ([`history`]); [`render`] prints rows as Lake does.

pub mod catalog;
pub mod engine;
pub mod error;
mod event_json;
pub mod history;
pub mod provider;
pub mod render;
mod rewrite;
pub mod sql;

pub use engine::{DEFAULT_TIMEOUT, EngineOptions, QueryEngine, QueryResult};
pub use error::QueryError;
pub use history::{QueryHistory, QueryRecord, QueryStatistics, QueryStatus};
pub use render::OutputFormat;
