//! Keeping a store's table tidy: removing files no commit references (vacuum) and compacting a day's small files
//! into few large ones (optimize).

use std::collections::BTreeMap;
use std::num::NonZeroU64;

use auditlake_schema::PARTITION_COLUMN;
use chrono::Duration;
use deltalake::operations::vacuum::VacuumMode;
use deltalake::{FilterOp, FilterValue};
use serde::Serialize;

use crate::error::StoreError;
use crate::table::EventTable;

/// How long a file no commit references is left alone before vacuum deletes it: a running writer's files are
/// newer, and a query that began before a retention pass or an optimize finishes reading the files they dropped.
pub const DEFAULT_VACUUM_GRACE: Duration = Duration::hours(1);

/// Files written by `optimize`: about this size each.
const OPTIMIZE_TARGET_BYTES: u64 = 128 << 20;

/// What a vacuum removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VacuumReport {
    /// Data files deleted: dropped by retention or optimize, or left by a killed writer.
    pub files_deleted: u64,
    /// Source-record sidecars of commits that never happened.
    pub sidecars_deleted: u64,
    /// Files younger than this were kept, in seconds.
    pub grace_seconds: i64,
}

/// A day's files before and after an optimize.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DayCompaction {
    /// The event day.
    pub day: String,
    /// Data files before.
    pub files_before: u64,
    /// Data files after.
    pub files_after: u64,
}

/// What an optimize did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OptimizeReport {
    /// The days looked at, with their file counts (days with one file or none are left as they are).
    pub days: Vec<DayCompaction>,
    /// Files written.
    pub files_added: u64,
    /// Files replaced (deleted by a later vacuum, after the grace period).
    pub files_removed: u64,
}

impl EventTable {
    /// Deletes data files that the table's current version does not reference and that are older than `grace`
    /// (Delta's vacuum in full mode), and source sidecars no commit names.
    pub async fn vacuum(&mut self, grace: Duration) -> Result<VacuumReport, StoreError> {
        let err = |e| StoreError::delta(&self.store_id, e);
        let (table, metrics) = self
            .table
            .clone()
            .vacuum()
            .with_mode(VacuumMode::Full)
            .with_retention_period(grace)
            .with_enforce_retention_duration(false)
            .with_commit_properties(Self::commit_properties())
            .await
            .map_err(err)?;
        self.table = table;
        let manifest = self.source_manifest().await?;
        let sidecars_deleted = self.sources().vacuum(&manifest, grace).await?;
        Ok(VacuumReport {
            files_deleted: metrics.files_deleted.len() as u64,
            sidecars_deleted,
            grace_seconds: grace.num_seconds(),
        })
    }

    fn files_per_day(&self) -> Result<BTreeMap<String, u64>, StoreError> {
        let mut days = BTreeMap::new();
        for file in self.data_files()? {
            *days.entry(file.day).or_default() += 1;
        }
        Ok(days)
    }

    /// Rewrites each day's files (one day, or every day) into files of about 128 MiB, in one commit per run. The
    /// replaced files stay on storage until a vacuum after the grace period.
    pub async fn optimize(&mut self, day: Option<&str>) -> Result<OptimizeReport, StoreError> {
        let before = self.files_per_day()?;
        let mut report = OptimizeReport::default();
        let days: Vec<&String> = before
            .iter()
            .filter(|(d, files)| day.is_none_or(|want| want == d.as_str()) && **files > 1)
            .map(|(d, _)| d)
            .collect();
        if let Some(want) = day
            && !before.contains_key(want)
        {
            return Err(StoreError::Invalid(format!(
                "store {} holds no events of day '{want}' (give a day as YYYY-MM-DD)",
                self.store_id
            )));
        }
        if days.is_empty() {
            report.days = before
                .iter()
                .filter(|(d, _)| day.is_none_or(|want| want == d.as_str()))
                .map(|(d, n)| DayCompaction {
                    day: d.clone(),
                    files_before: *n,
                    files_after: *n,
                })
                .collect();
            return Ok(report);
        }
        let filters: Vec<_> = match day {
            Some(want) => vec![(PARTITION_COLUMN, FilterOp::Eq, FilterValue::Scalar(want))],
            None => Vec::new(),
        };
        let target = NonZeroU64::new(OPTIMIZE_TARGET_BYTES).unwrap_or(NonZeroU64::MIN);
        let (table, metrics) = self
            .table
            .clone()
            .optimize()
            .with_filters(&filters)
            .with_target_size(target)
            .with_writer_properties(Self::writer_properties()?)
            .with_commit_properties(Self::commit_properties())
            .await
            .map_err(|e| StoreError::delta(&self.store_id, e))?;
        self.table = table;
        let after = self.files_per_day()?;
        report.files_added = metrics.num_files_added;
        report.files_removed = metrics.num_files_removed;
        report.days = before
            .iter()
            .filter(|(d, _)| day.is_none_or(|want| want == d.as_str()))
            .map(|(d, n)| DayCompaction {
                day: d.clone(),
                files_before: *n,
                files_after: after.get(d).copied().unwrap_or(0),
            })
            .collect();
        Ok(report)
    }
}
