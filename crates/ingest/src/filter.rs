//! Matching records against advanced event selectors.

use auditlake_schema::Record;
use auditlake_store::{AdvancedEventSelector, FieldSelector};

/// Whether the selectors let `record` in: no selectors, or any selector whose every field condition holds.
pub fn selects(selectors: &[AdvancedEventSelector], record: &Record<'_>) -> bool {
    selectors.is_empty()
        || selectors
            .iter()
            .any(|s| s.field_selectors.iter().all(|f| field_holds(f, record)))
}

fn field_holds(selector: &FieldSelector, record: &Record<'_>) -> bool {
    let text = |v: Option<&auditlake_schema::Text<'_>>| v.map(|t| t.as_str().to_owned());
    let bool_text = |v: Option<auditlake_schema::Bool>| v.map(|b| b.0.to_string());
    let values: Vec<Option<String>> = match selector.field.as_str() {
        "eventCategory" => vec![Some(record.category().to_owned())],
        "eventSource" => vec![text(record.event_source.as_ref())],
        "eventName" => vec![text(record.event_name.as_ref())],
        "readOnly" => vec![bool_text(record.read_only)],
        "eventType" => vec![text(record.event_type.as_ref())],
        "errorCode" => vec![text(record.error_code.as_ref())],
        "vpcEndpointId" => vec![text(record.vpc_endpoint_id.as_ref())],
        "sessionCredentialFromConsole" => {
            vec![text(record.session_credential_from_console.as_ref())]
        }
        "userIdentity.arn" => vec![text(
            record.user_identity.as_ref().and_then(|u| u.arn.as_ref()),
        )],
        "resources.type" | "resources.ARN" => {
            let resources = record.resources.as_deref().unwrap_or_default();
            if resources.is_empty() {
                vec![None]
            } else {
                resources
                    .iter()
                    .map(|r| {
                        text(if selector.field == "resources.type" {
                            r.kind.as_ref()
                        } else {
                            r.arn.as_ref()
                        })
                    })
                    .collect()
            }
        }
        _ => vec![None],
    };
    // Positive operators hold when some value (some resource) matches; negative ones when no value matches.
    let positive = |v: &Option<String>| {
        let v = v.as_deref();
        (selector.equals.is_empty() || v.is_some_and(|v| selector.equals.iter().any(|e| e == v)))
            && (selector.starts_with.is_empty()
                || v.is_some_and(|v| {
                    selector
                        .starts_with
                        .iter()
                        .any(|p| v.starts_with(p.as_str()))
                }))
            && (selector.ends_with.is_empty()
                || v.is_some_and(|v| selector.ends_with.iter().any(|p| v.ends_with(p.as_str()))))
    };
    let negative = |v: &Option<String>| {
        let v = v.as_deref();
        v.is_none_or(|v| {
            !selector.not_equals.iter().any(|e| e == v)
                && !selector
                    .not_starts_with
                    .iter()
                    .any(|p| v.starts_with(p.as_str()))
                && !selector
                    .not_ends_with
                    .iter()
                    .any(|p| v.ends_with(p.as_str()))
        })
    };
    values.iter().any(positive) && values.iter().all(negative)
}

#[cfg(test)]
mod tests {
    use super::*;
    use auditlake_schema::decode_event;
    use auditlake_store::selectors::parse_selectors;

    fn check(selectors: &str, record: &str) -> bool {
        let selectors = parse_selectors(selectors).expect("valid selectors");
        let event = decode_event(record).expect("valid record");
        selects(&selectors, &event.record)
    }

    const S3_PUT: &str = r#"{"eventTime":"2024-05-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"PutObject",
        "readOnly":false,"eventCategory":"Data","resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::b/k"},
        {"type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::b"}]}"#;
    const LOGIN: &str = r#"{"eventTime":"2024-05-01T00:00:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin",
        "eventType":"AwsConsoleSignIn","userIdentity":{"arn":"arn:aws:iam::1:root"}}"#;

    #[test]
    fn selectors_or_and_and() {
        let sel = r#"[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},{"Field":"readOnly","Equals":["false"]}]},
                      {"FieldSelectors":[{"Field":"eventName","StartsWith":["Console"]}]}]"#;
        assert!(check(sel, S3_PUT));
        assert!(check(sel, LOGIN));
        let only_reads = r#"[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},{"Field":"readOnly","Equals":["true"]}]}]"#;
        assert!(!check(only_reads, S3_PUT));
    }

    #[test]
    fn operators_on_resources_and_negatives() {
        assert!(check(
            r#"[{"FieldSelectors":[{"Field":"resources.type","Equals":["AWS::S3::Bucket"]}]}]"#,
            S3_PUT
        ));
        assert!(check(
            r#"[{"FieldSelectors":[{"Field":"resources.ARN","EndsWith":["/k"]}]}]"#,
            S3_PUT
        ));
        assert!(!check(
            r#"[{"FieldSelectors":[{"Field":"resources.ARN","NotStartsWith":["arn:aws:s3:::b"]}]}]"#,
            S3_PUT
        ));
        assert!(check(
            r#"[{"FieldSelectors":[{"Field":"eventName","NotEquals":["GetObject"]}]}]"#,
            S3_PUT
        ));
        assert!(!check(
            r#"[{"FieldSelectors":[{"Field":"userIdentity.arn","NotEndsWith":[":root"]}]}]"#,
            LOGIN
        ));
        assert!(check(
            r#"[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]}]}]"#,
            LOGIN
        ));
        assert!(!check(
            r#"[{"FieldSelectors":[{"Field":"errorCode","Equals":["AccessDenied"]}]}]"#,
            LOGIN
        ));
    }
}
