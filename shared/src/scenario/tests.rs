use super::*;
use crate::config::Config;
use crate::testkit::options;
use crate::testkit::t;

const NOW: &str = "2026-12-01T09:00:00Z";

fn service(pairs: &[(&str, &str)]) -> CallbackService {
    let mut all = vec![
        ("_service", "callback"),
        ("_enable_status_notification", "subscribe_notify"),
        ("_status_notification_target", "https://hooks.example/cb"),
    ];
    all.extend_from_slice(pairs);
    let mut config = Config::new();
    config.put("service.s", options(&all)).unwrap();
    config.callback_service("s").unwrap()
}

fn new(service: &CallbackService, scheduled: Option<&str>) -> NewCallback {
    let sc = &service.scenario;
    NewCallback {
        id: "cb1".into(),
        customer_number: "+33612345678".into(),
        scheduled: scheduled.map(|s| (t(s), t(s))),
        queued_since: None,
        selectors: Selectors {
            direction: sc.direction,
            media_type: sc.media_type.clone(),
            wait_for_agent: sc.wait_for_agent,
            wait_for_user_confirm: sc.wait_for_user_confirm,
            first_party: sc.first_party,
        },
        system: BTreeMap::new(),
        user_data: BTreeMap::new(),
    }
}

/// Runs events in order, each `seconds` after the start, and answers the last step.
fn run(service: &CallbackService, start: Step, events: &[(i64, Event, Actor)]) -> Step {
    events.iter().fold(start, |step, (after, event, actor)| {
        apply(
            &step.callback,
            event.clone(),
            service,
            t(NOW) + Duration::seconds(*after),
            actor.clone(),
        )
        .unwrap()
    })
}

fn agent(id: &str) -> Actor {
    Actor::Agent(id.into())
}

fn reserved(id: &str) -> Event {
    Event::AgentReserved { agent: id.into() }
}

fn has(step: &Step, effect: &Effect) -> bool {
    step.effects.contains(effect)
}

fn notified(step: &Step) -> Vec<&'static str> {
    step.effects
        .iter()
        .filter_map(|e| {
            if let Effect::Notify(n) = e {
                Some(*n)
            } else {
                None
            }
        })
        .collect()
}

#[test]
fn immediate_waits_for_an_agent_then_dials_the_customer_and_completes() {
    let s = service(&[]);
    let step = create(new(&s, None), &s, t(NOW), Actor::Customer);
    assert_eq!(step.callback.state(), State::Queued);
    assert!(has(&step, &Effect::SeekAgent));
    assert!(has(
        &step,
        &Effect::SetTimer {
            timer: Timer::Expire,
            at: t("2026-12-02T09:00:00Z")
        }
    ));
    assert_eq!(
        step.change.as_ref().map(|c| (c.from, c.to)),
        Some((None, State::Queued))
    );
    assert_eq!(
        notified(&step),
        ["_cbe_on_callback_queued", "_cbe_on_callback_submitted"]
    );
    let dialing = run(&s, step.clone(), &[(10, reserved("a1"), Actor::System)]);
    assert_eq!(dialing.callback.state(), State::Routing);
    assert!(has(
        &dialing,
        &Effect::Dial {
            attempt: 1,
            first: FirstParty::Customer
        }
    ));
    assert!(has(
        &dialing,
        &Effect::Offer {
            agent: "a1".into(),
            preview: false
        }
    ));
    let done = run(
        &s,
        step,
        &[
            (10, reserved("a1"), Actor::System),
            (20, Event::DialResult(DialOutcome::Answered), Actor::Dialer),
            (30, Event::CallEnded, agent("a1")),
        ],
    );
    assert_eq!(
        done.callback.phase,
        Phase::Completed {
            reason: Reason::AgentConnected
        }
    );
    assert!(has(&done, &Effect::ReleaseAgent { agent: "a1".into() }));
    assert_eq!(
        notified(&done),
        ["_cbe_on_service_exit", "_cbe_on_callback_status_updated"]
    );
}

#[test]
fn immediate_with_a_dialer_and_no_wait_dials_at_once_and_waits_for_an_agent_on_the_line() {
    let s = service(&[("_dialer_url", "https://dialer.example/dial")]);
    let step = create(new(&s, None), &s, t(NOW), Actor::Customer);
    assert_eq!(step.callback.phase, Phase::Dialing { agent: None });
    assert!(has(
        &step,
        &Effect::Dial {
            attempt: 1,
            first: FirstParty::Customer
        }
    ));
    let answered = run(
        &s,
        step,
        &[(5, Event::DialResult(DialOutcome::Answered), Actor::Dialer)],
    );
    assert_eq!(answered.callback.phase, Phase::AwaitingAgent);
    assert!(has(&answered, &Effect::SeekAgent));
    let connected = run(&s, answered, &[(9, reserved("a1"), Actor::System)]);
    assert_eq!(connected.callback.state(), State::Processing);
}

