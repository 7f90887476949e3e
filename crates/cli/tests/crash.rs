//! A kill at any moment leaves the store readable, with no half-written file visible and no event counted twice.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{json, ok};

fn parquet_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| {
            let path = e.path();
            if path.is_dir() {
                parquet_files(&path)
            } else {
                usize::from(path.extension().is_some_and(|x| x == "parquet"))
            }
        })
        .sum()
}

#[test]
fn killed_ingest_leaves_nothing_visible_and_a_rerun_counts_each_event_once() {
    let lake = tempfile::tempdir().expect("tempdir");
    let samples = tempfile::tempdir().expect("tempdir");
    let lake = lake.path();
    let out_dir = samples.path().to_str().expect("utf-8");
    let generated = json(
        lake,
        &[
            "generate",
            "--out",
            out_dir,
            "--days",
            "10",
            "--events-per-day",
            "3000",
        ],
    );
    let total = generated["events"].as_u64().expect("events");
    let store = json(lake, &["eds", "create", "crash"]);
    let table = lake
        .join("eventdatastores")
        .join(store["id"].as_str().expect("id"));

    // Kill the ingest as soon as it has written data files, before its commit.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("auditlake"))
        .args([
            "--lake",
            lake.to_str().expect("utf-8"),
            "ingest",
            "--eds",
            "crash",
            "--group-mib",
            "1",
            out_dir,
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let started = Instant::now();
    while parquet_files(&table) == 0 && started.elapsed() < Duration::from_secs(120) {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let killed_mid_run = child.try_wait().expect("wait").is_none();
    child.kill().expect("kill");
    child.wait().expect("wait");

    eprintln!("killed mid-run: {killed_mid_run}");
    let after_kill = json(lake, &["eds", "show", "crash"])["stats"]["events"]
        .as_u64()
        .expect("events");
    if killed_mid_run {
        assert!(
            parquet_files(&table) > 0,
            "the killed run had written files"
        );
        assert_eq!(after_kill, 0, "uncommitted files must not be visible");
        let summary = json(lake, &["ingest", "--eds", "crash", out_dir]);
        assert_eq!(summary["eventsWritten"], total);
    } else {
        assert_eq!(after_kill, total, "a finished run committed everything");
    }
    assert_eq!(
        json(lake, &["eds", "show", "crash"])["stats"]["events"],
        total
    );
    ok(lake, &["eds", "list"]);
}
