//! The lake's signing keys: RSA 2048 key pairs kept in a local folder.
//!
//! Each key is three files named by its fingerprint: `<fp>.private.pem`
//! (PKCS#8, mode 0600), `<fp>.public.pem` (PKCS#1 "RSA PUBLIC KEY", the form
//! CloudTrail's `ListPublicKeys` returns) and `<fp>.json` (fingerprint and
//! validity). The metadata file is written last, each file via a temporary
//! file and a rename, so a crash never leaves a half-written key in use.

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use md5::{Digest, Md5};
use rsa::pkcs1::{DecodeRsaPublicKey, EncodeRsaPublicKey};
use rsa::pkcs8::der::zeroize::Zeroizing;
use rsa::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding,
};
use rsa::{Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::error::{Result, ResultsError};

/// How long a new signing key is used before a new one is created.
pub const DEFAULT_KEY_VALIDITY_DAYS: i64 = 365;

const KEY_BITS: usize = 2048;
const PRIVATE_SUFFIX: &str = ".private.pem";
const PUBLIC_SUFFIX: &str = ".public.pem";
const METADATA_SUFFIX: &str = ".json";

/// The lake's signing keys, kept in one local folder (the lake uses `<lake>/keys`).
#[derive(Debug)]
pub struct KeyStore {
    dir: PathBuf,
    validity: Duration,
    create_lock: Mutex<()>,
}

/// What `<fp>.json` holds.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct KeyMetadata {
    fingerprint: String,
    created_at: DateTime<Utc>,
    validity_start_time: DateTime<Utc>,
    validity_end_time: DateTime<Utc>,
}

/// A public key as `auditlake keys list` shows it (CloudTrail's `ListPublicKeys` shape).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKeyInfo {
    /// Hex MD5 of the DER (PKCS#1) public key; sign files name their key by it.
    pub fingerprint: String,
    /// Start of the period in which the key signs new results.
    pub valid_from: DateTime<Utc>,
    /// End of that period; after it a new key is created.
    pub valid_to: DateTime<Utc>,
    /// The public key, PKCS#1 PEM ("BEGIN RSA PUBLIC KEY").
    pub public_key_pem: String,
}

impl PublicKeyInfo {
    /// Parses the PEM into a key usable for verification.
    pub fn public_key(&self) -> Result<PublicKey> {
        PublicKey::from_pem(&self.public_key_pem)
    }

    /// Base64 of the DER PKCS#1 key: the `Value` CloudTrail's `ListPublicKeys` returns,
    /// and the `public_key_content` of Lake's OpenSSL verification recipe.
    pub fn value_base64(&self) -> String {
        pem_body(&self.public_key_pem)
    }
}

/// An RSA public key with its fingerprint, used to verify sign files.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    key: RsaPublicKey,
    fingerprint: String,
    pkcs1_pem: String,
    spki_pem: String,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

impl PublicKey {
    /// Reads an RSA public key PEM, PKCS#1 ("BEGIN RSA PUBLIC KEY") or
    /// SubjectPublicKeyInfo ("BEGIN PUBLIC KEY").
    pub fn from_pem(pem: &str) -> Result<Self> {
        let pem = pem.trim();
        let key = if pem.contains("BEGIN RSA PUBLIC KEY") {
            RsaPublicKey::from_pkcs1_pem(pem).map_err(|e| ResultsError::PublicKeyPem {
                detail: e.to_string(),
            })?
        } else {
            RsaPublicKey::from_public_key_pem(pem).map_err(|e| ResultsError::PublicKeyPem {
                detail: e.to_string(),
            })?
        };
        Self::from_rsa(key).map_err(|detail| ResultsError::PublicKeyPem { detail })
    }

