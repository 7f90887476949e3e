//! Event data stores: the catalog of stores in a lake, and each store's Delta table of events.
//!
//! A lake is a folder (or object-store URL). Each store's catalog record is `eventdatastores/<id>.json` and its
//! events are the Delta table under `eventdatastores/<id>/`, partitioned by `eventday`. Catalog records are
//! written whole (put is atomic); table commits are Delta commits, so readers see a write whole or not at all.

mod catalog;
mod error;
mod lake;
mod maintenance;
pub mod selectors;
mod settings;
mod sources;
mod table;

pub use catalog::{
    Category, DEFAULT_RETENTION_DAYS, EventDataStore, IngestionStatus, MAX_RETENTION_DAYS,
    MIN_RETENTION_DAYS, NewStore, RESTORE_WINDOW_DAYS, StoreUpdate, validate_name,
};
pub use error::{StoreError, StoreErrorKind};
pub use lake::{Lake, LakeSettings};
pub use maintenance::{DEFAULT_VACUUM_GRACE, DayCompaction, OptimizeReport, VacuumReport};
pub use selectors::{AdvancedEventSelector, FieldSelector};
pub use sources::{Coverage, SourceFile, SourceManifest};
pub use table::{
    AppendReport, Appender, DataFile, DayBatch, EventTable, RetentionReport, TableStats,
};
