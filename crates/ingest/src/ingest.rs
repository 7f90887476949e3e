//! The ingest run: inputs → parallel decode → one commit per group of inputs → retention.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use auditlake_schema::{DecodedEvent, EventBatchBuilder, RecordBatch, decode_event};
use auditlake_store::{AdvancedEventSelector, Appender, EventTable, Lake, RetentionReport};
use chrono::{DateTime, Utc};
use rayon::prelude::*;
use serde::Serialize;

use crate::error::IngestError;
use crate::filter::selects;
use crate::input::{Chunk, ChunkReader, InputFailure, InputFormat, Source, expand, split};
use crate::rejects::{Reject, RejectsReport};

/// How to run an ingest.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Force a layout instead of detecting it.
    pub format: InputFormat,
    /// Where to write the rejects report (default: under the lake, `ingest-reports/<store-id>/`).
    pub rejects_path: Option<PathBuf>,
    /// Input text decoded between two commits; bounds memory.
    pub group_bytes: usize,
    /// Size of the pieces decoded in parallel.
    pub chunk_bytes: usize,
    /// The time retention is judged at.
    pub now: DateTime<Utc>,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            format: InputFormat::Auto,
            rejects_path: None,
            group_bytes: 128 << 20,
            chunk_bytes: 4 << 20,
            now: Utc::now(),
        }
    }
}

/// Receives progress, e.g. to draw a progress bar.
pub trait Progress: Send + Sync {
    /// Ingest starts; `total_bytes` of files are known (stdin is not counted).
    fn start(&self, _total_bytes: u64) {}
    /// `bytes` more of input were read.
    fn advance(&self, _bytes: u64) {}
    /// Ingest ends.
    fn finish(&self) {}
}

impl Progress for () {}

/// What an ingest did.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IngestSummary {
    /// The store's id.
    pub store_id: String,
    /// Inputs read (files, and stdin).
    pub files: usize,
    /// Records read.
    pub events_read: u64,
    /// Events written to the store.
    pub events_written: u64,
    /// Events that no selector of the store matched.
    pub events_filtered: u64,
    /// Events older than the store's retention period, not written.
    pub events_expired: u64,
    /// Records rejected (see the rejects report).
    pub events_rejected: u64,
    /// Inputs that could not be read at all (see the rejects report).
    pub inputs_failed: u64,
    /// Bytes of input read (after decompression).
    pub bytes_read: u64,
    /// Commits made: one when anything was written, else none.
    pub commits: u64,
    /// Seconds taken.
    pub seconds: f64,
    /// The rejects report, when anything was rejected.
    pub rejects_report: Option<String>,
    /// The first few rejects, for a quick look.
    pub first_rejects: Vec<String>,
    /// What retention removed afterwards.
    pub retention: RetentionReport,
}

/// Ingests `sources` into the store named `store_ref`.
///
/// A store that is stopped or pending deletion is refused before any input is read. Bad records are rejected
/// one by one with their place and reason; the good ones beside them are written.
pub async fn ingest(
    lake: &Lake,
    store_ref: &str,
    sources: &[Source],
    options: IngestOptions,
    progress: Arc<dyn Progress>,
) -> Result<IngestSummary, IngestError> {
    let started = Instant::now();
    let store = lake.store(store_ref).await?;
    store.check_accepts_events()?;
    let inputs = expand(sources)?;
    let mut table = lake.table(&store).await?;
    let report_path = options
        .rejects_path
        .clone()
        .unwrap_or_else(|| default_report_path(lake, &store.id, options.now));
    let mut rejects = RejectsReport::new(report_path);
    let mut summary = IngestSummary {
        store_id: store.id.clone(),
        files: inputs.len(),
        ..IngestSummary::default()
    };
    progress.start(inputs.iter().map(|i| i.size).sum());

    let oldest_kept = EventTable::oldest_kept_day(store.retention_days, options.now)
        .format("%Y-%m-%d")
        .to_string();
    let context = Arc::new(DecodeContext {
        selectors: store.advanced_event_selectors.clone(),
        oldest_kept,
    });

    // Every group's events go to files now and into one commit at the end: a kill at any moment leaves the
    // store as it was (plus unreferenced files), so running the ingest again never counts an event twice.
    let mut appender = table.appender()?;
    let mut group: Vec<Chunk> = Vec::new();
    let mut group_bytes = 0usize;
    for input in inputs {
        let mut reader = match ChunkReader::open(input, options.format, options.chunk_bytes) {
            Ok(reader) => reader,
            Err(failure) => {
                record_failure(&mut summary, &mut rejects, failure)?;
                continue;
            }
        };
        loop {
            let next = reader.next_chunk();
            progress.advance(std::mem::take(&mut reader.bytes_read));
            match next {
                Ok(Some(chunk)) => {
                    group_bytes += chunk.text.len();
                    group.push(chunk);
                    if group_bytes >= options.group_bytes {
                        write_group(
                            &mut appender,
                            std::mem::take(&mut group),
                            &context,
                            &mut summary,
                            &mut rejects,
                        )
                        .await?;
                        group_bytes = 0;
                    }
                }
                Ok(None) => break,
                Err(failure) => {
                    record_failure(&mut summary, &mut rejects, failure)?;
                    break;
                }
            }
        }
    }
    write_group(&mut appender, group, &context, &mut summary, &mut rejects).await?;
    rejects.finish()?;
    let mut metadata = serde_json::Map::new();
    metadata.insert("auditlake.operation".into(), "ingest".into());
    metadata.insert("auditlake.inputs".into(), summary.files.into());
    metadata.insert("auditlake.eventsRead".into(), summary.events_read.into());
    let report = table.commit(appender, metadata).await?;
    summary.events_written = report.events as u64;
    summary.commits = u64::from(report.events > 0);
    summary.retention = table
        .enforce_retention(store.retention_days, options.now)
        .await?;
    if rejects.is_written() {
        summary.rejects_report = Some(rejects.path().display().to_string());
    }
    summary.seconds = started.elapsed().as_secs_f64();
    progress.finish();
    Ok(summary)
}

