//! A deterministic generator of realistic CloudTrail trail log files, for tests, benches and demos.
//!
//! Files are laid out as CloudTrail delivers them, `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/`, one
//! gzipped `{"Records":[...]}` file per account, region and hour, named by delivery time (so events from just
//! before midnight sit in the next day's folder, as in real buckets). The same seed gives the same files.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use flate2::Compression;
use flate2::write::GzEncoder;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratorConfig {
    /// Seed: the same seed gives the same events.
    pub seed: u64,
    /// First day of events.
    pub start: NaiveDate,
    /// Number of days.
    pub days: u32,
    /// Events per day, over all accounts and regions.
    pub events_per_day: u32,
    /// Account ids.
    pub accounts: Vec<String>,
    /// Regions.
    pub regions: Vec<String>,
}

impl GeneratorConfig {
    /// `days` days ending yesterday, 1,000 events a day, three accounts, two regions.
    pub fn recent(days: u32) -> Self {
        GeneratorConfig {
            seed: 42,
            start: (Utc::now() - Duration::days(i64::from(days))).date_naive(),
            days,
            events_per_day: 1000,
            accounts: vec![
                "111122223333".into(),
                "444455556666".into(),
                "777788889999".into(),
            ],
            regions: vec!["us-east-1".into(), "eu-west-1".into()],
        }
    }
}

/// What was generated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Generated {
    /// Files written.
    pub files: Vec<PathBuf>,
    /// Events written.
    pub events: u64,
    /// Bytes written (compressed).
    pub bytes: u64,
}

const USERS: &[&str] = &["alice", "bob", "carol", "dave", "deploy-bot"];
const ROLES: &[&str] = &["AdminRole", "ReadOnlyRole", "ci-deployer", "DataScience"];
const BUCKETS: &[&str] = &["prod-data", "prod-logs", "finance-reports", "public-assets"];
const AGENTS: &[&str] = &[
    "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0 exe/x86_64.debian.12 prompt/off command/s3.cp",
    "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.11.8",
    "console.amazonaws.com",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15",
    "terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.42.0",
];
const OFFICE_IPS: &[&str] = &["203.0.113.10", "203.0.113.11", "198.51.100.7", "192.0.2.44"];

/// Writes trail log files under `out` and returns what it wrote.
pub fn generate(out: &Path, config: &GeneratorConfig) -> std::io::Result<Generated> {
    let mut rng = StdRng::seed_from_u64(config.seed);
    let mut generated = Generated::default();
    if config.accounts.is_empty() || config.regions.is_empty() {
        return Ok(generated);
    }
    let streams = config.accounts.len() * config.regions.len();
    for day in 0..config.days {
        let date = config.start + Duration::days(i64::from(day));
        let per_stream_hour = (config.events_per_day as f64 / (streams * 24) as f64).max(0.0);
        for (a, account) in config.accounts.iter().enumerate() {
            for (r, region) in config.regions.iter().enumerate() {
                for hour in 0..24u32 {
                    let whole = per_stream_hour.floor() as u32;
                    let extra = u32::from(rng.gen_bool(per_stream_hour.fract().clamp(0.0, 1.0)));
                    let count = whole + extra;
                    if count == 0 {
                        continue;
                    }
                    let hour_start =
                        Utc.from_utc_datetime(&date.and_hms_opt(hour, 0, 0).unwrap_or_default());
                    let mut records: Vec<(i64, Value)> = (0..count)
                        .map(|_| {
                            let at =
                                hour_start + Duration::milliseconds(rng.gen_range(0..3_600_000));
                            (at.timestamp_millis(), event(&mut rng, account, region, at))
                        })
                        .collect();
                    // Planted incidents, once per store: first account, first region, given hours of day 0.
                    if day == 0 && a == 0 && r == 0 {
                        records.extend(planted(account, region, hour_start, hour));
                    }
                    records.sort_by_key(|(t, _)| *t);
                    let delivered = hour_start + Duration::minutes(65);
                    let dir = out.join(format!(
                        "AWSLogs/{account}/CloudTrail/{region}/{}",
                        delivered.format("%Y/%m/%d")
                    ));
                    std::fs::create_dir_all(&dir)?;
                    let suffix: String = (0..16)
                        .map(|_| {
                            char::from(
                                b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[rng.gen_range(0..36)],
                            )
                        })
                        .collect();
                    let path = dir.join(format!(
                        "{account}_CloudTrail_{region}_{}Z_{suffix}.json.gz",
                        delivered.format("%Y%m%dT%H%M")
                    ));
                    let body = json!({ "Records": records.into_iter().map(|(_, v)| v).collect::<Vec<_>>() });
                    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
                    serde_json::to_writer(&mut gz, &body)?;
                    let bytes = gz.finish()?;
                    std::fs::File::create(&path)?.write_all(&bytes)?;
                    generated.events += body["Records"].as_array().map_or(0, |r| r.len() as u64);
                    generated.bytes += bytes.len() as u64;
                    generated.files.push(path);
                }
            }
        }
    }
    Ok(generated)
}

