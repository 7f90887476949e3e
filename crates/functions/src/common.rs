//! Shared helpers for the UDFs: argument coercion, typed access to string and
//! integer arguments (scalar or array), and shaping of results.

use arrow::array::{
    Array, ArrayRef, AsArray, Int64Array, LargeStringArray, StringArray, StringViewArray,
};
use arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue, exec_datafusion_err, exec_err, plan_err};
use datafusion::logical_expr::{ColumnarValue, Signature, Volatility};

/// The signature every UDF of this crate uses: arguments are coerced by the
/// function's own `coerce_types`.
pub(crate) fn user_defined() -> Signature {
    Signature::user_defined(Volatility::Immutable)
}

/// Checks the number of arguments at planning time.
pub(crate) fn check_arity(
    name: &str,
    types: &[DataType],
    min: usize,
    max: usize,
    usage: &str,
) -> Result<()> {
    if types.len() < min || types.len() > max {
        return plan_err!("{name}: expected {usage}, got {} argument(s)", types.len());
    }
    Ok(())
}

/// Is `t` one of the three Arrow string types?
pub(crate) fn is_string(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

/// Coerces a string argument: string types are kept, NULL becomes Utf8,
/// dictionaries of strings are unpacked; anything else is a planning error.
pub(crate) fn coerce_str(name: &str, what: &str, t: &DataType) -> Result<DataType> {
    match t {
        t if is_string(t) => Ok(t.clone()),
        DataType::Null => Ok(DataType::Utf8),
        DataType::Dictionary(_, v) if is_string(v) => Ok(v.as_ref().clone()),
        other => plan_err!("{name}: {what} must be a string, got {other}"),
    }
}

/// Coerces an integer argument to Int64 (NULL included).
pub(crate) fn coerce_int(name: &str, what: &str, t: &DataType) -> Result<DataType> {
    if t.is_integer() || t.is_null() {
        Ok(DataType::Int64)
    } else {
        plan_err!("{name}: {what} must be an integer, got {t}")
    }
}

/// How many rows to produce and whether the result is a scalar (every
/// argument was a scalar).
pub(crate) fn shape(args: &[ColumnarValue], number_rows: usize) -> (usize, bool) {
    if args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_))) {
        (1, true)
    } else {
        (number_rows, false)
    }
}

/// Wraps a result array as a [`ColumnarValue`], as a scalar when every input was one.
pub(crate) fn finish(array: ArrayRef, scalar: bool) -> Result<ColumnarValue> {
    if scalar {
        Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(
            &array, 0,
        )?))
    } else {
        Ok(ColumnarValue::Array(array))
    }
}

/// Converts an argument to an array of `len` rows (scalars are repeated).
pub(crate) fn to_array(arg: &ColumnarValue, len: usize) -> Result<ArrayRef> {
    arg.to_array(len)
}

