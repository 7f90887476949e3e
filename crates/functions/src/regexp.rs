//! Regular expression functions with Trino semantics.
//!
//! Patterns use the syntax of the `regex` crate, which covers what Trino
//! queries commonly use (classes, groups, named groups `(?<n>..)`/`(?P<n>..)`,
//! flags `(?i)`) but not look-around or back-references; such a pattern is an
//! error naming the pattern. `regexp_replace` replaces every match (Trino),
//! unlike DataFusion's built-in, which it replaces. Replacement strings use
//! Trino/Java syntax: `$1`, `${name}`, and `\$` / `\\` for literal
//! characters.

use std::sync::Arc;

use arrow::array::{ArrayRef, Int64Builder, ListBuilder, StringBuilder};
use arrow::datatypes::{DataType, Field};
use datafusion::common::{Result, exec_datafusion_err, exec_err};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature};
use regex::{Captures, Regex};

use crate::common::{
    Compiled, IntArg, StrArg, check_arity, coerce_int, coerce_str, finish, shape, user_defined,
};

/// Compiles `pattern`; an invalid pattern is an error naming function and pattern.
pub(crate) fn compile(name: &str, pattern: &str) -> Result<Regex> {
    Regex::new(pattern)
        .map_err(|e| exec_datafusion_err!("{name}: invalid regular expression '{pattern}': {e}"))
}

/// Checks that `group` exists in `re` (Trino: "Pattern has N groups. Cannot access group M").
fn check_group(name: &str, re: &Regex, group: i64) -> Result<usize> {
    let groups = re.captures_len() - 1;
    match usize::try_from(group) {
        Ok(g) if g <= groups => Ok(g),
        _ => exec_err!(
            "{name}: pattern '{}' has {groups} groups, cannot access group {group}",
            re.as_str()
        ),
    }
}

/// One piece of a parsed replacement string.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Literal(String),
    Group(usize),
    Named(String),
}

/// Parses a Trino/Java replacement string against `re`.
fn parse_replacement(name: &str, re: &Regex, text: &str) -> Result<Vec<Piece>> {
    let groups = re.captures_len() - 1;
    let mut pieces = Vec::new();
    let mut lit = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e) => lit.push(e),
                None => {
                    return exec_err!("{name}: replacement '{text}' ends with an escape character");
                }
            },
            '$' => {
                if !lit.is_empty() {
                    pieces.push(Piece::Literal(std::mem::take(&mut lit)));
                }
                match chars.peek().copied() {
                    Some('{') => {
                        chars.next();
                        let mut group = String::new();
                        loop {
                            match chars.next() {
                                Some('}') => break,
                                Some(c) => group.push(c),
                                None => {
                                    return exec_err!(
                                        "{name}: replacement '{text}' has an unclosed group reference"
                                    );
                                }
                            }
                        }
                        if let Ok(n) = group.parse::<usize>() {
                            if n > groups {
                                return exec_err!(
                                    "{name}: replacement '{text}' refers to group {n}, the pattern has {groups}"
                                );
                            }
                            pieces.push(Piece::Group(n));
                        } else if re.capture_names().flatten().any(|n| n == group) {
                            pieces.push(Piece::Named(group));
                        } else {
                            return exec_err!(
                                "{name}: replacement '{text}' refers to unknown group '{group}'"
                            );
                        }
                    }
                    Some(d) if d.is_ascii_digit() => {
                        chars.next();
                        let mut n = d.to_digit(10).map_or(0, |v| v as usize);
                        if n > groups {
                            return exec_err!(
                                "{name}: replacement '{text}' refers to group {n}, the pattern has {groups}"
                            );
                        }
                        // Java: take more digits while the number stays a valid group.
                        while let Some(next) = chars.peek().and_then(|c| c.to_digit(10)) {
                            let candidate = n * 10 + next as usize;
                            if candidate > groups {
                                break;
                            }
                            n = candidate;
                            chars.next();
                        }
                        pieces.push(Piece::Group(n));
                    }
                    _ => {
                        return exec_err!(
                            "{name}: replacement '{text}' has an illegal group reference"
                        );
                    }
                }
            }
            c => lit.push(c),
        }
    }
    if !lit.is_empty() {
        pieces.push(Piece::Literal(lit));
    }
    Ok(pieces)
}

