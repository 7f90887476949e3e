//! The `auditlake` command line: parses, calls the libraries, prints.

mod demo_cmd;
mod eds;
mod import_cmd;
mod ingest_cmd;
mod maintenance_cmd;
mod output;
mod query_cmd;
mod repl;
mod results_cmd;
mod samples_cmd;

use std::process::ExitCode;

use auditlake_store::{Lake, LakeSettings};
use clap::{Parser, Subcommand};

use crate::output::OutputFormat;

/// auditlake: a self-hosted CloudTrail Lake. Keep audit events in Delta Lake tables and query them with SQL.
#[derive(Debug, Parser)]
#[command(name = "auditlake", version, about, propagate_version = true)]
struct Cli {
    /// The lake: a local folder or file:// URL.
    #[arg(
        long,
        global = true,
        env = "AUDITLAKE_LAKE",
        default_value = "./auditlake-data"
    )]
    lake: String,
    /// How results are printed: text for people, json for scripts (one JSON document).
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Text)]
    output: OutputFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build a demo lake (30 days of generated events with planted incidents) and tour the sample queries on it.
    Demo(demo_cmd::DemoArgs),
    /// Create, list, change and delete event data stores.
    #[command(subcommand)]
    Eds(eds::EdsCommand),
    /// Ingest CloudTrail records into a store: trail log files (.json/.json.gz), JSON Lines, JSON arrays,
    /// folders (recursively) or '-' for stdin.
    Ingest(ingest_cmd::IngestArgs),
    /// Write realistic sample trail log files (deterministic for a seed), laid out as CloudTrail delivers them.
    Generate(ingest_cmd::GenerateArgs),
    /// Run Lake SQL over the lake's stores (`FROM` a store's id, name or ARN); `query list` and `query show ID`
    /// read the history of the last 7 days.
    Query(query_cmd::QueryArgs),
    /// Interactive Lake SQL: history, multi-line statements, completion, backslash commands (\? for help).
    Repl(repl::ReplArgs),
    /// The sample query library: ready Lake SQL for common investigations (`samples list`, `show`, `run`).
    Samples(samples_cmd::SamplesArgs),
    /// Check saved query results against their signed result_sign.json.
    #[command(subcommand)]
    Results(results_cmd::ResultsCommand),
    /// The lake's result-signing keys.
    #[command(subcommand)]
    Keys(results_cmd::KeysCommand),
    /// Copy a trail's log files from its bucket (or a folder) into a store, with a time range; stop, restart.
    #[command(subcommand)]
    Import(import_cmd::ImportCommand),
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        // Libraries report failures as errors, not logs; dependencies' logs (e.g. the Delta kernel probing
        // a log segment) are noise unless asked for with AUDITLAKE_LOG.
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("AUDITLAKE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("auditlake=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Generate(args) => ingest_cmd::generate(args, cli.output),
        Command::Samples(args) => samples_cmd::run(&cli.lake, args, cli.output).await,
        Command::Demo(args) => demo_cmd::run(args, cli.output).await,
        command => {
            let lake = Lake::open(&cli.lake, LakeSettings::from_env())?;
            match command {
                Command::Eds(cmd) => eds::run(&lake, cmd, cli.output).await,
                Command::Ingest(args) => ingest_cmd::ingest(&lake, args, cli.output).await,
                Command::Query(args) => query_cmd::run(&lake, args, cli.output).await,
                Command::Repl(args) => repl::run(&lake, args).await,
                Command::Results(cmd) => results_cmd::results(&lake, cmd, cli.output).await,
                Command::Keys(cmd) => results_cmd::keys(&lake, cmd, cli.output),
                Command::Import(cmd) => import_cmd::run(&lake, cmd, cli.output).await,
                Command::Generate(_) | Command::Samples(_) | Command::Demo(_) => {
                    unreachable!("handled above")
                }
            }
        }
    }
}
