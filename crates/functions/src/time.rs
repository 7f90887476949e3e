//! Date and time functions with Trino semantics.
//!
//! Timestamps of any unit and time zone are accepted; values are instants
//! (Arrow stores UTC). Field extraction (`year`, `hour`, ...), `date(ts)` and
//! calendar arithmetic (`date_add`/`date_diff` with day or larger units) work
//! on the wall-clock time of the timestamp's own zone, as Trino does; for
//! `UTC`/`+00:00` (everything auditlake stores) that is UTC. Timestamps
//! without a zone are taken as UTC.
//!
//! Differences from Trino: strings given where a timestamp is expected are
//! cast to `Timestamp(µs, UTC)` (Trino rejects them); the field functions
//! accept dates for every field (`hour(DATE)` is 0), while `date_add` on a
//! DATE accepts only units of a day or more, as in Trino; `date_diff` takes
//! a DATE as midnight UTC and accepts every unit; `to_iso8601` always prints
//! milliseconds (`2024-05-01T12:00:00.000Z`), whatever the precision;
//! `from_iso8601_*` accept the extended ISO 8601 forms (`2024-05-01`,
//! `2024-05-01T12:00[:00[.fff]]`, a `T` or a space, `Z`, `+02:00`, `+0200`,
//! `+02`), not week or ordinal dates; `date(text)` takes the date part of
//! any of those forms. Unit names are case-insensitive and may be plural.

use std::sync::Arc;

use arrow::array::timezone::Tz;
use arrow::array::{
    Array, ArrayRef, AsArray, Date32Array, Float64Builder, Int64Array, Int64Builder, StringBuilder,
};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Date32Type, Int64Type, TimeUnit};
use chrono::{
    DateTime, Datelike, Months, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta, TimeZone,
    Timelike,
};
use datafusion::common::{Result, exec_datafusion_err, exec_err, plan_err};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature};

use crate::common::{
    IntArg, StrArg, check_arity, coerce_int, coerce_str, finish, is_string, shape, shorten,
    to_array, user_defined,
};

/// Days from 0001-01-01 (day 1 of the common era) to 1970-01-01.
const UNIX_EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// The UTC timestamp type produced by `from_iso8601_timestamp`.
fn utc_micros() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

/// A unit of `date_add` / `date_diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    Millisecond,
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl Unit {
    /// Parses a unit name (case-insensitive; a trailing `s` is tolerated).
    pub(crate) fn parse(name: &str, text: &str) -> Result<Self> {
        let lower = text.trim().to_ascii_lowercase();
        let singular = lower.strip_suffix('s').unwrap_or(&lower);
        Ok(match singular {
            "millisecond" => Unit::Millisecond,
            "second" => Unit::Second,
            "minute" => Unit::Minute,
            "hour" => Unit::Hour,
            "day" => Unit::Day,
            "week" => Unit::Week,
            "month" => Unit::Month,
            "quarter" => Unit::Quarter,
            "year" => Unit::Year,
            _ => return exec_err!("{name}: unknown unit '{text}'"),
        })
    }

    /// True for units of a day or more (calendar arithmetic on local time).
    fn is_calendar(self) -> bool {
        matches!(
            self,
            Unit::Day | Unit::Week | Unit::Month | Unit::Quarter | Unit::Year
        )
    }

    /// The length in milliseconds of a fixed-length unit.
    fn millis(self) -> Option<i64> {
        match self {
            Unit::Millisecond => Some(1),
            Unit::Second => Some(1_000),
            Unit::Minute => Some(60_000),
            Unit::Hour => Some(3_600_000),
            _ => None,
        }
    }
}

/// The time zone of a timestamp type (`None`: no zone, taken as UTC).
struct Zone(Option<Tz>);

impl Zone {
    fn new(name: &str, tz: Option<&str>) -> Result<Self> {
        match tz {
            None => Ok(Zone(None)),
            Some(tz) => tz
                .parse::<Tz>()
                .map(|tz| Zone(Some(tz)))
                .map_err(|e| exec_datafusion_err!("{name}: unsupported time zone '{tz}': {e}")),
        }
    }

