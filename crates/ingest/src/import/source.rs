//! A trail's log files in a bucket or folder, found the way CloudTrail lays them out:
//! `AWSLogs/[o-org/]<account>/CloudTrail/<region>/YYYY/MM/DD/<file>.json.gz`. Only the day folders that can hold
//! events of the time range are listed: a file is delivered after its events, so the folder of the day after the
//! range's end is read too.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt};
use url::Url;

use crate::error::IngestError;

/// Where an import reads from.
pub struct TrailSource {
    /// The location as given, for people.
    pub uri: String,
    objects: Arc<dyn ObjectStore>,
    /// The prefix inside `objects` that holds `AWSLogs/`.
    prefix: Path,
    /// For a local folder: its path (files are read from disk as `ingest` reads them).
    local_root: Option<PathBuf>,
    /// `s3://bucket` for a bucket, to name objects by URL.
    url_base: Option<String>,
}

/// One day folder of one account and region.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct DayPrefix {
    /// The day the folder is named by.
    pub day: NaiveDate,
    /// The folder, inside the source.
    pub path: Path,
}

/// A trail log file to read.
#[derive(Debug, Clone)]
pub struct TrailObject {
    /// Its path inside the source.
    pub path: Path,
    /// Its size.
    pub size: u64,
    /// Its ETag, for a bucket's object.
    pub etag: Option<String>,
}

fn bad(uri: &str, reason: impl std::fmt::Display) -> IngestError {
    IngestError::Source {
        source_uri: uri.to_owned(),
        reason: reason.to_string(),
    }
}

impl TrailSource {
    /// Opens `s3://bucket/prefix` (with the usual `AWS_*` environment: `AWS_ENDPOINT_URL`, `AWS_ALLOW_HTTP`,
    /// `AWS_REGION`, keys) or a local folder.
    pub fn open(uri: &str) -> Result<Self, IngestError> {
        match Url::parse(uri) {
            Ok(url) if url.scheme() == "s3" => {
                let bucket = url
                    .host_str()
                    .filter(|b| !b.is_empty())
                    .ok_or_else(|| bad(uri, "no bucket in the URL"))?;
                let objects = object_store::aws::AmazonS3Builder::from_env()
                    .with_bucket_name(bucket)
                    .build()
                    .map_err(|e| bad(uri, e))?;
                Ok(TrailSource {
                    uri: uri.to_owned(),
                    objects: Arc::new(objects),
                    prefix: Path::from(url.path().trim_matches('/')),
                    local_root: None,
                    url_base: Some(format!("s3://{bucket}")),
                })
            }
            Ok(url) if url.scheme() == "file" => {
                let path = url
                    .to_file_path()
                    .map_err(|()| bad(uri, "not a valid file URL"))?;
                Self::local(uri, path)
            }
            Ok(url) if url.scheme().len() > 1 => Err(bad(
                uri,
                format!(
                    "'{}://' sources are not supported; give s3://bucket/prefix or a folder",
                    url.scheme()
                ),
            )),
            _ => Self::local(uri, PathBuf::from(uri)),
        }
    }

    fn local(uri: &str, path: PathBuf) -> Result<Self, IngestError> {
        let root = path
            .canonicalize()
            .map_err(|e| bad(uri, format!("cannot open the folder: {e}")))?;
        if !root.is_dir() {
            return Err(bad(uri, "not a folder"));
        }
        let objects = LocalFileSystem::new_with_prefix(&root).map_err(|e| bad(uri, e))?;
        Ok(TrailSource {
            uri: uri.to_owned(),
            objects: Arc::new(objects),
            prefix: Path::default(),
            local_root: Some(root),
            url_base: None,
        })
    }

    /// The object store the source is in.
    pub fn objects(&self) -> &Arc<dyn ObjectStore> {
        &self.objects
    }

    /// For a local folder, the file of `path`.
    pub fn local_file(&self, path: &Path) -> Option<PathBuf> {
        let root = self.local_root.as_ref()?;
        Some(
            path.parts()
                .fold(root.clone(), |p, part| p.join(part.as_ref())),
        )
    }

