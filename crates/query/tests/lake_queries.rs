//! The queries AWS published for CloudTrail Lake (../shared/corpora/lake-queries/published.sql), pasted
//! unchanged with a store id where they have a placeholder: every query for a CloudTrail event store runs;
//! the ones published broken are refused with a syntax or planning error.

use auditlake_testkit as common;

use std::time::Duration;

use auditlake_query::QueryError;
use regex::Regex;

struct Published {
    id: String,
    store: String,
    notes: Vec<String>,
    sql: String,
}

fn published() -> Vec<Published> {
    let text = std::fs::read_to_string(common::corpora().join("lake-queries/published.sql"))
        .expect("published.sql");
    let mut out = Vec::new();
    let mut current: Option<Published> = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("-- @@ ") {
            if rest.starts_with("end ") {
                out.extend(current.take());
            } else {
                let id = rest.split(':').next().unwrap_or("").trim().to_owned();
                current = Some(Published {
                    id,
                    store: String::new(),
                    notes: Vec::new(),
                    sql: String::new(),
                });
            }
            continue;
        }
        let Some(query) = current.as_mut() else {
            continue;
        };
        if query.sql.is_empty() {
            if let Some(store) = line.strip_prefix("-- Store: ") {
                query.store = store.to_owned();
                continue;
            }
            if let Some(note) = line.strip_prefix("-- NOTE: ") {
                query.notes.push(note.to_owned());
                continue;
            }
            if line.starts_with("-- ") {
                continue;
            }
        }
        query.sql.push_str(line);
        query.sql.push('\n');
    }
    out
}

/// Puts store ids where the published text has placeholders, as a user would.
fn substitute(sql: &str, ids: &[&str]) -> String {
    let placeholder = Regex::new(
        r"(?i)\b(from|join)(\s+)(<[^>]+>|\$EDS_ID|config_event_data_store_ID|event_data_store_ID|eds-ID|eds\d?|[0-9a-z]+(?:-[0-9a-z]+){3,})",
    )
    .expect("regex");
    let mut n = 0;
    let sql = placeholder.replace_all(sql, |c: &regex::Captures<'_>| {
        let id = ids[n % ids.len()];
        n += 1;
        format!("{}{}{}", &c[1], &c[2], id)
    });
    let sql = Regex::new(r"(?i)date_trunc\('\?'")
        .expect("regex")
        .replace_all(&sql, "DATE_TRUNC('hour'");
    let sql = Regex::new(r">\s*'\?'")
        .expect("regex")
        .replace_all(&sql, "> '2024-05-01 00:00:00'");
    let sql = Regex::new(r"<\s*'\?'")
        .expect("regex")
        .replace_all(&sql, "< '2024-05-11 00:00:00'");
    sql.replace("${date_filter}", "2024-05-01 00:00:00")
        .replace("$EVENT_ID", "'00000000-0000-0000-0000-000000000000'")
}

/// Published queries that are valid but must fail here too, with why.
const EXPECTED_FAILURES: &[(&str, &str)] = &[
    ("Q009", "edsA.map is not a column of a CloudTrail store"),
    (
        "Q071",
        "selects columns that are neither grouped nor aggregated",
    ),
];

#[tokio::test(flavor = "multi_thread")]
async fn published_lake_queries_run_or_are_refused_clearly() {
    let lake = common::test_lake().await;
    let engine = lake.engine();
    let ids = [
        lake.generated.id.as_str(),
        lake.corpus.id.as_str(),
        lake.generated.id.as_str(),
    ];
    let queries = published();
    assert!(queries.len() >= 99, "{} queries", queries.len());
    let mut problems = Vec::new();
    let mut ran = 0;
    for q in &queries {
        let sql = substitute(&q.sql, &ids);
        let invalid = q
            .notes
            .iter()
            .any(|n| n.contains("AS PUBLISHED INVALID") || n.contains("a syntax error in Trino"));
        let expected_failure = EXPECTED_FAILURES.iter().any(|(id, _)| *id == q.id);
        let cloudtrail_store = (q.store.contains("CloudTrail")
            || q.store.contains("event data stores"))
            && !q.store.contains("ActivityAuditLog");
        let (_, outcome) = engine
            .run(&sql, Duration::from_secs(120), std::future::pending())
            .await
            .expect("history");
        match (&outcome, invalid || expected_failure, cloudtrail_store) {
            (Ok(_), false, true) => ran += 1,
            (
                Err(QueryError::Syntax(_) | QueryError::Plan(_) | QueryError::NotSelect(_)),
                true,
                _,
            ) => {}
            (Err(QueryError::Syntax(_) | QueryError::Plan(_)), false, false) => {}
            (Ok(_), true, _) => {
                problems.push(format!("{}: published broken but ran:\n{sql}", q.id))
            }
            (Ok(_), false, false) => {}
            (Err(e), _, _) => problems.push(format!("{} ({}): {e}\n{sql}", q.id, q.store)),
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n\n{}",
        problems.len(),
        problems.join("\n\n")
    );
    // 87 queries target CloudTrail event stores; 8 are published broken and 2 fail in Trino too.
    assert_eq!(ran, 77, "queries that ran");
}
