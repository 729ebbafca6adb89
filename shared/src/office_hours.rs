//! Office hours in GMS's format (`_bh_regular<n>`, `_bh_add<n>`, `_holiday<n>`, `_timezone`),
//! turned into open periods in UTC.
//!
//! A period belongs to the local day it starts on: `Mon-Fri 22:00-06:00` opens each listed day at
//! 22:00 and closes at 06:00 the next day, and a holiday on Tuesday removes Tuesday 22:00 – Wednesday
//! 06:00 but not Monday's night. Wall-clock times follow the daylight-saving rule of [`crate::zone`].

use crate::iso::Shift;
use crate::zone::Zone;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("expected `Mon-Fri 09:00-17:00` (days, then hours)")]
    Regular,
    #[error("expected `2026-12-24 09:00-12:00` or yearly `12-24 09:00-12:00`")]
    Added,
    #[error("expected a date `2026-12-25` or a yearly date `12-25`")]
    Holiday,
    #[error("unknown day `{0}`: use Mon, Tue, Wed, Thu, Fri, Sat or Sun")]
    Day(String),
    #[error("bad time `{0}`: use HH:MM from 00:00 to 24:00")]
    Time(String),
}

/// A date, or a day of every year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateRule {
    On(NaiveDate),
    Yearly { month: u32, day: u32 },
}

impl DateRule {
    fn parse(text: &str) -> Option<DateRule> {
        let parts: Vec<&str> = text.split('-').collect();
        let num = |s: &str| s.parse::<u32>().ok();
        match parts.as_slice() {
            [y, m, d] if y.len() == 4 => {
                NaiveDate::from_ymd_opt(y.parse().ok()?, num(m)?, num(d)?).map(DateRule::On)
            }
            [m, d] => {
                let (month, day) = (num(m)?, num(d)?);
                // 2024 is a leap year, so 02-29 is a valid yearly date.
                NaiveDate::from_ymd_opt(2024, month, day)?;
                Some(DateRule::Yearly { month, day })
            }
            _ => None,
        }
    }

    fn matches(&self, date: NaiveDate) -> bool {
        match *self {
            DateRule::On(d) => d == date,
            DateRule::Yearly { month, day } => date.month() == month && date.day() == day,
        }
    }
}

/// Local opening hours: from `open` for `minutes` (up to a whole day; may run past midnight).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hours {
    pub open: NaiveTime,
    pub minutes: u32,
}

impl Hours {
    fn parse(text: &str) -> Result<Hours, RuleError> {
        let (from, to) = text.split_once('-').ok_or(RuleError::Regular)?;
        let from_min = minutes_of_day(from)?;
        let to_min = minutes_of_day(to)?;
        // Both are at most 1,440 (24:00): closing at or before opening means the next day.
        let minutes = if to_min > from_min {
            to_min.saturating_sub(from_min)
        } else {
            to_min.saturating_add(1440).saturating_sub(from_min)
        };
        let open =
            NaiveTime::from_num_seconds_from_midnight_opt(from_min.saturating_mul(60) % 86_400, 0)
                .ok_or_else(|| RuleError::Time(from.to_string()))?;
        Ok(Hours { open, minutes })
    }
}

fn minutes_of_day(text: &str) -> Result<u32, RuleError> {
    let bad = || RuleError::Time(text.to_string());
    let (h, m) = text.trim().split_once(':').ok_or_else(bad)?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return Err(bad());
    }
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    match (h, m) {
        (24, 0) => Ok(1440),
        (0..=23, 0..=59) => Ok(h.saturating_mul(60).saturating_add(m)),
        _ => Err(bad()),
    }
}

fn parse_day(text: &str) -> Result<Weekday, RuleError> {
    const DAYS: [(&str, &str, Weekday); 7] = [
        ("mon", "monday", Weekday::Mon),
        ("tue", "tuesday", Weekday::Tue),
        ("wed", "wednesday", Weekday::Wed),
        ("thu", "thursday", Weekday::Thu),
        ("fri", "friday", Weekday::Fri),
        ("sat", "saturday", Weekday::Sat),
        ("sun", "sunday", Weekday::Sun),
    ];
    let lower = text.trim().to_ascii_lowercase();
    DAYS.iter()
        .find(|(short, full, _)| lower == *short || lower == *full)
        .map(|(_, _, day)| *day)
        .ok_or_else(|| RuleError::Day(text.trim().to_string()))
}

/// `_bh_regular<n>`: a set of weekdays (bit 0 = Monday) and their hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Regular {
    pub days: u8,
    pub hours: Hours,
}

