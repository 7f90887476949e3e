//! `auditlake query`, `query list/show`, `repl`, `results verify` and `keys list`, run as a user runs them.

mod common;

use std::path::Path;

use common::{fails, json, ok, run, run_with_stdin, stderr, stdout};

const EVENTS: &str = r#"{"eventVersion":"1.08","eventTime":"2024-05-01T12:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.10","userIdentity":{"type":"IAMUser","principalId":"AIDA1","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","userName":"alice"},"requestParameters":{"bucketName":"prod-data","key":"a.csv"},"readOnly":true,"eventID":"e1","eventType":"AwsApiCall","recipientAccountId":"111122223333"}
{"eventVersion":"1.08","eventTime":"2024-05-01T13:30:00.250Z","eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","userIdentity":{"type":"IAMUser","principalId":"AIDA2","arn":"arn:aws:iam::111122223333:user/mallory","accountId":"111122223333","userName":"mallory"},"errorCode":"AccessDenied","readOnly":false,"eventID":"e2","eventType":"AwsApiCall","recipientAccountId":"111122223333"}
{"eventVersion":"1.08","eventTime":"2024-05-02T08:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"eu-west-1","sourceIPAddress":"203.0.113.10","userIdentity":{"type":"IAMUser","principalId":"AIDA1","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","userName":"alice"},"requestParameters":{"bucketName":"finance"},"readOnly":true,"eventID":"e3","eventType":"AwsApiCall","recipientAccountId":"111122223333"}
"#;

/// A lake with store `trail` holding the three events above; returns the store id.
fn lake_with_events(lake: &Path) -> String {
    let store = json(
        lake,
        &["eds", "create", "trail", "--retention-days", "3653"],
    );
    let out = run_with_stdin(lake, &["ingest", "--eds", "trail", "-"], EVENTS);
    assert!(out.status.success(), "{}", stderr(&out));
    store["id"].as_str().expect("id").to_owned()
}

#[test]
fn a_query_prints_rows_as_lake_does_and_its_statistics() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = dir.path();
    let id = lake_with_events(lake);
    let out = run(
        lake,
        &[
            "query",
            &format!(
                "SELECT eventTime, userIdentity.userName, element_at(requestParameters, 'bucketName'), errorCode \
                 FROM {id} WHERE eventTime > '2024-05-01 00:00:00' ORDER BY eventTime"
            ),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "\
+-------------------------+----------+-----------+--------------+
| eventtime               | username | _col2     | errorcode    |
+-------------------------+----------+-----------+--------------+
| 2024-05-01 12:00:00.000 | alice    | prod-data |              |
| 2024-05-01 13:30:00.250 | mallory  |           | AccessDenied |
| 2024-05-02 08:00:00.000 | alice    | finance   |              |
+-------------------------+----------+-----------+--------------+
"
    );
    let statistics = stderr(&out);
    assert!(
        statistics.starts_with("3 rows · 3 events scanned · "),
        "{statistics}"
    );

    // CSV and JSON for scripts; --max-rows limits what is printed.
    assert_eq!(
        ok(
            lake,
            &[
                "query",
                "--format",
                "csv",
                "SELECT eventid, readonly FROM trail ORDER BY eventid"
            ]
        ),
        "eventid,readonly\ne1,true\ne2,false\ne3,true\n"
    );
    let doc = json(
        lake,
        &[
            "query",
            "SELECT eventid, useridentity FROM trail ORDER BY eventid LIMIT 1",
        ],
    );
    assert_eq!(doc["queryStatus"], "FINISHED");
    assert_eq!(
        doc["columns"],
        serde_json::json!(["eventid", "useridentity"])
    );
    assert_eq!(doc["rows"][0]["useridentity"]["username"], "alice");
    assert_eq!(doc["queryStatistics"]["eventsMatched"], 1);
    // Two columns of one name stay two keys in JSON.
    let doc = json(
        lake,
        &[
            "query",
            "SELECT a.eventid, b.eventid FROM trail a JOIN trail b ON a.eventid = b.eventid ORDER BY 1 LIMIT 1",
        ],
    );
    assert_eq!(doc["columns"], serde_json::json!(["eventid", "eventid_2"]));
    assert_eq!(
        doc["rows"][0],
        serde_json::json!({"eventid": "e1", "eventid_2": "e1"})
    );
    let shown = ok(
        lake,
        &[
            "query",
            "--max-rows",
            "1",
            "SELECT eventid FROM trail ORDER BY eventid",
        ],
    );
    assert!(shown.contains("(1 of 3 rows shown"), "{shown}");
}

#[test]
fn refusals_and_bad_sql_fail_with_exit_1_and_are_recorded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = dir.path();
    lake_with_events(lake);
    let message = fails(lake, &["query", "DELETE FROM trail"]);
    assert!(message.contains("SELECT statements only"), "{message}");
    let message = fails(
        lake,
        &["query", "SELECT * FROM trail WHERE eventname = = 'x'"],
    );
    assert!(message.contains("Line: 1, Column: 39"), "{message}");
    let message = fails(lake, &["query", "SELECT * FROM trail WHERE"]);
    assert!(message.contains("at the end of the statement"), "{message}");
    let message = fails(lake, &["query", "SELECT * FROM nosuch"]);
    assert!(
        message.contains("no event data store 'nosuch'"),
        "{message}"
    );

    let history = json(lake, &["query", "list"]);
    let statuses: Vec<&str> = history
        .as_array()
        .expect("list")
        .iter()
        .map(|r| r["queryStatus"].as_str().expect("status"))
        .collect();
    assert_eq!(statuses, ["FAILED"; 4]);
    let id = history[0]["queryId"].as_str().expect("id");
    let shown = ok(lake, &["query", "show", id]);
    assert!(shown.contains("Status:          FAILED"), "{shown}");
    assert!(shown.contains("SELECT * FROM nosuch"), "{shown}");
    fails(
        lake,
        &["query", "show", "00000000-0000-0000-0000-000000000000"],
    );
}

