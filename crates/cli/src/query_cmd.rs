//! `auditlake query`: run Lake SQL, and read the query history.

use std::time::Duration;

use anyhow::{Context, bail};
use auditlake_query::render::{self, OutputFormat as RowFormat};
use auditlake_query::{EngineOptions, QueryEngine, QueryRecord, QueryResult};
use auditlake_results::{KeyStore, ResultOptions, write_result};
use auditlake_store::Lake;
use clap::{Args, Subcommand};
use serde::Serialize;

use crate::output::{self, OutputFormat};

/// Arguments of `auditlake query`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct QueryArgs {
    #[command(subcommand)]
    command: Option<QueryCommand>,
    /// The SQL (SELECT only): `FROM` takes a store's id, name or ARN. '-' reads it from stdin.
    #[arg(required = true)]
    sql: Option<String>,
    #[command(flatten)]
    run: RunArgs,
}

/// How a query runs and prints.
#[derive(Debug, Args, Clone)]
pub struct RunArgs {
    /// How rows are printed: table, csv, json or ndjson.
    #[arg(long, default_value = "table")]
    pub format: RowFormat,
    /// Print at most this many rows (all rows are still counted and saved).
    #[arg(long)]
    pub max_rows: Option<usize>,
    /// Stop the query after this many seconds.
    #[arg(long, default_value_t = 3600)]
    pub timeout: u64,
    /// Save the result to this folder (or file:// URL) as gzip CSV files plus a signed result_sign.json.
    #[arg(long, value_name = "URL")]
    pub save: Option<String>,
    /// Memory a query may use before it fails (MiB).
    #[arg(long, default_value_t = 2048, hide = true)]
    pub memory_mib: usize,
}

#[derive(Debug, Subcommand)]
enum QueryCommand {
    /// Queries of the last 7 days, newest first.
    List,
    /// One query's statement, status, error and statistics.
    Show {
        /// The query id.
        id: String,
    },
}

/// Runs `auditlake query`.
pub async fn run(lake: &Lake, args: QueryArgs, output: OutputFormat) -> anyhow::Result<()> {
    let engine = engine(lake, &args.run);
    match args.command {
        Some(QueryCommand::List) => list(&engine, output).await,
        Some(QueryCommand::Show { id }) => show(&engine, &id, output).await,
        None => {
            let sql = match args.sql.as_deref() {
                Some("-") => std::io::read_to_string(std::io::stdin()).context("reading SQL")?,
                Some(sql) => sql.to_owned(),
                None => bail!("give the SQL to run, or `query list` / `query show ID`"),
            };
            run_sql(&engine, &sql, &args.run, output).await
        }
    }
}

/// An engine for the run arguments.
pub fn engine(lake: &Lake, run: &RunArgs) -> QueryEngine {
    QueryEngine::new(
        lake.clone(),
        EngineOptions {
            memory_limit: run.memory_mib.saturating_mul(1 << 20),
            ..EngineOptions::default()
        },
    )
}

/// A query's rows and record as one JSON document.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct QueryView<'a> {
    #[serde(flatten)]
    record: &'a QueryRecord,
    columns: Vec<String>,
    rows: Vec<serde_json::Value>,
}

/// Runs `sql` and prints its rows and statistics (or one JSON document), saving the result when asked.
pub async fn run_sql(
    engine: &QueryEngine,
    sql: &str,
    run: &RunArgs,
    output: OutputFormat,
) -> anyhow::Result<()> {
    // A result that cannot be signed is known before the query runs, not after.
    if run.save.is_some() {
        key_store(engine.lake())?.signing_key()?;
    }
    let cancel = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let (record, outcome) = engine
        .run(sql, Duration::from_secs(run.timeout), cancel)
        .await?;
    let mut record = record;
    let result = match outcome {
        Ok(result) => result,
        Err(e) => {
            if output == OutputFormat::Json {
                output::print_json(&record)?;
            }
            return Err(anyhow::Error::new(e).context(format!("query {}", record.query_id)));
        }
    };
    match output {
        OutputFormat::Json => {
            if let Some(url) = &run.save {
                save(engine, &mut record, &result, url).await?;
            }
            let mut rows = Vec::new();
            for batch in &result.batches {
                rows.extend(render::json_rows(batch)?);
            }
            output::print_json(&QueryView {
                record: &record,
                columns: render::unique_names(&result.schema),
                rows,
            })
        }
        OutputFormat::Text => {
            output::emit(&rows_text(&result, run)?);
            eprintln!("{}", statistics_line(&record));
            // The rows are printed first: a failed save does not lose them.
            if let Some(url) = &run.save {
                eprintln!("{}", save(engine, &mut record, &result, url).await?);
            }
            Ok(())
        }
    }
}

/// The lake's signing keys.
pub fn key_store(lake: &Lake) -> anyhow::Result<KeyStore> {
    let root = lake
        .local_root()
        .context("this lake has no local folder for its signing keys")?;
    Ok(KeyStore::open(root.join("keys"))?)
}

