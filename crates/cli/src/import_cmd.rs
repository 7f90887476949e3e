//! `auditlake import`: copy a trail's log files from its bucket (or a folder) into a store.

use auditlake_ingest::import::{
    ImportRecord, ImportRequest, ImportStatus, Imports, create_import, run_import, stop_import,
};
use auditlake_store::Lake;
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use clap::{Args, Subcommand};

use crate::ingest_cmd::progress_bar;
use crate::output::{OutputFormat, count, print_json, print_table};

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Start an import, or go on with a stopped, failed or killed one (--import-id).
    Start(StartArgs),
    /// The imports, newest first.
    List {
        /// Only imports in this status (INITIALIZING, IN_PROGRESS, COMPLETED, STOPPED, FAILED).
        #[arg(long)]
        status: Option<ImportStatus>,
    },
    /// An import's status and statistics.
    Show {
        /// The import's id.
        id: String,
    },
    /// The files and records an import could not copy, with where and why.
    Failures {
        /// The import's id.
        id: String,
    },
    /// Stop a running import after the batch it is in; `import start --import-id` goes on with it.
    Stop {
        /// The import's id.
        id: String,
    },
}

#[derive(Debug, Args)]
pub struct StartArgs {
    /// The store to copy into: id, ARN or name.
    #[arg(
        long,
        required_unless_present = "import_id",
        conflicts_with = "import_id"
    )]
    eds: Option<String>,
    /// The trail's bucket prefix (s3://bucket/prefix) or a folder: the place that holds AWSLogs/.
    #[arg(
        long,
        required_unless_present = "import_id",
        conflicts_with = "import_id"
    )]
    source: Option<String>,
    /// Copy events at or after this time (2024-05-01, '2024-05-01 12:00:00' or RFC 3339; UTC).
    #[arg(long, value_parser = parse_start, conflicts_with = "import_id")]
    start: Option<DateTime<Utc>>,
    /// Copy events at or before this time (a day alone means its end).
    #[arg(long, value_parser = parse_end, conflicts_with = "import_id")]
    end: Option<DateTime<Utc>>,
    /// Only these regions' folders, comma-separated.
    #[arg(long, value_delimiter = ',', conflicts_with = "import_id")]
    regions: Vec<String>,
    /// Go on with this import: the files it committed are skipped.
    #[arg(long)]
    import_id: Option<String>,
}

fn parse_time(text: &str, end_of_day: bool) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S%.f",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(Utc.from_utc_datetime(&t));
        }
    }
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let time = if end_of_day {
            day.and_hms_micro_opt(23, 59, 59, 999_999)
        } else {
            day.and_hms_opt(0, 0, 0)
        };
        if let Some(time) = time {
            return Ok(Utc.from_utc_datetime(&time));
        }
    }
    Err(format!(
        "'{text}' is not a time: give 2024-05-01, '2024-05-01 12:00:00' or 2024-05-01T12:00:00Z (UTC)"
    ))
}

fn parse_start(text: &str) -> Result<DateTime<Utc>, String> {
    parse_time(text, false)
}

fn parse_end(text: &str) -> Result<DateTime<Utc>, String> {
    parse_time(text, true)
}

pub async fn run(lake: &Lake, command: ImportCommand, output: OutputFormat) -> anyhow::Result<()> {
    let imports = Imports::new(lake);
    match command {
        ImportCommand::Start(args) => {
            let id = match args.import_id {
                Some(id) => id,
                None => {
                    let request = ImportRequest {
                        store: args.eds.unwrap_or_default(),
                        source: args.source.unwrap_or_default(),
                        start: args.start,
                        end: args.end,
                        regions: args.regions,
                    };
                    let record = create_import(lake, request).await?;
                    if output == OutputFormat::Text {
                        eprintln!(
                            "import {} started: `auditlake import show {}` follows it; if it stops, \
                             `auditlake import start --import-id {}` goes on",
                            record.import_id, record.import_id, record.import_id
                        );
                    }
                    record.import_id
                }
            };
            let record = run_import(lake, &id, progress_bar()).await?;
            report(&record, output)
        }
        ImportCommand::List { status } => {
            let records: Vec<ImportRecord> = imports
                .list()
                .await?
                .into_iter()
                .filter(|r| status.is_none_or(|s| r.import_status == s))
                .collect();
            if output == OutputFormat::Json {
                return print_json(&serde_json::json!({ "Imports": records }));
            }
            let rows: Vec<Vec<String>> = records
                .iter()
                .map(|r| {
                    vec![
                        r.import_id.clone(),
                        r.import_status.to_string(),
                        r.import_source.s3.s3_location_uri.clone(),
                        count(r.import_statistics.events_completed),
                        r.created_timestamp.format("%Y-%m-%d %H:%M:%S").to_string(),
                    ]
                })
                .collect();
            print_table(&["id", "status", "source", "events", "created"], &rows);
            Ok(())
        }
        ImportCommand::Show { id } => report(&imports.get(&id).await?, output),
        ImportCommand::Failures { id } => {
            let failures = imports.failures(&id).await?;
            if output == OutputFormat::Json {
                return print_json(&serde_json::json!({ "Failures": failures }));
            }
            if failures.is_empty() {
                println!("import {id}: no failures");
                return Ok(());
            }
            let rows: Vec<Vec<String>> = failures
                .iter()
                .map(|f| {
                    vec![
                        f.location.clone(),
                        f.error_type.clone(),
                        f.error_message.clone(),
                    ]
                })
                .collect();
            print_table(&["location", "type", "message"], &rows);
            Ok(())
        }
        ImportCommand::Stop { id } => report(&stop_import(lake, &id).await?, output),
    }
}

fn report(record: &ImportRecord, output: OutputFormat) -> anyhow::Result<()> {
    if output == OutputFormat::Json {
        return print_json(record);
    }
    let stats = &record.import_statistics;
    let range = |t: Option<DateTime<Utc>>| {
        t.map_or_else(
            || "-".to_owned(),
            |t| t.format("%Y-%m-%d %H:%M:%S").to_string(),
        )
    };
    println!("import:        {}", record.import_id);
    println!("status:        {}", record.import_status);
    println!("source:        {}", record.import_source.s3.s3_location_uri);
    println!("destination:   {}", record.destinations.join(", "));
    println!(
        "time range:    {} to {}{}",
        range(record.start_event_time),
        range(record.end_event_time),
        if record.regions.is_empty() {
            String::new()
        } else {
            format!(" (regions {})", record.regions.join(", "))
        }
    );
    println!(
        "prefixes:      {} of {} completed",
        count(stats.prefixes_completed),
        count(stats.prefixes_found)
    );
    println!(
        "files:         {} completed, {} other files skipped",
        count(stats.files_completed),
        count(stats.other_files_skipped)
    );
    println!(
        "events:        {} copied, {} outside the time range",
        count(stats.events_completed),
        count(stats.events_out_of_range)
    );
    println!(
        "failed:        {} (`auditlake import failures {}`)",
        count(stats.failed_entries),
        record.import_id
    );
    println!(
        "updated:       {}",
        record.updated_timestamp.format("%Y-%m-%d %H:%M:%S UTC")
    );
    if let Some(error) = &record.error_message {
        println!("error:         {error}");
    }
    Ok(())
}
