//! Decoding one record's JSON text, and collecting decoded records into Arrow record batches.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch, StringBuilder};
use chrono::Datelike;
use serde::Deserialize;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

use crate::column::{Column, ColumnBuilder};
use crate::error::RecordError;
use crate::json::compact_json;
use crate::record::{Record, RecordBuilder};
use crate::{MAX_EVENT_BYTES, event_schema};

/// A record decoded and validated, ready to append to a batch.
#[derive(Debug, Clone)]
pub struct DecodedEvent<'a> {
    /// The typed fields.
    pub record: Record<'a>,
    /// `eventTime` in microseconds since the epoch, UTC.
    pub event_time: i64,
    /// The original record as compact JSON.
    pub json: Cow<'a, str>,
}

/// Decodes and validates one CloudTrail record from its JSON text.
///
/// An EventBridge envelope (`"detail-type": "AWS API Call via CloudTrail"`) is unwrapped to the record in its
/// `detail`. Nothing is allocated for string fields without escapes.
pub fn decode_event(text: &str) -> Result<DecodedEvent<'_>, RecordError> {
    if text.len() > MAX_EVENT_BYTES {
        return Err(RecordError::Oversize {
            size: text.len(),
            limit: MAX_EVENT_BYTES,
        });
    }
    match text.trim_start().as_bytes().first() {
        Some(b'{') => {}
        Some(b'[') => return Err(RecordError::NotAnObject("an array")),
        Some(b'"') => return Err(RecordError::NotAnObject("a string")),
        Some(b'n') => return Err(RecordError::NotAnObject("null")),
        Some(b't' | b'f') => return Err(RecordError::NotAnObject("a boolean")),
        Some(_) => return Err(RecordError::NotAnObject("a number or invalid JSON")),
        None => return Err(RecordError::NotAnObject("nothing")),
    }
    let record: Record<'_> = serde_json::from_str(text).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => RecordError::Invalid(positioned(&e)),
        _ => RecordError::Json(positioned(&e)),
    })?;
    let time = match record.event_time {
        Some(time) => time.0,
        None => match missing_event_time(text)? {
            Fallback::Time(time) => time,
            Fallback::Unwrapped(event) => return Ok(*event),
        },
    };
    Ok(DecodedEvent {
        record,
        event_time: time,
        json: compact_json(text),
    })
}

/// A serde_json error with its position said relative to the record: `(column C)` for a one-line record.
fn positioned(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let base = text
        .rfind(" at line ")
        .map_or(text.as_str(), |i| &text[..i]);
    match (e.line(), e.column()) {
        (0, _) => base.to_owned(),
        (1, column) => format!("{base} (column {column})"),
        (line, column) => format!("{base} (line {line} of the record, column {column})"),
    }
}

/// What stands in for a missing `eventTime`.
enum Fallback<'a> {
    /// The event time from elsewhere in the record.
    Time(i64),
    /// The record inside an envelope.
    Unwrapped(Box<DecodedEvent<'a>>),
}

/// Explains a record without `eventTime`: a digest, an EventBridge envelope to unwrap, a Logstash/Elastic export
/// whose event time is in `@timestamp`, or a true omission.
fn missing_event_time(text: &str) -> Result<Fallback<'_>, RecordError> {
    #[derive(Deserialize)]
    struct Envelope<'a> {
        #[serde(borrow, rename = "detail-type")]
        detail_type: Option<&'a RawValue>,
        #[serde(borrow)]
        detail: Option<&'a RawValue>,
        #[serde(borrow, rename = "digestStartTime")]
        digest_start_time: Option<&'a RawValue>,
        #[serde(borrow, rename = "logFiles")]
        log_files: Option<&'a RawValue>,
        #[serde(borrow, rename = "logEvents")]
        log_events: Option<&'a RawValue>,
        #[serde(rename = "@timestamp")]
        at_timestamp: Option<String>,
    }
    if let Ok(envelope) = serde_json::from_str::<Envelope<'_>>(text) {
        if envelope.digest_start_time.is_some() && envelope.log_files.is_some() {
            return Err(RecordError::Digest);
        }
        if let (Some(_), Some(detail)) = (envelope.detail_type, envelope.detail) {
            let inner = detail.get();
            if inner.trim_start().starts_with('{') && !inner.contains("\"detail-type\"") {
                return decode_event(inner).map(|e| Fallback::Unwrapped(Box::new(e)));
            }
        }
        if envelope.log_events.is_some() {
            return Err(RecordError::Invalid(
                "a CloudWatch Logs subscription payload, not a record: its logEvents[].message hold the records".into(),
            ));
        }
        if let Some(stamp) = envelope.at_timestamp {
            return crate::time::parse_event_time(&stamp)
                .map(Fallback::Time)
                .ok_or_else(|| {
                    RecordError::Invalid(format!(
                        "missing eventTime, and @timestamp is not a time: \"{stamp}\""
                    ))
                });
        }
    }
    Err(RecordError::Missing("eventTime"))
}

/// Collects decoded events into record batches of the event schema.
pub struct EventBatchBuilder {
    fields: RecordBuilder<'static>,
    json: StringBuilder,
    checksum: StringBuilder,
    day: StringBuilder,
    rows: usize,
    json_bytes: usize,
}

impl EventBatchBuilder {
    /// A builder with room for `capacity` events.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            fields: Record::builder(capacity),
            json: StringBuilder::with_capacity(capacity, capacity * 1024),
            checksum: StringBuilder::with_capacity(capacity, capacity * 64),
            day: StringBuilder::with_capacity(capacity, capacity * 10),
            rows: 0,
            json_bytes: 0,
        }
    }

    /// Appends one event.
    pub fn append(&mut self, event: &DecodedEvent<'_>) {
        self.fields.append(Some(&event.record));
        self.json.append_value(&event.json);
        let digest = Sha256::digest(event.json.as_bytes());
        let mut hex = [0u8; 64];
        // A 32-byte digest always fits 64 hex digits.
        let _ = hex::encode_to_slice(digest, &mut hex);
        self.checksum
            .append_value(std::str::from_utf8(&hex).unwrap_or_default());
        match chrono::DateTime::from_timestamp_micros(event.event_time) {
            Some(t) => {
                let _ = write!(self.day, "{:04}-{:02}-{:02}", t.year(), t.month(), t.day());
                self.day.append_value("");
            }
            None => self.day.append_value("0000-00-00"),
        }
        self.rows += 1;
        self.json_bytes += event.json.len();
    }

    /// Events appended since the last [`finish`](Self::finish).
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Whether no event was appended since the last [`finish`](Self::finish).
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Bytes of event JSON appended since the last [`finish`](Self::finish): a measure of the batch's size.
    pub fn json_bytes(&self) -> usize {
        self.json_bytes
    }

    /// Takes the events appended so far as a record batch of [`event_schema`].
    pub fn finish(&mut self) -> RecordBatch {
        let mut columns: Vec<ArrayRef> = self.fields.finish_children();
        columns.push(Arc::new(self.json.finish()));
        columns.push(Arc::new(self.checksum.finish()));
        columns.push(Arc::new(self.day.finish()));
        self.rows = 0;
        self.json_bytes = 0;
        // The columns are built from the same definitions as the schema, so they always match it.
        RecordBatch::try_new(event_schema(), columns)
            .unwrap_or_else(|e| panic!("event batch does not match its schema: {e}"))
    }
}
