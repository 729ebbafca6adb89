//! The services' clock. Deployed, it is the platform's. A local run may shift it by the
//! `CLOCK_OFFSET_MS` variable (milliseconds; development and tests only, never set in a
//! deployment), so that the whole suite can be run at another hour, weekday or date: decisions
//! read the shifted time, and alarms are set back on the platform's clock.
//!
//! Where `CLOCK_CONTROL` is `on` (tests only, never in a deployment), tests also move one
//! service's clock forward (`POST /genesys/1/dev/clock/{service}`, see `front.rs`) instead of
//! waiting for its timers, retries and alarms.

use callback_shared::iso::Shift;
use chrono::{DateTime, Duration, Utc};
use std::cell::Cell;
use worker::Env;

thread_local! {
    static OFFSET_MS: Cell<i64> = const { Cell::new(0) };
}

/// Reads the offset, if the environment sets one.
pub fn init(env: &Env) {
    let offset = env
        .var("CLOCK_OFFSET_MS")
        .ok()
        .and_then(|v| v.to_string().trim().parse::<i64>().ok())
        .unwrap_or(0);
    OFFSET_MS.with(|o| o.set(offset));
}

fn offset() -> Duration {
    Duration::milliseconds(OFFSET_MS.with(Cell::get))
}

pub fn now() -> DateTime<Utc> {
    Utc::now().plus(offset())
}

/// An instant of this clock on the platform's (where alarms ring).
pub fn on_platform(t: DateTime<Utc>) -> DateTime<Utc> {
    t.minus(offset())
}

/// The path under which tests move a service's clock, where [`controllable`].
pub const CONTROL_PATH: &str = "/genesys/1/dev/clock/";

/// The path under which tests compare a service's SQL ledger with the reference one, where
/// [`controllable`] (a test runtime).
pub const LEDGER_PATH: &str = "/genesys/1/dev/ledger/";

/// The path under which benchmarks fill a service with a year of reports' facts, where
/// [`controllable`].
pub const FACTS_PATH: &str = "/genesys/1/dev/facts/";

/// Whether tests may move services' clocks: only where the runtime sets `CLOCK_CONTROL=on`.
pub fn controllable(env: &Env) -> bool {
    env.var("CLOCK_CONTROL")
        .is_ok_and(|v| v.to_string().trim() == "on")
}

/// How far to move a clock: `advance_ms`, from 0 (run what is due now) to 400 days.
pub fn advance(params: &callback_shared::params::Params) -> Result<i64, String> {
    const MAX_MS: i64 = 400 * 86_400_000;
    let text = callback_shared::params::given(params, "advance_ms").unwrap_or("0");
    text.parse::<i64>()
        .ok()
        .filter(|ms| (0..=MAX_MS).contains(ms))
        .ok_or_else(|| {
            format!("advance_ms: `{text}` is not a whole number of milliseconds from 0 to {MAX_MS}")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_move_is_0_to_400_days_of_milliseconds() {
        let of = |v: &str| advance(&[("advance_ms".to_string(), v.to_string())].into());
        assert_eq!(advance(&Default::default()), Ok(0), "none: what is due now");
        assert_eq!(of("1500"), Ok(1500));
        assert_eq!(of("34560000000"), Ok(34_560_000_000));
        for bad in ["-1", "1.5", "soon", "34560000001", "99999999999999999999"] {
            assert!(
                of(bad).is_err_and(|e| e.starts_with("advance_ms:")),
                "{bad}"
            );
        }
    }
}
