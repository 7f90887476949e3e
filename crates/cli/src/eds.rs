//! `auditlake eds …`: event data store management.

use auditlake_store::selectors::parse_selectors;
use auditlake_store::{Category, EventDataStore, Lake, NewStore, StoreUpdate};
use chrono::Utc;
use clap::{Args, Subcommand};

use crate::output::{OutputFormat, StatsView, StoreView, bytes, count, print_json, print_table};

#[derive(Debug, Subcommand)]
pub enum EdsCommand {
    /// Create a store.
    Create(CreateArgs),
    /// List the stores.
    List,
    /// Show a store's settings and what it holds.
    Show {
        /// The store's id, ARN or name.
        store: String,
    },
    /// Change a store's settings.
    Update(UpdateArgs),
    /// Delete a store: it can be restored for 7 days, then its data is removed.
    Delete {
        /// The store's id, ARN or name.
        store: String,
    },
    /// Restore a store pending deletion.
    Restore {
        /// The store's id, ARN or name.
        store: String,
    },
    /// Stop ingestion: new events are refused; queries still work.
    StopIngestion {
        /// The store's id, ARN or name.
        store: String,
    },
    /// Start ingestion again.
    StartIngestion {
        /// The store's id, ARN or name.
        store: String,
    },
    /// Drop the days older than the retention period now (ingest does it too), for one store or all.
    EnforceRetention {
        /// The store's id, ARN or name (default: every store).
        store: Option<String>,
    },
    /// Delete files no commit references (a killed ingest's, or those retention and optimize replaced) once
    /// they are older than a grace period.
    Vacuum(crate::maintenance_cmd::VacuumArgs),
    /// Compact each day's small files into few large ones (one day with --day), so that a store fed often
    /// reads like one ingested once.
    Optimize(crate::maintenance_cmd::OptimizeArgs),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The name: 3 to 128 letters, digits, '.', '_' or '-'.
    name: String,
    /// Days to keep events, 7 to 3653.
    #[arg(long, default_value_t = auditlake_store::DEFAULT_RETENTION_DAYS)]
    retention_days: u32,
    /// The kind of events held.
    #[arg(long, default_value = "management", value_parser = ["management", "data", "insights", "activity"])]
    category: String,
    /// Advanced event selectors, as CloudTrail's JSON list, inline or @FILE.
    #[arg(long)]
    selectors: Option<String>,
    /// Allow the store to be deleted.
    #[arg(long)]
    no_termination_protection: bool,
    /// Create the store with ingestion stopped.
    #[arg(long)]
    no_ingestion: bool,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The store's id, ARN or name.
    store: String,
    /// A new name.
    #[arg(long)]
    name: Option<String>,
    /// Days to keep events, 7 to 3653.
    #[arg(long)]
    retention_days: Option<u32>,
    /// New advanced event selectors, inline or @FILE ('[]' lets every event in).
    #[arg(long)]
    selectors: Option<String>,
    /// Turn termination protection on.
    #[arg(long, conflicts_with = "no_termination_protection")]
    termination_protection: bool,
    /// Turn termination protection off.
    #[arg(long)]
    no_termination_protection: bool,
}

fn read_selectors(arg: &str) -> anyhow::Result<Vec<auditlake_store::AdvancedEventSelector>> {
    let text = match arg.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read selectors file {path}: {e}"))?,
        None => arg.to_owned(),
    };
    Ok(parse_selectors(&text)?)
}

