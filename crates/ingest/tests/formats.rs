//! Layout detection and chunking: inputs larger than a chunk, one-line trail files, trail files as JSON Lines.

use std::io::Write;
use std::sync::Arc;

use auditlake_ingest::{IngestOptions, IngestSummary, Source, ingest};
use auditlake_store::{EventDataStore, Lake, LakeSettings, NewStore};
use chrono::Utc;

fn record(i: usize) -> String {
    let time = Utc::now().format("%Y-%m-%dT%H:%M:%SZ");
    format!(
        r#"{{"eventTime":"{time}","eventName":"GetObject","eventID":"id-{i}","requestParameters":{{"key":"{}"}}}}"#,
        "k".repeat(200)
    )
}

/// One input file ingested into a new store of a lake in a temporary folder, in chunks of 16 KiB and groups of
/// 64 KiB (the inputs below span many of each), with its rejects report at `<dir>/rejects.jsonl`.
struct SmallIngest {
    dir: tempfile::TempDir,
    lake: Lake,
    store: EventDataStore,
    summary: IngestSummary,
}

impl SmallIngest {
    async fn run(file_name: &str, bytes: &[u8]) -> SmallIngest {
        SmallIngest::run_files(&[(file_name, bytes)], false).await
    }

    /// Ingests `files`, written to one folder; the folder is the source when `as_folder`, else the one file.
    async fn run_files(files: &[(&str, &[u8])], as_folder: bool) -> SmallIngest {
        let dir = tempfile::tempdir().expect("tempdir");
        let lake = Lake::open(
            dir.path().join("lake").to_str().expect("utf-8"),
            LakeSettings::from_env(),
        )
        .expect("lake");
        let store = lake
            .create_store(NewStore::named("formats"))
            .await
            .expect("store");
        let inputs = dir.path().join("inputs");
        std::fs::create_dir(&inputs).expect("mkdir");
        for (name, bytes) in files {
            std::fs::write(inputs.join(name), bytes).expect("write");
        }
        let path = if as_folder {
            inputs
        } else {
            inputs.join(files[0].0)
        };
        let options = IngestOptions {
            chunk_bytes: 16 << 10,
            group_bytes: 64 << 10,
            rejects_path: Some(dir.path().join("rejects.jsonl")),
            ..IngestOptions::default()
        };
        let summary = ingest(
            &lake,
            &store.id,
            &[Source::Path(path)],
            options,
            Arc::new(()),
        )
        .await
        .expect("ingest");
        let stats = lake
            .table(&store)
            .await
            .expect("table")
            .stats()
            .expect("stats");
        assert_eq!(stats.events, summary.events_written);
        SmallIngest {
            dir,
            lake,
            store,
            summary,
        }
    }

    /// The one reject of the report.
    fn reject(&self) -> serde_json::Value {
        let rejects = self.rejects();
        assert_eq!(rejects.len(), 1, "{rejects:?}");
        rejects[0].clone()
    }

    /// Every reject of the report.
    fn rejects(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(self.dir.path().join("rejects.jsonl"))
            .expect("report")
            .lines()
            .map(|line| serde_json::from_str(line).expect("json"))
            .collect()
    }
}

/// Events read, written and rejected, and inputs that failed.
fn counts(summary: &IngestSummary) -> (u64, u64, u64, u64) {
    (
        summary.events_read,
        summary.events_written,
        summary.events_rejected,
        summary.inputs_failed,
    )
}

