//! Reading a sample file: its comment header and its placeholders.

use crate::{Param, Sample, SampleError};

/// Parses the sample at `path` (relative to the library root) from its text.
pub fn parse(path: &str, text: &str) -> Result<Sample, SampleError> {
    let invalid = |message: String| SampleError::Invalid {
        path: path.to_owned(),
        message,
    };
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut body_start = text.len();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_end();
        let Some(comment) = trimmed.strip_prefix("--") else {
            if trimmed.trim().is_empty() && fields.is_empty() {
                offset += line.len();
                continue;
            }
            body_start = offset;
            break;
        };
        offset += line.len();
        if comment.starts_with("   ") || comment.starts_with('\t') {
            // An indented line continues the key above it.
            match fields.last_mut() {
                Some((_, value)) => {
                    value.push(' ');
                    value.push_str(comment.trim());
                }
                None => return Err(invalid("the header starts with a continuation line".into())),
            }
            continue;
        }
        let comment = comment.trim();
        if comment.is_empty() {
            continue;
        }
        let Some((key, value)) = comment.split_once(':') else {
            return Err(invalid(format!(
                "header line '{trimmed}' is not 'key: value'"
            )));
        };
        fields.push((key.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let one = |key: &str| -> Result<String, SampleError> {
        let mut values = fields.iter().filter(|(k, _)| k == key);
        match (values.next(), values.next()) {
            (Some((_, v)), None) if !v.is_empty() => Ok(v.clone()),
            (Some(_), Some(_)) => Err(invalid(format!("the header has '{key}' twice"))),
            _ => Err(invalid(format!("the header has no '{key}:' line"))),
        }
    };
    for (key, _) in &fields {
        if !["name", "title", "category", "description", "param"].contains(&key.as_str()) {
            return Err(invalid(format!(
                "unknown header key '{key}' (known: name, title, category, description, param)"
            )));
        }
    }
    let name = one("name")?;
    let stem = path
        .rsplit('/')
        .next()
        .unwrap_or(path)
        .trim_end_matches(".sql");
    if name != stem {
        return Err(invalid(format!(
            "the header names it '{name}' but the file is {stem}.sql"
        )));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(invalid(format!(
            "name '{name}': use lower-case letters, digits and '-'"
        )));
    }
    let category = one("category")?;
    if let Some((folder, _)) = path.rsplit_once('/') {
        let folder = folder.rsplit('/').next().unwrap_or(folder);
        if folder != category {
            return Err(invalid(format!(
                "category '{category}' but the file is in the folder '{folder}'"
            )));
        }
    }
    let mut params: Vec<Param> = Vec::new();
    for (_, spec) in fields.iter().filter(|(k, _)| k == "param") {
        let parts: Vec<&str> = spec.splitn(3, '|').map(str::trim).collect();
        let [pname, default, description] = parts[..] else {
            return Err(invalid(format!(
                "param '{spec}' is not 'name | default | description'"
            )));
        };
        if pname.is_empty()
            || !pname
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(invalid(format!(
                "parameter name '{pname}': use lower-case letters, digits and '_'"
            )));
        }
        if params.iter().any(|p| p.name == pname) {
            return Err(invalid(format!("parameter '{pname}' is declared twice")));
        }
        params.push(Param {
            name: pname.to_owned(),
            default: (!default.is_empty()).then(|| default.to_owned()),
            description: description.to_owned(),
        });
    }
    let body = text[body_start..].trim().to_owned();
    if body.is_empty() {
        return Err(invalid("there is no statement after the header".into()));
    }
    let used = placeholders(&body).map_err(invalid)?;
    for placeholder in &used {
        if !params.iter().any(|p| &p.name == placeholder) {
            return Err(invalid(format!(
                "{{{{{placeholder}}}}} is used but not declared with '-- param: {placeholder} | default | description'"
            )));
        }
    }
    for param in &params {
        if !used.contains(&param.name) {
            return Err(invalid(format!(
                "parameter '{}' is declared but the statement never uses {{{{{}}}}}",
                param.name, param.name
            )));
        }
    }
    Ok(Sample {
        name,
        title: one("title")?,
        category,
        description: one("description")?,
        params,
        body,
        text: text.to_owned(),
        path: path.to_owned(),
    })
}

/// The names of the `{{name}}` placeholders in `body`, in order of first use.
pub(crate) fn placeholders(body: &str) -> Result<Vec<String>, String> {
    let mut names: Vec<String> = Vec::new();
    let mut rest = body;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let close = after
            .find("}}")
            .ok_or_else(|| "a '{{' has no closing '}}'".to_owned())?;
        let name = after[..close].trim();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(format!("'{{{{{name}}}}}' is not a parameter name"));
        }
        if !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
        rest = &after[close + 2..];
    }
    Ok(names)
}
