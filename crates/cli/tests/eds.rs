//! Event data store lifecycle through the CLI, each step a new process.

mod common;

use common::{fails, json, ok, run};

#[test]
fn store_lifecycle_by_name_id_and_arn() {
    let lake = tempfile::tempdir().expect("tempdir");
    let lake = lake.path();
    let created = json(
        lake,
        &["eds", "create", "prod-trail", "--retention-days", "2557"],
    );
    let id = created["id"].as_str().expect("id").to_owned();
    let arn = created["arn"].as_str().expect("arn").to_owned();
    assert!(uuid_like(&id), "{id}");
    assert_eq!(
        arn,
        format!("arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/{id}")
    );
    assert_eq!(created["retentionDays"], 2557);
    assert_eq!(created["status"], "ENABLED");
    assert_eq!(created["terminationProtection"], true);

    // Every command accepts id, ARN or name.
    for reference in [&id, &arn, &"prod-trail".to_owned()] {
        let shown = json(lake, &["eds", "show", reference]);
        assert_eq!(shown["id"], id.as_str());
        assert_eq!(shown["stats"]["events"], 0);
    }
    assert!(ok(lake, &["eds", "list"]).contains("prod-trail"));
    assert_eq!(
        json(lake, &["eds", "list"])["eventDataStores"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );

    // Names are unique and validated; retention is bounded.
    assert!(fails(lake, &["eds", "create", "prod-trail"]).contains("exists already"));
    assert!(fails(lake, &["eds", "create", "x"]).contains("3 to 128"));
    assert!(fails(lake, &["eds", "create", "bad name!"]).contains("invalid store name"));
    assert!(
        fails(lake, &["eds", "create", "short", "--retention-days", "6"]).contains("7 to 3653")
    );
    assert!(
        fails(lake, &["eds", "create", "long", "--retention-days", "3654"]).contains("7 to 3653")
    );
    assert!(fails(lake, &["eds", "show", "nope"]).contains("no event data store named 'nope'"));

    let updated = json(
        lake,
        &["eds", "update", "prod-trail", "--retention-days", "3653"],
    );
    assert_eq!(updated["retentionDays"], 3653);

    // Termination protection refuses deletion until turned off.
    assert!(fails(lake, &["eds", "delete", &id]).contains("termination protection"));
    json(
        lake,
        &["eds", "update", &arn, "--no-termination-protection"],
    );
    let deleted = json(lake, &["eds", "delete", "prod-trail"]);
    assert_eq!(deleted["status"], "PENDING_DELETION");
    assert!(fails(lake, &["ingest", "--eds", "prod-trail", "-"]).contains("pending deletion"));
    let restored = json(lake, &["eds", "restore", "prod-trail"]);
    assert_eq!(restored["status"], "ENABLED");
}

#[test]
fn stopped_ingestion_is_refused_before_reading_input() {
    let lake = tempfile::tempdir().expect("tempdir");
    let lake = lake.path();
    ok(lake, &["eds", "create", "audit"]);
    let stopped = json(lake, &["eds", "stop-ingestion", "audit"]);
    assert_eq!(stopped["status"], "STOPPED_INGESTION");
    // The path does not exist: the refusal comes first, before any input is read.
    let err = fails(lake, &["ingest", "--eds", "audit", "/no/such/file.json"]);
    assert!(err.contains("ingestion into 'audit' is stopped"), "{err}");
    assert_eq!(
        json(lake, &["eds", "start-ingestion", "audit"])["status"],
        "ENABLED"
    );
    let err = fails(lake, &["ingest", "--eds", "audit", "/no/such/file.json"]);
    assert!(err.contains("cannot read /no/such/file.json"), "{err}");
}

#[test]
fn selectors_are_validated_at_create_and_update() {
    let lake = tempfile::tempdir().expect("tempdir");
    let lake = lake.path();
    let err = fails(
        lake,
        &[
            "eds",
            "create",
            "s3-writes",
            "--selectors",
            r#"[{"FieldSelectors":[{"Field":"colour","Equals":["x"]}]}]"#,
        ],
    );
    assert!(err.contains("unknown field 'colour'"), "{err}");
    let good = r#"[{"Name":"writes","FieldSelectors":[{"Field":"readOnly","Equals":["false"]}]}]"#;
    let store = json(lake, &["eds", "create", "s3-writes", "--selectors", good]);
    assert_eq!(store["advancedEventSelectors"][0]["Name"], "writes");
    let err = fails(
        lake,
        &["eds", "update", "s3-writes", "--selectors", "not json"],
    );
    assert!(err.contains("invalid advanced event selectors"), "{err}");
}

#[test]
fn usage_errors_exit_2() {
    let lake = tempfile::tempdir().expect("tempdir");
    assert_eq!(run(lake.path(), &["eds", "create"]).status.code(), Some(2));
    assert_eq!(run(lake.path(), &["frobnicate"]).status.code(), Some(2));
}

fn uuid_like(s: &str) -> bool {
    s.len() == 36 && s.chars().filter(|c| *c == '-').count() == 4
}
