//! Reading inputs: files, folders, stdin; gzip or plain; trail log files, JSON Lines or JSON arrays.
//! Inputs are cut into chunks of whole records so that decoding can run in parallel and memory stays bounded.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use auditlake_store::SourceFile;
use serde::Deserialize;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

use crate::error::IngestError;

/// Where events come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A file, or a folder read recursively.
    Path(PathBuf),
    /// Standard input.
    Stdin,
    /// A file already read into memory, such as an object from a bucket.
    Object {
        /// Where it was read from (a URL), for reports and the store's record of its sources.
        location: String,
        /// The object's ETag, when it came from a bucket.
        etag: Option<String>,
        /// Its bytes as stored (gzipped or not).
        bytes: bytes::Bytes,
    },
}

impl Source {
    /// `-` is stdin; anything else a path.
    pub fn from_arg(arg: &str) -> Self {
        if arg == "-" {
            Source::Stdin
        } else {
            Source::Path(PathBuf::from(arg))
        }
    }
}

/// How an input's records are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InputFormat {
    /// Decide from the content.
    #[default]
    Auto,
    /// A CloudTrail log file: `{"Records": [...]}`.
    Trail,
    /// One JSON record per line.
    JsonLines,
    /// A top-level JSON array of records.
    Array,
    /// A single JSON record, possibly spread over many lines.
    Object,
}

impl std::str::FromStr for InputFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(InputFormat::Auto),
            "trail" | "records" => Ok(InputFormat::Trail),
            "jsonl" | "ndjson" | "json-lines" => Ok(InputFormat::JsonLines),
            "array" => Ok(InputFormat::Array),
            "object" => Ok(InputFormat::Object),
            _ => Err(format!(
                "unknown format '{s}': expected auto, trail, jsonl, array or object"
            )),
        }
    }
}

/// One input to read: a file, an object in memory or stdin, with a name for reports.
#[derive(Debug, Clone)]
pub(crate) struct Input {
    pub name: String,
    pub path: Option<PathBuf>,
    /// The input's bytes, when it was read into memory before.
    pub bytes: Option<bytes::Bytes>,
    pub size: u64,
    /// The SHA-256 of its bytes, once known (hex): what the store's record of its sources keys on.
    pub sha256: Option<String>,
    /// The object's ETag, for an object from a bucket.
    pub etag: Option<String>,
    /// Events in these time ranges are in the store already (an earlier read of the same bytes for another
    /// range): they are not kept again.
    pub exclude: Arc<[(i64, i64)]>,
}

impl Input {
    pub(crate) fn file(name: String, path: PathBuf, size: u64) -> Self {
        Input {
            name,
            path: Some(path),
            bytes: None,
            size,
            sha256: None,
            etag: None,
            exclude: Arc::from([]),
        }
    }

    /// Whether the input can be told apart from others by its bytes before it is decoded (stdin cannot).
    pub fn has_identity(&self) -> bool {
        self.path.is_some() || self.bytes.is_some()
    }

    /// Computes the input's SHA-256 if it is not known yet, reading a file through once.
    pub fn identify(&mut self) -> std::io::Result<()> {
        if self.sha256.is_some() {
            return Ok(());
        }
        if let Some(bytes) = &self.bytes {
            self.sha256 = Some(sha256_hex(bytes));
        } else if let Some(path) = &self.path {
            let mut file = File::open(path)?;
            let mut hasher = Sha256::new();
            std::io::copy(&mut file, &mut hasher)?;
            self.sha256 = Some(hex::encode(hasher.finalize()));
        }
        Ok(())
    }

    /// The store's record of this input, read for `range`, once its SHA-256 is known.
    pub fn source_file(&self, range: Option<(i64, i64)>) -> Option<SourceFile> {
        Some(SourceFile {
            location: self.name.clone(),
            size: self.size,
            sha256: self.sha256.clone()?,
            etag: self.etag.clone(),
            range,
        })
    }
}

