//! How a store's Parquet files are written: compression, dictionaries and statistics per column, and the
//! settings of one file, which leave out the work on columns with no value in it.

use auditlake_schema::{PARTITION_COLUMN, event_schema};
use deltalake::arrow::array::{Array, AsArray, RecordBatch};
use deltalake::arrow::datatypes::{DataType, Schema};
use deltalake::parquet::arrow::ArrowSchemaConverter;
use deltalake::parquet::basic::{Compression, ZstdLevel};
use deltalake::parquet::file::properties::{EnabledStatistics, WriterProperties};
use deltalake::parquet::schema::types::ColumnPath;

use crate::StoreError;

/// Leaf columns whose values are mostly different from row to row: a dictionary on them always grows too large
/// and is given up, or stays as large as the values, and it costs time to build. Without one, zstd still finds
/// their repeats: at 1M generated events the store was 2% smaller and ingest took 4% less CPU (benches/README.md).
const UNDICTIONARIED_COLUMNS: &[&[&str]] = &[
    &["eventjson"],
    &["eventjsonchecksum"],
    &["eventid"],
    &["requestid"],
    &["eventtime"],
    &["sourceipaddress"],
    &["useridentity", "principalid"],
    &["useridentity", "accesskeyid"],
    &[
        "useridentity",
        "sessioncontext",
        "sessionissuer",
        "principalid",
    ],
    &["requestparameters", "key_value", "value"],
    &["responseelements", "key_value", "value"],
    &["additionaleventdata", "key_value", "value"],
    &["resources", "list", "element", "arn"],
];

/// The leaf columns that keep min/max statistics, per page and per row group: those an investigation filters on.
/// Every other column has none: no filter prunes on them (`eventjson` holds layouts, map entries are not pruned
/// on, and text such as user agents or error messages is matched, not bounded), and computing statistics compares
/// every value. (Identifiers keep theirs: where they come in order, as some sources' do, a lookup of one reads one
/// file; without them the bench's eventID query went from 0.56× to 0.95× DuckDB's time.)
const PRUNED_COLUMNS: &[&[&str]] = &[
    &["eventtime"],
    &["eventsource"],
    &["eventname"],
    &["eventtype"],
    &["eventcategory"],
    &["awsregion"],
    &["recipientaccountid"],
    &["sourceipaddress"],
    &["errorcode"],
    &["eventid"],
    &["requestid"],
    &["sharedeventid"],
    &["readonly"],
    &["managementevent"],
    &["useridentity", "type"],
    &["useridentity", "principalid"],
    &["useridentity", "arn"],
    &["useridentity", "accountid"],
    &["useridentity", "accesskeyid"],
    &["useridentity", "username"],
    &["useridentity", "sessioncontext", "sessionissuer", "arn"],
    &[
        "useridentity",
        "sessioncontext",
        "sessionissuer",
        "username",
    ],
];

/// The settings of every file of a store: zstd, large row groups, no dictionary on columns of mostly different
/// values, statistics only on the columns investigations filter on.
///
/// zstd level 1: on the sorted day files, with most `eventjson` kept as short layouts, it gave smaller files than
/// level 3 (99.7 against 101.3 MB at 1M events) for 6% less ingest CPU (benches/README.md).
pub(crate) fn store_properties() -> Result<WriterProperties, StoreError> {
    let level = ZstdLevel::try_new(1).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let mut builder = WriterProperties::builder()
        .set_compression(Compression::ZSTD(level))
        .set_max_row_group_row_count(Some(128 * 1024))
        .set_statistics_enabled(EnabledStatistics::None);
    for column in UNDICTIONARIED_COLUMNS {
        builder = builder.set_column_dictionary_enabled(path(column), false);
    }
    for column in PRUNED_COLUMNS {
        builder = builder.set_column_statistics_enabled(path(column), EnabledStatistics::Page);
    }
    Ok(builder.build())
}

fn path(parts: &[&str]) -> ColumnPath {
    ColumnPath::new(parts.iter().map(|p| (*p).to_owned()).collect())
}

