use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// Parses an event time in the forms real logs use, as microseconds since the epoch, UTC:
/// `2024-05-01T12:00:00Z`, with a fraction of up to nine digits, with a space instead of `T`, without
/// the `Z` (taken as UTC), or with a numeric offset (`+02:00`, `-0500`).
pub fn parse_event_time(text: &str) -> Option<i64> {
    let b = text.trim().as_bytes();
    if b.len() < 19 {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let mut v = 0u32;
        for &c in &b[r] {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u32::from(c - b'0');
        }
        Some(v)
    };
    if b[4] != b'-'
        || b[7] != b'-'
        || !(b[10] == b'T' || b[10] == b't' || b[10] == b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?;
    let time = NaiveTime::from_hms_opt(num(11..13)?, num(14..16)?, num(17..19)?)?;
    let mut micros = NaiveDateTime::new(date, time).and_utc().timestamp_micros();
    let mut i = 19;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let start = i;
        let mut frac: i64 = 0;
        while i < b.len() && b[i].is_ascii_digit() {
            if i - start < 6 {
                frac = frac * 10 + i64::from(b[i] - b'0');
            }
            i += 1;
        }
        let digits = i - start;
        if digits == 0 || digits > 9 {
            return None;
        }
        for _ in digits..6 {
            frac *= 10;
        }
        micros += frac;
    }
    let rest = &b[i..];
    let offset_secs: i64 = match rest {
        [] | [b'Z'] | [b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, tail @ ..] => {
            let (m1, m2) = match tail {
                [b':', m1, m2] | [m1, m2] => (*m1, *m2),
                [] => (b'0', b'0'),
                _ => return None,
            };
            let digits = [*h1, *h2, m1, m2];
            if !digits.iter().all(u8::is_ascii_digit) {
                return None;
            }
            let h = i64::from(h1 - b'0') * 10 + i64::from(h2 - b'0');
            let m = i64::from(m1 - b'0') * 10 + i64::from(m2 - b'0');
            if h > 23 || m > 59 {
                return None;
            }
            let s = h * 3600 + m * 60;
            if *sign == b'+' { s } else { -s }
        }
        _ => return None,
    };
    Some(micros - offset_secs * 1_000_000)
}

/// The UTC day `YYYY-MM-DD` of a time in microseconds since the epoch; `None` outside the years 0 to 9999.
pub fn day_of_micros(micros: i64) -> Option<EventDay> {
    use chrono::Datelike;
    let date = chrono::DateTime::from_timestamp_micros(micros)?.date_naive();
    let year = u32::try_from(date.year()).ok().filter(|y| *y <= 9999)?;
    let mut text = *b"0000-00-00";
    for (at, value, width) in [(0, year, 4), (5, date.month(), 2), (8, date.day(), 2)] {
        let mut rest = value;
        for slot in text[at..at + width].iter_mut().rev() {
            *slot = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
    }
    Some(EventDay(text))
}

/// A UTC day as `YYYY-MM-DD`: the text of the partition column, made without allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventDay([u8; 10]);

impl EventDay {
    /// The day as text.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits and dashes are ever written.
        std::str::from_utf8(&self.0).unwrap_or("0000-00-00")
    }
}

impl std::fmt::Display for EventDay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Option<String> {
        parse_event_time(text).map(|m| {
            chrono::DateTime::from_timestamp_micros(m)
                .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string())
                .unwrap_or_default()
        })
    }

    #[test]
    fn accepts_the_forms_real_logs_use() {
        assert_eq!(
            at("2024-05-01T12:00:00Z").as_deref(),
            Some("2024-05-01T12:00:00.000000Z")
        );
        assert_eq!(
            at("2024-05-01 12:00:00").as_deref(),
            Some("2024-05-01T12:00:00.000000Z")
        );
        assert_eq!(
            at("2024-05-01T12:00:00.123Z").as_deref(),
            Some("2024-05-01T12:00:00.123000Z")
        );
        assert_eq!(
            at("2024-12-12 16:04:32.000000009").as_deref(),
            Some("2024-12-12T16:04:32.000000Z")
        );
        assert_eq!(
            at("2024-05-01T12:00:00+02:00").as_deref(),
            Some("2024-05-01T10:00:00.000000Z")
        );
        assert_eq!(
            at("2020-11-05 21:21:46Z").as_deref(),
            Some("2020-11-05T21:21:46.000000Z")
        );
    }

    #[test]
    fn refuses_what_is_not_a_time() {
        for bad in [
            "...",
            "redacted",
            "foo",
            "2024-13-01T00:00:00Z",
            "2024-05-01T12:00:00ZZ",
            "2024-05-01T25:00:00Z",
            "2024-05-01T12:00:00.",
        ] {
            assert_eq!(parse_event_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn days_are_written_as_chrono_writes_them() {
        for micros in [
            0,
            -1,
            951_782_400_000_000,
            1_709_164_800_000_000 - 1,
            1_709_164_800_000_000,
            4_102_444_800_000_000,
            253_402_300_799_999_999,
            -62_167_219_200_000_000,
        ] {
            let chrono = chrono::DateTime::from_timestamp_micros(micros)
                .map(|t| t.format("%Y-%m-%d").to_string());
            assert_eq!(
                day_of_micros(micros).map(|d| d.to_string()),
                chrono,
                "{micros}"
            );
        }
        assert_eq!(day_of_micros(253_402_300_800_000_000), None, "year 10000");
        assert_eq!(day_of_micros(-62_167_219_200_000_001), None, "year -1");
    }
}
