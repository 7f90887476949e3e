//! JSON functions with Trino semantics, on JSON held as text.
//!
//! auditlake has no JSON type: JSON values are strings, and every function
//! here returns JSON as compact text (Utf8), keeping the key order of objects.
//!
//! JSONPath: the paths Trino's `json_extract` understands are parsed by a
//! small Trino-compatible parser: `$`, `.key` (keys may hold `-` and `:`),
//! `."quoted key"`, `["key"]`, `['key']`, `[key]`, `[0]`, `.0` (a number is
//! an array index on an array and a key on an object, as in Trino), and the
//! wildcards `.*` / `[*]`. Any other path is handed to `serde_json_path`
//! (RFC 9535: filters, slices, `..`). A path without wildcards yields the
//! single value or NULL; a path with wildcards (or an RFC 9535 path) yields a
//! JSON array of every match (Trino rejects such paths).
//!
//! Differences from Trino: numbers are re-serialised by `serde_json`
//! (`1e2` becomes `100.0`, integers beyond 64 bits become floats);
//! `json_format` and `is_json_scalar` take text, so invalid text is an error.

use std::sync::Arc;

use arrow::array::{ArrayRef, AsArray, BooleanBuilder, Int64Builder, StringBuilder};
use arrow::datatypes::{DataType, Float64Type, Int64Type};
use datafusion::common::{Result, exec_datafusion_err, exec_err, plan_err};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::common::{
    Compiled, IntArg, StrArg, check_arity, coerce_int, coerce_str, finish, shape, shorten,
    to_array, user_defined,
};

/// One step of a Trino JSONPath.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// A key of an object, or an index of an array when it is a number.
    Member(String),
    /// Every element of an array or every value of an object.
    Wildcard,
}

/// A compiled JSONPath.
#[derive(Debug)]
pub(crate) enum JsonPathExpr {
    /// A Trino-style path.
    Steps {
        /// The steps after `$`.
        steps: Vec<Step>,
        /// True when the path has no wildcard (matches at most one value).
        definite: bool,
    },
    /// Any other RFC 9535 path.
    Rfc(serde_json_path::JsonPath),
}

/// What a path matched.
#[derive(Debug, PartialEq)]
pub(crate) enum Found<'v> {
    /// A definite path that matched nothing.
    Nothing,
    /// The value a definite path matched.
    One(&'v Value),
    /// Every value an indefinite path matched.
    Many(Vec<&'v Value>),
}

impl Found<'_> {
    /// The JSON text of the match (an array for indefinite paths).
    fn to_json(&self) -> Option<String> {
        match self {
            Found::Nothing => None,
            Found::One(v) => Some(v.to_string()),
            Found::Many(vs) => serde_json::to_string(vs).ok(),
        }
    }
}

fn is_key_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | ':' | '$')
}

/// Reads a quoted string starting at `chars[*pos]` (the quote); backslash escapes the next char.
fn read_quoted(chars: &[char], pos: &mut usize) -> Option<String> {
    let quote = *chars.get(*pos)?;
    *pos += 1;
    let mut out = String::new();
    loop {
        let c = *chars.get(*pos)?;
        *pos += 1;
        if c == quote {
            return Some(out);
        }
        if c == '\\' {
            let e = *chars.get(*pos)?;
            *pos += 1;
            out.push(match e {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                other => other,
            });
        } else {
            out.push(c);
        }
    }
}

fn skip_ws(chars: &[char], pos: &mut usize) {
    while chars.get(*pos).is_some_and(|c| c.is_whitespace()) {
        *pos += 1;
    }
}

