//! One Durable Object per service (named by the service): all its callbacks, bookings, limits,
//! throttles and timers. Requests are decided and recorded here with no `await` between the
//! decision and its writes, so concurrent requests can never overbook or exceed a limit.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::ids::{random16, CallbackId};
use crate::routes::{self, Kind};
use crate::store::Store;
use callback_shared::availability::{self, Ask};
use callback_shared::config::{CallbackService, Config, Direction, ServiceKind, Window};
use callback_shared::create::{decide_create, decide_update, throttled_parameters, Ledger};
use callback_shared::iso;
use callback_shared::limits::RateWindows;
use callback_shared::params::Params;
use callback_shared::phone;
use callback_shared::query::Query;
use callback_shared::queue;
use callback_shared::record::Disposition;
use callback_shared::record::{Callback, Reason, State};
use callback_shared::scenario::{self, Actor, DialOutcome, Effect, Event, Step, Timer};
use callback_shared::wire::{
    self, AgentOffer, BulkCancelAnswer, CapacityAnswer, CapacitySlot, CreateAnswer, EventsAnswer,
    OfferAnswer, OfficeHoursAnswer, Period, QueuePosition, Record,
};
use callback_shared::zone::Zone;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use worker::{durable_object, DurableObject, Env, Request, Response, State as ObjectState};

/// The configuration as pushed by the configuration object, and this service's part of it.
struct View {
    version: i64,
    name: String,
    config: Config,
    /// This service resolved, once per version.
    callback: std::cell::OnceCell<Result<std::rc::Rc<CallbackService>, String>>,
}

impl View {
    fn callback(&self) -> ApiResult<std::rc::Rc<CallbackService>> {
        if self.config.kind(&self.name) != Some(ServiceKind::Callback) {
            return Err(ApiError::UnknownService(self.name.clone()));
        }
        let resolved = self.callback.get_or_init(|| {
            self.config
                .callback_service(&self.name)
                .map(std::rc::Rc::new)
                .map_err(|e| e.to_string())
        });
        resolved.clone().map_err(|e| {
            ApiError::ServiceUnavailable(format!("Service {} is misconfigured: {e}", self.name))
        })
    }
}

/// What a step asks of other objects, done once its writes are made ("decide, then talk").
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Talk {
    /// Something changed for this agent: their object syncs.
    Agent(String),
    /// A callback waits for an agent: wake the service's free ready agents.
    SeekAgents,
    /// User-originated: hold an access number for this callback.
    Access(String),
    /// A callback that held an access number ended: the number (and code) go back.
    Release(Params),
}

/// An agent's object asking about its agent's work.
#[derive(Deserialize)]
struct AgentAsk {
    agent: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    params: Params,
    #[serde(default)]
    ready: bool,
}

/// What the configuration object pushes.
#[derive(Serialize, Deserialize)]
pub struct ConfigPush {
    pub service: String,
    pub version: i64,
    pub sections: BTreeMap<String, BTreeMap<String, String>>,
}

#[durable_object]
pub struct ServiceObject {
    state: ObjectState,
    env: Env,
    store: Store,
    migrated: Cell<bool>,
    view: RefCell<Option<std::rc::Rc<View>>>,
    /// Rate windows per key (a client IP, a customer number, an access number's code misses).
    rates: RefCell<RateWindows>,
    /// Availability answers by (query, configuration version, current bucket), with the store's
    /// write count they were computed at: any booking written makes them stale.
    answers: RefCell<HashMap<String, (u64, String)>>,
    alarm: Cell<Option<i64>>,
    talks: RefCell<BTreeSet<Talk>>,
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
            rates: RefCell::new(RateWindows::default()),
            answers: RefCell::new(HashMap::new()),
            alarm: Cell::new(None),
            talks: RefCell::new(BTreeSet::new()),
        }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        Ok(self
            .handle(req)
            .await
            .unwrap_or_else(ApiError::into_response))
    }

    async fn alarm(&self) -> worker::Result<Response> {
        self.alarm.set(None);
        let run = async {
            self.ready()?;
            // Without a usable configuration timers and webhooks wait, and the alarm rests: the
            // configuration's next push sets it again.
            let Ok(service) = self.view("").and_then(|v| v.callback()) else {
                return self.forget_if_deleted().await;
            };
            self.run_timers(&service)?;
            self.talk(&service).await?;
            self.deliver_webhooks(&service).await?;
            self.sync_alarm().await
        };
        run.await
            .map_err(|e: ApiError| worker::Error::RustError(e.to_string()))?;
        Response::ok("")
    }
}

fn now() -> DateTime<Utc> {
    crate::clock::now()
}

/// Public requests per client IP to an office-hours or capacity service (the default
/// `_client_rate_limit` of callback services).
const BUILTIN_RATE: Window = Window {
    limit: 120,
    seconds: 60,
};

/// Codes that matched nothing, per access number, before its matches are refused for the rest of
/// the minute: 10,000 four-digit codes cannot be tried in a day.
const CODE_MISSES: Window = Window {
    limit: 20,
    seconds: 60,
};

impl ServiceObject {
    fn ready(&self) -> ApiResult<()> {
        if !self.migrated.get() {
            self.store.migrate()?;
            self.migrated.set(true);
        }
        Ok(())
    }

    fn view(&self, name: &str) -> ApiResult<std::rc::Rc<View>> {
        if let Some(view) = self.view.borrow().as_ref() {
            return Ok(view.clone());
        }
        let row = self
            .store
            .config()?
            .ok_or_else(|| ApiError::UnknownService(name.to_string()))?;
        let sections = serde_json::from_str(&row.sections)
            .map_err(|e| ApiError::Internal(format!("stored configuration unreadable: {e}")))?;
        let view = std::rc::Rc::new(View {
            version: row.version,
            name: row.service,
            config: Config::from_sections(sections),
            callback: std::cell::OnceCell::new(),
        });
        self.store.set_dialer(
            view.callback()
                .is_ok_and(|s| s.scenario.dialer_url.is_some()),
        );
        *self.view.borrow_mut() = Some(view.clone());
        Ok(view)
    }

    async fn handle(&self, req: Request) -> ApiResult<Response> {
        // A service's object is made by its configuration's push. Before that, a request (to a
        // name nobody configured) is answered without writing anything: no one can make us store
        // objects by asking for names.
        if !self.migrated.get() && req.path() != "/internal/config" && !self.store.exists()? {
            return Err(ApiError::UnknownService(
                http::header(&req, "x-callback-service").unwrap_or_default(),
            ));
        }
        self.ready()?;
        let answer = self.dispatch(req).await;
        // Whatever the path, steps it recorded are told to the objects they concern, and the
        // alarm is kept no later than their timers.
        if let Ok(service) = self.view("").and_then(|v| v.callback()) {
            self.talk(&service).await?;
        }
        self.alarm_no_later().await?;
        answer
    }

