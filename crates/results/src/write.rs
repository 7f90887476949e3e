//! Writing a result: gzip CSV files, then the signed sign file.

use std::io::Write;

use arrow::csv::WriterBuilder;
use arrow::record_batch::RecordBatch;
use chrono::{DateTime, Utc};
use flate2::Compression;
use flate2::write::GzEncoder;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, PutMode, PutPayload};
use sha2::{Digest, Sha256};

use crate::error::{Result, ResultsError};
use crate::keys::SigningKey;
use crate::location::{self, Location};
use crate::sign::{SIGN_FILE_NAME, SignFile, SignedFile, sign_manifest};

/// Default limit of uncompressed CSV bytes per result file (256 MiB).
pub const DEFAULT_MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// How to write a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultOptions {
    /// Region recorded in the sign file.
    pub region: String,
    /// When the query completed; recorded as `queryCompleteTime`.
    pub query_complete_time: DateTime<Utc>,
    /// Uncompressed CSV bytes (header included) after which a new file is
    /// started. A file always holds at least one row, so a single larger row
    /// makes a larger file.
    pub max_file_bytes: u64,
}

impl ResultOptions {
    /// Options with the default file size limit.
    pub fn new(region: impl Into<String>, query_complete_time: DateTime<Utc>) -> Self {
        Self {
            region: region.into(),
            query_complete_time,
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
        }
    }
}

/// One written result file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedFile {
    /// File name, like `result_1.csv.gz`.
    pub name: String,
    /// Hex SHA-256 of the compressed file.
    pub sha256: String,
    /// Size of the compressed file.
    pub bytes: u64,
    /// Data rows in the file (the header not counted).
    pub rows: u64,
}

/// What [`write_result`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedResult {
    /// The destination folder (absolute path).
    pub location: String,
    /// The result files, in order.
    pub files: Vec<SavedFile>,
    /// The sign file as written to `result_sign.json`.
    pub sign_file: SignFile,
}

/// Writes `batches` as `result_N.csv.gz` files plus a signed `result_sign.json`
/// into `destination` (a local folder path or `file://` URL, created if missing).
///
/// Batches should already be rendered as text (Utf8 columns); each file starts
/// with a header line. With no rows, `result_1.csv.gz` holds just the header
/// (pass an empty batch to give the columns). Result files are written before
/// the sign file, so a reader seeing `result_sign.json` sees complete files.
/// A destination already holding a result is refused.
pub async fn write_result(
    destination: &str,
    batches: &[RecordBatch],
    options: &ResultOptions,
    key: &SigningKey,
) -> Result<SavedResult> {
    if options.max_file_bytes == 0 {
        return Err(ResultsError::InvalidOptions {
            detail: "max_file_bytes is 0; give the largest uncompressed CSV size of one file, \
                     e.g. 268435456 (256 MiB)"
                .to_string(),
        });
    }
    check_schemas(batches)?;
    let location = location::open(destination, true)?;
    refuse_existing(&location).await?;

    let header = match batches.first() {
        Some(first) => render_csv(&RecordBatch::new_empty(first.schema()), true, 0)?,
        None => Vec::new(),
    };
    let mut splitter = Splitter::new(header, options.max_file_bytes);
    let mut saved = Vec::new();
    for (index, batch) in batches.iter().enumerate() {
        if batch.num_rows() == 0 {
            continue;
        }
        let body = render_csv(batch, false, index)?;
        for record in Records::new(&body) {
            if let Some(done) = splitter.push(record)? {
                saved.push(put_result_file(&location, done).await?);
            }
        }
    }
    let last = splitter.finish()?;
    saved.push(put_result_file(&location, last).await?);

    let listed = saved
        .iter()
        .map(|f| SignedFile {
            file_hash_value: f.sha256.clone(),
            file_name: f.name.clone(),
        })
        .collect();
    let sign_file = sign_manifest(listed, &options.region, options.query_complete_time, key)?;
    let json = sign_file.to_json()?;
    put_create(&location, SIGN_FILE_NAME, json.into_bytes())
        .await
        .map_err(|source| match source {
            object_store::Error::AlreadyExists { .. } => ResultsError::SignFileExists {
                path: location.file(SIGN_FILE_NAME),
            },
            source => ResultsError::Store {
                operation: "writing",
                path: location.file(SIGN_FILE_NAME),
                source,
            },
        })?;

    Ok(SavedResult {
        location: location.display,
        files: saved,
        sign_file,
    })
}

/// Whether `name` looks like a result file (`result_<anything>.csv.gz`).
pub(crate) fn is_result_file_name(name: &str) -> bool {
    name.starts_with("result_") && name.ends_with(".csv.gz")
}

fn column_names(batch: &RecordBatch) -> Vec<String> {
    batch
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect()
}

fn check_schemas(batches: &[RecordBatch]) -> Result<()> {
    let Some(first) = batches.first() else {
        return Ok(());
    };
    let expected = column_names(first);
    for (index, batch) in batches.iter().enumerate().skip(1) {
        let found = column_names(batch);
        if found != expected {
            return Err(ResultsError::BatchSchemaMismatch {
                index,
                expected: expected.join(", "),
                found: found.join(", "),
            });
        }
    }
    Ok(())
}

