//! Capacity in GMS's format: `_capacity_<d>` (weekday d, 1 = Monday … 7 = Sunday) =
//! `{"<d>": {"HHMM": n}}`, `_capacity_add` = `{"YYYY-MM-DD": {"HHMM": n}}` replacing that date's
//! weekday rule, capped by `_max_capacity`.
//!
//! A key `HH00` starts an hourly slot and `HH30` a half-hourly one: at 09:40, `0930` applies if
//! present, else `0900`; times covered by no key have capacity 0. A bucket takes the capacity of
//! the slot its start falls in (local time of the capacity zone).

use crate::iso::Shift;
use crate::zone::Zone;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Timelike, Utc};
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CapacityError {
    #[error("expected a JSON object such as {{\"1\": {{\"0900\": 5}}}}")]
    NotAnObject,
    #[error("the day key must be `{expected}` for this option, not `{found}`")]
    DayKey { expected: u32, found: String },
    #[error("`{0}` is not a date YYYY-MM-DD")]
    Date(String),
    #[error("`{0}` is not a slot start HH00 or HH30")]
    Slot(String),
    #[error("capacity for `{0}` must be a whole number from 0")]
    Count(String),
}

/// The capacity of the slots of one day: (minute of day the slot starts, capacity), sorted.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DayRule(Vec<(u32, u32)>);

impl DayRule {
    fn parse(value: &Value) -> Result<DayRule, CapacityError> {
        let map = value.as_object().ok_or(CapacityError::NotAnObject)?;
        let mut slots = Vec::with_capacity(map.len());
        for (key, count) in map {
            let slot = parse_slot(key).ok_or_else(|| CapacityError::Slot(key.clone()))?;
            let n = count
                .as_u64()
                .or_else(|| count.as_str().and_then(|s| s.trim().parse().ok()))
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| CapacityError::Count(key.clone()))?;
            slots.push((slot, n));
        }
        slots.sort_unstable();
        Ok(DayRule(slots))
    }

    /// The capacity at `minute` of the day.
    fn at(&self, minute: u32) -> u32 {
        let hour_start = minute.saturating_sub(minute % 60);
        let half = hour_start.saturating_add(30);
        let find = |m: u32| {
            self.0
                .binary_search_by_key(&m, |&(s, _)| s)
                .ok()
                .and_then(|i| self.0.get(i))
                .map(|&(_, n)| n)
        };
        if minute >= half {
            if let Some(n) = find(half) {
                return n;
            }
        }
        find(hour_start).unwrap_or(0)
    }
}

fn parse_slot(key: &str) -> Option<u32> {
    if key.len() != 4 || !key.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m): (u32, u32) = (key.get(..2)?.parse().ok()?, key.get(2..)?.parse().ok()?);
    (h < 24 && (m == 0 || m == 30)).then(|| minute_of_day(h, m))
}

/// Hours 0–23 and minutes 0–59 as minutes since midnight.
fn minute_of_day(hour: u32, minute: u32) -> u32 {
    hour.saturating_mul(60).saturating_add(minute)
}

/// A capacity service's rules.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Capacity {
    /// Index 0 = Monday.
    pub weekdays: [DayRule; 7],
    pub dates: BTreeMap<NaiveDate, DayRule>,
    pub max: u32,
}

impl Capacity {
    /// Parses `_capacity_<d>` (`day` 1..=7) into its rule.
    pub fn parse_weekday(day: u32, text: &str) -> Result<DayRule, CapacityError> {
        let value: Value = serde_json::from_str(text).map_err(|_| CapacityError::NotAnObject)?;
        let map = value.as_object().ok_or(CapacityError::NotAnObject)?;
        match map.iter().next() {
            None => Ok(DayRule::default()),
            Some((key, rule)) if map.len() == 1 && key.trim() == day.to_string() => {
                DayRule::parse(rule)
            }
            Some((key, _)) => Err(CapacityError::DayKey {
                expected: day,
                found: key.clone(),
            }),
        }
    }

    /// Parses `_capacity_add`; `[]` and `{}` mean no overrides.
    pub fn parse_dates(text: &str) -> Result<BTreeMap<NaiveDate, DayRule>, CapacityError> {
        let value: Value = serde_json::from_str(text).map_err(|_| CapacityError::NotAnObject)?;
        if value.as_array().is_some_and(|a| a.is_empty()) {
            return Ok(BTreeMap::new());
        }
        let map = value.as_object().ok_or(CapacityError::NotAnObject)?;
        map.iter()
            .map(|(date, rule)| {
                let d = NaiveDate::parse_from_str(date, "%Y-%m-%d")
                    .map_err(|_| CapacityError::Date(date.clone()))?;
                Ok((d, DayRule::parse(rule)?))
            })
            .collect()
    }

    /// The limit of a bucket starting at local time `local`.
    pub fn at(&self, local: NaiveDateTime) -> u32 {
        let date = local.date();
        let rule = self.dates.get(&date).unwrap_or_else(|| self.weekday(date));
        rule.at(minute_of_day(local.hour(), local.minute()))
            .min(self.max)
    }