    async fn dispatch(&self, mut req: Request) -> ApiResult<Response> {
        let path = req.path();
        if path == "/internal/config" {
            return self.receive_config(&mut req).await;
        }
        let name = http::header(&req, "x-callback-service").unwrap_or_default();
        let caller = Caller::parse(&http::header(&req, "x-callback-caller").unwrap_or_default());
        let view = self.view(&name)?;
        self.store.set_origin(&http::own_origin(&req)?)?;
        match path.as_str() {
            "/internal/find" => return self.find(&req, &*view.callback()?),
            "/internal/queues" => return self.queues(&req),
            "/internal/watermark" => return http::json(&self.store.in_queue()?),
            "/internal/cancel" => return self.bulk_cancel(&mut req, &*view.callback()?).await,
            "/internal/report" => return self.report(&mut req).await,
            "/internal/hold" => {
                let body = http::body(&mut req).await?;
                return http::json(
                    &self.hold(&view, &http::body_params("application/json", &body)?)?,
                );
            }
            "/internal/arrived" => {
                let body = http::body(&mut req).await?;
                let params = http::body_params("application/json", &body)?;
                let text = params.get("_id").cloned().unwrap_or_default();
                let id = CallbackId::parse(&text).ok_or(ApiError::UnknownCallback(text))?;
                let step = scenario::apply(
                    &self.load(&id)?,
                    Event::CallerArrived,
                    &*view.callback()?,
                    now(),
                    Actor::System,
                )?;
                self.record(&step)?;
                return http::json(&step.callback.state());
            }
            "/internal/agent" | "/internal/reserve" | "/internal/held" | "/internal/agent-act" => {
                let body = http::body(&mut req).await?;
                let ask: AgentAsk = serde_json::from_str(&body)
                    .map_err(|e| ApiError::InvalidParameter(e.to_string()))?;
                return self.for_agent(&path, ask, &*view.callback()?);
            }
            "/internal/erase" => {
                let body = http::body(&mut req).await?;
                let ask: wire::EraseRequest = serde_json::from_str(&body)
                    .map_err(|e| ApiError::InvalidParameter(e.to_string()))?;
                return http::json(&self.erase(&view, &ask.customer_number)?);
            }
            "/internal/release" => {
                let body = http::body(&mut req).await?;
                return http::json(&crate::access::release(
                    self.store.sql(),
                    &http::body_params("application/json", &body)?,
                )?);
            }
            "/internal/match" => {
                let body = http::body(&mut req).await?;
                let params = http::body_params("application/json", &body)?;
                // Guessing codes is throttled per access number: a number with too many codes
                // that matched nothing lately is refused for a while, whoever asks.
                let misses = params
                    .get("_access_number")
                    .map(|n| format!("code-misses:{}", n.trim()));
                if let Some(key) = &misses {
                    self.limit_peek(key, CODE_MISSES)?;
                }
                let matched = crate::access::matched(self.store.sql(), &params, now());
                if let (Some(key), Err(ApiError::NotFound(_))) = (misses, &matched) {
                    // Counted only; the miss itself is the answer.
                    let _ = self.limit(&key, CODE_MISSES);
                }
                return http::json(&matched?);
            }
            _ => {}
        }
        let method = req.method().to_string();
        if method == "OPTIONS" {
            let origin = http::header(&req, "origin").ok_or(ApiError::Forbidden)?;
            if !http::origin_allowed(
                &origin,
                &http::own_origin(&req)?,
                &view.callback()?.allowed_origins,
            ) {
                return Err(ApiError::Forbidden);
            }
            return http::preflight(&origin);
        }
        let route = routes::find(&method, &path)?;
        match route.kind() {
            // Office hours and capacity: for servers and the Callback host's own pages; public
            // callers are rate-limited as a callback service's are by default.
            Kind::BuiltinGet => {
                self.guard(&req, &view.name, &[], BUILTIN_RATE, caller)?;
                return self.builtin(&req, &view);
            }
            Kind::BuiltinPost => return self.builtin_post(&mut req, &view).await,
            _ => {}
        }
        let service = view.callback()?;
        // Every answer to a browser on another origin names that origin, errors too: an allowed
        // site reads why it was refused (a full slot, a rate limit), and a site that is not
        // allowed reads that it is not, rather than a bare network failure.
        let cross_origin = http::header(&req, "origin")
            .filter(|o| http::own_origin(&req).is_ok_and(|own| *o != own));
        let answer = match self.guard(
            &req,
            &service.name,
            &service.allowed_origins,
            service.limits.client_rate,
            caller,
        ) {
            Ok(()) => match route.kind() {
                Kind::Create => self.create(&mut req, &service, caller).await,
                Kind::FindAcross => self.by_id(&req),
                Kind::FindInService => self.find(&req, &service),
                Kind::Get => self.get(&route.id()?).and_then(|r| http::json(&r)),
                Kind::Update => self.update(&mut req, &route.id()?, &service, caller).await,
                Kind::Cancel => self.cancel(&route.id()?, &service, caller),
                Kind::Events => self.events(&route.id()?),
                Kind::DialResult => self.dial_result(&mut req, &route.id()?, &service).await,
                Kind::AvailabilityV1 | Kind::AvailabilityV2 => self.availability(
                    &req,
                    &service,
                    view.version,
                    route.kind() == Kind::AvailabilityV2,
                ),
                Kind::QueuePosition => self.queue_position(&route.id()?, &service),
                Kind::Offer => self.offer(&service),
                Kind::Confirm => self.confirm(&route.id()?, &service).await,
                _ => Err(ApiError::NotFound(path)),
            },
            Err(e) => Err(e),
        };
        Ok(http::with_cors(
            answer.unwrap_or_else(ApiError::into_response),
            cross_origin.as_deref(),
        ))
    }

    /// Browsers: the origin must be allowed. Public callers: the per-IP rate limit.
    fn guard(
        &self,
        req: &Request,
        service: &str,
        allowed_origins: &[String],
        rate: Window,
        caller: Caller,
    ) -> ApiResult<()> {
        if let Some(origin) = http::header(req, "origin") {
            if !http::origin_allowed(&origin, &http::own_origin(req)?, allowed_origins) {
                return Err(ApiError::OriginNotAllowed {
                    origin,
                    service: service.to_string(),
                });
            }
        }
        if caller == Caller::Public {
            self.limit(&format!("ip:{}", crate::auth::client(req)), rate)?;
        }
        Ok(())
    }

    /// Writes a step and notes what must be said to other objects about it.
    fn record(&self, step: &Step) -> ApiResult<()> {
        self.store.save(step)?;
        let mut talks = self.talks.borrow_mut();
        for effect in &step.effects {
            match effect {
                Effect::ReleaseAgent { agent } | Effect::Offer { agent, .. } => {
                    talks.insert(Talk::Agent(agent.clone()));
                }
                Effect::SeekAgent => {
                    talks.insert(Talk::SeekAgents);
                }
                Effect::ProvideAccess => {
                    talks.insert(Talk::Access(step.callback.id.clone()));
                }
                _ => {}
            }
        }
        if let Some(agent) = step.callback.phase.agent() {
            talks.insert(Talk::Agent(agent.to_string()));
        }
        let ended = step
            .change
            .as_ref()
            .is_some_and(|c| c.to == State::Completed);
        if ended && step.callback.system.contains_key("_access_number") {
            let c = &step.callback;
            talks.insert(Talk::Release(held_access(|k| {
                if k == "_id" {
                    Some(c.id.clone())
                } else {
                    c.system.get(k).cloned()
                }
            })));
        }
        Ok(())
    }

