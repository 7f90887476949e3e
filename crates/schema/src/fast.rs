//! A decoder for records as CloudTrail writes them, beside serde's.
//!
//! It reads compact text (no whitespace outside strings) straight into a [`Record`], field by field in place, and
//! handles only what it is sure to read exactly as the serde decoder does: keys in CloudTrail's casing or in
//! lowercase, strings without escapes or control characters, fields of the type they should have. Anything else
//! (an escape, a key in another casing, a number where text is kept, a payload given as a string, a missing
//! `eventTime`, any syntax error) makes it give up, and the serde decoder reads the record from the start: it has
//! the error messages and the lenient readings. A test holds the two to the same results.

use std::borrow::Cow;

use crate::column::{Bool, JsonText, Payload, Text};
use crate::record::{EventTime, Record};
use crate::time::parse_event_time;

/// Deepest nesting of arrays and objects skipped inside a value (serde_json's own limit is 128).
const MAX_DEPTH: usize = 100;

/// A position in the text of one record.
pub(crate) struct Cursor<'a> {
    text: &'a str,
    at: usize,
    /// Whether everything read so far is written again the same, byte for byte, from the typed fields and the
    /// keys' layout ([`crate::rebuild`]): keys in CloudTrail's casing, each once; times as they are written;
    /// strings kept as text that do not read as other JSON.
    pub(crate) exact: bool,
}

impl<'a> Cursor<'a> {
    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.bytes().get(self.at).copied()
    }

    /// Steps over `byte` if it comes next.
    pub(crate) fn eat(&mut self, byte: u8) -> bool {
        let next = self.peek() == Some(byte);
        self.at += usize::from(next);
        next
    }

    /// Steps over `byte`, which must come next.
    pub(crate) fn require(&mut self, byte: u8) -> Option<()> {
        self.eat(byte).then_some(())
    }

    /// Steps over `word` (`null`, `true`, `false`), which must come next.
    pub(crate) fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.at + word.len();
        (self.bytes().get(self.at..end)? == word).then(|| self.at = end)
    }

    /// Steps over `null` if it comes next.
    pub(crate) fn null(&mut self) -> bool {
        self.peek() == Some(b'n') && self.literal(b"null").is_some()
    }

    /// The contents of the string that comes next, which must have no escape and no control character.
    pub(crate) fn string(&mut self) -> Option<&'a str> {
        self.require(b'"')?;
        let start = self.at;
        let end = plain_string_end(self.bytes(), start)?;
        self.at = end + 1;
        // The string ends at an ASCII quote, so both ends are character boundaries.
        self.text.get(start..end)
    }

    /// A key and its colon.
    pub(crate) fn key(&mut self) -> Option<&'a str> {
        let key = self.string()?;
        self.require(b':')?;
        Some(key)
    }

    /// Steps over one JSON value of any kind, checking its syntax (strings as [`Self::string`] wants them);
    /// returns its text.
    pub(crate) fn value(&mut self, depth: usize) -> Option<&'a str> {
        let start = self.at;
        match self.peek()? {
            b'"' => {
                self.string()?;
            }
            b'n' => self.literal(b"null")?,
            b't' => self.literal(b"true")?,
            b'f' => self.literal(b"false")?,
            b'-' | b'0'..=b'9' => self.number()?,
            b'[' if depth < MAX_DEPTH => {
                self.at += 1;
                if !self.eat(b']') {
                    loop {
                        self.value(depth + 1)?;
                        if !self.eat(b',') {
                            self.require(b']')?;
                            break;
                        }
                    }
                }
            }
            b'{' if depth < MAX_DEPTH => {
                self.at += 1;
                if !self.eat(b'}') {
                    loop {
                        self.key()?;
                        self.value(depth + 1)?;
                        if !self.eat(b',') {
                            self.require(b'}')?;
                            break;
                        }
                    }
                }
            }
            _ => return None,
        }
        self.text.get(start..self.at)
    }

    /// Steps over a number as JSON spells it: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    fn number(&mut self) -> Option<()> {
        self.eat(b'-');
        match self.peek()? {
            b'0' => self.at += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.eat(b'.') {
            self.peek().filter(u8::is_ascii_digit)?;
            self.digits();
        }
        if self.eat(b'e') || self.eat(b'E') {
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            self.peek().filter(u8::is_ascii_digit)?;
            self.digits();
        }
        Some(())
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
    }
}

