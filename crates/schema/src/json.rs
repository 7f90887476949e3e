use std::borrow::Cow;

/// Removes the whitespace outside strings from JSON text, keeping everything else byte for byte
/// (key order, number spelling, escapes). Borrows when there is nothing to remove.
pub fn compact_json(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let Some(first) = first_removable(bytes) else {
        return Cow::Borrowed(text);
    };
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&bytes[..first]);
    let mut i = first;
    while let Some(&b) = bytes.get(i) {
        if b == b'"' {
            let end = string_end(bytes, i + 1);
            out.extend_from_slice(&bytes[i..end]);
            i = end;
        } else {
            if !b.is_ascii_whitespace() {
                out.push(b);
            }
            i += 1;
        }
    }
    // Only ASCII whitespace outside strings was removed, so the bytes are still UTF-8.
    Cow::Owned(
        String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
    )
}

/// Index of the first whitespace byte outside a string, if any.
fn first_removable(bytes: &[u8]) -> Option<usize> {
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'"' {
            i = string_end(bytes, i + 1);
        } else if b.is_ascii_whitespace() {
            return Some(i);
        } else {
            i += 1;
        }
    }
    None
}

/// The index just past the quote that closes the string whose contents start at `start` (the end of `bytes` if
/// it is not closed). Jumps from quote or backslash to the next with memchr.
fn string_end(bytes: &[u8], mut start: usize) -> usize {
    while let Some(rest) = bytes.get(start..) {
        match memchr::memchr2(b'"', b'\\', rest) {
            Some(j) if rest[j] == b'"' => return start + j + 1,
            Some(j) => start += j + 2,
            None => break,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_strings_and_drops_layout() {
        let text = "{ \"a\" : [1, 2],\n  \"b\": \"x y \\\" z\" }";
        assert_eq!(compact_json(text), "{\"a\":[1,2],\"b\":\"x y \\\" z\"}");
        assert!(matches!(compact_json("{\"a\":1}"), Cow::Borrowed(_)));
        // Escaped quotes and backslashes inside strings, a string at the very end, an unterminated string.
        assert_eq!(
            compact_json(r#"{"k\\": "v\"x" , "e":"\\" }"#),
            r#"{"k\\":"v\"x","e":"\\"}"#
        );
        assert_eq!(compact_json("[1, \"x y"), "[1,\"x y");
        assert_eq!(compact_json("\"a b\""), "\"a b\"");
    }
}
