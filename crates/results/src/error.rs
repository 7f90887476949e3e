//! The crate's error type.

use std::path::PathBuf;

/// Result alias for this crate.
pub type Result<T, E = ResultsError> = std::result::Result<T, E>;

/// Why saving results, managing keys or verifying could not proceed.
///
/// Problems found *in* a saved result (a changed file, a bad signature) are not
/// errors: [`crate::verify`] lists them in its [`crate::VerifyReport`].
#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    /// The key folder could not be created, listed or written.
    #[error("key store {path}: {source}; check that the folder exists and this user can write it")]
    KeyStoreIo {
        /// The file or folder concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },

    /// A key file exists but cannot be used.
    #[error(
        "key file {path} is not usable: {detail}; restore it from a backup, or move it out of the key folder \
         (results signed with that key can then no longer be verified with the key store)"
    )]
    KeyFile {
        /// The key or metadata file.
        path: PathBuf,
        /// What is wrong with it.
        detail: String,
    },

    /// Generating or encoding a new key pair failed.
    #[error("creating a new signing key in {path} failed: {detail}")]
    KeyGeneration {
        /// The key folder.
        path: PathBuf,
        /// What failed.
        detail: String,
    },

    /// A public key PEM given by the user could not be read.
    #[error(
        "the public key is not an RSA public key in PEM form (\"BEGIN PUBLIC KEY\" or \"BEGIN RSA PUBLIC KEY\"): {detail}"
    )]
    PublicKeyPem {
        /// The parser's complaint.
        detail: String,
    },

    /// Signing the file hashes failed.
    #[error("signing the result hashes with key {fingerprint} failed: {detail}")]
    Signing {
        /// The key used.
        fingerprint: String,
        /// What failed.
        detail: String,
    },

    /// The destination names a storage this build cannot write or read.
    #[error(
        "result location {location}: {scheme}:// is not supported by this build; \
         use a local folder path, a file:// URL or an s3:// URL"
    )]
    UnsupportedLocation {
        /// The location given.
        location: String,
        /// Its URL scheme.
        scheme: String,
    },

    /// The destination could not be understood or opened.
    #[error("result location {location} is not usable: {detail}")]
    InvalidLocation {
        /// The location given.
        location: String,
        /// What is wrong with it.
        detail: String,
    },

    /// The destination already holds a saved result.
    #[error(
        "{path} already exists: results were already saved there and are never overwritten; \
         choose another destination folder"
    )]
    SignFileExists {
        /// The existing sign file.
        path: String,
    },

    /// The destination holds result files from an earlier save.
    #[error(
        "{location} already holds result files ({names}), probably from a save that did not finish; \
         remove them or choose another destination folder"
    )]
    ResultFilesExist {
        /// The destination.
        location: String,
        /// The files found, comma separated.
        names: String,
    },

    /// The options passed to [`crate::write_result`] are not usable.
    #[error("invalid result options: {detail}")]
    InvalidOptions {
        /// What is wrong.
        detail: String,
    },

    /// A record batch does not have the columns of the first batch.
    #[error(
        "record batch {index} has columns [{found}] but the first batch has [{expected}]; \
         all batches of one result must share the same columns"
    )]
    BatchSchemaMismatch {
        /// The batch's position (0-based).
        index: usize,
        /// Column names of the first batch.
        expected: String,
        /// Column names of this batch.
        found: String,
    },

    /// Rendering a batch as CSV failed.
    #[error("writing record batch {index} as CSV failed: {source}")]
    Csv {
        /// The batch's position (0-based).
        index: usize,
        /// The arrow error.
        source: arrow::error::ArrowError,
    },

    /// Compressing a result file failed.
    #[error("compressing {name} failed: {source}")]
    Compress {
        /// The result file.
        name: String,
        /// The I/O error from the gzip encoder.
        source: std::io::Error,
    },

    /// Reading or writing the result location failed.
    #[error("{operation} {path} failed: {source}")]
    Store {
        /// What was attempted ("writing", "listing", ...).
        operation: &'static str,
        /// The object or folder.
        path: String,
        /// The object store error.
        source: object_store::Error,
    },

    /// Encoding the sign file as JSON failed.
    #[error("encoding result_sign.json failed: {source}")]
    SignFileJson {
        /// The serde error.
        source: serde_json::Error,
    },
}
