//! Printing: text for people, one JSON document for scripts.

use auditlake_store::{EventDataStore, TableStats};
use serde::Serialize;

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Aligned text for people.
    Text,
    /// One JSON document.
    Json,
}

/// Prints one JSON document.
pub fn print_json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    emit(&(serde_json::to_string_pretty(value)? + "\n"));
    Ok(())
}

/// Writes `text` to stdout. When the reader has gone (`auditlake … | head`), exits quietly with status 0, as
/// Unix tools do, instead of panicking on the broken pipe.
pub fn emit(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: writing to stdout: {e}");
        std::process::exit(1);
    }
}

/// A number with thousands separators.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A byte count for people.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// A store with its table statistics, as `eds show` prints it in JSON.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StoreView<'a> {
    #[serde(flatten)]
    pub store: &'a EventDataStore,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stats: Option<StatsView<'a>>,
}

/// Table statistics for JSON output.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatsView<'a> {
    pub events: u64,
    pub bytes: u64,
    pub files: u64,
    pub table_version: u64,
    pub first_event_day: Option<&'a str>,
    pub last_event_day: Option<&'a str>,
    pub days: usize,
}

impl<'a> StatsView<'a> {
    pub fn new(stats: &'a TableStats) -> Self {
        StatsView {
            events: stats.events,
            bytes: stats.bytes,
            files: stats.files,
            table_version: stats.version,
            first_event_day: stats.events_per_day.keys().next().map(String::as_str),
            last_event_day: stats.events_per_day.keys().next_back().map(String::as_str),
            days: stats.events_per_day.len(),
        }
    }
}

/// Prints rows as aligned columns under a header.
pub fn print_table(header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        emit(&format!("{}\n", parts.join("  ").trim_end()));
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}