    fn from_rsa(key: RsaPublicKey) -> std::result::Result<Self, String> {
        let der = key.to_pkcs1_der().map_err(|e| e.to_string())?;
        let fingerprint = hex::encode(Md5::digest(der.as_bytes()));
        let pkcs1_pem = key
            .to_pkcs1_pem(LineEnding::LF)
            .map_err(|e| e.to_string())?;
        let spki_pem = key
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| e.to_string())?;
        Ok(Self {
            key,
            fingerprint,
            pkcs1_pem,
            spki_pem,
        })
    }

    /// Hex MD5 of the DER (PKCS#1) public key, as in `publicKeyFingerprint`.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// PKCS#1 PEM ("BEGIN RSA PUBLIC KEY"), the form Lake publishes.
    pub fn to_pkcs1_pem(&self) -> &str {
        &self.pkcs1_pem
    }

    /// SubjectPublicKeyInfo PEM ("BEGIN PUBLIC KEY"), the form `openssl dgst -verify` loads.
    pub fn to_spki_pem(&self) -> &str {
        &self.spki_pem
    }

    /// Base64 of the DER PKCS#1 key (CloudTrail `ListPublicKeys` `Value`).
    pub fn value_base64(&self) -> String {
        pem_body(&self.pkcs1_pem)
    }

    /// Whether `signature` is this key's RSA PKCS#1 v1.5 SHA-256 signature of `data`.
    pub fn verify(&self, data: &[u8], signature: &[u8]) -> bool {
        let digest = Sha256::digest(data);
        self.key
            .verify(Pkcs1v15Sign::new::<Sha256>(), &digest, signature)
            .is_ok()
    }
}

/// A private signing key loaded from the key store. Its `Debug` never shows the key.
pub struct SigningKey {
    private: RsaPrivateKey,
    public: PublicKey,
    valid_from: DateTime<Utc>,
    valid_to: DateTime<Utc>,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("fingerprint", &self.public.fingerprint)
            .field("valid_from", &self.valid_from)
            .field("valid_to", &self.valid_to)
            .field("private", &"<redacted>")
            .finish()
    }
}

impl SigningKey {
    /// Hex MD5 of the DER public key.
    pub fn fingerprint(&self) -> &str {
        self.public.fingerprint()
    }

    /// The matching public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// Start of the key's validity.
    pub fn valid_from(&self) -> DateTime<Utc> {
        self.valid_from
    }

    /// End of the key's validity.
    pub fn valid_to(&self) -> DateTime<Utc> {
        self.valid_to
    }

    /// RSA PKCS#1 v1.5 signature over the SHA-256 of `data` ("SHA256withRSA").
    pub fn sign(&self, data: &[u8]) -> Result<Vec<u8>> {
        let digest = Sha256::digest(data);
        self.private
            .sign(Pkcs1v15Sign::new::<Sha256>(), &digest)
            .map_err(|e| ResultsError::Signing {
                fingerprint: self.fingerprint().to_string(),
                detail: e.to_string(),
            })
    }
}

