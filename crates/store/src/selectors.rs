//! Advanced event selectors, with CloudTrail's shape and rules: selectors are ORed, the field conditions of
//! one selector are ANDed. This module holds the model and its validation; matching a record is in
//! `auditlake-ingest`.

use serde::{Deserialize, Serialize};

use crate::error::StoreError;

/// Fields a field selector can name, as CloudTrail spells them.
pub const SELECTOR_FIELDS: &[&str] = &[
    "eventCategory",
    "eventSource",
    "eventName",
    "readOnly",
    "eventType",
    "resources.type",
    "resources.ARN",
    "userIdentity.arn",
    "sessionCredentialFromConsole",
    "errorCode",
    "vpcEndpointId",
];

/// Event categories an `eventCategory` condition can name.
pub const EVENT_CATEGORIES: &[&str] = &[
    "Management",
    "Data",
    "Insight",
    "NetworkActivity",
    "ConfigurationItem",
    "ActivityAuditLog",
];

/// One selector: an event is selected when every field condition holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct AdvancedEventSelector {
    /// An optional label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The conditions, ANDed.
    pub field_selectors: Vec<FieldSelector>,
}

/// A condition on one field. Within one operator the values are ORed (for the `Not…` operators, the value must
/// differ from all of them); different operators on one field are ANDed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct FieldSelector {
    /// The field, e.g. `eventName` or `resources.type`.
    pub field: String,
    /// The value equals one of these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub equals: Vec<String>,
    /// The value starts with one of these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub starts_with: Vec<String>,
    /// The value ends with one of these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ends_with: Vec<String>,
    /// The value equals none of these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_equals: Vec<String>,
    /// The value starts with none of these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_starts_with: Vec<String>,
    /// The value ends with none of these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_ends_with: Vec<String>,
}

impl FieldSelector {
    fn has_condition(&self) -> bool {
        !(self.equals.is_empty()
            && self.starts_with.is_empty()
            && self.ends_with.is_empty()
            && self.not_equals.is_empty()
            && self.not_starts_with.is_empty()
            && self.not_ends_with.is_empty())
    }

    fn all_values(&self) -> impl Iterator<Item = &String> {
        self.equals
            .iter()
            .chain(&self.starts_with)
            .chain(&self.ends_with)
            .chain(&self.not_equals)
            .chain(&self.not_starts_with)
            .chain(&self.not_ends_with)
    }
}

/// Parses selectors from JSON: a list of selectors, as CloudTrail's `AdvancedEventSelectors`.
pub fn parse_selectors(json: &str) -> Result<Vec<AdvancedEventSelector>, StoreError> {
    let selectors: Vec<AdvancedEventSelector> = serde_json::from_str(json).map_err(|e| {
        StoreError::Invalid(format!(
            "invalid advanced event selectors: {e} (expected a JSON list like \
             [{{\"Name\":\"…\",\"FieldSelectors\":[{{\"Field\":\"eventCategory\",\"Equals\":[\"Management\"]}}]}}])"
        ))
    })?;
    validate_selectors(&selectors)?;
    Ok(selectors)
}

/// Checks selectors against CloudTrail's rules; the error names the selector and field at fault.
pub fn validate_selectors(selectors: &[AdvancedEventSelector]) -> Result<(), StoreError> {
    for (i, selector) in selectors.iter().enumerate() {
        let which = match &selector.name {
            Some(name) => format!("selector {} ('{name}')", i + 1),
            None => format!("selector {}", i + 1),
        };
        let bad = |why: String| {
            StoreError::Invalid(format!("invalid advanced event selectors: {which}: {why}"))
        };
        if selector.field_selectors.is_empty() {
            return Err(bad("has no field selectors".into()));
        }
        for field in &selector.field_selectors {
            if !SELECTOR_FIELDS.contains(&field.field.as_str()) {
                return Err(bad(format!(
                    "unknown field '{}'; fields are {}",
                    field.field,
                    SELECTOR_FIELDS.join(", ")
                )));
            }
            if !field.has_condition() {
                return Err(bad(format!(
                    "field '{}' has no condition (Equals, StartsWith, …)",
                    field.field
                )));
            }
            if field.all_values().any(String::is_empty) {
                return Err(bad(format!("field '{}' has an empty value", field.field)));
            }
            match field.field.as_str() {
                "eventCategory" => {
                    if let Some(v) = field
                        .all_values()
                        .find(|v| !EVENT_CATEGORIES.contains(&v.as_str()))
                    {
                        return Err(bad(format!(
                            "eventCategory value '{v}' is not one of {}",
                            EVENT_CATEGORIES.join(", ")
                        )));
                    }
                }
                "readOnly" | "sessionCredentialFromConsole" => {
                    if let Some(v) = field.all_values().find(|v| *v != "true" && *v != "false") {
                        return Err(bad(format!(
                            "{} value '{v}' must be \"true\" or \"false\"",
                            field.field
                        )));
                    }
                }
                _ => {}
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cloudtrail_selectors() {
        let s = parse_selectors(
            r#"[{"Name":"s3 writes","FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},
                {"Field":"resources.type","Equals":["AWS::S3::Object"]},{"Field":"readOnly","Equals":["false"]}]}]"#,
        )
        .expect("valid selectors");
        assert_eq!(s[0].field_selectors.len(), 3);
    }

    #[test]
    fn refuses_invalid_selectors_with_the_reason() {
        let cases = [
            (
                r#"[{"FieldSelectors":[{"Field":"eventColour","Equals":["x"]}]}]"#,
                "unknown field 'eventColour'",
            ),
            (
                r#"[{"FieldSelectors":[{"Field":"eventName"}]}]"#,
                "has no condition",
            ),
            (
                r#"[{"FieldSelectors":[{"Field":"readOnly","Equals":["maybe"]}]}]"#,
                "must be \"true\" or \"false\"",
            ),
            (
                r#"[{"FieldSelectors":[{"Field":"eventName","Like":["x"]}]}]"#,
                "unknown field `Like`",
            ),
            (r#"[{"FieldSelectors":[]}]"#, "has no field selectors"),
            (r#"{"FieldSelectors":[]}"#, "expected a JSON list"),
            (
                r#"[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Mgmt"]}]}]"#,
                "'Mgmt' is not one of",
            ),
        ];
        for (json, want) in cases {
            let err = parse_selectors(json).expect_err(json).to_string();
            assert!(err.contains(want), "{json}: {err}");
        }
    }
}