    /// Says what recorded steps asked. A word lost here is made good: agents' objects re-read
    /// their reservation whenever the agent asks for it.
    async fn talk(&self, service: &CallbackService) -> ApiResult<()> {
        loop {
            let Some(talk) = self.talks.borrow_mut().pop_first() else {
                return Ok(());
            };
            let agents = match talk {
                Talk::Agent(agent) => vec![agent],
                Talk::SeekAgents => self.store.free_agents()?,
                Talk::Access(id) => {
                    self.provide_access(&id, service).await?;
                    continue;
                }
                Talk::Release(hold) => {
                    self.ask(
                        &service.request_access_service,
                        &self.store.origin(),
                        "/internal/release",
                        &hold,
                    )
                    .await?;
                    continue;
                }
            };
            for agent in agents {
                if let Err(e) = crate::objects::call_agent(
                    &self.env,
                    &agent,
                    "/internal/sync",
                    Some(String::new()),
                )
                .await
                {
                    worker::console_warn!("agent {agent} not woken: {e}");
                }
            }
        }
    }

    /// User-originated, the customer confirmed: hold an access number for them to call, and keep
    /// it in the record (`_access_number`, `_access_code`).
    async fn provide_access(&self, id: &str, service: &CallbackService) -> ApiResult<()> {
        let Some(asking) = self.store.load(id)? else {
            return Ok(());
        };
        let ask: Params = [
            ("_id".to_string(), id.to_string()),
            (
                "_customer_number".to_string(),
                asking.customer_number.clone(),
            ),
        ]
        .into();
        let origin = self.store.origin();
        let answer = self
            .ask(
                &service.request_access_service,
                &origin,
                "/internal/hold",
                &ask,
            )
            .await?;
        // Decide again on what is stored now: a cancel or a timer may have come in during the
        // await, and writing the record read before it would undo them.
        let open = self
            .store
            .load(id)?
            .filter(|c| c.state() != State::Completed);
        match (answer, open) {
            ((200, hold), Some(mut callback)) => {
                for key in ["_access_number", "_access_code"] {
                    if let Some(value) = hold.get(key).and_then(|v| v.as_str()) {
                        callback.system.insert(key.to_string(), value.to_string());
                    }
                }
                self.store.save(&Step {
                    callback,
                    effects: Vec::new(),
                    change: None,
                })
            }
            ((200, hold), None) => {
                // Ended meanwhile: the number goes back.
                self.ask(
                    &service.request_access_service,
                    &origin,
                    "/internal/release",
                    &held_access_of(&hold),
                )
                .await
                .map(|_| ())
            }
            ((status, answer), Some(callback)) => {
                worker::console_error!("callback {id}: no access number ({status}): {answer}");
                self.record(&scenario::apply(
                    &callback,
                    Event::Fail(Reason::FailError),
                    service,
                    now(),
                    Actor::System,
                )?)
            }
            (_, None) => Ok(()),
        }
    }

    /// Requests of agents' objects: readiness, reservation, and the agent's acts.
    fn for_agent(
        &self,
        path: &str,
        ask: AgentAsk,
        service: &CallbackService,
    ) -> ApiResult<Response> {
        let now = now();
        match path {
            "/internal/agent" => {
                self.store.set_agent(&ask.agent, ask.ready)?;
                http::json(&true)
            }
            "/internal/reserve" => {
                let callback = match self.store.held_by(&ask.agent)? {
                    Some(held) => Some(held),
                    None => match self.store.next_seeking()? {
                        Some(next) => {
                            let step = scenario::apply(
                                &next,
                                Event::AgentReserved {
                                    agent: ask.agent.clone(),
                                },
                                service,
                                now,
                                Actor::System,
                            )?;
                            self.record(&step)?;
                            Some(step.callback)
                        }
                        None => None,
                    },
                };
                http::json(
                    &callback
                        .map(|c| self.agent_offer(&c, service))
                        .transpose()?,
                )
            }
            "/internal/held" => {
                let held = self
                    .store
                    .load(&ask.id)?
                    .filter(|c| c.phase.agent() == Some(ask.agent.as_str()));
                http::json(&held.map(|c| self.agent_offer(&c, service)).transpose()?)
            }
            _ => {
                let id = CallbackId::parse(&ask.id)
                    .ok_or_else(|| ApiError::UnknownCallback(ask.id.clone()))?;
                let callback = self.load(&id)?;
                let p = &ask.params;
                let event = match ask.action.as_str() {
                    "accept" => Event::Accept,
                    "reject" => Event::Reject,
                    "dial-result" => Event::DialResult(outcome(p)?),
                    "connected" => Event::Connected,
                    "end" => Event::CallEnded,
                    "disposition" => {
                        let code = p
                            .get("code")
                            .map(|c| c.trim().to_string())
                            .filter(|c| !c.is_empty())
                            .ok_or_else(|| ApiError::InvalidParameter("code: required".into()))?;
                        let note = p.get("note").cloned().unwrap_or_default();
                        if code.chars().count() > 100 || note.chars().count() > 2000 {
                            return Err(ApiError::InvalidParameter(
                                "code: at most 100 characters; note: at most 2000".into(),
                            ));
                        }
                        Event::Disposition(Disposition { code, note })
                    }
                    "reschedule" => {
                        let time = p
                            .get("_new_desired_time")
                            .filter(|t| !t.trim().is_empty())
                            .ok_or_else(|| {
                                ApiError::InvalidParameter("_new_desired_time: required".into())
                            })?;
                        let only_time: Params =
                            [("_new_desired_time".to_string(), time.clone())].into();
                        let (desired, bucket) =
                            decide_update(service, &callback, &only_time, now, &self.store)?
                                .reschedule
                                .ok_or_else(|| {
                                    ApiError::InvalidParameter("_new_desired_time: required".into())
                                })?;
                        Event::Reschedule { desired, bucket }
                    }
                    other => return Err(ApiError::NotFound(format!("agent action {other}"))),
                };
                let step = scenario::apply(
                    &callback,
                    event,
                    service,
                    now,
                    Actor::Agent(ask.agent.clone()),
                )?;
                self.record(&step)?;
                http::json(&step.callback.to_gms(&self.store.base()))
            }
        }
    }

    /// A callback as its agent sees it.
    fn agent_offer(&self, callback: &Callback, service: &CallbackService) -> ApiResult<AgentOffer> {
        use callback_shared::record::Phase;
        let record = callback.to_gms(&self.store.base());
        let keys = &service.scenario.agent_preview_data;
        let preview = if keys.is_empty() {
            let mut all = callback.user_data.clone();
            all.insert("_customer_number".into(), callback.customer_number.clone());
            all
        } else {
            keys.iter()
                .filter_map(|k| Some((k.clone(), record.get(k)?.clone())))
                .collect()
        };
        let timer = match callback.phase {
            Phase::Offered { .. } => Some(Timer::Offer),
            Phase::Confirming { .. } => Some(Timer::Confirm),
            Phase::Disposition { .. } => Some(Timer::Disposition),
            _ => None,
        };
        let deadline = timer
            .map(|t| self.store.timer_due(&callback.id, t))
            .transpose()?
            .flatten()
            .map(iso::format);
        Ok(AgentOffer {
            callback: record,
            preview,
            deadline,
            dialer: service.scenario.dialer_url.is_some(),
            disposition: service.scenario.enable_disposition,
        })
    }

    /// The customer confirms an agent may call now; user-originated, the answer carries the
    /// access number to call.
    async fn confirm(&self, id: &CallbackId, service: &CallbackService) -> ApiResult<Response> {
        let step = scenario::apply(
            &self.load(id)?,
            Event::Confirm,
            service,
            now(),
            Actor::Customer,
        )?;
        self.record(&step)?;
        self.talk(service).await?;
        self.get(id).and_then(|r| http::json(&r))
    }

