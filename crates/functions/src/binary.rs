//! Varbinary functions with Trino semantics, as Lake users write them to check `eventjsonchecksum`:
//! `lower(to_hex(sha256(to_utf8(eventjson))))`.
//!
//! `to_utf8(string)` gives the string's UTF-8 bytes, `from_utf8(binary)` the text of UTF-8 bytes (invalid
//! sequences become U+FFFD, as in Trino), and `to_hex(binary)` uppercase hex. `to_hex` replaces DataFusion's
//! built-in, which takes integers only; an integer argument still gives DataFusion's lowercase hex of its
//! two's complement, so queries written for it keep working.

use std::fmt::Write as _;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, StringBuilder};
use arrow::compute::cast;
use arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err, plan_err};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature};

use crate::common::{check_arity, coerce_str, finish, shape, to_array, user_defined};

/// Which varbinary function a [`BinaryFunc`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum BinaryKind {
    /// `to_utf8(string)`.
    ToUtf8,
    /// `from_utf8(binary)`.
    FromUtf8,
    /// `to_hex(binary)`.
    ToHex,
}

impl BinaryKind {
    /// Every varbinary function.
    pub(crate) const ALL: [BinaryKind; 3] =
        [BinaryKind::ToUtf8, BinaryKind::FromUtf8, BinaryKind::ToHex];

    /// The SQL name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            BinaryKind::ToUtf8 => "to_utf8",
            BinaryKind::FromUtf8 => "from_utf8",
            BinaryKind::ToHex => "to_hex",
        }
    }
}

/// A Trino varbinary function.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct BinaryFunc {
    kind: BinaryKind,
    signature: Signature,
}

impl BinaryFunc {
    /// The function of the given kind.
    pub(crate) fn new(kind: BinaryKind) -> Self {
        Self {
            kind,
            signature: user_defined(),
        }
    }
}

fn is_binary(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Binary
            | DataType::LargeBinary
            | DataType::BinaryView
            | DataType::FixedSizeBinary(_)
    )
}

impl ScalarUDFImpl for BinaryFunc {
    fn name(&self) -> &str {
        self.kind.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let name = self.kind.name();
        check_arity(name, arg_types, 1, 1, "1 argument")?;
        let t = &arg_types[0];
        Ok(vec![match self.kind {
            BinaryKind::ToUtf8 => coerce_str(name, "the argument", t)?,
            _ if is_binary(t) || t.is_null() => DataType::Binary,
            BinaryKind::ToHex if t.is_integer() => DataType::Int64,
            _ => return plan_err!("{name}: the argument must be varbinary, got {t}"),
        }])
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(match self.kind {
            BinaryKind::ToUtf8 => DataType::Binary,
            BinaryKind::FromUtf8 | BinaryKind::ToHex => DataType::Utf8,
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let name = self.kind.name();
        let (len, scalar) = shape(&args.args, args.number_rows);
        let Some(arg) = args.args.first() else {
            return exec_err!("{name}: missing argument");
        };
        let array = to_array(arg, len)?;
        let out: ArrayRef = match (self.kind, array.data_type()) {
            (BinaryKind::ToUtf8, _) => cast(&array, &DataType::Binary)?,
            (BinaryKind::ToHex, DataType::Int64) => {
                let ints = array.as_primitive::<arrow::datatypes::Int64Type>();
                let mut b = StringBuilder::with_capacity(len, len * 16);
                for i in 0..len {
                    b.append_option(ints.is_valid(i).then(|| format!("{:x}", ints.value(i))));
                }
                Arc::new(b.finish())
            }
            (_, DataType::Binary) => {
                let bytes = array.as_binary::<i32>();
                let mut b = StringBuilder::with_capacity(len, len * 32);
                let mut text = String::new();
                for i in 0..len {
                    if bytes.is_null(i) {
                        b.append_null();
                        continue;
                    }
                    let value = bytes.value(i);
                    if self.kind == BinaryKind::FromUtf8 {
                        b.append_value(String::from_utf8_lossy(value));
                    } else {
                        text.clear();
                        for byte in value {
                            let _ = write!(text, "{byte:02X}");
                        }
                        b.append_value(&text);
                    }
                }
                Arc::new(b.finish())
            }
            (_, other) => return exec_err!("{name}: unexpected argument type {other}"),
        };
        finish(out, scalar)
    }
}
