//! Queue limits and throttles as pure decisions, with GMS's messages. The caller counts (in one
//! atomic read of its storage); these functions decide.

use crate::config::{InQueueCheck, Limits, Window};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    #[error("Limit of queued callbacks for {service} is reached.")]
    QueueFull { service: String },
    #[error("Limit of queued callbacks for {service} is reached for interval {seconds}s.")]
    Throttled { service: String, seconds: u32 },
    #[error("Callback for {key}={value} rejected because previous callbacks for this parameter were requested for more than {limit} times today.")]
    DailyLimit {
        key: String,
        value: String,
        limit: u32,
    },
    #[error("Callback for _customer_number={number} rejected because {open} callbacks for this number are already in the queue.")]
    Duplicate { number: String, open: u32 },
}

/// `_max_queued_callbacks_per_service`, for immediate creates: `queued` callbacks already wait.
pub fn check_queued(service: &str, limits: &Limits, queued: u32) -> Result<(), LimitError> {
    if queued >= limits.max_queued {
        return Err(LimitError::QueueFull {
            service: service.to_string(),
        });
    }
    Ok(())
}

/// The two sliding windows: `accepted[i]` creates were accepted in the last `windows[i].seconds`.
/// When both are exceeded, window 1 is named.
pub fn check_windows(service: &str, limits: &Limits, accepted: [u32; 2]) -> Result<(), LimitError> {
    match limits
        .windows
        .iter()
        .zip(accepted)
        .find(|(w, n)| *n >= w.limit)
    {
        Some((w, _)) => Err(LimitError::Throttled {
            service: service.to_string(),
            seconds: w.seconds,
        }),
        None => Ok(()),
    }
}

/// `_throttle_request_parameters_limit`: `today` creates with `key=value` were accepted this UTC day.
pub fn check_daily(limits: &Limits, key: &str, value: &str, today: u32) -> Result<(), LimitError> {
    if today >= limits.per_parameter_daily {
        return Err(LimitError::DailyLimit {
            key: key.to_string(),
            value: value.to_string(),
            limit: limits.per_parameter_daily,
        });
    }
    Ok(())
}

/// `_enable_in_queue_checking`: the number already has `open` callbacks not COMPLETED.
pub fn check_in_queue(limits: &Limits, number: &str, open: u32) -> Result<(), LimitError> {
    let max = match limits.in_queue {
        InQueueCheck::Off => return Ok(()),
        InQueueCheck::Two => 2,
        InQueueCheck::One => 1,
    };
    if open >= max {
        return Err(LimitError::Duplicate {
            number: number.to_string(),
            open,
        });
    }
    Ok(())
}

/// Fixed-window counters per key (a client IP, a customer number, an access number), kept in
/// memory by their owner: they protect a service, they are not a ledger.
#[derive(Debug, Default)]
pub struct RateWindows {
    /// Per key: (window start in ms, count in it).
    counts: HashMap<String, (i64, u32)>,
}

/// Entries beyond which counters of past windows are dropped.
const MAX_KEYS: usize = 10_000;

impl RateWindows {
    /// Seconds to wait, when `key` has used up `window` already (this request not counted).
    pub fn over(&self, key: &str, window: Window, now_ms: i64) -> Option<u32> {
        let (start, count) = *self.counts.get(key)?;
        (now_ms.saturating_sub(start) < window_ms(window) && count >= window.limit)
            .then(|| wait_secs(start, window, now_ms))
    }

