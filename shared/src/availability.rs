//! Time buckets and availability.
//!
//! Buckets of a local day (zone of the capacity service, else of the office hours, else UTC) start
//! at that day's local midnight and follow each other every `_request_time_bucket` minutes of real
//! time until the next local midnight: a 23-hour day has fewer buckets, a 25-hour day more, and
//! no bucket crosses midnight (the last one is cut short if need be). A bucket is bookable when the
//! office is open throughout it and its bookings are below its limit.

use crate::config::CallbackService;
use crate::iso::Shift;
use crate::office_hours::Period;
use chrono::{DateTime, Duration, NaiveTime, Utc};
use std::collections::BTreeMap;

/// Bookings (callbacks not COMPLETED) per bucket start.
pub type Bookings = BTreeMap<DateTime<Utc>, u32>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Slot {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub limit: u32,
    pub booked: u32,
}

impl Slot {
    pub fn remaining(&self) -> u32 {
        self.limit.saturating_sub(self.booked)
    }
}

/// The bucket containing `t`: `(start, end)`.
pub fn bucket_of(service: &CallbackService, t: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let zone = service.schedule.zone;
    let midnight = zone.to_utc(zone.to_local(t).date().and_time(NaiveTime::MIN));
    let step = Duration::minutes(i64::from(service.schedule.bucket_minutes));
    let next_midnight =
        zone.to_utc((zone.to_local(t).date().plus(Duration::days(1))).and_time(NaiveTime::MIN));
    let k = t
        .signed_duration_since(midnight)
        .num_seconds()
        .div_euclid(step.num_seconds().max(1));
    let start = midnight.plus(Duration::seconds(k.saturating_mul(step.num_seconds())));
    (start, start.plus(step).min(next_midnight))
}

/// Every bucket overlapping `[from, to)`, open ones only, with their limits and bookings.
///
/// Walks local days (two zone conversions a day, not per bucket) and the sorted bookings in step
/// with the buckets: linear in buckets + bookings.
pub fn open_slots(
    service: &CallbackService,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    bookings: &Bookings,
) -> Vec<Slot> {
    if from >= to {
        return Vec::new();
    }
    let zone = service.schedule.zone;
    let step = Duration::minutes(i64::from(service.schedule.bucket_minutes));
    let first = bucket_of(service, from).0;
    let periods = service
        .schedule
        .office
        .open_periods(first, to.plus(Duration::days(1)));
    let mut open = periods.iter().peekable();
    let mut booked = bookings.range(first..).peekable();
    let mut slots = Vec::new();
    let mut day = zone.to_local(first).date();
    let mut start = first;
    while start < to {
        let next_midnight = zone.to_utc(day.plus(Duration::days(1)).and_time(NaiveTime::MIN));
        while start < next_midnight && start < to {
            let end = start.plus(step).min(next_midnight);
            while open.peek().is_some_and(|p: &&Period| p.end <= start) {
                open.next();
            }
            if open
                .peek()
                .is_some_and(|p| p.start <= start && end <= p.end)
            {
                let limit = service.bucket_limit(start);
                while booked.peek().is_some_and(|(b, _)| **b < start) {
                    booked.next();
                }
                let count = booked
                    .peek()
                    .filter(|(b, _)| **b == start)
                    .map_or(0, |(_, n)| **n);
                if limit > 0 {
                    slots.push(Slot {
                        start,
                        end,
                        limit,
                        booked: count,
                    });
                }
            }
            start = end;
        }
        day = day.plus(Duration::days(1));
    }
    slots
}

/// What availability is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ask {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// At most this many slots (capped at [`MAX_SLOTS`]).
    pub max_slots: Option<u32>,
    /// Include open buckets that are full.
    pub report_busy: bool,
}

pub const MAX_SLOTS: u32 = 1000;

