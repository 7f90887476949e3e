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
            let end = json_string_end(bytes, i + 1).unwrap_or(bytes.len());
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
            i = json_string_end(bytes, i + 1).unwrap_or(bytes.len());
        } else if b.is_ascii_whitespace() {
            return Some(i);
        } else {
            i += 1;
        }
    }
    None
}

/// The index just past the quote closing the string whose contents start at `start`; `None` if it is not closed.
/// Most strings in a record are short: it looks at the first sixteen bytes eight at a time, and searches further
/// with memchr.
pub fn json_string_end(bytes: &[u8], mut start: usize) -> Option<usize> {
    loop {
        let mut words = 0;
        while let Some(word) = bytes.get(start..start + 8) {
            let mut eight = [0u8; 8];
            eight.copy_from_slice(word);
            let flags = quote_or_backslash(u64::from_le_bytes(eight));
            if flags != 0 {
                // The lowest flag marks the first match exactly (a false flag can only follow a true one).
                let at = start + (flags.trailing_zeros() / 8) as usize;
                if bytes[at] == b'"' {
                    return Some(at + 1);
                }
                start = at + 2;
                words = 0;
                continue;
            }
            start += 8;
            words += 1;
            if words == 2 {
                break;
            }
        }
        let rest = bytes.get(start..)?;
        match memchr::memchr2(b'"', b'\\', rest) {
            Some(j) if rest[j] == b'"' => return Some(start + j + 1),
            Some(j) => start += j + 2,
            None => return None,
        }
    }
}

/// The high bit of each byte of `word` that is `"` or `\\` set, and perhaps of bytes after the first such one.
fn quote_or_backslash(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let zero_bytes = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    zero_bytes(word ^ (ONES * u64::from(b'"'))) | zero_bytes(word ^ (ONES * u64::from(b'\\')))
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

    #[test]
    fn finds_the_closing_quote_wherever_quotes_and_escapes_fall() {
        // One byte at a time, as the definition says.
        fn plain(bytes: &[u8], mut i: usize) -> Option<usize> {
            loop {
                match bytes.get(i)? {
                    b'"' => return Some(i + 1),
                    b'\\' => i += 2,
                    _ => i += 1,
                }
            }
        }
        let pieces: [&[u8]; 7] = [
            b"\\\"",
            b"\\\\",
            b"\"",
            b"\\",
            b"\xc3\xa9",
            b"\x01",
            b"abcdefg",
        ];
        for len in 0..20 {
            for piece in pieces {
                for at in 0..=len {
                    let mut text = vec![b'x'; len];
                    text.splice(at..at, piece.iter().copied());
                    for tail in [&b""[..], b"\"", b"\"rest of the text\"", b"\\"] {
                        let mut bytes = text.clone();
                        bytes.extend_from_slice(tail);
                        for start in 0..bytes.len().min(3) {
                            assert_eq!(
                                json_string_end(&bytes, start),
                                plain(&bytes, start),
                                "{:?} from {start}",
                                String::from_utf8_lossy(&bytes)
                            );
                        }
                    }
                }
            }
        }
    }
}
