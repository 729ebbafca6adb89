//! One Durable Object per service (named by the service): all its callbacks, bookings, limits,
//! throttles and timers. Requests are decided and recorded here with no `await` between the
//! decision and its writes, so concurrent requests can never overbook or exceed a limit.
//!
//! This file holds the object's state and sends each request to the module of its capability.

mod access;
mod admin;
mod agents;
mod alarm;
mod availability;
mod builtin;
mod callbacks;
mod calls;
mod chat;
mod configuration;
mod guard;
mod ivr;
mod outbox;
mod reference;
mod stats;
mod talk;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::ids::CallbackId;
use crate::internal::{self, ServiceAsk};
use crate::routes::{Kind, Matched, ServiceRoute};
use crate::store::Store;
use callback_shared::config::Window;
use callback_shared::iso::Shift;
use callback_shared::record::Callback;
use callback_shared::wire::Record;
use chrono::{DateTime, Duration, Utc};
use configuration::View;
use guard::RateLimiter;
use serde_json::value::RawValue;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;
use talk::Talk;
use worker::{
    durable_object, DurableObject, Env, Method, Request, Response, State as ObjectState, WebSocket,
    WebSocketIncomingMessage,
};

#[durable_object]
pub struct ServiceObject {
    state: ObjectState,
    env: Env,
    store: Store,
    migrated: Cell<bool>,
    view: RefCell<Option<Rc<View>>>,
    /// Rate windows per key (a client IP, a customer number, an access number's code misses).
    rates: RateLimiter,
    /// Availability answers by (query, configuration version, current bucket), with the store's
    /// write count they were computed at: any booking written makes them stale.
    answers: RefCell<HashMap<String, (u64, String)>>,
    alarm: Cell<Option<i64>>,
    talks: RefCell<BTreeSet<Talk>>,
    /// How far this service's clock runs ahead of [`crate::clock`] (ms): 0 but in tests, which
    /// move it with [`ServiceAsk::Advance`] rather than wait.
    skew: Cell<i64>,
    /// Whether webhooks are being delivered (`outbox.rs`).
    delivering: Cell<bool>,
    /// Chats changed since their sockets were last pushed to (`chat.rs`).
    chats: RefCell<BTreeSet<String>>,
}

impl DurableObject for ServiceObject {
    fn new(state: ObjectState, env: Env) -> Self {
        crate::clock::init(&env);
        let store = Store::new(state.storage().sql());
        ServiceObject {
            state,
            env,
            store,
            migrated: Cell::new(false),
            view: RefCell::new(None),
            rates: RateLimiter::default(),
            answers: RefCell::new(HashMap::new()),
            alarm: Cell::new(None),
            talks: RefCell::new(BTreeSet::new()),
            skew: Cell::new(0),
            delivering: Cell::new(false),
            chats: RefCell::new(BTreeSet::new()),
        }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        internal::respond(
            req,
            async |ask: ServiceAsk, req: &Request| self.asked(ask, req).await,
            async |req, matched, caller| self.client(req, &matched, caller).await,
        )
        .await
    }

    async fn alarm(&self) -> worker::Result<Response> {
        self.on_alarm()
            .await
            .map_err(|e| worker::Error::RustError(e.to_string()))?;
        Response::ok("")
    }

    async fn websocket_message(
        &self,
        ws: WebSocket,
        message: WebSocketIncomingMessage,
    ) -> worker::Result<()> {
        let frame = match message {
            WebSocketIncomingMessage::String(text) => text,
            WebSocketIncomingMessage::Binary(_) => {
                ws.send_with_str(r#"{"error": "send JSON text frames"}"#)?;
                return Ok(());
            }
        };
        let said = self.ready().and_then(|()| self.socket_said(&ws, &frame));
        let after = self.after().await;
        said.and(after)
            .map_err(|e| worker::Error::RustError(e.to_string()))
    }

    async fn websocket_close(
        &self,
        ws: WebSocket,
        code: usize,
        _reason: String,
        _was_clean: bool,
    ) -> worker::Result<()> {
        // The client closed: the handshake is completed (a code it may not send back is not).
        let code = u16::try_from(code)
            .ok()
            .filter(|c| *c == 1000 || (3000..5000).contains(c));
        let _ = ws.close(code.or(Some(1000)), Some("closed"));
        Ok(())
    }

    async fn websocket_error(&self, _ws: WebSocket, error: worker::Error) -> worker::Result<()> {
        worker::console_warn!("a chat socket failed: {error}");
        Ok(())
    }
}

/// Public requests per client IP to an office-hours or capacity service (the default
/// `_client_rate_limit` of callback services).
const BUILTIN_RATE: Window = Window {
    limit: 120,
    seconds: 60,
};

impl ServiceObject {
    /// Before anything is read or written: the schema. A service's object is made by its
    /// configuration's push; before that, a request (to a name nobody configured) is answered
    /// without writing anything: no one can make us store objects by asking for names.
    fn open(&self, name: &str, pushing: bool) -> ApiResult<()> {
        if !self.migrated.get() && !pushing && !self.store.exists()? {
            return Err(ApiError::UnknownService(name.to_string()));
        }
        self.ready()
    }