impl KeyStore {
    /// Opens (creating if needed, mode 0700) the key folder and checks the keys in it.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        create_private_dir(&dir)?;
        let store = Self {
            dir,
            validity: Duration::days(DEFAULT_KEY_VALIDITY_DAYS),
            create_lock: Mutex::new(()),
        };
        store.public_keys()?;
        Ok(store)
    }

    /// Sets how long newly created keys stay valid (default [`DEFAULT_KEY_VALIDITY_DAYS`]).
    pub fn with_validity(mut self, validity: Duration) -> Self {
        self.validity = validity;
        self
    }

    /// The key folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The key to sign with now, creating a new one on first use or when the
    /// current one has expired.
    pub fn signing_key(&self) -> Result<SigningKey> {
        self.signing_key_at(Utc::now())
    }

    /// The key to sign with at `now` (see [`KeyStore::signing_key`]).
    pub fn signing_key_at(&self, now: DateTime<Utc>) -> Result<SigningKey> {
        if let Some(meta) = self.current(now)? {
            return self.load_signing_key(&meta);
        }
        // One creator at a time in this process; re-check under the lock.
        let _guard = self
            .create_lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(meta) = self.current(now)? {
            return self.load_signing_key(&meta);
        }
        self.create_key(now)
    }

    /// All public keys, oldest first.
    pub fn public_keys(&self) -> Result<Vec<PublicKeyInfo>> {
        self.all_metadata()?
            .into_iter()
            .map(|meta| self.public_info(&meta))
            .collect()
    }

    /// The public key with this fingerprint, if the store has it.
    pub fn public_key(&self, fingerprint: &str) -> Result<Option<PublicKeyInfo>> {
        if !is_fingerprint(fingerprint) {
            return Ok(None);
        }
        let path = self.path(fingerprint, METADATA_SUFFIX);
        if !path.exists() {
            return Ok(None);
        }
        let meta = self.read_metadata(&path, fingerprint)?;
        self.public_info(&meta).map(Some)
    }

    fn path(&self, fingerprint: &str, suffix: &str) -> PathBuf {
        self.dir.join(format!("{fingerprint}{suffix}"))
    }

    fn current(&self, now: DateTime<Utc>) -> Result<Option<KeyMetadata>> {
        Ok(self
            .all_metadata()?
            .into_iter()
            .filter(|m| m.validity_start_time <= now && now < m.validity_end_time)
            .max_by_key(|m| m.validity_start_time))
    }

    fn all_metadata(&self) -> Result<Vec<KeyMetadata>> {
        let entries = fs::read_dir(&self.dir).map_err(|source| ResultsError::KeyStoreIo {
            path: self.dir.clone(),
            source,
        })?;
        let mut all = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| ResultsError::KeyStoreIo {
                path: self.dir.clone(),
                source,
            })?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let Some(stem) = name.strip_suffix(METADATA_SUFFIX) else {
                continue;
            };
            if name.starts_with('.') {
                continue; // a temporary file of an unfinished write
            }
            all.push(self.read_metadata(&entry.path(), stem)?);
        }
        all.sort_by_key(|m| (m.validity_start_time, m.fingerprint.clone()));
        Ok(all)
    }

    fn read_metadata(&self, path: &Path, stem: &str) -> Result<KeyMetadata> {
        let text = fs::read_to_string(path).map_err(|source| ResultsError::KeyStoreIo {
            path: path.to_path_buf(),
            source,
        })?;
        let meta: KeyMetadata = serde_json::from_str(&text).map_err(|e| ResultsError::KeyFile {
            path: path.to_path_buf(),
            detail: format!("invalid key metadata JSON: {e}"),
        })?;
        if meta.fingerprint != stem || !is_fingerprint(stem) {
            return Err(ResultsError::KeyFile {
                path: path.to_path_buf(),
                detail: format!(
                    "it names fingerprint {:?} but the file is named for {stem:?}",
                    meta.fingerprint
                ),
            });
        }
        Ok(meta)
    }

    fn public_info(&self, meta: &KeyMetadata) -> Result<PublicKeyInfo> {
        let path = self.path(&meta.fingerprint, PUBLIC_SUFFIX);
        let pem = fs::read_to_string(&path).map_err(|source| ResultsError::KeyStoreIo {
            path: path.clone(),
            source,
        })?;
        let key = PublicKey::from_pem(&pem).map_err(|e| ResultsError::KeyFile {
            path: path.clone(),
            detail: e.to_string(),
        })?;
        check_fingerprint(&path, &key, &meta.fingerprint)?;
        Ok(PublicKeyInfo {
            fingerprint: meta.fingerprint.clone(),
            valid_from: meta.validity_start_time,
            valid_to: meta.validity_end_time,
            public_key_pem: key.to_pkcs1_pem().to_string(),
        })
    }

    fn load_signing_key(&self, meta: &KeyMetadata) -> Result<SigningKey> {
        let path = self.path(&meta.fingerprint, PRIVATE_SUFFIX);
        let pem = Zeroizing::new(fs::read_to_string(&path).map_err(|source| {
            ResultsError::KeyStoreIo {
                path: path.clone(),
                source,
            }
        })?);
        let private = RsaPrivateKey::from_pkcs8_pem(&pem).map_err(|e| ResultsError::KeyFile {
            path: path.clone(),
            detail: format!("not a PKCS#8 RSA private key PEM: {e}"),
        })?;
        let public = PublicKey::from_rsa(RsaPublicKey::from(&private)).map_err(|detail| {
            ResultsError::KeyFile {
                path: path.clone(),
                detail,
            }
        })?;
        check_fingerprint(&path, &public, &meta.fingerprint)?;
        Ok(SigningKey {
            private,
            public,
            valid_from: meta.validity_start_time,
            valid_to: meta.validity_end_time,
        })
    }

    fn create_key(&self, now: DateTime<Utc>) -> Result<SigningKey> {
        let fail = |detail: String| ResultsError::KeyGeneration {
            path: self.dir.clone(),
            detail,
        };
        let private = RsaPrivateKey::new(&mut rand::rngs::OsRng, KEY_BITS)
            .map_err(|e| fail(format!("RSA key generation: {e}")))?;
        let public = PublicKey::from_rsa(RsaPublicKey::from(&private)).map_err(&fail)?;
        let private_pem = private
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| fail(format!("encoding the private key: {e}")))?;
        let meta = KeyMetadata {
            fingerprint: public.fingerprint().to_string(),
            created_at: now,
            validity_start_time: now,
            validity_end_time: now + self.validity,
        };
        let meta_json = serde_json::to_string_pretty(&meta)
            .map_err(|e| fail(format!("encoding the key metadata: {e}")))?;

        let fp = &meta.fingerprint;
        write_atomic(
            &self.dir,
            &self.path(fp, PRIVATE_SUFFIX),
            private_pem.as_bytes(),
            0o600,
        )?;
        write_atomic(
            &self.dir,
            &self.path(fp, PUBLIC_SUFFIX),
            public.to_pkcs1_pem().as_bytes(),
            0o644,
        )?;
        // Last: only now does the key exist for the store.
        write_atomic(
            &self.dir,
            &self.path(fp, METADATA_SUFFIX),
            format!("{meta_json}\n").as_bytes(),
            0o644,
        )?;
        Ok(SigningKey {
            private,
            public,
            valid_from: meta.validity_start_time,
            valid_to: meta.validity_end_time,
        })
    }
}

