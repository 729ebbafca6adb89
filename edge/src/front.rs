//! The Worker in front of the objects: authenticates, sends each request to the object that owns
//! it (a service's, or the configuration's), and assembles answers that span services.

use crate::auth::{self, Caller};
use crate::config_object::Services;
use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::ids::CallbackId;
use crate::objects::{call_agent, call_service};
use crate::openapi;
use crate::routes::{self, Access, Kind, Matched};
use crate::service_object::group_by_service;
use callback_shared::wire::{
    self, AgentAnswer, BulkCancelAnswer, BulkCancelRequest, EraseAnswer, EraseRequest, Erased,
    Record, ReportCancelledRequest, Watermarks,
};
use std::collections::BTreeMap;
use worker::{Env, Headers, Method, Request, RequestInit, Response};

pub async fn fetch(req: Request, env: Env) -> worker::Result<Response> {
    let path = req.path();
    if !path.starts_with("/genesys/") && path != "/openapi.json" {
        return env.assets("ASSETS")?.fetch_request(req).await;
    }
    Ok(route(req, &env)
        .await
        .unwrap_or_else(ApiError::into_response))
}

/// Headers a service's object may read from the client's request.
const PASSED_HEADERS: [&str; 5] = [
    "content-type",
    "origin",
    "idempotency-key",
    "cf-connecting-ip",
    crate::signing::HEADER,
];

async fn route(mut req: Request, env: &Env) -> ApiResult<Response> {
    let method = req.method().to_string();
    let path = req.path();
    let m = routes::find(&method, &path)?;
    if method == "OPTIONS" {
        if m.spec.access != Access::Public || m.kind() == Kind::OpenApi {
            return Err(ApiError::Forbidden);
        }
        let service = target(&m)?;
        return forward(env, &service, &mut req, Caller::Public).await;
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
        | Kind::AdminAgentDelete => to_config(env, &mut req, caller).await,
        Kind::AdminAgents => agents(env, &mut req, caller).await,
        Kind::AgentReady | Kind::AgentNotReady | Kind::AgentOffer | Kind::AgentAct => {
            let agent = auth::token_agent(&auth::bearer(&req)?)?;
            let body = read_body(&mut req).await?;
            let url = req.url()?.to_string();
            let request = internal_request(&url, &method, &req, body, caller)?;
            for name in ["authorization", "accept"] {
                if let Some(value) = http::header(&req, name) {
                    request.headers().set(name, &value)?;
                }
            }
            let client = auth::client(&req);
            auth::check_failures(&client, now_ms())?;
            let response = env
                .durable_object("AGENTS")?
                .id_from_name(&agent)?
                .get_stub()?
                .fetch_with_request(request)
                .await?;
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
                        let response = forward(env, &id.service, &mut req, caller).await?;
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
        Kind::AdminQueues => admin_queues(env, &req, caller).await,
        Kind::AdminWatermarks => watermarks(env, &req, caller).await,
        Kind::AdminCancel => bulk_cancel(env, &mut req, caller).await,
        Kind::AdminReport => report(env, &mut req, caller).await,
        Kind::AdminErase => erase(env, &mut req, caller).await,
        _ => {
            let service = target(&m)?;
            forward(env, &service, &mut req, caller).await
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

/// The service whose object answers a route.
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
        _ => m.service(),
    }
}

async fn read_body(req: &mut Request) -> ApiResult<Option<String>> {
    match req.method() {
        Method::Post | Method::Put => Ok(Some(http::body(req).await?)),
        _ => Ok(None),
    }
}

fn internal_request(
    url: &str,
    method: &str,
    original: &Request,
    body: Option<String>,
    caller: Caller,
) -> ApiResult<Request> {
    let headers = Headers::new();
    for name in PASSED_HEADERS {
        if let Some(value) = http::header(original, name) {
            headers.set(name, &value)?;
        }
    }
    headers.set("x-callback-caller", caller.as_str())?;
    let mut init = RequestInit::new();
    init.with_method(Method::from(method.to_string()))
        .with_headers(headers)
        .with_body(body.map(Into::into));
    Ok(Request::new_with_init(url, &init)?)
}

/// Sends the client's request to a service's object.
async fn forward(
    env: &Env,
    service: &str,
    req: &mut Request,
    caller: Caller,
) -> ApiResult<Response> {
    let body = read_body(req).await?;
    let url = req.url()?.to_string();
    let request = internal_request(&url, &req.method().to_string(), req, body, caller)?;
    request.headers().set("x-callback-service", service)?;
    Ok(env
        .durable_object("SERVICES")?
        .id_from_name(service)?
        .get_stub()?
        .fetch_with_request(request)
        .await?)
}

/// Sends the client's request to the configuration's object (configuration, agents).
async fn to_config(env: &Env, req: &mut Request, caller: Caller) -> ApiResult<Response> {
    let body = read_body(req).await?;
    let url = req.url()?.to_string();
    let request = internal_request(&url, &req.method().to_string(), req, body, caller)?;
    Ok(env
        .durable_object("CONFIG")?
        .id_from_name("config")?
        .get_stub()?
        .fetch_with_request(request)
        .await?)
}

/// Every agent (from the configuration), with whether each is ready and what they hold (from
/// their objects).
async fn agents(env: &Env, req: &mut Request, caller: Caller) -> ApiResult<Response> {
    let mut response = to_config(env, req, caller).await?;
    let mut agents: Vec<AgentAnswer> = response
        .json()
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    for agent in &mut agents {
        if let Ok((200, value)) = call_agent(env, &agent.id, "/internal/status", None).await {
            if let Ok(status) = serde_json::from_value::<AgentAnswer>(value) {
                agent.ready = status.ready;
                agent.holds = status.holds;
            }
        }
    }
    http::json(&agents)
}

/// The callback services, from the configuration's object.
async fn services(env: &Env) -> ApiResult<Services> {
    let mut response = env
        .durable_object("CONFIG")?
        .id_from_name("config")?
        .get_stub()?
        .fetch_with_str("https://internal/internal/services")
        .await?;
    response
        .json()
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))
}

