//! `auditlake results verify` and `auditlake keys list`: checking saved results and the keys that sign them.

use anyhow::Context;
use auditlake_results::{verify, verify_with_public_key};
use auditlake_store::Lake;
use clap::Subcommand;
use serde::Serialize;

use crate::output::{self, OutputFormat};
use crate::query_cmd::key_store;

/// `auditlake results ...`
#[derive(Debug, Subcommand)]
pub enum ResultsCommand {
    /// Check a saved result's files against its result_sign.json: every hash, then the signature.
    Verify {
        /// The result folder (a path or file:// URL) holding result_sign.json.
        location: String,
        /// Check with this public key (PEM file) instead of the lake's keys.
        #[arg(long, value_name = "PEM")]
        public_key: Option<std::path::PathBuf>,
    },
}

/// `auditlake keys ...`
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// The lake's public signing keys, with fingerprints and validity.
    List,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VerifyView<'a> {
    location: &'a str,
    valid: bool,
    files_checked: usize,
    key_fingerprint: Option<&'a str>,
    problems: Vec<String>,
}

/// Runs `results verify`; fails (exit 1) when anything does not match.
pub async fn results(
    lake: &Lake,
    command: ResultsCommand,
    output: OutputFormat,
) -> anyhow::Result<()> {
    let ResultsCommand::Verify {
        location,
        public_key,
    } = command;
    let report = match public_key {
        Some(path) => {
            let pem = std::fs::read_to_string(&path)
                .with_context(|| format!("reading the public key {}", path.display()))?;
            verify_with_public_key(&location, &pem).await?
        }
        None => verify(&location, &key_store(lake)?).await?,
    };
    match output {
        OutputFormat::Json => output::print_json(&VerifyView {
            location: &report.location,
            valid: report.is_valid(),
            files_checked: report.files_checked,
            key_fingerprint: report.key_fingerprint.as_deref(),
            problems: report.problems.iter().map(ToString::to_string).collect(),
        })?,
        OutputFormat::Text if report.is_valid() => println!("{report}"),
        OutputFormat::Text => eprintln!("{report}"),
    }
    if report.is_valid() {
        Ok(())
    } else {
        anyhow::bail!(
            "the saved result in {} does not match its sign file ({} problem{})",
            report.location,
            report.problems.len(),
            if report.problems.len() == 1 { "" } else { "s" }
        )
    }
}

/// Runs `keys list`.
pub fn keys(lake: &Lake, command: KeysCommand, output: OutputFormat) -> anyhow::Result<()> {
    let KeysCommand::List = command;
    let keys = key_store(lake)?.public_keys()?;
    if output == OutputFormat::Json {
        let keys: Vec<serde_json::Value> = keys
            .iter()
            .map(|k| {
                serde_json::json!({
                    "fingerprint": k.fingerprint,
                    "validityStartTime": k.valid_from,
                    "validityEndTime": k.valid_to,
                    "value": k.value_base64(),
                })
            })
            .collect();
        return output::print_json(&keys);
    }
    if keys.is_empty() {
        println!("No signing keys yet: the first `query --save` creates one.");
        return Ok(());
    }
    println!(
        "{:<32}  {:<20}  {:<20}",
        "FINGERPRINT", "VALID FROM (UTC)", "VALID TO (UTC)"
    );
    for key in keys {
        println!(
            "{:<32}  {:<20}  {:<20}",
            key.fingerprint,
            key.valid_from.format("%Y-%m-%d %H:%M:%S"),
            key.valid_to.format("%Y-%m-%d %H:%M:%S")
        );
    }
    Ok(())
}
