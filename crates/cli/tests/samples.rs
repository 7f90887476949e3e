//! `auditlake samples`, the REPL's `\samples` and `\run`, and `auditlake demo`, run as a user runs them.

mod common;

use std::path::Path;

use common::{fails, json, ok, run, run_with_stdin, stderr, stdout};

/// A lake with store `trail`: one generated day (2024-05-01) with the planted incidents.
fn lake_with_generated_day(dir: &Path) -> std::path::PathBuf {
    let lake = dir.join("lake");
    let logs = dir.join("logs");
    let logs = logs.to_str().expect("utf-8");
    ok(
        &lake,
        &[
            "generate",
            "--out",
            logs,
            "--days",
            "1",
            "--start",
            "2024-05-01",
            "--events-per-day",
            "200",
        ],
    );
    ok(
        &lake,
        &["eds", "create", "trail", "--retention-days", "3653"],
    );
    ok(&lake, &["ingest", "--eds", "trail", logs]);
    lake
}

#[test]
fn samples_are_listed_by_category_and_shown_as_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = dir.path().join("no-lake-needed");
    let all = json(&lake, &["samples", "list"]);
    let all = all.as_array().expect("an array");
    assert!(all.len() >= 60, "{} samples", all.len());
    for sample in all {
        for key in ["name", "category", "title", "description", "parameters"] {
            assert!(sample.get(key).is_some(), "{key} missing in {sample}");
        }
    }
    let text = ok(&lake, &["samples", "list", "--category", "errors"]);
    assert!(text.contains("access-denied-by-principal"), "{text}");
    assert!(!text.contains("root-activity"), "{text}");
    let err = fails(&lake, &["samples", "list", "--category", "nope"]);
    assert!(
        err.contains("categories: activity, change-tracking"),
        "{err}"
    );
    assert!(!lake.exists(), "listing samples must not create a lake");

    let shown = ok(&lake, &["samples", "show", "root-activity"]);
    assert!(shown.starts_with("-- name: root-activity\n"), "{shown}");
    assert!(shown.contains("FROM {{eds}}"), "{shown}");
    let err = fails(&lake, &["samples", "show", "root-activty"]);
    assert!(
        err.contains("no sample query named 'root-activty': did you mean"),
        "{err}"
    );
}

#[test]
fn a_sample_runs_with_parameters_and_bad_values_are_refused_by_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = lake_with_generated_day(dir.path());

    // The lake's only store is used when --eds is left out.
    let out = ok(
        &lake,
        &[
            "samples",
            "run",
            "principal-activity",
            "--param",
            "principal=mallory",
            "--format",
            "csv",
        ],
    );
    assert!(
        out.contains("arn:aws:iam::111122223333:user/mallory,111122223333,us-east-1,185.220.101.42,ec2.amazonaws.com,AuthorizeSecurityGroupIngress"),
        "{out}"
    );
    let err = fails(&lake, &["samples", "run", "principal-activity"]);
    assert!(
        err.contains("sample 'principal-activity' needs a parameter: principal ("),
        "{err}"
    );
    let err = fails(
        &lake,
        &[
            "samples",
            "run",
            "access-denied-bursts",
            "--param",
            "threshold=1 OR 1=1",
        ],
    );
    assert!(
        err.contains(
            "parameter 'threshold' of sample 'access-denied-bursts': '1 OR 1=1' is not a number"
        ),
        "{err}"
    );
    let err = fails(
        &lake,
        &["samples", "run", "root-activity", "--param", "user=x"],
    );
    assert!(err.contains("has no parameter 'user'"), "{err}");
    // A quote in a value stays inside its string literal: no rows, no error.
    let out = run(
        &lake,
        &[
            "samples",
            "run",
            "principal-activity",
            "--eds",
            "trail",
            "--param",
            "principal=x' OR '1'='1",
            "--format",
            "csv",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 1, "{}", stdout(&out));

    // With two stores, the store must be named.
    ok(&lake, &["eds", "create", "other"]);
    let err = fails(&lake, &["samples", "run", "root-activity"]);
    assert!(
        err.contains("this lake has 2 stores (trail, other): say which with --eds"),
        "{err}"
    );
    let out = json(
        &lake,
        &["samples", "run", "root-activity", "--eds", "trail"],
    );
    assert_eq!(out["queryStatus"], "FINISHED", "{out}");
    assert_eq!(out["rows"][0]["eventname"], "CreateAccessKey", "{out}");
    assert_eq!(out["rows"][1]["eventname"], "ConsoleLogin", "{out}");

    // The REPL lists and runs samples; a value with spaces is quoted as in a shell.
    let out = run_with_stdin(
        &lake,
        &[
            "repl",
            "--history-file",
            dir.path().join("h").to_str().expect("utf-8"),
        ],
        "\\samples investigation\n\\run principal-activity eds=trail principal=mallory start='2024-05-01 06:00:00'\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("investigation:\n  access-key-activity"),
        "{text}"
    );
    assert!(text.contains("-- principal-activity: "), "{text}");
    assert!(text.contains("StopLogging"), "{text}");
    assert!(
        !text.contains("AuthorizeSecurityGroupIngress"),
        "04:17 is before the start: {text}"
    );
}

