//! `import`: copying a trail's log files from its bucket (or a copy of it in a folder) into a store, with
//! CloudTrail Lake's semantics: a time range, regions, statistics, stop and restart.
//!
//! The files are read in batches of about [`BATCH_BYTES`], each ingested and committed with the record of its
//! files (see `auditlake_store::SourceManifest`): a killed or stopped import loses at most the batch it was in, and
//! a restart (`import start --import-id`) skips every file already committed. The record is written after every
//! batch, so `import show` follows it.

mod record;
mod source;

use std::sync::Arc;
use std::time::Instant;

use auditlake_store::{Coverage, DEFAULT_VACUUM_GRACE, Lake};
use chrono::{DateTime, Utc};
use futures::StreamExt;

pub use record::{
    ImportFailure, ImportRecord, ImportSource, ImportStatistics, ImportStatus, Imports,
    S3ImportSource,
};
pub use source::{DayPrefix, TrailObject, TrailSource};

use crate::error::IngestError;
use crate::ingest::{IngestOptions, Progress, ingest};
use crate::input::Source;
use crate::rejects::Reject;

/// Input (bytes as stored) read and committed at a time: about 32 MiB of gzipped trail files, 250 MiB of JSON.
const BATCH_BYTES: u64 = 32 << 20;

/// Objects downloaded at once from a bucket.
const DOWNLOADS: usize = 16;

/// A running import whose record has not changed for this long is taken to be dead: it may be restarted.
pub const STALE_AFTER: chrono::Duration = chrono::Duration::minutes(5);

/// What to import.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    /// The store: id, ARN or name.
    pub store: String,
    /// `s3://bucket/prefix` or a folder, holding `AWSLogs/`.
    pub source: String,
    /// Copy events at or after this time.
    pub start: Option<DateTime<Utc>>,
    /// Copy events at or before this time.
    pub end: Option<DateTime<Utc>>,
    /// Only these regions (all when empty).
    pub regions: Vec<String>,
}

/// Creates an import's record (INITIALIZING); [`run_import`] does the work.
pub async fn create_import(
    lake: &Lake,
    request: ImportRequest,
) -> Result<ImportRecord, IngestError> {
    if let (Some(start), Some(end)) = (request.start, request.end)
        && start > end
    {
        return Err(IngestError::Invalid(format!(
            "the start time {start} is after the end time {end}"
        )));
    }
    let store = lake.store(&request.store).await?;
    store.check_accepts_events()?;
    // The source must be readable before anything is recorded.
    TrailSource::open(&request.source)?;
    let now = Utc::now();
    let record = ImportRecord {
        import_id: uuid::Uuid::new_v4().to_string(),
        destinations: vec![store.arn.clone()],
        import_source: ImportSource {
            s3: S3ImportSource {
                s3_location_uri: request.source,
            },
        },
        start_event_time: request.start,
        end_event_time: request.end,
        regions: request.regions,
        import_status: ImportStatus::Initializing,
        created_timestamp: now,
        updated_timestamp: now,
        import_statistics: ImportStatistics::default(),
        error_message: None,
    };
    Imports::new(lake).save(&record).await?;
    Ok(record)
}

/// Marks an import to stop: a running import stops after the batch it is in; its record says STOPPED.
pub async fn stop_import(lake: &Lake, id: &str) -> Result<ImportRecord, IngestError> {
    let imports = Imports::new(lake);
    let mut record = imports.get(id).await?;
    match record.import_status {
        ImportStatus::Initializing | ImportStatus::InProgress => {
            record.import_status = ImportStatus::Stopped;
            record.updated_timestamp = Utc::now();
            imports.save(&record).await?;
            Ok(record)
        }
        status => Err(IngestError::Invalid(format!(
            "import {id} is {status}: only a running import can be stopped"
        ))),
    }
}

/// Wraps a progress display so that each batch's ingest adds to one bar rather than starting its own.
struct Overall(Arc<dyn Progress>);

impl Progress for Overall {
    fn advance(&self, bytes: u64) {
        self.0.advance(bytes);
    }
}

