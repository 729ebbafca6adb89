//! The services' clock. Deployed, it is the platform's. A local run may shift it by the
//! `CLOCK_OFFSET_MS` variable (milliseconds; development and tests only, never set in a
//! deployment), so that the whole suite can be run at another hour, weekday or date: decisions
//! read the shifted time, and alarms are set back on the platform's clock.

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
