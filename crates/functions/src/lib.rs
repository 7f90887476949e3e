//! The CloudTrail Lake (Trino) SQL function pack for DataFusion.
//!
//! [`register_all`] adds scalar UDFs with Trino semantics to a
//! [`SessionContext`] so that queries written for AWS CloudTrail Lake run
//! unchanged:
//!
//! - maps and arrays: `element_at`, `contains` ([`collections`]);
//! - JSON over text: `json_extract`, `json_extract_scalar`, `json_array_get`,
//!   `json_array_length`, `json_array_contains`, `json_size`, `json_parse`,
//!   `json_format`, `is_json_scalar` ([`json`]);
//! - date/time: `from_iso8601_timestamp`, `from_iso8601_date`, `to_iso8601`,
//!   `to_unixtime`, `date_add`, `date_diff`, `date`, `year`, `quarter`,
//!   `month`, `week`, `day`, `day_of_week`, `day_of_year`, `hour`, `minute`,
//!   `second`, `millisecond` and their aliases ([`time`]);
//! - regular expressions: `regexp_extract`, `regexp_extract_all`,
//!   `regexp_replace`, `regexp_count` ([`regexp`]);
//! - URLs: `url_extract_host`, `url_extract_path`, `url_extract_parameter`
//!   ([`url`]);
//! - varbinary: `to_utf8`, `from_utf8`, `to_hex` ([`binary`]), with
//!   DataFusion's `sha256`, for `to_hex(sha256(to_utf8(eventjson)))`.
//!
//! `element_at`, `contains`, `regexp_replace`, `regexp_count` and `to_hex` replace the
//! DataFusion built-ins of the same name. Each module documents where its
//! functions differ from Trino. Every function returns NULL for a NULL
//! argument; errors name the function.

use std::sync::Arc;

use datafusion::logical_expr::{ScalarUDF, ScalarUDFImpl};
use datafusion::prelude::SessionContext;

pub mod binary;
pub mod collections;
mod common;
pub mod json;
pub mod json_map;
pub mod regexp;
pub mod time;
pub mod url;

use binary::{BinaryFunc, BinaryKind};
use collections::{ContainsFunc, ElementAtFunc};
use json::{JsonFunc, JsonKind};
use json_map::JsonToMapFunc;
use regexp::{RegexpFunc, RegexpKind};
use time::{TimeFunc, TimeKind};
use url::{UrlFunc, UrlKind};

/// Every UDF of the pack.
pub fn all_udfs() -> Vec<Arc<ScalarUDF>> {
    fn udf(f: impl ScalarUDFImpl + 'static) -> Arc<ScalarUDF> {
        Arc::new(ScalarUDF::new_from_impl(f))
    }
    let mut out = vec![
        udf(ElementAtFunc::new()),
        udf(ContainsFunc::new()),
        udf(JsonToMapFunc::new()),
    ];
    out.extend(JsonKind::ALL.into_iter().map(|k| udf(JsonFunc::new(k))));
    out.extend(TimeKind::ALL.into_iter().map(|k| udf(TimeFunc::new(k))));
    out.extend(RegexpKind::ALL.into_iter().map(|k| udf(RegexpFunc::new(k))));
    out.extend(UrlKind::ALL.into_iter().map(|k| udf(UrlFunc::new(k))));
    out.extend(BinaryKind::ALL.into_iter().map(|k| udf(BinaryFunc::new(k))));
    out
}

/// Registers every UDF of the pack in `ctx`, replacing built-ins of the same name.
pub fn register_all(ctx: &SessionContext) {
    for f in all_udfs() {
        ctx.register_udf(f.as_ref().clone());
    }
}

/// The SQL names (aliases included) of every UDF of the pack, for completion.
pub fn function_names() -> Vec<&'static str> {
    let mut names = vec!["element_at", "contains", "json_to_map"];
    names.extend(JsonKind::ALL.iter().map(|k| k.name()));
    for k in TimeKind::ALL {
        names.push(k.name());
        names.extend(k.aliases());
    }
    names.extend(RegexpKind::ALL.iter().map(|k| k.name()));
    names.extend(UrlKind::ALL.iter().map(|k| k.name()));
    names.extend(BinaryKind::ALL.iter().map(|k| k.name()));
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_udfs() {
        let mut from_udfs: Vec<String> = all_udfs()
            .iter()
            .flat_map(|u| std::iter::once(u.name().to_string()).chain(u.aliases().iter().cloned()))
            .collect();
        from_udfs.sort();
        let mut names: Vec<String> = function_names().into_iter().map(String::from).collect();
        names.sort();
        assert_eq!(names, from_udfs);
    }
}
