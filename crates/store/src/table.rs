//! A store's events: a Delta table partitioned by event day.

use std::collections::BTreeMap;
use std::sync::Arc;

use auditlake_schema::{PARTITION_COLUMN, event_schema};

use crate::settings::FileSettings;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use delta_kernel::expressions::Scalar;
use deltalake::arrow::array::StringArray;
use deltalake::arrow::record_batch::RecordBatch;
use deltalake::kernel::StructType;
use deltalake::kernel::engine::arrow_conversion::TryIntoKernel;
use deltalake::kernel::transaction::{CommitBuilder, CommitProperties};
use deltalake::kernel::{Action, Add};
use deltalake::parquet::file::properties::WriterProperties;
use deltalake::protocol::{DeltaOperation, SaveMode};
use deltalake::writer::{DeltaWriter, RecordBatchWriter, WriteMode};
use deltalake::{DeltaTable, TableProperty};
use indexmap::IndexMap;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt};
use url::Url;

use crate::error::StoreError;
use crate::sources::{SOURCES_KEY, SourceFile, SourceManifest, Sources};

/// The column whose per-file statistics the table log keeps.
const TIME_COLUMN: &str = "eventtime";

/// A store's Delta table of events.
pub struct EventTable {
    pub(crate) store_id: String,
    /// The table's folder in `objects`.
    prefix: String,
    url: Url,
    pub(crate) table: DeltaTable,
    objects: Arc<dyn ObjectStore>,
}

/// Writes events into new Parquet files of a store's table, one day per file, for one later commit.
pub struct Appender {
    store_id: String,
    table: DeltaTable,
    writers: Vec<RecordBatchWriter>,
    settings: Arc<FileSettings>,
    adds: Vec<Add>,
    events: usize,
}

/// Rows of [`event_schema`] whose events all fall on one day.
#[derive(Debug, Clone)]
pub struct DayBatch {
    /// The event day, `YYYY-MM-DD`: the value of the partition column in every row.
    pub day: String,
    /// The rows.
    pub batch: RecordBatch,
}

impl DayBatch {
    /// Every row's partition column holds the day: a batch filed under the wrong day would be lost to queries
    /// bounded by time.
    fn check(&self, store_id: &str) -> Result<(), StoreError> {
        let days = self
            .batch
            .column_by_name(PARTITION_COLUMN)
            .and_then(|c| c.as_any().downcast_ref::<StringArray>());
        let Some(days) = days else {
            return Err(StoreError::Invalid(format!(
                "a batch for store {store_id} has no {PARTITION_COLUMN} text column"
            )));
        };
        match days.iter().find(|d| *d != Some(self.day.as_str())) {
            None => Ok(()),
            Some(other) => Err(StoreError::Invalid(format!(
                "a batch for day {} of store {store_id} holds a row of day {}",
                self.day,
                other.unwrap_or("(none)")
            ))),
        }
    }
}

impl Appender {
    /// Writes each lane's batches with its own writer, the lanes in parallel, and finishes their files (they stay
    /// invisible until the commit). The batches go straight to their day's file: the writer does not split them
    /// by day again. Lanes should hold different days: a day written by two lanes gets two files.
    pub async fn write_lanes(&mut self, lanes: Vec<Vec<DayBatch>>) -> Result<(), StoreError> {
        for batch in lanes.iter().flatten() {
            batch.check(&self.store_id)?;
        }
        while self.writers.len() < lanes.len() {
            self.writers
                .push(EventTable::writer(&self.store_id, &self.table)?);
        }
        let mut tasks = Vec::with_capacity(lanes.len());
        let idle = self.writers.split_off(lanes.len());
        for (mut writer, lane) in std::mem::take(&mut self.writers).into_iter().zip(lanes) {
            let settings = self.settings.clone();
            tasks.push(tokio::spawn(async move {
                let mut rows = 0;
                // Each run of one day's batches is a new file, with the settings for its rows.
                for day_batches in lane.chunk_by(|a, b| a.day == b.day) {
                    let batches: Vec<&RecordBatch> = day_batches.iter().map(|d| &d.batch).collect();
                    writer = writer.with_writer_properties(settings.for_file(&batches));
                    for DayBatch { day, batch } in day_batches {
                        rows += batch.num_rows();
                        let partition = IndexMap::from([(
                            PARTITION_COLUMN.to_owned(),
                            Scalar::String(day.clone()),
                        )]);
                        writer
                            .write_partition(batch.clone(), &partition, WriteMode::Default)
                            .await?;
                    }
                }
                let adds = writer.flush().await?;
                Ok::<_, deltalake::DeltaTableError>((writer, adds, rows))
            }));
        }
        self.writers = idle;
        for task in tasks {
            let (writer, adds, rows) = task
                .await
                .map_err(|e| StoreError::Invalid(format!("a writer task failed: {e}")))?
                .map_err(|e| StoreError::delta(&self.store_id, e))?;
            self.writers.push(writer);
            self.adds.extend(adds);
            self.events += rows;
        }
        Ok(())
    }

