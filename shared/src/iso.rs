//! Times on the wire: ISO 8601, answered in UTC with milliseconds.

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an ISO 8601 time with an offset, such as 2026-12-01T09:15:00.000Z")]
pub struct BadTime(pub String);

/// Parses a time that carries an offset (`Z` or `+01:00`); seconds and fractions are optional.
pub fn parse(text: &str) -> Result<DateTime<Utc>, BadTime> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M%#z"))
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| BadTime(text.to_string()))
}

/// Parses a wall-clock time without offset (`2026-12-01T09:15:00.000`, seconds optional).
pub fn parse_local(text: &str) -> Result<NaiveDateTime, BadTime> {
    let text = text.trim();
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M"))
        .map_err(|_| BadTime(text.to_string()))
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
    use proptest::prelude::*;

    #[test]
    fn offsets_are_normalised_to_utc() {
        assert_eq!(format(parse("2026-12-01T10:15:00+01:00").unwrap()), "2026-12-01T09:15:00.000Z");
        assert_eq!(format(parse("2026-12-01T09:15Z").unwrap()), "2026-12-01T09:15:00.000Z");
        assert_eq!(format(parse("2026-12-01T09:15:00.5Z").unwrap()), "2026-12-01T09:15:00.500Z");
    }

    #[test]
    fn times_without_offset_or_garbage_are_refused() {
        for bad in ["2026-12-01T09:15:00", "tomorrow", "", "2026-13-01T00:00:00Z", "9999999999"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(parse_local("2026-12-01T09:15").is_ok());
        assert!(parse_local("2026-12-01").is_err());
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
        }
    }
}
