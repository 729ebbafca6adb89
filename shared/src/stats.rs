//! Reports (OPERATOR.md, "Reports"): what each callback's facts add up to, per bucket of its
//! creation in the report's zone. A callback's facts are times and counts, never who it was for,
//! so they outlive its purge and its erase.

use crate::iso;
use crate::zone::Zone;
use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a report keeps of one callback, recorded as it moves.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    pub created: DateTime<Utc>,
    /// The time promised to a scheduled callback; none for an immediate one.
    pub promised: Option<DateTime<Utc>>,
    pub first_dial: Option<DateTime<Utc>>,
    pub attempts: u32,
    pub answered: u32,
    pub busy: u32,
    pub no_answer: u32,
    pub machine: u32,
    /// How it ended (`AGENT_CONNECTED`, `CANCELLED`, `FAIL_…`); none while open.
    pub reason: Option<String>,
}

/// What a service answers for a report: its rows already written as the answer has them (a JSON
/// array, or CSV lines), which the Worker puts together without reading them again (a year of a
/// hundred services is 36,500 rows), and its totals.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServiceReport {
    pub rows: String,
    pub totals: Figures,
}

/// Seconds, as a median and a 90th percentile (nearest rank); none without values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spread {
    pub median: Option<i64>,
    pub p90: Option<i64>,
}

impl Spread {
    fn of(mut values: Vec<i64>) -> Spread {
        values.sort_unstable();
        let rank = |p: usize| {
            // Nearest rank: the smallest value with at least p % of the values at or below it.
            let n = values.len();
            let k = n.saturating_mul(p).div_ceil(100).max(1);
            values.get(k.saturating_sub(1)).copied()
        };
        Spread {
            median: rank(50),
            p90: rank(90),
        }
    }
}

/// The figures of a set of callbacks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub requested: u32,
    pub immediate: u32,
    pub scheduled: u32,
    pub open: u32,
    pub connected: u32,
    pub cancelled: u32,
    /// Every other ending, by reason.
    pub failed: BTreeMap<String, u32>,
    pub attempts: u32,
    pub answered: u32,
    pub busy: u32,
    pub no_answer: u32,
    pub machine: u32,
    pub wait_to_first_attempt_s: Spread,
    pub punctuality_s: Spread,
    pub on_time: u32,
    pub late: u32,
    /// connected / (requested − open − cancelled); none when that is 0.
    pub connect_rate: Option<f64>,
    /// Callers of the service's number who hung up while waiting, without a callback: not
    /// callbacks, so in no other figure.
    pub abandoned: u32,
}

impl Figures {
    /// `on_time_window`: seconds after the promised time a first dial is on time.
    pub fn of<'a>(facts: impl IntoIterator<Item = &'a Fact>, on_time_window: u32) -> Figures {
        let mut f = Figures::default();
        let facts = facts.into_iter();
        // Allocations are dear in the Worker's wasm: one per list, at its final size.
        let (mut waits, mut punctuality) = (
            Vec::with_capacity(facts.size_hint().0),
            Vec::with_capacity(facts.size_hint().0),
        );
        let add = |n: &mut u32, by: u32| *n = n.saturating_add(by);
        for fact in facts {
            if fact.reason.as_deref() == Some("ABANDONED") {
                add(&mut f.abandoned, 1);
                continue;
            }
            add(&mut f.requested, 1);
            match fact.promised {
                Some(_) => add(&mut f.scheduled, 1),
                None => add(&mut f.immediate, 1),
            }
            match fact.reason.as_deref() {
                None => add(&mut f.open, 1),
                Some("AGENT_CONNECTED") => add(&mut f.connected, 1),
                Some("CANCELLED" | "CANCELLED_BY_ADMIN") => add(&mut f.cancelled, 1),
                Some(other) => match f.failed.get_mut(other) {
                    Some(n) => add(n, 1),
                    None => {
                        f.failed.insert(other.to_string(), 1);
                    }
                },
            }
            add(&mut f.attempts, fact.attempts);
            add(&mut f.answered, fact.answered);
            add(&mut f.busy, fact.busy);
            add(&mut f.no_answer, fact.no_answer);
            add(&mut f.machine, fact.machine);
            if let Some(dial) = fact.first_dial {
                let from = fact.promised.unwrap_or(fact.created);
                waits.push(dial.signed_duration_since(from).num_seconds().max(0));
                if let Some(promised) = fact.promised {
                    let late_by = dial.signed_duration_since(promised).num_seconds();
                    punctuality.push(late_by);
                    if (0..=i64::from(on_time_window)).contains(&late_by) {
                        add(&mut f.on_time, 1);
                    } else {
                        add(&mut f.late, 1);
                    }
                }
            }
        }
        f.wait_to_first_attempt_s = Spread::of(waits);
        f.punctuality_s = Spread::of(punctuality);
        let ended = f
            .requested
            .saturating_sub(f.open)
            .saturating_sub(f.cancelled);
        f.connect_rate = (ended > 0).then(|| f64::from(f.connected) / f64::from(ended));
        f
    }
}

