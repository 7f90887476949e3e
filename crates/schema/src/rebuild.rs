//! Writing a record's JSON again from its typed columns and its [layout](crate::layout).
//!
//! The writing is fixed: strings are escaped as serde_json escapes them, times are written as
//! `YYYY-MM-DDTHH:MM:SSZ` (with `.fff` or `.ffffff` when they have a fraction), and a payload value is written
//! as it is when it reads as a JSON number, `true`, `false`, an object or an array, else as a string. A record
//! that does not come out byte for byte the same is stored whole; so this writing is part of the store format
//! and must never change for layouts already stored.

use std::fmt::Write as _;
use std::sync::LazyLock;

use arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, LargeStringArray, ListArray, MapArray, PrimitiveArray,
    StringArray, StringBuilder, StringViewArray, StructArray,
};
use arrow::datatypes::{DataType, TimeUnit, TimestampMicrosecondType};
use chrono::{Datelike, Timelike};
use thiserror::Error;

use crate::column::Column;
use crate::layout::{NULL_MARK, POSITIONS};
use crate::record::Record;

/// How a field's value is written as JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// A string.
    Text,
    /// A string, or JSON kept as text ([`crate::JsonText`]).
    JsonText,
    /// An event time.
    Time,
    /// `true` or `false`.
    Bool,
    /// An object of text values ([`crate::Payload`]).
    Payload,
    /// An object of the given fields (JSON key, shape), in column order.
    Struct(Vec<(&'static str, Shape)>),
    /// A list of values of the shape.
    List(Box<Shape>),
}

/// The fields of a record: JSON key and shape, in the order of the record's columns.
pub fn record_fields() -> &'static [(&'static str, Shape)] {
    static FIELDS: LazyLock<Vec<(&'static str, Shape)>> = LazyLock::new(|| match Record::shape() {
        Shape::Struct(fields) => fields,
        _ => Vec::new(),
    });
    &FIELDS
}

/// Why a layout could not be written out: the layout and the columns do not agree.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
#[error("the event's stored layout does not fit its columns: {0}")]
pub struct RebuildError(String);

fn unfit(what: impl Into<String>) -> RebuildError {
    RebuildError(what.into())
}

/// Appends to `out` the JSON of the record at `row` of `columns` (one array per [`record_fields`] entry),
/// written in `layout`. To write many rows, make a [`RecordView`] once.
pub fn rebuild_record(
    layout: &str,
    columns: &[ArrayRef],
    row: usize,
    out: &mut String,
) -> Result<(), RebuildError> {
    RecordView::new(columns)?.write(layout, row, out)
}

/// The columns of a batch of records, each seen once as the kind of array its field's shape needs, so that
/// writing a row looks at no column's type again.
pub struct RecordView<'a> {
    fields: Vec<Field<'a>>,
}

/// A field of an object: its key and its column.
struct Field<'a> {
    key: &'static str,
    /// The key as it is written before its value: `"key":`.
    member: String,
    column: Typed<'a>,
}

impl<'a> RecordView<'a> {
    /// A view of `columns`, one array per [`record_fields`] entry.
    pub fn new(columns: &'a [ArrayRef]) -> Result<Self, RebuildError> {
        let fields = record_fields();
        if columns.len() != fields.len() {
            return Err(unfit(format!(
                "{} columns for {} fields",
                columns.len(),
                fields.len()
            )));
        }
        Ok(RecordView {
            fields: typed_fields(fields, columns)?,
        })
    }

    /// Appends to `out` the JSON of the record at `row`, written in `layout`.
    pub fn write(&self, layout: &str, row: usize, out: &mut String) -> Result<(), RebuildError> {
        let mut cursor = Cursor {
            bytes: layout.as_bytes(),
            at: 0,
        };
        write_object(&mut cursor, &self.fields, row, out)?;
        if cursor.at != cursor.bytes.len() {
            return Err(unfit(format!("trailing layout at byte {}", cursor.at)));
        }
        Ok(())
    }