#[test]
fn texts_confirm_remind_and_announce_the_first_call_only() {
    let s = service(&[
        ("_telephony", "twilio"),
        ("_twilio_account_sid", "AC0123456789abcdef0123456789abcdef"),
        ("_twilio_caller_id", "+15005550006"),
        ("_sms_confirmation", "true"),
        ("_sms_reminder", "600"),
        ("_sms_calling", "true"),
        ("_max_dial_attempts", "3"),
    ]);
    let texts = |step: &Step| -> Vec<Text> {
        step.effects
            .iter()
            .filter_map(|e| match e {
                Effect::Text(t) => Some(*t),
                _ => None,
            })
            .collect()
    };
    let booked = create(
        new(&s, Some("2026-12-01T10:00:00Z")),
        &s,
        t(NOW),
        Actor::Customer,
    );
    assert_eq!(texts(&booked), [Text::Booked]);
    let reminder = |at| Effect::SetTimer {
        timer: Timer::Reminder,
        at: t(at),
    };
    assert!(has(&booked, &reminder("2026-12-01T09:50:00Z")));
    let reminded = run(
        &s,
        booked.clone(),
        &[(3000, Event::Timer(Timer::Reminder), Actor::System)],
    );
    assert_eq!(texts(&reminded), [Text::Reminder]);
    // Moved: the reminder moves; moved too near, it goes.
    let later = Event::Reschedule {
        desired: t("2026-12-01T11:00:00Z"),
        bucket: None,
    };
    let moved = run(&s, booked.clone(), &[(60, later, Actor::Customer)]);
    assert!(has(&moved, &reminder("2026-12-01T10:50:00Z")));
    let soon = Event::Reschedule {
        desired: t("2026-12-01T09:05:00Z"),
        bucket: None,
    };
    let near = run(&s, booked.clone(), &[(60, soon, Actor::Customer)]);
    assert!(has(&near, &Effect::ClearTimer(Timer::Reminder)));
    // Due within the reminder's lead: no reminder at all.
    let due = create(
        new(&s, Some("2026-12-01T09:05:00Z")),
        &s,
        t(NOW),
        Actor::Customer,
    );
    assert!(!due.effects.iter().any(|e| matches!(
        e,
        Effect::SetTimer {
            timer: Timer::Reminder,
            ..
        }
    )));
    let cancelled = run(&s, booked, &[(10, Event::Cancel, Actor::Customer)]);
    let late = run(
        &s,
        cancelled,
        &[(3000, Event::Timer(Timer::Reminder), Actor::System)],
    );
    assert_eq!(texts(&late), []);

    // Customer first, not waiting for an agent: the call starts at once.
    let first = create(new(&s, None), &s, t(NOW), Actor::Customer);
    assert_eq!(texts(&first), [Text::Booked, Text::Calling]);
    let busy = run(
        &s,
        first,
        &[(20, Event::DialResult(DialOutcome::Busy), Actor::Dialer)],
    );
    let second = run(
        &s,
        busy,
        &[(400, Event::Timer(Timer::DialRetry), Actor::System)],
    );
    assert_eq!(second.callback.dial_attempts, 2);
    assert_eq!(texts(&second), []);
}

#[test]
fn scheduled_becomes_queued_by_its_timer_and_not_before() {
    let s = service(&[]);
    let step = create(
        new(&s, Some("2026-12-01T10:00:00Z")),
        &s,
        t(NOW),
        Actor::Customer,
    );
    assert_eq!(step.callback.state(), State::Scheduled);
    assert!(has(
        &step,
        &Effect::SetTimer {
            timer: Timer::Submit,
            at: t("2026-12-01T09:58:00Z")
        }
    ));
    assert_eq!(notified(&step), ["_cbe_on_callback_scheduled"]);
    let queued = run(
        &s,
        step.clone(),
        &[(3480, Event::Timer(Timer::Submit), Actor::System)],
    );
    assert_eq!(queued.callback.state(), State::Queued);
    // Within the buffer it queues at creation (GMS: "15 s ahead is QUEUED at creation").
    let soon = create(
        new(&s, Some("2026-12-01T09:01:00Z")),
        &s,
        t(NOW),
        Actor::Customer,
    );
    assert_eq!(soon.callback.state(), State::Queued);
    // A timer that fires twice changes nothing the second time.
    let again = apply(
        &queued.callback,
        Event::Timer(Timer::Submit),
        &s,
        t(NOW),
        Actor::System,
    )
    .unwrap();
    assert_eq!(
        (again.callback.state(), again.change, again.effects.len()),
        (State::Queued, None, 0)
    );
}

