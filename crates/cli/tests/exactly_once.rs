//! Every way in is exactly once: a file whose events a store holds is never written again (from another folder,
//! after a kill), a killed ingest resumes where its last commit left it, vacuum removes what a killed run left,
//! and optimize compacts a day's files without changing what queries see.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{json, ok};

/// Writes `days` days of trail log files under `out`; returns the events written, as the generator counts them.
fn generate(lake: &Path, out: &Path, days: u32, per_day: u32, seed: u64) -> u64 {
    let generated = json(
        lake,
        &[
            "generate",
            "--out",
            out.to_str().expect("utf-8"),
            "--start",
            "2026-01-01",
            "--days",
            &days.to_string(),
            "--events-per-day",
            &per_day.to_string(),
            "--seed",
            &seed.to_string(),
        ],
    );
    generated["events"].as_u64().expect("events")
}

/// `count(*)` and `count(DISTINCT eventid)` of a store.
fn counts(lake: &Path, store: &str) -> (u64, u64) {
    let rows = json(
        lake,
        &[
            "query",
            "--format",
            "json",
            &format!("SELECT count(*) AS n, count(DISTINCT eventid) AS d FROM {store}"),
        ],
    );
    let row = &rows["rows"][0];
    (row["n"].as_u64().expect("n"), row["d"].as_u64().expect("d"))
}

fn create(lake: &Path, name: &str) {
    ok(lake, &["eds", "create", name, "--retention-days", "3653"]);
}

fn ingest(lake: &Path, store: &str, path: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["ingest", "--eds", store, path.to_str().expect("utf-8")];
    args.extend_from_slice(extra);
    json(lake, &args)
}

fn parquet_files(dir: &Path) -> usize {
    let mut n = 0;
    for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            n += parquet_files(&path);
        } else if path.extension().is_some_and(|e| e == "parquet") {
            n += 1;
        }
    }
    n
}

fn table_dir(lake: &Path, store: &str) -> std::path::PathBuf {
    let shown = json(lake, &["eds", "show", store]);
    lake.join("eventdatastores")
        .join(shown["id"].as_str().expect("id"))
}

#[test]
fn a_file_whose_events_are_stored_is_never_written_again_unless_forced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = dir.path().join("lake");
    let logs = dir.path().join("logs");
    let events = generate(&lake, &logs, 3, 300, 11);
    create(&lake, "trail");

    let first = ingest(&lake, "trail", &logs, &[]);
    assert_eq!(first["eventsWritten"].as_u64(), Some(events), "{first}");
    assert_eq!(first["filesSkipped"], 0);

    // The same bytes from another folder are the same files.
    let copy = dir.path().join("copy");
    std::fs::create_dir_all(&copy).expect("mkdir");
    let mut copied = 0;
    for entry in walk(&logs) {
        let to = copy.join(format!(
            "{copied}-{}",
            entry.file_name().expect("name").to_string_lossy()
        ));
        std::fs::copy(&entry, to).expect("copy");
        copied += 1;
    }
    let again = ingest(&lake, "trail", &copy, &[]);
    assert_eq!(again["eventsWritten"], 0, "{again}");
    assert_eq!(again["filesSkipped"].as_u64(), Some(copied), "{again}");
    assert_eq!(again["commits"], 0);
    assert_eq!(counts(&lake, "trail"), (events, events));

    // One file changed is a new file; the others are still skipped.
    let changed = walk(&copy).into_iter().next().expect("a file");
    let bytes = std::fs::read(&changed).expect("read");
    let mut text = String::from_utf8(flate2_gunzip(&bytes)).expect("utf-8");
    text = text.replacen("\"eventID\":\"", "\"eventID\":\"x", 1);
    std::fs::write(&changed, text).expect("write");
    let third = ingest(&lake, "trail", &copy, &[]);
    assert_eq!(third["filesSkipped"].as_u64(), Some(copied - 1), "{third}");
    assert!(third["eventsWritten"].as_u64() >= Some(1), "{third}");

    // --force reads everything again, on purpose.
    let forced = ingest(&lake, "trail", &logs, &["--force"]);
    assert_eq!(forced["eventsWritten"].as_u64(), Some(events), "{forced}");
    assert_eq!(forced["filesSkipped"], 0);
}