/// The index of the quote closing a string whose contents start at `start`; `None` if a backslash or a control
/// character comes first, or nothing closes it. Sixteen bytes at a time (SSE2 on x86-64), so that most strings of a
/// record (15 bytes long on average in generated trail files) take one step: 31% less time than eight bytes at a
/// time with word arithmetic, on the strings of 100 generated files.
fn plain_string_end(bytes: &[u8], mut at: usize) -> Option<usize> {
    use wide::u8x16;
    let (quote, backslash, control) = (u8x16::splat(b'"'), u8x16::splat(b'\\'), u8x16::splat(0x1f));
    while let Some(block) = bytes.get(at..at + 16) {
        let mut sixteen = [0u8; 16];
        sixteen.copy_from_slice(block);
        let v = u8x16::new(sixteen);
        let flags =
            (v.simd_eq(quote) | v.simd_eq(backslash) | v.min(control).simd_eq(v)).to_bitmask();
        if flags != 0 {
            let first = at + flags.trailing_zeros() as usize;
            return (bytes[first] == b'"').then_some(first);
        }
        at += 16;
    }
    let rest = bytes.get(at..)?;
    let i = rest
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
    (rest[i] == b'"').then_some(at + i)
}

/// A value the fast decoder reads into its place in a record.
pub(crate) trait FastDecode<'a>: Sized {
    /// Reads the value at `cursor` into `slot` (`None` for `null`); `None` to give up.
    fn read_into(slot: &mut Option<Self>, cursor: &mut Cursor<'a>) -> Option<()>;
}

impl<'a> FastDecode<'a> for Text<'a> {
    fn read_into(slot: &mut Option<Self>, cursor: &mut Cursor<'a>) -> Option<()> {
        *slot = if cursor.null() {
            None
        } else {
            Some(Text(Cow::Borrowed(cursor.string()?)))
        };
        Some(())
    }
}

impl<'a> FastDecode<'a> for JsonText<'a> {
    fn read_into(slot: &mut Option<Self>, cursor: &mut Cursor<'a>) -> Option<()> {
        *slot = if cursor.null() {
            None
        } else {
            Some(JsonText(Text(Cow::Borrowed(cursor.text_value()?))))
        };
        Some(())
    }
}

impl<'a> Cursor<'a> {
    /// A string kept as text in a column that also keeps other JSON as text: written again as a string only if
    /// it does not read as other JSON.
    fn text_value(&mut self) -> Option<&'a str> {
        let text = self.string()?;
        self.exact &= !crate::rebuild::written_raw(text);
        Some(text)
    }
}

impl FastDecode<'_> for Bool {
    fn read_into(slot: &mut Option<Self>, cursor: &mut Cursor<'_>) -> Option<()> {
        *slot = match cursor.peek()? {
            b'n' => cursor.literal(b"null").map(|()| None)?,
            b't' => cursor.literal(b"true").map(|()| Some(Bool(true)))?,
            b'f' => cursor.literal(b"false").map(|()| Some(Bool(false)))?,
            _ => return None,
        };
        Some(())
    }
}

impl FastDecode<'_> for EventTime {
    fn read_into(slot: &mut Option<Self>, cursor: &mut Cursor<'_>) -> Option<()> {
        if cursor.null() {
            *slot = None;
            return Some(());
        }
        let start = cursor.at;
        let time = parse_event_time(cursor.string()?)?;
        cursor.exact &= cursor
            .text
            .get(start..cursor.at)
            .is_some_and(|quoted| crate::rebuild::time_written_as(time, quoted));
        *slot = Some(EventTime(time));
        Some(())
    }
}

impl<'a> FastDecode<'a> for Payload<'a> {
    fn read_into(slot: &mut Option<Self>, cursor: &mut Cursor<'a>) -> Option<()> {
        if cursor.null() {
            *slot = None;
            return Some(());
        }
        cursor.require(b'{')?;
        let mut entries = Vec::new();
        if !cursor.eat(b'}') {
            loop {
                let key = Text(Cow::Borrowed(cursor.key()?));
                // As serde's reading: strings by their contents, null as none, anything else as its (compact) text.
                let value = match cursor.peek()? {
                    b'"' => Some(cursor.text_value()?),
                    b'n' => cursor.literal(b"null").map(|()| None)?,
                    _ => Some(cursor.value(1)?),
                };
                entries.push((key, value.map(|v| Text(Cow::Borrowed(v)))));
                if !cursor.eat(b',') {
                    cursor.require(b'}')?;
                    break;
                }
            }
        }
        *slot = Some(Payload(entries));
        Some(())
    }
}

