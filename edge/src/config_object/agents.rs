//! Agents as the admin API configures them: names, services, and a bearer token answered once.

use super::ConfigObject;
use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::internal::{self, AgentAsk};
use callback_shared::config::Config;
use callback_shared::declared::AgentSpec;
use callback_shared::wire::AgentAnswer;
use serde::Deserialize;
use std::collections::BTreeMap;
use worker::Response;

#[derive(Deserialize)]
pub(super) struct AgentRow {
    pub(super) id: String,
    name: String,
    services: String,
    pub(super) token_hash: String,
    phone: Option<String>,
}

impl AgentRow {
    pub(super) fn new(id: &str, spec: &AgentSpec, token_hash: String) -> ApiResult<AgentRow> {
        Ok(AgentRow {
            id: id.to_string(),
            name: spec.name.clone(),
            services: serde_json::to_string(&spec.services)
                .map_err(|e| ApiError::Internal(e.to_string()))?,
            token_hash,
            phone: spec.phone.clone(),
        })
    }

    /// What the agent's object keeps.
    fn profile(&self) -> crate::agent_object::Profile {
        crate::agent_object::Profile {
            id: self.id.clone(),
            name: self.name.clone(),
            services: self.spec().services,
            token_hash: self.token_hash.clone(),
            phone: self.phone.clone(),
        }
    }

    pub(super) fn spec(&self) -> AgentSpec {
        AgentSpec {
            name: self.name.clone(),
            services: serde_json::from_str(&self.services).unwrap_or_default(),
            phone: self.phone.clone(),
        }
    }

    pub(super) fn answer(&self, token: Option<String>) -> AgentAnswer {
        let services = serde_json::from_str(&self.services).unwrap_or_default();
        AgentAnswer {
            id: self.id.clone(),
            name: self.name.clone(),
            services,
            phone: self.phone.clone(),
            token,
            ready: None,
            holds: None,
        }
    }
}

/// `PUT /genesys/1/admin/agents/{id}`'s body.
#[derive(Deserialize)]
pub(super) struct AgentPut {
    name: Option<String>,
    /// A JSON list, or names with commas (as GMS options are written).
    #[serde(default, deserialize_with = "callback_shared::params::one_or_many")]
    services: Vec<String>,
    #[serde(default, deserialize_with = "callback_shared::params::flag")]
    rotate_token: bool,
    phone: Option<String>,
}

impl ConfigObject {
    pub(super) fn agents(&self, id: Option<&str>) -> ApiResult<Vec<AgentRow>> {
        let sql = self.state.storage().sql();
        let rows = match id {
            Some(id) => sql.exec(
                "SELECT id, name, services, token_hash, phone FROM agents WHERE id = ?",
                vec![id.into()],
            )?,
            None => sql.exec(
                "SELECT id, name, services, token_hash, phone FROM agents ORDER BY id",
                None,
            )?,
        };
        Ok(rows.to_array()?)
    }

    /// Creates or changes an agent. A new agent, or `rotate_token`, gets a new token, answered
    /// once: only its hash is kept. The agent's object learns the profile first, so a token
    /// answered always works.
    pub(super) async fn put_agent(
        &self,
        id: &str,
        put: AgentPut,
        config: &Config,
    ) -> ApiResult<Response> {
        let spec = AgentSpec {
            name: put.name.unwrap_or_default(),
            services: put.services,
            phone: put.phone,
        }
        .checked(config)
        .map_err(|e| ApiError::InvalidParameter(format!("{}: {}", e.option, e.message)))?;
        let kept = self
            .agents(Some(id))?
            .into_iter()
            .next()
            .filter(|_| !put.rotate_token);
        let (token, token_hash) = match kept {
            Some(row) => (None, row.token_hash),
            None => {
                let (token, hash) = new_token(id);
                (Some(token), hash)
            }
        };
        let row = AgentRow::new(id, &spec, token_hash)?;
        let profile = Some(row.profile());
        internal::ask_agent::<()>(&self.env, id, &AgentAsk::Profile { profile })
            .await
            .map_err(|e| ApiError::Internal(format!("agent {id} not updated: {e}")))?;
        self.store_agent(&row)?;
        http::json(&row.answer(token))
    }

    pub(super) fn store_agent(&self, row: &AgentRow) -> ApiResult<()> {
        self.state.storage().sql().exec(
            "INSERT OR REPLACE INTO agents (id, name, services, token_hash, phone) VALUES (?, ?, ?, ?, ?)",
            vec![
                row.id.as_str().into(),
                row.name.as_str().into(),
                row.services.as_str().into(),
                row.token_hash.as_str().into(),
                row.phone.as_deref().into(),
            ],
        )?;
        Ok(())
    }

    /// Every agent as configured, by id.
    pub(super) fn agent_specs(&self) -> ApiResult<BTreeMap<String, AgentSpec>> {
        Ok(self
            .agents(None)?
            .iter()
            .map(|row| (row.id.clone(), row.spec()))
            .collect())
    }

    /// Tells each agent's object its profile (none once deleted); failures stay pending and are
    /// retried by the alarm.
    pub(super) async fn push_agents(&self, ids: Vec<String>) -> ApiResult<()> {
        let sql = self.state.storage().sql();
        for id in &ids {
            sql.exec(
                "INSERT OR IGNORE INTO pending_agents (id) VALUES (?)",
                vec![id.as_str().into()],
            )?;
        }
        let mut failed = false;
        for id in ids {
            let profile = self.agents(Some(&id))?.first().map(AgentRow::profile);
            let ask = AgentAsk::Profile { profile };
            if internal::ask_agent::<()>(&self.env, &id, &ask)
                .await
                .is_ok()
            {
                sql.exec(
                    "DELETE FROM pending_agents WHERE id = ?",
                    vec![id.as_str().into()],
                )?;
            } else {
                failed = true;
            }
        }
        if failed {
            self.state.storage().set_alarm(1000i64).await?;
        }
        Ok(())
    }
}

/// A new bearer token for an agent, and the hash that is all the deployment keeps of it.
pub(super) fn new_token(id: &str) -> (String, String) {
    let secret = [crate::ids::random16(), crate::ids::random16()].concat();
    let token = format!("{id}.{}", crate::ids::base64url(&secret));
    let hash = crate::auth::token_hash(&token);
    (token, hash)
}
