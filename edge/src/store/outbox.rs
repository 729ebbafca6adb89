//! The outbox: webhooks (notifications, dials) queued in the step that caused them, delivered
//! in order per callback and kind.

use super::*;

impl Store {
    /// Puts a webhook in the outbox, numbered in order for its callback and kind.
    pub(super) fn enqueue(
        &self,
        c: &Callback,
        kind: &str,
        body: impl FnOnce(i64) -> serde_json::Result<String>,
    ) -> ApiResult<()> {
        let last: Seq = self.sql.exec("SELECT coalesce(max(seq), 0) AS seq FROM outbox WHERE callback_id = ? AND kind = ?", vec![c.id.as_str().into(), kind.into()])?.one()?;
        let seq = last.seq.saturating_add(1);
        self.sql.exec(
            "INSERT INTO outbox (callback_id, kind, seq, body, next_ms, created_ms) VALUES (?, ?, ?, ?, ?, ?)",
            vec![c.id.as_str().into(), kind.into(), V::Integer(seq), body(seq).map_err(|e| ApiError::Internal(e.to_string()))?.into(), ms(c.updated), ms(c.updated)],
        )?;
        let due = c.updated.timestamp_millis();
        self.earliest_set
            .set(Some(self.earliest_set.get().map_or(due, |e| e.min(due))));
        Ok(())
    }

    /// Webhooks due at `now`: for each callback and kind only its first undelivered one (in order).
    pub fn due_webhooks(&self, now: DateTime<Utc>, limit: u32) -> ApiResult<Vec<Pending>> {
        Ok(self
            .sql
            .exec(
                &format!(
                    "SELECT id, kind, body, attempts, created_ms FROM outbox o WHERE delivered_ms IS NULL AND next_ms <= ?
                     AND seq = (SELECT min(seq) FROM outbox WHERE callback_id = o.callback_id AND kind = o.kind AND delivered_ms IS NULL) ORDER BY id LIMIT {limit}"
                ),
                vec![ms(now)],
            )?
            .to_array()?)
    }

    pub fn delivered(&self, id: i64, now: DateTime<Utc>) -> ApiResult<()> {
        self.sql.exec(
            "UPDATE outbox SET delivered_ms = ? WHERE id = ?",
            vec![ms(now), V::Integer(id)],
        )?;
        // A purged callback's last webhooks outlived its record only to be sent: sent, they go.
        self.sql.exec(
            "DELETE FROM outbox WHERE id = ? AND callback_id NOT IN (SELECT id FROM callbacks)",
            vec![V::Integer(id)],
        )?;
        Ok(())
    }

    pub fn retry_later(&self, id: i64, attempts: i64, next: DateTime<Utc>) -> ApiResult<()> {
        self.sql.exec(
            "UPDATE outbox SET attempts = ?, next_ms = ? WHERE id = ?",
            vec![V::Integer(attempts), ms(next), V::Integer(id)],
        )?;
        Ok(())
    }
}
