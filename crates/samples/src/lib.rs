//! The sample query library: ready Lake SQL for the questions security teams ask again and again.
//!
//! Each sample is one `.sql` file under `queries/<category>/`, opening with a comment header:
//!
//! ```sql
//! -- name: root-console-logins
//! -- title: Root user console sign-ins
//! -- category: identity
//! -- description: Console sign-ins by the root user, with MFA and source address.
//! --   Lines indented under a key continue it.
//! -- param: eds | | The event data store (id, name or ARN)
//! -- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
//! SELECT eventtime FROM {{eds}} WHERE eventtime >= '{{start}}'
//! ```
//!
//! A parameter is `name | default | description`; an empty default makes it required. The body is Lake SQL with
//! `{{name}}` placeholders. A value put inside a quoted string literal has its quotes doubled; a value put
//! anywhere else must be a number, except `eds`, which must be a store id or name, so no value can change the
//! shape of the statement.

mod parse;
mod render;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use parse::parse;
pub use render::render;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// Why a sample could not be loaded or rendered.
#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    /// The header or body of a file is not a valid sample.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// No sample has this name.
    #[error("no sample query named '{name}'{hint}")]
    NotFound {
        /// The name asked for.
        name: String,
        /// Close names, as ": did you mean …?", or empty.
        hint: String,
    },
    /// Required parameters were not given.
    #[error("sample '{sample}' needs {}: {}", if missing.len() == 1 { "a parameter" } else { "parameters" }, missing.iter().map(|(n, d)| format!("{n} ({d})")).collect::<Vec<_>>().join(", "))]
    MissingParameters {
        /// The sample.
        sample: String,
        /// Each missing parameter and its description.
        missing: Vec<(String, String)>,
    },
    /// A parameter the sample does not have.
    #[error("sample '{sample}' has no parameter '{name}' (its parameters: {known})")]
    UnknownParameter {
        /// The sample.
        sample: String,
        /// The name given.
        name: String,
        /// The sample's parameters, comma separated.
        known: String,
    },
    /// A value that cannot go where its placeholder is.
    #[error("parameter '{name}' of sample '{sample}': {message}")]
    BadValue {
        /// The sample.
        sample: String,
        /// The parameter.
        name: String,
        /// What is wrong with the value.
        message: String,
    },
    /// No sample has this category.
    #[error("no sample in category '{category}' (categories: {known})")]
    NoCategory {
        /// The category asked for.
        category: String,
        /// The library's categories, comma separated.
        known: String,
    },
    /// A library folder could not be read.
    #[error("reading {path}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// One parameter of a sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// Its name, as in `{{name}}`.
    pub name: String,
    /// The value used when none is given; `None` makes the parameter required.
    pub default: Option<String>,
    /// What it means, for people.
    pub description: String,
}

/// One sample query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    /// Unique name (the file name without `.sql`).
    pub name: String,
    /// One-line title.
    pub title: String,
    /// The theme: the folder the file is in.
    pub category: String,
    /// What the query answers and how to read the answer.
    pub description: String,
    /// Parameters, in header order.
    pub params: Vec<Param>,
    /// The statement with `{{name}}` placeholders, header removed.
    pub body: String,
    /// The whole file as written.
    pub text: String,
    /// The file's path under the library root, e.g. `identity/root-console-logins.sql`.
    pub path: String,
}

impl Sample {
    /// The statement with `values` (and defaults for the rest) put in place of its placeholders.
    pub fn render(&self, values: &BTreeMap<String, String>) -> Result<String, SampleError> {
        render(self, values)
    }

    /// The parameter called `name`.
    pub fn param(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|p| p.name == name)
    }
}

/// A set of samples, sorted by category then name.
#[derive(Debug, Clone, Default)]
pub struct Library {
    samples: Vec<Sample>,
}

impl Library {
    /// The library built into this binary (the repository's `queries/` folder).
    pub fn builtin() -> Result<Self, SampleError> {
        Self::from_files(
            embedded::EMBEDDED
                .iter()
                .map(|(path, text)| ((*path).to_owned(), (*text).to_owned())),
        )
    }

    /// The `.sql` files under `dir` (a folder per category).
    pub fn from_dir(dir: &Path) -> Result<Self, SampleError> {
        let mut files = Vec::new();
        walk(dir, dir, &mut files)?;
        Self::from_files(files)
    }

    /// Samples from `(path under the library root, text)` pairs.
    pub fn from_files(
        files: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, SampleError> {
        let mut samples: Vec<Sample> = Vec::new();
        for (path, text) in files {
            let sample = parse(&path, &text)?;
            if let Some(other) = samples.iter().find(|s| s.name == sample.name) {
                return Err(SampleError::Invalid {
                    path,
                    message: format!("the name '{}' is also used by {}", sample.name, other.path),
                });
            }
            samples.push(sample);
        }
        samples.sort_by(|a, b| (&a.category, &a.name).cmp(&(&b.category, &b.name)));
        Ok(Library { samples })
    }

    /// Every sample.
    pub fn samples(&self) -> &[Sample] {
        &self.samples
    }

    /// The categories, sorted.
    pub fn categories(&self) -> Vec<&str> {
        let mut categories: Vec<&str> = self.samples.iter().map(|s| s.category.as_str()).collect();
        categories.dedup();
        categories
    }

    /// The samples of `category` (any case), or all of them; an unknown category is an error naming the known.
    pub fn in_category(&self, category: Option<&str>) -> Result<Vec<&Sample>, SampleError> {
        let samples: Vec<&Sample> = self
            .samples
            .iter()
            .filter(|s| category.is_none_or(|c| s.category.eq_ignore_ascii_case(c)))
            .collect();
        match category {
            Some(category) if samples.is_empty() => Err(SampleError::NoCategory {
                category: category.to_owned(),
                known: self.categories().join(", "),
            }),
            _ => Ok(samples),
        }
    }

    /// The sample called `name` (or `category/name`).
    pub fn get(&self, name: &str) -> Result<&Sample, SampleError> {
        let wanted = name.trim().trim_end_matches(".sql");
        let wanted = wanted.rsplit('/').next().unwrap_or(wanted);
        if let Some(sample) = self
            .samples
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(wanted))
        {
            return Ok(sample);
        }
        let lower = wanted.to_ascii_lowercase();
        let close: Vec<&str> = self
            .samples
            .iter()
            .filter(|s| {
                s.name.contains(&lower)
                    || lower
                        .split('-')
                        .filter(|w| w.len() > 2)
                        .any(|w| s.name.contains(w))
            })
            .map(|s| s.name.as_str())
            .take(5)
            .collect();
        Err(SampleError::NotFound {
            name: name.to_owned(),
            hint: if close.is_empty() {
                "; `auditlake samples list` shows them all".to_owned()
            } else {
                format!(": did you mean {}?", close.join(", "))
            },
        })
    }
}

fn walk(root: &Path, dir: &Path, files: &mut Vec<(String, String)>) -> Result<(), SampleError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| SampleError::Io { path, source }
    };
    let mut entries = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(io(dir))?;
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            walk(root, &path, files)?;
        } else if path.extension().is_some_and(|e| e == "sql") {
            let text = std::fs::read_to_string(&path).map_err(io(&path))?;
            let relative = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            files.push((relative, text));
        }
    }
    Ok(())
}