    /// Wall-clock time in this zone of the UTC instant `utc`.
    fn local(&self, utc: NaiveDateTime) -> NaiveDateTime {
        match &self.0 {
            None => utc,
            Some(tz) => tz.from_utc_datetime(&utc).naive_local(),
        }
    }

    /// The UTC instant of wall-clock time `local` (earliest when ambiguous).
    fn utc(&self, local: NaiveDateTime) -> NaiveDateTime {
        match &self.0 {
            None => local,
            Some(tz) => match tz.from_local_datetime(&local).earliest() {
                Some(dt) => dt.naive_utc(),
                // In a gap (DST change): use the offset in force just before.
                None => local - tz.offset_from_utc_datetime(&local).fix(),
            },
        }
    }

    /// The UTC offset in seconds at instant `utc`, when there is a zone.
    fn offset_secs(&self, utc: NaiveDateTime) -> Option<i32> {
        self.0
            .as_ref()
            .map(|tz| tz.offset_from_utc_datetime(&utc).fix().local_minus_utc())
    }
}

/// Converts a timestamp value of `unit` to a UTC date-time.
fn ts_to_naive(v: i64, unit: TimeUnit) -> Option<NaiveDateTime> {
    let dt = match unit {
        TimeUnit::Second => DateTime::from_timestamp(v, 0)?,
        TimeUnit::Millisecond => DateTime::from_timestamp_millis(v)?,
        TimeUnit::Microsecond => DateTime::from_timestamp_micros(v)?,
        TimeUnit::Nanosecond => DateTime::from_timestamp_nanos(v),
    };
    Some(dt.naive_utc())
}

/// Converts a UTC date-time to a timestamp value of `unit`.
fn naive_to_ts(dt: NaiveDateTime, unit: TimeUnit) -> Option<i64> {
    let dt = dt.and_utc();
    match unit {
        TimeUnit::Second => Some(dt.timestamp()),
        TimeUnit::Millisecond => Some(dt.timestamp_millis()),
        TimeUnit::Microsecond => Some(dt.timestamp_micros()),
        TimeUnit::Nanosecond => dt.timestamp_nanos_opt(),
    }
}

fn date32_to_naive(d: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(d.checked_add(UNIX_EPOCH_DAYS_FROM_CE)?)
}

fn naive_to_date32(d: NaiveDate) -> i32 {
    d.num_days_from_ce() - UNIX_EPOCH_DAYS_FROM_CE
}

/// The values of a timestamp or date argument.
enum TimeValues {
    Ts {
        values: Int64Array,
        unit: TimeUnit,
        zone: Zone,
    },
    Date(Date32Array),
}

impl TimeValues {
    fn new(name: &str, array: &ArrayRef) -> Result<Self> {
        match array.data_type() {
            DataType::Timestamp(unit, tz) => {
                let values = cast(array, &DataType::Int64)?;
                let values = values
                    .as_primitive_opt::<Int64Type>()
                    .ok_or_else(|| exec_datafusion_err!("{name}: internal error: timestamp cast"))?
                    .clone();
                Ok(TimeValues::Ts {
                    values,
                    unit: *unit,
                    zone: Zone::new(name, tz.as_deref())?,
                })
            }
            DataType::Date32 => Ok(TimeValues::Date(
                array
                    .as_primitive_opt::<Date32Type>()
                    .ok_or_else(|| exec_datafusion_err!("{name}: internal error: date downcast"))?
                    .clone(),
            )),
            DataType::Null => Ok(TimeValues::Date(Date32Array::new_null(array.len()))),
            other => exec_err!("{name}: expected a timestamp or a date, got {other}"),
        }
    }

    fn zone(&self) -> Option<&Zone> {
        match self {
            TimeValues::Ts { zone, .. } => Some(zone),
            TimeValues::Date(_) => None,
        }
    }

    /// The instant at row `i` (a date is its midnight UTC).
    fn utc(&self, i: usize) -> Option<NaiveDateTime> {
        match self {
            TimeValues::Ts { values, unit, .. } => values
                .is_valid(i)
                .then(|| ts_to_naive(values.value(i), *unit))?,
            TimeValues::Date(d) => d
                .is_valid(i)
                .then(|| date32_to_naive(d.value(i)))?
                .map(|d| d.and_time(NaiveTime::MIN)),
        }
    }

