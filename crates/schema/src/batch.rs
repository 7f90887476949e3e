//! Decoding one record's JSON text, and collecting decoded records into Arrow record batches.

use std::borrow::Cow;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, RecordBatch, StringArray, StringBuilder};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::column::{Column, ColumnBuilder};
use crate::error::RecordError;
use crate::json::compact_json;
use crate::record::{Record, RecordBuilder};
use crate::{MAX_EVENT_BYTES, event_schema};

/// A record decoded and validated, ready to append to a batch.
#[derive(Debug, Clone)]
pub struct DecodedEvent<'a> {
    /// The typed fields (boxed: a record is nearly 2 KB, and moving it by value from the parse to the batch cost
    /// 3% of an ingest in copies).
    pub record: Box<Record<'a>>,
    /// `eventTime` in microseconds since the epoch, UTC.
    pub event_time: i64,
    /// The original record as compact JSON.
    pub json: Cow<'a, str>,
    /// Whether the typed fields and the keys' layout write `json` again byte for byte, as the decoder found while
    /// reading it: the batch then stores the layout without comparing the two.
    pub exact: bool,
}

/// Decodes and validates one CloudTrail record from its JSON text.
///
/// An EventBridge envelope (`"detail-type": "AWS API Call via CloudTrail"`) is unwrapped to the record in its
/// `detail`. Nothing is allocated for string fields without escapes.
pub fn decode_event(text: &str) -> Result<DecodedEvent<'_>, RecordError> {
    decode(text, false)
}

/// [`decode_event`] for text known to have no whitespace outside its strings (as CloudTrail writes records, and
/// as a trail file's splitter can tell while it cuts): the text is kept as it is, without a pass to compact it.
pub fn decode_compact_event(text: &str) -> Result<DecodedEvent<'_>, RecordError> {
    debug_assert!(matches!(compact_json(text), Cow::Borrowed(_)), "{text}");
    decode(text, true)
}

/// Decodes the record that starts at `start` of `text` (in a trail log file's `Records`, say) if it is compact and
/// as CloudTrail writes records, with the decoder written for them; with the index just past it. `None` for any
/// other record, which is then cut from the text and decoded as usual: that gives the same event, or the error.
pub fn decode_compact_event_at(text: &str, start: usize) -> Option<(DecodedEvent<'_>, usize)> {
    let (record, exact, end) = crate::fast::decode_record_at(text, start)?;
    if end - start > MAX_EVENT_BYTES {
        return None;
    }
    Some((decoded(record, text.get(start..end)?, exact), end))
}

fn decode(text: &str, compact: bool) -> Result<DecodedEvent<'_>, RecordError> {
    if text.len() > MAX_EVENT_BYTES {
        return Err(RecordError::Oversize {
            size: text.len(),
            limit: MAX_EVENT_BYTES,
        });
    }
    // The decoder written for CloudTrail's records reads no whitespace outside strings: whatever it reads is
    // compact, as JSON Lines written by a program mostly are, whether or not the caller knew.
    if let Some((record, exact)) = crate::fast::decode_record(text) {
        return Ok(decoded(record, text, exact));
    }
    match text.trim_start().as_bytes().first() {
        Some(b'{') => {}
        Some(b'[') => return Err(RecordError::NotAnObject("an array")),
        Some(b'"') => return Err(RecordError::NotAnObject("a string")),
        Some(_) if matches!(text.trim(), "null") => return Err(RecordError::NotAnObject("null")),
        Some(_) if matches!(text.trim(), "true" | "false") => {
            return Err(RecordError::NotAnObject("a boolean"));
        }
        Some(b'-' | b'0'..=b'9') if serde_json::from_str::<f64>(text.trim()).is_ok() => {
            return Err(RecordError::NotAnObject("a number"));
        }
        Some(_) => {
            let syntax = serde_json::from_str::<serde::de::IgnoredAny>(text).err();
            return Err(match syntax {
                Some(e) => RecordError::Json(positioned(&e)),
                None => RecordError::NotAnObject("something else"),
            });
        }
        None => return Err(RecordError::NotAnObject("nothing")),
    }
    let mut record: Box<Record<'_>> = serde_json::from_str(text).map_err(|e| {
        // A syntax error inside a field surfaces as that field's error: say it is not JSON at all.
        match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            Err(syntax) => RecordError::Json(positioned(&syntax)),
            Ok(_) => RecordError::Invalid(positioned(&e)),
        }
    })?;
    if record.event_time.is_none() {
        match missing_event_time(text)? {
            // The column holds the time the event is filed under, as Lake always has one.
            Fallback::Time(time) => record.event_time = Some(crate::record::EventTime(time)),
            Fallback::Unwrapped(event) => return Ok(*event),
        }
    }
    Ok(decoded(
        record,
        if compact {
            Cow::Borrowed(text)
        } else {
            compact_json(text)
        },
        false,
    ))
}

