//! The reports' facts (`shared::stats::Fact`), written by the same run of statements as the change
//! that makes them true: a crash never counts half. A purge or an erase leaves them: they hold
//! times and counts, nothing that says who the callback was for.

use super::*;
use callback_shared::record::{Phase, State};
use callback_shared::scenario::{DialOutcome, Effect, Step};
use callback_shared::stats::Fact;

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

    /// The facts of the callbacks created in `[from, to)`, read a packed day at a time: a row per
    /// callback would cost the runtime more than the report's sums.
    pub fn facts(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> ApiResult<Vec<Fact>> {
        #[derive(Deserialize)]
        struct Packed {
            packed: Option<String>,
        }
        let days = vec![
            V::Integer(from.timestamp_millis().div_euclid(DAY_MS)),
            V::Integer(to.timestamp_millis().saturating_sub(1).div_euclid(DAY_MS)),
        ];
        self.sql.exec(
            "UPDATE fact_days SET packed = (SELECT group_concat(created_ms || ' ' || coalesce(promised_ms, '-') || ' ' ||
               coalesce(first_dial_ms, '-') || ' ' || attempts || ' ' || answered || ' ' || busy || ' ' || no_answer || ' ' ||
               machine || ' ' || coalesce(reason, '-'), ',')
               FROM facts WHERE created_ms >= day * 86400000 AND created_ms < (day + 1) * 86400000)
             WHERE packed IS NULL AND day BETWEEN ? AND ?",
            days.clone(),
        )?;
        let row: Packed = self
            .sql
            .exec(
                "SELECT group_concat(packed, ',') AS packed FROM fact_days WHERE day BETWEEN ? AND ? AND packed IS NOT NULL",
                days,
            )?
            .one()?;
        // Fields are read in the order they were packed (a struct's fields are evaluated in order).
        let unpack = |text: &str| -> Option<Fact> {
            let mut f = text.split(' ');
            let when = |t: &str| (t != "-").then(|| t.parse().ok().map(time)).flatten();
            let n = |t: Option<&str>| t?.parse::<u32>().ok();
            let fact = Fact {
                created: time(f.next()?.parse().ok()?),
                promised: when(f.next()?),
                first_dial: when(f.next()?),
                attempts: n(f.next())?,
                answered: n(f.next())?,
                busy: n(f.next())?,
                no_answer: n(f.next())?,
                machine: n(f.next())?,
                reason: Some(f.next()?).filter(|r| *r != "-").map(str::to_string),
            };
            f.next().is_none().then_some(fact)
        };
        let mut facts = Vec::new();
        for p in row
            .packed
            .unwrap_or_default()
            .split(',')
            .filter(|p| !p.is_empty())
        {
            let fact = unpack(p).ok_or_else(|| ApiError::Internal(format!("bad facts row {p}")))?;
            // The first and last days may reach outside the period.
            if fact.created >= from && fact.created < to {
                facts.push(fact);
            }
        }
        Ok(facts)
    }
}