/// The SHA-256 of `bytes`, lowercase hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// File names read from folders; files named explicitly are always read.
fn looks_like_events(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    !name.starts_with('.')
        && [
            ".json",
            ".json.gz",
            ".jsonl",
            ".jsonl.gz",
            ".ndjson",
            ".ndjson.gz",
            ".log",
            ".log.gz",
            ".gz",
        ]
        .iter()
        .any(|ext| name.ends_with(ext))
}

/// Expands sources into inputs: folders recursively, in name order. Fails on a path that does not exist.
pub(crate) fn expand(sources: &[Source]) -> Result<Vec<Input>, IngestError> {
    let mut inputs = Vec::new();
    for source in sources {
        match source {
            Source::Stdin => inputs.push(Input {
                name: "<stdin>".into(),
                path: None,
                bytes: None,
                size: 0,
                sha256: None,
                etag: None,
                exclude: Arc::from([]),
            }),
            Source::Object {
                location,
                etag,
                bytes,
            } => inputs.push(Input {
                name: location.clone(),
                path: None,
                size: bytes.len() as u64,
                bytes: Some(bytes.clone()),
                sha256: None,
                etag: etag.clone(),
                exclude: Arc::from([]),
            }),
            Source::Path(path) => {
                let meta = std::fs::metadata(path).map_err(|e| IngestError::Input {
                    path: path.display().to_string(),
                    source: e,
                })?;
                if meta.is_dir() {
                    let first = inputs.len();
                    walk(path, &mut inputs)?;
                    // Trail log files in delivery order, across accounts and regions: each group of an ingest then
                    // holds a few consecutive days, which makes few, large files per day and bounds memory.
                    inputs[first..].sort_by_cached_key(|i| {
                        delivery_time(&i.name).unwrap_or_default().to_owned()
                    });
                } else {
                    inputs.push(Input::file(
                        path.display().to_string(),
                        path.clone(),
                        meta.len(),
                    ));
                }
            }
        }
    }
    Ok(inputs)
}

/// The delivery time CloudTrail writes into a trail log file's name (`…_CloudTrail_<region>_20240501T0105Z_…`),
/// as `20240501T0105`.
fn delivery_time(name: &str) -> Option<&str> {
    let file = name.rsplit(['/', '\\']).next().unwrap_or(name);
    file.split('_')
        .find(|part| {
            let b = part.as_bytes();
            b.len() == 14
                && b[8] == b'T'
                && b[13] == b'Z'
                && b[..8].iter().chain(&b[9..13]).all(u8::is_ascii_digit)
        })
        .map(|part| &part[..13])
}

fn walk(dir: &Path, inputs: &mut Vec<Input>) -> Result<(), IngestError> {
    let io = |e| IngestError::Input {
        path: dir.display().to_string(),
        source: e,
    };
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .collect::<Result<_, _>>()
        .map_err(io)?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let meta = entry.metadata().map_err(io)?;
        if meta.is_dir() {
            walk(&path, inputs)?;
        } else if looks_like_events(&path) {
            inputs.push(Input::file(path.display().to_string(), path, meta.len()));
        }
    }
    Ok(())
}

/// A piece of one input holding whole records.
#[derive(Debug)]
pub(crate) struct Chunk {
    pub source: String,
    pub text: String,
    /// The layout of `text`.
    pub format: InputFormat,
    /// `format` is `Trail` from the text's first bytes only ([`looks_like_trail_file`]): if the text is not cut
    /// as a trail log file, its layout is decided by [`detect`].
    pub guessed: bool,
    /// Line number of the chunk's first line in the input (1-based).
    pub first_line: usize,
    /// Index of the chunk's first record in the input (1-based).
    pub first_index: usize,
    /// Time ranges whose events the store holds already (see [`Input::exclude`]).
    pub exclude: Arc<[(i64, i64)]>,
}

/// A problem with a whole input (or the rest of it), rather than with one record.
#[derive(Debug)]
pub(crate) struct InputFailure {
    pub source: String,
    pub line: Option<usize>,
    pub reason: String,
}

