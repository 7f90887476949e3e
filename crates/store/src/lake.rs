//! A lake: a root location holding event data stores.

use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;

use chrono::{Duration, Utc};
use futures::TryStreamExt;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use url::Url;

use crate::catalog::{
    DEFAULT_RETENTION_DAYS, EventDataStore, IngestionStatus, NewStore, RESTORE_WINDOW_DAYS,
    StoreUpdate, validate_retention, validate_settings,
};
use crate::error::StoreError;
use crate::table::EventTable;

/// Folder of the lake that holds the stores.
const STORES_DIR: &str = "eventdatastores";

/// Where store ARNs say they live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LakeSettings {
    /// Region in ARNs (`AUDITLAKE_REGION`, default `us-east-1`).
    pub region: String,
    /// Account id in ARNs (`AUDITLAKE_ACCOUNT_ID`, default `123456789012`).
    pub account_id: String,
}

impl LakeSettings {
    /// Settings from the environment, with defaults.
    pub fn from_env() -> Self {
        let var = |name: &str, default: &str| {
            std::env::var(name)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| default.to_owned())
        };
        LakeSettings {
            region: var("AUDITLAKE_REGION", "us-east-1"),
            account_id: var("AUDITLAKE_ACCOUNT_ID", "123456789012"),
        }
    }
}

/// An opened lake.
#[derive(Debug, Clone)]
pub struct Lake {
    root: Url,
    local_root: Option<PathBuf>,
    objects: Arc<dyn ObjectStore>,
    settings: LakeSettings,
}

impl Lake {
    /// Opens the lake at `location`: a local folder (created if missing) or a `file://` URL.
    pub fn open(location: &str, settings: LakeSettings) -> Result<Self, StoreError> {
        let bad = |reason: String| StoreError::Location {
            location: location.to_owned(),
            reason,
        };
        let path = match Url::parse(location) {
            Ok(url) if url.scheme() == "file" => url
                .to_file_path()
                .map_err(|()| bad("not a valid file URL".into()))?,
            Ok(url) if url.scheme().len() > 1 => {
                return Err(bad(format!(
                    "'{}://' lakes are not supported by this build yet; use a local folder",
                    url.scheme()
                )));
            }
            _ => PathBuf::from(location),
        };
        std::fs::create_dir_all(&path)
            .map_err(|e| bad(format!("cannot create the folder: {e}")))?;
        let path = path.canonicalize().map_err(|e| bad(e.to_string()))?;
        let objects = LocalFileSystem::new_with_prefix(&path).map_err(|e| bad(e.to_string()))?;
        let root =
            Url::from_directory_path(&path).map_err(|()| bad("not an absolute folder".into()))?;
        Ok(Lake {
            root,
            local_root: Some(path),
            objects: Arc::new(objects),
            settings,
        })
    }

    /// The lake's root URL.
    pub fn root(&self) -> &Url {
        &self.root
    }

    /// The lake's root folder, for a local lake.
    pub fn local_root(&self) -> Option<&FsPath> {
        self.local_root.as_deref()
    }

    /// The region and account the lake's ARNs name.
    pub fn settings(&self) -> &LakeSettings {
        &self.settings
    }

    /// The object store holding the lake, rooted at the lake.
    pub fn objects(&self) -> &Arc<dyn ObjectStore> {
        &self.objects
    }

    fn record_path(id: &str) -> Path {
        Path::from(format!("{STORES_DIR}/{id}.json"))
    }

    fn table_url(&self, id: &str) -> Result<Url, StoreError> {
        self.root
            .join(&format!("{STORES_DIR}/{id}/"))
            .map_err(|e| StoreError::Location {
                location: self.root.to_string(),
                reason: e.to_string(),
            })
    }