    /// Events written so far.
    pub fn events(&self) -> usize {
        self.events
    }
}

/// What one append committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendReport {
    /// The table version the commit made.
    pub version: u64,
    /// Events written.
    pub events: usize,
}

/// What a store's table holds, from its log.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TableStats {
    /// The table version (number of commits less one).
    pub version: u64,
    /// Events stored.
    pub events: u64,
    /// Data files.
    pub files: u64,
    /// Bytes of data files.
    pub bytes: u64,
    /// Events per day, oldest first.
    pub events_per_day: BTreeMap<String, u64>,
}

/// One data file of a store's table, as the table log lists it: what a reader needs to scan it without the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataFile {
    /// Where the file is in the lake's object store (see [`EventTable::objects`]).
    pub path: Path,
    /// Its size in bytes.
    pub size: u64,
    /// The event day (`YYYY-MM-DD`) all its events fall on.
    pub day: String,
    /// Events in the file, when the log records it.
    pub events: Option<u64>,
}

/// What a retention pass removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RetentionReport {
    /// Days before this one were expired.
    pub oldest_kept_day: String,
    /// The days removed.
    pub days_removed: Vec<String>,
    /// Events removed.
    pub events_removed: u64,
    /// Data files removed.
    pub files_removed: u64,
}

impl EventTable {
    /// Creates the empty table of a store.
    pub(crate) async fn create(store_id: &str, url: Url) -> Result<(), StoreError> {
        let err = |e| StoreError::delta(store_id, e);
        let url = deltalake::ensure_table_uri(url.as_str()).map_err(err)?;
        let table = DeltaTable::try_from_url(url).await.map_err(err)?;
        if table.version().is_some() {
            return Ok(());
        }
        let schema: StructType = event_schema()
            .as_ref()
            .try_into_kernel()
            .map_err(|e| err(e.into()))?;
        table
            .create()
            .with_columns(schema.fields().cloned())
            .with_partition_columns([PARTITION_COLUMN])
            .with_save_mode(SaveMode::Ignore)
            .with_table_name("events")
            // Delta writers record each file's per-column min, max and null count in the log, for every column by
            // default: about 4.5 KiB per file, which every reader parses before it reads any data. Nothing prunes
            // on those statistics but event time (days are pruned by the partition value; the event count is kept
            // apart), so only event time keeps them: a store's log is a tenth of the size.
            .with_configuration_property(TableProperty::DataSkippingStatsColumns, Some(TIME_COLUMN))
            // Commit files stay: they name the source files of each append (see `crate::sources`), which the
            // sources index only summarises.
            .with_configuration_property(TableProperty::EnableExpiredLogCleanup, Some("false"))
            .await
            .map_err(err)?;
        Ok(())
    }

    /// Opens the table of a store at its latest version.
    pub(crate) async fn open(
        store_id: &str,
        url: Url,
        objects: Arc<dyn ObjectStore>,
    ) -> Result<Self, StoreError> {
        let table = DeltaTable::try_from_url(url.clone())
            .await
            .map_err(|e| StoreError::delta(store_id, e))?;
        if table.version().is_none() {
            return Err(StoreError::Conflict(format!(
                "the event table of store {store_id} is missing at {url}; the lake may be damaged"
            )));
        }
        Ok(EventTable {
            store_id: store_id.to_owned(),
            prefix: format!("eventdatastores/{store_id}"),
            url,
            table,
            objects,
        })
    }

    /// The table's location.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The Delta table, for readers (e.g. a query engine).
    pub fn delta(&self) -> &DeltaTable {
        &self.table
    }

