//! `auditlake demo`: a lake of generated events with planted incidents, and a tour of sample queries over it.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use auditlake_ingest::generate::{GeneratorConfig, generate};
use auditlake_ingest::{IngestOptions, Source, ingest};
use auditlake_query::render::OutputFormat as RowFormat;
use auditlake_samples::Library;
use auditlake_store::{Lake, LakeSettings, NewStore};
use clap::Args;

use crate::ingest_cmd::{progress_bar, summary_line};
use crate::output::{bytes, count};
use crate::query_cmd::{self, RunArgs};
use crate::samples_cmd;

/// The samples the tour runs, in order: each finds one of the planted incidents or gives an overview.
pub const TOUR: &[&str] = &[
    "events-per-day-by-account",
    "root-activity",
    "security-groups-opened-to-world",
    "access-denied-bursts",
    "buckets-made-public",
    "s3-bytes-downloaded-by-principal",
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

/// Runs `auditlake demo`.
pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let library = Library::builtin()?;
    let tour = TOUR
        .iter()
        .map(|name| library.get(name))
        .collect::<Result<Vec<_>, _>>()?;
    let dir = match args.dir {
        Some(dir) => {
            if dir.exists()
                && std::fs::read_dir(&dir)
                    .with_context(|| format!("reading {}", dir.display()))?
                    .next()
                    .is_some()
            {
                bail!(
                    "{} is not empty: give a new or empty folder for the demo lake",
                    dir.display()
                );
            }
            dir
        }
        None => std::env::temp_dir().join(format!(
            "auditlake-demo-{}",
            chrono::Utc::now().format("%Y%m%dT%H%M%S")
        )),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let dir = dir.canonicalize().unwrap_or(dir);
    let logs = dir.join("logs");
    let lake_dir = dir.join("lake");

    let config = GeneratorConfig {
        events_per_day: args.events_per_day,
        ..GeneratorConfig::demo(args.days)
    };
    println!(
        "1. Generating {} days of CloudTrail trail logs ({} accounts, regions {}), with planted incidents on {}…",
        args.days,
        config.accounts.len(),
        config.regions.join(", "),
        config.start
    );
    let generated = generate(&logs, &config)
        .with_context(|| format!("writing trail logs under {}", logs.display()))?;
    println!(
        "   wrote {} events in {} gzipped trail files ({}) under {}",
        count(generated.events),
        count(generated.files.len() as u64),
        bytes(generated.bytes),
        logs.display()
    );

    let lake_location = lake_dir.to_string_lossy().into_owned();
    let lake = Lake::open(&lake_location, LakeSettings::from_env())?;
    let store = lake.create_store(NewStore::named("demo")).await?;
    println!(
        "\n2. Created the event data store 'demo' ({}), and ingesting the files into it…",
        store.id
    );
    let summary = ingest(
        &lake,
        &store.id,
        &[Source::Path(logs.clone())],
        IngestOptions::default(),
        progress_bar(),
    )
    .await?;
    println!("   {}", summary_line(&summary));

    println!(
        "\n3. A tour of the sample query library ({} samples; `auditlake samples list` shows them all):",
        library.samples().len()
    );
    let run = RunArgs {
        format: RowFormat::Table,
        max_rows: Some(8),
        timeout: 300,
        save: None,
        memory_mib: 2048,
    };
    let engine = query_cmd::engine(&lake, &run);
    for sample in tour {
        println!(
            "\n── {} · auditlake samples run {}",
            sample.title, sample.name
        );
        let sql = samples_cmd::render(&lake, sample, Default::default()).await?;
        let (record, outcome) = engine
            .run(
                &sql,
                Duration::from_secs(run.timeout),
                std::future::pending(),
            )
            .await?;
        let result = outcome.with_context(|| format!("sample {}", sample.name))?;
        print!("{}", query_cmd::rows_text(&result, &run)?);
        println!("{}", query_cmd::statistics_line(&record));
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
