//! The query history: one record per query, kept in the lake for 7 days.

use std::fmt;

use auditlake_store::Lake;
use chrono::{DateTime, Duration, Utc};
use futures::TryStreamExt;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use serde::{Deserialize, Serialize};

use crate::error::QueryError;

/// Folder of the lake holding query records.
const QUERIES_DIR: &str = "queries";
/// How long query records are kept, as in Lake.
pub const HISTORY_DAYS: i64 = 7;

/// Where a query is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum QueryStatus {
    /// Accepted, not started.
    Queued,
    /// Running.
    Running,
    /// Done; results delivered.
    Finished,
    /// Refused or failed; see the error message.
    Failed,
    /// Cancelled by the user.
    Cancelled,
    /// Stopped by its timeout.
    TimedOut,
}

impl fmt::Display for QueryStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            QueryStatus::Queued => "QUEUED",
            QueryStatus::Running => "RUNNING",
            QueryStatus::Finished => "FINISHED",
            QueryStatus::Failed => "FAILED",
            QueryStatus::Cancelled => "CANCELLED",
            QueryStatus::TimedOut => "TIMED_OUT",
        })
    }
}

/// What a query read and returned.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryStatistics {
    /// Rows of the result.
    pub events_matched: u64,
    /// Events read from storage (after partition and file pruning).
    pub events_scanned: u64,
    /// Bytes read from storage.
    pub bytes_scanned: u64,
    /// Wall time from start to the last result row, in milliseconds.
    pub execution_time_in_millis: u64,
}

/// One query's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryRecord {
    /// The query id (a UUID).
    pub query_id: String,
    /// The statement as the user gave it.
    pub query_string: String,
    /// Where the query is in its life.
    pub query_status: QueryStatus,
    /// When it was received.
    pub creation_time: DateTime<Utc>,
    /// Why it failed, for FAILED, CANCELLED and TIMED_OUT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    /// What it read and returned.
    pub query_statistics: QueryStatistics,
    /// Where its results were saved, if they were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_uri: Option<String>,
    /// The timeout it ran under, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u64>,
}

impl QueryRecord {
    /// A new QUEUED record for `sql`.
    pub fn new(sql: &str) -> Self {
        QueryRecord {
            query_id: uuid::Uuid::new_v4().to_string(),
            query_string: sql.to_owned(),
            query_status: QueryStatus::Queued,
            creation_time: Utc::now(),
            error_message: None,
            query_statistics: QueryStatistics::default(),
            delivery_uri: None,
            timeout_seconds: None,
        }
    }

    /// A record still QUEUED or RUNNING long after its timeout belongs to a process that stopped (killed,
    /// out of memory, power lost) before finishing: it is reported as FAILED.
    fn settle(mut self, now: DateTime<Utc>) -> Self {
        let timeout = i64::try_from(self.timeout_seconds.unwrap_or(3600)).unwrap_or(i64::MAX / 2);
        let deadline = self.creation_time + Duration::seconds(timeout) + Duration::minutes(5);
        if matches!(
            self.query_status,
            QueryStatus::Queued | QueryStatus::Running
        ) && now > deadline
        {
            self.query_status = QueryStatus::Failed;
            self.error_message = Some(
                "the process running this query stopped before it finished; run it again".into(),
            );
        }
        self
    }
}

/// The lake's query records.
#[derive(Debug, Clone)]
pub struct QueryHistory {
    lake: Lake,
}

impl QueryHistory {
    /// The history of `lake`.
    pub fn new(lake: Lake) -> Self {
        QueryHistory { lake }
    }

    fn path(id: &str) -> Path {
        Path::from(format!("{QUERIES_DIR}/{id}.json"))
    }

    fn error(path: &Path, reason: impl fmt::Display) -> QueryError {
        QueryError::History {
            path: path.to_string(),
            reason: reason.to_string(),
        }
    }

    /// Writes (or replaces) a record, atomically.
    pub async fn save(&self, record: &QueryRecord) -> Result<(), QueryError> {
        let path = Self::path(&record.query_id);
        let body = serde_json::to_vec_pretty(record).map_err(|e| Self::error(&path, e))?;
        self.lake
            .objects()
            .put(&path, PutPayload::from(body))
            .await
            .map_err(|e| Self::error(&path, e))?;
        Ok(())
    }

    /// The record of one query.
    pub async fn get(&self, id: &str) -> Result<QueryRecord, QueryError> {
        let id = id.trim();
        if uuid::Uuid::parse_str(id).is_err() {
            return Err(QueryError::UnknownQuery(id.to_owned()));
        }
        let path = Self::path(id);
        let bytes = match self.lake.objects().get(&path).await {
            Ok(result) => result.bytes().await.map_err(|e| Self::error(&path, e))?,
            Err(object_store::Error::NotFound { .. }) => {
                return Err(QueryError::UnknownQuery(id.to_owned()));
            }
            Err(e) => return Err(Self::error(&path, e)),
        };
        serde_json::from_slice::<QueryRecord>(&bytes)
            .map(|r| r.settle(Utc::now()))
            .map_err(|e| Self::error(&path, e))
    }

    /// Records of the last 7 days, newest first; older records are removed.
    pub async fn list(&self) -> Result<Vec<QueryRecord>, QueryError> {
        let objects = self.lake.objects();
        let prefix = Path::from(QUERIES_DIR);
        let metas: Vec<_> = objects
            .list(Some(&prefix))
            .try_collect()
            .await
            .map_err(|e| Self::error(&prefix, e))?;
        let cutoff = Utc::now() - Duration::days(HISTORY_DAYS);
        let mut records = Vec::new();
        for meta in metas {
            if meta.location.extension() != Some("json") {
                continue;
            }
            let bytes = match objects.get(&meta.location).await {
                Ok(result) => result.bytes().await,
                Err(e) => Err(e),
            };
            // A record that vanished or is damaged is skipped, not fatal to the listing.
            let Ok(record) = bytes
                .map_err(|e| e.to_string())
                .and_then(|b| serde_json::from_slice::<QueryRecord>(&b).map_err(|e| e.to_string()))
            else {
                continue;
            };
            if record.creation_time < cutoff {
                let _ = objects.delete(&meta.location).await;
                continue;
            }
            records.push(record.settle(Utc::now()));
        }
        records.sort_by_key(|r| std::cmp::Reverse(r.creation_time));
        Ok(records)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_running_record_past_its_timeout_is_reported_failed() {
        let mut record = QueryRecord::new("SELECT 1");
        record.query_status = QueryStatus::Running;
        record.timeout_seconds = Some(60);
        let created = record.creation_time;
        let early = record.clone().settle(created + Duration::minutes(3));
        assert_eq!(early.query_status, QueryStatus::Running);
        let late = record.clone().settle(created + Duration::minutes(7));
        assert_eq!(late.query_status, QueryStatus::Failed);
        assert!(late.error_message.is_some());
        let mut finished = record;
        finished.query_status = QueryStatus::Finished;
        assert_eq!(
            finished.settle(created + Duration::days(1)).query_status,
            QueryStatus::Finished
        );
    }
}
