//! Callback records: reading them (by id and by named queries, never by a caller's SQL), writing
//! what a step decided, and their history.

use super::*;
use callback_shared::chat::{Kind, Party};
use callback_shared::scenario::Actor;
use callback_shared::wire::{AgentRef, DialRequest, Notification};

impl Store {
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
    pub(super) fn select(
        &self,
        condition: &str,
        bindings: Vec<V>,
        limit: u32,
    ) -> ApiResult<Vec<Callback>> {
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
        self.note_facts(step)?;
        for effect in &step.effects {
            match effect {
                Effect::Notify(event) => {
                    let callback = c.to_gms(&self.base());
                    self.enqueue(c, NOTIFY, |seq| {
                        serde_json::to_string(&Notification {
                            event: event.to_string(),
                            seq,
                            time: iso::format(c.updated),
                            callback,
                        })
                    })?;
                }
                Effect::Dial { attempt, first } if self.dialer.get() => {
                    let callback = c.to_gms(&self.base());
                    let agent = c.phase.agent().map(|id| AgentRef { id: id.to_string() });
                    self.enqueue(c, DIAL, |seq| {
                        serde_json::to_string(&DialRequest {
                            event: "dial".to_string(),
                            seq,
                            attempt: *attempt,
                            first_connect_party: *first,
                            agent,
                            callback,
                        })
                    })?;
                }
                Effect::ChatJoined { agent } => {
                    let name = self.agent_name(agent)?;
                    self.append(id, Kind::Joined, Party::Agent, &name, "", c.updated)?;
                }
                Effect::ChatEnded { by } => {
                    let (party, name) = match by {
                        Actor::Customer => (
                            Party::Client,
                            self.nickname(id, Party::Client)?.unwrap_or_default(),
                        ),
                        Actor::Agent(agent) => (Party::Agent, self.agent_name(agent)?),
                        Actor::Admin | Actor::Dialer | Actor::System => {
                            (Party::External, String::new())
                        }
                    };
                    self.append(id, Kind::Left, party, &name, "", c.updated)?;
                }
                // A chat's visitor may give no number: nothing to text.
                Effect::Text(text) if self.texts.get() && !c.customer_number.is_empty() => {
                    self.enqueue(c, TEXT, |seq| {
                        serde_json::to_string(&serde_json::json!({"event": "text", "seq": seq, "id": c.id, "text": text}))
                    })?;
                }
                // Without a dialer the agent dials from the console.
                Effect::Dial { .. }
                | Effect::Text(_)
                | Effect::SetTimer { .. }
                | Effect::ClearTimer(_)
                | Effect::SeekAgent
                | Effect::Offer { .. }
                | Effect::ReleaseAgent { .. }
                | Effect::AskConfirm
                | Effect::ProvideAccess
                | Effect::Purge
                | Effect::Outcome(_) => {}
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
                "transcript WHERE callback_id = ?",
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
}
