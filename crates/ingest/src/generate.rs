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

    /// The demo's lake: `days` days ending yesterday, 2,000 events a day, three accounts, three regions.
    pub fn demo(days: u32) -> Self {
        GeneratorConfig {
            events_per_day: 2000,
            regions: vec![
                "us-east-1".into(),
                "eu-west-1".into(),
                "ap-southeast-2".into(),
            ],
            ..GeneratorConfig::recent(days)
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
const SECRETS: &[&str] = &["prod/db", "prod/api-key", "prod/stripe", "staging/db"];
const KMS_KEYS: &[&str] = &[
    "1234abcd-12ab-34cd-56ef-1234567890ab",
    "0987dcba-09fe-87dc-65ba-ab0987654321",
    "5a6b7c8d-1e2f-4a3b-9c8d-7e6f5a4b3c2d",
];
/// The region where the intruder starts instances: no account of the generator works there.
pub const UNUSED_REGION: &str = "sa-east-1";

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
                    let hour_start =
                        Utc.from_utc_datetime(&date.and_hms_opt(hour, 0, 0).unwrap_or_default());
                    let mut records: Vec<(i64, Value)> = (0..count)
                        .map(|_| {
                            let at =
                                hour_start + Duration::milliseconds(rng.gen_range(0..3_600_000));
                            (
                                at.timestamp_millis(),
                                event(&mut rng, &config.accounts, account, region, at),
                            )
                        })
                        .collect();
                    // Planted incidents, once per store: first account, first region, given hours of day 0.
                    if day == 0 && a == 0 && r == 0 {
                        records.extend(planted(
                            &config.accounts,
                            account,
                            region,
                            hour_start,
                            hour,
                        ));
                    }
                    if records.is_empty() {
                        continue;
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

/// One background event: the everyday mix of reads, writes, sign-ins and errors of a busy account.
fn event(
    rng: &mut StdRng,
    accounts: &[String],
    account: &str,
    region: &str,
    at: chrono::DateTime<Utc>,
) -> Value {
    let roll = rng.gen_range(0..1000);
    let mut e;
    match roll {
        0..=219 => {
            let bucket = pick(rng, BUCKETS);
            let name = match rng.gen_range(0..10) {
                0..=6 => "GetObject",
                7..=8 => "PutObject",
                _ => "DeleteObject",
            };
            let key = format!(
                "{}/{:05}.parquet",
                pick(rng, &["2024", "exports", "tmp"]),
                rng.gen_range(0..50_000)
            );
            e = base(rng, account, region, at, "s3.amazonaws.com", name);
            e["readOnly"] = json!(name == "GetObject");
            e["managementEvent"] = json!(false);
            e["eventCategory"] = json!("Data");
            e["requestParameters"] = json!({"bucketName": bucket, "key": key, "Host": format!("{bucket}.s3.{region}.amazonaws.com")});
            let size = rng.gen_range(1_000..5_000_000);
            e["additionalEventData"] = json!({
                "bytesTransferredIn": if name == "PutObject" { size } else { 0 },
                "bytesTransferredOut": if name == "GetObject" { size } else { 0 },
                "x-amz-id-2": uuid(rng)});
            e["resources"] = json!([
                {"type": "AWS::S3::Object", "ARN": format!("arn:aws:s3:::{bucket}/{key}")},
                {"accountId": account, "type": "AWS::S3::Bucket", "ARN": format!("arn:aws:s3:::{bucket}")}]);
        }
        220..=249 => {
            let name = pick(
                rng,
                &[
                    "ListBuckets",
                    "GetBucketAcl",
                    "GetBucketPolicy",
                    "GetBucketLocation",
                    "CreateBucket",
                    "PutBucketAcl",
                    "PutBucketPolicy",
                    "PutBucketPublicAccessBlock",
                ],
            );
            e = base(rng, account, region, at, "s3.amazonaws.com", name);
            let bucket = pick(rng, BUCKETS);
            e["readOnly"] = json!(name.starts_with("Get") || name.starts_with("List"));
            e["requestParameters"] = match name {
                "ListBuckets" => json!({"Host": "s3.amazonaws.com"}),
                "PutBucketAcl" => {
                    json!({"bucketName": bucket, "AccessControlPolicy": {"AccessControlList": {"Grant": [
                    {"Grantee": {"xsi:type": "CanonicalUser", "ID": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
                     "Permission": "FULL_CONTROL"}]}}, "acl": [""]})
                }
                "PutBucketPolicy" => {
                    json!({"bucketName": bucket, "bucketPolicy": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{account}:role/DataScience")},
                     "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::{bucket}/*")}]}})
                }
                "PutBucketPublicAccessBlock" => {
                    json!({"bucketName": bucket, "PublicAccessBlockConfiguration": {
                    "BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": true, "RestrictPublicBuckets": true}})
                }
                _ => {
                    json!({"bucketName": bucket, "Host": format!("{bucket}.s3.{region}.amazonaws.com")})
                }
            };
        }
        250..=429 => {
            let name = pick(
                rng,
                &[
                    "DescribeInstances",
                    "DescribeSecurityGroups",
                    "DescribeVolumes",
                    "DescribeSubnets",
                    "DescribeVpcs",
                ],
            );
            e = base(rng, account, region, at, "ec2.amazonaws.com", name);
            e["requestParameters"] = json!({"maxResults": 1000, "filterSet": {}});
            // Automation polls too fast now and then.
            if rng.gen_range(0..100) < 3 {
                e["errorCode"] = json!("Client.RequestLimitExceeded");
                e["errorMessage"] = json!("Request limit exceeded.");
            }
        }
        430..=509 => {
            // Most role assumptions stay in the account; some cross into another account of the organization.
            let target = if accounts.len() > 1 && rng.gen_bool(0.25) {
                accounts[rng.gen_range(0..accounts.len())].as_str()
            } else {
                account
            };
            let role = if target == account {
                pick(rng, ROLES)
            } else {
                "OrganizationAccountAccessRole"
            };
            let session = pick(rng, USERS);
            e = base(rng, account, region, at, "sts.amazonaws.com", "AssumeRole");
            let role_arn = format!("arn:aws:iam::{target}:role/{role}");
            e["recipientAccountId"] = json!(target);
            e["requestParameters"] =
                json!({"roleArn": role_arn, "roleSessionName": session, "durationSeconds": 3600});
            e["responseElements"] = json!({"credentials": {"accessKeyId": format!("ASIA{}", &uuid(rng)[..16].to_uppercase().replace('-', "T")),
                "sessionToken": "IQoJb3JpZ2luX2VjEXAMPLE", "expiration": time_text(at + Duration::hours(1))},
                "assumedRoleUser": {"assumedRoleId": format!("AROAEXAMPLE:{session}"), "arn": format!("arn:aws:sts::{target}:assumed-role/{role}/{session}")}});
            e["resources"] =
                json!([{"ARN": role_arn, "accountId": target, "type": "AWS::IAM::Role"}]);
        }
        510..=529 => {
            e = base(
                rng,
                account,
                region,
                at,
                "sts.amazonaws.com",
                "GetCallerIdentity",
            );
        }
        530..=609 => {
            let name = pick(rng, &["Decrypt", "Decrypt", "GenerateDataKey", "Encrypt"]);
            e = base(rng, account, region, at, "kms.amazonaws.com", name);
            let key = format!(
                "arn:aws:kms:{region}:{account}:key/{}",
                KMS_KEYS[rng.gen_range(0..KMS_KEYS.len())]
            );
            if rng.gen_bool(0.3) {
                // AWS services decrypt on the caller's behalf (S3 SSE-KMS, Secrets Manager).
                let by = pick(rng, &["s3.amazonaws.com", "secretsmanager.amazonaws.com"]);
                e["userIdentity"] = json!({"type": "AWSService", "invokedBy": by});
                e["sourceIPAddress"] = json!(by);
                e["userAgent"] = json!(by);
            }
            e["requestParameters"] =
                json!({"encryptionAlgorithm": "SYMMETRIC_DEFAULT", "keyId": key});
            e["resources"] = json!([{"accountId": account, "type": "AWS::KMS::Key", "ARN": key}]);
        }
        610..=659 => {
            let name = pick(
                rng,
                &[
                    "GetSecretValue",
                    "GetSecretValue",
                    "GetSecretValue",
                    "DescribeSecret",
                    "ListSecrets",
                    "PutSecretValue",
                ],
            );
            e = base(
                rng,
                account,
                region,
                at,
                "secretsmanager.amazonaws.com",
                name,
            );
            e["readOnly"] = json!(name != "PutSecretValue");
            if name != "ListSecrets" {
                let secret = pick(rng, SECRETS);
                e["requestParameters"] = json!({"secretId": format!("arn:aws:secretsmanager:{region}:{account}:secret:{secret}-AbCdEf")});
                if name == "GetSecretValue" && rng.gen_range(0..100) < 3 {
                    e["errorCode"] = json!("ResourceNotFoundException");
                    e["errorMessage"] = json!("Secrets Manager can't find the specified secret.");
                }
            }
        }
        660..=709 => {
            e = base(
                rng,
                account,
                "us-east-1",
                at,
                "signin.amazonaws.com",
                "ConsoleLogin",
            );
            let ok = rng.gen_bool(0.9);
            let user = pick(rng, &USERS[..4]);
            e["userIdentity"] = json!({"type": "IAMUser", "principalId": format!("AIDA{}", user.to_uppercase()),
                "arn": format!("arn:aws:iam::{account}:user/{user}"), "accountId": account, "userName": user});
            e["eventType"] = json!("AwsConsoleSignIn");
            e["readOnly"] = json!(false);
            e["userAgent"] = json!(AGENTS[3]);
            e["requestParameters"] = json!(null);
            e["responseElements"] = json!({"ConsoleLogin": if ok { "Success" } else { "Failure" }});
            e["additionalEventData"] = json!({"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No",
                                              "MFAUsed": if user == "dave" { "No" } else { "Yes" }});
            if !ok {
                e["errorMessage"] = json!("Failed authentication");
            }
        }
        710..=809 => {
            let name = pick(
                rng,
                &[
                    "ListUsers",
                    "ListRoles",
                    "GetRole",
                    "GetUser",
                    "ListAttachedRolePolicies",
                    "ListAccessKeys",
                    "GetRole",
                    "CreateAccessKey",
                    "UpdateAccessKey",
                    "DeleteAccessKey",
                    "CreateUser",
                    "AttachRolePolicy",
                    "DetachRolePolicy",
                    "PutRolePolicy",
                    "PutUserPolicy",
                    "CreatePolicyVersion",
                    "UpdateAssumeRolePolicy",
                    "CreateRole",
                ],
            );
            e = base(rng, account, "us-east-1", at, "iam.amazonaws.com", name);
            let read = name.starts_with("List") || name.starts_with("Get");
            e["readOnly"] = json!(read);
            let user = pick(rng, USERS);
            let role = pick(rng, ROLES);
            e["requestParameters"] = match name {
                "AttachRolePolicy" | "DetachRolePolicy" => json!({"roleName": role,
                    "policyArn": format!("arn:aws:iam::aws:policy/{}", pick(rng, &["ReadOnlyAccess", "AmazonS3ReadOnlyAccess", "PowerUserAccess"]))}),
                "PutRolePolicy" => json!({"roleName": role, "policyName": "inline-access",
                    "policyDocument": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}"}),
                "PutUserPolicy" => json!({"userName": user, "policyName": "inline-access",
                    "policyDocument": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"ec2:Describe*\",\"Resource\":\"*\"}]}"}),
                "CreatePolicyVersion" => {
                    json!({"policyArn": format!("arn:aws:iam::{account}:policy/ci-deploy"), "setAsDefault": true,
                    "policyDocument": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"cloudformation:*\",\"Resource\":\"*\"}]}"})
                }
                "UpdateAssumeRolePolicy"
                | "GetRole"
                | "CreateRole"
                | "ListAttachedRolePolicies" => json!({"roleName": role}),
                "ListUsers" | "ListRoles" => json!(null),
                "UpdateAccessKey" => {
                    json!({"userName": user, "accessKeyId": format!("AKIA{}", user.to_uppercase()), "status": "Inactive"})
                }
                "DeleteAccessKey" => {
                    json!({"userName": user, "accessKeyId": format!("AKIA{}", user.to_uppercase())})
                }
                _ => json!({"userName": user}),
            };
            if name == "CreateAccessKey" {
                e["responseElements"] = json!({"accessKey": {"userName": user, "accessKeyId": format!("AKIA{}", &uuid(rng)[..16].to_uppercase().replace('-', "K")),
                    "status": "Active", "createDate": time_text(at)}});
            }
            if name == "GetRole" && rng.gen_range(0..100) < 5 {
                e["errorCode"] = json!("NoSuchEntityException");
                e["errorMessage"] = json!(format!("The role with name {role} cannot be found."));
            }
        }
        810..=869 => {
            let name = pick(
                rng,
                &["Invoke", "Invoke", "Invoke", "UpdateFunctionCode20150331v2"],
            );
            let f = format!(
                "arn:aws:lambda:{region}:{account}:function:{}",
                pick(rng, &["thumbnailer", "etl", "auth"])
            );
            e = base(rng, account, region, at, "lambda.amazonaws.com", name);
            e["readOnly"] = json!(false);
            if name == "Invoke" {
                e["managementEvent"] = json!(false);
                e["eventCategory"] = json!("Data");
            }
            e["requestParameters"] = json!({"functionName": f});
            e["resources"] =
                json!([{"accountId": account, "type": "AWS::Lambda::Function", "ARN": f}]);
            if name == "Invoke" && rng.gen_range(0..100) < 4 {
                e["errorCode"] = json!("TooManyRequestsException");
                e["errorMessage"] = json!("Rate Exceeded.");
            }
        }
        870..=899 => {
            let name = pick(
                rng,
                &[
                    "AuthorizeSecurityGroupIngress",
                    "RevokeSecurityGroupIngress",
                    "CreateSecurityGroup",
                ],
            );
            e = base(rng, account, region, at, "ec2.amazonaws.com", name);
            e["readOnly"] = json!(false);
            let group = format!("sg-{:08x}", rng.gen_range(0..u32::MAX));
            e["requestParameters"] = if name == "CreateSecurityGroup" {
                json!({"groupName": format!("app-{}", rng.gen_range(1..50)), "groupDescription": "application tier", "vpcId": "vpc-0a1b2c3d"})
            } else {
                let port = *[443u16, 5432, 8080]
                    .get(rng.gen_range(0..3))
                    .unwrap_or(&443);
                json!({"groupId": group, "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": port, "toPort": port,
                    "ipRanges": {"items": [{"cidrIp": "10.0.0.0/8"}]}}]}})
            };
        }
        900..=939 => {
            let name = pick(
                rng,
                &[
                    "DescribeTrails",
                    "GetTrailStatus",
                    "LookupEvents",
                    "GetEventSelectors",
                    "DescribeDBInstances",
                    "ListDetectors",
                    "DescribeConfigRules",
                ],
            );
            let source = match name {
                "DescribeDBInstances" => "rds.amazonaws.com",
                "ListDetectors" => "guardduty.amazonaws.com",
                "DescribeConfigRules" => "config.amazonaws.com",
                _ => "cloudtrail.amazonaws.com",
            };
            e = base(rng, account, region, at, source, name);
        }
        _ => {
            let name = pick(
                rng,
                &[
                    "RunInstances",
                    "TerminateInstances",
                    "StopInstances",
                    "CreateTags",
                    "CreateSnapshot",
                ],
            );
            e = base(rng, account, region, at, "ec2.amazonaws.com", name);
            e["readOnly"] = json!(false);
            let instance = format!("i-{:016x}", rng.r#gen::<u64>());
            e["requestParameters"] = json!({"instancesSet": {"items": [{"instanceId": instance}]}});
            if name == "RunInstances" {
                e["requestParameters"] = json!({"instanceType": pick(rng, &["t3.micro", "m6i.large"]),
                    "instancesSet": {"items": [{"imageId": "ami-0abcdef1234567890", "minCount": 1, "maxCount": 1}]}});
                e["responseElements"] =
                    json!({"instancesSet": {"items": [{"instanceId": instance}]}});
            }
        }
    }
    if e.get("errorCode").is_none() && rng.gen_range(0..100) < 3 && e["readOnly"] == json!(true) {
        e["errorCode"] = json!("AccessDenied");
        e["errorMessage"] = json!(format!(
            "User: {} is not authorized to perform this action",
            e["userIdentity"]["arn"].as_str().unwrap_or("?")
        ));
        e["responseElements"] = json!(null);
    }
    e
}

