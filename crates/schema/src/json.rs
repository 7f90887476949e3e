use std::borrow::Cow;

/// Removes the whitespace outside strings from JSON text, keeping everything else byte for byte
/// (key order, number spelling, escapes). Borrows when there is nothing to remove.
pub fn compact_json(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let first = match first_removable(bytes) {
        Some(i) => i,
        None => return Cow::Borrowed(text),
    };
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&bytes[..first]);
    let (mut in_string, mut escaped) = (false, false);
    for &b in &bytes[first..] {
        if in_string {
            out.push(b);
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if !b.is_ascii_whitespace() {
            if b == b'"' {
                in_string = true;
            }
            out.push(b);
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
    let (mut in_string, mut escaped) = (false, false);
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
        } else if b.is_ascii_whitespace() {
            return Some(i);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_strings_and_drops_layout() {
        let text = "{ \"a\" : [1, 2],\n  \"b\": \"x y \\\" z\" }";
        assert_eq!(compact_json(text), "{\"a\":[1,2],\"b\":\"x y \\\" z\"}");
        assert!(matches!(compact_json("{\"a\":1}"), Cow::Borrowed(_)));
    }
}
