//! Criterion micro-benchmarks of the hot paths of ingest and query, on a day of the project's generated events
//! (about 2,000 records of the usual mix, as CloudTrail writes them):
//! - `decode`: one record's JSON text to a typed record (what ingest does per event);
//! - `batch`: decoded records to an Arrow batch of the store's columns;
//! - `parquet`: that batch written as Parquet with the store's writer settings;
//! - `eventjson`: each record's JSON written out again from the batch's columns and its layout, as a query reads it;
//! - `jsonpath`: `json_extract_scalar(eventjson, '$.userIdentity.arn')` over that JSON.
//!
//! Run: `cargo bench --manifest-path benches/micro/Cargo.toml` (results in `benches/micro/target/criterion`
//! or under `$CARGO_TARGET_DIR/criterion`).

use std::io::Read;
use std::sync::Arc;

use auditlake_functions::all_udfs;
use auditlake_ingest::generate::{GeneratorConfig, generate};
use auditlake_schema::{
    DecodedEvent, EVENT_JSON_COLUMN, EventBatchBuilder, RecordError, decode_compact_event,
    decode_event, rebuild,
};
use auditlake_store::EventTable;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::ScalarValue;
use datafusion::common::config::ConfigOptions;
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs};
use parquet::arrow::ArrowWriter;

/// The records of one generated day, each as compact JSON text.
fn records() -> Vec<String> {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let config = GeneratorConfig {
        days: 1,
        events_per_day: 2000,
        ..GeneratorConfig::recent(1)
    };
    let generated = generate(dir.path(), &config).expect("generated trail logs");
    let mut out = Vec::new();
    for file in generated.files {
        let mut text = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(&file).expect("a generated file"))
            .read_to_string(&mut text)
            .expect("gzip text");
        let log: serde_json::Value = serde_json::from_str(&text).expect("a trail log file");
        for record in log["Records"].as_array().expect("Records") {
            out.push(record.to_string());
        }
    }
    out
}

fn hot_paths(c: &mut Criterion) {
    let records = records();

    let mut group = c.benchmark_group("decode");
    // `records` pretty-printed take serde_json's path (the decoder written for CloudTrail's records reads no
    // whitespace); `compact_records`, as trail log files hold them, take that decoder.
    let pretty: Vec<String> = records
        .iter()
        .map(|r| {
            let value: serde_json::Value = serde_json::from_str(r).expect("a record");
            serde_json::to_string_pretty(&value).expect("a record")
        })
        .collect();
    type Decode = for<'a> fn(&'a str) -> Result<DecodedEvent<'a>, RecordError>;
    let decoders: [(&str, Decode, &[String]); 2] = [
        ("records", decode_event, &pretty),
        ("compact_records", decode_compact_event, &records),
    ];
    for (name, decode, texts) in decoders {
        let bytes: usize = texts.iter().map(String::len).sum();
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                texts
                    .iter()
                    .map(|r| decode(std::hint::black_box(r)).map_or(0, |e| e.event_time))
                    .fold(0i64, i64::wrapping_add)
            })
        });
    }
    group.finish();

    let events: Vec<_> = records
        .iter()
        .map(|r| decode_compact_event(r).expect("a generated record decodes"))
        .collect();
    let mut group = c.benchmark_group("batch");
    group.throughput(Throughput::Elements(events.len() as u64));
    group.bench_function("build", |b| {
        // The builder takes each event; the copies are made outside the timing.
        b.iter_batched(
            || events.clone(),
            |events| {
                let mut builder = EventBatchBuilder::with_capacity(events.len());
                for event in events {
                    builder.append(event);
                }
                builder.finish().num_rows()
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();

    let batch = {
        let mut builder = EventBatchBuilder::with_capacity(events.len());
        for event in events.iter().cloned() {
            builder.append(event);
        }
        builder.finish()
    };
    let properties = EventTable::writer_properties().expect("writer settings");
    let mut group = c.benchmark_group("parquet");
    group.throughput(Throughput::Elements(batch.num_rows() as u64));
    group.bench_function("write", |b| {
        b.iter(|| {
            let mut writer =
                ArrowWriter::try_new(Vec::new(), batch.schema(), Some(properties.clone()))
                    .expect("a writer");
            writer.write(&batch).expect("written");
            writer.into_inner().expect("finished").len()
        })
    });
    group.finish();

    let udf = all_udfs()
        .into_iter()
        .find(|f| f.name() == "json_extract_scalar")
        .expect("json_extract_scalar is in the pack");
    // The store keeps most records as a layout: eventjson as a query reads it is written out from the columns.
    let stored = batch
        .column_by_name(EVENT_JSON_COLUMN)
        .expect("the eventjson column")
        .clone();
    let columns = rebuild::record_columns(&batch).expect("the record's columns");
    let mut group = c.benchmark_group("eventjson");
    group.throughput(Throughput::Elements(batch.num_rows() as u64));
    group.bench_function("rebuild", |b| {
        b.iter(|| {
            rebuild::rebuild_event_json(stored.as_ref(), &columns)
                .expect("written out")
                .value_data()
                .len()
        })
    });
    group.finish();
    let json: datafusion::arrow::array::ArrayRef =
        Arc::new(rebuild::rebuild_event_json(stored.as_ref(), &columns).expect("written out"));
    let path = ScalarValue::Utf8(Some("$.userIdentity.arn".into()));
    let arg_fields = vec![
        Arc::new(Field::new("json", json.data_type().clone(), true)),
        Arc::new(Field::new("path", DataType::Utf8, true)),
    ];
    let config = Arc::new(ConfigOptions::default());
    let mut group = c.benchmark_group("jsonpath");
    group.throughput(Throughput::Elements(json.len() as u64));
    group.bench_function("json_extract_scalar", |b| {
        b.iter(|| {
            let args = ScalarFunctionArgs {
                args: vec![
                    ColumnarValue::Array(json.clone()),
                    ColumnarValue::Scalar(path.clone()),
                ],
                arg_fields: arg_fields.clone(),
                number_rows: json.len(),
                return_field: Arc::new(Field::new("arn", DataType::Utf8, true)),
                config_options: config.clone(),
            };
            udf.invoke_with_args(args).expect("evaluated")
        })
    });
    group.finish();
}

criterion_group!(benches, hot_paths);
criterion_main!(benches);
