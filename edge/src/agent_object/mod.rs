//! One Durable Object per agent (named by the agent's id): the agent's profile, whether they are
//! ready, and their one reservation.
//!
//! Reservation is pulled by the agent: this object asks its services for work one at a time (from
//! its alarm, which never runs twice at once), so an agent never holds two callbacks; each service
//! reserves its next callback atomically in its own object, so a callback never goes to two
//! agents. Services wake this object (`AgentAsk::Sync`) when something may concern it; its alarm
//! then re-reads the reservation from the service (the service is the truth), asks for work when
//! free, and tells the agent's open event streams.

use crate::auth;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::ids::CallbackId;
use crate::internal::{self, AgentAsk, ServiceAsk};
use crate::routes::{Access, AgentRoute, ChatOp, Kind, Matched, ServiceRoute};
use callback_shared::wire::{AgentAnswer, AgentOffer, AgentStatus, Record};
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};
mod stream;

use stream::Stream;
use worker::{
    durable_object, DurableObject, Env, Request, Response, SqlStorageValue as V,
    State as ObjectState,
};

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS agent (id INTEGER PRIMARY KEY CHECK (id = 1), profile TEXT NOT NULL, ready INTEGER NOT NULL DEFAULT 0, held TEXT, origin TEXT NOT NULL DEFAULT '')";
/// The chats the agent joined, held beside their one offer (CHAT.md).
const CHATS: &str = "CREATE TABLE IF NOT EXISTS chats (id TEXT PRIMARY KEY)";

/// An agent as configured by the admin API (the configuration object pushes it here).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Profile {
    pub id: String,
    pub name: String,
    pub services: Vec<String>,
    /// Hex SHA-256 of the bearer token: the token itself is never stored.
    pub token_hash: String,
    /// In E.164, where a telephony connector calls the agent.
    #[serde(default)]
    pub phone: Option<String>,
}

#[derive(Deserialize)]
struct Row {
    profile: String,
    ready: i64,
    held: Option<String>,
    origin: String,
}

struct Agent {
    profile: Profile,
    ready: bool,
    held: Option<String>,
    /// The public origin the agent calls (records' `_url` are built from it).
    origin: String,
}

#[durable_object]
pub struct AgentObject {
    state: ObjectState,
    env: Env,
    migrated: Cell<bool>,
    /// Open server-sent event streams of `GET /genesys/1/agent/offer`.
    streams: RefCell<Vec<Stream>>,
}

impl DurableObject for AgentObject {
    fn new(state: ObjectState, env: Env) -> Self {
        AgentObject {
            state,
            env,
            migrated: Cell::new(false),
            streams: RefCell::new(Vec::new()),
        }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        internal::respond(
            req,
            async |ask: AgentAsk, _: &Request| self.asked(ask).await,
            async |req, matched, _| self.client(req, &matched).await,
        )
        .await
    }

    async fn alarm(&self) -> worker::Result<Response> {
        self.sync()
            .await
            .map_err(|e| worker::Error::RustError(e.to_string()))?;
        Response::ok("")
    }
}

/// A chat whose agent joined it (connected, or recording its disposition).
fn joined_chat(offer: &AgentOffer) -> bool {
    let c = &offer.callback;
    c.get("_media_type").map(String::as_str) == Some("chat")
        && c.get("_callback_state").map(String::as_str) == Some("PROCESSING")
}

impl AgentObject {
    fn sql(&self) -> ApiResult<worker::SqlStorage> {
        let sql = self.state.storage().sql();
        if !self.migrated.get() {
            sql.exec(SCHEMA, None)?;
            sql.exec(CHATS, None)?;
            self.migrated.set(true);
        }
        Ok(sql)
    }

