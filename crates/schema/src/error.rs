use thiserror::Error;

/// Why one record was rejected. The message names the field and what was wrong with it.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum RecordError {
    /// The text is not valid JSON.
    #[error("not valid JSON: {0}")]
    Json(String),
    /// Valid JSON, but not a JSON object.
    #[error("not a CloudTrail record: expected a JSON object, found {0}")]
    NotAnObject(&'static str),
    /// A CloudTrail digest file, which describes log files and holds no events.
    #[error("a CloudTrail digest (digestStartTime, logFiles), not an event record")]
    Digest,
    /// A required field is absent or null.
    #[error("missing {0}")]
    Missing(&'static str),
    /// A field has a value of the wrong type or form.
    #[error("{0}")]
    Invalid(String),
    /// The record is larger than the limit.
    #[error("record is {size} bytes, over the {limit}-byte limit")]
    Oversize {
        /// Size of the record's JSON text.
        size: usize,
        /// The limit.
        limit: usize,
    },
}
