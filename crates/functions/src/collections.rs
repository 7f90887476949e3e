//! `element_at` and `contains` over maps and arrays, with Trino semantics.
//!
//! These replace DataFusion's `element_at` (which returns a list for maps)
//! and `contains` (string only): `contains(string, substring)` keeps the
//! DataFusion behaviour, which Trino does not have.
//!
//! Differences from Trino: `element_at(array, -n)` beyond the start is NULL
//! (as in Trino); a map with duplicate keys yields the first match.

use std::cmp::Ordering;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, BooleanBuilder, UInt64Array, make_comparator};
use arrow::compute::{SortOptions, take};
use arrow::datatypes::DataType;
use datafusion::common::{Result, exec_datafusion_err, exec_err, plan_err};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature};

use crate::common::{check_arity, finish, is_string, shape, to_array, user_defined};

/// The element type of a list type, or the (key, value) types of a map type.
enum Container {
    List(DataType),
    Map { key: DataType, value: DataType },
}

fn container(name: &str, t: &DataType) -> Result<Container> {
    match t {
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => {
            Ok(Container::List(f.data_type().clone()))
        }
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(fields) if fields.len() == 2 => Ok(Container::Map {
                key: fields[0].data_type().clone(),
                value: fields[1].data_type().clone(),
            }),
            other => plan_err!("{name}: unexpected map entries type {other}"),
        },
        other => plan_err!("{name}: expected a map or an array as first argument, got {other}"),
    }
}

/// The start and end (exclusive) of row `i`'s elements in the child values.
fn list_range(list: &dyn Array, i: usize) -> Option<(usize, usize)> {
    if let Some(l) = list.as_list_opt::<i32>() {
        let o = l.value_offsets();
        Some((o[i] as usize, o[i + 1] as usize))
    } else if let Some(l) = list.as_list_opt::<i64>() {
        let o = l.value_offsets();
        Some((usize::try_from(o[i]).ok()?, usize::try_from(o[i + 1]).ok()?))
    } else if let Some(l) = list.as_fixed_size_list_opt() {
        let start = l.value_offset(i) as usize;
        Some((start, start + l.value_length() as usize))
    } else if let Some(m) = list.as_map_opt() {
        let o = m.value_offsets();
        Some((o[i] as usize, o[i + 1] as usize))
    } else {
        None
    }
}

/// The child values of a list or the (keys, values) of a map.
fn list_values(list: &dyn Array) -> Option<ArrayRef> {
    if let Some(l) = list.as_list_opt::<i32>() {
        Some(Arc::clone(l.values()))
    } else if let Some(l) = list.as_list_opt::<i64>() {
        Some(Arc::clone(l.values()))
    } else {
        list.as_fixed_size_list_opt()
            .map(|l| Arc::clone(l.values()))
    }
}

/// Maps a result row to the row of a (possibly one-row) argument array.
type RowMap = fn(usize) -> usize;

/// An argument as an array (one row for a scalar), with
/// the function mapping a result row to the argument row.
fn compact_array(arg: &ColumnarValue) -> Result<(ArrayRef, RowMap)> {
    match arg {
        ColumnarValue::Scalar(s) => Ok((s.to_array()?, |_| 0)),
        ColumnarValue::Array(a) => Ok((Arc::clone(a), |i| i)),
    }
}

/// `element_at(map, key)` / `element_at(array, index)`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ElementAtFunc {
    signature: Signature,
}

impl ElementAtFunc {
    /// The function.
    pub(crate) fn new() -> Self {
        Self {
            signature: user_defined(),
        }
    }
}

const ELEMENT_AT: &str = "element_at";