    fn load(&self) -> ApiResult<Option<Agent>> {
        // An agent's object is made by its profile's push; a token naming anyone else reads
        // nothing and writes nothing (no one can make us store objects by inventing agents).
        if !self.migrated.get() {
            let sql = self.state.storage().sql();
            let tables = sql
                .exec(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'agent'",
                    None,
                )?
                .to_array::<serde_json::Value>()?;
            if tables.is_empty() {
                return Ok(None);
            }
        }
        let rows: Vec<Row> = self
            .sql()?
            .exec(
                "SELECT profile, ready, held, origin FROM agent WHERE id = 1",
                None,
            )?
            .to_array()?;
        let Some(row) = rows.into_iter().next() else {
            return Ok(None);
        };
        let profile = serde_json::from_str(&row.profile)
            .map_err(|e| ApiError::Internal(format!("agent profile unreadable: {e}")))?;
        Ok(Some(Agent {
            profile,
            ready: row.ready == 1,
            held: row.held,
            origin: row.origin,
        }))
    }

    fn set(&self, column: &str, value: V) -> ApiResult<()> {
        self.sql()?.exec(
            &format!("UPDATE agent SET {column} = ? WHERE id = 1"),
            vec![value],
        )?;
        Ok(())
    }

    /// An ask of the configuration's or a service's object; see [`AgentAsk`].
    async fn asked(&self, ask: AgentAsk) -> ApiResult<serde_json::Value> {
        let answer = match ask {
            AgentAsk::Profile { profile } => {
                self.set_profile(profile).await?;
                serde_json::Value::Null
            }
            AgentAsk::Status => {
                let agent = self
                    .load()?
                    .ok_or_else(|| ApiError::UnknownAgent(String::new()))?;
                let p = agent.profile;
                serde_json::to_value(AgentAnswer {
                    id: p.id,
                    name: p.name,
                    services: p.services,
                    phone: p.phone,
                    token: None,
                    ready: Some(agent.ready),
                    holds: agent.held,
                })
                .map_err(|e| ApiError::Internal(e.to_string()))?
            }
            AgentAsk::Sync => {
                self.wake().await?;
                serde_json::Value::Null
            }
        };
        Ok(answer)
    }

    /// The agent's own request, forwarded by the Worker: only with the agent's current token.
    async fn client(&self, mut req: Request, matched: &Matched) -> ApiResult<Response> {
        let agent = self.load()?.ok_or(ApiError::BadToken)?;
        let token = auth::bearer(&req)?;
        if !auth::same(
            auth::token_hash(&token).as_bytes(),
            agent.profile.token_hash.as_bytes(),
        ) {
            return Err(ApiError::BadToken);
        }
        let origin = http::own_origin(&req)?;
        if origin != agent.origin {
            self.set("origin", origin.as_str().into())?;
        }
        let Kind::Agent(route) = matched.kind else {
            return Err(ApiError::NotFound(req.path()));
        };
        match route {
            AgentRoute::Ready | AgentRoute::NotReady => {
                let ready = route == AgentRoute::Ready;
                self.set("ready", V::Integer(i64::from(ready)))?;
                self.tell_services(&agent.profile, &agent.profile.services, ready, &origin)
                    .await;
                self.wake().await?;
                http::json(&self.status().await?)
            }
            AgentRoute::Offer => {
                let status = self.status().await?;
                if status.ready && status.offer.is_none() {
                    // A wake-up lost on the way (a service's call that failed) is made good here.
                    self.wake().await?;
                }
                let streaming =
                    http::header(&req, "accept").is_some_and(|a| a.contains("text/event-stream"));
                if streaming {
                    return self.stream(&status);
                }
                http::json(&status)
            }
            AgentRoute::Act(action) => {
                let id = matched.id()?;
                let body = internal::body(&mut req).await?;
                let ask = ServiceAsk::AgentAct {
                    agent: agent.profile.id.clone(),
                    id: id.text.clone(),
                    action,
                    params: http::body_params(&http::content_type(&req), &body)?,
                };
                let record: Result<Record, ApiError> =
                    internal::ask_service(&self.env, &id.service, &origin, &ask).await;
                self.wake().await?;
                http::json(&record?)
            }
            AgentRoute::Chat(ChatOp::Socket) => {
                let id = matched.id()?;
                let socket = Matched {
                    kind: Kind::Service(ServiceRoute::AgentSocket),
                    access: Access::Agent,
                    params: [
                        ("id".to_string(), id.text.clone()),
                        ("agent".to_string(), agent.profile.id.clone()),
                    ]
                    .into(),
                };
                let object = internal::Object::Service;
                internal::forward(
                    &self.env,
                    object,
                    &id.service,
                    &req,
                    None,
                    &socket,
                    Caller::Server,
                )
                .await
            }
            AgentRoute::Chat(op) => {
                let id = matched.id()?;
                let params = internal::params(&mut req).await?;
                let ask = ServiceAsk::AgentChat {
                    agent: agent.profile.id.clone(),
                    id: id.text.clone(),
                    op,
                    params,
                };
                let answer: Result<serde_json::Value, ApiError> =
                    internal::ask_service(&self.env, &id.service, &origin, &ask).await;
                if op == ChatOp::Leave {
                    self.wake().await?;
                }
                http::json(&answer?)
            }
        }
    }