/// Runs (or goes on with) an import until every file in range is read, it is stopped, or it fails.
pub async fn run_import(
    lake: &Lake,
    id: &str,
    progress: Arc<dyn Progress>,
) -> Result<ImportRecord, IngestError> {
    let imports = Imports::new(lake);
    let mut record = imports.get(id).await?;
    match record.import_status {
        ImportStatus::Completed => {
            return Err(IngestError::Invalid(format!(
                "import {id} is COMPLETED; start a new import to copy again"
            )));
        }
        ImportStatus::Initializing | ImportStatus::InProgress
            if record.created_timestamp != record.updated_timestamp
                && Utc::now() - record.updated_timestamp < STALE_AFTER =>
        {
            return Err(IngestError::Invalid(format!(
                "import {id} is running (its record changed at {}); stop it first with `auditlake import stop {id}`",
                record.updated_timestamp
            )));
        }
        _ => {}
    }
    record.import_status = ImportStatus::InProgress;
    record.error_message = None;
    record.updated_timestamp = Utc::now();
    imports.save(&record).await?;
    match copy(lake, &imports, &mut record, progress).await {
        Ok(()) => Ok(record),
        Err(e) => {
            record.import_status = ImportStatus::Failed;
            record.error_message = Some(e.to_string());
            record.updated_timestamp = Utc::now();
            imports.save(&record).await?;
            Err(e)
        }
    }
}

async fn copy(
    lake: &Lake,
    imports: &Imports<'_>,
    record: &mut ImportRecord,
    progress: Arc<dyn Progress>,
) -> Result<(), IngestError> {
    let started = Instant::now();
    let store_ref = record
        .destinations
        .first()
        .cloned()
        .ok_or_else(|| IngestError::Invalid("the import names no store".into()))?;
    let source = TrailSource::open(&record.import_source.s3.s3_location_uri)?;
    let prefixes = source
        .day_prefixes(
            record.start_event_time,
            record.end_event_time,
            &record.regions,
        )
        .await?;
    // Statistics are counted again from the source on every run; what earlier runs copied is in the store, and
    // its files count as completed when they are skipped.
    let mut stats = ImportStatistics {
        prefixes_found: prefixes.len() as u64,
        failed_entries: record.import_statistics.failed_entries,
        events_completed: record.import_statistics.events_completed,
        ..ImportStatistics::default()
    };
    let time_range = match (record.start_event_time, record.end_event_time) {
        (None, None) => None,
        (start, end) => Some((
            start.map_or(i64::MIN, |t| t.timestamp_micros()),
            end.map_or(i64::MAX, |t| t.timestamp_micros()),
        )),
    };
    // A bucket's objects the store holds (by ETag) are not downloaded again.
    let store = lake.store(&store_ref).await?;
    let committed = lake.table(&store).await?.source_manifest().await?;
    let mut listed = Vec::with_capacity(prefixes.len());
    for prefix in &prefixes {
        let (files, others) = source.files(prefix).await?;
        stats.other_files_skipped += others;
        let before = files.len();
        let files: Vec<TrailObject> = files
            .into_iter()
            .filter(|f| {
                let known = f
                    .etag
                    .as_ref()
                    .filter(|_| source.local_file(&f.path).is_none())
                    .and_then(|etag| committed.object_hash(&source.location(&f.path), etag));
                !known.is_some_and(|sha| committed.coverage(sha, time_range) == Coverage::All)
            })
            .collect();
        stats.files_completed += (before - files.len()) as u64;
        listed.push(files);
    }
    progress.start(listed.iter().flatten().map(|f| f.size).sum());
    let overall: Arc<dyn Progress> = Arc::new(Overall(progress.clone()));
    let reports = imports.reports_dir(&record.import_id);
    let mut batch: Vec<TrailObject> = Vec::new();
    let mut batch_bytes = 0;
    // Prefixes whose files are all in the batch: completed when it is committed.
    let mut batch_prefixes = 0;
    let mut batch_number = 0;
    let total = listed.len();
    for (n, files) in listed.into_iter().enumerate() {
        for file in files {
            batch_bytes += file.size;
            batch.push(file);
        }
        batch_prefixes += 1;
        if batch_bytes < BATCH_BYTES && n + 1 < total {
            continue;
        }
        batch_number += 1;
        let options = IngestOptions {
            rejects_path: Some(reports.join(format!(
                "{}-{batch_number:05}.rejects.jsonl",
                Utc::now().format("%Y%m%dT%H%M%SZ")
            ))),
            time_range,
            // One commit per batch.
            commit_bytes: u64::MAX,
            commit_interval: std::time::Duration::MAX,
            ..IngestOptions::default()
        };
        let sources = sources_of(&source, std::mem::take(&mut batch)).await?;
        if !sources.failures.is_empty() {
            write_failures(
                &reports.join(format!("{batch_number:05}.downloads.jsonl")),
                &sources.failures,
            )?;
        }
        let summary = ingest(lake, &store_ref, &sources.inputs, options, overall.clone()).await?;
        stats.files_completed += summary.files as u64;
        stats.events_completed += summary.events_written;
        stats.events_out_of_range += summary.events_out_of_range;
        stats.failed_entries +=
            summary.events_rejected + summary.inputs_failed + sources.failures.len() as u64;
        stats.prefixes_completed += batch_prefixes;
        batch_prefixes = 0;
        batch_bytes = 0;
        if let Some(report) = &summary.rejects_report {
            tracing::info!(import = %record.import_id, report, "records rejected");
        }
        // Stopped meanwhile? The record on storage says so.
        let stopped = imports.get(&record.import_id).await?.import_status == ImportStatus::Stopped;
        record.import_statistics = stats.clone();
        record.updated_timestamp = Utc::now();
        if stopped {
            record.import_status = ImportStatus::Stopped;
            imports.save(record).await?;
            progress.finish();
            return Ok(());
        }
        imports.save(record).await?;
    }
    progress.finish();
    // What killed runs before this one left goes, once it is old enough not to be a running writer's.
    lake.table(&store)
        .await?
        .vacuum(DEFAULT_VACUUM_GRACE)
        .await?;
    record.import_statistics = stats;
    record.import_status = ImportStatus::Completed;
    record.updated_timestamp = Utc::now();
    imports.save(record).await?;
    tracing::info!(import = %record.import_id, seconds = started.elapsed().as_secs_f64(), "import completed");
    Ok(())
}