/// The event of a record decoded with its event time, its compact JSON, and whether its layout is known to write
/// that JSON again ([`DecodedEvent::exact`]).
fn decoded<'a>(
    mut record: Box<Record<'a>>,
    json: impl Into<Cow<'a, str>>,
    exact: bool,
) -> DecodedEvent<'a> {
    if record.event_category.is_none() {
        // Lake fills eventCategory for records older than the field.
        record.event_category = Some(crate::column::Text(Cow::Owned(
            record.category().to_owned(),
        )));
    }
    DecodedEvent {
        event_time: record.event_time.map_or(0, |t| t.0),
        record,
        json: json.into(),
        exact,
    }
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
///
/// A record whose JSON is written again byte for byte from its typed columns and its [layout](crate::layout)
/// is stored as that layout in `eventjson`; any other record is stored whole. `eventjsonchecksum` is stored
/// empty: it is computed when read ([`crate::rebuild`]).
pub struct EventBatchBuilder<'a> {
    fields: RecordBuilder<'static>,
    /// Each event's JSON, borrowed from the input where it was already compact: checked against its layout and
    /// copied into the batch only where it is stored whole.
    json: Vec<Cow<'a, str>>,
    /// Whether each event's layout is known to write its JSON again (no comparison needed).
    exact: Vec<bool>,
    layouts: StringBuilder,
    layout: String,
    day: StringBuilder,
    rows: usize,
    json_bytes: usize,
}

impl<'a> EventBatchBuilder<'a> {
    /// A builder with room for `capacity` events.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            fields: Record::builder(capacity),
            json: Vec::with_capacity(capacity),
            exact: Vec::with_capacity(capacity),
            layouts: StringBuilder::with_capacity(capacity, capacity * 64),
            layout: String::with_capacity(128),
            day: StringBuilder::with_capacity(capacity, capacity * 10),
            rows: 0,
            json_bytes: 0,
        }
    }

    /// Appends one event.
    pub fn append(&mut self, event: DecodedEvent<'a>) {
        self.fields.append(Some(&event.record));
        self.layout.clear();
        if event.record.write_fields_layout(&mut self.layout) {
            self.layouts.append_value(&self.layout);
        } else {
            self.layouts.append_null();
        }
        match crate::day_of_micros(event.event_time) {
            Some(day) => self.day.append_value(day.as_str()),
            None => self.day.append_value("0000-00-00"),
        }
        self.rows += 1;
        self.json_bytes += event.json.len();
        self.json.push(event.json);
        self.exact.push(event.exact);
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
        let json = stored_event_json(&self.json, &self.exact, &self.layouts.finish(), &columns);
        self.json.clear();
        self.exact.clear();
        let rows = json.len();
        columns.push(Arc::new(json));
        columns.push(Arc::new(StringArray::from_iter_values(
            std::iter::repeat_n("", rows),
        )));
        columns.push(Arc::new(self.day.finish()));
        self.rows = 0;
        self.json_bytes = 0;
        // The columns are built from the same definitions as the schema, so they always match it.
        RecordBatch::try_new(event_schema(), columns)
            .unwrap_or_else(|e| panic!("event batch does not match its schema: {e}"))
    }
}

