//! Saved results end to end: write, verify, tamper, keys, and Lake's OpenSSL recipe.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use arrow::array::{ArrayRef, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use auditlake_results::{
    KeyStore, Problem, ResultOptions, ResultsError, SIGN_FILE_NAME, SavedResult, SigningKey,
    verify, verify_with_public_key, write_result,
};
use chrono::{Duration, TimeZone, Utc};

/// One signing key for the tests that do not test keys (RSA generation is slow
/// in debug builds); kept in cargo's per-target test folder.
static KEYS: LazyLock<KeyStore> = LazyLock::new(|| {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("auditlake-results-test-keys");
    KeyStore::open(dir).expect("open shared test key store")
});

fn key() -> SigningKey {
    KEYS.signing_key().expect("shared signing key")
}

fn schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("eventTime", DataType::Utf8, true),
        Field::new("eventName", DataType::Utf8, true),
        Field::new("note", DataType::Utf8, true),
    ]))
}

fn batch(rows: &[[&str; 3]]) -> RecordBatch {
    let columns: Vec<ArrayRef> = (0..3)
        .map(|c| {
            Arc::new(StringArray::from(
                rows.iter().map(|r| r[c]).collect::<Vec<_>>(),
            )) as ArrayRef
        })
        .collect();
    RecordBatch::try_new(schema(), columns).expect("batch")
}

/// Three batches, 12 rows, with values needing CSV quoting.
fn sample_batches() -> (Vec<RecordBatch>, Vec<[String; 3]>) {
    let mut all = Vec::new();
    let mut batches = Vec::new();
    for b in 0..3 {
        let rows: Vec<[String; 3]> = (0..4)
            .map(|i| {
                let n = b * 4 + i;
                let note = match n % 4 {
                    0 => format!("plain {n}"),
                    1 => format!("with, comma {n}"),
                    2 => format!("say \"hi\" {n}"),
                    _ => format!("two\nlines {n}"),
                };
                [
                    format!("2024-01-01 00:00:{n:02}.000"),
                    format!("GetObject{n}"),
                    note,
                ]
            })
            .collect();
        let refs: Vec<[&str; 3]> = rows
            .iter()
            .map(|r| [r[0].as_str(), r[1].as_str(), r[2].as_str()])
            .collect();
        batches.push(batch(&refs));
        all.extend(rows);
    }
    (batches, all)
}

fn options(max_file_bytes: u64) -> ResultOptions {
    let mut options = ResultOptions::new(
        "us-east-1",
        Utc.with_ymd_and_hms(2024, 5, 10, 22, 6, 30)
            .single()
            .expect("time"),
    );
    options.max_file_bytes = max_file_bytes;
    options
}

/// Writes the sample into a fresh folder, split into several files.
async fn write_sample(dir: &Path) -> SavedResult {
    let (batches, _) = sample_batches();
    write_result(
        dir.to_str().expect("utf8 path"),
        &batches,
        &options(150),
        &key(),
    )
    .await
    .expect("write result")
}

fn gunzip(path: &Path) -> String {
    let bytes = std::fs::read(path).expect("read result file");
    let mut text = String::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_string(&mut text)
        .expect("gunzip");
    text
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn edit_sign_file(dir: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let path = dir.join(SIGN_FILE_NAME);
    let mut json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("read sign file")).expect("json");
    edit(&mut json);
    std::fs::write(&path, serde_json::to_vec_pretty(&json).expect("encode")).expect("write");
}

fn flip_hex(s: &str) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    chars[10] = if chars[10] == '0' { '1' } else { '0' };
    chars.into_iter().collect()
}