impl<'a, T: FastDecode<'a>> FastDecode<'a> for Vec<T> {
    fn read_into(slot: &mut Option<Self>, cursor: &mut Cursor<'a>) -> Option<()> {
        if cursor.null() {
            *slot = None;
            return Some(());
        }
        cursor.require(b'[')?;
        let items = slot.insert(Vec::new());
        if !cursor.eat(b']') {
            loop {
                let mut item = None;
                T::read_into(&mut item, cursor)?;
                // serde refuses a null element of a list of structs.
                items.push(item?);
                if !cursor.eat(b',') {
                    cursor.require(b']')?;
                    break;
                }
            }
        }
        Some(())
    }
}

/// Decodes a compact record as CloudTrail writes it; `None` when the serde decoder must read it (see the module).
/// With it, whether its typed fields and layout write it again byte for byte ([`Cursor::exact`]).
pub(crate) fn decode_record(text: &str) -> Option<(Box<Record<'_>>, bool)> {
    let (record, exact, end) = decode_record_at(text, 0)?;
    (end == text.len()).then_some((record, exact))
}

/// [`decode_record`] for the record that starts at `start` of `text` and ends where its object closes; with the
/// index just past it.
pub(crate) fn decode_record_at(text: &str, start: usize) -> Option<(Box<Record<'_>>, bool, usize)> {
    let mut cursor = Cursor {
        text,
        at: start,
        exact: true,
    };
    let mut record: Box<Record<'_>> = Box::default();
    record.read_fields(&mut cursor)?;
    record.event_time?;
    Some((record, cursor.exact, cursor.at))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use arrow::array::AsArray;

    use super::*;

    /// Decodes `text` both ways: whatever the fast decoder reads, serde must read the same; and a record it takes
    /// to be written again exactly must be, stored as a layout. Whether it read it, and took it to be exact.
    fn read_as_serde_does(text: &str) -> (bool, bool) {
        let Some((fast, exact)) = decode_record(text) else {
            return (false, false);
        };
        let serde: Record<'_> = serde_json::from_str(text)
            .unwrap_or_else(|e| panic!("the fast decoder read what serde refuses ({e}): {text}"));
        assert_eq!(*fast, serde, "{text}");
        if exact && fast.write_fields_layout(&mut String::new()) {
            let mut builder = crate::EventBatchBuilder::with_capacity(1);
            builder.append(crate::decode_compact_event(text).expect("decodes"));
            let batch = builder.finish();
            let stored = batch
                .column_by_name(crate::EVENT_JSON_COLUMN)
                .expect("eventjson");
            let columns = crate::rebuild::record_columns(&batch).expect("columns");
            let read = crate::rebuild::rebuild_event_json(stored, &columns).expect("rebuilt");
            assert!(
                !stored.as_string::<i32>().value(0).starts_with('{'),
                "{text}"
            );
            assert_eq!(read.value(0), text);
        }
        (true, exact)
    }

    /// Every record of the real corpora (../shared/corpora/cloudtrail) as compact text: records as written where a
    /// file holds one per line, else as serde_json writes them out (key order kept).
    fn corpus_records() -> Vec<String> {
        fn collect(value: &serde_json::Value, out: &mut Vec<String>) {
            match value {
                serde_json::Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
                serde_json::Value::Object(map) => match map.get("Records") {
                    Some(records) => collect(records, out),
                    None => out.push(value.to_string()),
                },
                _ => {}
            }
        }
        let mut out = Vec::new();
        let mut folders = vec![
            PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("run by cargo"))
                .join("../../../shared/corpora/cloudtrail"),
        ];
        while let Some(folder) = folders.pop() {
            for path in std::fs::read_dir(&folder)
                .expect("corpus folder")
                .flatten()
                .map(|e| e.path())
            {
                if path.is_dir() {
                    folders.push(path);
                    continue;
                }
                let Some("json" | "jsonl" | "log") = path.extension().and_then(|e| e.to_str())
                else {
                    continue;
                };
                let text = std::fs::read_to_string(&path).expect("corpus file");
                match serde_json::from_str::<serde_json::Value>(&text) {
                    Ok(value) => collect(&value, &mut out),
                    Err(_) => out.extend(
                        text.lines()
                            .filter(|l| l.trim_start().starts_with('{'))
                            .map(|l| crate::compact_json(l).into_owned()),
                    ),
                }
            }
        }
        out
    }

    #[test]
    fn reads_real_records_as_serde_does_or_leaves_them_to_it() {
        let records = corpus_records();
        let outcomes: Vec<(bool, bool)> = records.iter().map(|r| read_as_serde_does(r)).collect();
        let read = outcomes.iter().filter(|o| o.0).count();
        let exact = outcomes.iter().filter(|o| o.1).count();
        assert!(records.len() > 1500, "{} records", records.len());
        // Most real records are as CloudTrail writes them, and most of those are stored as layouts unchecked.
        assert!(read * 2 > records.len(), "{read} of {} read", records.len());
        assert!(exact * 2 > read, "{exact} of {read} exact");
    }

    #[test]
    fn damaged_records_are_read_as_serde_does_or_left_to_it() {
        // Each record damaged a byte at a time, in many places and ways (xorshift: the same cases every run).
        let records = corpus_records();
        let pieces: &[u8] = b"\"\\,:{}[]1-0.eEn \n\x01";
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % bound as u64) as usize
        };
        let (mut tried, mut read, mut exact) = (0, 0, 0);
        for record in records.iter().step_by(3) {
            for _ in 0..60 {
                let mut bytes = record.as_bytes().to_vec();
                let at = next(bytes.len());
                let piece = pieces[next(pieces.len())];
                match next(3) {
                    0 => {
                        bytes.remove(at);
                    }
                    1 => bytes.insert(at, piece),
                    _ => bytes[at] = piece,
                }
                let Ok(text) = String::from_utf8(bytes) else {
                    continue;
                };
                tried += 1;
                let (was_read, was_exact) = read_as_serde_does(&text);
                read += usize::from(was_read);
                exact += usize::from(was_exact);
            }
        }
        // Many damages leave a record readable (inside a string, say): both ways must then agree.
        assert!(read * 10 > tried, "{read} of {tried}");
        assert!(exact * 10 > tried, "{exact} of {tried} exact");
    }

    #[test]
    fn gives_up_on_what_only_serde_reads_right() {
        let time = r#""eventTime":"2024-05-01T12:00:00Z""#;
        for (tail, fast) in [
            ("", true),
            (r#","eventtime":"2024-05-01T12:00:01Z""#, true),
            (r#","eventName":"a","eventName":"b""#, true),
            (r#","unknown":{"a":[1,-2.5e3,true,null,"x"]}"#, true),
            (
                r#","requestParameters":{"a":1,"b":null,"c":"x","d":{"e":[]}}"#,
                true,
            ),
            (r#","resources":[{"ARN":"a"},{}]"#, true),
            (r#","userIdentity":null,"readOnly":true"#, true),
            (r#","EventName":"a""#, false),
            (r#","eventName":"a"b""#, false),
            (r#","eventName":5"#, false),
            (r#","readOnly":"true""#, false),
            (r#","requestParameters":"{}""#, false),
            (r#","resources":[null]"#, false),
            (r#","unknown":01"#, false),
            (r#","unknown":"tab	in a string""#, false),
        ] {
            let text = format!("{{{time}{tail}}}");
            assert_eq!(read_as_serde_does(&text).0, fast, "{text}");
        }
        for text in [
            r#"{"eventName":"no time"}"#,
            r#"{"eventTime":"2024-05-01T12:00:00Z"} "#,
            r#"{"eventTime":"yesterday"}"#,
            r#"{"eventTime":"2024-05-01T12:00:00Z","a":"#,
        ] {
            assert!(!read_as_serde_does(text).0, "{text}");
        }
    }

    #[test]
    fn plain_strings_end_at_their_quote_and_escapes_or_controls_give_up() {
        // Up to 39 bytes: strings ending in the first, second and third block of sixteen, and in the tail.
        for len in 0..40 {
            let body = "é".repeat(len / 2) + &"a".repeat(len % 2);
            let text = format!("{body}\"rest");
            assert_eq!(plain_string_end(text.as_bytes(), 0), Some(body.len()));
            for bad in ["\\", "\u{1}", "\n", "\u{1f}"] {
                for at in 0..=body.len() {
                    if !body.is_char_boundary(at) {
                        continue;
                    }
                    let text = format!("{}{bad}{}\"", &body[..at], &body[at..]);
                    assert_eq!(plain_string_end(text.as_bytes(), 0), None, "{text:?}");
                }
            }
            assert_eq!(plain_string_end(body.as_bytes(), 0), None);
        }
        // Bytes of 0x20 and above, 0x7f among them, are ordinary (the control check is an unsigned comparison).
        assert_eq!(plain_string_end(b"\x21\x20 ~\x7f\"", 0), Some(5));
    }
}
