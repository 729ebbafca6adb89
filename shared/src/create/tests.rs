use super::*;
use crate::testkit::t;

#[test]
fn a_plan_reads_the_number_once_and_says_when_an_access_number_is_held_first() {
    let mut s = service(&[("_call_direction", "USERORIGINATED")]);
    let now = t(NOW);
    let p = plan(&s, &params(&[("_customer_number", "06 12 34 56 78")]), now).unwrap();
    assert_eq!(p.number, "+33612345678");
    assert!(
        p.needs_access,
        "user-originated, now, not waiting for an agent"
    );
    let later = params(&[("_desired_time", "2026-11-30T15:00:00Z")]);
    assert!(!plan(&s, &later, now).unwrap().needs_access, "scheduled");
    s.scenario.wait_for_agent = true;
    assert!(
        !plan(&s, &params(&[]), now).unwrap().needs_access,
        "waits for an agent"
    );
    assert!(plan(&s, &params(&[("_customer_number", "12")]), now).is_err());
    s.scenario.wait_for_agent = false;
    let chat = params(&[("_media_type", "chat")]);
    assert!(
        !plan(&s, &chat, now).unwrap().needs_access,
        "a chat has no access number"
    );
    let fax = params(&[("_media_type", "fax")]);
    let refused = plan(&s, &fax, now).unwrap_err().to_string();
    assert!(refused.contains("is not voice or chat"), "{refused}");
}

fn decide(
    s: &CallbackService,
    p: &Params,
    id: String,
    now: DateTime<Utc>,
    ledger: &impl Ledger,
) -> Result<NewCallback, CreateError> {
    decide_create(s, p, &plan(s, p, now)?, id, now, ledger)
}
use crate::scenario::{self, Actor};
use crate::testkit::{demo_config, options};

const NOW: &str = "2026-11-30T06:00:00Z"; // Monday 07:00 in Paris

fn params(pairs: &[(&str, &str)]) -> Params {
    options(pairs)
}

fn service(extra: &[(&str, &str)]) -> CallbackService {
    let mut config = demo_config();
    let mut all = vec![
        ("_service", "callback"),
        ("_business_hours_service", "office-paris"),
        ("_capacity_service", "capacity-paris"),
        ("_request_time_bucket", "15"),
        ("_default_country", "FR"),
    ];
    all.extend_from_slice(extra);
    config.put("service.t", options(&all)).unwrap();
    config.callback_service("t").unwrap()
}

fn create(
    s: &CallbackService,
    ledger: &mut MemoryLedger,
    p: &[(&str, &str)],
    now: DateTime<Utc>,
) -> Result<(), CreateError> {
    let id = format!("id{}", ledger.callbacks.len());
    let new = decide(s, &params(p), id, now, ledger)?;
    let step = scenario::create(new, s, now, Actor::Customer);
    ledger.record(step.callback, now);
    Ok(())
}

#[test]
fn a_scheduled_create_books_its_bucket_until_full() {
    let s = service(&[("_enable_in_queue_checking", "false")]);
    let mut ledger = MemoryLedger::default();
    let now = t(NOW);
    // 08:00–09:00 Paris has capacity 2 per bucket.
    for n in ["06 12 34 56 71", "06 12 34 56 72"] {
        create(
            &s,
            &mut ledger,
            &[
                ("_customer_number", n),
                ("_desired_time", "2026-11-30T07:05:00Z"),
            ],
            now,
        )
        .unwrap();
    }
    let err = create(
        &s,
        &mut ledger,
        &[
            ("_customer_number", "0612345673"),
            ("_desired_time", "2026-11-30T07:10:00.000+00:00"),
        ],
        now,
    )
    .unwrap_err();
    let CreateError::Unavailable {
        unavailable,
        message,
    } = err
    else {
        panic!("{err:?}")
    };
    assert_eq!(
        (unavailable.refusal, message.as_str()),
        (Refusal::Full, "No capacity left at desired time")
    );
    assert_eq!(
        iso::format(unavailable.alternatives[0].start),
        "2026-11-30T07:15:00.000Z"
    );
    assert_eq!(ledger.callbacks[0].customer_number, "+33612345671");
    assert_eq!(ledger.callbacks[0].bucket, Some(t("2026-11-30T07:00:00Z")));
}