/// The slots to offer: future buckets (not begun), within the horizon, open, with room left (or
/// full too when `report_busy`), chronological.
pub fn offer(
    service: &CallbackService,
    now: DateTime<Utc>,
    ask: &Ask,
    bookings: &Bookings,
) -> Vec<Slot> {
    let horizon = service.schedule.horizon.limit(now);
    let max = ask.max_slots.unwrap_or(MAX_SLOTS).min(MAX_SLOTS) as usize;
    open_slots(service, ask.start.max(now), ask.end.min(horizon), bookings)
        .into_iter()
        .filter(|s| {
            s.start >= now
                && s.start >= ask.start
                && s.start <= horizon
                && (ask.report_busy || s.remaining() > 0)
        })
        .take(max)
        .collect()
}

/// Why a desired time cannot be booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Past,
    TooFar,
    Closed,
    Full,
}

impl Refusal {
    pub fn message(&self, service: &CallbackService) -> String {
        match self {
            Refusal::Past => "Desired time is in the past".to_string(),
            Refusal::TooFar => format!(
                "Desired time is more than {} ahead",
                service.schedule.horizon
            ),
            Refusal::Closed => "Office closed at desired time".to_string(),
            Refusal::Full => "No capacity left at desired time".to_string(),
        }
    }
}

/// A refused desired time, with the nearest free buckets (at most 10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable {
    pub refusal: Refusal,
    pub alternatives: Vec<Slot>,
}

/// How far either side of a refused time alternatives are looked for.
const ALTERNATIVES_WINDOW_DAYS: i64 = 7;
const MAX_ALTERNATIVES: usize = 10;

/// Checks a desired time; answers the start of the bucket it books. Only that bucket's bookings
/// are looked at; [`alternatives`] looks around it.
pub fn check_desired_time(
    service: &CallbackService,
    now: DateTime<Utc>,
    desired: DateTime<Utc>,
    bookings: &Bookings,
) -> Result<DateTime<Utc>, Refusal> {
    let (start, end) = bucket_of(service, desired);
    if desired < now {
        Err(Refusal::Past)
    } else if desired > service.schedule.horizon.limit(now) {
        Err(Refusal::TooFar)
    } else if !service.schedule.office.is_open_throughout(start, end)
        || service.bucket_limit(start) == 0
    {
        Err(Refusal::Closed)
    } else if bookings.get(&start).copied().unwrap_or(0) >= service.bucket_limit(start) {
        Err(Refusal::Full)
    } else {
        Ok(start)
    }
}

/// The free buckets nearest to `desired`, either side but never begun, nearest first.
pub fn alternatives(
    service: &CallbackService,
    now: DateTime<Utc>,
    desired: DateTime<Utc>,
    bookings: &Bookings,
) -> Vec<Slot> {
    let window = Duration::days(ALTERNATIVES_WINDOW_DAYS);
    let horizon = service.schedule.horizon.limit(now);
    let from = desired.minus(window).max(now);
    let to = desired.plus(window).min(horizon);
    let mut free: Vec<Slot> = open_slots(service, from, to, bookings)
        .into_iter()
        .filter(|s| s.start >= now && s.start <= horizon && s.remaining() > 0)
        .collect();
    free.sort_by_key(|s| (s.start.signed_duration_since(desired).abs(), s.start));
    free.truncate(MAX_ALTERNATIVES);
    free
}

/// A bad availability query parameter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {message}")]
pub struct AskError {
    pub key: &'static str,
    pub message: String,
}