/// The settings of each file an append writes.
#[derive(Debug, Clone)]
pub(crate) struct FileSettings {
    store: WriterProperties,
    /// The leaf columns of a file, in the order Parquet lays them out: depth first, as the Arrow columns nest.
    leaves: Vec<ColumnPath>,
}

impl FileSettings {
    pub(crate) fn new() -> Result<Self, StoreError> {
        let schema = event_schema();
        let fields: Vec<_> = schema
            .fields()
            .iter()
            .filter(|f| f.name() != PARTITION_COLUMN)
            .cloned()
            .collect();
        let parquet = ArrowSchemaConverter::new()
            .convert(&Schema::new(fields))
            .map_err(|e| StoreError::Invalid(format!("the event schema as Parquet: {e}")))?;
        Ok(FileSettings {
            store: store_properties()?,
            leaves: parquet.columns().iter().map(|c| c.path().clone()).collect(),
        })
    }

    /// The settings of one file holding `batches` (rows of the event schema): the store's, but a leaf column with
    /// no value in any row is neither compressed nor dictionary-encoded. Its pages hold only levels, a few bytes,
    /// and parquet-rs makes a zstd compressor (and a decompressor) for every compressed column of every file: 8% of
    /// the CPU of a 100k-event ingest, of which this saves about a third (26 of 70 columns in a generated day).
    pub(crate) fn for_file(&self, batches: &[&RecordBatch]) -> WriterProperties {
        let Some(first) = batches.first() else {
            return self.store.clone();
        };
        let mut empty = Vec::with_capacity(self.leaves.len());
        for (i, field) in first.schema().fields().iter().enumerate() {
            if field.name() != PARTITION_COLUMN {
                let arrays: Vec<&dyn Array> =
                    batches.iter().map(|b| b.column(i).as_ref()).collect();
                empty_leaves(&arrays, field.data_type(), &mut empty);
            }
        }
        // Batches not laid out as the event schema: the store's settings, which fit any file.
        if empty.len() != self.leaves.len() {
            return self.store.clone();
        }
        let mut builder = self.store.clone().into_builder();
        for (leaf, _) in self.leaves.iter().zip(&empty).filter(|(_, e)| **e) {
            builder = builder
                .set_column_compression(leaf.clone(), Compression::UNCOMPRESSED)
                .set_column_dictionary_enabled(leaf.clone(), false);
        }
        builder.build()
    }
}

/// Pushes, for each leaf column under `data_type` (depth first), whether `arrays` (of that type) hold no value in
/// it. A leaf under a struct, list or map with values may still hold none; it is then found not empty, which only
/// leaves it compressed.
fn empty_leaves(arrays: &[&dyn Array], data_type: &DataType, empty: &mut Vec<bool>) {
    if arrays.iter().all(|a| a.null_count() == a.len()) {
        empty.extend(std::iter::repeat_n(true, leaf_count(data_type)));
        return;
    }
    match data_type {
        DataType::Struct(fields) => {
            for (i, field) in fields.iter().enumerate() {
                let children: Vec<&dyn Array> = arrays
                    .iter()
                    .map(|a| a.as_struct().column(i).as_ref())
                    .collect();
                empty_leaves(&children, field.data_type(), empty);
            }
        }
        DataType::Map(entries, _) => {
            let children: Vec<&dyn Array> = arrays
                .iter()
                .map(|a| a.as_map().entries() as &dyn Array)
                .collect();
            empty_leaves(&children, entries.data_type(), empty);
        }
        DataType::List(item) => {
            let children: Vec<&dyn Array> = arrays
                .iter()
                .map(|a| a.as_list::<i32>().values().as_ref())
                .collect();
            empty_leaves(&children, item.data_type(), empty);
        }
        other => empty.extend(std::iter::repeat_n(false, leaf_count(other))),
    }
}

