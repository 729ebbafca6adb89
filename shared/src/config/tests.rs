use super::*;
use crate::testkit::{demo_config, options};

#[test]
fn defaults_are_those_of_the_contract() {
    let mut config = Config::new();
    config
        .put(
            "service.cb",
            options(&[("_type", "ors"), ("_service", "callback")]),
        )
        .unwrap();
    let s = config.callback_service("cb").unwrap();
    assert_eq!(s.scenario.direction, Direction::UserTerminated);
    assert!(!s.scenario.wait_for_agent && !s.scenario.agent_preview);
    assert_eq!(
        (
            s.scenario.agent_preview_timeout,
            s.scenario.disposition_timeout,
            s.scenario.ttl_secs
        ),
        (30, 45, 86_400)
    );
    assert_eq!(
        (s.scenario.max_dial_attempts, s.scenario.dial_retry_timeout),
        (3, 300)
    );
    assert_eq!(
        (
            s.schedule.bucket_minutes,
            s.schedule.max_per_bucket,
            s.schedule.execution_buffer_secs
        ),
        (5, 100, 120)
    );
    assert_eq!(
        s.schedule.horizon,
        Horizon {
            count: 1,
            unit: 'M'
        }
    );
    assert_eq!(s.limits.max_queued, 1000);
    assert_eq!(s.limits.in_queue, InQueueCheck::Two);
    assert_eq!(
        s.limits.windows,
        [
            Window {
                limit: 500,
                seconds: 300
            },
            Window {
                limit: 1000,
                seconds: 3600
            }
        ]
    );
    assert_eq!(
        (s.limits.per_parameter_daily, s.limits.client_rate),
        (
            6,
            Window {
                limit: 120,
                seconds: 60
            }
        )
    );
    assert_eq!(
        s.limits.number_rate,
        Window {
            limit: 5,
            seconds: 60
        }
    );
    assert_eq!(s.phone.default_country.iso, "US");
    assert!(s.phone.disallow_impossible && s.phone.disallow_premium);
    assert_eq!(s.lookup_keys, ["_customer_number"]);
    assert!(s.notifications.target.is_none() && s.allowed_origins.is_empty());
    assert_eq!(s.offer_ewt_threshold, 300);
}

#[test]
fn voice_and_chat_are_served() {
    let mut config = Config::new();
    for (value, refused) in [
        ("voice", None),
        ("VOICE", None),
        ("Chat", None),
        ("fax", Some("`fax` is not voice or chat")),
    ] {
        let put = config.put(
            "service.m",
            options(&[
                ("_type", "ors"),
                ("_service", "callback"),
                ("_media_type", value),
            ]),
        );
        match refused {
            None => assert_eq!(
                config.callback_service("m").unwrap().scenario.media_type,
                value.to_ascii_lowercase()
            ),
            Some(message) => {
                let e = put
                    .err()
                    .or_else(|| config.callback_service("m").err())
                    .unwrap();
                assert_eq!(e.option, "_media_type");
                assert!(e.message.contains(message), "{value}: {}", e.message);
            }
        }
    }
}

#[test]
fn service_beats_global_beats_default() {
    let mut config = Config::new();
    config
        .put(
            GLOBAL,
            options(&[
                ("max_queued_callbacks_per_service", "7"),
                ("_throttle_ttl_1", "60"),
                ("_max_dial_attempts", "5"),
            ]),
        )
        .unwrap();
    config
        .put(
            "service.cb",
            options(&[("_service", "callback"), ("_max_dial_attempts", "2")]),
        )
        .unwrap();
    let s = config.callback_service("cb").unwrap();
    assert_eq!(s.limits.max_queued, 7);
    assert_eq!(s.limits.windows[0].seconds, 60);
    assert_eq!(s.scenario.max_dial_attempts, 2);
}

