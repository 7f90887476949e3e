//! Verifying a saved result: file hashes, completeness and the signature.

use std::collections::BTreeSet;
use std::fmt;

use futures::TryStreamExt;
use object_store::ObjectStoreExt;
use object_store::path::Path as ObjectPath;
use sha2::{Digest, Sha256};

use crate::error::Result;
use crate::keys::{KeyStore, PublicKey};
use crate::location::{self, Location};
use crate::sign::{HASH_ALGORITHM, SIGN_FILE_NAME, SIGNATURE_ALGORITHM, SignFile};
use crate::write::is_result_file_name;

/// One thing wrong with a saved result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// There is no `result_sign.json`.
    SignFileMissing,
    /// `result_sign.json` exists but could not be read.
    SignFileUnreadable {
        /// The read error.
        detail: String,
    },
    /// `result_sign.json` is not a valid sign file.
    SignFileMalformed {
        /// What is wrong.
        detail: String,
    },
    /// `hashAlgorithm` or `signatureAlgorithm` is not the one Lake uses.
    UnsupportedAlgorithm {
        /// The field.
        field: &'static str,
        /// Its value.
        value: String,
        /// The supported value.
        expected: &'static str,
    },
    /// A file listed in the sign file is not in the folder.
    FileMissing {
        /// The file name.
        name: String,
    },
    /// A listed file could not be read.
    FileUnreadable {
        /// The file name.
        name: String,
        /// The read error.
        detail: String,
    },
    /// A listed file's SHA-256 differs from the sign file's.
    HashMismatch {
        /// The file name.
        name: String,
        /// `fileHashValue` in the sign file.
        expected: String,
        /// SHA-256 of the file now.
        actual: String,
    },
    /// A `result_*.csv.gz` file is in the folder but not in the sign file.
    UnlistedFile {
        /// The file name.
        name: String,
    },
    /// The key store has no key with the sign file's fingerprint.
    UnknownKey {
        /// `publicKeyFingerprint` in the sign file.
        fingerprint: String,
    },
    /// The public key given is not the one the sign file names.
    KeyMismatch {
        /// Fingerprint of the key given.
        given: String,
        /// `publicKeyFingerprint` in the sign file.
        named: String,
    },
    /// `hashSignature` does not verify.
    SignatureInvalid {
        /// Fingerprint of the key used to check.
        fingerprint: String,
        /// Why.
        detail: String,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::SignFileMissing => write!(
                f,
                "{SIGN_FILE_NAME} is missing: the save did not finish, or the sign file was deleted"
            ),
            Problem::SignFileUnreadable { detail } => {
                write!(f, "{SIGN_FILE_NAME} cannot be read: {detail}")
            }
            Problem::SignFileMalformed { detail } => {
                write!(f, "{SIGN_FILE_NAME} is malformed: {detail}")
            }
            Problem::UnsupportedAlgorithm {
                field,
                value,
                expected,
            } => write!(
                f,
                "{SIGN_FILE_NAME} has {field} {value:?}; only {expected:?} is supported"
            ),
            Problem::FileMissing { name } => write!(
                f,
                "{name} is listed in {SIGN_FILE_NAME} but missing from the folder"
            ),
            Problem::FileUnreadable { name, detail } => {
                write!(f, "{name} cannot be read: {detail}")
            }
            Problem::HashMismatch {
                name,
                expected,
                actual,
            } => write!(
                f,
                "{name} was modified: its SHA-256 is {actual}, {SIGN_FILE_NAME} records {expected}"
            ),
            Problem::UnlistedFile { name } => write!(
                f,
                "{name} is not listed in {SIGN_FILE_NAME}: it was added after the results were saved"
            ),
            Problem::UnknownKey { fingerprint } => write!(
                f,
                "{SIGN_FILE_NAME} was signed with key {fingerprint}, which this lake's key store does not have; \
                 verify with that key's public key PEM instead"
            ),
            Problem::KeyMismatch { given, named } => write!(
                f,
                "the public key given has fingerprint {given}, but {SIGN_FILE_NAME} names key {named}"
            ),
            Problem::SignatureInvalid {
                fingerprint,
                detail,
            } => write!(
                f,
                "the signature of {SIGN_FILE_NAME} is invalid with key {fingerprint} ({detail}): \
                 the sign file was edited or signed by another key"
            ),
        }
    }
}

/// The outcome of [`verify`]: what was checked and every problem found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// The result folder checked.
    pub location: String,
    /// The sign file, when it could be read.
    pub sign_file: Option<SignFile>,
    /// Listed files whose hash was checked (matching or not).
    pub files_checked: usize,
    /// Fingerprint of the key the signature was checked with, if it was.
    pub key_fingerprint: Option<String>,
    /// Everything wrong, in the order found.
    pub problems: Vec<Problem>,
}

impl VerifyReport {
    /// True when every listed file matches, nothing is missing or extra, and the signature verifies.
    pub fn is_valid(&self) -> bool {
        self.problems.is_empty()
    }
}

impl fmt::Display for VerifyReport {
    /// One line per problem, or one success line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_valid() {
            let files = self.files_checked;
            let plural = if files == 1 { "" } else { "s" };
            let key = self.key_fingerprint.as_deref().unwrap_or("unknown");
            return write!(
                f,
                "Verified {files} result file{plural} and the signature of {SIGN_FILE_NAME} (key {key})"
            );
        }
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

/// Where the public key comes from.
enum KeySource<'a> {
    Store(&'a KeyStore),
    Given(PublicKey),
}

