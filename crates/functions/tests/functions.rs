//! SQL-level tests of the Trino function pack on in-memory tables shaped like
//! auditlake's CloudTrail tables.

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, Int64Array, ListBuilder, MapBuilder, MapFieldNames, RecordBatch,
    StringBuilder, StructBuilder, TimestampMicrosecondArray,
};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Field, Fields, Schema, TimeUnit};
use datafusion::datasource::MemTable;
use datafusion::error::Result;
use datafusion::prelude::SessionContext;

fn requestparameters() -> ArrayRef {
    let names = MapFieldNames {
        entry: "key_value".into(),
        key: "key".into(),
        value: "value".into(),
    };
    let mut b = MapBuilder::new(Some(names), StringBuilder::new(), StringBuilder::new());
    b.keys().append_value("bucketName");
    b.values().append_value("my-bucket");
    b.keys().append_value("key");
    b.values().append_value("a.txt");
    b.append(true).expect("row 0");
    b.keys().append_value("instanceType");
    b.values().append_value("t3.micro");
    b.keys().append_value("empty");
    b.values().append_null();
    b.append(true).expect("row 1");
    b.append(false).expect("row 2");
    Arc::new(b.finish())
}

fn resource_fields() -> Fields {
    Fields::from(vec![
        Field::new("arn", DataType::Utf8, true),
        Field::new("accountid", DataType::Utf8, true),
    ])
}

fn resources() -> ArrayRef {
    let mut b = ListBuilder::new(StructBuilder::from_fields(resource_fields(), 4));
    let rows: [Option<&[(&str, &str)]>; 3] = [
        Some(&[
            ("arn:aws:s3:::my-bucket", "111"),
            ("arn:aws:s3:::my-bucket/a.txt", "111"),
        ]),
        Some(&[("arn:aws:ec2:us-east-1:222:instance/i-1", "222")]),
        None,
    ];
    for row in rows {
        match row {
            Some(items) => {
                for (arn, account) in items {
                    let s = b.values();
                    s.field_builder::<StringBuilder>(0)
                        .expect("arn")
                        .append_value(arn);
                    s.field_builder::<StringBuilder>(1)
                        .expect("accountid")
                        .append_value(account);
                    s.append(true);
                }
                b.append(true);
            }
            None => b.append(false),
        }
    }
    Arc::new(b.finish())
}

fn tags() -> ArrayRef {
    let mut b = ListBuilder::new(StringBuilder::new());
    b.values().append_value("x");
    b.values().append_value("y");
    b.append(true);
    b.values().append_value("z");
    b.values().append_null();
    b.append(true);
    b.append(false);
    Arc::new(b.finish())
}

fn strings(values: &[Option<&str>]) -> ArrayRef {
    Arc::new(arrow::array::StringArray::from(values.to_vec()))
}

async fn context() -> SessionContext {
    let ctx = SessionContext::new();
    auditlake_functions::register_all(&ctx);
    let utc = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
    let resources = resources();
    let tags = tags();
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("eventname", DataType::Utf8, true),
        Field::new(
            "requestparameters",
            requestparameters().data_type().clone(),
            true,
        ),
        Field::new("keyname", DataType::Utf8, true),
        Field::new("resources", resources.data_type().clone(), true),
        Field::new("idx", DataType::Int64, true),
        Field::new("tags", tags.data_type().clone(), true),
        Field::new("doc", DataType::Utf8, true),
        Field::new("eventtime", utc.clone(), true),
        Field::new("iso", DataType::Utf8, true),
        Field::new("pattern", DataType::Utf8, true),
    ]));
    let eventtime = TimestampMicrosecondArray::from(vec![
        Some(1_714_564_800_000_000), // 2024-05-01T12:00:00Z
        Some(1_706_743_800_000_000), // 2024-01-31T23:30:00Z
        None,
    ])
    .with_timezone("UTC");
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(Int64Array::from(vec![0, 1, 2])),
            strings(&[Some("GetObject"), Some("RunInstances"), None]),
            requestparameters(),
            strings(&[Some("key"), Some("instanceType"), Some("key")]),
            resources,
            Arc::new(Int64Array::from(vec![Some(2), Some(-1), Some(1)])),
            tags,
            strings(&[
                Some(r#"{"a":{"b":[10,20]},"user":{"name":"alice","x-id":7}}"#),
                Some("not json"),
                None,
            ]),
            Arc::new(eventtime),
            strings(&[
                Some("2024-05-01T14:00:00+02:00"),
                Some("2024-01-31T23:30:00Z"),
                None,
            ]),
            strings(&[Some("(\\w+)Object"), Some("Run(\\w+)"), None]),
        ],
    )
    .expect("batch");
    let table = MemTable::try_new(schema, vec![vec![batch]]).expect("table");
    ctx.register_table("t", Arc::new(table)).expect("register");
    ctx
}