    /// Whether writing the record at `row` in `layout` gives `json` byte for byte. The writing is compared as it
    /// goes, never written out.
    pub fn matches(&self, layout: &str, row: usize, json: &str) -> bool {
        let mut cursor = Cursor {
            bytes: layout.as_bytes(),
            at: 0,
        };
        let mut compare = Compare {
            expected: json.as_bytes(),
            at: 0,
            same: true,
        };
        write_object(&mut cursor, &self.fields, row, &mut compare).is_ok()
            && cursor.at == cursor.bytes.len()
            && compare.same
            && compare.at == compare.expected.len()
    }
}

/// Where a record's JSON is written: a string, or a [`Compare`] against JSON already written.
trait JsonOut {
    /// Appends `text` as it is.
    fn raw(&mut self, text: &str);

    /// Appends one ASCII byte.
    fn byte(&mut self, byte: u8);

    /// Appends `text` as a JSON string, escaped as serde_json escapes it.
    fn string(&mut self, text: &str) {
        write_string(text, self);
    }
}

impl JsonOut for String {
    fn raw(&mut self, text: &str) {
        self.push_str(text);
    }

    fn byte(&mut self, byte: u8) {
        self.push(char::from(byte));
    }
}

/// Compares what would be written with `expected`, byte by byte, as it is written.
struct Compare<'a> {
    expected: &'a [u8],
    /// Bytes of `expected` matched so far.
    at: usize,
    /// Whether everything written so far matched.
    same: bool,
}

impl JsonOut for Compare<'_> {
    fn raw(&mut self, text: &str) {
        let end = self.at + text.len();
        if self.same
            && self
                .expected
                .get(self.at..end)
                .is_some_and(|expected| same_bytes(expected, text.as_bytes()))
        {
            self.at = end;
        } else {
            self.same = false;
        }
    }

    fn byte(&mut self, byte: u8) {
        if self.same && self.expected.get(self.at) == Some(&byte) {
            self.at += 1;
        } else {
            self.same = false;
        }
    }

    fn string(&mut self, text: &str) {
        if !self.same {
            // A difference was found already: nothing more to compare, or to escape.
            return;
        }
        // The expected JSON is valid (the record was parsed) and matched up to here, so a value or a key starts
        // at `at`. If it is `"text"` and `text` needs no escape, serde_json writes it unescaped, as `"text"`, the
        // same bytes. (And `"text"` is then a whole string token of the expected JSON, as no `"` or `\` is in it.)
        let end = self.at + 1 + text.len();
        if self.expected.get(self.at) == Some(&b'"')
            && self.expected.get(end) == Some(&b'"')
            && self
                .expected
                .get(self.at + 1..end)
                .is_some_and(|expected| same_bytes(expected, text.as_bytes()))
            && !needs_escape(text.as_bytes())
        {
            self.at = end + 1;
        } else {
            write_string(text, self);
        }
    }
}

