//! Ingest through the CLI: formats, bad input, selectors, retention, the generator.

mod common;

use std::io::Write;
use std::path::Path;

use chrono::{Duration, Utc};
use common::{fails, json, ok, run, run_with_stdin, stderr, stdout};

fn record(event_id: &str, time: &str, extra: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.09","eventTime":"{time}","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","eventID":"{event_id}"{extra}}}"#
    )
}

fn day(offset: i64) -> String {
    (Utc::now() + Duration::days(offset))
        .format("%Y-%m-%dT12:00:00Z")
        .to_string()
}

fn rejects(path: &str) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .expect("rejects report")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

#[test]
fn bad_records_are_rejected_with_place_and_reason_and_good_ones_kept() {
    let lake = tempfile::tempdir().expect("tempdir");
    let inputs = tempfile::tempdir().expect("tempdir");
    let lake = lake.path();
    ok(lake, &["eds", "create", "audit"]);
    let today = day(0);
    let lines = [
        record("good-1", &today, ""),
        "{not json".to_owned(),
        "[1, 2]".to_owned(),
        record("no-time", "", "").replace(r#""eventTime":"","#, ""),
        record("bad-time", "yesterday-ish", ""),
        record("bad-type", &today, r#","readOnly":"maybe""#),
        record("good-2", &today, r#","readOnly":"true""#),
    ];
    let jsonl = inputs.path().join("events.jsonl");
    std::fs::write(&jsonl, lines.join("\n")).expect("write");
    // A trail file whose JSON is cut off, a truncated gzip, and a good gzipped trail file beside them.
    let broken = inputs.path().join("broken.json");
    std::fs::write(
        &broken,
        format!(r#"{{"Records":[{},"#, record("lost", &today, "")),
    )
    .expect("write");
    let good_gz = inputs.path().join("good.json.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    write!(
        gz,
        r#"{{"Records":[{},{}]}}"#,
        record("gz-1", &today, ""),
        record("gz-2", &today, "")
    )
    .expect("gzip");
    let gz_bytes = gz.finish().expect("gzip");
    std::fs::write(&good_gz, &gz_bytes).expect("write");
    let truncated = inputs.path().join("truncated.json.gz");
    std::fs::write(&truncated, &gz_bytes[..gz_bytes.len() / 2]).expect("write");

    let summary = json(
        lake,
        &[
            "ingest",
            "--eds",
            "audit",
            inputs.path().to_str().expect("utf-8"),
        ],
    );
    assert_eq!(summary["files"], 4);
    assert_eq!(summary["eventsWritten"], 4, "{summary}");
    assert_eq!(summary["eventsRejected"], 5, "{summary}");
    assert_eq!(summary["inputsFailed"], 2, "{summary}");
    let report = rejects(summary["rejectsReport"].as_str().expect("a rejects report"));
    let find = |needle: &str| {
        report
            .iter()
            .find(|r| r.to_string().contains(needle))
            .unwrap_or_else(|| panic!("no reject mentions {needle}: {report:?}"))
            .clone()
    };
    let not_json = find("{not json");
    assert_eq!(not_json["line"], 2);
    assert!(
        not_json["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("not valid JSON")
    );
    assert!(
        find("[1, 2]")["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("expected a JSON object, found an array")
    );
    assert_eq!(find("no-time")["reason"], "missing eventTime");
    assert!(
        find("bad-time")["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("eventTime: not a time: \"yesterday-ish\"")
    );
    let bad_type = find("bad-type");
    assert_eq!(bad_type["eventID"], "bad-type");
    assert_eq!(bad_type["line"], 6);
    assert!(
        bad_type["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("readOnly: expected true or false, found \"maybe\"")
    );
    assert!(
        find("broken.json")["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("not a valid CloudTrail log file")
    );
    assert!(
        find("truncated.json.gz")["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("truncated")
    );

    let shown = json(lake, &["eds", "show", "audit"]);
    assert_eq!(shown["stats"]["events"], 4);
}

#[test]
fn stdin_jsonl_and_text_summary() {
    let lake = tempfile::tempdir().expect("tempdir");
    let lake = lake.path();
    ok(lake, &["eds", "create", "audit"]);
    let input = format!(
        "{}\n\n{}\n",
        record("a", &day(0), ""),
        record("b", &day(-1), "")
    );
    let out = run_with_stdin(lake, &["ingest", "--eds", "audit", "-"], &input);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("2 events read, 2 written, 0 filtered, 0 rejected"),
        "{text}"
    );
    let shown = json(lake, &["eds", "show", "audit"]);
    assert_eq!(shown["stats"]["events"], 2);
    assert_eq!(shown["stats"]["days"], 2);
}

#[test]
fn selectors_filter_events_and_count_them() {
    let lake = tempfile::tempdir().expect("tempdir");
    let lake = lake.path();
    let selectors = r#"[{"FieldSelectors":[{"Field":"eventName","Equals":["PutObject"]}]}]"#;
    ok(lake, &["eds", "create", "writes", "--selectors", selectors]);
    let input = format!(
        "{}\n{}\n",
        record("get", &day(0), ""),
        record("put", &day(0), "").replace("GetObject", "PutObject")
    );
    let out = run_with_stdin(
        lake,
        &["--output", "json", "ingest", "--eds", "writes", "-"],
        &input,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(summary["eventsWritten"], 1);
    assert_eq!(summary["eventsFiltered"], 1);
    assert_eq!(summary["eventsRejected"], 0);
}

#[test]
fn retention_drops_whole_expired_days_and_keeps_the_boundary_day() {
    let lake = tempfile::tempdir().expect("tempdir");
    let lake = lake.path();
    ok(
        lake,
        &["eds", "create", "audit", "--retention-days", "3653"],
    );
    // Years back, just outside a 30-day period, the boundary day, and today.
    let input = [
        record("old", "2019-03-01T10:00:00Z", ""),
        record("outside", &day(-31), ""),
        record(
            "boundary",
            &(Utc::now() - Duration::days(30))
                .format("%Y-%m-%dT00:00:01Z")
                .to_string(),
            "",
        ),
        record("today", &day(0), ""),
    ]
    .join("\n");
    let out = run_with_stdin(lake, &["ingest", "--eds", "audit", "-"], &input);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(lake, &["eds", "show", "audit"])["stats"]["events"], 4);

    ok(lake, &["eds", "update", "audit", "--retention-days", "30"]);
    let result = json(lake, &["eds", "enforce-retention", "audit"]);
    let retention = &result["stores"][0]["retention"];
    assert_eq!(retention["eventsRemoved"], 2, "{result}");
    assert_eq!(
        retention["daysRemoved"].as_array().map(Vec::len),
        Some(2),
        "{result}"
    );
    assert_eq!(retention["daysRemoved"][0], "2019-03-01");
    let shown = json(lake, &["eds", "show", "audit"]);
    assert_eq!(shown["stats"]["events"], 2);
    let boundary_day = (Utc::now() - Duration::days(30))
        .format("%Y-%m-%d")
        .to_string();
    assert_eq!(shown["stats"]["firstEventDay"], boundary_day.as_str());
    // The expired days' files are gone from disk, not only from the log.
    let table = lake
        .join("eventdatastores")
        .join(shown["id"].as_str().expect("id"));
    assert!(!table.join("eventday=2019-03-01").exists());
    assert!(table.join(format!("eventday={boundary_day}")).exists());
    // Ingest also enforces retention: events older than the period are not written.
    let out = run_with_stdin(
        lake,
        &["--output", "json", "ingest", "--eds", "audit", "-"],
        &record("late", "2020-01-01T00:00:00Z", ""),
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(summary["eventsExpired"], 1);
    assert_eq!(summary["eventsWritten"], 0);
}

#[test]
fn generated_trail_logs_ingest_whole() {
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
            "3",
            "--events-per-day",
            "500",
        ],
    );
    let events = generated["events"].as_u64().expect("events");
    assert!(events >= 1500);
    ok(lake, &["eds", "create", "demo"]);
    let summary = json(
        lake,
        &["ingest", "--eds", "demo", &format!("{out_dir}/AWSLogs")],
    );
    assert_eq!(summary["eventsRead"], events);
    assert_eq!(summary["eventsWritten"], events);
    assert_eq!(summary["eventsRejected"], 0);
    assert_eq!(summary["commits"], 1, "many files, one commit: {summary}");
    let shown = json(lake, &["eds", "show", "demo"]);
    assert_eq!(shown["stats"]["events"], events);
    // Partitions come from event time, not from the delivery folder: 3 days of events, 4 days of folders.
    assert_eq!(shown["stats"]["days"], 3);
    assert!(Path::new(out_dir).join("AWSLogs").exists());
    assert_eq!(run(lake, &["eds", "show", "demo"]).status.code(), Some(0));
    let _ = fails;
}
