//! An import's record in the lake (`imports/<id>.json`): what it copies, its status and statistics, shaped like
//! CloudTrail's `GetImport`; and its failures, from the rejects reports of its batches.

use std::path::PathBuf;

use auditlake_store::{Lake, StoreError};
use chrono::{DateTime, Utc};
use object_store::path::Path;
use object_store::{ObjectStoreExt, PutPayload};
use serde::{Deserialize, Serialize};

use crate::error::IngestError;
use crate::rejects::Reject;

/// The lake's folder of import records.
const IMPORTS_DIR: &str = "imports";

/// Where an import is (Lake's `ImportStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ImportStatus {
    /// Created; the source is being listed.
    Initializing,
    /// Copying.
    InProgress,
    /// Every file in range was read.
    Completed,
    /// Stopped by `import stop`; `import start --import-id` goes on.
    Stopped,
    /// Ended by an error; `import start --import-id` goes on.
    Failed,
}

impl std::str::FromStr for ImportStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        serde_json::from_value(serde_json::Value::String(s.to_ascii_uppercase())).map_err(|_| {
            format!("unknown import status '{s}': INITIALIZING, IN_PROGRESS, COMPLETED, STOPPED or FAILED")
        })
    }
}

impl std::fmt::Display for ImportStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        f.write_str(&text)
    }
}

/// Lake's `ImportStatistics`, and the files skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImportStatistics {
    /// Day folders (account, region, day) found in range.
    pub prefixes_found: u64,
    /// Day folders whose every file has been read.
    pub prefixes_completed: u64,
    /// Trail log files read, or skipped because the store holds their events already.
    pub files_completed: u64,
    /// Events copied into the store.
    pub events_completed: u64,
    /// Records and files that failed (`import failures`).
    pub failed_entries: u64,
    /// Files in the day folders that are not trail log files (digests, other objects): not read.
    #[serde(default)]
    pub other_files_skipped: u64,
    /// Events of the files read that fall outside the time range: not copied.
    #[serde(default)]
    pub events_out_of_range: u64,
}

/// Lake's `ImportSource`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImportSource {
    /// The trail bucket's prefix (`s3://bucket/prefix`) or a local folder holding `AWSLogs/`.
    #[serde(rename = "S3")]
    pub s3: S3ImportSource,
}

/// Lake's `S3ImportSource`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct S3ImportSource {
    /// The location copied from.
    pub s3_location_uri: String,
}

/// An import, as `GetImport` returns it, with the store it copies into and the regions asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImportRecord {
    /// The import's id (a UUID).
    pub import_id: String,
    /// The ARN of the store copied into.
    pub destinations: Vec<String>,
    /// What is copied.
    pub import_source: ImportSource,
    /// Only events at or after this time are copied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_event_time: Option<DateTime<Utc>>,
    /// Only events at or before this time are copied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_event_time: Option<DateTime<Utc>>,
    /// Only these regions' folders are read (all when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<String>,
    /// Where the import is.
    pub import_status: ImportStatus,
    /// When it was created.
    pub created_timestamp: DateTime<Utc>,
    /// When its record last changed: a running import writes it after every commit.
    pub updated_timestamp: DateTime<Utc>,
    /// What it has done.
    pub import_statistics: ImportStatistics,
    /// Why it failed, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

/// One failed file or record (Lake's `ImportFailureListItem`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImportFailure {
    /// The file, with the record's line when one record failed.
    pub location: String,
    /// Always `FAILED`.
    pub status: String,
    /// `FileFailure` (the file could not be read) or `RecordFailure` (one record was rejected).
    pub error_type: String,
    /// What is wrong.
    pub error_message: String,
    /// When the failure was recorded.
    pub last_updated_time: DateTime<Utc>,
}

/// The import records of a lake.
pub struct Imports<'a> {
    lake: &'a Lake,
}

impl<'a> Imports<'a> {
    /// The lake's imports.
    pub fn new(lake: &'a Lake) -> Self {
        Imports { lake }
    }

    fn record_path(id: &str) -> Path {
        Path::from(format!("{IMPORTS_DIR}/{id}.json"))
    }