    /// The object store holding the lake, in which [`DataFile::path`]s are.
    pub fn objects(&self) -> &Arc<dyn ObjectStore> {
        &self.objects
    }

    /// The data files of the table's current version: the files a reader must read, and no others (files
    /// written by an unfinished append, or dropped by retention, are not listed).
    pub fn data_files(&self) -> Result<Vec<DataFile>, StoreError> {
        let snapshot = self
            .table
            .snapshot()
            .map_err(|e| StoreError::delta(&self.store_id, e))?;
        let prefix = self.prefix();
        let mut files = Vec::new();
        for file in snapshot.log_data().iter() {
            let relative = file.path();
            let path = Path::parse(format!("{prefix}/{relative}")).map_err(|e| {
                StoreError::Invalid(format!(
                    "the table log of store {} names a bad file path '{relative}': {e}",
                    self.store_id
                ))
            })?;
            let day = file
                .partition_values_map()
                .get(PARTITION_COLUMN)
                .cloned()
                .flatten()
                .unwrap_or_default();
            files.push(DataFile {
                path,
                size: u64::try_from(file.size()).unwrap_or(0),
                day,
                events: file.num_records().and_then(|n| u64::try_from(n).ok()),
            });
        }
        Ok(files)
    }

    /// How the table's Parquet files are written: see [`crate::settings`].
    pub fn writer_properties() -> Result<WriterProperties, StoreError> {
        crate::settings::store_properties()
    }

    /// Starts an append. Events written to the [`Appender`] go to new Parquet files that no reader sees until
    /// [`commit`](Self::commit) adds them all in one commit.
    pub fn appender(&self) -> Result<Appender, StoreError> {
        Ok(Appender {
            store_id: self.store_id.clone(),
            table: self.table.clone(),
            writers: Vec::new(),
            settings: Arc::new(FileSettings::new()?),
            adds: Vec::new(),
            events: 0,
        })
    }

    fn writer(store_id: &str, table: &DeltaTable) -> Result<RecordBatchWriter, StoreError> {
        Ok(RecordBatchWriter::for_table(table)
            .map_err(|e| StoreError::delta(store_id, e))?
            .with_writer_properties(Self::writer_properties()?))
    }

    /// Commits everything written to `appender` in one commit: a reader sees all of it or none. `metadata` is
    /// kept in the commit's info (e.g. what the ingest read); `sources` are the files whose events the commit
    /// holds, recorded with them (see [`source_manifest`](Self::source_manifest)).
    pub async fn commit(
        &mut self,
        appender: Appender,
        mut metadata: serde_json::Map<String, serde_json::Value>,
        sources: &[SourceFile],
    ) -> Result<AppendReport, StoreError> {
        if appender.adds.is_empty() {
            return Ok(AppendReport {
                version: self.table.version().unwrap_or(0),
                events: 0,
            });
        }
        if !sources.is_empty() {
            // The sidecar first: a commit never names a sidecar that is not there.
            let name = self.sources().write_sidecar(sources).await?;
            metadata.insert(SOURCES_KEY.into(), name.into());
            metadata.insert("auditlake.sourceFiles".into(), sources.len().into());
        }
        let err = |e| StoreError::delta(&self.store_id, e);
        let snapshot = self.table.snapshot().map_err(err)?;
        let operation = DeltaOperation::Write {
            mode: SaveMode::Append,
            partition_by: Some(vec![PARTITION_COLUMN.to_owned()]),
            predicate: None,
        };
        let actions = appender.adds.into_iter().map(Action::Add).collect();
        let finalized = CommitBuilder::from(Self::commit_properties().with_metadata(metadata))
            .with_actions(actions)
            .build(Some(snapshot), self.table.log_store(), operation)
            .await
            .map_err(err)?;
        let version = finalized.version();
        self.table.update_state().await.map_err(err)?;
        Ok(AppendReport {
            version,
            events: appender.events,
        })
    }

    /// Every commit keeps the log's commit files (see [`EventTable::create`]).
    pub(crate) fn commit_properties() -> CommitProperties {
        CommitProperties::default().with_cleanup_expired_logs(Some(false))
    }

