//! What decisions read and remember: bookings and counts (the [`Ledger`]), accepted creates for
//! throttles, idempotent answers, signatures already used.

use super::*;

impl Store {
    /// Remembers an accepted create for the throttles: counted per second for the windows (so a
    /// window costs at most one row per second, however busy), and once per throttled parameter.
    pub fn remember_accepted(
        &self,
        now: DateTime<Utc>,
        parameters: &[(String, String)],
    ) -> ApiResult<()> {
        if now.timestamp_millis().saturating_sub(self.pruned.get()) > 60_000 {
            let keep_from = now.timestamp_millis().saturating_sub(ACCEPTED_KEEP_MS);
            self.sql.exec(
                "DELETE FROM accepted WHERE time_ms < ?",
                vec![V::Integer(keep_from)],
            )?;
            self.sql.exec(
                "DELETE FROM accepted_seconds WHERE second < ?",
                vec![V::Integer(keep_from / 1000)],
            )?;
            self.pruned.set(now.timestamp_millis());
        }
        self.sql.exec("INSERT INTO accepted_seconds (second, n) VALUES (?, 1) ON CONFLICT (second) DO UPDATE SET n = n + 1", vec![V::Integer(now.timestamp())])?;
        for (key, value) in parameters {
            self.sql.exec(
                "INSERT INTO accepted (time_ms, key, value) VALUES (?, ?, ?)",
                vec![ms(now), key.as_str().into(), value.as_str().into()],
            )?;
        }
        Ok(())
    }

    /// Forgets the creates remembered with `key` = `value`; answers how many.
    pub fn forget_accepted(&self, key: &str, value: &str) -> ApiResult<u32> {
        let n = self.count(
            "SELECT count(*) AS n FROM accepted WHERE key = ? AND value = ?",
            vec![key.into(), value.into()],
        )?;
        self.sql.exec(
            "DELETE FROM accepted WHERE key = ? AND value = ?",
            vec![key.into(), value.into()],
        )?;
        Ok(n)
    }

    /// Forgets the idempotent answers that created callback `id`.
    pub fn forget_answers(&self, id: &str) -> ApiResult<()> {
        self.sql.exec(
            "DELETE FROM idempotency WHERE answer LIKE ?",
            vec![format!("%\"{id}\"%").into()],
        )?;
        Ok(())
    }

    /// Notes a signed request's signature until `until`; answers whether it is its first use.
    pub fn first_use(
        &self,
        signature: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> ApiResult<bool> {
        self.sql
            .exec("DELETE FROM signatures WHERE until_ms < ?", vec![ms(now)])?;
        let seen = self
            .sql
            .exec(
                "SELECT 1 AS seen FROM signatures WHERE signature = ?",
                vec![signature.into()],
            )?
            .to_array::<serde_json::Value>()?;
        if !seen.is_empty() {
            return Ok(false);
        }
        self.sql.exec(
            "INSERT INTO signatures (signature, until_ms) VALUES (?, ?)",
            vec![signature.into(), ms(until)],
        )?;
        Ok(true)
    }

    pub fn idempotent(&self, key: &str, now: DateTime<Utc>) -> ApiResult<Option<Remembered>> {
        self.sql.exec(
            "DELETE FROM idempotency WHERE created_ms < ?",
            vec![V::Integer(
                now.timestamp_millis().saturating_sub(IDEMPOTENCY_MS),
            )],
        )?;
        Ok(self
            .sql
            .exec(
                "SELECT body, answer FROM idempotency WHERE key = ?",
                vec![key.into()],
            )?
            .to_array::<Remembered>()?
            .into_iter()
            .next())
    }

    /// Remembers a create's answer for its Idempotency-Key (only successful answers are kept).
    pub fn remember_answer(
        &self,
        key: &str,
        body: &str,
        answer: &str,
        now: DateTime<Utc>,
    ) -> ApiResult<()> {
        self.sql.exec(
            "INSERT OR REPLACE INTO idempotency (key, body, status, answer, created_ms) VALUES (?, ?, 200, ?, ?)",
            vec![key.into(), body.into(), answer.into(), ms(now)],
        )?;
        Ok(())
    }
}

impl Ledger for Store {
    /// One row, `bucket:count,…`: thousands of rows would each cross the JS boundary. The
    /// condition is written as the partial index `callbacks_bucket`'s is, so that SQLite uses it.
    fn bookings(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Bookings, StorageError> {
        let row: Packed = self
            .sql
            .exec(
                "SELECT group_concat(bucket_ms || ':' || n) AS packed FROM (SELECT bucket_ms, count(*) AS n FROM callbacks
                 WHERE bucket_ms IS NOT NULL AND state <> 'COMPLETED' AND bucket_ms >= ? AND bucket_ms < ? GROUP BY bucket_ms)",
                vec![ms(from), ms(to)],
            )
            .and_then(|c| c.one())
            .map_err(storage)?;
        row.packed
            .unwrap_or_default()
            .split(',')
            .filter(|p| !p.is_empty())
            .map(|pair| {
                let (b, n) = pair
                    .split_once(':')
                    .ok_or_else(|| StorageError(format!("bad bookings row {pair}")))?;
                let parse = |t: &str| t.parse::<i64>().map_err(|e| StorageError(e.to_string()));
                Ok((
                    time(parse(b)?),
                    u32::try_from(parse(n)?).unwrap_or(u32::MAX),
                ))
            })
            .collect()
    }

    /// One statement for every count (each statement crosses into the runtime). Windows count to
    /// the second: a window's first second counts whole.
    fn counts(&self, ask: &CountsAsk) -> Result<Counts, StorageError> {
        let (in_queue, queue_states) = in_queue();
        let mut query = format!(
            "SELECT (SELECT count(*) FROM callbacks WHERE number = ? AND state <> 'COMPLETED'),
                    (SELECT coalesce(sum(n), 0) FROM accepted_seconds WHERE second >= ?),
                    (SELECT coalesce(sum(n), 0) FROM accepted_seconds WHERE second >= ?),
                    (SELECT coalesce(sum(n), 0) FROM state_counts WHERE {in_queue})"
        );
        let [first, second] = ask.windows;
        let mut bindings: Vec<V> = vec![
            ask.number.as_str().into(),
            V::Integer(first.timestamp()),
            V::Integer(second.timestamp()),
        ];
        bindings.extend(queue_states);
        for (key, value) in &ask.parameters {
            query.push_str(
                ", (SELECT count(*) FROM accepted WHERE key = ? AND value = ? AND time_ms >= ?)",
            );
            bindings.extend([
                key.as_str().into(),
                value.as_str().into(),
                ms(ask.day_start),
            ]);
        }
        let row = self
            .sql
            .exec(&query, bindings)
            .map_err(storage)?
            .raw()
            .next()
            .ok_or_else(|| StorageError("no counts".into()))?
            .map_err(storage)?;
        let n: Vec<u32> = row
            .iter()
            .map(|v| {
                if let V::Integer(i) = v {
                    u32::try_from(*i).unwrap_or(u32::MAX)
                } else {
                    0
                }
            })
            .collect();
        match n.as_slice() {
            [open, first, second, queued, today @ ..] if today.len() == ask.parameters.len() => {
                Ok(Counts {
                    open_for_number: *open,
                    windows: [*first, *second],
                    queued: *queued,
                    parameters_today: today.to_vec(),
                })
            }
            _ => Err(StorageError("counts of the wrong shape".into())),
        }
    }
}