#[test]
fn delayed_with_customer_confirmation() {
    let s = service(&[
        ("_wait_for_agent", "true"),
        ("_wait_for_user_confirm", "true"),
        ("_user_confirm_timeout", "20"),
    ]);
    let step = create(new(&s, None), &s, t(NOW), Actor::Customer);
    let asked = run(&s, step, &[(5, reserved("a1"), Actor::System)]);
    assert_eq!(
        asked.callback.phase,
        Phase::Confirming {
            agent: "a1".into(),
            attempt: 1
        }
    );
    assert!(has(&asked, &Effect::AskConfirm));
    assert_eq!(
        notified(&asked),
        ["_cbe_on_target_found", "_cbe_on_callback_status_updated"],
        "those who are not on the manage page hear of it"
    );
    assert!(has(
        &asked,
        &Effect::SetTimer {
            timer: Timer::Confirm,
            at: t(NOW) + Duration::seconds(25)
        }
    ));
    let confirmed = run(&s, asked.clone(), &[(9, Event::Confirm, Actor::Customer)]);
    assert_eq!(confirmed.callback.state(), State::Routing);
    // Default `_on_user_confirm_timeout` = CONNECT-ANYWAY: dial anyway.
    let anyway = run(
        &s,
        asked,
        &[(25, Event::Timer(Timer::Confirm), Actor::System)],
    );
    assert_eq!(anyway.callback.state(), State::Routing);
}

#[test]
fn unconfirmed_callbacks_fail_after_the_attempts() {
    let s = service(&[
        ("_wait_for_agent", "true"),
        ("_wait_for_user_confirm", "true"),
        ("_on_user_confirm_timeout", "FAIL"),
        (
            "_max_number_of_user_availability_confirmation_attempts",
            "2",
        ),
    ]);
    let step = create(new(&s, None), &s, t(NOW), Actor::Customer);
    let once = run(
        &s,
        step,
        &[
            (1, reserved("a1"), Actor::System),
            (31, Event::Timer(Timer::Confirm), Actor::System),
        ],
    );
    assert_eq!(
        once.callback.phase,
        Phase::Confirming {
            agent: "a1".into(),
            attempt: 2
        }
    );
    let twice = run(
        &s,
        once,
        &[(61, Event::Timer(Timer::Confirm), Actor::System)],
    );
    assert_eq!(
        twice.callback.phase,
        Phase::Completed {
            reason: Reason::FailUserNoConfirm
        }
    );
    assert!(has(&twice, &Effect::ReleaseAgent { agent: "a1".into() }));
}

#[test]
fn agent_preview_accept_and_reject_limits() {
    let s = service(&[
        ("_agent_preview", "true"),
        ("_agent_preview_allow_reject", "2"),
        ("_userterminated_first_connect_party", "AGENT"),
    ]);
    let step = create(new(&s, None), &s, t(NOW), Actor::Customer);
    let offered = run(&s, step.clone(), &[(1, reserved("a1"), Actor::System)]);
    assert_eq!(
        offered.callback.phase,
        Phase::Offered { agent: "a1".into() }
    );
    assert!(has(
        &offered,
        &Effect::Offer {
            agent: "a1".into(),
            preview: true
        }
    ));
    assert!(has(
        &offered,
        &Effect::SetTimer {
            timer: Timer::Offer,
            at: t(NOW) + Duration::seconds(31)
        }
    ));
    assert_eq!(
        apply(&offered.callback, Event::Accept, &s, t(NOW), agent("a2")).unwrap_err(),
        Illegal::NotYourCallback
    );
    let accepted = run(&s, offered.clone(), &[(5, Event::Accept, agent("a1"))]);
    assert!(has(
        &accepted,
        &Effect::Dial {
            attempt: 1,
            first: FirstParty::Agent
        }
    ));
    // A rejection puts it back in queue; a silent preview counts as a rejection.
    let back = run(&s, offered, &[(5, Event::Reject, agent("a1"))]);
    assert_eq!(back.callback.phase, Phase::Waiting);
    assert!(
        has(&back, &Effect::ReleaseAgent { agent: "a1".into() }) && has(&back, &Effect::SeekAgent)
    );
    let ended = run(
        &s,
        back,
        &[
            (6, reserved("a2"), Actor::System),
            (40, Event::Timer(Timer::Offer), Actor::System),
        ],
    );
    assert_eq!(
        ended.callback.phase,
        Phase::Completed {
            reason: Reason::AgentPreviewCancelAfterRejects(2)
        }
    );
    assert_eq!(
        ended.callback.property("_callback_reason").as_deref(),
        Some("AGENT_PREVIEW_CANCEL_AFTER_2REJECTS")
    );
}

