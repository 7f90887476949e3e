//! An event data store as a read-only DataFusion table: Lake's columns (no partition column shown), and
//! predicates on `eventtime` turned into day-partition bounds so a time-bounded query reads only its days.

use std::sync::Arc;

use async_trait::async_trait;
use auditlake_schema::PARTITION_COLUMN;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use datafusion::arrow::datatypes::{DataType, Schema, SchemaRef};
use datafusion::catalog::Session;
use datafusion::common::{Column, ScalarValue};
use datafusion::datasource::{TableProvider, TableType};
use datafusion::error::Result;
use datafusion::logical_expr::{Between, BinaryExpr, Expr, Operator, TableProviderFilterPushDown};
use datafusion::physical_plan::ExecutionPlan;

/// The event column that day partitions are cut by.
const TIME_COLUMN: &str = "eventtime";

/// A store's events, read through its Delta table.
#[derive(Debug)]
pub struct EventStoreTable {
    inner: Arc<dyn TableProvider>,
    /// Lake's columns: the inner schema without the partition column.
    schema: SchemaRef,
    /// Index in the inner schema of each of ours.
    inner_index: Vec<usize>,
}

impl EventStoreTable {
    /// Wraps a Delta table provider whose schema has the `eventday` partition column.
    pub fn new(inner: Arc<dyn TableProvider>) -> Self {
        let full = inner.schema();
        let (fields, inner_index): (Vec<_>, Vec<_>) = full
            .fields()
            .iter()
            .enumerate()
            .filter(|(_, f)| f.name() != PARTITION_COLUMN)
            .map(|(i, f)| (f.clone(), i))
            .unzip();
        EventStoreTable {
            inner,
            schema: Arc::new(Schema::new(fields)),
            inner_index,
        }
    }
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
        let projection: Vec<usize> = match projection {
            Some(p) => p
                .iter()
                .filter_map(|i| self.inner_index.get(*i).copied())
                .collect(),
            None => self.inner_index.clone(),
        };
        let mut all_filters = filters.to_vec();
        all_filters.extend(filters.iter().flat_map(day_bounds));
        self.inner
            .scan(state, Some(&projection), &all_filters, limit)
            .await
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
