//! `auditlake ingest` and `auditlake generate`.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

use auditlake_ingest::generate::{GeneratorConfig, generate as write_samples};
use auditlake_ingest::{
    IngestOptions, IngestSummary, InputFormat, Progress, Source, ingest as run_ingest,
};
use auditlake_store::Lake;
use chrono::NaiveDate;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use crate::output::{OutputFormat, bytes, count, print_json};

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// The store to ingest into: id, ARN or name.
    #[arg(long)]
    eds: String,
    /// Files, folders (read recursively) or '-' for stdin.
    #[arg(required = true)]
    paths: Vec<String>,
    /// The layout of the input: auto, trail ({"Records":[...]}), jsonl, array or object.
    #[arg(long, default_value = "auto")]
    format: InputFormat,
    /// Where to write the rejects report (default: <lake>/ingest-reports/<store-id>/).
    #[arg(long)]
    rejects: Option<PathBuf>,
    /// Read every input again, even files whose events the store already holds (by default a file whose bytes
    /// were ingested before is skipped).
    #[arg(long)]
    force: bool,
    /// MiB of input decoded and written to files at a time (tests use small values).
    #[arg(long, hide = true, default_value_t = IngestOptions::default().group_bytes >> 20)]
    group_mib: usize,
    /// Commit after this many MiB of input (at the end of a file); a killed ingest loses at most that much.
    #[arg(long, hide = true, default_value_t = IngestOptions::default().commit_bytes >> 20)]
    commit_mib: u64,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Folder to write AWSLogs/... into.
    #[arg(long)]
    out: PathBuf,
    /// Number of days of events, ending yesterday unless --start is given.
    #[arg(long, default_value_t = 7)]
    days: u32,
    /// First day (YYYY-MM-DD).
    #[arg(long)]
    start: Option<NaiveDate>,
    /// Events per day over all accounts and regions.
    #[arg(long, default_value_t = 1000)]
    events_per_day: u32,
    /// Seed: the same seed writes the same files.
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

struct Bar(ProgressBar);

impl Progress for Bar {
    fn start(&self, total_bytes: u64) {
        self.0.set_length(total_bytes);
    }
    fn advance(&self, bytes: u64) {
        self.0.inc(bytes);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

/// A progress bar on stderr when it is a terminal; nothing otherwise.
pub fn progress_bar() -> Arc<dyn Progress> {
    if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} ingesting [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        Arc::new(Bar(bar))
    } else {
        Arc::new(())
    }
}

pub async fn ingest(lake: &Lake, args: IngestArgs, output: OutputFormat) -> anyhow::Result<()> {
    let sources: Vec<Source> = args.paths.iter().map(|p| Source::from_arg(p)).collect();
    let progress = progress_bar();
    let options = IngestOptions {
        format: args.format,
        rejects_path: args.rejects,
        group_bytes: args.group_mib.max(1) << 20,
        force: args.force,
        commit_bytes: args.commit_mib << 20,
        ..IngestOptions::default()
    };
    let summary = run_ingest(lake, &args.eds, &sources, options, progress).await?;
    if output == OutputFormat::Json {
        return print_json(&summary);
    }
    for reject in &summary.first_rejects {
        eprintln!("rejected: {reject}");
    }
    if summary.events_rejected + summary.inputs_failed > summary.first_rejects.len() as u64 {
        eprintln!("rejected: … and more");
    }
    println!("{}", summary_line(&summary));
    if !summary.retention.days_removed.is_empty() {
        println!(
            "retention: removed {} expired days, {} events",
            summary.retention.days_removed.len(),
            count(summary.retention.events_removed)
        );
    }
    Ok(())
}

/// `ingested 12 files: 1,000 events read, … ; 1.2 MiB in 0.50s (1 commits)`
pub fn summary_line(summary: &IngestSummary) -> String {
    let mut line = format!(
        "ingested {} files: {} events read, {} written, {} filtered, {} rejected",
        count(summary.files as u64),
        count(summary.events_read),
        count(summary.events_written),
        count(summary.events_filtered),
        count(summary.events_rejected),
    );
    if summary.events_expired > 0 {
        line.push_str(&format!(
            ", {} older than retention",
            count(summary.events_expired)
        ));
    }
    if summary.events_out_of_range > 0 {
        line.push_str(&format!(
            ", {} outside the time range",
            count(summary.events_out_of_range)
        ));
    }
    if summary.events_already_stored > 0 {
        line.push_str(&format!(
            ", {} already in the store",
            count(summary.events_already_stored)
        ));
    }
    if summary.files_skipped > 0 {
        line.push_str(&format!(
            ", {} files skipped (already in the store; --force reads them again)",
            count(summary.files_skipped)
        ));
    }
    if summary.inputs_failed > 0 {
        line.push_str(&format!(
            ", {} unreadable inputs",
            count(summary.inputs_failed)
        ));
    }
    line.push_str(&format!(
        "; {} in {:.2}s ({} commits)",
        bytes(summary.bytes_read),
        summary.seconds,
        summary.commits
    ));
    if let Some(report) = &summary.rejects_report {
        line.push_str(&format!("; rejects report: {report}"));
    }
    line
}

pub fn generate(args: GenerateArgs, output: OutputFormat) -> anyhow::Result<()> {
    let mut config = GeneratorConfig::recent(args.days);
    config.seed = args.seed;
    config.events_per_day = args.events_per_day;
    if let Some(start) = args.start {
        config.start = start;
    }
    let generated = write_samples(&args.out, &config).map_err(|e| {
        anyhow::anyhow!(
            "cannot write sample files under {}: {e}",
            args.out.display()
        )
    })?;
    if output == OutputFormat::Json {
        return print_json(&serde_json::json!({
            "out": args.out, "files": generated.files.len(), "events": generated.events, "bytes": generated.bytes,
        }));
    }
    println!(
        "wrote {} events in {} trail log files ({}) under {}",
        count(generated.events),
        count(generated.files.len() as u64),
        bytes(generated.bytes),
        args.out.display()
    );
    Ok(())
}