/// A column as the kind of array its shape reads.
enum Typed<'a> {
    Text(Strings<'a>),
    JsonText(Strings<'a>),
    Time(&'a PrimitiveArray<TimestampMicrosecondType>),
    Bool(&'a BooleanArray),
    Payload {
        map: &'a MapArray,
        keys: Strings<'a>,
        values: Strings<'a>,
    },
    Struct {
        array: &'a StructArray,
        fields: Vec<Field<'a>>,
    },
    List {
        list: &'a ListArray,
        item: Box<Typed<'a>>,
    },
}

/// A string column of any of Arrow's string types.
#[derive(Clone, Copy)]
enum Strings<'a> {
    Utf8(&'a StringArray),
    Large(&'a LargeStringArray),
    View(&'a StringViewArray),
}

impl<'a> Strings<'a> {
    fn of(array: &'a dyn Array) -> Result<Self, RebuildError> {
        Ok(match array.data_type() {
            DataType::Utf8 => Strings::Utf8(array.as_string::<i32>()),
            DataType::LargeUtf8 => Strings::Large(array.as_string::<i64>()),
            DataType::Utf8View => Strings::View(array.as_string_view()),
            other => return Err(unfit(format!("not a string column: {other}"))),
        })
    }

    fn len(&self) -> usize {
        match self {
            Strings::Utf8(a) => a.len(),
            Strings::Large(a) => a.len(),
            Strings::View(a) => a.len(),
        }
    }

    fn is_null(&self, row: usize) -> bool {
        match self {
            Strings::Utf8(a) => a.is_null(row),
            Strings::Large(a) => a.is_null(row),
            Strings::View(a) => a.is_null(row),
        }
    }

    /// The text at `row`, `None` if null.
    fn get(&self, row: usize) -> Option<&'a str> {
        (!self.is_null(row)).then(|| match self {
            Strings::Utf8(a) => a.value(row),
            Strings::Large(a) => a.value(row),
            Strings::View(a) => a.value(row),
        })
    }
}

impl<'a> Typed<'a> {
    fn of(shape: &'static Shape, array: &'a dyn Array) -> Result<Self, RebuildError> {
        Ok(match shape {
            Shape::Text => Typed::Text(Strings::of(array)?),
            Shape::JsonText => Typed::JsonText(Strings::of(array)?),
            Shape::Bool => Typed::Bool(
                array
                    .as_boolean_opt()
                    .ok_or_else(|| unfit("not a boolean column"))?,
            ),
            Shape::Time => match array.data_type() {
                DataType::Timestamp(TimeUnit::Microsecond, _) => {
                    Typed::Time(array.as_primitive::<TimestampMicrosecondType>())
                }
                _ => return Err(unfit("not a microsecond timestamp column")),
            },
            Shape::Payload => {
                let map = array
                    .as_map_opt()
                    .ok_or_else(|| unfit("not a map column"))?;
                Typed::Payload {
                    map,
                    keys: Strings::of(map.keys().as_ref())?,
                    values: Strings::of(map.values().as_ref())?,
                }
            }
            Shape::Struct(fields) => {
                let array = array
                    .as_struct_opt()
                    .ok_or_else(|| unfit("not a struct column"))?;
                Typed::Struct {
                    array,
                    fields: typed_fields(fields, array.columns())?,
                }
            }
            Shape::List(item) => {
                let list = array
                    .as_list_opt::<i32>()
                    .ok_or_else(|| unfit("not a list column"))?;
                Typed::List {
                    list,
                    item: Box::new(Typed::of(item, list.values().as_ref())?),
                }
            }
        })
    }

    fn is_null(&self, row: usize) -> bool {
        match self {
            Typed::Text(a) | Typed::JsonText(a) => a.is_null(row),
            Typed::Time(a) => a.is_null(row),
            Typed::Bool(a) => a.is_null(row),
            Typed::Payload { map, .. } => map.is_null(row),
            Typed::Struct { array, .. } => array.is_null(row),
            Typed::List { list, .. } => list.is_null(row),
        }
    }
}

/// Each field's key and its column (of `columns`, in field order) as its shape reads it.
fn typed_fields<'a>(
    fields: &'static [(&'static str, Shape)],
    columns: &'a [ArrayRef],
) -> Result<Vec<Field<'a>>, RebuildError> {
    fields
        .iter()
        .zip(columns)
        .map(|((key, shape), column)| {
            Typed::of(shape, column.as_ref())
                .map(|column| Field {
                    key,
                    member: format!("\"{key}\":"),
                    column,
                })
                .map_err(|e| unfit(format!("{key}: {}", e.0)))
        })
        .collect()
}