#[test]
fn twilio_places_calls_with_an_account_sid_and_a_caller_id() {
    let mut config = demo_config();
    let sid = "AC0123456789abcdef0123456789abcdef";
    let put = |config: &mut Config, extra: &[(&str, &str)]| {
        let mut pairs = vec![("_service", "callback"), ("_telephony", "twilio")];
        pairs.extend_from_slice(extra);
        config.put("service.t", options(&pairs)).map(|_| ())
    };
    let fails = |config: &mut Config, extra: &[(&str, &str)]| {
        put(config, extra)
            .err()
            .map(|e| e.option)
            .unwrap_or_default()
    };
    assert_eq!(
        fails(&mut config, &[("_twilio_caller_id", "+15005550006")]),
        "_twilio_account_sid"
    );
    assert_eq!(
        fails(&mut config, &[("_twilio_account_sid", "AC12")]),
        "_twilio_account_sid"
    );
    assert_eq!(
        fails(
            &mut config,
            &[
                ("_twilio_account_sid", sid),
                ("_twilio_caller_id", "5550006")
            ]
        ),
        "_twilio_caller_id"
    );
    let both = [
        ("_twilio_account_sid", sid),
        ("_twilio_caller_id", "+15005550006"),
        ("_dialer_url", "https://dialer.example.com/"),
    ];
    assert_eq!(fails(&mut config, &both), "_telephony");
    let ok = [
        ("_twilio_account_sid", sid),
        ("_twilio_caller_id", "+15005550006"),
        ("_twilio_ring_timeout", "20"),
        ("_telephony_language", "fr"),
    ];
    assert_eq!(put(&mut config, &ok), Ok(()));
    let twilio = config
        .callback_service("t")
        .ok()
        .and_then(|s| s.scenario.twilio);
    assert_eq!(
        twilio,
        Some(Twilio {
            account_sid: sid.into(),
            caller_id: "+15005550006".into(),
            ring_timeout: 20,
            machine_detection: true,
            language: "fr".into(),
            sms_from: "+15005550006".into(),
            inbound: false,
            offer_interval: 30,
        })
    );
    let texting = [
        ("_sms_reminder", "3600"),
        ("_twilio_sms_from", "+15005550007"),
    ];
    assert_eq!(put(&mut config, &[&ok[..], &texting[..]].concat()), Ok(()));
    let texts = config.callback_service("t").map(|s| s.scenario.texts);
    assert_eq!(texts.map(|t| (t.reminder_secs, t.any())), Ok((3600, true)));
    let bad_from = [("_twilio_sms_from", "tomorrow")];
    assert_eq!(
        fails(&mut config, &[&ok[..], &bad_from[..]].concat()),
        "_twilio_sms_from"
    );
    let mut other = demo_config();
    let err = other.put(
        "service.u",
        options(&[("_service", "callback"), ("_telephony", "carrier-pigeon")]),
    );
    assert_eq!(err.err().map(|e| e.option).as_deref(), Some("_telephony"));
    let texts_alone = options(&[("_service", "callback"), ("_sms_confirmation", "true")]);
    let err = other.put("service.u", texts_alone);
    assert_eq!(err.err().map(|e| e.option).as_deref(), Some("_telephony"));
}