/// Reads an availability query: `start` | `start-ms` (default now), `end` | `end-ms` |
/// `number-of-days` (default one day after start), `max-time-slots`, `report-busy`.
pub fn parse_ask(params: &crate::params::Params, now: DateTime<Utc>) -> Result<Ask, AskError> {
    let get = |k: &str| crate::params::given(params, k);
    let time =
        |iso_key: &'static str, ms_key: &'static str| -> Result<Option<DateTime<Utc>>, AskError> {
            if let Some(ms) = get(ms_key) {
                return crate::iso::parse_millis(ms)
                    .map(Some)
                    .map_err(|e| AskError {
                        key: ms_key,
                        message: e.to_string(),
                    });
            }
            get(iso_key)
                .map(|t| {
                    crate::iso::parse(t).map_err(|e| AskError {
                        key: iso_key,
                        message: e.to_string(),
                    })
                })
                .transpose()
        };
    let number = |key: &'static str, max: u32| -> Result<Option<u32>, AskError> {
        get(key)
            .map(|v| {
                v.parse::<u32>()
                    .ok()
                    .filter(|n| (1..=max).contains(n))
                    .ok_or_else(|| AskError {
                        key,
                        message: format!("`{v}` is not a whole number from 1 to {max}"),
                    })
            })
            .transpose()
    };
    let start = time("start", "start-ms")?.unwrap_or(now);
    let end = match (time("end", "end-ms")?, number("number-of-days", 366)?) {
        (Some(end), _) => end,
        (None, Some(days)) => start.plus(Duration::days(i64::from(days))),
        (None, None) => start.plus(Duration::days(1)),
    };
    if end <= start {
        return Err(AskError {
            key: "end",
            message: "must be after start".into(),
        });
    }
    if !crate::iso::in_range(end) {
        return Err(AskError {
            key: "end",
            message: "must be before the year 10000".into(),
        });
    }
    if end.signed_duration_since(start) > Duration::days(366) {
        return Err(AskError {
            key: "end",
            message: "at most 366 days after start".into(),
        });
    }
    let report_busy = match get("report-busy").map(str::to_ascii_lowercase).as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(AskError {
                key: "report-busy",
                message: format!("`{other}` is not true or false"),
            })
        }
    };
    Ok(Ask {
        start,
        end,
        max_slots: number("max-time-slots", MAX_SLOTS)?,
        report_busy,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::config::Config;
    use crate::iso;
    use crate::testkit::{demo_config, options, t};
    use proptest::prelude::*;

    fn web() -> CallbackService {
        demo_config().callback_service("callback-web").unwrap()
    }

    fn service(pairs: &[(&str, &str)]) -> CallbackService {
        let mut config = demo_config();
        let mut all = vec![("_service", "callback")];
        all.extend_from_slice(pairs);
        config.put("service.t", options(&all)).unwrap();
        config.callback_service("t").unwrap()
    }

    #[test]
    fn buckets_align_to_local_midnight() {
        let s = web();
        // Paris is UTC+1 in December: local midnight is 23:00Z.
        let (start, end) = bucket_of(&s, t("2026-12-01T09:07:00Z"));
        assert_eq!(
            (iso::format(start), iso::format(end)),
            (
                "2026-12-01T09:00:00.000Z".into(),
                "2026-12-01T09:15:00.000Z".into()
            )
        );
        let s60 = service(&[
            ("_business_hours_service", "office-paris"),
            ("_request_time_bucket", "120"),
        ]);
        // 120-minute buckets from 23:00Z: 09:07Z falls in 07:00Z–09:00Z? No: 23,01,03,05,07,09 → [09:00, 11:00).
        let (start, _) = bucket_of(&s60, t("2026-12-01T09:07:00Z"));
        assert_eq!(iso::format(start), "2026-12-01T09:00:00.000Z");
        let (start, _) = bucket_of(&s60, t("2026-12-01T08:59:00Z"));
        assert_eq!(iso::format(start), "2026-12-01T07:00:00.000Z");
    }

    #[test]
    fn short_and_long_days_in_paris_and_new_york() {
        let mut config = Config::new();
        for zone in ["Europe/Paris", "America/New_York"] {
            let name = zone.replace('/', "-");
            config
                .put(
                    &format!("service.oh-{name}"),
                    options(&[
                        ("_service", "office-hours"),
                        ("_timezone", zone),
                        ("_bh_regular1", "Mon-Sun 00:00-24:00"),
                    ]),
                )
                .unwrap();
            config
                .put(
                    &format!("service.cb-{name}"),
                    options(&[
                        ("_service", "callback"),
                        ("_business_hours_service", &format!("oh-{name}")),
                        ("_request_time_bucket", "60"),
                    ]),
                )
                .unwrap();
        }
        let count = |name: &str, from: &str, to: &str| {
            open_slots(
                &config.callback_service(name).unwrap(),
                t(from),
                t(to),
                &Bookings::new(),
            )
            .len()
        };
        // Paris 2026-03-29 has 23 hours; 2026-10-25 has 25.
        assert_eq!(
            count(
                "cb-Europe-Paris",
                "2026-03-28T23:00:00Z",
                "2026-03-29T22:00:00Z"
            ),
            23
        );
        assert_eq!(
            count(
                "cb-Europe-Paris",
                "2026-10-24T22:00:00Z",
                "2026-10-25T23:00:00Z"
            ),
            25
        );
        // New York 2026-03-08 has 23 hours; 2026-11-01 has 25.
        assert_eq!(
            count(
                "cb-America-New_York",
                "2026-03-08T05:00:00Z",
                "2026-03-09T04:00:00Z"
            ),
            23
        );
        assert_eq!(
            count(
                "cb-America-New_York",
                "2026-11-01T04:00:00Z",
                "2026-11-02T05:00:00Z"
            ),
            25
        );
        // After the change, buckets are on local hours again: 2026-03-29 04:00 CEST = 02:00Z.
        let s = config.callback_service("cb-Europe-Paris").unwrap();
        assert_eq!(
            iso::format(bucket_of(&s, t("2026-03-29T02:30:00Z")).0),
            "2026-03-29T02:00:00.000Z"
        );
    }

    #[test]
    fn demo_availability_follows_office_hours_and_capacity() {
        let s = web();
        let now = t("2026-11-30T06:00:00Z"); // Monday 07:00 in Paris
        let ask = Ask {
            start: now,
            end: t("2026-12-01T00:00:00Z"),
            max_slots: None,
            report_busy: false,
        };
        let slots = offer(&s, now, &ask, &Bookings::new());
        // Monday 08:00–20:00 Paris = 07:00Z–19:00Z, 15-minute buckets: 48.
        assert_eq!(slots.len(), 48);
        assert_eq!(iso::format(slots[0].start), "2026-11-30T07:00:00.000Z");
        assert_eq!((slots[0].limit, slots[4].limit, slots[47].limit), (2, 3, 1));
        // Tuesday has no capacity rule: open but no bookable bucket.
        let tuesday = Ask {
            start: t("2026-12-01T00:00:00Z"),
            end: t("2026-12-02T00:00:00Z"),
            max_slots: None,
            report_busy: true,
        };
        assert!(offer(&s, now, &tuesday, &Bookings::new()).is_empty());
    }

    #[test]
    fn full_buckets_are_hidden_unless_busy_is_reported() {
        let s = web();
        let now = t("2026-11-30T06:00:00Z");
        let mut bookings = Bookings::new();
        bookings.insert(t("2026-11-30T07:00:00Z"), 2);
        let ask = Ask {
            start: now,
            end: t("2026-11-30T08:00:00Z"),
            max_slots: None,
            report_busy: false,
        };
        assert_eq!(offer(&s, now, &ask, &bookings).len(), 3);
        let busy = offer(
            &s,
            now,
            &Ask {
                report_busy: true,
                ..ask.clone()
            },
            &bookings,
        );
        assert_eq!((busy.len(), busy[0].remaining(), busy[0].limit), (4, 0, 2));
        assert_eq!(
            offer(
                &s,
                now,
                &Ask {
                    max_slots: Some(2),
                    ..ask
                },
                &bookings
            )
            .len(),
            2
        );
    }

    #[test]
    fn begun_and_too_far_buckets_are_never_offered() {
        let s = service(&[("_reject_future_desired_time", "1d")]);
        let now = t("2026-11-30T10:07:00Z");
        let ask = Ask {
            start: t("2026-11-30T00:00:00Z"),
            end: t("2026-12-10T00:00:00Z"),
            max_slots: None,
            report_busy: false,
        };
        let slots = offer(&s, now, &ask, &Bookings::new());
        assert_eq!(iso::format(slots[0].start), "2026-11-30T10:10:00.000Z");
        assert!(slots.iter().all(|x| x.start <= t("2026-12-01T10:07:00Z")));
    }

    #[test]
    fn desired_time_refusals_come_with_nearest_alternatives() {
        let s = web();
        let now = t("2026-11-30T06:00:00Z");
        let mut bookings = Bookings::new();
        bookings.insert(t("2026-11-30T11:00:00Z"), 1);
        assert_eq!(
            check_desired_time(&s, now, t("2026-11-30T09:20:00Z"), &bookings),
            Ok(t("2026-11-30T09:15:00Z"))
        );
        assert_eq!(
            check_desired_time(&s, now, t("2026-11-30T11:05:00Z"), &bookings),
            Err(Refusal::Full)
        );
        let starts: Vec<String> = alternatives(&s, now, t("2026-11-30T11:05:00Z"), &bookings)
            .iter()
            .map(|a| iso::format(a.start))
            .collect();
        assert_eq!(starts.len(), 10);
        assert_eq!(
            &starts[..3],
            [
                "2026-11-30T11:15:00.000Z",
                "2026-11-30T10:45:00.000Z",
                "2026-11-30T11:30:00.000Z"
            ]
        );
        assert_eq!(
            check_desired_time(&s, now, t("2026-11-29T09:00:00Z"), &bookings),
            Err(Refusal::Past)
        );
        assert_eq!(
            check_desired_time(&s, now, t("2027-03-01T09:00:00Z"), &bookings),
            Err(Refusal::TooFar)
        );
        assert_eq!(
            check_desired_time(&s, now, t("2026-11-30T21:00:00Z"), &bookings),
            Err(Refusal::Closed)
        );
        let closed = alternatives(&s, now, t("2026-11-30T21:00:00Z"), &bookings);
        assert_eq!(iso::format(closed[0].start), "2026-11-30T18:45:00.000Z");
        assert!(closed.iter().all(|a| a.start >= now));
        // Christmas Day is a holiday.
        assert_eq!(
            check_desired_time(
                &s,
                t("2026-12-20T06:00:00Z"),
                t("2026-12-25T09:00:00Z"),
                &bookings
            ),
            Err(Refusal::Closed)
        );
    }

    #[test]
    fn availability_queries() {
        let now = t("2026-12-01T09:00:00Z");
        let p = |pairs: &[(&str, &str)]| parse_ask(&options(pairs), now);
        assert_eq!(
            p(&[]).unwrap(),
            Ask {
                start: now,
                end: t("2026-12-02T09:00:00Z"),
                max_slots: None,
                report_busy: false
            }
        );
        assert_eq!(
            p(&[("number-of-days", "3")]).unwrap().end,
            t("2026-12-04T09:00:00Z")
        );
        assert_eq!(
            p(&[
                ("start-ms", "1764579600000"),
                ("end", "2026-12-01T10:00:00+01:00")
            ])
            .unwrap()
            .start,
            t("2025-12-01T09:00:00Z")
        );
        assert_eq!(
            p(&[("max-time-slots", "5"), ("report-busy", "TRUE")])
                .unwrap()
                .max_slots,
            Some(5)
        );
        for (bad, key) in [
            ("start", "start"),
            ("start-ms", "start-ms"),
            ("max-time-slots", "max-time-slots"),
            ("number-of-days", "number-of-days"),
            ("report-busy", "report-busy"),
        ] {
            assert_eq!(p(&[(bad, "x")]).unwrap_err().key, key);
        }
        assert_eq!(
            p(&[("max-time-slots", "1001")]).unwrap_err().key,
            "max-time-slots"
        );
        assert_eq!(
            p(&[("end", "2026-11-30T09:00:00Z")]).unwrap_err().key,
            "end"
        );
    }

    fn arb_bookings() -> impl Strategy<Value = Bookings> {
        prop::collection::vec((0i64..(7 * 96), 0u32..5), 0..80).prop_map(|v| {
            let base = t("2026-11-29T23:00:00Z");
            v.into_iter()
                .map(|(k, n)| (base + Duration::minutes(15 * k), n))
                .collect()
        })
    }

    /// Values a hostile query may carry: any text, any 64-bit number, times at the edges.
    pub(crate) fn hostile_value() -> impl Strategy<Value = String> {
        prop_oneof![
            "\\PC{0,30}",
            any::<i64>().prop_map(|n| n.to_string()),
            (-300_000i32..300_000).prop_map(|y| format!("{y:04}-06-01T00:00:00Z")),
            Just("8210266800000000".to_string()),
            Just("9999-12-31T23:59:59.999Z".to_string()),
        ]
    }

    proptest! {
        #[test]
        fn hostile_asks_are_errors_never_panics(values in proptest::collection::vec(proptest::option::of(hostile_value()), 7)) {
            let keys = ["start", "end", "start-ms", "end-ms", "number-of-days", "max-time-slots", "report-busy"];
            let params = keys.iter().zip(values).filter_map(|(k, v)| v.map(|v| (k.to_string(), v))).collect();
            let now = t("2026-11-30T06:00:00Z");
            if let Ok(ask) = parse_ask(&params, now) {
                prop_assert!(crate::iso::in_range(ask.start) && crate::iso::in_range(ask.end));
                let _ = offer(&web(), now, &ask, &Bookings::new());
            }
        }

        #[test]
        fn never_offers_a_closed_full_or_past_bucket(bookings in arb_bookings(), now_min in 0i64..(7 * 1440), len in 1i64..(7 * 1440)) {
            let s = web();
            let now = t("2026-11-29T23:00:00Z") + Duration::minutes(now_min);
            let ask = Ask { start: now - Duration::hours(3), end: now + Duration::minutes(len), max_slots: None, report_busy: false };
            for slot in offer(&s, now, &ask, &bookings) {
                prop_assert!(slot.start >= now);
                prop_assert!(slot.remaining() > 0);
                prop_assert!(s.schedule.office.is_open_throughout(slot.start, slot.end));
                prop_assert_eq!(check_desired_time(&s, now, slot.start, &bookings), Ok(slot.start));
            }
        }

        #[test]
        fn booking_then_cancelling_restores_the_answer(bookings in arb_bookings(), pick in 0usize..400) {
            let s = web();
            let now = t("2026-11-29T23:00:00Z");
            let ask = Ask { start: now, end: now + Duration::days(7), max_slots: None, report_busy: true };
            let before = offer(&s, now, &ask, &bookings);
            prop_assume!(!before.is_empty());
            let slot = before[pick % before.len()];
            let mut booked = bookings.clone();
            if let Ok(bucket) = check_desired_time(&s, now, slot.start + Duration::minutes(3), &booked) {
                *booked.entry(bucket).or_insert(0) += 1;
                let during = offer(&s, now, &ask, &booked);
                let same = during.iter().find(|x| x.start == bucket).unwrap();
                prop_assert_eq!(same.remaining() + 1, slot.remaining());
                *booked.get_mut(&bucket).unwrap() -= 1;
            }
            prop_assert_eq!(offer(&s, now, &ask, &booked), before);
        }

        #[test]
        fn a_bucket_contains_its_times(min in 0i64..(400 * 1440)) {
            let s = web();
            let at = t("2026-01-01T00:00:00Z") + Duration::minutes(min) + Duration::seconds(min % 59);
            let (start, end) = bucket_of(&s, at);
            prop_assert!(start <= at && at < end);
            prop_assert!(end - start <= Duration::minutes(15));
            prop_assert_eq!(bucket_of(&s, start), (start, end));
        }
    }
}