    /// `_paused`: waiting callbacks become PAUSED while the service is paused, and QUEUED again
    /// (in their place: order is by desired time) when it resumes.
    fn apply_pause(&self) -> ApiResult<()> {
        let Ok(service) = self.view("").and_then(|v| v.callback()) else {
            return Ok(());
        };
        let (from, event) = if service.scenario.paused {
            (State::Queued, Event::Pause)
        } else {
            (State::Paused, Event::Resume)
        };
        let now = now();
        for callback in self
            .store
            .select("state = ?", vec![from.as_str().into()], 100_000)?
        {
            // Only waiting callbacks pause; those with an agent or on a call go on.
            if let Ok(step) = scenario::apply(&callback, event.clone(), &service, now, Actor::Admin)
            {
                self.record(&step)?;
            }
        }
        Ok(())
    }

    /// Counts a request on `key` (a client IP, a customer number) in its fixed window: 429 past
    /// the limit. Kept in memory: it protects the service, and need not survive an eviction.
    fn limit(&self, key: &str, window: Window) -> ApiResult<()> {
        match self
            .rates
            .borrow_mut()
            .hit(key, window, now().timestamp_millis())
        {
            Some(wait) => Err(ApiError::TooManyRequests(wait)),
            None => Ok(()),
        }
    }

    /// Whether `key` has used up its window already, without counting this request.
    fn limit_peek(&self, key: &str, window: Window) -> ApiResult<()> {
        match self
            .rates
            .borrow()
            .over(key, window, now().timestamp_millis())
        {
            Some(wait) => Err(ApiError::TooManyRequests(wait)),
            None => Ok(()),
        }
    }

    async fn receive_config(&self, req: &mut Request) -> ApiResult<Response> {
        let body = http::body(req).await?;
        let push: ConfigPush =
            serde_json::from_str(&body).map_err(|e| ApiError::InvalidParameter(e.to_string()))?;
        let sections =
            serde_json::to_string(&push.sections).map_err(|e| ApiError::Internal(e.to_string()))?;
        let stale = self
            .view
            .borrow()
            .as_ref()
            .is_some_and(|v| v.version >= push.version);
        if !stale {
            self.store
                .save_config(&push.service, push.version, &sections)?;
            *self.view.borrow_mut() = None;
            self.apply_pause()?;
            let configured = self
                .view(&push.service)?
                .config
                .kind(&push.service)
                .is_some();
            self.store.set_configured(configured, now())?;
        }
        // Timers that waited for a configuration may run now; a deleted service's data waits
        // for its grace period.
        self.sync_alarm().await?;
        http::json(&push.version)
    }

    fn load(&self, id: &CallbackId) -> ApiResult<Callback> {
        self.store
            .load(&id.text)?
            .ok_or_else(|| ApiError::UnknownCallback(id.text.clone()))
    }

    fn get(&self, id: &CallbackId) -> ApiResult<Record> {
        Ok(self.load(id)?.to_gms(&self.store.base()))
    }

    async fn create(
        &self,
        req: &mut Request,
        service: &CallbackService,
        caller: Caller,
    ) -> ApiResult<Response> {
        let body = http::body(req).await?;
        let mut params = http::body_params(&http::content_type(req), &body)?;
        if caller == Caller::Public {
            // When the caller entered the queue is an IVR's word, not a browser's: it would jump
            // the queue.
            params.remove("_call_entered_time");
            if let Some(number) = params
                .get("_customer_number")
                .and_then(|n| phone::normalize(n, &service.phone).ok())
            {
                self.limit(&format!("number:{number}"), service.limits.number_rate)?;
            }
        }
        let key = http::header(req, "idempotency-key");
        if key.as_ref().is_some_and(|k| k.len() > 200) {
            return Err(ApiError::InvalidParameter(
                "Idempotency-Key: at most 200 characters".into(),
            ));
        }
        let id = CallbackId::new(&service.name, random16());
        // User-originated and immediate: the customer will dial an access number, held first
        // (the one `await`), so that the decision below stays atomic.
        let origin = http::own_origin(req)?;
        let held = if user_originated_now(service, &params) {
            let mut ask = params.clone();
            ask.insert("_id".into(), id.text.clone());
            // Held under the normalised number, so that a match by the caller's ANI finds it.
            if let Some(number) = params
                .get("_customer_number")
                .and_then(|n| phone::normalize(n, &service.phone).ok())
            {
                ask.insert("_customer_number".into(), number);
            }
            match self
                .ask(
                    &service.request_access_service,
                    &origin,
                    "/internal/hold",
                    &ask,
                )
                .await?
            {
                (200, hold) => Some(hold),
                (503, answer) => {
                    return Err(ApiError::ServiceUnavailable(
                        answer["message"]
                            .as_str()
                            .unwrap_or("No access number is free.")
                            .to_string(),
                    ))
                }
                _ => {
                    return Err(ApiError::ServiceUnavailable(format!(
                        "Service {} has no request-access service {}.",
                        service.name, service.request_access_service
                    )))
                }
            }
        } else {
            None
        };
        let decided = self.decide_and_record(
            &body,
            &params,
            key.as_deref(),
            &id,
            service,
            caller,
            held.as_ref(),
        );
        if let (Some(hold), Err(_) | Ok((_, true))) = (&held, &decided) {
            // Refused, or answered from an earlier request: the number goes back.
            self.ask(
                &service.request_access_service,
                &origin,
                "/internal/release",
                &held_access_of(hold),
            )
            .await?;
        }
        let (text, _) = decided?;
        http::text_response(text, "application/json; charset=utf-8", 200)
    }

    /// The synchronous part of a create: idempotency, decision, record. Answers the JSON answer and
    /// whether it was an earlier request's.
    fn decide_and_record(
        &self,
        body: &str,
        params: &callback_shared::params::Params,
        key: Option<&str>,
        id: &CallbackId,
        service: &CallbackService,
        caller: Caller,
        held: Option<&serde_json::Value>,
    ) -> ApiResult<(String, bool)> {
        let now = now();
        if let Some(key) = key {
            if let Some(first) = self.store.idempotent(key, now)? {
                if first.body != body {
                    return Err(ApiError::IdempotencyConflict);
                }
                return Ok((first.answer, true));
            }
        }
        let new = decide_create(service, params, id.text.clone(), now, &self.store)?;
        let throttled = throttled_parameters(service, params, &new.customer_number);
        let actor = if caller == Caller::Admin {
            Actor::Admin
        } else {
            Actor::Customer
        };
        let step = scenario::create(new, service, now, actor);
        self.record(&step)?;
        self.store.remember_accepted(now, &throttled)?;
        let c = &step.callback;
        let answer = match (c.bucket, held) {
            (Some(_), _) => CreateAnswer::scheduled(id.text.clone(), c.desired_time),
            (None, Some(hold)) => {
                let text = |k: &str| hold.get(k).and_then(|v| v.as_str()).map(str::to_string);
                CreateAnswer::dial(
                    id.text.clone(),
                    &text("_access_number").unwrap_or_default(),
                    text("_access_code"),
                )
            }
            (None, None) => CreateAnswer::confirmation(id.text.clone()),
        };
        let text = serde_json::to_string(&answer).map_err(|e| ApiError::Internal(e.to_string()))?;
        if let Some(key) = key {
            self.store.remember_answer(key, body, &text, now)?;
        }
        Ok((text, false))
    }