/// Reads one input as chunks of about `chunk_bytes`, calling `emit` for each.
pub(crate) struct ChunkReader {
    input: Input,
    reader: Box<dyn BufRead + Send>,
    /// A small gzipped file's text, unzipped at once: handed on as one chunk when it fits in one.
    whole: Option<Vec<u8>>,
    format: InputFormat,
    chunk_bytes: usize,
    next_line: usize,
    next_index: usize,
    done: bool,
    pub bytes_read: u64,
    /// The input is gzipped (by its first bytes).
    pub gzipped: bool,
}

impl ChunkReader {
    /// Opens an input; gzip is recognised by its magic bytes, whatever the file is called.
    pub fn open(
        mut input: Input,
        format: InputFormat,
        chunk_bytes: usize,
    ) -> Result<Self, InputFailure> {
        let fail = |input: &Input, reason: String| InputFailure {
            source: input.name.clone(),
            line: None,
            reason,
        };
        // A small input is read (or was read) whole: it is hashed for the store's record of its sources while its
        // bytes are at hand, and a small gzipped one is unzipped at once.
        let whole: Option<Vec<u8>> = match (&input.bytes, &input.path) {
            (Some(bytes), _) if input.size <= WHOLE_GZIP_BYTES => Some(bytes.to_vec()),
            (None, Some(path)) if input.size <= WHOLE_GZIP_BYTES => {
                let mut file =
                    File::open(path).map_err(|e| fail(&input, format!("cannot open: {e}")))?;
                let mut bytes = Vec::with_capacity(input.size as usize);
                // Through `take`, not `File::read_to_end`, which asks the file's size and position again (two
                // system calls per file, of 12,960 trail files at 100k events) when the listing gave its size.
                (&mut file)
                    .take(u64::MAX)
                    .read_to_end(&mut bytes)
                    .map_err(|e| fail(&input, format!("cannot read: {}", read_error_reason(&e))))?;
                Some(bytes)
            }
            _ => None,
        };
        let raw: Box<dyn Read + Send> = match whole {
            Some(mut bytes) => {
                if input.sha256.is_none() {
                    input.sha256 = Some(sha256_hex(&bytes));
                }
                let gzipped = bytes.starts_with(&[0x1f, 0x8b]);
                let text = if gzipped {
                    gunzip_whole(&bytes)
                } else {
                    Some(std::mem::take(&mut bytes))
                };
                if let Some(text) = text {
                    let empty = Box::new(std::io::Cursor::new(Vec::new()));
                    let mut reader = Self::new(input, empty, Some(text), format, chunk_bytes);
                    reader.gzipped = gzipped;
                    return Ok(reader);
                }
                Box::new(std::io::Cursor::new(bytes))
            }
            None => match (&input.bytes, &input.path) {
                (Some(bytes), _) => Box::new(std::io::Cursor::new(bytes.clone())),
                (None, Some(path)) => Box::new(
                    File::open(path).map_err(|e| fail(&input, format!("cannot open: {e}")))?,
                ),
                (None, None) => Box::new(std::io::stdin()),
            },
        };
        let mut buffered = BufReader::with_capacity(256 * 1024, raw);
        let head = buffered
            .fill_buf()
            .map_err(|e| fail(&input, format!("cannot read: {e}")))?;
        let gzipped = head.starts_with(&[0x1f, 0x8b]);
        let reader: Box<dyn BufRead + Send> = if gzipped {
            Box::new(BufReader::with_capacity(
                256 * 1024,
                flate2::bufread::MultiGzDecoder::new(buffered),
            ))
        } else {
            Box::new(buffered)
        };
        let mut reader = Self::new(input, reader, None, format, chunk_bytes);
        reader.gzipped = gzipped;
        Ok(reader)
    }

    fn new(
        input: Input,
        reader: Box<dyn BufRead + Send>,
        whole: Option<Vec<u8>>,
        format: InputFormat,
        chunk_bytes: usize,
    ) -> Self {
        ChunkReader {
            input,
            reader,
            whole,
            format,
            chunk_bytes,
            next_line: 1,
            next_index: 1,
            done: false,
            bytes_read: 0,
            gzipped: false,
        }
    }