/// A report's buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Bucket {
    Day,
    Hour,
}

impl Bucket {
    pub fn parse(text: &str) -> Option<Bucket> {
        match text.trim() {
            "" | "day" => Some(Bucket::Day),
            "hour" => Some(Bucket::Hour),
            _ => None,
        }
    }
}

/// The starts of the buckets that meet `[from, to)`, in `zone`: local midnights or local hours
/// (a day that skips its midnight starts at its first hour). The first may start before `from`.
pub fn starts(
    zone: Zone,
    bucket: Bucket,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<DateTime<Utc>> {
    // Local hours start on a quarter of an hour of UTC in every zone.
    let quarter = Duration::minutes(15);
    let mut t = DateTime::from_timestamp(from.timestamp().div_euclid(900).saturating_mul(900), 0)
        .unwrap_or(from)
        .checked_sub_signed(Duration::days(1))
        .unwrap_or(from);
    let mut out: Vec<DateTime<Utc>> = Vec::new();
    let mut last_date: Option<NaiveDate> = None;
    while t < to {
        let local = zone.to_local(t);
        if local.minute() == 0 {
            let new_bucket = match bucket {
                Bucket::Hour => true,
                Bucket::Day => last_date != Some(local.date()),
            };
            if new_bucket {
                if t <= from {
                    out.clear();
                }
                out.push(t);
                last_date = Some(local.date());
            }
        }
        t = match t.checked_add_signed(quarter) {
            Some(next) => next,
            None => break,
        };
    }
    out
}

/// One bucket of a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// Local time with its offset: `2026-12-07T00:00:00+01:00`.
    pub start: String,
    #[serde(flatten)]
    pub figures: Figures,
}

/// `GET /genesys/1/admin/callback/stats`'s answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub timezone: String,
    pub bucket: Bucket,
    pub services: BTreeMap<String, Vec<Row>>,
    pub totals: BTreeMap<String, Figures>,
}

/// The rows of one service, each callback in the bucket of its creation (`starts` from
/// [`starts`], the period ending at `to`), and its totals.
pub fn report(
    facts: &[Fact],
    zone: Zone,
    starts: &[DateTime<Utc>],
    to: DateTime<Utc>,
    on_time_window: u32,
) -> (Vec<Row>, Figures) {
    let from = starts.first().copied().unwrap_or(to);
    // Each fact with its bucket (the last starting at or before its creation), grouped by bucket
    // in one list rather than a list per bucket.
    let mut placed: Vec<(usize, &Fact)> = facts
        .iter()
        .filter(|f| f.created >= from && f.created < to)
        .map(|f| {
            let i = starts.partition_point(|s| *s <= f.created);
            (i.saturating_sub(1), f)
        })
        .collect();
    placed.sort_unstable_by_key(|(i, _)| *i);
    let totals = Figures::of(placed.iter().map(|(_, f)| *f), on_time_window);
    let mut rest = placed.as_slice();
    let rows = starts
        .iter()
        .enumerate()
        .map(|(i, start)| {
            let n = rest.iter().take_while(|(bucket, _)| *bucket == i).count();
            let (mine, after) = rest.split_at_checked(n).unwrap_or((rest, &[]));
            rest = after;
            Row {
                start: local_iso(zone, *start),
                figures: Figures::of(mine.iter().map(|(_, f)| *f), on_time_window),
            }
        })
        .collect();
    (rows, totals)
}

/// `t` as local time in `zone`, with the offset.
pub fn local_iso(zone: Zone, t: DateTime<Utc>) -> String {
    let local = zone.to_local(t);
    let offset = local.signed_duration_since(t.naive_utc()).num_minutes();
    let sign = if offset < 0 { '-' } else { '+' };
    let offset = offset.abs();
    format!(
        "{}{sign}{:02}:{:02}",
        local.format("%Y-%m-%dT%H:%M:%S"),
        offset / 60,
        offset % 60
    )
}

