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

mod callbacks;
mod facts;
mod ledger;
mod outbox;
mod queue;
mod timers;
mod transcript;

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
    // Numbers that replied STOP to the service's texts, and when.
    "CREATE TABLE IF NOT EXISTS opt_outs (number TEXT PRIMARY KEY, at_ms INTEGER NOT NULL);",
    // The reports' facts: one row per callback ever created, kept when it is purged or erased
    // (times and counts only). Callbacks from before are counted from their records.
    "CREATE TABLE IF NOT EXISTS facts (id TEXT PRIMARY KEY, created_ms INTEGER NOT NULL, promised_ms INTEGER, first_dial_ms INTEGER,
       attempts INTEGER NOT NULL DEFAULT 0, answered INTEGER NOT NULL DEFAULT 0, busy INTEGER NOT NULL DEFAULT 0,
       no_answer INTEGER NOT NULL DEFAULT 0, machine INTEGER NOT NULL DEFAULT 0, reason TEXT);
     CREATE INDEX IF NOT EXISTS facts_created ON facts (created_ms);
     INSERT OR IGNORE INTO facts (id, created_ms, promised_ms, attempts, reason)
       SELECT id, created_ms, CASE WHEN bucket_ms IS NOT NULL THEN desired_ms END, coalesce(json_extract(record, '$.dial_attempts'), 0),
              CASE WHEN state = 'COMPLETED' THEN json_extract(record, '$.phase.reason') END FROM callbacks;",
    // Chats' transcripts (CHAT.md), and the names agents go by in them.
    "CREATE TABLE IF NOT EXISTS transcript (callback_id TEXT NOT NULL, idx INTEGER NOT NULL, at_ms INTEGER NOT NULL, event TEXT NOT NULL,
       party TEXT NOT NULL, nickname TEXT NOT NULL, text TEXT NOT NULL, PRIMARY KEY (callback_id, idx));
     ALTER TABLE agents ADD COLUMN name TEXT;",
    // Each UTC day's facts packed in one row as reports read them (a year is 365 rows, not one
    // per callback); `packed` is NULL until a report packs the day, and again once a fact of
    // that day changes.
    "CREATE TABLE IF NOT EXISTS fact_days (day INTEGER PRIMARY KEY, packed TEXT);
     INSERT INTO fact_days (day) SELECT DISTINCT created_ms / 86400000 FROM facts WHERE true
       ON CONFLICT (day) DO UPDATE SET packed = NULL;",
    // Days are packed as bytes (`Fact::pack`), not text: every day is packed again.
    "UPDATE fact_days SET packed = NULL;",
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
    texts: std::cell::Cell<bool>,
}

/// What an outbox row is for.
pub const NOTIFY: &str = "notify";
pub const DIAL: &str = "dial";
pub const TEXT: &str = "text";

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

/// `state IN (…)` of the states that count as in queue (`State::is_in_queue`).
fn in_queue() -> (String, Vec<V>) {
    let states: Vec<State> = State::ALL.into_iter().filter(State::is_in_queue).collect();
    any_state(&states)
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
            texts: std::cell::Cell::new(false),
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

    /// Whether calls are placed for the agents (`_dialer_url`, `_telephony`): dials then go in
    /// the outbox; without, the agent dials from the console.
    pub fn set_dialer(&self, present: bool) {
        self.dialer.set(present);
    }

    /// Whether the service texts its customers (`_sms_*`): texts then go in the outbox.
    pub fn set_texts(&self, on: bool) {
        self.texts.set(on);
    }

    /// Whether `number` replied STOP to this service's texts.
    pub fn opted_out(&self, number: &str) -> ApiResult<bool> {
        Ok(self
            .sql
            .exec(
                "SELECT number FROM opt_outs WHERE number = ?",
                vec![number.into()],
            )?
            .raw()
            .next()
            .is_some())
    }

    /// Records that `number` opted out of texts (STOP), or back in (START).
    pub fn set_opt_out(&self, number: &str, out: bool, now: DateTime<Utc>) -> ApiResult<()> {
        if out {
            self.sql.exec(
                "INSERT OR IGNORE INTO opt_outs (number, at_ms) VALUES (?, ?)",
                vec![number.into(), ms(now)],
            )?;
        } else {
            self.sql
                .exec("DELETE FROM opt_outs WHERE number = ?", vec![number.into()])?;
        }
        Ok(())
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

    /// How far the service's clock runs ahead (ms; tests only, see `ServiceAsk::Advance`).
    pub fn clock_skew(&self) -> ApiResult<i64> {
        let rows: Vec<MetaRow> = self
            .sql
            .exec("SELECT value FROM meta WHERE key = 'clock_skew_ms'", None)?
            .to_array()?;
        Ok(rows
            .into_iter()
            .next()
            .and_then(|r| r.value.parse().ok())
            .unwrap_or(0))
    }

    pub fn set_clock_skew(&self, ms: i64) -> ApiResult<()> {
        self.sql.exec(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('clock_skew_ms', ?)",
            vec![ms.to_string().into()],
        )?;
        Ok(())
    }

    /// Webhooks not yet delivered nor given up.
    pub fn undelivered(&self) -> ApiResult<u32> {
        Ok(self.count(
            "SELECT count(*) AS n FROM outbox WHERE delivered_ms IS NULL",
            vec![],
        )?)
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
}