    /// The input being read.
    pub fn input(&self) -> &Input {
        &self.input
    }

    /// Events in these ranges are not to be kept (see [`Input::exclude`]).
    pub fn exclude(&mut self, ranges: Vec<(i64, i64)>) {
        self.input.exclude = Arc::from(ranges);
    }

    /// The next chunk, `Ok(None)` at the end, or the failure that ends this input.
    pub fn next_chunk(&mut self) -> Result<Option<Chunk>, InputFailure> {
        if self.done {
            return Ok(None);
        }
        if let Some(whole) = self.whole.take() {
            if whole.len() < self.chunk_bytes || self.format == InputFormat::Trail {
                self.done = true;
                return self.chunk(whole);
            }
            self.reader = Box::new(std::io::Cursor::new(whole));
        }
        let mut buf = Vec::with_capacity(self.chunk_bytes.min(1 << 20));
        // Read whole lines up to the chunk size; a trail file or array must be read whole.
        loop {
            let n = self.reader.read_until(b'\n', &mut buf).map_err(|e| {
                self.done = true;
                self.failure(read_error_reason(&e))
            })?;
            if n == 0 {
                self.done = true;
                break;
            }
            if buf.len() >= self.chunk_bytes && self.format == InputFormat::JsonLines {
                break;
            }
            if buf.len() >= self.chunk_bytes && self.format == InputFormat::Auto {
                // Decide now: lines that are whole JSON objects mean JSON Lines, which can be cut here.
                // (A one-line trail log file is such a line: `split` expands its records.)
                if looks_like_json_lines(&buf) {
                    self.format = InputFormat::JsonLines;
                    break;
                }
            }
        }
        self.chunk(buf)
    }

    /// A failure at the current line of this input.
    fn failure(&self, reason: String) -> InputFailure {
        InputFailure {
            source: self.input.name.clone(),
            line: (self.next_line > 1).then_some(self.next_line),
            reason,
        }
    }

    /// The chunk of text `buf`, read from the input after the chunks before it.
    fn chunk(&mut self, buf: Vec<u8>) -> Result<Option<Chunk>, InputFailure> {
        self.bytes_read += buf.len() as u64;
        let text = String::from_utf8(buf).map_err(|e| {
            self.done = true;
            self.failure(format!(
                "not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ))
        })?;
        if text.trim().is_empty() {
            return Ok(None);
        }
        let (format, guessed) = match self.format {
            InputFormat::Auto if looks_like_trail_file(&text) => (InputFormat::Trail, true),
            InputFormat::Auto => (detect(&text), false),
            f => (f, false),
        };
        let lines = memchr::memchr_iter(b'\n', text.as_bytes()).count();
        let chunk = Chunk {
            source: self.input.name.clone(),
            format,
            guessed,
            first_line: self.next_line,
            first_index: self.next_index,
            text,
            exclude: self.input.exclude.clone(),
        };
        self.next_line += lines;
        if format == InputFormat::JsonLines {
            self.next_index += chunk.text.lines().filter(|l| !l.trim().is_empty()).count();
        }
        Ok(Some(chunk))
    }
}

/// Gzipped files up to this size on disk are read and unzipped whole.
const WHOLE_GZIP_BYTES: u64 = 4 << 20;
/// The most text a whole file is unzipped to at once; a larger one is read as a stream.
const WHOLE_TEXT_BYTES: usize = 64 << 20;

/// The text of a gzipped file held whole, unzipped in one call (libdeflate): `None` when the file is not gzip, has
/// more than one gzip member, would unzip to more than [`WHOLE_TEXT_BYTES`], or is damaged. Such a file is read
/// as a stream instead, which handles every member and names what is wrong.
fn gunzip_whole(bytes: &[u8]) -> Option<Vec<u8>> {
    if !bytes.starts_with(&[0x1f, 0x8b, 0x08]) || bytes.len() < 18 {
        return None;
    }
    // Each further member starts with these three bytes; they can occur inside compressed data too, which then
    // only sends the file down the streaming path.
    if memchr::memmem::find(&bytes[3..], &[0x1f, 0x8b, 0x08]).is_some() {
        return None;
    }
    // The trailer's size of the text (modulo 4 GiB): one byte more is asked for, so that a trailer saying less
    // than there is fails rather than cutting the text.
    let trailer = bytes.get(bytes.len() - 4..)?;
    let size = u32::from_le_bytes(trailer.try_into().ok()?) as usize;
    if size >= WHOLE_TEXT_BYTES {
        return None;
    }
    let mut text = vec![0u8; size + 1];
    let n = libdeflater::Decompressor::new()
        .gzip_decompress(bytes, &mut text)
        .ok()?;
    if n != size {
        return None;
    }
    text.truncate(n);
    Some(text)
}

fn read_error_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof => "truncated: the gzip stream ends early".into(),
        std::io::ErrorKind::InvalidInput | std::io::ErrorKind::InvalidData => {
            format!("corrupt gzip data: {e}")
        }
        _ => format!("read failed: {e}"),
    }
}

