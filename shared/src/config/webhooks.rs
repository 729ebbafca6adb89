//! Where the service sends webhooks — status notifications and a dialer's requests — and which
//! events it notifies.

use super::catalogue as c;
use super::reader::Reader;
use super::ConfigError;
use crate::params;

/// Status notifications (`_cbe_on_*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notifications {
    pub target: Option<String>,
    /// Empty = every event.
    pub events: Vec<String>,
    /// `_webhook_secret` **[ext]**: signs notifications (empty: the deployment's secret).
    pub secret: String,
}

impl Notifications {
    pub fn wants(&self, event: &str) -> bool {
        self.target.is_some() && (self.events.is_empty() || self.events.iter().any(|e| e == event))
    }
}

pub const NOTIFICATION_EVENTS: [&str; 11] = [
    "_cbe_on_callback_scheduled",
    "_cbe_on_callback_rescheduled",
    "_cbe_on_callback_queued",
    "_cbe_on_callback_submitted",
    "_cbe_on_callback_cancelled",
    "_cbe_on_callback_status_updated",
    "_cbe_on_target_found",
    "_cbe_on_dial_init",
    "_cbe_on_dial_done",
    "_cbe_on_route_to_agent",
    "_cbe_on_service_exit",
];

impl Notifications {
    pub(super) fn read(r: &Reader) -> Result<Notifications, ConfigError> {
        let target = r.text(&c::NOTIFICATION_TARGET);
        let target = match r.choice(&c::ENABLE_NOTIFICATION)? {
            "false" => None,
            _ if is_webhook_url(&target) => Some(target),
            _ => {
                return Err(ConfigError::new(
                    c::NOTIFICATION_TARGET.name,
                    format!("{WEBHOOK_URL} when notifications are on"),
                ))
            }
        };
        let events = params::list(&r.text(&c::EVENTS_LIST));
        if let Some(e) = events
            .iter()
            .find(|e| !NOTIFICATION_EVENTS.contains(&e.as_str()))
        {
            return Err(ConfigError::new(
                c::EVENTS_LIST.name,
                format!("unknown event `{e}`"),
            ));
        }
        Ok(Notifications {
            target,
            events,
            secret: r.text(&c::WEBHOOK_SECRET),
        })
    }
}

/// `_dialer_url`, when set.
pub(super) fn dialer_url(r: &Reader) -> Result<Option<String>, ConfigError> {
    let url = r.text(&c::DIALER_URL);
    if url.is_empty() {
        Ok(None)
    } else if is_webhook_url(&url) {
        Ok(Some(url))
    } else {
        Err(ConfigError::new(c::DIALER_URL.name, WEBHOOK_URL))
    }
}

/// Where webhooks may be sent: `https://`, or plain `http://` only to this machine (development).
/// No credentials in the URL.
fn is_webhook_url(url: &str) -> bool {
    let (secure, rest) = match (url.strip_prefix("https://"), url.strip_prefix("http://")) {
        (Some(rest), _) => (true, rest),
        (None, Some(rest)) => (false, rest),
        _ => return false,
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.split(':').next().unwrap_or(""),
    };
    let local = host.eq_ignore_ascii_case("localhost")
        || host == "::1"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback());
    !host.is_empty()
        && !authority.contains('@')
        && !url.contains(char::is_whitespace)
        && (secure || local)
}

const WEBHOOK_URL: &str =
    "must be an https:// URL (plain http:// only to localhost, for development)";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{demo_config, options};

    #[test]
    fn webhooks_go_to_https_or_to_this_machine() {
        for good in [
            "https://dialer.example.com/dial",
            "https://10.0.0.5:8443/x",
            "http://localhost:9000/hook",
            "http://127.0.0.1:35111/",
            "http://[::1]:80/x",
        ] {
            assert!(is_webhook_url(good), "{good}");
        }
        for bad in [
            "http://dialer.example.com/dial",
            "http://127.evil.example/x",
            "http://localhost.evil.example/",
            "https://user:pw@dialer.example.com/",
            "ftp://x",
            "https://",
            "https:// spaced.example",
            "javascript:alert(1)",
            "http://10.0.0.5/x",
        ] {
            assert!(!is_webhook_url(bad), "{bad}");
        }
        let mut config = demo_config();
        let err = config
            .put(
                "service.x",
                options(&[
                    ("_service", "callback"),
                    ("_dialer_url", "http://dialer.example.com/dial"),
                ]),
            )
            .unwrap_err();
        assert_eq!(err.option, "_dialer_url");
    }
}