/// The `eventjson` column for stored values `stored`: records stored whole (starting with `{`) as they are,
/// layouts written out from `columns` (one array per [`record_fields`] entry).
pub fn rebuild_event_json(
    stored: &dyn Array,
    columns: &[ArrayRef],
) -> Result<StringArray, RebuildError> {
    let mut builder = StringBuilder::with_capacity(stored.len(), stored.len() * 1024);
    let mut json = String::with_capacity(4096);
    let stored = Strings::of(stored)?;
    let mut view = None;
    for row in 0..stored.len() {
        match stored.get(row) {
            None => builder.append_null(),
            Some(text) if text.starts_with('{') => builder.append_value(text),
            Some(layout) => {
                json.clear();
                let view = match &mut view {
                    Some(view) => view,
                    None => view.insert(RecordView::new(columns)?),
                };
                view.write(layout, row, &mut json)?;
                builder.append_value(&json);
            }
        }
    }
    Ok(builder.finish())
}

/// The `eventjsonchecksum` column: the stored checksum where there is one (stores written before layouts), else
/// the hex SHA-256 of the record's JSON (`json`, as [`rebuild_event_json`] gives it).
pub fn event_json_checksum(
    stored: &dyn Array,
    json: &dyn Array,
) -> Result<StringArray, RebuildError> {
    use sha2::{Digest, Sha256};
    let mut builder = StringBuilder::with_capacity(json.len(), json.len() * 64);
    let mut hex = [0u8; 64];
    for row in 0..json.len() {
        match (string_at(stored, row)?, string_at(json, row)?) {
            (Some(checksum), _) if !checksum.is_empty() => builder.append_value(checksum),
            (_, Some(text)) => {
                // A 32-byte digest always fits 64 hex digits.
                let _ = hex::encode_to_slice(Sha256::digest(text.as_bytes()), &mut hex);
                builder.append_value(std::str::from_utf8(&hex).unwrap_or_default());
            }
            (_, None) => builder.append_null(),
        }
    }
    Ok(builder.finish())
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn require(&mut self, byte: u8) -> Result<(), RebuildError> {
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(unfit(format!(
                "expected '{}' at byte {}",
                byte as char, self.at
            )))
        }
    }
}

