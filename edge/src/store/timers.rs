//! Callbacks' timers, and what the alarm needs to know of them.

use super::*;

impl Store {
    /// Timers due at `now`, earliest first.
    pub fn due_timers(&self, now: DateTime<Utc>, limit: u32) -> ApiResult<Vec<(String, Timer)>> {
        let rows: Vec<TimerRow> = self.sql.exec(&format!("SELECT callback_id, kind FROM timers WHERE due_ms <= ? ORDER BY due_ms LIMIT {limit}"), vec![ms(now)])?.to_array()?;
        Ok(rows
            .into_iter()
            .filter_map(|r| Some((r.callback_id, r.kind.parse().ok()?)))
            .collect())
    }

    pub fn clear_timer(&self, id: &str, timer: Timer) -> ApiResult<()> {
        self.sql.exec(
            "DELETE FROM timers WHERE callback_id = ? AND kind = ?",
            vec![id.into(), timer.as_str().into()],
        )?;
        Ok(())
    }

    /// When a callback's timer is due, if set.
    pub fn timer_due(&self, id: &str, timer: Timer) -> ApiResult<Option<DateTime<Utc>>> {
        let row: Due = self
            .sql
            .exec(
                "SELECT max(due_ms) AS due FROM timers WHERE callback_id = ? AND kind = ?",
                vec![id.into(), timer.as_str().into()],
            )?
            .one()?;
        Ok(row.due.map(time))
    }

    pub fn next_due(&self) -> ApiResult<Option<DateTime<Utc>>> {
        let row: Due = self
            .sql
            // Of the outbox, only each callback's first undelivered row of a kind is ever due: a
            // row waiting behind one in backoff must not ring the alarm.
            .exec(
                "SELECT min(due) AS due FROM (SELECT min(due_ms) AS due FROM timers UNION ALL SELECT min(next_ms) FROM outbox o WHERE delivered_ms IS NULL
                 AND seq = (SELECT min(seq) FROM outbox WHERE callback_id = o.callback_id AND kind = o.kind AND delivered_ms IS NULL))",
                None,
            )?
            .one()?;
        Ok(row.due.map(time))
    }

    pub fn take_earliest_set(&self) -> Option<i64> {
        self.earliest_set.take()
    }

    pub fn writes(&self) -> u64 {
        self.writes.get()
    }
}