    /// The capacity over `[start, end)` as the capacity service answers it: runs of equal
    /// nonzero capacity `(start, end, capacity)`, slots read in `zone` (the capacity's own).
    pub fn spans(
        &self,
        zone: Zone,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Vec<(DateTime<Utc>, DateTime<Utc>, u32)> {
        let mut spans: Vec<(DateTime<Utc>, DateTime<Utc>, u32)> = Vec::new();
        let mut t = start;
        while t < end {
            // Slots start on the half hour (zones are offset by whole half hours at least).
            let into_slot = Duration::seconds(t.timestamp().rem_euclid(1800));
            let next = t.plus(Duration::minutes(30)).minus(into_slot).min(end);
            let n = self.at(zone.to_local(t));
            match spans.last_mut() {
                Some((_, last_end, capacity)) if *capacity == n && *last_end == t => {
                    *last_end = next
                }
                _ if n > 0 => spans.push((t, next, n)),
                _ => {}
            }
            t = next;
        }
        spans
    }

    fn weekday(&self, date: NaiveDate) -> &DayRule {
        #[allow(
            clippy::indexing_slicing,
            reason = "a weekday counts 0 to 6 from Monday"
        )]
        &self.weekdays[date.weekday().num_days_from_monday() as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(s: &str) -> NaiveDateTime {
        crate::iso::parse_local(s).unwrap()
    }

    /// The capacity sample of the GMS reference (section 6.1), with `_capacity_3` shortened as there.
    fn gms_sample() -> Capacity {
        let text = [
            r#"{"1":{"0000":1,"0100":3}}"#,
            r#"{"2":{"0100":3}}"#,
            r#"{"3":{"1000":6,"1100":6,"0900":6}}"#,
            r#"{"4":{"1100":3,"0100":3}}"#,
            r#"{"5":{"0100":3}}"#,
            r#"{"6":{"0100":3}}"#,
            r#"{"7":{"0000":1,"0100":3}}"#,
        ];
        let mut cap = Capacity {
            max: 1000,
            dates: Capacity::parse_dates("{}").unwrap(),
            ..Capacity::default()
        };
        for (i, t) in text.iter().enumerate() {
            cap.weekdays[i] = Capacity::parse_weekday(i as u32 + 1, t).unwrap();
        }
        cap
    }

    #[test]
    fn gms_sample_capacity() {
        let cap = gms_sample();
        // 2026-11-30 is a Monday.
        assert_eq!(cap.at(local("2026-11-30T00:05")), 1);
        assert_eq!(cap.at(local("2026-11-30T01:55")), 3);
        assert_eq!(
            cap.at(local("2026-11-30T02:00")),
            0,
            "hours not listed have no capacity"
        );
        assert_eq!(cap.at(local("2026-12-02T09:30")), 6, "Wednesday");
        assert_eq!(cap.at(local("2026-12-02T12:00")), 0);
        assert_eq!(cap.at(local("2026-12-03T11:15")), 3, "Thursday");
        assert_eq!(cap.at(local("2026-12-06T00:00")), 1, "Sunday");
    }

    #[test]
    fn half_hour_slots_and_date_overrides() {
        let mut cap = Capacity {
            max: 4,
            ..Capacity::default()
        };
        cap.weekdays[0] = Capacity::parse_weekday(1, r#"{"1":{"0900":2,"0930":9}}"#).unwrap();
        cap.dates = Capacity::parse_dates(r#"{"2026-12-07":{"1000":1}}"#).unwrap();
        assert_eq!(cap.at(local("2026-11-30T09:15")), 2);
        assert_eq!(
            cap.at(local("2026-11-30T09:45")),
            4,
            "capped by _max_capacity"
        );
        assert_eq!(
            cap.at(local("2026-12-07T09:15")),
            0,
            "the date rule replaces the weekday rule"
        );
        assert_eq!(cap.at(local("2026-12-07T10:15")), 1);
        assert!(Capacity::parse_dates("[]").unwrap().is_empty());
    }

    #[test]
    fn the_answer_joins_equal_runs_and_leaves_out_closed_slots() {
        let mut cap = Capacity {
            max: 10,
            ..Capacity::default()
        };
        cap.weekdays[0] =
            Capacity::parse_weekday(1, r#"{"1":{"0900":2,"0930":2,"1000":3,"1200":1}}"#).unwrap();
        let utc = |s: &str| crate::iso::parse(s).unwrap();
        // Monday 2026-11-30, from 08:45 (a slot begun) to 12:10 in UTC.
        let spans = cap.spans(
            Zone::UTC,
            utc("2026-11-30T08:45:00Z"),
            utc("2026-11-30T12:10:00Z"),
        );
        assert_eq!(
            spans,
            vec![
                (utc("2026-11-30T09:00:00Z"), utc("2026-11-30T10:00:00Z"), 2),
                (utc("2026-11-30T10:00:00Z"), utc("2026-11-30T11:00:00Z"), 3),
                (utc("2026-11-30T12:00:00Z"), utc("2026-11-30T12:10:00Z"), 1),
            ]
        );
    }

    #[test]
    fn bad_rules_say_what_is_wrong() {
        assert_eq!(
            Capacity::parse_weekday(1, "nonsense"),
            Err(CapacityError::NotAnObject)
        );
        assert_eq!(
            Capacity::parse_weekday(1, r#"{"2":{"0100":3}}"#),
            Err(CapacityError::DayKey {
                expected: 1,
                found: "2".into()
            })
        );
        assert_eq!(
            Capacity::parse_weekday(1, r#"{"1":{"0915":3}}"#),
            Err(CapacityError::Slot("0915".into()))
        );
        assert_eq!(
            Capacity::parse_weekday(1, r#"{"1":{"0900":-3}}"#),
            Err(CapacityError::Count("0900".into()))
        );
        assert_eq!(
            Capacity::parse_dates(r#"{"2026-02-30":{}}"#),
            Err(CapacityError::Date("2026-02-30".into()))
        );
    }
}
