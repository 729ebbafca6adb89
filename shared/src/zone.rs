//! Time zones: any IANA zone with the `tz` feature. Without it (in browsers) only UTC is computed,
//! and a name shaped like an IANA one is taken on trust as UTC: a browser only previews what the
//! service, which has the zone database, then decides.
//!
//! Daylight-saving rule, the same as java.time (GMS is Java): a wall-clock time inside a skipped
//! hour moves forward by the length of the gap (Paris 02:30 on the spring-forward day is 03:30
//! CEST); a wall-clock time inside a repeated hour means its first occurrence.

use chrono::{DateTime, NaiveDateTime, Utc};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Zone(Inner);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Inner {
    Utc,
    #[cfg(feature = "tz")]
    Named(chrono_tz::Tz),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown time zone `{0}`: use an IANA name such as Europe/Paris")]
pub struct UnknownZone(pub String);

impl Default for Zone {
    fn default() -> Self {
        Zone::UTC
    }
}

impl Zone {
    pub const UTC: Zone = Zone(Inner::Utc);

    pub fn parse(name: &str) -> Result<Zone, UnknownZone> {
        let name = name.trim();
        if matches!(name, "" | "UTC" | "Etc/UTC" | "Z") {
            return Ok(Zone::UTC);
        }
        #[cfg(feature = "tz")]
        if let Ok(tz) = name.parse::<chrono_tz::Tz>() {
            return Ok(Zone(Inner::Named(tz)));
        }
        #[cfg(not(feature = "tz"))]
        if name
            .split_once('/')
            .is_some_and(|(area, place)| !area.is_empty() && !place.is_empty())
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-' | b'+'))
        {
            return Ok(Zone::UTC);
        }
        Err(UnknownZone(name.to_string()))
    }

    pub fn name(&self) -> &'static str {
        match self.0 {
            Inner::Utc => "UTC",
            #[cfg(feature = "tz")]
            Inner::Named(tz) => tz.name(),
        }
    }

    /// Wall-clock time in this zone at instant `t`.
    pub fn to_local(&self, t: DateTime<Utc>) -> NaiveDateTime {
        match self.0 {
            Inner::Utc => t.naive_utc(),
            #[cfg(feature = "tz")]
            Inner::Named(tz) => t.with_timezone(&tz).naive_local(),
        }
    }

    /// The instant of a wall-clock time in this zone (see the module comment for gaps and overlaps).
    pub fn to_utc(&self, local: NaiveDateTime) -> DateTime<Utc> {
        match self.0 {
            Inner::Utc => local.and_utc(),
            #[cfg(feature = "tz")]
            Inner::Named(tz) => {
                use crate::iso::Shift;
                use chrono::{LocalResult, Offset, TimeZone};
                match tz.from_local_datetime(&local) {
                    LocalResult::Single(t) => t.with_timezone(&Utc),
                    LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
                    LocalResult::None => {
                        // The offset in force before the gap: zones never change offset twice a day.
                        let before = tz
                            .offset_from_utc_datetime(&local.minus(chrono::Duration::days(1)))
                            .fix()
                            .local_minus_utc();
                        local
                            .minus(chrono::Duration::seconds(i64::from(before)))
                            .and_utc()
                    }
                }
            }
        }
    }
}

#[cfg(all(test, feature = "tz"))]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
    }

    #[test]
    fn skipped_hour_moves_forward_by_the_gap() {
        let paris = Zone::parse("Europe/Paris").unwrap();
        // 2026-03-29 02:30 does not exist in Paris: 03:30 CEST = 01:30Z.
        assert_eq!(
            paris.to_utc(local(2026, 3, 29, 2, 30)).to_rfc3339(),
            "2026-03-29T01:30:00+00:00"
        );
        let ny = Zone::parse("America/New_York").unwrap();
        // 2026-03-08 02:30 does not exist in New York: 03:30 EDT = 07:30Z.
        assert_eq!(
            ny.to_utc(local(2026, 3, 8, 2, 30)).to_rfc3339(),
            "2026-03-08T07:30:00+00:00"
        );
    }

    #[test]
    fn repeated_hour_means_first_occurrence() {
        let paris = Zone::parse("Europe/Paris").unwrap();
        // 2026-10-25 02:30 happens twice in Paris; the first is CEST (+02:00).
        assert_eq!(
            paris.to_utc(local(2026, 10, 25, 2, 30)).to_rfc3339(),
            "2026-10-25T00:30:00+00:00"
        );
        let ny = Zone::parse("America/New_York").unwrap();
        assert_eq!(
            ny.to_utc(local(2026, 11, 1, 1, 30)).to_rfc3339(),
            "2026-11-01T05:30:00+00:00"
        );
    }

    #[test]
    fn names_round_trip_and_unknown_names_are_refused() {
        assert_eq!(Zone::parse("Europe/Paris").unwrap().name(), "Europe/Paris");
        assert_eq!(Zone::parse("").unwrap(), Zone::UTC);
        assert!(Zone::parse("Mars/Olympus").is_err());
        assert!(Zone::parse("EST5EDTX").is_err());
    }
}
