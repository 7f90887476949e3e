use thiserror::Error;

/// What a user can do about a [`StoreError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreErrorKind {
    /// The request named something that does not exist.
    NotFound,
    /// The request is invalid as given; fix it and retry.
    InvalidRequest,
    /// The store's state forbids the request (e.g. ingestion stopped, termination protection on).
    Conflict,
    /// The storage failed; the data is intact, retry or check the storage.
    Storage,
}

/// An error from the store layer.
#[derive(Debug, Error)]
pub enum StoreError {
    /// No store has this id, ARN or name.
    #[error(
        "no event data store named '{0}' (give its id, ARN or name; `auditlake eds list` shows them)"
    )]
    NotFound(String),
    /// A store with this name exists already.
    #[error("an event data store named '{0}' exists already")]
    NameTaken(String),
    /// The request is invalid.
    #[error("{0}")]
    Invalid(String),
    /// The store's state does not allow the request.
    #[error("{0}")]
    Conflict(String),
    /// The lake location cannot be used.
    #[error("lake location '{location}': {reason}")]
    Location {
        /// The location given.
        location: String,
        /// Why it cannot be used.
        reason: String,
    },
    /// Reading or writing objects failed.
    #[error("storage error at {path}: {source}")]
    ObjectStore {
        /// The object path.
        path: String,
        /// The cause.
        #[source]
        source: object_store::Error,
    },
    /// A catalog record could not be read.
    #[error("catalog record {path} is damaged: {source}")]
    Catalog {
        /// The object path.
        path: String,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
    /// The Delta table failed.
    #[error("event table of store {store}: {source}")]
    Delta {
        /// The store id.
        store: String,
        /// The cause.
        #[source]
        source: Box<deltalake::DeltaTableError>,
    },
}

impl StoreError {
    /// What kind of failure this is.
    pub fn kind(&self) -> StoreErrorKind {
        match self {
            StoreError::NotFound(_) => StoreErrorKind::NotFound,
            StoreError::NameTaken(_) | StoreError::Invalid(_) | StoreError::Location { .. } => {
                StoreErrorKind::InvalidRequest
            }
            StoreError::Conflict(_) => StoreErrorKind::Conflict,
            StoreError::ObjectStore { .. }
            | StoreError::Catalog { .. }
            | StoreError::Delta { .. } => StoreErrorKind::Storage,
        }
    }

    pub(crate) fn delta(store: &str, source: deltalake::DeltaTableError) -> Self {
        StoreError::Delta {
            store: store.to_owned(),
            source: Box::new(source),
        }
    }
}
