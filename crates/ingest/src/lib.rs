//! Sources to batches to store: trail log files, JSON Lines and JSON arrays (files, folders, stdin; gzip or
//! plain), event selectors, a rejects report for bad records, and a deterministic sample-event generator.
//!
//! Decoding runs on every core (rayon); memory stays bounded because input is read and committed in groups.

mod error;
mod filter;
pub mod generate;
pub mod import;
mod ingest;
mod input;
mod rejects;
mod split;

pub use error::IngestError;
pub use filter::selects;
pub use ingest::{IngestOptions, IngestSummary, Progress, ingest};
pub use input::{InputFormat, Source};
pub use rejects::Reject;