fn flate2_gunzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("gzip");
    out
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files.sort();
    files
}

#[test]
fn a_killed_ingest_resumes_from_its_last_commit_and_vacuum_removes_what_it_left() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = dir.path().join("lake");
    let logs = dir.path().join("logs");
    let events = generate(&lake, &logs, 12, 3000, 12);
    create(&lake, "trail");
    let table = table_dir(&lake, "trail");
    let log = table.join("_delta_log");

    // Kill the ingest once its first commit of a part of the input is there.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_auditlake"))
        .arg("--lake")
        .arg(&lake)
        .args([
            "ingest",
            "--eds",
            "trail",
            "--commit-mib",
            "1",
            "--group-mib",
            "1",
        ])
        .arg(&logs)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let started = Instant::now();
    while !log.join("00000000000000000001.json").exists() {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no commit within two minutes"
        );
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().expect("kill");
    child.wait().expect("wait");
    let (partial, distinct) = counts(&lake, "trail");
    assert_eq!(partial, distinct);
    assert!(partial > 0, "the first commit holds events");
    assert!(partial < events, "the ingest was killed before its end");

    let resumed = ingest(&lake, "trail", &logs, &[]);
    assert!(
        resumed["filesSkipped"].as_u64() > Some(0),
        "the committed files are skipped: {resumed}"
    );
    assert_eq!(counts(&lake, "trail"), (events, events));

    // Whatever the killed run left unreferenced goes; the store reads the same afterwards.
    let vacuum = json(&lake, &["eds", "vacuum", "trail", "--grace-minutes", "0"]);
    let files = json(&lake, &["eds", "show", "trail"])["stats"]["files"]
        .as_u64()
        .expect("files");
    assert_eq!(parquet_files(&table) as u64, files, "{vacuum}");
    assert_eq!(counts(&lake, "trail"), (events, events));
}

#[test]
fn optimize_leaves_a_file_per_day_and_the_same_events() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = dir.path().join("lake");
    let logs = dir.path().join("logs");
    let events = generate(&lake, &logs, 4, 400, 13);
    create(&lake, "trail");
    // An ingest per account and region: every day gets a file from each.
    let accounts = logs.join("AWSLogs");
    let mut ingests = 0;
    for account in std::fs::read_dir(&accounts).expect("read_dir").flatten() {
        for region in std::fs::read_dir(account.path().join("CloudTrail"))
            .expect("read_dir")
            .flatten()
        {
            ingest(&lake, "trail", &region.path(), &[]);
            ingests += 1;
        }
    }
    assert!(ingests > 2);
    let before = json(&lake, &["eds", "show", "trail"])["stats"]["files"]
        .as_u64()
        .expect("files");
    let report = json(&lake, &["eds", "optimize", "trail"]);
    let days = report["optimize"]["days"].as_array().expect("days");
    assert!(days.len() >= 4, "{report}");
    for day in days {
        assert!(day["filesBefore"].as_u64() > Some(1), "{report}");
        assert_eq!(day["filesAfter"], 1, "{report}");
    }
    let after = json(&lake, &["eds", "show", "trail"]);
    assert_eq!(after["stats"]["files"].as_u64(), Some(days.len() as u64));
    assert!(before > days.len() as u64);
    assert_eq!(counts(&lake, "trail"), (events, events));
    // The replaced files stay for queries already running, then vacuum removes them.
    let table = table_dir(&lake, "trail");
    assert_eq!(parquet_files(&table) as u64, before + days.len() as u64);
    json(&lake, &["eds", "vacuum", "trail", "--grace-minutes", "0"]);
    assert_eq!(parquet_files(&table), days.len());
    assert_eq!(counts(&lake, "trail"), (events, events));
}
