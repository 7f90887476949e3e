//! The lake the query and sample-library tests run against: generated events (fixed dates, deterministic,
//! with the planted incidents) and the real CloudTrail corpora under ../shared/corpora.

use std::path::PathBuf;
use std::sync::Arc;

use auditlake_ingest::generate::{GeneratorConfig, generate};
use auditlake_ingest::{IngestOptions, Source, ingest};
use auditlake_query::{EngineOptions, QueryEngine};
use auditlake_store::{EventDataStore, Lake, LakeSettings, NewStore};
use chrono::NaiveDate;

/// A lake with two stores: `generated` (10 days from 2024-05-01, 500 events a day, planted incidents on
/// 2024-05-01) and `corpus` (every record under ../shared/corpora/cloudtrail).
pub struct TestLake {
    /// Holds the lake and the generated log files.
    pub dir: tempfile::TempDir,
    /// The lake.
    pub lake: Lake,
    /// The store of generated events.
    pub generated: EventDataStore,
    /// The store of the real corpora.
    pub corpus: EventDataStore,
}

impl TestLake {
    /// A query engine over the lake (1 GiB, 2 partitions).
    pub fn engine(&self) -> QueryEngine {
        QueryEngine::new(
            self.lake.clone(),
            EngineOptions {
                memory_limit: 1 << 30,
                target_partitions: Some(2),
            },
        )
    }
}

/// The shared corpora folder. Found from the folder of the crate whose tests run (every crate is at
/// `crates/<name>`), read when they run: a path built in at compile time would point to wherever the workspace was
/// when the test binary was built, and cargo reuses a build from another clone of the workspace.
pub fn corpora() -> PathBuf {
    PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("run by cargo"))
        .join("../../../shared/corpora")
}

/// What the `generated` store holds: 10 days from 2024-05-01, 500 events a day.
pub fn generator_config() -> GeneratorConfig {
    GeneratorConfig {
        start: NaiveDate::from_ymd_opt(2024, 5, 1).expect("date"),
        days: 10,
        events_per_day: 500,
        ..GeneratorConfig::recent(10)
    }
}

/// Builds the lake (a few seconds in a debug build).
pub async fn test_lake() -> TestLake {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = Lake::open(
        dir.path().join("lake").to_str().expect("utf-8"),
        LakeSettings::from_env(),
    )
    .expect("lake");
    let mut new = NewStore::named("generated");
    new.retention_days = Some(3653);
    let generated = lake.create_store(new).await.expect("store");
    let mut new = NewStore::named("corpus");
    new.retention_days = Some(3653);
    let corpus = lake.create_store(new).await.expect("store");

    let logs = dir.path().join("logs");
    generate(&logs, &generator_config()).expect("generate");
    for (store, path) in [(&generated, logs), (&corpus, corpora().join("cloudtrail"))] {
        let summary = ingest(
            &lake,
            &store.id,
            &[Source::Path(path)],
            IngestOptions::default(),
            Arc::new(()),
        )
        .await
        .expect("ingest");
        assert!(summary.events_written > 0);
    }
    TestLake {
        dir,
        lake,
        generated,
        corpus,
    }
}
