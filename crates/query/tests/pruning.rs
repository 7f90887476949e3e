//! Pruning, proven by the statistics: a one-day query on the 10-day store reads only that day, and a struct field
//! only its own leaf.

use auditlake_testkit as common;

use std::time::Duration;

use auditlake_query::{QueryStatistics, QueryStatus};

async fn statistics(engine: &auditlake_query::QueryEngine, sql: &str) -> QueryStatistics {
    let (record, outcome) = engine
        .run(sql, Duration::from_secs(60), std::future::pending())
        .await
        .expect("history");
    outcome.expect(sql);
    assert_eq!(record.query_status, QueryStatus::Finished);
    // The record in the history says the same.
    let kept = engine
        .history()
        .get(&record.query_id)
        .await
        .expect("record");
    assert_eq!(kept.query_statistics, record.query_statistics);
    record.query_statistics
}

#[tokio::test(flavor = "multi_thread")]
async fn a_one_day_query_scans_one_day() {
    let lake = common::test_lake().await;
    let engine = lake.engine();
    let all = statistics(
        &engine,
        "SELECT count(*), max(useragent) FROM generated WHERE eventtime > '2000-01-01 00:00:00'",
    )
    .await;
    let day = statistics(
        &engine,
        "SELECT count(*), max(useragent) FROM generated \
         WHERE eventTime >= '2024-05-03 00:00:00' AND eventTime < '2024-05-04 00:00:00'",
    )
    .await;
    assert_eq!(all.events_scanned, 5255);
    assert_eq!(day.events_scanned, 493);
    assert_eq!(day.events_matched, 1);
    // One day of ten: about a tenth of the bytes (days differ a little in size).
    let ratio = day.bytes_scanned as f64 / all.bytes_scanned as f64;
    assert!(
        (0.05..0.15).contains(&ratio),
        "one day read {} of {} bytes",
        day.bytes_scanned,
        all.bytes_scanned
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_struct_field_reads_only_its_leaf_and_an_empty_range_reads_nothing() {
    let lake = common::test_lake().await;
    let engine = lake.engine();
    let whole = statistics(&engine, "SELECT useridentity FROM generated").await;
    let leaf = statistics(&engine, "SELECT useridentity.arn FROM generated").await;
    assert_eq!(whole.events_matched, 5255);
    assert_eq!(leaf.events_matched, 5255);
    assert!(
        leaf.bytes_scanned * 3 < whole.bytes_scanned,
        "userIdentity.arn read {} bytes, the whole userIdentity {}",
        leaf.bytes_scanned,
        whole.bytes_scanned
    );
    // No day of the store is in range: no file is opened.
    let none = statistics(
        &engine,
        "SELECT eventname FROM generated WHERE eventtime < '2020-01-01 00:00:00'",
    )
    .await;
    assert_eq!((none.events_scanned, none.bytes_scanned), (0, 0));
    assert_eq!(none.events_matched, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn failures_and_timeouts_are_recorded() {
    let lake = common::test_lake().await;
    let engine = lake.engine();
    let (record, outcome) = engine
        .run("SELEC 1", Duration::from_secs(60), std::future::pending())
        .await
        .expect("history");
    assert!(outcome.is_err());
    assert_eq!(record.query_status, QueryStatus::Failed);
    assert!(
        record
            .error_message
            .as_deref()
            .unwrap_or("")
            .contains("SELEC"),
        "{record:?}"
    );

    let (record, outcome) = engine
        .run(
            "SELECT count(DISTINCT concat(a.eventid, b.eventid)) FROM generated a CROSS JOIN generated b",
            Duration::from_millis(200),
            std::future::pending(),
        )
        .await
        .expect("history");
    assert!(outcome.is_err());
    assert_eq!(record.query_status, QueryStatus::TimedOut);

    let (record, _) = engine
        .run(
            "SELECT count(*) FROM generated a CROSS JOIN generated b",
            Duration::from_secs(60),
            async {},
        )
        .await
        .expect("history");
    assert_eq!(record.query_status, QueryStatus::Cancelled);

    let listed: Vec<QueryStatus> = engine
        .history()
        .list()
        .await
        .expect("list")
        .iter()
        .map(|r| r.query_status)
        .collect();
    assert_eq!(
        listed,
        [
            QueryStatus::Cancelled,
            QueryStatus::TimedOut,
            QueryStatus::Failed
        ]
    );
}
