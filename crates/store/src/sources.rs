//! Exactly once: the source files whose events a store holds.
//!
//! A commit that adds events names the files they came from in a sidecar object,
//! `eventdatastores/<id>/_auditlake/sources/<uuid>.jsonl`, written before the commit and named in the commit's
//! info (`auditlake.sources`). A file and its events are therefore committed together or not at all: a sidecar
//! that no commit names is a killed run's, and `vacuum` removes it. Delta readers never look under `_auditlake/`
//! (folders starting with `_` are not data), and Delta's own vacuum leaves them alone.
//!
//! Loading the manifest reads `_auditlake/sources/index.json` (every record up to a table version) and then the
//! commits after that version; the index is written again once [`INDEX_EVERY`] commits have piled up after it.
//! The index only ever saves reading commits: deleting it loses nothing.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use deltalake::DeltaTable;
use futures::{StreamExt, TryStreamExt};
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use serde::{Deserialize, Serialize};

use crate::error::StoreError;

/// The commit-info key naming a commit's sidecar of source files.
pub(crate) const SOURCES_KEY: &str = "auditlake.sources";

/// The folder, inside a table's folder, of the sidecars and the index.
pub(crate) const SOURCES_DIR: &str = "_auditlake/sources";

/// The index is written again when this many commits follow the one it covers.
const INDEX_EVERY: u64 = 16;

/// A file that events were read from, as a commit records it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SourceFile {
    /// Where it was read (a path or an object URL), for people: the same bytes read from elsewhere are the same
    /// file.
    pub location: String,
    /// Its size in bytes, as stored.
    pub size: u64,
    /// The SHA-256 of its bytes as stored (gzipped or not), lowercase hex: what makes two files the same.
    pub sha256: String,
    /// The object's ETag, for a file read from a bucket: lets an import skip it without reading it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// The events of the file that were kept: those in this time range (µs since the epoch, both ends included),
    /// or all of them when absent. A later read for a wider range takes only the events outside it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<(i64, i64)>,
}

/// Which of a file's events a store holds already, from [`SourceManifest::coverage`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Coverage {
    /// None: the file was never committed.
    Nothing,
    /// Those in these time ranges (µs, ends included): a read must keep only events outside them.
    Ranges(Vec<(i64, i64)>),
    /// All of those a read for the range asked about would keep.
    All,
}

/// Every source file a store's events came from, as of a table version.
#[derive(Debug, Clone, Default)]
pub struct SourceManifest {
    /// The time ranges each file (by SHA-256) was read with; `None` is every event.
    hashes: HashMap<String, Vec<Option<(i64, i64)>>>,
    /// The SHA-256 of each object read from a bucket, by location and ETag.
    objects: HashMap<(String, String), String>,
    sidecars: Vec<String>,
    files: Vec<SourceFile>,
    version: Option<u64>,
}

impl SourceManifest {
    /// Which of the events that a read of the file with these bytes for `range` (all events when `None`) would
    /// keep the store holds already.
    pub fn coverage(&self, sha256: &str, range: Option<(i64, i64)>) -> Coverage {
        let Some(reads) = self.hashes.get(sha256) else {
            return Coverage::Nothing;
        };
        let covers = |read: &Option<(i64, i64)>| match (read, range) {
            (None, _) => true,
            (Some((start, end)), Some((from, to))) => *start <= from && to <= *end,
            (Some(_), None) => false,
        };
        if reads.iter().any(covers) {
            Coverage::All
        } else {
            Coverage::Ranges(reads.iter().flatten().copied().collect())
        }
    }

    /// The SHA-256 of the object committed from `location` with this ETag (an ETag changes with the content).
    pub fn object_hash(&self, location: &str, etag: &str) -> Option<&str> {
        self.objects
            .get(&(location.to_owned(), etag.to_owned()))
            .map(String::as_str)
    }

    /// Files recorded.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// No file is recorded.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The sidecar objects that committed records come from (names, without folder or extension).
    pub(crate) fn sidecars(&self) -> &[String] {
        &self.sidecars
    }

    fn add(&mut self, file: SourceFile) {
        if let Some(etag) = &file.etag {
            self.objects
                .insert((file.location.clone(), etag.clone()), file.sha256.clone());
        }
        self.hashes
            .entry(file.sha256.clone())
            .or_default()
            .push(file.range);
        self.files.push(file);
    }
}