    /// The wall-clock time at row `i` in the value's zone.
    fn local(&self, i: usize) -> Option<NaiveDateTime> {
        let utc = self.utc(i)?;
        Some(match self.zone() {
            Some(zone) => zone.local(utc),
            None => utc,
        })
    }
}

/// Parses an ISO 8601 date-time: the local date-time and the UTC offset in seconds, if given.
pub(crate) fn parse_iso8601(text: &str) -> Option<(NaiveDateTime, Option<i32>)> {
    let s = text.trim();
    let (date_part, rest) = match s.find(['T', 't', ' ']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let date = parse_date(date_part)?;
    let Some(rest) = rest else {
        return Some((date.and_time(NaiveTime::MIN), None));
    };
    let rest = rest.trim();
    let (time_part, offset) = if let Some(t) = rest.strip_suffix(['Z', 'z']) {
        (t, Some(0))
    } else if let Some(i) = rest.rfind(['+', '-']) {
        (&rest[..i], Some(parse_offset(&rest[i..])?))
    } else if let Some(t) = rest.strip_suffix(" UTC") {
        (t, Some(0))
    } else {
        (rest, None)
    };
    let time_part = time_part.trim();
    let time = ["%H:%M:%S%.f", "%H:%M:%S", "%H:%M", "%H%M%S%.f", "%H%M%S"]
        .iter()
        .find_map(|f| NaiveTime::parse_from_str(time_part, f).ok())
        .or_else(|| {
            let h: u32 = (time_part.len() == 2).then(|| time_part.parse().ok())??;
            NaiveTime::from_hms_opt(h, 0, 0)
        })?;
    Some((date.and_time(time), offset))
}

/// Parses `YYYY-MM-DD`.
fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    let mut parts = t.splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 || m.is_empty() || m.len() > 2 || d.is_empty() || d.len() > 2 {
        return None;
    }
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !(all_digits(y) && all_digits(m) && all_digits(d)) {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// Parses `+HH:MM`, `+HHMM` or `+HH` into seconds east of UTC.
fn parse_offset(text: &str) -> Option<i32> {
    let sign = match text.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = text[1..].chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m) = match digits.len() {
        2 => (digits.parse::<i32>().ok()?, 0),
        4 => (
            digits[..2].parse::<i32>().ok()?,
            digits[2..].parse::<i32>().ok()?,
        ),
        _ => return None,
    };
    if h > 23 || m > 59 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60))
}

/// Adds `n` months (may be negative) clamping the day to the end of the month, as Trino does.
fn add_months(dt: NaiveDateTime, n: i64) -> Option<NaiveDateTime> {
    let m = u32::try_from(n.unsigned_abs()).ok()?;
    if n >= 0 {
        dt.checked_add_months(Months::new(m))
    } else {
        dt.checked_sub_months(Months::new(m))
    }
}

/// Adds `n` units to a date-time: fixed units on the instant `utc`, calendar units on `local`.
fn add_unit(utc: NaiveDateTime, zone: Option<&Zone>, unit: Unit, n: i64) -> Option<NaiveDateTime> {
    if let Some(ms) = unit.millis() {
        return utc.checked_add_signed(TimeDelta::try_milliseconds(n.checked_mul(ms)?)?);
    }
    let local = zone.map_or(utc, |z| z.local(utc));
    let shifted = match unit {
        Unit::Day => local.checked_add_signed(TimeDelta::try_days(n)?)?,
        Unit::Week => local.checked_add_signed(TimeDelta::try_days(n.checked_mul(7)?)?)?,
        Unit::Month => add_months(local, n)?,
        Unit::Quarter => add_months(local, n.checked_mul(3)?)?,
        Unit::Year => add_months(local, n.checked_mul(12)?)?,
        _ => return None,
    };
    Some(zone.map_or(shifted, |z| z.utc(shifted)))
}

fn days_in_month(year: i32, month: u32) -> u32 {
    let (ny, nm) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    match (
        NaiveDate::from_ymd_opt(ny, nm, 1),
        NaiveDate::from_ymd_opt(year, month, 1),
    ) {
        (Some(next), Some(first)) => (next - first).num_days() as u32,
        _ => 31,
    }
}

