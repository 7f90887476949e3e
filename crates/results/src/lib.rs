//! Saved query results: files, signing keys, sign file and verify.
//!
//! Follows CloudTrail Lake's saved-results layout: gzip CSV files
//! `result_1.csv.gz`, `result_2.csv.gz`, ... and a `result_sign.json` sign file
//! listing each file's SHA-256 and an RSA (PKCS#1 v1.5, SHA-256) signature of
//! the hashes joined by single spaces. The sign file can be checked with
//! [`verify`], or with OpenSSL following Lake's documented recipe.

mod error;
mod keys;
mod location;
mod sign;
mod verify;
mod write;

pub use error::{Result, ResultsError};
pub use keys::{DEFAULT_KEY_VALIDITY_DAYS, KeyStore, PublicKey, PublicKeyInfo, SigningKey};
pub use sign::{
    HASH_ALGORITHM, SIGN_FILE_NAME, SIGN_FILE_VERSION, SIGNATURE_ALGORITHM, SignFile, SignedFile,
    format_query_complete_time, sign_manifest,
};
pub use verify::{Problem, VerifyReport, verify, verify_with_public_key};
pub use write::{DEFAULT_MAX_FILE_BYTES, ResultOptions, SavedFile, SavedResult, write_result};