    /// `GET /genesys/1/service/callback?_id=…`: an array, empty when unknown.
    fn by_id(&self, req: &Request) -> ApiResult<Response> {
        let params = http::query_params(req)?;
        let found = params
            .get("_id")
            .and_then(|id| CallbackId::parse(id))
            .map(|id| self.store.load(&id.text))
            .transpose()?
            .flatten();
        let base = self.store.base();
        http::json(&found.map(|c| vec![c.to_gms(&base)]).unwrap_or_default())
    }

    /// Property queries: every term must match (AND) or any (OR).
    fn find(&self, req: &Request, service: &CallbackService) -> ApiResult<Response> {
        let pairs = http::query(req)?;
        let query = Query::parse(
            pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            &service.lookup_keys,
        )?;
        let base = self.store.base();
        let records: Vec<Record> = self
            .store
            .scan("1 = 1", vec![], |c| query.matches(c), 1000)?
            .iter()
            .map(|c| c.to_gms(&base))
            .collect();
        http::json(&records)
    }

    /// Admin queues: callbacks of a time window (`start_time`, `end_time`; default 15 minutes ago
    /// to 24 hours ahead), in some states, at most `max`.
    fn queues(&self, req: &Request) -> ApiResult<Response> {
        let p = http::query_params(req)?;
        let now = now();
        let time = |key: &str, default: DateTime<Utc>| -> ApiResult<DateTime<Utc>> {
            p.get(key)
                .filter(|v| !v.is_empty())
                .map(|v| {
                    iso::parse(v).map_err(|e| ApiError::InvalidParameter(format!("{key}: {e}")))
                })
                .unwrap_or(Ok(default))
        };
        let start = time("start_time", now - Duration::minutes(15))?;
        let end = time("end_time", now + Duration::hours(24))?;
        let states: Vec<State> = match p.get("states").filter(|v| !v.is_empty()) {
            Some(list) => list
                .split(',')
                .map(|s| {
                    s.parse().map_err(|_| {
                        ApiError::InvalidParameter(format!("states: `{s}` is not a callback state"))
                    })
                })
                .collect::<ApiResult<_>>()?,
            None => State::ALL.to_vec(),
        };
        let max = match p.get("max").filter(|v| !v.is_empty()) {
            Some(v) => v
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=10_000).contains(n))
                .ok_or_else(|| {
                    ApiError::InvalidParameter(format!(
                        "max: `{v}` is not a whole number from 1 to 10000"
                    ))
                })?,
            None => 1000,
        };
        let marks: Vec<String> = states.iter().map(|_| "?".to_string()).collect();
        let mut bindings: Vec<worker::SqlStorageValue> = vec![
            start.timestamp_millis().into(),
            end.timestamp_millis().into(),
        ];
        bindings.extend(states.iter().map(|s| s.as_str().into()));
        let condition = format!(
            "desired_ms >= ? AND desired_ms < ? AND state IN ({})",
            marks.join(", ")
        );
        let base = self.store.base();
        let records: Vec<Record> = self
            .store
            .select(&condition, bindings, max)?
            .iter()
            .map(|c| c.to_gms(&base))
            .collect();
        http::json(&records)
    }

    async fn bulk_cancel(
        &self,
        req: &mut Request,
        service: &CallbackService,
    ) -> ApiResult<Response> {
        let body = http::body(req).await?;
        let ids: Vec<String> =
            serde_json::from_str(&body).map_err(|e| ApiError::InvalidParameter(e.to_string()))?;
        let now = now();
        let mut answer = BulkCancelAnswer::default();
        for id in ids {
            let outcome = match self.store.load(&id)? {
                None => Err("not found".to_string()),
                Some(c) => scenario::apply(&c, Event::AdminCancel, service, now, Actor::Admin)
                    .map_err(|e| e.to_string()),
            };
            match outcome {
                Ok(step) => {
                    self.record(&step)?;
                    answer.cancelled.push(id);
                }
                Err(why) => {
                    answer.failed.insert(id, why);
                }
            }
        }
        http::json(&answer)
    }

    /// Erases what this service keeps about a customer number: its callbacks (open ones cancelled
    /// first, their notifications still sent, then deleted), their history, timers and idempotent
    /// answers, the counters of its creates; or, a request-access service, its holds.
    fn erase(&self, view: &View, number: &str) -> ApiResult<wire::Erased> {
        if view.config.kind(&view.name) == Some(ServiceKind::RequestAccess) {
            return Ok(wire::Erased {
                holds: crate::access::erase(self.store.sql(), number)?,
                ..wire::Erased::default()
            });
        }
        let service = view.callback()?;
        let number = phone::normalize(number, &service.phone)
            .map_err(|e| ApiError::InvalidParameter(format!("_customer_number: {e}")))?;
        let now = now();
        let mut erased = wire::Erased::default();
        for callback in self
            .store
            .select("number = ?", vec![number.as_str().into()], 100_000)?
        {
            let mut step = if callback.state() == State::Completed {
                Step {
                    callback,
                    effects: Vec::new(),
                    change: None,
                }
            } else {
                erased.cancelled += 1;
                scenario::apply(&callback, Event::AdminCancel, &service, now, Actor::Admin)?
            };
            self.store.forget_answers(&step.callback.id)?;
            step.effects.push(Effect::Purge);
            self.record(&step)?;
            erased.callbacks += 1;
        }
        erased.counters = self.store.forget_accepted("_customer_number", &number)?;
        self.rates.borrow_mut().forget(&format!("number:{number}"));
        Ok(erased)
    }

    /// Completed callbacks with a reason (default: both cancel reasons), as records.
    async fn report(&self, req: &mut Request) -> ApiResult<Response> {
        let body = http::body(req).await?;
        let reason: Option<String> =
            serde_json::from_str(&body).map_err(|e| ApiError::InvalidParameter(e.to_string()))?;
        let wanted: Vec<Reason> = match reason {
            Some(text) => vec![text.parse().map_err(|_| {
                ApiError::InvalidParameter(format!(
                    "callback_reason: `{text}` is not a callback reason"
                ))
            })?],
            None => vec![Reason::Cancelled, Reason::CancelledByAdmin],
        };
        let base = self.store.base();
        let records: Vec<Record> = self
            .store
            .scan(
                "state = 'COMPLETED'",
                vec![],
                |c| c.phase.reason().is_some_and(|r| wanted.contains(&r)),
                100_000,
            )?
            .iter()
            .map(|c| c.to_gms(&base))
            .collect();
        http::json(&records)
    }

    async fn update(
        &self,
        req: &mut Request,
        id: &CallbackId,
        service: &CallbackService,
        caller: Caller,
    ) -> ApiResult<Response> {
        let body = http::body(req).await?;
        let params = http::body_params(&http::content_type(req), &body)?;
        let now = now();
        let callback = self.load(id)?;
        if callback.state() == State::Completed {
            return Err(ApiError::InvalidState(format!(
                "a {} callback cannot be updated",
                State::Completed
            )));
        }
        let update = decide_update(service, &callback, &params, now, &self.store)?;
        // A move onto another number also counts in that number's burst limit, as a create would.
        if let (Caller::Public, Some(number)) = (
            caller,
            update
                .customer_number
                .as_ref()
                .filter(|n| **n != callback.customer_number && !n.is_empty()),
        ) {
            self.limit(&format!("number:{number}"), service.limits.number_rate)?;
        }
        let mut step = match update.reschedule {
            Some((desired, bucket)) => scenario::apply(
                &callback,
                Event::Reschedule { desired, bucket },
                service,
                now,
                Actor::Customer,
            )?,
            None => Step {
                callback: callback.clone(),
                effects: Vec::new(),
                change: None,
            },
        };
        update.apply_properties(&mut step.callback);
        step.callback.updated = now;
        self.record(&step)?;
        if !update.counted.is_empty() {
            self.store.remember_accepted(now, &update.counted)?;
        }
        http::json(&step.callback.to_gms(&self.store.base()))
    }

    fn cancel(
        &self,
        id: &CallbackId,
        service: &CallbackService,
        caller: Caller,
    ) -> ApiResult<Response> {
        let callback = self.load(id)?;
        let actor = if caller == Caller::Admin {
            Actor::Admin
        } else {
            Actor::Customer
        };
        let step = scenario::apply(&callback, Event::Cancel, service, now(), actor)?;
        self.record(&step)?;
        http::json(&step.callback.to_gms(&self.store.base()))
    }

    fn events(&self, id: &CallbackId) -> ApiResult<Response> {
        self.load(id)?;
        http::json(&EventsAnswer {
            events: self.store.events(&id.text)?,
        })
    }

    /// Availability v1 or v2. Answers are cached until a booking is written or the configuration
    /// or the current bucket changes: a horizon up to one bucket old only offers less, never more.
    fn availability(
        &self,
        req: &Request,
        service: &CallbackService,
        version: i64,
        v2: bool,
    ) -> ApiResult<Response> {
        let now = now();
        let key = format!(
            "{v2}|{version}|{}|{}",
            availability::bucket_of(service, now).0.timestamp(),
            req.url()?.query().unwrap_or("")
        );
        let writes = self.store.writes();
        if let Some((at, json)) = self.answers.borrow().get(&key) {
            if *at == writes {
                return http::text_response(json.clone(), "application/json; charset=utf-8", 200);
            }
        }
        let params = http::query_params(req)?;
        let ask: Ask = availability::parse_ask(&params, now)
            .map_err(|e| ApiError::InvalidParameter(e.to_string()))?;
        let from = availability::bucket_of(service, ask.start.max(now)).0;
        let bookings = self.store.bookings(from, ask.end)?;
        let slots = availability::offer(service, now, &ask, &bookings);
        let json = if v2 {
            let zone = match params.get("timezone").filter(|z| !z.is_empty()) {
                Some(name) => Zone::parse(name)
                    .map_err(|e| ApiError::InvalidParameter(format!("timezone: {e}")))?,
                None => service.schedule.office.zone,
            };
            serde_json::to_string(&wire::availability_v2(
                service.schedule.bucket_minutes,
                zone,
                &slots,
            ))
        } else {
            serde_json::to_string(&wire::availability_v1(&slots))
        }
        .map_err(|e| ApiError::Internal(e.to_string()))?;
        let mut answers = self.answers.borrow_mut();
        if answers.len() >= 200 {
            answers.clear();
        }
        answers.insert(key, (writes, json.clone()));
        http::text_response(json, "application/json; charset=utf-8", 200)
    }

    fn queue_position(&self, id: &CallbackId, service: &CallbackService) -> ApiResult<Response> {
        let callback = self.load(id)?;
        if callback.state() != State::Queued {
            return Err(ApiError::InvalidState(format!(
                "a {} callback is not waiting in queue",
                callback.state()
            )));
        }
        let (position, total) = self.store.queue_position(&callback)?;
        let ewt = queue::estimated_wait(
            position - 1,
            service.average_handle_secs,
            self.store.ready_agents()?,
        );
        http::json(&QueuePosition {
            position,
            total_waiting: total,
            eta: ewt,
            ewt,
        })
    }

    /// The user-originated builtin services: request-access holds a number, match-interaction
    /// finds (in its request-access service's object) and releases the hold of a call.
    async fn builtin_post(&self, req: &mut Request, view: &View) -> ApiResult<Response> {
        let body = http::body(req).await?;
        let params = http::body_params(&http::content_type(req), &body)?;
        match view.config.kind(&view.name) {
            Some(ServiceKind::RequestAccess) => http::json(&self.hold(view, &params)?),
            Some(ServiceKind::MatchInteraction) => {
                let origin = http::own_origin(req)?;
                let (status, answer) = self
                    .ask(
                        &view.config.holds_of(&view.name),
                        &origin,
                        "/internal/match",
                        &params,
                    )
                    .await?;
                if status != 200 {
                    return http::json_status(&answer, status);
                }
                // The call of a user-originated callback arrived: it now waits for an agent.
                if let Some(id) = answer
                    .get("_id")
                    .and_then(|v| v.as_str())
                    .and_then(CallbackId::parse)
                {
                    let arrived: callback_shared::params::Params =
                        [("_id".to_string(), id.text.clone())].into();
                    // A hold made by someone else than a callback service has nothing to move on.
                    let _ = self
                        .ask(&id.service, &origin, "/internal/arrived", &arrived)
                        .await;
                }
                http::json(&answer)
            }
            _ => Err(ApiError::UnknownService(view.name.clone())),
        }
    }

    /// Holds an access number in this (request-access) service.
    fn hold(
        &self,
        view: &View,
        params: &callback_shared::params::Params,
    ) -> ApiResult<serde_json::Value> {
        let access = view.config.request_access(&view.name)?;
        let random = random16();
        let fresh = crate::access::Fresh {
            id: CallbackId::new(&view.name, random).text,
            data_id: CallbackId::new(&view.name, random16()).text,
            code_seed: u32::from_be_bytes([random[12], random[13], random[14], random[15]]),
        };
        crate::access::request(self.store.sql(), &view.name, &access, params, fresh, now())
    }

    /// Posts parameters to another service's object; answers its status and JSON.
    async fn ask(
        &self,
        service: &str,
        origin: &str,
        path: &str,
        params: &callback_shared::params::Params,
    ) -> ApiResult<(u16, serde_json::Value)> {
        let text = serde_json::to_string(params).map_err(|e| ApiError::Internal(e.to_string()))?;
        crate::objects::call_service(&self.env, service, origin, path, Some(text), Caller::Public)
            .await
    }

    /// IVR Classic: offer a callback when the office is open and the wait is over the threshold.
    fn offer(&self, service: &CallbackService) -> ApiResult<Response> {
        let now = now();
        let waiting = self.store.queue_position_of_new()?;
        let ewt = queue::estimated_wait(
            waiting,
            service.average_handle_secs,
            self.store.ready_agents()?,
        );
        let open = !service.schedule.has_office_hours
            || service
                .schedule
                .office
                .is_open_throughout(now, now + Duration::seconds(1));
        http::json(&OfferAnswer {
            ewt,
            offer: open && ewt > service.offer_ewt_threshold,
            open,
            position: waiting + 1,
            timezone: service.schedule.office.zone.name().to_string(),
        })
    }

    /// Office-hours and capacity services.
    fn builtin(&self, req: &Request, view: &View) -> ApiResult<Response> {
        let p = http::query_params(req)?;
        let now = now();
        let get = |k: &str| p.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
        match view.config.kind(&view.name) {
            Some(ServiceKind::OfficeHours) => {
                let hours = view.config.office_hours(&view.name)?;
                let start = get("start")
                    .map(iso::parse)
                    .transpose()
                    .map_err(|e| ApiError::InvalidParameter(format!("start: {e}")))?;
                let end = match (get("end"), get("number-of-days")) {
                    (Some(e), _) => Some(
                        iso::parse(e)
                            .map_err(|e| ApiError::InvalidParameter(format!("end: {e}")))?,
                    ),
                    (None, Some(n)) => {
                        let days: i64 = n
                            .parse()
                            .ok()
                            .filter(|d| (1..=366).contains(d))
                            .ok_or_else(|| {
                                ApiError::InvalidParameter(format!(
                                    "number-of-days: `{n}` is not from 1 to 366"
                                ))
                            })?;
                        Some(start.unwrap_or(now) + Duration::days(days))
                    }
                    (None, None) => None,
                };
                let periods = match end {
                    // As availability: at most a year in one answer.
                    Some(end)
                        if end <= start.unwrap_or(now)
                            || end - start.unwrap_or(now) > Duration::days(366) =>
                    {
                        return Err(ApiError::InvalidParameter(
                            "end: must be after start, at most 366 days".into(),
                        ));
                    }
                    Some(end) => hours.open_periods(start.unwrap_or(now), end),
                    // No range: the period open at that instant, if any ("is it open now").
                    None => {
                        let at = start.unwrap_or(now);
                        hours
                            .open_periods(at - Duration::days(2), at + Duration::days(2))
                            .into_iter()
                            .filter(|p| p.start <= at && at < p.end)
                            .collect()
                    }
                };
                http::json(&OfficeHoursAnswer {
                    error: None,
                    periods: periods
                        .iter()
                        .map(|p| Period {
                            start: iso::format(p.start),
                            end: iso::format(p.end),
                        })
                        .collect(),
                })
            }
            Some(ServiceKind::Capacity) => {
                let capacity = view.config.capacity(&view.name)?;
                let own_zone = view.config.capacity_zone(&view.name)?;
                let zone = match get("timezone") {
                    Some(z) => Zone::parse(z)
                        .map_err(|e| ApiError::InvalidParameter(format!("timezone: {e}")))?,
                    None => own_zone,
                };
                let instant = |key: &str| -> ApiResult<DateTime<Utc>> {
                    let text = get(key)
                        .ok_or_else(|| ApiError::InvalidParameter(format!("{key}: required")))?;
                    iso::parse(text)
                        .or_else(|_| iso::parse_local(text).map(|l| zone.to_utc(l)))
                        .map_err(|e| ApiError::InvalidParameter(format!("{key}: {e}")))
                };
                let (start, end) = (instant("start")?, instant("end")?);
                if end <= start || end - start > Duration::days(62) {
                    return Err(ApiError::InvalidParameter(
                        "end: must be after start, at most 62 days".into(),
                    ));
                }
                let mut slots: Vec<CapacitySlot> = Vec::new();
                let mut t = start;
                while t < end {
                    let next = (t + Duration::minutes(30)
                        - Duration::seconds(t.timestamp().rem_euclid(1800)))
                    .min(end);
                    let n = capacity.at(own_zone.to_local(t));
                    match slots.last_mut() {
                        Some(last) if last.capacity == n && last.end == iso::format(t) => {
                            last.end = iso::format(next)
                        }
                        _ if n > 0 => slots.push(CapacitySlot {
                            start: iso::format(t),
                            end: iso::format(next),
                            capacity: n,
                        }),
                        _ => {}
                    }
                    t = next;
                }
                http::json(&CapacityAnswer {
                    timezone: zone.name().to_string(),
                    slots,
                })
            }
            _ => Err(ApiError::UnknownService(view.name.clone())),
        }
    }

    /// Runs every due timer through the state machine.
    fn run_timers(&self, service: &CallbackService) -> ApiResult<()> {
        let now = now();
        loop {
            let due = self.store.due_timers(now, 200)?;
            for (id, timer) in &due {
                self.store.clear_timer(id, *timer)?;
                if let Some(callback) = self.store.load(id)? {
                    match scenario::apply(
                        &callback,
                        Event::Timer(*timer),
                        service,
                        now,
                        Actor::System,
                    ) {
                        Ok(step) => self.record(&step)?,
                        Err(e) => worker::console_warn!("timer {} of {id}: {e}", timer.as_str()),
                    }
                }
            }
            if due.len() < 200 {
                break;
            }
        }
        Ok(())
    }

    /// The secret webhooks are signed with: the service's `_webhook_secret`, else the deployment's.
    fn webhook_secret(&self, service: &CallbackService) -> String {
        Some(service.notifications.secret.clone())
            .filter(|s| !s.is_empty())
            .or_else(|| {
                self.env
                    .secret("WEBHOOK_SECRET")
                    .map(|s| s.to_string())
                    .ok()
            })
            .unwrap_or_default()
    }

    /// The dialer reports a dial's outcome; the request must be signed with the webhook secret,
    /// and its signed body names the callback and the attempt (as the dial webhook gave them), so
    /// that a captured result can be replayed neither on another callback or attempt, nor twice.
    async fn dial_result(
        &self,
        req: &mut Request,
        id: &CallbackId,
        service: &CallbackService,
    ) -> ApiResult<Response> {
        let body = http::body(req).await?;
        let signature =
            http::header(req, crate::signing::HEADER).ok_or(ApiError::Unauthenticated)?;
        let now = now();
        if !crate::signing::verify(
            &self.webhook_secret(service),
            &signature,
            &body,
            now.timestamp(),
        ) {
            return Err(ApiError::Unauthenticated);
        }
        let params = http::body_params(&http::content_type(req), &body)?;
        let outcome = outcome(&params)?;
        let callback = self.load(id)?;
        if params.get("id").map(|v| v.trim()) != Some(id.text.as_str()) {
            return Err(ApiError::InvalidParameter(format!(
                "id: the signed result must name the callback it reports on ({})",
                id.text
            )));
        }
        let attempt = params
            .get("attempt")
            .and_then(|a| a.trim().parse::<u32>().ok())
            .ok_or_else(|| {
                ApiError::InvalidParameter("attempt: the dial's attempt number is required".into())
            })?;
        if !self.store.first_use(
            &signature,
            now,
            now + Duration::seconds(crate::signing::TOLERANCE_SECS),
        )? {
            return Err(ApiError::InvalidState(
                "this signed result was already received".into(),
            ));
        }
        if attempt != callback.dial_attempts {
            return Err(ApiError::InvalidState(format!(
                "this result is for attempt {attempt}; the callback is at attempt {}",
                callback.dial_attempts
            )));
        }
        let step = scenario::apply(
            &callback,
            Event::DialResult(outcome),
            service,
            now,
            Actor::Dialer,
        )?;
        self.record(&step)?;
        http::json(&step.callback.to_gms(&self.store.base()))
    }

    /// Delivers due webhooks — notifications to `_status_notification_target`, dials to
    /// `_dialer_url` — signed, in order per callback and kind (only the first undelivered one is
    /// tried), retried with backoff (1 s, doubling, at most 5 minutes) until a 2xx or 24 hours.
    async fn deliver_webhooks(&self, service: &CallbackService) -> ApiResult<()> {
        let secret = self.webhook_secret(service);
        // A receiver that failed this time is not tried again before its backoff: its other rows
        // wait as long (a silent receiver would cost its timeout for each).
        let mut failed: Vec<(String, DateTime<Utc>)> = Vec::new();
        for _round in 0..10 {
            let now = now();
            let due: Vec<_> = self.store.due_webhooks(now, 50)?;
            let (waiting, due): (Vec<_>, Vec<_>) = due
                .into_iter()
                .partition(|p| failed.iter().any(|(kind, _)| *kind == p.kind));
            for pending in waiting {
                let until = failed
                    .iter()
                    .find(|(kind, _)| *kind == pending.kind)
                    .map_or(now, |(_, t)| *t);
                self.store
                    .retry_later(pending.id, pending.attempts, until)?;
            }
            if due.is_empty() {
                break;
            }
            for pending in due {
                let target = if pending.kind == crate::store::DIAL {
                    &service.scenario.dialer_url
                } else {
                    &service.notifications.target
                };
                let delivered = match target {
                    Some(target) => post_signed(target, &secret, &pending.body, now).await,
                    // Turned off meanwhile: nobody to tell.
                    None => true,
                };
                if delivered {
                    self.store.delivered(pending.id, now)?;
                } else if now.timestamp_millis() - pending.created_ms > 86_400_000 {
                    worker::console_error!(
                        "{} webhook {} abandoned after 24 h",
                        pending.kind,
                        pending.id
                    );
                    self.store.delivered(pending.id, now)?;
                } else {
                    let attempts = pending.attempts + 1;
                    let backoff =
                        Duration::seconds(1i64 << attempts.min(8)).min(Duration::minutes(5));
                    self.store
                        .retry_later(pending.id, attempts, now + backoff)?;
                    failed.push((pending.kind.clone(), now + backoff));
                }
            }
        }
        Ok(())
    }

    /// After a request: the alarm must not be later than the earliest timer. Known in memory, it
    /// only moves earlier (a cleared timer may leave it early: the alarm then finds nothing due and
    /// sets itself again); unknown (a fresh object), it is read.
    async fn alarm_no_later(&self) -> ApiResult<()> {
        let earliest = self.store.take_earliest_set();
        match (self.alarm.get(), earliest) {
            (None, _) => self.sync_alarm().await,
            (Some(current), Some(new)) if new < current => self.set_alarm_at(new).await,
            _ => Ok(()),
        }
    }

    /// When this service's data goes, its configuration deleted: `DELETED_SERVICE_GRACE_DAYS`
    /// (default 7) after the deletion, in case it was a mistake and the service comes back.
    fn forget_at(&self) -> ApiResult<Option<i64>> {
        let grace_days = self
            .env
            .var("DELETED_SERVICE_GRACE_DAYS")
            .ok()
            .and_then(|v| v.to_string().trim().parse::<i64>().ok())
            .unwrap_or(7)
            .max(0);
        Ok(self
            .store
            .unconfigured_since()?
            .map(|since| since + grace_days * 86_400_000))
    }

    /// The alarm of an object whose service is not configured: once the grace period is over,
    /// everything it stored goes; before, the alarm waits for it.
    async fn forget_if_deleted(&self) -> ApiResult<()> {
        match self.forget_at()? {
            Some(at) if at <= now().timestamp_millis() => {
                let storage = self.state.storage();
                storage.delete_alarm().await?;
                storage.delete_all().await?;
                worker::console_log!("a deleted service's data was erased after its grace period");
                self.migrated.set(false);
                *self.view.borrow_mut() = None;
                self.alarm.set(None);
                self.rates.borrow_mut().clear();
                self.answers.borrow_mut().clear();
                Ok(())
            }
            Some(at) => self.set_alarm_at(at).await,
            // Configured but unusable: timers wait, and the alarm rests until the next push.
            None => Ok(()),
        }
    }

    /// Sets the object's one alarm to the earliest timer (or the end of a deleted service's grace).
    async fn sync_alarm(&self) -> ApiResult<()> {
        self.store.take_earliest_set();
        let next = [
            self.store.next_due()?.map(|t| t.timestamp_millis()),
            self.forget_at()?,
        ]
        .into_iter()
        .flatten()
        .min();
        if next == self.alarm.get() {
            return Ok(());
        }
        match next {
            Some(ms) => self.set_alarm_at(ms).await,
            None => {
                self.state.storage().delete_alarm().await?;
                self.alarm.set(None);
                Ok(())
            }
        }
    }

    /// Sets the object's one alarm at `ms` of the services' clock.
    async fn set_alarm_at(&self, ms: i64) -> ApiResult<()> {
        self.state
            .storage()
            .set_alarm(crate::clock::on_platform(
                DateTime::from_timestamp_millis(ms).unwrap_or_else(now),
            ))
            .await?;
        self.alarm.set(Some(ms));
        Ok(())
    }
}