/// Whole months from `start` to `end` (Joda/Trino semantics).
pub(crate) fn months_between(start: NaiveDateTime, end: NaiveDateTime) -> i64 {
    if end < start {
        return -months_between(end, start);
    }
    let mut diff = (i64::from(end.year()) - i64::from(start.year())) * 12 + i64::from(end.month())
        - i64::from(start.month());
    let end_dom = end.day();
    let mut start_dom = start.day();
    if end_dom == days_in_month(end.year(), end.month()) && start_dom > end_dom {
        start_dom = end_dom;
    }
    if (end_dom, end.time()) < (start_dom, start.time()) {
        diff -= 1;
    }
    diff
}

/// Whole `unit`s from `a` to `b` (instants `a_utc`, `b_utc`; wall-clock `a_local`, `b_local`).
fn diff_units(
    unit: Unit,
    a_utc: NaiveDateTime,
    b_utc: NaiveDateTime,
    a_local: NaiveDateTime,
    b_local: NaiveDateTime,
) -> i64 {
    match unit {
        Unit::Millisecond => (b_utc - a_utc).num_milliseconds(),
        Unit::Second => (b_utc - a_utc).num_seconds(),
        Unit::Minute => (b_utc - a_utc).num_minutes(),
        Unit::Hour => (b_utc - a_utc).num_hours(),
        Unit::Day => (b_local - a_local).num_days(),
        Unit::Week => (b_local - a_local).num_days() / 7,
        Unit::Month => months_between(a_local, b_local),
        Unit::Quarter => months_between(a_local, b_local) / 3,
        Unit::Year => months_between(a_local, b_local) / 12,
    }
}

/// A field extracted by `year`, `hour`, ...
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Part {
    Year,
    Quarter,
    Month,
    Week,
    Day,
    DayOfWeek,
    DayOfYear,
    Hour,
    Minute,
    Second,
    Millisecond,
}

impl Part {
    fn extract(self, dt: NaiveDateTime) -> i64 {
        let v = match self {
            Part::Year => return i64::from(dt.year()),
            Part::Quarter => dt.month0() / 3 + 1,
            Part::Month => dt.month(),
            Part::Week => dt.iso_week().week(),
            Part::Day => dt.day(),
            Part::DayOfWeek => dt.weekday().number_from_monday(),
            Part::DayOfYear => dt.ordinal(),
            Part::Hour => dt.hour(),
            Part::Minute => dt.minute(),
            Part::Second => dt.second(),
            Part::Millisecond => (dt.nanosecond() / 1_000_000) % 1000,
        };
        i64::from(v)
    }
}

/// Which date/time function a [`TimeFunc`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum TimeKind {
    /// `from_iso8601_timestamp(text)`.
    FromIso8601Timestamp,
    /// `from_iso8601_date(text)`.
    FromIso8601Date,
    /// `to_iso8601(timestamp)`.
    ToIso8601,
    /// `to_unixtime(timestamp)`.
    ToUnixtime,
    /// `date_add(unit, value, timestamp)`.
    DateAdd,
    /// `date_diff(unit, t1, t2)`.
    DateDiff,
    /// `date(x)`.
    Date,
    /// A field extraction function.
    Part(Part),
}

impl TimeKind {
    /// Every date/time function.
    pub(crate) const ALL: [TimeKind; 18] = [
        TimeKind::FromIso8601Timestamp,
        TimeKind::FromIso8601Date,
        TimeKind::ToIso8601,
        TimeKind::ToUnixtime,
        TimeKind::DateAdd,
        TimeKind::DateDiff,
        TimeKind::Date,
        TimeKind::Part(Part::Year),
        TimeKind::Part(Part::Quarter),
        TimeKind::Part(Part::Month),
        TimeKind::Part(Part::Week),
        TimeKind::Part(Part::Day),
        TimeKind::Part(Part::DayOfWeek),
        TimeKind::Part(Part::DayOfYear),
        TimeKind::Part(Part::Hour),
        TimeKind::Part(Part::Minute),
        TimeKind::Part(Part::Second),
        TimeKind::Part(Part::Millisecond),
    ];