    fn storage(path: &Path, source: object_store::Error) -> IngestError {
        IngestError::Store(StoreError::ObjectStore {
            path: path.to_string(),
            source,
        })
    }

    /// Writes a record (whole: a reader sees the old one or the new one).
    pub async fn save(&self, record: &ImportRecord) -> Result<(), IngestError> {
        let path = Self::record_path(&record.import_id);
        let body = serde_json::to_vec_pretty(record)
            .map_err(|e| IngestError::Batch(format!("cannot write import record: {e}")))?;
        self.lake
            .objects()
            .put(&path, PutPayload::from(body))
            .await
            .map_err(|e| Self::storage(&path, e))?;
        Ok(())
    }

    /// The import with this id.
    pub async fn get(&self, id: &str) -> Result<ImportRecord, IngestError> {
        let parsed =
            uuid::Uuid::parse_str(id).map_err(|_| IngestError::ImportNotFound(id.to_owned()))?;
        let path = Self::record_path(&parsed.hyphenated().to_string());
        let bytes = match self.lake.objects().get(&path).await {
            Ok(got) => got.bytes().await.map_err(|e| Self::storage(&path, e))?,
            Err(object_store::Error::NotFound { .. }) => {
                return Err(IngestError::ImportNotFound(id.to_owned()));
            }
            Err(e) => return Err(Self::storage(&path, e)),
        };
        serde_json::from_slice(&bytes)
            .map_err(|e| IngestError::Batch(format!("the import record {path} is damaged: {e}")))
    }

    /// Every import, newest first; records that cannot be read are skipped with a warning.
    pub async fn list(&self) -> Result<Vec<ImportRecord>, IngestError> {
        let prefix = Path::from(IMPORTS_DIR);
        let listed: Vec<_> = match self.lake.objects().list_with_delimiter(Some(&prefix)).await {
            Ok(listed) => listed.objects,
            Err(object_store::Error::NotFound { .. }) => Vec::new(),
            Err(e) => return Err(Self::storage(&prefix, e)),
        };
        let mut records = Vec::new();
        for meta in listed {
            let Some(id) = meta
                .location
                .filename()
                .and_then(|f| f.strip_suffix(".json"))
            else {
                continue;
            };
            match self.get(id).await {
                Ok(record) => records.push(record),
                Err(e) => tracing::warn!("skipping import record {}: {e}", meta.location),
            }
        }
        records.sort_by(|a, b| b.created_timestamp.cmp(&a.created_timestamp));
        Ok(records)
    }

    /// The folder of an import's rejects reports (local lakes; elsewhere the working folder).
    pub fn reports_dir(&self, id: &str) -> PathBuf {
        self.lake
            .local_root()
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("."))
            .join(IMPORTS_DIR)
            .join(id)
    }

    /// The import's failures, in the order they were met.
    pub async fn failures(&self, id: &str) -> Result<Vec<ImportFailure>, IngestError> {
        let record = self.get(id).await?;
        let dir = self.reports_dir(&record.import_id);
        let mut reports: Vec<PathBuf> = match std::fs::read_dir(&dir) {
            Ok(entries) => entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
                .collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => {
                return Err(IngestError::Input {
                    path: dir.display().to_string(),
                    source: e,
                });
            }
        };
        reports.sort();
        let mut failures = Vec::new();
        for report in reports {
            let modified = std::fs::metadata(&report)
                .and_then(|m| m.modified())
                .map(DateTime::<Utc>::from)
                .unwrap_or(record.updated_timestamp);
            let text = std::fs::read_to_string(&report).map_err(|e| IngestError::Input {
                path: report.display().to_string(),
                source: e,
            })?;
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                let Ok(reject) = serde_json::from_str::<Reject>(line) else {
                    continue;
                };
                let location = match reject.line {
                    Some(n) => format!("{}:{n}", reject.source),
                    None => reject.source.clone(),
                };
                failures.push(ImportFailure {
                    location,
                    status: "FAILED".into(),
                    error_type: if reject.record_index.is_some() {
                        "RecordFailure".into()
                    } else {
                        "FileFailure".into()
                    },
                    error_message: reject.reason,
                    last_updated_time: modified,
                });
            }
        }
        Ok(failures)
    }
}
