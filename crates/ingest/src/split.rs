//! Cutting a chunk of input into records.
//!
//! A trail log file as CloudTrail writes it, `{"Records":[…]}`, is cut one record at a time by [`TrailCutter`]: by
//! its structure alone (strings, brackets, commas), each record's JSON checked as it is decoded, and a record that is
//! not valid JSON sends the file back to [`split_checked`], which rejects it whole. Every other shape of input, and
//! a trail file the cutter finds laid out otherwise, is cut by serde_json ([`split`]).

use auditlake_schema::{DecodedEvent, decode_compact_event_at, json_string_end};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::input::{Chunk, InputFailure, InputFormat};

/// Cuts a chunk into records with serde_json, or says why the chunk as a whole cannot be read. A chunk taken for a
/// trail log file from its first bytes alone that is not one as CloudTrail writes it (`{"Records":null}`, a
/// repeated key) has its layout decided from a parse, as for any other input.
pub(crate) fn split(chunk: &Chunk) -> Result<Vec<RecordText<'_>>, InputFailure> {
    let format = match chunk.format {
        InputFormat::Trail if chunk.guessed => crate::input::detect(&chunk.text),
        format => format,
    };
    split_as(chunk, format)
}

/// The records of a trail log file laid out exactly as `{"Records":[…]}` (with any JSON whitespace), cut one at a
/// time: a record as CloudTrail writes it is decoded as it is cut, by the decoder written for such records, in one
/// pass over its text; any other is cut by its strings and brackets, to be decoded as usual. The file's own layout
/// is checked as the records are cut, so a file laid out otherwise is found only at the record where it departs:
/// its records cut before then must be dropped, and the file cut by [`split`].
pub(crate) struct TrailCutter<'a> {
    chunk: &'a Chunk,
    at: usize,
    line: usize,
    index: usize,
    done: bool,
}

/// A chunk that turned out not to be laid out as a trail log file as CloudTrail writes it.
#[derive(Debug)]
pub(crate) struct NotTrail;

impl<'a> TrailCutter<'a> {
    /// A cutter for `chunk` if it is a trail log file and starts as one.
    pub fn new(chunk: &'a Chunk) -> Option<Self> {
        if chunk.format != InputFormat::Trail {
            return None;
        }
        let bytes = chunk.text.as_bytes();
        let mut i = skip_token(bytes, 0, b"{")?;
        i = skip_token(bytes, i, b"\"Records\"")?;
        i = skip_token(bytes, i, b":")?;
        i = skip_token(bytes, i, b"[")?;
        let line = chunk.first_line + memchr::memchr_iter(b'\n', &bytes[..i]).count();
        let mut cutter = TrailCutter {
            chunk,
            at: i,
            line,
            index: chunk.first_index,
            done: false,
        };
        if bytes.get(i) == Some(&b']') {
            cutter.at = i + 1;
            cutter.done = true;
        }
        Some(cutter)
    }

    /// The next record, `Ok(None)` after the last one of a file laid out as `{"Records":[…]}`, or `Err` where the
    /// file departs from that layout.
    pub fn next_record(&mut self) -> Result<Option<RecordText<'a>>, NotTrail> {
        let text = self.chunk.text.as_str();
        let bytes = text.as_bytes();
        if self.done {
            let end = skip_token(bytes, self.at, b"}").ok_or(NotTrail)?;
            return if end == bytes.len() {
                self.at = end;
                Ok(None)
            } else {
                Err(NotTrail)
            };
        }
        let start = self.at;
        let (end, compact, decoded) = match decode_compact_event_at(text, start) {
            Some((event, end)) => (end, true, Some(event)),
            None => {
                let (end, compact) = value_end(bytes, start).ok_or(NotTrail)?;
                (end, compact, None)
            }
        };
        let record = RecordText {
            text: text.get(start..end).ok_or(NotTrail)?,
            line: self.line,
            index: self.index,
            compact,
            decoded,
        };
        if !compact {
            self.line += memchr::memchr_iter(b'\n', record.text.as_bytes()).count();
        }
        let mut i = skip_whitespace(bytes, end);
        match bytes.get(i) {
            Some(b',') => i = skip_whitespace(bytes, i + 1),
            Some(b']') => {
                i += 1;
                self.done = true;
            }
            _ => return Err(NotTrail),
        }
        self.line += memchr::memchr_iter(b'\n', &bytes[end..i]).count();
        self.at = i;
        self.index += 1;
        Ok(Some(record))
    }
}

