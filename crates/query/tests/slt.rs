//! SQL semantics in sqllogictest files (tests/slt/*.slt at the workspace root), run against a real lake:
//! `generated` (the project's generator, 2024-05-01 .. 2024-05-10) and `corpus` (the real records).
//! In the files, `{{generated_id}}` and `{{corpus_id}}` stand for the stores' ids.

use auditlake_testkit as common;

use std::path::PathBuf;
use std::time::Duration;

use async_trait::async_trait;
use auditlake_query::render::text_column;
use auditlake_query::{QueryEngine, QueryError};
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::DataType;
use sqllogictest::{DBOutput, DefaultColumnType, Runner};

struct LakeDb {
    engine: QueryEngine,
}

#[async_trait]
impl sqllogictest::AsyncDB for LakeDb {
    type Error = QueryError;
    type ColumnType = DefaultColumnType;

    async fn run(&mut self, sql: &str) -> Result<DBOutput<DefaultColumnType>, QueryError> {
        let (_, outcome) = self
            .engine
            .run(sql, Duration::from_secs(120), std::future::pending())
            .await?;
        let result = outcome?;
        let types = result
            .schema
            .fields()
            .iter()
            .map(|f| match f.data_type() {
                t if t.is_integer() => DefaultColumnType::Integer,
                t if t.is_floating() || matches!(t, DataType::Decimal128(_, _)) => {
                    DefaultColumnType::FloatingPoint
                }
                _ => DefaultColumnType::Text,
            })
            .collect();
        let mut rows = Vec::new();
        for batch in &result.batches {
            let columns: Vec<_> = batch
                .columns()
                .iter()
                .map(|c| text_column(c.as_ref()).expect("render"))
                .collect();
            for row in 0..batch.num_rows() {
                rows.push(
                    columns
                        .iter()
                        .map(|c| {
                            if c.is_null(row) {
                                "NULL".to_owned()
                            } else {
                                let v = c.as_string::<i32>().value(row);
                                if v.is_empty() {
                                    "(empty)".to_owned()
                                } else {
                                    v.to_owned()
                                }
                            }
                        })
                        .collect(),
                );
            }
        }
        Ok(DBOutput::Rows { types, rows })
    }

    async fn shutdown(&mut self) {}

    fn engine_name(&self) -> &str {
        "auditlake"
    }

    async fn sleep(dur: Duration) {
        tokio::time::sleep(dur).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sqllogictest_files() {
    let lake = common::test_lake().await;
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("run by cargo"))
        .join("../../tests/slt");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/slt")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "slt"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .slt files in {}", dir.display());
    let mut failures = Vec::new();
    for file in &files {
        let script = std::fs::read_to_string(file)
            .expect("read")
            .replace("{{generated_id}}", &lake.generated.id)
            .replace("{{corpus_id}}", &lake.corpus.id)
            .replace("{{generated_arn}}", &lake.generated.arn);
        let engine = lake.engine();
        let mut runner = Runner::new(move || {
            let engine = engine.clone();
            async move { Ok::<_, QueryError>(LakeDb { engine }) }
        });
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Err(e) = runner
            .run_script_with_name_async(&script, name.clone())
            .await
        {
            failures.push(format!("{name}: {}", e.display(false)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