#[test]
fn saved_results_verify_and_any_change_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = dir.path().join("lake");
    let lake = lake.as_path();
    lake_with_events(lake);
    let saved = dir.path().join("result");
    let saved_arg = saved.to_str().expect("utf-8");
    let out = run(
        lake,
        &[
            "query",
            "--save",
            saved_arg,
            "SELECT * FROM trail ORDER BY eventtime",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("Saved 1 file"), "{}", stderr(&out));
    let verified = ok(lake, &["results", "verify", saved_arg]);
    assert!(verified.starts_with("Verified 1 result file"), "{verified}");
    let keys = ok(lake, &["keys", "list"]);
    assert!(keys.lines().count() == 2, "{keys}");

    // The query's record says where its result went.
    let history = json(lake, &["query", "list"]);
    assert_eq!(
        history[0]["deliveryUri"]
            .as_str()
            .map(|u| u.contains("result")),
        Some(true)
    );

    // Tamper with the result file: verify names it and exits 1.
    let file = saved.join("result_1.csv.gz");
    let mut bytes = std::fs::read(&file).expect("read");
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&file, bytes).expect("write");
    let message = fails(lake, &["results", "verify", saved_arg]);
    assert!(message.contains("result_1.csv.gz"), "{message}");
}

#[test]
fn the_repl_runs_statements_over_lines_and_backslash_commands() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = dir.path();
    let id = lake_with_events(lake);
    let history = dir.path().join("history");
    let script = format!(
        "\\l\nSELECT count(*) AS n\nFROM {id}\nWHERE eventName = 'GetObject';\n\\pset format csv\nSELECT eventid FROM trail ORDER BY 1;\n\\q\n"
    );
    let out = run_with_stdin(
        lake,
        &["repl", "--history-file", history.to_str().expect("utf-8")],
        &script,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains(&id), "{text}");
    assert!(text.contains("| 2 |"), "{text}");
    assert!(text.contains("eventid\ne1\ne2\ne3\n"), "{text}");
    assert!(text.contains("1 row · "), "{text}");
}