#[tokio::test]
async fn written_result_verifies_and_holds_the_rows() {
    let dir = tempfile::tempdir().expect("tempdir");
    let saved = write_sample(dir.path()).await;
    assert!(
        saved.files.len() >= 3,
        "expected a split: {:?}",
        saved.files
    );

    let report = verify(dir.path().to_str().expect("utf8"), &KEYS)
        .await
        .expect("verify");
    assert!(report.is_valid(), "{report}");
    assert_eq!(report.files_checked, saved.files.len());
    assert_eq!(
        report.to_string(),
        format!(
            "Verified {} result files and the signature of result_sign.json (key {})",
            saved.files.len(),
            key().fingerprint()
        )
    );

    // Every file starts with the header; together they hold all rows, in order.
    let (_, expected_rows) = sample_batches();
    let header = "eventTime,eventName,note\n";
    let mut body = String::new();
    let mut rows = 0;
    for (i, file) in saved.files.iter().enumerate() {
        assert_eq!(file.name, format!("result_{}.csv.gz", i + 1));
        let text = gunzip(&dir.path().join(&file.name));
        assert!(text.starts_with(header), "{}: {text:?}", file.name);
        assert!(
            text.len() as u64 <= 150 || file.rows == 1,
            "{} too big",
            file.name
        );
        body.push_str(&text[header.len()..]);
        rows += file.rows;
    }
    let expected: String = expected_rows
        .iter()
        .map(|r| r.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(",") + "\n")
        .collect();
    assert_eq!(body, expected);
    assert_eq!(rows, 12);
}

#[tokio::test]
async fn sign_file_has_lake_fields_in_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let saved = write_sample(dir.path()).await;
    let text = std::fs::read_to_string(dir.path().join(SIGN_FILE_NAME)).expect("sign file");
    let json: serde_json::Value = serde_json::from_str(&text).expect("json");
    let keys: Vec<&str> = json
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "version",
            "region",
            "files",
            "hashAlgorithm",
            "signatureAlgorithm",
            "queryCompleteTime",
            "hashSignature",
            "publicKeyFingerprint"
        ]
    );
    assert_eq!(json["version"], "1.0");
    assert_eq!(json["region"], "us-east-1");
    assert_eq!(json["hashAlgorithm"], "SHA-256");
    assert_eq!(json["signatureAlgorithm"], "SHA256withRSA");
    assert_eq!(json["queryCompleteTime"], "2024-05-10T22:06:30Z");
    assert_eq!(json["publicKeyFingerprint"], key().fingerprint());
    assert_eq!(json["hashSignature"].as_str().map(str::len), Some(512));
    let files = json["files"].as_array().expect("files");
    assert_eq!(files.len(), saved.files.len());
    for (entry, file) in files.iter().zip(&saved.files) {
        let names: Vec<&str> = entry
            .as_object()
            .expect("entry")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(names, ["fileHashValue", "fileName"]);
        assert_eq!(entry["fileName"], file.name.as_str());
        assert_eq!(entry["fileHashValue"], file.sha256.as_str());
    }
}

#[tokio::test]
async fn modified_byte_names_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let saved = write_sample(dir.path()).await;
    let path = dir.path().join("result_2.csv.gz");
    let mut bytes = std::fs::read(&path).expect("read");
    let last = bytes.len() - 5;
    bytes[last] ^= 0x01;
    std::fs::write(&path, &bytes).expect("write");

    let report = verify(dir.path().to_str().expect("utf8"), &KEYS)
        .await
        .expect("verify");
    assert!(!report.is_valid());
    assert_eq!(report.problems.len(), 1, "{report}");
    match &report.problems[0] {
        Problem::HashMismatch {
            name,
            expected,
            actual,
        } => {
            assert_eq!(name, "result_2.csv.gz");
            assert_eq!(expected, &saved.files[1].sha256);
            assert_ne!(actual, expected);
        }
        other => panic!("unexpected problem {other:?}"),
    }
    assert!(
        report
            .to_string()
            .starts_with("result_2.csv.gz was modified")
    );
}

