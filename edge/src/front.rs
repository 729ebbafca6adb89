//! The Worker in front of the objects: authenticates, sends each request to the object that owns
//! it (a service's, or the configuration's), and assembles answers that span services.

use crate::auth::{self, Caller};
use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::ids::{group_by_service, CallbackId};
use crate::internal::{
    self, ask_agent, ask_config, ask_service, AgentAsk, ConfigAsk, Object, ServiceAsk, Services,
    CONFIG_NAME,
};
use crate::openapi;
use crate::routes::{self, Access, Kind, Matched};
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
    let m = routes::find(&method, &path)?;
    if method == "OPTIONS" {
        if m.spec.access != Access::Public || m.kind() == Kind::OpenApi {
            return Err(ApiError::Forbidden);
        }
        let service = target(&m)?;
        return forward(env, Object::Service, &service, &mut req, &m, Caller::Public).await;
    }
    let caller = authenticate(env, &req, m.spec.access)?;
    match m.kind() {
        Kind::OpenApi => http::json(&openapi::document()),
        Kind::ConfigAll
        | Kind::ConfigGet
        | Kind::ConfigPut
        | Kind::ConfigDelete
        | Kind::AdminAgentGet
        | Kind::AdminAgentPut
        | Kind::AdminAgentDelete => {
            forward(env, Object::Config, CONFIG_NAME, &mut req, &m, caller).await
        }
        Kind::AdminAgents => agents(env, &mut req, &m, caller).await,
        Kind::AgentReady | Kind::AgentNotReady | Kind::AgentOffer | Kind::AgentAct(_) => {
            let agent = auth::token_agent(&auth::bearer(&req)?)?;
            let client = auth::client(&req);
            auth::check_failures(&client, now_ms())?;
            let response = forward(env, Object::Agent, &agent, &mut req, &m, caller).await?;
            if response.status_code() == 401 {
                auth::note_failure(&client, now_ms());
            }
            Ok(response)
        }
        Kind::FindAcross => {
            let params = http::query_params(&req)?;
            match params.get("_id") {
                Some(id) => match CallbackId::parse(id) {
                    Some(id) => {
                        let response =
                            forward(env, Object::Service, &id.service, &mut req, &m, caller)
                                .await?;
                        if response.status_code() == 404 {
                            return http::json(&Vec::<Record>::new());
                        }
                        Ok(response)
                    }
                    None => http::json(&Vec::<Record>::new()),
                },
                // Property queries list personal data: server credentials, as for a service's queries.
                None => find_across(env, &req, authenticate(env, &req, Access::Server)?).await,
            }
        }
        Kind::AdminQueues => admin_queues(env, &req).await,
        Kind::AdminWatermarks => watermarks(env, &req).await,
        Kind::AdminCancel => bulk_cancel(env, &mut req).await,
        Kind::AdminReport => report(env, &mut req).await,
        Kind::AdminErase => erase(env, &mut req).await,
        Kind::Create
        | Kind::FindInService
        | Kind::Get
        | Kind::Update
        | Kind::Cancel
        | Kind::Events
        | Kind::DialResult
        | Kind::AvailabilityV1
        | Kind::AvailabilityV2
        | Kind::QueuePosition
        | Kind::Offer
        | Kind::BuiltinGet
        | Kind::BuiltinPost
        | Kind::Confirm => {
            let service = target(&m)?;
            forward(env, Object::Service, &service, &mut req, &m, caller).await
        }
    }
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
fn target(m: &Matched) -> ApiResult<String> {
    match m.kind() {
        Kind::QueuePosition => Ok(m.id()?.service),
        Kind::Get
        | Kind::Update
        | Kind::Cancel
        | Kind::Events
        | Kind::DialResult
        | Kind::Confirm => {
            let (service, id) = (m.service()?, m.id()?);
            if id.service != service {
                return Err(ApiError::UnknownCallback(id.text));
            }
            Ok(service)
        }
        Kind::Create
        | Kind::FindInService
        | Kind::AvailabilityV1
        | Kind::AvailabilityV2
        | Kind::Offer
        | Kind::BuiltinGet
        | Kind::BuiltinPost => m.service(),
        Kind::FindAcross
        | Kind::AdminQueues
        | Kind::AdminWatermarks
        | Kind::AdminCancel
        | Kind::AdminReport
        | Kind::AdminErase
        | Kind::ConfigAll
        | Kind::ConfigGet
        | Kind::ConfigPut
        | Kind::ConfigDelete
        | Kind::AdminAgents
        | Kind::AdminAgentGet
        | Kind::AdminAgentPut
        | Kind::AdminAgentDelete
        | Kind::AgentReady
        | Kind::AgentNotReady
        | Kind::AgentOffer
        | Kind::AgentAct(_)
        | Kind::OpenApi => Err(ApiError::NotFound(m.spec.path.to_string())),
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
    let mut response = forward(env, Object::Config, CONFIG_NAME, req, m, caller).await?;
    let mut agents: Vec<AgentAnswer> = response
        .json()
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
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

async fn find_across(env: &Env, req: &Request, _caller: Caller) -> ApiResult<Response> {
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