    /// Creates a store and its empty event table.
    pub async fn create_store(&self, request: NewStore) -> Result<EventDataStore, StoreError> {
        let retention_days = request.retention_days.unwrap_or(DEFAULT_RETENTION_DAYS);
        validate_settings(
            &request.name,
            retention_days,
            &request.advanced_event_selectors,
        )?;
        self.purge_expired().await?;
        if self
            .all_stores()
            .await?
            .iter()
            .any(|s| s.name == request.name)
        {
            return Err(StoreError::NameTaken(request.name));
        }
        let id = uuid::Uuid::new_v4().to_string();
        let now = Utc::now();
        let store = EventDataStore {
            arn: format!(
                "arn:aws:cloudtrail:{}:{}:eventdatastore/{id}",
                self.settings.region, self.settings.account_id
            ),
            id,
            name: request.name,
            retention_days,
            category: request.category,
            advanced_event_selectors: request.advanced_event_selectors,
            termination_protection: request.termination_protection,
            status: if request.start_ingestion {
                IngestionStatus::Enabled
            } else {
                IngestionStatus::StoppedIngestion
            },
            created_at: now,
            updated_at: now,
            deleted_at: None,
            status_before_deletion: None,
        };
        // The table first: a store whose record exists always has a table.
        EventTable::create(&store.id, self.table_url(&store.id)?).await?;
        self.put_record(&store, true).await?;
        Ok(store)
    }

    async fn put_record(&self, store: &EventDataStore, create: bool) -> Result<(), StoreError> {
        let path = Self::record_path(&store.id);
        let body = serde_json::to_vec_pretty(store).map_err(|e| StoreError::Catalog {
            path: path.to_string(),
            source: e,
        })?;
        let mode = if create {
            object_store::PutMode::Create
        } else {
            object_store::PutMode::Overwrite
        };
        self.objects
            .put_opts(&path, PutPayload::from(body), mode.into())
            .await
            .map_err(|e| StoreError::ObjectStore {
                path: path.to_string(),
                source: e,
            })?;
        Ok(())
    }