    /// Counts one for `key`; seconds to wait when it is past `window`'s limit.
    pub fn hit(&mut self, key: &str, window: Window, now_ms: i64) -> Option<u32> {
        if self.counts.len() > MAX_KEYS {
            self.counts
                .retain(|_, (start, _)| now_ms.saturating_sub(*start) < window_ms(window));
        }
        let entry = self.counts.entry(key.to_string()).or_insert((now_ms, 0));
        if now_ms.saturating_sub(entry.0) >= window_ms(window) {
            *entry = (now_ms, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        (entry.1 > window.limit).then(|| wait_secs(entry.0, window, now_ms))
    }

    pub fn forget(&mut self, key: &str) {
        self.counts.remove(key);
    }

    pub fn clear(&mut self) {
        self.counts.clear();
    }
}

fn window_ms(window: Window) -> i64 {
    i64::from(window.seconds).saturating_mul(1000)
}

fn wait_secs(start: i64, window: Window, now_ms: i64) -> u32 {
    let left_ms = start
        .saturating_add(window_ms(window))
        .saturating_sub(now_ms);
    u32::try_from((left_ms / 1000).max(1)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Window;

    fn limits() -> Limits {
        Limits {
            max_queued: 2,
            in_queue: InQueueCheck::Two,
            windows: [
                Window {
                    limit: 3,
                    seconds: 300,
                },
                Window {
                    limit: 5,
                    seconds: 3600,
                },
            ],
            throttle_parameters: vec!["_customer_number".into()],
            per_parameter_daily: 6,
            client_rate: Window {
                limit: 120,
                seconds: 60,
            },
            number_rate: Window {
                limit: 5,
                seconds: 60,
            },
        }
    }

    #[test]
    fn gms_messages() {
        let l = limits();
        assert_eq!(
            check_queued("cb", &l, 2).unwrap_err().to_string(),
            "Limit of queued callbacks for cb is reached."
        );
        assert!(check_queued("cb", &l, 1).is_ok());
        assert_eq!(
            check_windows("cb", &l, [3, 3]).unwrap_err().to_string(),
            "Limit of queued callbacks for cb is reached for interval 300s."
        );
        assert_eq!(
            check_windows("cb", &l, [2, 5]).unwrap_err().to_string(),
            "Limit of queued callbacks for cb is reached for interval 3600s."
        );
        assert_eq!(
            check_windows("cb", &l, [9, 9]).unwrap_err(),
            LimitError::Throttled {
                service: "cb".into(),
                seconds: 300
            },
            "window 1 is named first"
        );
        assert!(check_windows("cb", &l, [2, 4]).is_ok());
        assert_eq!(
            check_daily(&l, "_customer_number", "+15115", 6).unwrap_err().to_string(),
            "Callback for _customer_number=+15115 rejected because previous callbacks for this parameter were requested for more than 6 times today."
        );
        assert!(check_daily(&l, "_customer_number", "+15115", 5).is_ok());
    }

    #[test]
    fn in_queue_check_modes() {
        let mut l = limits();
        assert!(check_in_queue(&l, "+1", 1).is_ok());
        assert!(check_in_queue(&l, "+1", 2).is_err());
        l.in_queue = InQueueCheck::One;
        assert!(check_in_queue(&l, "+1", 1).is_err());
        l.in_queue = InQueueCheck::Off;
        assert!(check_in_queue(&l, "+1", 99).is_ok());
        l.max_queued = 0;
        assert!(
            check_queued("cb", &l, 0).is_err(),
            "0 rejects every immediate create"
        );
    }

    #[test]
    fn rate_windows_count_per_key_and_start_again() {
        let w = Window {
            limit: 2,
            seconds: 60,
        };
        let mut rates = RateWindows::default();
        assert_eq!(
            (rates.hit("a", w, 0), rates.hit("a", w, 1_000)),
            (None, None)
        );
        assert_eq!(
            rates.over("a", w, 2_000),
            Some(58),
            "used up: the wait is what is left of the window"
        );
        assert_eq!(rates.hit("a", w, 2_000), Some(58));
        assert_eq!(rates.hit("b", w, 2_000), None, "another key");
        assert_eq!(
            (rates.over("a", w, 60_000), rates.hit("a", w, 60_000)),
            (None, None),
            "a new window"
        );
        assert_eq!(rates.over("a", w, 119_500), None);
        rates.hit("a", w, 119_500);
        assert_eq!(
            rates.over("a", w, 119_900),
            Some(1),
            "never less than a second"
        );
        rates.forget("a");
        assert_eq!(rates.over("a", w, 119_900), None);
    }
}
