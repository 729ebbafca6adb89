//! Reports (OPERATOR.md, "Reports"): what each callback's facts add up to, per bucket of its
//! creation in the report's zone. A callback's facts are times and counts, never who it was for,
//! so they outlive its purge and its erase.

use crate::iso;
use crate::record::Reason;
use crate::zone::Zone;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// What a report keeps of one callback, recorded as it moves. Times are Unix milliseconds: a
/// report of a year reads every fact of it, and a date-time costs more to make than a number.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fact {
    pub created_ms: i64,
    /// The time promised to a scheduled callback; none for an immediate one.
    pub promised_ms: Option<i64>,
    pub first_dial_ms: Option<i64>,
    pub attempts: u32,
    pub answered: u32,
    pub busy: u32,
    pub no_answer: u32,
    pub machine: u32,
    /// How it ended; none while open.
    pub reason: Option<Reason>,
}

/// The bytes of a packed fact: three times (i64) and six numbers (u32), little-endian.
pub const PACKED_LEN: usize = 48;
/// A missing time in a packed fact.
const NO_TIME: i64 = i64::MIN;

impl Fact {
    /// Appends the fact's packed form, the form reports read facts in: fixed fields that need no
    /// parsing. An open callback's reason is 0.
    pub fn pack(&self, out: &mut Vec<u8>) {
        for t in [Some(self.created_ms), self.promised_ms, self.first_dial_ms] {
            out.extend_from_slice(&t.unwrap_or(NO_TIME).to_le_bytes());
        }
        for n in [
            self.attempts,
            self.answered,
            self.busy,
            self.no_answer,
            self.machine,
            self.reason.map_or(0, Reason::code),
        ] {
            out.extend_from_slice(&n.to_le_bytes());
        }
    }

    /// Appends the facts of `bytes` (packed by [`Fact::pack`]) to `out`; false when `bytes` are
    /// not whole packed facts.
    pub fn unpack(bytes: &[u8], out: &mut Vec<Fact>) -> bool {
        let chunks = bytes.chunks_exact(PACKED_LEN);
        if !chunks.remainder().is_empty() {
            return false;
        }
        out.reserve(bytes.len() / PACKED_LEN);
        for b in chunks {
            let time = |at: usize| {
                let t = b
                    .get(at..)
                    .and_then(<[u8]>::first_chunk)
                    .map_or(NO_TIME, |b| i64::from_le_bytes(*b));
                (t != NO_TIME).then_some(t)
            };
            let n = |at: usize| {
                b.get(at..)
                    .and_then(<[u8]>::first_chunk)
                    .map_or(0, |b| u32::from_le_bytes(*b))
            };
            let (Some(created_ms), code) = (time(0), n(44)) else {
                return false;
            };
            let reason = Reason::from_code(code);
            if code != 0 && reason.is_none() {
                return false;
            }
            out.push(Fact {
                created_ms,
                promised_ms: time(8),
                first_dial_ms: time(16),
                attempts: n(24),
                answered: n(28),
                busy: n(32),
                no_answer: n(36),
                machine: n(40),
                reason,
            });
        }
        true
    }
}

/// Seconds, as a median and a 90th percentile (nearest rank); none without values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spread {
    pub median: Option<i64>,
    pub p90: Option<i64>,
}

impl Spread {
    /// Sorts `values`.
    fn of(values: &mut [i64]) -> Spread {
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
    /// `on_time_window`: seconds after the promised time a first dial is on time; `scratch`: lists
    /// reused from one call to the next.
    fn of<'a>(
        facts: impl IntoIterator<Item = &'a Fact>,
        on_time_window: u32,
        scratch: &mut Scratch,
    ) -> Figures {
        let mut f = Figures::default();
        let Scratch {
            waits,
            punctuality,
            failed,
        } = scratch;
        let add = |n: &mut u32, by: u32| *n = n.saturating_add(by);
        for fact in facts {
            if fact.reason == Some(Reason::Abandoned) {
                add(&mut f.abandoned, 1);
                continue;
            }
            add(&mut f.requested, 1);
            match fact.promised_ms {
                Some(_) => add(&mut f.scheduled, 1),
                None => add(&mut f.immediate, 1),
            }
            match fact.reason {
                None => add(&mut f.open, 1),
                Some(Reason::AgentConnected) => add(&mut f.connected, 1),
                Some(Reason::Cancelled | Reason::CancelledByAdmin) => add(&mut f.cancelled, 1),
                Some(other) => match failed.iter_mut().find(|(r, _)| *r == other) {
                    Some((_, n)) => add(n, 1),
                    None => failed.push((other, 1)),
                },
            }
            add(&mut f.attempts, fact.attempts);
            add(&mut f.answered, fact.answered);
            add(&mut f.busy, fact.busy);
            add(&mut f.no_answer, fact.no_answer);
            add(&mut f.machine, fact.machine);
            if let Some(dial) = fact.first_dial_ms {
                // Whole seconds, rounded toward zero.
                let seconds = |since: i64| dial.saturating_sub(since) / 1000;
                waits.push(seconds(fact.promised_ms.unwrap_or(fact.created_ms)).max(0));
                if let Some(promised) = fact.promised_ms {
                    let late_by = seconds(promised);
                    punctuality.push(late_by);
                    if (0..=i64::from(on_time_window)).contains(&late_by) {
                        add(&mut f.on_time, 1);
                    } else {
                        add(&mut f.late, 1);
                    }
                }
            }
        }
        f.failed = failed.drain(..).map(|(r, n)| (r.to_string(), n)).collect();
        f.wait_to_first_attempt_s = Spread::of(waits);
        f.punctuality_s = Spread::of(punctuality);
        waits.clear();
        punctuality.clear();
        let ended = f
            .requested
            .saturating_sub(f.open)
            .saturating_sub(f.cancelled);
        f.connect_rate = (ended > 0).then(|| f64::from(f.connected) / f64::from(ended));
        f
    }
}

