//! `eventjson` and `eventjsonchecksum` as a query sees them. A store keeps most records as a layout (a few bytes
//! naming their keys in order) and writes their JSON again from the typed columns when read; the checksum is
//! computed when read. Both are plain columns to SQL: this module adds, above a store's scan, the projections
//! that compute them, reading the columns they are written from.

use std::sync::Arc;

use auditlake_schema::{EVENT_JSON_CHECKSUM_COLUMN, EVENT_JSON_COLUMN, rebuild};
use datafusion::arrow::array::{Array, ArrayRef};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Schema};
use datafusion::common::config::ConfigOptions;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::physical_expr::ScalarFunctionExpr;
use datafusion::physical_expr::expressions::Column;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::PhysicalExpr;
use datafusion::physical_plan::projection::{ProjectionExec, ProjectionExpr};

/// Whether the columns at `projection` of `schema` include one computed when read.
pub(crate) fn needs_rebuild(schema: &Schema, projection: &[usize]) -> bool {
    projection.iter().any(|&i| {
        let name = schema.field(i).name();
        name == EVENT_JSON_COLUMN || name == EVENT_JSON_CHECKSUM_COLUMN
    })
}

/// The columns a scan reads to give `projection` of `schema`: the projection, plus the record's fields and the
/// stored `eventjson` and `eventjsonchecksum` when the projection has one of the two.
pub(crate) fn scan_columns(schema: &Schema, projection: &[usize]) -> Result<Vec<usize>> {
    let mut columns = projection.to_vec();
    let mut add = |name: &str| -> Result<()> {
        let index = schema.index_of(name)?;
        if !columns.contains(&index) {
            columns.push(index);
        }
        Ok(())
    };
    for field in auditlake_schema::Record::fields().iter() {
        add(field.name())?;
    }
    add(EVENT_JSON_COLUMN)?;
    add(EVENT_JSON_CHECKSUM_COLUMN)?;
    Ok(columns)
}

/// Above `scan` (which reads `scanned`, indices of `schema`), the projections giving `projection` of `schema`:
/// every column as read, but `eventjson` and `eventjsonchecksum` computed. `eventjson` is written out once, in a
/// projection of its own, and the checksum above it hashes that column.
pub(crate) fn project(
    scan: Arc<dyn ExecutionPlan>,
    schema: &Schema,
    projection: &[usize],
    scanned: &[usize],
    config: Arc<ConfigOptions>,
) -> Result<Arc<dyn ExecutionPlan>> {
    let names: Vec<&String> = scanned.iter().map(|&i| schema.field(i).name()).collect();
    let column = |name: &str| -> Result<Arc<dyn PhysicalExpr>> {
        let position = names
            .iter()
            .position(|n| *n == name)
            .ok_or_else(|| DataFusionError::Internal(format!("{name} is not scanned")))?;
        Ok(Arc::new(Column::new(name, position)))
    };
    // Below: the scanned columns, the stored eventjson replaced by the record's JSON.
    let json_field = Arc::new(schema.field_with_name(EVENT_JSON_COLUMN)?.clone());
    let mut json_args = vec![column(EVENT_JSON_COLUMN)?];
    for field in auditlake_schema::Record::fields().iter() {
        json_args.push(column(field.name())?);
    }
    let json: Arc<dyn PhysicalExpr> = Arc::new(ScalarFunctionExpr::new(
        EVENT_JSON_COLUMN,
        Arc::new(ScalarUDF::new_from_impl(ComputedColumn::new(
            Computed::Json,
            json_field.data_type(),
        ))),
        json_args,
        json_field,
        config.clone(),
    ));
    let below = names
        .iter()
        .map(|name| {
            Ok(ProjectionExpr {
                expr: if *name == EVENT_JSON_COLUMN {
                    json.clone()
                } else {
                    column(name)?
                },
                alias: (*name).clone(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let below: Arc<dyn ExecutionPlan> = Arc::new(ProjectionExec::try_new(below, scan)?);
    // Above: the projection asked for, the checksum computed from the stored one and the JSON below.
    let checksum_field = Arc::new(schema.field_with_name(EVENT_JSON_CHECKSUM_COLUMN)?.clone());
    let checksum: Arc<dyn PhysicalExpr> = Arc::new(ScalarFunctionExpr::new(
        EVENT_JSON_CHECKSUM_COLUMN,
        Arc::new(ScalarUDF::new_from_impl(ComputedColumn::new(
            Computed::Checksum,
            checksum_field.data_type(),
        ))),
        vec![
            column(EVENT_JSON_CHECKSUM_COLUMN)?,
            column(EVENT_JSON_COLUMN)?,
        ],
        checksum_field,
        config,
    ));
    let above = projection
        .iter()
        .map(|&i| {
            let name = schema.field(i).name();
            Ok(ProjectionExpr {
                expr: if name == EVENT_JSON_CHECKSUM_COLUMN {
                    checksum.clone()
                } else {
                    column(name)?
                },
                alias: name.clone(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Arc::new(ProjectionExec::try_new(above, below)?))
}

/// Which of the two columns a [`ComputedColumn`] gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Computed {
    /// `eventjson`, from the stored value and the record's fields (in [`auditlake_schema::Record::fields`] order).
    Json,
    /// `eventjsonchecksum`, from the stored value and `eventjson`.
    Checksum,
}

/// A column computed when read, as a function of the columns the scan reads.
#[derive(Debug, PartialEq, Eq, Hash)]
struct ComputedColumn {
    computed: Computed,
    output: DataType,
    signature: Signature,
}

impl ComputedColumn {
    fn new(computed: Computed, output: &DataType) -> Self {
        let signature = match computed {
            Computed::Json => Signature::variadic_any(Volatility::Immutable),
            Computed::Checksum => Signature::any(2, Volatility::Immutable),
        };
        ComputedColumn {
            computed,
            output: output.clone(),
            signature,
        }
    }
}

impl ScalarUDFImpl for ComputedColumn {
    fn name(&self) -> &str {
        match self.computed {
            Computed::Json => "auditlake_eventjson",
            Computed::Checksum => "auditlake_eventjsonchecksum",
        }
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(self.output.clone())
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let computed = match (self.computed, arrays.as_slice()) {
            (Computed::Json, [stored, fields @ ..]) => {
                rebuild::rebuild_event_json(stored.as_ref(), fields)
            }
            (Computed::Checksum, [stored, json]) => {
                rebuild::event_json_checksum(stored.as_ref(), json.as_ref())
            }
            _ => {
                return Err(DataFusionError::Internal(format!(
                    "{} got {} arguments",
                    self.name(),
                    arrays.len()
                )));
            }
        }
        .map_err(|e| DataFusionError::Execution(e.to_string()))?;
        let array: ArrayRef = Arc::new(computed);
        Ok(ColumnarValue::Array(if array.data_type() == &self.output {
            array
        } else {
            cast(&array, &self.output)?
        }))
    }
}
