//! The rejects report: one JSON line per rejected record or unreadable input.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::IngestError;

/// Largest part of a rejected record copied into the report.
const MAX_RECORD_IN_REPORT: usize = 256 * 1024;

/// One rejected record, or an input that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reject {
    /// The file (or `<stdin>`).
    pub source: String,
    /// The line the record starts on, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The record's position in its input (1-based); absent for a whole-input failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_index: Option<usize>,
    /// The record's eventID, when it can be read.
    #[serde(rename = "eventID", default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    /// What is wrong.
    pub reason: String,
    /// The record's text (cut at 256 KiB), to fix and ingest again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
}

impl Reject {
    /// A reject for one record's text.
    pub(crate) fn record(
        source: &str,
        line: usize,
        index: usize,
        text: &str,
        reason: String,
    ) -> Self {
        #[derive(serde::Deserialize)]
        struct Id {
            #[serde(rename = "eventID")]
            event_id: Option<String>,
        }
        let event_id = serde_json::from_str::<Id>(text)
            .ok()
            .and_then(|i| i.event_id);
        let mut cut = text.len().min(MAX_RECORD_IN_REPORT);
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        Reject {
            source: source.to_owned(),
            line: Some(line),
            record_index: Some(index),
            event_id,
            reason,
            record: Some(text[..cut].to_owned()),
        }
    }

    /// One line for people: where, and why.
    pub fn describe(&self) -> String {
        let mut at = self.source.clone();
        if let Some(line) = self.line {
            at.push_str(&format!(":{line}"));
        }
        if let Some(i) = self.record_index {
            at.push_str(&format!(" record {i}"));
        }
        if let Some(id) = &self.event_id {
            at.push_str(&format!(" (eventID {id})"));
        }
        format!("{at}: {}", self.reason)
    }
}

/// Writes rejects to a JSON Lines file, created on the first reject.
pub(crate) struct RejectsReport {
    path: PathBuf,
    out: Option<BufWriter<File>>,
}

impl RejectsReport {
    pub fn new(path: PathBuf) -> Self {
        RejectsReport { path, out: None }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn is_written(&self) -> bool {
        self.out.is_some()
    }

    fn io(&self, e: std::io::Error) -> IngestError {
        IngestError::Report {
            path: self.path.display().to_string(),
            source: e,
        }
    }

    pub fn write(&mut self, reject: &Reject) -> Result<(), IngestError> {
        if self.out.is_none() {
            if let Some(dir) = self.path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| self.io(e))?;
            }
            let file = File::create(&self.path).map_err(|e| self.io(e))?;
            self.out = Some(BufWriter::new(file));
        }
        let line = serde_json::to_string(reject).map_err(|e| self.io(e.into()))?;
        let result = match self.out.as_mut() {
            Some(out) => out
                .write_all(line.as_bytes())
                .and_then(|()| out.write_all(b"\n")),
            None => Ok(()),
        };
        result.map_err(|e| self.io(e))
    }

    pub fn finish(&mut self) -> Result<(), IngestError> {
        let result = match self.out.as_mut() {
            Some(out) => out.flush(),
            None => Ok(()),
        };
        result.map_err(|e| self.io(e))
    }
}