    /// The SQL name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            TimeKind::FromIso8601Timestamp => "from_iso8601_timestamp",
            TimeKind::FromIso8601Date => "from_iso8601_date",
            TimeKind::ToIso8601 => "to_iso8601",
            TimeKind::ToUnixtime => "to_unixtime",
            TimeKind::DateAdd => "date_add",
            TimeKind::DateDiff => "date_diff",
            TimeKind::Date => "date",
            TimeKind::Part(p) => match p {
                Part::Year => "year",
                Part::Quarter => "quarter",
                Part::Month => "month",
                Part::Week => "week",
                Part::Day => "day",
                Part::DayOfWeek => "day_of_week",
                Part::DayOfYear => "day_of_year",
                Part::Hour => "hour",
                Part::Minute => "minute",
                Part::Second => "second",
                Part::Millisecond => "millisecond",
            },
        }
    }

    /// Other SQL names of the function.
    pub(crate) fn aliases(self) -> &'static [&'static str] {
        match self {
            TimeKind::Part(Part::Week) => &["week_of_year"],
            TimeKind::Part(Part::Day) => &["day_of_month"],
            TimeKind::Part(Part::DayOfWeek) => &["dow"],
            TimeKind::Part(Part::DayOfYear) => &["doy"],
            _ => &[],
        }
    }
}

/// Coerces a timestamp-or-date argument; strings and NULL become `Timestamp(µs, UTC)`.
fn coerce_temporal(name: &str, what: &str, t: &DataType) -> Result<DataType> {
    match t {
        DataType::Timestamp(_, _) | DataType::Date32 => Ok(t.clone()),
        DataType::Date64 => Ok(DataType::Date32),
        DataType::Null => Ok(utc_micros()),
        t if is_string(t) => Ok(utc_micros()),
        DataType::Dictionary(_, v) if is_string(v) => Ok(utc_micros()),
        other => plan_err!("{name}: {what} must be a timestamp or a date, got {other}"),
    }
}

/// A Trino date/time function.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct TimeFunc {
    kind: TimeKind,
    aliases: Vec<String>,
    signature: Signature,
}

impl TimeFunc {
    /// The function of the given kind.
    pub(crate) fn new(kind: TimeKind) -> Self {
        Self {
            kind,
            aliases: kind.aliases().iter().map(|a| a.to_string()).collect(),
            signature: user_defined(),
        }
    }
}

impl ScalarUDFImpl for TimeFunc {
    fn name(&self) -> &str {
        self.kind.name()
    }