#[test]
fn dial_retries_then_fail_call_to_customer() {
    let s = service(&[("_max_dial_attempts", "2"), ("_dial_retry_timeout", "60")]);
    let step = create(new(&s, None), &s, t(NOW), Actor::Customer);
    let retry = run(
        &s,
        step,
        &[
            (1, reserved("a1"), Actor::System),
            (2, Event::DialResult(DialOutcome::Busy), Actor::Dialer),
        ],
    );
    assert_eq!(retry.callback.phase, Phase::RetryWait);
    assert!(has(&retry, &Effect::ReleaseAgent { agent: "a1".into() }));
    assert!(has(
        &retry,
        &Effect::SetTimer {
            timer: Timer::DialRetry,
            at: t(NOW) + Duration::seconds(62)
        }
    ));
    let second = run(
        &s,
        retry,
        &[
            (62, Event::Timer(Timer::DialRetry), Actor::System),
            (63, reserved("a2"), Actor::System),
        ],
    );
    assert!(has(
        &second,
        &Effect::Dial {
            attempt: 2,
            first: FirstParty::Customer
        }
    ));
    let failed = run(
        &s,
        second,
        &[(70, Event::DialResult(DialOutcome::NoAnswer), Actor::Dialer)],
    );
    assert_eq!(
        failed.callback.phase,
        Phase::Completed {
            reason: Reason::FailCallToCustomer
        }
    );
    // An invalid number fails at once.
    let step = create(new(&s, None), &s, t(NOW), Actor::Customer);
    let invalid = run(
        &s,
        step,
        &[
            (1, reserved("a1"), Actor::System),
            (
                2,
                Event::DialResult(DialOutcome::InvalidNumber),
                Actor::Dialer,
            ),
        ],
    );
    assert_eq!(
        invalid.callback.phase,
        Phase::Completed {
            reason: Reason::FailCallToCustomer
        }
    );
}

#[test]
fn disposition_dialog_and_its_timeout() {
    let s = service(&[
        ("_enable_disposition_dialog", "true"),
        ("_agent_disposition_timeout", "45"),
    ]);
    let step = create(new(&s, None), &s, t(NOW), Actor::Customer);
    let talking = run(
        &s,
        step,
        &[
            (1, reserved("a1"), Actor::System),
            (2, Event::Connected, agent("a1")),
        ],
    );
    assert_eq!(talking.callback.state(), State::Processing);
    let ended = run(&s, talking, &[(100, Event::CallEnded, agent("a1"))]);
    assert_eq!(
        ended.callback.phase,
        Phase::Disposition { agent: "a1".into() }
    );
    assert!(has(
        &ended,
        &Effect::SetTimer {
            timer: Timer::Disposition,
            at: t(NOW) + Duration::seconds(145)
        }
    ));
    let d = Disposition {
        code: "SALE".into(),
        note: "new contract".into(),
    };
    let recorded = run(
        &s,
        ended.clone(),
        &[(110, Event::Disposition(d.clone()), agent("a1"))],
    );
    assert_eq!(
        (
            recorded.callback.phase.reason(),
            recorded.callback.disposition
        ),
        (Some(Reason::AgentConnected), Some(d))
    );
    let timed_out = run(
        &s,
        ended,
        &[(145, Event::Timer(Timer::Disposition), Actor::System)],
    );
    assert_eq!(
        (
            timed_out.callback.phase.reason(),
            timed_out.callback.disposition
        ),
        (Some(Reason::AgentConnected), None)
    );
}

#[test]
fn cancel_from_any_open_state_and_never_twice() {
    let s = service(&[]);
    let scheduled = create(
        new(&s, Some("2026-12-01T12:00:00Z")),
        &s,
        t(NOW),
        Actor::Customer,
    );
    let cancelled = run(&s, scheduled, &[(1, Event::Cancel, Actor::Customer)]);
    assert_eq!(
        cancelled.callback.phase,
        Phase::Completed {
            reason: Reason::Cancelled
        }
    );
    assert!(has(&cancelled, &Effect::ClearTimer(Timer::Submit)));
    assert_eq!(
        notified(&cancelled),
        [
            "_cbe_on_callback_cancelled",
            "_cbe_on_service_exit",
            "_cbe_on_callback_status_updated"
        ]
    );
    assert_eq!(
        apply(
            &cancelled.callback,
            Event::Cancel,
            &s,
            t(NOW),
            Actor::Customer
        )
        .unwrap_err(),
        Illegal::State {
            state: State::Completed,
            action: "cancelled"
        }
    );
    let routing = run(
        &s,
        create(new(&s, None), &s, t(NOW), Actor::Customer),
        &[(1, reserved("a1"), Actor::System)],
    );
    let through_api = run(&s, routing.clone(), &[(2, Event::Cancel, Actor::Admin)]);
    assert_eq!(
        through_api.callback.phase,
        Phase::Completed {
            reason: Reason::Cancelled
        },
        "the service API's cancel, even with admin credentials"
    );
    assert_eq!(through_api.change.unwrap().actor, Actor::Admin);
    let by_admin = run(&s, routing, &[(2, Event::AdminCancel, Actor::Admin)]);
    assert_eq!(
        by_admin.callback.phase,
        Phase::Completed {
            reason: Reason::CancelledByAdmin
        }
    );
    assert!(has(&by_admin, &Effect::ReleaseAgent { agent: "a1".into() }));
    assert_eq!(by_admin.change.unwrap().actor, Actor::Admin);
}

