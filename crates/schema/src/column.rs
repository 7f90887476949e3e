//! Typed values that decode from JSON (borrowing where they can) and append to Arrow builders.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use arrow::array::NullBufferBuilder;
use arrow::array::{
    ArrayRef, BooleanBuilder, ListArray, MapBuilder, MapFieldNames, StringBuilder, StructArray,
};
use arrow::buffer::OffsetBuffer;
use arrow::datatypes::{DataType, Field, Fields};
use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::json::compact_json;
use crate::layout::Layout;
use crate::rebuild::Shape;

/// A value with an Arrow column type and a builder for it.
pub trait Column: Sized {
    /// The builder that collects values of this type.
    type Builder: ColumnBuilder<Self>;
    /// The Arrow type of the column.
    fn data_type() -> DataType;
    /// A builder with room for `capacity` values.
    fn builder(capacity: usize) -> Self::Builder;
    /// How a value is written as JSON again.
    fn shape() -> Shape;
}

/// Collects optional values into an Arrow array.
pub trait ColumnBuilder<T> {
    /// Appends one value, or a null.
    fn append(&mut self, value: Option<&T>);
    /// Takes the values appended so far as an array, leaving the builder empty.
    fn finish(&mut self) -> ArrayRef;
}

/// A string value. Numbers and booleans are accepted and kept as their JSON text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text<'a>(pub Cow<'a, str>);

impl Text<'_> {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v)))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// Builder for [`Text`] columns.
pub struct TextBuilder(Sparse<StringBuilder>);

impl ColumnBuilder<Text<'_>> for TextBuilder {
    fn append(&mut self, value: Option<&Text<'_>>) {
        match value {
            Some(text) => self.0.values().append_value(text.as_str()),
            None => self.0.skip(),
        }
    }
    fn finish(&mut self) -> ArrayRef {
        Arc::new(self.0.values().finish())
    }
}

/// An Arrow builder whose nulls are counted and appended together, when the next value or the end comes: most
/// fields are absent from most events, and one call for a run of nulls costs about what one null did.
pub(crate) struct Sparse<B: NullRuns> {
    builder: B,
    pending_nulls: usize,
}

impl<B: NullRuns> Sparse<B> {
    fn new(builder: B) -> Self {
        Sparse {
            builder,
            pending_nulls: 0,
        }
    }

    /// One more null.
    fn skip(&mut self) {
        self.pending_nulls += 1;
    }

    /// The builder, with every null counted so far appended.
    fn values(&mut self) -> &mut B {
        if self.pending_nulls > 0 {
            self.builder
                .append_nulls(std::mem::take(&mut self.pending_nulls));
        }
        &mut self.builder
    }
}

/// An Arrow builder that appends a run of nulls at once.
pub(crate) trait NullRuns {
    /// Appends `n` nulls.
    fn append_nulls(&mut self, n: usize);
}

impl NullRuns for StringBuilder {
    fn append_nulls(&mut self, n: usize) {
        StringBuilder::append_nulls(self, n);
    }
}

impl NullRuns for BooleanBuilder {
    fn append_nulls(&mut self, n: usize) {
        BooleanBuilder::append_nulls(self, n);
    }
}

impl<'a> Column for Text<'a> {
    type Builder = TextBuilder;
    fn data_type() -> DataType {
        DataType::Utf8
    }
    fn builder(capacity: usize) -> TextBuilder {
        TextBuilder(Sparse::new(StringBuilder::with_capacity(
            capacity,
            capacity * 16,
        )))
    }
    fn shape() -> Shape {
        Shape::Text
    }
}

impl Layout for Text<'_> {}

/// Any JSON value kept as text: a string as its contents, anything else as compact JSON.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JsonText<'a>(pub Text<'a>);

impl<'de: 'a, 'a> Deserialize<'de> for JsonText<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <&'de RawValue>::deserialize(d)?;
        raw_to_text(raw)
            .map(|t| JsonText(t.unwrap_or_default()))
            .map_err(de::Error::custom)
    }
}

