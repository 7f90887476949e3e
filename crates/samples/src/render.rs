//! Putting parameter values into a sample's statement, so that no value can change the statement's shape.

use std::collections::BTreeMap;

use crate::{Sample, SampleError};

/// Where a placeholder sits in the statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Context {
    /// Inside a single-quoted string literal: any text, quotes doubled.
    Literal,
    /// Anywhere else: a number, or for `eds` a store id or name.
    Bare,
}

/// The statement of `sample` with `values` (and defaults for the rest) in place of its placeholders.
pub fn render(sample: &Sample, values: &BTreeMap<String, String>) -> Result<String, SampleError> {
    for name in values.keys() {
        if sample.param(name).is_none() {
            return Err(SampleError::UnknownParameter {
                sample: sample.name.clone(),
                name: name.clone(),
                known: sample
                    .params
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
    }
    let mut chosen: BTreeMap<&str, &str> = BTreeMap::new();
    let mut missing = Vec::new();
    for param in &sample.params {
        match values
            .get(&param.name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
            .or(param.default.as_deref())
        {
            Some(value) => {
                chosen.insert(&param.name, value);
            }
            None => missing.push((param.name.clone(), param.description.clone())),
        }
    }
    if !missing.is_empty() {
        return Err(SampleError::MissingParameters {
            sample: sample.name.clone(),
            missing,
        });
    }
    let bad = |name: &str, message: String| SampleError::BadValue {
        sample: sample.name.clone(),
        name: name.to_owned(),
        message,
    };
    let body = &sample.body;
    let mut out = String::with_capacity(body.len());
    let mut in_literal = false;
    let mut i = 0;
    while i < body.len() {
        let rest = &body[i..];
        if rest.starts_with("{{") {
            let close = rest.find("}}").unwrap_or(rest.len());
            let name = rest[2..close].trim();
            let value = chosen
                .get(name)
                .copied()
                .ok_or_else(|| bad(name, "the statement uses it but it has no value".into()))?;
            let context = if in_literal {
                Context::Literal
            } else {
                Context::Bare
            };
            out.push_str(&substitute(name, value, context).map_err(|m| bad(name, m))?);
            i += (close + 2).min(rest.len());
            continue;
        }
        let Some(c) = rest.chars().next() else { break };
        if !in_literal && (rest.starts_with("--") || rest.starts_with("/*")) {
            // Comments are copied whole; a placeholder inside one is treated as bare.
            let end = if rest.starts_with("--") {
                rest.find('\n').unwrap_or(rest.len())
            } else {
                rest.find("*/").map_or(rest.len(), |e| e + 2)
            };
            let comment = &rest[..end];
            if comment.contains("{{") {
                let mut text = String::new();
                let mut tail = comment;
                while let Some(open) = tail.find("{{") {
                    text.push_str(&tail[..open]);
                    let after = &tail[open + 2..];
                    let close = after.find("}}").unwrap_or(after.len());
                    let name = after[..close].trim();
                    let value = chosen
                        .get(name)
                        .copied()
                        .ok_or_else(|| bad(name, "it has no value".into()))?;
                    text.push_str(
                        &substitute(name, value, Context::Bare).map_err(|m| bad(name, m))?,
                    );
                    tail = after.get(close + 2..).unwrap_or("");
                }
                text.push_str(tail);
                out.push_str(&text);
            } else {
                out.push_str(comment);
            }
            i += end;
            continue;
        }
        if c == '"' && !in_literal {
            // A quoted identifier is copied whole.
            let end = rest[1..].find('"').map_or(rest.len(), |e| e + 2);
            out.push_str(&rest[..end]);
            i += end;
            continue;
        }
        if c == '\'' {
            in_literal = !in_literal;
        }
        out.push(c);
        i += c.len_utf8();
    }
    Ok(out)
}

fn substitute(name: &str, value: &str, context: Context) -> Result<String, String> {
    match context {
        Context::Literal => Ok(value.replace('\'', "''")),
        Context::Bare if name == "eds" => {
            if !value.is_empty()
                && value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                Ok(value.to_owned())
            } else {
                Err(format!("'{value}' is not an event data store id"))
            }
        }
        Context::Bare => {
            let number = value.strip_prefix('-').unwrap_or(value);
            let mut parts = number.splitn(2, '.');
            let digits = |s: Option<&str>| {
                s.is_some_and(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            };
            let whole = parts.next();
            let fraction = parts.next();
            if digits(whole) && (fraction.is_none() || digits(fraction)) {
                Ok(value.to_owned())
            } else {
                Err(format!("'{value}' is not a number"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;

    fn sample(body: &str, params: &[&str]) -> Sample {
        let mut text = String::from("-- name: t\n-- title: T\n-- category: c\n-- description: d\n");
        for p in params {
            text.push_str(&format!("-- param: {p}\n"));
        }
        text.push_str(body);
        parse("c/t.sql", &text).expect("valid sample")
    }

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn literal_values_have_their_quotes_doubled() {
        let s = sample(
            "SELECT * FROM {{eds}} WHERE useridentity.arn LIKE '%{{principal}}%'",
            &["eds | | store", "principal | | who"],
        );
        let sql = s
            .render(&values(&[
                ("eds", "abc-123"),
                ("principal", "x' OR '1'='1"),
            ]))
            .expect("render");
        assert_eq!(
            sql,
            "SELECT * FROM abc-123 WHERE useridentity.arn LIKE '%x'' OR ''1''=''1%'"
        );
    }

    #[test]
    fn bare_values_must_be_numbers_or_store_ids() {
        let s = sample(
            "SELECT * FROM {{eds}} LIMIT {{n}}",
            &["eds | | store", "n | 10 | rows"],
        );
        assert_eq!(
            s.render(&values(&[("eds", "e1")])).expect("render"),
            "SELECT * FROM e1 LIMIT 10"
        );
        let err = s
            .render(&values(&[("eds", "e1"), ("n", "1; DROP TABLE x")]))
            .expect_err("not a number");
        assert!(err.to_string().contains("'n'"), "{err}");
        assert!(err.to_string().contains("not a number"), "{err}");
        let err = s
            .render(&values(&[("eds", "e1 UNION SELECT 1")]))
            .expect_err("not an id");
        assert!(
            err.to_string().contains("not an event data store id"),
            "{err}"
        );
    }

    #[test]
    fn missing_and_unknown_parameters_are_named() {
        let s = sample(
            "SELECT * FROM {{eds}} WHERE sourceipaddress = '{{ip}}' AND eventname = '{{name}}'",
            &[
                "eds | | store",
                "ip | | the address",
                "name | ConsoleLogin | event",
            ],
        );
        let err = s.render(&values(&[])).expect_err("missing");
        assert_eq!(
            err.to_string(),
            "sample 't' needs parameters: eds (store), ip (the address)"
        );
        let err = s
            .render(&values(&[("eds", "e"), ("ip", "1.2.3.4"), ("nmae", "x")]))
            .expect_err("unknown");
        assert_eq!(
            err.to_string(),
            "sample 't' has no parameter 'nmae' (its parameters: eds, ip, name)"
        );
    }

    #[test]
    fn quotes_in_comments_and_identifiers_do_not_confuse_the_scanner() {
        let s = sample(
            "SELECT \"it's\" FROM {{eds}} -- don't\nWHERE eventname = '{{name}}' AND x = 'a''b'",
            &["eds | | store", "name | | event"],
        );
        let sql = s
            .render(&values(&[("eds", "e"), ("name", "O'Brien")]))
            .expect("render");
        assert_eq!(
            sql,
            "SELECT \"it's\" FROM e -- don't\nWHERE eventname = 'O''Brien' AND x = 'a''b'"
        );
    }
}