/// Verifies the saved result in `location` (folder path or `file://` URL)
/// with the lake's key store.
pub async fn verify(location: &str, keys: &KeyStore) -> Result<VerifyReport> {
    verify_with(location, KeySource::Store(keys)).await
}

/// Verifies the saved result in `location` with a public key PEM
/// (PKCS#1 "RSA PUBLIC KEY" or "PUBLIC KEY"), for holders of the public key only.
pub async fn verify_with_public_key(location: &str, public_key_pem: &str) -> Result<VerifyReport> {
    let key = PublicKey::from_pem(public_key_pem)?;
    verify_with(location, KeySource::Given(key)).await
}

async fn verify_with(location: &str, keys: KeySource<'_>) -> Result<VerifyReport> {
    let location = location::open(location, false)?;
    let mut report = VerifyReport {
        location: location.display.clone(),
        sign_file: None,
        files_checked: 0,
        key_fingerprint: None,
        problems: Vec::new(),
    };

    let present = location.list_names().await?;
    let sign_file = match read_sign_file(&location).await {
        Ok(sign_file) => sign_file,
        Err(problem) => {
            report.problems.push(problem);
            return Ok(report);
        }
    };
    let problems = &mut report.problems;

    if sign_file.hash_algorithm != HASH_ALGORITHM {
        problems.push(Problem::UnsupportedAlgorithm {
            field: "hashAlgorithm",
            value: sign_file.hash_algorithm.clone(),
            expected: HASH_ALGORITHM,
        });
    }
    if sign_file.signature_algorithm != SIGNATURE_ALGORITHM {
        problems.push(Problem::UnsupportedAlgorithm {
            field: "signatureAlgorithm",
            value: sign_file.signature_algorithm.clone(),
            expected: SIGNATURE_ALGORITHM,
        });
    }
    if sign_file.files.is_empty() {
        problems.push(Problem::SignFileMalformed {
            detail: "its files list is empty".to_string(),
        });
    }

    // Each listed file: present, readable, same hash.
    let mut listed = BTreeSet::new();
    for (i, file) in sign_file.files.iter().enumerate() {
        let name = file.file_name.as_str();
        if !is_plain_file_name(name) {
            problems.push(Problem::SignFileMalformed {
                detail: format!("files[{i}].fileName {name:?} is not a plain file name"),
            });
            continue;
        }
        if !listed.insert(name) {
            problems.push(Problem::SignFileMalformed {
                detail: format!("files[{i}].fileName {name} is listed twice"),
            });
            continue;
        }
        if sign_file.hash_algorithm != HASH_ALGORITHM {
            continue;
        }
        report.files_checked += 1;
        match sha256_of(&location, name).await {
            Ok(actual) => {
                if !actual.eq_ignore_ascii_case(file.file_hash_value.trim()) {
                    problems.push(Problem::HashMismatch {
                        name: name.to_string(),
                        expected: file.file_hash_value.clone(),
                        actual,
                    });
                }
            }
            Err(object_store::Error::NotFound { .. }) => problems.push(Problem::FileMissing {
                name: name.to_string(),
            }),
            Err(e) => problems.push(Problem::FileUnreadable {
                name: name.to_string(),
                detail: e.to_string(),
            }),
        }
    }

    // Result files nobody listed.
    for name in &present {
        if is_result_file_name(name) && !listed.contains(name.as_str()) {
            problems.push(Problem::UnlistedFile { name: name.clone() });
        }
    }

    // The signature.
    if sign_file.signature_algorithm == SIGNATURE_ALGORITHM {
        let named = sign_file.public_key_fingerprint.trim();
        let key = match keys {
            KeySource::Store(store) => match store.public_key(named)? {
                Some(info) => Some(info.public_key()?),
                None => {
                    problems.push(Problem::UnknownKey {
                        fingerprint: sign_file.public_key_fingerprint.clone(),
                    });
                    None
                }
            },
            KeySource::Given(key) => {
                if key.fingerprint() != named {
                    problems.push(Problem::KeyMismatch {
                        given: key.fingerprint().to_string(),
                        named: sign_file.public_key_fingerprint.clone(),
                    });
                }
                Some(key)
            }
        };
        if let Some(key) = key {
            if let Err(detail) = sign_file.check_signature(&key) {
                problems.push(Problem::SignatureInvalid {
                    fingerprint: key.fingerprint().to_string(),
                    detail,
                });
            }
            report.key_fingerprint = Some(key.fingerprint().to_string());
        }
    }

    report.sign_file = Some(sign_file);
    Ok(report)
}

/// A name with no folder part that cannot escape the result folder.
fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\'])
        && !name.chars().any(char::is_control)
}

async fn read_sign_file(location: &Location) -> std::result::Result<SignFile, Problem> {
    let bytes = match location.store.get(&ObjectPath::from(SIGN_FILE_NAME)).await {
        Ok(got) => got.bytes().await,
        Err(e) => Err(e),
    };
    let bytes = match bytes {
        Ok(bytes) => bytes,
        Err(object_store::Error::NotFound { .. }) => return Err(Problem::SignFileMissing),
        Err(e) => {
            return Err(Problem::SignFileUnreadable {
                detail: e.to_string(),
            });
        }
    };
    SignFile::from_json(&bytes).map_err(|e| Problem::SignFileMalformed {
        detail: e.to_string(),
    })
}

async fn sha256_of(location: &Location, name: &str) -> Result<String, object_store::Error> {
    let got = location.store.get(&ObjectPath::from(name)).await?;
    let mut stream = got.into_stream();
    let mut hasher = Sha256::new();
    while let Some(chunk) = stream.try_next().await? {
        hasher.update(&chunk);
    }
    Ok(hex::encode(hasher.finalize()))
}
