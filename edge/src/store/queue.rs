//! Who waits and who serves: queue positions, the next callback to reserve, the service's agents.

use super::*;

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
}
