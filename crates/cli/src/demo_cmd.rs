//! `auditlake demo`: a lake of generated events with planted incidents, and a tour of sample queries over it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use auditlake_ingest::generate::{GeneratorConfig, generate};
use auditlake_ingest::{IngestOptions, Source, ingest};
use auditlake_query::render::OutputFormat as RowFormat;
use auditlake_samples::Library;
use auditlake_store::{Lake, LakeSettings, NewStore};
use clap::Args;
use serde::Serialize;

use crate::ingest_cmd::{progress_bar, summary_line};
use crate::output::{self, OutputFormat, bytes, count};
use crate::query_cmd::{self, RunArgs};
use crate::samples_cmd;

/// The samples the tour runs, in order: each finds one of the planted incidents or gives an overview.
pub const TOUR: &[&str] = &[
    "regions-in-use",
    "root-activity",
    "security-groups-opened-to-world",
    "access-denied-bursts",
    "buckets-made-public",
    "kms-decrypt-spikes",
    "instances-in-unusual-regions",
];

/// Arguments of `auditlake demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Build the demo lake in this folder (new or empty); default: a new folder under the system's temp folder.
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Days of events, ending yesterday.
    #[arg(long, default_value_t = 30)]
    days: u32,
    /// Events per day over all accounts and regions.
    #[arg(long, default_value_t = 2000)]
    events_per_day: u32,
}

/// What the demo built and ran, for `--output json`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DemoView {
    lake: String,
    store_id: String,
    events: u64,
    files: usize,
    tour: Vec<TourView>,
    seconds: f64,
}

/// One query of the tour.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TourView {
    sample: String,
    query_id: String,
    rows: u64,
}

/// Runs `auditlake demo`: text for people, or with `--output json` one document at the end.
pub async fn run(args: DemoArgs, output: OutputFormat) -> anyhow::Result<()> {
    let started = Instant::now();
    let text = output == OutputFormat::Text;
    let library = Library::builtin()?;
    let tour = TOUR
        .iter()
        .map(|name| library.get(name))
        .collect::<Result<Vec<_>, _>>()?;
    let dir = demo_folder(args.dir)?;
    let logs = dir.join("logs");
    let lake_dir = dir.join("lake");

    let config = GeneratorConfig {
        events_per_day: args.events_per_day,
        ..GeneratorConfig::demo(args.days)
    };
    if text {
        println!(
            "1. Generating {} days of CloudTrail trail logs ({} accounts, regions {}), with planted incidents on {}…",
            args.days,
            config.accounts.len(),
            config.regions.join(", "),
            config.start
        );
    }
    let generated = generate(&logs, &config)
        .with_context(|| format!("writing trail logs under {}", logs.display()))?;
    if text {
        println!(
            "   wrote {} events in {} gzipped trail files ({}) under {}",
            count(generated.events),
            count(generated.files.len() as u64),
            bytes(generated.bytes),
            logs.display()
        );
    }

    let lake_location = lake_dir.to_string_lossy().into_owned();
    let lake = Lake::open(&lake_location, LakeSettings::from_env())?;
    let store = lake.create_store(NewStore::named("demo")).await?;
    if text {
        println!(
            "\n2. Created the event data store 'demo' ({}), and ingesting the files into it…",
            store.id
        );
    }
    let progress = if text { progress_bar() } else { Arc::new(()) };
    let summary = ingest(
        &lake,
        &store.id,
        &[Source::Path(logs.clone())],
        IngestOptions::default(),
        progress,
    )
    .await?;
    if text {
        println!("   {}", summary_line(&summary));
        println!(
            "\n3. A tour of the sample query library ({} samples; `auditlake samples list` shows them all):",
            library.samples().len()
        );
    }

    let run = RunArgs {
        format: RowFormat::Table,
        max_rows: Some(8),
        timeout: 300,
        save: None,
        memory_mib: 2048,
    };
    let engine = query_cmd::engine(&lake, &run);
    let mut toured = Vec::new();
    for sample in tour {
        let sql = samples_cmd::render(&lake, sample, Default::default()).await?;
        let (record, outcome) = engine
            .run(
                &sql,
                Duration::from_secs(run.timeout),
                std::future::pending(),
            )
            .await?;
        let result = outcome.with_context(|| format!("sample {}", sample.name))?;
        if text {
            println!(
                "\n── {} · auditlake samples run {}",
                sample.title, sample.name
            );
            print!("{}", query_cmd::rows_text(&result, &run)?);
            println!("{}", query_cmd::statistics_line(&record));
        }
        toured.push(TourView {
            sample: sample.name.clone(),
            query_id: record.query_id.clone(),
            rows: record.query_statistics.events_matched,
        });
    }
    if !text {
        return output::print_json(&DemoView {
            lake: lake_location,
            store_id: store.id,
            events: summary.events_written,
            files: summary.files,
            tour: toured,
            seconds: started.elapsed().as_secs_f64(),
        });
    }
    let shell_dir =
        shlex::try_quote(&lake_location).unwrap_or_else(|_| lake_location.as_str().into());
    println!(
        "\nDone in {:.1} s. The lake is in {}. Explore it:\n  auditlake --lake {shell_dir} repl          (then \\samples, \\run NAME, or any SQL ending with ';')\n  auditlake --lake {shell_dir} samples run console-logins-without-mfa\n  auditlake --lake {shell_dir} query \"SELECT eventname, count(*) AS n FROM demo GROUP BY 1 ORDER BY 2 DESC\"",
        started.elapsed().as_secs_f64(),
        lake_dir.display()
    );
    Ok(())
}

/// The folder to build the demo in: `dir` when new or empty, else a new folder under the temp folder.
fn demo_folder(dir: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    let dir = match dir {
        Some(dir) => {
            if dir.exists() && !is_empty(&dir)? {
                bail!(
                    "{} is not empty: give a new or empty folder for the demo lake",
                    dir.display()
                );
            }
            dir
        }
        None => std::env::temp_dir().join(format!(
            "auditlake-demo-{}",
            chrono::Utc::now().format("%Y%m%dT%H%M%S%.3f")
        )),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir.canonicalize().unwrap_or(dir))
}

fn is_empty(dir: &Path) -> anyhow::Result<bool> {
    Ok(std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .next()
        .is_none())
}
