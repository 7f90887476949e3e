//! Turning a destination string (folder path or URL) into an object store.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use object_store::ObjectStore;
use object_store::local::LocalFileSystem;

use crate::error::{Result, ResultsError};

/// A result folder opened as an object store whose root is the folder.
pub(crate) struct Location {
    pub(crate) store: Arc<dyn ObjectStore>,
    /// How to name the folder in messages and in [`crate::SavedResult`].
    pub(crate) display: String,
}

impl Location {
    /// The names of the files directly in the folder, sorted.
    pub(crate) async fn list_names(&self) -> Result<Vec<String>> {
        let listing = self
            .store
            .list_with_delimiter(None)
            .await
            .map_err(|source| ResultsError::Store {
                operation: "listing",
                path: self.display.clone(),
                source,
            })?;
        let mut names: Vec<String> = listing
            .objects
            .iter()
            .filter_map(|o| o.location.filename().map(str::to_string))
            .collect();
        names.sort();
        Ok(names)
    }

    /// How to name one file of the folder in messages.
    pub(crate) fn file(&self, name: &str) -> String {
        if self.display.ends_with('/') {
            format!("{}{name}", self.display)
        } else {
            format!("{}/{name}", self.display)
        }
    }
}

/// Opens `location`; with `create`, a missing local folder is created.
pub(crate) fn open(location: &str, create: bool) -> Result<Location> {
    if location.trim().to_ascii_lowercase().starts_with("s3://") {
        return open_s3(location.trim());
    }
    let path = local_path(location)?;
    if create {
        std::fs::create_dir_all(&path).map_err(|e| ResultsError::InvalidLocation {
            location: location.to_string(),
            detail: format!("cannot create folder {}: {e}", path.display()),
        })?;
    } else if !path.is_dir() {
        return Err(ResultsError::InvalidLocation {
            location: location.to_string(),
            detail: format!("{} is not an existing folder", path.display()),
        });
    }
    let store =
        LocalFileSystem::new_with_prefix(&path).map_err(|e| ResultsError::InvalidLocation {
            location: location.to_string(),
            detail: e.to_string(),
        })?;
    let display = std::fs::canonicalize(&path)
        .unwrap_or(path)
        .display()
        .to_string();
    Ok(Location {
        store: Arc::new(store),
        display,
    })
}

/// An `s3://bucket/prefix` folder, with credentials, region and endpoint from the usual `AWS_*` environment
/// variables (`AWS_ENDPOINT` and `AWS_ALLOW_HTTP=true` for S3-compatible servers).
fn open_s3(location: &str) -> Result<Location> {
    let invalid = |detail: String| ResultsError::InvalidLocation {
        location: location.to_string(),
        detail,
    };
    let url = url::Url::parse(location).map_err(|e| invalid(format!("not a valid URL: {e}")))?;
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid(
            "an S3 URL names a bucket: s3://bucket/prefix".into(),
        ));
    }
    let bucket_url = format!("s3://{}", url.host_str().unwrap_or_default());
    let store = object_store::aws::AmazonS3Builder::from_env()
        .with_url(bucket_url)
        .build()
        .map_err(|e| invalid(e.to_string()))?;
    let prefix = object_store::path::Path::from_url_path(url.path().trim_matches('/'))
        .map_err(|e| invalid(format!("not a valid object path: {e}")))?;
    let store: Arc<dyn ObjectStore> = if prefix.as_ref().is_empty() {
        Arc::new(store)
    } else {
        Arc::new(object_store::prefix::PrefixStore::new(store, prefix))
    };
    Ok(Location {
        store,
        display: location.trim_end_matches('/').to_string(),
    })
}

/// The local folder a path or `file://` URL names; other URLs are refused.
fn local_path(location: &str) -> Result<PathBuf> {
    if location.trim().is_empty() {
        return Err(ResultsError::InvalidLocation {
            location: location.to_string(),
            detail: "it is empty; give a folder path or a file:// URL".to_string(),
        });
    }
    let Some((scheme, _)) = location.split_once("://") else {
        return Ok(Path::new(location).to_path_buf());
    };
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "file" {
        return Err(ResultsError::UnsupportedLocation {
            location: location.to_string(),
            scheme,
        });
    }
    let url = url::Url::parse(location).map_err(|e| ResultsError::InvalidLocation {
        location: location.to_string(),
        detail: format!("not a valid URL: {e}"),
    })?;
    url.to_file_path()
        .map_err(|()| ResultsError::InvalidLocation {
            location: location.to_string(),
            detail: "a file:// URL must name an absolute local path, like file:///data/results"
                .to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloud_schemes_are_refused_with_a_clear_error() {
        for url in ["gs://b/p", "az://c/p", "https://x/y"] {
            let err = local_path(url)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.contains("not supported by this build"), "{url}: {err}");
        }
    }

    #[test]
    fn paths_and_file_urls_are_local() {
        assert_eq!(
            local_path("file:///tmp/r").ok(),
            Some(PathBuf::from("/tmp/r"))
        );
        assert_eq!(local_path("out/r").ok(), Some(PathBuf::from("out/r")));
        assert!(local_path("file://host/r").is_err());
    }
}
