//! Agents as the admin API configures them: names, services, and a bearer token answered once.

use super::ConfigObject;
use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::internal::{self, AgentAsk};
use callback_shared::config::{Config, ServiceKind};
use callback_shared::wire::AgentAnswer;
use serde::Deserialize;
use worker::Response;

#[derive(Deserialize)]
pub(super) struct AgentRow {
    id: String,
    name: String,
    services: String,
    token_hash: String,
}

impl AgentRow {
    pub(super) fn answer(&self, token: Option<String>) -> AgentAnswer {
        let services = serde_json::from_str(&self.services).unwrap_or_default();
        AgentAnswer {
            id: self.id.clone(),
            name: self.name.clone(),
            services,
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
    #[serde(default)]
    services: ServiceList,
    #[serde(default)]
    rotate_token: bool,
}

/// Services as a JSON list or a comma-separated string (as GMS options are written).
#[derive(Deserialize, Default)]
#[serde(untagged)]
enum ServiceList {
    #[default]
    None,
    List(Vec<String>),
    Text(String),
}

impl ServiceList {
    fn names(self) -> Vec<String> {
        let names = match self {
            ServiceList::None => Vec::new(),
            ServiceList::List(list) => list,
            ServiceList::Text(text) => text.split(',').map(str::to_string).collect(),
        };
        let mut names: Vec<String> = names
            .into_iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        names.dedup();
        names
    }
}

impl ConfigObject {
    pub(super) fn agents(&self, id: Option<&str>) -> ApiResult<Vec<AgentRow>> {
        let sql = self.state.storage().sql();
        let rows = match id {
            Some(id) => sql.exec(
                "SELECT id, name, services, token_hash FROM agents WHERE id = ?",
                vec![id.into()],
            )?,
            None => sql.exec(
                "SELECT id, name, services, token_hash FROM agents ORDER BY id",
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
        let name = put
            .name
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .ok_or_else(|| ApiError::InvalidParameter("name: required".into()))?;
        if name.chars().count() > 100 {
            return Err(ApiError::InvalidParameter(
                "name: at most 100 characters".into(),
            ));
        }
        let services = put.services.names();
        if let Some(bad) = services
            .iter()
            .find(|s| config.kind(s) != Some(ServiceKind::Callback))
        {
            return Err(ApiError::InvalidParameter(format!(
                "services: `{bad}` is not a callback service"
            )));
        }
        let kept = self
            .agents(Some(id))?
            .into_iter()
            .next()
            .filter(|_| !put.rotate_token);
        let (token, token_hash) = match kept {
            Some(row) => (None, row.token_hash),
            None => {
                let secret = [crate::ids::random16(), crate::ids::random16()].concat();
                let token = format!("{id}.{}", crate::ids::base64url(&secret));
                let hash = crate::auth::token_hash(&token);
                (Some(token), hash)
            }
        };
        let profile = crate::agent_object::Profile {
            id: id.to_string(),
            name: name.clone(),
            services: services.clone(),
            token_hash: token_hash.clone(),
        };
        internal::ask_agent::<()>(
            &self.env,
            id,
            &AgentAsk::Profile {
                profile: Some(profile),
            },
        )
        .await
        .map_err(|e| ApiError::Internal(format!("agent {id} not updated: {e}")))?;
        let services_text =
            serde_json::to_string(&services).map_err(|e| ApiError::Internal(e.to_string()))?;
        self.state.storage().sql().exec(
            "INSERT OR REPLACE INTO agents (id, name, services, token_hash) VALUES (?, ?, ?, ?)",
            vec![
                id.into(),
                name.as_str().into(),
                services_text.as_str().into(),
                token_hash.as_str().into(),
            ],
        )?;
        let row = AgentRow {
            id: id.to_string(),
            name,
            services: services_text,
            token_hash,
        };
        http::json(&row.answer(token))
    }
}