#[test]
fn bad_parameters_name_the_key() {
    let s = service(&[]);
    let ledger = MemoryLedger::default();
    let key = |p: &[(&str, &str)]| match decide(&s, &params(p), "x".into(), t(NOW), &ledger) {
        Err(CreateError::InvalidParameter { key, .. }) => key,
        other => panic!("{other:?}"),
    };
    assert_eq!(key(&[]), "_customer_number");
    assert_eq!(key(&[("_customer_number", "  ")]), "_customer_number");
    assert_eq!(key(&[("_customer_number", "12")]), "_customer_number");
    assert_eq!(
        key(&[("_customer_number", "0899123456")]),
        "_customer_number"
    );
    assert_eq!(
        key(&[
            ("_customer_number", "0612345678"),
            ("_desired_time", "2026-11-30T10:00:00")
        ]),
        "_desired_time"
    );
    assert_eq!(
        key(&[
            ("_customer_number", "0612345678"),
            ("_wait_for_agent", "perhaps")
        ]),
        "_wait_for_agent"
    );
    assert_eq!(
        key(&[
            ("_customer_number", "0612345678"),
            ("_call_direction", "SIDEWAYS")
        ]),
        "_call_direction"
    );
    assert_eq!(
        key(&[
            ("_customer_number", "0612345678"),
            ("note", &"x".repeat(5000))
        ]),
        "note"
    );
}

#[test]
fn user_data_and_system_parameters_are_split() {
    let s = service(&[("_customer_lookup_keys", "_customer_number,_customer_id")]);
    let p = params(&[
        ("_customer_number", "0612345678"),
        ("_customer_id", "C-1"),
        ("_urs_virtual_queue", "VQ_A"),
        ("_unknown", "x"),
        ("first_name", "Ana"),
        ("_callback_state", "QUEUED"),
    ]);
    let new = decide(&s, &p, "x".into(), t(NOW), &MemoryLedger::default()).unwrap();
    assert_eq!(
        new.system.keys().collect::<Vec<_>>(),
        ["_customer_id", "_urs_virtual_queue"]
    );
    assert_eq!(new.user_data.keys().collect::<Vec<_>>(), ["first_name"]);
    let override_ = decide(
        &s,
        &params(&[
            ("_customer_number", "0612345678"),
            ("_wait_for_agent", "true"),
        ]),
        "y".into(),
        t(NOW),
        &MemoryLedger::default(),
    )
    .unwrap();
    assert!(override_.selectors.wait_for_agent);
}

#[test]
fn limits_in_gms_order() {
    let s = service(&[
        ("_max_queued_callbacks_per_service", "3"),
        ("_throttle_callbacks_per_service_1", "5"),
        ("_throttle_request_parameters_limit", "2"),
        ("_enable_in_queue_checking", "true"),
    ]);
    let mut ledger = MemoryLedger::default();
    let now = t(NOW);
    let number = [("_customer_number", "0612345678")];
    create(&s, &mut ledger, &number, now).unwrap();
    create(&s, &mut ledger, &number, now).unwrap();
    // A third open callback for the number is a duplicate.
    assert!(matches!(
        create(&s, &mut ledger, &number, now),
        Err(CreateError::Limit(LimitError::Duplicate { open: 2, .. }))
    ));
    // Cancelled ones do not count as open, but still count for the daily limit.
    for c in ledger.callbacks.iter_mut() {
        c.phase = crate::record::Phase::Completed {
            reason: crate::record::Reason::Cancelled,
        };
    }
    let err = create(&s, &mut ledger, &number, now).unwrap_err();
    assert_eq!(err.to_string(), "Callback for _customer_number=+33612345678 rejected because previous callbacks for this parameter were requested for more than 2 times today.");
    // The next UTC day the number may ask again.
    create(&s, &mut ledger, &number, t("2026-12-01T06:00:00Z")).unwrap();
    create(
        &s,
        &mut ledger,
        &[("_customer_number", "0612345679")],
        t("2026-12-01T06:00:01Z"),
    )
    .unwrap();
    create(
        &s,
        &mut ledger,
        &[("_customer_number", "0612345670")],
        t("2026-12-01T06:00:02Z"),
    )
    .unwrap();
    assert_eq!(
        create(
            &s,
            &mut ledger,
            &[("_customer_number", "0612345671")],
            t("2026-12-01T06:00:03Z")
        )
        .unwrap_err()
        .to_string(),
        "Limit of queued callbacks for t is reached."
    );
    // A scheduled create is not held by the queue limit, but by the throttle window (5 in 300 s).
    let at = [
        ("_customer_number", "0612345672"),
        ("_desired_time", "2026-12-05T09:00:00Z"),
    ];
    create(&s, &mut ledger, &at, t("2026-12-01T06:00:04Z")).unwrap();
    create(
        &s,
        &mut ledger,
        &[
            ("_customer_number", "0612345673"),
            ("_desired_time", "2026-12-05T09:00:00Z"),
        ],
        t("2026-12-01T06:00:05Z"),
    )
    .unwrap();
    let err = create(
        &s,
        &mut ledger,
        &[
            ("_customer_number", "0612345674"),
            ("_desired_time", "2026-12-05T09:15:00Z"),
        ],
        t("2026-12-01T06:00:06Z"),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Limit of queued callbacks for t is reached for interval 300s."
    );
}

