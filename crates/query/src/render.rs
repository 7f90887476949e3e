//! Results rendered as Lake renders them: timestamps `2024-05-01 12:00:00.000`, maps and structs as
//! `{key=value, ...}`, arrays as `[a, b]`; and the output formats table, csv, json and ndjson.

use std::fmt::Write as _;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::arrow::error::ArrowError;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use serde_json::{Map, Value};

/// How rows are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    /// An aligned table with a header.
    #[default]
    Table,
    /// CSV with a header line.
    Csv,
    /// One JSON array of row objects.
    Json,
    /// One JSON object per line.
    Ndjson,
}

impl std::str::FromStr for OutputFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "table" => Ok(OutputFormat::Table),
            "csv" => Ok(OutputFormat::Csv),
            "json" => Ok(OutputFormat::Json),
            "ndjson" | "jsonl" => Ok(OutputFormat::Ndjson),
            other => Err(format!(
                "unknown format '{other}': use table, csv, json or ndjson"
            )),
        }
    }
}

const TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.3f";

fn format_options() -> FormatOptions<'static> {
    FormatOptions::new()
        .with_null("null")
        .with_timestamp_format(Some(TIME_FORMAT))
        .with_timestamp_tz_format(Some(TIME_FORMAT))
}

/// Writes the Lake text of one value (not null) into `out`.
fn write_value(array: &dyn Array, row: usize, out: &mut String) -> Result<(), ArrowError> {
    if array.is_null(row) {
        out.push_str("null");
        return Ok(());
    }
    match array.data_type() {
        DataType::Struct(fields) => {
            let strukt = array.as_struct();
            out.push('{');
            for (i, field) in fields.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(field.name());
                out.push('=');
                write_value(strukt.column(i).as_ref(), row, out)?;
            }
            out.push('}');
        }
        DataType::Map(_, _) => {
            let map = array.as_map();
            let entries = map.value(row);
            let (keys, values) = (entries.column(0), entries.column(1));
            out.push('{');
            for i in 0..entries.len() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(keys.as_ref(), i, out)?;
                out.push('=');
                write_value(values.as_ref(), i, out)?;
            }
            out.push('}');
        }
        DataType::List(_) | DataType::LargeList(_) => {
            let items = match array.data_type() {
                DataType::List(_) => array.as_list::<i32>().value(row),
                _ => array.as_list::<i64>().value(row),
            };
            out.push('[');
            for i in 0..items.len() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(items.as_ref(), i, out)?;
            }
            out.push(']');
        }
        _ => {
            let options = format_options();
            let formatter = ArrayFormatter::try_new(array, &options)?;
            write!(out, "{}", formatter.value(row))
                .map_err(|e| ArrowError::ComputeError(e.to_string()))?;
        }
    }
    Ok(())
}

/// A column as Lake text: one Utf8 array, null where the value is null.
pub fn text_column(array: &dyn Array) -> Result<ArrayRef, ArrowError> {
    let mut builder = StringBuilder::with_capacity(array.len(), array.len() * 16);
    let nested = array.data_type().is_nested();
    let options = format_options();
    let formatter = (!nested)
        .then(|| ArrayFormatter::try_new(array, &options))
        .transpose()?;
    let mut text = String::new();
    for row in 0..array.len() {
        if array.is_null(row) {
            builder.append_null();
            continue;
        }
        text.clear();
        match &formatter {
            Some(f) => write!(text, "{}", f.value(row))
                .map_err(|e| ArrowError::ComputeError(e.to_string()))?,
            None => write_value(array, row, &mut text)?,
        }
        builder.append_value(&text);
    }
    Ok(Arc::new(builder.finish()))
}

/// A batch with every column as Lake text (the shape saved results are written in).
pub fn text_batch(batch: &RecordBatch) -> Result<RecordBatch, ArrowError> {
    let schema: SchemaRef = Arc::new(Schema::new(
        batch
            .schema()
            .fields()
            .iter()
            .map(|f| Field::new(f.name(), DataType::Utf8, true))
            .collect::<Vec<_>>(),
    ));
    let columns = batch
        .columns()
        .iter()
        .map(|c| text_column(c.as_ref()))
        .collect::<Result<Vec<_>, _>>()?;
    RecordBatch::try_new(schema, columns)
}

/// One value as JSON: numbers and booleans typed, maps and structs as objects, arrays as arrays, the rest as
/// Lake text.
fn json_value(array: &dyn Array, row: usize) -> Result<Value, ArrowError> {
    if array.is_null(row) {
        return Ok(Value::Null);
    }
    Ok(match array.data_type() {
        DataType::Boolean => Value::Bool(array.as_boolean().value(row)),
        DataType::Struct(fields) => {
            let strukt = array.as_struct();
            let mut object = Map::new();
            for (i, field) in fields.iter().enumerate() {
                object.insert(
                    field.name().clone(),
                    json_value(strukt.column(i).as_ref(), row)?,
                );
            }
            Value::Object(object)
        }
        DataType::Map(_, _) => {
            let entries = array.as_map().value(row);
            let mut object = Map::new();
            for i in 0..entries.len() {
                let mut key = String::new();
                write_value(entries.column(0).as_ref(), i, &mut key)?;
                object.insert(key, json_value(entries.column(1).as_ref(), i)?);
            }
            Value::Object(object)
        }
        DataType::List(_) | DataType::LargeList(_) => {
            let items = match array.data_type() {
                DataType::List(_) => array.as_list::<i32>().value(row),
                _ => array.as_list::<i64>().value(row),
            };
            Value::Array(
                (0..items.len())
                    .map(|i| json_value(items.as_ref(), i))
                    .collect::<Result<_, _>>()?,
            )
        }
        t if t.is_integer() || t.is_floating() || matches!(t, DataType::Decimal128(_, _)) => {
            let mut text = String::new();
            write_value(array, row, &mut text)?;
            serde_json::from_str::<serde_json::Number>(&text)
                .map(Value::Number)
                .unwrap_or(Value::String(text))
        }
        _ => {
            let mut text = String::new();
            write_value(array, row, &mut text)?;
            Value::String(text)
        }
    })
}