    /// A new profile (or none: the agent was deleted). Services the agent leaves see them not ready.
    async fn set_profile(&self, profile: Option<Profile>) -> ApiResult<()> {
        let before = self.load()?;
        let sql = self.sql()?;
        let origin = before
            .as_ref()
            .map(|a| a.origin.clone())
            .unwrap_or_default();
        if let Some(before) = &before {
            let kept = profile
                .as_ref()
                .map(|p| p.services.clone())
                .unwrap_or_default();
            let left: Vec<String> = before
                .profile
                .services
                .iter()
                .filter(|s| !kept.contains(s))
                .cloned()
                .collect();
            self.give_back(&before.profile.id, &left, &origin).await;
        }
        // Streams opened with a token that no longer holds (deleted, or rotated) are closed.
        if profile.as_ref().map(|p| &p.token_hash) != before.as_ref().map(|b| &b.profile.token_hash)
        {
            for stream in self.streams.take() {
                stream.close_channel();
            }
        }
        match profile {
            Some(p) => {
                let text =
                    serde_json::to_string(&p).map_err(|e| ApiError::Internal(e.to_string()))?;
                sql.exec("INSERT INTO agent (id, profile) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET profile = excluded.profile", vec![text.into()])?;
                if let Some(before) = before.filter(|b| b.ready) {
                    self.tell_services(&p, &p.services, before.ready, &origin)
                        .await;
                }
            }
            None => {
                sql.exec("DELETE FROM agent", None)?;
            }
        }
        Ok(())
    }

    /// Tells services the agent left that it is gone: what it held there goes back to the queue.
    async fn give_back(&self, agent: &str, services: &[String], origin: &str) {
        if origin.is_empty() {
            return;
        }
        let ask = ServiceAsk::AgentGone {
            agent: agent.to_string(),
        };
        for service in services {
            if let Err(e) = internal::ask_service::<()>(&self.env, service, origin, &ask).await {
                worker::console_warn!("agent {agent}: service {service} not told it left: {e}");
            }
        }
    }

    /// Tells services whether the agent is ready (for their wake-ups and wait estimates). A service
    /// that misses it is told again at the agent's next change.
    async fn tell_services(
        &self,
        profile: &Profile,
        services: &[String],
        ready: bool,
        origin: &str,
    ) {
        if origin.is_empty() {
            return;
        }
        let ask = ServiceAsk::AgentReady {
            agent: profile.id.clone(),
            ready,
            name: profile.name.clone(),
        };
        for service in services {
            if let Err(e) = internal::ask_service::<()>(&self.env, service, origin, &ask).await {
                worker::console_warn!("agent {}: service {service} not told: {e}", profile.id);
            }
        }
    }