/// After whitespace at `at`, `token` and whitespace: the index past them.
fn skip_token(bytes: &[u8], at: usize, token: &[u8]) -> Option<usize> {
    let start = skip_whitespace(bytes, at);
    let end = start + token.len();
    (bytes.get(start..end)? == token).then(|| skip_whitespace(bytes, end))
}

/// The index of the first byte at or after `at` that is not JSON whitespace.
fn skip_whitespace(bytes: &[u8], mut at: usize) -> usize {
    while matches!(bytes.get(at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        at += 1;
    }
    at
}

/// The index just past the value starting at `start`, judged by brackets and strings only, and whether the value
/// is compact (no whitespace outside strings); `None` if it does not end. A bracket of the wrong kind is left for
/// the record's own parse to find.
fn value_end(bytes: &[u8], start: usize) -> Option<(usize, bool)> {
    match bytes.get(start)? {
        b'"' => json_string_end(bytes, start + 1).map(|end| (end, true)),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut compact = true;
            let mut i = start;
            loop {
                match bytes.get(i)? {
                    b'"' => {
                        i = json_string_end(bytes, i + 1)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some((i + 1, compact));
                        }
                    }
                    // Whatever `compact_json` removes (a form feed too, which is no JSON: the parse refuses it).
                    b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' => compact = false,
                    _ => {}
                }
                i += 1;
            }
        }
        _ => {
            // A number or a literal: the record's parse says whether it is one.
            let len = bytes[start..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.'))
                .count();
            (len > 0).then_some((start + len, true))
        }
    }
}

#[derive(Deserialize)]
struct TrailFile<'a> {
    #[serde(borrow, rename = "Records")]
    records: Option<Vec<&'a RawValue>>,
}

/// One record's text and where it stands in its input.
#[derive(Debug, Clone)]
pub(crate) struct RecordText<'a> {
    pub text: &'a str,
    pub line: usize,
    pub index: usize,
    /// Known to have no whitespace outside strings: the text is stored as it is.
    pub compact: bool,
    /// The record's event, when it was decoded as it was cut.
    pub decoded: Option<DecodedEvent<'a>>,
}

/// Cuts a chunk into records with serde_json, which checks the JSON of the whole chunk, or says why the chunk as a
/// whole cannot be read.
pub(crate) fn split_checked(chunk: &Chunk) -> Result<Vec<RecordText<'_>>, InputFailure> {
    split_as(chunk, chunk.format)
}