#[test]
fn reschedule_only_scheduled_or_queued() {
    let s = service(&[]);
    let step = create(
        new(&s, Some("2026-12-01T12:00:00Z")),
        &s,
        t(NOW),
        Actor::Customer,
    );
    let moved = run(
        &s,
        step,
        &[(
            1,
            Event::Reschedule {
                desired: t("2026-12-02T12:00:00Z"),
                bucket: Some(t("2026-12-02T12:00:00Z")),
            },
            Actor::Customer,
        )],
    );
    assert_eq!(
        (moved.callback.state(), moved.callback.desired_time),
        (State::Scheduled, t("2026-12-02T12:00:00Z"))
    );
    assert!(has(
        &moved,
        &Effect::SetTimer {
            timer: Timer::Submit,
            at: t("2026-12-02T11:58:00Z")
        }
    ));
    assert!(has(
        &moved,
        &Effect::SetTimer {
            timer: Timer::Expire,
            at: t("2026-12-03T12:00:00Z")
        }
    ));
    assert_eq!(notified(&moved), ["_cbe_on_callback_rescheduled"]);
    assert_eq!(
        moved.change.as_ref().map(|c| (c.from, c.to)),
        Some((Some(State::Scheduled), State::Scheduled)),
        "a reschedule is in the history"
    );
    let done = run(&s, moved, &[(2, Event::Cancel, Actor::Customer)]);
    let again = apply(
        &done.callback,
        Event::Reschedule {
            desired: t("2026-12-03T12:00:00Z"),
            bucket: None,
        },
        &s,
        t(NOW),
        Actor::Customer,
    );
    assert_eq!(
        again.unwrap_err(),
        Illegal::State {
            state: State::Completed,
            action: "rescheduled"
        }
    );
    let routing = run(
        &s,
        create(new(&s, None), &s, t(NOW), Actor::Customer),
        &[(1, reserved("a1"), Actor::System)],
    );
    assert!(apply(
        &routing.callback,
        Event::Reschedule {
            desired: t("2026-12-03T12:00:00Z"),
            bucket: None
        },
        &s,
        t(NOW),
        Actor::Customer
    )
    .is_err());
}

#[test]
fn agents_act_only_on_their_own_callback_and_may_reschedule_it() {
    let s = service(&[]);
    let routing = run(
        &s,
        create(new(&s, None), &s, t(NOW), Actor::Customer),
        &[(1, reserved("a1"), Actor::System)],
    );
    for event in [
        Event::DialResult(DialOutcome::Answered),
        Event::Connected,
        Event::CallEnded,
    ] {
        assert_eq!(
            apply(&routing.callback, event, &s, t(NOW), agent("a2")).unwrap_err(),
            Illegal::NotYourCallback
        );
    }
    let later = t("2026-12-02T10:00:00Z");
    assert!(apply(
        &routing.callback,
        Event::Reschedule {
            desired: later,
            bucket: None
        },
        &s,
        t(NOW),
        Actor::Customer
    )
    .is_err());
    let moved = run(
        &s,
        routing,
        &[(
            5,
            Event::Reschedule {
                desired: later,
                bucket: Some(later),
            },
            agent("a1"),
        )],
    );
    assert_eq!(
        (moved.callback.state(), moved.callback.desired_time),
        (State::Scheduled, later)
    );
    assert!(has(&moved, &Effect::ReleaseAgent { agent: "a1".into() }));
    assert_eq!(
        moved.callback.dial_attempts, 1,
        "the attempts made stay counted"
    );
}

#[test]
fn ttl_fails_open_callbacks_then_purges() {
    let s = service(&[]);
    let step = create(new(&s, None), &s, t(NOW), Actor::Customer);
    let expired = run(
        &s,
        step,
        &[(86_400, Event::Timer(Timer::Expire), Actor::System)],
    );
    assert_eq!(
        expired.callback.phase,
        Phase::Completed {
            reason: Reason::FailTimeoutTtl
        }
    );
    assert_eq!(expired.effects.last(), Some(&Effect::Purge));
    let purged = run(
        &s,
        expired,
        &[(86_401, Event::Timer(Timer::Expire), Actor::System)],
    );
    assert_eq!(purged.effects, [Effect::Purge]);
}

#[test]
fn completed_callbacks_are_purged_after_the_retention_even_with_a_longer_ttl() {
    let s = service(&[("_ttl", "31536000"), ("_retention_days", "7")]);
    let step = create(new(&s, None), &s, t(NOW), Actor::Customer);
    let cancelled = run(&s, step, &[(60, Event::Cancel, Actor::Customer)]);
    let purge_at = t(NOW) + Duration::seconds(60) + Duration::days(7);
    assert_eq!(cancelled.callback.expires, purge_at);
    assert!(has(
        &cancelled,
        &Effect::SetTimer {
            timer: Timer::Expire,
            at: purge_at
        }
    ));
    assert_eq!(
        run(
            &s,
            cancelled,
            &[(60 + 7 * 86_400, Event::Timer(Timer::Expire), Actor::System)]
        )
        .effects,
        [Effect::Purge]
    );
    // A _ttl shorter than the retention still rules.
    let short = service(&[]);
    let done = run(
        &short,
        create(new(&short, None), &short, t(NOW), Actor::Customer),
        &[(60, Event::Cancel, Actor::Customer)],
    );
    assert_eq!(done.callback.expires, t(NOW) + Duration::days(1));
}