#[tokio::test]
async fn edited_hash_signature_is_invalid() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_sample(dir.path()).await;
    edit_sign_file(dir.path(), |json| {
        let edited = flip_hex(json["hashSignature"].as_str().expect("signature"));
        json["hashSignature"] = edited.into();
    });
    let report = verify(dir.path().to_str().expect("utf8"), &KEYS)
        .await
        .expect("verify");
    assert!(
        matches!(
            report.problems.as_slice(),
            [Problem::SignatureInvalid { .. }]
        ),
        "{report}"
    );
    assert!(
        report
            .to_string()
            .contains("signature of result_sign.json is invalid")
    );
}

#[tokio::test]
async fn edited_file_hash_value_is_a_mismatch_and_breaks_the_signature() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_sample(dir.path()).await;
    edit_sign_file(dir.path(), |json| {
        let edited = flip_hex(json["files"][0]["fileHashValue"].as_str().expect("hash"));
        json["files"][0]["fileHashValue"] = edited.into();
    });
    let report = verify(dir.path().to_str().expect("utf8"), &KEYS)
        .await
        .expect("verify");
    assert!(
        matches!(
            report.problems.as_slice(),
            [Problem::HashMismatch { name, .. }, Problem::SignatureInvalid { .. }]
                if name == "result_1.csv.gz"
        ),
        "{report}"
    );
}

#[tokio::test]
async fn deleted_file_is_missing() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_sample(dir.path()).await;
    std::fs::remove_file(dir.path().join("result_3.csv.gz")).expect("remove");
    let report = verify(dir.path().to_str().expect("utf8"), &KEYS)
        .await
        .expect("verify");
    assert_eq!(
        report.problems,
        vec![Problem::FileMissing {
            name: "result_3.csv.gz".into()
        }]
    );
    assert!(report.to_string().contains("result_3.csv.gz is listed"));
}

#[tokio::test]
async fn extra_result_file_is_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_sample(dir.path()).await;
    std::fs::copy(
        dir.path().join("result_1.csv.gz"),
        dir.path().join("result_99.csv.gz"),
    )
    .expect("copy");
    std::fs::write(dir.path().join("README.txt"), "not a result file").expect("write");
    let report = verify(dir.path().to_str().expect("utf8"), &KEYS)
        .await
        .expect("verify");
    assert_eq!(
        report.problems,
        vec![Problem::UnlistedFile {
            name: "result_99.csv.gz".into()
        }]
    );
}

#[tokio::test]
async fn missing_or_malformed_sign_file_is_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_sample(dir.path()).await;
    let sign = dir.path().join(SIGN_FILE_NAME);
    std::fs::write(&sign, "{\"version\": \"1.0\", ").expect("write");
    let report = verify(dir.path().to_str().expect("utf8"), &KEYS)
        .await
        .expect("verify");
    assert!(
        matches!(
            report.problems.as_slice(),
            [Problem::SignFileMalformed { .. }]
        ),
        "{report}"
    );

    std::fs::remove_file(&sign).expect("remove");
    let report = verify(dir.path().to_str().expect("utf8"), &KEYS)
        .await
        .expect("verify");
    assert_eq!(report.problems, vec![Problem::SignFileMissing]);
}

#[tokio::test]
async fn unknown_key_and_public_key_pem() {
    let dir = tempfile::tempdir().expect("tempdir");
    let saved = write_sample(dir.path()).await;
    let location = dir.path().to_str().expect("utf8");

    // A key store without the key.
    let other = tempfile::tempdir().expect("tempdir");
    let empty = KeyStore::open(other.path()).expect("open");
    let report = verify(location, &empty).await.expect("verify");
    assert_eq!(
        report.problems,
        vec![Problem::UnknownKey {
            fingerprint: saved.sign_file.public_key_fingerprint.clone()
        }]
    );

    // Only the public key: PKCS#1 as listed, and SubjectPublicKeyInfo.
    let info = KEYS
        .public_key(key().fingerprint())
        .expect("lookup")
        .expect("key present");
    let report = verify_with_public_key(location, &info.public_key_pem)
        .await
        .expect("verify");
    assert!(report.is_valid(), "{report}");
    let spki = info.public_key().expect("parse").to_spki_pem().to_string();
    assert!(spki.starts_with("-----BEGIN PUBLIC KEY-----"));
    let report = verify_with_public_key(location, &spki)
        .await
        .expect("verify");
    assert!(report.is_valid(), "{report}");

    assert!(matches!(
        verify_with_public_key(location, "not a pem").await,
        Err(ResultsError::PublicKeyPem { .. })
    ));
}

