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
    /// Decoded events could not be put in order for writing.
    #[error("cannot order the decoded events: {0}")]
    Batch(String),
}