/// Saves a finished query's result to `url` (gzip CSV files and a signed result_sign.json), records where in
/// the query's history, and returns the line to tell the user.
pub async fn save(
    engine: &QueryEngine,
    record: &mut QueryRecord,
    result: &QueryResult,
    url: &str,
) -> anyhow::Result<String> {
    let key = key_store(engine.lake())?.signing_key()?;
    let batches = result
        .batches
        .iter()
        .map(render::text_batch)
        .collect::<Result<Vec<_>, _>>()?;
    let batches = if batches.is_empty() {
        vec![render::text_batch(
            &datafusion::arrow::record_batch::RecordBatch::new_empty(result.schema.clone()),
        )?]
    } else {
        batches
    };
    let completed = record.creation_time
        + chrono::Duration::milliseconds(
            i64::try_from(record.query_statistics.execution_time_in_millis).unwrap_or(0),
        );
    let options = ResultOptions::new(engine.lake().settings().region.clone(), completed);
    let saved = write_result(url, &batches, &options, &key)
        .await
        .with_context(|| format!("saving the result of query {}", record.query_id))?;
    engine.record_delivery(record, &saved.location).await?;
    Ok(format!(
        "Saved {} file{} to {} (signed with key {}); check with `auditlake results verify {}`",
        saved.files.len(),
        if saved.files.len() == 1 { "" } else { "s" },
        saved.location,
        key.fingerprint(),
        saved.location
    ))
}

/// The rows of a result as the user asked, with a note when some were left out.
pub fn rows_text(result: &QueryResult, run: &RunArgs) -> anyhow::Result<String> {
    let rows = result.rows();
    let shown = run.max_rows.map_or(rows, |m| m.min(rows));
    let batches = render::head(&result.batches, shown);
    let mut text = render::render(&result.schema, &batches, run.format)?;
    if run.format == RowFormat::Table {
        text.push('\n');
        if shown < rows {
            text.push_str(&format!(
                "({} of {} rows shown; raise --max-rows to see more)\n",
                output::count(shown as u64),
                output::count(rows as u64)
            ));
        }
    }
    Ok(text)
}

/// `12 rows · 1,234 events scanned · 1.2 MiB scanned · 0.21 s · query <id>`
pub fn statistics_line(record: &QueryRecord) -> String {
    let s = &record.query_statistics;
    format!(
        "{} row{} · {} events scanned · {} scanned · {:.2} s · query {}",
        output::count(s.events_matched),
        if s.events_matched == 1 { "" } else { "s" },
        output::count(s.events_scanned),
        output::bytes(s.bytes_scanned),
        s.execution_time_in_millis as f64 / 1000.0,
        record.query_id
    )
}

async fn list(engine: &QueryEngine, output: OutputFormat) -> anyhow::Result<()> {
    let records = engine.history().list().await?;
    if output == OutputFormat::Json {
        return output::print_json(&records);
    }
    if records.is_empty() {
        println!("No queries in the last 7 days.");
        return Ok(());
    }
    println!(
        "{:<36}  {:<9}  {:<19}  {:>10}  {:>9}  STATEMENT",
        "QUERY ID", "STATUS", "CREATED (UTC)", "ROWS", "TIME"
    );
    for r in &records {
        let statement: String = r
            .query_string
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let statement = if statement.chars().count() > 60 {
            format!("{}…", statement.chars().take(59).collect::<String>())
        } else {
            statement
        };
        println!(
            "{:<36}  {:<9}  {:<19}  {:>10}  {:>8.2}s  {}",
            r.query_id,
            r.query_status.to_string(),
            r.creation_time.format("%Y-%m-%d %H:%M:%S"),
            output::count(r.query_statistics.events_matched),
            r.query_statistics.execution_time_in_millis as f64 / 1000.0,
            statement
        );
    }
    Ok(())
}

async fn show(engine: &QueryEngine, id: &str, output: OutputFormat) -> anyhow::Result<()> {
    let r = engine.history().get(id).await?;
    if output == OutputFormat::Json {
        return output::print_json(&r);
    }
    let s = &r.query_statistics;
    println!("Query id:        {}", r.query_id);
    println!("Status:          {}", r.query_status);
    println!(
        "Created:         {}",
        r.creation_time.format("%Y-%m-%d %H:%M:%S%.3f UTC")
    );
    if let Some(error) = &r.error_message {
        println!("Error:           {error}");
    }
    println!("Events matched:  {}", output::count(s.events_matched));
    println!("Events scanned:  {}", output::count(s.events_scanned));
    println!("Bytes scanned:   {}", output::bytes(s.bytes_scanned));
    println!(
        "Execution time:  {} ms",
        output::count(s.execution_time_in_millis)
    );
    if let Some(uri) = &r.delivery_uri {
        println!("Results saved:   {uri}");
    }
    println!("Statement:\n{}", r.query_string.trim());
    Ok(())
}
