//! What the crate's tests share: moments, sections, the demo's configuration.

use crate::config::{Config, Options};
use chrono::{DateTime, Utc};

/// A moment written in ISO 8601.
pub fn t(s: &str) -> DateTime<Utc> {
    crate::iso::parse(s).unwrap()
}

pub fn options(pairs: &[(&str, &str)]) -> Options {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The demo's web callback service: Paris office hours and hourly capacity, 15-minute buckets.
pub fn demo_config() -> Config {
    let mut config = Config::new();
    config
        .put(
            "service.office-paris",
            options(&[
                ("_type", "builtin"),
                ("_service", "office-hours"),
                ("_timezone", "Europe/Paris"),
                ("_bh_regular1", "Mon-Fri 08:00-20:00"),
                ("_bh_regular2", "Sat 09:00-13:00"),
                ("_holiday1", "12-25"),
            ]),
        )
        .unwrap();
    config
        .put(
            "service.capacity-paris",
            options(&[
                ("_type", "builtin"),
                ("_service", "capacity"),
                ("_timezone", "Europe/Paris"),
                ("_capacity_1", r#"{"1":{"0800":2,"0900":3,"1000":3,"1100":3,"1200":1,"1300":1,"1400":3,"1500":3,"1600":3,"1700":2,"1800":2,"1900":1}}"#),
                ("_capacity_6", r#"{"6":{"0900":1,"1000":2,"1100":2,"1200":1}}"#),
            ]),
        )
        .unwrap();
    config
        .put(
            "service.callback-web",
            options(&[
                ("_type", "ors"),
                ("_service", "callback"),
                ("_business_hours_service", "office-paris"),
                ("_capacity_service", "capacity-paris"),
                ("_request_time_bucket", "15"),
                ("_default_country", "FR"),
            ]),
        )
        .unwrap();
    config
}