/// The `eventjson` column to store: each record's layout where writing it again from `fields` gives back its JSON
/// byte for byte (known from its decoding when `exact`, else compared), else its JSON.
fn stored_event_json(
    json: &[Cow<'_, str>],
    exact: &[bool],
    layouts: &StringArray,
    fields: &[ArrayRef],
) -> StringArray {
    let mut out = StringBuilder::with_capacity(json.len(), json.len() * 64);
    let view = crate::rebuild::RecordView::new(fields).ok();
    let matches = |row: usize, original: &str| {
        view.as_ref()
            .is_some_and(|view| view.matches(layouts.value(row), row, original))
    };
    for (row, original) in json.iter().enumerate() {
        let known = exact.get(row).copied().unwrap_or(false);
        // Tests build in debug: there, what the decoder knew is checked against the comparison every time.
        debug_assert!(
            !known || !layouts.is_valid(row) || matches(row, original),
            "the decoder took a record to be written again exactly, and it is not: {original}"
        );
        let same = layouts.is_valid(row) && (known || matches(row, original));
        out.append_value(if same { layouts.value(row) } else { original });
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use arrow::array::{
        Array, AsArray, BooleanArray, MapArray, StructArray, TimestampMicrosecondArray,
    };

    use sha2::{Digest, Sha256};

    use crate::column::Text;

    use super::*;

    fn batch_of(records: &[&str]) -> RecordBatch {
        let mut builder = EventBatchBuilder::with_capacity(records.len());
        for r in records {
            builder.append(decode_event(r).unwrap_or_else(|e| panic!("{e}: {r}")));
        }
        builder.finish()
    }

    fn map_entries(batch: &RecordBatch, column: &str, row: usize) -> Vec<(String, Option<String>)> {
        let map = batch.column_by_name(column).expect("column");
        let map = map.as_any().downcast_ref::<MapArray>().expect("map");
        let entries = map.value(row);
        let keys = entries.column(0).as_string::<i32>();
        let values = entries.column(1).as_string::<i32>();
        (0..keys.len())
            .map(|i| {
                (
                    keys.value(i).to_owned(),
                    values.is_valid(i).then(|| values.value(i).to_owned()),
                )
            })
            .collect()
    }

    const RECORD: &str = r#"{
        "eventVersion": "1.09", "eventTime": "2024-05-01T12:00:00.5Z", "eventName": "PutObject",
        "userIdentity": {"type": "AssumedRole", "ARN": "arn:aws:sts::1:assumed-role/R/s", "principalId": "AROA:s",
            "sessionContext": {"sessionIssuer": {"userName": "R"}, "attributes": {"mfaAuthenticated": "false"}}},
        "requestParameters": {"bucketName": "b", "key": "k", "size": 12, "tags": {"a": [1, 2]}, "acl": null},
        "resources": [{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::b/k"}, {"type": "AWS::S3::Bucket"}],
        "readOnly": false, "futureField": {"x": 1}
    }"#;

    #[test]
    fn decodes_typed_fields_structs_lists_and_maps() {
        let batch = batch_of(&[RECORD]);
        assert_eq!(batch.schema(), event_schema());
        let time = batch.column_by_name("eventtime").expect("eventtime");
        let time = time
            .as_any()
            .downcast_ref::<TimestampMicrosecondArray>()
            .expect("timestamp");
        assert_eq!(time.value(0), 1_714_564_800_500_000);
        let read_only = batch.column_by_name("readonly").expect("readonly");
        assert!(
            !read_only
                .as_any()
                .downcast_ref::<BooleanArray>()
                .expect("bool")
                .value(0)
        );
        // Struct fields are lowercase and match keys in any case.
        let identity = batch.column_by_name("useridentity").expect("useridentity");
        let identity = identity
            .as_any()
            .downcast_ref::<StructArray>()
            .expect("struct");
        assert_eq!(
            identity
                .column_by_name("arn")
                .expect("arn")
                .as_string::<i32>()
                .value(0),
            "arn:aws:sts::1:assumed-role/R/s"
        );
        let context = identity
            .column_by_name("sessioncontext")
            .expect("sessioncontext");
        let issuer = context
            .as_struct()
            .column_by_name("sessionissuer")
            .expect("sessionissuer");
        assert_eq!(
            issuer
                .as_struct()
                .column_by_name("username")
                .expect("username")
                .as_string::<i32>()
                .value(0),
            "R"
        );
        // Payload values: strings as text, nested values as compact JSON, null as null.
        assert_eq!(
            map_entries(&batch, "requestparameters", 0),
            vec![
                ("bucketName".into(), Some("b".into())),
                ("key".into(), Some("k".into())),
                ("size".into(), Some("12".into())),
                ("tags".into(), Some(r#"{"a":[1,2]}"#.into())),
                ("acl".into(), None),
            ]
        );
        let resources = batch
            .column_by_name("resources")
            .expect("resources")
            .as_list::<i32>()
            .value(0);
        assert_eq!(resources.len(), 2);
        assert_eq!(
            resources
                .as_struct()
                .column_by_name("type")
                .expect("type")
                .as_string::<i32>()
                .value(1),
            "AWS::S3::Bucket"
        );
        // The original record is kept whole, compacted: nothing is lost, unknown fields included.
        let json = batch
            .column_by_name("eventjson")
            .expect("eventjson")
            .as_string::<i32>()
            .value(0)
            .to_owned();
        assert!(
            json.contains(r#""futureField":{"x":1}"#) && !json.contains('\n'),
            "{json}"
        );
        let original: serde_json::Value = serde_json::from_str(RECORD).expect("json");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&json).expect("json"),
            original
        );
        assert_eq!(
            batch
                .column_by_name("eventday")
                .expect("eventday")
                .as_string::<i32>()
                .value(0),
            "2024-05-01"
        );
    }

    /// The stored `eventjson` column, and the JSON of each record as read.
    fn stored_and_read(batch: &RecordBatch) -> (Vec<String>, Vec<String>) {
        let stored = batch.column_by_name("eventjson").expect("eventjson");
        let columns = crate::rebuild::record_columns(batch).expect("columns");
        let read = crate::rebuild::rebuild_event_json(stored, &columns).expect("rebuilt");
        let stored = stored.as_string::<i32>();
        (
            (0..stored.len())
                .map(|i| stored.value(i).to_owned())
                .collect(),
            (0..read.len()).map(|i| read.value(i).to_owned()).collect(),
        )
    }

    #[test]
    fn records_written_again_byte_for_byte_are_stored_as_a_layout() {
        let records = [
            // CloudTrail's own order, explicit nulls, nested structs, a list of structs, typed payload values.
            r#"{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROA:s","arn":"arn:aws:sts::1:assumed-role/R/s","accountId":"1","sessionContext":{"sessionIssuer":{"type":"Role","userName":"R"},"webIdFederationData":{},"attributes":{"creationDate":"2024-01-01T00:00:00Z","mfaAuthenticated":"false"}}},"eventTime":"2024-05-01T12:00:00Z","eventSource":"s3.amazonaws.com","eventName":"PutObject","awsRegion":"us-east-1","sourceIPAddress":"1.2.3.4","userAgent":"ua \"quoted\" é","requestParameters":{"bucketName":"b","size":12,"ratio":-1.5e3,"on":true,"tags":{"a":[1,2]},"acl":null,"n":"text"},"responseElements":null,"requestID":"r","eventID":"e","readOnly":false,"resources":[{"accountId":"1","type":"AWS::S3::Object","ARN":"arn:aws:s3:::b/k"},{"ARN":"arn:aws:s3:::b","type":"AWS::S3::Bucket"}],"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"1","eventCategory":"Data","tlsDetails":{"tlsVersion":"TLSv1.3"}}"#,
            // Keys in another order, a fraction of a second, an empty payload and an empty list.
            r#"{"eventTime":"2024-05-01T12:00:00.250Z","eventName":"ListBuckets","requestParameters":{},"resources":[],"awsRegion":"eu-west-1"}"#,
            // Kept whole: a key that is no field, a number where text is kept, a string that reads as a number,
            // an escape serde_json does not write, a time with a fraction written another way.
            r#"{"eventTime":"2024-05-01T12:00:00Z","futureField":{"x":1}}"#,
            r#"{"eventTime":"2024-05-01T12:00:00Z","eventVersion":1.08}"#,
            r#"{"eventTime":"2024-05-01T12:00:00Z","requestParameters":{"maxResults":"50"}}"#,
            r#"{"eventTime":"2024-05-01T12:00:00Z","eventName":"a\/b"}"#,
            r#"{"eventTime":"2024-05-01T12:00:00.5Z"}"#,
            // Lowercase keys, a repeated key, a payload given as a string.
            r#"{"eventtime":"2024-05-01T12:00:00Z"}"#,
            r#"{"eventTime":"2024-05-01T12:00:00Z","eventName":"a","eventName":"b"}"#,
            r#"{"eventTime":"2024-05-01T12:00:00Z","requestParameters":"{\"a\":1}"}"#,
        ];
        let batch = batch_of(&records);
        let (stored, read) = stored_and_read(&batch);
        for (i, record) in records.iter().enumerate() {
            assert_eq!(
                read[i],
                compact_json(record),
                "record {i} reads back as it came"
            );
            assert_eq!(
                !stored[i].starts_with('{'),
                i < 2,
                "record {i} is stored as a layout only if written again the same: {}",
                stored[i]
            );
        }
        assert!(stored[0].len() < 64, "{}", stored[0]);
        // The checksum is stored empty and computed when read: the SHA-256 of the JSON as read.
        let checksum = batch.column_by_name("eventjsonchecksum").expect("checksum");
        assert_eq!(checksum.as_string::<i32>().value(0), "");
        let read_json = StringArray::from(read.clone());
        let computed = crate::rebuild::event_json_checksum(checksum, &read_json).expect("checksum");
        assert_eq!(
            computed.value(0),
            hex::encode(Sha256::digest(read[0].as_bytes()))
        );
        // A checksum stored by an older version is kept.
        let old = StringArray::from(vec!["abc"; records.len()]);
        assert_eq!(
            crate::rebuild::event_json_checksum(&old, &read_json)
                .expect("checksum")
                .value(0),
            "abc"
        );
    }

    #[test]
    fn a_layout_that_does_not_fit_its_columns_is_an_error_not_a_wrong_record() {
        let batch = batch_of(&[r#"{"eventTime":"2024-05-01T12:00:00Z","eventName":"x"}"#]);
        let columns = crate::rebuild::record_columns(&batch).expect("columns");
        for layout in ["C(", "Z", "C!", "?", "CB(A)"] {
            let stored = StringArray::from(vec![layout]);
            assert!(
                crate::rebuild::rebuild_event_json(&stored, &columns).is_err(),
                "{layout}"
            );
        }
    }

    #[test]
    fn lenient_where_real_logs_need_it() {
        let lower = r#"{"eventtime": "2023-01-10 21:04:02", "eventname": "GetRecords", "managementevent": "True"}"#;
        let as_string = r#"{"eventTime": "2020-11-05 21:21:46Z", "requestParameters": "{\n \"roleName\": \"SomeRole\"\n}"}"#;
        let batch = batch_of(&[lower, as_string]);
        assert_eq!(
            batch
                .column_by_name("eventname")
                .expect("eventname")
                .as_string::<i32>()
                .value(0),
            "GetRecords"
        );
        assert_eq!(
            map_entries(&batch, "requestparameters", 1),
            vec![("roleName".into(), Some("SomeRole".into()))]
        );
        let category = batch
            .column_by_name("eventcategory")
            .expect("eventcategory");
        // Older records have no eventCategory: it is filled in from managementEvent, as Lake does.
        assert_eq!(category.as_string::<i32>().value(0), "Management");
    }

    #[test]
    fn rejects_say_what_and_where() {
        let err = |r: &str| decode_event(r).expect_err(r).to_string();
        assert_eq!(err(r#"{"eventName": "x"}"#), "missing eventTime");
        assert!(
            err(r#"{"eventTime": "2024-05-01T00:00:00Z", "readOnly": "maybe"}"#)
                .starts_with("readOnly: expected true or false, found \"maybe\" (column")
        );
        assert!(
            err(r#"{"eventTime": "2024-05-01T00:00:00Z", "userIdentity": "root"}"#)
                .starts_with("userIdentity: invalid type")
        );
        assert!(
            err(r#"{"eventTime": "2024-05-01T00:00:00Z", "requestParameters": [1]}"#)
                .starts_with("requestParameters: invalid type")
        );
        assert!(err(r#"{"eventTime": 5}"#).starts_with("eventTime: invalid type"));
        assert!(err("{\"eventTime\": \"2024").starts_with("not valid JSON"));
        assert_eq!(
            err("42"),
            "not a CloudTrail record: expected a JSON object, found a number"
        );
        assert_eq!(
            err("null"),
            "not a CloudTrail record: expected a JSON object, found null"
        );
        // A line that is not JSON at all says so, not "found null".
        assert!(
            err("not json").starts_with("not valid JSON: expected"),
            "{}",
            err("not json")
        );
        let big = format!(
            r#"{{"eventTime": "2024-05-01T00:00:00Z", "x": "{}"}}"#,
            "a".repeat(MAX_EVENT_BYTES)
        );
        assert!(err(&big).contains("over the 1048576-byte limit"));
        assert_eq!(
            err(r#"{"digestStartTime": "2024", "logFiles": []}"#),
            RecordError::Digest.to_string()
        );
    }

    #[test]
    fn unwraps_eventbridge_and_uses_logstash_timestamp() {
        let envelope = r#"{"detail-type": "AWS API Call via CloudTrail", "source": "aws.s3",
            "detail": {"eventTime": "2024-05-01T00:00:00Z", "eventName": "GetObject"}}"#;
        let event = decode_event(envelope).expect("unwrapped");
        assert_eq!(
            event.record.event_name.as_ref().map(Text::as_str),
            Some("GetObject")
        );
        assert!(event.json.starts_with(r#"{"eventTime""#));
        let logstash =
            r#"{"@timestamp": "2020-09-14T00:44:23.000Z", "eventName": "DescribeInstances"}"#;
        let event = decode_event(logstash).expect("decoded");
        assert_eq!(event.event_time, 1_600_044_263_000_000);
        // The eventtime column holds it too, and the category is filled in as Lake does.
        assert_eq!(
            event.record.event_time.map(|t| t.0),
            Some(1_600_044_263_000_000)
        );
        assert_eq!(
            event.record.event_category.as_ref().map(Text::as_str),
            Some("Management")
        );
    }
}