    /// How an object is named in reports and in the store's record of its sources.
    pub fn location(&self, path: &Path) -> String {
        match (&self.url_base, self.local_file(path)) {
            (_, Some(file)) => file.display().to_string(),
            (Some(base), None) => format!("{base}/{path}"),
            (None, None) => path.to_string(),
        }
    }

    fn join(base: &Path, part: &str) -> Path {
        base.parts()
            .chain(std::iter::once(object_store::path::PathPart::from(part)))
            .collect()
    }

    async fn folders(&self, under: &Path) -> Result<Vec<String>, IngestError> {
        let listed = self
            .objects
            .list_with_delimiter(Some(under))
            .await
            .map_err(|e| bad(&self.uri, format!("cannot list {under}: {e}")))?;
        let mut names: Vec<String> = listed
            .common_prefixes
            .iter()
            .filter_map(|p| p.filename().map(str::to_owned))
            .collect();
        names.sort();
        Ok(names)
    }

    /// The day folders that can hold events of `[start, end]` (every day when open-ended), of the regions asked
    /// for (all when empty), oldest first.
    pub async fn day_prefixes(
        &self,
        start: Option<DateTime<Utc>>,
        end: Option<DateTime<Utc>>,
        regions: &[String],
    ) -> Result<Vec<DayPrefix>, IngestError> {
        let logs = Self::join(&self.prefix, "AWSLogs");
        let top = self.folders(&logs).await?;
        if top.is_empty() {
            return Err(bad(
                &self.uri,
                "no AWSLogs/ folder here: give the trail's bucket prefix, the folder that holds AWSLogs/",
            ));
        }
        // Accounts, and the accounts of an organization trail (AWSLogs/o-xxxx/<account>/).
        let mut accounts = Vec::new();
        for name in top {
            let folder = Self::join(&logs, &name);
            if name.starts_with("o-") {
                for account in self.folders(&folder).await? {
                    accounts.push(Self::join(&folder, &account));
                }
            } else {
                accounts.push(folder);
            }
        }
        let first = start.map(|t| t.date_naive());
        // A file can be delivered the day after its last event.
        let last = end.map(|t| t.date_naive() + Duration::days(1));
        let mut days = Vec::new();
        for account in accounts {
            let trail = Self::join(&account, "CloudTrail");
            for region in self.folders(&trail).await? {
                if !regions.is_empty() && !regions.contains(&region) {
                    continue;
                }
                let region = Self::join(&trail, &region);
                for year in self.folders(&region).await? {
                    let year_path = Self::join(&region, &year);
                    for month in self.folders(&year_path).await? {
                        let month_path = Self::join(&year_path, &month);
                        for day in self.folders(&month_path).await? {
                            let Ok(date) = NaiveDate::parse_from_str(
                                &format!("{year}-{month}-{day}"),
                                "%Y-%m-%d",
                            ) else {
                                continue;
                            };
                            if first.is_some_and(|f| date < f) || last.is_some_and(|l| date > l) {
                                continue;
                            }
                            days.push(DayPrefix {
                                day: date,
                                path: Self::join(&month_path, &day),
                            });
                        }
                    }
                }
            }
        }
        days.sort();
        Ok(days)
    }

    /// The trail log files of a day folder, and how many other files it holds (digests, anything else).
    pub async fn files(&self, prefix: &DayPrefix) -> Result<(Vec<TrailObject>, u64), IngestError> {
        let listed = self
            .objects
            .list_with_delimiter(Some(&prefix.path))
            .await
            .map_err(|e| bad(&self.uri, format!("cannot list {}: {e}", prefix.path)))?;
        let mut files = Vec::new();
        let mut others = 0;
        for meta in listed.objects {
            let name = meta.location.filename().unwrap_or_default();
            let lower = name.to_ascii_lowercase();
            if name.contains("_CloudTrail_")
                && (lower.ends_with(".json.gz") || lower.ends_with(".json"))
            {
                files.push(TrailObject {
                    path: meta.location,
                    size: meta.size,
                    etag: meta.e_tag,
                });
            } else {
                others += 1;
            }
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok((files, others))
    }

    /// The bytes of a bucket's object.
    pub async fn read(&self, path: &Path) -> Result<bytes::Bytes, object_store::Error> {
        self.objects.get(path).await?.bytes().await
    }
}