/// [`split_checked`] with the chunk's text taken to be laid out as `format`.
fn split_as(chunk: &Chunk, format: InputFormat) -> Result<Vec<RecordText<'_>>, InputFailure> {
    let text = chunk.text.as_str();
    let fail = |e: serde_json::Error, what: &str| InputFailure {
        source: chunk.source.clone(),
        line: Some(chunk.first_line + e.line().saturating_sub(1)),
        reason: format!("not a valid {what}: {e}; no record of this file was ingested"),
    };
    let raws: Vec<&RawValue> = match format {
        InputFormat::JsonLines | InputFormat::Auto => {
            let mut out = Vec::new();
            let mut index = chunk.first_index;
            for (i, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                // A line holding a whole trail log file gives its records; their index is their
                // position in that line's `Records`.
                if line.trim_start().starts_with("{\"Records\"")
                    && let Ok(TrailFile {
                        records: Some(records),
                    }) = serde_json::from_str::<TrailFile<'_>>(line)
                {
                    for (position, raw) in records.into_iter().enumerate() {
                        out.push(RecordText {
                            text: raw.get(),
                            line: chunk.first_line + i,
                            index: position + 1,
                            compact: false,
                            decoded: None,
                        });
                    }
                } else {
                    out.push(RecordText {
                        text: line,
                        line: chunk.first_line + i,
                        index,
                        compact: false,
                        decoded: None,
                    });
                }
                index += 1;
            }
            return Ok(out);
        }
        InputFormat::Object => {
            vec![serde_json::from_str::<&RawValue>(text).map_err(|e| fail(e, "JSON record"))?]
        }
        InputFormat::Array => serde_json::from_str::<Vec<&RawValue>>(text)
            .map_err(|e| fail(e, "JSON array of records"))?,
        InputFormat::Trail => serde_json::from_str::<TrailFile<'_>>(text)
            .map_err(|e| fail(e, "CloudTrail log file"))?
            .records
            .ok_or_else(|| InputFailure {
                source: chunk.source.clone(),
                line: None,
                reason: "not a CloudTrail log file: no \"Records\" list".into(),
            })?,
    };
    Ok(positioned(
        chunk,
        raws.into_iter().map(|raw| (raw.get(), false)).collect(),
    ))
}