    fn ready(&self) -> ApiResult<()> {
        if !self.migrated.get() {
            self.store.migrate()?;
            self.skew.set(self.store.clock_skew()?);
            self.migrated.set(true);
        }
        Ok(())
    }

    /// The service's clock: every decision of this object reads it.
    fn now(&self) -> DateTime<Utc> {
        crate::clock::now().plus(self.skew())
    }

    /// An instant of the service's clock on the platform's (where its alarm rings).
    fn on_platform(&self, t: DateTime<Utc>) -> DateTime<Utc> {
        crate::clock::on_platform(t).minus(self.skew())
    }

    fn skew(&self) -> Duration {
        Duration::milliseconds(self.skew.get())
    }

    /// After any request: steps it recorded are told to the objects they concern, and the alarm
    /// is kept no later than their timers.
    async fn after(&self) -> ApiResult<()> {
        // A deleted service's object that has just erased everything (its grace over) holds no
        // table to read.
        if !self.migrated.get() {
            return Ok(());
        }
        if let Ok(service) = self.view("").and_then(|v| v.callback()) {
            self.talk(&service).await?;
        }
        self.push_chats()?;
        self.alarm_no_later().await
    }

    /// An ask of the Worker or another object; see [`ServiceAsk`] for what each answers.
    async fn asked(&self, ask: ServiceAsk, req: &Request) -> ApiResult<Box<RawValue>> {
        let name = internal::name(req);
        self.open(&name, matches!(ask, ServiceAsk::Config(_)))?;
        let answer = self.answer_ask(ask, req, &name).await;
        self.after().await?;
        answer
    }

    async fn answer_ask(
        &self,
        ask: ServiceAsk,
        req: &Request,
        name: &str,
    ) -> ApiResult<Box<RawValue>> {
        match ask {
            ServiceAsk::Config(push) => return json(self.receive_config(push).await),
            // A deleted service's clock moves too: its grace period is a timer of its own.
            ServiceAsk::Advance { ms } => return json(self.advance(ms).await),
            _ => {}
        }
        let view = self.view(name)?;
        self.store.set_origin(&http::own_origin(req)?)?;
        match ask {
            ServiceAsk::Config(_) | ServiceAsk::Advance { .. } => {
                Err(ApiError::Internal("answered above".into()))
            }
            ServiceAsk::Find { query } => json(self.find(&query, &*view.callback()?)),
            ServiceAsk::Queues { query } => json(self.queues(&query)),
            ServiceAsk::Watermark => json(self.store.in_queue()),
            ServiceAsk::LedgerCheck => json(self.ledger_check(&*view.callback()?)),
            ServiceAsk::SeedFacts => json(self.store.seed_facts(self.now())),
            ServiceAsk::Stats {
                starts_ms,
                to_ms,
                zone,
                csv,
            } => json(self.stats(&starts_ms, to_ms, &zone, &*view.callback()?, csv)),
            ServiceAsk::Cancel { ids } => json(self.bulk_cancel(ids, &*view.callback()?)),
            ServiceAsk::Report { reason } => json(self.report(reason)),
            ServiceAsk::Erase { customer_number } => json(self.erase(&view, &customer_number)),
            ServiceAsk::Hold(params) => json(self.hold(&view, &params)),
            ServiceAsk::Release(hold) => json(crate::access::release(self.store.sql(), &hold)),
            ServiceAsk::Match(params) => json(self.match_call(&params)),
            ServiceAsk::Arrived { id } => json(self.arrived(&id, &*view.callback()?)),
            ServiceAsk::AgentReady { agent, ready, name } => {
                json(self.store.set_agent(&agent, ready, Some(&name)))
            }
            ServiceAsk::AgentGone { agent } => json(self.agent_gone(&agent, &*view.callback()?)),
            ServiceAsk::Reserve { agent, chats } => {
                json(self.reserve(&agent, chats, &*view.callback()?))
            }
            ServiceAsk::Held { agent, id } => json(self.held(&agent, &id, &*view.callback()?)),
            ServiceAsk::AgentAct {
                agent,
                id,
                action,
                params,
            } => json(self.agent_act(&agent, &id, action, &params, &*view.callback()?)),
            ServiceAsk::AgentChat {
                agent,
                id,
                op,
                params,
            } => json(self.chat_act(
                &id,
                &chat::Side::Agent(agent),
                op,
                &params,
                &*view.callback()?,
            )),
        }
    }