/// What the index holds.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Index {
    /// The table version whose commits, and all before it, the index covers.
    version: u64,
    sidecars: Vec<String>,
    files: Vec<SourceFile>,
}

/// Reads and writes a table's source records.
pub(crate) struct Sources<'a> {
    pub store_id: &'a str,
    /// The table's folder in `objects`.
    pub prefix: &'a str,
    pub objects: &'a Arc<dyn ObjectStore>,
}

impl Sources<'_> {
    fn path(&self, name: &str) -> Path {
        Path::from(format!("{}/{SOURCES_DIR}/{name}", self.prefix))
    }

    fn storage_error(path: &Path, source: object_store::Error) -> StoreError {
        StoreError::ObjectStore {
            path: path.to_string(),
            source,
        }
    }

    fn damaged(&self, path: &Path, reason: impl std::fmt::Display) -> StoreError {
        StoreError::Invalid(format!(
            "the source record {path} of store {} is damaged ({reason}); delete {SOURCES_DIR}/index.json if it \
             is that file (it is rebuilt from the table log)",
            self.store_id
        ))
    }

    /// Writes a sidecar for one commit; returns its name.
    pub async fn write_sidecar(&self, files: &[SourceFile]) -> Result<String, StoreError> {
        let name = uuid::Uuid::new_v4().to_string();
        let mut body = Vec::new();
        for file in files {
            serde_json::to_writer(&mut body, file)
                .map_err(|e| StoreError::Invalid(e.to_string()))?;
            body.push(b'\n');
        }
        let path = self.path(&format!("{name}.jsonl"));
        self.objects
            .put(&path, PutPayload::from(body))
            .await
            .map_err(|e| Self::storage_error(&path, e))?;
        Ok(name)
    }

    async fn read_sidecar(&self, name: &str, into: &mut SourceManifest) -> Result<(), StoreError> {
        if !is_sidecar_name(name) {
            return Err(StoreError::Invalid(format!(
                "a commit of store {} names a bad source sidecar '{name}'",
                self.store_id
            )));
        }
        let path = self.path(&format!("{name}.jsonl"));
        let bytes = self
            .objects
            .get(&path)
            .await
            .map_err(|e| Self::storage_error(&path, e))?
            .bytes()
            .await
            .map_err(|e| Self::storage_error(&path, e))?;
        for (n, line) in bytes.split(|b| *b == b'\n').enumerate() {
            if line.is_empty() {
                continue;
            }
            let file: SourceFile = serde_json::from_slice(line)
                .map_err(|e| self.damaged(&path, format_args!("line {}: {e}", n + 1)))?;
            into.add(file);
        }
        into.sidecars.push(name.to_owned());
        Ok(())
    }

    /// The manifest as of the table's loaded version.
    pub async fn load(&self, table: &DeltaTable) -> Result<SourceManifest, StoreError> {
        let latest = table.version().and_then(|v| u64::try_from(v).ok());
        let mut manifest = SourceManifest::default();
        let index_path = self.path("index.json");
        let mut first = 0;
        match self.objects.get(&index_path).await {
            Ok(got) => {
                let bytes = got
                    .bytes()
                    .await
                    .map_err(|e| Self::storage_error(&index_path, e))?;
                let index: Index =
                    serde_json::from_slice(&bytes).map_err(|e| self.damaged(&index_path, e))?;
                // An index newer than the table (a table restored to an older version) is not used.
                if latest.is_some_and(|v| index.version <= v) {
                    first = index.version + 1;
                    manifest.version = Some(index.version);
                    manifest.sidecars = index.sidecars;
                    for file in index.files {
                        manifest.add(file);
                    }
                }
            }
            Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(Self::storage_error(&index_path, e)),
        }
        let Some(latest) = latest else {
            return Ok(manifest);
        };
        let log_store = table.log_store();
        let named: Vec<Vec<String>> = futures::stream::iter(first..=latest)
            .map(|version| {
                let log_store = log_store.clone();
                async move {
                    let bytes = log_store
                        .read_commit_entry(version)
                        .await
                        .map_err(|e| StoreError::delta(self.store_id, e))?;
                    Ok::<_, StoreError>(bytes.map(|b| sidecars_named(&b)).unwrap_or_default())
                }
            })
            .buffered(16)
            .try_collect()
            .await?;
        for name in named.into_iter().flatten() {
            self.read_sidecar(&name, &mut manifest).await?;
        }
        manifest.version = Some(latest);
        if latest + 1 - first >= INDEX_EVERY {
            self.write_index(&manifest).await?;
        }
        Ok(manifest)
    }

    async fn write_index(&self, manifest: &SourceManifest) -> Result<(), StoreError> {
        let index = Index {
            version: manifest.version.unwrap_or(0),
            sidecars: manifest.sidecars.clone(),
            files: manifest.files.clone(),
        };
        let body = serde_json::to_vec(&index).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let path = self.path("index.json");
        self.objects
            .put(&path, PutPayload::from(body))
            .await
            .map_err(|e| Self::storage_error(&path, e))?;
        Ok(())
    }

    /// Deletes sidecars that no commit names and that are older than `grace` (a running writer's are newer).
    pub async fn vacuum(
        &self,
        manifest: &SourceManifest,
        grace: chrono::Duration,
    ) -> Result<u64, StoreError> {
        let named: HashSet<&str> = manifest.sidecars().iter().map(String::as_str).collect();
        let folder = Path::from(format!("{}/{SOURCES_DIR}", self.prefix));
        let cutoff = chrono::Utc::now() - grace;
        let listed: Vec<_> = self
            .objects
            .list(Some(&folder))
            .try_collect()
            .await
            .map_err(|e| Self::storage_error(&folder, e))?;
        let mut removed = 0;
        for meta in listed {
            let Some(name) = meta
                .location
                .filename()
                .and_then(|f| f.strip_suffix(".jsonl"))
            else {
                continue;
            };
            if named.contains(name) || meta.last_modified > cutoff {
                continue;
            }
            match self.objects.delete(&meta.location).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => removed += 1,
                Err(e) => return Err(Self::storage_error(&meta.location, e)),
            }
        }
        Ok(removed)
    }
}

