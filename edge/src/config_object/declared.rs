//! The whole configuration at once (configuration as code): read as one document, planned
//! against a declared one, and applied with every change landing together or none.

use super::agents::{new_token, AgentRow};
use super::ConfigObject;
use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::internal;
use callback_shared::config::Config;
use callback_shared::declared::{self, Change, Declared, Problem, Valid};
use serde::Serialize;
use worker::{Request, Response};

/// A plan's answer, and an apply's.
#[derive(Serialize)]
struct Planned {
    /// The live version: the plan's base, or the new one once applied.
    version: i64,
    applied: bool,
    changes: Vec<Change>,
}

impl ConfigObject {
    pub(super) fn document(&self, config: &Config) -> ApiResult<Response> {
        http::json(&Declared {
            sections: config.sections().clone(),
            agents: Some(self.agent_specs()?),
            version: Some(self.version()?),
        })
    }

    /// Validates a declared configuration and answers what applying it changes; with `apply`,
    /// stores every change at once (no `await` until they are all written) and then tells the
    /// services and agents concerned.
    pub(super) async fn declare(
        &self,
        req: &mut Request,
        live: &Config,
        apply: bool,
    ) -> ApiResult<Response> {
        let body = internal::body(req).await?;
        let declared: Declared = http::body_json(&http::content_type(req), &body)?;
        let valid = self.validate(&declared)?;
        let mut version = self.version()?;
        let live_agents = self.agents(None)?;
        let changes = declared::plan(
            live.sections(),
            &live_agents
                .iter()
                .map(|a| (a.id.clone(), a.spec()))
                .collect(),
            &valid,
        );
        let applied = apply && !changes.is_empty();
        if apply {
            if let Some(planned) = declared.version.filter(|v| *v != version) {
                return Err(ApiError::InvalidState(format!("the configuration changed since the plan (version {planned}, now {version}): plan again")));
            }
        }
        if applied {
            let agents = self.store_all(&valid, &live_agents)?;
            version = self.version()?;
            let services = super::union(live.service_names(), valid.config.service_names());
            self.push(services).await?;
            self.push_agents(agents).await?;
        }
        http::json(&Planned {
            version,
            applied,
            changes,
        })
    }

    /// Every rule of the admin API, every problem at once, one a line.
    fn validate(&self, declared: &Declared) -> ApiResult<Valid> {
        let problems = |problems: Vec<Problem>| {
            let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
            ApiError::InvalidParameter(lines.join("\n"))
        };
        let valid = declared.validate().map_err(problems)?;
        let unsigned: Vec<Problem> = valid
            .config
            .sections()
            .keys()
            .filter_map(|table| {
                let error = self.require_secrets(&valid.config, table).err()?;
                let table = table.clone();
                Some(Problem { table, error })
            })
            .collect();
        if unsigned.is_empty() {
            Ok(valid)
        } else {
            Err(problems(unsigned))
        }
    }

    /// Writes the whole configuration with no `await` in between (a Durable Object commits it as
    /// one); answers the agents whose objects must learn their profile.
    fn store_all(&self, valid: &Valid, live_agents: &[AgentRow]) -> ApiResult<Vec<String>> {
        let sql = self.state.storage().sql();
        sql.exec("DELETE FROM sections", None)?;
        for (name, options) in valid.config.sections() {
            let text =
                serde_json::to_string(options).map_err(|e| ApiError::Internal(e.to_string()))?;
            sql.exec(
                "INSERT INTO sections (name, options) VALUES (?, ?)",
                vec![name.as_str().into(), text.into()],
            )?;
        }
        let mut told = Vec::new();
        if let Some(agents) = &valid.agents {
            for gone in live_agents.iter().filter(|a| !agents.contains_key(&a.id)) {
                sql.exec(
                    "DELETE FROM agents WHERE id = ?",
                    vec![gone.id.as_str().into()],
                )?;
                told.push(gone.id.clone());
            }
            for (id, spec) in agents {
                let live = live_agents.iter().find(|a| &a.id == id);
                if live.is_some_and(|a| &a.spec() == spec) {
                    continue;
                }
                // A new agent's token is never shown here: it gets one from the console or with
                // `rotate_token`, as a token is answered only to whoever asked for it.
                let token_hash = live.map_or_else(|| new_token(id).1, |a| a.token_hash.clone());
                self.store_agent(&AgentRow::new(id, spec, token_hash)?)?;
                told.push(id.clone());
            }
        }
        sql.exec("UPDATE meta SET version = version + 1 WHERE id = 1", None)?;
        Ok(told)
    }
}
