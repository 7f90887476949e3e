//! Helpers for end-to-end tests that run the real `auditlake` binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

/// Runs `auditlake --lake LAKE ARGS…` and returns its output.
pub fn run(lake: &Path, args: &[&str]) -> Output {
    run_with_stdin(lake, args, "")
}

/// Runs `auditlake --lake LAKE ARGS…` with `stdin`.
pub fn run_with_stdin(lake: &Path, args: &[&str], stdin: &str) -> Output {
    Command::cargo_bin("auditlake")
        .expect("the auditlake binary is built")
        .arg("--lake")
        .arg(lake)
        .args(args)
        .env_remove("AUDITLAKE_LAKE")
        .write_stdin(stdin.to_owned())
        .output()
        .expect("auditlake runs")
}

/// Runs a command that must succeed and returns its stdout.
pub fn ok(lake: &Path, args: &[&str]) -> String {
    let out = run(lake, args);
    assert!(
        out.status.success(),
        "auditlake {args:?} failed: {}{}",
        stderr(&out),
        stdout(&out)
    );
    stdout(&out)
}

/// Runs a command with `--output json` that must succeed and returns its document.
pub fn json(lake: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--output", "json"];
    all.extend_from_slice(args);
    let text = ok(lake, &all);
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("auditlake {args:?} printed no JSON document ({e}): {text}"))
}

/// Runs a command that must fail with exit status 1 and returns its stderr.
pub fn fails(lake: &Path, args: &[&str]) -> String {
    let out = run(lake, args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "auditlake {args:?} should fail: {}{}",
        stdout(&out),
        stderr(&out)
    );
    stderr(&out)
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The shared corpus of real CloudTrail records.
pub fn corpus() -> PathBuf {
    PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("run by cargo"))
        .join("../../../shared/corpora/cloudtrail")
}