fn default_report_path(lake: &Lake, store_id: &str, now: DateTime<Utc>) -> PathBuf {
    let name = format!(
        "{}-{}.rejects.jsonl",
        now.format("%Y%m%dT%H%M%SZ"),
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let base = lake
        .local_root()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("ingest-reports").join(store_id).join(name)
}

fn record_failure(
    summary: &mut IngestSummary,
    rejects: &mut RejectsReport,
    failure: InputFailure,
) -> Result<(), IngestError> {
    let reject = Reject {
        source: failure.source,
        line: failure.line,
        record_index: None,
        event_id: None,
        reason: failure.reason,
        record: None,
    };
    summary.inputs_failed += 1;
    note_reject(summary, rejects, &reject)
}

fn note_reject(
    summary: &mut IngestSummary,
    rejects: &mut RejectsReport,
    reject: &Reject,
) -> Result<(), IngestError> {
    if summary.first_rejects.len() < 5 {
        summary.first_rejects.push(reject.describe());
    }
    rejects.write(reject)
}

/// What every decode task needs to know about the store.
struct DecodeContext {
    selectors: Vec<AdvancedEventSelector>,
    oldest_kept: String,
}

/// One chunk decoded.
#[derive(Default)]
struct Decoded {
    batch: Option<RecordBatch>,
    read: u64,
    filtered: u64,
    expired: u64,
    rejects: Vec<Reject>,
    failure: Option<InputFailure>,
}

fn decode_chunk(chunk: &Chunk, context: &DecodeContext) -> Decoded {
    let records = match split(chunk) {
        Ok(records) => records,
        Err(failure) => {
            return Decoded {
                failure: Some(failure),
                ..Decoded::default()
            };
        }
    };
    let mut out = Decoded {
        read: records.len() as u64,
        ..Decoded::default()
    };
    let mut builder = EventBatchBuilder::with_capacity(records.len());
    for record in records {
        let event: DecodedEvent<'_> = match decode_event(record.text) {
            Ok(event) => event,
            Err(e) => {
                out.rejects.push(Reject::record(
                    &chunk.source,
                    record.line,
                    record.index,
                    record.text,
                    e.to_string(),
                ));
                continue;
            }
        };
        if !selects(&context.selectors, &event.record) {
            out.filtered += 1;
            continue;
        }
        if auditlake_schema::day_of_micros(event.event_time)
            .is_none_or(|day| day < context.oldest_kept)
        {
            out.expired += 1;
            continue;
        }
        builder.append(&event);
    }
    if !builder.is_empty() {
        out.batch = Some(builder.finish());
    }
    out
}

/// Decodes a group of chunks on every core and writes their events to files, not yet committed.
async fn write_group(
    appender: &mut Appender,
    group: Vec<Chunk>,
    context: &Arc<DecodeContext>,
    summary: &mut IngestSummary,
    rejects: &mut RejectsReport,
) -> Result<(), IngestError> {
    if group.is_empty() {
        return Ok(());
    }
    summary.bytes_read += group.iter().map(|c| c.text.len() as u64).sum::<u64>();
    let context = context.clone();
    let decoded: Vec<Decoded> = tokio::task::spawn_blocking(move || {
        group
            .par_iter()
            .map(|chunk| decode_chunk(chunk, &context))
            .collect()
    })
    .await
    .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
    let mut batches = Vec::with_capacity(decoded.len());
    for d in decoded {
        summary.events_read += d.read;
        summary.events_filtered += d.filtered;
        summary.events_expired += d.expired;
        if let Some(failure) = d.failure {
            record_failure(summary, rejects, failure)?;
        }
        for reject in &d.rejects {
            summary.events_rejected += 1;
            note_reject(summary, rejects, reject)?;
        }
        batches.extend(d.batch);
    }
    for batch in batches {
        appender.write(batch).await?;
    }
    appender.flush().await?;
    Ok(())
}