impl Regular {
    pub fn parse(text: &str) -> Result<Regular, RuleError> {
        let (days, hours) = text
            .trim()
            .split_once(char::is_whitespace)
            .ok_or(RuleError::Regular)?;
        let hours = Hours::parse(hours.trim())?;
        let mut set = 0u8;
        for part in days.split(',') {
            match part.split_once('-') {
                Some((a, b)) => {
                    let (mut d, last) = (parse_day(a)?, parse_day(b)?);
                    loop {
                        set |= 1 << d.num_days_from_monday();
                        if d == last {
                            break;
                        }
                        d = d.succ();
                    }
                }
                None => set |= 1 << parse_day(part)?.num_days_from_monday(),
            }
        }
        Ok(Regular { days: set, hours })
    }

    fn on(&self, day: Weekday) -> bool {
        self.days & (1 << day.num_days_from_monday()) != 0
    }
}

/// `_bh_add<n>`: an extra open period on a date (or every year on a day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Added {
    pub date: DateRule,
    pub hours: Hours,
}

impl Added {
    pub fn parse(text: &str) -> Result<Added, RuleError> {
        let (date, hours) = text
            .trim()
            .split_once(char::is_whitespace)
            .ok_or(RuleError::Added)?;
        let date = DateRule::parse(date).ok_or(RuleError::Added)?;
        Ok(Added {
            date,
            hours: Hours::parse(hours.trim())?,
        })
    }
}

pub fn parse_holiday(text: &str) -> Result<DateRule, RuleError> {
    DateRule::parse(text.trim()).ok_or(RuleError::Holiday)
}

/// An interval `[start, end)` in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Period {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// A whole office-hours service.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OfficeHours {
    pub zone: Zone,
    pub regular: Vec<Regular>,
    pub added: Vec<Added>,
    pub holidays: Vec<DateRule>,
}

/// Which kind of rule an option of an office-hours section is, from its name.
pub enum RuleOption {
    Regular,
    Added,
    Holiday,
}

impl RuleOption {
    pub fn of(option: &str) -> Option<RuleOption> {
        let numbered = |prefix: &str| {
            option
                .strip_prefix(prefix)
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        };
        if numbered("_bh_regular") {
            Some(RuleOption::Regular)
        } else if numbered("_bh_add") {
            Some(RuleOption::Added)
        } else if numbered("_holiday") {
            Some(RuleOption::Holiday)
        } else {
            None
        }
    }
}

impl OfficeHours {
    /// Always open (a callback service without `_business_hours_service`).
    pub fn always_open() -> OfficeHours {
        OfficeHours {
            regular: vec![Regular {
                days: 0x7f,
                hours: Hours {
                    open: NaiveTime::MIN,
                    minutes: 1440,
                },
            }],
            ..OfficeHours::default()
        }
    }

    /// Builds from a section's options; on error, names the option.
    pub fn from_options(
        zone: Zone,
        options: &BTreeMap<String, String>,
    ) -> Result<OfficeHours, (String, RuleError)> {
        let mut hours = OfficeHours {
            zone,
            ..OfficeHours::default()
        };
        for (name, value) in options {
            let named = |e| (name.clone(), e);
            match RuleOption::of(name) {
                Some(RuleOption::Regular) => {
                    hours.regular.push(Regular::parse(value).map_err(named)?)
                }
                Some(RuleOption::Added) => hours.added.push(Added::parse(value).map_err(named)?),
                Some(RuleOption::Holiday) => {
                    hours.holidays.push(parse_holiday(value).map_err(named)?)
                }
                None => {}
            }
        }
        Ok(hours)
    }

