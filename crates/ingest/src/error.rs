use thiserror::Error;

/// Why an ingest could not run (bad records do not fail an ingest: they go to the rejects report).
#[derive(Debug, Error)]
pub enum IngestError {
    /// The store refused the ingest or failed to commit.
    #[error(transparent)]
    Store(#[from] auditlake_store::StoreError),
    /// An input path does not exist or cannot be read.
    #[error("cannot read {path}: {source}")]
    Input {
        /// The path given.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The rejects report could not be written.
    #[error("cannot write the rejects report {path}: {source}")]
    Report {
        /// The report path.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// An import's source cannot be read.
    #[error("import source {source_uri}: {reason}")]
    Source {
        /// The source as given.
        source_uri: String,
        /// Why.
        reason: String,
    },
    /// The request is invalid as given.
    #[error("{0}")]
    Invalid(String),
    /// No import has this id.
    #[error("no import with id '{0}' (`auditlake import list` shows them)")]
    ImportNotFound(String),
    /// Decoded events could not be put in order for writing.
    #[error("cannot order the decoded events: {0}")]
    Batch(String),
}
