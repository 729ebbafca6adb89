//! The Worker in front of the objects: authenticates, sends each request to the object that owns
//! it (a service's, or the configuration's), and assembles answers that span services.

use crate::auth::{self, Caller};
use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::ids::{group_by_service, CallbackId};
use crate::internal::{
    self, ask_agent, ask_config, ask_service, AgentAsk, ConfigAsk, Object, ServiceAsk, Services,
    CONFIG_NAME,
};
use crate::openapi;
use crate::routes::{self, Access, AcrossRoute, ConfigRoute, Kind, Matched, ServiceRoute};
use callback_shared::wire::{
    self, AgentAnswer, BulkCancelAnswer, BulkCancelRequest, EraseAnswer, EraseRequest, Erased,
    Record, ReportCancelledRequest, Watermarks,
};
use std::collections::BTreeMap;
use worker::{Env, Method, Request, Response};

pub async fn fetch(req: Request, env: Env) -> worker::Result<Response> {
    let path = req.path();
    if !path.starts_with("/genesys/") && path != "/openapi.json" {
        return env.assets("ASSETS")?.fetch_request(req).await;
    }
    Ok(route(req, &env)
        .await
        .unwrap_or_else(ApiError::into_response))
}

async fn route(mut req: Request, env: &Env) -> ApiResult<Response> {
    let method = req.method().to_string();
    let path = req.path();
    if let Some(service) = path.strip_prefix(clock::CONTROL_PATH) {
        if clock::controllable(env) && method == "POST" {
            return move_clock(env, &mut req, service).await;
        }
    }
    if let Some(service) = path.strip_prefix(clock::FACTS_PATH) {
        if clock::controllable(env) && method == "POST" {
            auth::same_site(&req)?;
            authenticate(env, &req, Access::Admin)?;
            let origin = http::own_origin(&req)?;
            let n: u32 = ask_service(env, service, &origin, &ServiceAsk::SeedFacts).await?;
            return http::json(&serde_json::json!({ "facts": n }));
        }
    }
    if let Some(service) = path.strip_prefix(clock::LEDGER_PATH) {
        if clock::controllable(env) && method == "GET" {
            auth::same_site(&req)?;
            authenticate(env, &req, Access::Admin)?;
            let origin = http::own_origin(&req)?;
            let check: serde_json::Value =
                ask_service(env, service, &origin, &ServiceAsk::LedgerCheck).await?;
            return http::json(&check);
        }
    }
    let m = routes::find(&method, &path)?;
    if method == "OPTIONS" {
        // Preflights are for the public routes of a service.
        return match m.kind {
            Kind::Service(route) if m.access == Access::Public => {
                let service = target(&m, route)?;
                forward(env, Object::Service, &service, &mut req, &m, Caller::Public).await
            }
            _ => Err(ApiError::Forbidden),
        };
    }
    if m.access != Access::Public {
        auth::same_site(&req)?;
    }
    let caller = authenticate(env, &req, m.access)?;
    match m.kind {
        Kind::OpenApi => http::json(&openapi::document()),
        Kind::Templates => http::json(&callback_shared::config::presets::document()),
        Kind::Service(route) => {
            let service = target(&m, route)?;
            forward(env, Object::Service, &service, &mut req, &m, caller).await
        }
        Kind::Config(_) => forward(env, Object::Config, CONFIG_NAME, &mut req, &m, caller).await,
        Kind::Agent(_) => {
            let agent = auth::token_agent(&auth::bearer(&req)?)?;
            let client = auth::client(&req);
            auth::check_failures(&client, now_ms())?;
            let response = forward(env, Object::Agent, &agent, &mut req, &m, caller).await?;
            if response.status_code() == 401 {
                auth::note_failure(&client, now_ms());
            }
            Ok(response)
        }
        Kind::Across(AcrossRoute::Find) => {
            let params = http::query_params(&req)?;
            match params.get("_id") {
                Some(id) => match CallbackId::parse(id) {
                    Some(id) => {
                        let by_id = Matched {
                            kind: Kind::Service(ServiceRoute::ById),
                            ..m
                        };
                        let response =
                            forward(env, Object::Service, &id.service, &mut req, &by_id, caller)
                                .await?;
                        if response.status_code() == 404 {
                            return http::json(&Vec::<Record>::new());
                        }
                        Ok(response)
                    }
                    None => http::json(&Vec::<Record>::new()),
                },
                // Property queries list personal data: server credentials, as for a service's queries.
                None => {
                    authenticate(env, &req, Access::Server)?;
                    find_across(env, &req).await
                }
            }
        }
        Kind::Across(AcrossRoute::Agents) => agents(env, &mut req, &m, caller).await,
        Kind::Across(AcrossRoute::Queues) => admin_queues(env, &req).await,
        Kind::Across(AcrossRoute::Watermarks) => watermarks(env, &req).await,
        Kind::Across(AcrossRoute::Cancel) => bulk_cancel(env, &mut req).await,
        Kind::Across(AcrossRoute::Report) => report(env, &mut req).await,
        Kind::Across(AcrossRoute::Stats) => {
            crate::reports::stats(env, &req, callback_services(env).await?).await
        }
        Kind::Across(AcrossRoute::Erase) => erase(env, &mut req).await,
    }
}