#[test]
fn immediate_creates_out_of_hours_when_asked() {
    let s = service(&[("_enable_reject_out_of_office_hours", "true")]);
    let night = t("2026-11-30T21:00:00Z");
    let err = decide(
        &s,
        &params(&[("_customer_number", "0612345678")]),
        "x".into(),
        night,
        &MemoryLedger::default(),
    )
    .unwrap_err();
    let CreateError::Unavailable { unavailable, .. } = err else {
        panic!()
    };
    assert_eq!(unavailable.refusal, Refusal::Closed);
    // Tuesday to Friday have no capacity in the demo: the nearest free bucket is Saturday 09:00 Paris.
    assert_eq!(
        iso::format(unavailable.alternatives[0].start),
        "2026-12-05T08:00:00.000Z"
    );
    assert!(decide(
        &service(&[]),
        &params(&[("_customer_number", "0612345678")]),
        "x".into(),
        night,
        &MemoryLedger::default()
    )
    .is_ok());
}

#[test]
fn updates_reschedule_and_edit_properties() {
    let s = service(&[("_enable_in_queue_checking", "false")]);
    let mut ledger = MemoryLedger::default();
    let now = t(NOW);
    create(
        &s,
        &mut ledger,
        &[
            ("_customer_number", "0612345678"),
            ("_desired_time", "2026-11-30T07:00:00Z"),
            ("colour", "blue"),
            ("size", "L"),
        ],
        now,
    )
    .unwrap();
    create(
        &s,
        &mut ledger,
        &[
            ("_customer_number", "0612345679"),
            ("_desired_time", "2026-11-30T07:00:00Z"),
        ],
        now,
    )
    .unwrap();
    let cb = ledger.callbacks[0].clone();
    // The bucket is full, but one of its bookings is this callback's own: moving within it is fine.
    let same = decide_update(
        &s,
        &cb,
        &params(&[("_new_desired_time", "2026-11-30T07:10:00Z")]),
        now,
        &ledger,
    )
    .unwrap();
    assert_eq!(
        same.reschedule,
        Some((t("2026-11-30T07:10:00Z"), Some(t("2026-11-30T07:00:00Z"))))
    );
    let other = &ledger.callbacks[1];
    assert!(
        decide_update(
            &s,
            other,
            &params(&[("_new_desired_time", "2026-11-30T07:20:00Z")]),
            now,
            &ledger
        )
        .is_ok(),
        "another bucket of the same hour"
    );
    let mut cb2 = cb.clone();
    let update = decide_update(
        &s,
        &cb,
        &params(&[
            ("colour", ""),
            ("size", "XL"),
            ("_callback_state", "COMPLETED"),
            ("_customer_number", "+33 7 00 00 00 01"),
        ]),
        now,
        &ledger,
    )
    .unwrap();
    update.apply_properties(&mut cb2);
    assert_eq!(
        cb2.user_data,
        [("size".to_string(), "XL".to_string())].into()
    );
    assert_eq!(
        (cb2.customer_number.as_str(), cb2.state()),
        ("+33700000001", cb.state())
    );
    assert!(decide_update(&s, &cb, &params(&[("_customer_number", "")]), now, &ledger).is_err());
    assert!(decide_update(
        &s,
        &cb,
        &params(&[("_new_desired_time", "2026-11-30T21:00:00Z")]),
        now,
        &ledger
    )
    .is_err());
}