/// Records cut from `chunk.text` (with whether each is known to be compact), with their line (counted from each
/// record's position in the text) and index.
fn positioned<'a>(chunk: &'a Chunk, records: Vec<(&'a str, bool)>) -> Vec<RecordText<'a>> {
    let text = chunk.text.as_str();
    let mut out = Vec::with_capacity(records.len());
    let (mut offset, mut line) = (0usize, chunk.first_line);
    for (i, (record, compact)) in records.into_iter().enumerate() {
        let start = (record.as_ptr() as usize)
            .saturating_sub(text.as_ptr() as usize)
            .min(text.len());
        line += memchr::memchr_iter(b'\n', &text.as_bytes()[offset.min(start)..start]).count();
        offset = start;
        out.push(RecordText {
            text: record,
            line,
            index: chunk.first_index + i,
            compact,
            decoded: None,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;

    /// What serde_json finds as the records of `text`, if it is a valid trail log file.
    fn by_serde(text: &str) -> Option<Vec<&str>> {
        serde_json::from_str::<TrailFile<'_>>(text)
            .ok()?
            .records
            .map(|raws| raws.into_iter().map(RawValue::get).collect())
    }

    #[test]
    fn cuts_trail_files_where_serde_json_does() {
        let texts = [
            r#"{"Records":[]}"#,
            r#"{"Records":[{"a":1}]}"#,
            " \r\n{ \"Records\" :\t[ {\"a\":\"}\"} ,\n{\"b\":[1,{\"c\":\"\\\"]\"}]} ] }\n",
            r#"{"Records":[{"s":"\\"},{"t":"\\\"\\"}]}"#,
            r#"{"Records":[{"long":"a string longer than eight bytes with a quote \" inside it"},{}]}"#,
            r#"{"Records":[12, "text", null, true, [1, 2]]}"#,
            r#"{"Records":[{"e":"é and 😀 ünïcödé"}]}"#,
        ];
        for text in texts {
            let records = cut_one_at_a_time(text).expect("cut by structure");
            let cut: Vec<&str> = records.iter().map(|r| r.0.as_str()).collect();
            assert_eq!(Some(cut), by_serde(text), "{text}");
            for (record, _, _, compact, _) in &records {
                assert_eq!(
                    *compact,
                    matches!(auditlake_schema::compact_json(record), Cow::Borrowed(_)),
                    "{record}"
                );
            }
        }
    }

    fn chunk(text: &str) -> Chunk {
        Chunk {
            source: "t.json".into(),
            text: text.into(),
            format: InputFormat::Trail,
            guessed: false,
            first_line: 3,
            first_index: 5,
            exclude: std::sync::Arc::from([]),
        }
    }

    /// The records the cutter gives, with their lines and indexes, whether each is compact and whether it was
    /// decoded as it was cut; `None` if it finds the text not laid out as a trail log file.
    #[allow(clippy::type_complexity)]
    fn cut_one_at_a_time(text: &str) -> Option<Vec<(String, usize, usize, bool, bool)>> {
        let chunk = chunk(text);
        let mut cutter = TrailCutter::new(&chunk)?;
        let mut out = Vec::new();
        while let Some(r) = cutter.next_record().ok()? {
            out.push((
                r.text.to_owned(),
                r.line,
                r.index,
                r.compact,
                r.decoded.is_some(),
            ));
        }
        Some(out)
    }

    #[test]
    fn cut_one_at_a_time_as_at_once_decoding_records_as_cloudtrail_writes_them() {
        let record = r#"{"eventTime":"2024-05-01T12:00:00Z","eventName":"GetObject"}"#;
        let texts = [
            format!(r#"{{"Records":[{record},{record}]}}"#),
            format!("{{\"Records\":[\n{record},\n{{\"a\": 1}},\n{{\n\"b\":2}},{record}\n]}}\n"),
            format!(
                r#"{{"Records":[{record},{{"eventTime":"2024-05-01T12:00:00Z","eventName":"a\"b"}}]}}"#
            ),
            r#"{"Records":[]}"#.to_owned(),
            " \r\n{ \"Records\" :\t[ {\"a\":\"}\"} ,\n{\"b\":[1,{\"c\":\"\\\"]\"}]} ] }\n"
                .to_owned(),
            r#"{"Records":[12, "text", null, true, [1, 2]]}"#.to_owned(),
        ];
        for text in &texts {
            let chunk = chunk(text);
            let at_once = split(&chunk).expect("split");
            let one_at_a_time = cut_one_at_a_time(text).expect("a trail file");
            let expected: Vec<(String, usize, usize)> = at_once
                .iter()
                .map(|r| (r.text.to_owned(), r.line, r.index))
                .collect();
            let got: Vec<(String, usize, usize)> = one_at_a_time
                .iter()
                .map(|(t, l, i, _, _)| (t.clone(), *l, *i))
                .collect();
            assert_eq!(got, expected, "{text}");
            // Records as CloudTrail writes them are decoded as they are cut; no other is.
            for (text, _, _, _, decoded) in &one_at_a_time {
                assert_eq!(*decoded, text == record, "{text}");
            }
        }
        let lines: Vec<usize> = cut_one_at_a_time(&texts[1])
            .expect("a trail file")
            .iter()
            .map(|r| r.1)
            .collect();
        assert_eq!(lines, [4, 5, 6, 7]);
    }

    #[test]
    fn other_shapes_are_left_to_serde_json() {
        for text in [
            r#"{"Records":[{"a":1}]"#,
            r#"{"Records":[{"a":1},]}"#,
            r#"{"Records":[{"a":1} {"b":2}]}"#,
            r#"{"Records":[{"a":"open]}"#,
            r#"{"Records":[{"a":1}]}{"Records":[]}"#,
            r#"{"Records":[{"a":1}],"more":1}"#,
            r#"{"records":[{"a":1}]}"#,
            "{\"Records\":[{\"a\":1}]}\u{c}",
            r#"{"Records":[{"a":1}}"#,
            r#"{"Records":{"a":1}}"#,
            r#"{"Records":[{"a":"ends in a backslash\"#,
        ] {
            assert_eq!(cut_one_at_a_time(text), None, "{text}");
        }
    }

    #[test]
    fn a_record_that_is_not_json_is_cut_as_it_stands_for_its_own_parse_to_refuse() {
        let text = r#"{"Records":[{"a":tru},{"b":[1}]]}"#;
        let records = cut_one_at_a_time(text).expect("cut by structure");
        let records: Vec<&str> = records.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(records, [r#"{"a":tru}"#, r#"{"b":[1}]"#]);
        assert!(by_serde(text).is_none());
        assert!(
            records
                .iter()
                .all(|r| serde_json::from_str::<serde::de::IgnoredAny>(r).is_err())
        );
    }
}