/// A parsed replacement, as a [`regex::Replacer`].
struct Replacement<'p>(&'p [Piece]);

impl regex::Replacer for Replacement<'_> {
    fn replace_append(&mut self, caps: &Captures<'_>, dst: &mut String) {
        for piece in self.0 {
            match piece {
                Piece::Literal(s) => dst.push_str(s),
                Piece::Group(g) => dst.push_str(caps.get(*g).map_or("", |m| m.as_str())),
                Piece::Named(n) => dst.push_str(caps.name(n).map_or("", |m| m.as_str())),
            }
        }
    }
}

/// Which regular-expression function a [`RegexpFunc`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum RegexpKind {
    /// `regexp_extract(s, pattern[, group])`.
    Extract,
    /// `regexp_extract_all(s, pattern[, group])`.
    ExtractAll,
    /// `regexp_replace(s, pattern[, replacement])`.
    Replace,
    /// `regexp_count(s, pattern)`.
    Count,
}

impl RegexpKind {
    /// Every regular-expression function.
    pub(crate) const ALL: [RegexpKind; 4] = [
        RegexpKind::Extract,
        RegexpKind::ExtractAll,
        RegexpKind::Replace,
        RegexpKind::Count,
    ];

    /// The SQL name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            RegexpKind::Extract => "regexp_extract",
            RegexpKind::ExtractAll => "regexp_extract_all",
            RegexpKind::Replace => "regexp_replace",
            RegexpKind::Count => "regexp_count",
        }
    }
}

/// A Trino regular-expression function.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct RegexpFunc {
    kind: RegexpKind,
    signature: Signature,
}

impl RegexpFunc {
    /// The function of the given kind.
    pub(crate) fn new(kind: RegexpKind) -> Self {
        Self {
            kind,
            signature: user_defined(),
        }
    }
}