/// Writes the object at `row` of `fields` (its fields' keys and columns), reading its keys from `cursor` up to the
/// end of the layout or the `)` that closes it.
fn write_object(
    cursor: &mut Cursor<'_>,
    fields: &[Field<'_>],
    row: usize,
    out: &mut impl JsonOut,
) -> Result<(), RebuildError> {
    out.byte(b'{');
    let mut first = true;
    while let Some(mut code) = cursor.peek() {
        if code == b')' {
            break;
        }
        cursor.at += 1;
        let null = code == NULL_MARK;
        if null {
            code = cursor
                .peek()
                .ok_or_else(|| unfit("layout ends after a null mark"))?;
            cursor.at += 1;
        }
        let position = match POSITIONS[usize::from(code)] {
            u8::MAX => return Err(unfit(format!("unknown key code '{}'", code as char))),
            position => usize::from(position),
        };
        let field = fields
            .get(position)
            .ok_or_else(|| unfit(format!("key code '{}' past the fields", code as char)))?;
        if !first {
            out.byte(b',');
        }
        first = false;
        out.raw(&field.member);
        if null {
            out.raw("null");
        } else {
            write_value(cursor, &field.column, row, out)
                .map_err(|e| unfit(format!("{}: {}", field.key, e.0)))?;
        }
    }
    out.byte(b'}');
    Ok(())
}

fn write_value(
    cursor: &mut Cursor<'_>,
    column: &Typed<'_>,
    row: usize,
    out: &mut impl JsonOut,
) -> Result<(), RebuildError> {
    if column.is_null(row) {
        return Err(unfit("null where the layout has a value"));
    }
    match column {
        Typed::Text(texts) => out.string(texts.get(row).unwrap_or_default()),
        Typed::JsonText(texts) => write_text_value(texts.get(row).unwrap_or_default(), out),
        Typed::Bool(values) => out.raw(if values.value(row) { "true" } else { "false" }),
        Typed::Time(times) => write_time(times.value(row), out)?,
        Typed::Payload { map, keys, values } => {
            let offsets = map.value_offsets();
            let (start, end) = (offsets[row] as usize, offsets[row + 1] as usize);
            out.byte(b'{');
            for index in start..end {
                if index > start {
                    out.byte(b',');
                }
                out.string(keys.get(index).unwrap_or_default());
                out.byte(b':');
                match values.get(index) {
                    Some(value) => write_text_value(value, out),
                    None => out.raw("null"),
                }
            }
            out.byte(b'}');
        }
        Typed::Struct { fields, .. } => {
            cursor.require(b'(')?;
            write_object(cursor, fields, row, out)?;
            cursor.require(b')')?;
        }
        Typed::List { list, item } => {
            let offsets = list.value_offsets();
            let (start, end) = (offsets[row] as usize, offsets[row + 1] as usize);
            cursor.require(b'[')?;
            out.byte(b'[');
            for (n, index) in (start..end).enumerate() {
                if n > 0 {
                    out.byte(b',');
                }
                write_value(cursor, item, index, out)?;
            }
            out.byte(b']');
            cursor.require(b']')?;
        }
    }
    Ok(())
}

fn write_time(micros: i64, out: &mut impl JsonOut) -> Result<(), RebuildError> {
    let time = chrono::DateTime::from_timestamp_micros(micros)
        .filter(|t| (0..=9999).contains(&t.year()))
        .ok_or_else(|| unfit(format!("time out of range: {micros}")))?;
    let fraction = micros.rem_euclid(1_000_000);
    // `"YYYY-MM-DDTHH:MM:SS.ffffffZ"` at most: 29 bytes.
    let mut buf = [0u8; 32];
    let mut len = 0;
    buf[0] = b'"';
    len += 1;
    let mut digits = |value: u32, width: usize, after: u8| {
        let mut v = value;
        for slot in buf[len..len + width].iter_mut().rev() {
            *slot = b'0' + (v % 10) as u8;
            v /= 10;
        }
        buf[len + width] = after;
        len += width + 1;
    };
    // A year in 0..=9999 has four digits.
    digits(time.year().unsigned_abs(), 4, b'-');
    digits(time.month(), 2, b'-');
    digits(time.day(), 2, b'T');
    digits(time.hour(), 2, b':');
    digits(time.minute(), 2, b':');
    if fraction == 0 {
        digits(time.second(), 2, b'Z');
    } else if fraction % 1_000 == 0 {
        digits(time.second(), 2, b'.');
        digits((fraction / 1_000) as u32, 3, b'Z');
    } else {
        digits(time.second(), 2, b'.');
        digits(fraction as u32, 6, b'Z');
    }
    buf[len] = b'"';
    len += 1;
    // Digits and ASCII punctuation only.
    out.raw(std::str::from_utf8(&buf[..len]).unwrap_or_default());
    Ok(())
}

/// A value kept as text: as it is when it reads as JSON other than a string, else as a string.
fn write_text_value(text: &str, out: &mut impl JsonOut) {
    if written_raw(text) {
        out.raw(text);
    } else {
        out.string(text);
    }
}

/// Whether a value kept as text is written as it is (it reads as JSON other than a string), not as a string.
pub(crate) fn written_raw(text: &str) -> bool {
    text.starts_with(['{', '[']) || text == "true" || text == "false" || is_json_number(text)
}

/// Whether `quoted` (a JSON string, quotes included) is exactly how the time `micros` is written.
pub(crate) fn time_written_as(micros: i64, quoted: &str) -> bool {
    let mut compare = Compare {
        expected: quoted.as_bytes(),
        at: 0,
        same: true,
    };
    write_time(micros, &mut compare).is_ok() && compare.same && compare.at == quoted.len()
}

/// Whether `text` is a JSON number as written (`-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`).
fn is_json_number(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            digits(&mut i);
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// The bytes a JSON string escapes: control characters, `"` and `\\`.
static NEEDS_ESCAPE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// Writes `text` as a JSON string, escaped as serde_json escapes it.
fn write_string(text: &str, out: &mut (impl JsonOut + ?Sized)) {
    out.raw("\"");
    let bytes = text.as_bytes();
    let mut plain = 0;
    let mut i = 0;
    // Every byte that needs an escape is ASCII, so cutting the text at one keeps it UTF-8.
    while i < bytes.len() {
        // Eight bytes at a time while none of them needs an escape (most text).
        let word = bytes
            .get(i..i + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            .map(u64::from_le_bytes);
        if word.is_some_and(|w| !word_needs_escape(w)) {
            i += 8;
            continue;
        }
        let b = bytes[i];
        i += 1;
        if !NEEDS_ESCAPE[usize::from(b)] {
            continue;
        }
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            _ => "",
        };
        out.raw(&text[plain..i - 1]);
        if escape.is_empty() {
            let mut unicode = String::with_capacity(6);
            let _ = write!(unicode, "\\u{b:04x}");
            out.raw(&unicode);
        } else {
            out.raw(escape);
        }
        plain = i;
    }
    out.raw(&text[plain..]);
    out.raw("\"");
}

/// Whether `a` and `b` (of the same length) are equal, compared a word at a time in line: most compared pieces
/// are short keys and values, where a call to `memcmp` costs more than the comparing.
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], at: usize| {
        s.get(at..at + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            .map(u64::from_le_bytes)
    };
    if n < 8 {
        let half = |s: &[u8], at: usize| {
            s.get(at..at + 4)
                .and_then(|w| <[u8; 4]>::try_from(w).ok())
                .map(u32::from_le_bytes)
        };
        return if n >= 4 {
            half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4)
        } else {
            a.iter().zip(b).all(|(x, y)| x == y)
        };
    }
    let mut at = 0;
    while at + 8 <= n {
        if word(a, at) != word(b, at) {
            return false;
        }
        at += 8;
    }
    // The last, partial word, read as the last eight bytes.
    at == n || word(a, n - 8) == word(b, n - 8)
}