/// The intruder's source address, user and access key in the planted incidents.
pub const INTRUDER_IP: &str = "185.220.101.42";
/// The intruder's IAM user name.
pub const INTRUDER_USER: &str = "mallory";
/// The intruder's access key id.
pub const INTRUDER_ACCESS_KEY: &str = "AKIAMALLORY00000001";
/// The address that tries passwords against the console.
pub const BRUTE_FORCE_IP: &str = "45.155.205.99";

/// Incidents an investigator should find, all on the first day in the first account and region (hours UTC):
/// 02 a burst of failed console logins for alice from one address; 03 a root console login without MFA and
/// root creating an access key; 04 a security group opened to 0.0.0.0/0 on port 22; 05 a burst of AccessDenied
/// from mallory; 06 CloudTrail logging stopped, GuardDuty and Config switched off; 07 a backdoor user with an
/// access key and AdministratorAccess; 08 a bucket made public (policy, ACL, public access block removed);
/// 09 a spike of KMS Decrypt and every secret read; 10 objects copied out of that bucket; 11 mallory assumes a
/// role in another account and starts large instances in a region the organization does not use.
fn planted(
    accounts: &[String],
    account: &str,
    region: &str,
    hour_start: chrono::DateTime<Utc>,
    hour: u32,
) -> Vec<(i64, Value)> {
    let at = hour_start + Duration::minutes(17);
    let root = json!({"type": "Root", "principalId": account, "arn": format!("arn:aws:iam::{account}:root"), "accountId": account});
    let intruder = json!({"type": "IAMUser", "principalId": "AIDAINTRUDER0000001", "arn": format!("arn:aws:iam::{account}:user/{INTRUDER_USER}"),
                          "accountId": account, "accessKeyId": INTRUDER_ACCESS_KEY, "userName": INTRUDER_USER});
    let common = |name: &str, source: &str, identity: &Value, at: chrono::DateTime<Utc>, n: u32| {
        json!({"eventVersion": "1.09", "userIdentity": identity, "eventTime": time_text(at), "eventSource": source,
               "eventName": name, "awsRegion": region, "sourceIPAddress": INTRUDER_IP, "userAgent": AGENTS[0],
               "requestParameters": null, "responseElements": null,
               "requestID": format!("planted-{hour}-{n}"), "eventID": format!("00000000-0000-4000-8000-{:012}", hour * 1000 + n),
               "readOnly": false, "eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": account,
               "eventCategory": "Management"})
    };
    let mut out = Vec::new();
    let mut push = |e: Value| {
        let t = e["eventTime"]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map_or(0, |t| t.timestamp_millis());
        out.push((t, e));
    };
    let console = |e: &mut Value, ok: bool, mfa: &str| {
        e["eventType"] = json!("AwsConsoleSignIn");
        e["userAgent"] = json!(AGENTS[3]);
        e["responseElements"] = json!({"ConsoleLogin": if ok { "Success" } else { "Failure" }});
        e["additionalEventData"] = json!({"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No", "MFAUsed": mfa});
        if !ok {
            e["errorMessage"] = json!("Failed authentication");
        }
    };
    match hour {
        2 => {
            let alice = json!({"type": "IAMUser", "principalId": "AIDAALICE", "arn": format!("arn:aws:iam::{account}:user/alice"),
                               "accountId": account, "userName": "alice"});
            for n in 0..25u32 {
                let mut e = common(
                    "ConsoleLogin",
                    "signin.amazonaws.com",
                    &alice,
                    at + Duration::seconds(i64::from(n) * 11),
                    n,
                );
                e["sourceIPAddress"] = json!(BRUTE_FORCE_IP);
                console(&mut e, false, "No");
                push(e);
            }
        }
        3 => {
            let mut e = common("ConsoleLogin", "signin.amazonaws.com", &root, at, 1);
            console(&mut e, true, "No");
            push(e);
            let mut e = common(
                "CreateAccessKey",
                "iam.amazonaws.com",
                &root,
                at + Duration::minutes(4),
                2,
            );
            e["userAgent"] = json!(AGENTS[3]);
            e["responseElements"] = json!({"accessKey": {"accessKeyId": "AKIAROOTKEY00000001", "status": "Active", "createDate": time_text(at)}});
            push(e);
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
            push(e);
        }
        5 => {
            for n in 0..40u32 {
                let t = at + Duration::seconds(i64::from(n) * 7);
                let (name, source) = [
                    ("ListBuckets", "s3.amazonaws.com"),
                    ("GetSecretValue", "secretsmanager.amazonaws.com"),
                    ("ListUsers", "iam.amazonaws.com"),
                    ("DescribeInstances", "ec2.amazonaws.com"),
                ][n as usize % 4];
                let mut e = common(name, source, &intruder, t, 10 + n);
                e["readOnly"] = json!(true);
                e["errorCode"] = json!("AccessDenied");
                e["errorMessage"] = json!(format!(
                    "User: arn:aws:iam::{account}:user/{INTRUDER_USER} is not authorized to perform this action"
                ));
                push(e);
            }
        }
        6 => {
            let mut e = common("StopLogging", "cloudtrail.amazonaws.com", &intruder, at, 3);
            e["requestParameters"] = json!({"name": format!("arn:aws:cloudtrail:{region}:{account}:trail/management-events")});
            push(e);
            let mut e = common(
                "DeleteDetector",
                "guardduty.amazonaws.com",
                &intruder,
                at + Duration::minutes(2),
                4,
            );
            e["requestParameters"] = json!({"detectorId": "12abc34d567e8fa901bc2d34e56789f0"});
            push(e);
            let mut e = common(
                "StopConfigurationRecorder",
                "config.amazonaws.com",
                &intruder,
                at + Duration::minutes(3),
                5,
            );
            e["requestParameters"] = json!({"configurationRecorderName": "default"});
            push(e);
        }
        7 => {
            let mut e = common("CreateUser", "iam.amazonaws.com", &intruder, at, 1);
            e["requestParameters"] = json!({"userName": "backdoor"});
            push(e);
            let mut e = common(
                "AttachUserPolicy",
                "iam.amazonaws.com",
                &intruder,
                at + Duration::minutes(1),
                2,
            );
            e["requestParameters"] = json!({"userName": "backdoor", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"});
            push(e);
            let mut e = common(
                "CreateAccessKey",
                "iam.amazonaws.com",
                &intruder,
                at + Duration::minutes(2),
                3,
            );
            e["requestParameters"] = json!({"userName": "backdoor"});
            e["responseElements"] = json!({"accessKey": {"userName": "backdoor", "accessKeyId": "AKIABACKDOOR0000001", "status": "Active",
                "createDate": time_text(at)}});
            push(e);
        }
        8 => {
            let bucket = "finance-reports";
            let mut e = common(
                "DeleteBucketPublicAccessBlock",
                "s3.amazonaws.com",
                &intruder,
                at,
                1,
            );
            e["requestParameters"] = json!({"bucketName": bucket, "publicAccessBlock": [""]});
            push(e);
            let mut e = common(
                "PutBucketPolicy",
                "s3.amazonaws.com",
                &intruder,
                at + Duration::minutes(1),
                2,
            );
            e["requestParameters"] = json!({"bucketName": bucket, "bucketPolicy": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::{bucket}/*")}]}});
            push(e);
            let mut e = common(
                "PutBucketAcl",
                "s3.amazonaws.com",
                &intruder,
                at + Duration::minutes(2),
                3,
            );
            e["requestParameters"] = json!({"bucketName": bucket, "AccessControlPolicy": {"AccessControlList": {"Grant": [
                {"Grantee": {"xsi:type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"}, "Permission": "READ"}]}},
                "acl": [""]});
            push(e);
        }
        9 => {
            for n in 0..120u32 {
                let t = at + Duration::seconds(i64::from(n) * 5);
                let mut e = common("Decrypt", "kms.amazonaws.com", &intruder, t, 10 + n);
                let key = format!("arn:aws:kms:{region}:{account}:key/{}", KMS_KEYS[0]);
                e["readOnly"] = json!(true);
                e["requestParameters"] =
                    json!({"encryptionAlgorithm": "SYMMETRIC_DEFAULT", "keyId": key});
                e["resources"] =
                    json!([{"accountId": account, "type": "AWS::KMS::Key", "ARN": key}]);
                push(e);
            }
            for (n, secret) in SECRETS.iter().enumerate() {
                let mut e = common(
                    "GetSecretValue",
                    "secretsmanager.amazonaws.com",
                    &intruder,
                    at + Duration::minutes(12) + Duration::seconds(n as i64),
                    500 + n as u32,
                );
                e["readOnly"] = json!(true);
                e["requestParameters"] = json!({"secretId": format!("arn:aws:secretsmanager:{region}:{account}:secret:{secret}-AbCdEf")});
                push(e);
            }
        }
        10 => {
            for n in 0..60u32 {
                let t = at + Duration::seconds(i64::from(n) * 3);
                let bucket = "finance-reports";
                let key = format!("2024/q{}/ledger-{n:03}.csv", n % 4 + 1);
                let mut e = common("GetObject", "s3.amazonaws.com", &intruder, t, 10 + n);
                e["readOnly"] = json!(true);
                e["managementEvent"] = json!(false);
                e["eventCategory"] = json!("Data");
                e["requestParameters"] = json!({"bucketName": bucket, "key": key, "Host": format!("{bucket}.s3.{region}.amazonaws.com")});
                e["additionalEventData"] =
                    json!({"bytesTransferredIn": 0, "bytesTransferredOut": 2_500_000 + n * 1000});
                e["resources"] = json!([
                    {"type": "AWS::S3::Object", "ARN": format!("arn:aws:s3:::{bucket}/{key}")},
                    {"accountId": account, "type": "AWS::S3::Bucket", "ARN": format!("arn:aws:s3:::{bucket}")}]);
                push(e);
            }
        }
        11 => {
            let target = accounts.get(1).map_or(account, String::as_str);
            let role_arn = format!("arn:aws:iam::{target}:role/OrganizationAccountAccessRole");
            let mut e = common("AssumeRole", "sts.amazonaws.com", &intruder, at, 1);
            e["readOnly"] = json!(true);
            e["recipientAccountId"] = json!(target);
            e["requestParameters"] =
                json!({"roleArn": role_arn, "roleSessionName": "mallory", "durationSeconds": 3600});
            e["responseElements"] = json!({"credentials": {"accessKeyId": "ASIAMALLORY00000002", "expiration": time_text(at + Duration::hours(1))},
                "assumedRoleUser": {"assumedRoleId": "AROAORGACCESS:mallory", "arn": format!("arn:aws:sts::{target}:assumed-role/OrganizationAccountAccessRole/mallory")}});
            e["resources"] =
                json!([{"ARN": role_arn, "accountId": target, "type": "AWS::IAM::Role"}]);
            push(e);
            let assumed = json!({"type": "AssumedRole", "principalId": "AROAORGACCESS:mallory",
                "arn": format!("arn:aws:sts::{target}:assumed-role/OrganizationAccountAccessRole/mallory"), "accountId": target,
                "accessKeyId": "ASIAMALLORY00000002",
                "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAORGACCESS",
                    "arn": role_arn, "accountId": target, "userName": "OrganizationAccountAccessRole"},
                    "attributes": {"creationDate": time_text(at), "mfaAuthenticated": "false"}}});
            for n in 0..3u32 {
                let mut e = common(
                    "RunInstances",
                    "ec2.amazonaws.com",
                    &assumed,
                    at + Duration::minutes(5 + i64::from(n)),
                    2 + n,
                );
                e["awsRegion"] = json!(UNUSED_REGION);
                e["recipientAccountId"] = json!(target);
                e["requestParameters"] = json!({"instanceType": "p4d.24xlarge",
                    "instancesSet": {"items": [{"imageId": "ami-0c0ffee0c0ffee000", "minCount": 8, "maxCount": 8}]}});
                e["responseElements"] = json!({"instancesSet": {"items": [{"instanceId": format!("i-0badc0ffee00000{n:02}")}]}});
                push(e);
            }
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