#[test]
fn a_library_folder_replaces_the_built_in_one_and_a_bad_header_names_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = lake_with_generated_day(dir.path());
    let library = dir.path().join("library");
    std::fs::create_dir_all(library.join("team")).expect("mkdir");
    std::fs::write(
        library.join("team/stop-logging.sql"),
        "-- name: stop-logging\n-- title: Trails stopped\n-- category: team\n-- description: StopLogging calls.\n\
         -- param: eds | | The store\nSELECT eventTime, userIdentity.userName AS who FROM {{eds}} WHERE eventName = 'StopLogging'\n",
    )
    .expect("write");
    let library = library.to_str().expect("utf-8");
    let out = ok(&lake, &["samples", "list", "--library", library]);
    assert!(
        out.contains("stop-logging  team      Trails stopped"),
        "{out}"
    );
    let out = ok(
        &lake,
        &[
            "samples",
            "run",
            "stop-logging",
            "--library",
            library,
            "--format",
            "csv",
        ],
    );
    assert_eq!(out, "eventtime,who\n2024-05-01 06:17:00.000,mallory\n");

    std::fs::write(
        dir.path().join("library/team/broken.sql"),
        "-- name: broken\n-- title: x\n-- category: team\n-- description: x\nSELECT 1 FROM {{eds}}\n",
    )
    .expect("write");
    let err = fails(&lake, &["samples", "list", "--library", library]);
    assert!(
        err.contains("team/broken.sql: {{eds}} is used but not declared"),
        "{err}"
    );
}

#[test]
fn the_demo_builds_a_lake_tours_the_samples_and_says_how_to_open_the_repl() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = dir.path().join("demo");
    let demo_arg = demo.to_str().expect("utf-8");
    let out = ok(
        dir.path(),
        &[
            "demo",
            "--dir",
            demo_arg,
            "--days",
            "2",
            "--events-per-day",
            "300",
        ],
    );
    for expected in [
        "Created the event data store 'demo'",
        "auditlake samples run root-activity",
        "ConsoleLogin",
        "sg-0badc0ffee0000001",
        "finance-reports",
        "p4d.24xlarge",
        "events scanned",
        "repl",
    ] {
        assert!(out.contains(expected), "'{expected}' missing:\n{out}");
    }
    let lake = demo.join("lake");
    let repl_hint = format!(
        "auditlake --lake {} repl",
        lake.canonicalize().expect("lake").display()
    );
    assert!(out.contains(&repl_hint), "{out}");
    // The lake is left for the user: the store answers queries.
    let count = json(
        &lake,
        &[
            "query",
            "SELECT count(*) AS n FROM demo WHERE eventName = 'StopLogging'",
        ],
    );
    assert_eq!(count["rows"][0]["n"], 1, "{count}");
    // A folder that is not empty is never overwritten.
    let err = fails(dir.path(), &["demo", "--dir", demo_arg]);
    assert!(err.contains("is not empty"), "{err}");
}