    /// Runs the alarm at once: a sync never runs twice at the same time.
    async fn wake(&self) -> ApiResult<()> {
        self.state.storage().set_alarm(0i64).await?;
        Ok(())
    }

    /// The agent and their reservation as the service that holds it sees it.
    async fn status(&self) -> ApiResult<AgentStatus> {
        let agent = self.load()?.ok_or(ApiError::BadToken)?;
        let mut offer = match &agent.held {
            Some(id) => {
                let offer = self.held(&agent, id).await?;
                if offer.is_none() {
                    self.set("held", V::Null)?;
                }
                offer
            }
            None => None,
        };
        // A chat the agent joined is held beside the next offer.
        if let Some(joined) = offer.take_if(|o| joined_chat(o)) {
            let id = joined.callback.get("_id").cloned().unwrap_or_default();
            let sql = self.sql()?;
            sql.exec(
                "INSERT OR IGNORE INTO chats (id) VALUES (?)",
                vec![id.into()],
            )?;
            self.set("held", V::Null)?;
        }
        let mut chats = Vec::new();
        for id in self.chat_ids()? {
            match self.held(&agent, &id).await? {
                Some(chat) => chats.push(chat),
                None => {
                    self.sql()?
                        .exec("DELETE FROM chats WHERE id = ?", vec![id.into()])?;
                }
            }
        }
        let p = agent.profile;
        Ok(AgentStatus {
            agent: p.id,
            name: p.name,
            services: p.services,
            ready: agent.ready,
            offer,
            chats,
        })
    }

    /// Callback `id` as the agent sees it, while it is theirs.
    async fn held(&self, agent: &Agent, id: &str) -> ApiResult<Option<AgentOffer>> {
        let ask = ServiceAsk::Held {
            agent: agent.profile.id.clone(),
            id: id.to_string(),
        };
        let service = CallbackId::parse(id).map_or_else(String::new, |id| id.service);
        self.ask_offer(agent, &service, &ask).await
    }

    fn chat_ids(&self) -> ApiResult<Vec<String>> {
        #[derive(Deserialize)]
        struct Row {
            id: String,
        }
        let rows: Vec<Row> = self
            .sql()?
            .exec("SELECT id FROM chats ORDER BY id", None)?
            .to_array()?;
        Ok(rows.into_iter().map(|r| r.id).collect())
    }

    /// Asks a service about the agent's callback, or for the next one.
    async fn ask_offer(
        &self,
        agent: &Agent,
        service: &str,
        ask: &ServiceAsk,
    ) -> ApiResult<Option<AgentOffer>> {
        match internal::ask_service(&self.env, service, &agent.origin, ask).await {
            Ok(offer) => Ok(offer),
            // The service (or the callback) is gone.
            Err(
                ApiError::UnknownService(_) | ApiError::UnknownCallback(_) | ApiError::NotFound(_),
            ) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The alarm: refresh the reservation, ask for work when ready and free, tell the streams.
    async fn sync(&self) -> ApiResult<()> {
        let Some(agent) = self.load()? else {
            return Ok(());
        };
        let mut status = self.status().await?;
        if status.ready && status.offer.is_none() {
            for service in &agent.profile.services {
                let ask = ServiceAsk::Reserve {
                    agent: agent.profile.id.clone(),
                    chats: u32::try_from(status.chats.len()).unwrap_or(u32::MAX),
                };
                match self.ask_offer(&agent, service, &ask).await {
                    Ok(Some(offer)) => {
                        let id = offer.callback.get("_id").cloned().unwrap_or_default();
                        self.set("held", id.into())?;
                        status.offer = Some(offer);
                        break;
                    }
                    Ok(None) => {}
                    Err(e) => worker::console_warn!(
                        "agent {}: no work asked of {service}: {e}",
                        agent.profile.id
                    ),
                }
            }
        }
        self.broadcast(&status);
        Ok(())
    }
}