#[test]
fn pause_and_resume() {
    let paused_service = service(&[("_paused", "true")]);
    let step = create(
        new(&paused_service, None),
        &paused_service,
        t(NOW),
        Actor::Customer,
    );
    assert_eq!(step.callback.state(), State::Paused);
    let s = service(&[]);
    let resumed = run(&s, step, &[(5, Event::Resume, Actor::Admin)]);
    assert_eq!(resumed.callback.state(), State::Queued);
    let paused = run(&s, resumed, &[(6, Event::Pause, Actor::Admin)]);
    assert_eq!(paused.callback.state(), State::Paused);
}

#[test]
fn user_originated_gives_the_access_number_instead_of_dialing() {
    let s = service(&[
        ("_call_direction", "USERORIGINATED"),
        ("_wait_for_agent", "true"),
        ("_wait_for_user_confirm", "true"),
    ]);
    let step = create(new(&s, None), &s, t(NOW), Actor::Customer);
    let confirmed = run(
        &s,
        step,
        &[
            (1, reserved("a1"), Actor::System),
            (2, Event::Confirm, Actor::Customer),
        ],
    );
    assert!(has(&confirmed, &Effect::ProvideAccess));
    assert_eq!(confirmed.callback.dial_attempts, 0);
    let talking = run(&s, confirmed, &[(30, Event::Connected, Actor::System)]);
    assert_eq!(
        talking.callback.phase,
        Phase::Connected { agent: "a1".into() }
    );
}

#[test]
fn user_originated_immediate_waits_for_the_call_then_for_an_agent() {
    let s = service(&[("_call_direction", "USERORIGINATED")]);
    let step = create(new(&s, None), &s, t(NOW), Actor::Customer);
    assert_eq!(step.callback.phase, Phase::AwaitingCall);
    assert!(
        !has(&step, &Effect::SeekAgent),
        "no agent is held while the customer dials"
    );
    let arrived = run(&s, step, &[(20, Event::CallerArrived, Actor::System)]);
    assert_eq!(arrived.callback.phase, Phase::AwaitingAgent);
    assert!(has(&arrived, &Effect::SeekAgent));
    let talking = run(&s, arrived, &[(25, reserved("a1"), Actor::System)]);
    assert_eq!(
        talking.callback.phase,
        Phase::Connected { agent: "a1".into() }
    );
    let ut = service(&[]);
    let queued = create(new(&ut, None), &ut, t(NOW), Actor::Customer);
    assert!(
        apply(
            &queued.callback,
            Event::CallerArrived,
            &ut,
            t(NOW),
            Actor::System
        )
        .is_err(),
        "only user-originated callbacks wait for a call"
    );
}

#[test]
fn illegal_events_are_refused_not_ignored() {
    let s = service(&[]);
    let scheduled = create(
        new(&s, Some("2026-12-01T12:00:00Z")),
        &s,
        t(NOW),
        Actor::Customer,
    );
    for event in [
        Event::Accept,
        Event::Confirm,
        Event::CallEnded,
        Event::Connected,
        Event::DialResult(DialOutcome::Answered),
        reserved("a1"),
        Event::Resume,
        Event::Pause,
    ] {
        assert!(
            apply(&scheduled.callback, event.clone(), &s, t(NOW), agent("a1")).is_err(),
            "{event:?}"
        );
    }
}

#[test]
fn notifications_follow_the_events_list() {
    let s = service(&[("_callback_events_list", "_cbe_on_callback_cancelled")]);
    let step = create(new(&s, None), &s, t(NOW), Actor::Customer);
    assert!(notified(&step).is_empty());
    let cancelled = run(&s, step, &[(1, Event::Cancel, Actor::Customer)]);
    assert_eq!(notified(&cancelled), ["_cbe_on_callback_cancelled"]);
}

#[test]
fn timers_and_outcomes_have_stable_names() {
    for timer in Timer::ALL {
        assert_eq!(timer.as_str().parse::<Timer>(), Ok(timer));
    }
    assert_eq!(
        "no_answer".parse::<DialOutcome>(),
        Ok(DialOutcome::NoAnswer)
    );
    assert!("HUNG".parse::<DialOutcome>().is_err());
}

#[test]
fn a_removed_agent_gives_back_what_was_not_under_way() {
    let s = service(&[("_agent_preview", "true")]);
    let offered = run(
        &s,
        create(new(&s, None), &s, t(NOW), Actor::Customer),
        &[(1, reserved("a1"), Actor::System)],
    );
    let back = run(&s, offered, &[(2, Event::AgentGone, Actor::System)]);
    assert_eq!(back.callback.phase, Phase::Waiting);
    assert!(
        has(&back, &Effect::ReleaseAgent { agent: "a1".into() }) && has(&back, &Effect::SeekAgent)
    );
    assert_eq!(back.callback.rejects, 0, "not a rejection");
    let plain = service(&[]);
    let dialing = run(
        &plain,
        create(new(&plain, None), &plain, t(NOW), Actor::Customer),
        &[(1, reserved("a1"), Actor::System)],
    );
    assert!(matches!(
        dialing.callback.phase,
        Phase::Dialing { agent: Some(_) }
    ));
    let connected = run(
        &plain,
        dialing.clone(),
        &[(2, Event::Connected, agent("a1"))],
    );
    let ended = run(&plain, connected, &[(3, Event::AgentGone, Actor::System)]);
    assert_eq!(
        ended.callback.phase,
        Phase::Completed {
            reason: Reason::AgentConnected
        }
    );
    let waiting = run(&plain, dialing, &[(2, Event::AgentGone, Actor::System)]);
    assert!(scenario_apply_fails(&waiting, &plain));
}