/// A sidecar is named by a UUID: nothing else may be read from a commit's info.
fn is_sidecar_name(name: &str) -> bool {
    uuid::Uuid::parse_str(name).is_ok_and(|u| u.hyphenated().to_string() == name)
}

/// The sidecars a commit file's commit info names.
fn sidecars_named(commit: &[u8]) -> Vec<String> {
    #[derive(Deserialize)]
    struct Line {
        #[serde(rename = "commitInfo")]
        commit_info: Option<serde_json::Map<String, serde_json::Value>>,
    }
    commit
        .split(|b| *b == b'\n')
        .filter(|line| line.starts_with(br#"{"commitInfo""#))
        .filter_map(|line| serde_json::from_slice::<Line>(line).ok()?.commit_info)
        .filter_map(|info| match info.get(SOURCES_KEY) {
            Some(serde_json::Value::String(name)) => Some(name.clone()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_read_for_a_range_is_covered_for_that_range_only() {
        let mut manifest = SourceManifest::default();
        let file = |sha: &str, range| SourceFile {
            location: "f".into(),
            size: 1,
            sha256: sha.into(),
            etag: None,
            range,
        };
        manifest.add(file("a", Some((10, 20))));
        manifest.add(file("b", None));
        assert_eq!(manifest.coverage("c", None), Coverage::Nothing);
        assert_eq!(manifest.coverage("b", None), Coverage::All);
        assert_eq!(manifest.coverage("b", Some((0, 5))), Coverage::All);
        assert_eq!(manifest.coverage("a", Some((12, 18))), Coverage::All);
        assert_eq!(
            manifest.coverage("a", Some((5, 25))),
            Coverage::Ranges(vec![(10, 20)])
        );
        assert_eq!(
            manifest.coverage("a", None),
            Coverage::Ranges(vec![(10, 20)])
        );
        manifest.add(file("a", Some((0, 30))));
        assert_eq!(manifest.coverage("a", Some((5, 25))), Coverage::All);
    }

    #[test]
    fn only_a_commit_info_names_sidecars_and_only_by_uuid() {
        let id = "0b5e1a2c-7d31-4f4e-9b1a-2a6f3c9d8e01";
        let commit = format!(
            "{{\"add\":{{\"path\":\"x\"}}}}\n{{\"commitInfo\":{{\"timestamp\":1,\"{SOURCES_KEY}\":\"{id}\"}}}}\n"
        );
        assert_eq!(sidecars_named(commit.as_bytes()), vec![id.to_owned()]);
        assert!(sidecars_named(b"{\"commitInfo\":{\"timestamp\":1}}").is_empty());
        assert!(is_sidecar_name(id));
        assert!(!is_sidecar_name("../../etc/passwd"));
        assert!(!is_sidecar_name(""));
    }
}