/// Parses a Trino-style JSONPath; `None` when the path is not of that form.
fn parse_trino_path(text: &str) -> Option<Vec<Step>> {
    let chars: Vec<char> = text.trim().chars().collect();
    if chars.first() != Some(&'$') {
        return None;
    }
    let mut pos = 1;
    let mut steps = Vec::new();
    while pos < chars.len() {
        match chars[pos] {
            '.' => {
                pos += 1;
                match chars.get(pos)? {
                    '*' => {
                        pos += 1;
                        steps.push(Step::Wildcard);
                    }
                    '"' | '\'' => steps.push(Step::Member(read_quoted(&chars, &mut pos)?)),
                    _ => {
                        let start = pos;
                        while chars.get(pos).is_some_and(|c| is_key_char(*c)) {
                            pos += 1;
                        }
                        if pos == start {
                            return None;
                        }
                        steps.push(Step::Member(chars[start..pos].iter().collect()));
                    }
                }
            }
            '[' => {
                pos += 1;
                skip_ws(&chars, &mut pos);
                let step = match chars.get(pos)? {
                    '"' | '\'' => Step::Member(read_quoted(&chars, &mut pos)?),
                    '*' => {
                        pos += 1;
                        Step::Wildcard
                    }
                    _ => {
                        let start = pos;
                        while chars.get(pos).is_some_and(|c| is_key_char(*c)) {
                            pos += 1;
                        }
                        if pos == start {
                            return None;
                        }
                        Step::Member(chars[start..pos].iter().collect())
                    }
                };
                skip_ws(&chars, &mut pos);
                if chars.get(pos) != Some(&']') {
                    return None;
                }
                pos += 1;
                steps.push(step);
            }
            _ => return None,
        }
    }
    Some(steps)
}

/// The member `key` of an object, or element `key` of an array.
fn member<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    match v {
        Value::Object(o) => o.get(key),
        Value::Array(a) => key.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    }
}

impl JsonPathExpr {
    /// Compiles `text`; an invalid path is an error naming function `name`.
    pub(crate) fn parse(name: &str, text: &str) -> Result<Self> {
        if let Some(steps) = parse_trino_path(text) {
            let definite = !steps.contains(&Step::Wildcard);
            return Ok(JsonPathExpr::Steps { steps, definite });
        }
        serde_json_path::JsonPath::parse(text.trim())
            .map(JsonPathExpr::Rfc)
            .map_err(|e| exec_datafusion_err!("{name}: invalid JSONPath '{text}': {e}"))
    }

    /// Evaluates the path on `root`.
    pub(crate) fn eval<'v>(&self, root: &'v Value) -> Found<'v> {
        match self {
            JsonPathExpr::Steps {
                steps,
                definite: true,
            } => {
                let mut cur = root;
                for step in steps {
                    let Step::Member(key) = step else {
                        return Found::Nothing;
                    };
                    match member(cur, key) {
                        Some(v) => cur = v,
                        None => return Found::Nothing,
                    }
                }
                Found::One(cur)
            }
            JsonPathExpr::Steps {
                steps,
                definite: false,
            } => {
                let mut cur = vec![root];
                for step in steps {
                    let mut next = Vec::new();
                    for v in cur {
                        match step {
                            Step::Member(key) => next.extend(member(v, key)),
                            Step::Wildcard => match v {
                                Value::Array(a) => next.extend(a.iter()),
                                Value::Object(o) => next.extend(o.values()),
                                _ => {}
                            },
                        }
                    }
                    cur = next;
                }
                Found::Many(cur)
            }
            JsonPathExpr::Rfc(p) => Found::Many(p.query(root).all()),
        }
    }
}

/// The raw text of the value a definite path of member steps matches in `text`, found without building the
/// document: each level is read member by member, the others skipped, and only the chosen one is descended
/// into. `Ok(None)` when nothing matches; an error when the text is not JSON, or a key needs unescaping (the
/// caller then builds the document, which gives the same answer more slowly).
fn raw_at<'t>(text: &'t str, steps: &[Step]) -> serde_json::Result<Option<&'t RawValue>> {
    let mut current: &'t RawValue = serde_json::from_str(text)?;
    for step in steps {
        let Step::Member(key) = step else {
            return Ok(None);
        };
        let inner = current.get();
        let found = match inner.trim_start().as_bytes().first() {
            Some(b'{') => {
                let mut de = serde_json::Deserializer::from_str(inner);
                serde::Deserializer::deserialize_map(&mut de, MemberOf { key })?
            }
            Some(b'[') => match key.parse::<usize>() {
                Ok(index) => {
                    let mut de = serde_json::Deserializer::from_str(inner);
                    serde::Deserializer::deserialize_seq(&mut de, ElementAt { index })?
                }
                Err(_) => None,
            },
            _ => None,
        };
        match found {
            Some(next) => current = next,
            None => return Ok(None),
        }
    }
    Ok(Some(current))
}

/// Finds the last member named `key` of a JSON object (as a parsed document would keep it), skipping the others.
struct MemberOf<'k> {
    key: &'k str,
}