/// Whether `text` looks like a trail log file as CloudTrail writes it: one line that starts as one. It is taken
/// for one without a parse; if it is not cut as one, [`detect`] decides (see [`Chunk::guessed`]).
fn looks_like_trail_file(text: &str) -> bool {
    let trimmed = text.trim_start();
    trimmed.starts_with("{\"Records\"")
        && memchr::memchr(b'\n', trimmed.trim_end().as_bytes()).is_none()
}

/// Decides the layout of a whole input from its text.
pub(crate) fn detect(text: &str) -> InputFormat {
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        return InputFormat::Array;
    }
    // A single JSON document is a trail log file if it has Records, else one record.
    match serde_json::from_str::<TrailProbe<'_>>(trimmed) {
        Ok(probe) if probe.records.is_some() => InputFormat::Trail,
        Ok(_) => InputFormat::Object,
        Err(_) => {
            // Not one document. JSON Lines when its lines are whole JSON objects by themselves (a broken line
            // among them is rejected alone); otherwise a broken document, reported once for the whole file.
            if looks_like_json_lines(trimmed.as_bytes()) {
                return InputFormat::JsonLines;
            }
            let head: String = trimmed
                .chars()
                .take(64)
                .filter(|c| !c.is_whitespace())
                .collect();
            if head.starts_with("{\"Records\"") {
                InputFormat::Trail
            } else {
                InputFormat::Object
            }
        }
    }
}

/// Whether `text` reads as JSON Lines: at least half of its first 100 non-blank lines are each a whole JSON
/// object. A broken first line does not make good lines after it one broken document; a pretty-printed
/// document has few lines that are objects by themselves.
fn looks_like_json_lines(text: &[u8]) -> bool {
    let (mut lines, mut objects) = (0usize, 0usize);
    for line in text
        .split(|&b| b == b'\n')
        .map(<[u8]>::trim_ascii)
        .filter(|l| !l.is_empty())
        .take(100)
    {
        lines += 1;
        if line.first() == Some(&b'{')
            && serde_json::from_slice::<serde::de::IgnoredAny>(line).is_ok()
        {
            objects += 1;
        }
    }
    lines > 0 && objects * 2 >= lines
}

#[cfg(test)]
mod tests {
    use super::delivery_time;

    #[test]
    fn reads_the_delivery_time_of_a_trail_file_name() {
        assert_eq!(
            delivery_time(
                "AWSLogs/1/CloudTrail/us-east-1/2024/05/01/111122223333_CloudTrail_us-east-1_20240501T0105Z_AB12.json.gz"
            ),
            Some("20240501T0105")
        );
        assert_eq!(delivery_time("events.jsonl"), None);
        assert_eq!(delivery_time("x_2024050XT0105Z_y.json"), None);
    }
}

#[derive(Deserialize)]
struct TrailProbe<'a> {
    #[serde(borrow, rename = "Records")]
    records: Option<&'a RawValue>,
}
