//! Calls between the Worker and the objects, and between objects.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use worker::{Env, Headers, Method, Request, RequestInit};

/// Calls a service's object on an internal path (a POST with `body`, else a GET); answers its
/// status and JSON. `origin` is the public origin, from which the object builds records' `_url`.
pub async fn call_service(
    env: &Env,
    service: &str,
    origin: &str,
    path_and_query: &str,
    body: Option<String>,
    caller: Caller,
) -> ApiResult<(u16, serde_json::Value)> {
    call(
        env,
        "SERVICES",
        service,
        origin,
        path_and_query,
        body,
        caller,
    )
    .await
}

/// Calls an agent's object on an internal path, as [`call_service`] does.
pub async fn call_agent(
    env: &Env,
    agent: &str,
    path: &str,
    body: Option<String>,
) -> ApiResult<(u16, serde_json::Value)> {
    call(
        env,
        "AGENTS",
        agent,
        "https://internal",
        path,
        body,
        Caller::Public,
    )
    .await
}

async fn call(
    env: &Env,
    binding: &str,
    name: &str,
    origin: &str,
    path_and_query: &str,
    body: Option<String>,
    caller: Caller,
) -> ApiResult<(u16, serde_json::Value)> {
    let headers = Headers::new();
    headers.set("x-callback-service", name)?;
    headers.set("x-callback-caller", caller.as_str())?;
    headers.set("content-type", "application/json")?;
    let mut init = RequestInit::new();
    init.with_method(if body.is_some() {
        Method::Post
    } else {
        Method::Get
    })
    .with_headers(headers)
    .with_body(body.map(Into::into));
    let request = Request::new_with_init(&format!("{origin}{path_and_query}"), &init)?;
    let mut response = env
        .durable_object(binding)?
        .id_from_name(name)?
        .get_stub()?
        .fetch_with_request(request)
        .await?;
    let status = response.status_code();
    let value = response
        .json::<serde_json::Value>()
        .await
        .map_err(|e| ApiError::Internal(format!("{name}: {e}")))?;
    Ok((status, value))
}