/// CSV: one row per service and bucket.
pub fn csv(services: &BTreeMap<String, Vec<Row>>) -> String {
    let mut out = CSV_HEAD.to_string();
    for (service, rows) in services {
        out.push_str(&csv_rows(service, rows));
    }
    out
}

/// The CSV's first line.
pub const CSV_HEAD: &str = "service,start,requested,immediate,scheduled,open,connected,cancelled,failed,failed_by_reason,attempts,answered,busy,no_answer,machine,wait_to_first_attempt_median_s,wait_to_first_attempt_p90_s,punctuality_median_s,punctuality_p90_s,on_time,late,connect_rate,abandoned\r\n";

/// One service's CSV lines, each ended by CRLF.
pub fn csv_rows(service: &str, rows: &[Row]) -> String {
    let opt = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    let mut out = String::new();
    for r in rows {
        let f = &r.figures;
        let failed: u32 = f.failed.values().sum();
        let by_reason: Vec<String> = f.failed.iter().map(|(k, n)| format!("{k}:{n}")).collect();
        out.push_str(&format!(
            "{service},{},{},{},{},{},{},{},{failed},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            r.start,
            f.requested,
            f.immediate,
            f.scheduled,
            f.open,
            f.connected,
            f.cancelled,
            by_reason.join(" "),
            f.attempts,
            f.answered,
            f.busy,
            f.no_answer,
            f.machine,
            opt(f.wait_to_first_attempt_s.median),
            opt(f.wait_to_first_attempt_s.p90),
            opt(f.punctuality_s.median),
            opt(f.punctuality_s.p90),
            f.on_time,
            f.late,
            f.connect_rate
                .map(|r| format!("{r:.4}"))
                .unwrap_or_default(),
            f.abandoned,
        ));
        out.push_str("\r\n");
    }
    out
}