    fn aliases(&self) -> &[String] {
        &self.aliases
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let name = self.kind.name();
        match self.kind {
            TimeKind::FromIso8601Timestamp | TimeKind::FromIso8601Date => {
                check_arity(name, arg_types, 1, 1, "1 argument (text)")?;
                Ok(vec![coerce_str(name, "the argument", &arg_types[0])?])
            }
            TimeKind::ToIso8601 | TimeKind::ToUnixtime | TimeKind::Part(_) => {
                check_arity(name, arg_types, 1, 1, "1 argument (timestamp)")?;
                Ok(vec![coerce_temporal(name, "the argument", &arg_types[0])?])
            }
            TimeKind::Date => {
                check_arity(name, arg_types, 1, 1, "1 argument")?;
                let t = &arg_types[0];
                if is_string(t) || t.is_null() || matches!(t, DataType::Dictionary(_, _)) {
                    Ok(vec![coerce_str(name, "the argument", t)?])
                } else {
                    Ok(vec![coerce_temporal(name, "the argument", t)?])
                }
            }
            TimeKind::DateAdd => {
                check_arity(
                    name,
                    arg_types,
                    3,
                    3,
                    "3 arguments (unit, value, timestamp)",
                )?;
                Ok(vec![
                    coerce_str(name, "unit", &arg_types[0])?,
                    coerce_int(name, "value", &arg_types[1])?,
                    coerce_temporal(name, "timestamp", &arg_types[2])?,
                ])
            }
            TimeKind::DateDiff => {
                check_arity(
                    name,
                    arg_types,
                    3,
                    3,
                    "3 arguments (unit, timestamp1, timestamp2)",
                )?;
                Ok(vec![
                    coerce_str(name, "unit", &arg_types[0])?,
                    coerce_temporal(name, "timestamp1", &arg_types[1])?,
                    coerce_temporal(name, "timestamp2", &arg_types[2])?,
                ])
            }
        }
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(match self.kind {
            TimeKind::FromIso8601Timestamp => utc_micros(),
            TimeKind::FromIso8601Date | TimeKind::Date => DataType::Date32,
            TimeKind::ToIso8601 => DataType::Utf8,
            TimeKind::ToUnixtime => DataType::Float64,
            TimeKind::DateAdd => match arg_types.get(2) {
                Some(t @ (DataType::Timestamp(_, _) | DataType::Date32)) => t.clone(),
                Some(t) => coerce_temporal(self.name(), "timestamp", t)?,
                None => {
                    return plan_err!("date_add: expected 3 arguments (unit, value, timestamp)");
                }
            },
            TimeKind::DateDiff | TimeKind::Part(_) => DataType::Int64,
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let name = self.kind.name();
        let (len, scalar) = shape(&args.args, args.number_rows);
        let arg = |i: usize| {
            args.args
                .get(i)
                .ok_or_else(|| exec_datafusion_err!("{name}: missing argument {}", i + 1))
        };
        let out: ArrayRef = match self.kind {
            TimeKind::FromIso8601Timestamp => {
                let text = StrArg::new(name, arg(0)?)?;
                let mut b = Vec::with_capacity(len);
                for i in 0..len {
                    b.push(match text.get(i) {
                        None => None,
                        Some(t) => Some(iso_to_micros(t).ok_or_else(|| {
                            exec_datafusion_err!(
                                "{name}: invalid ISO 8601 timestamp '{}'",
                                shorten(t)
                            )
                        })?),
                    });
                }
                micros_to_utc_array(Int64Array::from(b))
            }
            TimeKind::FromIso8601Date => {
                let text = StrArg::new(name, arg(0)?)?;
                let mut b = Vec::with_capacity(len);
                for i in 0..len {
                    b.push(match text.get(i) {
                        None => None,
                        Some(t) => Some(naive_to_date32(parse_date(t).ok_or_else(|| {
                            exec_datafusion_err!("{name}: invalid ISO 8601 date '{}'", shorten(t))
                        })?)),
                    });
                }
                Arc::new(Date32Array::from(b))
            }
            TimeKind::Date => {
                let a = to_array(arg(0)?, len)?;
                let mut b = Vec::with_capacity(len);
                if is_string(a.data_type()) {
                    let text = StrArg::from_array(name, a.as_ref())?;
                    for i in 0..len {
                        b.push(match text.get(i) {
                            None => None,
                            Some(t) => Some(naive_to_date32(
                                parse_iso8601(t)
                                    .ok_or_else(|| {
                                        exec_datafusion_err!(
                                            "{name}: invalid date '{}'",
                                            shorten(t)
                                        )
                                    })?
                                    .0
                                    .date(),
                            )),
                        });
                    }
                } else {
                    let values = TimeValues::new(name, &a)?;
                    for i in 0..len {
                        b.push(values.local(i).map(|dt| naive_to_date32(dt.date())));
                    }
                }
                Arc::new(Date32Array::from(b))
            }
            TimeKind::ToIso8601 => {
                let a = to_array(arg(0)?, len)?;
                let values = TimeValues::new(name, &a)?;
                let mut b = StringBuilder::with_capacity(len, len * 24);
                for i in 0..len {
                    b.append_option(to_iso8601(&values, i));
                }
                Arc::new(b.finish())
            }
            TimeKind::ToUnixtime => {
                let a = to_array(arg(0)?, len)?;
                let values = TimeValues::new(name, &a)?;
                let mut b = Float64Builder::with_capacity(len);
                for i in 0..len {
                    b.append_option(values.utc(i).map(|dt| {
                        dt.and_utc().timestamp() as f64
                            + f64::from(dt.and_utc().timestamp_subsec_nanos()) / 1e9
                    }));
                }
                Arc::new(b.finish())
            }
            TimeKind::Part(part) => {
                let a = to_array(arg(0)?, len)?;
                let values = TimeValues::new(name, &a)?;
                let mut b = Int64Builder::with_capacity(len);
                for i in 0..len {
                    b.append_option(values.local(i).map(|dt| part.extract(dt)));
                }
                Arc::new(b.finish())
            }
            TimeKind::DateAdd => {
                let units = StrArg::new(name, arg(0)?)?;
                let amounts = IntArg::new(name, arg(1)?)?;
                let a = to_array(arg(2)?, len)?;
                date_add(name, &units, &amounts, &a, len)?
            }
            TimeKind::DateDiff => {
                let units = StrArg::new(name, arg(0)?)?;
                let a = to_array(arg(1)?, len)?;
                let b = to_array(arg(2)?, len)?;
                date_diff(name, &units, &a, &b, len)?
            }
        };
        finish(out, scalar)
    }
}

/// Reinterprets Int64 microseconds as `Timestamp(µs, UTC)`.
fn micros_to_utc_array(values: Int64Array) -> ArrayRef {
    Arc::new(
        values
            .reinterpret_cast::<arrow::datatypes::TimestampMicrosecondType>()
            .with_timezone("UTC"),
    )
}

fn iso_to_micros(text: &str) -> Option<i64> {
    let (local, offset) = parse_iso8601(text)?;
    let utc = local.checked_sub_signed(TimeDelta::try_seconds(i64::from(offset.unwrap_or(0)))?)?;
    naive_to_ts(utc, TimeUnit::Microsecond)
}

fn to_iso8601(values: &TimeValues, i: usize) -> Option<String> {
    match values {
        TimeValues::Date(_) => values.utc(i).map(|dt| dt.format("%Y-%m-%d").to_string()),
        TimeValues::Ts { zone, .. } => {
            let utc = values.utc(i)?;
            let local = zone.local(utc);
            let base = local.format("%Y-%m-%dT%H:%M:%S%.3f").to_string();
            Some(match zone.offset_secs(utc) {
                None => base,
                Some(0) => format!("{base}Z"),
                Some(secs) => {
                    let sign = if secs < 0 { '-' } else { '+' };
                    let abs = secs.abs();
                    format!("{base}{sign}{:02}:{:02}", abs / 3600, (abs % 3600) / 60)
                }
            })
        }
    }
}

fn date_add(
    name: &str,
    units: &StrArg<'_>,
    amounts: &IntArg<'_>,
    array: &ArrayRef,
    len: usize,
) -> Result<ArrayRef> {
    let values = TimeValues::new(name, array)?;
    let scalar_unit = match units.scalar() {
        Some(Some(u)) => Some(Unit::parse(name, u)?),
        _ => None,
    };
    let unit_at = |i: usize| -> Result<Option<Unit>> {
        match scalar_unit {
            Some(u) => Ok(Some(u)),
            None => units.get(i).map(|u| Unit::parse(name, u)).transpose(),
        }
    };
    let out_of_range = || exec_datafusion_err!("{name}: result out of range");
    match &values {
        TimeValues::Date(_) => {
            let mut out = Vec::with_capacity(len);
            for i in 0..len {
                let (Some(unit), Some(n), Some(dt)) = (unit_at(i)?, amounts.get(i), values.utc(i))
                else {
                    out.push(None);
                    continue;
                };
                if !unit.is_calendar() {
                    return exec_err!(
                        "{name}: unit '{}' cannot be added to a DATE",
                        units.get(i).unwrap_or_default()
                    );
                }
                let shifted = add_unit(dt, None, unit, n).ok_or_else(out_of_range)?;
                out.push(Some(naive_to_date32(shifted.date())));
            }
            Ok(Arc::new(Date32Array::from(out)))
        }
        TimeValues::Ts {
            unit: ts_unit,
            zone,
            ..
        } => {
            let mut out = Vec::with_capacity(len);
            for i in 0..len {
                let (Some(unit), Some(n), Some(dt)) = (unit_at(i)?, amounts.get(i), values.utc(i))
                else {
                    out.push(None);
                    continue;
                };
                let shifted = add_unit(dt, Some(zone), unit, n).ok_or_else(out_of_range)?;
                out.push(Some(
                    naive_to_ts(shifted, *ts_unit).ok_or_else(out_of_range)?,
                ));
            }
            Ok(cast(&Int64Array::from(out), array.data_type())?)
        }
    }
}

fn date_diff(
    name: &str,
    units: &StrArg<'_>,
    a: &ArrayRef,
    b: &ArrayRef,
    len: usize,
) -> Result<ArrayRef> {
    let a = TimeValues::new(name, a)?;
    let b = TimeValues::new(name, b)?;
    let zone = a.zone().filter(|z| z.0.is_some()).or(b.zone());
    let scalar_unit = match units.scalar() {
        Some(Some(u)) => Some(Unit::parse(name, u)?),
        _ => None,
    };
    let mut out = Int64Builder::with_capacity(len);
    for i in 0..len {
        let unit = match scalar_unit {
            Some(u) => Some(u),
            None => units.get(i).map(|u| Unit::parse(name, u)).transpose()?,
        };
        let (Some(unit), Some(au), Some(bu)) = (unit, a.utc(i), b.utc(i)) else {
            out.append_null();
            continue;
        };
        let (al, bl) = match zone {
            Some(z) => (z.local(au), z.local(bu)),
            None => (au, bu),
        };
        out.append_value(diff_units(unit, au, bu, al, bl));
    }
    Ok(Arc::new(out.finish()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> NaiveDateTime {
        parse_iso8601(s).expect("valid").0
    }

    #[test]
    fn iso8601_forms() {
        assert_eq!(
            iso_to_micros("2024-05-01T12:00:00Z"),
            Some(1_714_564_800_000_000)
        );
        assert_eq!(
            iso_to_micros("2024-05-01T14:00:00+02:00"),
            Some(1_714_564_800_000_000)
        );
        assert_eq!(
            iso_to_micros("2024-05-01T14:00:00+0200"),
            Some(1_714_564_800_000_000)
        );
        assert_eq!(
            iso_to_micros("2024-05-01T12:00:00.5Z"),
            Some(1_714_564_800_500_000)
        );
        assert_eq!(
            iso_to_micros("2024-05-01T12:00Z"),
            Some(1_714_564_800_000_000)
        );
        assert_eq!(
            iso_to_micros("2024-05-01 12:00:00"),
            Some(1_714_564_800_000_000)
        );
        assert_eq!(iso_to_micros("2024-05-01"), Some(1_714_521_600_000_000));
        assert_eq!(
            iso_to_micros("2024-05-01T07:00:00-05:00"),
            Some(1_714_564_800_000_000)
        );
        assert_eq!(iso_to_micros("yesterday"), None);
        assert_eq!(iso_to_micros("2024-13-01"), None);
    }

    #[test]
    fn months_between_joda() {
        assert_eq!(months_between(dt("2024-01-31"), dt("2024-02-29")), 1);
        assert_eq!(months_between(dt("2024-02-29"), dt("2024-01-31")), -1);
        assert_eq!(
            months_between(dt("2024-01-31T12:00:00"), dt("2024-02-29T06:00:00")),
            0
        );
        assert_eq!(months_between(dt("2024-01-15"), dt("2024-02-14")), 0);
        assert_eq!(months_between(dt("2024-01-15"), dt("2025-01-15")), 12);
        assert_eq!(months_between(dt("2024-02-29"), dt("2025-02-28")), 12);
    }

    #[test]
    fn add_months_clamps() {
        assert_eq!(
            add_unit(dt("2024-01-31"), None, Unit::Month, 1),
            Some(dt("2024-02-29"))
        );
        assert_eq!(
            add_unit(dt("2024-03-31"), None, Unit::Month, -1),
            Some(dt("2024-02-29"))
        );
        assert_eq!(
            add_unit(dt("2024-05-01T12:00:00"), None, Unit::Week, -1),
            Some(dt("2024-04-24T12:00:00"))
        );
        assert_eq!(
            add_unit(dt("2024-05-01T12:00:00"), None, Unit::Hour, 13),
            Some(dt("2024-05-02T01:00:00"))
        );
    }

    #[test]
    fn units() {
        assert_eq!(Unit::parse("f", "DAY").expect("unit"), Unit::Day);
        assert_eq!(Unit::parse("f", "months").expect("unit"), Unit::Month);
        assert!(Unit::parse("f", "fortnight").is_err());
    }
}