impl ScalarUDFImpl for RegexpFunc {
    fn name(&self) -> &str {
        self.kind.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let name = self.kind.name();
        let mut out = Vec::with_capacity(arg_types.len());
        match self.kind {
            RegexpKind::Extract | RegexpKind::ExtractAll => check_arity(
                name,
                arg_types,
                2,
                3,
                "2 or 3 arguments (string, pattern[, group])",
            )?,
            RegexpKind::Replace => check_arity(
                name,
                arg_types,
                2,
                3,
                "2 or 3 arguments (string, pattern[, replacement])",
            )?,
            RegexpKind::Count => {
                check_arity(name, arg_types, 2, 2, "2 arguments (string, pattern)")?
            }
        }
        out.push(coerce_str(name, "string", &arg_types[0])?);
        out.push(coerce_str(name, "pattern", &arg_types[1])?);
        if let Some(t) = arg_types.get(2) {
            out.push(match self.kind {
                RegexpKind::Replace => coerce_str(name, "replacement", t)?,
                _ => coerce_int(name, "group", t)?,
            });
        }
        Ok(out)
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(match self.kind {
            RegexpKind::Extract | RegexpKind::Replace => DataType::Utf8,
            RegexpKind::ExtractAll => {
                DataType::List(Arc::new(Field::new_list_field(DataType::Utf8, true)))
            }
            RegexpKind::Count => DataType::Int64,
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let name = self.kind.name();
        let (len, scalar) = shape(&args.args, args.number_rows);
        let (Some(s_arg), Some(p_arg)) = (args.args.first(), args.args.get(1)) else {
            return exec_err!("{name}: expected at least 2 arguments");
        };
        let strings = StrArg::new(name, s_arg)?;
        let mut patterns = Compiled::new(name, StrArg::new(name, p_arg)?, compile)?;
        let out: ArrayRef = match self.kind {
            RegexpKind::Extract | RegexpKind::ExtractAll => {
                let groups = match args.args.get(2) {
                    Some(g) => Some(IntArg::new(name, g)?),
                    None => None,
                };
                if self.kind == RegexpKind::Extract {
                    let mut b = StringBuilder::with_capacity(len, len * 8);
                    for i in 0..len {
                        let group = match &groups {
                            Some(g) => g.get(i),
                            None => Some(0),
                        };
                        let (Some(s), Some(re), Some(group)) =
                            (strings.get(i), patterns.get(i)?, group)
                        else {
                            b.append_null();
                            continue;
                        };
                        let g = check_group(name, re, group)?;
                        b.append_option(re.captures(s).and_then(|c| c.get(g)).map(|m| m.as_str()));
                    }
                    Arc::new(b.finish())
                } else {
                    let mut b = ListBuilder::new(StringBuilder::new());
                    for i in 0..len {
                        let group = match &groups {
                            Some(g) => g.get(i),
                            None => Some(0),
                        };
                        let (Some(s), Some(re), Some(group)) =
                            (strings.get(i), patterns.get(i)?, group)
                        else {
                            b.append_null();
                            continue;
                        };
                        let g = check_group(name, re, group)?;
                        for caps in re.captures_iter(s) {
                            b.values().append_option(caps.get(g).map(|m| m.as_str()));
                        }
                        b.append(true);
                    }
                    Arc::new(b.finish())
                }
            }
            RegexpKind::Replace => {
                let replacements = match args.args.get(2) {
                    Some(r) => Some(StrArg::new(name, r)?),
                    None => None,
                };
                // Parsed once when pattern and replacement are both constants.
                let fixed: Option<Vec<Piece>> =
                    match (patterns.scalar(), replacements.as_ref().map(|r| r.scalar())) {
                        (Some(re), Some(Some(Some(text)))) => {
                            Some(parse_replacement(name, re, text)?)
                        }
                        (Some(_), None) => Some(Vec::new()),
                        _ => None,
                    };
                let mut b = StringBuilder::with_capacity(len, len * 16);
                for i in 0..len {
                    let replacement = match &replacements {
                        Some(r) => r.get(i),
                        None => Some(""),
                    };
                    let (Some(s), Some(re), Some(text)) =
                        (strings.get(i), patterns.get(i)?, replacement)
                    else {
                        b.append_null();
                        continue;
                    };
                    let pieces = match &fixed {
                        Some(p) => std::borrow::Cow::Borrowed(p.as_slice()),
                        None => std::borrow::Cow::Owned(parse_replacement(name, re, text)?),
                    };
                    b.append_value(replace_all(re, s, &pieces));
                }
                Arc::new(b.finish())
            }
            RegexpKind::Count => {
                let mut b = Int64Builder::with_capacity(len);
                for i in 0..len {
                    let (Some(s), Some(re)) = (strings.get(i), patterns.get(i)?) else {
                        b.append_null();
                        continue;
                    };
                    b.append_value(re.find_iter(s).count() as i64);
                }
                Arc::new(b.finish())
            }
        };
        finish(out, scalar)
    }
}

/// Replaces every match of `re` in `s`.
fn replace_all(re: &Regex, s: &str, pieces: &[Piece]) -> String {
    match pieces {
        [] => re.replace_all(s, regex::NoExpand("")).into_owned(),
        [Piece::Literal(lit)] => re.replace_all(s, regex::NoExpand(lit)).into_owned(),
        _ => re.replace_all(s, Replacement(pieces)).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replace(pattern: &str, s: &str, rep: &str) -> Result<String> {
        let re = compile("regexp_replace", pattern)?;
        let pieces = parse_replacement("regexp_replace", &re, rep)?;
        Ok(replace_all(&re, s, &pieces))
    }

    #[test]
    fn replacement_syntax() {
        assert_eq!(
            replace("(\\w+)@(\\w+)", "a@b c@d", "$2@$1").expect("ok"),
            "b@a d@c"
        );
        assert_eq!(replace("(?<u>\\w+)@", "a@b", "${u}:").expect("ok"), "a:b");
        assert_eq!(replace("x", "axbx", "\\$").expect("ok"), "a$b$");
        assert_eq!(replace("(a)", "aa", "$10").expect("ok"), "a0a0");
        assert_eq!(replace("a", "banana", "").expect("ok"), "bnn");
        assert!(replace("(a)", "a", "$2").is_err());
        assert!(replace("(a)", "a", "$").is_err());
        assert!(replace("(a)", "a", "${nope}").is_err());
    }

    #[test]
    fn invalid_pattern_names_it() {
        let err = compile("regexp_extract", "(").expect_err("invalid");
        assert!(
            err.to_string()
                .contains("regexp_extract: invalid regular expression '('"),
            "{err}"
        );
    }
}
