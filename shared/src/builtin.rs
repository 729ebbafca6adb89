//! The queries of the builtin services: office hours (open periods) and capacity (slots).

use crate::availability::AskError;
use crate::iso::{self, Shift};
use crate::params::{given, Params};
use crate::zone::Zone;
use chrono::{DateTime, Duration, Utc};

/// The longest range one office-hours answer covers, as availability.
const MAX_HOURS_DAYS: i64 = 366;
/// The longest range one capacity answer covers.
const MAX_CAPACITY_DAYS: i64 = 62;

/// What an office-hours query asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoursQuery {
    /// The open periods of `[start, end)`.
    Range(DateTime<Utc>, DateTime<Utc>),
    /// The period open at this instant, if any ("is it open now").
    At(DateTime<Utc>),
}

fn bad(key: &'static str, message: impl Into<String>) -> AskError {
    AskError {
        key,
        message: message.into(),
    }
}

/// Reads an office-hours query: `start` (default now), `end` | `number-of-days`; neither asks
/// about the instant `start`.
pub fn hours_query(params: &Params, now: DateTime<Utc>) -> Result<HoursQuery, AskError> {
    let start = match given(params, "start") {
        Some(text) => iso::parse(text).map_err(|e| bad("start", e.to_string()))?,
        None => now,
    };
    let end = match (given(params, "end"), given(params, "number-of-days")) {
        (Some(text), _) => iso::parse(text).map_err(|e| bad("end", e.to_string()))?,
        (None, Some(n)) => {
            let days: i64 = n
                .parse()
                .ok()
                .filter(|d| (1..=MAX_HOURS_DAYS).contains(d))
                .ok_or_else(|| {
                    bad(
                        "number-of-days",
                        format!("`{n}` is not from 1 to {MAX_HOURS_DAYS}"),
                    )
                })?;
            start.plus(Duration::days(days))
        }
        (None, None) => return Ok(HoursQuery::At(start)),
    };
    if end <= start || end.signed_duration_since(start) > Duration::days(MAX_HOURS_DAYS) {
        return Err(bad(
            "end",
            format!("must be after start, at most {MAX_HOURS_DAYS} days"),
        ));
    }
    Ok(HoursQuery::Range(start, end))
}

/// Reads a capacity query's `start` and `end` (required; with an offset, or local times of
/// `zone`), at most [`MAX_CAPACITY_DAYS`] apart.
pub fn capacity_range(
    params: &Params,
    zone: Zone,
) -> Result<(DateTime<Utc>, DateTime<Utc>), AskError> {
    let instant = |key: &'static str| {
        let text = given(params, key).ok_or_else(|| bad(key, "required"))?;
        iso::parse(text)
            .or_else(|_| iso::parse_local(text).map(|l| zone.to_utc(l)))
            .map_err(|e| bad(key, e.to_string()))
    };
    let (start, end) = (instant("start")?, instant("end")?);
    if end <= start || end.signed_duration_since(start) > Duration::days(MAX_CAPACITY_DAYS) {
        return Err(bad(
            "end",
            format!("must be after start, at most {MAX_CAPACITY_DAYS} days"),
        ));
    }
    Ok((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::t;
    use proptest::prelude::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn office_hours_queries() {
        let now = t("2026-12-02T10:00:00Z");
        assert_eq!(hours_query(&params(&[]), now), Ok(HoursQuery::At(now)));
        assert_eq!(
            hours_query(&params(&[("number-of-days", "2")]), now),
            Ok(HoursQuery::Range(now, t("2026-12-04T10:00:00Z")))
        );
        let far = params(&[
            ("start", "2026-01-01T00:00:00Z"),
            ("end", "2226-01-01T00:00:00Z"),
        ]);
        assert_eq!(hours_query(&far, now).unwrap_err().key, "end");
        assert_eq!(
            hours_query(&params(&[("number-of-days", "367")]), now)
                .unwrap_err()
                .key,
            "number-of-days"
        );
    }

    #[test]
    fn capacity_ranges_take_local_times_of_the_zone() {
        let zone = Zone::parse("Europe/Paris").unwrap();
        let p = params(&[
            ("start", "2026-12-02T09:00"),
            ("end", "2026-12-02T10:00:00Z"),
        ]);
        assert_eq!(
            capacity_range(&p, zone),
            Ok((t("2026-12-02T08:00:00Z"), t("2026-12-02T10:00:00Z")))
        );
        assert_eq!(
            capacity_range(&params(&[("start", "2026-12-02T09:00")]), zone)
                .unwrap_err()
                .key,
            "end"
        );
    }

    proptest! {
        #[test]
        fn no_query_panics(start in ".{0,30}", end in ".{0,30}", days in ".{0,12}") {
            let p = params(&[("start", &start), ("end", &end), ("number-of-days", &days)]);
            let _ = hours_query(&p, t("2026-12-02T10:00:00Z"));
            let _ = capacity_range(&p, Zone::UTC);
        }
    }
}