/// A batch's inputs: local files as paths, a bucket's objects downloaded.
struct BatchSources {
    inputs: Vec<Source>,
    /// Objects that could not be downloaded: failures of the import.
    failures: Vec<Reject>,
}

/// Writes failures in the rejects report's format, where `import failures` finds them.
fn write_failures(path: &std::path::Path, failures: &[Reject]) -> Result<(), IngestError> {
    let io = |e| IngestError::Report {
        path: path.display().to_string(),
        source: e,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut text = String::new();
    for failure in failures {
        text.push_str(&serde_json::to_string(failure).map_err(|e| io(e.into()))?);
        text.push('\n');
    }
    std::fs::write(path, text).map_err(io)
}

async fn sources_of(
    source: &TrailSource,
    files: Vec<TrailObject>,
) -> Result<BatchSources, IngestError> {
    if source
        .local_file(&object_store::path::Path::default())
        .is_some()
    {
        let inputs = files
            .iter()
            .filter_map(|f| source.local_file(&f.path))
            .map(Source::Path)
            .collect();
        return Ok(BatchSources {
            inputs,
            failures: Vec::new(),
        });
    }
    let downloaded: Vec<_> = futures::stream::iter(files)
        .map(|file| async move {
            let got = source.read(&file.path).await;
            (file, got)
        })
        .buffered(DOWNLOADS)
        .collect()
        .await;
    let mut inputs = Vec::with_capacity(downloaded.len());
    let mut failures = Vec::new();
    for (file, got) in downloaded {
        match got {
            Ok(bytes) => inputs.push(Source::Object {
                location: source.location(&file.path),
                etag: file.etag,
                bytes,
            }),
            Err(e) => failures.push(Reject {
                source: source.location(&file.path),
                line: None,
                record_index: None,
                event_id: None,
                reason: format!("cannot download: {e}"),
                record: None,
            }),
        }
    }
    Ok(BatchSources { inputs, failures })
}
