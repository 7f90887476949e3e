//! Catalog records: what an event data store is, apart from its events.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::StoreError;
use crate::selectors::{AdvancedEventSelector, validate_selectors};

/// Default retention, in days.
pub const DEFAULT_RETENTION_DAYS: u32 = 366;
/// Shortest retention allowed, in days.
pub const MIN_RETENTION_DAYS: u32 = 7;
/// Longest retention allowed, in days.
pub const MAX_RETENTION_DAYS: u32 = 3653;
/// Days a deleted store can be restored before its data is removed.
pub const RESTORE_WINDOW_DAYS: i64 = 7;

/// The kind of events a store holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// CloudTrail management events (the default).
    #[default]
    Management,
    /// CloudTrail data events.
    Data,
    /// CloudTrail Insights events.
    Insights,
    /// Events from outside AWS, through channels.
    Activity,
}

impl std::str::FromStr for Category {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self, StoreError> {
        match s.to_ascii_lowercase().as_str() {
            "management" => Ok(Category::Management),
            "data" => Ok(Category::Data),
            "insights" => Ok(Category::Insights),
            "activity" => Ok(Category::Activity),
            _ => Err(StoreError::Invalid(format!(
                "unknown category '{s}': expected management, data, insights or activity"
            ))),
        }
    }
}

/// Lifecycle status of a store, as CloudTrail names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum IngestionStatus {
    /// Created, ingestion not yet started.
    Created,
    /// Accepting events.
    Enabled,
    /// Ingestion is being stopped.
    StoppingIngestion,
    /// Ingestion is stopped: events are refused; the store can still be queried.
    StoppedIngestion,
    /// Ingestion is being started.
    StartingIngestion,
    /// Deleted; restorable within [`RESTORE_WINDOW_DAYS`], then removed.
    PendingDeletion,
}

impl IngestionStatus {
    /// The name CloudTrail uses.
    pub fn as_str(self) -> &'static str {
        match self {
            IngestionStatus::Created => "CREATED",
            IngestionStatus::Enabled => "ENABLED",
            IngestionStatus::StoppingIngestion => "STOPPING_INGESTION",
            IngestionStatus::StoppedIngestion => "STOPPED_INGESTION",
            IngestionStatus::StartingIngestion => "STARTING_INGESTION",
            IngestionStatus::PendingDeletion => "PENDING_DELETION",
        }
    }
}

/// An event data store's catalog record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventDataStore {
    /// The id, a UUID.
    pub id: String,
    /// `arn:aws:cloudtrail:<region>:<account>:eventdatastore/<id>`.
    pub arn: String,
    /// The unique name.
    pub name: String,
    /// Days events are kept, judged by event time.
    pub retention_days: u32,
    /// The kind of events held.
    pub category: Category,
    /// Which events get in; empty means all.
    #[serde(default)]
    pub advanced_event_selectors: Vec<AdvancedEventSelector>,
    /// While on, the store cannot be deleted.
    pub termination_protection: bool,
    /// Lifecycle status.
    pub status: IngestionStatus,
    /// When the store was created.
    pub created_at: DateTime<Utc>,
    /// When the record last changed.
    pub updated_at: DateTime<Utc>,
    /// When the store was deleted, while it is pending deletion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<DateTime<Utc>>,
    /// The status to return to on restore.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_before_deletion: Option<IngestionStatus>,
}

impl EventDataStore {
    /// Whether the store accepts new events now; the error says why not.
    pub fn check_accepts_events(&self) -> Result<(), StoreError> {
        match self.status {
            IngestionStatus::Created
            | IngestionStatus::Enabled
            | IngestionStatus::StartingIngestion => Ok(()),
            IngestionStatus::StoppedIngestion | IngestionStatus::StoppingIngestion => {
                Err(StoreError::Conflict(format!(
                    "ingestion into '{}' is stopped; run `auditlake eds start-ingestion {}` first",
                    self.name, self.name
                )))
            }
            IngestionStatus::PendingDeletion => Err(StoreError::Conflict(format!(
                "'{}' is pending deletion; run `auditlake eds restore {}` to use it again",
                self.name, self.name
            ))),
        }
    }

    /// Whether `reference` (an id, ARN or name) names this store.
    pub fn is_named_by(&self, reference: &str) -> bool {
        self.id.eq_ignore_ascii_case(reference) || self.arn == reference || self.name == reference
    }
}

/// What `eds create` asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct NewStore {
    /// The unique name.
    pub name: String,
    /// Days events are kept ([`DEFAULT_RETENTION_DAYS`] when `None`).
    pub retention_days: Option<u32>,
    /// The kind of events held.
    pub category: Category,
    /// Which events get in.
    pub advanced_event_selectors: Vec<AdvancedEventSelector>,
    /// Whether deletion is refused.
    pub termination_protection: bool,
    /// Whether the store starts accepting events (else it starts with ingestion stopped).
    pub start_ingestion: bool,
}

impl NewStore {
    /// A request with the defaults: management events, 366 days, protected, ingesting.
    pub fn named(name: impl Into<String>) -> Self {
        NewStore {
            name: name.into(),
            retention_days: None,
            category: Category::Management,
            advanced_event_selectors: Vec::new(),
            termination_protection: true,
            start_ingestion: true,
        }
    }
}

/// What `eds update` changes; `None` keeps the current value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoreUpdate {
    /// A new name.
    pub name: Option<String>,
    /// A new retention.
    pub retention_days: Option<u32>,
    /// New selectors (an empty list lets every event in).
    pub advanced_event_selectors: Option<Vec<AdvancedEventSelector>>,
    /// Turn termination protection on or off.
    pub termination_protection: Option<bool>,
}

/// Checks a store name: 3 to 128 of `[a-zA-Z0-9._-]`.
pub fn validate_name(name: &str) -> Result<(), StoreError> {
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !(3..=128).contains(&name.len()) || !ok_chars {
        return Err(StoreError::Invalid(format!(
            "invalid store name '{name}': use 3 to 128 letters, digits, '.', '_' or '-'"
        )));
    }
    if uuid::Uuid::parse_str(name).is_ok() {
        return Err(StoreError::Invalid(format!(
            "invalid store name '{name}': a name cannot be a UUID"
        )));
    }
    Ok(())
}

/// Checks a retention period.
pub(crate) fn validate_retention(days: u32) -> Result<(), StoreError> {
    if !(MIN_RETENTION_DAYS..=MAX_RETENTION_DAYS).contains(&days) {
        return Err(StoreError::Invalid(format!(
            "invalid retention of {days} days: it must be {MIN_RETENTION_DAYS} to {MAX_RETENTION_DAYS} days"
        )));
    }
    Ok(())
}

/// Checks what a store is given at create or update.
pub(crate) fn validate_settings(
    name: &str,
    retention_days: u32,
    selectors: &[AdvancedEventSelector],
) -> Result<(), StoreError> {
    validate_name(name)?;
    validate_retention(retention_days)?;
    validate_selectors(selectors)
}
