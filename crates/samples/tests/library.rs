//! Every sample in the built-in library runs on the test lake and answers what `tests/expected/<category>.txt`
//! says it must: a row count and CSV fragments, on the generated store (planted incidents) and on the corpora.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use auditlake_query::render::{self, OutputFormat};
use auditlake_samples::{Library, Sample};
use auditlake_testkit::{TestLake, test_lake};

/// What one sample must answer on one store.
#[derive(Debug, Default)]
struct Expectation {
    params: BTreeMap<String, String>,
    rows: Option<(String, usize)>,
    contains: Vec<String>,
}

/// Expectations by sample name, then by store (`generated` or `corpus`).
type Expectations = BTreeMap<String, BTreeMap<String, Expectation>>;

fn expectations() -> Expectations {
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("run by cargo"))
        .join("tests/expected");
    let mut all = Expectations::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/expected")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read");
        let mut current: Option<String> = None;
        for (n, line) in text.lines().enumerate() {
            let at = || format!("{}:{}", file.display(), n + 1);
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                assert!(
                    all.insert(name.to_owned(), BTreeMap::new()).is_none(),
                    "{}: [{name}] twice",
                    at()
                );
                current = Some(name.to_owned());
                continue;
            }
            let name = current
                .as_ref()
                .unwrap_or_else(|| panic!("{}: no [sample] above", at()));
            let (store, rest) = line
                .split_once(' ')
                .unwrap_or_else(|| panic!("{}: '{line}'", at()));
            assert!(
                ["generated", "corpus"].contains(&store),
                "{}: store '{store}'",
                at()
            );
            let e = all
                .get_mut(name)
                .expect("inserted")
                .entry(store.to_owned())
                .or_default();
            if let Some(param) = rest.strip_prefix("param ") {
                let (k, v) = param
                    .split_once(" = ")
                    .unwrap_or_else(|| panic!("{}: '{line}'", at()));
                e.params.insert(k.trim().to_owned(), v.to_owned());
            } else if let Some(n) = rest.strip_prefix("rows = ") {
                e.rows = Some(("=".into(), n.parse().expect("row count")));
            } else if let Some(n) = rest.strip_prefix("rows >= ") {
                e.rows = Some((">=".into(), n.parse().expect("row count")));
            } else if let Some(text) = rest.strip_prefix("contains ") {
                e.contains.push(text.to_owned());
            } else {
                panic!("{}: cannot read '{line}'", at());
            }
        }
    }
    all
}

async fn answer(lake: &TestLake, sample: &Sample, store: &str, e: &Expectation) -> (usize, String) {
    let mut values = e.params.clone();
    let id = if store == "generated" {
        &lake.generated.id
    } else {
        &lake.corpus.id
    };
    values.insert("eds".into(), id.clone());
    let sql = sample
        .render(&values)
        .unwrap_or_else(|err| panic!("{}: {err}", sample.name));
    let (_, outcome) = lake
        .engine()
        .run(&sql, Duration::from_secs(120), std::future::pending())
        .await
        .unwrap_or_else(|err| panic!("{} on {store}: {err}", sample.name));
    let result = outcome.unwrap_or_else(|err| panic!("{} on {store}: {err}\n{sql}", sample.name));
    let csv = render::render(&result.schema, &result.batches, OutputFormat::Csv).expect("csv");
    (result.rows(), csv)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_sample_answers_what_its_expectation_says() {
    let library = Library::builtin().expect("the built-in library loads");
    let expected = expectations();
    assert!(
        library.samples().len() >= 60,
        "the library has {} samples; the issue asks for at least 60",
        library.samples().len()
    );
    for sample in library.samples() {
        assert!(
            expected.contains_key(&sample.name),
            "{} has no block in tests/expected/{}.txt",
            sample.name,
            sample.category
        );
    }
    for name in expected.keys() {
        assert!(
            library.get(name).is_ok(),
            "tests/expected has [{name}], which is not a sample"
        );
    }

    let lake = test_lake().await;
    let mut failures = Vec::new();
    for sample in library.samples() {
        for store in ["generated", "corpus"] {
            let Some(e) = expected[&sample.name].get(store) else {
                failures.push(format!("{}: no expectation on {store}", sample.name));
                continue;
            };
            let (rows, csv) = answer(&lake, sample, store, e).await;
            match &e.rows {
                Some((op, n)) if op == "=" && rows != *n => failures.push(format!(
                    "{} on {store}: {rows} rows, expected {n}",
                    sample.name
                )),
                Some((_, n)) if rows < *n => failures.push(format!(
                    "{} on {store}: {rows} rows, expected ≥ {n}",
                    sample.name
                )),
                None => failures.push(format!("{} on {store}: no 'rows' line", sample.name)),
                _ => {}
            }
            if store == "generated" && rows == 0 {
                failures.push(format!(
                    "{}: finds nothing in the generated events",
                    sample.name
                ));
            }
            if rows > 0 && e.contains.is_empty() {
                failures.push(format!("{} on {store}: no 'contains' line", sample.name));
            }
            for text in &e.contains {
                if !csv.contains(text.as_str()) {
                    failures.push(format!(
                        "{} on {store}: the answer lacks '{text}'; it was:\n{}",
                        sample.name,
                        csv.lines().take(12).collect::<Vec<_>>().join("\n")
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_sample_is_well_formed() {
    let library = Library::builtin().expect("the built-in library loads");
    let categories = library.categories();
    for wanted in [
        "identity",
        "data-access",
        "change-tracking",
        "errors",
        "activity",
        "investigation",
    ] {
        assert!(
            categories.contains(&wanted),
            "no sample in {wanted}: {categories:?}"
        );
    }
    for sample in library.samples() {
        let eds = sample
            .param("eds")
            .unwrap_or_else(|| panic!("{} has no eds parameter", sample.name));
        assert!(
            eds.default.is_none(),
            "{}: eds must be required",
            sample.name
        );
        assert!(
            sample.title.len() <= 80,
            "{}: title longer than 80 characters",
            sample.name
        );
        let first = sample
            .body
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        assert!(
            first == "SELECT" || first == "WITH",
            "{}: not a SELECT",
            sample.name
        );
        assert!(
            !sample.body.contains("SELECT *"),
            "{}: SELECT * ",
            sample.name
        );
        for line in sample.text.lines().take_while(|l| l.starts_with("--")) {
            assert!(
                line.len() <= 110,
                "{}: header line over 110 characters",
                sample.name
            );
        }
    }
}

#[test]
fn the_catalogue_in_docs_lists_every_sample() {
    let library = Library::builtin().expect("the built-in library loads");
    let docs = std::fs::read_to_string(
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("run by cargo"))
            .join("../../docs/samples.md"),
    )
    .expect("docs/samples.md");
    for sample in library.samples() {
        assert!(
            docs.contains(&format!("| `{}` | {} |", sample.name, sample.title)),
            "docs/samples.md's catalogue lacks `{}` | {}",
            sample.name,
            sample.title
        );
    }
}
