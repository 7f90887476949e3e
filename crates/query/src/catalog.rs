//! The lake's stores as DataFusion tables, named the ways Lake queries name them: the bare id, the name
//! (case-insensitive), or the id at the end of the ARN.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use auditlake_store::{EventDataStore, IngestionStatus, Lake};
use datafusion::catalog::SchemaProvider;
use datafusion::datasource::TableProvider;
use datafusion::error::{DataFusionError, Result};
use tokio::sync::Mutex;

use crate::provider::EventStoreTable;

/// The schema DataFusion resolves table names in: one table per event data store.
#[derive(Debug)]
pub struct StoreSchema {
    lake: Lake,
    stores: Vec<EventDataStore>,
    opened: Mutex<HashMap<String, Arc<dyn TableProvider>>>,
}

impl StoreSchema {
    /// The lake's stores as they are now.
    pub async fn load(lake: Lake) -> Result<Self, auditlake_store::StoreError> {
        let stores = lake.all_stores().await?;
        Ok(StoreSchema {
            lake,
            stores,
            opened: Mutex::new(HashMap::new()),
        })
    }

    /// The store a table reference names, if any.
    pub fn resolve(&self, name: &str) -> Option<&EventDataStore> {
        let name = name.trim();
        let id = name.rsplit('/').next().unwrap_or(name);
        self.stores.iter().find(|s| {
            s.id.eq_ignore_ascii_case(id)
                || s.name.eq_ignore_ascii_case(name)
                || s.arn.eq_ignore_ascii_case(name)
        })
    }

    /// Opens a store's table, once per session: a query reads the version current when it started.
    async fn open(&self, store: &EventDataStore) -> Result<Arc<dyn TableProvider>> {
        let mut opened = self.opened.lock().await;
        if let Some(table) = opened.get(&store.id) {
            return Ok(table.clone());
        }
        let external = |e: auditlake_store::StoreError| DataFusionError::External(Box::new(e));
        let table = self.lake.table(store).await.map_err(external)?;
        // The table's columns as Delta reads them (text as views, maps as stored).
        let schema = table
            .delta()
            .table_provider()
            .await
            .map_err(|e| DataFusionError::External(Box::new(e)))?
            .schema();
        let files = table.data_files().map_err(external)?;
        let provider: Arc<dyn TableProvider> = Arc::new(EventStoreTable::new(
            &schema,
            files,
            table.objects().clone(),
        ));
        opened.insert(store.id.clone(), provider.clone());
        Ok(provider)
    }

    /// Every store, for completion and `\l`.
    pub fn stores(&self) -> &[EventDataStore] {
        &self.stores
    }
}

#[async_trait]
impl SchemaProvider for StoreSchema {
    fn table_names(&self) -> Vec<String> {
        self.stores.iter().map(|s| s.name.clone()).collect()
    }

    async fn table(&self, name: &str) -> Result<Option<Arc<dyn TableProvider>>> {
        let Some(store) = self.resolve(name) else {
            return Ok(None);
        };
        if store.status == IngestionStatus::PendingDeletion {
            return Err(DataFusionError::Plan(format!(
                "event data store '{}' ({}) is pending deletion; restore it with `auditlake eds restore {}` to query it",
                store.name, store.id, store.name
            )));
        }
        self.open(store).await.map(Some)
    }

    fn table_exist(&self, name: &str) -> bool {
        self.resolve(name).is_some()
    }
}