/// Tests only (see [`clock`]): moves one service's clock forward and runs what is then due;
/// answers [`wire::Due`]. Admin credentials, as for any admin route.
async fn move_clock(env: &Env, req: &mut Request, service: &str) -> ApiResult<Response> {
    auth::same_site(req)?;
    authenticate(env, req, Access::Admin)?;
    let body = http::body(req).await?;
    let params = http::body_params(&http::content_type(req), &body)?;
    let ms = clock::advance(&params).map_err(ApiError::InvalidParameter)?;
    let origin = http::own_origin(req)?;
    let due: wire::Due = ask_service(env, service, &origin, &ServiceAsk::Advance { ms }).await?;
    http::json(&due)
}

fn now_ms() -> i64 {
    crate::clock::now().timestamp_millis()
}

/// [`auth::caller`], with failed authentications counted per client and a client that failed too
/// often lately refused for a while (guessing credentials costs time).
fn authenticate(env: &Env, req: &Request, access: Access) -> ApiResult<Caller> {
    if access == Access::Public {
        return auth::caller(env, req, access);
    }
    let client = auth::client(req);
    auth::check_failures(&client, now_ms())?;
    let caller = auth::caller(env, req, access);
    if matches!(caller, Err(ApiError::Unauthenticated)) {
        auth::note_failure(&client, now_ms());
    }
    caller
}

/// The service whose object answers a route: the one it names, or its callback's.
fn target(m: &Matched, route: ServiceRoute) -> ApiResult<String> {
    match route {
        ServiceRoute::QueuePosition | ServiceRoute::Chat(_) => Ok(m.id()?.service),
        ServiceRoute::Get
        | ServiceRoute::Update
        | ServiceRoute::Cancel
        | ServiceRoute::Events
        | ServiceRoute::DialResult
        | ServiceRoute::CallAnswer
        | ServiceRoute::CallStatus
        | ServiceRoute::Confirm => {
            let (service, id) = (m.service()?, m.id()?);
            if id.service != service {
                return Err(ApiError::UnknownCallback(id.text));
            }
            Ok(service)
        }
        // Found by the query's `_id`, never by the path: the Worker sends it itself.
        ServiceRoute::ById => Err(ApiError::NotFound("no path names a callback by _id".into())),
        ServiceRoute::AgentSocket => Err(ApiError::NotFound(
            "agents' sockets go through their objects".into(),
        )),
        ServiceRoute::Create
        | ServiceRoute::Find
        | ServiceRoute::AvailabilityV1
        | ServiceRoute::AvailabilityV2
        | ServiceRoute::Offer
        | ServiceRoute::TextReceived
        | ServiceRoute::IncomingCall
        | ServiceRoute::IncomingStatus
        | ServiceRoute::BuiltinGet
        | ServiceRoute::BuiltinPost => m.service(),
    }
}

/// Sends the client's request to the object that answers it, with the route found here.
async fn forward(
    env: &Env,
    object: Object,
    name: &str,
    req: &mut Request,
    m: &Matched,
    caller: Caller,
) -> ApiResult<Response> {
    let body = match req.method() {
        Method::Post | Method::Put => Some(http::body(req).await?),
        _ => None,
    };
    internal::forward(env, object, name, req, body, m, caller).await
}

/// Every agent (from the configuration), with whether each is ready and what they hold (from
/// their objects).
async fn agents(env: &Env, req: &mut Request, m: &Matched, caller: Caller) -> ApiResult<Response> {
    let configured = Matched {
        kind: Kind::Config(ConfigRoute::Agents),
        ..m.clone()
    };
    let response = forward(env, Object::Config, CONFIG_NAME, req, &configured, caller).await?;
    let mut agents: Vec<AgentAnswer> = http::read_json(response).await?;
    for agent in &mut agents {
        if let Ok(status) = ask_agent::<AgentAnswer>(env, &agent.id, &AgentAsk::Status).await {
            agent.ready = status.ready;
            agent.holds = status.holds;
        }
    }
    http::json(&agents)
}

/// The callback services, from the configuration's object.
async fn services(env: &Env) -> ApiResult<Services> {
    ask_config(env, &ConfigAsk::Services).await
}

async fn callback_services(env: &Env) -> ApiResult<Vec<String>> {
    Ok(services(env).await?.callback)
}

/// The right to be forgotten: every callback service erases the number's callbacks (cancelling
/// open ones first), their history and counters; every request-access service its holds.
async fn erase(env: &Env, req: &mut Request) -> ApiResult<Response> {
    let body = http::body(req).await?;
    let request: EraseRequest = http::body_json(&http::content_type(req), &body)?;
    if request.customer_number.trim().is_empty() {
        return Err(ApiError::InvalidParameter(
            "_customer_number: is mandatory".into(),
        ));
    }
    let origin = http::own_origin(req)?;
    let services = services(env).await?;
    let mut answer = EraseAnswer::default();
    let ask = ServiceAsk::Erase {
        customer_number: request.customer_number,
    };
    for service in services.callback.iter().chain(&services.access) {
        let erased: Erased = match ask_service(env, service, &origin, &ask).await {
            Ok(erased) => erased,
            // The number is not a number for this service's country rules: it holds none of it.
            Err(ApiError::InvalidParameter(_)) => Erased::default(),
            Err(e) => return Err(e),
        };
        answer.callbacks = answer.callbacks.saturating_add(erased.callbacks);
        answer.services.insert(service.clone(), erased);
    }
    http::json(&answer)
}