/// Column names made unique for JSON keys: a second `eventname` becomes `eventname_2`.
pub fn unique_names(schema: &Schema) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    schema
        .fields()
        .iter()
        .map(|field| {
            let mut name = field.name().clone();
            let mut n = 1;
            while !seen.insert(name.clone()) {
                n += 1;
                name = format!("{}_{n}", field.name());
            }
            name
        })
        .collect()
}

/// The rows of a batch as JSON objects, columns in order.
pub fn json_rows(batch: &RecordBatch) -> Result<Vec<Value>, ArrowError> {
    let names = unique_names(&batch.schema());
    (0..batch.num_rows())
        .map(|row| {
            let mut object = Map::new();
            for (i, name) in names.iter().enumerate() {
                object.insert(name.clone(), json_value(batch.column(i).as_ref(), row)?);
            }
            Ok(Value::Object(object))
        })
        .collect()
}

/// Renders `batches` (at most `max_rows` rows; the caller says how many were left out) in `format`.
pub fn render(
    schema: &SchemaRef,
    batches: &[RecordBatch],
    format: OutputFormat,
) -> Result<String, ArrowError> {
    let text_batches =
        || -> Result<Vec<RecordBatch>, ArrowError> { batches.iter().map(text_batch).collect() };
    Ok(match format {
        OutputFormat::Table => {
            let batches = text_batches()?;
            if batches.is_empty() {
                let empty = RecordBatch::new_empty(schema.clone());
                datafusion::arrow::util::pretty::pretty_format_batches(&[empty])?.to_string()
            } else {
                let options = FormatOptions::new().with_null("");
                datafusion::arrow::util::pretty::pretty_format_batches_with_options(
                    &batches, &options,
                )?
                .to_string()
            }
        }
        OutputFormat::Csv => {
            let mut out = Vec::new();
            {
                let mut writer = datafusion::arrow::csv::WriterBuilder::new()
                    .with_header(true)
                    .build(&mut out);
                let batches = text_batches()?;
                if batches.is_empty() {
                    writer.write(&text_batch(&RecordBatch::new_empty(schema.clone()))?)?;
                }
                for batch in &batches {
                    writer.write(batch)?;
                }
            }
            String::from_utf8(out).map_err(|e| ArrowError::ComputeError(e.to_string()))?
        }
        OutputFormat::Json => {
            let mut rows = Vec::new();
            for batch in batches {
                rows.extend(json_rows(batch)?);
            }
            serde_json::to_string_pretty(&Value::Array(rows))
                .map_err(|e| ArrowError::ComputeError(e.to_string()))?
                + "\n"
        }
        OutputFormat::Ndjson => {
            let mut out = String::new();
            for batch in batches {
                for row in json_rows(batch)? {
                    out.push_str(&row.to_string());
                    out.push('\n');
                }
            }
            out
        }
    })
}

/// The first `max_rows` rows of `batches`.
pub fn head(batches: &[RecordBatch], max_rows: usize) -> Vec<RecordBatch> {
    let mut left = max_rows;
    let mut out = Vec::new();
    for batch in batches {
        if left == 0 {
            break;
        }
        let take = batch.num_rows().min(left);
        out.push(batch.slice(0, take));
        left -= take;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{
        MapBuilder, StringArray, StructArray, TimestampMicrosecondArray,
    };

    #[test]
    fn lake_text_for_timestamps_maps_and_structs() {
        let time = TimestampMicrosecondArray::from(vec![Some(1_714_564_800_123_456), None])
            .with_timezone("UTC");
        assert_eq!(
            text_column(&time)
                .expect("text")
                .as_string::<i32>()
                .value(0),
            "2024-05-01 12:00:00.123"
        );
        assert!(text_column(&time).expect("text").is_null(1));

        let mut map = MapBuilder::new(None, StringBuilder::new(), StringBuilder::new());
        map.keys().append_value("bucketName");
        map.values().append_value("logs");
        map.keys().append_value("key");
        map.values().append_null();
        map.append(true).expect("map");
        let map = map.finish();
        assert_eq!(
            text_column(&map).expect("text").as_string::<i32>().value(0),
            "{bucketName=logs, key=null}"
        );

        let strukt = StructArray::from(vec![(
            Arc::new(Field::new("arn", DataType::Utf8, true)),
            Arc::new(StringArray::from(vec!["arn:aws:iam::1:root"])) as ArrayRef,
        )]);
        assert_eq!(
            text_column(&strukt)
                .expect("text")
                .as_string::<i32>()
                .value(0),
            "{arn=arn:aws:iam::1:root}"
        );
        let batch =
            RecordBatch::try_from_iter(vec![("m", Arc::new(map) as ArrayRef)]).expect("batch");
        assert_eq!(
            json_rows(&batch).expect("json")[0],
            serde_json::json!({"m": {"bucketName": "logs", "key": null}})
        );
    }
}
