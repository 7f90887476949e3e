//! `auditlake eds vacuum` and `auditlake eds optimize`.

use auditlake_store::{DEFAULT_VACUUM_GRACE, Lake};
use clap::Args;

use crate::output::{OutputFormat, count, print_json};

#[derive(Debug, Args)]
pub struct VacuumArgs {
    /// The store's id, ARN or name.
    store: String,
    /// Keep unreferenced files younger than this many minutes (a running ingest's files, or files a running
    /// query still reads).
    #[arg(long, default_value_t = DEFAULT_VACUUM_GRACE.num_minutes())]
    grace_minutes: i64,
}

#[derive(Debug, Args)]
pub struct OptimizeArgs {
    /// The store's id, ARN or name.
    store: String,
    /// Only this event day (YYYY-MM-DD).
    #[arg(long)]
    day: Option<String>,
}

pub async fn vacuum(lake: &Lake, args: VacuumArgs, output: OutputFormat) -> anyhow::Result<()> {
    if args.grace_minutes < 0 {
        anyhow::bail!("--grace-minutes must be 0 or more");
    }
    let store = lake.store(&args.store).await?;
    let mut table = lake.table(&store).await?;
    let report = table
        .vacuum(chrono::Duration::minutes(args.grace_minutes))
        .await?;
    if output == OutputFormat::Json {
        return print_json(
            &serde_json::json!({ "id": store.id, "name": store.name, "vacuum": report }),
        );
    }
    println!(
        "{}: deleted {} unreferenced files and {} unused source records older than {} minutes",
        store.name,
        count(report.files_deleted),
        count(report.sidecars_deleted),
        args.grace_minutes
    );
    Ok(())
}

pub async fn optimize(lake: &Lake, args: OptimizeArgs, output: OutputFormat) -> anyhow::Result<()> {
    let store = lake.store(&args.store).await?;
    let mut table = lake.table(&store).await?;
    let report = table.optimize(args.day.as_deref()).await?;
    if output == OutputFormat::Json {
        return print_json(
            &serde_json::json!({ "id": store.id, "name": store.name, "optimize": report }),
        );
    }
    let before: u64 = report.days.iter().map(|d| d.files_before).sum();
    let after: u64 = report.days.iter().map(|d| d.files_after).sum();
    let compacted: Vec<_> = report
        .days
        .iter()
        .filter(|d| d.files_after != d.files_before)
        .collect();
    for day in &compacted {
        println!(
            "{}: {} files -> {}",
            day.day,
            count(day.files_before),
            count(day.files_after)
        );
    }
    println!(
        "{}: {} days, {} files -> {} ({} days compacted); the replaced files go at the next vacuum after the \
         grace period",
        store.name,
        count(report.days.len() as u64),
        count(before),
        count(after),
        count(compacted.len() as u64)
    );
    Ok(())
}