#[test]
fn errors_name_the_option() {
    let mut config = demo_config();
    let put = |config: &mut Config, pairs: &[(&str, &str)]| {
        config.put("service.x", options(pairs)).unwrap_err().option
    };
    assert_eq!(
        put(
            &mut config,
            &[
                ("_service", "office-hours"),
                ("_bh_regular3", "Mon-Fri 9-5")
            ]
        ),
        "_bh_regular3"
    );
    assert_eq!(
        put(
            &mut config,
            &[("_service", "office-hours"), ("_timezone", "Mars/Base")]
        ),
        "_timezone"
    );
    assert_eq!(
        put(
            &mut config,
            &[("_service", "capacity"), ("_capacity_2", "{\"2\": 3}")]
        ),
        "_capacity_2"
    );
    assert_eq!(
        put(
            &mut config,
            &[("_service", "callback"), ("_request_time_bucket", "7")]
        ),
        "_request_time_bucket"
    );
    assert_eq!(
        put(
            &mut config,
            &[("_service", "callback"), ("_ttl", "forever")]
        ),
        "_ttl"
    );
    assert_eq!(
        put(
            &mut config,
            &[("_service", "callback"), ("_wait_for_agent", "maybe")]
        ),
        "_wait_for_agent"
    );
    assert_eq!(
        put(
            &mut config,
            &[
                ("_service", "callback"),
                ("_reject_future_desired_time", "1x")
            ]
        ),
        "_reject_future_desired_time"
    );
    assert_eq!(
        put(
            &mut config,
            &[
                ("_service", "callback"),
                ("_business_hours_service", "nowhere")
            ]
        ),
        "_business_hours_service"
    );
    assert_eq!(
        put(
            &mut config,
            &[
                ("_service", "callback"),
                ("_capacity_service", "office-paris")
            ]
        ),
        "_capacity_service"
    );
    assert_eq!(
        put(
            &mut config,
            &[("_service", "callback"), ("_default_country", "ZZ")]
        ),
        "_default_country"
    );
    assert_eq!(
        put(
            &mut config,
            &[
                ("_service", "callback"),
                ("_enable_in_queue_checking", "sometimes")
            ]
        ),
        "_enable_in_queue_checking"
    );
    assert_eq!(
        put(
            &mut config,
            &[("_service", "callback"), ("_client_rate_limit", "many")]
        ),
        "_client_rate_limit"
    );
    assert_eq!(
        put(
            &mut config,
            &[("_service", "callback"), ("_number_rate_limit", "0/60")]
        ),
        "_number_rate_limit"
    );
    assert_eq!(
        put(
            &mut config,
            &[
                ("_service", "callback"),
                ("_callback_events_list", "_cbe_on_lunch")
            ]
        ),
        "_callback_events_list"
    );
    assert_eq!(
        put(
            &mut config,
            &[
                ("_service", "request-access"),
                ("_access_numbers", "+1800,12")
            ]
        ),
        "_access_numbers"
    );
    assert_eq!(put(&mut config, &[("_service", "teleport")]), "_service");
    assert_eq!(
        config
            .put("service.a/b", options(&[("_service", "callback")]))
            .unwrap_err()
            .option,
        "section"
    );
    assert!(
        config.section("service.x").is_none(),
        "a refused section is not stored"
    );
}

#[test]
fn sections_in_use_cannot_break_their_users() {
    let mut config = demo_config();
    assert_eq!(
        config.delete("service.office-paris").unwrap_err().option,
        "_business_hours_service"
    );
    let err = config
        .put(
            "service.capacity-paris",
            options(&[("_service", "office-hours")]),
        )
        .unwrap_err();
    assert_eq!(err.option, "_capacity_service");
    assert!(config.delete("service.callback-web").unwrap());
    assert!(config.delete("service.office-paris").unwrap());
    assert!(!config.delete("service.office-paris").unwrap());
}

#[test]
fn unknown_options_are_kept_and_ignored() {
    let mut config = Config::new();
    config
        .put(
            "service.cb",
            options(&[
                ("_service", "callback"),
                ("_vq", "VQ_1"),
                ("colour", "blue"),
            ]),
        )
        .unwrap();
    assert_eq!(
        config
            .section("service.cb")
            .unwrap()
            .get("colour")
            .map(String::as_str),
        Some("blue")
    );
    assert!(config.callback_service("cb").is_ok());
}

#[test]
fn bucket_zone_is_the_capacity_zone_else_the_office_zone() {
    let s = demo_config().callback_service("callback-web").unwrap();
    assert_eq!(s.schedule.zone.name(), "Europe/Paris");
    assert_eq!(s.schedule.bucket_minutes, 15);
    assert_eq!(s.phone.default_country.iso, "FR");
}

#[test]
fn horizons() {
    let now = crate::iso::parse("2026-01-31T10:00:00Z").unwrap();
    assert_eq!(
        crate::iso::format(Horizon::parse("1M").unwrap().limit(now)),
        "2026-02-28T10:00:00.000Z"
    );
    assert_eq!(
        crate::iso::format(Horizon::parse("2w").unwrap().limit(now)),
        "2026-02-14T10:00:00.000Z"
    );
    assert_eq!(
        crate::iso::format(Horizon::parse("1y").unwrap().limit(now)),
        "2027-01-31T10:00:00.000Z"
    );
    assert_eq!(
        crate::iso::format(Horizon::parse("90m").unwrap().limit(now)),
        "2026-01-31T11:30:00.000Z"
    );
    assert!(
        Horizon::parse("M1").is_none()
            && Horizon::parse("").is_none()
            && Horizon::parse("0d").is_none()
    );
}
