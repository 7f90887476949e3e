//! `auditlake repl`: interactive Lake SQL with history, multi-line statements, completion and backslash
//! commands.

use std::borrow::Cow;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use auditlake_query::render::OutputFormat as RowFormat;
use auditlake_query::{QueryEngine, QueryResult};
use auditlake_store::Lake;
use clap::Args;
use datafusion::arrow::datatypes::{DataType, Fields};
use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Config, Context as LineContext, Editor, Helper};

use crate::query_cmd::{self, RunArgs};
use crate::samples_cmd;
use auditlake_samples::Library;

/// Arguments of `auditlake repl`.
#[derive(Debug, Args)]
pub struct ReplArgs {
    #[command(flatten)]
    run: RunArgs,
    /// Where statements are remembered between sessions (default ~/.auditlake_history).
    #[arg(long)]
    history_file: Option<PathBuf>,
    /// Use the sample library in this folder instead of the built-in one (for \\samples and \\run).
    #[arg(long, env = "AUDITLAKE_SAMPLES", value_name = "DIR")]
    library: Option<PathBuf>,
}

const HELP: &str = "\
Statements end with ';' and may span lines. FROM takes a store's id, name or ARN.
  \\?                 this help
  \\q                 quit (also Ctrl-D)
  \\l                 list event data stores
  \\d STORE           the columns of a store
  \\pset format F     print rows as table, csv, json or ndjson
  \\timing            turn the statistics line on or off
  \\save URL          save the last result (gzip CSV + signed result_sign.json)
  \\samples [CAT]     list the sample queries (of one category)
  \\run NAME [k=v..]  run a sample query with parameters (eds=STORE when the lake has several)
Ctrl-C cancels a running query, or clears the line being typed.";

/// Runs the REPL until `\q` or end of input.
pub async fn run(lake: &Lake, args: ReplArgs) -> anyhow::Result<()> {
    let mut run = args.run.clone();
    let engine = query_cmd::engine(lake, &run);
    let (_, stores) = engine.session().await?;
    let mut words: Vec<String> = Vec::new();
    for store in stores.stores() {
        words.push(store.name.clone());
        words.push(store.id.clone());
    }
    words.extend(column_paths());
    words.extend(
        auditlake_functions::function_names()
            .into_iter()
            .map(String::from),
    );
    words.extend(KEYWORDS.iter().map(|k| k.to_string()));
    // Sample names and their parameters complete after \run.
    let library = samples_cmd::library(args.library.as_deref())?;
    for sample in library.samples() {
        words.push(sample.name.clone());
        words.extend(sample.params.iter().map(|p| format!("{}=", p.name)));
    }

    words.sort();
    words.dedup();

    let mut editor: Editor<LakeHelper, rustyline::history::DefaultHistory> =
        Editor::with_config(Config::builder().auto_add_history(false).build())?;
    editor.set_helper(Some(LakeHelper { words }));
    let history = args.history_file.or_else(|| {
        std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".auditlake_history"))
    });
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    let interactive = std::io::IsTerminal::is_terminal(&std::io::stdin());
    if interactive {
        println!(
            "auditlake {} — Lake SQL over {} ({} stores). \\? for help, \\q to quit.",
            env!("CARGO_PKG_VERSION"),
            lake.root(),
            stores.stores().len()
        );
    }
    let mut timing = true;
    let mut last: Option<(auditlake_query::QueryRecord, QueryResult)> = None;
    let mut buffer = String::new();
    let mut at_end = false;
    while !at_end {
        let prompt = if buffer.is_empty() {
            "auditlake> "
        } else {
            "        -> "
        };
        let line = match editor.readline(prompt) {
            Ok(line) => line,
            Err(ReadlineError::Interrupted) => {
                buffer.clear();
                continue;
            }
            Err(ReadlineError::Eof) if buffer.trim().is_empty() => break,
            Err(ReadlineError::Eof) => {
                at_end = true;
                String::new()
            }
            Err(e) => return Err(e.into()),
        };
        // Piped input arrives line by line: gather a statement up to its ';'.
        if !buffer.is_empty() {
            buffer.push('\n');
        }
        buffer.push_str(&line);
        let complete = {
            let text = buffer.trim();
            at_end || text.is_empty() || text.starts_with('\\') || text.ends_with(';')
        };
        if !complete {
            continue;
        }
        let statement = std::mem::take(&mut buffer);
        let input = statement.trim();
        if input.is_empty() {
            continue;
        }
        let _ = editor.add_history_entry(input);
        if let Some(command) = input.strip_prefix('\\') {
            // Words split as a shell would, so `\\run x start='2024-05-01 00:00:00'` keeps its value whole.
            let words = shlex::split(command.trim_end_matches(';'))
                .unwrap_or_else(|| command.split_whitespace().map(String::from).collect());
            let name = words.first().map_or("", String::as_str);
            let rest: Vec<&str> = words.iter().skip(1).map(String::as_str).collect();
            let outcome = match name {
                "q" | "quit" => break,
                "?" | "h" | "help" => {
                    println!("{HELP}");
                    Ok(())
                }
                "l" => list_stores(&engine).await,
                "samples" => list_samples(&library, rest.first().copied()),
                "run" => match rest.split_first() {
                    Some((name, params)) => {
                        let sql = async {
                            let sample = library.get(name)?;
                            let values = samples_cmd::parse_params(params)?;
                            let sql = samples_cmd::render(lake, sample, values).await?;
                            println!("-- {}: {}", sample.name, sample.title);
                            Ok::<_, anyhow::Error>(sql)
                        };
                        match sql.await {
                            Ok(sql) => {
                                let _ = editor.add_history_entry(sql.as_str());
                                if let Some(done) = run_statement(&engine, &sql, &run, timing).await
                                {
                                    last = Some(done);
                                }
                                Ok(())
                            }
                            Err(e) => Err(e),
                        }
                    }
                    None => Err(anyhow::anyhow!("usage: \\run NAME [param=value ...]")),
                },
                "d" => describe(&engine, rest.first().copied()).await,
                "pset" => match rest.as_slice() {
                    ["format", format] => format
                        .parse::<RowFormat>()
                        .map(|f| {
                            run.format = f;
                            println!("Output format is {format}.");
                        })
                        .map_err(anyhow::Error::msg),
                    _ => Err(anyhow::anyhow!(
                        "usage: \\pset format table|csv|json|ndjson"
                    )),
                },
                "timing" => {
                    timing = !timing;
                    println!("Statistics line is {}.", if timing { "on" } else { "off" });
                    Ok(())
                }
                "save" => match (rest.first(), &last) {
                    (Some(url), Some((record, result))) => {
                        let mut record = record.clone();
                        crate::query_cmd::save(&engine, &mut record, result, url)
                            .await
                            .map(|line| println!("{line}"))
                    }
                    (None, _) => Err(anyhow::anyhow!("usage: \\save URL")),
                    (_, None) => Err(anyhow::anyhow!("no result to save yet: run a query first")),
                },
                other => Err(anyhow::anyhow!("unknown command \\{other}; \\? lists them")),
            };
            if let Err(e) = outcome {
                eprintln!("error: {e:#}");
            }
            continue;
        }
        if let Some(done) = run_statement(&engine, input, &run, timing).await {
            last = Some(done);
        }
    }
    if let Some(path) = &history {
        let _ = editor.save_history(path);
    }
    Ok(())
}