/// A JSON value as text: strings unescaped, null as `None`, anything else as compact JSON.
fn raw_to_text(raw: &RawValue) -> Result<Option<Text<'_>>, serde_json::Error> {
    let text = raw.get();
    match text.as_bytes().first() {
        Some(b'"') => serde_json::from_str::<Text<'_>>(text).map(Some),
        Some(b'n') => Ok(None),
        _ => Ok(Some(Text(compact_json(text)))),
    }
}

impl<'a> Column for JsonText<'a> {
    type Builder = JsonTextBuilder;
    fn data_type() -> DataType {
        DataType::Utf8
    }
    fn builder(capacity: usize) -> JsonTextBuilder {
        JsonTextBuilder(Sparse::new(StringBuilder::with_capacity(
            capacity,
            capacity * 16,
        )))
    }
    fn shape() -> Shape {
        Shape::JsonText
    }
}

impl Layout for JsonText<'_> {}

/// Builder for [`JsonText`] columns.
pub struct JsonTextBuilder(Sparse<StringBuilder>);

impl ColumnBuilder<JsonText<'_>> for JsonTextBuilder {
    fn append(&mut self, value: Option<&JsonText<'_>>) {
        match value {
            Some(text) => self.0.values().append_value(text.0.as_str()),
            None => self.0.skip(),
        }
    }
    fn finish(&mut self) -> ArrayRef {
        Arc::new(self.0.values().finish())
    }
}

/// A boolean. The strings `"true"` and `"false"` (any case) are accepted too; anything else is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Bool(pub bool);

impl<'de> Deserialize<'de> for Bool {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Bool;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("true or false")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Bool, E> {
                Ok(Bool(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Bool, E> {
                if v.eq_ignore_ascii_case("true") {
                    Ok(Bool(true))
                } else if v.eq_ignore_ascii_case("false") {
                    Ok(Bool(false))
                } else {
                    Err(E::custom(format_args!(
                        "expected true or false, found \"{v}\""
                    )))
                }
            }
        }
        d.deserialize_any(V)
    }
}

impl Column for Bool {
    type Builder = BoolBuilder;
    fn data_type() -> DataType {
        DataType::Boolean
    }
    fn builder(capacity: usize) -> BoolBuilder {
        BoolBuilder(Sparse::new(BooleanBuilder::with_capacity(capacity)))
    }
    fn shape() -> Shape {
        Shape::Bool
    }
}

impl Layout for Bool {}

/// Builder for [`Bool`] columns.
pub struct BoolBuilder(Sparse<BooleanBuilder>);

impl ColumnBuilder<Bool> for BoolBuilder {
    fn append(&mut self, value: Option<&Bool>) {
        match value {
            Some(b) => self.0.values().append_value(b.0),
            None => self.0.skip(),
        }
    }
    fn finish(&mut self) -> ArrayRef {
        Arc::new(self.0.values().finish())
    }
}

/// A free-form payload (`requestParameters`, …): top-level keys, each value as text
/// (strings unescaped, nested values as compact JSON, null as a null value).
/// A string holding a JSON object is accepted and read as that object.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Payload<'a>(pub Vec<(Text<'a>, Option<Text<'a>>)>);

impl Payload<'_> {
    /// The value under `key`, if present and not null.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.as_str() == key)
            .and_then(|(_, v)| v.as_ref())
            .map(Text::as_str)
    }

    fn into_owned(self) -> Payload<'static> {
        Payload(
            self.0
                .into_iter()
                .map(|(k, v)| {
                    (
                        Text(Cow::Owned(k.0.into_owned())),
                        v.map(|v| Text(Cow::Owned(v.0.into_owned()))),
                    )
                })
                .collect(),
        )
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Payload<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Payload<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object, or a string holding one")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(4));
                while let Some(key) = map.next_key::<Text<'de>>()? {
                    let raw = map.next_value::<&'de RawValue>()?;
                    let value = raw_to_text(raw).map_err(de::Error::custom)?;
                    entries.push((key, value));
                }
                Ok(Payload(entries))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                match serde_json::from_str::<Payload<'_>>(v) {
                    Ok(p) => Ok(p.into_owned()),
                    Err(_) => Err(E::custom(
                        "expected a JSON object, found a string that does not hold one",
                    )),
                }
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// Builder for [`Payload`] columns: `map<string, string>`.
pub struct PayloadBuilder(MapBuilder<StringBuilder, StringBuilder>);