pub async fn run(lake: &Lake, command: EdsCommand, output: OutputFormat) -> anyhow::Result<()> {
    match command {
        EdsCommand::Create(args) => {
            let request = NewStore {
                name: args.name,
                retention_days: Some(args.retention_days),
                category: args.category.parse::<Category>()?,
                advanced_event_selectors: match &args.selectors {
                    Some(s) => read_selectors(s)?,
                    None => Vec::new(),
                },
                termination_protection: !args.no_termination_protection,
                start_ingestion: !args.no_ingestion,
            };
            let store = lake.create_store(request).await?;
            report(&store, output, "created")
        }
        EdsCommand::List => {
            let stores = lake.list_stores().await?;
            if output == OutputFormat::Json {
                return print_json(&serde_json::json!({ "eventDataStores": stores }));
            }
            if stores.is_empty() {
                println!(
                    "no event data stores in {} (create one: auditlake eds create NAME)",
                    lake.root()
                );
                return Ok(());
            }
            let rows: Vec<Vec<String>> = stores
                .iter()
                .map(|s| {
                    vec![
                        s.name.clone(),
                        s.id.clone(),
                        s.status.as_str().to_owned(),
                        format!("{} days", s.retention_days),
                        s.created_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                    ]
                })
                .collect();
            print_table(&["NAME", "ID", "STATUS", "RETENTION", "CREATED"], &rows);
            Ok(())
        }
        EdsCommand::Show { store } => {
            let store = lake.store(&store).await?;
            let stats = lake.table(&store).await?.stats()?;
            if output == OutputFormat::Json {
                return print_json(&StoreView {
                    store: &store,
                    stats: Some(StatsView::new(&stats)),
                });
            }
            print_store(&store);
            let view = StatsView::new(&stats);
            println!("events:                 {}", count(stats.events));
            println!(
                "stored:                 {} in {} files",
                bytes(stats.bytes),
                count(stats.files)
            );
            match (view.first_event_day, view.last_event_day) {
                (Some(first), Some(last)) => println!(
                    "event days:             {first} to {last} ({} days)",
                    view.days
                ),
                _ => println!("event days:             none yet"),
            }
            println!("table version:          {}", stats.version);
            Ok(())
        }
        EdsCommand::Update(args) => {
            let update = StoreUpdate {
                name: args.name,
                retention_days: args.retention_days,
                advanced_event_selectors: args
                    .selectors
                    .as_deref()
                    .map(read_selectors)
                    .transpose()?,
                termination_protection: if args.termination_protection {
                    Some(true)
                } else if args.no_termination_protection {
                    Some(false)
                } else {
                    None
                },
            };
            let store = lake.update_store(&args.store, update).await?;
            report(&store, output, "updated")
        }
        EdsCommand::Delete { store } => {
            let store = lake.delete_store(&store).await?;
            report(
                &store,
                output,
                "deleted (restorable for 7 days with `auditlake eds restore`)",
            )
        }
        EdsCommand::Restore { store } => {
            let store = lake.restore_store(&store).await?;
            report(&store, output, "restored")
        }
        EdsCommand::StopIngestion { store } => {
            let store = lake.set_ingestion(&store, false).await?;
            report(&store, output, "stopped ingestion")
        }
        EdsCommand::StartIngestion { store } => {
            let store = lake.set_ingestion(&store, true).await?;
            report(&store, output, "started ingestion")
        }
        EdsCommand::Vacuum(args) => crate::maintenance_cmd::vacuum(lake, args, output).await,
        EdsCommand::Optimize(args) => crate::maintenance_cmd::optimize(lake, args, output).await,
        EdsCommand::EnforceRetention { store } => {
            let stores = match store {
                Some(s) => vec![lake.store(&s).await?],
                None => lake.list_stores().await?,
            };
            let mut results = Vec::new();
            for store in stores {
                let report = lake
                    .table(&store)
                    .await?
                    .enforce_retention(store.retention_days, Utc::now())
                    .await?;
                if output == OutputFormat::Text {
                    if report.days_removed.is_empty() {
                        println!(
                            "{}: nothing older than {} ({} days kept)",
                            store.name, report.oldest_kept_day, store.retention_days
                        );
                    } else {
                        println!(
                            "{}: removed {} days ({} to {}), {} events, {} files; kept from {}",
                            store.name,
                            report.days_removed.len(),
                            report
                                .days_removed
                                .first()
                                .map(String::as_str)
                                .unwrap_or_default(),
                            report
                                .days_removed
                                .last()
                                .map(String::as_str)
                                .unwrap_or_default(),
                            count(report.events_removed),
                            count(report.files_removed),
                            report.oldest_kept_day
                        );
                    }
                }
                results.push(
                    serde_json::json!({ "id": store.id, "name": store.name, "retention": report }),
                );
            }
            if output == OutputFormat::Json {
                print_json(&serde_json::json!({ "stores": results }))?;
            }
            Ok(())
        }
    }
}

fn report(store: &EventDataStore, output: OutputFormat, what: &str) -> anyhow::Result<()> {
    if output == OutputFormat::Json {
        return print_json(&StoreView { store, stats: None });
    }
    println!("{what} event data store {}", store.name);
    print_store(store);
    Ok(())
}

fn print_store(store: &EventDataStore) {
    println!("name:                   {}", store.name);
    println!("id:                     {}", store.id);
    println!("arn:                    {}", store.arn);
    println!("status:                 {}", store.status.as_str());
    println!("retention:              {} days", store.retention_days);
    println!("category:               {:?}", store.category);
    println!(
        "termination protection: {}",
        if store.termination_protection {
            "on"
        } else {
            "off"
        }
    );
    if store.advanced_event_selectors.is_empty() {
        println!("selectors:              none (every event)");
    } else {
        println!(
            "selectors:              {}",
            serde_json::to_string(&store.advanced_event_selectors).unwrap_or_default()
        );
    }
    println!(
        "created:                {}",
        store.created_at.format("%Y-%m-%d %H:%M:%S UTC")
    );
    if let Some(deleted) = store.deleted_at {
        println!(
            "deleted:                {}",
            deleted.format("%Y-%m-%d %H:%M:%S UTC")
        );
    }
}