impl ScalarUDFImpl for ElementAtFunc {
    fn name(&self) -> &str {
        ELEMENT_AT
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_arity(
            ELEMENT_AT,
            arg_types,
            2,
            2,
            "2 arguments (map, key) or (array, index)",
        )?;
        let second = match container(ELEMENT_AT, &arg_types[0])? {
            Container::List(_) => {
                if arg_types[1].is_integer() || arg_types[1].is_null() {
                    DataType::Int64
                } else {
                    return plan_err!(
                        "{ELEMENT_AT}: an array index must be an integer, got {}",
                        arg_types[1]
                    );
                }
            }
            Container::Map { key, .. } => key,
        };
        Ok(vec![arg_types[0].clone(), second])
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match arg_types
            .first()
            .map(|t| container(ELEMENT_AT, t))
            .transpose()?
        {
            Some(Container::List(t)) => Ok(t),
            Some(Container::Map { value, .. }) => Ok(value),
            None => plan_err!("{ELEMENT_AT}: expected 2 arguments"),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (len, scalar) = shape(&args.args, args.number_rows);
        let [container_arg, key_arg] = args.args.as_slice() else {
            return exec_err!("{ELEMENT_AT}: expected 2 arguments");
        };
        let container_arr = to_array(container_arg, len)?;
        // A constant key or index stays a one-row array, read at row 0.
        let (key_arr, key_row) = compact_array(key_arg)?;
        let mut indices: Vec<Option<u64>> = Vec::with_capacity(len);
        let values = if let Some(map) = container_arr.as_map_opt() {
            let keys = map.keys();
            let cmp = make_comparator(keys.as_ref(), key_arr.as_ref(), SortOptions::default())?;
            for i in 0..len {
                if map.is_null(i) || key_arr.is_null(key_row(i)) {
                    indices.push(None);
                    continue;
                }
                let (start, end) = list_range(map, i)
                    .ok_or_else(|| exec_datafusion_err!("{ELEMENT_AT}: bad map"))?;
                indices.push(
                    (start..end)
                        .find(|&j| keys.is_valid(j) && cmp(j, key_row(i)) == Ordering::Equal)
                        .map(|j| j as u64),
                );
            }
            Arc::clone(map.values())
        } else {
            let values = list_values(container_arr.as_ref()).ok_or_else(|| {
                exec_datafusion_err!(
                    "{ELEMENT_AT}: expected a map or an array, got {}",
                    container_arr.data_type()
                )
            })?;
            let index = key_arr
                .as_primitive_opt::<arrow::datatypes::Int64Type>()
                .ok_or_else(|| {
                    exec_datafusion_err!("{ELEMENT_AT}: the array index must be an integer")
                })?;
            for i in 0..len {
                if container_arr.is_null(i) || index.is_null(key_row(i)) {
                    indices.push(None);
                    continue;
                }
                let idx = index.value(key_row(i));
                if idx == 0 {
                    return exec_err!("{ELEMENT_AT}: SQL array indices start at 1");
                }
                let (start, end) = list_range(container_arr.as_ref(), i)
                    .ok_or_else(|| exec_datafusion_err!("{ELEMENT_AT}: bad array"))?;
                let n = (end - start) as i64;
                let pos = if idx > 0 { idx - 1 } else { n + idx };
                indices.push((0..n).contains(&pos).then(|| (start as i64 + pos) as u64));
            }
            values
        };
        let out = take(values.as_ref(), &UInt64Array::from(indices), None)?;
        finish(out, scalar)
    }
}

/// `contains(array, element)` (Trino) and `contains(string, substring)` (DataFusion).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ContainsFunc {
    signature: Signature,
}

impl ContainsFunc {
    /// The function.
    pub(crate) fn new() -> Self {
        Self {
            signature: user_defined(),
        }
    }
}

const CONTAINS: &str = "contains";

fn string_like(t: &DataType) -> bool {
    is_string(t) || t.is_null()
}

impl ScalarUDFImpl for ContainsFunc {
    fn name(&self) -> &str {
        CONTAINS
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_arity(
            CONTAINS,
            arg_types,
            2,
            2,
            "2 arguments (array, element) or (string, substring)",
        )?;
        let (a, b) = (&arg_types[0], &arg_types[1]);
        if string_like(a) {
            let s = |t: &DataType| {
                if is_string(t) {
                    t.clone()
                } else {
                    DataType::Utf8
                }
            };
            return Ok(vec![s(a), s(b)]);
        }
        match container(CONTAINS, a) {
            Ok(Container::List(elem)) => Ok(vec![a.clone(), elem]),
            _ => plan_err!("{CONTAINS}: expected an array or a string as first argument, got {a}"),
        }
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Boolean)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let first_type = args.args.first().map(|a| a.data_type());
        if first_type.as_ref().is_some_and(string_like) {
            return datafusion::functions::string::contains().invoke_with_args(args);
        }
        let (len, scalar) = shape(&args.args, args.number_rows);
        let [list_arg, elem_arg] = args.args.as_slice() else {
            return exec_err!("{CONTAINS}: expected 2 arguments");
        };
        let list = to_array(list_arg, len)?;
        let (elem, elem_row) = compact_array(elem_arg)?;
        let values = list_values(list.as_ref()).ok_or_else(|| {
            exec_datafusion_err!("{CONTAINS}: expected an array, got {}", list.data_type())
        })?;
        let cmp = make_comparator(values.as_ref(), elem.as_ref(), SortOptions::default())?;
        let mut b = BooleanBuilder::with_capacity(len);
        for i in 0..len {
            if list.is_null(i) || elem.is_null(elem_row(i)) {
                b.append_null();
                continue;
            }
            let (start, end) = list_range(list.as_ref(), i)
                .ok_or_else(|| exec_datafusion_err!("{CONTAINS}: bad array"))?;
            let mut saw_null = false;
            let mut found = false;
            for j in start..end {
                if values.is_null(j) {
                    saw_null = true;
                } else if cmp(j, elem_row(i)) == Ordering::Equal {
                    found = true;
                    break;
                }
            }
            // Trino: not found but the array holds a NULL -> NULL.
            b.append_option(if found {
                Some(true)
            } else if saw_null {
                None
            } else {
                Some(false)
            });
        }
        finish(Arc::new(b.finish()), scalar)
    }
}
