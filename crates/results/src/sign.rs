//! The sign file `result_sign.json`, in CloudTrail Lake's exact shape.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Result, ResultsError};
use crate::keys::{PublicKey, SigningKey};

/// Name of the sign file in a result folder.
pub const SIGN_FILE_NAME: &str = "result_sign.json";
/// The sign file `version` Lake writes.
pub const SIGN_FILE_VERSION: &str = "1.0";
/// The sign file `hashAlgorithm`.
pub const HASH_ALGORITHM: &str = "SHA-256";
/// The sign file `signatureAlgorithm`.
pub const SIGNATURE_ALGORITHM: &str = "SHA256withRSA";

/// `result_sign.json`: field names and order as CloudTrail Lake writes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignFile {
    /// Sign file version, "1.0".
    pub version: String,
    /// Region of the lake that saved the results.
    pub region: String,
    /// Each result file and the hex SHA-256 of its compressed content, in order.
    pub files: Vec<SignedFile>,
    /// "SHA-256".
    pub hash_algorithm: String,
    /// "SHA256withRSA".
    pub signature_algorithm: String,
    /// When the results were delivered, like `2022-05-10T22:06:30Z`.
    pub query_complete_time: String,
    /// Hex RSA signature of the `fileHashValue`s joined by single spaces.
    pub hash_signature: String,
    /// Hex MD5 fingerprint of the signing key's DER public key.
    pub public_key_fingerprint: String,
}

/// One entry of [`SignFile::files`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedFile {
    /// Hex SHA-256 of the compressed file content.
    pub file_hash_value: String,
    /// File name within the result folder, like `result_1.csv.gz`.
    pub file_name: String,
}

/// Formats a time as Lake's `queryCompleteTime`: UTC, whole seconds, `Z`.
pub fn format_query_complete_time(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Builds and signs the sign file for `files` (in order) with `key`.
pub fn sign_manifest(
    files: Vec<SignedFile>,
    region: &str,
    query_complete_time: DateTime<Utc>,
    key: &SigningKey,
) -> Result<SignFile> {
    let mut sign_file = SignFile {
        version: SIGN_FILE_VERSION.to_string(),
        region: region.to_string(),
        files,
        hash_algorithm: HASH_ALGORITHM.to_string(),
        signature_algorithm: SIGNATURE_ALGORITHM.to_string(),
        query_complete_time: format_query_complete_time(query_complete_time),
        hash_signature: String::new(),
        public_key_fingerprint: key.fingerprint().to_string(),
    };
    let signature = key.sign(sign_file.data_signing_string().as_bytes())?;
    sign_file.hash_signature = hex::encode(signature);
    Ok(sign_file)
}

impl SignFile {
    /// The signed data: every `fileHashValue`, in order, joined by one space.
    pub fn data_signing_string(&self) -> String {
        self.files
            .iter()
            .map(|f| f.file_hash_value.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Checks `hashSignature` against the file hashes with `key`.
    /// Fails with a description when the signature is not hex or does not match.
    pub fn check_signature(&self, key: &PublicKey) -> std::result::Result<(), String> {
        let signature = hex::decode(self.hash_signature.trim())
            .map_err(|e| format!("hashSignature is not hexadecimal ({e})"))?;
        if key.verify(self.data_signing_string().as_bytes(), &signature) {
            Ok(())
        } else {
            Err("hashSignature does not match the listed file hashes".to_string())
        }
    }

    /// The sign file as Lake lays it out: pretty JSON, newline-terminated.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self)
            .map(|s| s + "\n")
            .map_err(|source| ResultsError::SignFileJson { source })
    }

    /// Parses a sign file.
    pub fn from_json(bytes: &[u8]) -> std::result::Result<Self, serde_json::Error> {
        serde_json::from_slice(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn field_names_and_order_follow_lake() {
        let sign_file = SignFile {
            version: "1.0".into(),
            region: "us-east-1".into(),
            files: vec![SignedFile {
                file_hash_value: "aa".into(),
                file_name: "result_1.csv.gz".into(),
            }],
            hash_algorithm: HASH_ALGORITHM.into(),
            signature_algorithm: SIGNATURE_ALGORITHM.into(),
            query_complete_time: "2022-05-10T22:06:30Z".into(),
            hash_signature: "bb".into(),
            public_key_fingerprint: "cc".into(),
        };
        let json = serde_json::to_string(&sign_file).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"version":"1.0","region":"us-east-1","files":[{"fileHashValue":"aa","fileName":"result_1.csv.gz"}],"hashAlgorithm":"SHA-256","signatureAlgorithm":"SHA256withRSA","queryCompleteTime":"2022-05-10T22:06:30Z","hashSignature":"bb","publicKeyFingerprint":"cc"}"#
        );
    }

    #[test]
    fn query_complete_time_has_whole_seconds_and_z() {
        let t = Utc
            .timestamp_opt(1_652_220_390, 987_000_000)
            .single()
            .unwrap_or_default();
        assert_eq!(format_query_complete_time(t), "2022-05-10T22:06:30Z");
    }

    #[test]
    fn signing_string_is_hashes_joined_by_one_space() {
        let files = ["aaa", "bbb", "ccc"]
            .iter()
            .enumerate()
            .map(|(i, h)| SignedFile {
                file_hash_value: h.to_string(),
                file_name: format!("result_{}.csv.gz", i + 1),
            })
            .collect();
        let sign_file = SignFile {
            version: String::new(),
            region: String::new(),
            files,
            hash_algorithm: String::new(),
            signature_algorithm: String::new(),
            query_complete_time: String::new(),
            hash_signature: String::new(),
            public_key_fingerprint: String::new(),
        };
        assert_eq!(sign_file.data_signing_string(), "aaa bbb ccc");
    }
}