/// Runs one statement and prints its rows and statistics; returns them for `\save`.
async fn run_statement(
    engine: &QueryEngine,
    sql: &str,
    run: &RunArgs,
    timing: bool,
) -> Option<(auditlake_query::QueryRecord, QueryResult)> {
    let cancel = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let (record, outcome) = match engine
        .run(sql, Duration::from_secs(run.timeout), cancel)
        .await
    {
        Ok(done) => done,
        Err(e) => {
            eprintln!("error: {e:#}");
            return None;
        }
    };
    match outcome {
        Ok(result) => {
            match query_cmd::rows_text(&result, run) {
                Ok(text) => print!("{text}"),
                Err(e) => eprintln!("error: {e:#}"),
            }
            if timing {
                println!("{}", query_cmd::statistics_line(&record));
            }
            Some((record, result))
        }
        Err(e) => {
            eprintln!("error: {e}");
            None
        }
    }
}

/// `\samples [CATEGORY]`: the library's samples, one line each, under their category.
fn list_samples(library: &Library, category: Option<&str>) -> anyhow::Result<()> {
    let samples = library.in_category(category)?;
    let width = samples.iter().map(|s| s.name.len()).max().unwrap_or(0);
    let mut category = "";
    for sample in samples {
        if sample.category != category {
            category = &sample.category;
            println!("{category}:");
        }
        println!("  {:<width$}  {}", sample.name, sample.title);
    }
    println!("\\run NAME [param=value ...] runs one (eds=STORE when the lake has several stores).");
    Ok(())
}

async fn list_stores(engine: &QueryEngine) -> anyhow::Result<()> {
    let stores = engine.lake().list_stores().await?;
    if stores.is_empty() {
        println!("No event data stores. Create one with `auditlake eds create NAME`.");
    }
    for s in stores {
        println!("{:<36}  {:<24}  {}", s.id, s.name, s.status.as_str());
    }
    Ok(())
}

async fn describe(engine: &QueryEngine, store: Option<&str>) -> anyhow::Result<()> {
    let store = store.context("usage: \\d STORE")?;
    let store = engine.lake().store(store).await?;
    println!("Event data store {} ({})", store.name, store.id);
    let schema = auditlake_schema::event_schema();
    for field in schema.fields() {
        if field.name() == auditlake_schema::PARTITION_COLUMN {
            continue;
        }
        println!("  {:<32} {}", field.name(), type_name(field.data_type()));
    }
    Ok(())
}