    pub(crate) fn sources(&self) -> Sources<'_> {
        Sources {
            store_id: &self.store_id,
            prefix: self.prefix(),
            objects: &self.objects,
        }
    }

    /// The source files whose events the table's current version holds: a file listed here must not be read
    /// into the store again.
    pub async fn source_manifest(&self) -> Result<SourceManifest, StoreError> {
        self.sources().load(&self.table).await
    }

    /// Loads the table's newest version (another writer may have committed since it was opened).
    pub async fn refresh(&mut self) -> Result<(), StoreError> {
        self.table
            .update_state()
            .await
            .map_err(|e| StoreError::delta(&self.store_id, e))
    }

    /// Counts from the table log: events, files, bytes, events per day.
    pub fn stats(&self) -> Result<TableStats, StoreError> {
        let mut stats = TableStats {
            version: self.table.version().unwrap_or(0),
            ..TableStats::default()
        };
        for file in self.data_files()? {
            let rows = file.events.unwrap_or(0);
            stats.files += 1;
            stats.bytes += file.size;
            stats.events += rows;
            *stats.events_per_day.entry(file.day).or_default() += rows;
        }
        Ok(stats)
    }

    /// The first day still inside a retention period of `retention_days` at `now`: events of earlier days are
    /// all older than the period.
    pub fn oldest_kept_day(retention_days: u32, now: DateTime<Utc>) -> NaiveDate {
        (now - Duration::days(i64::from(retention_days))).date_naive()
    }

    /// Drops every day partition wholly older than the retention period: first from the table log (one commit),
    /// then its files. Days inside the period are never touched.
    pub async fn enforce_retention(
        &mut self,
        retention_days: u32,
        now: DateTime<Utc>,
    ) -> Result<RetentionReport, StoreError> {
        let oldest_kept = Self::oldest_kept_day(retention_days, now)
            .format("%Y-%m-%d")
            .to_string();
        let mut report = RetentionReport {
            oldest_kept_day: oldest_kept.clone(),
            ..RetentionReport::default()
        };
        let mut expired_files = Vec::new();
        for file in self.data_files()? {
            if file.day.as_str() < oldest_kept.as_str() {
                report.events_removed += file.events.unwrap_or(0);
                if !report.days_removed.contains(&file.day) {
                    report.days_removed.push(file.day);
                }
                expired_files.push(file.path);
            }
        }
        if expired_files.is_empty() {
            return Ok(report);
        }
        report.days_removed.sort();
        let predicate = format!("{PARTITION_COLUMN} < '{oldest_kept}'");
        let table = self.table.clone();
        let (table, _metrics) = table
            .delete()
            .with_commit_properties(Self::commit_properties())
            .with_predicate(predicate)
            .await
            .map_err(|e| StoreError::delta(&self.store_id, e))?;
        self.table = table;
        // The log no longer names these files: delete them. A crash here leaves only unreferenced files.
        for path in &expired_files {
            match self.objects.delete(path).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => report.files_removed += 1,
                Err(e) => {
                    return Err(StoreError::ObjectStore {
                        path: path.to_string(),
                        source: e,
                    });
                }
            }
        }
        if let Ok(dir) = self.url.to_file_path() {
            for day in &report.days_removed {
                // Only empty folders go; anything left in one stays.
                let _ = std::fs::remove_dir(dir.join(format!("{PARTITION_COLUMN}={day}")));
            }
        }
        Ok(report)
    }

    /// The table's folder in [`objects`](Self::objects).
    pub(crate) fn prefix(&self) -> &str {
        &self.prefix
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use deltalake::arrow::datatypes::{DataType, Field, Schema};

    fn days(values: &[&str]) -> RecordBatch {
        let schema = Schema::new(vec![Field::new(PARTITION_COLUMN, DataType::Utf8, false)]);
        RecordBatch::try_new(
            Arc::new(schema),
            vec![Arc::new(StringArray::from(values.to_vec()))],
        )
        .expect("batch")
    }

    #[test]
    fn a_batch_is_written_under_its_day_only_if_every_row_is_of_that_day() {
        let batch = |day: &str, rows: &[&str]| DayBatch {
            day: day.to_owned(),
            batch: days(rows),
        };
        assert!(
            batch("2024-05-01", &["2024-05-01", "2024-05-01"])
                .check("s")
                .is_ok()
        );
        let err = batch("2024-05-01", &["2024-05-01", "2024-05-02"])
            .check("s")
            .expect_err("a row of another day");
        assert!(
            err.to_string()
                .contains("a batch for day 2024-05-01 of store s holds a row of day 2024-05-02"),
            "{err}"
        );
    }
}