/// The map field names Delta Lake and Parquet use.
pub(crate) fn map_field_names() -> MapFieldNames {
    MapFieldNames {
        entry: "key_value".into(),
        key: "key".into(),
        value: "value".into(),
    }
}

impl ColumnBuilder<Payload<'_>> for PayloadBuilder {
    fn append(&mut self, value: Option<&Payload<'_>>) {
        match value {
            Some(p) => {
                for (k, v) in &p.0 {
                    self.0.keys().append_value(k.as_str());
                    self.0.values().append_option(v.as_ref().map(Text::as_str));
                }
                // Appending to a map builder only fails when keys and values are out of step, which they are not here.
                let _ = self.0.append(true);
            }
            None => {
                let _ = self.0.append(false);
            }
        }
    }
    fn finish(&mut self) -> ArrayRef {
        Arc::new(self.0.finish())
    }
}

impl<'a> Column for Payload<'a> {
    type Builder = PayloadBuilder;
    fn data_type() -> DataType {
        let entries = Field::new(
            "key_value",
            DataType::Struct(Fields::from(vec![
                Field::new("key", DataType::Utf8, false),
                Field::new("value", DataType::Utf8, true),
            ])),
            false,
        );
        DataType::Map(Arc::new(entries), false)
    }
    fn builder(capacity: usize) -> PayloadBuilder {
        let builder = MapBuilder::with_capacity(
            Some(map_field_names()),
            StringBuilder::new(),
            StringBuilder::new(),
            capacity,
        )
        .with_values_field(Arc::new(Field::new("value", DataType::Utf8, true)));
        PayloadBuilder(builder)
    }
    fn shape() -> Shape {
        Shape::Payload
    }
}

impl Layout for Payload<'_> {}

/// Builder for list columns.
pub struct ListColumnBuilder<T: Column> {
    values: T::Builder,
    offsets: Vec<i32>,
    nulls: NullBufferBuilder,
}

impl<T, U: Column> ColumnBuilder<Vec<T>> for ListColumnBuilder<U>
where
    U::Builder: ColumnBuilder<T>,
{
    fn append(&mut self, value: Option<&Vec<T>>) {
        let last = self.offsets.last().copied().unwrap_or(0);
        match value {
            Some(items) => {
                for item in items {
                    self.values.append(Some(item));
                }
                self.offsets
                    .push(last + i32::try_from(items.len()).unwrap_or(i32::MAX));
                self.nulls.append_non_null();
            }
            None => {
                self.offsets.push(last);
                self.nulls.append_null();
            }
        }
    }
    fn finish(&mut self) -> ArrayRef {
        let offsets = std::mem::replace(&mut self.offsets, vec![0]);
        let values = self.values.finish();
        let field = Arc::new(Field::new("element", U::data_type(), true));
        Arc::new(ListArray::new(
            field,
            OffsetBuffer::new(offsets.into()),
            values,
            self.nulls.finish(),
        ))
    }
}

impl<T: Column> Column for Vec<T> {
    type Builder = ListColumnBuilder<T>;
    fn data_type() -> DataType {
        DataType::List(Arc::new(Field::new("element", T::data_type(), true)))
    }
    fn builder(capacity: usize) -> Self::Builder {
        let mut offsets = Vec::with_capacity(capacity + 1);
        offsets.push(0);
        ListColumnBuilder {
            values: T::builder(capacity),
            offsets,
            nulls: NullBufferBuilder::new(capacity),
        }
    }
    fn shape() -> Shape {
        Shape::List(Box::new(T::shape()))
    }
}

/// Assembles a struct array from its finished children.
pub(crate) fn struct_array(
    fields: Fields,
    children: Vec<ArrayRef>,
    nulls: &mut NullBufferBuilder,
) -> ArrayRef {
    Arc::new(StructArray::new(fields, children, nulls.finish()))
}

/// Folds a JSON key to lowercase in a stack buffer, for case-insensitive matching against field names.
/// Keys longer than the buffer cannot name a known field and come back as `None`.
pub(crate) fn fold_key<'b>(key: &str, buf: &'b mut [u8; 48]) -> Option<&'b str> {
    let bytes = key.as_bytes();
    let out = buf.get_mut(..bytes.len())?;
    for (o, b) in out.iter_mut().zip(bytes) {
        *o = b.to_ascii_lowercase();
    }
    std::str::from_utf8(out).ok()
}

