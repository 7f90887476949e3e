//! Running a query: plan over the lake's stores, execute within a memory limit and a timeout, measure, and
//! keep the record.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use auditlake_store::Lake;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::execution::context::SQLOptions;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::prelude::{SessionConfig, SessionContext};

use crate::catalog::StoreSchema;
use crate::error::QueryError;
use crate::history::{QueryHistory, QueryRecord, QueryStatistics, QueryStatus};
use crate::sql::prepare;

/// Limits every query of an engine runs under.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// Memory the query may hold before spilling or failing (bytes).
    pub memory_limit: usize,
    /// Parallel partitions (default: the number of cores).
    pub target_partitions: Option<usize>,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            memory_limit: 2 << 30,
            target_partitions: None,
        }
    }
}

/// A query's rows.
#[derive(Debug, Clone)]
pub struct QueryResult {
    /// The result's columns.
    pub schema: SchemaRef,
    /// The rows.
    pub batches: Vec<RecordBatch>,
}

impl QueryResult {
    /// The number of rows.
    pub fn rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }
}

/// DataFusion settings for scanning event stores, each measured (benches/README.md).
const SCAN_DEFAULTS: &[(&str, &str)] = &[
    // Filters are evaluated inside the Parquet scan, cheapest first, so the other columns of a row group are
    // decoded only for the rows that match.
    ("datafusion.execution.parquet.pushdown_filters", "true"),
    ("datafusion.execution.parquet.reorder_filters", "true"),
    // A day's file holds a page or a few per column: loading the page index of every file costs more than the
    // pages it could skip (row groups are still pruned by their statistics).
    ("datafusion.execution.parquet.enable_page_index", "false"),
    // A day's footer is about 18 KiB. DataFusion's default first read of a file's tail is 512 KiB: most of a day's
    // file, copied into fresh memory for every file a query opens. 64 KiB holds the footer with room to spare
    // (a larger one takes a second read).
    ("datafusion.execution.parquet.metadata_size_hint", "65536"),
];

/// Runs queries over one lake and records them in its history.
#[derive(Debug, Clone)]
pub struct QueryEngine {
    lake: Lake,
    history: QueryHistory,
    options: EngineOptions,
}

/// The default timeout of a query, as in Lake: one hour.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3600);

impl QueryEngine {
    /// An engine over `lake`.
    pub fn new(lake: Lake, options: EngineOptions) -> Self {
        QueryEngine {
            history: QueryHistory::new(lake.clone()),
            lake,
            options,
        }
    }

    /// The lake's query history.
    pub fn history(&self) -> &QueryHistory {
        &self.history
    }

    /// The lake queried.
    pub fn lake(&self) -> &Lake {
        &self.lake
    }

    /// A session whose tables are the lake's stores and whose functions include Lake's.
    pub async fn session(&self) -> Result<(SessionContext, Arc<StoreSchema>), QueryError> {
        let runtime = RuntimeEnvBuilder::new()
            .with_memory_limit(self.options.memory_limit, 1.0)
            .build_arc()
            .map_err(QueryError::from_execution)?;
        // DataFusion's settings may be tuned with `DATAFUSION_*` variables (e.g. `DATAFUSION_EXECUTION_BATCH_SIZE`),
        // ours for event stores included.
        let mut config = SessionConfig::from_env().map_err(QueryError::from_planning)?;
        for (key, value) in SCAN_DEFAULTS {
            if std::env::var_os(key.to_uppercase().replace('.', "_")).is_none() {
                config = config.set_str(key, value);
            }
        }
        let mut config = config
            .with_information_schema(false)
            .with_default_catalog_and_schema("datafusion", "public")
            // Lake's semantics: never from the environment.
            .set_bool("datafusion.sql_parser.enable_ident_normalization", true)
            // Trino (and so Lake) puts NULLs last whatever the direction; DataFusion's default is Postgres's.
            .set_str("datafusion.sql_parser.default_null_ordering", "nulls_last");
        if let Some(partitions) = self.options.target_partitions {
            config = config.with_target_partitions(partitions);
        }
        let ctx = SessionContext::new_with_config_rt(config, runtime);
        auditlake_functions::register_all(&ctx);
        let schema = Arc::new(StoreSchema::load(self.lake.clone()).await?);
        let catalog = ctx
            .catalog("datafusion")
            .ok_or_else(|| QueryError::Plan("the default catalog is missing".into()))?;
        catalog
            .register_schema("public", schema.clone())
            .map_err(QueryError::from_planning)?;
        Ok((ctx, schema))
    }