/// Whether any byte of `bytes` needs an escape in a JSON string (a control character, `"` or `\\`).
#[inline]
fn needs_escape(bytes: &[u8]) -> bool {
    let mut words = bytes.chunks_exact(8);
    for w in words.by_ref() {
        if <[u8; 8]>::try_from(w).is_ok_and(|w| word_needs_escape(u64::from_le_bytes(w))) {
            return true;
        }
    }
    words
        .remainder()
        .iter()
        .any(|&b| NEEDS_ESCAPE[usize::from(b)])
}

/// Whether any of the eight bytes of `word` needs an escape: below 0x20, `"` or `\\` (exact, by the usual
/// "has a zero byte" and "has a byte less than" tricks).
fn word_needs_escape(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
    (has_zero(word ^ (ONES * u64::from(b'"')))
        | has_zero(word ^ (ONES * u64::from(b'\\')))
        | below_space)
        != 0
}

/// The text at `row` of a string column of any of Arrow's string types.
fn string_at(array: &dyn Array, row: usize) -> Result<Option<&str>, RebuildError> {
    if array.is_null(row) {
        return Ok(None);
    }
    Ok(Some(match array.data_type() {
        DataType::Utf8 => array.as_string::<i32>().value(row),
        DataType::LargeUtf8 => array.as_string::<i64>().value(row),
        DataType::Utf8View => array.as_string_view().value(row),
        other => return Err(unfit(format!("not a string column: {other}"))),
    }))
}