fn scenario_apply_fails(step: &Step, s: &CallbackService) -> bool {
    apply(&step.callback, Event::AgentGone, s, t(NOW), Actor::System).is_err()
}

#[test]
fn chat_immediate_waits_for_its_agent_who_joins_at_once_and_either_side_ends_it() {
    let s = service(&[
        ("_media_type", "chat"),
        ("_call_direction", "USERORIGINATED"),
    ]);
    let step = create(new(&s, None), &s, t(NOW), Actor::Customer);
    assert_eq!(step.callback.phase, Phase::Waiting, "no access number");
    assert!(has(&step, &Effect::SeekAgent));
    let joined = run(&s, step.clone(), &[(5, reserved("a1"), Actor::System)]);
    assert_eq!(joined.callback.state(), State::Processing);
    assert!(has(&joined, &Effect::ChatJoined { agent: "a1".into() }));
    assert!(!joined
        .effects
        .iter()
        .any(|e| matches!(e, Effect::Dial { .. })));
    assert!(notified(&joined).contains(&"_cbe_on_route_to_agent"));
    let left = run(
        &s,
        joined.clone(),
        &[(60, Event::CallEnded, Actor::Customer)],
    );
    assert_eq!(left.callback.phase.reason(), Some(Reason::AgentConnected));
    let ends = |s: &Step| {
        s.effects
            .iter()
            .filter(|e| matches!(e, Effect::ChatEnded { .. }))
            .count()
    };
    assert_eq!(ends(&left), 1, "{:?}", left.effects);
    assert!(has(
        &left,
        &Effect::ChatEnded {
            by: Actor::Customer
        }
    ));
    let ended = run(&s, joined, &[(60, Event::CallEnded, agent("a1"))]);
    assert!(has(&ended, &Effect::ChatEnded { by: agent("a1") }));
    // Left before an agent joined: cancelled.
    let gone = run(&s, step, &[(3, Event::Cancel, Actor::Customer)]);
    assert_eq!(gone.callback.phase.reason(), Some(Reason::Cancelled));
    assert!(has(
        &gone,
        &Effect::ChatEnded {
            by: Actor::Customer
        }
    ));
}

#[test]
fn chat_delayed_is_routing_while_the_customer_confirms_then_the_agent_joins() {
    let s = service(&[
        ("_media_type", "chat"),
        ("_wait_for_agent", "true"),
        ("_wait_for_user_confirm", "true"),
        ("_on_user_confirm_timeout", "FAIL"),
        (
            "_max_number_of_user_availability_confirmation_attempts",
            "1",
        ),
    ]);
    let step = create(new(&s, None), &s, t(NOW), Actor::Customer);
    let asked = run(&s, step, &[(5, reserved("a1"), Actor::System)]);
    assert_eq!(asked.callback.state(), State::Routing);
    assert!(has(&asked, &Effect::AskConfirm));
    assert!(
        !has(&asked, &Effect::Text(Text::ChatReady)),
        "the service texts nothing"
    );
    let texting = service(&[
        ("_media_type", "chat"),
        ("_wait_for_agent", "true"),
        ("_wait_for_user_confirm", "true"),
        ("_sms_confirmation", "true"),
        ("_telephony", "twilio"),
        ("_twilio_account_sid", "AC0123456789abcdef0123456789abcdef"),
        ("_twilio_caller_id", "+33612345678"),
    ]);
    let created = create(new(&texting, None), &texting, t(NOW), Actor::Customer);
    assert!(
        !has(&created, &Effect::Text(Text::Booked)),
        "no \"we will call you\" to a chat"
    );
    let ready = run(&texting, created, &[(5, reserved("a1"), Actor::System)]);
    assert!(has(&ready, &Effect::Text(Text::ChatReady)));
    let confirmed = run(&s, asked.clone(), &[(9, Event::Confirm, Actor::Customer)]);
    assert_eq!(confirmed.callback.state(), State::Processing);
    assert!(has(&confirmed, &Effect::ChatJoined { agent: "a1".into() }));
    let unconfirmed = run(
        &s,
        asked,
        &[(40, Event::Timer(Timer::Confirm), Actor::System)],
    );
    assert_eq!(
        unconfirmed.callback.phase.reason(),
        Some(Reason::FailUserNoConfirm)
    );
}