/// A dial's outcome from a dialer's or an agent's report.
fn outcome(params: &Params) -> ApiResult<DialOutcome> {
    let text = params.get("outcome").map(String::as_str).unwrap_or("");
    text.parse().map_err(|_| ApiError::InvalidParameter(format!("outcome: `{text}` is not ANSWERED, ANSWERING_MACHINE, NO_ANSWER, BUSY, INVALID_NUMBER or FAILED")))
}

/// The number, code and holder of an access hold (from a hold's answer or a callback's record):
/// what releases it.
fn held_access(get: impl Fn(&str) -> Option<String>) -> Params {
    ["_access_number", "_access_code", "_id"]
        .iter()
        .filter_map(|k| get(k).map(|v| (k.to_string(), v)))
        .collect()
}

/// [`held_access`] of a hold as request-access answered it.
fn held_access_of(hold: &serde_json::Value) -> Params {
    held_access(|k| hold.get(k).and_then(|v| v.as_str()).map(str::to_string))
}

/// Whether a create is user-originated, immediate and not waiting for an agent: the customer
/// gets an access number to call at once.
fn user_originated_now(
    service: &CallbackService,
    params: &callback_shared::params::Params,
) -> bool {
    let immediate = matches!(
        callback_shared::create::desired_time(service, params, "_desired_time", now()),
        Ok(None)
    );
    let selected = callback_shared::create::selectors(service, params);
    immediate
        && selected.is_ok_and(|s| s.direction == Direction::UserOriginated && !s.wait_for_agent)
}