/// The lists figures are worked out with, kept from one bucket to the next: allocations are dear
/// in the Worker's wasm. Failed reasons are counted by code, then named once per figure.
#[derive(Default)]
struct Scratch {
    waits: Vec<i64>,
    punctuality: Vec<i64>,
    failed: Vec<(Reason, u32)>,
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
    let ms = |t: &DateTime<Utc>| t.timestamp_millis();
    let (from, to) = (starts.first().map_or(ms(&to), ms), ms(&to));
    // Facts in order of creation, so that each bucket's are one run of them: reports read them
    // so, and only others pay for a sorted copy.
    let facts: Cow<[Fact]> = if facts.is_sorted_by_key(|f| f.created_ms) {
        Cow::Borrowed(facts)
    } else {
        let mut sorted = facts.to_vec();
        sorted.sort_by_key(|f| f.created_ms);
        Cow::Owned(sorted)
    };
    let before = |t: i64| facts.partition_point(|f| f.created_ms < t);
    let period = facts.get(before(from)..before(to)).unwrap_or_default();
    let scratch = &mut Scratch::default();
    let totals = Figures::of(period, on_time_window, scratch);
    let mut rest = period;
    let ends = starts.iter().skip(1).map(ms).chain(std::iter::once(to));
    let rows = starts
        .iter()
        .zip(ends)
        .map(|(start, end)| {
            let n = rest.partition_point(|f| f.created_ms < end);
            let (mine, after) = rest.split_at_checked(n).unwrap_or((rest, &[]));
            rest = after;
            Row {
                start: local_iso(zone, *start),
                figures: Figures::of(mine, on_time_window, scratch),
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
    // Numbers written one by one: chrono's `format` reads its pattern again at every row.
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        local.year(),
        local.month(),
        local.day(),
        local.hour(),
        local.minute(),
        local.second(),
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
    use proptest::prelude::*;

    fn fact(
        created: &str,
        promised: Option<&str>,
        first_dial: Option<&str>,
        reason: Option<&str>,
    ) -> Fact {
        let ms = |text: &str| t(text).timestamp_millis();
        Fact {
            created_ms: ms(created),
            promised_ms: promised.map(ms),
            first_dial_ms: first_dial.map(ms),
            attempts: u32::from(first_dial.is_some()),
            reason: reason.map(|r| r.parse().unwrap()),
            ..Fact::default()
        }
    }

    fn figures(facts: &[Fact]) -> Figures {
        Figures::of(facts, 300, &mut Scratch::default())
    }

    fn any_fact() -> impl Strategy<Value = Fact> {
        let time = || {
            prop_oneof![
                Just(None),
                any::<i64>()
                    .prop_filter("a time", |t| *t != i64::MIN)
                    .prop_map(Some)
            ]
        };
        let reason = (0u32..20).prop_map(|code| {
            Reason::from_code(code)
                .or_else(|| (code > 12).then_some(Reason::AgentPreviewCancelAfterRejects(code)))
        });
        (time(), time(), time(), any::<[u32; 5]>(), reason).prop_filter_map(
            "created",
            |(c, p, d, n, reason)| {
                Some(Fact {
                    created_ms: c?,
                    promised_ms: p,
                    first_dial_ms: d,
                    attempts: n[0],
                    answered: n[1],
                    busy: n[2],
                    no_answer: n[3],
                    machine: n[4],
                    reason,
                })
            },
        )
    }

    proptest! {
        #[test]
        fn packed_facts_read_back(facts in proptest::collection::vec(any_fact(), 0..20), cut in 1usize..PACKED_LEN) {
            let mut bytes = Vec::new();
            for f in &facts {
                f.pack(&mut bytes);
            }
            prop_assert_eq!(bytes.len(), facts.len() * PACKED_LEN);
            let mut read = vec![Fact::default()];
            prop_assert!(Fact::unpack(&bytes, &mut read));
            prop_assert_eq!(&read[1..], &facts[..]);
            if !facts.is_empty() {
                prop_assert!(!Fact::unpack(&bytes[..bytes.len() - cut], &mut Vec::new()), "a cut fact is refused");
            }
        }
    }

    #[test]
    fn abandoned_callers_are_in_no_other_figure() {
        let facts = [
            fact("2026-12-01T09:00:00Z", None, None, Some("ABANDONED")),
            fact("2026-12-01T09:00:00Z", None, None, Some("AGENT_CONNECTED")),
        ];
        let f = figures(&facts);
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
        let f = figures(&facts);
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
        assert_eq!(figures(&[]).connect_rate, None);
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