fn check_fingerprint(path: &Path, key: &PublicKey, expected: &str) -> Result<()> {
    if key.fingerprint() != expected {
        return Err(ResultsError::KeyFile {
            path: path.to_path_buf(),
            detail: format!(
                "its key has fingerprint {} but the key store records {expected}",
                key.fingerprint()
            ),
        });
    }
    Ok(())
}

/// 32 lowercase hex digits (an MD5).
fn is_fingerprint(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The base64 lines of a PEM, joined.
fn pem_body(pem: &str) -> String {
    pem.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("-----"))
        .collect()
}

fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|source| ResultsError::KeyStoreIo {
            path: dir.to_path_buf(),
            source,
        })
}

/// Writes `bytes` to `path` through a temporary file in `dir` created with
/// `mode`, then renames it into place.
fn write_atomic(dir: &Path, path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let io_err = |path: &Path, source| ResultsError::KeyStoreIo {
        path: path.to_path_buf(),
        source,
    };
    let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("key");
    let tmp = dir.join(format!(
        ".{file_name}.tmp-{}-{:016x}",
        std::process::id(),
        rand::random::<u64>()
    ));
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let written = options.open(&tmp).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    if let Err(source) = written {
        let _ = fs::remove_file(&tmp);
        return Err(io_err(&tmp, source));
    }
    if let Err(source) = fs::rename(&tmp, path) {
        let _ = fs::remove_file(&tmp);
        return Err(io_err(path, source));
    }
    // Make the rename durable; not all platforms can sync a directory.
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}