    /// Open periods overlapping `[from, to)`, clipped to it, sorted and merged.
    pub fn open_periods(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Period> {
        if from >= to {
            return Vec::new();
        }
        // A period may start the local day before `from` and run past midnight.
        let first = self.zone.to_local(from).date().minus(Duration::days(1));
        let last = self.zone.to_local(to).date();
        let mut periods = Vec::new();
        let mut day = first;
        while day <= last {
            let holiday = self.holidays.iter().any(|h| h.matches(day));
            let regular = self
                .regular
                .iter()
                .filter(|r| !holiday && r.on(day.weekday()))
                .map(|r| r.hours);
            let added = self
                .added
                .iter()
                .filter(|a| a.date.matches(day))
                .map(|a| a.hours);
            for hours in regular.chain(added) {
                let open = day.and_time(hours.open);
                let start = self.zone.to_utc(open);
                let end = self
                    .zone
                    .to_utc(open.plus(Duration::minutes(i64::from(hours.minutes))));
                let (start, end) = (start.max(from), end.min(to));
                if start < end {
                    periods.push(Period { start, end });
                }
            }
            day = day.plus(Duration::days(1));
        }
        merge(periods)
    }

    /// Whether the office is open for the whole of `[start, end)`.
    pub fn is_open_throughout(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        self.open_periods(start, end)
            .first()
            .is_some_and(|p| p.start == start && p.end == end)
    }

    /// The open period `at` lies in, whole (not clipped to `at`), if the office is open then.
    /// Periods are at most a day and a night long, so two days either side find it.
    pub fn period_at(&self, at: DateTime<Utc>) -> Option<Period> {
        let reach = Duration::days(2);
        self.open_periods(at.minus(reach), at.plus(reach))
            .into_iter()
            .find(|p| p.start <= at && at < p.end)
    }
}

fn merge(mut periods: Vec<Period>) -> Vec<Period> {
    periods.sort();
    let mut merged: Vec<Period> = Vec::with_capacity(periods.len());
    for p in periods {
        match merged.last_mut() {
            Some(last) if p.start <= last.end => last.end = last.end.max(p.end),
            _ => merged.push(p),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iso;
    use crate::testkit::t;

    fn hours(zone: &str, rules: &[(&str, &str)]) -> OfficeHours {
        let options = rules
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        OfficeHours::from_options(Zone::parse(zone).unwrap(), &options).unwrap()
    }

    fn show(periods: &[Period]) -> Vec<String> {
        periods
            .iter()
            .map(|p| format!("{}/{}", iso::format(p.start), iso::format(p.end)))
            .collect()
    }

    #[test]
    fn parses_the_gms_forms() {
        assert_eq!(
            Regular::parse("Mon-Fri 09:00-17:00").unwrap().days,
            0b0011111
        );
        assert_eq!(
            Regular::parse("Sat-Mon 9:00-17:00").unwrap().days,
            0b1100001
        );
        assert_eq!(Regular::parse("Sat 10:00-14:00").unwrap().days, 0b0100000);
        assert_eq!(
            Regular::parse("mon,wed 10:00-14:00").unwrap().days,
            0b0000101
        );
        assert_eq!(
            Regular::parse("Mon-Sun 00:00-24:00").unwrap().hours.minutes,
            1440
        );
        assert_eq!(
            Regular::parse("Mon 22:00-06:00").unwrap().hours.minutes,
            480
        );
        assert_eq!(
            Added::parse("2026-12-24 09:00-12:00").unwrap().date,
            DateRule::On(NaiveDate::from_ymd_opt(2026, 12, 24).unwrap())
        );
        assert_eq!(
            Added::parse("07-14 12:00-14:30").unwrap().date,
            DateRule::Yearly { month: 7, day: 14 }
        );
        assert_eq!(
            parse_holiday("02-29").unwrap(),
            DateRule::Yearly { month: 2, day: 29 }
        );
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        assert_eq!(Regular::parse("Mon-Fri"), Err(RuleError::Regular));
        assert_eq!(
            Regular::parse("Mox-Fri 09:00-17:00"),
            Err(RuleError::Day("Mox".into()))
        );
        assert_eq!(
            Regular::parse("Mon-Fri 09:00-25:00"),
            Err(RuleError::Time("25:00".into()))
        );
        assert_eq!(
            Regular::parse("Mon-Fri 9-17"),
            Err(RuleError::Time("9".into()))
        );
        assert!(Added::parse("2026-02-30 09:00-12:00").is_err());
        assert!(parse_holiday("christmas").is_err());
        assert!(parse_holiday("13-01").is_err());
    }

    #[test]
    fn gms_sample_business_hours_in_paris() {
        // The office-hours sample of the GMS reference (section 6.3).
        let bh = hours(
            "Europe/Paris",
            &[
                ("_bh_add1", "07-14 12:00-14:30"),
                ("_bh_regular1", "Mon-Fri 01:00-23:00"),
            ],
        );
        // Tuesday 2026-07-14: regular hours plus the added period inside them.
        // The local day in UTC is 2026-07-13T22:00Z to 2026-07-14T22:00Z (CEST).
        assert_eq!(
            show(&bh.open_periods(t("2026-07-13T22:00:00Z"), t("2026-07-14T22:00:00Z"))),
            ["2026-07-13T23:00:00.000Z/2026-07-14T21:00:00.000Z"]
        );
        // Saturday 2026-07-18: closed; Sunday 2027-07-14 is open only for the added period.
        assert!(bh
            .open_periods(t("2026-07-18T00:00:00Z"), t("2026-07-19T00:00:00Z"))
            .is_empty());
        assert_eq!(
            show(&bh.open_periods(t("2029-07-14T00:00:00Z"), t("2029-07-15T00:00:00Z"))),
            ["2029-07-14T10:00:00.000Z/2029-07-14T12:30:00.000Z"]
        );
    }

    #[test]
    fn night_shift_belongs_to_the_day_it_starts() {
        let bh = hours("UTC", &[("_bh_regular1", "Mon-Fri 22:00-06:00")]);
        // Week of Monday 2026-11-30.
        let open = |s| bh.is_open_throughout(t(s), t(s) + Duration::minutes(5));
        assert!(
            !open("2026-11-30T03:00:00Z"),
            "Monday early morning: Sunday is not listed"
        );
        assert!(open("2026-11-30T23:00:00Z"));
        assert!(
            open("2026-12-05T03:00:00Z"),
            "Saturday early morning: Friday's night"
        );
        assert!(!open("2026-12-05T23:00:00Z"));
    }

    #[test]
    fn the_period_open_at_an_instant_is_whole() {
        let bh = hours("UTC", &[("_bh_regular1", "Mon-Fri 22:00-06:00")]);
        let night = bh.period_at(t("2026-12-01T03:00:00Z")).unwrap();
        assert_eq!(
            (night.start, night.end),
            (t("2026-11-30T22:00:00Z"), t("2026-12-01T06:00:00Z"))
        );
        assert_eq!(
            bh.period_at(t("2026-12-01T06:00:00Z")),
            None,
            "closed at its end"
        );
        assert_eq!(bh.period_at(t("2026-11-30T21:59:00Z")), None);
    }

    #[test]
    fn holidays_close_the_day_except_added_periods() {
        let bh = hours(
            "Europe/Paris",
            &[
                ("_bh_regular1", "Mon-Fri 08:00-20:00"),
                ("_holiday1", "12-25"),
                ("_holiday2", "2026-12-24"),
                ("_bh_add1", "2026-12-24 09:00-12:00"),
            ],
        );
        assert!(bh
            .open_periods(t("2026-12-25T00:00:00Z"), t("2026-12-26T00:00:00Z"))
            .is_empty());
        assert!(bh
            .open_periods(t("2031-12-25T00:00:00Z"), t("2031-12-26T00:00:00Z"))
            .is_empty());
        assert_eq!(
            show(&bh.open_periods(t("2026-12-24T00:00:00Z"), t("2026-12-25T00:00:00Z"))),
            ["2026-12-24T08:00:00.000Z/2026-12-24T11:00:00.000Z"]
        );
    }

    #[test]
    fn daylight_saving_days_in_paris_and_new_york() {
        let paris = hours(
            "Europe/Paris",
            &[
                ("_bh_regular1", "Sun 01:00-04:00"),
                ("_bh_regular2", "Mon 09:00-17:00"),
            ],
        );
        // Spring forward 2026-03-29: 01:00 CET = 00:00Z, 04:00 CEST = 02:00Z (two real hours).
        assert_eq!(
            show(&paris.open_periods(t("2026-03-29T00:00:00Z"), t("2026-03-31T00:00:00Z"))),
            [
                "2026-03-29T00:00:00.000Z/2026-03-29T02:00:00.000Z",
                "2026-03-30T07:00:00.000Z/2026-03-30T15:00:00.000Z",
            ]
        );
        // Fall back 2026-10-25: 01:00 CEST = 23:00Z the day before, 04:00 CET = 03:00Z (four real hours).
        assert_eq!(
            show(&paris.open_periods(t("2026-10-24T12:00:00Z"), t("2026-10-25T12:00:00Z"))),
            ["2026-10-24T23:00:00.000Z/2026-10-25T03:00:00.000Z"]
        );

        let ny = hours("America/New_York", &[("_bh_regular1", "Sun 02:30-05:00")]);
        // 02:30 is skipped on 2026-03-08: the period opens at 03:30 EDT = 07:30Z.
        assert_eq!(
            show(&ny.open_periods(t("2026-03-08T00:00:00Z"), t("2026-03-09T00:00:00Z"))),
            ["2026-03-08T07:30:00.000Z/2026-03-08T09:00:00.000Z"]
        );
        // 2026-11-01: 05:00 EST = 10:00Z; 02:30 EST (not repeated) = 07:30Z.
        assert_eq!(
            show(&ny.open_periods(t("2026-11-01T00:00:00Z"), t("2026-11-02T00:00:00Z"))),
            ["2026-11-01T07:30:00.000Z/2026-11-01T10:00:00.000Z"]
        );
    }

    #[test]
    fn all_day_every_day_is_one_merged_period() {
        let bh = hours("Europe/Paris", &[("_bh_regular1", "Mon-Sun 00:00-24:00")]);
        assert_eq!(
            show(&bh.open_periods(t("2026-12-01T10:00:00Z"), t("2026-12-08T10:00:00Z"))),
            ["2026-12-01T10:00:00.000Z/2026-12-08T10:00:00.000Z"]
        );
    }
}
