//! Tests only: the SQL ledger compared with `shared`'s reference, `MemoryLedger`, built from the
//! same stored callbacks. The counts a create is checked against and the bookings of every
//! bucket must agree; a counter kept by the store (callbacks in queue) that drifted would show.

use super::ServiceObject;
use crate::error::ApiResult;
use callback_shared::config::CallbackService;
use callback_shared::create::{CountsAsk, Ledger, MemoryLedger};
use callback_shared::iso::Shift;
use chrono::{DateTime, Duration, NaiveTime, Utc};
use std::collections::BTreeSet;

/// What the comparison found.
#[derive(serde::Serialize)]
pub struct LedgerCheck {
    pub callbacks: usize,
    pub asks: usize,
    pub differences: Vec<String>,
}

impl ServiceObject {
    pub(super) fn ledger_check(&self, service: &CallbackService) -> ApiResult<LedgerCheck> {
        let now = self.now();
        let all = self.store.matching(|_| true, usize::MAX)?;
        let mut reference = MemoryLedger::default();
        for callback in &all {
            reference.record(callback.clone(), callback.created);
        }
        // The store counts accepted creates per second: windows start on a whole second.
        let second = |t: DateTime<Utc>| DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t);
        let windows = service
            .limits
            .windows
            .map(|w| second(now.minus(Duration::seconds(i64::from(w.seconds)))));
        let day_start = now.date_naive().and_time(NaiveTime::MIN).and_utc();
        let mut numbers: BTreeSet<String> = all.iter().map(|c| c.customer_number.clone()).collect();
        numbers.insert(String::new());
        let mut differences = Vec::new();
        for number in &numbers {
            let ask = CountsAsk {
                number: number.clone(),
                parameters: vec![("_customer_number".to_string(), number.clone())],
                day_start,
                windows,
            };
            let (sql, memory) = (self.store.counts(&ask), reference.counts(&ask));
            if sql != memory {
                differences.push(format!(
                    "counts for `{number}`: store {sql:?}, reference {memory:?}"
                ));
            }
        }
        let (from, to) = (now.minus(Duration::days(2)), now.plus(Duration::days(400)));
        let (sql, memory) = (self.store.bookings(from, to), reference.bookings(from, to));
        if sql != memory {
            differences.push(format!("bookings: store {sql:?}, reference {memory:?}"));
        }
        Ok(LedgerCheck {
            callbacks: all.len(),
            asks: numbers.len().saturating_add(1),
            differences,
        })
    }
}
