//! Who waits and who serves: queue positions, the next callback to reserve, the service's agents.

use super::*;

/// A chat callback, on the `callbacks` table's columns.
macro_rules! is_chat {
    () => {
        "json_extract(record, '$.selectors.media_type') = 'chat'"
    };
}
const IS_CHAT: &str = is_chat!();
/// A chat its agent has joined: they hold it beside their offer.
const JOINED_CHAT: &str = concat!(
    "(phase IN ('connected', 'disposition') AND ",
    is_chat!(),
    ")"
);

impl Store {
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

    /// How many callbacks are in the queue (watermark).
    pub fn in_queue(&self) -> ApiResult<u32> {
        let (condition, bindings) = in_queue();
        Ok(self.count(
            &format!("SELECT coalesce(sum(n), 0) AS n FROM state_counts WHERE {condition}"),
            bindings,
        )?)
    }

    /// The next callback to reserve an agent for (only a chat: `chats_only`): a customer already
    /// on the line first, then the queue in order (desired time, then creation).
    pub fn next_seeking(&self, chats_only: bool) -> ApiResult<Option<Callback>> {
        let condition = if chats_only {
            format!("phase = ? AND {IS_CHAT}")
        } else {
            "phase = ?".to_string()
        };
        for phase in [Phase::AwaitingAgent, Phase::Waiting] {
            if let Some(callback) = self
                .select(&condition, vec![phase.name().into()], 1)?
                .into_iter()
                .next()
            {
                return Ok(Some(callback));
            }
        }
        Ok(None)
    }

    /// The open callback that came from a call to the service's number, by the call's id.
    pub fn of_call(&self, call: &str) -> ApiResult<Option<Callback>> {
        let condition = format!(
            "state <> 'COMPLETED' AND json_extract(record, '$.system.\"{}\"') = ?",
            callback_shared::record::IVR_CALL
        );
        Ok(self
            .select(&condition, vec![call.into()], 1)?
            .into_iter()
            .next())
    }

    /// The callback reserved for an agent, if any: their offer, not a chat they joined.
    pub fn held_by(&self, agent: &str) -> ApiResult<Option<Callback>> {
        Ok(self
            .select(
                &format!("agent = ? AND NOT {JOINED_CHAT}"),
                vec![agent.into()],
                1,
            )?
            .into_iter()
            .next())
    }

    /// Every callback an agent holds: their offer and the chats they joined.
    pub fn holding(&self, agent: &str) -> ApiResult<Vec<Callback>> {
        self.select("agent = ?", vec![agent.into()], 100)
    }

    /// Records whether one of the service's agents is ready, and the name they go by.
    pub fn set_agent(&self, agent: &str, ready: bool, name: Option<&str>) -> ApiResult<()> {
        self.sql.exec(
            "INSERT INTO agents (id, ready, name) VALUES (?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET ready = excluded.ready, name = coalesce(excluded.name, agents.name)",
            vec![agent.into(), V::Integer(i64::from(ready)), name.into()],
        )?;
        Ok(())
    }

    /// Ready agents of the service that hold no callback of it: those to tell of a waiting callback.
    pub fn free_agents(&self) -> ApiResult<Vec<String>> {
        #[derive(Deserialize)]
        struct Id {
            id: String,
        }
        // An agent in chats may take another chat: they are woken too, and ask within their limit.
        let rows: Vec<Id> = self.sql.exec(&format!("SELECT id FROM agents WHERE ready = 1 AND id NOT IN (SELECT agent FROM callbacks WHERE agent IS NOT NULL AND NOT {JOINED_CHAT})"), None)?.to_array()?;
        Ok(rows.into_iter().map(|r| r.id).collect())
    }

    pub fn ready_agents(&self) -> ApiResult<u32> {
        Ok(self.count("SELECT count(*) AS n FROM agents WHERE ready = 1", vec![])?)
    }
}
