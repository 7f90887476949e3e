use thiserror::Error;

/// An error from planning or running a query.
#[derive(Debug, Error)]
pub enum QueryError {
    /// The statement is not a SELECT (or EXPLAIN of one).
    #[error("{0}")]
    NotSelect(String),
    /// The SQL does not parse; the message has the line and column.
    #[error("SQL syntax error: {0}")]
    Syntax(String),
    /// The query names something that does not exist or misuses a type or function.
    #[error("{0}")]
    Plan(String),
    /// The query failed while running.
    #[error("query failed: {0}")]
    Execution(String),
    /// The query ran longer than its timeout.
    #[error("query timed out after {0} s (raise it with --timeout)")]
    TimedOut(u64),
    /// The query was cancelled.
    #[error("query cancelled")]
    Cancelled,
    /// No query with this id is in the history.
    #[error("no query with id '{0}' in the last 7 days (`auditlake query list` shows them)")]
    UnknownQuery(String),
    /// The lake's stores could not be read.
    #[error(transparent)]
    Store(#[from] auditlake_store::StoreError),
    /// The query history could not be read or written.
    #[error("query history at {path}: {reason}")]
    History {
        /// The object path.
        path: String,
        /// What went wrong.
        reason: String,
    },
}

impl QueryError {
    /// Maps a DataFusion error from planning to a user-facing error.
    pub(crate) fn from_planning(e: datafusion::error::DataFusionError) -> Self {
        use datafusion::error::DataFusionError as E;
        match e.find_root() {
            E::SQL(parser, _) => {
                let text = parser.to_string();
                let text = text.strip_prefix("sql parser error: ").unwrap_or(&text);
                if text.contains("Line: ") {
                    QueryError::Syntax(text.to_owned())
                } else {
                    QueryError::Syntax(format!("{text} (at the end of the statement)"))
                }
            }
            root => QueryError::Plan(clean_message(&root.to_string())),
        }
    }

    /// Maps a DataFusion error from execution to a user-facing error.
    pub(crate) fn from_execution(e: datafusion::error::DataFusionError) -> Self {
        QueryError::Execution(clean_message(&e.find_root().to_string()))
    }
}

/// Drops DataFusion's internal prefixes ("Error during planning: ") that mean nothing to a user.
fn clean_message(message: &str) -> String {
    let mut text = message;
    for prefix in [
        "Error during planning: ",
        "Schema error: ",
        "Execution error: ",
        "This feature is not implemented: ",
        "External error: ",
    ] {
        if let Some(rest) = text.strip_prefix(prefix) {
            text = rest;
        }
    }
    text.to_owned()
}