#[test]
fn a_desired_time_of_now_is_as_soon_as_possible() {
    let s = service(&[("_enable_in_queue_checking", "false")]);
    let now = t(NOW);
    let asked = |time: &str| {
        desired_time(
            &s,
            &params(&[("_desired_time", time)]),
            "_desired_time",
            now,
        )
    };
    // A client's "now", a few milliseconds late on arrival, and the edge of the default 300 s.
    assert_eq!(asked("2026-11-30T05:59:59.993Z").unwrap(), None);
    assert_eq!(asked("2026-11-30T06:00:00.000Z").unwrap(), None);
    assert_eq!(asked("2026-11-30T05:55:00Z").unwrap(), None);
    assert_eq!(
        asked("2026-11-30T05:54:59Z").unwrap(),
        Some(t("2026-11-30T05:54:59Z"))
    );
    assert_eq!(
        asked("2026-11-30T06:00:00.001Z").unwrap(),
        Some(t("2026-11-30T06:00:00.001Z"))
    );
    // Immediate: no bucket booked, queued at once; further back is still refused.
    let new = decide(
        &s,
        &params(&[
            ("_customer_number", "0612345678"),
            ("_desired_time", "2026-11-30T05:59:59.993Z"),
        ]),
        "x".into(),
        now,
        &MemoryLedger::default(),
    )
    .unwrap();
    assert_eq!(new.scheduled, None);
    assert_eq!(
        scenario::create(new, &s, now, Actor::Customer)
            .callback
            .state(),
        crate::record::State::Queued
    );
    let err = decide(
        &s,
        &params(&[
            ("_customer_number", "0612345678"),
            ("_desired_time", "2026-11-30T05:00:00Z"),
        ]),
        "x".into(),
        now,
        &MemoryLedger::default(),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            CreateError::Unavailable {
                unavailable: Unavailable {
                    refusal: Refusal::Past,
                    ..
                },
                ..
            }
        ),
        "{err:?}"
    );
    // The tolerance is the service's; 0 keeps only "exactly now".
    let strict = service(&[("_reject_past_desired_time", "0")]);
    assert!(desired_time(
        &strict,
        &params(&[("_desired_time", "2026-11-30T05:59:59.993Z")]),
        "_desired_time",
        now
    )
    .unwrap()
    .is_some());
    // A reschedule to now queues the callback.
    let mut ledger = MemoryLedger::default();
    create(
        &s,
        &mut ledger,
        &[
            ("_customer_number", "0612345678"),
            ("_desired_time", "2026-11-30T07:00:00Z"),
        ],
        now,
    )
    .unwrap();
    let update = decide_update(
        &s,
        &ledger.callbacks[0],
        &params(&[("_new_desired_time", "2026-11-30T05:59:59Z")]),
        now,
        &ledger,
    )
    .unwrap();
    assert_eq!(update.reschedule, Some((now, None)));
}

#[test]
fn an_update_onto_another_number_passes_the_checks_of_a_create() {
    let s = service(&[("_throttle_request_parameters_limit", "3")]);
    let mut ledger = MemoryLedger::default();
    let now = t(NOW);
    for n in ["0612345678", "0612345678", "0612345679", "0612345670"] {
        create(&s, &mut ledger, &[("_customer_number", n)], now).unwrap();
    }
    let third = ledger.callbacks[2].clone();
    // The number already has two open callbacks: the in-queue check refuses a third.
    let err = decide_update(
        &s,
        &third,
        &params(&[("_customer_number", "06 12 34 56 78")]),
        now,
        &ledger,
    )
    .unwrap_err();
    assert!(
        matches!(err, CreateError::Limit(LimitError::Duplicate { .. })),
        "{err:?}"
    );
    // Its own number is no move; another free number is fine and counted for its daily limit.
    assert!(decide_update(
        &s,
        &third,
        &params(&[("_customer_number", "0612345679")]),
        now,
        &ledger
    )
    .unwrap()
    .counted
    .is_empty());
    let moved = decide_update(
        &s,
        &third,
        &params(&[("_customer_number", "0612345671")]),
        now,
        &ledger,
    )
    .unwrap();
    assert_eq!(
        moved.counted,
        [("_customer_number".to_string(), "+33612345671".to_string())]
    );
    // Three creates today for a number is its daily limit, whichever way they came.
    for _ in 0..3 {
        ledger.accepted.push((
            now,
            [("_customer_number".to_string(), "+33612345672".to_string())].into(),
        ));
    }
    let err = decide_update(
        &s,
        &third,
        &params(&[("_customer_number", "0612345672")]),
        now,
        &ledger,
    )
    .unwrap_err();
    assert!(
        matches!(err, CreateError::Limit(LimitError::DailyLimit { .. })),
        "{err:?}"
    );
}

use crate::availability::tests::hostile_value;
use proptest::prelude::*;

proptest! {
    #[test]
    fn hostile_creates_and_updates_are_errors_never_panics(desired in hostile_value(), entered in hostile_value(), number in hostile_value()) {
        let s = service(&[]);
        let mut ledger = MemoryLedger::default();
        let now = t(NOW);
        let _ = create(&s, &mut ledger, &[("_customer_number", &number), ("_desired_time", &desired), ("_call_entered_time", &entered)], now);
        create(&s, &mut ledger, &[("_customer_number", "0612345678")], now).unwrap();
        let _ = decide_update(&s, &ledger.callbacks[0], &params(&[("_new_desired_time", &desired), ("_customer_number", &number)]), now, &ledger);
    }
}