fn type_name(data_type: &DataType) -> String {
    match data_type {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "varchar".into(),
        DataType::Boolean => "boolean".into(),
        DataType::Timestamp(_, _) => "timestamp".into(),
        DataType::Int64 => "bigint".into(),
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(f) if f.len() == 2 => format!(
                "map({}, {})",
                type_name(f[0].data_type()),
                type_name(f[1].data_type())
            ),
            _ => "map".into(),
        },
        DataType::List(item) | DataType::LargeList(item) => {
            format!("array({})", type_name(item.data_type()))
        }
        DataType::Struct(fields) => format!(
            "row({})",
            fields
                .iter()
                .map(|f| format!("{} {}", f.name(), type_name(f.data_type())))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string().to_lowercase(),
    }
}

/// Column names and struct paths (`useridentity.arn`) for completion.
fn column_paths() -> Vec<String> {
    fn walk(prefix: &str, fields: &Fields, out: &mut Vec<String>) {
        for field in fields {
            let path = if prefix.is_empty() {
                field.name().clone()
            } else {
                format!("{prefix}.{}", field.name())
            };
            if let DataType::Struct(children) = field.data_type() {
                walk(&path, children, out);
            }
            out.push(path);
        }
    }
    let mut out = Vec::new();
    walk("", auditlake_schema::event_schema().fields(), &mut out);
    out
}

const KEYWORDS: &[&str] = &[
    "SELECT",
    "FROM",
    "WHERE",
    "GROUP BY",
    "ORDER BY",
    "HAVING",
    "LIMIT",
    "JOIN",
    "LEFT JOIN",
    "UNION ALL",
    "DISTINCT",
    "COUNT",
    "AND",
    "OR",
    "NOT",
    "IN",
    "LIKE",
    "IS NULL",
    "IS NOT NULL",
    "BETWEEN",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "AS",
    "DESC",
    "ASC",
    "WITH",
    "OVER",
    "PARTITION BY",
    "EXPLAIN",
    "CAST",
    "\\q",
    "\\l",
    "\\d",
    "\\pset",
    "\\timing",
    "\\save",
    "\\samples",
    "\\run",
    "\\?",
];

/// Completion of stores, columns, functions and keywords; statements end at ';'.
struct LakeHelper {
    words: Vec<String>,
}

impl Completer for LakeHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &LineContext<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = &line[..pos];
        let start = before
            .rfind(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '\\')))
            .map_or(0, |i| i + 1);
        let word = &before[start..];
        if word.is_empty() {
            return Ok((pos, Vec::new()));
        }
        let lower = word.to_lowercase();
        let candidates = self
            .words
            .iter()
            .filter(|w| w.to_lowercase().starts_with(&lower))
            .map(|w| {
                // Keywords follow the case the user typed.
                let replacement = if w.chars().all(|c| !c.is_lowercase())
                    && word.chars().all(|c| !c.is_uppercase())
                {
                    w.to_lowercase()
                } else {
                    w.clone()
                };
                Pair {
                    display: w.clone(),
                    replacement,
                }
            })
            .collect();
        Ok((start, candidates))
    }
}

impl Hinter for LakeHelper {
    type Hint = String;
}

impl Highlighter for LakeHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        Cow::Borrowed(line)
    }
}

impl Validator for LakeHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        let input = ctx.input().trim();
        if input.is_empty() || input.starts_with('\\') || input.ends_with(';') {
            Ok(ValidationResult::Valid(None))
        } else {
            Ok(ValidationResult::Incomplete)
        }
    }
}

impl Helper for LakeHelper {}

#[cfg(test)]
mod tests {
    use super::*;
    use rustyline::history::DefaultHistory;

    fn complete(words: &[&str], line: &str) -> (usize, Vec<String>) {
        let helper = LakeHelper {
            words: words.iter().map(|w| w.to_string()).collect(),
        };
        let history = DefaultHistory::new();
        let (start, pairs) = helper
            .complete(line, line.len(), &LineContext::new(&history))
            .expect("complete");
        (start, pairs.into_iter().map(|p| p.replacement).collect())
    }

    #[test]
    fn completes_stores_columns_paths_and_keywords() {
        let words = [
            "prod-trail",
            "0b5e1a2c-7d31-4f4e-9b1a-2a6f3c9d8e01",
            "useridentity.arn",
            "useridentity.accountid",
            "eventname",
            "SELECT",
            "root-activity",
            "\\run",
        ];
        assert_eq!(
            complete(&words, "SELECT * FROM prod"),
            (14, vec!["prod-trail".to_owned()])
        );
        assert_eq!(
            complete(&words, "SELECT * FROM 0b5e"),
            (14, vec!["0b5e1a2c-7d31-4f4e-9b1a-2a6f3c9d8e01".to_owned()])
        );
        assert_eq!(
            complete(&words, "SELECT userIdentity.a").1,
            ["useridentity.arn", "useridentity.accountid"]
        );
        // Keywords follow the case the user types.
        assert_eq!(complete(&words, "sel").1, ["select"]);
        assert_eq!(complete(&words, "SEL").1, ["SELECT"]);
        assert!(complete(&words, "SELECT ").1.is_empty());
        // Backslash commands and sample names.
        assert_eq!(complete(&words, "\\ru"), (0, vec!["\\run".to_owned()]));
        assert_eq!(
            complete(&words, "\\run root-a"),
            (5, vec!["root-activity".to_owned()])
        );
    }
}