fn pick<'a>(rng: &mut StdRng, items: &'a [&'a str]) -> &'a str {
    items[rng.gen_range(0..items.len())]
}

fn uuid(rng: &mut StdRng) -> String {
    let b: [u8; 16] = rng.r#gen();
    uuid::Builder::from_random_bytes(b).into_uuid().to_string()
}

fn time_text(at: chrono::DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn identity(rng: &mut StdRng, account: &str) -> Value {
    if rng.gen_bool(0.45) {
        let user = pick(rng, USERS);
        json!({"type": "IAMUser", "principalId": format!("AIDA{}", &uuid(rng)[..16].to_uppercase().replace('-', "X")),
               "arn": format!("arn:aws:iam::{account}:user/{user}"), "accountId": account,
               "accessKeyId": format!("AKIA{}", &uuid(rng)[..16].to_uppercase().replace('-', "Q")), "userName": user})
    } else {
        let role = pick(rng, ROLES);
        let session = pick(rng, USERS);
        let role_id = format!("AROA{}", &uuid(rng)[..12].to_uppercase().replace('-', "R"));
        json!({"type": "AssumedRole", "principalId": format!("{role_id}:{session}"),
               "arn": format!("arn:aws:sts::{account}:assumed-role/{role}/{session}"), "accountId": account,
               "accessKeyId": format!("ASIA{}", &uuid(rng)[..16].to_uppercase().replace('-', "Z")),
               "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": role_id,
                    "arn": format!("arn:aws:iam::{account}:role/{role}"), "accountId": account, "userName": role},
                    "attributes": {"creationDate": "2024-01-01T00:00:00Z", "mfaAuthenticated": "false"}}})
    }
}

fn base(
    rng: &mut StdRng,
    account: &str,
    region: &str,
    at: chrono::DateTime<Utc>,
    source: &str,
    name: &str,
) -> Value {
    let ip = if rng.gen_bool(0.8) {
        pick(rng, OFFICE_IPS).to_owned()
    } else {
        format!(
            "{}.{}.{}.{}",
            rng.gen_range(1..224),
            rng.gen_range(0..256),
            rng.gen_range(0..256),
            rng.gen_range(1..255)
        )
    };
    json!({
        "eventVersion": "1.09", "userIdentity": identity(rng, account), "eventTime": time_text(at),
        "eventSource": source, "eventName": name, "awsRegion": region, "sourceIPAddress": ip,
        "userAgent": pick(rng, AGENTS), "requestParameters": null, "responseElements": null,
        "requestID": uuid(rng), "eventID": uuid(rng), "readOnly": true, "eventType": "AwsApiCall",
        "managementEvent": true, "recipientAccountId": account, "eventCategory": "Management",
        "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                       "clientProvidedHostHeader": format!("{}.{region}.amazonaws.com", source.trim_end_matches(".amazonaws.com"))}
    })
}

