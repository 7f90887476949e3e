//! Criterion micro-benchmarks of auditlake's hot paths; the benchmarks are in `benches/hot_paths.rs`.