async fn refuse_existing(location: &Location) -> Result<()> {
    let names = location.list_names().await?;
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    if names.contains(&SIGN_FILE_NAME) {
        return Err(ResultsError::SignFileExists {
            path: location.file(SIGN_FILE_NAME),
        });
    }
    let mut existing: Vec<&str> = names
        .into_iter()
        .filter(|n| is_result_file_name(n))
        .collect();
    if !existing.is_empty() {
        existing.sort_unstable();
        return Err(ResultsError::ResultFilesExist {
            location: location.display.clone(),
            names: existing.join(", "),
        });
    }
    Ok(())
}

fn render_csv(batch: &RecordBatch, header: bool, index: usize) -> Result<Vec<u8>> {
    let mut writer = WriterBuilder::new().with_header(header).build(Vec::new());
    writer
        .write(batch)
        .map_err(|source| ResultsError::Csv { index, source })?;
    Ok(writer.into_inner())
}

async fn put_create(
    location: &Location,
    name: &str,
    bytes: Vec<u8>,
) -> Result<(), object_store::Error> {
    location
        .store
        .put_opts(
            &ObjectPath::from(name),
            PutPayload::from(bytes),
            PutMode::Create.into(),
        )
        .await
        .map(|_| ())
}

async fn put_result_file(location: &Location, file: FinishedFile) -> Result<SavedFile> {
    let saved = SavedFile {
        name: file.name,
        sha256: hex::encode(Sha256::digest(&file.bytes)),
        bytes: file.bytes.len() as u64,
        rows: file.rows,
    };
    put_create(location, &saved.name, file.bytes)
        .await
        .map_err(|source| match source {
            object_store::Error::AlreadyExists { .. } => ResultsError::ResultFilesExist {
                location: location.display.clone(),
                names: saved.name.clone(),
            },
            source => ResultsError::Store {
                operation: "writing",
                path: location.file(&saved.name),
                source,
            },
        })?;
    Ok(saved)
}

/// The CSV records of a body written by the arrow CSV writer: each ends at a
/// newline outside double quotes (quoted fields may hold newlines; inner quotes
/// are doubled, which toggles the state twice).
struct Records<'a> {
    body: &'a [u8],
    start: usize,
}

impl<'a> Records<'a> {
    fn new(body: &'a [u8]) -> Self {
        Self { body, start: 0 }
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = self.body.get(self.start..)?;
        if rest.is_empty() {
            return None;
        }
        let mut quoted = false;
        let mut end = rest.len();
        for (i, b) in rest.iter().enumerate() {
            match b {
                b'"' => quoted = !quoted,
                b'\n' if !quoted => {
                    end = i + 1;
                    break;
                }
                _ => {}
            }
        }
        self.start += end;
        rest.get(..end)
    }
}

/// A finished, compressed result file.
struct FinishedFile {
    name: String,
    bytes: Vec<u8>,
    rows: u64,
}

struct Part {
    name: String,
    encoder: GzEncoder<Vec<u8>>,
    csv_bytes: u64,
    rows: u64,
}

/// Cuts the CSV rows into files of at most `max` uncompressed bytes.
struct Splitter {
    header: Vec<u8>,
    max: u64,
    current: Option<Part>,
    files_started: usize,
}

impl Splitter {
    fn new(header: Vec<u8>, max: u64) -> Self {
        Self {
            header,
            max,
            current: None,
            files_started: 0,
        }
    }

    fn start(&mut self) -> Result<Part> {
        self.files_started += 1;
        let name = format!("result_{}.csv.gz", self.files_started);
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder
            .write_all(&self.header)
            .map_err(|source| ResultsError::Compress {
                name: name.clone(),
                source,
            })?;
        Ok(Part {
            name,
            encoder,
            csv_bytes: self.header.len() as u64,
            rows: 0,
        })
    }

    /// Adds one record; returns the previous file when this record starts a new one.
    fn push(&mut self, record: &[u8]) -> Result<Option<FinishedFile>> {
        let len = record.len() as u64;
        let mut finished = None;
        let mut part = match self.current.take() {
            Some(part) if part.rows > 0 && part.csv_bytes + len > self.max => {
                finished = Some(finish(part)?);
                self.start()?
            }
            Some(part) => part,
            None => self.start()?,
        };
        part.encoder
            .write_all(record)
            .map_err(|source| ResultsError::Compress {
                name: part.name.clone(),
                source,
            })?;
        part.csv_bytes += len;
        part.rows += 1;
        self.current = Some(part);
        Ok(finished)
    }

    /// The last file; a header-only `result_1.csv.gz` when there were no rows.
    fn finish(mut self) -> Result<FinishedFile> {
        let part = match self.current.take() {
            Some(part) => part,
            None => self.start()?,
        };
        finish(part)
    }
}

fn finish(part: Part) -> Result<FinishedFile> {
    let bytes = part
        .encoder
        .finish()
        .map_err(|source| ResultsError::Compress {
            name: part.name.clone(),
            source,
        })?;
    Ok(FinishedFile {
        name: part.name,
        bytes,
        rows: part.rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_split_at_newlines_outside_quotes() {
        let body = b"a,b\n\"x\ny\",\"say \"\"hi\"\"\"\nlast,1\n";
        let records: Vec<&[u8]> = Records::new(body).collect();
        assert_eq!(
            records,
            vec![
                &b"a,b\n"[..],
                &b"\"x\ny\",\"say \"\"hi\"\"\"\n"[..],
                &b"last,1\n"[..]
            ]
        );
    }

    #[test]
    fn result_file_names() {
        assert!(is_result_file_name("result_12.csv.gz"));
        assert!(!is_result_file_name("result_sign.json"));
        assert!(!is_result_file_name("notes.csv.gz"));
    }
}
