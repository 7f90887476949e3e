//! `auditlake samples`: the sample query library (list, show, run).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use auditlake_samples::{Library, Sample};
use auditlake_store::{IngestionStatus, Lake};
use clap::{Args, Subcommand};
use serde::Serialize;

use crate::output::{self, OutputFormat};
use crate::query_cmd::{self, RunArgs};

/// Arguments of `auditlake samples`.
#[derive(Debug, Args)]
pub struct SamplesArgs {
    /// Use the library in this folder (one folder per category of .sql files) instead of the built-in one.
    #[arg(long, global = true, env = "AUDITLAKE_SAMPLES", value_name = "DIR")]
    library: Option<PathBuf>,
    #[command(subcommand)]
    command: SamplesCommand,
}

#[derive(Debug, Subcommand)]
enum SamplesCommand {
    /// The sample queries: name, category and title.
    List {
        /// Only this category (identity, data-access, change-tracking, errors, activity, investigation).
        #[arg(long)]
        category: Option<String>,
    },
    /// One sample's file: header (title, description, parameters with defaults) and Lake SQL.
    Show {
        /// The sample's name.
        name: String,
    },
    /// Run a sample against a store, with parameters.
    Run {
        /// The sample's name.
        name: String,
        /// The event data store (id, name or ARN); may be left out when the lake has one store.
        #[arg(long)]
        eds: Option<String>,
        /// A parameter value, NAME=VALUE (repeatable); `samples show NAME` lists the parameters.
        #[arg(long = "param", short = 'p', value_name = "NAME=VALUE")]
        params: Vec<String>,
        #[command(flatten)]
        run: RunArgs,
    },
}

/// Runs `auditlake samples`; only `run` opens the lake.
pub async fn run(lake: &str, args: SamplesArgs, output: OutputFormat) -> anyhow::Result<()> {
    let library = library(args.library.as_deref())?;
    match args.command {
        SamplesCommand::List { category } => list(&library, category.as_deref(), output),
        SamplesCommand::Show { name } => show(library.get(&name)?, output),
        SamplesCommand::Run {
            name,
            eds,
            params,
            run,
        } => {
            let lake = Lake::open(lake, auditlake_store::LakeSettings::from_env())?;
            let sample = library.get(&name)?;
            let mut values = parse_params(&params)?;
            if let Some(eds) = eds
                && values.insert("eds".into(), eds).is_some()
            {
                bail!("give the store once: --eds or --param eds=…, not both");
            }
            let sql = render(&lake, sample, values).await?;
            if output == OutputFormat::Text {
                eprintln!("-- {}: {}", sample.name, sample.title);
            }
            let engine = query_cmd::engine(&lake, &run);
            query_cmd::run_sql(&engine, &sql, &run, output).await
        }
    }
}

/// The built-in library, or the one in `dir`.
pub fn library(dir: Option<&Path>) -> anyhow::Result<Library> {
    Ok(match dir {
        Some(dir) => Library::from_dir(dir)?,
        None => Library::builtin()?,
    })
}

/// `NAME=VALUE` pairs as a map; a name given twice is refused.
pub fn parse_params(pairs: &[impl AsRef<str>]) -> anyhow::Result<BTreeMap<String, String>> {
    let mut values = BTreeMap::new();
    for pair in pairs {
        let pair = pair.as_ref();
        let (name, value) = pair
            .split_once('=')
            .with_context(|| format!("parameter '{pair}' is not NAME=VALUE"))?;
        if values
            .insert(name.trim().to_owned(), value.to_owned())
            .is_some()
        {
            bail!("parameter '{}' is given twice", name.trim());
        }
    }
    Ok(values)
}

/// The sample's statement for `values`, with `eds` resolved to a store id (the lake's only store when left
/// out).
pub async fn render(
    lake: &Lake,
    sample: &Sample,
    mut values: BTreeMap<String, String>,
) -> anyhow::Result<String> {
    if sample.param("eds").is_some() {
        let id = match values.get("eds").filter(|v| !v.is_empty()) {
            Some(reference) => lake.store(reference).await?.id,
            None => {
                // A store pending deletion cannot be queried: only live stores count.
                let stores: Vec<_> = lake
                    .list_stores()
                    .await?
                    .into_iter()
                    .filter(|s| s.status != IngestionStatus::PendingDeletion)
                    .collect();
                match stores.as_slice() {
                    [only] => only.id.clone(),
                    [] => bail!(
                        "this lake has no event data store yet: create one with `auditlake eds create NAME`"
                    ),
                    many => bail!(
                        "this lake has {} stores ({}): say which with --eds STORE (eds=STORE in the REPL)",
                        many.len(),
                        many.iter()
                            .map(|s| s.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                }
            }
        };
        values.insert("eds".into(), id);
    }
    Ok(sample.render(&values)?)
}

#[derive(Serialize)]
struct ParamView<'a> {
    name: &'a str,
    default: Option<&'a str>,
    description: &'a str,
}

#[derive(Serialize)]
struct SampleView<'a> {
    name: &'a str,
    category: &'a str,
    title: &'a str,
    description: &'a str,
    parameters: Vec<ParamView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sql: Option<&'a str>,
}

impl<'a> SampleView<'a> {
    fn new(sample: &'a Sample, with_sql: bool) -> Self {
        SampleView {
            name: &sample.name,
            category: &sample.category,
            title: &sample.title,
            description: &sample.description,
            parameters: sample
                .params
                .iter()
                .map(|p| ParamView {
                    name: &p.name,
                    default: p.default.as_deref(),
                    description: &p.description,
                })
                .collect(),
            sql: with_sql.then_some(sample.body.as_str()),
        }
    }
}

fn list(library: &Library, category: Option<&str>, output: OutputFormat) -> anyhow::Result<()> {
    let samples = library.in_category(category)?;
    if output == OutputFormat::Json {
        let views: Vec<SampleView> = samples.iter().map(|s| SampleView::new(s, false)).collect();
        return output::print_json(&views);
    }
    let rows: Vec<Vec<String>> = samples
        .iter()
        .map(|s| vec![s.name.clone(), s.category.clone(), s.title.clone()])
        .collect();
    output::print_table(&["NAME", "CATEGORY", "TITLE"], &rows);
    output::emit(&format!(
        "\n{} sample{}. `auditlake samples show NAME` prints one; `auditlake samples run NAME --eds STORE` runs it.\n",
        samples.len(),
        if samples.len() == 1 { "" } else { "s" }
    ));
    Ok(())
}

fn show(sample: &Sample, output: OutputFormat) -> anyhow::Result<()> {
    if output == OutputFormat::Json {
        return output::print_json(&SampleView::new(sample, true));
    }
    output::emit(&sample.text);
    if !sample.text.ends_with('\n') {
        output::emit("\n");
    }
    let optional: String = sample
        .params
        .iter()
        .filter(|p| p.name != "eds")
        .map(|p| match &p.default {
            Some(_) => format!(" [--param {}=…]", p.name),
            None => format!(" --param {}=…", p.name),
        })
        .collect();
    eprintln!(
        "\nRun it: auditlake samples run {} --eds STORE{optional}",
        sample.name
    );
    Ok(())
}
