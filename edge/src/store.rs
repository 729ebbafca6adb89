//! The SQLite storage of one callback service's Durable Object. Every method is synchronous
//! (`SqlStorage::exec` is), so a decision that reads through the [`Ledger`] and the writes that
//! record it run with no `await` between them: atomic in the object.

use crate::error::{ApiError, ApiResult};
use callback_shared::availability::Bookings;
use callback_shared::create::{Counts, CountsAsk, Ledger, StorageError};
use callback_shared::iso;
use callback_shared::record::{Callback, Phase, Reason, State};
use callback_shared::scenario::{Change, Effect, Step, Timer};
use callback_shared::wire::HistoryEvent;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use worker::{SqlStorage, SqlStorageValue as V};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS config (id INTEGER PRIMARY KEY CHECK (id = 1), service TEXT NOT NULL, version INTEGER NOT NULL, sections TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS callbacks (id TEXT PRIMARY KEY, state TEXT NOT NULL, number TEXT NOT NULL, desired_ms INTEGER NOT NULL, created_ms INTEGER NOT NULL, bucket_ms INTEGER, record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS callbacks_bucket ON callbacks (bucket_ms) WHERE bucket_ms IS NOT NULL AND state <> 'COMPLETED';
CREATE INDEX IF NOT EXISTS callbacks_number ON callbacks (number, state);
CREATE INDEX IF NOT EXISTS callbacks_state ON callbacks (state, desired_ms, created_ms);
CREATE INDEX IF NOT EXISTS callbacks_desired ON callbacks (desired_ms);
CREATE TABLE IF NOT EXISTS events (callback_id TEXT NOT NULL, seq INTEGER NOT NULL, time_ms INTEGER NOT NULL, from_state TEXT, to_state TEXT NOT NULL, reason TEXT, actor TEXT NOT NULL, PRIMARY KEY (callback_id, seq));
CREATE TABLE IF NOT EXISTS timers (callback_id TEXT NOT NULL, kind TEXT NOT NULL, due_ms INTEGER NOT NULL, PRIMARY KEY (callback_id, kind));
CREATE INDEX IF NOT EXISTS timers_due ON timers (due_ms);
CREATE TABLE IF NOT EXISTS state_counts (state TEXT PRIMARY KEY, n INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS accepted_seconds (second INTEGER PRIMARY KEY, n INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS accepted (time_ms INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS accepted_key ON accepted (key, value, time_ms);
CREATE INDEX IF NOT EXISTS accepted_time ON accepted (time_ms);
CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, callback_id TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0, next_ms INTEGER NOT NULL, created_ms INTEGER NOT NULL, delivered_ms INTEGER);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (next_ms) WHERE delivered_ms IS NULL;
CREATE INDEX IF NOT EXISTS outbox_callback ON outbox (callback_id, seq);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency (key TEXT PRIMARY KEY, body TEXT NOT NULL, status INTEGER NOT NULL, answer TEXT NOT NULL, created_ms INTEGER NOT NULL);
";

/// Changes to the schema after its first version, in order; `meta.schema` counts those applied.
const MIGRATIONS: &[&str] = &[
    // The outbox carries dial webhooks too; each kind keeps its own order per callback.
    "ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'notify';
     CREATE INDEX IF NOT EXISTS outbox_kind ON outbox (callback_id, kind, seq);",
    // Agents: the phase finds the next callback to reserve, the agent the one reserved; the
    // service's agents and whether they are ready.
    "ALTER TABLE callbacks ADD COLUMN phase TEXT;
     ALTER TABLE callbacks ADD COLUMN agent TEXT;
     UPDATE callbacks SET phase = json_extract(record, '$.phase.phase'), agent = json_extract(record, '$.phase.agent');
     CREATE INDEX IF NOT EXISTS callbacks_phase ON callbacks (phase, desired_ms, created_ms);
     CREATE INDEX IF NOT EXISTS callbacks_agent ON callbacks (agent) WHERE agent IS NOT NULL;
     CREATE TABLE IF NOT EXISTS agents (id TEXT PRIMARY KEY, ready INTEGER NOT NULL);",
    // Signed dial results already taken, for as long as their signature is valid: no replay.
    "CREATE TABLE IF NOT EXISTS signatures (signature TEXT PRIMARY KEY, until_ms INTEGER NOT NULL);",
];

/// How long accepted creates are remembered for throttles (the longest window is one day).
const ACCEPTED_KEEP_MS: i64 = 2 * 86_400_000;
/// How long an Idempotency-Key holds.
pub const IDEMPOTENCY_MS: i64 = 86_400_000;

pub struct Store {
    sql: SqlStorage,
    /// When old throttle rows were last deleted (ms); once a minute is enough.
    pruned: std::cell::Cell<i64>,
    /// The earliest timer written since [`Store::take_earliest_set`] was last called (ms).
    earliest_set: std::cell::Cell<Option<i64>>,
    /// Records written since the object started: answers derived from them are fresh while it holds.
    writes: std::cell::Cell<u64>,
    /// The service's public origin (`https://host`), for records' `_url` in notifications sent
    /// from the alarm, where there is no request to take it from.
    origin: std::cell::RefCell<String>,
    dialer: std::cell::Cell<bool>,
}

/// What an outbox row is for.
pub const NOTIFY: &str = "notify";
pub const DIAL: &str = "dial";

/// A webhook waiting in the outbox.
#[derive(Deserialize)]
pub struct Pending {
    pub id: i64,
    pub kind: String,
    pub body: String,
    pub attempts: i64,
    pub created_ms: i64,
}

#[derive(Deserialize)]
struct Seq {
    seq: i64,
}

#[derive(Deserialize)]
struct MetaRow {
    value: String,
}

#[derive(Deserialize)]
struct Count {
    n: i64,
}

#[derive(Deserialize)]
struct RecordRow {
    record: String,
}

#[derive(Deserialize)]
pub struct ConfigRow {
    pub service: String,
    pub version: i64,
    pub sections: String,
}

#[derive(Deserialize)]
struct TimerRow {
    callback_id: String,
    kind: String,
}

#[derive(Deserialize)]
struct EventRow {
    time_ms: i64,
    from_state: Option<String>,
    to_state: String,
    reason: Option<String>,
    actor: String,
}

#[derive(Deserialize)]
struct Packed {
    packed: Option<String>,
}

#[derive(Deserialize)]
struct Due {
    due: Option<i64>,
}

#[derive(Deserialize)]
pub struct Remembered {
    pub body: String,
    pub answer: String,
}

/// Most callbacks one named query reads.
const MAX_SELECTED: u32 = 100_000;

/// `state IN (?, …)` and its bindings.
fn any_state(states: &[State]) -> (String, Vec<V>) {
    let marks = vec!["?"; states.len()].join(", ");
    let bindings = states.iter().map(|s| s.as_str().into()).collect();
    (format!("state IN ({marks})"), bindings)
}

fn ms(t: DateTime<Utc>) -> V {
    V::Integer(t.timestamp_millis())
}

fn time(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

fn storage(e: worker::Error) -> StorageError {
    StorageError(e.to_string())
}

fn corrupt(e: serde_json::Error) -> ApiError {
    ApiError::Internal(format!("stored record unreadable: {e}"))
}

impl Store {
    pub fn new(sql: SqlStorage) -> Store {
        Store {
            sql,
            pruned: std::cell::Cell::new(0),
            earliest_set: std::cell::Cell::new(None),
            writes: std::cell::Cell::new(0),
            origin: std::cell::RefCell::new(String::new()),
            dialer: std::cell::Cell::new(false),
        }
    }

    pub fn sql(&self) -> &SqlStorage {
        &self.sql
    }

    /// Whether this object has its tables: a configuration push made it a service's object.
    pub fn exists(&self) -> ApiResult<bool> {
        let rows = self
            .sql
            .exec(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
                None,
            )?
            .to_array::<serde_json::Value>()?;
        Ok(!rows.is_empty())
    }

    pub fn migrate(&self) -> ApiResult<()> {
        self.sql.exec(SCHEMA, None)?;
        self.sql.exec(crate::access::SCHEMA, None)?;
        let meta = |key: &str| -> ApiResult<Option<String>> {
            let rows: Vec<MetaRow> = self
                .sql
                .exec("SELECT value FROM meta WHERE key = ?", vec![key.into()])?
                .to_array()?;
            Ok(rows.into_iter().next().map(|r| r.value))
        };
        let applied: usize = meta("schema")?.and_then(|v| v.parse().ok()).unwrap_or(0);
        for migration in MIGRATIONS.iter().skip(applied) {
            self.sql.exec(migration, None)?;
        }
        self.sql.exec(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema', ?)",
            vec![MIGRATIONS.len().to_string().into()],
        )?;
        if let Some(origin) = meta("origin")? {
            *self.origin.borrow_mut() = origin;
        }
        Ok(())
    }

    /// Whether the service has a dialer (`_dialer_url`): dials then go out as webhooks; without
    /// one, the agent dials from the console.
    pub fn set_dialer(&self, present: bool) {
        self.dialer.set(present);
    }

    /// `https://host/genesys/1/service`: what records' `_url` starts with.
    pub fn base(&self) -> String {
        format!("{}/genesys/1/service", self.origin.borrow())
    }

    pub fn origin(&self) -> String {
        self.origin.borrow().clone()
    }

    /// Remembers the origin requests come to (written only when it changes).
    pub fn set_origin(&self, origin: &str) -> ApiResult<()> {
        if *self.origin.borrow() != origin {
            self.sql.exec(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('origin', ?)",
                vec![origin.into()],
            )?;
            *self.origin.borrow_mut() = origin.to_string();
        }
        Ok(())
    }

    /// Since when the configuration has no section for this service (ms), if it has none.
    pub fn unconfigured_since(&self) -> ApiResult<Option<i64>> {
        let rows: Vec<MetaRow> = self
            .sql
            .exec(
                "SELECT value FROM meta WHERE key = 'unconfigured_since'",
                None,
            )?
            .to_array()?;
        Ok(rows.into_iter().next().and_then(|r| r.value.parse().ok()))
    }

    /// Notes whether the configuration has this service (the first moment it has not is kept).
    pub fn set_configured(&self, configured: bool, now: DateTime<Utc>) -> ApiResult<()> {
        if configured {
            self.sql
                .exec("DELETE FROM meta WHERE key = 'unconfigured_since'", None)?;
        } else {
            self.sql.exec(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('unconfigured_since', ?)",
                vec![now.timestamp_millis().to_string().into()],
            )?;
        }
        Ok(())
    }

    fn count(&self, query: &str, bindings: Vec<V>) -> Result<u32, StorageError> {
        let row: Count = self
            .sql
            .exec(query, bindings)
            .and_then(|c| c.one())
            .map_err(storage)?;
        Ok(u32::try_from(row.n).unwrap_or(u32::MAX))
    }

    pub fn config(&self) -> ApiResult<Option<ConfigRow>> {
        Ok(self
            .sql
            .exec(
                "SELECT service, version, sections FROM config WHERE id = 1",
                None,
            )?
            .to_array::<ConfigRow>()?
            .into_iter()
            .next())
    }

    pub fn save_config(&self, service: &str, version: i64, sections: &str) -> ApiResult<()> {
        self.sql.exec(
            "INSERT INTO config (id, service, version, sections) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET service = excluded.service, version = excluded.version, sections = excluded.sections WHERE excluded.version > config.version",
            vec![service.into(), V::Integer(version), sections.into()],
        )?;
        Ok(())
    }

    pub fn load(&self, id: &str) -> ApiResult<Option<Callback>> {
        let rows: Vec<RecordRow> = self
            .sql
            .exec("SELECT record FROM callbacks WHERE id = ?", vec![id.into()])?
            .to_array()?;
        rows.into_iter()
            .next()
            .map(|r| serde_json::from_str(&r.record).map_err(corrupt))
            .transpose()
    }

    /// Callbacks in any of `states`, by desired time then creation.
    pub fn in_states(&self, states: &[State]) -> ApiResult<Vec<Callback>> {
        let (condition, bindings) = any_state(states);
        self.select(&condition, bindings, MAX_SELECTED)
    }

    /// Every callback of a customer number, in any state.
    pub fn of_number(&self, number: &str) -> ApiResult<Vec<Callback>> {
        self.select("number = ?", vec![number.into()], MAX_SELECTED)
    }

    /// Callbacks desired in `[start, end)` in any of `states`, at most `max`, by desired time.
    pub fn in_window(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        states: &[State],
        max: u32,
    ) -> ApiResult<Vec<Callback>> {
        let (condition, mut bindings) = any_state(states);
        bindings.extend([ms(start), ms(end)]);
        let condition = format!("{condition} AND desired_ms >= ? AND desired_ms < ?");
        self.select(&condition, bindings, max)
    }

    /// Completed callbacks that ended for one of `reasons`, by desired time.
    pub fn completed_for(&self, reasons: &[Reason]) -> ApiResult<Vec<Callback>> {
        self.scan(
            "state = ?",
            vec![State::Completed.as_str().into()],
            |c| c.phase.reason().is_some_and(|r| reasons.contains(&r)),
            MAX_SELECTED as usize,
        )
    }

    /// The callbacks `keep` keeps, at most `max`, by desired time.
    pub fn matching(
        &self,
        keep: impl FnMut(&Callback) -> bool,
        max: usize,
    ) -> ApiResult<Vec<Callback>> {
        self.scan("1 = 1", vec![], keep, max)
    }

    /// Callbacks selected by a SQL condition on the columns (`state`, `number`, `desired_ms`, …).
    fn select(&self, condition: &str, bindings: Vec<V>, limit: u32) -> ApiResult<Vec<Callback>> {
        let query = format!("SELECT record FROM callbacks WHERE {condition} ORDER BY desired_ms, created_ms LIMIT {limit}");
        let rows: Vec<RecordRow> = self.sql.exec(&query, bindings)?.to_array()?;
        rows.iter()
            .map(|r| serde_json::from_str(&r.record).map_err(corrupt))
            .collect()
    }

    /// The callbacks meeting `condition` that `keep` keeps, at most `max`, by desired time then
    /// creation. Read a page at a time, so that a search over many callbacks never holds them all.
    fn scan(
        &self,
        condition: &str,
        bindings: Vec<V>,
        mut keep: impl FnMut(&Callback) -> bool,
        max: usize,
    ) -> ApiResult<Vec<Callback>> {
        const PAGE: i64 = 500;
        #[derive(Deserialize)]
        struct Row {
            rowid: i64,
            record: String,
        }
        let query = format!("SELECT rowid, record FROM callbacks WHERE ({condition}) AND rowid > ? ORDER BY rowid LIMIT {PAGE}");
        let (mut kept, mut after) = (Vec::new(), 0i64);
        loop {
            let mut page_bindings = bindings.clone();
            page_bindings.push(V::Integer(after));
            let rows: Vec<Row> = self.sql.exec(&query, page_bindings)?.to_array()?;
            for row in &rows {
                let callback: Callback = serde_json::from_str(&row.record).map_err(corrupt)?;
                if keep(&callback) && kept.len() < max {
                    kept.push(callback);
                }
            }
            match rows.last() {
                Some(last) if rows.len() as i64 == PAGE && kept.len() < max => after = last.rowid,
                _ => break,
            }
        }
        kept.sort_by_key(|c| (c.desired_time, c.created));
        Ok(kept)
    }

    /// Writes what a step decided: the record, its history, its timers, the count per state; or
    /// purges it.
    pub fn save(&self, step: &Step) -> ApiResult<()> {
        self.writes.set(self.writes.get().wrapping_add(1));
        let c = &step.callback;
        let id = c.id.as_str();
        if let Some(change) = &step.change {
            if let Some(from) = change.from {
                self.sql.exec(
                    "UPDATE state_counts SET n = n - 1 WHERE state = ?",
                    vec![from.as_str().into()],
                )?;
            }
            self.sql.exec("INSERT INTO state_counts (state, n) VALUES (?, 1) ON CONFLICT (state) DO UPDATE SET n = n + 1", vec![change.to.as_str().into()])?;
        }
        for effect in &step.effects {
            match effect {
                Effect::Notify(event) => {
                    let base = self.base();
                    let body = |seq: i64| serde_json::json!({"event": event, "seq": seq, "time": iso::format(c.updated), "callback": c.to_gms(&base)});
                    self.enqueue(c, NOTIFY, body)?;
                }
                Effect::Dial { attempt, first } if self.dialer.get() => {
                    let base = self.base();
                    let agent = c.phase.agent().map(|a| serde_json::json!({"id": a}));
                    let body = |seq: i64| serde_json::json!({"event": "dial", "seq": seq, "attempt": attempt, "first_connect_party": first, "agent": agent, "callback": c.to_gms(&base)});
                    self.enqueue(c, DIAL, body)?;
                }
                _ => {}
            }
        }
        if step.effects.contains(&Effect::Purge) {
            self.sql.exec(
                "UPDATE state_counts SET n = n - 1 WHERE state = ?",
                vec![c.state().as_str().into()],
            )?;
            // Notifications not yet delivered outlive the record.
            for table in [
                "callbacks WHERE id = ?",
                "events WHERE callback_id = ?",
                "timers WHERE callback_id = ?",
                "outbox WHERE delivered_ms IS NOT NULL AND callback_id = ?",
            ] {
                self.sql
                    .exec(&format!("DELETE FROM {table}"), vec![id.into()])?;
            }
            return Ok(());
        }
        let record = serde_json::to_string(c).map_err(|e| ApiError::Internal(e.to_string()))?;
        self.sql.exec(
            "INSERT INTO callbacks (id, state, number, desired_ms, created_ms, bucket_ms, record, phase, agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET state = excluded.state, number = excluded.number, desired_ms = excluded.desired_ms, bucket_ms = excluded.bucket_ms,
             record = excluded.record, phase = excluded.phase, agent = excluded.agent",
            vec![
                id.into(),
                c.state().as_str().into(),
                c.customer_number.as_str().into(),
                ms(c.desired_time),
                ms(c.created),
                c.bucket.map(|b| b.timestamp_millis()).into(),
                record.into(),
                c.phase.name().into(),
                c.phase.agent().into(),
            ],
        )?;
        if let Some(change) = &step.change {
            self.append_event(id, change)?;
        }
        for effect in &step.effects {
            match effect {
                Effect::SetTimer { timer, at } => {
                    let due = at.timestamp_millis();
                    self.earliest_set
                        .set(Some(self.earliest_set.get().map_or(due, |e| e.min(due))));
                    self.sql.exec(
                        "INSERT INTO timers (callback_id, kind, due_ms) VALUES (?, ?, ?) ON CONFLICT (callback_id, kind) DO UPDATE SET due_ms = excluded.due_ms",
                        vec![id.into(), timer.as_str().into(), ms(*at)],
                    )?;
                }
                Effect::ClearTimer(timer) => {
                    self.sql.exec(
                        "DELETE FROM timers WHERE callback_id = ? AND kind = ?",
                        vec![id.into(), timer.as_str().into()],
                    )?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Puts a webhook in the outbox, numbered in order for its callback and kind.
    fn enqueue(
        &self,
        c: &Callback,
        kind: &str,
        body: impl FnOnce(i64) -> serde_json::Value,
    ) -> ApiResult<()> {
        let last: Seq = self.sql.exec("SELECT coalesce(max(seq), 0) AS seq FROM outbox WHERE callback_id = ? AND kind = ?", vec![c.id.as_str().into(), kind.into()])?.one()?;
        let seq = last.seq.saturating_add(1);
        self.sql.exec(
            "INSERT INTO outbox (callback_id, kind, seq, body, next_ms, created_ms) VALUES (?, ?, ?, ?, ?, ?)",
            vec![c.id.as_str().into(), kind.into(), V::Integer(seq), body(seq).to_string().into(), ms(c.updated), ms(c.updated)],
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

    fn append_event(&self, id: &str, change: &Change) -> ApiResult<()> {
        self.sql.exec(
            "INSERT INTO events (callback_id, seq, time_ms, from_state, to_state, reason, actor)
             VALUES (?, (SELECT coalesce(max(seq), 0) + 1 FROM events WHERE callback_id = ?), ?, ?, ?, ?, ?)",
            vec![
                id.into(),
                id.into(),
                ms(change.at),
                change.from.map(|s| s.as_str()).into(),
                change.to.as_str().into(),
                change.reason.map(|r| r.to_string()).into(),
                change.actor.to_string().into(),
            ],
        )?;
        Ok(())
    }

    pub fn events(&self, id: &str) -> ApiResult<Vec<HistoryEvent>> {
        let rows: Vec<EventRow> = self.sql.exec("SELECT time_ms, from_state, to_state, reason, actor FROM events WHERE callback_id = ? ORDER BY seq", vec![id.into()])?.to_array()?;
        Ok(rows
            .into_iter()
            .map(|r| HistoryEvent {
                time: iso::format(time(r.time_ms)),
                from: r.from_state,
                to: r.to_state,
                reason: r.reason,
                actor: r.actor,
            })
            .collect())
    }

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

    pub fn writes(&self) -> u64 {
        self.writes.get()
    }

    pub fn take_earliest_set(&self) -> Option<i64> {
        self.earliest_set.take()
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

    /// Position (1-based) of a waiting callback among the service's queued ones, and how many wait.
    pub fn queue_position(&self, callback: &Callback) -> ApiResult<(u32, u32)> {
        let queued = State::Queued.as_str();
        let ahead = self
            .count(
                "SELECT count(*) AS n FROM callbacks WHERE state = ? AND (desired_ms < ? OR (desired_ms = ? AND created_ms < ?))",
                vec![queued.into(), ms(callback.desired_time), ms(callback.desired_time), ms(callback.created)],
            )
            ?;
        let total = self.count(
            "SELECT coalesce(sum(n), 0) AS n FROM state_counts WHERE state = ?",
            vec![queued.into()],
        )?;
        Ok((ahead.saturating_add(1), total))
    }

    /// How many callbacks wait (QUEUED) ahead of one created now.
    pub fn queue_position_of_new(&self) -> ApiResult<u32> {
        Ok(self.count(
            "SELECT coalesce(sum(n), 0) AS n FROM state_counts WHERE state = ?",
            vec![State::Queued.as_str().into()],
        )?)
    }

    /// The next callback to reserve an agent for: a customer already on the line first, then the
    /// queue in order (desired time, then creation).
    pub fn next_seeking(&self) -> ApiResult<Option<Callback>> {
        for phase in [Phase::AwaitingAgent, Phase::Waiting] {
            if let Some(callback) = self
                .select("phase = ?", vec![phase.name().into()], 1)?
                .into_iter()
                .next()
            {
                return Ok(Some(callback));
            }
        }
        Ok(None)
    }

    /// The callback reserved for an agent, if any.
    pub fn held_by(&self, agent: &str) -> ApiResult<Option<Callback>> {
        Ok(self
            .select("agent = ?", vec![agent.into()], 1)?
            .into_iter()
            .next())
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

    /// Records whether one of the service's agents is ready.
    pub fn set_agent(&self, agent: &str, ready: bool) -> ApiResult<()> {
        self.sql.exec(
            "INSERT OR REPLACE INTO agents (id, ready) VALUES (?, ?)",
            vec![agent.into(), V::Integer(i64::from(ready))],
        )?;
        Ok(())
    }

    /// Ready agents of the service that hold no callback of it: those to tell of a waiting callback.
    pub fn free_agents(&self) -> ApiResult<Vec<String>> {
        #[derive(Deserialize)]
        struct Id {
            id: String,
        }
        let rows: Vec<Id> = self.sql.exec("SELECT id FROM agents WHERE ready = 1 AND id NOT IN (SELECT agent FROM callbacks WHERE agent IS NOT NULL)", None)?.to_array()?;
        Ok(rows.into_iter().map(|r| r.id).collect())
    }

    pub fn ready_agents(&self) -> ApiResult<u32> {
        Ok(self.count("SELECT count(*) AS n FROM agents WHERE ready = 1", vec![])?)
    }

    /// How many callbacks are in the queue (watermark).
    pub fn in_queue(&self) -> ApiResult<u32> {
        let in_queue: Vec<State> = State::ALL.into_iter().filter(State::is_in_queue).collect();
        let (condition, bindings) = any_state(&in_queue);
        Ok(self.count(
            &format!("SELECT coalesce(sum(n), 0) AS n FROM state_counts WHERE {condition}"),
            bindings,
        )?)
    }
}

impl Ledger for Store {
    /// One row, `bucket:count,…`: thousands of rows would each cross the JS boundary.
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
        let mut query = String::from(
            "SELECT (SELECT count(*) FROM callbacks WHERE number = ? AND state <> 'COMPLETED'),
                    (SELECT coalesce(sum(n), 0) FROM accepted_seconds WHERE second >= ?),
                    (SELECT coalesce(sum(n), 0) FROM accepted_seconds WHERE second >= ?),
                    (SELECT coalesce(sum(n), 0) FROM state_counts WHERE state IN ('QUEUED', 'PAUSED', 'ROUTING', 'PROCESSING'))",
        );
        let mut bindings: Vec<V> = vec![
            ask.number.as_str().into(),
            V::Integer(ask.windows[0].timestamp()),
            V::Integer(ask.windows[1].timestamp()),
        ];
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
