//! Every real record in ../shared/corpora/cloudtrail ingests, or is rejected with a reason a person agrees with;
//! `eventjson` gives back the original record.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use auditlake_ingest::{IngestOptions, IngestSummary, Source, ingest};
use auditlake_schema::rebuild;
use auditlake_store::{Lake, LakeSettings, NewStore};
use chrono::{TimeZone, Utc};
use deltalake::arrow::array::{Array, AsArray};
use deltalake::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::Value;

fn corpus() -> PathBuf {
    PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("run by cargo"))
        .join("../../../shared/corpora/cloudtrail")
}

/// Ingests one corpus folder into a fresh store; retention is judged at 2023-01-01 so that the oldest
/// records (2014) are inside a 3653-day period.
async fn ingest_folder(lake: &Lake, folder: &str) -> IngestSummary {
    let mut request = NewStore::named(folder.replace('/', "-"));
    request.retention_days = Some(3653);
    let store = lake.create_store(request).await.expect("create store");
    let options = IngestOptions {
        now: Utc
            .with_ymd_and_hms(2023, 1, 1, 0, 0, 0)
            .single()
            .expect("time"),
        rejects_path: Some(
            lake.local_root()
                .expect("local")
                .join(format!("{}.rejects.jsonl", store.name)),
        ),
        ..IngestOptions::default()
    };
    ingest(
        lake,
        &store.id,
        &corpus_files(&corpus().join(folder)),
        options,
        Arc::new(()),
    )
    .await
    .expect("ingest runs")
}

/// The record files of a corpus folder: not its PROVENANCE.md, index files, CSV or YAML metadata.
fn corpus_files(folder: &Path) -> Vec<Source> {
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(folder)
        .expect("folder")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        if path.is_dir() {
            out.extend(corpus_files(&path));
        } else if !(name.ends_with(".index.jsonl")
            || name.ends_with(".md")
            || name.ends_with(".csv")
            || name.ends_with(".yaml"))
        {
            out.push(Source::Path(path));
        }
    }
    out
}

/// Sorts object keys recursively, so that equal JSON compares equal as text.
fn canonical(v: &Value) -> String {
    fn sort(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let sorted: BTreeMap<_, _> = m.iter().map(|(k, v)| (k.clone(), sort(v))).collect();
                Value::Object(sorted.into_iter().collect())
            }
            Value::Array(a) => Value::Array(a.iter().map(sort).collect()),
            other => other.clone(),
        }
    }
    sort(v).to_string()
}

/// Every JSON object a corpus folder holds as a record (JSON Lines, arrays, Records files, EventBridge details).
fn source_records(folder: &Path, out: &mut Vec<Value>) {
    let mut entries: Vec<_> = std::fs::read_dir(folder)
        .expect("folder")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            source_records(&path, out);
            continue;
        }
        let bytes = std::fs::read(&path).expect("read");
        let text = if bytes.starts_with(&[0x1f, 0x8b]) {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut s)
                .expect("gunzip");
            s
        } else {
            String::from_utf8_lossy(&bytes).into_owned()
        };
        let mut values = Vec::new();
        match serde_json::from_str::<Value>(&text) {
            Ok(v) => values.push(v),
            Err(_) => values.extend(
                text.lines()
                    .filter_map(|l| serde_json::from_str::<Value>(l).ok()),
            ),
        }
        for v in values {
            match v {
                Value::Array(items) => out.extend(items),
                Value::Object(ref m) if m.get("Records").is_some_and(Value::is_array) => {
                    out.extend(m["Records"].as_array().cloned().unwrap_or_default())
                }
                Value::Object(ref m) if m.contains_key("detail") => {
                    out.push(m["detail"].clone());
                    out.push(v);
                }
                other => out.push(other),
            }
        }
    }
}