impl<'de> serde::de::Visitor<'de> for MemberOf<'_> {
    type Value = Option<&'de RawValue>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(key) = map.next_key::<&'de str>()? {
            if key == self.key {
                found = Some(map.next_value::<&'de RawValue>()?);
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

/// Finds element `index` of a JSON array, skipping the others.
struct ElementAt {
    index: usize,
}

impl<'de> serde::de::Visitor<'de> for ElementAt {
    type Value = Option<&'de RawValue>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON array")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        let mut position = 0;
        while position <= self.index {
            if position == self.index {
                found = seq.next_element::<&'de RawValue>()?;
                if found.is_none() {
                    return Ok(None);
                }
            } else if seq.next_element::<serde::de::IgnoredAny>()?.is_none() {
                return Ok(None);
            }
            position += 1;
        }
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(found)
    }
}

/// `json_extract` (`scalar` false) or `json_extract_scalar` of `text` at a definite member path, read without
/// building the document; `None` when that cannot be done and the document must be built.
fn extract_definite(text: &str, steps: &[Step], scalar: bool) -> Option<Option<String>> {
    let raw = raw_at(text, steps).ok()?;
    let Some(raw) = raw else {
        return Some(None);
    };
    let value: Value = serde_json::from_str(raw.get()).ok()?;
    Some(if scalar {
        scalar_text(&value)
    } else {
        Some(value.to_string())
    })
}

/// The JSON text of a scalar as Trino's `json_extract_scalar` returns it.
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

fn parse_lenient(text: Option<&str>) -> Option<Value> {
    serde_json::from_str(text?).ok()
}

fn parse_strict(name: &str, text: &str) -> Result<Value> {
    serde_json::from_str(text)
        .map_err(|e| exec_datafusion_err!("{name}: invalid JSON '{}': {e}", shorten(text)))
}

/// Which JSON function a [`JsonFunc`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum JsonKind {
    /// `json_extract(json, path)`.
    Extract,
    /// `json_extract_scalar(json, path)`.
    ExtractScalar,
    /// `json_array_get(json, index)`.
    ArrayGet,
    /// `json_array_length(json)`.
    ArrayLength,
    /// `json_array_contains(json, value)`.
    ArrayContains,
    /// `json_size(json, path)`.
    Size,
    /// `json_parse(text)`.
    Parse,
    /// `json_format(json)`.
    Format,
    /// `is_json_scalar(json)`.
    IsScalar,
}

impl JsonKind {
    /// Every JSON function.
    pub(crate) const ALL: [JsonKind; 9] = [
        JsonKind::Extract,
        JsonKind::ExtractScalar,
        JsonKind::ArrayGet,
        JsonKind::ArrayLength,
        JsonKind::ArrayContains,
        JsonKind::Size,
        JsonKind::Parse,
        JsonKind::Format,
        JsonKind::IsScalar,
    ];

    /// The SQL name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            JsonKind::Extract => "json_extract",
            JsonKind::ExtractScalar => "json_extract_scalar",
            JsonKind::ArrayGet => "json_array_get",
            JsonKind::ArrayLength => "json_array_length",
            JsonKind::ArrayContains => "json_array_contains",
            JsonKind::Size => "json_size",
            JsonKind::Parse => "json_parse",
            JsonKind::Format => "json_format",
            JsonKind::IsScalar => "is_json_scalar",
        }
    }
}

/// A Trino JSON function over JSON text.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct JsonFunc {
    kind: JsonKind,
    signature: Signature,
}

impl JsonFunc {
    /// The function of the given kind.
    pub(crate) fn new(kind: JsonKind) -> Self {
        Self {
            kind,
            signature: user_defined(),
        }
    }
}

