//! URL functions with Trino semantics (`java.net.URI` parsing, simplified).
//!
//! `url_extract_host` returns the host as written (NULL when the URL has no
//! host), `url_extract_path` the percent-decoded path, and
//! `url_extract_parameter` the raw (not decoded) value of the first query
//! parameter with that name (`''` for `?name` without `=`). A URL with
//! characters `java.net.URI` rejects (spaces, `<`, `>`, `"`, `{`, `}`, `|`,
//! `\`, `^`, `` ` ``) gives NULL.

use std::sync::Arc;

use arrow::array::{ArrayRef, StringBuilder};
use arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature};

use crate::common::{StrArg, check_arity, coerce_str, finish, shape, user_defined};

/// The parts of a URL that the functions need.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct UrlParts<'a> {
    /// The host, without user info and port.
    pub host: Option<&'a str>,
    /// The raw path.
    pub path: &'a str,
    /// The raw query, without `?`.
    pub query: Option<&'a str>,
}

/// Splits `url` into its parts; `None` when it is not a valid URI.
pub(crate) fn parse_url(url: &str) -> Option<UrlParts<'_>> {
    if url
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "<>\"{}|\\^`".contains(c))
    {
        return None;
    }
    let without_fragment = url.split_once('#').map_or(url, |(a, _)| a);
    let (before_query, query) = match without_fragment.split_once('?') {
        Some((a, q)) => (a, Some(q)),
        None => (without_fragment, None),
    };
    let rest = match before_query.split_once(':') {
        Some((scheme, rest))
            if scheme
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
        {
            rest
        }
        _ => before_query,
    };
    let (host, path) = match rest.strip_prefix("//") {
        Some(after) => {
            let end = after.find('/').unwrap_or(after.len());
            let (authority, path) = after.split_at(end);
            let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            let host = if host_port.starts_with('[') {
                host_port.find(']').map(|i| &host_port[..=i])
            } else {
                Some(host_port.split_once(':').map_or(host_port, |(h, _)| h))
            };
            (host.filter(|h| !h.is_empty()), path)
        }
        None => (None, rest),
    };
    Some(UrlParts { host, path, query })
}

/// Decodes `%XX` escapes (invalid escapes are kept as written).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).and_then(|b| (*b as char).to_digit(16)),
                bytes.get(i + 2).and_then(|b| (*b as char).to_digit(16)),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The value of the first query parameter `name`.
fn parameter<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query
        .split('&')
        .find_map(|pair| match pair.split_once('=') {
            Some((k, v)) if k == name => Some(v),
            None if pair == name => Some(""),
            _ => None,
        })
}

/// Which URL function a [`UrlFunc`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum UrlKind {
    /// `url_extract_host(url)`.
    Host,
    /// `url_extract_path(url)`.
    Path,
    /// `url_extract_parameter(url, name)`.
    Parameter,
}

impl UrlKind {
    /// Every URL function.
    pub(crate) const ALL: [UrlKind; 3] = [UrlKind::Host, UrlKind::Path, UrlKind::Parameter];

    /// The SQL name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            UrlKind::Host => "url_extract_host",
            UrlKind::Path => "url_extract_path",
            UrlKind::Parameter => "url_extract_parameter",
        }
    }
}

/// A Trino URL function.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct UrlFunc {
    kind: UrlKind,
    signature: Signature,
}

impl UrlFunc {
    /// The function of the given kind.
    pub(crate) fn new(kind: UrlKind) -> Self {
        Self {
            kind,
            signature: user_defined(),
        }
    }
}

impl ScalarUDFImpl for UrlFunc {
    fn name(&self) -> &str {
        self.kind.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let name = self.kind.name();
        if self.kind == UrlKind::Parameter {
            check_arity(name, arg_types, 2, 2, "2 arguments (url, name)")?;
            Ok(vec![
                coerce_str(name, "url", &arg_types[0])?,
                coerce_str(name, "name", &arg_types[1])?,
            ])
        } else {
            check_arity(name, arg_types, 1, 1, "1 argument (url)")?;
            Ok(vec![coerce_str(name, "url", &arg_types[0])?])
        }
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let name = self.kind.name();
        let (len, scalar) = shape(&args.args, args.number_rows);
        let Some(url_arg) = args.args.first() else {
            return exec_err!("{name}: missing url argument");
        };
        let urls = StrArg::new(name, url_arg)?;
        let params = match args.args.get(1) {
            Some(p) => Some(StrArg::new(name, p)?),
            None => None,
        };
        let mut b = StringBuilder::with_capacity(len, len * 16);
        for i in 0..len {
            let parts = urls.get(i).and_then(parse_url);
            let v = match self.kind {
                UrlKind::Host => parts.and_then(|p| p.host).map(str::to_string),
                UrlKind::Path => parts.map(|p| percent_decode(p.path)),
                UrlKind::Parameter => {
                    let param = params.as_ref().and_then(|p| p.get(i));
                    match (parts.and_then(|p| p.query), param) {
                        (Some(q), Some(n)) => parameter(q, n).map(str::to_string),
                        _ => None,
                    }
                }
            };
            b.append_option(v);
        }
        let out: ArrayRef = Arc::new(b.finish());
        finish(out, scalar)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts() {
        let p = parse_url("https://user@Example.com:8443/a/b%20c?x=1&y=2#frag").expect("valid");
        assert_eq!(p.host, Some("Example.com"));
        assert_eq!(percent_decode(p.path), "/a/b c");
        assert_eq!(p.query, Some("x=1&y=2"));
        assert_eq!(parameter("x=1&y=2&x=3&z", "x"), Some("1"));
        assert_eq!(parameter("x=1&z", "z"), Some(""));
        assert_eq!(parameter("x=1", "w"), None);
        assert_eq!(
            parse_url("http://[::1]:80/").expect("valid").host,
            Some("[::1]")
        );
        assert_eq!(parse_url("mailto:a@b.c").expect("valid").host, None);
        assert_eq!(parse_url("http://a b/"), None);
    }
}
