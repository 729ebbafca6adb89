//! Times on the wire: ISO 8601, answered in UTC with milliseconds.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, SecondsFormat, Utc};

/// Every time taken from a request lies in the years 1970 to 9999: date arithmetic on it (a month
/// ahead, a TTL, a year of buckets) then stays far inside what `chrono` can represent, so it can
/// never overflow.
const LATEST_MS: i64 = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadTime {
    #[error("`{0}` is not an ISO 8601 time with an offset, such as 2026-12-01T09:15:00.000Z")]
    Format(String),
    #[error("`{0}` is outside the years 1970 to 9999")]
    Range(String),
}

/// Whether a time lies in the years 1970 to 9999.
pub fn in_range(t: DateTime<Utc>) -> bool {
    (0..=LATEST_MS).contains(&t.timestamp_millis())
}

fn bounded(t: DateTime<Utc>, text: &str) -> Result<DateTime<Utc>, BadTime> {
    if in_range(t) {
        Ok(t)
    } else {
        Err(BadTime::Range(text.to_string()))
    }
}

/// Time arithmetic that cannot panic. Inputs are bounded (see `in_range`), so the bounds are never
/// reached in practice; stopping at them keeps a bug from becoming a crashed isolate.
pub trait Shift: Sized {
    /// `self + d`, stopping at the earliest or latest representable time.
    fn plus(self, d: Duration) -> Self;
    /// `self - d`, likewise.
    fn minus(self, d: Duration) -> Self {
        self.plus(Duration::zero().checked_sub(&d).unwrap_or(Duration::MAX))
    }
}

/// Each time type stops at its own earliest and latest.
macro_rules! saturating_shift {
    ($($time:ty: $earliest:expr, $latest:expr;)*) => {$(
        impl Shift for $time {
            fn plus(self, d: Duration) -> Self {
                let bound = if d < Duration::zero() { $earliest } else { $latest };
                self.checked_add_signed(d).unwrap_or(bound)
            }
        }
    )*};
}

saturating_shift! {
    DateTime<Utc>: DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC;
    NaiveDateTime: NaiveDateTime::MIN, NaiveDateTime::MAX;
    NaiveDate: NaiveDate::MIN, NaiveDate::MAX;
}

/// Parses a time that carries an offset (`Z` or `+01:00`); seconds and fractions are optional.
pub fn parse(text: &str) -> Result<DateTime<Utc>, BadTime> {
    let text = text.trim();
    let t = DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M%#z"))
        .map_err(|_| BadTime::Format(text.to_string()))?;
    bounded(t.with_timezone(&Utc), text)
}

/// Milliseconds since 1970 as text (`start-ms`), within the same years.
pub fn parse_millis(text: &str) -> Result<DateTime<Utc>, BadTime> {
    let text = text.trim();
    let ms: i64 = text
        .parse()
        .map_err(|_| BadTime::Format(text.to_string()))?;
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| BadTime::Range(text.to_string()))
        .and_then(|t| bounded(t, text))
}

/// Parses a wall-clock time without offset (`2026-12-01T09:15:00.000`, seconds optional), within
/// the same years.
pub fn parse_local(text: &str) -> Result<NaiveDateTime, BadTime> {
    let text = text.trim();
    let t = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M"))
        .map_err(|_| BadTime::Format(text.to_string()))?;
    bounded(t.and_utc(), text).map(|_| t)
}

/// `2026-12-01T09:15:00.000Z`
pub fn format(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// `2026-12-01T10:15:00.000` (no offset), as availability v2's `localTime`.
pub fn format_local(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3f").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_arithmetic_stops_at_the_bounds() {
        let t = parse("2026-12-02T10:00:00Z").unwrap();
        assert_eq!(
            t.plus(Duration::days(1)),
            parse("2026-12-03T10:00:00Z").unwrap()
        );
        assert_eq!(
            t.minus(Duration::hours(1)),
            parse("2026-12-02T09:00:00Z").unwrap()
        );
        assert_eq!(t.plus(Duration::MAX), DateTime::<Utc>::MAX_UTC);
        assert_eq!(t.minus(Duration::MAX), DateTime::<Utc>::MIN_UTC);
        assert_eq!(NaiveDate::MAX.plus(Duration::days(1)), NaiveDate::MAX);
        assert_eq!(
            NaiveDateTime::MIN.minus(Duration::days(1)),
            NaiveDateTime::MIN
        );
    }
    use proptest::prelude::*;

    #[test]
    fn offsets_are_normalised_to_utc() {
        assert_eq!(
            format(parse("2026-12-01T10:15:00+01:00").unwrap()),
            "2026-12-01T09:15:00.000Z"
        );
        assert_eq!(
            format(parse("2026-12-01T09:15Z").unwrap()),
            "2026-12-01T09:15:00.000Z"
        );
        assert_eq!(
            format(parse("2026-12-01T09:15:00.5Z").unwrap()),
            "2026-12-01T09:15:00.500Z"
        );
    }

    #[test]
    fn times_without_offset_or_garbage_are_refused() {
        for bad in [
            "2026-12-01T09:15:00",
            "tomorrow",
            "",
            "2026-13-01T00:00:00Z",
            "9999999999",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(parse_local("2026-12-01T09:15").is_ok());
        assert!(parse_local("2026-12-01").is_err());
    }

    #[test]
    fn times_outside_1970_to_9999_are_refused() {
        for far in [
            "1969-12-31T23:59:59Z",
            "0001-01-01T00:00:00Z",
            "+275760-09-13T00:00:00Z",
            "9999-12-31T23:00:00-05:00",
        ] {
            assert!(parse(far).is_err(), "{far}");
        }
        assert!(matches!(
            parse("1969-12-31T23:59:59Z"),
            Err(BadTime::Range(_))
        ));
        assert_eq!(
            format(parse("9999-12-31T23:59:59.999Z").unwrap()),
            "9999-12-31T23:59:59.999Z"
        );
        assert_eq!(
            format(parse_millis("0").unwrap()),
            "1970-01-01T00:00:00.000Z"
        );
        for far in [
            "8210266800000000",
            "-1",
            "9223372036854775807",
            "-9223372036854775808",
            "1e3",
            "",
        ] {
            assert!(parse_millis(far).is_err(), "{far}");
        }
        assert!(parse_local("0001-01-01T00:00").is_err());
    }

    proptest! {
        #[test]
        fn format_then_parse_is_identity(ms in 0i64..4_102_444_800_000) {
            let t = DateTime::from_timestamp_millis(ms).unwrap();
            prop_assert_eq!(parse(&format(t)).unwrap(), t);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = parse(&s);
            let _ = parse_local(&s);
            let _ = parse_millis(&s);
        }

        #[test]
        fn accepted_times_are_within_the_years(ms in proptest::num::i64::ANY) {
            if let Ok(t) = parse_millis(&ms.to_string()) {
                prop_assert!(t.timestamp_millis() >= 0 && t.timestamp_millis() <= LATEST_MS);
            }
        }
    }
}