#[test]
fn a_chat_with_a_disposition_ends_for_the_customer_once() {
    let s = service(&[
        ("_media_type", "chat"),
        ("_enable_disposition_dialog", "true"),
    ]);
    let step = create(new(&s, None), &s, t(NOW), Actor::Customer);
    let ended = run(
        &s,
        step,
        &[
            (5, reserved("a1"), Actor::System),
            (60, Event::CallEnded, agent("a1")),
        ],
    );
    assert_eq!(ended.callback.state(), State::Processing);
    assert!(has(&ended, &Effect::ChatEnded { by: agent("a1") }));
    assert_eq!(
        ended
            .effects
            .iter()
            .filter(|e| matches!(e, Effect::ChatEnded { .. }))
            .count(),
        1
    );
    let done = run(
        &s,
        ended,
        &[(90, Event::Timer(Timer::Disposition), Actor::System)],
    );
    assert!(!done
        .effects
        .iter()
        .any(|e| matches!(e, Effect::ChatEnded { .. })));
}

/// A caller of the service's number, on the line since `entered`.
fn on_the_line(service: &CallbackService, entered: &str) -> Step {
    let mut n = new(service, None);
    n.queued_since = Some(t(entered));
    n.system
        .insert(crate::record::IVR_CALL.into(), "CA1".into());
    n.system
        .insert(crate::record::ON_THE_LINE.into(), "true".into());
    create(n, service, t(NOW), Actor::System)
}

#[test]
fn a_caller_on_the_line_queues_in_their_place_and_is_put_through_not_dialled() {
    // Customer first, no waiting for an agent, Twilio: a callback would be dialled at once.
    let s = service(&[
        ("_telephony", "twilio"),
        ("_twilio_account_sid", "AC0123456789abcdef0123456789abcdef"),
        ("_twilio_caller_id", "+15005550006"),
        ("_wait_for_agent", "false"),
    ]);
    let step = on_the_line(&s, "2026-12-01T08:55:00Z");
    assert_eq!(step.callback.phase, Phase::Waiting);
    assert_eq!(
        step.callback.desired_time,
        t("2026-12-01T08:55:00Z"),
        "its place"
    );
    assert!(has(&step, &Effect::SeekAgent));
    assert!(!step
        .effects
        .iter()
        .any(|e| matches!(e, Effect::Dial { .. })));
    let put = run(&s, step, &[(5, reserved("a1"), Actor::System)]);
    assert_eq!(put.callback.phase, Phase::Connected { agent: "a1".into() });
    assert!(!put.effects.iter().any(|e| matches!(e, Effect::Dial { .. })));
    let ended = run(&s, put, &[(60, Event::CallEnded, Actor::Dialer)]);
    assert_eq!(ended.callback.phase.reason(), Some(Reason::AgentConnected));
}

#[test]
fn a_caller_who_chooses_a_callback_leaves_the_line_and_keeps_their_place() {
    let s = service(&[("_wait_for_agent", "true")]);
    let step = on_the_line(&s, "2026-12-01T08:55:00Z");
    let chosen = Event::CallbackChosen {
        number: "+33687654321".into(),
    };
    let step = run(&s, step, &[(30, chosen.clone(), Actor::Customer)]);
    let c = &step.callback;
    assert!(!c.on_the_line());
    assert_eq!(c.customer_number, "+33687654321");
    assert_eq!(c.phase, Phase::Waiting);
    assert_eq!(c.desired_time, t("2026-12-01T08:55:00Z"));
    // Now an ordinary callback: reserved, then dialled.
    let dialled = run(&s, step.clone(), &[(40, reserved("a1"), Actor::System)]);
    assert!(matches!(dialled.callback.phase, Phase::Dialing { .. }));
    // Chosen twice (a replayed webhook): refused, nothing changes.
    let again = apply(&step.callback, chosen, &s, t(NOW), Actor::Customer);
    assert!(again.is_err());
}

#[test]
fn a_caller_who_hangs_up_while_waiting_is_abandoned_and_leaves_no_callback() {
    let s = service(&[]);
    let step = on_the_line(&s, NOW);
    let gone = run(&s, step, &[(30, Event::CallerHungUp, Actor::Customer)]);
    assert_eq!(gone.callback.phase.reason(), Some(Reason::Abandoned));
    assert_eq!(gone.effects.last(), Some(&Effect::Purge));
    // Once put through, hanging up is the call's end, not an abandon.
    let put = run(
        &s,
        on_the_line(&s, NOW),
        &[(5, reserved("a1"), Actor::System)],
    );
    assert!(apply(
        &put.callback,
        Event::CallerHungUp,
        &s,
        t(NOW),
        Actor::Customer
    )
    .is_err());
    // A callback that never was on the line cannot be abandoned.
    let web = create(new(&s, None), &s, t(NOW), Actor::Customer);
    assert!(apply(
        &web.callback,
        Event::CallerHungUp,
        &s,
        t(NOW),
        Actor::Customer
    )
    .is_err());
}