/// The `eventjson` of every event in a store, read from its Parquet files (records stored as a layout written
/// out from their columns), and how many were stored as a layout.
async fn stored_event_json(lake: &Lake, store_name: &str) -> (Vec<String>, usize) {
    let store = lake.store(store_name).await.expect("store");
    let table = lake.table(&store).await.expect("table");
    let dir = table.url().to_file_path().expect("local table");
    let snapshot = table.delta().snapshot().expect("snapshot");
    let (mut out, mut layouts) = (Vec::new(), 0);
    for file in snapshot.log_data().iter() {
        let reader = ParquetRecordBatchReaderBuilder::try_new(
            std::fs::File::open(dir.join(file.path().as_ref())).expect("open"),
        )
        .expect("parquet")
        .build()
        .expect("reader");
        for batch in reader {
            let batch = batch.expect("batch");
            let column = batch.column_by_name("eventjson").expect("eventjson column");
            layouts += (0..column.len())
                .filter(|&i| !column.as_string::<i32>().value(i).starts_with('{'))
                .count();
            let columns = rebuild::record_columns(&batch).expect("record columns");
            let strings = rebuild::rebuild_event_json(column, &columns).expect("rebuilt");
            out.extend((0..strings.len()).map(|i| strings.value(i).to_owned()));
        }
    }
    (out, layouts)
}

/// Records read, written, rejected, and inputs that could not be read.
type Counts = (u64, u64, u64, u64);

#[tokio::test(flavor = "multi_thread")]
async fn every_corpus_folder_ingests_with_expected_counts_and_round_trips() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = Lake::open(
        dir.path().to_str().expect("utf-8"),
        LakeSettings::from_env(),
    )
    .expect("lake");
    // folder: (records read, written, rejected, unreadable inputs). The rejects, checked by reading them:
    // - a fragment without eventTime in each awsdocs folder, and the 2 + 4 files in raw/ that are not valid JSON
    //   (literal newline in a string, trailing "...", missing commas, markdown-escaped backslash, a fragment);
    // - the elastic digest file (not events); panther and streamalert records whose eventTime is missing or a
    //   placeholder ("...", "redacted", "eventTime"), one panther record whose resources are Python-dict strings,
    //   and streamalert's CloudWatch Logs payload;
    // - zmallen's ec2-user-data file, whose Records are not comma-separated (rejected whole, with the line).
    // OTRF's Logstash records have no eventTime: their @timestamp is the event time and is used.
    let expected: &[(&str, Counts)] = &[
        ("awsdocs-cloudtrail-user-guide", (27, 26, 1, 2)),
        ("awsdocs-iam-user-guide", (8, 7, 1, 4)),
        ("elastic-integrations", (17, 16, 1, 0)),
        ("otrf-security-datasets", (103, 103, 0, 0)),
        ("panther-analysis", (499, 479, 20, 0)),
        ("stratus-red-team", (310, 310, 0, 0)),
        ("streamalert", (57, 42, 15, 0)),
        ("umccr-cloudtrail-parquet-lambda", (206, 206, 0, 0)),
        ("zmallen-cloudtrail2sightings", (12, 12, 0, 1)),
    ];
    let mut failures = Vec::new();
    for (folder, want) in expected {
        let summary = ingest_folder(&lake, folder).await;
        let got = (
            summary.events_read,
            summary.events_written,
            summary.events_rejected,
            summary.inputs_failed,
        );
        if got != *want {
            let rejects = summary
                .rejects_report
                .as_deref()
                .map(std::fs::read_to_string)
                .and_then(Result::ok)
                .unwrap_or_default();
            let reasons: Vec<String> = rejects
                .lines()
                .filter_map(|l| serde_json::from_str::<Value>(l).ok())
                .map(|r| {
                    format!(
                        "    {}:{} {}",
                        r["source"]
                            .as_str()
                            .unwrap_or("?")
                            .rsplit('/')
                            .next()
                            .unwrap_or("?"),
                        r["line"],
                        r["reason"]
                    )
                })
                .collect();
            failures.push(format!(
                "{folder}: got {got:?}, expected {want:?}\n{}",
                reasons.join("\n")
            ));
        }
        // Round trip: each stored eventjson is, as JSON, one of the folder's records.
        let mut originals = Vec::new();
        source_records(&corpus().join(folder), &mut originals);
        let originals: std::collections::HashSet<String> =
            originals.iter().map(canonical).collect();
        let (stored, layouts) = stored_event_json(&lake, &folder.replace('/', "-")).await;
        assert_eq!(stored.len() as u64, summary.events_written, "{folder}");
        eprintln!(
            "{folder}: {layouts} of {} events stored as a layout",
            stored.len()
        );
        for text in stored {
            let value: Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{folder}: eventjson is not JSON ({e}): {text}"));
            assert!(
                originals.contains(&canonical(&value)),
                "{folder}: eventjson differs from every original: {text}"
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
