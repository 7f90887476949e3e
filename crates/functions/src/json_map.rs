//! `json_to_map(json[, 'json'|'varchar'])`: a JSON object as a `map(varchar, ...)`, which is what Trino's
//! `CAST(json_parse(x) AS map(varchar, json))` gives (the SQL rewrite turns that cast into this call).
//!
//! Values are JSON text; with `'varchar'` (for `map(varchar, varchar)`), string values are unquoted, as in
//! Lake's payload maps. Text that is not a JSON object is an error naming it, as the Trino cast is.

use std::sync::Arc;

use arrow::array::{MapBuilder, MapFieldNames, StringBuilder};
use arrow::datatypes::{DataType, Field, Fields};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature};
use serde_json::Value;

use crate::common::{StrArg, check_arity, coerce_str, finish, shape, shorten, user_defined};

const NAME: &str = "json_to_map";

/// `json_to_map(json[, kind])`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct JsonToMapFunc {
    signature: Signature,
}

impl JsonToMapFunc {
    /// The function.
    pub fn new() -> Self {
        Self {
            signature: user_defined(),
        }
    }
}

impl Default for JsonToMapFunc {
    fn default() -> Self {
        Self::new()
    }
}

fn field_names() -> MapFieldNames {
    MapFieldNames {
        entry: "key_value".into(),
        key: "key".into(),
        value: "value".into(),
    }
}

fn map_type() -> DataType {
    DataType::Map(
        Arc::new(Field::new(
            "key_value",
            DataType::Struct(Fields::from(vec![
                Field::new("key", DataType::Utf8, false),
                Field::new("value", DataType::Utf8, true),
            ])),
            false,
        )),
        false,
    )
}

impl ScalarUDFImpl for JsonToMapFunc {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_arity(
            NAME,
            arg_types,
            1,
            2,
            "json_to_map(json[, 'json'|'varchar'])",
        )?;
        arg_types
            .iter()
            .map(|t| coerce_str(NAME, "the argument", t))
            .collect()
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(map_type())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (len, scalar) = shape(&args.args, args.number_rows);
        let text = StrArg::new(NAME, &args.args[0])?;
        let unquote_strings = match args.args.get(1) {
            Some(kind) => match StrArg::new(NAME, kind)?.scalar() {
                Some(Some(k)) if k.eq_ignore_ascii_case("varchar") => true,
                Some(Some(k)) if k.eq_ignore_ascii_case("json") => false,
                _ => return exec_err!("{NAME}: the value kind must be 'json' or 'varchar'"),
            },
            None => false,
        };
        let mut builder = MapBuilder::new(
            Some(field_names()),
            StringBuilder::new(),
            StringBuilder::new(),
        );
        for i in 0..len {
            let Some(json) = text.get(i) else {
                builder.append(false)?;
                continue;
            };
            let object = match serde_json::from_str::<Value>(json) {
                Ok(Value::Object(object)) => object,
                Ok(Value::Null) => {
                    builder.append(false)?;
                    continue;
                }
                _ => {
                    return exec_err!(
                        "{NAME}: cannot cast '{}' to map: not a JSON object",
                        shorten(json)
                    );
                }
            };
            for (key, value) in object {
                builder.keys().append_value(key);
                match value {
                    Value::Null => builder.values().append_null(),
                    Value::String(s) if unquote_strings => builder.values().append_value(s),
                    other => builder.values().append_value(other.to_string()),
                }
            }
            builder.append(true)?;
        }
        finish(Arc::new(builder.finish()), scalar)
    }
}