impl ScalarUDFImpl for JsonFunc {
    fn name(&self) -> &str {
        self.kind.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let name = self.kind.name();
        match self.kind {
            JsonKind::Extract | JsonKind::ExtractScalar | JsonKind::Size => {
                check_arity(name, arg_types, 2, 2, "2 arguments (json, path)")?;
                Ok(vec![
                    coerce_str(name, "json", &arg_types[0])?,
                    coerce_str(name, "path", &arg_types[1])?,
                ])
            }
            JsonKind::ArrayGet => {
                check_arity(name, arg_types, 2, 2, "2 arguments (json_array, index)")?;
                Ok(vec![
                    coerce_str(name, "json", &arg_types[0])?,
                    coerce_int(name, "index", &arg_types[1])?,
                ])
            }
            JsonKind::ArrayContains => {
                check_arity(name, arg_types, 2, 2, "2 arguments (json_array, value)")?;
                let value = match &arg_types[1] {
                    DataType::Boolean => DataType::Boolean,
                    t if t.is_integer() => DataType::Int64,
                    t if t.is_numeric() => DataType::Float64,
                    t => coerce_str(name, "value", t)?,
                };
                Ok(vec![coerce_str(name, "json", &arg_types[0])?, value])
            }
            JsonKind::ArrayLength | JsonKind::Parse | JsonKind::Format | JsonKind::IsScalar => {
                check_arity(name, arg_types, 1, 1, "1 argument")?;
                Ok(vec![coerce_str(name, "json", &arg_types[0])?])
            }
        }
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(match self.kind {
            JsonKind::Extract
            | JsonKind::ExtractScalar
            | JsonKind::ArrayGet
            | JsonKind::Parse
            | JsonKind::Format => DataType::Utf8,
            JsonKind::ArrayLength | JsonKind::Size => DataType::Int64,
            JsonKind::ArrayContains | JsonKind::IsScalar => DataType::Boolean,
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let name = self.kind.name();
        let (len, scalar) = shape(&args.args, args.number_rows);
        let Some(first) = args.args.first() else {
            return exec_err!("{name}: missing arguments");
        };
        let json = StrArg::new(name, first)?;
        let out: ArrayRef = match self.kind {
            JsonKind::Extract | JsonKind::ExtractScalar | JsonKind::Size => {
                let Some(path_arg) = args.args.get(1) else {
                    return exec_err!("{name}: missing path argument");
                };
                let mut paths =
                    Compiled::new(name, StrArg::new(name, path_arg)?, JsonPathExpr::parse)?;
                match self.kind {
                    JsonKind::Size => {
                        let mut b = Int64Builder::with_capacity(len);
                        for i in 0..len {
                            let path = paths.get(i)?;
                            let v = match (parse_lenient(json.get(i)), path) {
                                (Some(doc), Some(path)) => match path.eval(&doc) {
                                    Found::Nothing => None,
                                    Found::One(Value::Object(o)) => Some(o.len() as i64),
                                    Found::One(Value::Array(a)) => Some(a.len() as i64),
                                    Found::One(_) => Some(0),
                                    Found::Many(vs) => Some(vs.len() as i64),
                                },
                                _ => None,
                            };
                            b.append_option(v);
                        }
                        Arc::new(b.finish())
                    }
                    _ => {
                        let mut b = StringBuilder::with_capacity(len, len * 8);
                        for i in 0..len {
                            let path = paths.get(i)?;
                            let fast = match (json.get(i), path) {
                                (
                                    Some(text),
                                    Some(JsonPathExpr::Steps {
                                        steps,
                                        definite: true,
                                    }),
                                ) => extract_definite(
                                    text,
                                    steps,
                                    self.kind == JsonKind::ExtractScalar,
                                ),
                                _ => None,
                            };
                            if let Some(v) = fast {
                                b.append_option(v);
                                continue;
                            }
                            let v = match (parse_lenient(json.get(i)), path) {
                                (Some(doc), Some(path)) => {
                                    let found = path.eval(&doc);
                                    if self.kind == JsonKind::Extract {
                                        found.to_json()
                                    } else if let Found::One(v) = found {
                                        scalar_text(v)
                                    } else {
                                        None
                                    }
                                }
                                _ => None,
                            };
                            b.append_option(v);
                        }
                        Arc::new(b.finish())
                    }
                }
            }
            JsonKind::ArrayGet => {
                let Some(index_arg) = args.args.get(1) else {
                    return exec_err!("{name}: missing index argument");
                };
                let index = IntArg::new(name, index_arg)?;
                let mut b = StringBuilder::with_capacity(len, len * 8);
                for i in 0..len {
                    let v = match (parse_lenient(json.get(i)), index.get(i)) {
                        (Some(Value::Array(a)), Some(idx)) => {
                            let pos = if idx >= 0 {
                                Some(idx)
                            } else {
                                (a.len() as i64).checked_add(idx)
                            };
                            pos.filter(|p| *p >= 0)
                                .and_then(|p| a.get(p as usize))
                                .map(Value::to_string)
                        }
                        _ => None,
                    };
                    b.append_option(v);
                }
                Arc::new(b.finish())
            }
            JsonKind::ArrayLength => {
                let mut b = Int64Builder::with_capacity(len);
                for i in 0..len {
                    b.append_option(match parse_lenient(json.get(i)) {
                        Some(Value::Array(a)) => Some(a.len() as i64),
                        _ => None,
                    });
                }
                Arc::new(b.finish())
            }
            JsonKind::ArrayContains => {
                let Some(value_arg) = args.args.get(1) else {
                    return exec_err!("{name}: missing value argument");
                };
                array_contains(name, &json, value_arg, len)?
            }
            JsonKind::Parse | JsonKind::Format => {
                let mut b = StringBuilder::with_capacity(len, len * 16);
                for i in 0..len {
                    match json.get(i) {
                        Some(text) => b.append_value(parse_strict(name, text)?.to_string()),
                        None => b.append_null(),
                    }
                }
                Arc::new(b.finish())
            }
            JsonKind::IsScalar => {
                let mut b = BooleanBuilder::with_capacity(len);
                for i in 0..len {
                    match json.get(i) {
                        Some(text) => {
                            let v = parse_strict(name, text)?;
                            b.append_value(!matches!(v, Value::Array(_) | Value::Object(_)));
                        }
                        None => b.append_null(),
                    }
                }
                Arc::new(b.finish())
            }
        };
        finish(out, scalar)
    }
}

/// `json_array_contains`: Trino matches only elements of the value's JSON type.
fn array_contains(
    name: &str,
    json: &StrArg<'_>,
    value_arg: &ColumnarValue,
    len: usize,
) -> Result<ArrayRef> {
    let values = to_array(value_arg, len)?;
    let values = values.as_ref();
    let mut b = BooleanBuilder::with_capacity(len);
    let strings = match values.data_type() {
        DataType::Boolean | DataType::Int64 | DataType::Float64 => None,
        _ => Some(StrArg::from_array(name, values)?),
    };
    for i in 0..len {
        let Some(Value::Array(elems)) = parse_lenient(json.get(i)) else {
            b.append_null();
            continue;
        };
        if values.is_null(i) {
            b.append_null();
            continue;
        }
        let found = match values.data_type() {
            DataType::Boolean => match values.as_boolean_opt() {
                Some(a) => {
                    let needle = a.value(i);
                    elems.iter().any(|e| e.as_bool() == Some(needle))
                }
                None => return plan_err!("{name}: unexpected value representation"),
            },
            DataType::Int64 => match values.as_primitive_opt::<Int64Type>() {
                Some(a) => {
                    let needle = a.value(i);
                    elems.iter().any(|e| e.as_i64() == Some(needle))
                }
                None => return plan_err!("{name}: unexpected value representation"),
            },
            DataType::Float64 => match values.as_primitive_opt::<Float64Type>() {
                Some(a) => {
                    let needle = a.value(i);
                    elems.iter().any(|e| e.as_f64() == Some(needle))
                }
                None => return plan_err!("{name}: unexpected value representation"),
            },
            _ => {
                let needle = strings.as_ref().and_then(|s| s.get(i));
                elems
                    .iter()
                    .any(|e| e.as_str().is_some() && e.as_str() == needle)
            }
        };
        b.append_value(found);
    }
    Ok(Arc::new(b.finish()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extract(doc: &str, path: &str) -> Option<String> {
        let doc: Value = serde_json::from_str(doc).expect("valid json");
        JsonPathExpr::parse("t", path)
            .expect("valid path")
            .eval(&doc)
            .to_json()
    }

    #[test]
    fn reading_a_definite_path_without_the_document_gives_the_same_answers() {
        let docs = [
            r#"{"a":{"b":[10,{"c":"x\"y"},null,1.5e2]},"k":true}"#,
            r#"{"a":1,"a":{"b":[1,2]}}"#,
            r#" { "a" : { "b" : [ 1 , "two" ] } } "#,
            r#"{"x\u0041":1,"a":{"b":[3]}}"#,
            r#"[{"a":1},{"a":{"b":[4]}}]"#,
            r#"{"a":{"b":[1,2]}} trailing"#,
            r#"{"a":"#,
            r#""just text""#,
            r#"{"0":"zero","a":{"0":{"1":"deep"}}}"#,
        ];
        let paths = [
            "$",
            "$.a",
            "$.a.b",
            "$.a.b[0]",
            "$.a.b[1]",
            "$.a.b[1].c",
            "$.a.b[2]",
            "$.a.b[3]",
            "$.a.b[9]",
            "$.k",
            "$.missing",
            "$[1].a.b[0]",
            "$[0]",
            "$.0",
            "$.a.0.1",
            "$.xA",
        ];
        for doc in docs {
            for text in paths {
                let path = JsonPathExpr::parse("t", text).expect("valid path");
                let JsonPathExpr::Steps { steps, .. } = &path else {
                    panic!("{text} is a Trino path");
                };
                for scalar in [false, true] {
                    let slow = serde_json::from_str::<Value>(doc).ok().and_then(|d| {
                        let found = path.eval(&d);
                        if scalar {
                            match found {
                                Found::One(v) => scalar_text(v),
                                _ => None,
                            }
                        } else {
                            found.to_json()
                        }
                    });
                    // The fast reading may decline (then the document is built), but never differs.
                    if let Some(fast) = extract_definite(doc, steps, scalar) {
                        assert_eq!(fast, slow, "{doc} at {text} (scalar: {scalar})");
                    }
                }
            }
        }
        // It does not decline on ordinary records.
        let path = JsonPathExpr::parse("t", "$.userIdentity.arn").expect("path");
        let JsonPathExpr::Steps { steps, .. } = &path else {
            panic!("a Trino path");
        };
        let record = r#"{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a"},"x":[1,{"y":2}]}"#;
        assert_eq!(
            extract_definite(record, steps, true),
            Some(Some("arn:aws:iam::1:user/a".to_owned()))
        );
    }

    #[test]
    fn trino_paths_parse() {
        assert_eq!(
            parse_trino_path("$.a.b[0]"),
            Some(vec![
                Step::Member("a".into()),
                Step::Member("b".into()),
                Step::Member("0".into())
            ])
        );
        assert_eq!(
            parse_trino_path("$[\"key with space\"]"),
            Some(vec![Step::Member("key with space".into())])
        );
        assert_eq!(
            parse_trino_path("$['k']"),
            Some(vec![Step::Member("k".into())])
        );
        assert_eq!(
            parse_trino_path("$.x-amz-acl"),
            Some(vec![Step::Member("x-amz-acl".into())])
        );
        assert_eq!(parse_trino_path("$.a[*].b").map(|s| s.len()), Some(3));
        assert_eq!(parse_trino_path("$"), Some(vec![]));
        assert_eq!(parse_trino_path("$.["), None);
        assert_eq!(parse_trino_path("a.b"), None);
    }

    #[test]
    fn extraction() {
        let doc = r#"{"a":{"b":[10,20]},"Records":[{"x":1},{"x":2}],"k v":"s","x-y":true}"#;
        assert_eq!(extract(doc, "$.a"), Some(r#"{"b":[10,20]}"#.into()));
        assert_eq!(extract(doc, "$.a.b[1]"), Some("20".into()));
        assert_eq!(extract(doc, "$.a.b.1"), Some("20".into()));
        assert_eq!(extract(doc, "$.Records[0]"), Some(r#"{"x":1}"#.into()));
        assert_eq!(extract(doc, "$[\"k v\"]"), Some(r#""s""#.into()));
        assert_eq!(extract(doc, "$.x-y"), Some("true".into()));
        assert_eq!(extract(doc, "$.Records[*].x"), Some("[1,2]".into()));
        assert_eq!(extract(doc, "$.Records[?@.x > 1].x"), Some("[2]".into()));
        assert_eq!(extract(doc, "$.missing"), None);
        assert_eq!(extract(doc, "$.a.b[5]"), None);
    }

    #[test]
    fn invalid_path_names_function() {
        let err = JsonPathExpr::parse("json_extract", "$.[").expect_err("invalid");
        assert!(
            err.to_string()
                .contains("json_extract: invalid JSONPath '$.['"),
            "{err}"
        );
    }

    #[test]
    fn scalars() {
        assert_eq!(scalar_text(&Value::from("x")), Some("x".into()));
        assert_eq!(scalar_text(&Value::from(1.5)), Some("1.5".into()));
        assert_eq!(scalar_text(&Value::Null), None);
    }
}