/// Defines a struct decoded from a JSON object with case-insensitive keys, its Arrow struct type and its builder.
/// Every field is optional; each is named by its lowercase column name and its JSON key in CloudTrail's casing
/// (used in error messages).
macro_rules! cloudtrail_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident<$lt:lifetime> / $builder:ident {
            $( $col:literal / $key:literal => $field:ident : $ty:ty, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct $name<$lt> {
            $( #[doc = concat!("`", $key, "`")] pub $field: Option<$ty>, )*
            /// The object's keys in the order they came: its layout.
            #[doc(hidden)]
            pub _keys: $crate::layout::KeyOrder,
            #[doc(hidden)]
            pub _marker: std::marker::PhantomData<&$lt ()>,
        }

        impl<$lt> $name<$lt> {
            /// The column names of the fields, in order.
            pub const COLUMNS: &'static [&'static str] = &[ $( $col, )* ];

            /// Appends the layout of this object's keys (without parentheses) to `out`; false if it has a key that
            /// is not a field, so it cannot be written from its fields.
            pub fn write_fields_layout(&self, out: &mut String) -> bool {
                if !self._keys.is_complete() {
                    return false;
                }
                for (position, null) in self._keys.keys() {
                    if null {
                        out.push($crate::layout::NULL_MARK as char);
                    }
                    out.push($crate::layout::CODES[position] as char);
                    if null {
                        continue;
                    }
                    $(
                        if position == { const P: usize = $crate::layout::position_of(<$name<'static>>::COLUMNS, $col); P } {
                            match &self.$field {
                                Some(value) => {
                                    if !$crate::layout::Layout::write_layout(value, out) {
                                        return false;
                                    }
                                }
                                None => return false,
                            }
                        }
                    )*
                }
                true
            }

            /// The Arrow fields of this struct, lowercase, all nullable.
            pub fn fields() -> arrow::datatypes::Fields {
                arrow::datatypes::Fields::from(vec![
                    $( arrow::datatypes::Field::new($col, <$ty as $crate::column::Column>::data_type(), true), )*
                ])
            }
        }

        impl<$lt> $name<$lt> {
            /// Reads the object at `cursor` into these fields, as the serde decoder would; `None` to give up
            /// ([`crate::fast`]).
            pub(crate) fn read_fields(&mut self, cursor: &mut $crate::fast::Cursor<$lt>) -> Option<()> {
                cursor.require(b'{')?;
                if cursor.eat(b'}') {
                    return Some(());
                }
                // The fields seen, by position: a repeated key is not written again as it came.
                let mut seen = 0u64;
                loop {
                    let key = cursor.key()?;
                    #[allow(unreachable_patterns)]
                    match key {
                        $( $key | $col => {
                            <$ty as $crate::fast::FastDecode<$lt>>::read_into(&mut self.$field, cursor)?;
                            const P: usize = $crate::layout::position_of(<$name<'static>>::COLUMNS, $col);
                            self._keys.push(P, self.$field.is_none());
                            cursor.exact &= key == $key && seen & (1 << P) == 0;
                            seen |= 1 << P;
                        } )*
                        _ => {
                            cursor.exact = false;
                            // A field's key in another casing: left to serde, which folds it.
                            let mut buf = [0u8; 48];
                            let folded = $crate::column::fold_key(key, &mut buf).unwrap_or_default();
                            if Self::COLUMNS.contains(&folded) {
                                return None;
                            }
                            cursor.value(1)?;
                            self._keys.push_unknown();
                        }
                    }
                    if !cursor.eat(b',') {
                        return cursor.require(b'}');
                    }
                }
            }
        }

        impl<$lt> $crate::fast::FastDecode<$lt> for $name<$lt> {
            fn read_into(slot: &mut Option<Self>, cursor: &mut $crate::fast::Cursor<$lt>) -> Option<()> {
                if cursor.null() {
                    *slot = None;
                    return Some(());
                }
                slot.insert(Self::default()).read_fields(cursor)
            }
        }

        impl<'de: $lt, $lt> serde::Deserialize<'de> for $name<$lt> {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V<$lt>(std::marker::PhantomData<&$lt ()>);
                impl<'de: $lt, $lt> serde::de::Visitor<'de> for V<$lt> {
                    type Value = $name<$lt>;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str("a JSON object")
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                        use serde::de::Error as _;
                        let mut out = $name::default();
                        let mut buf = [0u8; 48];
                        // Reads the value of the field `name` names, if any; false if it names none.
                        let read = |name: &str, map: &mut A, out: &mut $name<$lt>| -> Result<bool, A::Error> {
                            #[allow(unreachable_patterns)]
                            match name {
                                $( $key | $col => {
                                    out.$field = map.next_value::<Option<$ty>>().map_err(|e| {
                                        A::Error::custom(format_args!("{}: {}", $key, e))
                                    })?;
                                    const P: usize = $crate::layout::position_of(<$name<'static>>::COLUMNS, $col);
                                    out._keys.push(P, out.$field.is_none());
                                    Ok(true)
                                } )*
                                _ => Ok(false),
                            }
                        };
                        while let Some(key) = map.next_key::<$crate::column::Text<'de>>()? {
                            // Keys come in CloudTrail's casing nearly always: matched as they are first, they need
                            // no folding to lowercase; any other casing matches once folded (a key too long for
                            // any field folds to "", which names none).
                            if !read(key.as_str(), &mut map, &mut out)?
                                && !read(
                                    $crate::column::fold_key(key.as_str(), &mut buf).unwrap_or_default(),
                                    &mut map,
                                    &mut out,
                                )?
                            {
                                out._keys.push_unknown();
                                map.next_value::<serde::de::IgnoredAny>()?;
                            }
                        }
                        Ok(out)
                    }
                }
                d.deserialize_map(V(std::marker::PhantomData))
            }
        }

        #[doc = concat!("Builder for [`", stringify!($name), "`] columns.")]
        pub struct $builder<$lt> {
            $( $field: <$ty as $crate::column::Column>::Builder, )*
            nulls: arrow::array::NullBufferBuilder,
            _marker: std::marker::PhantomData<&$lt ()>,
        }

        impl<$lt> $builder<$lt> {
            /// Takes the children appended so far, leaving the builder empty.
            pub fn finish_children(&mut self) -> Vec<arrow::array::ArrayRef> {
                use $crate::column::ColumnBuilder as _;
                vec![ $( self.$field.finish(), )* ]
            }
        }

        impl<'r, $lt> $crate::column::ColumnBuilder<$name<'r>> for $builder<$lt> {
            fn append(&mut self, value: Option<&$name<'r>>) {
                match value {
                    Some(v) => {
                        $( self.$field.append(v.$field.as_ref()); )*
                        self.nulls.append_non_null();
                    }
                    None => {
                        $( self.$field.append(None); )*
                        self.nulls.append_null();
                    }
                }
            }
            fn finish(&mut self) -> arrow::array::ArrayRef {
                let children = self.finish_children();
                $crate::column::struct_array($name::fields(), children, &mut self.nulls)
            }
        }

        impl<$lt> $crate::layout::Layout for $name<$lt> {
            fn write_layout(&self, out: &mut String) -> bool {
                out.push('(');
                if !self.write_fields_layout(out) {
                    return false;
                }
                out.push(')');
                true
            }
        }

        impl<$lt> $crate::column::Column for $name<$lt> {
            type Builder = $builder<$lt>;
            fn data_type() -> arrow::datatypes::DataType {
                arrow::datatypes::DataType::Struct($name::fields())
            }
            fn shape() -> $crate::rebuild::Shape {
                $crate::rebuild::Shape::Struct(vec![ $( ($key, <$ty as $crate::column::Column>::shape()), )* ])
            }
            fn builder(capacity: usize) -> $builder<$lt> {
                $builder {
                    $( $field: <$ty as $crate::column::Column>::builder(capacity), )*
                    nulls: arrow::array::NullBufferBuilder::new(capacity),
                    _marker: std::marker::PhantomData,
                }
            }
        }
    };
}

pub(crate) use cloudtrail_struct;
