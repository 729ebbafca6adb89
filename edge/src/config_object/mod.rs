//! The configuration: one Durable Object holding every section. A change is validated against
//! the whole configuration, stored, then pushed (with a version) to every service's object, so
//! it takes effect at once; a push that fails is retried from this object's alarm.

use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::internal::{self, AgentAsk, ConfigAsk, ConfigPush, ServiceAsk, Services};
use crate::routes::{ConfigRoute, Kind, Matched};
use callback_shared::config::{presets, Config, ConfigError, Options, ServiceKind};
use serde::Deserialize;
use std::cell::Cell;
use std::collections::BTreeMap;
mod agents;
mod declared;

use agents::AgentPut;
use worker::{durable_object, DurableObject, Env, Request, Response, State as ObjectState};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS sections (name TEXT PRIMARY KEY, options TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
INSERT OR IGNORE INTO meta (id, version) VALUES (1, 0);
CREATE TABLE IF NOT EXISTS pending (service TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS pending_agents (id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS agents (id TEXT PRIMARY KEY, name TEXT NOT NULL, services TEXT NOT NULL, token_hash TEXT NOT NULL);
";

#[derive(Deserialize)]
struct SectionRow {
    name: String,
    options: String,
}

#[derive(Deserialize)]
struct VersionRow {
    version: i64,
}

#[derive(Deserialize)]
struct PendingRow {
    service: String,
}

#[derive(Deserialize)]
struct PendingAgentRow {
    id: String,
}

#[durable_object]
pub struct ConfigObject {
    state: ObjectState,
    env: Env,
    migrated: Cell<bool>,
}

impl DurableObject for ConfigObject {
    fn new(state: ObjectState, env: Env) -> Self {
        ConfigObject {
            state,
            env,
            migrated: Cell::new(false),
        }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        internal::respond(
            req,
            async |ask: ConfigAsk, _: &Request| match ask {
                ConfigAsk::Services => self.services(),
            },
            async |req, matched, _| self.client(req, &matched).await,
        )
        .await
    }

    async fn alarm(&self) -> worker::Result<Response> {
        let retry = async {
            self.ready()?;
            let pending: Vec<PendingRow> = self
                .state
                .storage()
                .sql()
                .exec("SELECT service FROM pending", None)?
                .to_array()?;
            self.push(pending.into_iter().map(|p| p.service).collect())
                .await?;
            let agents: Vec<PendingAgentRow> = self
                .state
                .storage()
                .sql()
                .exec("SELECT id FROM pending_agents", None)?
                .to_array()?;
            self.push_agents(agents.into_iter().map(|a| a.id).collect())
                .await
        };
        retry
            .await
            .map_err(|e: ApiError| worker::Error::RustError(e.to_string()))?;
        Response::ok("")
    }
}

impl ConfigObject {
    fn ready(&self) -> ApiResult<()> {
        if !self.migrated.get() {
            let sql = self.state.storage().sql();
            sql.exec(SCHEMA, None)?;
            // Agents' phones came later: the column is added once to an older table.
            if sql.exec("SELECT phone FROM agents LIMIT 0", None).is_err() {
                sql.exec("ALTER TABLE agents ADD COLUMN phone TEXT", None)?;
            }
            self.migrated.set(true);
        }
        Ok(())
    }

    fn load(&self) -> ApiResult<Config> {
        let rows: Vec<SectionRow> = self
            .state
            .storage()
            .sql()
            .exec("SELECT name, options FROM sections", None)?
            .to_array()?;
        let mut sections = BTreeMap::new();
        for row in rows {
            let options: Options = serde_json::from_str(&row.options)
                .map_err(|e| ApiError::Internal(format!("section {} unreadable: {e}", row.name)))?;
            sections.insert(row.name, options);
        }
        Ok(Config::from_sections(sections))
    }

    /// Dials go out signed and their results must come back signed: a callback service with a
    /// dialer needs a secret, its own (`_webhook_secret`) or the deployment's (`WEBHOOK_SECRET`);
    /// one whose calls Twilio places needs the deployment's `TWILIO_AUTH_TOKEN`.
    fn require_secrets(&self, config: &Config, section: &str) -> Result<(), ConfigError> {
        let Some(name) = section.strip_prefix("service.") else {
            return Ok(());
        };
        let Ok(service) = config.callback_service(name) else {
            return Ok(());
        };
        let secret = |name| {
            self.env
                .secret(name)
                .map(|s| s.to_string())
                .unwrap_or_default()
        };
        if service.scenario.dialer_url.is_some()
            && service.notifications.secret.is_empty()
            && secret("WEBHOOK_SECRET").is_empty()
        {
            return Err(ConfigError::new("_webhook_secret", "a service with a _dialer_url needs a secret to sign dials and check results (or set the deployment's WEBHOOK_SECRET)"));
        }
        if service.scenario.twilio.is_some() && secret("TWILIO_AUTH_TOKEN").is_empty() {
            return Err(ConfigError::new(
                "_telephony",
                "Twilio needs the deployment's auth token: wrangler secret put TWILIO_AUTH_TOKEN",
            ));
        }
        Ok(())
    }

    /// The services answers across services need.
    fn services(&self) -> ApiResult<Services> {
        self.ready()?;
        let config = self.load()?;
        let of_kind = |kind| {
            config
                .service_names()
                .into_iter()
                .filter(|n| config.kind(n) == Some(kind))
                .collect()
        };
        Ok(Services {
            callback: of_kind(ServiceKind::Callback),
            access: of_kind(ServiceKind::RequestAccess),
        })
    }

    /// The admin API's configuration and agents routes, forwarded by the Worker.
    async fn client(&self, mut req: Request, route: &Matched) -> ApiResult<Response> {
        self.ready()?;
        let mut config = self.load()?;
        let Kind::Config(kind) = route.kind else {
            return Err(ApiError::NotFound(req.path()));
        };
        match kind {
            ConfigRoute::All => http::json(config.sections()),
            ConfigRoute::Get => http::json(
                config
                    .section(route.section())
                    .ok_or_else(|| ApiError::UnknownSection(route.section().to_string()))?,
            ),
            ConfigRoute::Put => {
                let body = internal::body(&mut req).await?;
                let options: Options = http::body_params(&http::content_type(&req), &body)?;
                let options = presets::expand(&options)?;
                let before = config.service_names();
                config.put(route.section(), options.clone())?;
                self.require_secrets(&config, route.section())?;
                self.store(route.section(), Some(&options))?;
                self.push(union(before, config.service_names())).await?;
                http::json(&options)
            }
            ConfigRoute::Delete => {
                let before = config.service_names();
                if !config
                    .delete(route.section())
                    .map_err(|e| ApiError::InvalidState(e.to_string()))?
                {
                    return Err(ApiError::UnknownSection(route.section().to_string()));
                }
                self.store(route.section(), None)?;
                self.push(before).await?;
                http::json(&serde_json::json!({}))
            }
            ConfigRoute::Agents => http::json(
                &self
                    .agents(None)?
                    .iter()
                    .map(|a| a.answer(None))
                    .collect::<Vec<_>>(),
            ),
            ConfigRoute::AgentGet => {
                let id = route.agent()?;
                let row = self
                    .agents(Some(&id))?
                    .into_iter()
                    .next()
                    .ok_or_else(|| ApiError::UnknownAgent(id.clone()))?;
                http::json(&row.answer(None))
            }
            ConfigRoute::AgentPut => {
                let body = internal::body(&mut req).await?;
                let put: AgentPut = http::body_json(&http::content_type(&req), &body)?;
                self.put_agent(&route.agent()?, put, &config).await
            }
            ConfigRoute::Document => self.document(&config),
            ConfigRoute::Plan => self.declare(&mut req, &config, false).await,
            ConfigRoute::Apply => self.declare(&mut req, &config, true).await,
            ConfigRoute::AgentDelete => {
                let id = route.agent()?;
                if self.agents(Some(&id))?.is_empty() {
                    return Err(ApiError::UnknownAgent(id.clone()));
                }
                internal::ask_agent::<()>(&self.env, &id, &AgentAsk::Profile { profile: None })
                    .await?;
                self.state
                    .storage()
                    .sql()
                    .exec("DELETE FROM agents WHERE id = ?", vec![id.as_str().into()])?;
                http::json(&serde_json::json!({}))
            }
        }
    }

    /// Stores (or deletes) a section and bumps the version; the services to tell are marked pending.
    fn store(&self, name: &str, options: Option<&Options>) -> ApiResult<()> {
        let sql = self.state.storage().sql();
        match options {
            Some(options) => {
                let text = serde_json::to_string(options)
                    .map_err(|e| ApiError::Internal(e.to_string()))?;
                sql.exec(
                    "INSERT OR REPLACE INTO sections (name, options) VALUES (?, ?)",
                    vec![name.into(), text.into()],
                )?;
            }
            None => {
                sql.exec("DELETE FROM sections WHERE name = ?", vec![name.into()])?;
            }
        }
        sql.exec("UPDATE meta SET version = version + 1 WHERE id = 1", None)?;
        Ok(())
    }

    fn version(&self) -> ApiResult<i64> {
        let row: VersionRow = self
            .state
            .storage()
            .sql()
            .exec("SELECT version FROM meta WHERE id = 1", None)?
            .one()?;
        Ok(row.version)
    }

    /// Sends the current configuration to each service's object; failures stay pending and are
    /// retried by the alarm.
    async fn push(&self, services: Vec<String>) -> ApiResult<()> {
        let sql = self.state.storage().sql();
        for s in &services {
            sql.exec(
                "INSERT OR IGNORE INTO pending (service) VALUES (?)",
                vec![s.as_str().into()],
            )?;
        }
        let version = self.version()?;
        let sections = self.load()?.sections().clone();
        let mut failed = false;
        for service in services {
            let push = ConfigPush {
                service: service.clone(),
                version,
                sections: sections.clone(),
            };
            let answer = internal::ask::<i64>(
                &self.env,
                internal::Object::Service,
                &service,
                None,
                &ServiceAsk::Config(push),
            )
            .await;
            if answer.is_ok() {
                sql.exec(
                    "DELETE FROM pending WHERE service = ?",
                    vec![service.as_str().into()],
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

fn union(mut a: Vec<String>, b: Vec<String>) -> Vec<String> {
    a.extend(b);
    a.sort();
    a.dedup();
    a
}