/// Read access to a string argument, whatever its representation.
pub(crate) enum StrArg<'a> {
    /// A constant (or NULL) for every row.
    Scalar(Option<&'a str>),
    /// A Utf8 column.
    Utf8(&'a StringArray),
    /// A LargeUtf8 column.
    Large(&'a LargeStringArray),
    /// A Utf8View column.
    View(&'a StringViewArray),
    /// A column of NULLs.
    Nulls,
}

impl<'a> StrArg<'a> {
    /// Wraps argument `arg` of function `name`.
    pub(crate) fn new(name: &str, arg: &'a ColumnarValue) -> Result<Self> {
        Ok(match arg {
            ColumnarValue::Scalar(s) => match s {
                ScalarValue::Utf8(v) | ScalarValue::LargeUtf8(v) | ScalarValue::Utf8View(v) => {
                    StrArg::Scalar(v.as_deref())
                }
                ScalarValue::Null => StrArg::Scalar(None),
                other => {
                    return exec_err!(
                        "{name}: expected a string argument, got {}",
                        other.data_type()
                    );
                }
            },
            ColumnarValue::Array(a) => Self::from_array(name, a.as_ref())?,
        })
    }

    /// Wraps a string array.
    pub(crate) fn from_array(name: &str, a: &'a dyn Array) -> Result<Self> {
        Ok(match a.data_type() {
            DataType::Utf8 => {
                StrArg::Utf8(a.as_string_opt::<i32>().ok_or_else(|| downcast_err(name))?)
            }
            DataType::LargeUtf8 => {
                StrArg::Large(a.as_string_opt::<i64>().ok_or_else(|| downcast_err(name))?)
            }
            DataType::Utf8View => {
                StrArg::View(a.as_string_view_opt().ok_or_else(|| downcast_err(name))?)
            }
            DataType::Null => StrArg::Nulls,
            other => return exec_err!("{name}: expected a string argument, got {other}"),
        })
    }

    /// The value at row `i` (the constant for a scalar).
    pub(crate) fn get(&self, i: usize) -> Option<&'a str> {
        match self {
            StrArg::Scalar(v) => *v,
            StrArg::Utf8(a) => a.is_valid(i).then(|| a.value(i)),
            StrArg::Large(a) => a.is_valid(i).then(|| a.value(i)),
            StrArg::View(a) => a.is_valid(i).then(|| a.value(i)),
            StrArg::Nulls => None,
        }
    }

    /// The constant value, when the argument is a scalar.
    pub(crate) fn scalar(&self) -> Option<Option<&'a str>> {
        match self {
            StrArg::Scalar(v) => Some(*v),
            _ => None,
        }
    }
}

/// Read access to an Int64 argument (coerced by `coerce_int`).
pub(crate) enum IntArg<'a> {
    /// A constant (or NULL) for every row.
    Scalar(Option<i64>),
    /// An Int64 column.
    Array(&'a Int64Array),
}

impl<'a> IntArg<'a> {
    /// Wraps argument `arg` of function `name`.
    pub(crate) fn new(name: &str, arg: &'a ColumnarValue) -> Result<Self> {
        Ok(match arg {
            ColumnarValue::Scalar(ScalarValue::Int64(v)) => IntArg::Scalar(*v),
            ColumnarValue::Scalar(ScalarValue::Null) => IntArg::Scalar(None),
            ColumnarValue::Scalar(other) => {
                return exec_err!(
                    "{name}: expected an integer argument, got {}",
                    other.data_type()
                );
            }
            ColumnarValue::Array(a) => match a.data_type() {
                DataType::Int64 => IntArg::Array(
                    a.as_primitive_opt::<arrow::datatypes::Int64Type>()
                        .ok_or_else(|| downcast_err(name))?,
                ),
                DataType::Null => IntArg::Scalar(None),
                other => return exec_err!("{name}: expected an integer argument, got {other}"),
            },
        })
    }

    /// The value at row `i`.
    pub(crate) fn get(&self, i: usize) -> Option<i64> {
        match self {
            IntArg::Scalar(v) => *v,
            IntArg::Array(a) => a.is_valid(i).then(|| a.value(i)),
        }
    }
}

fn downcast_err(name: &str) -> datafusion::error::DataFusionError {
    exec_datafusion_err!("{name}: internal error: unexpected array representation")
}

/// Shortens `s` for an error message.
pub(crate) fn shorten(s: &str) -> String {
    const MAX: usize = 80;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let head: String = s.chars().take(MAX).collect();
        format!("{head}...")
    }
}

/// A string argument compiled into `T` (a regex, a JSONPath) for one batch: once when the argument is a scalar,
/// cached per distinct text otherwise.
pub(crate) struct Compiled<'a, T> {
    name: &'static str,
    arg: StrArg<'a>,
    compile: fn(&str, &str) -> Result<T>,
    scalar: Option<T>,
    cache: std::collections::HashMap<&'a str, T>,
}

impl<'a, T> Compiled<'a, T> {
    /// Compiles a scalar argument now; `compile(function name, text)` names the function in its errors.
    pub(crate) fn new(
        name: &'static str,
        arg: StrArg<'a>,
        compile: fn(&str, &str) -> Result<T>,
    ) -> Result<Self> {
        let scalar = match arg.scalar() {
            Some(Some(text)) => Some(compile(name, text)?),
            _ => None,
        };
        Ok(Self {
            name,
            arg,
            compile,
            scalar,
            cache: std::collections::HashMap::new(),
        })
    }

    /// The value compiled from a scalar argument.
    pub(crate) fn scalar(&self) -> Option<&T> {
        self.scalar.as_ref()
    }

    /// The compiled value for row `i`, `None` where the argument is NULL.
    pub(crate) fn get(&mut self, i: usize) -> Result<Option<&T>> {
        if self.scalar.is_some() {
            return Ok(self.scalar.as_ref());
        }
        let Some(text) = self.arg.get(i) else {
            return Ok(None);
        };
        if !self.cache.contains_key(text) {
            if self.cache.len() > 1000 {
                self.cache.clear();
            }
            self.cache.insert(text, (self.compile)(self.name, text)?);
        }
        Ok(self.cache.get(text))
    }
}