/// A report's period from its query: ISO instants, `from` before `to`, at most 400 days.
pub fn period(from: &str, to: &str) -> Result<(DateTime<Utc>, DateTime<Utc>), String> {
    let read = |name: &str, text: &str| {
        iso::parse(text).map_err(|_| {
            format!("{name}: `{text}` is not an ISO 8601 time such as 2026-12-01T00:00:00Z")
        })
    };
    let (from, to) = (read("from", from)?, read("to", to)?);
    if from >= to {
        return Err("from: must be before to".into());
    }
    if to.signed_duration_since(from) > Duration::days(400) {
        return Err("to: a report covers at most 400 days".into());
    }
    Ok((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::t;

    fn fact(
        created: &str,
        promised: Option<&str>,
        first_dial: Option<&str>,
        reason: Option<&str>,
    ) -> Fact {
        Fact {
            created: t(created),
            promised: promised.map(t),
            first_dial: first_dial.map(t),
            attempts: u32::from(first_dial.is_some()),
            reason: reason.map(str::to_string),
            ..Fact::default()
        }
    }

    #[test]
    fn abandoned_callers_are_in_no_other_figure() {
        let facts = [
            fact("2026-12-01T09:00:00Z", None, None, Some("ABANDONED")),
            fact("2026-12-01T09:00:00Z", None, None, Some("AGENT_CONNECTED")),
        ];
        let f = Figures::of(&facts, 300);
        assert_eq!((f.abandoned, f.requested, f.connected), (1, 1, 1));
        assert!(f.failed.is_empty());
        assert_eq!(f.connect_rate, Some(1.0));
    }

    #[test]
    fn figures_follow_the_definitions() {
        let facts = [
            fact(
                "2026-12-01T09:00:00Z",
                None,
                Some("2026-12-01T09:01:40Z"),
                Some("AGENT_CONNECTED"),
            ),
            fact(
                "2026-12-01T09:00:00Z",
                Some("2026-12-01T10:00:00Z"),
                Some("2026-12-01T10:00:20Z"),
                Some("AGENT_CONNECTED"),
            ),
            fact(
                "2026-12-01T09:00:00Z",
                Some("2026-12-01T11:00:00Z"),
                Some("2026-12-01T11:10:00Z"),
                Some("FAIL_CALL_TO_CUSTOMER"),
            ),
            fact(
                "2026-12-01T09:00:00Z",
                Some("2026-12-01T12:00:00Z"),
                Some("2026-12-01T11:59:00Z"),
                None,
            ),
            fact(
                "2026-12-01T09:00:00Z",
                None,
                None,
                Some("CANCELLED_BY_ADMIN"),
            ),
            fact("2026-12-01T09:00:00Z", None, None, Some("FAIL_TIMEOUT_TTL")),
        ];
        let f = Figures::of(&facts, 300);
        assert_eq!(
            (
                f.requested,
                f.immediate,
                f.scheduled,
                f.open,
                f.connected,
                f.cancelled
            ),
            (6, 3, 3, 1, 2, 1)
        );
        assert_eq!(
            f.failed,
            BTreeMap::from([
                ("FAIL_CALL_TO_CUSTOMER".into(), 1),
                ("FAIL_TIMEOUT_TTL".into(), 1)
            ])
        );
        // Waits: 100 s (immediate), 20 s, 600 s, 0 s (dialled a minute early).
        assert_eq!(
            f.wait_to_first_attempt_s,
            Spread {
                median: Some(20),
                p90: Some(600)
            }
        );
        // Punctuality: 20, 600, −60; on time only within 0..=300.
        assert_eq!(
            f.punctuality_s,
            Spread {
                median: Some(20),
                p90: Some(600)
            }
        );
        assert_eq!((f.on_time, f.late), (1, 2));
        assert_eq!(f.connect_rate, Some(0.5));
        assert_eq!(Figures::of(&[], 300).connect_rate, None);
    }

    #[test]
    fn days_start_at_local_midnight_and_each_callback_counts_once() {
        let paris = Zone::parse("Europe/Paris").unwrap();
        let starts = starts(
            paris,
            Bucket::Day,
            t("2026-03-28T00:00:00Z"),
            t("2026-03-31T00:00:00Z"),
        );
        let shown: Vec<String> = starts.iter().map(|s| local_iso(paris, *s)).collect();
        assert_eq!(
            shown,
            [
                "2026-03-28T00:00:00+01:00",
                "2026-03-29T00:00:00+01:00",
                "2026-03-30T00:00:00+02:00",
                "2026-03-31T00:00:00+02:00"
            ]
        );
        assert_eq!(starts.first().copied(), Some(t("2026-03-27T23:00:00Z")));
        let facts = [
            fact("2026-03-28T23:30:00Z", None, None, None),
            fact("2026-03-30T12:00:00Z", None, None, None),
        ];
        let (from, to) = (t("2026-03-27T23:00:00Z"), t("2026-03-30T22:00:00Z"));
        let days = super::starts(paris, Bucket::Day, from, to);
        let (rows, totals) = report(&facts, paris, &days, to, 300);
        let per_day: Vec<u32> = rows.iter().map(|r| r.figures.requested).collect();
        assert_eq!(per_day, [0, 1, 1]);
        assert_eq!(totals.requested, 2);
        let hours = super::starts(
            paris,
            Bucket::Hour,
            t("2026-03-29T00:00:00Z"),
            t("2026-03-29T03:00:00Z"),
        );
        assert_eq!(hours.len(), 3, "the skipped hour is no bucket");
        let kolkata = Zone::parse("Asia/Kolkata").unwrap();
        assert_eq!(
            local_iso(
                kolkata,
                super::starts(
                    kolkata,
                    Bucket::Hour,
                    t("2026-12-01T00:00:00Z"),
                    t("2026-12-01T02:00:00Z")
                )[0]
            ),
            "2026-12-01T05:00:00+05:30"
        );
    }

    #[test]
    fn periods_and_csv() {
        assert!(period("2026-12-01T00:00:00Z", "2026-12-08T00:00:00Z").is_ok());
        assert!(period("2026-12-08T00:00:00Z", "2026-12-01T00:00:00Z")
            .unwrap_err()
            .starts_with("from:"));
        assert!(period("yesterday", "2026-12-01T00:00:00Z")
            .unwrap_err()
            .starts_with("from:"));
        assert!(period("2025-01-01T00:00:00Z", "2026-12-01T00:00:00Z")
            .unwrap_err()
            .starts_with("to:"));
        let (from, to) = (t("2026-12-01T00:00:00Z"), t("2026-12-02T00:00:00Z"));
        let facts = [fact(
            "2026-12-01T09:00:00Z",
            None,
            None,
            Some("FAIL_TIMEOUT_TTL"),
        )];
        let days = starts(Zone::UTC, Bucket::Day, from, to);
        let (rows, _) = report(&facts, Zone::UTC, &days, to, 300);
        let text = csv(&BTreeMap::from([("a".to_string(), rows)]));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(
            lines[1].starts_with("a,2026-12-01T00:00:00+00:00,1,1,0,0,0,0,1,FAIL_TIMEOUT_TTL:1,0,")
        );
        assert_eq!(lines[0].split(',').count(), lines[1].split(',').count());
    }
}
