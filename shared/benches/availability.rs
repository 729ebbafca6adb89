//! Benchmark: availability over 30 days of 5-minute buckets with 10,000 existing bookings, and one
//! create decision. Prints figures (median and p99 of repeated runs); asserts nothing about time.
//! Run: `make bench-domain` (or `cargo bench -p callback-shared`).

use callback_shared::availability::{self, Ask, Bookings};
use callback_shared::config::{Config, Options};
use callback_shared::create::{decide_create, plan, Counts, CountsAsk, Ledger, StorageError};
use callback_shared::iso;
use callback_shared::params::Params;
use chrono::{DateTime, Duration, Utc};
use std::hint::black_box;
use std::time::Instant;

/// Counts kept the way the edge's indexed SQL keeps them, so the figures are the domain's own work.
struct IndexedLedger {
    bookings: Bookings,
}

impl Ledger for IndexedLedger {
    fn bookings(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Bookings, StorageError> {
        Ok(self
            .bookings
            .range(from..to)
            .map(|(k, v)| (*k, *v))
            .collect())
    }
    fn counts(&self, ask: &CountsAsk) -> Result<Counts, StorageError> {
        Ok(Counts {
            open_for_number: 0,
            parameters_today: vec![0; ask.parameters.len()],
            windows: [40, 40],
            queued: 120,
        })
    }
}

fn options(pairs: &[(&str, &str)]) -> Options {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn measure(name: &str, runs: usize, mut f: impl FnMut()) {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| times[((times.len() as f64 - 1.0) * p) as usize];
    println!(
        "{name:<58} median {:>8.1} µs   p99 {:>8.1} µs   ({runs} runs)",
        pct(0.5),
        pct(0.99)
    );
}

fn main() {
    let mut config = Config::new();
    config
        .put(
            "service.office",
            options(&[
                ("_service", "office-hours"),
                ("_timezone", "Europe/Paris"),
                ("_bh_regular1", "Mon-Sun 00:00-24:00"),
                ("_holiday1", "12-25"),
            ]),
        )
        .expect("office hours");
    config
        .put(
            "service.bench",
            options(&[
                ("_service", "callback"),
                ("_business_hours_service", "office"),
                ("_request_time_bucket", "5"),
                ("_max_request_by_time_bucket", "3"),
                ("_reject_future_desired_time", "2M"),
                ("_default_country", "FR"),
            ]),
        )
        .expect("service");
    let service = config.callback_service("bench").expect("resolves");
    let now = iso::parse("2026-12-01T08:00:00Z").expect("time");
    let end = now + Duration::days(30);

    // 10,000 bookings spread over the 30 days (at most the limit per bucket).
    let mut bookings = Bookings::new();
    let mut placed = 0;
    let mut k = 0i64;
    while placed < 10_000 {
        let bucket = now + Duration::minutes(5 * ((k * 7919) % (30 * 288)));
        let n = bookings.entry(bucket).or_insert(0);
        if *n < 3 {
            *n += 1;
            placed += 1;
        }
        k += 1;
    }
    let ledger = IndexedLedger { bookings };

    let ask = Ask {
        start: now,
        end,
        max_slots: None,
        report_busy: false,
    };
    let offered = availability::offer(&service, now, &ask, &ledger.bookings);
    println!(
        "availability: {} buckets offered of {} over 30 days",
        offered.len(),
        30 * 288
    );
    measure(
        "availability v2, 30 days x 5-min buckets, 10,000 bookings",
        200,
        || {
            black_box(availability::offer(
                &service,
                now,
                black_box(&ask),
                &ledger.bookings,
            ));
        },
    );
    measure(
        "every bucket of 30 days, uncapped (8,640 buckets)",
        200,
        || {
            black_box(availability::open_slots(
                &service,
                now,
                black_box(end),
                &ledger.bookings,
            ));
        },
    );
    let week = Ask {
        start: now,
        end: now + Duration::days(7),
        max_slots: Some(1000),
        report_busy: true,
    };
    measure("availability v2, 7 days, report-busy", 500, || {
        black_box(availability::offer(
            &service,
            now,
            black_box(&week),
            &ledger.bookings,
        ));
    });

    let scheduled: Params = options(&[
        ("_customer_number", "06 12 34 56 78"),
        ("_desired_time", "2026-12-12T10:02:00Z"),
        ("first_name", "Ana"),
    ]);
    let immediate: Params = options(&[("_customer_number", "+33 6 12 34 56 78")]);
    measure(
        "create decision, scheduled (phone, availability, limits)",
        2000,
        || {
            let p = black_box(&scheduled);
            let planned = plan(&service, p, now).ok();
            black_box(
                planned
                    .and_then(|pl| decide_create(&service, p, &pl, "id".into(), now, &ledger).ok()),
            );
        },
    );
    measure("create decision, immediate", 5000, || {
        let p = black_box(&immediate);
        let planned = plan(&service, p, now).ok();
        black_box(
            planned.and_then(|pl| decide_create(&service, p, &pl, "id".into(), now, &ledger).ok()),
        );
    });
    measure(
        "configuration resolve (service + office hours)",
        2000,
        || {
            black_box(config.callback_service("bench").ok());
        },
    );
}