/// The leaf columns Parquet makes of `data_type`.
fn leaf_count(data_type: &DataType) -> usize {
    match data_type {
        DataType::Struct(fields) => fields.iter().map(|f| leaf_count(f.data_type())).sum(),
        DataType::Map(entries, _) => leaf_count(entries.data_type()),
        DataType::List(item) | DataType::LargeList(item) => leaf_count(item.data_type()),
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_columns_given_writer_settings_are_columns_of_the_store() {
        // A path that names no column is silently ignored by the writer: a renamed column would lose its
        // settings without a word.
        let parquet = deltalake::parquet::arrow::ArrowSchemaConverter::new()
            .convert(&event_schema())
            .expect("the event schema as Parquet");
        let leaves: Vec<Vec<String>> = parquet
            .columns()
            .iter()
            .map(|c| c.path().parts().to_vec())
            .collect();
        for column in UNDICTIONARIED_COLUMNS.iter().chain(PRUNED_COLUMNS) {
            let column: Vec<String> = column.iter().map(|p| (*p).to_owned()).collect();
            assert!(leaves.contains(&column), "{column:?} is not a leaf column");
        }
        let properties = store_properties().expect("settings");
        assert_eq!(
            properties.statistics_enabled(&path(&["useragent"])),
            EnabledStatistics::None
        );
        assert_eq!(
            properties.statistics_enabled(&path(&["useridentity", "arn"])),
            EnabledStatistics::Page
        );
        assert!(!properties.dictionary_enabled(&path(&["useridentity", "accesskeyid"])));
        assert!(properties.dictionary_enabled(&path(&["eventname"])));
    }

    /// Rows of the event schema, decoded from `records`.
    fn events(records: &[&str]) -> RecordBatch {
        let mut builder = auditlake_schema::EventBatchBuilder::with_capacity(records.len());
        for record in records {
            builder.append(auditlake_schema::decode_event(record).expect("a valid record"));
        }
        builder.finish()
    }

    #[test]
    fn a_file_stores_columns_with_no_value_in_it_uncompressed_and_the_others_compressed() {
        let settings = FileSettings::new().expect("settings");
        let plain = events(&[
            r#"{"eventVersion":"1.08","eventTime":"2024-05-01T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","eventID":"e1","userIdentity":{"type":"IAMUser","userName":"alice"}}"#,
        ]);
        let with_addendum = events(&[
            r#"{"eventVersion":"1.08","eventTime":"2024-05-01T11:00:00Z","eventSource":"s3.amazonaws.com","eventName":"PutObject","awsRegion":"us-east-1","eventID":"e2","addendum":{"reason":"DELIVERY_DELAY"}}"#,
        ]);
        let compression =
            |properties: &WriterProperties, parts: &[&str]| properties.compression(&path(parts));
        let alone = settings.for_file(&[&plain]);
        assert_eq!(
            compression(&alone, &["addendum", "reason"]),
            Compression::UNCOMPRESSED
        );
        assert!(!alone.dictionary_enabled(&path(&["addendum", "reason"])));
        assert_eq!(
            compression(&alone, &["useridentity", "onbehalfof", "userid"]),
            Compression::UNCOMPRESSED
        );
        assert_eq!(
            compression(&alone, &["requestparameters", "key_value", "value"]),
            Compression::UNCOMPRESSED
        );
        assert!(matches!(
            compression(&alone, &["eventname"]),
            Compression::ZSTD(_)
        ));
        assert!(matches!(
            compression(&alone, &["useridentity", "username"]),
            Compression::ZSTD(_)
        ));
        // A value in any batch of the file keeps the column compressed; the store's other settings stay.
        let both = settings.for_file(&[&plain, &with_addendum]);
        assert!(matches!(
            compression(&both, &["addendum", "reason"]),
            Compression::ZSTD(_)
        ));
        assert_eq!(
            compression(&both, &["addendum", "updatedfields"]),
            Compression::UNCOMPRESSED
        );
        assert!(!both.dictionary_enabled(&path(&["eventid"])));
        assert_eq!(
            both.statistics_enabled(&path(&["eventname"])),
            EnabledStatistics::Page
        );
    }
}
