//! The CloudTrail record model of auditlake.
//!
//! One definition ([`record`]) serves as both the JSON decoder and the Arrow schema, so the two can never drift.
//! Decoding is typed and borrows from the input: no generic JSON tree is built per record. Keys match
//! case-insensitively (`eventTime`, `eventtime`); columns and struct fields are lowercase, as in CloudTrail Lake.
//! Payload fields (`requestparameters`, …) are `map<string, string>` whose nested values are compact JSON text.
//! No I/O happens here.

mod batch;
mod column;
mod error;
mod fast;
mod json;
pub mod layout;
pub mod rebuild;
mod record;
mod time;

pub use arrow::array::RecordBatch;
pub use batch::{
    DecodedEvent, EventBatchBuilder, decode_compact_event, decode_compact_event_at, decode_event,
};
pub use column::{Bool, Column, ColumnBuilder, JsonText, Payload, Text};
pub use error::RecordError;
pub use json::{compact_json, json_string_end};
pub use record::{
    Addendum, EventTime, OnBehalfOf, Record, Resource, SessionAttributes, SessionContext,
    SessionIssuer, TlsDetails, UserIdentity, WebIdFederationData,
};
pub use time::{EventDay, day_of_micros, parse_event_time};

use std::sync::{Arc, LazyLock};

use arrow::datatypes::{DataType, Field, Schema, SchemaRef};

/// Name of the partition column: the UTC day (`YYYY-MM-DD`) of `eventtime`.
pub const PARTITION_COLUMN: &str = "eventday";
/// Column holding the original record as compact JSON: no field of the input is ever lost.
pub const EVENT_JSON_COLUMN: &str = "eventjson";
/// Column holding the hex SHA-256 of [`EVENT_JSON_COLUMN`].
pub const EVENT_JSON_CHECKSUM_COLUMN: &str = "eventjsonchecksum";
/// Largest record accepted, in bytes of JSON text.
pub const MAX_EVENT_BYTES: usize = 1024 * 1024;

static EVENT_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    let mut fields: Vec<Field> = record::Record::fields()
        .iter()
        .map(|f| f.as_ref().clone())
        .collect();
    fields.push(Field::new(EVENT_JSON_COLUMN, DataType::Utf8, false));
    fields.push(Field::new(
        EVENT_JSON_CHECKSUM_COLUMN,
        DataType::Utf8,
        false,
    ));
    fields.push(Field::new(PARTITION_COLUMN, DataType::Utf8, false));
    Arc::new(Schema::new(fields))
});

/// The Arrow schema of an event data store's table, partition column last.
pub fn event_schema() -> SchemaRef {
    EVENT_SCHEMA.clone()
}