#[tokio::test]
async fn existing_result_is_never_overwritten() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_sample(dir.path()).await;
    let (batches, _) = sample_batches();
    let err = write_result(
        dir.path().to_str().expect("utf8"),
        &batches,
        &options(150),
        &key(),
    )
    .await
    .expect_err("second write must fail");
    assert!(matches!(err, ResultsError::SignFileExists { .. }), "{err}");
    assert!(
        err.to_string().contains("result_sign.json already exists"),
        "{err}"
    );

    // Leftover result files of an unfinished save are refused too.
    std::fs::remove_file(dir.path().join(SIGN_FILE_NAME)).expect("remove");
    let err = write_result(
        dir.path().to_str().expect("utf8"),
        &batches,
        &options(150),
        &key(),
    )
    .await
    .expect_err("leftovers must be refused");
    assert!(
        matches!(err, ResultsError::ResultFilesExist { .. }),
        "{err}"
    );
}

#[tokio::test]
async fn empty_result_has_a_header_only_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = url::Url::from_directory_path(dir.path()).expect("file url");
    let saved = write_result(
        url.as_str(),
        &[RecordBatch::new_empty(schema())],
        &options(1024),
        &key(),
    )
    .await
    .expect("write");
    assert_eq!(saved.files.len(), 1);
    assert_eq!(saved.files[0].rows, 0);
    assert_eq!(
        gunzip(&dir.path().join("result_1.csv.gz")),
        "eventTime,eventName,note\n"
    );
    let report = verify(url.as_str(), &KEYS).await.expect("verify");
    assert!(report.is_valid(), "{report}");
    assert_eq!(
        report.to_string(),
        format!(
            "Verified 1 result file and the signature of result_sign.json (key {})",
            key().fingerprint()
        )
    );
}

#[tokio::test]
async fn cloud_destinations_are_refused() {
    let err = write_result("gs://bucket/prefix", &[], &options(1024), &key())
        .await
        .expect_err("gs unsupported");
    assert!(
        err.to_string()
            .contains("gs:// is not supported by this build"),
        "{err}"
    );
}

#[test]
fn keys_persist_with_a_private_file_of_mode_0600() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = KeyStore::open(dir.path()).expect("open");
    assert!(store.public_keys().expect("list").is_empty());
    let first = store.signing_key().expect("create key");
    let fingerprint = first.fingerprint().to_string();
    assert_eq!(fingerprint.len(), 32);
    assert!(!format!("{first:?}").contains("PRIVATE"));

    let reopened = KeyStore::open(dir.path()).expect("reopen");
    assert_eq!(
        reopened.signing_key().expect("load").fingerprint(),
        fingerprint
    );
    let listed = reopened.public_keys().expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].fingerprint, fingerprint);
    assert!(
        listed[0]
            .public_key_pem
            .starts_with("-----BEGIN RSA PUBLIC KEY-----")
    );
    assert!(listed[0].valid_to - listed[0].valid_from >= Duration::days(365));

    let private = dir.path().join(format!("{fingerprint}.private.pem"));
    let text = std::fs::read_to_string(&private).expect("private key file");
    assert!(text.starts_with("-----BEGIN PRIVATE KEY-----"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&private)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // No temporary files left behind.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
}

