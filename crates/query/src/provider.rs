//! An event data store as a read-only DataFusion table: Lake's columns (no partition column shown), scanned as a
//! plain Parquet scan over the files the store's Delta log lists. Predicates on `eventtime` are turned into
//! day bounds so a time-bounded query reads only the files of its days; the scan itself is DataFusion's own, so
//! filters and struct field reads (`userIdentity.arn`) are pushed into it and read only the leaves they need.

use std::sync::Arc;

use async_trait::async_trait;
use auditlake_schema::PARTITION_COLUMN;
use auditlake_store::DataFile;

use crate::event_json;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use datafusion::arrow::array::{Array, BooleanArray, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::catalog::Session;
use datafusion::common::stats::Precision;
use datafusion::common::{Column, DFSchema, ScalarValue, Statistics};
use datafusion::datasource::file_format::FileFormat;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::PartitionedFile;
use datafusion::datasource::physical_plan::{FileGroup, FileScanConfigBuilder};
use datafusion::datasource::{TableProvider, TableType};
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::object_store::ObjectStoreUrl;
use datafusion::logical_expr::{Between, BinaryExpr, Expr, Operator, TableProviderFilterPushDown};
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::empty::EmptyExec;
use object_store::{ObjectMeta, ObjectStore};

/// The event column that day partitions are cut by.
const TIME_COLUMN: &str = "eventtime";

/// The URL scans find the lake's object store under, in a session's runtime.
const LAKE_STORE_URL: &str = "auditlake://lake";

/// A store's events, read from the data files of its Delta table's current version.
#[derive(Debug)]
pub struct EventStoreTable {
    /// Lake's columns: the table's columns without the partition column.
    schema: SchemaRef,
    /// The files of the version read.
    files: Vec<DataFile>,
    /// The lake's object store, where the files are.
    objects: Arc<dyn ObjectStore>,
}

impl EventStoreTable {
    /// A table over `files` (in `objects`), whose columns are `table_schema`'s without the partition column.
    pub fn new(table_schema: &Schema, files: Vec<DataFile>, objects: Arc<dyn ObjectStore>) -> Self {
        let fields: Vec<Arc<Field>> = table_schema
            .fields()
            .iter()
            .filter(|f| f.name() != PARTITION_COLUMN)
            .cloned()
            .collect();
        EventStoreTable {
            schema: Arc::new(Schema::new(fields)),
            files,
            objects,
        }
    }

    /// The files whose day can hold rows matching `filters`.
    fn files_for(&self, state: &dyn Session, filters: &[Expr]) -> Result<Vec<&DataFile>> {
        let Some(bounds) = conjunction(filters.iter().flat_map(day_bounds).collect()) else {
            return Ok(self.files.iter().collect());
        };
        let days = Arc::new(Schema::new(vec![Field::new(
            PARTITION_COLUMN,
            DataType::Utf8,
            false,
        )]));
        let values = StringArray::from_iter_values(self.files.iter().map(|f| f.day.as_str()));
        let batch = RecordBatch::try_new(days.clone(), vec![Arc::new(values)])?;
        let predicate = state.create_physical_expr(bounds, &DFSchema::try_from(days)?)?;
        let keep = predicate.evaluate(&batch)?.into_array(batch.num_rows())?;
        let keep = keep
            .as_any()
            .downcast_ref::<BooleanArray>()
            .ok_or_else(|| DataFusionError::Internal("day bounds are not a predicate".into()))?;
        Ok(self
            .files
            .iter()
            .enumerate()
            .filter(|(i, _)| keep.is_valid(*i) && keep.value(*i))
            .map(|(_, f)| f)
            .collect())
    }
}

/// Row count statistics of a file, from the table log.
fn file_statistics(schema: &Schema, file: &DataFile) -> Statistics {
    let rows = file.events.and_then(|n| usize::try_from(n).ok());
    Statistics::new_unknown(schema)
        .with_num_rows(rows.map_or(Precision::Absent, Precision::Exact))
        .with_total_byte_size(Precision::Inexact(
            usize::try_from(file.size).unwrap_or(usize::MAX),
        ))
}

#[async_trait]
impl TableProvider for EventStoreTable {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> Result<Vec<TableProviderFilterPushDown>> {
        Ok(vec![TableProviderFilterPushDown::Inexact; filters.len()])
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let files = self.files_for(state, filters)?;
        if files.is_empty() {
            let schema = match projection {
                Some(p) => Arc::new(self.schema.project(p)?),
                None => self.schema.clone(),
            };
            return Ok(Arc::new(EmptyExec::new(schema)));
        }
        let url = ObjectStoreUrl::parse(LAKE_STORE_URL)?;
        state
            .runtime_env()
            .register_object_store(url.as_ref(), self.objects.clone());
        let mut total = Statistics::new_unknown(&self.schema).with_num_rows(Precision::Exact(0));
        let mut partitioned = Vec::with_capacity(files.len());
        for file in files {
            let statistics = file_statistics(&self.schema, file);
            total.num_rows = total.num_rows.add(&statistics.num_rows);
            total.total_byte_size = total.total_byte_size.add(&statistics.total_byte_size);
            partitioned.push(
                PartitionedFile::new_from_meta(ObjectMeta {
                    location: file.path.clone(),
                    last_modified: DateTime::<Utc>::UNIX_EPOCH,
                    size: file.size,
                    e_tag: None,
                    version: None,
                })
                .with_statistics(Arc::new(statistics)),
            );
        }
        let groups = FileGroup::new(partitioned).split_files(state.config().target_partitions());
        let format = ParquetFormat::default().with_options(state.table_options().parquet.clone());
        let all: Vec<usize> = (0..self.schema.fields().len()).collect();
        let projection = projection.unwrap_or(&all);
        // eventjson and eventjsonchecksum are computed from other columns, which the scan then reads too.
        let rebuild = event_json::needs_rebuild(&self.schema, projection);
        let scanned = if rebuild {
            event_json::scan_columns(&self.schema, projection)?
        } else {
            projection.clone()
        };
        let config =
            FileScanConfigBuilder::new(url, format.file_source(self.schema.clone().into()))
                .with_file_groups(groups)
                .with_statistics(total)
                .with_projection_indices(Some(scanned.clone()))?
                .with_limit(limit)
                .build();
        let scan = format.create_physical_plan(state, config).await?;
        if !rebuild {
            return Ok(scan);
        }
        let options = Arc::new(state.config_options().clone());
        event_json::project(scan, &self.schema, projection, &scanned, options)
    }
}

/// Partition predicates implied by one filter on `eventtime`.
pub(crate) fn day_bounds(filter: &Expr) -> Vec<Expr> {
    let day = |e: &Expr| literal_day(e).map(|d| datafusion::prelude::lit(d.to_string()));
    let partition = || Expr::Column(Column::from_name(PARTITION_COLUMN));
    match filter {
        Expr::BinaryExpr(BinaryExpr { left, op, right }) => match op {
            Operator::And => {
                let mut out = day_bounds(left);
                out.extend(day_bounds(right));
                out
            }
            Operator::Or => {
                // Both sides must bound the day for the OR to.
                let (l, r) = (day_bounds(left), day_bounds(right));
                match (conjunction(l), conjunction(r)) {
                    (Some(l), Some(r)) => vec![l.or(r)],
                    _ => vec![],
                }
            }
            _ => {
                let (column_op, value) = if is_time_column(left) {
                    (Some(*op), right.as_ref())
                } else if is_time_column(right) {
                    (op.swap(), left.as_ref())
                } else {
                    (None, right.as_ref())
                };
                let (Some(op), Some(day)) = (column_op, day(value)) else {
                    return vec![];
                };
                match op {
                    Operator::Gt | Operator::GtEq => vec![partition().gt_eq(day)],
                    Operator::Lt | Operator::LtEq => vec![partition().lt_eq(day)],
                    Operator::Eq => vec![partition().eq(day)],
                    _ => vec![],
                }
            }
        },
        Expr::Between(Between {
            expr,
            negated: false,
            low,
            high,
        }) if is_time_column(expr) => match (day(low), day(high)) {
            (Some(low), Some(high)) => vec![partition().between(low, high)],
            _ => vec![],
        },
        _ => vec![],
    }
}

fn conjunction(exprs: Vec<Expr>) -> Option<Expr> {
    exprs.into_iter().reduce(Expr::and)
}

/// The time column itself, or cast to another timestamp type (the same instant). Casts to dates or text
/// (which can follow another time zone or compare as text) give no bound.
fn is_time_column(expr: &Expr) -> bool {
    match expr {
        Expr::Column(c) => c.name.eq_ignore_ascii_case(TIME_COLUMN),
        Expr::Cast(c) if matches!(c.field.data_type(), DataType::Timestamp(_, _)) => {
            is_time_column(&c.expr)
        }
        Expr::TryCast(c) if matches!(c.field.data_type(), DataType::Timestamp(_, _)) => {
            is_time_column(&c.expr)
        }
        _ => false,
    }
}

/// The UTC day of a timestamp (or timestamp text) literal.
fn literal_day(expr: &Expr) -> Option<NaiveDate> {
    let value = match expr {
        Expr::Literal(value, _) => value,
        Expr::Cast(c) => return literal_day(&c.expr),
        _ => return None,
    };
    let micros = match value {
        ScalarValue::TimestampSecond(Some(v), _) => v.checked_mul(1_000_000)?,
        ScalarValue::TimestampMillisecond(Some(v), _) => v.checked_mul(1_000)?,
        ScalarValue::TimestampMicrosecond(Some(v), _) => *v,
        ScalarValue::TimestampNanosecond(Some(v), _) => v.div_euclid(1_000),
        ScalarValue::Date32(Some(days)) => i64::from(*days).checked_mul(86_400_000_000)?,
        ScalarValue::Utf8(Some(text))
        | ScalarValue::LargeUtf8(Some(text))
        | ScalarValue::Utf8View(Some(text)) => {
            return auditlake_schema::parse_event_time(text)
                .and_then(DateTime::<Utc>::from_timestamp_micros)
                .map(|t| t.date_naive())
                .filter(|d| (0..=9999).contains(&d.year()));
        }
        _ => return None,
    };
    DateTime::<Utc>::from_timestamp_micros(micros)
        .map(|t| t.date_naive())
        .filter(|d| (0..=9999).contains(&d.year()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::prelude::{col, lit};

    fn ts(text: &str) -> Expr {
        let micros = auditlake_schema::parse_event_time(text).expect("time");
        Expr::Literal(
            ScalarValue::TimestampMicrosecond(Some(micros), Some("UTC".into())),
            None,
        )
    }

    #[test]
    fn time_ranges_give_day_bounds() {
        let filter = col("eventtime")
            .gt(ts("2024-05-01T12:00:00Z"))
            .and(col("eventtime").lt(ts("2024-05-03T00:00:00Z")));
        assert_eq!(
            day_bounds(&filter),
            vec![
                col("eventday").gt_eq(lit("2024-05-01")),
                col("eventday").lt_eq(lit("2024-05-03"))
            ]
        );
        // Literal on the left.
        assert_eq!(
            day_bounds(&ts("2024-05-01T00:00:00Z").lt_eq(col("eventtime"))),
            vec![col("eventday").gt_eq(lit("2024-05-01"))]
        );
        // Other columns and non-literals give nothing.
        assert!(day_bounds(&col("eventname").eq(lit("x"))).is_empty());
        assert!(day_bounds(&col("eventtime").gt(col("other"))).is_empty());
        // A cast to a date or to text may follow another time zone or compare as text: no bound.
        let to_date = Expr::Cast(datafusion::logical_expr::Cast::new(
            Box::new(col("eventtime")),
            DataType::Date32,
        ));
        assert!(day_bounds(&to_date.eq(ts("2024-05-02T00:00:00Z"))).is_empty());
        // Beyond year 9999 the day text would not sort: no bound.
        let far = Expr::Literal(
            ScalarValue::TimestampMicrosecond(Some(253_402_387_200_000_000), Some("UTC".into())),
            None,
        );
        assert!(day_bounds(&col("eventtime").lt(far)).is_empty());
        // An OR is bounded only if both sides are.
        assert!(
            day_bounds(
                &col("eventtime")
                    .gt(ts("2024-05-01T00:00:00Z"))
                    .or(col("eventname").eq(lit("x")))
            )
            .is_empty()
        );
    }
}