/// `text` as a `.json` file, or gzipped as a `.json.gz` file.
async fn ingest_file(text: &str, gzip: bool) -> SmallIngest {
    if gzip {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(text.as_bytes()).expect("gzip");
        SmallIngest::run("input.json.gz", &gz.finish().expect("gzip")).await
    } else {
        SmallIngest::run("input.json", text.as_bytes()).await
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_one_line_trail_file_larger_than_a_chunk_is_read_whole() {
    let records: Vec<String> = (0..500).map(record).collect();
    let text = format!(r#"{{"Records":[{}]}}"#, records.join(","));
    for gzip in [false, true] {
        let summary = ingest_file(&text, gzip).await.summary;
        assert_eq!(
            (
                summary.events_read,
                summary.events_written,
                summary.events_rejected
            ),
            (500, 500, 0),
            "gzip {gzip}"
        );
        assert_eq!(summary.commits, 1);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_trail_file_with_a_record_that_is_not_json_is_rejected_whole_and_its_neighbours_kept() {
    let trail = |records: &[String]| format!("{{\"Records\": [\n{}\n]}}\n", records.join(",\n"));
    let good_before = trail(&[record(1), record(2)]);
    // A good record, one of the wrong type (alone, a reject of its own), and one that is not JSON, on line 4.
    let broken = trail(&[
        record(3),
        record(4).replace(
            r#""eventName":"GetObject""#,
            r#""eventName":"GetObject","readOnly":"maybe""#,
        ),
        record(5).replace(r#""eventID":"id-5""#, r#""eventID":tru"#),
    ]);
    let good_after = trail(&[record(6)]);
    let run = SmallIngest::run_files(
        &[
            ("a.json", good_before.as_bytes()),
            ("b.json", broken.as_bytes()),
            ("c.json", good_after.as_bytes()),
        ],
        true,
    )
    .await;
    let summary = &run.summary;
    assert_eq!(counts(summary), (3, 3, 0, 1));
    let reject = run.reject();
    assert!(
        reject["source"]
            .as_str()
            .is_some_and(|s| s.ends_with("b.json")),
        "{reject}"
    );
    assert_eq!(reject["line"], 4, "{reject}");
    let reason = reject["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("not a valid CloudTrail log file")
            && reason.contains("no record of this file was ingested"),
        "{reason}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn one_lines_that_start_like_a_trail_file_but_are_none_are_read_as_before() {
    // Not cut as a trail log file, so their layout is decided by a parse: one record (without eventTime), and a
    // line of JSON Lines (a repeated key is refused as a trail log file); each one reject, no failed input.
    for text in [
        r#"{"Records":null}"#.to_owned(),
        format!(r#"{{"Records":[{}],"Records":[{}]}}"#, record(1), record(2)),
    ] {
        let run = SmallIngest::run("input.json", text.as_bytes()).await;
        let summary = &run.summary;
        assert_eq!(
            (
                summary.events_read,
                summary.events_rejected,
                summary.inputs_failed
            ),
            (1, 1, 0),
            "{text}"
        );
    }
    // A form feed outside strings in a record: cut by structure as not compact, refused by the record's parse,
    // the file rejected whole.
    let text = format!(
        "{{\"Records\":[{},{}]}}",
        record(1),
        record(2).replace(r#""GetObject","#, "\"GetObject\"\u{c},")
    );
    let summary = SmallIngest::run("input.json", text.as_bytes())
        .await
        .summary;
    assert_eq!((summary.events_written, summary.inputs_failed), (0, 1));
}

#[tokio::test(flavor = "multi_thread")]
async fn json_lines_larger_than_a_chunk_keep_their_line_numbers() {
    // 260 KiB of text: more than a decode task reads (two chunks' worth), so the file goes on in later tasks and
    // groups, a chunk at a time, gzipped or not.
    let mut lines: Vec<String> = (0..1000).map(record).collect();
    lines[777] = "{\"eventTime\": \"oops\"}".to_owned();
    for gzip in [false, true] {
        let run = ingest_file(&lines.join("\n"), gzip).await;
        let summary = &run.summary;
        assert_eq!(counts(summary), (1000, 999, 1, 0), "gzip: {gzip}");
        let reject = run.reject();
        assert_eq!(reject["line"], 778);
        assert_eq!(reject["recordIndex"], 778);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn concatenated_trail_files_one_per_line_give_their_records() {
    // Three trail files of 100 records, one per line, each line larger than a chunk;
    // the 50th record of the second is bad.
    let files: Vec<String> = (0..3)
        .map(|f| {
            let records: Vec<String> = (0..100)
                .map(|r| {
                    if f == 1 && r == 49 {
                        r#"{"eventName":"NoTime"}"#.to_owned()
                    } else {
                        record(f * 100 + r)
                    }
                })
                .collect();
            format!(r#"{{"Records":[{}]}}"#, records.join(","))
        })
        .collect();
    let run = ingest_file(&files.join("\n"), false).await;
    let summary = &run.summary;
    assert_eq!(
        (
            summary.events_read,
            summary.events_written,
            summary.events_rejected
        ),
        (300, 299, 1)
    );
    let reject = run.reject();
    assert_eq!(
        (reject["line"].as_u64(), reject["recordIndex"].as_u64()),
        (Some(2), Some(50))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_broken_first_line_is_rejected_alone_and_the_lines_after_it_are_kept() {
    let mut lines: Vec<String> = (0..5).map(record).collect();
    lines.insert(0, "not json".to_owned());
    lines.push("{\"eventTime\": \"2024-05-01T00:00:00Z\", \"eventName\": ".to_owned());
    for gzip in [false, true] {
        let summary = ingest_file(&lines.join("\n"), gzip).await.summary;
        assert_eq!(
            counts(&summary),
            (7, 5, 2, 0),
            "gzip {gzip}: {:?}",
            summary.first_rejects
        );
        let first = summary.first_rejects[0].to_string();
        assert!(
            first.contains(":1 ") && first.contains("not valid JSON"),
            "{first}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn each_day_gets_one_file_though_its_events_span_groups() {
    // 30 days of 40 events (about 12 KiB a day) in time order, read in groups of 64 KiB: most groups end inside
    // a day, whose rest comes with the next group.
    let first = Utc::now().date_naive() - chrono::Days::new(40);
    let mut lines = Vec::new();
    for day in 0..30u64 {
        let date = first + chrono::Days::new(day);
        for i in 0..40 {
            lines.push(format!(
                r#"{{"eventTime":"{date}T{:02}:{:02}:00Z","eventName":"GetObject","eventID":"id-{day}-{i}","requestParameters":{{"key":"{}"}}}}"#,
                i / 2,
                i % 60,
                "k".repeat(200)
            ));
        }
    }
    let SmallIngest {
        dir,
        lake,
        store,
        summary,
    } = SmallIngest::run("events.jsonl", lines.join("\n").as_bytes()).await;
    assert_eq!((summary.events_written, summary.commits), (1200, 1));
    let table = lake.table(&store).await.expect("table");
    let files = table.data_files().expect("files");
    let mut days: Vec<&str> = files.iter().map(|f| f.day.as_str()).collect();
    days.sort_unstable();
    days.dedup();
    assert_eq!((files.len(), days.len()), (30, 30), "one file per day");
    assert!(files.iter().all(|f| f.events == Some(40)), "{files:?}");

    // The log keeps per-file column statistics for eventtime only.
    let log = std::fs::read_to_string(
        dir.path()
            .join("lake/eventdatastores")
            .join(&store.id)
            .join("_delta_log/00000000000000000001.json"),
    )
    .expect("commit");
    let mut adds = 0;
    for line in log.lines() {
        let action: serde_json::Value = serde_json::from_str(line).expect("action");
        let Some(stats) = action["add"]["stats"].as_str() else {
            continue;
        };
        let stats: serde_json::Value = serde_json::from_str(stats).expect("stats");
        assert_eq!(stats["numRecords"], 40);
        let columns: Vec<&String> = stats["minValues"]
            .as_object()
            .expect("minValues")
            .keys()
            .collect();
        assert_eq!(columns, ["eventtime"]);
        adds += 1;
    }
    assert_eq!(adds, 30);
}

fn gzip(text: &str) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(text.as_bytes()).expect("gzip");
    gz.finish().expect("gzip")
}

#[tokio::test(flavor = "multi_thread")]
async fn gzip_members_all_count_and_a_damaged_file_is_named_not_half_read() {
    // Small files are unzipped whole in one call; every other shape must read as a stream does.
    let trail = |from: usize| {
        let records: Vec<String> = (from..from + 20).map(record).collect();
        format!(r#"{{"Records":[{}]}}"#, records.join(","))
    };
    // Two members, as `cat a.gz b.gz` makes: JSON Lines so that both halves are records, of the same length so
    // that the trailer's size fits the first member alone.
    let lines = |from: usize| {
        (from..from + 10)
            .map(|i| record(i) + "\n")
            .collect::<String>()
    };
    let mut two = gzip(&lines(10));
    two.extend(gzip(&lines(20)));
    let whole = gzip(&trail(0));
    // Cut short, and a trailer that says the text is shorter than it is.
    let cut = &whole[..whole.len() - 9];
    let mut lying = whole.clone();
    let size = lying.len() - 4;
    lying[size..].copy_from_slice(&10u32.to_le_bytes());
    let run = SmallIngest::run_files(
        &[
            ("a.json.gz", &two),
            ("b.json.gz", &whole),
            ("c.json.gz", cut),
            ("d.json.gz", &lying),
        ],
        true,
    )
    .await;
    let summary = &run.summary;
    assert_eq!(
        summary.events_written,
        20 + 20,
        "{:?}",
        summary.first_rejects
    );
    assert_eq!(summary.inputs_failed, 2, "{:?}", summary.first_rejects);
    let reasons: Vec<String> = run
        .rejects()
        .iter()
        .map(|r| {
            format!(
                "{}: {}",
                r["source"].as_str().unwrap_or_default(),
                r["reason"].as_str().unwrap_or_default()
            )
        })
        .collect();
    assert!(
        reasons[0].contains("c.json.gz: truncated")
            && reasons[1].contains("d.json.gz: corrupt gzip data"),
        "{reasons:?}"
    );
}