#[tokio::test]
async fn expired_key_is_rotated_and_old_results_still_verify() {
    let keys_dir = tempfile::tempdir().expect("tempdir");
    let store = KeyStore::open(keys_dir.path())
        .expect("open")
        .with_validity(Duration::days(30));
    let now = Utc::now();
    let first = store.signing_key_at(now).expect("first key");
    assert_eq!(
        store
            .signing_key_at(now + Duration::days(29))
            .expect("same key")
            .fingerprint(),
        first.fingerprint()
    );
    let second = store
        .signing_key_at(now + Duration::days(31))
        .expect("rotated key");
    assert_ne!(second.fingerprint(), first.fingerprint());
    assert_eq!(store.public_keys().expect("list").len(), 2);

    // A result signed by the old key verifies with the store, not with the new key's PEM.
    let dir = tempfile::tempdir().expect("tempdir");
    let (batches, _) = sample_batches();
    let location = dir.path().to_str().expect("utf8");
    write_result(location, &batches, &options(1 << 20), &first)
        .await
        .expect("write");
    assert!(verify(location, &store).await.expect("verify").is_valid());
    let report = verify_with_public_key(location, second.public_key().to_pkcs1_pem())
        .await
        .expect("verify");
    assert!(
        matches!(
            report.problems.as_slice(),
            [
                Problem::KeyMismatch { .. },
                Problem::SignatureInvalid { .. }
            ]
        ),
        "{report}"
    );
}

/// Runs Lake's documented OpenSSL recipe ("Validate query results with the
/// command line") on a written result.
#[tokio::test]
async fn lake_openssl_recipe_verifies() {
    let has = |tool: &str| {
        std::process::Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    };
    if !has("openssl") || !has("xxd") || !has("fold") {
        eprintln!("skipping lake_openssl_recipe_verifies: openssl, xxd or fold is not on PATH");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let saved = write_sample(dir.path()).await;
    let info = KEYS
        .public_key(key().fingerprint())
        .expect("lookup")
        .expect("key present");
    let hash_list = saved
        .sign_file
        .files
        .iter()
        .map(|f| f.file_hash_value.clone())
        .collect::<Vec<_>>()
        .join(" ");

    let run = |script: &str| {
        let out = std::process::Command::new("sh")
            .current_dir(dir.path())
            .args(["-c", script])
            .output()
            .expect("run sh");
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };

    // Step 2: each file's SHA-256 as openssl computes it.
    for file in &saved.files {
        let (out, err) = run(&format!("openssl dgst -sha256 {}", file.name));
        assert!(out.trim_end().ends_with(&file.sha256), "{out} {err}");
    }
    // Steps 3-7, verbatim apart from the values.
    let script = format!(
        "printf -- \"-----BEGIN RSA PUBLIC KEY-----\\n%s\\n-----END RSA PUBLIC KEY-----\" \"{key}\" | fold -w64 >> public_key_pkcs1.pem\n\
         openssl rsa -RSAPublicKey_in -in public_key_pkcs1.pem -pubout -out public_key_x509.pem\n\
         printf \"{sig}\" >> signature\n\
         xxd -r -p signature signature.bin\n\
         printf \"{hash_list}\" >> hash_list_file\n\
         openssl dgst -sha256 -verify public_key_x509.pem -signature signature.bin hash_list_file\n",
        key = info.value_base64(),
        sig = saved.sign_file.hash_signature,
    );
    let (out, err) = run(&script);
    assert_eq!(out.trim(), "Verified OK", "stderr: {err}");

    // The fingerprint is the MD5 of the DER PKCS#1 public key.
    let (out, err) = run(
        "openssl rsa -RSAPublicKey_in -in public_key_pkcs1.pem -RSAPublicKey_out -outform DER 2>/dev/null \
         | openssl dgst -md5 -r",
    );
    assert!(out.starts_with(key().fingerprint()), "{out} {err}");

    // And the recipe fails on a changed hash list.
    let (out, _) = run("printf 'x' >> hash_list_file\n\
         openssl dgst -sha256 -verify public_key_x509.pem -signature signature.bin hash_list_file");
    // OpenSSL 1.x prints "Verification Failure", 3.x "Verification failure".
    assert_eq!(out.trim().to_lowercase(), "verification failure");
}
