//! `eventjson` and `eventjsonchecksum` as a query sees them. A store keeps most records as a layout (a few bytes
//! naming their keys in order) and writes their JSON again from the typed columns when read; the checksum is
//! computed when read. Both are plain columns to SQL: this module adds, above a store's scan, the projection
//! that computes them, reading the columns they are written from.

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

/// Above `scan` (which reads `scanned`, indices of `schema`), the projection giving `projection` of `schema`:
/// every column as read, but `eventjson` and `eventjsonchecksum` computed.
pub(crate) fn project(
    scan: Arc<dyn ExecutionPlan>,
    schema: &Schema,
    projection: &[usize],
    scanned: &[usize],
    config: Arc<ConfigOptions>,
) -> Result<Arc<dyn ExecutionPlan>> {
    let input = scan.schema();
    let column = |name: &str| -> Result<Arc<dyn PhysicalExpr>> {
        let position = scanned
            .iter()
            .position(|&i| schema.field(i).name() == name)
            .ok_or_else(|| DataFusionError::Internal(format!("{name} is not scanned")))?;
        Ok(Arc::new(Column::new(name, position)))
    };
    let json_field = Arc::new(schema.field_with_name(EVENT_JSON_COLUMN)?.clone());
    let checksum_field = Arc::new(schema.field_with_name(EVENT_JSON_CHECKSUM_COLUMN)?.clone());
    let mut json_args = vec![column(EVENT_JSON_COLUMN)?];
    for field in auditlake_schema::Record::fields().iter() {
        json_args.push(column(field.name())?);
    }
    let json = Arc::new(ScalarFunctionExpr::new(
        EVENT_JSON_COLUMN,
        Arc::new(ScalarUDF::new_from_impl(Rebuilt {
            output: json_field.data_type().clone(),
            signature: Signature::variadic_any(Volatility::Immutable),
        })),
        json_args,
        json_field,
        config.clone(),
    ));
    let checksum = Arc::new(ScalarFunctionExpr::new(
        EVENT_JSON_CHECKSUM_COLUMN,
        Arc::new(ScalarUDF::new_from_impl(Checksum {
            output: checksum_field.data_type().clone(),
            signature: Signature::any(2, Volatility::Immutable),
        })),
        vec![column(EVENT_JSON_CHECKSUM_COLUMN)?, json.clone()],
        checksum_field,
        config,
    ));
    let exprs = projection
        .iter()
        .map(|&i| {
            let name = schema.field(i).name();
            let expr: Arc<dyn PhysicalExpr> = match name.as_str() {
                EVENT_JSON_COLUMN => json.clone(),
                EVENT_JSON_CHECKSUM_COLUMN => checksum.clone(),
                _ => column(name)?,
            };
            Ok(ProjectionExpr {
                expr,
                alias: name.clone(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    debug_assert_eq!(input.fields().len(), scanned.len());
    Ok(Arc::new(ProjectionExec::try_new(exprs, scan)?))
}

/// `eventjson` from the stored value and the record's fields (in [`auditlake_schema::Record::fields`] order).
#[derive(Debug, PartialEq, Eq, Hash)]
struct Rebuilt {
    output: DataType,
    signature: Signature,
}

impl ScalarUDFImpl for Rebuilt {
    fn name(&self) -> &str {
        "auditlake_eventjson"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(self.output.clone())
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let (stored, fields) = arrays
            .split_first()
            .ok_or_else(|| DataFusionError::Internal("eventjson without arguments".into()))?;
        debug_assert_eq!(stored.len(), rows);
        let json = rebuild::rebuild_event_json(stored.as_ref(), fields)
            .map_err(|e| DataFusionError::Execution(e.to_string()))?;
        as_output(Arc::new(json), &self.output)
    }
}

/// `eventjsonchecksum` from the stored value and `eventjson`.
#[derive(Debug, PartialEq, Eq, Hash)]
struct Checksum {
    output: DataType,
    signature: Signature,
}

impl ScalarUDFImpl for Checksum {
    fn name(&self) -> &str {
        "auditlake_eventjsonchecksum"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(self.output.clone())
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let [stored, json] = arrays.as_slice() else {
            return Err(DataFusionError::Internal(
                "eventjsonchecksum takes 2 arguments".into(),
            ));
        };
        let checksum = rebuild::event_json_checksum(stored.as_ref(), json.as_ref())
            .map_err(|e| DataFusionError::Execution(e.to_string()))?;
        as_output(Arc::new(checksum), &self.output)
    }
}

/// `array` in the column's declared string type.
fn as_output(array: ArrayRef, output: &DataType) -> Result<ColumnarValue> {
    Ok(ColumnarValue::Array(if array.data_type() == output {
        array
    } else {
        cast(&array, output)?
    }))
}