async fn find_across(env: &Env, req: &Request) -> ApiResult<Response> {
    let origin = http::own_origin(req)?;
    let ask = ServiceAsk::Find {
        query: http::query(req)?,
    };
    let mut records: Vec<Record> = Vec::new();
    let mut refusal = None;
    let services = callback_services(env).await?;
    let any = !services.is_empty();
    let mut accepted = false;
    for service in services {
        match ask_service::<Vec<Record>>(env, &service, &origin, &ask).await {
            Ok(found) => {
                accepted = true;
                records.extend(found);
            }
            Err(e) => refusal = Some(e),
        }
    }
    match refusal {
        // A key no service can search is a bad request; otherwise, what the services found.
        Some(e) if any && !accepted => Err(e),
        _ => http::json(&records),
    }
}

async fn admin_queues(env: &Env, req: &Request) -> ApiResult<Response> {
    let query = http::query_params(req)?;
    let services = match query.get("target").filter(|t| !t.is_empty()) {
        Some(target) => vec![target.clone()],
        None => callback_services(env).await?,
    };
    let origin = http::own_origin(req)?;
    let ask = ServiceAsk::Queues { query };
    let mut answer: BTreeMap<String, Vec<Record>> = BTreeMap::new();
    for service in services {
        let records = ask_service(env, &service, &origin, &ask).await?;
        answer.insert(service, records);
    }
    http::json(&answer)
}

async fn watermarks(env: &Env, req: &Request) -> ApiResult<Response> {
    let asked: Vec<String> = http::query(req)?
        .into_iter()
        .filter(|(k, _)| k == "service_name")
        .map(|(_, v)| v)
        .collect();
    let services = if asked.is_empty() {
        callback_services(env).await?
    } else {
        asked
    };
    let origin = http::own_origin(req)?;
    let mut marks = Watermarks {
        services: BTreeMap::new(),
        total: 0,
    };
    for service in services {
        // A service that does not exist has nothing in queue.
        let n = ask_service(env, &service, &origin, &ServiceAsk::Watermark)
            .await
            .unwrap_or(0u32);
        marks.total = marks.total.saturating_add(n);
        marks.services.insert(service, n);
    }
    http::json(&marks)
}

async fn bulk_cancel(env: &Env, req: &mut Request) -> ApiResult<Response> {
    let body = http::body(req).await?;
    let request: BulkCancelRequest = http::body_json(&http::content_type(req), &body)?;
    if let Some(reason) = request
        .reason
        .as_deref()
        .filter(|r| *r != "CANCELLED_BY_ADMIN")
    {
        return Err(ApiError::InvalidParameter(format!(
            "reason: `{reason}` is not CANCELLED_BY_ADMIN"
        )));
    }
    if request.ids.len() > 1000 {
        return Err(ApiError::InvalidParameter(
            "ids: at most 1000 at a time".into(),
        ));
    }
    let (groups, unknown) = group_by_service(&request.ids);
    let mut answer = BulkCancelAnswer::default();
    for id in unknown {
        answer.failed.insert(id, "not found".into());
    }
    let origin = http::own_origin(req)?;
    for (service, ids) in groups {
        let ask = ServiceAsk::Cancel { ids: ids.clone() };
        match ask_service::<BulkCancelAnswer>(env, &service, &origin, &ask).await {
            Ok(part) => {
                answer.cancelled.extend(part.cancelled);
                answer.failed.extend(part.failed);
            }
            Err(_) => {
                for id in ids {
                    answer.failed.insert(id, "not found".into());
                }
            }
        }
    }
    http::json(&answer)
}

async fn report(env: &Env, req: &mut Request) -> ApiResult<Response> {
    let body = http::body(req).await?;
    let request: ReportCancelledRequest = http::body_json(&http::content_type(req), &body)?;
    let origin = http::own_origin(req)?;
    let ask = ServiceAsk::Report {
        reason: request.callback_reason,
    };
    let mut records: Vec<Record> = Vec::new();
    for service in callback_services(env).await? {
        records.extend(ask_service::<Vec<Record>>(env, &service, &origin, &ask).await?);
    }
    let mut columns = vec![
        "_id".to_string(),
        "_service_name".to_string(),
        "_callback_reason".to_string(),
    ];
    columns.extend(
        request
            .exported_properties
            .into_iter()
            .filter(|p| !["_id", "_service_name", "_callback_reason"].contains(&p.as_str())),
    );
    http::text_response(
        wire::csv(&columns, &records),
        "text/csv; charset=utf-8",
        200,
    )
}
