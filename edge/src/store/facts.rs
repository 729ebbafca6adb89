//! The reports' facts (`shared::stats::Fact`), written by the same run of statements as the change
//! that makes them true: a crash never counts half. A purge or an erase leaves them: they hold
//! times and counts, nothing that says who the callback was for.

use super::*;
use callback_shared::record::{Phase, State};
use callback_shared::scenario::{DialOutcome, Effect, Step};
use callback_shared::stats::{Fact, PACKED_LEN};

/// A UTC day, the unit facts are packed by.
const DAY_MS: i64 = 86_400_000;

impl Store {
    pub(super) fn note_facts(&self, step: &Step) -> ApiResult<()> {
        let c = &step.callback;
        let id = c.id.as_str();
        let promised = c.bucket.map(|_| ms(c.desired_time));
        // Rows of facts written by this step: most steps (a reservation, a preview) change none.
        let mut written = 0usize;
        let mut run = |sql: &str, args: Vec<V>| -> ApiResult<()> {
            written = written.saturating_add(self.sql.exec(sql, args)?.rows_written());
            Ok(())
        };
        if step
            .change
            .as_ref()
            .is_some_and(|change| change.from.is_none())
        {
            run(
                "INSERT OR IGNORE INTO facts (id, created_ms, promised_ms) VALUES (?, ?, ?)",
                vec![id.into(), ms(c.created), promised.unwrap_or(V::Null)],
            )?;
        } else if let Some(promised) = promised {
            // A scheduled callback moved before its first dial is promised its new time.
            run(
                "UPDATE facts SET promised_ms = ? WHERE id = ? AND promised_ms IS NOT NULL AND first_dial_ms IS NULL
                   AND promised_ms <> ?",
                vec![promised.clone(), id.into(), promised],
            )?;
        }
        for effect in &step.effects {
            let column = match effect {
                Effect::Dial { .. } => {
                    run(
                        "UPDATE facts SET attempts = attempts + 1, first_dial_ms = coalesce(first_dial_ms, ?) WHERE id = ?",
                        vec![ms(c.updated), id.into()],
                    )?;
                    continue;
                }
                // A chat counts like a call: its first agent joining is its first dial.
                Effect::ChatJoined { .. } => {
                    run(
                        "UPDATE facts SET first_dial_ms = ? WHERE id = ? AND first_dial_ms IS NULL",
                        vec![ms(c.updated), id.into()],
                    )?;
                    continue;
                }
                Effect::Outcome(DialOutcome::Answered) => "answered",
                Effect::Outcome(DialOutcome::Busy) => "busy",
                Effect::Outcome(DialOutcome::NoAnswer) => "no_answer",
                Effect::Outcome(DialOutcome::AnsweringMachine) => "machine",
                _ => continue,
            };
            run(
                &format!("UPDATE facts SET {column} = {column} + 1 WHERE id = ?"),
                vec![id.into()],
            )?;
        }
        if let (Some(change), Phase::Completed { reason }) = (&step.change, &c.phase) {
            if change.to == State::Completed {
                run(
                    "UPDATE facts SET reason = ? WHERE id = ?",
                    vec![reason.to_string().into(), id.into()],
                )?;
            }
        }
        // Invariant: a day's packed facts are its facts, or NULL (packed again when read).
        if written > 0 {
            self.sql.exec(
                "INSERT INTO fact_days (day) SELECT created_ms / 86400000 FROM facts WHERE id = ?
                 ON CONFLICT (day) DO UPDATE SET packed = NULL",
                vec![id.into()],
            )?;
        }
        Ok(())
    }