    /// A client's request, forwarded by the Worker with its route.
    async fn client(
        &self,
        mut req: Request,
        matched: &Matched,
        caller: Caller,
    ) -> ApiResult<Response> {
        let name = internal::name(&req);
        self.open(&name, false)?;
        let view = self.view(&name)?;
        self.store.set_origin(&http::own_origin(&req)?)?;
        if req.method() == Method::Options {
            return guard::preflight(&req, &view.callback()?.allowed_origins);
        }
        // Every answer to a browser on another origin names that origin, errors too: an allowed
        // site reads why it was refused (a full slot, a rate limit), and a site that is not
        // allowed reads that it is not, rather than a bare network failure.
        let cross_origin = guard::cross_origin(&req);
        let answer = self.serve(&mut req, matched, caller, &view).await;
        self.after().await?;
        Ok(http::with_cors(
            answer.unwrap_or_else(ApiError::into_response),
            cross_origin.as_deref(),
        ))
    }

    async fn serve(
        &self,
        req: &mut Request,
        matched: &Matched,
        caller: Caller,
        view: &View,
    ) -> ApiResult<Response> {
        // A callback service's routes: the origin must be allowed, and public callers are
        // rate-limited.
        let callback = |req: &Request| {
            let service = view.callback()?;
            self.guard(
                req,
                &service.name,
                &service.allowed_origins,
                service.limits.client_rate,
                caller,
            )?;
            ApiResult::Ok(service)
        };
        let Kind::Service(route) = matched.kind else {
            return Err(ApiError::NotFound(req.path()));
        };
        match route {
            // Office hours and capacity: for servers and the Callback host's own pages; public
            // callers are rate-limited as a callback service's are by default.
            ServiceRoute::BuiltinGet => {
                self.guard(req, &view.name, &[], BUILTIN_RATE, caller)?;
                self.builtin(req, view)
            }
            ServiceRoute::BuiltinPost => self.builtin_post(req, view).await,
            ServiceRoute::Create => {
                let service = callback(req)?;
                self.create(req, &service, caller).await
            }
            ServiceRoute::ById => {
                callback(req)?;
                self.by_id(req)
            }
            ServiceRoute::Find => {
                let service = callback(req)?;
                http::json(&self.find(&http::query(req)?, &service)?)
            }
            ServiceRoute::Get => {
                callback(req)?;
                http::json(&self.get(&matched.id()?)?)
            }
            ServiceRoute::Update => {
                let service = callback(req)?;
                self.update(req, &matched.id()?, &service, caller).await
            }
            ServiceRoute::Cancel => {
                let service = callback(req)?;
                self.cancel(&matched.id()?, &service, caller)
            }
            ServiceRoute::Events => {
                callback(req)?;
                self.events(&matched.id()?)
            }
            ServiceRoute::DialResult => {
                let service = callback(req)?;
                self.dial_result(req, &matched.id()?, &service).await
            }
            // Twilio's requests carry no origin and come from its addresses: its signature is
            // the guard.
            ServiceRoute::CallAnswer | ServiceRoute::CallStatus => {
                let service = view.callback()?;
                let answer = route == ServiceRoute::CallAnswer;
                self.call_webhook(req, &matched.id()?, &service, answer)
                    .await
            }
            ServiceRoute::TextReceived => {
                let service = view.callback()?;
                self.text_received(req, &service).await
            }
            ServiceRoute::IncomingCall | ServiceRoute::IncomingStatus => {
                let service = view.callback()?;
                let ended = route == ServiceRoute::IncomingStatus;
                self.incoming(req, &service, ended).await
            }
            ServiceRoute::AvailabilityV1 | ServiceRoute::AvailabilityV2 => {
                let service = callback(req)?;
                let v2 = route == ServiceRoute::AvailabilityV2;
                self.availability(req, &service, view.version, v2)
            }
            ServiceRoute::QueuePosition => {
                let service = callback(req)?;
                self.queue_position(&matched.id()?, &service)
            }
            ServiceRoute::Offer => {
                let service = callback(req)?;
                self.offer(&service)
            }
            ServiceRoute::Confirm => {
                let service = callback(req)?;
                self.confirm(&matched.id()?, &service).await
            }
            ServiceRoute::Chat(op) => {
                let service = callback(req)?;
                let params = internal::params(req).await?;
                self.customer_chat(req, &matched.id()?, op, &params, &service)
            }
            // Forwarded by the agent's object, which checked the token.
            ServiceRoute::AgentSocket => self.agent_socket(req, &matched.id()?, matched.agent()?),
        }
    }

    fn load(&self, id: &CallbackId) -> ApiResult<Callback> {
        self.store
            .load(&id.text)?
            .ok_or_else(|| ApiError::UnknownCallback(id.text.clone()))
    }

    fn get(&self, id: &CallbackId) -> ApiResult<Record> {
        Ok(self.load(id)?.to_gms(&self.store.base()))
    }
}

/// An ask's answer as JSON text, for [`internal::answer`], which puts it in its envelope as it is.
fn json<T: serde::Serialize>(result: ApiResult<T>) -> ApiResult<Box<RawValue>> {
    serde_json::value::to_raw_value(&result?).map_err(|e| ApiError::Internal(e.to_string()))
}