    /// Runs `sql` to completion, or until `timeout` passes or `cancel` resolves. The record (with its final
    /// status and statistics) is saved in the history whatever happens.
    pub async fn run(
        &self,
        sql: &str,
        timeout: Duration,
        cancel: impl Future<Output = ()>,
    ) -> Result<(QueryRecord, Result<QueryResult, QueryError>), QueryError> {
        let mut record = QueryRecord::new(sql);
        record.timeout_seconds = Some(timeout.as_secs());
        self.history.save(&record).await?;
        record.query_status = QueryStatus::Running;
        self.history.save(&record).await?;
        let started = Instant::now();
        let outcome = tokio::select! {
            biased;
            () = cancel => Err(QueryError::Cancelled),
            result = tokio::time::timeout(timeout, self.execute(sql)) => match result {
                Ok(result) => result,
                Err(_) => Err(QueryError::TimedOut(timeout.as_secs())),
            },
        };
        let elapsed = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let outcome = match outcome {
            Ok((result, mut statistics)) => {
                statistics.execution_time_in_millis = elapsed;
                record.query_statistics = statistics;
                record.query_status = QueryStatus::Finished;
                Ok(result)
            }
            Err(error) => {
                record.query_statistics.execution_time_in_millis = elapsed;
                record.query_status = match error {
                    QueryError::Cancelled => QueryStatus::Cancelled,
                    QueryError::TimedOut(_) => QueryStatus::TimedOut,
                    _ => QueryStatus::Failed,
                };
                record.error_message = Some(error.to_string());
                Err(error)
            }
        };
        self.history.save(&record).await?;
        Ok((record, outcome))
    }

    /// Records where the result of a finished query was saved.
    pub async fn record_delivery(
        &self,
        record: &mut QueryRecord,
        uri: &str,
    ) -> Result<(), QueryError> {
        record.delivery_uri = Some(uri.to_owned());
        self.history.save(record).await
    }

    async fn execute(&self, sql: &str) -> Result<(QueryResult, QueryStatistics), QueryError> {
        let prepared = prepare(sql)?;
        let (ctx, stores) = self.session().await?;
        let state = ctx.state();
        let plan = state
            .statement_to_plan(prepared.statement)
            .await
            .map_err(|e| explain_planning_error(e, &prepared.tables, &stores))?;
        SQLOptions::new()
            .with_allow_ddl(false)
            .with_allow_dml(false)
            .with_allow_statements(false)
            .verify_plan(&plan)
            .map_err(|e| QueryError::NotSelect(e.to_string()))?;
        let frame = ctx
            .execute_logical_plan(plan)
            .await
            .map_err(QueryError::from_planning)?;
        let schema: SchemaRef = Arc::new(frame.schema().as_arrow().clone());
        let physical = frame
            .create_physical_plan()
            .await
            .map_err(QueryError::from_planning)?;
        let batches = datafusion::physical_plan::collect(physical.clone(), ctx.task_ctx())
            .await
            .map_err(QueryError::from_execution)?;
        let result = QueryResult { schema, batches };
        let mut statistics = QueryStatistics {
            events_matched: result.rows() as u64,
            ..QueryStatistics::default()
        };
        scan_statistics(physical.as_ref(), &mut statistics);
        Ok((result, statistics))
    }
}

/// A missing table is almost always a store name typo: say so in the lake's words.
fn explain_planning_error(
    error: datafusion::error::DataFusionError,
    tables: &std::collections::BTreeSet<String>,
    stores: &StoreSchema,
) -> QueryError {
    let message = error.to_string();
    if message.contains("not found")
        && let Some(missing) = tables.iter().find(|t| {
            stores.resolve(t).is_none() && message.to_lowercase().contains(&t.to_lowercase())
        })
    {
        return QueryError::Plan(format!(
            "no event data store '{missing}' in this lake: FROM takes a store's id, name or ARN \
             (`auditlake eds list` shows them)"
        ));
    }
    QueryError::from_planning(error)
}

/// Adds the storage reads of a finished plan: bytes and rows read by its file scans.
fn scan_statistics(plan: &dyn ExecutionPlan, statistics: &mut QueryStatistics) {
    // Only file scans read events (not VALUES or the single row of `SELECT 1`).
    if plan.children().is_empty()
        && plan.name() == "DataSourceExec"
        && let Some(metrics) = plan.metrics()
    {
        // Rows read: those the scan passed on plus those its pushed-down filters dropped.
        let pruned = metrics
            .sum_by_name("pushdown_rows_pruned")
            .map(|v| v.as_usize() as u64)
            .unwrap_or(0);
        statistics.events_scanned += metrics.output_rows().unwrap_or(0) as u64 + pruned;
        statistics.bytes_scanned += metrics
            .sum_by_name("bytes_scanned")
            .map(|v| v.as_usize() as u64)
            .unwrap_or(0);
    }
    for child in plan.children() {
        scan_statistics(child.as_ref(), statistics);
    }
}