    /// Every store in the lake, pending deletion included, oldest first.
    pub async fn all_stores(&self) -> Result<Vec<EventDataStore>, StoreError> {
        let prefix = Path::from(STORES_DIR);
        let listing = match self.objects.list_with_delimiter(Some(&prefix)).await {
            Ok(listing) => listing,
            Err(object_store::Error::NotFound { .. }) => return Ok(Vec::new()),
            Err(e) => {
                return Err(StoreError::ObjectStore {
                    path: prefix.to_string(),
                    source: e,
                });
            }
        };
        let mut stores = Vec::new();
        for meta in listing
            .objects
            .iter()
            .filter(|m| m.location.as_ref().ends_with(".json"))
        {
            let bytes = self
                .objects
                .get(&meta.location)
                .await
                .map_err(|e| StoreError::ObjectStore {
                    path: meta.location.to_string(),
                    source: e,
                })?
                .bytes()
                .await
                .map_err(|e| StoreError::ObjectStore {
                    path: meta.location.to_string(),
                    source: e,
                })?;
            let store: EventDataStore =
                serde_json::from_slice(&bytes).map_err(|e| StoreError::Catalog {
                    path: meta.location.to_string(),
                    source: e,
                })?;
            stores.push(store);
        }
        stores.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.name.cmp(&b.name)));
        Ok(stores)
    }

    /// The stores, after removing those whose restore window has passed.
    pub async fn list_stores(&self) -> Result<Vec<EventDataStore>, StoreError> {
        self.purge_expired().await?;
        self.all_stores().await
    }

    /// The store named by `reference`: its id, its ARN or its name.
    pub async fn store(&self, reference: &str) -> Result<EventDataStore, StoreError> {
        self.list_stores()
            .await?
            .into_iter()
            .find(|s| s.is_named_by(reference))
            .ok_or_else(|| StoreError::NotFound(reference.to_owned()))
    }

    /// The event table of a store.
    pub async fn table(&self, store: &EventDataStore) -> Result<EventTable, StoreError> {
        EventTable::open(&store.id, self.table_url(&store.id)?, self.objects.clone()).await
    }

    /// Changes a store's settings.
    pub async fn update_store(
        &self,
        reference: &str,
        update: StoreUpdate,
    ) -> Result<EventDataStore, StoreError> {
        let mut store = self.store(reference).await?;
        if store.status == IngestionStatus::PendingDeletion {
            return Err(StoreError::Conflict(format!(
                "'{}' is pending deletion; restore it before updating it",
                store.name
            )));
        }
        if let Some(name) = update.name.filter(|n| *n != store.name) {
            if self.all_stores().await?.iter().any(|s| s.name == name) {
                return Err(StoreError::NameTaken(name));
            }
            store.name = name;
        }
        if let Some(days) = update.retention_days {
            validate_retention(days)?;
            store.retention_days = days;
        }
        if let Some(selectors) = update.advanced_event_selectors {
            store.advanced_event_selectors = selectors;
        }
        if let Some(on) = update.termination_protection {
            store.termination_protection = on;
        }
        validate_settings(
            &store.name,
            store.retention_days,
            &store.advanced_event_selectors,
        )?;
        store.updated_at = Utc::now();
        self.put_record(&store, false).await?;
        Ok(store)
    }

    /// Sets a store's ingestion status: stop refuses new events, start accepts them again.
    pub async fn set_ingestion(
        &self,
        reference: &str,
        enabled: bool,
    ) -> Result<EventDataStore, StoreError> {
        let mut store = self.store(reference).await?;
        if store.status == IngestionStatus::PendingDeletion {
            return Err(StoreError::Conflict(format!(
                "'{}' is pending deletion; restore it first",
                store.name
            )));
        }
        store.status = if enabled {
            IngestionStatus::Enabled
        } else {
            IngestionStatus::StoppedIngestion
        };
        store.updated_at = Utc::now();
        self.put_record(&store, false).await?;
        Ok(store)
    }

    /// Deletes a store: it becomes PENDING_DELETION and can be restored for [`RESTORE_WINDOW_DAYS`] days.
    pub async fn delete_store(&self, reference: &str) -> Result<EventDataStore, StoreError> {
        let mut store = self.store(reference).await?;
        if store.status == IngestionStatus::PendingDeletion {
            return Err(StoreError::Conflict(format!(
                "'{}' is already pending deletion",
                store.name
            )));
        }
        if store.termination_protection {
            return Err(StoreError::Conflict(format!(
                "'{}' has termination protection on; run `auditlake eds update {} --no-termination-protection` first",
                store.name, store.name
            )));
        }
        store.status_before_deletion = Some(store.status);
        store.status = IngestionStatus::PendingDeletion;
        store.deleted_at = Some(Utc::now());
        store.updated_at = Utc::now();
        self.put_record(&store, false).await?;
        Ok(store)
    }

    /// Brings back a store pending deletion.
    pub async fn restore_store(&self, reference: &str) -> Result<EventDataStore, StoreError> {
        let mut store = self.store(reference).await?;
        if store.status != IngestionStatus::PendingDeletion {
            return Err(StoreError::Conflict(format!(
                "'{}' is not pending deletion",
                store.name
            )));
        }
        store.status = store
            .status_before_deletion
            .take()
            .unwrap_or(IngestionStatus::Enabled);
        store.deleted_at = None;
        store.updated_at = Utc::now();
        self.put_record(&store, false).await?;
        Ok(store)
    }

    /// Removes the data and record of every store deleted more than [`RESTORE_WINDOW_DAYS`] days ago.
    pub async fn purge_expired(&self) -> Result<Vec<EventDataStore>, StoreError> {
        let cutoff = Utc::now() - Duration::days(RESTORE_WINDOW_DAYS);
        let mut purged = Vec::new();
        for store in self.all_stores().await? {
            if store.status == IngestionStatus::PendingDeletion
                && store.deleted_at.is_some_and(|t| t < cutoff)
            {
                self.remove_store_data(&store).await?;
                purged.push(store);
            }
        }
        Ok(purged)
    }

    /// Deletes a store's table files, then its record.
    async fn remove_store_data(&self, store: &EventDataStore) -> Result<(), StoreError> {
        let prefix = Path::from(format!("{STORES_DIR}/{}", store.id));
        let files: Vec<_> = self
            .objects
            .list(Some(&prefix))
            .map_ok(|m| m.location)
            .try_collect()
            .await
            .map_err(|e| StoreError::ObjectStore {
                path: prefix.to_string(),
                source: e,
            })?;
        for file in files {
            match self.objects.delete(&file).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => {
                    return Err(StoreError::ObjectStore {
                        path: file.to_string(),
                        source: e,
                    });
                }
            }
        }
        if let Some(root) = &self.local_root {
            // Local folders outlive their files; remove the empty tree.
            let _ = std::fs::remove_dir_all(root.join(STORES_DIR).join(&store.id));
        }
        let record = Self::record_path(&store.id);
        match self.objects.delete(&record).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(StoreError::ObjectStore {
                path: record.to_string(),
                source: e,
            }),
        }
    }
}