fn event(rng: &mut StdRng, account: &str, region: &str, at: chrono::DateTime<Utc>) -> Value {
    let roll = rng.gen_range(0..100);
    let mut e;
    match roll {
        0..=24 => {
            let bucket = pick(rng, BUCKETS);
            let write = rng.gen_bool(0.3);
            let key = format!(
                "{}/{:05}.parquet",
                pick(rng, &["2024", "exports", "tmp"]),
                rng.gen_range(0..50_000)
            );
            e = base(
                rng,
                account,
                region,
                at,
                "s3.amazonaws.com",
                if write { "PutObject" } else { "GetObject" },
            );
            e["readOnly"] = json!(!write);
            e["managementEvent"] = json!(false);
            e["eventCategory"] = json!("Data");
            e["requestParameters"] = json!({"bucketName": bucket, "key": key, "Host": format!("{bucket}.s3.{region}.amazonaws.com")});
            e["additionalEventData"] = json!({"bytesTransferredIn": if write { rng.gen_range(1..5_000_000) } else { 0 }, "x-amz-id-2": uuid(rng)});
            e["resources"] = json!([
                {"type": "AWS::S3::Object", "ARN": format!("arn:aws:s3:::{bucket}/{key}")},
                {"accountId": account, "type": "AWS::S3::Bucket", "ARN": format!("arn:aws:s3:::{bucket}")}]);
        }
        25..=44 => {
            let name = pick(
                rng,
                &[
                    "DescribeInstances",
                    "DescribeSecurityGroups",
                    "DescribeVolumes",
                ],
            );
            e = base(rng, account, region, at, "ec2.amazonaws.com", name);
            e["requestParameters"] = json!({"maxResults": 1000, "filterSet": {}});
        }
        45..=52 => {
            e = base(rng, account, region, at, "sts.amazonaws.com", "AssumeRole");
            let role = pick(rng, ROLES);
            e["requestParameters"] = json!({"roleArn": format!("arn:aws:iam::{account}:role/{role}"), "roleSessionName": pick(rng, USERS), "durationSeconds": 3600});
            e["responseElements"] = json!({"credentials": {"accessKeyId": "ASIAEXAMPLE", "expiration": time_text(at + Duration::hours(1))}});
            e["resources"] = json!([{"ARN": format!("arn:aws:iam::{account}:role/{role}"), "accountId": account, "type": "AWS::IAM::Role"}]);
        }
        53..=60 => {
            let name = pick(rng, &["Decrypt", "GenerateDataKey", "Encrypt"]);
            e = base(rng, account, region, at, "kms.amazonaws.com", name);
            let key = format!("arn:aws:kms:{region}:{account}:key/{}", uuid(rng));
            e["requestParameters"] =
                json!({"encryptionAlgorithm": "SYMMETRIC_DEFAULT", "keyId": key});
            e["resources"] = json!([{"accountId": account, "type": "AWS::KMS::Key", "ARN": key}]);
        }
        61..=66 => {
            e = base(
                rng,
                account,
                region,
                at,
                "secretsmanager.amazonaws.com",
                "GetSecretValue",
            );
            e["requestParameters"] =
                json!({"secretId": format!("prod/{}", pick(rng, &["db", "api-key", "stripe"]))});
        }
        67..=72 => {
            e = base(
                rng,
                account,
                "us-east-1",
                at,
                "signin.amazonaws.com",
                "ConsoleLogin",
            );
            let ok = rng.gen_bool(0.85);
            e["eventType"] = json!("AwsConsoleSignIn");
            e["readOnly"] = json!(false);
            e["userAgent"] = json!(AGENTS[3]);
            e["requestParameters"] = json!(null);
            e["responseElements"] = json!({"ConsoleLogin": if ok { "Success" } else { "Failure" }});
            e["additionalEventData"] = json!({"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No",
                                              "MFAUsed": if rng.gen_bool(0.7) { "Yes" } else { "No" }});
            if !ok {
                e["errorMessage"] = json!("Failed authentication");
            }
        }
        73..=80 => {
            let name = pick(
                rng,
                &[
                    "CreateUser",
                    "CreateAccessKey",
                    "AttachRolePolicy",
                    "PutUserPolicy",
                    "ListUsers",
                    "GetRole",
                ],
            );
            e = base(rng, account, "us-east-1", at, "iam.amazonaws.com", name);
            e["readOnly"] = json!(name.starts_with("List") || name.starts_with("Get"));
            e["requestParameters"] = json!({"userName": pick(rng, USERS)});
            if name == "AttachRolePolicy" {
                e["requestParameters"] = json!({"roleName": pick(rng, ROLES), "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"});
            }
        }
        81..=86 => {
            e = base(rng, account, region, at, "lambda.amazonaws.com", "Invoke");
            e["managementEvent"] = json!(false);
            e["eventCategory"] = json!("Data");
            e["readOnly"] = json!(false);
            let f = format!(
                "arn:aws:lambda:{region}:{account}:function:{}",
                pick(rng, &["thumbnailer", "etl", "auth"])
            );
            e["requestParameters"] = json!({"functionName": f});
            e["resources"] =
                json!([{"accountId": account, "type": "AWS::Lambda::Function", "ARN": f}]);
        }
        87..=90 => {
            e = base(
                rng,
                account,
                region,
                at,
                "ec2.amazonaws.com",
                "AuthorizeSecurityGroupIngress",
            );
            e["readOnly"] = json!(false);
            e["requestParameters"] = json!({"groupId": format!("sg-{:08x}", rng.gen_range(0..u32::MAX)),
                "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 443, "toPort": 443,
                    "ipRanges": {"items": [{"cidrIp": "10.0.0.0/8"}]}}]}});
        }
        _ => {
            let name = pick(rng, &["RunInstances", "TerminateInstances", "CreateTags"]);
            e = base(rng, account, region, at, "ec2.amazonaws.com", name);
            e["readOnly"] = json!(false);
            e["requestParameters"] = json!({"instancesSet": {"items": [{"instanceId": format!("i-{:016x}", rng.r#gen::<u64>())}]}});
        }
    }
    if rng.gen_range(0..100) < 4 && e["readOnly"] == json!(true) {
        e["errorCode"] = json!("AccessDenied");
        e["errorMessage"] = json!(format!(
            "User: {} is not authorized to perform this action",
            e["userIdentity"]["arn"].as_str().unwrap_or("?")
        ));
        e["responseElements"] = json!(null);
    }
    e
}

/// Incidents an investigator should find: a root console login without MFA, a security group opened to the
/// world, CloudTrail logging stopped, and a burst of AccessDenied from one principal.
fn planted(
    account: &str,
    region: &str,
    hour_start: chrono::DateTime<Utc>,
    hour: u32,
) -> Vec<(i64, Value)> {
    let at = hour_start + Duration::minutes(17);
    let root = json!({"type": "Root", "principalId": account, "arn": format!("arn:aws:iam::{account}:root"), "accountId": account});
    let intruder = json!({"type": "IAMUser", "principalId": "AIDAINTRUDER0000001", "arn": format!("arn:aws:iam::{account}:user/mallory"),
                          "accountId": account, "accessKeyId": "AKIAMALLORY00000001", "userName": "mallory"});
    let common = |name: &str, source: &str, identity: &Value, at: chrono::DateTime<Utc>, n: u32| {
        json!({"eventVersion": "1.09", "userIdentity": identity, "eventTime": time_text(at), "eventSource": source,
               "eventName": name, "awsRegion": region, "sourceIPAddress": "185.220.101.42", "userAgent": AGENTS[0],
               "requestID": format!("planted-{hour}-{n}"), "eventID": format!("00000000-0000-4000-8000-{:012}", hour * 100 + n),
               "readOnly": false, "eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": account,
               "eventCategory": "Management"})
    };
    let mut out = Vec::new();
    match hour {
        3 => {
            let mut e = common("ConsoleLogin", "signin.amazonaws.com", &root, at, 1);
            e["eventType"] = json!("AwsConsoleSignIn");
            e["responseElements"] = json!({"ConsoleLogin": "Success"});
            e["additionalEventData"] = json!({"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No", "MFAUsed": "No"});
            out.push((at.timestamp_millis(), e));
        }
        4 => {
            let mut e = common(
                "AuthorizeSecurityGroupIngress",
                "ec2.amazonaws.com",
                &intruder,
                at,
                2,
            );
            e["requestParameters"] = json!({"groupId": "sg-0badc0ffee0000001", "ipPermissions": {"items": [{"ipProtocol": "tcp",
                "fromPort": 22, "toPort": 22, "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}]}});
            out.push((at.timestamp_millis(), e));
        }
        5 => {
            for n in 0..40u32 {
                let t = at + Duration::seconds(i64::from(n) * 7);
                let mut e = common(
                    [
                        "ListBuckets",
                        "GetSecretValue",
                        "ListUsers",
                        "DescribeInstances",
                    ][n as usize % 4],
                    "iam.amazonaws.com",
                    &intruder,
                    t,
                    10 + n,
                );
                e["readOnly"] = json!(true);
                e["errorCode"] = json!("AccessDenied");
                e["errorMessage"] = json!("User: mallory is not authorized to perform this action");
                out.push((t.timestamp_millis(), e));
            }
        }
        6 => {
            let mut e = common("StopLogging", "cloudtrail.amazonaws.com", &intruder, at, 3);
            e["requestParameters"] = json!({"name": format!("arn:aws:cloudtrail:{region}:{account}:trail/management-events")});
            out.push((at.timestamp_millis(), e));
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_files() {
        let (a, b) = (
            tempfile::tempdir().expect("tempdir"),
            tempfile::tempdir().expect("tempdir"),
        );
        let mut config = GeneratorConfig::recent(2);
        config.start = NaiveDate::from_ymd_opt(2024, 3, 1).expect("date");
        config.events_per_day = 300;
        let ga = generate(a.path(), &config).expect("generate");
        let gb = generate(b.path(), &config).expect("generate");
        assert_eq!(ga.events, gb.events);
        assert!(ga.events >= 600, "{}", ga.events);
        for (fa, fb) in ga.files.iter().zip(&gb.files) {
            assert_eq!(
                std::fs::read(fa).expect("read"),
                std::fs::read(fb).expect("read")
            );
        }
        // Events of the last hour of a day are delivered in the next day's folder.
        assert!(
            ga.files
                .iter()
                .any(|f| f.to_string_lossy().contains("/2024/03/03/"))
        );
    }
}