async fn callback_services(env: &Env) -> ApiResult<Vec<String>> {
    Ok(services(env).await?.callback)
}

/// The right to be forgotten: every callback service erases the number's callbacks (cancelling
/// open ones first), their history and counters; every request-access service its holds.
async fn erase(env: &Env, req: &mut Request, caller: Caller) -> ApiResult<Response> {
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
    for service in services.callback.iter().chain(&services.access) {
        let (status, value) = call_service(
            env,
            service,
            &origin,
            "/internal/erase",
            Some(body.clone()),
            caller,
        )
        .await?;
        let erased: Erased = match status {
            200 => serde_json::from_value(value).map_err(|e| ApiError::Internal(e.to_string()))?,
            // The number is not a number for this service's country rules: it holds none of it.
            400 => Erased::default(),
            _ => return Err(passed_on(status, value)),
        };
        answer.callbacks += erased.callbacks;
        answer.services.insert(service.clone(), erased);
    }
    http::json(&answer)
}

/// An error answered by a service's object, passed on as it was.
fn passed_on(status: u16, value: serde_json::Value) -> ApiError {
    let message = value
        .get("message")
        .and_then(|m| m.as_str())
        .unwrap_or("error")
        .to_string();
    match status {
        400 => ApiError::InvalidParameter(message),
        404 => ApiError::NotFound(message),
        409 => ApiError::InvalidState(message),
        _ => ApiError::Internal(message),
    }
}

async fn find_across(env: &Env, req: &Request, caller: Caller) -> ApiResult<Response> {
    let origin = http::own_origin(req)?;
    let query = req.url()?.query().unwrap_or("").to_string();
    let mut records: Vec<serde_json::Value> = Vec::new();
    let mut refusal = None;
    let services = callback_services(env).await?;
    let any = !services.is_empty();
    let mut accepted = false;
    for service in services {
        let (status, value) = call_service(
            env,
            &service,
            &origin,
            &format!("/internal/find?{query}"),
            None,
            caller,
        )
        .await?;
        match (status, value) {
            (200, serde_json::Value::Array(found)) => {
                accepted = true;
                records.extend(found);
            }
            (status, value) => refusal = Some(passed_on(status, value)),
        }
    }
    match refusal {
        // A key no service can search is a bad request; otherwise, what the services found.
        Some(e) if any && !accepted => Err(e),
        _ => http::json(&records),
    }
}

async fn admin_queues(env: &Env, req: &Request, caller: Caller) -> ApiResult<Response> {
    let params = http::query_params(req)?;
    let services = match params.get("target").filter(|t| !t.is_empty()) {
        Some(target) => vec![target.clone()],
        None => callback_services(env).await?,
    };
    let origin = http::own_origin(req)?;
    let query = req.url()?.query().unwrap_or("").to_string();
    let mut answer: BTreeMap<String, serde_json::Value> = BTreeMap::new();
    for service in services {
        let (status, value) = call_service(
            env,
            &service,
            &origin,
            &format!("/internal/queues?{query}"),
            None,
            caller,
        )
        .await?;
        match status {
            200 => {
                answer.insert(service, value);
            }
            404 => return Err(ApiError::UnknownService(service)),
            _ => return Err(passed_on(status, value)),
        }
    }
    http::json(&answer)
}

async fn watermarks(env: &Env, req: &Request, caller: Caller) -> ApiResult<Response> {
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
        let (status, value) =
            call_service(env, &service, &origin, "/internal/watermark", None, caller).await?;
        // A service that does not exist has nothing in queue.
        let n = if status == 200 {
            value
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(0)
        } else {
            0
        };
        marks.total += n;
        marks.services.insert(service, n);
    }
    http::json(&marks)
}

async fn bulk_cancel(env: &Env, req: &mut Request, caller: Caller) -> ApiResult<Response> {
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
        let ids_json =
            serde_json::to_string(&ids).map_err(|e| ApiError::Internal(e.to_string()))?;
        let (status, value) = call_service(
            env,
            &service,
            &origin,
            "/internal/cancel",
            Some(ids_json),
            caller,
        )
        .await?;
        match serde_json::from_value::<BulkCancelAnswer>(value) {
            Ok(part) if status == 200 => {
                answer.cancelled.extend(part.cancelled);
                answer.failed.extend(part.failed);
            }
            _ => {
                for id in ids {
                    answer.failed.insert(id, "not found".into());
                }
            }
        }
    }
    http::json(&answer)
}

async fn report(env: &Env, req: &mut Request, caller: Caller) -> ApiResult<Response> {
    let body = http::body(req).await?;
    let request: ReportCancelledRequest = http::body_json(&http::content_type(req), &body)?;
    let reason = serde_json::to_string(&request.callback_reason)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let origin = http::own_origin(req)?;
    let mut records: Vec<Record> = Vec::new();
    for service in callback_services(env).await? {
        let (status, value) = call_service(
            env,
            &service,
            &origin,
            "/internal/report",
            Some(reason.clone()),
            caller,
        )
        .await?;
        if status != 200 {
            return Err(passed_on(status, value));
        }
        records.extend(
            serde_json::from_value::<Vec<Record>>(value)
                .map_err(|e| ApiError::Internal(e.to_string()))?,
        );
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
