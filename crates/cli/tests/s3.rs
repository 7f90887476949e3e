//! Saving results to S3 and verifying them there, against a local S3-compatible server (moto, installed by
//! `.ci/run`), through the real binary with the usual AWS environment variables.

mod common;

use std::process::{Child, Command as Process, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use common::{run_with_stdin, stderr, stdout};

struct Moto {
    child: Child,
    endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_moto() -> Moto {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let child = Process::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("moto_server runs (pip install 'moto[server]'; .ci/run installs it)");
    let endpoint = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "moto_server did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Moto { child, endpoint }
}

/// Runs python with boto3 against the server (bucket set-up and tampering).
fn boto3(moto: &Moto, script: &str) {
    let out = Process::new("python3")
        .arg("-c")
        .arg(format!(
            "import boto3\ns3 = boto3.client('s3', endpoint_url='{}', region_name='us-east-1', \
             aws_access_key_id='test', aws_secret_access_key='test')\n{script}",
            moto.endpoint
        ))
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn auditlake(moto: &Moto, lake: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("auditlake")
        .expect("binary")
        .arg("--lake")
        .arg(lake)
        .args(args)
        .env_remove("AUDITLAKE_LAKE")
        .env("AWS_ENDPOINT", &moto.endpoint)
        .env("AWS_ALLOW_HTTP", "true")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .output()
        .expect("auditlake runs")
}

#[test]
fn results_saved_to_s3_verify_and_a_changed_object_is_named() {
    let moto = start_moto();
    boto3(&moto, "s3.create_bucket(Bucket='results')");
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = dir.path();
    let out = run_with_stdin(
        lake,
        &["ingest", "--eds", "trail", "-"],
        r#"{"eventTime":"2024-05-01T12:00:00Z","eventName":"GetObject","eventID":"e1"}"#,
    );
    assert!(!out.status.success(), "no store yet");
    let created = Command::cargo_bin("auditlake")
        .expect("binary")
        .args([
            "--lake",
            lake.to_str().expect("utf-8"),
            "eds",
            "create",
            "trail",
        ])
        .args(["--retention-days", "3653"])
        .output()
        .expect("create");
    assert!(created.status.success(), "{}", stderr(&created));
    let out = run_with_stdin(
        lake,
        &["ingest", "--eds", "trail", "-"],
        r#"{"eventTime":"2024-05-01T12:00:00Z","eventName":"GetObject","eventID":"e1"}"#,
    );
    assert!(out.status.success(), "{}", stderr(&out));

    let url = "s3://results/lake/q1";
    let out = auditlake(
        &moto,
        lake,
        &[
            "query",
            "--save",
            url,
            "SELECT eventid, eventname FROM trail",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Saved 1 file to s3://results/lake/q1"),
        "{}",
        stderr(&out)
    );
    let out = auditlake(&moto, lake, &["results", "verify", url]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("Verified 1 result file"),
        "{}",
        stdout(&out)
    );

    // Saving twice to the same place is refused; changing an object is caught.
    let out = auditlake(&moto, lake, &["query", "--save", url, "SELECT 1"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    boto3(
        &moto,
        "s3.put_object(Bucket='results', Key='lake/q1/result_1.csv.gz', Body=b'changed')",
    );
    let out = auditlake(&moto, lake, &["results", "verify", url]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("result_1.csv.gz"), "{}", stderr(&out));
}