/// Runs `sql` and returns the first column (rendered as strings) and its type.
async fn column(ctx: &SessionContext, sql: &str) -> Result<(Vec<Option<String>>, DataType)> {
    let batches = ctx.sql(sql).await?.collect().await?;
    let mut out = Vec::new();
    let mut data_type = DataType::Null;
    for batch in batches {
        let col = batch.column(0);
        data_type = col.data_type().clone();
        let text = match col.data_type() {
            DataType::Utf8 => Arc::clone(col),
            _ => cast(col, &DataType::Utf8)?,
        };
        let text = text
            .as_any()
            .downcast_ref::<arrow::array::StringArray>()
            .expect("utf8");
        out.extend((0..text.len()).map(|i| text.is_valid(i).then(|| text.value(i).to_string())));
    }
    Ok((out, data_type))
}

/// The type of the first column of `sql`.
async fn type_of(ctx: &SessionContext, sql: &str) -> DataType {
    let df = ctx.sql(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    df.schema().field(0).data_type().clone()
}

async fn values(ctx: &SessionContext, sql: &str) -> Vec<Option<String>> {
    column(ctx, sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .0
}

async fn one(ctx: &SessionContext, sql: &str) -> Option<String> {
    let v = values(ctx, sql).await;
    assert_eq!(v.len(), 1, "{sql}: expected one row, got {v:?}");
    v.into_iter().next().flatten()
}

async fn error(ctx: &SessionContext, sql: &str) -> String {
    match column(ctx, sql).await {
        Ok(v) => panic!("{sql}: expected an error, got {v:?}"),
        Err(e) => e.to_string(),
    }
}

fn s(v: &str) -> Option<String> {
    Some(v.to_string())
}

#[tokio::test]
async fn element_at_map_returns_the_value() {
    let ctx = context().await;
    let (v, t) = column(
        &ctx,
        "SELECT element_at(requestparameters, 'bucketName') FROM t ORDER BY id",
    )
    .await
    .expect("query");
    assert_eq!(t, DataType::Utf8);
    assert_eq!(v, vec![s("my-bucket"), None, None]);
    assert_eq!(
        values(
            &ctx,
            "SELECT element_at(requestparameters, keyname) FROM t ORDER BY id"
        )
        .await,
        vec![s("a.txt"), s("t3.micro"), None]
    );
    assert_eq!(
        values(
            &ctx,
            "SELECT element_at(requestparameters, 'empty') FROM t ORDER BY id"
        )
        .await,
        vec![None, None, None]
    );
    assert_eq!(
        values(
            &ctx,
            "SELECT id FROM t WHERE element_at(requestparameters, 'bucketName') = 'my-bucket'"
        )
        .await,
        vec![s("0")]
    );
}

#[tokio::test]
async fn element_at_map_of_any_value_type() {
    let ctx = context().await;
    let (v, t) = column(&ctx, "SELECT element_at(map(['a', 'b'], [1, 2]), 'b')")
        .await
        .expect("query");
    assert_eq!((v, t), (vec![s("2")], DataType::Int64));
    assert_eq!(
        one(&ctx, "SELECT element_at(map(['a'], [1]), 'z')").await,
        None
    );
}

#[tokio::test]
async fn element_at_array_is_one_based() {
    let ctx = context().await;
    assert_eq!(
        values(
            &ctx,
            "SELECT element_at(resources, 1)['arn'] FROM t ORDER BY id"
        )
        .await,
        vec![
            s("arn:aws:s3:::my-bucket"),
            s("arn:aws:ec2:us-east-1:222:instance/i-1"),
            None
        ]
    );
    assert_eq!(
        values(
            &ctx,
            "SELECT element_at(resources, -1)['accountid'] FROM t ORDER BY id"
        )
        .await,
        vec![s("111"), s("222"), None]
    );
    assert_eq!(
        values(
            &ctx,
            "SELECT element_at(resources, 5)['arn'] FROM t ORDER BY id"
        )
        .await,
        vec![None, None, None]
    );
    assert_eq!(
        values(
            &ctx,
            "SELECT element_at(resources, idx)['arn'] FROM t ORDER BY id"
        )
        .await,
        vec![
            s("arn:aws:s3:::my-bucket/a.txt"),
            s("arn:aws:ec2:us-east-1:222:instance/i-1"),
            None
        ]
    );
    assert_eq!(
        values(&ctx, "SELECT element_at(tags, 2) FROM t ORDER BY id").await,
        vec![s("y"), None, None]
    );
    let t = type_of(&ctx, "SELECT element_at(resources, 1) FROM t").await;
    assert!(matches!(t, DataType::Struct(_)), "{t}");
    let err = error(&ctx, "SELECT element_at(resources, 0) FROM t").await;
    assert!(
        err.contains("element_at: SQL array indices start at 1"),
        "{err}"
    );
}

#[tokio::test]
async fn contains_arrays_and_strings() {
    let ctx = context().await;
    assert_eq!(
        values(&ctx, "SELECT contains(tags, 'y') FROM t ORDER BY id").await,
        vec![
            s("true"),
            None, // not found, but the array holds a NULL
            None
        ]
    );
    assert_eq!(
        values(&ctx, "SELECT contains(tags, 'z') FROM t ORDER BY id").await,
        vec![s("false"), s("true"), None]
    );
    assert_eq!(
        values(
            &ctx,
            "SELECT contains(eventname, 'Object') FROM t ORDER BY id"
        )
        .await,
        vec![s("true"), s("false"), None]
    );
    assert_eq!(
        one(&ctx, "SELECT contains('hello', 'ell')").await,
        s("true")
    );
    assert_eq!(
        one(
            &ctx,
            "SELECT contains(arrow_cast('hello', 'Utf8View'), 'xyz')"
        )
        .await,
        s("false")
    );
    assert_eq!(
        one(&ctx, "SELECT contains(make_array(1, 2, 3), 2)").await,
        s("true")
    );
}

#[tokio::test]
async fn json_extract_and_scalar() {
    let ctx = context().await;
    assert_eq!(
        one(
            &ctx,
            r#"SELECT json_extract_scalar('{"a":{"b":[10,20]}}', '$.a.b[1]')"#
        )
        .await,
        s("20")
    );
    assert_eq!(
        one(&ctx, r#"SELECT json_extract('{"a":{"b":[10,20]}}', '$.a')"#).await,
        s(r#"{"b":[10,20]}"#)
    );
    assert_eq!(
        values(
            &ctx,
            "SELECT json_extract_scalar(doc, '$.user.name') FROM t ORDER BY id"
        )
        .await,
        vec![s("alice"), None, None]
    );
    assert_eq!(
        values(
            &ctx,
            "SELECT json_extract_scalar(doc, '$.user.x-id') FROM t ORDER BY id"
        )
        .await,
        vec![s("7"), None, None]
    );
    assert_eq!(
        values(
            &ctx,
            "SELECT json_extract(doc, '$[\"user\"]') FROM t ORDER BY id"
        )
        .await,
        vec![s(r#"{"name":"alice","x-id":7}"#), None, None]
    );
    assert_eq!(
        one(
            &ctx,
            r#"SELECT json_extract_scalar('{"a":{"b":1}}', '$.a')"#
        )
        .await,
        None
    );
    assert_eq!(
        one(&ctx, r#"SELECT json_extract('{"a":1}', '$.missing')"#).await,
        None
    );
    assert_eq!(
        one(
            &ctx,
            r#"SELECT json_extract('{"k v":[1,{"z":true}]}', '$["k v"][1].z')"#
        )
        .await,
        s("true")
    );
    assert_eq!(
        one(
            &ctx,
            r#"SELECT json_extract('{"Records":[{"a":1},{"a":2}]}', '$.Records[0]')"#
        )
        .await,
        s(r#"{"a":1}"#)
    );
    assert_eq!(
        one(
            &ctx,
            r#"SELECT json_extract('{"Records":[{"a":1},{"a":2}]}', '$.Records[*].a')"#
        )
        .await,
        s("[1,2]")
    );
    assert_eq!(
        one(&ctx, r#"SELECT json_extract('{"z":1,"a":2}', '$')"#).await,
        s(r#"{"z":1,"a":2}"#)
    );
    assert_eq!(
        one(&ctx, r#"SELECT json_extract_scalar(arrow_cast('{"a":"v"}', 'Utf8View'), arrow_cast('$.a', 'LargeUtf8'))"#)
            .await,
        s("v")
    );
    assert_eq!(
        one(
            &ctx,
            r#"SELECT json_extract_scalar(arrow_cast('{"a":false}', 'LargeUtf8'), '$.a')"#
        )
        .await,
        s("false")
    );
    let err = error(&ctx, "SELECT json_extract(doc, '$.[') FROM t").await;
    assert!(
        err.contains("json_extract: invalid JSONPath '$.['"),
        "{err}"
    );
}

#[tokio::test]
async fn json_arrays_and_parsing() {
    let ctx = context().await;
    assert_eq!(
        one(&ctx, r#"SELECT json_array_get('["a", [3, 9], "c"]', 0)"#).await,
        s(r#""a""#)
    );
    assert_eq!(
        one(&ctx, r#"SELECT json_array_get('["a", [3, 9], "c"]', -2)"#).await,
        s("[3,9]")
    );
    assert_eq!(
        one(&ctx, r#"SELECT json_array_get('["a"]', 3)"#).await,
        None
    );
    assert_eq!(
        one(&ctx, r#"SELECT json_array_get('{"a":1}', 0)"#).await,
        None
    );
    assert_eq!(
        one(&ctx, "SELECT json_array_length('[1, 2, 3]')").await,
        s("3")
    );
    assert_eq!(
        one(&ctx, r#"SELECT json_array_length('{"a":1}')"#).await,
        None
    );
    assert_eq!(
        one(&ctx, "SELECT json_array_contains('[1, 2, 3]', 2)").await,
        s("true")
    );
    assert_eq!(
        one(&ctx, r#"SELECT json_array_contains('["a", "2"]', 2)"#).await,
        s("false")
    );
    assert_eq!(
        one(&ctx, r#"SELECT json_array_contains('["a", "b"]', 'b')"#).await,
        s("true")
    );
    assert_eq!(
        one(&ctx, "SELECT json_array_contains('[true]', true)").await,
        s("true")
    );
    assert_eq!(
        one(&ctx, "SELECT json_array_contains('[1.5]', 1.5)").await,
        s("true")
    );
    assert_eq!(
        values(&ctx, "SELECT json_size(doc, '$.a.b') FROM t ORDER BY id").await,
        vec![s("2"), None, None]
    );
    assert_eq!(
        one(&ctx, r#"SELECT json_size('{"x":{"a":1,"b":2}}', '$.x')"#).await,
        s("2")
    );
    assert_eq!(
        one(&ctx, r#"SELECT json_size('{"x":1}', '$.x')"#).await,
        s("0")
    );
    assert_eq!(
        one(
            &ctx,
            r#"SELECT json_parse(' { "b" : 1, "a" : [ 1 , 2 ] } ')"#
        )
        .await,
        s(r#"{"b":1,"a":[1,2]}"#)
    );
    assert_eq!(
        one(&ctx, r#"SELECT json_format(json_parse('[1, "x" ]'))"#).await,
        s(r#"[1,"x"]"#)
    );
    assert_eq!(one(&ctx, "SELECT is_json_scalar('1')").await, s("true"));
    assert_eq!(one(&ctx, "SELECT is_json_scalar('[1]')").await, s("false"));
    let err = error(&ctx, "SELECT json_parse(doc) FROM t").await;
    assert!(err.contains("json_parse: invalid JSON 'not json'"), "{err}");
}

#[tokio::test]
async fn iso8601_and_unixtime() {
    let ctx = context().await;
    let (v, t) = column(
        &ctx,
        "SELECT from_iso8601_timestamp('2024-05-01T12:00:00Z') = eventtime FROM t ORDER BY id",
    )
    .await
    .expect("query");
    assert_eq!(v, vec![s("true"), s("false"), None]);
    assert_eq!(t, DataType::Boolean);
    let (_, t) = column(&ctx, "SELECT from_iso8601_timestamp('2024-05-01')")
        .await
        .expect("query");
    assert_eq!(
        t,
        DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
    );
    assert_eq!(
        values(
            &ctx,
            "SELECT from_iso8601_timestamp(iso) = eventtime FROM t ORDER BY id"
        )
        .await,
        vec![s("true"), s("true"), None]
    );
    assert_eq!(
        values(
            &ctx,
            "SELECT id FROM t WHERE eventtime > from_iso8601_timestamp('2024-04-01T00:00:00.5Z')"
        )
        .await,
        vec![s("0")]
    );
    assert_eq!(
        one(
            &ctx,
            "SELECT to_iso8601(from_iso8601_timestamp('2024-05-01'))"
        )
        .await,
        s("2024-05-01T00:00:00.000Z")
    );
    assert_eq!(
        values(&ctx, "SELECT to_iso8601(eventtime) FROM t ORDER BY id").await,
        vec![
            s("2024-05-01T12:00:00.000Z"),
            s("2024-01-31T23:30:00.000Z"),
            None
        ]
    );
    assert_eq!(
        one(
            &ctx,
            "SELECT to_unixtime(from_iso8601_timestamp('2024-05-01T12:00:00.25Z'))"
        )
        .await,
        s("1714564800.25")
    );
    assert_eq!(
        one(&ctx, "SELECT from_iso8601_date('2024-05-01')").await,
        s("2024-05-01")
    );
    let err = error(&ctx, "SELECT from_iso8601_timestamp('yesterday')").await;
    assert!(
        err.contains("from_iso8601_timestamp") && err.contains("'yesterday'"),
        "{err}"
    );
}

#[tokio::test]
async fn date_add_and_diff() {
    let ctx = context().await;
    assert_eq!(
        values(
            &ctx,
            "SELECT to_iso8601(date_add('month', 1, eventtime)) FROM t ORDER BY id"
        )
        .await,
        vec![
            s("2024-06-01T12:00:00.000Z"),
            s("2024-02-29T23:30:00.000Z"),
            None
        ]
    );
    assert_eq!(
        values(
            &ctx,
            "SELECT to_iso8601(date_add('HOUR', 1, eventtime)) FROM t ORDER BY id"
        )
        .await,
        vec![
            s("2024-05-01T13:00:00.000Z"),
            s("2024-02-01T00:30:00.000Z"),
            None
        ]
    );
    let (_, t) = column(&ctx, "SELECT date_add('day', 1, eventtime) FROM t")
        .await
        .expect("query");
    assert_eq!(
        t,
        DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
    );
    assert_eq!(
        one(
            &ctx,
            "SELECT date_add('week', -1, CURRENT_TIMESTAMP) < CURRENT_TIMESTAMP"
        )
        .await,
        s("true")
    );
    assert_eq!(
        one(
            &ctx,
            "SELECT date_diff('day', date_add('day', -7, now()), now())"
        )
        .await,
        s("7")
    );
    assert_eq!(
        values(
            &ctx,
            "SELECT count(*) FROM t WHERE eventtime > date_add('day', -7, now())"
        )
        .await,
        vec![s("0")]
    );
    assert_eq!(
        one(&ctx, "SELECT date_add('year', 1, DATE '2024-02-29')").await,
        s("2025-02-28")
    );
    assert_eq!(
        one(&ctx, "SELECT date_add('quarter', -1, DATE '2024-05-31')").await,
        s("2024-02-29")
    );
    // Calendar arithmetic happens on the wall clock of the timestamp's zone.
    let plus2 = "arrow_cast(from_iso8601_timestamp('2024-01-31T23:00:00Z'), 'Timestamp(Microsecond, Some(\"+02:00\"))')";
    assert_eq!(
        one(
            &ctx,
            &format!("SELECT to_iso8601(date_add('month', 1, {plus2}))")
        )
        .await,
        s("2024-03-01T01:00:00.000+02:00")
    );
    assert_eq!(one(&ctx, &format!("SELECT day({plus2})")).await, s("1"));
    let err = error(&ctx, "SELECT date_add('fortnight', 1, eventtime) FROM t").await;
    assert!(err.contains("date_add: unknown unit 'fortnight'"), "{err}");

    let diff = |unit: &str, a: &str, b: &str| {
        format!(
            "SELECT date_diff('{unit}', from_iso8601_timestamp('{a}'), from_iso8601_timestamp('{b}'))"
        )
    };
    assert_eq!(
        one(&ctx, &diff("month", "2024-01-31", "2024-02-29")).await,
        s("1")
    );
    assert_eq!(
        one(
            &ctx,
            &diff("month", "2024-01-31T12:00:00Z", "2024-02-29T06:00:00Z")
        )
        .await,
        s("0")
    );
    assert_eq!(
        one(&ctx, &diff("month", "2024-03-31", "2024-01-31")).await,
        s("-2")
    );
    assert_eq!(
        one(&ctx, &diff("year", "2023-06-01", "2024-05-31")).await,
        s("0")
    );
    assert_eq!(
        one(
            &ctx,
            &diff("day", "2024-02-28T12:00:00Z", "2024-03-01T11:00:00Z")
        )
        .await,
        s("1")
    );
    assert_eq!(
        one(
            &ctx,
            &diff("hour", "2024-05-01T00:00:00Z", "2024-05-01T05:59:59Z")
        )
        .await,
        s("5")
    );
    assert_eq!(
        one(
            &ctx,
            "SELECT date_diff('day', DATE '2024-01-01', DATE '2024-03-01')"
        )
        .await,
        s("60")
    );
    assert_eq!(
        values(
            &ctx,
            "SELECT date_diff('minute', eventtime, from_iso8601_timestamp(iso)) FROM t ORDER BY id"
        )
        .await,
        vec![s("0"), s("0"), None]
    );
}

#[tokio::test]
async fn date_parts() {
    let ctx = context().await;
    // 2024-05-05 is a Sunday.
    let sunday = "from_iso8601_timestamp('2024-05-05T21:07:08.123Z')";
    for (f, expected) in [
        ("year", "2024"),
        ("quarter", "2"),
        ("month", "5"),
        ("week", "18"),
        ("day", "5"),
        ("day_of_month", "5"),
        ("day_of_week", "7"),
        ("dow", "7"),
        ("day_of_year", "126"),
        ("doy", "126"),
        ("hour", "21"),
        ("minute", "7"),
        ("second", "8"),
        ("millisecond", "123"),
    ] {
        let (v, t) = column(&ctx, &format!("SELECT {f}({sunday})"))
            .await
            .expect("query");
        assert_eq!(v, vec![s(expected)], "{f}");
        assert_eq!(t, DataType::Int64, "{f}");
    }
    assert_eq!(
        one(&ctx, "SELECT day_of_week(DATE '2024-05-06')").await,
        s("1")
    );
    assert_eq!(one(&ctx, "SELECT year(now()) >= 2024").await, s("true"));
    assert_eq!(
        values(&ctx, "SELECT month(eventtime) FROM t ORDER BY id").await,
        vec![s("5"), s("1"), None]
    );
    assert_eq!(
        values(&ctx, "SELECT date(eventtime) FROM t ORDER BY id").await,
        vec![s("2024-05-01"), s("2024-01-31"), None]
    );
    assert_eq!(
        one(&ctx, "SELECT date('2024-05-01 12:00:00')").await,
        s("2024-05-01")
    );
    assert_eq!(
        one(&ctx, "SELECT date('2024-05-01') = DATE '2024-05-01'").await,
        s("true")
    );
    let err = error(&ctx, "SELECT date('May 1st')").await;
    assert!(err.contains("date: invalid date 'May 1st'"), "{err}");
}

#[tokio::test]
async fn regexp_functions() {
    let ctx = context().await;
    assert_eq!(
        one(&ctx, "SELECT regexp_replace('a1b22c333', '[0-9]+', '#')").await,
        s("a#b#c#")
    );
    assert_eq!(
        one(&ctx, "SELECT regexp_replace('a1b22c333', '[0-9]')").await,
        s("abc")
    );
    assert_eq!(
        one(
            &ctx,
            "SELECT regexp_replace('john.doe@example.com', '(\\w+)\\.(\\w+)@', '$2.$1@')"
        )
        .await,
        s("doe.john@example.com")
    );
    assert_eq!(
        values(
            &ctx,
            "SELECT regexp_replace(eventname, '[aeiou]', '_') FROM t ORDER BY id"
        )
        .await,
        vec![s("G_tObj_ct"), s("R_nInst_nc_s"), None]
    );
    assert_eq!(
        one(
            &ctx,
            "SELECT regexp_extract('arn:aws:iam::123456789012:user/alice', '::(\\d+):', 1)"
        )
        .await,
        s("123456789012")
    );
    assert_eq!(
        one(&ctx, "SELECT regexp_extract('abc123def', '[0-9]+')").await,
        s("123")
    );
    assert_eq!(
        one(&ctx, "SELECT regexp_extract('abc', '[0-9]+')").await,
        None
    );
    assert_eq!(
        values(
            &ctx,
            "SELECT regexp_extract(eventname, pattern, 1) FROM t ORDER BY id"
        )
        .await,
        vec![s("Get"), s("Instances"), None]
    );
    assert_eq!(
        one(
            &ctx,
            "SELECT array_to_string(regexp_extract_all('a1b22c333', '[0-9]+'), ',')"
        )
        .await,
        s("1,22,333")
    );
    assert_eq!(
        one(
            &ctx,
            "SELECT cardinality(regexp_extract_all('k1=v1,k2=v2', '(\\w+)=(\\w+)', 2))"
        )
        .await,
        s("2")
    );
    assert_eq!(
        one(&ctx, "SELECT regexp_count('a1b22c333', '[0-9]+')").await,
        s("3")
    );
    let err = error(&ctx, "SELECT regexp_extract(eventname, '(unclosed') FROM t").await;
    assert!(
        err.contains("regexp_extract: invalid regular expression '(unclosed'"),
        "{err}"
    );
    let err = error(&ctx, "SELECT regexp_extract('abc', '(a)', 2)").await;
    assert!(
        err.contains("regexp_extract") && err.contains("group 2"),
        "{err}"
    );
    let err = error(&ctx, "SELECT regexp_replace('abc', '(a)', '$3')").await;
    assert!(err.contains("regexp_replace"), "{err}");
}

#[tokio::test]
async fn url_functions() {
    let ctx = context().await;
    let url = "'https://user@s3.amazonaws.com:443/my-bucket/a%20b.txt?versionId=7&acl#frag'";
    assert_eq!(
        one(&ctx, &format!("SELECT url_extract_host({url})")).await,
        s("s3.amazonaws.com")
    );
    assert_eq!(
        one(&ctx, &format!("SELECT url_extract_path({url})")).await,
        s("/my-bucket/a b.txt")
    );
    assert_eq!(
        one(
            &ctx,
            &format!("SELECT url_extract_parameter({url}, 'versionId')")
        )
        .await,
        s("7")
    );
    assert_eq!(
        one(&ctx, &format!("SELECT url_extract_parameter({url}, 'acl')")).await,
        s("")
    );
    assert_eq!(
        one(
            &ctx,
            &format!("SELECT url_extract_parameter({url}, 'nope')")
        )
        .await,
        None
    );
}

#[tokio::test]
async fn null_in_null_out() {
    let ctx = context().await;
    for sql in [
        "SELECT element_at(requestparameters, NULL) FROM t WHERE id = 0",
        "SELECT element_at(resources, NULL)['arn'] FROM t WHERE id = 0",
        "SELECT json_extract(NULL, '$.a')",
        "SELECT json_extract('{\"a\":1}', NULL)",
        "SELECT json_extract_scalar(NULL, '$.a')",
        "SELECT json_array_length(NULL)",
        "SELECT json_parse(NULL)",
        "SELECT from_iso8601_timestamp(NULL)",
        "SELECT to_iso8601(NULL)",
        "SELECT date_add('day', 1, NULL)",
        "SELECT date_add('day', NULL, now())",
        "SELECT date_diff('day', NULL, now())",
        "SELECT year(NULL)",
        "SELECT date(NULL)",
        "SELECT regexp_extract(NULL, 'a')",
        "SELECT regexp_replace('a', NULL, 'b')",
        "SELECT regexp_count(NULL, 'a')",
        "SELECT contains(NULL, 'a')",
        "SELECT url_extract_host(NULL)",
    ] {
        assert_eq!(one(&ctx, sql).await, None, "{sql}");
    }
}

#[tokio::test]
async fn every_name_resolves() {
    let ctx = context().await;
    let registered = ctx.state().scalar_functions().clone();
    for name in auditlake_functions::function_names() {
        assert!(registered.contains_key(name), "{name} is not registered");
    }
    // The replaced built-ins are ours now.
    let (_, t) = column(&ctx, "SELECT element_at(requestparameters, 'key') FROM t")
        .await
        .expect("query");
    assert_eq!(t, DataType::Utf8);
}
