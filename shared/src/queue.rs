//! Queue position and estimated wait.
//!
//! Estimated wait (seconds) = ⌈ callbacks ahead × average handle time ÷ ready agents ⌉, with at least
//! one agent counted (nobody ready still means the queue moves at one agent's pace once someone
//! is). The average handle time is the service's recent one (the mean of its last completed
//! calls), else `_average_handle_time` **[ext]** (default 300 s).

/// Seconds until the callback with `ahead` callbacks before it reaches an agent.
pub fn estimated_wait(ahead: u32, average_handle_secs: u32, ready_agents: u32) -> u32 {
    let agents = u64::from(ready_agents.max(1));
    let total = u64::from(ahead).saturating_mul(u64::from(average_handle_secs));
    u32::try_from(total.div_ceil(agents)).unwrap_or(u32::MAX)
}

/// The mean of recent handle times, or `default` when there are none.
pub fn average_handle_time(recent_secs: &[u32], default: u32) -> u32 {
    if recent_secs.is_empty() {
        return default;
    }
    let sum = recent_secs
        .iter()
        .fold(0u64, |sum, &s| sum.saturating_add(u64::from(s)));
    let count = u64::try_from(recent_secs.len()).unwrap_or(u64::MAX);
    u32::try_from(sum.checked_div(count).unwrap_or(0)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_documented_formula() {
        assert_eq!(estimated_wait(0, 300, 2), 0);
        assert_eq!(estimated_wait(3, 300, 1), 900);
        assert_eq!(estimated_wait(3, 300, 2), 450);
        assert_eq!(estimated_wait(1, 100, 3), 34, "rounded up");
        assert_eq!(
            estimated_wait(4, 60, 0),
            240,
            "no ready agent counts as one"
        );
        assert_eq!(average_handle_time(&[], 300), 300);
        assert_eq!(average_handle_time(&[100, 200, 600], 300), 300);
    }

    proptest! {
        #[test]
        fn more_agents_never_wait_longer(ahead in 0u32..10_000, aht in 0u32..7200, agents in 0u32..500) {
            prop_assert!(estimated_wait(ahead, aht, agents + 1) <= estimated_wait(ahead, aht, agents));
            prop_assert!(estimated_wait(ahead + 1, aht, agents) >= estimated_wait(ahead, aht, agents));
        }
    }
}
