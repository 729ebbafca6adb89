//! When webhooks (notifications, dials) are tried again: with backoff, doubling up to about four
//! minutes, until a day after they were queued.

use chrono::Duration;

/// How long an undelivered webhook is tried before it is abandoned.
const GIVE_UP_AFTER_MS: i64 = 86_400_000;

/// The wait before the next try, after `failures` failed tries (1 or more): 2 s, 4 s, … 256 s.
pub fn backoff(failures: i64) -> Duration {
    let exponent = u32::try_from(failures.clamp(0, 8)).unwrap_or(8);
    Duration::seconds(2i64.pow(exponent))
}

/// Whether a webhook queued at `queued_ms` is given up at `now_ms`.
pub fn abandoned(queued_ms: i64, now_ms: i64) -> bool {
    now_ms.saturating_sub(queued_ms) > GIVE_UP_AFTER_MS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_256_seconds() {
        let secs: Vec<i64> = (1..=10).map(|n| backoff(n).num_seconds()).collect();
        assert_eq!(secs, [2, 4, 8, 16, 32, 64, 128, 256, 256, 256]);
        assert_eq!(backoff(i64::MAX).num_seconds(), 256);
        assert_eq!(backoff(-3).num_seconds(), 1);
    }

    #[test]
    fn a_day_then_abandoned() {
        assert!(!abandoned(0, 86_400_000));
        assert!(abandoned(0, 86_400_001));
        assert!(!abandoned(i64::MAX, i64::MIN));
    }
}