    /// Benchmarks only: a year of facts before `now`, 20 callbacks a day, half of them scheduled,
    /// most connected, in one statement. Answers how many.
    pub fn seed_facts(&self, now: DateTime<Utc>) -> ApiResult<u32> {
        const N: i64 = 365 * 20;
        self.sql.exec(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ? - 1)
             INSERT OR IGNORE INTO facts (id, created_ms, promised_ms, first_dial_ms, attempts, answered, busy, no_answer, machine, reason)
             SELECT 'seed-' || i, ? - i * 4320000, CASE WHEN i % 2 = 0 THEN ? - i * 4320000 + 3600000 END,
                    ? - i * 4320000 + 3600000 + (i % 7) * 60000, 1 + i % 3, 1, i % 3 / 2, i % 3 % 2, 0,
                    CASE WHEN i % 10 = 0 THEN 'FAIL_CALL_TO_CUSTOMER' WHEN i % 10 = 1 THEN 'CANCELLED' ELSE 'AGENT_CONNECTED' END
             FROM n",
            vec![V::Integer(N), ms(now), ms(now), ms(now)],
        )?;
        self.sql.exec(
            "INSERT INTO fact_days (day) SELECT DISTINCT created_ms / 86400000 FROM facts WHERE true
             ON CONFLICT (day) DO UPDATE SET packed = NULL",
            vec![],
        )?;
        Ok(u32::try_from(N).unwrap_or(u32::MAX))
    }

    /// The facts of the callbacks created in `[from, to)`, in order of creation, read from their
    /// packed days: a row per callback costs the runtime more than the report's sums.
    pub fn facts(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> ApiResult<Vec<Fact>> {
        let (from, to) = (from.timestamp_millis(), to.timestamp_millis());
        let days = || {
            vec![
                V::Integer(from.div_euclid(DAY_MS)),
                V::Integer(to.saturating_sub(1).div_euclid(DAY_MS)),
            ]
        };
        self.pack_days(days())?;
        // The days' bytes joined into one value: each row crossing into the Worker costs more
        // than its bytes. `group_concat` appends a blob's bytes as they are, NULs included, in
        // the order of the range scan on `day`, the rowid (an ORDER BY in it sorted copies of
        // every blob: slower than the rows were). Were they out of order, reports sort a copy.
        let packed = self.sql.exec(
            "SELECT CAST(coalesce(group_concat(packed, ''), '') AS BLOB)
             FROM fact_days WHERE day BETWEEN ? AND ?",
            days(),
        )?;
        let row = packed.raw().next().transpose()?.unwrap_or_default();
        let mut facts = Vec::new();
        let whole = match row.first() {
            Some(V::Blob(bytes)) => Fact::unpack(bytes, &mut facts),
            _ => false,
        };
        if !whole {
            return Err(ApiError::Internal("the packed facts are unreadable".into()));
        }
        // The first and last days may reach outside the period.
        facts.retain(|f| (from..to).contains(&f.created_ms));
        Ok(facts)
    }

    /// Packs the facts of the days between `days` (first and last) that changed since they were
    /// last packed. SQLite joins each day's facts into one text, which crosses into the Worker
    /// far faster than a row per fact.
    fn pack_days(&self, days: Vec<V>) -> ApiResult<()> {
        let changed = self.sql.exec(
            "SELECT d.day, group_concat(f.created_ms || ' ' || coalesce(f.promised_ms, '-') || ' ' ||
               coalesce(f.first_dial_ms, '-') || ' ' || f.attempts || ' ' || f.answered || ' ' || f.busy || ' ' ||
               f.no_answer || ' ' || f.machine || ' ' || coalesce(f.reason, '-'), ',')
             FROM fact_days d LEFT JOIN facts f ON f.created_ms >= d.day * 86400000 AND f.created_ms < (d.day + 1) * 86400000
             WHERE d.packed IS NULL AND d.day BETWEEN ? AND ? GROUP BY d.day",
            days,
        )?;
        // Every day's bytes in one value, and where each day's are: a single write.
        let mut bytes = Vec::new();
        let mut places = Vec::new();
        for row in changed.raw() {
            let row = row?;
            let (Some(V::Integer(day)), facts) = (row.first(), row.get(1)) else {
                return Err(ApiError::Internal(
                    "a changed day without its number".into(),
                ));
            };
            let facts = match facts {
                Some(V::String(text)) => text.as_str(),
                _ => "",
            };
            let mut day_facts = facts
                .split(',')
                .filter(|f| !f.is_empty())
                .map(|f| fact_of(f).ok_or_else(|| ApiError::Internal(format!("bad facts row {f}"))))
                .collect::<ApiResult<Vec<Fact>>>()?;
            day_facts.sort_unstable_by_key(|f| f.created_ms);
            // SQLite's `substr` counts from 1.
            let start = bytes.len().saturating_add(1);
            for fact in &day_facts {
                fact.pack(&mut bytes);
            }
            places.push([
                *day,
                as_i64(start),
                as_i64(day_facts.len().saturating_mul(PACKED_LEN)),
            ]);
        }
        if !places.is_empty() {
            let places =
                serde_json::to_string(&places).map_err(|e| ApiError::Internal(e.to_string()))?;
            self.sql.exec(
                "UPDATE fact_days SET packed = coalesce(substr(?, p.value ->> 1, p.value ->> 2), X'')
                 FROM json_each(?) AS p WHERE fact_days.day = p.value ->> 0",
                vec![V::Blob(bytes), places.into()],
            )?;
        }
        Ok(())
    }
}

fn as_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A fact from the text `pack_days` reads: its fields in order, separated by spaces, `-` for none.
fn fact_of(text: &str) -> Option<Fact> {
    let mut f = text.split(' ');
    let time = |t: &str| (t != "-").then(|| t.parse().ok()).flatten();
    let n = |t: Option<&str>| t?.parse::<u32>().ok();
    // A struct's fields are evaluated in the order written: the order they were joined in.
    let fact = Fact {
        created_ms: f.next()?.parse().ok()?,
        promised_ms: time(f.next()?),
        first_dial_ms: time(f.next()?),
        attempts: n(f.next())?,
        answered: n(f.next())?,
        busy: n(f.next())?,
        no_answer: n(f.next())?,
        machine: n(f.next())?,
        reason: match f.next()? {
            "-" => None,
            reason => Some(reason.parse().ok()?),
        },
    };
    f.next().is_none().then_some(fact)
}

#[cfg(test)]
mod tests {
    use super::*;
    use callback_shared::record::Reason;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn joined_facts_read_back(created: i64, promised: Option<i64>, dial: Option<i64>, n: [u32; 5], code in 0u32..14) {
            let fact = Fact {
                created_ms: created,
                promised_ms: promised,
                first_dial_ms: dial,
                attempts: n[0],
                answered: n[1],
                busy: n[2],
                no_answer: n[3],
                machine: n[4],
                reason: Reason::from_code(code),
            };
            // As pack_days's query joins a row.
            let or_dash = |v: Option<String>| v.unwrap_or_else(|| "-".into());
            let text = format!(
                "{created} {} {} {} {} {} {} {} {}",
                or_dash(promised.map(|t| t.to_string())),
                or_dash(dial.map(|t| t.to_string())),
                n[0], n[1], n[2], n[3], n[4],
                or_dash(fact.reason.map(|r| r.to_string())),
            );
            prop_assert_eq!(fact_of(&text), Some(fact));
        }

        #[test]
        fn other_text_is_no_fact(text in "[0-9 -]{0,40}|\\PC{0,40}") {
            if let Some(fact) = fact_of(&text) {
                prop_assert_eq!(text.split(' ').count(), 9, "{:?}", fact);
            }
        }
    }
}