/// POSTs a signed notification; answers whether the receiver took it (2xx within 10 s). Redirects
/// are not followed: a receiver that moved is a configuration to change, not a hop to take.
async fn post_signed(target: &str, secret: &str, body: &str, now: DateTime<Utc>) -> bool {
    let send = async {
        let headers = worker::Headers::new();
        headers.set("content-type", "application/json")?;
        headers.set(
            crate::signing::HEADER,
            &crate::signing::sign(secret, now.timestamp(), body),
        )?;
        let mut init = worker::RequestInit::new();
        init.with_method(worker::Method::Post)
            .with_headers(headers)
            .with_body(Some(body.into()))
            .with_redirect(worker::RequestRedirect::Manual);
        let request = Request::new_with_init(target, &init)?;
        let signal: worker::AbortSignal = web_sys::AbortSignal::timeout_with_u32(10_000).into();
        worker::Fetch::Request(request)
            .send_with_signal(&signal)
            .await
    };
    matches!(send.await, Ok(response) if (200..300).contains(&response.status_code()))
}

/// Ids of a bulk cancel, grouped by the service object that holds them.
pub fn group_by_service(ids: &[String]) -> (BTreeMap<String, Vec<String>>, Vec<String>) {
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut unknown = Vec::new();
    for id in ids {
        match CallbackId::parse(id) {
            Some(parsed) => groups.entry(parsed.service).or_default().push(id.clone()),
            None => unknown.push(id.clone()),
        }
    }
    (groups, unknown)
}