/// The fields of the record as `Arc`s, for callers that hold a batch.
pub fn record_columns(batch: &arrow::array::RecordBatch) -> Result<Vec<ArrayRef>, RebuildError> {
    Record::fields()
        .iter()
        .map(|f| {
            batch
                .column_by_name(f.name())
                .cloned()
                .ok_or_else(|| unfit(format!("no {} column", f.name())))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_escape_as_serde_json_does() {
        for text in [
            "plain",
            "q\"b\\s",
            "nl\ncr\rtab\t",
            "\u{1}\u{8}\u{c}\u{1f}",
            "é/ü",
            "",
        ] {
            let mut out = String::new();
            write_string(text, &mut out);
            assert_eq!(out, serde_json::to_string(text).expect("json"), "{text:?}");
        }
        // Every ASCII character and a few wider ones, at every position of eight-byte words (the fast path
        // skips a word only if none of its bytes needs an escape), beside others or alone.
        let wide = ['é', '€', '😀', '\u{7f}', '\u{80}'];
        for c in (0u8..0x80).map(char::from).chain(wide) {
            for at in 0..20 {
                for pad in ['a', '"', '\u{1}'] {
                    let mut text: String = std::iter::repeat_n(pad, 24).collect();
                    text.insert(at, c);
                    let mut out = String::new();
                    write_string(&text, &mut out);
                    assert_eq!(out, serde_json::to_string(&text).expect("json"), "{text:?}");
                }
            }
        }
    }

    #[test]
    fn bytes_compare_as_slices_do() {
        let text = b"0123456789abcdefghijklmnopqrstuvwxyz";
        for len in 0..=text.len() {
            let a = &text[..len];
            assert!(same_bytes(a, a), "{len}");
            for at in 0..len {
                let mut b = a.to_vec();
                b[at] ^= 0x20;
                assert!(!same_bytes(a, &b), "{len} at {at}");
            }
            if len > 0 {
                assert!(!same_bytes(a, &text[..len - 1]), "{len}");
            }
        }
    }

    #[test]
    fn strings_compare_as_they_would_be_written() {
        let texts = [
            "plain",
            "q\"b\\s",
            "a\\",
            "nl\n",
            "\u{1}",
            "é/ü",
            "",
            "\"",
            "a\",\"b\":\"c",
        ];
        let compare = |text: &str, expected: &str| {
            let mut compare = Compare {
                expected: expected.as_bytes(),
                at: 0,
                same: true,
            };
            compare.string(text);
            compare.same && compare.at == expected.len()
        };
        for text in texts {
            for other in texts {
                // Within a valid JSON value, as the compared records are.
                let expected = serde_json::to_string(other).expect("json");
                assert_eq!(
                    compare(text, &expected),
                    text == other,
                    "{text:?} against {expected}"
                );
            }
            // Followed by more JSON, as a value inside a record is.
            let expected = format!("{},\"next\":1", serde_json::to_string(text).expect("json"));
            let mut partial = Compare {
                expected: expected.as_bytes(),
                at: 0,
                same: true,
            };
            partial.string(text);
            assert!(partial.same, "{text:?}");
            partial.raw(",\"next\":1");
            assert!(partial.same && partial.at == expected.len(), "{text:?}");
        }
        // `\/` and `\u00e9` are valid JSON that serde_json does not write.
        assert!(!compare("a/b", r#""a\/b""#));
        assert!(!compare("é", r#""\u00e9""#));
        assert!(compare("é", "\"é\""));
    }

    #[test]
    fn times_are_written_with_the_fraction_they_need() {
        use arrow::array::TimestampMicrosecondArray;
        let times = TimestampMicrosecondArray::from(vec![
            1_714_564_800_000_000,
            1_714_564_800_250_000,
            1_714_564_800_000_001,
            -1_000_000,
        ])
        .with_timezone("UTC");
        let written: Vec<String> = (0..times.len())
            .map(|row| {
                let mut out = String::new();
                write_time(times.value(row), &mut out).expect("time");
                out
            })
            .collect();
        assert_eq!(
            written,
            [
                "\"2024-05-01T12:00:00Z\"",
                "\"2024-05-01T12:00:00.250Z\"",
                "\"2024-05-01T12:00:00.000001Z\"",
                "\"1969-12-31T23:59:59Z\"",
            ]
        );
    }

    #[test]
    fn numbers_are_recognised_as_json_spells_them() {
        for yes in ["0", "-1", "12", "1.5", "1e9", "-0.25E-3"] {
            assert!(is_json_number(yes), "{yes}");
        }
        for no in ["", "-", "01", "1.", ".5", "1e", "+1", "12a", "0x1", "NaN"] {
            assert!(!is_json_number(no), "{no}");
        }
    }
}
